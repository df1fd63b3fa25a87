"""Roll-up laws over random acyclic supply graphs, and Ouranos rounding."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from passbridge.supplychain.answers import AnsweredElement, OriginShare, StageDqr, StageEmission, SupplierAnswer
from passbridge.supplychain.canonical import sha256_hex
from passbridge.supplychain.footprints import (
    Dqr,
    ElementContent,
    MaterialContent,
    OriginMass,
    OwnFootprint,
    Stage,
    StageFootprint,
)
from passbridge.supplychain.graph import SourceKind, SupplyGraph
from passbridge.supplychain.material_rollups import material_content
from passbridge.supplychain.model import BomLine, Operator, Part
from passbridge.supplychain.quantities import EXACT, OURANOS_MAX, Ratio, Unit, exact_product, exact_sum, ouranos_round
from passbridge.supplychain.rollups import PartRollup, carbon_footprint, roll_up
from passbridge.supplychain.trades import Trade, answer

OURS = Operator("Pack Maker K.K.", "JP", open_operator_id="1180301018771")
THEIRS = Operator("Nordzelle GmbH", "DE", bpnl="BPNL000000000B01")
ELEMENTS = ("nickel", "cobalt", "lithium", "lead")
COUNTRIES = ("JP", "ID", "CL", "AU", "CD")

amounts = st.decimals(min_value=0, max_value=50, places=3)
emissions = st.decimals(min_value=0, max_value=500, places=4)
masses = st.decimals(min_value=0, max_value=5, places=3)
dqrs = st.builds(Dqr, *(st.decimals(min_value=0, max_value=5, places=2) for _ in range(3)))


@st.composite
def percentages(draw: st.DrawFn, count: int) -> list[Decimal]:
    """`count` shares in hundredths that add up to at most 1 (differences of sorted cut points)."""
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=count, max_size=count)))
    return [Decimal(b - a) / 100 for a, b in zip([0, *cuts], cuts, strict=False)]


@st.composite
def element_contents(draw: st.DrawFn) -> tuple[ElementContent, ...]:
    contents = []
    for name in draw(st.lists(st.sampled_from(ELEMENTS), unique=True, max_size=3)):
        mass = draw(masses)
        pre, post = draw(percentages(2))
        countries = draw(st.lists(st.sampled_from(COUNTRIES), unique=True, max_size=3))
        shares = draw(percentages(len(countries)))
        origin = tuple(OriginMass(c, exact_product(mass, s)) for c, s in zip(countries, shares, strict=True))
        contents.append(ElementContent(name, mass, exact_product(mass, pre), exact_product(mass, post), origin))
    return tuple(contents)


@st.composite
def answered_elements(draw: st.DrawFn) -> tuple[AnsweredElement, ...]:
    elements = []
    for name in draw(st.lists(st.sampled_from(ELEMENTS), unique=True, max_size=3)):
        mass = draw(masses)
        pre, post = draw(percentages(2))
        countries = draw(st.lists(st.sampled_from(COUNTRIES), unique=True, max_size=3))
        shares = draw(percentages(len(countries)))
        origin = tuple(OriginShare(c, s) for c, s in zip(countries, shares, strict=True))
        elements.append(
            AnsweredElement(
                name,
                mass,
                exact_product(mass, pre),
                exact_product(mass, post),
                origin if draw(st.booleans()) else None,  # None: origin withheld, the mass stays unattributed
            )
        )
    return tuple(elements)


@st.composite
def answers(draw: st.DrawFn, answer_id: uuid.UUID) -> SupplierAnswer:
    cfp = tuple(StageEmission(s, draw(emissions)) for s in Stage)
    stage_dqrs = tuple(StageDqr(s, draw(dqrs)) for s in Stage if draw(st.integers(0, 4)))  # now and then none
    trades, completed = sorted(draw(st.lists(st.integers(0, 20), min_size=2, max_size=2)), reverse=True)
    return SupplierAnswer(
        answer_id,
        uuid.UUID(int=answer_id.int + 1000),
        draw(st.sampled_from([Unit.KILOGRAM, Unit.GRAM, Unit.TONNE])),  # restated per kilogram by the graph
        cfp,
        stage_dqrs,
        draw(answered_elements()),
        trades,
        completed,
    )


@dataclass(frozen=True)
class Scenario:
    parts: tuple[Part, ...]
    lines: tuple[BomLine, ...]
    trades: tuple[Trade, ...]
    footprints: tuple[OwnFootprint, ...]
    materials: tuple[MaterialContent, ...]

    @property
    def root(self) -> uuid.UUID:
        return self.parts[0].trace_id

    def graph(
        self,
        *,
        parts: tuple[Part, ...] | None = None,
        lines: tuple[BomLine, ...] | None = None,
        trades: tuple[Trade, ...] | None = None,
    ) -> SupplyGraph:
        return SupplyGraph.build(
            self.parts if parts is None else parts,
            self.lines if lines is None else lines,
            self.trades if trades is None else trades,
            self.footprints,
            self.materials,
        )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Parts 0..n-1 per kilogram; lines (in kg or g) only from a lower to a higher index, so acyclic, with shared
    sub-parts; every leaf is either terminated or bought through an answered trade (per kg, g or t)."""
    n = draw(st.integers(2, 7))
    ids = [uuid.UUID(int=i + 1) for i in range(n)]
    first_parent = {j: draw(st.integers(0, j - 1)) for j in range(1, n)}  # so every part lies below part 0
    lines = [
        BomLine(ids[i], ids[j], *draw(st.sampled_from([(a, Unit.KILOGRAM), (a * 1000, Unit.GRAM)])))
        for i in range(n)
        for j in range(i + 1, n)
        if (a := draw(amounts)) is not None and (first_parent[j] == i or draw(st.integers(0, 3)) == 0)
    ]
    parents = {line.parent for line in lines}
    bought = [i for i in range(n) if ids[i] not in parents and draw(st.booleans())]
    parts = tuple(
        Part(ids[i], OURS, f"P{i}", Unit.KILOGRAM, terminated=ids[i] not in parents and i not in bought)
        for i in range(n)
    )
    trades = tuple(
        answer(Trade(uuid.UUID(int=1000 + i), OURS, ids[i], THEIRS), draw(answers(uuid.UUID(int=2000 + i))))
        for i in bought
    )
    footprints = tuple(
        OwnFootprint(ids[i], Unit.KILOGRAM, tuple(StageFootprint(s, draw(emissions), draw(dqrs)) for s in stages))
        for i in range(n)
        if (stages := draw(st.sets(st.sampled_from(Stage))))
    )
    materials = tuple(
        MaterialContent(ids[i], Unit.KILOGRAM, draw(element_contents())) for i in range(n) if draw(st.booleans())
    )
    return Scenario(parts, tuple(lines), trades, footprints, materials)


