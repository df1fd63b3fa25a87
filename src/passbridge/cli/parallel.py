"""Bulk import on worker processes, in source order; and signing stored versions later (`signing_processes`),
chunks side by side in any order.

`in_worker_processes(jobs)` is a `passport.bulk.BatchRunner` with two ways (see `passport.bulk`):
- an importer that signs: each worker decodes, signs and commits whole batches. `ProcessTurns` (shared counters
  under a condition) lets batch n commit only after batch n - 1. A task is one `Batch` and its answer one small
  `BatchOutcome`: no signed passport crosses a process boundary.
- an importer that does not sign: workers validate and encode (`BulkImporter.stage`) and this process stores the
  portable staged batches, `GROUP` per transaction. Why: at a million passports the commits were the limit, and
  one writer does them for less: its SQLite page cache stays warm (SQLite drops a connection's whole cache when
  another connection commits), and a random-key index page dirtied by several batches is written once. The
  workers run at a lower priority (`WORKER_NICENESS`), so the writer, the busiest, never waits for a core.
  1,000,000 passports, 2 cores, back to back: 12,200 → 13,500 to 13,900/s (`benchmarks/RESULTS.md`).

Each worker gets the (picklable) `BulkImporter` once, at start, and reopens storage from its URL.

A worker runs each batch with Python's cyclic garbage collector paused, and after its first batch moves everything it
has built so far (modules, compiled validators, the engine) out of the collector's sight (`gc.freeze`). Why: a batch
allocates hundreds of thousands of short-lived containers that form no cycles, so the collector's passes found
nothing; the full passes alone walked ~130,000 long-lived objects every few batches. Together they cost ~8 µs a
passport (measured with `gc.callbacks`, 300,000 passports, 2 workers). Garbage is collected between batches.

At most `jobs * window` batches are in flight (`concurrent.futures.Executor.map` would submit the whole input up
front), so streaming a million lines stays flat in memory. Workers are spawned, not forked: the caller may run
threads (progress bars).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Condition
from typing import Any, TypeVar

from passbridge.errors import ImportAborted
from passbridge.passport.backfill import ChunkRunner, SignatureBackfill, VersionKey
from passbridge.passport.bulk import Batch, BatchOutcome, BatchRunner, BulkImporter, StagedBatch

T = TypeVar("T")
R = TypeVar("R")

POLL_SECONDS = 1.0
"""How often a worker waiting for its turn re-checks whether the run was aborted."""


NONE_FAILED = 2**62
"""`failed` while no batch has failed."""


class ProcessTurns:
    """`passport.bulk.Turns` across processes: the number of the next batch to commit and of the first that failed.

    A failure stops only the batches after it: those before it still commit (the run then reports the failure), so
    the checkpoint ends exactly where the failed batch begins.
    """

    def __init__(self, condition: Condition, next_number: Synchronized[int], failed: Synchronized[int]) -> None:
        self._condition, self._next, self._failed = condition, next_number, failed

    def wait(self, number: int) -> None:
        """Block until batch `number` is next.

        Raises:
            ImportAborted: an earlier batch failed.
        """
        with self._condition:
            while self._next.value != number:
                if self._failed.value < number:
                    raise ImportAborted(f"batch {number} not committed: batch {self._failed.value} failed")
                self._condition.wait(POLL_SECONDS)

    def done(self, number: int) -> None:
        """Batch `number` committed."""
        with self._condition:
            self._next.value = number + 1
            self._condition.notify_all()

    def fail(self, number: int) -> None:
        """Batch `number` failed: every later batch stops at its turn."""
        with self._condition:
            self._failed.value = min(self._failed.value, number)
            self._condition.notify_all()


_worker: tuple[BulkImporter, ProcessTurns] | None = None


def _start(
    importer: BulkImporter, condition: Condition, next_number: Synchronized[int], failed: Synchronized[int]
) -> None:
    global _worker
    _worker = (importer, ProcessTurns(condition, next_number, failed))


def _import(batch: Batch) -> BatchOutcome:
    assert _worker is not None, "worker started without _start"
    importer, turns = _worker
    with collector_paused():
        return importer.import_batch(batch, turns)


@contextmanager
def collector_paused(*, freeze: bool = True) -> Iterator[None]:
    """Run a batch without cyclic garbage collection (see the module docstring); with `freeze`, on the first use in
    a process, freeze what exists afterwards, so later full collections skip it."""
    global _frozen
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        if freeze and not _frozen:
            gc.freeze()
            _frozen = True


_frozen = False


def _windowed(
    pool: ProcessPoolExecutor, task: Callable[[T], R], items: Iterable[T], window: int
) -> Iterator[tuple[T, R]]:
    """`task` over `items` in `pool`, (item, result) in order, at most `window` submitted ahead (`Executor.map`
    would submit the whole input up front)."""
    pending: deque[tuple[T, Future[R]]] = deque()
    for item in items:
        pending.append((item, pool.submit(task, item)))
        if len(pending) >= window:
            done, future = pending.popleft()
            yield done, future.result()
    while pending:
        done, future = pending.popleft()
        yield done, future.result()


GROUP = 3
"""Staged batches stored per transaction when workers only stage (1,000,000 passports: 1 → 3 batches of 2,000,
11,584 → 13,611/s; 5 gave 13,543)."""

WORKER_NICENESS = 10
"""How much lower the staging workers' priority is than the writer's (1,000,000 passports: 12,148/s without,
13,404 with)."""


def in_worker_processes(jobs: int, window: int = 2) -> BatchRunner:
    """A runner with `jobs` worker processes and at most `jobs * window` batches in flight (`jobs * window + GROUP`
    when this process stores)."""

    def run(importer: BulkImporter, batches: Iterable[Batch]) -> Iterator[BatchOutcome]:
        context = multiprocessing.get_context("spawn")
        if not importer.signs:
            with ProcessPoolExecutor(
                max_workers=jobs, mp_context=context, initializer=_start_staging, initargs=(importer,)
            ) as pool:
                yield from _store_here(importer, _windowed(pool, _stage, batches, jobs * window + GROUP))
            return
        condition = context.Condition()
        next_number: Any = context.Value("q", 0)
        failed: Any = context.Value("q", NONE_FAILED)
        with ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=context,
            initializer=_start,
            initargs=(importer, condition, next_number, failed),
        ) as pool:
            yield from (outcome for _, outcome in _windowed(pool, _import, batches, jobs * window))

    return run


def _store_here(importer: BulkImporter, staged: Iterable[tuple[Batch, StagedBatch]]) -> Iterator[BatchOutcome]:
    group: list[tuple[Batch, StagedBatch]] = []
    pairs = iter(staged)
    while True:
        try:
            pair = next(pairs)
        except StopIteration:
            break
        except Exception:
            if group:  # a batch failed to stage: the batches before it are stored all the same
                yield from _store(importer, group)
            raise
        group.append(pair)
        if len(group) == GROUP:
            yield from _store(importer, group)
            group = []
    if group:
        yield from _store(importer, group)


def _store(importer: BulkImporter, group: list[tuple[Batch, StagedBatch]]) -> list[BatchOutcome]:
    with collector_paused(freeze=False):  # the caller's process: what it has built stays collectable
        return importer.store(group)


_staging: BulkImporter | None = None


def _start_staging(importer: BulkImporter) -> None:
    global _staging
    _staging = importer
    os.nice(WORKER_NICENESS)


def _stage(batch: Batch) -> StagedBatch:
    assert _staging is not None, "worker started without _start_staging"
    with collector_paused():
        return _staging.stage(batch).portable()


_backfill: SignatureBackfill | None = None


def _start_signing(backfill: SignatureBackfill) -> None:
    global _backfill
    _backfill = backfill


def _sign(keys: Sequence[VersionKey]) -> int:
    assert _backfill is not None, "worker started without _start_signing"
    with collector_paused():
        return _backfill.sign(keys)


def signing_processes(jobs: int, window: int = 2) -> ChunkRunner:
    """A `passport.backfill.ChunkRunner` with `jobs` worker processes, each signing and storing whole chunks."""

    def run(backfill: SignatureBackfill, chunks: Iterable[Sequence[VersionKey]]) -> Iterator[int]:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_start_signing, initargs=(backfill,)
        ) as pool:
            yield from (signed for _, signed in _windowed(pool, _sign, chunks, jobs * window))

    return run


__all__ = [
    "GROUP",
    "NONE_FAILED",
    "POLL_SECONDS",
    "WORKER_NICENESS",
    "ProcessTurns",
    "collector_paused",
    "in_worker_processes",
    "signing_processes",
]
