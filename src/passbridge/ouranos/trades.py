"""``dataTarget=tradeRequest|tradeResponse|status``: CFP requests between a downstream and an upstream operator.

The status machine is the supply-chain core's (`supplychain.trades.TRANSITIONS`): a request starts NOT_COMPLETED,
the upstream links its product, answers by registering its CFP (→ COMPLETED, derived on read), or rejects; the
downstream may cancel while it is open. Counts cover the whole upstream tree, identities never leave it (openapi #11).
Each change writes its notification (`REQUEST_NEW`, `REQUEST_CANCELED`, `REQUEST_REJECTED`, `CFP_RESPONSED` when a
linked part already has a CFP) in its own transaction; listeners hear of it after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from passbridge.clock import Clock
from passbridge.errors import Forbidden, IllegalTradeTransition, InvalidInput, NotFound
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.ouranos import fields as f
from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.model import Kind, Record
from passbridge.ouranos.notifications import NotificationService, NotificationType
from passbridge.ouranos.paging import Page, page
from passbridge.ouranos.parts import owned_part, upstream_view
from passbridge.ouranos.ports import OuranosRepository, UnitOfWorkFactory
from passbridge.supplychain.trades import TRANSITIONS, TradeAction, TradeStatus

_STATUS_TARGETS = ("REQUEST", "RESPONSE")


def _act(trade: Record, stored: TradeStatus, action: TradeAction) -> TradeStatus:
    allowed = TRANSITIONS[stored]
    if action not in allowed:
        raise IllegalTradeTransition(trade.record_id, stored.value, action.value, [a.value for a in allowed])
    return allowed[action]


def stored_status(trade: Record) -> TradeStatus:
    """The status as stored (COMPLETED is derived on read: `status_of`)."""
    status = f.obj(f.obj(trade.doc, "$")["statusModel"], "$")
    return TradeStatus(f.obj(status["requestStatus"], "$")["cfpResponseStatus"])


_stored = stored_status


def _answered(repo: OuranosRepository, trade: Record) -> bool:
    upstream_trace = f.obj(f.obj(trade.doc, "$")["tradeModel"], "$").get("upstreamTraceId")
    return isinstance(upstream_trace, str) and bool(repo.find(Kind.CFP, ref=upstream_trace, limit=1))


def status_of(repo: OuranosRepository, trade: Record) -> TradeStatus:
    """The request's `cfpResponseStatus`: COMPLETED once the linked upstream part has a CFP."""
    stored = _stored(trade)
    if stored is TradeStatus.NOT_COMPLETED and _answered(repo, trade):
        return TradeStatus.COMPLETED
    return stored


def _counts(repo: OuranosRepository, trade: Record, depth: int = 0) -> tuple[int, int]:
    """(tradesCount, completedCount) of `trade` and every trade below its upstream part."""
    trades, completed = 1, int(status_of(repo, trade) is TradeStatus.COMPLETED)
    upstream_trace = f.obj(f.obj(trade.doc, "$")["tradeModel"], "$").get("upstreamTraceId")
    if not isinstance(upstream_trace, str) or depth > 50:
        return trades, completed
    children = {child.record_id for child in repo.find(Kind.PARTS, ref=upstream_trace)}
    for below in repo.find(Kind.TRADE, operator_id=trade.ref):
        model = f.obj(f.obj(below.doc, "$")["tradeModel"], "$")
        if model.get("downstreamTraceId") in children and _stored(below) is not TradeStatus.CANCEL:
            more, done = _counts(repo, below, depth + 1)
            trades, completed = trades + more, completed + done
    return trades, completed


def status_model(repo: OuranosRepository, trade: Record) -> JsonObject:
    """`traceability.StatusModel` of a trade, counts computed now."""
    status = f.obj(f.obj(trade.doc, "$")["statusModel"], "$")
    request = f.obj(status["requestStatus"], "$")
    trades, completed = _counts(repo, trade)
    tree = "TERMINATED" if trades == completed else "UNTERMINATED"
    return {
        **status,
        "requestStatus": {
            **request,
            "cfpResponseStatus": status_of(repo, trade).value,
            "tradeTreeStatus": tree,
            "completedCount": completed,
            "tradesCount": trades,
        },
    }


def trade_model(trade: Record) -> JsonValue:
    """`traceability.TradeModel` of a trade."""
    return f.obj(trade.doc, "$")["tradeModel"]


