"""Mine to pack through three operators, each on its own node, with a recycled lot re-entering as raw material.

Every figure below is worked out by hand; all are per ONE declared unit of the product named. "own raw 4.0, DQR
(2, 3, 2)" means 4.0 kg CO2e per declared unit in the raw-material stage with TeR 2, GeR 3, TiR 2.

Tier 2, C = Kansai Cathode Materials (JP): cathode active material CAM-811, per kilogram.
    BOM per kg CAM:
      0.5 kg NiSO4, virgin (terminated): own raw 4.0, DQR (2, 3, 2); Ni 0.2 kg/kg from ID
      0.25 kg recycled lot R-2025-07 (terminated): own raw 2.0, DQR (1, 1, 2); per kg Ni 0.4 kg from JP (0.1
          pre-consumer: cell-plant scrap; 0.3 post-consumer: end-of-life packs) and Co 0.1 kg from JP (post-consumer)
          <- the recycled lot that re-enters as a raw material
      100 g Li2CO3 (terminated, declared per kg; the line converts g -> kg exactly: 0.1 kg): own raw 15.0,
          DQR (3, 2, 2); Li 0.18 kg/kg from CL
    own: main 5.0, DQR (2, 1, 1)
    raw  = 0.5·4.0 + 0.25·2.0 + 0.1·15.0 = 2.0 + 0.5 + 1.5 = 4.0
    TeR  = (2·2.0 + 1·0.5 + 3·1.5) / 4.0 = 9.0 / 4 = 2.25
    GeR  = (3·2.0 + 1·0.5 + 2·1.5) / 4.0 = 9.5 / 4 = 2.375
    TiR  = (2·2.0 + 2·0.5 + 2·1.5) / 4.0 = 8.0 / 4 = 2
    main = 5.0 (own only), DQR (2, 1, 1); distribution 0, end of life 0; total 9.0
    Ni   = 0.5·0.2 + 0.25·0.4 = 0.1 (ID) + 0.1 (JP) = 0.2; pre 0.25·0.1 = 0.025; post 0.25·0.3 = 0.075
    Co   = 0.25·0.1 = 0.025, all post-consumer, JP;  Li = 0.1·0.18 = 0.018, CL
    counts: no trades -> (0, 0)

Tier 1, B = Nordzelle GmbH (DE): cell CELL-50Ah, per unit.
    BOM per cell: 2 kg CAM (bought from C: figures = C's answer); 1 kg graphite (terminated): own raw 2.0, DQR (2, 2, 2)
    own: main 6.0, DQR (1, 1, 2); distribution 0.5, DQR (2, 2, 2)
    raw  = 2·4.0 + 1·2.0 = 10.0
           TeR = (2.25·8 + 2·2)/10 = 2.2;  GeR = (2.375·8 + 2·2)/10 = 2.3;  TiR = (2·8 + 2·2)/10 = 2
    main = 6.0 + 2·5.0 = 16.0
           TeR = (1·6 + 2·10)/16 = 1.625;  GeR = (1·6 + 1·10)/16 = 1;  TiR = (2·6 + 1·10)/16 = 1.375
    dist = 0.5, DQR (2, 2, 2);  end of life 0 (no DQR);  total 26.5
    Ni   = 2·0.2 = 0.4 (ID 0.5·0.4 = 0.2, JP 0.2); pre 0.05; post 0.15.  Co = 0.05 (post 0.05, JP).  Li = 0.036 (CL)
    counts: its trade with C (completed) + C's (0, 0) -> (1, 1)

Tier 0, A = the pack maker (JP): battery pack PACK-75, per unit; model M1, 75 kWh usable, 8 years.
    BOM per pack: 100 cells (bought from B: figures = B's answer); 20 kg housing (terminated): own raw 1.5, DQR 3
    own: main 150, DQR (1, 1, 1); distribution 50, DQR (2, 2, 2); end of life 25, DQR (3, 3, 3)
    raw  = 100·10.0 + 20·1.5 = 1000 + 30 = 1030;  TeR = (2.2·1000 + 3·30)/1030 = 2290/1030 = 2.2233009…
    main = 150 + 100·16 = 1750;  TeR = (1·150 + 1.625·1600)/1750 = 2750/1750
    dist = 50 + 100·0.5 = 100, DQR 2;  end of life = 25, DQR 3;  total = 1030 + 1750 + 100 + 25 = 2905
    E_total = 75 kWh · 60 cycles/year (M1) · 8 years = 36000 kWh;  2905 / 36000 = 0.0806944… -> Ouranos 0.08070
    Ni   = 100·0.4 = 40 kg: pre 5 (12.5 %), post 15 (37.5 %), recycled 20 (50 %); ID 20 (50 %), JP 20 (50 %)
    Co   = 100·0.05 = 5 kg, all post-consumer (100 %), JP;  Li = 100·0.036 = 3.6 kg, none recycled, CL
    counts: its trade with B + B's (1, 1) -> (2, 2)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest

from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.battery import BatteryModel, VehicleCategory
from passbridge.supplychain.disclosure import AclItem, DisclosureAcl, answer_for_customer
from passbridge.supplychain.graph import SourceKind, SupplyGraph
from passbridge.supplychain.lifetime import lifetime_intensity
from passbridge.supplychain.quantities import Ratio, Unit
from passbridge.supplychain.rollups import PartRollup, roll_up
from passbridge.supplychain.trades import answer
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

D = Decimal
ALL = (AclItem.TOTALCFP, AclItem.TOTALDQR, AclItem.MATERIALS, AclItem.ORIGIN)

C = an_operator("Kansai Cathode Materials K.K.", open_operator_id="7000012050002")
B = an_operator("Nordzelle GmbH", country="DE", open_operator_id=None, bpnl="BPNL000000000B01")
A = an_operator("Pack Maker K.K.", open_operator_id="1180301018771", did="did:web:pack.example")


def ratio(numerator: str, denominator: str) -> Ratio:
    return Ratio(D(numerator), D(denominator))


def same(actual: Ratio | None, expected: Ratio) -> bool:
    """Two ratios are the same number (cross-multiplied, exactly)."""
    assert actual is not None
    return actual.numerator * expected.denominator == expected.numerator * actual.denominator


def tier2() -> tuple[SupplyGraph, uuid.UUID]:
    cam = a_part(C, "CAM-811")
    niso4 = a_part(C, "NiSO4 virgin", terminated=True)
    lot = a_part(C, "recycled lot R-2025-07", terminated=True)
    li = a_part(C, "Li2CO3", terminated=True)
    graph = SupplyGraph.build(
        [cam, niso4, lot, li],
        [a_line(cam, niso4, "0.5"), a_line(cam, lot, "0.25"), a_line(cam, li, "100", Unit.GRAM)],
        footprints=[
            own(niso4, raw=("4.0", dqr("2", "3", "2"))),
            own(lot, raw=("2.0", dqr("1", "1", "2"))),
            own(li, raw=("15.0", dqr("3", "2", "2"))),
            own(cam, main=("5.0", dqr("2", "1", "1"))),
        ],
        materials=[
            content(niso4, element("Ni", "0.2", origin={"ID": "0.2"})),
            content(
                lot,
                element("nickel", "0.4", pre="0.1", post="0.3", origin={"JP": "0.4"}),
                element("Co", "0.1", post="0.1", origin={"JP": "0.1"}),
            ),
            content(li, element("lithium", "0.18", origin={"CL": "0.18"})),
        ],
    )
    return graph, cam.trace_id


def supplier_answer(rollup: PartRollup, customer: str) -> SupplierAnswer:
    return answer_for_customer(rollup, DisclosureAcl(customer, rollup.trace_id).grant(*ALL))


def tier1(cam_answer: SupplierAnswer) -> tuple[SupplyGraph, uuid.UUID]:
    cell = a_part(B, "CELL-50Ah", Unit.UNIT)
    cam = a_part(B, "CAM purchased")
    graphite = a_part(B, "graphite", terminated=True)
    trade = answer(a_trade(cam, C), cam_answer)
    graph = SupplyGraph.build(
        [cell, cam, graphite],
        [a_line(cell, cam, "2"), a_line(cell, graphite, "1")],
        [trade],
        footprints=[
            own(graphite, raw=("2.0", dqr("2", "2", "2"))),
            own(cell, main=("6.0", dqr("1", "1", "2")), dist=("0.5", dqr("2", "2", "2"))),
        ],
    )
    return graph, cell.trace_id


def tier0(cell_answer: SupplierAnswer) -> tuple[SupplyGraph, uuid.UUID]:
    pack = a_part(A, "PACK-75", Unit.UNIT)
    cells = a_part(A, "cell purchased", Unit.UNIT)
    housing = a_part(A, "housing", terminated=True)
    graph = SupplyGraph.build(
        [pack, cells, housing],
        [a_line(pack, cells, "100"), a_line(pack, housing, "20")],
        [answer(a_trade(cells, B), cell_answer)],
        footprints=[
            own(housing, raw=("1.5", dqr("3", "3", "3"))),
            own(
                pack, main=("150", dqr("1", "1", "1")), dist=("50", dqr("2", "2", "2")), eol=("25", dqr("3", "3", "3"))
            ),
        ],
    )
    return graph, pack.trace_id


@dataclass(frozen=True)
class Chain:
    """Each tier's roll-up on its own node, and the answers passed down."""

    cam: PartRollup
    cell: PartRollup
    pack: PartRollup
    cam_answer: SupplierAnswer
    cell_answer: SupplierAnswer


