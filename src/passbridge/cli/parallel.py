"""A process-pool `map` that keeps only a few tasks in flight, so streaming a million lines stays flat in memory.

(`concurrent.futures.Executor.map` submits the whole input up front.)
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

A = TypeVar("A")
R = TypeVar("R")


def bounded_process_map(fn: Callable[[A], R], items: Iterable[A], *, jobs: int, window: int = 2) -> Iterator[R]:
    """`map(fn, items)` on `jobs` worker processes, in order, with at most `jobs * window` items in flight."""
    context = multiprocessing.get_context("spawn")  # no fork: the caller may run threads (progress bars)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= jobs * window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


__all__ = ["bounded_process_map"]
