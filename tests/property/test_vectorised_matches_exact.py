"""The vectorised (float64) roll-up agrees with the exact Decimal one on random graphs, also after updates."""

from __future__ import annotations

import dataclasses
import itertools
import uuid
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from passbridge.errors import CycleDetected
from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.footprints import MaterialContent, OwnFootprint, Stage, StageFootprint
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.model import BomLine, Part
from passbridge.supplychain.quantities import Unit, exact_product
from passbridge.supplychain.trades import Trade, answer, revise
from passbridge.supplychain.vectorised import CompiledGraph
from passbridge.supplychain.vectorised_layout import Layout, SparseFigures
from passbridge.supplychain.vectorised_rollups import (
    answer_figures,
    compile_graph,
    cross_check,
    own_values,
    rollup_all,
)
from tests.property.test_rollup_laws import (
    OURS,
    THEIRS,
    Scenario,
    amounts,
    answers,
    dqrs,
    element_contents,
    emissions,
    scenarios,
)

TOLERANCE = 1e-9


@st.composite
def supplier_answers(draw: st.DrawFn, answer_id: uuid.UUID) -> SupplierAnswer:
    """An answer as in the roll-up laws, now and then withholding its CFP, DQR, materials or origins."""
    given_answer = draw(answers(answer_id))
    withheld = draw(st.sets(st.sampled_from(["cfp", "dqr", "materials", "origin"]), max_size=2))
    if draw(st.integers(0, 3)):  # mostly complete
        return given_answer
    elements = tuple(dataclasses.replace(e, origin=None) for e in given_answer.materials or ())
    return dataclasses.replace(
        given_answer,
        cfp=None if "cfp" in withheld else given_answer.cfp,
        dqr=None if "dqr" in withheld else given_answer.dqr,
        materials=None if "materials" in withheld else elements if "origin" in withheld else given_answer.materials,
    )


@dataclass(frozen=True)
class Graph:
    graph: SupplyGraph
    bought: tuple[uuid.UUID, ...]  # parts with an answered trade


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    """Up to 60 parts per kilogram; lines from a lower to a higher index (acyclic, shared sub-parts, several roots);
    leaves terminated, bought through a trade (answered or still open) or neither (their figures are missing); now
    and then a part with a bill of materials is bought as well."""
    n = draw(st.integers(1, 60))
    ids = [uuid.UUID(int=i + 1) for i in range(n)]
    lines = []
    for j in range(1, n):
        for i in draw(st.sets(st.integers(max(0, j - 8), j - 1), max_size=3)):
            amount = draw(amounts)
            unit = draw(st.sampled_from([Unit.KILOGRAM, Unit.GRAM]))
            lines.append(BomLine(ids[i], ids[j], amount * 1000 if unit is Unit.GRAM else amount, unit))
    parents = {line.parent for line in lines}
    kinds = [draw(st.sampled_from("TTTTBBBO-" if ids[i] not in parents else "------B")) for i in range(n)]
    parts = tuple(
        Part(ids[i], OURS, f"P{i}", Unit.KILOGRAM, terminated=ids[i] not in parents and kinds[i] == "T")
        for i in range(n)
    )
    trades = tuple(
        answer(Trade(uuid.UUID(int=1000 + i), OURS, ids[i], THEIRS), draw(supplier_answers(uuid.UUID(int=2000 + i))))
        if kinds[i] == "B"
        else Trade(uuid.UUID(int=1000 + i), OURS, ids[i], THEIRS)
        for i in range(n)
        if kinds[i] in "BO"
    )
    footprints = tuple(
        OwnFootprint(ids[i], Unit.KILOGRAM, tuple(StageFootprint(s, draw(emissions), draw(dqrs)) for s in stages))
        for i in range(n)
        if (stages := draw(st.sets(st.sampled_from(Stage))))
    )
    materials = tuple(
        MaterialContent(ids[i], Unit.KILOGRAM, draw(element_contents())) for i in range(n) if draw(st.booleans())
    )
    graph = SupplyGraph.build(parts, lines, trades, footprints, materials)
    return Graph(graph, tuple(ids[i] for i in range(n) if kinds[i] == "B"))


@settings(deadline=None, max_examples=40)  # up to 60 parts, each checked through the exact path
@given(graphs())
def test_every_part_screens_to_its_exact_figures(case: Graph) -> None:
    screening = rollup_all(compile_graph(case.graph))
    for part in case.graph.parts:
        assert cross_check(case.graph, part, TOLERANCE, screening=screening) == ()