@pytest.fixture(scope="module")
def chain() -> Chain:
    graph_c, cam = tier2()
    rollup_c = roll_up(graph_c, cam)
    answer_c = supplier_answer(rollup_c, B.key)
    graph_b, cell = tier1(answer_c)
    rollup_b = roll_up(graph_b, cell)
    answer_b = supplier_answer(rollup_b, A.key)
    graph_a, pack = tier0(answer_b)
    return Chain(rollup_c, rollup_b, roll_up(graph_a, pack), answer_c, answer_b)


def test_tier2_cathode_maker_rolls_up_its_raw_materials_and_the_recycled_lot(chain: Chain) -> None:
    rollup_c = chain.cam
    footprint = rollup_c.footprint
    raw = footprint.stage(RAW)
    assert [c.value for c in raw.contributions] == [D("2.0"), D("0.5"), D("1.5")]
    assert raw.contributions[2].amount == D("0.1")  # 100 g as kg
    assert (raw.own, raw.component, raw.total) == (D(0), D("4.0"), D("4.0"))
    assert raw.dqr is not None and raw.dqr.values() == dqr("2.25", "2.375", "2")
    main_dqr = footprint.stage(MAIN).dqr
    assert footprint.stage(MAIN).total == D("5.0") and main_dqr is not None and main_dqr.values() == dqr("2", "1", "1")
    assert footprint.stage(DIST).total == 0 and footprint.stage(DIST).dqr is None
    assert footprint.total == D("9.0")
    nickel = rollup_c.materials.element("nickel")
    assert (nickel.total.mass, nickel.total.recycled_pre_consumer, nickel.total.recycled_post_consumer) == (
        D("0.2"),
        D("0.025"),
        D("0.075"),
    )
    assert {o.country: o.mass for o in nickel.total.origin} == {"ID": D("0.1"), "JP": D("0.1")}
    assert rollup_c.materials.element("Co").recycled_share == ratio("0.025", "0.025")
    assert (rollup_c.upstream.trades_count, rollup_c.upstream.completed_count) == (0, 0)


