"""The vectorised roll-up of a supply graph: compile it, roll every part up at once, check it against the exact path.

Layout: `compile_graph` (a `SupplyGraph` → `CompiledGraph`, columns from `layout_of`), `own_values` and
`answer_figures` / `answered_values` (one part's local figures as a row, e.g. for an update); `rollup_all` (a
`CompiledGraph` → `vectorised_screening.Screening`); `Mismatch` and `cross_check` (the screened figures of a part
against `rollups.roll_up`).

Why here and not in `vectorised_screening`: this is where the float path meets the domain objects (footprints,
answers, trades, the exact roll-ups); the screening works on compiled arrays alone.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from passbridge.errors import InvalidInput, MissingFigures
from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.elements import REGULATED_ELEMENTS, element_name
from passbridge.supplychain.footprints import MaterialContent, OwnFootprint
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.material_rollups import ElementRollup, material_content
from passbridge.supplychain.quantities import Ratio, exact_product
from passbridge.supplychain.rollups import carbon_footprint
from passbridge.supplychain.trades import TradeStatus
from passbridge.supplychain.vectorised import CompiledGraph
from passbridge.supplychain.vectorised_arrays import FloatArray
from passbridge.supplychain.vectorised_layout import CRITERIA, STAGES, Layout, LocalFigures, SparseFigures
from passbridge.supplychain.vectorised_screening import ElementScreen, Screening


def rollup_all(graph: CompiledGraph) -> Screening:
    """Roll every part of `graph` up at once: one sparse product per level, lower levels first."""
    return Screening(graph)


def layout_of(graph: SupplyGraph, elements: Sequence[str] = REGULATED_ELEMENTS) -> Layout:
    """A layout for `elements` with an origin column for each country any part or answer names for them."""
    names = {element_name(e) for e in elements}
    pairs = {(e.element, o.country) for c in graph.materials.values() for e in c.elements for o in e.origin}
    for answer in graph.answers.values():
        pairs |= {(e.element, o.country) for e in answer.materials or () for o in e.origin or ()}
    return Layout(tuple(elements), tuple(p for p in pairs if p[0] in names))


def own_values(layout: Layout, footprint: OwnFootprint | None, content: MaterialContent | None) -> FloatArray:
    """A part's own figures (as restated per its declared unit) as one row of `layout`.

    Raises:
        InvalidInput: if an origin country has no column in `layout`.
    """
    row = np.zeros(layout.width)
    for stage in footprint.stages if footprint else ():
        row[layout.cfp(stage.stage)] += float(stage.emissions)
        for criterion, dqr in enumerate((stage.dqr.ter, stage.dqr.ger, stage.dqr.tir)):
            row[layout.dqr(stage.stage, criterion)] += float(exact_product(dqr, stage.emissions))
    for element in content.elements if content else ():
        if element.element in layout.elements:
            column = layout.mass(element.element)
            masses = (element.mass, element.recycled_pre_consumer, element.recycled_post_consumer)
            row[column : column + 3] += [float(m) for m in masses]
            for origin in element.origin:
                row[layout.origin(element.element, origin.country)] += float(origin.mass)
    return row


def answered_values(layout: Layout, answer: SupplierAnswer) -> LocalFigures:
    """An answer (restated per the buyer's part's declared unit, as `SupplyGraph.answers` holds it) as one row.

    Raises:
        InvalidInput: if an origin country has no column in `layout`.
    """
    row = np.zeros(layout.width)
    for stage in STAGES if answer.cfp is not None else ():
        emissions, dqr = answer.emissions(stage) or Decimal(0), answer.stage_dqr(stage)
        row[layout.cfp(stage)] = float(emissions)
        if dqr is None:  # withheld or undefined: unknown, unless there is nothing to weigh
            row[layout.uncovered(stage)] = float(emissions)
        else:
            for criterion, value in enumerate((dqr.ter, dqr.ger, dqr.tir)):
                row[layout.dqr(stage, criterion)] = float(exact_product(value, emissions))
    for element in answer.materials or ():
        if element.element in layout.elements:
            column = layout.mass(element.element)
            masses = (element.mass, element.recycled_pre_consumer, element.recycled_post_consumer)
            row[column : column + 3] = [float(m) for m in masses]
            for origin in element.origin or ():
                row[layout.origin(element.element, origin.country)] = float(exact_product(origin.share, element.mass))
    return LocalFigures(row, answer.cfp is None, answer.materials is None)


def answer_figures(layout: Layout, graph: SupplyGraph, trace_id: uuid.UUID) -> LocalFigures:
    """What stands for the supply of `trace_id` in `graph`: its trade's answer, or nothing; missing as the exact
    path decides (a part that is not terminated, has no bill of materials and no answered trade misses both).

    Raises:
        PartNotFound: if `trace_id` is not in the graph.
    """
    part, trade, nothing = graph.part(trace_id), graph.trades.get(trace_id), np.zeros(layout.width)
    if trade is None:
        needs_one = not part.terminated and trace_id not in graph.children
        return LocalFigures(nothing, needs_one, needs_one)
    if trade.status is not TradeStatus.COMPLETED:
        return LocalFigures(nothing, True, True)
    return answered_values(layout, graph.answers[trace_id])


def compile_graph(
    graph: SupplyGraph, elements: Sequence[str] = REGULATED_ELEMENTS, *, layout: Layout | None = None
) -> CompiledGraph:
    """Compile `graph` for `rollup_all`; part index i is the i-th part of `graph.parts`.

    Args:
        graph: the supply graph.
        elements: the elements to screen.
        layout: the columns, to keep those of an earlier compilation; by default `layout_of(graph, elements)`.

    Raises:
        InvalidInput: if `elements` names something that is not an element, or `layout` lacks an origin country.
    """
    layout, ids = layout or layout_of(graph, elements), list(graph.parts)
    index = {trace_id: i for i, trace_id in enumerate(ids)}
    edges = [(index[p], index[e.line.child], float(e.amount)) for p, lines in graph.children.items() for e in lines]
    parent, child, amount = (list(column) for column in zip(*edges, strict=True)) if edges else ([], [], [])
    own = np.zeros((len(ids), layout.width))
    answers, missing = np.zeros_like(own), np.zeros((len(ids), 2), np.bool_)
    for i, trace_id in enumerate(ids):
        own[i] = own_values(layout, graph.footprints.get(trace_id), graph.materials.get(trace_id))
        figures = answer_figures(layout, graph, trace_id)
        answers[i], missing[i] = figures.values, (figures.missing_cfp, figures.missing_materials)
    return CompiledGraph.from_arrays(
        parent,
        child,
        amount,
        part_count=len(ids),
        layout=layout,
        own=_sparse(own),
        answers=_sparse(answers),
        missing=missing,
        trace_ids=ids,
        names=[p.parts_name for p in graph.parts.values()],
    )


def _sparse(dense: FloatArray) -> SparseFigures:
    parts, columns = dense.nonzero()
    return SparseFigures.of(parts, columns, dense[parts, columns])


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A figure on which the screened (float) and exact (Decimal) roll-ups of a part disagree.

    Attributes:
        trace_id: the part.
        figure: which figure, in the roll-up document's words (``cfp.stages.mainProduction``,
            ``cfp.dqr.mainProduction.TeR``, ``materials.nickel.recycledShare``, ``materials.nickel.origin.JP``,
            ``cfp.complete``).
        exact: the exact value (None where the exact path has none).
        screened: the screened value (None where the screened path has none).
    """

    trace_id: uuid.UUID
    figure: str
    exact: Decimal | None
    screened: float | None

    def __str__(self) -> str:
        return f"part {self.trace_id}: {self.figure}: exact {self.exact}, screened {self.screened!r}"


