"""``dataTarget=notification`` (our documented extension): the traceability API's notifications about trades.

`REQUEST_NEW` and `REQUEST_CANCELED` go to the upstream, `REQUEST_REJECTED`, `CFP_RESPONSED` (the request became
answered) and `CFP_UPDATED` (the upstream re-registered an answered CFP) to the downstream (ouranos.md §4). Each is
``{notificationId, notificationType, notifiedAt, tradeRelation: {tradeId, requestId, downstreamOperatorId,
upstreamOperatorId, downstreamTraceId, upstreamTraceId}}``, stored as a `Kind.NOTIFICATION` record of its recipient
in the transaction of the change; listeners hear of it only once that transaction has committed.
"""

from __future__ import annotations

import copy
import enum
import logging
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Final, TypeAlias

from passbridge.clock import Clock
from passbridge.jsontypes import JsonValue
from passbridge.ouranos import fields as f
from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.model import Kind, Record
from passbridge.ouranos.paging import Page, page
from passbridge.ouranos.ports import OuranosRepository, UnitOfWorkFactory

logger = logging.getLogger(__name__)

Notification: TypeAlias = dict[str, JsonValue]
"""A notification document."""
Listener: TypeAlias = Callable[[Notification], None]
"""Called with each new notification (a copy of its own) after the transaction that wrote it has committed."""


class NotificationType(enum.Enum):
    """The traceability API's `notificationType`s this platform sends."""

    REQUEST_NEW = "REQUEST_NEW"
    """A downstream asked the recipient (the upstream) for a CFP."""
    REQUEST_CANCELED = "REQUEST_CANCELED"
    """The downstream withdrew its request (to the upstream)."""
    REQUEST_REJECTED = "REQUEST_REJECTED"
    """The upstream declined the request (to the downstream)."""
    CFP_RESPONSED = "CFP_RESPONSED"
    """The request became answered: the upstream linked a part with a CFP or registered it (to the downstream)."""
    CFP_UPDATED = "CFP_UPDATED"
    """The upstream re-registered the CFP of an answered request (to the downstream)."""


_TO_UPSTREAM: Final = frozenset({NotificationType.REQUEST_NEW, NotificationType.REQUEST_CANCELED})
_SEQUENCE_BITS: Final = 12


class NotificationService:
    """Writes notifications inside the services' transactions, lists them, tells listeners after commit."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._last = (0, 0)

    def _next_id(self) -> str:
        """A UUIDv7-shaped id ordered by time, then by a sequence within one millisecond (the clock may stand still).

        Oldest first is `record_id` order, which is how every list of the platform pages.
        """
        with self._lock:
            millis = max(int(self._clock.now().timestamp() * 1000), self._last[0])
            sequence = self._last[1] + 1 if millis == self._last[0] else 0
            if sequence >= 1 << _SEQUENCE_BITS:
                millis, sequence = millis + 1, 0
            self._last = (millis, sequence)
        tail = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
        value = (millis << 80) | (0x7 << 76) | (sequence << 64) | (0b10 << 62) | tail
        return str(uuid.UUID(int=value))

    def write(self, repo: OuranosRepository, kind: NotificationType, trade: Record) -> Notification:
        """Store a `kind` notification about `trade` for the party it goes to, in the caller's transaction.

        Pass what it returns to `publish` once that transaction has committed.
        """
        doc = f.obj(trade.doc, "$")
        model, status = f.obj(doc["tradeModel"], "$"), f.obj(doc["statusModel"], "$")
        note: Notification = {
            "notificationId": self._next_id(),
            "notificationType": kind.value,
            "notifiedAt": self._clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tradeRelation": {
                "tradeId": trade.record_id,
                "requestId": status["statusId"],
                "downstreamOperatorId": model["downstreamOperatorId"],
                "upstreamOperatorId": model["upstreamOperatorId"],
                "downstreamTraceId": model["downstreamTraceId"],
                "upstreamTraceId": model.get("upstreamTraceId"),
            },
        }
        recipient = trade.ref if kind in _TO_UPSTREAM else trade.operator_id
        assert recipient is not None  # a trade's `ref` is its upstream operator
        repo.put(Record(Kind.NOTIFICATION, str(note["notificationId"]), recipient, note, ref=trade.record_id))
        return note

    def publish(self, notes: Sequence[Notification]) -> None:
        """Tell every listener of each committed notification; a listener that raises is logged and skipped."""
        for note in notes:
            for listener in list(self._listeners):
                try:
                    listener(copy.deepcopy(note))
                except Exception:
                    logger.exception(
                        "notification listener %r failed on %s %s",
                        listener,
                        note["notificationType"],
                        note["notificationId"],
                    )

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` with each new notification after its transaction commits (in the writing thread)."""
        self._listeners.append(listener)

    def list(self, caller: Caller, after: str | None = None, limit: int = f.MAX_LIMIT) -> Page:
        """``GET notification``: the caller's notifications, oldest first, at most `limit` after `after`."""
        with self._uow(write=False) as uow:
            records = uow.ouranos.find(Kind.NOTIFICATION, operator_id=caller.operator_id, after=after, limit=limit + 1)
        return page(records, limit, lambda r: r.doc, after)


__all__ = ["Listener", "Notification", "NotificationService", "NotificationType"]