def test_tier2_answer_carries_per_unit_figures_only(chain: Chain) -> None:
    answer_c = chain.cam_answer
    assert [(s.stage, s.emissions) for s in answer_c.cfp or ()] == [
        (RAW, D(4)),
        (MAIN, D(5)),
        (DIST, D(0)),
        (EOL, D(0)),
    ]
    assert {s.stage: s.dqr for s in answer_c.dqr or ()} == {RAW: dqr("2.25", "2.375", "2"), MAIN: dqr("2", "1", "1")}
    nickel = next(e for e in answer_c.materials or () if e.element == "nickel")
    assert {o.country: o.share for o in nickel.origin or ()} == {"ID": D("0.5"), "JP": D("0.5")}
    assert (answer_c.trades_count, answer_c.completed_count) == (0, 0)


def test_tier1_cell_maker_uses_the_cathode_answer_times_its_own_amount(chain: Chain) -> None:
    rollup_b = chain.cell
    raw, main = rollup_b.footprint.stage(RAW), rollup_b.footprint.stage(MAIN)
    bought = next(c for c in raw.contributions if c.kind is SourceKind.BOM_LINE and c.amount == 2)
    assert (bought.per_unit, bought.value) == (D("4.0"), D("8.0"))
    assert raw.total == D("10.0") and raw.dqr.values() == dqr("2.2", "2.3", "2")  # type: ignore[union-attr]
    assert main.total == D("16.0") and main.dqr.values() == dqr("1.625", "1", "1.375")  # type: ignore[union-attr]
    assert rollup_b.footprint.stage(DIST).total == D("0.5")
    assert rollup_b.footprint.total == D("26.5")
    nickel = rollup_b.materials.element("nickel")
    assert (nickel.total.mass, nickel.total.recycled_pre_consumer, nickel.total.recycled_post_consumer) == (
        D("0.4"),
        D("0.05"),
        D("0.15"),
    )
    assert {o.country: o.mass for o in nickel.total.origin} == {"ID": D("0.2"), "JP": D("0.2")}
    assert (rollup_b.upstream.trades_count, rollup_b.upstream.completed_count) == (1, 1)


