"""`SqlAlchemyUnitOfWork`: one connection, one transaction; commit or everything is rolled back."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine

from passbridge.passport.model import PassportVersion
from passbridge.storage.bulk_rows import SqlEncodedVersions, encode_versions
from passbridge.storage.dataspace import SqlDataspaceRepository
from passbridge.storage.engine import make_engine
from passbridge.storage.identity import SqlIdentityRepository
from passbridge.storage.ouranos import SqlOuranosRepository
from passbridge.storage.repositories import SqlImportCheckpoints, SqlPassportRepository
from passbridge.storage.supplychain import SqlSupplyChainRepository

LOCK_TIMEOUT_SECONDS = 30.0
"""How long a writer waits for the other writers of its process (SQLite's busy timeout is the same)."""


class SqlAlchemyUnitOfWork:
    """A unit of work over one engine connection.

    `write=True` starts SQLite transactions with ``BEGIN IMMEDIATE`` so two writers queue instead of failing on a
    lock upgrade; readers use a plain ``BEGIN`` and never wait (WAL). Writers of one process queue on `write_lock`
    first: SQLite's own busy handler sleeps 1, 2, 5, 10 … ms between attempts, so two threads writing at once (a DSP
    handler and the outbox worker) would otherwise lose milliseconds on every collision; writers of other processes
    still meet at SQLite's lock.
    """

    passports: SqlPassportRepository
    checkpoints: SqlImportCheckpoints
    supplychain: SqlSupplyChainRepository
    identity: SqlIdentityRepository
    dataspace: SqlDataspaceRepository
    ouranos: SqlOuranosRepository

    def __init__(self, engine: Engine, *, write: bool = True, write_lock: threading.RLock | None = None) -> None:
        self._engine = engine
        self._write = write
        self._lock = write_lock if write else None
        self._held = False
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        # after SQLite's own busy timeout, go on without the lock: SQLite then refuses with "database is locked"
        # rather than this thread waiting for ever
        self._held = self._lock is not None and self._lock.acquire(timeout=LOCK_TIMEOUT_SECONDS)
        try:
            return self._open()
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self._held and self._lock is not None:
            self._held = False
            self._lock.release()

    def _open(self) -> Self:
        connection = self._engine.connect()
        connection.info["passbridge_write"] = self._write
        connection.begin()
        self._connection = connection
        self.passports = SqlPassportRepository(connection)
        self.checkpoints = SqlImportCheckpoints(connection)
        self.supplychain = SqlSupplyChainRepository(connection)
        self.identity = SqlIdentityRepository(connection)
        self.dataspace = SqlDataspaceRepository(connection)
        self.ouranos = SqlOuranosRepository(connection)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        connection = self._connection
        if connection is None:
            return
        try:
            if connection.in_transaction():
                connection.rollback()
        finally:
            connection.info["passbridge_write"] = False
            connection.close()
            self._connection = None
            self._release()

    def commit(self) -> None:
        """Commit the transaction."""
        if self._connection is not None:
            self._connection.commit()

    def rollback(self) -> None:
        """Roll the transaction back."""
        if self._connection is not None:
            self._connection.rollback()


class SqlAlchemyUnitOfWorkFactory:
    """Opens `SqlAlchemyUnitOfWork`s on one engine (the `UnitOfWorkFactory` port)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write_lock = threading.RLock() if engine.dialect.name == "sqlite" else None

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Another process (bulk import's workers) opens its own engine on the same database.
        return _factory_for, (self.engine.url.render_as_string(hide_password=False),)

    def __call__(self, *, write: bool = True) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine, write=write, write_lock=self._write_lock)

    def encode_versions(self, versions: Sequence[PassportVersion]) -> SqlEncodedVersions:
        return encode_versions(versions, self.engine.dialect)


def _factory_for(url: str) -> SqlAlchemyUnitOfWorkFactory:
    return SqlAlchemyUnitOfWorkFactory(make_engine(url))


__all__ = ["LOCK_TIMEOUT_SECONDS", "SqlAlchemyUnitOfWork", "SqlAlchemyUnitOfWorkFactory"]
