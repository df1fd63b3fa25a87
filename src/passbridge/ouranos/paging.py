"""`limit` / `after` pagination of list routes: a `Page` and the record id its ``Link: rel="next"`` names."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

from passbridge.jsontypes import JsonValue
from passbridge.ouranos.model import Record


@dataclass(frozen=True, slots=True)
class Page:
    """One page of documents; `after` is the id to ask for the next page with, None on the last page."""

    items: Sequence[JsonValue]
    after: str | None = None


def page(records: Iterable[Record], size: int, render: Callable[[Record], JsonValue], after: str | None) -> Page:
    """Records in `record_id` order after `after`, at most `size`, rendered; `Page.after` set when more follow."""
    ordered = sorted((r for r in records if after is None or r.record_id > after), key=lambda r: r.record_id)
    taken = list(islice(ordered, size + 1))
    more = len(taken) > size
    return Page([render(r) for r in taken[:size]], taken[size - 1].record_id if more else None)


__all__ = ["Page", "page"]
