"""Identity: certified members, issued credentials, status lists, trust-list versions, wallet, issuance requests,
seen SI-token ids.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from passbridge.storage.tables import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "id_members",
        sa.Column("holder_did", sa.String(512), nullable=False),
        sa.Column("credential_type", sa.String(64), nullable=False),
        sa.Column("claims", sa.Text(), nullable=False),
        sa.Column("valid_days", sa.Integer(), nullable=False),
        sa.Column("added_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("holder_did", "credential_type", name="pk_id_members"),
    )
    op.create_table(
        "id_issued",
        sa.Column("credential_id", sa.String(64), nullable=False),
        sa.Column("holder_did", sa.String(512), nullable=False),
        sa.Column("credential_type", sa.String(64), nullable=False),
        sa.Column("status_list", sa.String(64), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("token", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("credential_id", name="pk_id_issued"),
        sa.UniqueConstraint("status_list", "status_index", name="uq_id_issued_status_list"),
    )
    op.create_index("ix_id_issued_holder_did", "id_issued", ["holder_did"])
    op.create_table(
        "id_status_lists",
        sa.Column("list_id", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("next_index", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("list_id", name="pk_id_status_lists"),
    )
    op.create_table(
        "id_trust_lists",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_id_trust_lists"),
    )
    op.create_table(
        "id_wallet",
        sa.Column("credential_id", sa.String(512), nullable=False),
        sa.Column("credential_type", sa.String(64), nullable=False),
        sa.Column("issuer", sa.String(512), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=True),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("credential_id", name="pk_id_wallet"),
    )
    op.create_index("ix_id_wallet_credential_type", "id_wallet", ["credential_type"])
    op.create_table(
        "id_issuance_requests",
        sa.Column("issuer_pid", sa.String(64), nullable=False),
        sa.Column("holder_pid", sa.String(256), nullable=False),
        sa.Column("holder_did", sa.String(512), nullable=False),
        sa.Column("credential_types", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("issuer_pid", name="pk_id_issuance_requests"),
    )
    op.create_table(
        "id_seen_tokens",
        sa.Column("jti", sa.String(256), nullable=False),
        sa.Column("expires_at", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name="pk_id_seen_tokens"),
    )
    op.create_index("ix_id_seen_tokens_expires_at", "id_seen_tokens", ["expires_at"])


def downgrade() -> None:
    for index, table in (
        ("ix_id_seen_tokens_expires_at", "id_seen_tokens"),
        ("ix_id_wallet_credential_type", "id_wallet"),
        ("ix_id_issued_holder_did", "id_issued"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "id_seen_tokens",
        "id_issuance_requests",
        "id_wallet",
        "id_trust_lists",
        "id_status_lists",
        "id_issued",
        "id_members",
    ):
        op.drop_table(table)
