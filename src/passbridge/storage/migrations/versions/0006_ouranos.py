"""Ouranos platform: accounts, API keys and the records of the data transaction API.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ou_records",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("operator_id", sa.String(36), nullable=False),
        sa.Column("ref", sa.String(36), nullable=True),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "record_id", name="pk_ou_records"),
    )
    op.create_index("ix_ou_records_kind", "ou_records", ["kind", "operator_id"])
    op.create_index("ix_ou_records_ref", "ou_records", ["kind", "ref"])
    op.create_table(
        "ou_accounts",
        sa.Column("account_id", sa.String(256), nullable=False),
        sa.Column("operator_id", sa.String(36), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_ou_accounts"),
    )
    op.create_table(
        "ou_api_keys",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("operator_id", sa.String(36), nullable=False),
        sa.Column("application_name", sa.String(256), nullable=False),
        sa.Column("cidrs", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name="pk_ou_api_keys"),
    )


def downgrade() -> None:
    op.drop_table("ou_api_keys")
    op.drop_table("ou_accounts")
    op.drop_index("ix_ou_records_ref", table_name="ou_records")
    op.drop_index("ix_ou_records_kind", table_name="ou_records")
    op.drop_table("ou_records")
