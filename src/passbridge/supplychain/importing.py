"""Check one import file against what the node holds and work out what to write: all of it, or nothing.

Layout: `ImportPlan` (the catalog after the import, its graph, the entries that are new or changed, the parts whose
figures may change) and `plan_import(catalog, batch, …)`, which resolves references, applies the trade life cycle
(`trades.answer` / `revise` / `reject` / `cancel`), builds the whole graph (cycles, units) and checks the Ouranos
limits. Every refusal names the item in the file (``$.bomLines[3].amountRequired``, ``row 4, column unit``).

Items are keyed; an item equal to the stored one changes nothing, so importing a file twice is harmless. An answer
the node already holds under the same id is skipped if identical and refused if not; a second answer to an answered
trade is refused unless it is marked as a revision (answering twice is an Ouranos life-cycle error).

The whole-graph checks (cycles, units, the Ouranos limits) are in `import_checks`.
"""

from __future__ import annotations

import uuid
from collections.abc import Hashable, Set
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from passbridge.errors import IllegalTradeTransition, InvalidInput, Violation
from passbridge.passport.model import PassportId
from passbridge.supplychain._json_fields import located
from passbridge.supplychain.battery import BatteryInstance, BatteryModel
from passbridge.supplychain.catalog import AclEntry, Catalog, PartEntry, ReceivedAnswer, SiteEntry, TradeEntry
from passbridge.supplychain.commitments import answer_digest
from passbridge.supplychain.footprints import MaterialContent, OwnFootprint
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.import_batch import AnswerDraft, BatteryDraft, ImportBatch, PartDraft, Sourced, TradeDraft
from passbridge.supplychain.import_checks import checked_graph, ouranos_limit_violations
from passbridge.supplychain.model import BomLine, Operator, Part
from passbridge.supplychain.quantities import Unit
from passbridge.supplychain.trades import Trade, TradeStatus, answer, cancel, link, reject, revise