def test_tier0_pack_figures_match_the_hand_computation(chain: Chain) -> None:
    pack = chain.pack
    stages = {s.stage: s for s in pack.footprint.stages}
    assert {stage: s.total for stage, s in stages.items()} == {RAW: 1030, MAIN: 1750, DIST: 100, EOL: 25}
    assert pack.footprint.total == 2905
    raw_dqr, main_dqr = stages[RAW].dqr, stages[MAIN].dqr
    assert raw_dqr is not None and main_dqr is not None
    assert same(raw_dqr.ter, ratio("2290", "1030")) and same(raw_dqr.ger, ratio("2390", "1030"))
    assert same(main_dqr.ter, ratio("2750", "1750")) and same(main_dqr.tir, ratio("2350", "1750"))
    assert raw_dqr.ter.ouranos() == D("2.22331")  # 2.2233009… rounded up at the 6th decimal
    assert stages[DIST].dqr.values() == dqr("2", "2", "2")  # type: ignore[union-attr]
    assert stages[EOL].dqr.values() == dqr("3", "3", "3")  # type: ignore[union-attr]
    assert (pack.upstream.trades_count, pack.upstream.completed_count) == (2, 2)


def test_tier0_recycled_content_and_origin_trace_back_to_the_recycled_lot(chain: Chain) -> None:
    materials = chain.pack.materials
    nickel, cobalt, lithium = materials.element("nickel"), materials.element("cobalt"), materials.element("lithium")
    assert nickel.total.mass == 40
    assert same(nickel.recycled_pre_consumer_share, ratio("5", "40"))  # 12.5 %
    assert same(nickel.recycled_post_consumer_share, ratio("15", "40"))  # 37.5 %
    assert nickel.recycled_share is not None and nickel.recycled_share.value == D("0.5")
    assert {s.country: s.share.value for s in nickel.origin_shares} == {"ID": D("0.5"), "JP": D("0.5")}
    assert nickel.unattributed_share is not None and nickel.unattributed_share.value == 0
    assert cobalt.total.mass == 5 and cobalt.recycled_share is not None and cobalt.recycled_share.value == 1
    assert lithium.total.mass == D("3.6") and lithium.recycled_share is not None and lithium.recycled_share.value == 0
    assert [s.country for s in lithium.origin_shares] == ["CL"]
    assert materials.element("lead").recycled_share is None  # no lead anywhere in this pack


def test_tier0_per_kwh_of_lifetime_energy(chain: Chain) -> None:
    pack = chain.pack
    model = BatteryModel(pack.trace_id, "PACK-75", VehicleCategory.M1, D("75"), D("8"))
    intensity = lifetime_intensity(pack.footprint, model)
    assert intensity.lifetime_energy_kwh == 36000  # 75 kWh · 60 · 8
    assert same(intensity.total, ratio("2905", "36000"))
    assert intensity.total.ouranos() == D("0.08070")
    assert {s.stage: s.per_kwh.ouranos() for s in intensity.stages}[RAW] == D("0.02862")  # 0.028611…
