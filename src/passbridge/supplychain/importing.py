"""Check one import file against what the node holds and work out what to write: all of it, or nothing.

Layout: `ImportPlan` (the catalog after the import, its graph, the entries that are new or changed, the parts whose
figures may change) and `plan_import(catalog, batch, …)`, which resolves references, applies the trade life cycle
(`import_trades`), builds the whole graph (cycles, units) and checks the Ouranos limits (`import_checks`). Every
refusal names the item in the file (``$.bomLines[3].amountRequired``, ``row 4, column unit``).

Items are keyed; an item equal to the stored one changes nothing, so importing a file twice is harmless. An answer
the node already holds under the same id is skipped if identical and refused if not; a second answer to an answered
trade is refused unless it is marked as a revision (answering twice is an Ouranos life-cycle error).

The working copy the steps share (`put`, refusals) is `import_ledger.ImportLedger`; the steps here check operators,
sites, parts, bills of materials, own figures, access grants and batteries.
"""

from __future__ import annotations

import uuid
from collections.abc import Set
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from passbridge.errors import InvalidInput
from passbridge.passport.model import PassportId
from passbridge.supplychain._json_fields import located
from passbridge.supplychain.battery import BatteryInstance, BatteryModel
from passbridge.supplychain.catalog import AclEntry, Catalog, PartEntry, ReceivedAnswer, SiteEntry, TradeEntry
from passbridge.supplychain.footprints import MaterialContent, OwnFootprint
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.import_batch import BatteryDraft, ImportBatch, PartDraft, Sourced
from passbridge.supplychain.import_checks import checked_graph, ouranos_limit_violations
from passbridge.supplychain.import_ledger import ImportLedger
from passbridge.supplychain.import_trades import plan_answer, plan_trade
from passbridge.supplychain.model import BomLine, Operator, Part
from passbridge.supplychain.quantities import Unit


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


class _Planner(ImportLedger):
    def __init__(self, catalog: Catalog, batch: ImportBatch, known_passports: Set[str], now: datetime) -> None:
        super().__init__(catalog, batch)
        self.known_passports, self.now = known_passports, now

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
            plan_trade(self, trade)
        for received in batch.answers:
            plan_answer(self, received, self.now)
        for grant in batch.acl:
            self._acl(grant)
        for model in batch.battery_models:
            self._battery_model(model)
        for battery in batch.batteries:
            self._battery(battery)
        if self.violations:
            raise InvalidInput(self.violations[:50])
        catalog = self.catalog()
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
        parent = self.known_part(line.parent, self.at(locator, "parentTraceId"))
        child = self.known_part(line.child, self.at(locator, "traceId"))
        known = parent is not None and child is not None
        if known and self.put("bomLines", self.bom_lines, (line.parent, line.child), line, locator):
            self.changed.add(line.parent)

    def _own(self, kind: str, store: dict[Any, Any], trace_id: uuid.UUID, value: Any, locator: str) -> None:
        known = self.known_part(trace_id, self.at(locator, "traceId")) is not None
        if known and self.put(kind, store, trace_id, value, locator):
            self.changed.add(trace_id)

    def _acl(self, sourced: Sourced[AclEntry]) -> None:
        entry, locator = sourced.item, sourced.locator
        if entry.partner_id not in self.operators:
            self.fail(self.at(locator, "partner"), f"unknown operator {entry.partner_id!r}")
        if self.known_part(entry.trace_id, self.at(locator, "traceId")) is not None:
            self.put("acl", self.acl, (entry.partner_id, entry.trace_id), entry, locator)

    def _battery_model(self, sourced: Sourced[BatteryModel]) -> None:
        model, locator = sourced.item, sourced.locator
        part = self.known_part(model.trace_id, self.at(locator, "traceId"))
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
        if draft.own_trace_id is not None and self.known_part(draft.own_trace_id, self.at(locator, "traceId")) is None:
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


__all__ = ["ImportPlan", "plan_import"]
