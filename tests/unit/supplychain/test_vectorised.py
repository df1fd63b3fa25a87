"""The vectorised (float64) roll-up: hand-computed figures, incremental updates, bad input, and its cross-check."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal

import numpy as np
import pytest

from passbridge.errors import CycleDetected, InvalidInput, PartNotFound
from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.quantities import exact_product
from passbridge.supplychain.rollups import roll_up
from passbridge.supplychain.trades import revise
from passbridge.supplychain.vectorised import CompiledGraph
from passbridge.supplychain.vectorised_layout import Layout, LocalFigures, SparseFigures
from passbridge.supplychain.vectorised_rollups import (
    answer_figures,
    compile_graph,
    cross_check,
    own_values,
    rollup_all,
)
from passbridge.supplychain.vectorised_screening import Screening
from tests.unit.supplychain.builders import (
    DIST,
    EOL,
    MAIN,
    RAW,
    a_line,
    a_part,
    a_trade,
    an_operator,
    content,
    dqr,
    element,
    own,
)
from tests.unit.supplychain.test_three_tier_scenario import A, B, supplier_answer, tier0, tier1, tier2

D = Decimal
OP = an_operator("Pack Maker K.K.")
NO_ELEMENTS = Layout(elements=())


def chain_of_graphs() -> tuple[tuple[SupplyGraph, uuid.UUID], ...]:
    """The three tiers of `test_three_tier_scenario`, each on its own node."""
    graph_c, cam = tier2()
    graph_b, cell = tier1(supplier_answer(roll_up(graph_c, cam), B.key))
    graph_a, pack = tier0(supplier_answer(roll_up(graph_b, cell), A.key))
    return (graph_c, cam), (graph_b, cell), (graph_a, pack)


def test_the_pack_screens_to_the_hand_computed_figures() -> None:
    graph, pack = chain_of_graphs()[2]
    screening = rollup_all(compile_graph(graph))
    part = screening.graph.index(pack)
    assert screening.cfp(part).tolist() == pytest.approx([1030, 1750, 100, 25], rel=1e-12)
    dqr = screening.dqr(part)
    assert dqr[0].tolist() == pytest.approx([2290 / 1030, 2390 / 1030, 2090 / 1030], rel=1e-12)
    assert dqr[1, 0] == pytest.approx(2750 / 1750, rel=1e-12) and dqr[1, 2] == pytest.approx(2350 / 1750, rel=1e-12)
    assert dqr[2].tolist() == pytest.approx([2, 2, 2]) and dqr[3].tolist() == pytest.approx([3, 3, 3])
    nickel = screening.element(part, "Ni")
    assert nickel.mass == pytest.approx(40) and nickel.recycled_share == pytest.approx(0.5)
    assert nickel.share(nickel.recycled_pre_consumer) == pytest.approx(0.125)
    assert dict(nickel.origin_shares) == pytest.approx({"ID": 0.5, "JP": 0.5})
    assert screening.element(part, "cobalt").recycled_share == pytest.approx(1)
    lithium = screening.element(part, "lithium")
    assert lithium.mass == pytest.approx(3.6) and lithium.recycled_share == 0
    assert screening.element(part, "lead").recycled_share is None  # no lead anywhere in this pack
    assert screening.complete(part) == (True, True)


@pytest.mark.parametrize("tier", [0, 1, 2])
def test_every_part_of_every_tier_agrees_with_the_exact_path(tier: int) -> None:
    graph, _ = chain_of_graphs()[tier]
    screening = rollup_all(compile_graph(graph))
    assert [m for part in graph.parts for m in cross_check(graph, part, 1e-9, screening=screening)] == []


def test_bulk_views_agree_with_the_per_part_reads() -> None:
    graph, _ = chain_of_graphs()[1]
    screening = rollup_all(compile_graph(graph))
    for part in range(screening.graph.part_count):
        assert screening.cfp_all()[part].tolist() == screening.cfp(part).tolist()
        np.testing.assert_array_equal(screening.dqr_all()[part], screening.dqr(part))
        np.testing.assert_array_equal(screening.totals()[part], screening.row(part))
        share = screening.element(part, "nickel").recycled_share
        assert screening.recycled_share_all("nickel")[part] == pytest.approx(
            np.nan if share is None else share, nan_ok=True
        )


def shared_sub_part(*, cfp: float = 1.0) -> CompiledGraph:
    """top = 2·left + 3·right; left = 5·shared; right = 7·shared (parts 0-3); shared has `cfp` in main production."""
    main = Layout.cfp(MAIN)
    own = SparseFigures.of([3, 3], [main, Layout.dqr(MAIN, 0)], [cfp, 2 * cfp])
    return CompiledGraph.from_arrays(
        [0, 0, 1, 2], [1, 2, 3, 3], [2, 3, 5, 7], part_count=4, layout=NO_ELEMENTS, own=own
    )


def test_a_shared_sub_part_counts_once_per_path_with_its_amounts() -> None:
    screening = rollup_all(shared_sub_part())
    assert screening.cfp(0).tolist() == [0, 31, 0, 0]
    assert screening.dqr(0)[1, 0] == 2  # TeR of the only contributor
    assert np.isnan(screening.dqr(0)[0, 0])  # no emissions in this stage: no DQR
    assert shared_sub_part().depth == 3 and shared_sub_part().edge_count == 4


def test_a_cycle_is_rejected_with_its_path() -> None:
    own = SparseFigures.empty()
    with pytest.raises(CycleDetected) as caught:
        CompiledGraph.from_arrays(
            [0, 1, 2, 3], [1, 2, 1, 0], [1, 1, 1, 1], part_count=4, layout=NO_ELEMENTS, own=own, names="ABCD"
        )
    assert caught.value.names in (("B", "C", "B"), ("C", "B", "C"))
    with pytest.raises(CycleDetected) as caught:
        CompiledGraph.from_arrays([0], [0], [1], part_count=1, layout=NO_ELEMENTS, own=own)
    assert caught.value.cycle == ("0", "0")


@pytest.mark.parametrize(
    ("arrays", "path"),
    [
        (([0], [1], [-1.0]), "amount[0]"),
        (([0], [1], [float("nan")]), "amount[0]"),
        (([0, 5], [1, 1], [1.0, 1.0]), "parent[1]"),
        (([0], [1.5], [1.0]), "child"),
        (([0], [1], [1.0, 2.0]), "amount"),
    ],
)
def test_bad_arrays_are_refused_naming_the_first_bad_item(
    arrays: tuple[list[int], list[float], list[float]], path: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        CompiledGraph.from_arrays(*arrays, part_count=2, layout=NO_ELEMENTS, own=SparseFigures.empty())
    assert caught.value.violations[0].path == path


def test_bad_own_figures_are_refused() -> None:
    with pytest.raises(InvalidInput, match=r"own.values\[1\]"):
        CompiledGraph.from_arrays(
            [], [], [], part_count=2, layout=NO_ELEMENTS, own=SparseFigures.of([0, 1], [0, 0], [1, -2])
        )
    with pytest.raises(InvalidInput, match=r"own.columns\[0\]"):
        CompiledGraph.from_arrays([], [], [], part_count=2, layout=NO_ELEMENTS, own=SparseFigures.of([0], [99], [1]))


def test_update_own_recomputes_the_part_and_its_ancestors_only() -> None:
    graph = shared_sub_part()
    screening = rollup_all(graph)
    before = screening.totals()
    values = np.zeros(NO_ELEMENTS.width)
    values[Layout.cfp(RAW)] = 4.0
    values[Layout.dqr(RAW, 0)] = 8.0
    assert sorted(screening.update_own(1, values).tolist()) == [0, 1]  # left and top; right and shared untouched
    after = screening.totals()
    np.testing.assert_array_equal(after[2:], before[2:])
    assert screening.cfp(1).tolist() == [4, 5, 0, 0] and screening.cfp(0).tolist() == [8, 31, 0, 0]
    assert sorted(screening.update_own(3, np.zeros(NO_ELEMENTS.width)).tolist()) == [0, 1, 2, 3]
    assert screening.cfp(0).tolist() == [8, 0, 0, 0]


def test_incremental_updates_equal_the_full_pass_bit_for_bit() -> None:
    graph, _ = chain_of_graphs()[0]
    screening = rollup_all(compile_graph(graph))
    rng = np.random.default_rng(3)
    for _ in range(20):
        part = int(rng.integers(screening.graph.part_count))
        row = screening.row(part) * 0  # own figures only: start from nothing
        row[: Layout.MATERIALS] = np.round(rng.random(Layout.MATERIALS), 3)
        screening.update_own(part, row)
    incremental = screening.totals()
    screening.recompute()
    np.testing.assert_array_equal(screening.totals(), incremental)


def revised(graph: SupplyGraph, part: uuid.UUID, change: dict[str, object]) -> SupplyGraph:
    """`graph` with the answer of `part`'s trade revised (`change` applied to it, under a new answer id)."""
    trade = graph.trades[part]
    assert trade.answer is not None
    new_answer: SupplierAnswer = dataclasses.replace(trade.answer, answer_id=uuid.uuid4(), **change)  # type: ignore[arg-type]
    trades = [revise(t, new_answer) if t.trade_id == trade.trade_id else t for t in graph.inputs.trades]
    inputs = graph.inputs
    return SupplyGraph.build(inputs.parts, inputs.bom_lines, trades, inputs.footprints, inputs.materials)


