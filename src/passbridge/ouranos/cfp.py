"""``dataTarget=cfp|cfpCertification``: CFP per declared unit of a part, as 4 `traceability.CfpModel` records.

A registration is exactly `preProduction`, `mainProduction` (own) and `preComponent`, `mainComponent` (from
purchased parts) with one `cfpId`, `traceId` and unit (openapi #15). A downstream reading its child part gets the
upstream's answer as `preProductionResponse` / `mainProductionResponse`: the upstream's **total** per declared unit
for that stage (own + component), its DQR the emission-weighted mean of both (ouranos.md §7), never a partial
figure; only while the request stands (not rejected or cancelled), and only what the upstream released to that
downstream (`acl`): the records need ``TOTALCFP``; without ``TOTALDQR`` their `dqrValue`s are null.

Registering a CFP answers the open requests linked to the part (`CFP_RESPONSED`, or `CFP_UPDATED` for answered
ones); a part linked only to cancelled or rejected requests takes no answer (a new request is a new trade).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

from passbridge.errors import IllegalTradeTransition, InvalidInput, NotFound
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.ouranos import fields as f
from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.acl import TOTALCFP, TOTALDQR, released_groups
from passbridge.ouranos.model import Kind, Record
from passbridge.ouranos.notifications import Notification, NotificationService, NotificationType
from passbridge.ouranos.parts import owned_part
from passbridge.ouranos.ports import OuranosRepository, UnitOfWorkFactory
from passbridge.ouranos.trades import status_of, stored_status, trade_model
from passbridge.supplychain.quantities import ouranos_round
from passbridge.supplychain.trades import ACTIVE_STATUSES, TradeAction, TradeStatus

STAGES: Final[Mapping[str, str]] = {
    "preProduction": "preProcessing",
    "mainProduction": "mainProcessing",
    "preComponent": "preProcessing",
    "mainComponent": "mainProcessing",
}
"""The 4 `cfpType`s of a registration and the `dqrType` each must carry."""
DECLARED_UNITS: Final = tuple(f"kgCO2e/{unit}" for unit in f.UNITS)
_DQR = ("TeR", "GeR", "TiR")


def _record(doc: JsonValue, path: str) -> dict[str, JsonValue]:
    body = f.obj(doc, path)
    cfp_type = f.choice(body, "cfpType", path, tuple(STAGES))
    assert cfp_type is not None
    if body.get("dqrType") != STAGES[cfp_type]:
        raise InvalidInput.at(f"{path}.dqrType", f"must be {STAGES[cfp_type]} for {cfp_type}", f.RULE)
    dqr = f.obj(body.get("dqrValue"), f"{path}.dqrValue")
    return {
        "cfpId": f.optional_uuid(body, "cfpId", path),
        "traceId": f.a_uuid(body.get("traceId"), f"{path}.traceId"),
        "ghgEmission": f.number(body, "ghgEmission", path, nullable=False),
        "ghgDeclaredUnit": f.choice(body, "ghgDeclaredUnit", path, DECLARED_UNITS),
        "cfpType": cfp_type,
        "dqrType": STAGES[cfp_type],
        "dqrValue": {name: f.number(dqr, name, f"{path}.dqrValue") for name in _DQR},
    }


def _weighted(records: Sequence[JsonObject]) -> JsonObject:
    """Emission-weighted DQR of the records of one stage (the first record's DQR when all emit 0)."""
    weights = [Decimal(str(r["ghgEmission"])) for r in records]
    total = sum(weights, Decimal(0))
    out: dict[str, JsonValue] = {}
    for name in _DQR:
        values = [f.obj(r["dqrValue"], "$").get(name) for r in records]
        if total == 0 or any(v is None for v in values):
            out[name] = values[0]
            continue
        mean = sum((Decimal(str(v)) * w for v, w in zip(values, weights, strict=True)), Decimal(0)) / total
        out[name] = f.shown(ouranos_round(mean, f"dqrValue.{name}"))
    return out


def answer(upstream: Sequence[JsonObject], trace_id: str) -> list[JsonValue]:
    """The two `*Response` records for the downstream part `trace_id` from the upstream's 4 records."""
    by_type = {str(r["cfpType"]): r for r in upstream}
    out: list[JsonValue] = []
    for stage, dqr_type in (("pre", "preProcessing"), ("main", "mainProcessing")):
        own, bought = by_type[f"{stage}Production"], by_type[f"{stage}Component"]
        total = Decimal(str(own["ghgEmission"])) + Decimal(str(bought["ghgEmission"]))
        out.append(
            {
                "cfpId": None,
                "traceId": trace_id,
                "ghgEmission": f.shown(ouranos_round(total, f"{stage}ProductionResponse.ghgEmission")),
                "ghgDeclaredUnit": own["ghgDeclaredUnit"],
                "cfpType": f"{stage}ProductionResponse",
                "dqrType": f"{dqr_type}Response",
                "dqrValue": _weighted([own, bought]),
            }
        )
    return out


def _withheld_dqr(record: JsonValue) -> JsonValue:
    """`record` with its DQR values null (``TOTALDQR`` not released; the keys stay, as CfpModel requires them)."""
    return {**f.obj(record, "$"), "dqrValue": dict.fromkeys(_DQR)}


def _linked(repo: OuranosRepository, caller: Caller, trace_id: str) -> list[tuple[Record, TradeStatus]]:
    """The requests to the caller that its part `trace_id` answers, with their status before this registration.

    Raises:
        IllegalTradeTransition: the part is linked only to cancelled or rejected requests.
    """
    linked = [
        (trade, status_of(repo, trade))
        for trade in repo.find(Kind.TRADE, ref=caller.operator_id)
        if f.obj(trade_model(trade), "$").get("upstreamTraceId") == trace_id
    ]
    open_ = [(trade, status) for trade, status in linked if status in ACTIVE_STATUSES]
    if linked and not open_:
        trade, status = linked[0]
        raise IllegalTradeTransition(trade.record_id, status.value, TradeAction.ANSWER.value, [])
    return open_


class CfpService:
    """CFP registration and reads."""

    def __init__(self, uow: UnitOfWorkFactory, notifications: NotificationService) -> None:
        self._uow, self._notes = uow, notifications

    def put(self, caller: Caller, doc: JsonValue) -> list[JsonValue]:
        """Register (or replace) the CFP of one of the caller's parts; returns the 4 records with their `cfpId`.

        Raises:
            InvalidInput: not exactly the 4 types, differing `traceId`/unit/`cfpId`, or a bad field.
            NotFound: the part is not the caller's.
            IllegalTradeTransition: the part is linked only to cancelled or rejected requests; nothing is stored.
        """
        if not isinstance(doc, list) or len(doc) != len(STAGES):
            raise InvalidInput.at("$", f"must be an array of the {len(STAGES)} cfpTypes {', '.join(STAGES)}", f.RULE)
        records = [_record(item, f"$[{i}]") for i, item in enumerate(doc)]
        for name in ("cfpType",):
            if len({str(r[name]) for r in records}) != len(STAGES):
                raise InvalidInput.at("$", f"each {name} exactly once", f.RULE)
        for name in ("traceId", "ghgDeclaredUnit", "cfpId"):
            if len({str(r[name]) for r in records}) != 1:
                raise InvalidInput.at("$", f"all 4 records must share one {name}", f.RULE)
        trace_id = str(records[0]["traceId"])
        with self._uow() as uow:
            repo = uow.ouranos
            owned_part(repo, caller, trace_id)
            answering = _linked(repo, caller, trace_id)
            existing = repo.find(Kind.CFP, ref=trace_id)
            cfp_id = existing[0].record_id if existing else str(uuid.uuid4())
            given = records[0]["cfpId"]
            if given is not None and given != cfp_id:
                raise NotFound(f"no cfpId {given} for traceId {trace_id}")
            for record in records:
                record["cfpId"] = cfp_id
            repo.put(Record(Kind.CFP, cfp_id, caller.operator_id, list(records), ref=trace_id))
            notes: list[Notification] = [
                self._notes.write(
                    repo,
                    NotificationType.CFP_UPDATED if before is TradeStatus.COMPLETED else NotificationType.CFP_RESPONSED,
                    trade,
                )
                for trade, before in answering
            ]
            uow.commit()
        self._notes.publish(notes)
        return list(records)

    def get(self, caller: Caller, trace_ids: Sequence[str]) -> list[JsonValue]:
        """The caller's records for each part, then the upstream's answers for parts it asked a supplier about.

        A handful of queries whatever the number of parts (≤ 50): the parts, their CFPs, the caller's trades,
        the linked upstream CFPs and the grants, each read at once.

        Raises:
            InvalidInput: no traceId. NotFound: a part that is not the caller's.
        """
        if not trace_ids:
            raise InvalidInput.at("traceIds", "at least one traceId is required", f.RULE)
        out: list[JsonValue] = []
        with self._uow(write=False) as uow:
            repo = uow.ouranos
            parts = repo.get_many(Kind.PARTS, trace_ids)
            for trace_id in trace_ids:
                part = parts.get(trace_id)
                if part is None or part.operator_id != caller.operator_id:
                    raise NotFound(f"no part with traceId {trace_id} of the caller")
            own = repo.find_refs(Kind.CFP, trace_ids)
            answers = self._answers(repo, caller, trace_ids)
            for trace_id in trace_ids:
                for record in own.get(trace_id, ()):
                    out.extend(record.doc if isinstance(record.doc, list) else [])
                out.extend(answers.get(trace_id, ()))
        return out

    @staticmethod
    def _answers(repo: OuranosRepository, caller: Caller, trace_ids: Sequence[str]) -> dict[str, list[JsonValue]]:
        """The upstream's answer for each of `trace_ids` the caller asked about (first completed, released trade)."""
        wanted = set(trace_ids)
        linked: list[tuple[str, str, Record]] = []
        for trade in repo.find(Kind.TRADE, operator_id=caller.operator_id):
            model = f.obj(trade_model(trade), "$")
            upstream_trace = model.get("upstreamTraceId")
            if model["downstreamTraceId"] in wanted and isinstance(upstream_trace, str) and trade.ref is not None:
                linked.append((str(model["downstreamTraceId"]), upstream_trace, trade))
        upstream_cfps = repo.find_refs(Kind.CFP, sorted({upstream for _, upstream, _ in linked}))
        out: dict[str, list[JsonValue]] = {}
        for trace_id, upstream_trace, trade in linked:
            records = upstream_cfps.get(upstream_trace)
            stored = stored_status(trade)
            completed = stored is TradeStatus.COMPLETED or (stored is TradeStatus.NOT_COMPLETED and bool(records))
            if trace_id in out or not completed or not records:  # `status_of`, without a query per trade
                continue
            assert trade.ref is not None
            released = released_groups(repo, trade.ref, caller.operator_id, upstream_trace)
            if TOTALCFP not in released:
                continue  # nothing is disclosed without an explicit grant (ouranos.md §4)
            upstream = [f.obj(r, "$") for r in records[0].doc] if isinstance(records[0].doc, list) else []
            answers = answer(upstream, trace_id)
            out[trace_id] = answers if TOTALDQR in released else [_withheld_dqr(r) for r in answers]
        return out

    def certifications(self, caller: Caller, trace_id: str) -> list[JsonValue]:
        """``GET cfpCertification``: certificate metadata of the caller's part (none are uploaded here yet)."""
        with self._uow(write=False) as uow:
            owned_part(uow.ouranos, caller, trace_id)
        return []


__all__ = ["DECLARED_UNITS", "STAGES", "CfpService", "answer"]
