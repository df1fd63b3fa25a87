"""Roll-ups over any acyclic graph: shared parts per path, missing or withheld figures, counts, lifetime energy."""

from __future__ import annotations

import uuid

import pytest

from passbridge.errors import InvalidInput, MissingFigures, UnitMismatch
from passbridge.supplychain.answers import AnsweredElement, OriginShare, StageDqr, StageEmission, SupplierAnswer
from passbridge.supplychain.battery import BatteryInstance, BatteryModel, VehicleCategory
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.graph import SourceKind, SupplyGraph
from passbridge.supplychain.lifetime import lifetime_intensity
from passbridge.supplychain.material_rollups import material_content, origin_shares, recycled_content
from passbridge.supplychain.quantities import Unit
from passbridge.supplychain.rollups import carbon_footprint, upstream_counts
from passbridge.supplychain.trades import answer, cancel
from tests.unit.supplychain.builders import (
    MAIN,
    RAW,
    D,
    a_line,
    a_part,
    a_trade,
    an_operator,
    content,
    dqr,
    element,
    own,
)

OP = an_operator("Pack Maker K.K.")
SUPPLIER = an_operator("Nordzelle GmbH", country="DE", open_operator_id=None, bpnl="BPNL000000000B01")


def an_answer(
    *, main: str = "10", main_dqr: tuple[str, str, str] | None = ("2", "2", "2"), counts: tuple[int, int] = (0, 0)
) -> SupplierAnswer:
    cfp = tuple(StageEmission(s, D(main) if s is MAIN else D(0)) for s in Stage)
    dqrs = None if main_dqr is None else (StageDqr(MAIN, dqr(*main_dqr)),)
    nickel = AnsweredElement("Ni", D("0.5"), D("0"), D("0.1"), (OriginShare("ID", D("0.8")),))
    return SupplierAnswer(uuid.uuid4(), uuid.uuid4(), Unit.UNIT, cfp, dqrs, (nickel,), *counts)


def test_a_shared_sub_part_counts_once_per_path_with_its_amounts() -> None:
    # top = 2·left + 3·right; left = 5·shared; right = 7·shared; shared has 1.0 own main emissions and 0.1 kg Ni
    # shared reaches top 2·5 + 3·7 = 31 times: main = 31.0, nickel = 3.1 kg
    top, left, right = (a_part(OP, n, Unit.UNIT) for n in ("top", "left", "right"))
    shared = a_part(OP, "shared", Unit.UNIT, terminated=True)
    lines = [a_line(top, left, "2"), a_line(top, right, "3"), a_line(left, shared, "5"), a_line(right, shared, "7")]
    graph = SupplyGraph.build(
        [top, left, right, shared],
        lines,
        footprints=[own(shared, main=("1.0", dqr("1", "2", "3")))],
        materials=[content(shared, element("Ni", "0.1", post="0.1"))],
    )
    main = carbon_footprint(graph, top.trace_id).stage(MAIN)
    assert main.total == 31
    assert [(c.source, c.amount, c.per_unit, c.value) for c in main.contributions] == [
        (left.trace_id, D(2), D(5), D(10)),
        (right.trace_id, D(3), D(7), D(21)),
    ]
    assert main.dqr is not None and main.dqr.values() == dqr("1", "2", "3")
    assert material_content(graph, top.trace_id).element("nickel").total.mass == D("3.1")
    assert recycled_content(graph, top.trace_id, "Ni").total is not None


def test_a_purchased_part_without_an_answer_is_named() -> None:
    pack, cells = a_part(OP, "pack", Unit.UNIT), a_part(OP, "cells", Unit.UNIT)
    open_trade = a_trade(cells, SUPPLIER)
    no_trade = SupplyGraph.build([pack, cells], [a_line(pack, cells, "10")])
    with pytest.raises(MissingFigures) as caught:
        carbon_footprint(no_trade, pack.trace_id)
    assert caught.value.trace_id == str(cells.trace_id) and caught.value.trade_id is None
    pending = SupplyGraph.build([pack, cells], [a_line(pack, cells, "10")], [open_trade])
    with pytest.raises(MissingFigures, match="not answered yet") as caught:
        carbon_footprint(pending, pack.trace_id)
    assert caught.value.trade_id == str(open_trade.trade_id)
    with pytest.raises(MissingFigures, match="material content"):
        material_content(pending, pack.trace_id)