@settings(deadline=None)
@given(scenarios())
def test_total_equals_own_plus_the_sum_of_contributions(scenario: Scenario) -> None:
    rollup = roll_up(scenario.graph(), scenario.root)
    for stage in rollup.footprint.stages:
        assert stage.component == exact_sum(c.value for c in stage.contributions)
        assert stage.total == EXACT.add(stage.own, stage.component)
        assert all(c.value == exact_product(c.amount, c.per_unit) for c in stage.contributions)
    assert rollup.footprint.total == exact_sum(s.total for s in rollup.footprint.stages)
    for element in rollup.materials.elements:
        parts = [element.own, *(c.value for c in element.contributions)]
        assert element.total.mass == exact_sum(p.mass for p in parts)
        assert element.total.recycled_post_consumer == exact_sum(p.recycled_post_consumer for p in parts)


@settings(deadline=None)
@given(scenarios())
def test_a_child_enters_its_parent_with_its_own_roll_up_totals(scenario: Scenario) -> None:
    # parts below the rolled-up one take the lean path (sums, no records); it must agree with the full one
    graph = scenario.graph()
    rollup = roll_up(graph, scenario.root)
    for stage in rollup.footprint.stages:
        for c in stage.contributions:
            if c.kind is SourceKind.BOM_LINE:
                child = carbon_footprint(graph, c.source).stage(stage.stage)
                assert c.per_unit == child.total
                if c.value:  # a contribution of nothing weighs nothing, whatever the child's DQR
                    expected = None if child.weighted_dqr is None else child.weighted_dqr.times(c.amount)
                    assert c.weighted_dqr == expected
    for element in rollup.materials.elements:
        for m in element.contributions:
            if m.kind is SourceKind.BOM_LINE:
                assert m.per_unit == material_content(graph, m.source).element(element.element).total


