"""`SqlIdentityRepository`: the identity port on one connection (Core statements over the `id_*` tables); the SI-token
replay stores (`replay_store`: `SqliteReplayStore` beside a SQLite database file, `EngineReplayStore` on the
``id_seen_tokens`` table otherwise) that `passbridge.identity.services.StoredReplayGuard` writes every ``jti`` to."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import RowMapping

from passbridge.identity.ports import IssuanceRequest, IssuedRecord, Member, StoredStatusList, WalletEntry
from passbridge.storage.tables import (
    id_issuance_requests,
    id_issued,
    id_members,
    id_seen_tokens,
    id_status_lists,
    id_trust_lists,
    id_wallet,
)

_FORGET_EXPIRED = delete(id_seen_tokens).where(id_seen_tokens.c.expires_at < bindparam("now"))
_FIRST_USE_PG = pg_insert(id_seen_tokens).on_conflict_do_nothing().returning(id_seen_tokens.c.jti)
_FIRST_USE_SQLITE = sqlite_insert(id_seen_tokens).on_conflict_do_nothing().returning(id_seen_tokens.c.jti)


def _issued(row: RowMapping) -> IssuedRecord:
    return IssuedRecord(**dict(row))


class SqlIdentityRepository:
    """Identity records (members, issued credentials, status lists, trust lists, wallet, requests, seen jtis)."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _upsert(self, table: Any, key: dict[str, Any], values: dict[str, Any]) -> None:
        where = [table.c[name] == value for name, value in key.items()]
        if self._c.execute(select(*[table.c[n] for n in key]).where(*where)).first() is None:
            self._c.execute(insert(table).values(**key, **values))
        else:
            self._c.execute(update(table).where(*where).values(**values))

    def put_member(self, member: Member) -> None:
        self._upsert(
            id_members,
            {"holder_did": member.holder_did, "credential_type": member.credential_type},
            {"claims": json.dumps(dict(member.claims)), "valid_days": member.valid_days, "added_at": member.added_at},
        )

    def _member(self, row: RowMapping) -> Member:
        return Member(
            row["holder_did"], row["credential_type"], json.loads(row["claims"]), row["valid_days"], row["added_at"]
        )

    def member(self, holder_did: str, credential_type: str) -> Member | None:
        row = (
            self._c.execute(
                select(id_members).where(
                    id_members.c.holder_did == holder_did, id_members.c.credential_type == credential_type
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else self._member(row)

    def members(self) -> list[Member]:
        rows = self._c.execute(select(id_members).order_by(id_members.c.added_at)).mappings()
        return [self._member(row) for row in rows]

    def status_list(self, list_id: str) -> StoredStatusList | None:
        query = select(id_status_lists).where(id_status_lists.c.list_id == list_id)
        if self._c.dialect.name == "postgresql":
            query = query.with_for_update()  # allocations and revocations serialise on the list row
        row = self._c.execute(query).mappings().first()
        if row is None:
            return None
        return StoredStatusList(
            row["list_id"], row["purpose"], row["next_index"], row["size"], bytes(row["bits"]).decode(), row["version"]
        )

    def put_status_list(self, status_list: StoredStatusList) -> None:
        self._upsert(
            id_status_lists,
            {"list_id": status_list.list_id},
            {
                "purpose": status_list.purpose,
                "next_index": status_list.next_index,
                "size": status_list.size,
                "bits": status_list.encoded.encode(),
                "version": status_list.version,
            },
        )

    def add_issued(self, record: IssuedRecord) -> None:
        self._c.execute(insert(id_issued).values(**_fields(record)))

    def issued(self, credential_id: str) -> IssuedRecord | None:
        row = self._c.execute(select(id_issued).where(id_issued.c.credential_id == credential_id)).mappings().first()
        return None if row is None else _issued(row)

    def issued_to(self, holder_did: str | None = None) -> list[IssuedRecord]:
        query = select(id_issued).order_by(id_issued.c.issued_at, id_issued.c.credential_id)
        if holder_did is not None:
            query = query.where(id_issued.c.holder_did == holder_did)
        return [_issued(row) for row in self._c.execute(query).mappings()]

    def mark_revoked(self, credential_id: str, at: datetime) -> None:
        self._c.execute(update(id_issued).where(id_issued.c.credential_id == credential_id).values(revoked_at=at))

    def latest_trust_list(self) -> tuple[int, str] | None:
        row = self._c.execute(
            select(id_trust_lists.c.version, id_trust_lists.c.document)
            .order_by(id_trust_lists.c.version.desc())
            .limit(1)
        ).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def add_trust_list(self, version: int, document: str, issued_at: datetime) -> None:
        self._c.execute(insert(id_trust_lists).values(version=version, document=document, issued_at=issued_at))

    def put_wallet(self, entry: WalletEntry) -> None:
        values = _fields(entry)
        key = {"credential_id": values.pop("credential_id")}
        self._upsert(id_wallet, key, values)

    def wallet(self) -> list[WalletEntry]:
        rows = self._c.execute(select(id_wallet).order_by(id_wallet.c.received_at, id_wallet.c.credential_id))
        return [WalletEntry(**dict(row)) for row in rows.mappings()]

    def put_request(self, request: IssuanceRequest) -> None:
        values = _fields(request)
        values["credential_types"] = json.dumps(list(request.credential_types))
        key = {"issuer_pid": values.pop("issuer_pid")}
        self._upsert(id_issuance_requests, key, values)

    def request(self, issuer_pid: str) -> IssuanceRequest | None:
        row = (
            self._c.execute(select(id_issuance_requests).where(id_issuance_requests.c.issuer_pid == issuer_pid))
            .mappings()
            .first()
        )
        if row is None:
            return None
        values = dict(row)
        values["credential_types"] = tuple(json.loads(values["credential_types"]))
        return IssuanceRequest(**values)

    def first_use(self, jti: str, expires_at: int, now: int) -> bool:
        # statements built once: this runs on every DCP-authenticated request
        self._c.execute(_FORGET_EXPIRED, {"now": now})
        statement = _FIRST_USE_PG if self._c.dialect.name == "postgresql" else _FIRST_USE_SQLITE
        # RETURNING, not rowcount: psycopg reports rowcount -1 for INSERT … ON CONFLICT DO NOTHING
        return self._c.execute(statement, {"jti": jti, "expires_at": expires_at}).first() is not None


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


PURGE_SECONDS = 60.0
"""How often a replay store deletes expired ids (per process): not on every request, where it cost a statement."""
REPLAY_SUFFIX = "-replay"
"""The replay store of a SQLite database ``<file>`` is ``<file>-replay`` (like SQLite's own ``-wal``)."""


class _Purge:
    """Runs `purge` at most every `PURGE_SECONDS` (monotonic time), the first time at once."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic, self._next = monotonic, float("-inf")
        self._lock = threading.Lock()

    def due(self) -> bool:
        with self._lock:
            now = self._monotonic()
            if now < self._next:
                return False
            self._next = now + PURGE_SECONDS
            return True


_SETUP_SECONDS = 30.0
"""How long a worker retries setting up a replay store another worker is setting up at the same moment."""


class SqliteReplayStore:
    """Seen SI-token ids in a SQLite file of their own, shared by every worker process of the node.

    One autocommitted ``INSERT … ON CONFLICT`` per token (about 30 µs; no SQLAlchemy, no separate ``BEGIN`` or
    ``DELETE``). A file of its own, not a table of the node's database, because every commit to that database moves
    its change generation (`passbridge.storage.changes`): a write per DSP request would void every cache trusted
    by generation (passport versions, the DSP catalog) and queue behind the node's real writers. One connection per
    process behind a lock: threads of one process queue here instead of meeting at SQLite's busy handler, which
    sleeps whole milliseconds.
    """

    def __init__(self, path: str, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._purge = _Purge(monotonic)

    def _connect(self) -> sqlite3.Connection:
        """A connection to the store, the file set up (WAL, table) if this process is the first.

        Worker processes start together, so two may set up a fresh file at once. Switching to WAL takes an exclusive
        lock for which SQLite does not wait (the busy timeout does not apply: "database is locked" at once), so the
        set-up is retried for up to `_SETUP_SECONDS`; WAL is only switched on when it is not on yet.
        """
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        deadline = time.monotonic() + _SETUP_SECONDS
        while True:
            try:
                if str(connection.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                    connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS seen_tokens (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) "
                    "WITHOUT ROWID"
                )
                connection.execute("CREATE INDEX IF NOT EXISTS seen_tokens_expiry ON seen_tokens (expires_at)")
                return connection
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    connection.close()
                    raise
                time.sleep(0.005)

    def first_use(self, key: str, expires_at: int, now: int) -> bool:
        """Record `key` until `expires_at`; False if it is recorded and not yet expired (a replay).

        An expired record left by a late purge is overwritten, so it counts as unseen, as after a purge.
        """
        with self._lock:
            if self._connection is None:
                self._connection = self._connect()
            if self._purge.due():
                self._connection.execute("DELETE FROM seen_tokens WHERE expires_at < ?", (now,))
            cursor = self._connection.execute(
                "INSERT INTO seen_tokens (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                "SET expires_at = excluded.expires_at WHERE seen_tokens.expires_at < ?",
                (key, expires_at, now),
            )
            return cursor.rowcount == 1

    def close(self) -> None:
        """Close the connection (a later `first_use` opens a new one)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


_FIRST_USE_AFTER_EXPIRY = {
    dialect: statement.on_conflict_do_update(
        index_elements=[id_seen_tokens.c.jti],
        set_={"expires_at": statement.excluded.expires_at},
        where=id_seen_tokens.c.expires_at < bindparam("now"),
    ).returning(id_seen_tokens.c.jti)
    for dialect, statement in (("postgresql", pg_insert(id_seen_tokens)), ("sqlite", sqlite_insert(id_seen_tokens)))
}


class EngineReplayStore:
    """Seen SI-token ids in the ``id_seen_tokens`` table (PostgreSQL, or an in-memory SQLite database): one
    ``INSERT … ON CONFLICT … RETURNING`` in its own short transaction per token; expired rows deleted every
    `PURGE_SECONDS`."""

    def __init__(self, engine: Engine, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self._statement = _FIRST_USE_AFTER_EXPIRY.get(engine.dialect.name, _FIRST_USE_AFTER_EXPIRY["sqlite"])
        self._purge = _Purge(monotonic)

    def first_use(self, key: str, expires_at: int, now: int) -> bool:
        """Record `key` until `expires_at`; False if it is recorded and not yet expired (a replay)."""
        with self._engine.begin() as connection:
            if self._purge.due():
                connection.execute(_FORGET_EXPIRED, {"now": now})
            # RETURNING, not rowcount: psycopg reports rowcount -1 for INSERT … ON CONFLICT
            row = connection.execute(self._statement, {"jti": key, "expires_at": expires_at, "now": now}).first()
        return row is not None


def replay_store(uow: object) -> SqliteReplayStore | EngineReplayStore:
    """The replay store for the database of `uow` (a `SqlAlchemyUnitOfWorkFactory`): a SQLite file beside a SQLite
    database file (`REPLAY_SUFFIX`), else the ``id_seen_tokens`` table of its engine.

    Raises:
        TypeError: `uow` has no SQLAlchemy ``engine``.
    """
    engine = getattr(uow, "engine", None)
    if not isinstance(engine, Engine):
        raise TypeError(f"replay_store needs a unit-of-work factory with an engine, not {type(uow).__name__}")
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:" and not database.startswith("file:"):
        return SqliteReplayStore(database + REPLAY_SUFFIX)
    return EngineReplayStore(engine)


__all__ = [
    "PURGE_SECONDS",
    "REPLAY_SUFFIX",
    "EngineReplayStore",
    "SqlIdentityRepository",
    "SqliteReplayStore",
    "replay_store",
]