class _Checker:
    def __init__(self, trace_id: uuid.UUID, tolerance: float) -> None:
        self.trace_id, self.tolerance, self.found = trace_id, tolerance, list[Mismatch]()

    def compare(self, figure: str, exact: Decimal | Ratio | None, screened: float | None, scale: float = 0.0) -> None:
        """Equal within `tolerance` relative to the larger of the two (or to `scale`, for differences)."""
        value = exact.value if isinstance(exact, Ratio) else exact
        screened = None if screened is None or math.isnan(screened) else screened
        if value is None or screened is None:
            agree = value is None and screened is None
        else:
            agree = abs(float(value) - screened) <= self.tolerance * max(abs(float(value)), abs(screened), scale)
        if not agree:
            self.found.append(Mismatch(self.trace_id, figure, value, screened))


def cross_check(
    graph: SupplyGraph, trace_id: uuid.UUID, tolerance: float = 1e-9, *, screening: Screening | None = None
) -> tuple[Mismatch, ...]:
    """Compare the screened figures of `trace_id` with the exact roll-up: CFP and DQR per stage, and for each
    screened element its masses, recycled shares, origin masses and shares, and unattributed share; and that both
    agree on whether the figures are complete.

    Args:
        graph: the graph the exact path rolls up.
        trace_id: the part.
        tolerance: relative tolerance (differences such as unattributed mass: relative to the element's mass).
        screening: a screening of `compile_graph(graph)`; compiled here if None.

    Returns:
        Every disagreement, each naming the part and the figure; empty if they agree.

    Raises:
        PartNotFound: if `trace_id` is not in the graph.
        InvalidInput: if `screening` is not of this graph's parts.
    """
    screening = screening or rollup_all(compile_graph(graph))
    if screening.graph.trace_ids != tuple(graph.parts):
        raise InvalidInput.at("screening", "the screening was compiled from another graph")
    checker, part = _Checker(trace_id, tolerance), screening.graph.index(trace_id)
    cfp_complete, materials_complete = screening.complete(part)
    try:
        footprint = carbon_footprint(graph, trace_id)
    except MissingFigures:
        checker.compare("cfp.complete", Decimal(0), float(cfp_complete))
    else:
        checker.compare("cfp.complete", Decimal(1), float(cfp_complete))
        cfp, dqr = screening.cfp(part), screening.dqr(part)
        for s, stage in enumerate(footprint.stages):
            checker.compare(f"cfp.stages.{stage.stage.value}", stage.total, float(cfp[s]))
            exact = stage.dqr
            for x, ratio in enumerate((exact.ter, exact.ger, exact.tir) if exact else (None,) * 3):
                checker.compare(f"cfp.dqr.{stage.stage.value}.{CRITERIA[x]}", ratio, float(dqr[s, x]))
    try:
        materials = material_content(graph, trace_id)
    except MissingFigures:
        checker.compare("materials.complete", Decimal(0), float(materials_complete))
    else:
        checker.compare("materials.complete", Decimal(1), float(materials_complete))
        for name in screening.graph.layout.elements:
            _check_element(checker, materials.element(name), screening.element(part, name))
    return tuple(checker.found)


