"""Vectorised roll-ups of every part at once (float64, for screening), kept current, and checked against the exact path.

Layout: `rollup_all` → `Screening` (every part's totals; `update_own` / `update_answer` recompute only the changed
part and its ancestors; reads per part and in bulk) with `ElementScreen`; `compile_graph` (a `SupplyGraph` →
`CompiledGraph`), `own_values` and `answer_figures` (one part's local figures as a row, e.g. for an update);
`Mismatch` and `cross_check` (the screened figures of a part against `rollups.roll_up`).

Incremental updates: a part's totals are linear in its children's totals, so a change to one part's own figures or
answer changes exactly that part and its ancestors. `update_*` collects those from the reverse adjacency and
recomputes them level by level, children first, each row as `local + A[rows] · T` with the same sparse kernel and
the same operands as the full pass: the result is the full pass's, bit for bit, however many updates came before
(adding deltas instead would drift, and could leave 1e-17 where the exact path has 0, i.e. a DQR turned unknown).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import ArrayLike

from passbridge.errors import InvalidInput, MissingFigures
from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.elements import REGULATED_ELEMENTS, element_name
from passbridge.supplychain.footprints import MaterialContent, OwnFootprint
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.material_rollups import ElementRollup, material_content
from passbridge.supplychain.quantities import Ratio, exact_product
from passbridge.supplychain.rollups import carbon_footprint
from passbridge.supplychain.trades import TradeStatus
from passbridge.supplychain.vectorised import (
    CRITERIA,
    STAGES,
    CompiledGraph,
    FloatArray,
    IndexArray,
    Layout,
    LocalFigures,
    SparseFigures,
    checked_figures,
    dense_rows,
    row_block,
)


def rollup_all(graph: CompiledGraph) -> Screening:
    """Roll every part of `graph` up at once: one sparse product per level, lower levels first."""
    return Screening(graph)


class _Patch:
    """A part's local figures as changed by updates (the compiled graph itself never changes)."""

    __slots__ = ("answer", "missing", "own")

    def __init__(self, own: FloatArray, answer: FloatArray, missing: FloatArray) -> None:
        self.own, self.answer, self.missing = own, answer, missing


