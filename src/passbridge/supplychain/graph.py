"""The supply graph of one node: parts, bill-of-materials edges and the answers that stand for purchased parts.

Layout: `SourceKind`, `Edge` (a BOM line with its amount in the child's declared unit), `GraphInputs` (what the
graph was built from, unchanged: the roll-up commitments hash these), `SupplyGraph` (validated, acyclic, with every
figure restated per its part's declared unit) and `SupplyGraph.build`.

A purchased child's figures come from the answer of its trade (ouranos.md §6 step 5): the answer is restated per the
child's declared unit, so a roll-up treats it like one more contribution with amount 1.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final, TypeVar

from passbridge.errors import CycleDetected, InvalidInput, PartNotFound, UnitMismatch
from passbridge.supplychain.answers import AnsweredElement, StageEmission, SupplierAnswer
from passbridge.supplychain.footprints import ElementContent, MaterialContent, OriginMass, OwnFootprint, StageFootprint
from passbridge.supplychain.model import BomLine, Part
from passbridge.supplychain.quantities import OURANOS_MAX, Unit, convert, convert_per_unit, convertible
from passbridge.supplychain.trades import Trade

OURANOS_MAX_CHILDREN: Final = 50
"""Ouranos PartsStructureModel: one parent with at most 50 children (openapi #6)."""
OURANOS_MAX_PARTS_NAME: Final = 50
"""Ouranos PartsModel.partsName: at most 50 characters."""


class SourceKind(enum.Enum):
    """Where a contribution to a part's figures comes from."""

    BOM_LINE = "bomLine"
    """A child in the part's bill of materials (same operator)."""
    ANSWER = "answer"
    """A supplier's answer to the part's trade."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A bill-of-materials line, resolved.

    Attributes:
        line: the line as given.
        amount: `amountRequired` in the child's declared unit (exactly converted if the line uses another unit).
    """

    line: BomLine
    amount: Decimal


@dataclass(frozen=True, slots=True)
class GraphInputs:
    """Everything a graph was built from, as given (no unit restated)."""

    parts: tuple[Part, ...]
    bom_lines: tuple[BomLine, ...]
    trades: tuple[Trade, ...]
    footprints: tuple[OwnFootprint, ...]
    materials: tuple[MaterialContent, ...]


@dataclass(frozen=True, slots=True)
class SupplyGraph:
    """A validated, acyclic supply graph. Build it with `SupplyGraph.build`.

    Attributes:
        inputs: what it was built from.
        parts: parts by traceId.
        children: bill-of-materials edges by parent traceId.
        trades: the active (not rejected, not cancelled) trade of each purchased part, by the part's traceId.
        answers: each answered trade's answer restated per its part's declared unit, by the part's traceId.
        footprints: own footprints restated per their part's declared unit.
        materials: own material contents restated per their part's declared unit.
    """

    inputs: GraphInputs
    parts: Mapping[uuid.UUID, Part]
    children: Mapping[uuid.UUID, tuple[Edge, ...]]
    trades: Mapping[uuid.UUID, Trade]
    answers: Mapping[uuid.UUID, SupplierAnswer]
    footprints: Mapping[uuid.UUID, OwnFootprint]
    materials: Mapping[uuid.UUID, MaterialContent]

    @classmethod
    def build(
        cls,
        parts: Iterable[Part],
        bom_lines: Iterable[BomLine] = (),
        trades: Iterable[Trade] = (),
        footprints: Iterable[OwnFootprint] = (),
        materials: Iterable[MaterialContent] = (),
        *,
        ouranos_limits: bool = False,
    ) -> SupplyGraph:
        """Validate and index a node's supply data.

        Args:
            parts: every part the other arguments name.
            bom_lines: parent → child lines; both ends of one operator.
            trades: trades of the purchased parts, in any status.
            footprints: own footprints, at most one per part.
            materials: own material contents, at most one per part.
            ouranos_limits: also enforce what Ouranos accepts (≤ 50 children per parent, `partsName` ≤ 50
                characters, `amountRequired` ≤ 99999.99999).

        Raises:
            InvalidInput: naming the item: unknown or duplicate parts, lines across operators, a trade of a
                terminated part, two active trades for one part, Ouranos limits.
            UnitMismatch: naming both units when a line, answer or figure is in a unit that does not convert
                exactly into the declared unit it is used for.
            CycleDetected: with the path of the cycle.
        """
        inputs = GraphInputs(tuple(parts), tuple(bom_lines), tuple(trades), tuple(footprints), tuple(materials))
        by_id = _index_parts(inputs.parts, ouranos_limits)
        children = _index_lines(inputs.bom_lines, by_id, ouranos_limits)
        active, answers = _index_trades(inputs.trades, by_id)
        own = _index_own(inputs.footprints, by_id, "footprints", _restate_footprint)
        contents = _index_own(inputs.materials, by_id, "materials", _restate_materials)
        _check_acyclic(by_id, children)
        return cls(inputs, by_id, children, active, answers, own, contents)

    def part(self, trace_id: uuid.UUID) -> Part:
        """The part with `trace_id`.

        Raises:
            PartNotFound: if there is none.
        """
        found = self.parts.get(trace_id)
        if found is None:
            raise PartNotFound(str(trace_id))
        return found

    def upstream(self, trace_id: uuid.UUID) -> list[uuid.UUID]:
        """`trace_id` and every part below it in the bill of materials, children before parents, each once.

        Raises:
            PartNotFound: if `trace_id` is not in the graph.
        """
        self.part(trace_id)
        order: list[uuid.UUID] = []
        done: set[uuid.UUID] = set()
        stack: list[tuple[uuid.UUID, int]] = [(trace_id, 0)]
        while stack:  # iterative post-order: deep graphs must not hit the recursion limit
            node, index = stack.pop()
            edges = self.children.get(node, ())
            if index < len(edges):
                stack.append((node, index + 1))
                child = edges[index].line.child
                if child not in done:
                    stack.append((child, 0))
            elif node not in done:
                done.add(node)
                order.append(node)
        return order


def _index_parts(parts: Sequence[Part], ouranos_limits: bool) -> dict[uuid.UUID, Part]:
    by_id: dict[uuid.UUID, Part] = {}
    for i, part in enumerate(parts):
        if part.trace_id in by_id:
            raise InvalidInput.at(f"parts[{i}].traceId", f"part {part.trace_id} appears more than once")
        if ouranos_limits and len(part.parts_name) > OURANOS_MAX_PARTS_NAME:
            raise InvalidInput.at(
                f"parts[{i}].partsName", f"{part.parts_name!r} is longer than 50 characters", "Ouranos PartsModel"
            )
        by_id[part.trace_id] = part
    return by_id


def _known(by_id: Mapping[uuid.UUID, Part], trace_id: uuid.UUID, path: str) -> Part:
    part = by_id.get(trace_id)
    if part is None:
        raise InvalidInput.at(path, f"unknown part {trace_id}")
    return part


def _index_lines(
    lines: Sequence[BomLine], by_id: Mapping[uuid.UUID, Part], ouranos_limits: bool
) -> dict[uuid.UUID, tuple[Edge, ...]]:
    children: dict[uuid.UUID, list[Edge]] = {}
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for i, line in enumerate(lines):
        parent = _known(by_id, line.parent, f"bomLines[{i}].parentTraceId")
        child = _known(by_id, line.child, f"bomLines[{i}].traceId")
        what = f"BOM line {parent.parts_name} → {child.parts_name}"
        if parent.operator != child.operator:
            raise InvalidInput.at(
                f"bomLines[{i}]", f"{what} joins two operators; across operators parts meet only through a trade"
            )
        if (line.parent, line.child) in seen:
            raise InvalidInput.at(f"bomLines[{i}]", f"{what} appears more than once")
        seen.add((line.parent, line.child))
        if ouranos_limits and line.amount_required > OURANOS_MAX:
            raise InvalidInput.at(f"bomLines[{i}].amountRequired", f"{what}: above 99999.99999", "Ouranos PartsModel")
        path = f"bomLines[{i}].amountRequiredUnit"
        if not convertible(line.unit, child.declared_unit):
            raise UnitMismatch(
                path,
                line.unit.value,
                child.declared_unit.value,
                f"{what}: amountRequired is in {line.unit.value} but {child.parts_name} is declared in "
                f"{child.declared_unit.value}; no exact conversion between {line.unit.value} and "
                f"{child.declared_unit.value}",
            )
        amount = convert(line.amount_required, line.unit, child.declared_unit, path=path)
        children.setdefault(line.parent, []).append(Edge(line, amount))
        if ouranos_limits and len(children[line.parent]) > OURANOS_MAX_CHILDREN:
            raise InvalidInput.at(
                f"bomLines[{i}]",
                f"{parent.parts_name} has more than {OURANOS_MAX_CHILDREN} children",
                "Ouranos PartsStructureModel (≤ 50 children)",
            )
    return {parent: tuple(edges) for parent, edges in children.items()}


def _index_trades(
    trades: Sequence[Trade], by_id: Mapping[uuid.UUID, Part]
) -> tuple[dict[uuid.UUID, Trade], dict[uuid.UUID, SupplierAnswer]]:
    active: dict[uuid.UUID, Trade] = {}
    answers: dict[uuid.UUID, SupplierAnswer] = {}
    seen: set[uuid.UUID] = set()
    for i, trade in enumerate(trades):
        if trade.trade_id in seen:
            raise InvalidInput.at(f"trades[{i}].tradeId", f"trade {trade.trade_id} appears more than once")
        seen.add(trade.trade_id)
        part = _known(by_id, trade.downstream_trace_id, f"trades[{i}].downstreamTraceId")
        if part.operator != trade.downstream_operator:
            raise InvalidInput.at(f"trades[{i}].downstreamOperatorId", f"part {part.parts_name} is not the buyer's")
        if not trade.active:
            continue
        if part.terminated:
            raise InvalidInput.at(f"trades[{i}]", f"part {part.parts_name} is terminated and needs no trade")
        if part.trace_id in active:
            raise InvalidInput.at(
                f"trades[{i}]",
                f"part {part.parts_name} already has trade {active[part.trace_id].trade_id}; cancel it first",
            )
        active[part.trace_id] = trade
        if trade.answer is not None:
            answers[part.trace_id] = _restate_answer(trade, trade.answer, part, f"trades[{i}].answer")
    return active, answers


def _restate_answer(trade: Trade, answer: SupplierAnswer, part: Part, path: str) -> SupplierAnswer:
    unit = part.declared_unit
    if not convertible(answer.declared_unit, unit):
        raise UnitMismatch(
            f"{path}.declaredUnit",
            answer.declared_unit.value,
            unit.value,
            f"trade {trade.trade_id}: the answer is per {answer.declared_unit.value} but {part.parts_name} is declared "
            f"in {unit.value}; no exact conversion between {answer.declared_unit.value} and {unit.value}",
        )
    if answer.declared_unit is unit:
        return answer

    def per(value: Decimal, field: str) -> Decimal:
        return convert_per_unit(value, answer.declared_unit, unit, path=f"{path}.{field}")

    cfp = None if answer.cfp is None else tuple(StageEmission(s.stage, per(s.emissions, "cfp")) for s in answer.cfp)
    materials = None
    if answer.materials is not None:
        materials = tuple(
            AnsweredElement(
                e.element,
                per(e.mass, "mass"),
                per(e.recycled_pre_consumer, "recycledPreConsumer"),
                per(e.recycled_post_consumer, "recycledPostConsumer"),
                e.origin,
            )
            for e in answer.materials
        )
    return replace(answer, declared_unit=unit, cfp=cfp, materials=materials)


def _restate_footprint(footprint: OwnFootprint, unit: Unit, path: str) -> OwnFootprint:
    stages = tuple(
        StageFootprint(s.stage, convert_per_unit(s.emissions, footprint.declared_unit, unit, path=path), s.dqr)
        for s in footprint.stages
    )
    return OwnFootprint(footprint.trace_id, unit, stages)


def _restate_materials(content: MaterialContent, unit: Unit, path: str) -> MaterialContent:
    def per(value: Decimal) -> Decimal:
        return convert_per_unit(value, content.declared_unit, unit, path=path)

    elements = tuple(
        ElementContent(
            e.element,
            per(e.mass),
            per(e.recycled_pre_consumer),
            per(e.recycled_post_consumer),
            tuple(OriginMass(o.country, per(o.mass)) for o in e.origin),
        )
        for e in content.elements
    )
    return MaterialContent(content.trace_id, unit, elements)


_Own = TypeVar("_Own", OwnFootprint, MaterialContent)


def _index_own(
    items: Sequence[_Own], by_id: Mapping[uuid.UUID, Part], field: str, restate: Callable[[_Own, Unit, str], _Own]
) -> dict[uuid.UUID, _Own]:
    indexed: dict[uuid.UUID, _Own] = {}
    for i, item in enumerate(items):
        part = _known(by_id, item.trace_id, f"{field}[{i}].traceId")
        if item.trace_id in indexed:
            raise InvalidInput.at(f"{field}[{i}].traceId", f"part {part.parts_name} has more than one entry")
        path = f"{field}[{i}].declaredUnit"
        if not convertible(item.declared_unit, part.declared_unit):
            raise UnitMismatch(
                path,
                item.declared_unit.value,
                part.declared_unit.value,
                f"{field} of {part.parts_name} are per {item.declared_unit.value} but it is declared in "
                f"{part.declared_unit.value}; no exact conversion between {item.declared_unit.value} and "
                f"{part.declared_unit.value}",
            )
        same_unit = item.declared_unit is part.declared_unit
        indexed[item.trace_id] = item if same_unit else restate(item, part.declared_unit, path)
    return indexed


def _check_acyclic(by_id: Mapping[uuid.UUID, Part], children: Mapping[uuid.UUID, tuple[Edge, ...]]) -> None:
    """Depth-first search with the current path on a stack; a child already on the path closes a cycle."""
    finished: set[uuid.UUID] = set()
    for start in by_id:
        if start in finished:
            continue
        path: list[uuid.UUID] = [start]
        on_path: set[uuid.UUID] = {start}
        stack: list[int] = [0]
        while path:
            node, index = path[-1], stack[-1]
            edges = children.get(node, ())
            if index == len(edges):
                finished.add(node)
                on_path.discard(node)
                path.pop()
                stack.pop()
                continue
            stack[-1] = index + 1
            child = edges[index].line.child
            if child in on_path:
                cycle = [*path[path.index(child) :], child]
                raise CycleDetected([str(c) for c in cycle], [by_id[c].parts_name for c in cycle])
            if child not in finished:
                path.append(child)
                on_path.add(child)
                stack.append(0)


__all__ = ["OURANOS_MAX_CHILDREN", "OURANOS_MAX_PARTS_NAME", "Edge", "GraphInputs", "SourceKind", "SupplyGraph"]
