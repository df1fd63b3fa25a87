"""Signed passports: the SD-JWT (RFC 9901) of each passport version, as its economic operator signed it.

Versions stored before this revision have no row here; reading them as ``?format=sd-jwt`` answers 404
(`PassportNotSigned`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from passbridge.storage.tables import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passport_signatures",
        sa.Column("passport_id", sa.String(36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("signed_at", UtcDateTime(), nullable=False),
        sa.Column("jwt", sa.Text(), nullable=False),
        sa.Column("disclosures", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["passport_id", "number"],
            ["passport_versions.passport_id", "passport_versions.number"],
            name="fk_passport_signatures_passport_id_passport_versions",
        ),
        sa.PrimaryKeyConstraint("passport_id", "number", name="pk_passport_signatures"),
    )


def downgrade() -> None:
    op.drop_table("passport_signatures")
