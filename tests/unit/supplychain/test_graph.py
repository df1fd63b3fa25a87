"""Building a supply graph: cycles with their path, units that must convert exactly, one operator per BOM."""

from __future__ import annotations

import uuid

import pytest

from passbridge.errors import CycleDetected, InexactConversion, InvalidInput, PartNotFound, UnitMismatch
from passbridge.supplychain.answers import StageEmission, SupplierAnswer
from passbridge.supplychain.footprints import OwnFootprint, Stage
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.quantities import Unit
from passbridge.supplychain.trades import Trade, answer, cancel
from tests.unit.supplychain.builders import D, a_line, a_part, a_trade, an_operator, dqr, own

OP = an_operator("Pack Maker K.K.")
SUPPLIER = an_operator("Nordzelle GmbH", country="DE", open_operator_id=None, bpnl="BPNL000000000B01")


def per_unit_answer(unit: Unit, emissions: str = "1") -> SupplierAnswer:
    cfp = tuple(StageEmission(s, D(emissions)) for s in Stage)
    return SupplierAnswer(uuid.uuid4(), uuid.uuid4(), unit, cfp, None, None, 0, 0)


def test_a_cycle_is_refused_with_its_path() -> None:
    a, b, c, d = (a_part(OP, name) for name in "ABCD")
    lines = [a_line(a, b, "1"), a_line(b, c, "1"), a_line(c, d, "1"), a_line(c, a, "2")]
    with pytest.raises(CycleDetected) as caught:
        SupplyGraph.build([a, b, c, d], lines)
    assert caught.value.names == ("A", "B", "C", "A")
    assert caught.value.cycle == tuple(str(p.trace_id) for p in (a, b, c, a))
    assert "A → B → C → A" in str(caught.value)


def test_a_part_containing_itself_is_a_cycle() -> None:
    a = a_part(OP, "A")
    with pytest.raises(CycleDetected, match="A → A"):
        SupplyGraph.build([a], [a_line(a, a, "1")])


def test_a_diamond_is_not_a_cycle() -> None:
    top, left, right, shared = (a_part(OP, name) for name in ("top", "left", "right", "shared"))
    lines = [a_line(top, left, "1"), a_line(top, right, "1"), a_line(left, shared, "1"), a_line(right, shared, "1")]
    graph = SupplyGraph.build([top, left, right, shared], lines)
    order = graph.upstream(top.trace_id)
    assert order[-1] == top.trace_id and order.count(shared.trace_id) == 1
    assert order.index(shared.trace_id) < min(order.index(left.trace_id), order.index(right.trace_id))


def test_a_bom_line_in_another_unit_than_its_child_names_both_units() -> None:
    cell, cam = a_part(OP, "CELL", Unit.UNIT), a_part(OP, "CAM", Unit.KILOGRAM)
    with pytest.raises(UnitMismatch) as caught:
        SupplyGraph.build([cell, cam], [a_line(cell, cam, "2", Unit.UNIT)])
    assert (caught.value.from_unit, caught.value.to_unit) == ("unit", "kilogram")
    message = str(caught.value)
    assert "BOM line CELL → CAM" in message and "unit" in message and "kilogram" in message
    assert caught.value.violations[0].path == "bomLines[0].amountRequiredUnit"


def test_a_bom_line_in_grams_for_a_child_in_kilograms_is_converted_exactly() -> None:
    cell, cam = a_part(OP, "CELL", Unit.UNIT), a_part(OP, "CAM", Unit.KILOGRAM)
    graph = SupplyGraph.build([cell, cam], [a_line(cell, cam, "2150", Unit.GRAM)])
    assert graph.children[cell.trace_id][0].amount == D("2.15")


def test_an_inexact_energy_conversion_is_refused() -> None:
    cell, power = a_part(OP, "CELL", Unit.UNIT), a_part(OP, "grid power", Unit.KILOWATT_HOUR, terminated=True)
    with pytest.raises(InexactConversion, match="10 megajoule has no exact decimal value in kilowatt-hour"):
        SupplyGraph.build([cell, power], [a_line(cell, power, "10", Unit.MEGAJOULE)])
    graph = SupplyGraph.build([cell, power], [a_line(cell, power, "36", Unit.MEGAJOULE)])
    assert graph.children[cell.trace_id][0].amount == 10


