"""Passports, their immutable versions, Art. 77(7) links and bulk-import checkpoints.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from passbridge.storage.tables import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "passports",
        sa.Column("passport_id", sa.String(36), nullable=False),
        sa.Column("battery_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("economic_operator", sa.String(16), nullable=False),
        sa.Column("manufacturer_part_id", sa.String(200), nullable=False),
        sa.Column("part_instance_id", sa.String(200), nullable=True),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("passport_id", name="pk_passports"),
        sa.UniqueConstraint("battery_id", name="uq_passports_battery_id"),
    )
    op.create_index("ix_passports_part_instance_id", "passports", ["part_instance_id"])
    op.create_table(
        "passport_versions",
        sa.Column("passport_id", sa.String(36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["passport_id"], ["passports.passport_id"], name="fk_passport_versions_passport_id_passports"
        ),
        sa.PrimaryKeyConstraint("passport_id", "number", name="pk_passport_versions"),
    )
    op.create_table(
        "passport_links",
        sa.Column("passport_id", sa.String(36), nullable=False),
        sa.Column("predecessor_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["passport_id"], ["passports.passport_id"], name="fk_passport_links_passport_id_passports"
        ),
        sa.ForeignKeyConstraint(
            ["predecessor_id"], ["passports.passport_id"], name="fk_passport_links_predecessor_id_passports"
        ),
        sa.PrimaryKeyConstraint("passport_id", "predecessor_id", name="pk_passport_links"),
    )
    op.create_index("ix_passport_links_predecessor_id", "passport_links", ["predecessor_id"])
    op.create_table(
        "import_checkpoints",
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("lines_done", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_import_checkpoints"),
    )


def downgrade() -> None:
    op.drop_table("import_checkpoints")
    op.drop_index("ix_passport_links_predecessor_id", table_name="passport_links")
    op.drop_table("passport_links")
    op.drop_table("passport_versions")
    op.drop_index("ix_passports_part_instance_id", table_name="passports")
    op.drop_table("passports")