def _check_element(checker: _Checker, exact: ElementRollup, screened: ElementScreen) -> None:
    path, total = f"materials.{screened.element}", exact.total
    checker.compare(f"{path}.massKg", total.mass, screened.mass)
    checker.compare(f"{path}.recycledPreConsumerMassKg", total.recycled_pre_consumer, screened.recycled_pre_consumer)
    checker.compare(f"{path}.recycledPostConsumerMassKg", total.recycled_post_consumer, screened.recycled_post_consumer)
    checker.compare(f"{path}.recycledShare", exact.recycled_share, screened.recycled_share)
    checker.compare(
        f"{path}.recycledPreConsumerShare",
        exact.recycled_pre_consumer_share,
        screened.share(screened.recycled_pre_consumer),
    )
    checker.compare(
        f"{path}.recycledPostConsumerShare",
        exact.recycled_post_consumer_share,
        screened.share(screened.recycled_post_consumer),
    )
    scale = max(float(total.mass), screened.mass)  # a difference of masses: relative to the mass
    checker.compare(f"{path}.unattributedMassKg", total.unattributed, screened.unattributed, scale)
    checker.compare(f"{path}.unattributedShare", exact.unattributed_share, screened.share(screened.unattributed), 1.0)
    exact_kg, screened_kg = {o.country: o.mass for o in total.origin}, dict(screened.origin)
    for country in sorted(exact_kg.keys() | screened_kg.keys()):
        kg, screened_country = exact_kg.get(country, Decimal(0)), screened_kg.get(country, 0.0)
        checker.compare(f"{path}.originMassKg.{country}", kg, screened_country)
        share = Ratio(kg, total.mass) if total.mass else None
        checker.compare(f"{path}.origin.{country}", share, screened.share(screened_country))


__all__ = [
    "Mismatch",
    "answer_figures",
    "answered_values",
    "compile_graph",
    "cross_check",
    "layout_of",
    "own_values",
    "rollup_all",
]