def test_an_answer_in_another_unit_is_restated_or_refused_naming_both_units() -> None:
    cam = a_part(OP, "CAM purchased", Unit.KILOGRAM)
    per_tonne = answer(a_trade(cam, SUPPLIER), per_unit_answer(Unit.TONNE, "4000"))
    graph = SupplyGraph.build([cam], trades=[per_tonne])
    assert graph.answers[cam.trace_id].emissions(Stage.MAIN_PRODUCTION) == 4  # 4000 per t = 4 per kg
    per_piece = answer(a_trade(cam, SUPPLIER), per_unit_answer(Unit.UNIT))
    with pytest.raises(UnitMismatch) as caught:
        SupplyGraph.build([cam], trades=[per_piece])
    assert (caught.value.from_unit, caught.value.to_unit) == ("unit", "kilogram")
    assert f"trade {per_piece.trade_id}" in str(caught.value)


def test_own_figures_in_another_unit_are_restated_per_the_declared_unit() -> None:
    cam = a_part(OP, "CAM", Unit.KILOGRAM, terminated=True)
    per_gram = OwnFootprint(cam.trace_id, Unit.GRAM, own(cam, main=("0.005", dqr("1", "1", "1"))).stages)
    graph = SupplyGraph.build([cam], footprints=[per_gram])
    stage = graph.footprints[cam.trace_id].stage(Stage.MAIN_PRODUCTION)
    assert stage is not None and stage.emissions == 5


def test_bom_lines_join_parts_of_one_operator_only() -> None:
    cell, cam = a_part(OP, "CELL", Unit.UNIT), a_part(SUPPLIER, "CAM")
    with pytest.raises(InvalidInput, match="only through a trade"):
        SupplyGraph.build([cell, cam], [a_line(cell, cam, "2")])


def test_unknown_parts_and_repeated_lines_are_named() -> None:
    cell, cam = a_part(OP, "CELL", Unit.UNIT), a_part(OP, "CAM")
    with pytest.raises(InvalidInput) as caught:
        SupplyGraph.build([cell], [a_line(cell, cam, "2")])
    assert caught.value.violations[0].path == "bomLines[0].traceId"
    assert str(cam.trace_id) in str(caught.value)
    with pytest.raises(InvalidInput, match="appears more than once"):
        SupplyGraph.build([cell, cam], [a_line(cell, cam, "2"), a_line(cell, cam, "3")])
    with pytest.raises(PartNotFound):
        SupplyGraph.build([cell]).upstream(cam.trace_id)


def test_more_than_fifty_children_are_refused_only_under_the_ouranos_limits() -> None:
    parent = a_part(OP, "PACK", Unit.UNIT)
    children = [a_part(OP, f"C{i}", terminated=True) for i in range(51)]
    lines = [a_line(parent, child, "1") for child in children]
    SupplyGraph.build([parent, *children], lines)
    with pytest.raises(InvalidInput) as caught:
        SupplyGraph.build([parent, *children], lines, ouranos_limits=True)
    assert caught.value.violations[0].path == "bomLines[50]"
    assert "PACK has more than 50 children" in str(caught.value)


def test_a_terminated_part_takes_no_trade_and_a_part_one_active_trade() -> None:
    leaf = a_part(OP, "housing", terminated=True)
    with pytest.raises(InvalidInput, match="terminated"):
        SupplyGraph.build([leaf], trades=[a_trade(leaf, SUPPLIER)])
    bought = a_part(OP, "cell purchased", Unit.UNIT)
    first, second = a_trade(bought, SUPPLIER), a_trade(bought, SUPPLIER)
    with pytest.raises(InvalidInput, match=f"already has trade {first.trade_id}"):
        SupplyGraph.build([bought], trades=[first, second])
    graph = SupplyGraph.build([bought], trades=[cancel(first), second])
    assert graph.trades[bought.trace_id] == second


def test_a_trade_for_someone_elses_part_is_refused() -> None:
    theirs = a_part(SUPPLIER, "CAM")
    trade = Trade(uuid.uuid4(), OP, theirs.trace_id, an_operator("Third K.K.", open_operator_id="1234567890123"))
    with pytest.raises(InvalidInput, match="not the buyer's"):
        SupplyGraph.build([theirs], trades=[trade])
