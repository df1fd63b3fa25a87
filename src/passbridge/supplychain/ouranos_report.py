"""What one Ouranos sync did, and the small readers of platform documents the sync steps share.

Layout: `SyncReport` (asked, collected, answered, waiting, left open, notes), `SyncLog` (the report while it is being
written), `obj` / `request_status` (tolerant reads of platform documents), `STANDING` (request statuses that still
stand) and `RECOVERABLE` (errors that leave one request open instead of ending the sync).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from passbridge.errors import Conflict, InvalidInput, NotFound
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.supplychain.trades import TradeStatus

STANDING: Final = frozenset({TradeStatus.NOT_COMPLETED.value, TradeStatus.COMPLETED.value})
"""`cfpResponseStatus` values of a request that still stands (not rejected, not cancelled)."""
RECOVERABLE: Final = (InvalidInput, NotFound, Conflict)
"""Errors that leave one request open (reported) instead of ending the sync."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync did.

    Attributes:
        asked: requests sent to suppliers.
        collected: suppliers' answers recorded in our supply chain.
        answered: requests to us answered (linked, CFP registered or updated, or granted).
        waiting: requests of ours the supplier has not answered yet.
        left_open: requests (to us or of ours) that need a person, and why.
        notes: anything else worth knowing (e.g. the platform lacks ``cfpAcl``).
    """

    asked: tuple[str, ...] = ()
    collected: tuple[str, ...] = ()
    answered: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()
    left_open: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """True if the sync sent, recorded or answered anything."""
        return bool(self.asked or self.collected or self.answered)


@dataclass
class SyncLog:
    """A `SyncReport` being written, one line at a time."""

    asked: list[str] = field(default_factory=list)
    collected: list[str] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    left_open: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def report(self) -> SyncReport:
        """The report, each line once."""

        def once(items: list[str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(items))

        return SyncReport(
            once(self.asked),
            once(self.collected),
            once(self.answered),
            once(self.waiting),
            once(self.left_open),
            once(self.notes),
        )


def obj(value: JsonValue) -> JsonObject:
    """`value` if it is an object, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def request_status(status: JsonValue) -> JsonObject:
    """The `requestStatus` of a `StatusModel` (empty if absent)."""
    return obj(status.get("requestStatus") if isinstance(status, Mapping) else None)


__all__ = ["RECOVERABLE", "STANDING", "SyncLog", "SyncReport", "obj", "request_status"]
