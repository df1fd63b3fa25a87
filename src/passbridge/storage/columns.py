"""What every table module shares: the one `MetaData` (with its naming convention) and the column types.

`UtcDateTime` keeps datetimes timezone-aware in UTC on every backend; `JsonDocument` keeps exact JSON bytes, lz4-
compressed on SQLite.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import lz4.block
from sqlalchemy import DateTime, Dialect, LargeBinary, MetaData, TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone; we store UTC and restore it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)


LZ4_TAG = b"\x01"
"""First byte of a document stored lz4-compressed; JSON text never starts with it, so older rows read as they are."""


class JsonDocument(TypeDecorator[bytes]):
    """Exact JSON document bytes; SQLite stores them lz4-compressed (`LZ4_TAG` + an lz4 block with its size).

    Why: a BatteryPass document is ~8.6 KB of repetitive JSON; lz4 makes it ~3.5 KB in ~7 µs, so a row fits in one
    SQLite page instead of three, which halves the database and makes bulk import's writes cheaper. PostgreSQL
    compresses large values itself (TOAST, lz4 since migration 0009), so values go there as they are.
    """

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if value is None or dialect.name != "sqlite":
            return value
        compressed: bytes = lz4.block.compress(value, store_size=True)
        return LZ4_TAG + compressed

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        stored = bytes(value)
        if stored[:1] != LZ4_TAG:  # stored before migration 0010, or on PostgreSQL
            return stored
        document: bytes = lz4.block.decompress(stored[1:])
        return document


__all__ = ["LZ4_TAG", "JsonDocument", "UtcDateTime", "metadata"]
