"""DSP outbox: the wire dialect each queued message is sent in (``2025-1``, or ``v0.8`` for a Tractus-X EDC ≤ 0.10
counterparty); rows queued before are 2025-1, as everything was then.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dsp_outbox") as batch:
        batch.add_column(sa.Column("dialect", sa.String(16), nullable=False, server_default="2025-1"))


def downgrade() -> None:
    with op.batch_alter_table("dsp_outbox") as batch:
        batch.drop_column("dialect")