def test_a_revised_answer_updates_the_part_and_its_ancestors_as_a_fresh_compile_would() -> None:
    graph, cell = chain_of_graphs()[1]
    compiled = compile_graph(graph)
    screening = rollup_all(compiled)
    cam = next(p for p in graph.trades)
    answer = graph.trades[cam].answer
    assert answer is not None and answer.cfp is not None
    cfp = tuple(dataclasses.replace(s, emissions=exact_product(s.emissions, D("1.5"))) for s in answer.cfp)
    new_graph = revised(graph, cam, {"cfp": cfp, "dqr": None})  # more CO2e, DQR withheld
    affected = screening.update_answer(compiled.index(cam), answer_figures(compiled.layout, new_graph, cam))
    assert sorted(affected.tolist()) == sorted([compiled.index(cam), compiled.index(cell)])
    fresh = rollup_all(compile_graph(new_graph, layout=compiled.layout))
    np.testing.assert_array_equal(screening.totals(), fresh.totals())
    assert np.isnan(screening.dqr(compiled.index(cell))[0]).all()  # raw emissions now partly without DQR
    assert cross_check(new_graph, cell, screening=screening) == ()


def test_withheld_figures_make_the_part_incomplete_and_restoring_them_completes_it_again() -> None:
    graph, cell = chain_of_graphs()[1]
    compiled = compile_graph(graph)
    screening = rollup_all(compiled)
    cam, part = next(p for p in graph.trades), compiled.index(cell)
    withheld = revised(graph, cam, {"cfp": None, "materials": None})
    screening.update_answer(compiled.index(cam), answer_figures(compiled.layout, withheld, cam))
    assert screening.complete(part) == (False, False)
    assert cross_check(withheld, cell, screening=screening) == ()  # the exact path refuses it too
    screening.update_answer(compiled.index(cam), answer_figures(compiled.layout, graph, cam))
    assert screening.complete(part) == (True, True)
    np.testing.assert_array_equal(screening.totals(), rollup_all(compiled).totals())


