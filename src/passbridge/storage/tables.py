"""Table definitions on one `MetaData`; Alembic migrations create exactly these (a test compares them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    TypeDecorator,
)

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


passports = Table(
    "passports",
    metadata,
    Column("passport_id", String(36), primary_key=True),
    Column("battery_id", String(200), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("economic_operator", String(16), nullable=False),
    Column("manufacturer_part_id", String(200), nullable=False),
    Column("part_instance_id", String(200), nullable=True, index=True),
    Column("category", String(20), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

passport_versions = Table(
    "passport_versions",
    metadata,
    Column("passport_id", String(36), ForeignKey("passports.passport_id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("status", String(20), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("document", LargeBinary, nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)

passport_links = Table(
    "passport_links",
    metadata,
    Column("passport_id", String(36), ForeignKey("passports.passport_id"), primary_key=True),
    Column("predecessor_id", String(36), ForeignKey("passports.passport_id"), primary_key=True),
    Index("ix_passport_links_predecessor_id", "predecessor_id"),
)

import_checkpoints = Table(
    "import_checkpoints",
    metadata,
    Column("source", String(500), primary_key=True),
    Column("lines_done", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

__all__ = ["import_checkpoints", "metadata", "passport_links", "passport_versions", "passports"]