def test_a_withheld_cfp_is_missing_and_a_withheld_dqr_makes_the_dqr_unknown() -> None:
    pack, cells = a_part(OP, "pack", Unit.UNIT), a_part(OP, "cells", Unit.UNIT)
    no_dqr = answer(a_trade(cells, SUPPLIER), an_answer(main_dqr=None))
    graph = SupplyGraph.build(
        [pack, cells], [a_line(pack, cells, "10")], [no_dqr], [own(pack, main=("5", dqr("1", "1", "1")))]
    )
    main = carbon_footprint(graph, pack.trace_id).stage(MAIN)
    assert main.total == 105 and main.dqr is None and main.weighted_dqr is None
    no_cfp_answer = SupplierAnswer(uuid.uuid4(), uuid.uuid4(), Unit.UNIT, None, None, None, 0, 0)
    no_cfp = SupplyGraph.build(
        [pack, cells], [a_line(pack, cells, "10")], [answer(a_trade(cells, SUPPLIER), no_cfp_answer)]
    )
    with pytest.raises(MissingFigures, match="TOTALCFP"):
        carbon_footprint(no_cfp, pack.trace_id)


def test_a_contributor_without_emissions_needs_no_dqr() -> None:
    pack, cells = a_part(OP, "pack", Unit.UNIT), a_part(OP, "cells", Unit.UNIT)
    zero = answer(a_trade(cells, SUPPLIER), an_answer(main="0", main_dqr=None))
    graph = SupplyGraph.build(
        [pack, cells], [a_line(pack, cells, "10")], [zero], [own(pack, main=("5", dqr("1", "2", "3")))]
    )
    main = carbon_footprint(graph, pack.trace_id).stage(MAIN)
    assert main.total == 5 and main.dqr is not None and main.dqr.values() == dqr("1", "2", "3")
    assert carbon_footprint(graph, pack.trace_id).stage(RAW).dqr is None  # nothing to weigh


def test_answers_contribute_with_their_trade_and_origin_shares_become_masses() -> None:
    pack, cells = a_part(OP, "pack", Unit.UNIT), a_part(OP, "cells", Unit.UNIT)
    trade = answer(a_trade(cells, SUPPLIER), an_answer())
    graph = SupplyGraph.build([pack, cells], [a_line(pack, cells, "10")], [trade])
    cell_main = carbon_footprint(graph, cells.trace_id).stage(MAIN)
    assert [(c.kind, c.trade_id, c.value) for c in cell_main.contributions] == [
        (SourceKind.ANSWER, trade.trade_id, D(10))
    ]
    origin = origin_shares(graph, pack.trace_id, "nickel")
    # 10 cells · 0.5 kg Ni = 5 kg; 80 % from ID -> 4 kg; 20 % unattributed
    assert origin.rollup.total.mass == 5 and [(s.country, s.share.value) for s in origin.shares] == [("ID", D("0.8"))]
    assert origin.unattributed is not None and origin.unattributed.value == D("0.2")
    recycled = recycled_content(graph, pack.trace_id, "nickel")
    assert recycled.post_consumer is not None and recycled.post_consumer.value == D("0.2")


def test_upstream_counts_add_the_suppliers_counts_and_skip_cancelled_trades() -> None:
    pack = a_part(OP, "pack", Unit.UNIT)
    cells, modules, cables = (a_part(OP, n, Unit.UNIT) for n in ("cells", "modules", "cables"))
    answered = answer(a_trade(cells, SUPPLIER), an_answer(counts=(4, 3)))
    pending, cancelled = a_trade(modules, SUPPLIER), cancel(a_trade(cables, SUPPLIER))
    lines = [a_line(pack, cells, "10"), a_line(pack, modules, "2"), a_line(pack, cables, "1")]
    graph = SupplyGraph.build([pack, cells, modules, cables], lines, [answered, pending, cancelled])
    counts = upstream_counts(graph, pack.trace_id)
    # answered: 1 + its 4 upstream; pending: 1; cancelled: 0  ->  6 trades, 1 + 3 completed
    assert (counts.trades_count, counts.completed_count) == (6, 4)


def test_lifetime_intensity_needs_the_battery_part_declared_per_unit() -> None:
    pack = a_part(OP, "pack", Unit.UNIT, terminated=True)
    graph = SupplyGraph.build([pack], footprints=[own(pack, main=("1200", dqr("1", "1", "1")))])
    model = BatteryModel(pack.trace_id, "P", VehicleCategory.L, D("2"), D("6"))
    intensity = lifetime_intensity(carbon_footprint(graph, pack.trace_id), BatteryInstance("SN-1", model))
    assert intensity.lifetime_energy_kwh == 240 and intensity.total.value == 5  # 2 kWh · 20 · 6; 1200 / 240
    per_kg = a_part(OP, "pack per kg", terminated=True)
    kg_graph = SupplyGraph.build([per_kg])
    kg_model = BatteryModel(per_kg.trace_id, "P", VehicleCategory.L, D("2"), D("6"))
    with pytest.raises(UnitMismatch, match="per unit"):
        lifetime_intensity(carbon_footprint(kg_graph, per_kg.trace_id), kg_model)
    with pytest.raises(InvalidInput, match="the battery is"):
        lifetime_intensity(carbon_footprint(graph, pack.trace_id), kg_model)
