"""A company node as an Ouranos participant: ask our suppliers, collect their answers, answer our customers.

Layout: `OuranosParticipant` (`sync`: log in → ask → collect → answer, over the `OuranosApi` port and the node's
`SupplyChainService`); the answering step is `ouranos_answering.RequestAnswerer`, the report `ouranos_report`.

Rules (ouranos.md §6, §7; the README has them for users):

* **Ask.** Each open trade of ours (NOT_COMPLETED) whose supplier has an `openOperatorId` the platform knows becomes a
  platform request about our purchased part, registered as a child of its parent (the parent's children on the
  platform are those of its children we ask about, with `amountRequired` in the child's unit; the platform shows the
  upstream null). A request already standing for that part and supplier is not sent again; a rejected one is
  reported, not repeated. A supplier without `openOperatorId` (a Catena-X one, say) is not asked here.
* **Collect.** A request the supplier has answered (COMPLETED, ``*ProductionResponse`` records released to us) is
  imported as the supplier's answer to our trade (`ouranos_wire.answer_document`), a changed one as a revision; our
  roll-ups are recomputed by that import.
* **Answer.** See `ouranos_answering`.

Every step compares with what the platform holds first, so a second sync with nothing new changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from passbridge.jsoncodec import dumps_exact
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.supplychain.answer_json import decode_answer
from passbridge.supplychain.catalog import Catalog, TradeEntry
from passbridge.supplychain.ouranos_answering import RequestAnswerer
from passbridge.supplychain.ouranos_report import RECOVERABLE, STANDING, SyncLog, SyncReport, obj, request_status
from passbridge.supplychain.ouranos_session import OuranosApi, PlatformParts, field, text
from passbridge.supplychain.ouranos_wire import RESPONSE_TYPES, answer_document, parts_model
from passbridge.supplychain.ports import SupplyChainUnitOfWorkFactory
from passbridge.supplychain.quantities import convert
from passbridge.supplychain.services import ImportFormat, SupplyChainService
from passbridge.supplychain.trades import TradeStatus

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Supplied:
    """One of our trades with a supplier on the platform."""

    entry: TradeEntry
    upstream: str
    """The supplier's platform `operatorId`."""
    name: str
    """Our part's name, for the report."""

    @property
    def child(self) -> uuid.UUID:
        return self.entry.trade.downstream_trace_id


