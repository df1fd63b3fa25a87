"""Cheap "has anything been committed?" checks, so readers can trust in-process caches across worker processes.

SQLite: ``PRAGMA data_version`` on a dedicated read-only connection (one per thread) changes whenever another
connection commits — any process, any worker — and costs about a microsecond. PostgreSQL: no equally cheap
signal, so `generation()` returns None and readers ask the database every time.
"""

from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import Engine


class SqliteDataVersion:
    """`ChangeWatch` for a SQLite database file.

    One connection for all threads of the process (behind a lock): ``data_version`` is a counter of that
    connection, so numbers read on two connections cannot be compared (one thread's value after a commit can
    equal another's before it), and a cache shared by the threads must see one sequence.
    """

    def __init__(self, path: str) -> None:
        self._uri = f"file:{path}?mode=ro"
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def generation(self) -> int | None:
        """A number that differs after any commit by another connection."""
        with self._lock:
            if self._connection is None:
                self._connection = sqlite3.connect(self._uri, uri=True, check_same_thread=False, isolation_level=None)
            version: int = self._connection.execute("PRAGMA data_version").fetchone()[0]
        return version


class NoChangeWatch:
    """For backends without a cheap signal: always unknown, so nothing is trusted from a cache."""

    def generation(self) -> int | None:
        """Always None."""
        return None


def change_watch(engine: Engine) -> SqliteDataVersion | NoChangeWatch:
    """The cheapest change signal the engine's backend offers."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return SqliteDataVersion(database)
    return NoChangeWatch()


__all__ = ["NoChangeWatch", "SqliteDataVersion", "change_watch"]