class Screening:
    """The figures of every part of a compiled graph (float64, `Layout` columns), kept current under changes.

    Attributes:
        graph: what was rolled up.
    """

    __slots__ = ("_missing", "_patched", "_patches", "_totals", "graph")

    def __init__(self, graph: CompiledGraph) -> None:
        self.graph = graph
        self._patches: dict[int, _Patch] = {}
        self._patched: IndexArray = np.empty(0, np.intp)  # the keys of `_patches`, sorted
        self._totals: FloatArray = np.empty((0, graph.layout.width))
        self._missing: FloatArray = np.empty((0, 2))
        self.recompute()

    def recompute(self) -> None:
        """Roll every part up again from the current local figures (the full pass)."""
        levels, local = self.graph.levels, self.graph.local
        self._totals = np.empty((0, self.graph.layout.width))  # free the old totals before allocating the new
        totals: FloatArray = local.local.toarray()
        missing = local.missing.copy()
        for position, patch in self._patches.items():
            totals[position], missing[position] = patch.own + patch.answer, patch.missing
        for lo, hi, amounts, pattern in levels.blocks:
            totals[lo:hi] += amounts @ totals[:lo]
            np.minimum(missing[lo:hi] + pattern @ missing[:lo], 1.0, out=missing[lo:hi])
        self._totals, self._missing = totals, missing

    def update_own(self, part: int, values: ArrayLike) -> IndexArray:
        """Replace the own figures of `part`; recompute it and its ancestors.

        Returns:
            The indices of the recomputed parts, `part` among them.

        Raises:
            PartNotFound: if there is no such part.
            InvalidInput: if `values` is not one row of finite figures ≥ 0 of the layout's width.
        """
        position = self.graph.position(part)
        self._patch(position).own = self._row(values, "own")
        return self._propagate(position, flags=False)

    def update_answer(self, part: int, figures: LocalFigures) -> IndexArray:
        """Replace what the trade of `part` contributes; recompute it and its ancestors.

        Returns:
            The indices of the recomputed parts, `part` among them.

        Raises:
            PartNotFound: if there is no such part.
            InvalidInput: if `figures.values` is not one row of finite figures ≥ 0 of the layout's width.
        """
        position = self.graph.position(part)
        patch = self._patch(position)
        patch.answer = self._row(figures.values, "answer")
        missing = np.array([float(figures.missing_cfp), float(figures.missing_materials)])
        flags, patch.missing = not np.array_equal(missing, patch.missing), missing
        return self._propagate(position, flags=flags)

    def row(self, part: int) -> FloatArray:
        """Every figure of `part` (a copy)."""
        return np.array(self._totals[self.graph.position(part)], np.float64)

    def cfp(self, part: int) -> FloatArray:
        """kg CO2e per declared unit of `part`, per stage."""
        return self._totals[self.graph.position(part), Layout.CFP].copy()

    def dqr(self, part: int) -> FloatArray:
        """Emission-weighted DQR of `part`, stages by (TeR, GeR, TiR); NaN where the exact path has none."""
        return np.array(_dqr(self._totals[[self.graph.position(part)]])[0], np.float64)

    def complete(self, part: int) -> tuple[bool, bool]:
        """Whether the exact path can roll `part` up: (CFP, material content) miss no figure below it."""
        flags = self._missing[self.graph.position(part)]
        return bool(flags[0] == 0), bool(flags[1] == 0)

    def element(self, part: int, element: str) -> ElementScreen:
        """The screened figures of `element` in `part`.

        Raises:
            InvalidInput: if `element` is not screened.
        """
        layout, row = self.graph.layout, self._totals[self.graph.position(part)]
        column = layout.mass(element)
        origin = tuple((c, float(row[i])) for c, i in layout.origin_columns(element) if row[i] > 0)
        mass, pre, post = (float(m) for m in row[column : column + 3])
        return ElementScreen(element_name(element), mass, pre, post, origin)

    def totals(self) -> FloatArray:
        """Every figure of every part, parts by `Layout` columns, in part order (a copy)."""
        return self._totals[self.graph.levels.position]

    def cfp_all(self) -> FloatArray:
        """CFP of every part, parts by stages, in part order."""
        return self._totals[self.graph.levels.position, Layout.CFP]

    def dqr_all(self) -> FloatArray:
        """DQR of every part, parts by stages by (TeR, GeR, TiR), in part order; NaN where the exact path has none."""
        return _dqr(self._totals[self.graph.levels.position, : Layout.MATERIALS])

    def recycled_share_all(self, element: str) -> FloatArray:
        """Recycled mass / mass of `element` for every part, in part order; NaN without mass."""
        column = self.graph.layout.mass(element)
        rows = self._totals[self.graph.levels.position, column : column + 3]
        out = np.full(len(rows), np.nan)
        np.divide(rows[:, 1] + rows[:, 2], rows[:, 0], out=out, where=rows[:, 0] > 0)
        return out

    def _row(self, values: ArrayLike, what: str) -> FloatArray:
        row = checked_figures(values, what).copy()
        if row.shape != (self.graph.layout.width,):
            raise InvalidInput.at(what, f"must be one row of {self.graph.layout.width} figures, got {row.shape}")
        return row

    def _patch(self, position: int) -> _Patch:
        patch = self._patches.get(position)
        if patch is None:
            local = self.graph.local
            own, answer = (matrix[[position]].toarray()[0] for matrix in (local.own, local.answers))
            patch = self._patches[position] = _Patch(own, answer, local.missing[position].copy())
            self._patched = np.insert(self._patched, np.searchsorted(self._patched, position), position)
        return patch

    def _propagate(self, position: int, *, flags: bool) -> IndexArray:
        """Recompute `position` and its ancestors; their "missing" flags too if `flags` (only the changed part's
        own flag can change them)."""
        levels = self.graph.levels
        affected = np.sort(np.append(levels.ancestors(position), position))
        cuts = np.searchsorted(affected, levels.bounds)
        for level in range(len(levels.bounds) - 1):
            rows = affected[cuts[level] : cuts[level + 1]]
            if rows.size:  # children first: a level reads only the levels below it
                block = row_block(levels.edges, rows)
                self._totals[rows] = self._local_rows(rows) + block @ self._totals
                if flags:
                    owner = np.repeat(np.arange(len(rows)), np.diff(block.indptr))
                    below = [np.bincount(owner, self._missing[block.indices, k], len(rows)) for k in range(2)]
                    missing = self._local_missing(rows) + np.column_stack(below)
                    self._missing[rows] = np.minimum(missing, 1.0)  # sums of whole numbers: exact
        parts: IndexArray = levels.order[affected]
        return parts

    def _patches_in(self, rows: IndexArray) -> list[tuple[int, _Patch]]:
        """(index in `rows`, patch) of the rows that updates have changed."""
        if not len(self._patched):
            return []
        at = np.minimum(np.searchsorted(self._patched, rows), len(self._patched) - 1)
        return [(i, self._patches[int(rows[i])]) for i in np.flatnonzero(self._patched[at] == rows).tolist()]

    def _local_rows(self, rows: IndexArray) -> FloatArray:
        local = dense_rows(self.graph.local.local, rows)
        for i, patch in self._patches_in(rows):
            local[i] = patch.own + patch.answer
        return local

    def _local_missing(self, rows: IndexArray) -> FloatArray:
        missing = self.graph.local.missing[rows]
        for i, patch in self._patches_in(rows):
            missing[i] = patch.missing
        return missing