class TradeService:
    """Trade requests, responses and their status."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, notifications: NotificationService) -> None:
        self._uow, self._clock, self._notes = uow, clock, notifications

    def _now(self) -> str:
        return self._clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def request(self, caller: Caller, doc: JsonValue) -> JsonObject:
        """``PUT tradeRequest``: ask `upstreamOperatorId` for the CFP of the caller's child part.

        Raises:
            InvalidInput: bad fields. Forbidden: `downstreamOperatorId` is not the caller. NotFound: unknown ids.
        """
        body = f.obj(doc, "$")
        trade_in, status_in = (
            f.obj(body.get("tradeModel"), "$.tradeModel"),
            f.obj(body.get("statusModel"), "$.statusModel"),
        )
        caller.owns(trade_in.get("downstreamOperatorId"), "$.tradeModel.downstreamOperatorId")
        f.choice(status_in, "requestType", "$.statusModel", ("CFP",))
        due = f.text(status_in, "responseDueDate", "$.statusModel", high=10, nullable=True)
        if due is not None:
            try:
                date.fromisoformat(due)
            except ValueError:
                raise InvalidInput.at("$.statusModel.responseDueDate", "must be a date (YYYY-MM-DD)", f.RULE) from None
        upstream = f.a_uuid(trade_in.get("upstreamOperatorId"), "$.tradeModel.upstreamOperatorId")
        trace_id = f.a_uuid(trade_in.get("downstreamTraceId"), "$.tradeModel.downstreamTraceId")
        if upstream == caller.operator_id:
            raise InvalidInput.at("$.tradeModel.upstreamOperatorId", "must be another operator", f.RULE)
        with self._uow() as uow:
            repo = uow.ouranos
            owned_part(repo, caller, trace_id)
            if repo.get(Kind.OPERATOR, upstream) is None:
                raise NotFound(f"no operator {upstream}")
            trade_id, now = str(uuid.uuid4()), self._now()
            trade: JsonObject = {
                "tradeId": trade_id,
                "downstreamOperatorId": caller.operator_id,
                "upstreamOperatorId": upstream,
                "downstreamTraceId": trace_id,
                "upstreamTraceId": None,
            }
            status: JsonObject = {
                "statusId": str(uuid.uuid4()),
                "tradeId": trade_id,
                "requestStatus": {
                    "cfpResponseStatus": TradeStatus.NOT_COMPLETED.value,
                    "tradeTreeStatus": "UNTERMINATED",
                    "completedCount": 0,
                    "completedCountModifiedAt": now,
                    "tradesCount": 1,
                    "tradesCountModifiedAt": now,
                },
                "message": f.text(status_in, "message", "$.statusModel", high=1000, nullable=True),
                "replyMessage": None,
                "requestType": "CFP",
                "responseDueDate": due,
            }
            record = Record(
                Kind.TRADE, trade_id, caller.operator_id, {"tradeModel": trade, "statusModel": status}, upstream
            )
            repo.put(record)
            note = self._notes.write(repo, NotificationType.REQUEST_NEW, record)
            uow.commit()
            sent: JsonObject = {"tradeModel": trade, "statusModel": status_model(repo, record)}
        self._notes.publish([note])
        return sent

    def requests(self, caller: Caller, trace_ids: Sequence[str], size: int, after: str | None) -> Page:
        """``GET tradeRequest``: the caller's requests (`traceability.TradeModel`), by child `traceIds` if given."""
        with self._uow(write=False) as uow:
            records = uow.ouranos.find(Kind.TRADE, operator_id=caller.operator_id)
        chosen = [r for r in records if not trace_ids or f.obj(trade_model(r), "$")["downstreamTraceId"] in trace_ids]
        return page(chosen, size, trade_model, after)

    def received(self, caller: Caller, size: int, after: str | None) -> Page:
        """``GET tradeResponse``: requests to the caller with the downstream part, its quantity hidden."""
        with self._uow(write=False) as uow:
            repo = uow.ouranos

            def render(trade: Record) -> JsonValue:
                part = repo.get(Kind.PARTS, str(f.obj(trade_model(trade), "$")["downstreamTraceId"]))
                parts_model = upstream_view(part.doc) if part is not None else None
                return {
                    "statusModel": status_model(repo, trade),
                    "tradeModel": trade_model(trade),
                    "partsModel": parts_model,
                }

            return page(repo.find(Kind.TRADE, ref=caller.operator_id), size, render, after)

    def respond(self, caller: Caller, trade_id: str, trace_id: str) -> JsonValue:
        """``PUT tradeResponse``: the upstream links its own part `trace_id` to the request.

        Raises:
            NotFound: unknown trade or part. Forbidden: the caller is not the upstream. IllegalTradeTransition.
        """
        with self._uow() as uow:
            repo = uow.ouranos
            trade = self._trade(repo, trade_id)
            if trade.ref != caller.operator_id:
                raise Forbidden(f"trade {trade_id} is not addressed to the caller")
            owned_part(repo, caller, trace_id)
            _act(trade, status_of(repo, trade), TradeAction.LINK)
            doc = f.obj(trade.doc, "$")
            linked = {**f.obj(doc["tradeModel"], "$"), "upstreamTraceId": trace_id}
            record = Record(Kind.TRADE, trade_id, trade.operator_id, {**doc, "tradeModel": linked}, trade.ref)
            repo.put(record)
            answered = status_of(repo, record) is TradeStatus.COMPLETED  # the linked part has a CFP already
            notes = [self._notes.write(repo, NotificationType.CFP_RESPONSED, record)] if answered else []
            uow.commit()
        self._notes.publish(notes)
        return linked

    def statuses(
        self,
        caller: Caller,
        *,
        target: str | None,
        trace_id: str | None,
        status_id: str | None,
        size: int,
        after: str | None,
    ) -> Page:
        """``GET status``: requests sent (REQUEST), received (RESPONSE) or both, as `traceability.StatusModel`."""
        if target is not None and target not in _STATUS_TARGETS:
            raise InvalidInput.at("statusTarget", "must be REQUEST or RESPONSE", f.RULE)
        with self._uow(write=False) as uow:
            repo = uow.ouranos
            sent = repo.find(Kind.TRADE, operator_id=caller.operator_id) if target != "RESPONSE" else []
            got = repo.find(Kind.TRADE, ref=caller.operator_id) if target != "REQUEST" else []

            def keep(trade: Record) -> bool:
                model, status = f.obj(trade_model(trade), "$"), f.obj(trade.doc, "$")["statusModel"]
                return (trace_id is None or trace_id in (model["downstreamTraceId"], model["upstreamTraceId"])) and (
                    status_id is None or f.obj(status, "$")["statusId"] == status_id
                )

            return page(filter(keep, [*sent, *got]), size, lambda t: status_model(repo, t), after)

    def set_status(self, caller: Caller, doc: JsonValue) -> None:
        """``PUT status``: the downstream cancels (CANCEL) or the upstream rejects (REJECT, with `replyMessage`).

        Raises:
            InvalidInput, NotFound, Forbidden (not a party in that role), IllegalTradeTransition.
        """
        body = f.obj(doc, "$")
        trade_id = f.a_uuid(body.get("tradeId"), "$.tradeId")
        request = f.obj(body.get("requestStatus"), "$.requestStatus")
        wanted = f.choice(request, "cfpResponseStatus", "$.requestStatus", ("CANCEL", "REJECT"))
        with self._uow() as uow:
            repo = uow.ouranos
            trade = self._trade(repo, trade_id)
            party = trade.operator_id if wanted == "CANCEL" else trade.ref
            if party != caller.operator_id:
                raise Forbidden(f"only the {'downstream' if wanted == 'CANCEL' else 'upstream'} may set {wanted}")
            action = TradeAction.CANCEL if wanted == "CANCEL" else TradeAction.REJECT
            new = _act(trade, status_of(repo, trade), action)
            stored = f.obj(trade.doc, "$")
            status = f.obj(stored["statusModel"], "$")
            reply = (
                f.text(body, "replyMessage", "$", high=1000, nullable=True)
                if wanted == "REJECT"
                else status["replyMessage"]
            )
            changed = {
                **status,
                "replyMessage": reply,
                "requestStatus": {**f.obj(status["requestStatus"], "$"), "cfpResponseStatus": new.value},
            }
            record = Record(Kind.TRADE, trade_id, trade.operator_id, {**stored, "statusModel": changed}, trade.ref)
            repo.put(record)
            kind = NotificationType.REQUEST_CANCELED if wanted == "CANCEL" else NotificationType.REQUEST_REJECTED
            note = self._notes.write(repo, kind, record)
            uow.commit()
        self._notes.publish([note])

    @staticmethod
    def _trade(repo: OuranosRepository, trade_id: str) -> Record:
        trade = repo.get(Kind.TRADE, trade_id)
        if trade is None:
            raise NotFound(f"no trade {trade_id}")
        return trade


__all__ = [
    "TradeService",
    "status_model",
    "status_of",
    "stored_status",
    "trade_model",
]
