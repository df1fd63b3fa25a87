"""The SI-token replay guard across worker processes (`StoredReplayGuard` over `passbridge.storage.identity`'s
replay stores): a ``jti`` accepted by one worker is refused by every other, also when both see it at the same
moment; expired ids are forgotten; recording an id leaves the node database's change generation alone."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from passbridge.identity.services import StoredReplayGuard
from passbridge.storage.changes import change_watch
from passbridge.storage.engine import make_engine
from passbridge.storage.identity import (
    PURGE_SECONDS,
    REPLAY_SUFFIX,
    EngineReplayStore,
    SqliteReplayStore,
    replay_store,
)
from passbridge.storage.migrate import upgrade
from passbridge.storage.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.conftest import FixedClock

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
EXPIRES = NOW.timestamp() + 300


def _guard(store: SqliteReplayStore | EngineReplayStore, clock: FixedClock) -> StoredReplayGuard:
    return StoredReplayGuard(None, clock, store=store)  # type: ignore[arg-type]  # the store replaces the UoW


def _claim(path: str, keys: list[str]) -> list[str]:
    """One "worker": a guard of its own over the store at `path`; the keys it accepted."""
    guard = _guard(SqliteReplayStore(path), FixedClock(NOW))
    return [key for key in keys if guard.first_use(key, EXPIRES)]


def _claim_in_process(path: str, keys: list[str], results: multiprocessing.Queue[list[str]]) -> None:
    results.put(_claim(path, keys))


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(tmp_path / f"node.db{REPLAY_SUFFIX}")


def test_a_token_accepted_by_one_worker_is_refused_by_another(path: str) -> None:
    clock = FixedClock(NOW)
    first, second = _guard(SqliteReplayStore(path), clock), _guard(SqliteReplayStore(path), clock)
    assert first.first_use("jti-1", EXPIRES)
    assert not second.first_use("jti-1", EXPIRES)
    assert not first.first_use("jti-1", EXPIRES)
    assert second.first_use("jti-2", EXPIRES)
    assert not first.first_use("jti-2", EXPIRES)


def test_two_worker_processes_racing_accept_each_token_exactly_once(path: str) -> None:
    keys = [f"jti-{n}" for n in range(300)]
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[list[str]] = context.Queue()
    workers = [context.Process(target=_claim_in_process, args=(path, keys, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    accepted = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert sorted(accepted[0] + accepted[1]) == sorted(keys)  # every token once: no replay got through anywhere


def test_threads_of_one_worker_racing_accept_each_token_exactly_once(path: str) -> None:
    keys = [f"jti-{n}" for n in range(200)]
    store = SqliteReplayStore(path)
    guard = _guard(store, FixedClock(NOW))
    with ThreadPoolExecutor(max_workers=6) as pool:
        accepted = list(pool.map(lambda _: [k for k in keys if guard.first_use(k, EXPIRES)], range(6)))
    assert sorted(key for batch in accepted for key in batch) == sorted(keys)


def test_an_expired_id_is_forgotten_and_purged(path: str) -> None:
    ticks = [0.0]
    clock = FixedClock(NOW)
    store = SqliteReplayStore(path, monotonic=lambda: ticks[0])
    guard = _guard(store, clock)
    assert guard.first_use("old", NOW.timestamp() + 10)
    clock.current = datetime.fromtimestamp(NOW.timestamp() + 60, UTC)
    assert guard.first_use("old", clock.current.timestamp() + 10)  # expired: may be recorded again
    assert guard.first_use("other", clock.current.timestamp() + 10)
    clock.current = datetime.fromtimestamp(clock.current.timestamp() + 60, UTC)
    ticks[0] += PURGE_SECONDS
    assert guard.first_use("new", clock.current.timestamp() + 10)  # the purge runs first
    with sqlite3.connect(path) as connection:
        assert [row[0] for row in connection.execute("SELECT key FROM seen_tokens")] == ["new"]


def test_replay_store_sits_beside_a_sqlite_database_and_leaves_its_generation_alone(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'node.db'}")
    upgrade(engine)
    store = replay_store(SqlAlchemyUnitOfWorkFactory(engine))
    assert isinstance(store, SqliteReplayStore) and store.path == str(tmp_path / "node.db") + REPLAY_SUFFIX
    watch = change_watch(engine)
    before = watch.generation()
    assert store.first_use("jti", int(EXPIRES), int(NOW.timestamp()))
    assert watch.generation() == before  # caches trusted by generation stay valid
    engine.dispose()


def test_replay_store_needs_an_engine() -> None:
    with pytest.raises(TypeError, match="engine"):
        replay_store(object())


@pytest.fixture
def engine_stores(database_url: str) -> Iterator[Callable[[], EngineReplayStore]]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield lambda: EngineReplayStore(engine)
    engine.dispose()


def test_two_workers_on_the_database_table_refuse_each_others_tokens(
    engine_stores: Callable[[], EngineReplayStore],
) -> None:
    clock = FixedClock(NOW)
    first, second = _guard(engine_stores(), clock), _guard(engine_stores(), clock)
    assert first.first_use("jti-1", EXPIRES)
    assert not second.first_use("jti-1", EXPIRES)
    assert second.first_use("jti-2", EXPIRES)
    assert not first.first_use("jti-2", EXPIRES)
    clock.current = datetime.fromtimestamp(EXPIRES + 60, UTC)
    assert first.first_use("jti-1", EXPIRES + 120)  # expired: recorded afresh


def test_the_database_table_is_used_when_the_database_is_not_a_sqlite_file(database_url: str) -> None:
    engine = make_engine(database_url)
    store = replay_store(SqlAlchemyUnitOfWorkFactory(engine))
    assert isinstance(store, SqliteReplayStore if database_url.startswith("sqlite") else EngineReplayStore)
    engine.dispose()
