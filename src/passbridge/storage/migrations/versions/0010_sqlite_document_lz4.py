"""SQLite: passport documents stored lz4-compressed (`tables.JsonDocument`): ~8.6 KB → ~3.5 KB a BatteryPass
document, one page a row instead of three. Existing rows are compressed here, a chunk at a time; the column type
reads either form, so nothing else changes. PostgreSQL compresses with TOAST (0009) and is untouched.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Callable

import lz4.block
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TAG = b"\x01"  # tables.LZ4_TAG; a migration keeps its own copy so later code changes cannot alter it
CHUNK = 1_000


def _compress(document: bytes) -> bytes | None:
    return None if document[:1] == TAG else TAG + lz4.block.compress(document, store_size=True)


def _decompress(document: bytes) -> bytes | None:
    return lz4.block.decompress(document[1:]) if document[:1] == TAG else None


def _rewrite(change: Callable[[bytes], bytes | None]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    last = 0
    while True:
        rows = bind.exec_driver_sql(
            "SELECT rowid, document FROM passport_versions WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, CHUNK)
        ).fetchall()
        if not rows:
            return
        updates = [(new, rowid) for rowid, document in rows if (new := change(bytes(document))) is not None]
        if updates:
            bind.exec_driver_sql("UPDATE passport_versions SET document = ? WHERE rowid = ?", updates)
        last = rows[-1][0]


def upgrade() -> None:
    _rewrite(_compress)


def downgrade() -> None:
    _rewrite(_decompress)