def test_a_pending_trade_is_missing_even_below_a_zero_amount() -> None:
    pack, cells = a_part(OP, "pack"), a_part(OP, "cells")
    supplier = an_operator("Nordzelle GmbH", country="DE", open_operator_id=None, bpnl="BPNL000000000B01")
    graph = SupplyGraph.build(
        [pack, cells],
        [a_line(pack, cells, "0")],
        [a_trade(cells, supplier)],
        [own(pack, eol=("1", dqr("1", "1", "1")))],
    )
    screening = rollup_all(compile_graph(graph))
    assert screening.complete(screening.graph.index(pack.trace_id)) == (False, False)
    assert cross_check(graph, pack.trace_id, screening=screening) == ()


def test_cross_check_names_the_part_and_the_figure_that_disagree() -> None:
    graph, pack = chain_of_graphs()[2]
    compiled = compile_graph(graph)
    screening = rollup_all(compiled)
    housing = next(t for t, p in graph.parts.items() if p.parts_name == "housing")
    stale = own_values(compiled.layout, graph.footprints[housing], None) * 2  # the screening now disagrees
    screening.update_own(compiled.index(housing), stale)
    mismatches = cross_check(graph, pack, screening=screening)
    assert {m.figure for m in mismatches} >= {"cfp.stages.rawMaterialAcquisitionAndPreProcessing"}
    raw = next(m for m in mismatches if m.figure == "cfp.stages.rawMaterialAcquisitionAndPreProcessing")
    assert (raw.trace_id, raw.exact) == (pack, D(1030)) and raw.screened == pytest.approx(1060)
    assert str(pack) in str(raw) and "rawMaterialAcquisitionAndPreProcessing" in str(raw)
    assert cross_check(graph, pack, screening=rollup_all(compiled)) == ()


def test_updates_are_checked() -> None:
    screening: Screening = rollup_all(shared_sub_part())
    with pytest.raises(PartNotFound):
        screening.update_own(4, np.zeros(NO_ELEMENTS.width))
    with pytest.raises(InvalidInput, match="one row of 20 figures"):
        screening.update_own(0, np.zeros(3))
    with pytest.raises(InvalidInput, match=r"answer\[0\]"):
        screening.update_answer(0, LocalFigures(np.full(NO_ELEMENTS.width, -1.0)))


def test_an_origin_country_outside_the_layout_is_refused() -> None:
    part = a_part(OP, "lot", terminated=True)
    layout = Layout(("nickel",), (("Ni", "JP"),))
    with pytest.raises(InvalidInput, match="no origin column for nickel from ID"):
        own_values(layout, None, content(part, element("Ni", "1", origin={"ID": "1"})))
    with pytest.raises(InvalidInput, match="not one of the elements"):
        Layout(("nickel",), (("cobalt", "JP"),))
    assert layout.origin_columns("nickel") == (("JP", layout.width - 1),)


def test_stage_columns_follow_the_stage_order() -> None:
    assert [Layout.cfp(s) for s in (RAW, MAIN, DIST, EOL)] == [0, 1, 2, 3]
    assert Layout.dqr(Stage.DISTRIBUTION, 2) == 4 + 3 * 2 + 2 and Layout.uncovered(EOL) == 19
    assert Layout().width == 20 + 3 * 4