class OuranosParticipant:
    """Sync a company node's supply chain with the Ouranos platform (see the module's rules)."""

    def __init__(self, api: OuranosApi, supplychain: SupplyChainService, uow: SupplyChainUnitOfWorkFactory) -> None:
        self._api, self._supplychain, self._uow = api, supplychain, uow

    def _catalog(self) -> Catalog:
        with self._uow(write=False) as uow:
            return uow.supplychain.load()

    def sync(self, step: Callable[[str], None] | None = None) -> SyncReport:
        """Log in, ask our suppliers, collect their answers, answer the requests addressed to us.

        Args:
            step: told the name of each step as it starts (for a progress display).

        Raises:
            Unauthenticated / Forbidden: the platform refused our API key, account or password.
            CounterpartyError: the platform could not be reached or failed.
            InvalidInput: none of our operators is our platform operator.
        """
        say = step or (lambda _: None)
        progress = SyncLog()
        say("log in")
        catalog = self._catalog()
        session = PlatformParts(self._api, catalog)
        say("ask suppliers")
        supplied = self._supplied(session, catalog, progress)
        children = self._register(session, catalog, supplied, progress)
        requests = self._ask(session, supplied, children, progress)
        say("collect answers")
        self._collect(supplied, children, requests, progress)
        say("answer requests")
        RequestAnswerer(self._api, self._supplychain).answer_all(session, self._catalog(), progress)
        report = progress.report()
        logger.info(
            "ouranos sync: %d asked, %d collected, %d answered, %d open",
            len(report.asked),
            len(report.collected),
            len(report.answered),
            len(report.left_open),
        )
        return report

    # --- ask ---------------------------------------------------------------------------------------------------

    def _supplied(self, session: PlatformParts, catalog: Catalog, progress: SyncLog) -> list[_Supplied]:
        found: dict[str, str | None] = {}
        out: list[_Supplied] = []
        for _, entry in sorted(catalog.trades.items(), key=lambda item: str(item[0])):
            trade, part = entry.trade, catalog.parts.get(entry.trade.downstream_trace_id)
            supplier = catalog.operators.get(entry.upstream_operator_id)
            if not trade.active or part is None or part.operator_id != session.us or supplier is None:
                continue
            open_id = supplier.open_operator_id
            if open_id is None:
                continue  # not an Ouranos operator (a Catena-X supplier, say)
            if open_id not in found:
                found[open_id] = text(self._api.operator_by_open_id(open_id), "operatorId")
            upstream = found[open_id]
            if upstream is None:
                progress.notes.append(f"supplier {entry.upstream_operator_id} ({open_id}) is not on Ouranos")
                continue
            out.append(_Supplied(entry, upstream, part.part.parts_name))
        return out

    def _register(
        self, session: PlatformParts, catalog: Catalog, supplied: Sequence[_Supplied], progress: SyncLog
    ) -> dict[uuid.UUID, str]:
        """Our purchased parts on the platform: children of their (first) parent's structure, else lone parts."""
        asked = {s.child: s.name for s in supplied}
        parents: dict[uuid.UUID, list[uuid.UUID]] = {}
        lone: list[uuid.UUID] = []
        for child in sorted(asked, key=str):
            above = sorted((p for p, c in catalog.bom_lines if c == child), key=str)
            if above:
                parents.setdefault(above[0], []).append(child)
            else:
                lone.append(child)
        out: dict[uuid.UUID, str] = {}
        for parent, kids in sorted(parents.items(), key=lambda item: str(item[0])):
            try:
                out.update(self._structure(session, catalog, parent, kids))
            except RECOVERABLE as error:
                progress.left_open.extend(f"{asked[kid]}: {error}" for kid in kids)
        for child in lone:
            try:
                out[child] = session.ensure(catalog, child)
            except RECOVERABLE as error:
                progress.left_open.append(f"{asked[child]}: {error}")
        return out

    def _structure(
        self, session: PlatformParts, catalog: Catalog, parent: uuid.UUID, kids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        """Register `parent` with `kids` as its children unless the platform holds exactly that already."""
        me = session.operator_id
        parent_entry = catalog.parts[parent]
        plant = session.plant_for(catalog, parent_entry)
        wanted: list[JsonValue] = []
        for kid in kids:
            line, entry = catalog.bom_lines[(parent, kid)], catalog.parts[kid]
            unit = entry.part.declared_unit
            amount = convert(line.amount_required, line.unit, unit, path=f"bomLines[{parent}/{kid}].amountRequired")
            wanted.append(parts_model(me, session.plant_for(catalog, entry), entry.part, amount=amount, unit=unit))
        names = {str(field(doc, "partsName")): kid for doc, kid in zip(wanted, kids, strict=True)}
        existing = session.find(plant, parent_entry.part.parts_name)
        if existing is not None:
            current = self._api.structure(existing)
            held = field(current, "childrenPartsModel")
            if isinstance(held, list) and _lines(held) == _lines(wanted):
                return {names[str(field(c, "partsName"))]: str(field(c, "traceId")) for c in held}
        saved = self._api.put_structure(
            {"parentPartsModel": parts_model(me, plant, parent_entry.part), "childrenPartsModel": wanted}
        )
        session.forget()
        children = field(saved, "childrenPartsModel")
        listed = children if isinstance(children, list) else []
        return {names[str(field(c, "partsName"))]: str(field(c, "traceId")) for c in listed}

    def _ask(
        self,
        session: PlatformParts,
        supplied: Sequence[_Supplied],
        children: dict[uuid.UUID, str],
        progress: SyncLog,
    ) -> dict[uuid.UUID, tuple[JsonObject, JsonObject]]:
        """Our standing platform request (`TradeModel`, `StatusModel`) per trade of ours, sent when missing."""
        out: dict[uuid.UUID, tuple[JsonObject, JsonObject]] = {}
        for item in supplied:
            child = children.get(item.child)
            if child is None:
                continue
            trade = item.entry.trade
            statuses = {text(s, "tradeId"): s for s in self._api.statuses(target="REQUEST", trace_id=child)}
            sent = sorted(
                (
                    (t, statuses.get(text(t, "tradeId")) or {})
                    for t in self._api.trade_requests([child])
                    if field(t, "upstreamOperatorId") == item.upstream
                ),
                key=lambda pair: str(field(pair[0], "tradeId")),
            )
            standing = [p for p in sent if request_status(p[1]).get("cfpResponseStatus") in STANDING]
            if standing:
                out[trade.trade_id] = standing[0]
                continue
            rejected = [p for p in sent if request_status(p[1]).get("cfpResponseStatus") == "REJECT"]
            if rejected:
                reply = field(rejected[-1][1], "replyMessage") or "no reason given"
                progress.left_open.append(f"{item.name}: the supplier rejected the request ({reply})")
                continue
            if trade.status is not TradeStatus.NOT_COMPLETED:
                continue  # answered by other means (an imported answer): nothing to ask
            created = self._api.put_trade_request(
                {
                    "tradeModel": {
                        "tradeId": None,
                        "downstreamOperatorId": session.operator_id,
                        "upstreamOperatorId": item.upstream,
                        "downstreamTraceId": child,
                        "upstreamTraceId": None,
                    },
                    "statusModel": {"requestType": "CFP", "message": f"CFP of {item.name}", "responseDueDate": None},
                }
            )
            out[trade.trade_id] = (obj(field(created, "tradeModel")), obj(field(created, "statusModel")))
            progress.asked.append(f"{item.name} (trade {trade.trade_id})")
        return out

    # --- collect -----------------------------------------------------------------------------------------------

    def _collect(
        self,
        supplied: Sequence[_Supplied],
        children: dict[uuid.UUID, str],
        requests: dict[uuid.UUID, tuple[JsonObject, JsonObject]],
        progress: SyncLog,
    ) -> None:
        for item in supplied:
            trade = item.entry.trade
            if trade.trade_id not in requests:
                continue
            model, status = requests[trade.trade_id]
            child, upstream_trace = children[item.child], text(model, "upstreamTraceId")
            request = request_status(status)
            if request.get("cfpResponseStatus") != TradeStatus.COMPLETED.value or upstream_trace is None:
                progress.waiting.append(f"{item.name} (trade {trade.trade_id})")
                continue
            responses = [
                r
                for r in self._api.cfp([child])
                if field(r, "traceId") == child and field(r, "cfpType") in RESPONSE_TYPES
            ]
            if len(responses) < len(RESPONSE_TYPES) or any(field(r, "ghgEmission") is None for r in responses):
                progress.left_open.append(f"{item.name}: answered, but the CFP is not released to us (cfpAcl)")
                continue
            try:
                self._record(item, upstream_trace, responses, request, progress)
            except RECOVERABLE as error:
                progress.left_open.append(f"{item.name}: the answer was not recorded: {error}")

    def _record(
        self,
        item: _Supplied,
        upstream_trace: str,
        responses: Sequence[JsonObject],
        request: JsonObject,
        progress: SyncLog,
    ) -> None:
        trade = item.entry.trade
        counts = (_count(request.get("tradesCount")), _count(request.get("completedCount")))
        current = trade.answer
        previous = current.answer_id if current is not None else None
        document = answer_document(trade.trade_id, upstream_trace, responses, counts, previous=previous)
        if current is not None and replace(decode_answer(document), answer_id=current.answer_id) == current:
            return
        self._supplychain.import_file(dumps_exact({"answers": [document]}), ImportFormat.JSON, source="ouranos sync")
        progress.collected.append(f"{item.name} (trade {trade.trade_id})")


def _count(value: JsonValue) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _lines(children: Sequence[JsonValue]) -> set[tuple[str, ...]]:
    """A structure's children as comparable (partsName, plantId, amount, unit) lines."""
    return {
        tuple(
            str(field(c, name)) if name != "amountRequired" else str(_decimal(field(c, name)))
            for name in ("partsName", "plantId", "amountRequired", "amountRequiredUnit")
        )
        for c in children
    }


def _decimal(value: JsonValue) -> object:
    try:
        return Decimal(str(value)).normalize()
    except ArithmeticError:
        return value


__all__ = ["OuranosParticipant", "SyncReport"]