@settings(deadline=None)
@given(scenarios())
def test_the_roll_up_laws_scenarios_screen_to_their_exact_figures(scenario: Scenario) -> None:
    graph = scenario.graph()
    screening = rollup_all(compile_graph(graph))
    assert [m for part in graph.parts for m in cross_check(graph, part, TOLERANCE, screening=screening)] == []


def _scaled(answer_: SupplierAnswer, k: Decimal) -> SupplierAnswer:
    """A revision of `answer_`: every figure times `k`, DQR and origins kept (so no new country appears)."""
    cfp = (
        None
        if answer_.cfp is None
        else tuple(dataclasses.replace(s, emissions=exact_product(s.emissions, k)) for s in answer_.cfp)
    )
    elements = tuple(
        dataclasses.replace(
            e,
            mass=exact_product(e.mass, k),
            recycled_pre_consumer=exact_product(e.recycled_pre_consumer, k),
            recycled_post_consumer=exact_product(e.recycled_post_consumer, k),
        )
        for e in answer_.materials or ()
    )
    materials = None if answer_.materials is None else elements
    return dataclasses.replace(answer_, answer_id=uuid.uuid4(), cfp=cfp, materials=materials)


def _with(graph: SupplyGraph, *, trades: list[Trade], footprints: list[OwnFootprint]) -> SupplyGraph:
    inputs = graph.inputs
    return SupplyGraph.build(inputs.parts, inputs.bom_lines, trades, footprints, inputs.materials)


@settings(deadline=None, max_examples=30)
@given(graphs(), st.data())
def test_incremental_updates_equal_a_full_recompute(case: Graph, data: st.DataObject) -> None:
    graph = case.graph
    compiled = compile_graph(graph)
    screening = rollup_all(compiled)
    trades, footprints = list(graph.inputs.trades), list(graph.inputs.footprints)
    for _ in range(data.draw(st.integers(1, 6))):
        k = data.draw(st.decimals(min_value=0, max_value=10, places=2))
        if len(case.bought) > 0 and data.draw(st.booleans()):  # a supplier revises its answer
            part = data.draw(st.sampled_from(case.bought))
            i = next(i for i, t in enumerate(trades) if t.downstream_trace_id == part)
            assert trades[i].answer is not None
            trades[i] = revise(trades[i], _scaled(trades[i].answer, k))  # type: ignore[arg-type]
            graph = _with(graph, trades=trades, footprints=footprints)
            screening.update_answer(compiled.index(part), answer_figures(compiled.layout, graph, part))
        else:  # we change our own emissions of one part
            part = data.draw(st.sampled_from(list(graph.parts)))
            stages = tuple(StageFootprint(s, exact_product(data.draw(emissions), k), data.draw(dqrs)) for s in Stage)
            footprints = [f for f in footprints if f.trace_id != part] + [OwnFootprint(part, Unit.KILOGRAM, stages)]
            graph = _with(graph, trades=trades, footprints=footprints)
            values = own_values(compiled.layout, graph.footprints[part], graph.materials.get(part))
            screening.update_own(compiled.index(part), values)
    fresh = rollup_all(compile_graph(graph, layout=compiled.layout))
    np.testing.assert_array_equal(screening.totals(), fresh.totals())  # bit for bit, not only within tolerance
    assert [screening.complete(i) for i in range(compiled.part_count)] == [
        fresh.complete(i) for i in range(compiled.part_count)
    ]
    for part in graph.parts:
        assert cross_check(graph, part, TOLERANCE, screening=screening) == ()


@st.composite
def cyclic_arrays(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    """A random DAG over parts 0..n-1 (edges from lower to higher index) plus one edge closing a cycle."""
    n = draw(st.integers(2, 40))
    edges = {(i, j) for j in range(1, n) for i in draw(st.sets(st.integers(0, j - 1), max_size=3))}
    path = sorted(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=6)))
    edges |= set(itertools.pairwise(path)) | {(path[-1], path[0])}  # a self-loop if the path is one part
    ordered = draw(st.permutations(sorted(edges)))
    return [p for p, _ in ordered], [c for _, c in ordered]


@settings(deadline=None)
@given(cyclic_arrays())
def test_a_cycle_is_rejected_with_a_path_that_is_a_cycle(arrays: tuple[list[int], list[int]]) -> None:
    parent, child = arrays
    part_count = max(parent + child) + 1
    with pytest.raises(CycleDetected) as caught:
        CompiledGraph.from_arrays(
            parent, child, [1.0] * len(parent), part_count=part_count, layout=Layout(), own=SparseFigures.empty()
        )
    cycle = [int(c) for c in caught.value.cycle]
    assert cycle[0] == cycle[-1] and len(cycle) >= 2
    assert all(edge in set(zip(parent, child, strict=True)) for edge in itertools.pairwise(cycle))
