"""Trades: the link from a buyer's purchased child part to a supplier's product, with the Ouranos request status.

Layout: `TradeStatus` (Ouranos `cfpResponseStatus`), `TradeAction`, `TRANSITIONS` (status · action → status),
`Trade`, and one function per action: `link`, `answer`, `revise`, `reject`, `cancel`.

The machine (ouranos.md §3.1, §4, §6): a request starts NOT_COMPLETED; the supplier links its product
(`PUT tradeResponse`), answers (→ COMPLETED) or rejects (→ REJECT, with a `replyMessage`); the buyer may cancel
while it is open (→ CANCEL). A completed trade may be revised by the supplier (Ouranos `CFP_UPDATED`); answering
it again is refused, as is any action on a rejected or cancelled request: a new request is a new trade.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Final

from passbridge.errors import IllegalTradeTransition, InvalidInput
from passbridge.supplychain._checks import uuid_field
from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.model import Operator


class TradeStatus(enum.Enum):
    """Ouranos `requestStatus.cfpResponseStatus`."""

    NOT_COMPLETED = "NOT_COMPLETED"
    COMPLETED = "COMPLETED"
    REJECT = "REJECT"
    CANCEL = "CANCEL"


class TradeAction(enum.Enum):
    """What a party does to a trade."""

    LINK = "link"
    """The supplier names its product (`upstreamTraceId`)."""
    ANSWER = "answer"
    """The supplier answers for the first time."""
    REVISE = "revise"
    """The supplier replaces its answer (Ouranos `CFP_UPDATED`)."""
    REJECT = "reject"
    """The supplier declines the request."""
    CANCEL = "cancel"
    """The buyer withdraws the request."""


_S, _A = TradeStatus, TradeAction

TRANSITIONS: Final[Mapping[TradeStatus, Mapping[TradeAction, TradeStatus]]] = {
    _S.NOT_COMPLETED: {_A.LINK: _S.NOT_COMPLETED, _A.ANSWER: _S.COMPLETED, _A.REJECT: _S.REJECT, _A.CANCEL: _S.CANCEL},
    _S.COMPLETED: {_A.REVISE: _S.COMPLETED},
    _S.REJECT: {},
    _S.CANCEL: {},
}
"""Allowed actions in each status and the status they lead to; anything else raises `IllegalTradeTransition`."""

ACTIVE_STATUSES: Final = frozenset({_S.NOT_COMPLETED, _S.COMPLETED})
"""Statuses of a trade that still stands for its child part (counted in `tradesCount`)."""


@dataclass(frozen=True, slots=True)
class Trade:
    """A buyer's request to a supplier about one purchased child part (Ouranos TradeModel + StatusModel).

    Attributes:
        trade_id: `tradeId`.
        downstream_operator: the buyer.
        downstream_trace_id: `downstreamTraceId`, the child part in the buyer's bill of materials.
        upstream_operator: the supplier.
        status: `cfpResponseStatus`.
        upstream_trace_id: `upstreamTraceId`, the supplier's product, once the supplier has linked it.
        answer: the supplier's current answer; present exactly when the status is COMPLETED.
        reply_message: `replyMessage` of a rejection.
    """

    trade_id: uuid.UUID
    downstream_operator: Operator
    downstream_trace_id: uuid.UUID
    upstream_operator: Operator
    status: TradeStatus = TradeStatus.NOT_COMPLETED
    upstream_trace_id: uuid.UUID | None = None
    answer: SupplierAnswer | None = None
    reply_message: str = ""

    def __post_init__(self) -> None:
        uuid_field(self.trade_id, "tradeId")
        uuid_field(self.downstream_trace_id, "downstreamTraceId")
        if self.upstream_trace_id is not None:
            uuid_field(self.upstream_trace_id, "upstreamTraceId")
        if self.downstream_operator == self.upstream_operator:
            raise InvalidInput.at("upstreamOperatorId", f"trade {self.trade_id}: an operator cannot trade with itself")
        if not isinstance(self.status, TradeStatus):
            raise InvalidInput.at("cfpResponseStatus", f"unknown status {self.status!r}", "Ouranos StatusModel")
        if (self.status is TradeStatus.COMPLETED) != (self.answer is not None):
            raise InvalidInput.at("answer", f"trade {self.trade_id}: a trade has an answer exactly when COMPLETED")
        if self.answer is not None and self.answer.trace_id != self.upstream_trace_id:
            raise InvalidInput.at(
                "traceId",
                f"trade {self.trade_id}: the answer is for {self.answer.trace_id}, "
                f"the trade links {self.upstream_trace_id}",
            )

    @property
    def active(self) -> bool:
        """True unless rejected or cancelled."""
        return self.status in ACTIVE_STATUSES


def _next(trade: Trade, action: TradeAction) -> TradeStatus:
    allowed = TRANSITIONS[trade.status]
    if action not in allowed:
        raise IllegalTradeTransition(str(trade.trade_id), trade.status.value, action.value, [a.value for a in allowed])
    return allowed[action]


def link(trade: Trade, upstream_trace_id: uuid.UUID) -> Trade:
    """The supplier names the product that answers this request.

    Raises:
        IllegalTradeTransition: if the request is no longer open.
        InvalidInput: if it is already linked to another product.
    """
    status = _next(trade, TradeAction.LINK)
    if trade.upstream_trace_id not in (None, upstream_trace_id):
        raise InvalidInput.at(
            "upstreamTraceId", f"trade {trade.trade_id} is already linked to {trade.upstream_trace_id}"
        )
    return replace(trade, status=status, upstream_trace_id=upstream_trace_id)


def answer(trade: Trade, supplier_answer: SupplierAnswer) -> Trade:
    """The supplier answers; links the answered product if not linked yet.

    Raises:
        IllegalTradeTransition: if already answered, rejected or cancelled.
        InvalidInput: if the answer is for another product than the linked one.
    """
    status = _next(trade, TradeAction.ANSWER)
    linked = link(trade, supplier_answer.trace_id) if trade.upstream_trace_id is None else trade
    return replace(linked, status=status, answer=supplier_answer)


def revise(trade: Trade, supplier_answer: SupplierAnswer) -> Trade:
    """The supplier replaces its answer (same product, new `answer_id`).

    Raises:
        IllegalTradeTransition: unless the trade is COMPLETED.
        InvalidInput: if the answer is for another product or reuses the current answer's id.
    """
    status = _next(trade, TradeAction.REVISE)
    if trade.answer is not None and supplier_answer.answer_id == trade.answer.answer_id:
        raise InvalidInput.at("answerId", f"trade {trade.trade_id}: a revision needs a new answerId")
    return replace(trade, status=status, answer=supplier_answer)


def reject(trade: Trade, reply_message: str = "") -> Trade:
    """The supplier declines the request.

    Raises:
        IllegalTradeTransition: unless the request is open.
    """
    return replace(trade, status=_next(trade, TradeAction.REJECT), reply_message=reply_message)


def cancel(trade: Trade) -> Trade:
    """The buyer withdraws the request.

    Raises:
        IllegalTradeTransition: unless the request is open.
    """
    return replace(trade, status=_next(trade, TradeAction.CANCEL))


__all__ = [
    "ACTIVE_STATUSES",
    "TRANSITIONS",
    "Trade",
    "TradeAction",
    "TradeStatus",
    "answer",
    "cancel",
    "link",
    "reject",
    "revise",
]
