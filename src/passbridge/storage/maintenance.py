"""Database upkeep: give the space of deleted or rewritten rows back (`vacuum`).

Why: SQLite never shrinks its file by itself. Pages freed by deletes, or by a migration that copies a table (0011
copies the passport versions and signatures), are reused by later writes but stay in the file: after 0011, a
database of 200,000 signed passports went from 3.8 to 7.3 GB. PostgreSQL's autovacuum makes dead rows reusable, but
an explicit ``VACUUM (ANALYZE)`` after a large import or migration also refreshes the planner's statistics at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from passbridge.errors import MaintenanceFailed


@dataclass(frozen=True, slots=True)
class VacuumReport:
    """The database's size before and after, in bytes."""

    backend: str
    bytes_before: int
    bytes_after: int


def vacuum(engine: Engine) -> VacuumReport:
    """SQLite: rewrite the file without its free pages (``VACUUM``; needs as much free disk as the database, and
    blocks writers meanwhile), then empty the WAL. PostgreSQL: ``VACUUM (ANALYZE)`` of the whole database.

    Raises:
        MaintenanceFailed: the database refused (busy, disk full, …), naming its reason; the database is unchanged.
    """
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        if engine.dialect.name == "sqlite":
            return _vacuum_sqlite(connection)
        return _vacuum_postgres(connection)
    except engine.dialect.loaded_dbapi.Error as exc:
        raise MaintenanceFailed(f"VACUUM failed: {exc}") from exc
    finally:
        raw.close()


def _vacuum_sqlite(connection: Any) -> VacuumReport:
    # the engine's connections run without the sqlite3 module's implicit transactions (`engine._sqlite_pragmas`),
    # so VACUUM, which refuses to run inside one, runs as it is
    before = _sqlite_size(connection)
    connection.execute("VACUUM")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()  # VACUUM in WAL mode writes the file via the WAL
    return VacuumReport("sqlite", before, _sqlite_size(connection))


def _sqlite_size(connection: Any) -> int:
    pages: int = connection.execute("PRAGMA page_count").fetchone()[0]
    page_size: int = connection.execute("PRAGMA page_size").fetchone()[0]
    return pages * page_size


def _vacuum_postgres(connection: Any) -> VacuumReport:
    connection.rollback()  # end the pool's idle transaction, if any, before switching to autocommit
    connection.autocommit = True
    try:
        before = _postgres_size(connection)
        connection.execute("VACUUM (ANALYZE)")
        return VacuumReport("postgresql", before, _postgres_size(connection))
    finally:
        connection.autocommit = False


def _postgres_size(connection: Any) -> int:
    size: int = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return size


__all__ = ["VacuumReport", "vacuum"]