def _dqr(rows: FloatArray) -> FloatArray:
    """Numerator / CFP where the stage has emissions and all of them have a DQR, else NaN."""
    totals, uncovered = rows[:, Layout.CFP, None], rows[:, Layout.UNCOVERED, None]
    numerators = rows[:, Layout.DQR].reshape(-1, len(STAGES), len(CRITERIA))
    out = np.full(numerators.shape, np.nan)
    np.divide(numerators, totals, out=out, where=(totals > 0) & (uncovered == 0))
    return out


@dataclass(frozen=True, slots=True)
class ElementScreen:
    """Screened masses of one element per declared unit of a part (float64; never published).

    Attributes:
        element: IUPAC name.
        mass: kg.
        recycled_pre_consumer: kg recovered from manufacturing waste.
        recycled_post_consumer: kg recovered from post-consumer waste.
        origin: (country, kg) of each country with mass, by country.
    """

    element: str
    mass: float
    recycled_pre_consumer: float
    recycled_post_consumer: float
    origin: tuple[tuple[str, float], ...]

    def share(self, kg: float) -> float | None:
        """`kg` / mass (None without mass)."""
        return kg / self.mass if self.mass > 0 else None

    @property
    def recycled_share(self) -> float | None:
        """Recycled mass / mass (None without mass)."""
        return self.share(self.recycled_pre_consumer + self.recycled_post_consumer)

    @property
    def origin_shares(self) -> tuple[tuple[str, float], ...]:
        """(country, mass from it / mass), empty without mass."""
        return tuple((c, m / self.mass) for c, m in self.origin) if self.mass > 0 else ()

    @property
    def unattributed(self) -> float:
        """kg of unknown origin."""
        return self.mass - math.fsum(m for _, m in self.origin)


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
    "ElementScreen",
    "Mismatch",
    "Screening",
    "answer_figures",
    "answered_values",
    "compile_graph",
    "cross_check",
    "layout_of",
    "own_values",
    "rollup_all",
]