LIFE_CYCLE: Final = "Ouranos request status life cycle (NOT_COMPLETED → COMPLETED | REJECT | CANCEL)"
REFERENCES: Final = "references resolve to known items"


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What an import changes. Lists hold only new or changed entries, in the order to write them."""

    catalog: Catalog
    graph: SupplyGraph
    operators: tuple[tuple[str, Operator], ...]
    sites: tuple[SiteEntry, ...]
    parts: tuple[PartEntry, ...]
    bom_lines: tuple[BomLine, ...]
    footprints: tuple[OwnFootprint, ...]
    materials: tuple[MaterialContent, ...]
    trades: tuple[TradeEntry, ...]
    answers: tuple[ReceivedAnswer, ...]
    acl: tuple[AclEntry, ...]
    battery_models: tuple[BatteryModel, ...]
    batteries: tuple[BatteryInstance, ...]
    changed_parts: frozenset[uuid.UUID]

    @property
    def counts(self) -> dict[str, int]:
        """Number of new or changed entries by kind (the JSON list names)."""
        return {
            "operators": len(self.operators),
            "sites": len(self.sites),
            "parts": len(self.parts),
            "bomLines": len(self.bom_lines),
            "footprints": len(self.footprints),
            "materials": len(self.materials),
            "trades": len(self.trades),
            "answers": len(self.answers),
            "acl": len(self.acl),
            "batteryModels": len(self.battery_models),
            "batteries": len(self.batteries),
        }


def plan_import(catalog: Catalog, batch: ImportBatch, *, known_passports: Set[str], now: datetime) -> ImportPlan:
    """Merge `batch` into `catalog`, checking everything; nothing is written here.

    Args:
        catalog: what the node holds.
        batch: the file's items.
        known_passports: the passport ids named by the batch that exist on the node.
        now: the receipt time of new answers.

    Raises:
        InvalidInput: naming each offending item (all reference and life-cycle errors at once; then the first
            graph error: a cycle, a unit that does not convert, an Ouranos limit).
    """
    return _Planner(catalog, batch, known_passports, now).run()


class _Planner:
    def __init__(self, catalog: Catalog, batch: ImportBatch, known_passports: Set[str], now: datetime) -> None:
        self.batch, self.known_passports, self.now = batch, known_passports, now
        self.operators = dict(catalog.operators)
        self.sites = dict(catalog.sites)
        self.parts = dict(catalog.parts)
        self.bom_lines = dict(catalog.bom_lines)
        self.footprints = dict(catalog.footprints)
        self.materials = dict(catalog.materials)
        self.trades = dict(catalog.trades)
        self.answers = dict(catalog.answers)
        self.acl = dict(catalog.acl)
        self.battery_models = dict(catalog.battery_models)
        self.batteries = dict(catalog.batteries)
        self.written: dict[str, dict[Hashable, Any]] = {}
        self.origin: dict[tuple[str, Hashable], str] = {}
        self.changed: set[uuid.UUID] = set()
        self.violations: list[Violation] = []

    # --- bookkeeping -------------------------------------------------------------------------------------------

    def fail(self, path: str, message: str, rule: str = REFERENCES) -> None:
        self.violations.append(Violation(path, message, rule))

    def at(self, locator: str, name: str) -> str:
        return self.batch.field_path(locator, name)

    def put(self, kind: str, store: dict[Any, Any], key: Hashable, value: Any, locator: str | None) -> bool:
        if locator is not None:
            self.origin[(kind, key)] = locator
        if store.get(key) == value:
            return False
        store[key] = value
        self.written.setdefault(kind, {})[key] = value
        return True

    def written_values(self, kind: str) -> tuple[Any, ...]:
        return tuple(self.written.get(kind, {}).values())

    # --- the steps ---------------------------------------------------------------------------------------------

    def run(self) -> ImportPlan:
        batch = self.batch
        changed_operators = {sourced.item[0] for sourced in batch.operators if self._operator(sourced)}
        changed_sites = {sourced.item.site_id for sourced in batch.sites if self._site(sourced)}
        self._refresh(changed_operators, changed_sites)
        for part in batch.parts:
            self._part(part)
        for line in batch.bom_lines:
            self._bom_line(line)
        for footprint in batch.footprints:
            self._own("footprints", self.footprints, footprint.item.trace_id, footprint.item, footprint.locator)
        for content in batch.materials:
            self._own("materials", self.materials, content.item.trace_id, content.item, content.locator)
        for trade in batch.trades:
            self._trade(trade)
        for received in batch.answers:
            self._answer(received)
        for grant in batch.acl:
            self._acl(grant)
        for model in batch.battery_models:
            self._battery_model(model)
        for battery in batch.batteries:
            self._battery(battery)
        if self.violations:
            raise InvalidInput(self.violations[:50])
        catalog = Catalog(
            self.operators,
            self.sites,
            self.parts,
            self.bom_lines,
            self.footprints,
            self.materials,
            self.trades,
            self.answers,
            self.acl,
            self.battery_models,
            self.batteries,
        )
        graph = checked_graph(catalog, self.origin, self.batch)
        self.violations += ouranos_limit_violations(catalog, self.origin, self.batch)
        if self.violations:
            raise InvalidInput(self.violations[:50])
        w = self.written_values
        return ImportPlan(
            catalog,
            graph,
            operators=w("operators"),
            sites=w("sites"),
            parts=w("parts"),
            bom_lines=w("bomLines"),
            footprints=w("footprints"),
            materials=w("materials"),
            trades=w("trades"),
            answers=w("answers"),
            acl=w("acl"),
            battery_models=w("batteryModels"),
            batteries=w("batteries"),
            changed_parts=frozenset(self.changed),
        )

    def _operator(self, sourced: Sourced[tuple[str, Operator]]) -> bool:
        operator_id, operator = sourced.item
        for other_id, other in self.operators.items():
            if other_id != operator_id and other.key == operator.key:
                self.fail(sourced.locator, f"operator {operator_id!r} has the identifier of operator {other_id!r}")
                return False
        changed = self.put("operators", self.operators, operator_id, operator, sourced.locator)
        if changed:
            self.written["operators"][operator_id] = (operator_id, operator)
        return changed

    def _site(self, sourced: Sourced[SiteEntry]) -> bool:
        entry = sourced.item
        if entry.operator_id not in self.operators:
            self.fail(self.at(sourced.locator, "operator"), f"unknown operator {entry.operator_id!r}")
            return False
        return self.put("sites", self.sites, entry.site_id, entry, sourced.locator)

    def _refresh(self, operators: Set[str], sites: Set[str]) -> None:
        """Parts and trades hold their operators and sites: rebuild those whose operator or site changed."""
        for trace_id, entry in list(self.parts.items()):
            if entry.operator_id in operators or entry.site_id in sites:
                site = self.sites[entry.site_id].site if entry.site_id else None
                part = replace(entry.part, operator=self.operators[entry.operator_id], site=site)
                if self.put("parts", self.parts, trace_id, replace(entry, part=part), None):
                    self.changed.add(trace_id)
        for trade_id, trade_entry in list(self.trades.items()):
            buyer = self.parts[trade_entry.trade.downstream_trace_id]
            if buyer.operator_id in operators or trade_entry.upstream_operator_id in operators:
                trade = replace(
                    trade_entry.trade,
                    downstream_operator=self.operators[buyer.operator_id],
                    upstream_operator=self.operators[trade_entry.upstream_operator_id],
                )
                if self.put("trades", self.trades, trade_id, replace(trade_entry, trade=trade), None):
                    self.changed.add(trade.downstream_trace_id)

    def _part(self, sourced: Sourced[PartDraft]) -> None:
        draft, locator = sourced.item, sourced.locator
        operator = self.operators.get(draft.operator_id)
        if operator is None:
            self.fail(self.at(locator, "operator"), f"unknown operator {draft.operator_id!r}")
            return
        site = None
        if draft.site_id is not None:
            site_entry = self.sites.get(draft.site_id)
            if site_entry is None or site_entry.operator_id != draft.operator_id:
                self.fail(self.at(locator, "site"), f"unknown site {draft.site_id!r} of operator {draft.operator_id!r}")
                return
            site = site_entry.site
        try:
            with located(locator):
                part = Part(draft.trace_id, operator, draft.parts_name, draft.declared_unit, draft.terminated, site)
        except InvalidInput as error:
            self.violations.extend(error.violations)
            return
        entry = PartEntry(part, draft.operator_id, draft.site_id)
        if self.put("parts", self.parts, part.trace_id, entry, locator):
            self.changed.add(part.trace_id)

    def _known_part(self, trace_id: uuid.UUID, path: str) -> PartEntry | None:
        entry = self.parts.get(trace_id)
        if entry is None:
            self.fail(path, f"unknown part {trace_id}")
        return entry

    def _bom_line(self, sourced: Sourced[BomLine]) -> None:
        line, locator = sourced.item, sourced.locator
        parent = self._known_part(line.parent, self.at(locator, "parentTraceId"))
        child = self._known_part(line.child, self.at(locator, "traceId"))
        known = parent is not None and child is not None
        if known and self.put("bomLines", self.bom_lines, (line.parent, line.child), line, locator):
            self.changed.add(line.parent)

    def _own(self, kind: str, store: dict[Any, Any], trace_id: uuid.UUID, value: Any, locator: str) -> None:
        known = self._known_part(trace_id, self.at(locator, "traceId")) is not None
        if known and self.put(kind, store, trace_id, value, locator):
            self.changed.add(trace_id)

    def _trade(self, sourced: Sourced[TradeDraft]) -> None:
        draft, locator = sourced.item, sourced.locator
        buyer = self._known_part(draft.downstream_trace_id, self.at(locator, "downstreamTraceId"))
        supplier = self.operators.get(draft.upstream_operator_id)
        if supplier is None:
            self.fail(self.at(locator, "upstreamOperator"), f"unknown operator {draft.upstream_operator_id!r}")
        if buyer is None or supplier is None:
            return
        stored = self.trades.get(draft.trade_id)
        try:
            if stored is None:
                trade = Trade(
                    draft.trade_id,
                    buyer.part.operator,
                    draft.downstream_trace_id,
                    supplier,
                    draft.status,
                    draft.upstream_trace_id,
                    reply_message=draft.reply_message,
                )
            else:
                trade = self._update_trade(stored, draft, locator)
        except IllegalTradeTransition as error:
            self.fail(self.at(locator, "status"), str(error), LIFE_CYCLE)
            return
        except InvalidInput as error:
            self.violations += [Violation(self.at(locator, v.path), v.message, v.rule) for v in error.violations]
            return
        if self.put("trades", self.trades, draft.trade_id, TradeEntry(trade, draft.upstream_operator_id), locator):
            self.changed.add(draft.downstream_trace_id)

    def _update_trade(self, stored: TradeEntry, draft: TradeDraft, locator: str) -> Trade:
        trade = stored.trade
        if trade.downstream_trace_id != draft.downstream_trace_id or stored.upstream_operator_id != (
            draft.upstream_operator_id
        ):
            raise InvalidInput.at(
                "tradeId", f"trade {trade.trade_id} is another part's or supplier's request; a new one needs a new id"
            )
        if draft.upstream_trace_id is not None and draft.upstream_trace_id != trade.upstream_trace_id:
            trade = link(trade, draft.upstream_trace_id)
        if draft.status is TradeStatus.REJECT and trade.status is not TradeStatus.REJECT:
            trade = reject(trade, draft.reply_message)
        elif draft.status is TradeStatus.CANCEL and trade.status is not TradeStatus.CANCEL:
            trade = cancel(trade)
        return trade

    def _answer(self, sourced: Sourced[AnswerDraft]) -> None:
        draft, locator = sourced.item, sourced.locator
        entry = self.trades.get(draft.trade_id)
        if entry is None:
            self.fail(self.at(locator, "tradeId"), f"unknown trade {draft.trade_id}")
            return
        known = self.answers.get(draft.answer.answer_id)
        if known is not None:
            if known.answer != draft.answer or known.trade_id != draft.trade_id:
                self.fail(
                    self.at(locator, "answerId"),
                    f"answer {draft.answer.answer_id} was received before with other content; "
                    "a new answer needs a new answerId",
                    "answers are immutable",
                )
            return
        try:
            update = revise if draft.revision else answer
            trade = update(entry.trade, draft.answer)
        except IllegalTradeTransition as error:
            answered = entry.trade.status is TradeStatus.COMPLETED and not draft.revision
            hint = '; a revised answer is marked "revision": true' if answered else ""
            self.fail(locator, f"{error}{hint}", LIFE_CYCLE)
            return
        except InvalidInput as error:
            self.violations += [Violation(self.at(locator, v.path), v.message, v.rule) for v in error.violations]
            return
        self.put("trades", self.trades, draft.trade_id, replace(entry, trade=trade), None)
        self.origin[("answers", draft.trade_id)] = locator
        received = ReceivedAnswer(draft.answer, draft.trade_id, answer_digest(draft.answer), self.now, draft.document)
        self.put("answers", self.answers, draft.answer.answer_id, received, locator)
        self.changed.add(trade.downstream_trace_id)

    def _acl(self, sourced: Sourced[AclEntry]) -> None:
        entry, locator = sourced.item, sourced.locator
        if entry.partner_id not in self.operators:
            self.fail(self.at(locator, "partner"), f"unknown operator {entry.partner_id!r}")
        if self._known_part(entry.trace_id, self.at(locator, "traceId")) is not None:
            self.put("acl", self.acl, (entry.partner_id, entry.trace_id), entry, locator)

    def _battery_model(self, sourced: Sourced[BatteryModel]) -> None:
        model, locator = sourced.item, sourced.locator
        part = self._known_part(model.trace_id, self.at(locator, "traceId"))
        if part is None:
            return
        if part.part.declared_unit is not Unit.UNIT:
            self.fail(
                self.at(locator, "traceId"),
                f"part {part.part.parts_name} is declared per {part.part.declared_unit.value}; a battery model's "
                "part is declared per unit (one battery)",
                "EU CF functional unit",
            )
            return
        if self.put("batteryModels", self.battery_models, model.trace_id, model, locator):
            self.changed.add(model.trace_id)
            for battery_id, battery in list(self.batteries.items()):
                if battery.model.trace_id == model.trace_id:
                    self.put("batteries", self.batteries, battery_id, replace(battery, model=model), None)
                    self.changed.add(battery.trace_id)

    def _battery(self, sourced: Sourced[BatteryDraft]) -> None:
        draft, locator = sourced.item, sourced.locator
        model = self.battery_models.get(draft.model_trace_id)
        if model is None:
            self.fail(self.at(locator, "model"), f"unknown battery model {draft.model_trace_id}")
            return
        if draft.own_trace_id is not None and self._known_part(draft.own_trace_id, self.at(locator, "traceId")) is None:
            return
        passport = None
        if draft.passport_id is not None:
            if draft.passport_id not in self.known_passports:
                self.fail(self.at(locator, "passportId"), f"passport {draft.passport_id} does not exist on this node")
                return
            holder = next(
                (b for b in self.batteries.values() if b.passport_id and b.passport_id.value == draft.passport_id), None
            )
            if holder is not None and holder.battery_id != draft.battery_id:
                self.fail(
                    self.at(locator, "passportId"), f"passport {draft.passport_id} is battery {holder.battery_id}'s"
                )
                return
            passport = PassportId(draft.passport_id)
        stored = self.batteries.get(draft.battery_id)
        if stored is not None and stored.passport_id is not None and stored.passport_id != passport:
            self.fail(
                self.at(locator, "passportId"), f"battery {draft.battery_id} is linked to passport {stored.passport_id}"
            )
            return
        try:
            with located(locator):
                battery = BatteryInstance(draft.battery_id, model, passport, draft.own_trace_id)
        except InvalidInput as error:
            self.violations.extend(error.violations)
            return
        if self.put("batteries", self.batteries, draft.battery_id, battery, locator):
            self.changed.add(battery.trace_id)


__all__ = ["LIFE_CYCLE", "REFERENCES", "ImportPlan", "plan_import"]
