"""`SqlAlchemyUnitOfWork`: one connection, one transaction; commit or everything is rolled back."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from passbridge.storage.identity import SqlIdentityRepository
from passbridge.storage.repositories import SqlImportCheckpoints, SqlPassportRepository
from passbridge.storage.supplychain import SqlSupplyChainRepository


class SqlAlchemyUnitOfWork:
    """A unit of work over one engine connection.

    `write=True` starts SQLite transactions with ``BEGIN IMMEDIATE`` so two writers queue instead of failing on a
    lock upgrade; readers use a plain ``BEGIN`` and never wait (WAL).
    """

    passports: SqlPassportRepository
    checkpoints: SqlImportCheckpoints
    supplychain: SqlSupplyChainRepository
    identity: SqlIdentityRepository

    def __init__(self, engine: Engine, *, write: bool = True) -> None:
        self._engine = engine
        self._write = write
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        connection = self._engine.connect()
        connection.info["passbridge_write"] = self._write
        connection.begin()
        self._connection = connection
        self.passports = SqlPassportRepository(connection)
        self.checkpoints = SqlImportCheckpoints(connection)
        self.supplychain = SqlSupplyChainRepository(connection)
        self.identity = SqlIdentityRepository(connection)
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

    def __call__(self, *, write: bool = True) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self.engine, write=write)


__all__ = ["SqlAlchemyUnitOfWork", "SqlAlchemyUnitOfWorkFactory"]
