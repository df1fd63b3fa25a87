"""Ouranos link: record keys long enough for composite ids (ACL grants) and references to DIDs (link consents and
Catena-X participants).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ou_records") as batch:
        batch.alter_column("record_id", existing_type=sa.String(36), type_=sa.String(128), existing_nullable=False)
        batch.alter_column("ref", existing_type=sa.String(36), type_=sa.String(512), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("ou_records") as batch:
        batch.alter_column("ref", existing_type=sa.String(512), type_=sa.String(36), existing_nullable=True)
        batch.alter_column("record_id", existing_type=sa.String(128), type_=sa.String(36), existing_nullable=False)