def _in_unit_interval(ratio: Ratio | None) -> bool:
    return ratio is None or (0 <= ratio.numerator <= ratio.denominator and 0 <= ratio.value <= 1)


@settings(deadline=None)
@given(scenarios())
def test_shares_lie_between_zero_and_one_and_origin_shares_add_up_to_one(scenario: Scenario) -> None:
    for element in roll_up(scenario.graph(), scenario.root).materials.elements:
        shares = [element.recycled_share, element.recycled_pre_consumer_share, element.recycled_post_consumer_share]
        shares += [s.share for s in element.origin_shares] + [element.unattributed_share]
        assert all(_in_unit_interval(share) for share in shares)
        if element.total.mass:
            attributed = exact_sum(s.share.numerator for s in element.origin_shares)
            assert EXACT.add(attributed, element.total.unattributed) == element.total.mass
            assert exact_sum(s.share.value for s in element.origin_shares) <= 1


def _digest(rollup: PartRollup) -> str:
    return sha256_hex(rollup)  # canonical: every collection sorted, so only the content counts


@settings(deadline=None)
@given(st.data())
def test_the_result_does_not_depend_on_the_order_of_lines_or_parts(data: st.DataObject) -> None:
    scenario = data.draw(scenarios())
    lines = tuple(data.draw(st.permutations(scenario.lines)))
    parts = (scenario.parts[0], *data.draw(st.permutations(scenario.parts[1:])))
    reordered = roll_up(scenario.graph(lines=lines, parts=parts), scenario.root)
    original = roll_up(scenario.graph(), scenario.root)
    assert _digest(reordered) == _digest(original)
    assert reordered.footprint.total == original.footprint.total


def _scaled(answer_: SupplierAnswer, k: Decimal) -> SupplierAnswer:
    cfp = tuple(StageEmission(s.stage, exact_product(s.emissions, k)) for s in answer_.cfp or ())
    elements = tuple(
        dataclasses.replace(
            e,
            mass=exact_product(e.mass, k),
            recycled_pre_consumer=exact_product(e.recycled_pre_consumer, k),
            recycled_post_consumer=exact_product(e.recycled_post_consumer, k),
        )
        for e in answer_.materials or ()
    )
    return dataclasses.replace(answer_, cfp=cfp, materials=elements)


@settings(deadline=None)
@given(scenarios(), st.decimals(min_value=0, max_value=20, places=2), st.data())
def test_scaling_an_answer_by_k_scales_its_contribution_by_k(
    scenario: Scenario, k: Decimal, data: st.DataObject
) -> None:
    if not scenario.trades:
        return
    index = data.draw(st.integers(0, len(scenario.trades) - 1))
    trade = scenario.trades[index]
    assert trade.answer is not None

    def with_answer(k_: Decimal) -> SupplyGraph:
        trades = list(scenario.trades)
        trades[index] = dataclasses.replace(trade, answer=_scaled(trade.answer, k_))  # type: ignore[arg-type]
        return scenario.graph(trades=tuple(trades))

    base, scaled, zero = with_answer(Decimal(1)), with_answer(k), with_answer(Decimal(0))
    part = trade.downstream_trace_id
    for stage in Stage:
        contribution = [
            c for c in roll_up(base, part).footprint.stage(stage).contributions if c.kind is SourceKind.ANSWER
        ]
        scaled_one = [
            c for c in roll_up(scaled, part).footprint.stage(stage).contributions if c.kind is SourceKind.ANSWER
        ]
        assert scaled_one[0].value == exact_product(k, contribution[0].value)
        # and linearly all the way up to the root: total(k) - total(0) = k · (total(1) - total(0))
        t1, tk, t0 = (roll_up(g, scenario.root).footprint.stage(stage).total for g in (base, scaled, zero))
        assert EXACT.subtract(tk, t0) == exact_product(k, EXACT.subtract(t1, t0))


@given(st.decimals(min_value=0, max_value=OURANOS_MAX, allow_nan=False, allow_infinity=False))
def test_ouranos_rounding_never_decreases_a_positive_value_and_keeps_five_decimals(x: Decimal) -> None:
    rounded = ouranos_round(x)
    assert rounded >= x
    assert EXACT.subtract(rounded, x) < Decimal("0.00001")
    assert rounded.as_tuple().exponent == -5
