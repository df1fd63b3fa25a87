"""Data space: contract negotiations, agreements, transfer processes, data-plane token hashes, DSP outbox.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from passbridge.storage.tables import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_PID = 256
_DID = 512


def upgrade() -> None:
    op.create_table(
        "dsp_negotiations",
        sa.Column("pid", sa.String(_PID), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("provider_pid", sa.String(_PID), nullable=True),
        sa.Column("consumer_pid", sa.String(_PID), nullable=False),
        sa.Column("counterparty", sa.String(_DID), nullable=False),
        sa.Column("counterparty_address", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("dataset_id", sa.String(_PID), nullable=False),
        sa.Column("offer", sa.Text(), nullable=False),
        sa.Column("agreement_id", sa.String(_PID), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pid", name="pk_dsp_negotiations"),
        sa.UniqueConstraint("role", "counterparty", "consumer_pid", name="uq_dsp_negotiations_role"),
    )
    op.create_index("ix_dsp_negotiations_dataset_id", "dsp_negotiations", ["dataset_id", "counterparty"])
    op.create_table(
        "dsp_agreements",
        sa.Column("agreement_id", sa.String(_PID), nullable=False),
        sa.Column("negotiation_pid", sa.String(_PID), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("provider", sa.String(_DID), nullable=False),
        sa.Column("consumer", sa.String(_DID), nullable=False),
        sa.Column("dataset_id", sa.String(_PID), nullable=False),
        sa.Column("policy", sa.Text(), nullable=False),
        sa.Column("signed_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("agreement_id", name="pk_dsp_agreements"),
    )
    op.create_index("ix_dsp_agreements_dataset_id", "dsp_agreements", ["dataset_id", "provider"])
    op.create_table(
        "dsp_transfers",
        sa.Column("pid", sa.String(_PID), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("provider_pid", sa.String(_PID), nullable=True),
        sa.Column("consumer_pid", sa.String(_PID), nullable=False),
        sa.Column("counterparty", sa.String(_DID), nullable=False),
        sa.Column("counterparty_address", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("agreement_id", sa.String(_PID), nullable=False),
        sa.Column("format", sa.String(64), nullable=False),
        sa.Column("data_address", sa.Text(), nullable=True),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pid", name="pk_dsp_transfers"),
        sa.UniqueConstraint("role", "counterparty", "consumer_pid", name="uq_dsp_transfers_role"),
    )
    op.create_index("ix_dsp_transfers_agreement_id", "dsp_transfers", ["agreement_id"])
    op.create_table(
        "dsp_edr_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("transfer_pid", sa.String(_PID), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_dsp_edr_tokens"),
    )
    op.create_index("ix_dsp_edr_tokens_transfer_pid", "dsp_edr_tokens", ["transfer_pid"])
    op.create_table(
        "dsp_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("process_pid", sa.String(_PID), nullable=False),
        sa.Column("message_type", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(_DID), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
        sa.Column("lease_until", UtcDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("sent_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dsp_outbox"),
    )
    op.create_index("ix_dsp_outbox_status", "dsp_outbox", ["status", "next_attempt_at"])


def downgrade() -> None:
    for index, table in (
        ("ix_dsp_outbox_status", "dsp_outbox"),
        ("ix_dsp_edr_tokens_transfer_pid", "dsp_edr_tokens"),
        ("ix_dsp_transfers_agreement_id", "dsp_transfers"),
        ("ix_dsp_agreements_dataset_id", "dsp_agreements"),
        ("ix_dsp_negotiations_dataset_id", "dsp_negotiations"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("dsp_outbox", "dsp_edr_tokens", "dsp_transfers", "dsp_agreements", "dsp_negotiations"):
        op.drop_table(table)
