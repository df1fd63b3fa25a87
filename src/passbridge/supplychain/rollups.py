"""Carbon-footprint roll-ups: CFP per stage with its emission-weighted DQR, and upstream counts.

Layout: `WeightedDqr` / `DqrResult` (DQR as exact emission-weighted sums), `Contribution`, `StageRollup` and
`FootprintRollup` with `carbon_footprint`; `UpstreamCounts` with `upstream_counts`; `PartRollup` with `roll_up`
(everything a part's answer or passport needs, including the materials of `material_rollups`). The battery-level
figure per kWh of lifetime energy is in `lifetime`.

Formulas (ouranos.md §7, extended from Ouranos' two stages to the four EU stages), per declared unit of part P:

    component_s(P) = Σ_i amountRequired_i · total_s(child_i)     (+ the answer of P's trade, restated per P's unit)
    total_s(P)     = own_s(P) + component_s(P)
    DQR_x,s(P)     = (Σ_i DQR_x,i · amt_i · e_i + DQR_x,own · e_own) / (Σ_i amt_i · e_i + e_own),  x ∈ TeR, GeR, TiR

`WeightedDqr` carries the numerators Σ DQR·e exactly, so the quotient is taken once, at the end, and equals applying
the formula tier by tier with exact DQRs. A contributor with emissions but no DQR (withheld) makes the DQR unknown.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from passbridge.errors import MissingFigures
from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.footprints import Dqr, Stage
from passbridge.supplychain.graph import SourceKind, SupplyGraph
from passbridge.supplychain.material_rollups import MaterialsRollup, material_content
from passbridge.supplychain.quantities import Ratio, Unit, exact_product, exact_sum
from passbridge.supplychain.trades import TradeStatus

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class WeightedDqr:
    """Σ DQR · emissions for each criterion: additive, so contributions can be summed exactly."""

    ter: Decimal
    ger: Decimal
    tir: Decimal

    @classmethod
    def of(cls, dqr: Dqr, emissions: Decimal) -> WeightedDqr:
        """`dqr` weighted by `emissions`."""
        return cls(
            exact_product(dqr.ter, emissions), exact_product(dqr.ger, emissions), exact_product(dqr.tir, emissions)
        )

    def times(self, amount: Decimal) -> WeightedDqr:
        """Scaled by `amount`."""
        return WeightedDqr(
            exact_product(self.ter, amount), exact_product(self.ger, amount), exact_product(self.tir, amount)
        )


ZERO_WEIGHT: Final = WeightedDqr(_ZERO, _ZERO, _ZERO)


def _add_weights(weights: Iterable[WeightedDqr | None]) -> WeightedDqr | None:
    items = list(weights)
    if any(w is None for w in items):
        return None
    known = [w for w in items if w is not None]
    return WeightedDqr(
        exact_sum(w.ter for w in known), exact_sum(w.ger for w in known), exact_sum(w.tir for w in known)
    )


def _weight(dqr: Dqr | None, emissions: Decimal) -> WeightedDqr | None:
    """A contributor without emissions weighs nothing, whatever its DQR; one with emissions needs a DQR."""
    if emissions == 0:
        return ZERO_WEIGHT
    return None if dqr is None else WeightedDqr.of(dqr, emissions)


@dataclass(frozen=True, slots=True)
class DqrResult:
    """An emission-weighted DQR, each criterion an exact ratio over the stage's emissions."""

    ter: Ratio
    ger: Ratio
    tir: Ratio

    @property
    def overall(self) -> Ratio:
        """(TeR + GeR + TiR) / 3, as in the Ouranos reference app."""
        numerator = exact_sum((self.ter.numerator, self.ger.numerator, self.tir.numerator))
        return Ratio(numerator, exact_product(self.ter.denominator, Decimal(3)))

    def values(self) -> Dqr:
        """The three criteria as decimals (`Ratio.value`)."""
        return Dqr(self.ter.value, self.ger.value, self.tir.value)


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one child or answer adds to one stage of a part.

    Attributes:
        kind: BOM line or answer.
        source: the child's traceId (BOM line) or the answer's id.
        trade_id: the trade the answer came through (answers only).
        amount: child units per unit of the part (1 for an answer, which is restated per the part's unit).
        per_unit: the child's (or answer's) total for the stage, kg CO2e per its unit.
        value: amount · per_unit.
        weighted_dqr: the contribution's DQR · emissions; None if it has emissions but no (released) DQR.
    """

    kind: SourceKind
    source: uuid.UUID
    trade_id: uuid.UUID | None
    amount: Decimal
    per_unit: Decimal
    value: Decimal
    weighted_dqr: WeightedDqr | None


@dataclass(frozen=True, slots=True)
class StageRollup:
    """One stage of a part, kg CO2e per declared unit: total = own + component.

    Attributes:
        stage: the life-cycle stage.
        own: the part's own emissions.
        own_dqr: the DQR of `own` (None when the part has no own emissions in this stage).
        contributions: one per BOM child and per answer.
        component: Σ contributions.
        total: own + component.
        weighted_dqr: Σ DQR · emissions over own and contributions; None if some emissions lack a DQR.
    """

    stage: Stage
    own: Decimal
    own_dqr: Dqr | None
    contributions: tuple[Contribution, ...]
    component: Decimal
    total: Decimal
    weighted_dqr: WeightedDqr | None

    @property
    def dqr(self) -> DqrResult | None:
        """The emission-weighted DQR; None if the stage has no emissions or some lack a DQR."""
        weighted = self.weighted_dqr
        if weighted is None or self.total == 0:
            return None
        return DqrResult(
            Ratio(weighted.ter, self.total), Ratio(weighted.ger, self.total), Ratio(weighted.tir, self.total)
        )


@dataclass(frozen=True, slots=True)
class FootprintRollup:
    """The carbon footprint of a part per declared unit, by stage.

    Attributes:
        trace_id: the part.
        declared_unit: the unit every figure is per.
        stages: one roll-up per `Stage`, in `Stage` order.
    """

    trace_id: uuid.UUID
    declared_unit: Unit
    stages: tuple[StageRollup, ...]

    @property
    def total(self) -> Decimal:
        """kg CO2e per declared unit over all four stages."""
        return exact_sum(s.total for s in self.stages)

    def stage(self, stage: Stage) -> StageRollup:
        """The roll-up of `stage`."""
        return next(s for s in self.stages if s.stage is stage)


def _answer_cfp(graph: SupplyGraph, part_id: uuid.UUID) -> SupplierAnswer | None:
    """The answer standing for `part_id`'s supply, or None if it needs none.

    Raises:
        MissingFigures: if it needs one that is not there or withholds the CFP.
    """
    part, trade = graph.parts[part_id], graph.trades.get(part_id)
    if trade is None:
        if part.terminated or part_id in graph.children:
            return None
        raise MissingFigures(str(part_id), "CFP", f"{part.parts_name} is not terminated, has no BOM and no trade")
    if trade.status is not TradeStatus.COMPLETED:
        raise MissingFigures(str(part_id), "CFP", "the request is not answered yet", str(trade.trade_id))
    answer = graph.answers[part_id]
    if answer.cfp is None:
        raise MissingFigures(
            str(part_id), "CFP", "withheld by the supplier (TOTALCFP not released)", str(trade.trade_id)
        )
    return answer


_StageSum = tuple[Decimal, WeightedDqr | None]
"""A stage's total and weighted DQR per unit of a part below the one rolled up (no contribution records)."""


def _answer_sums(answer: SupplierAnswer) -> tuple[_StageSum, ...]:
    sums = []
    for stage in Stage:
        emissions = answer.emissions(stage)
        if emissions is None:  # pragma: no cover - `_answer_cfp` refuses answers without a CFP
            raise MissingFigures(str(answer.trace_id), "CFP", "withheld by the supplier")
        sums.append((emissions, _weight(answer.stage_dqr(stage), emissions)))
    return tuple(sums)


_Source = tuple[SourceKind, uuid.UUID, uuid.UUID | None, Decimal, tuple[_StageSum, ...]]
"""(kind, source id, trade id, amount, per-unit sums of the source)."""


def _sources(graph: SupplyGraph, part_id: uuid.UUID, done: Mapping[uuid.UUID, tuple[_StageSum, ...]]) -> list[_Source]:
    """What a part's figures are made of besides its own."""
    edges = graph.children.get(part_id, ())
    sources: list[_Source] = [(SourceKind.BOM_LINE, e.line.child, None, e.amount, done[e.line.child]) for e in edges]
    answer = _answer_cfp(graph, part_id)
    if answer is not None:
        trade_id = graph.trades[part_id].trade_id
        sources.append((SourceKind.ANSWER, answer.answer_id, trade_id, Decimal(1), _answer_sums(answer)))
    return sources


def _own(graph: SupplyGraph, part_id: uuid.UUID, stage: Stage) -> tuple[Decimal, Dqr | None]:
    own_footprint = graph.footprints.get(part_id)
    own_stage = own_footprint.stage(stage) if own_footprint else None
    return (own_stage.emissions, own_stage.dqr) if own_stage else (_ZERO, None)


def _stage_sums(
    graph: SupplyGraph, part_id: uuid.UUID, done: Mapping[uuid.UUID, tuple[_StageSum, ...]]
) -> tuple[_StageSum, ...]:
    """The lean pass for parts below the one rolled up: the same sums as `_stage_rollups`, without records."""
    sources = _sources(graph, part_id, done)
    sums: list[_StageSum] = []
    for index, stage in enumerate(Stage):
        total, own_dqr = _own(graph, part_id, stage)
        weights = [_weight(own_dqr, total)]
        for _, _, _, amount, child in sources:
            child_total, child_weighted = child[index]
            if child_total and amount:  # a zero contributes nothing, not even weight
                total = exact_sum((total, exact_product(amount, child_total)))
                weights.append(None if child_weighted is None else child_weighted.times(amount))
        sums.append((total, _add_weights(weights)))
    return tuple(sums)


def _stage_rollups(
    graph: SupplyGraph, part_id: uuid.UUID, done: Mapping[uuid.UUID, tuple[_StageSum, ...]]
) -> tuple[StageRollup, ...]:
    sources = _sources(graph, part_id, done)
    rollups = []
    for index, stage in enumerate(Stage):
        own, own_dqr = _own(graph, part_id, stage)
        contributions = []
        for kind, source, trade_id, amount, child in sources:
            child_total, child_weighted = child[index]
            value = exact_product(amount, child_total)
            weighted = None if child_weighted is None else child_weighted.times(amount)
            weighted = ZERO_WEIGHT if value == 0 else weighted
            contributions.append(Contribution(kind, source, trade_id, amount, child_total, value, weighted))
        component = exact_sum(c.value for c in contributions)
        weighted_dqr = _add_weights([_weight(own_dqr, own), *(c.weighted_dqr for c in contributions)])
        total = exact_sum((own, component))
        rollups.append(StageRollup(stage, own, own_dqr, tuple(contributions), component, total, weighted_dqr))
    return tuple(rollups)


def carbon_footprint(graph: SupplyGraph, trace_id: uuid.UUID) -> FootprintRollup:
    """CFP per stage and its emission-weighted DQR per declared unit of `trace_id`, through all tiers.

    A part shared by several parents counts once per path, with the amounts along that path. Contributions are
    recorded for `trace_id` itself; the parts below it enter with their totals.

    Raises:
        PartNotFound: if `trace_id` is not in the graph.
        MissingFigures: if a purchased part below has no answer or its CFP is withheld.
    """
    *below, root = graph.upstream(trace_id)
    done: dict[uuid.UUID, tuple[_StageSum, ...]] = {}
    for part_id in below:
        done[part_id] = _stage_sums(graph, part_id, done)
    return FootprintRollup(trace_id, graph.part(root).declared_unit, _stage_rollups(graph, root, done))


@dataclass(frozen=True, slots=True)
class UpstreamCounts:
    """Ouranos `tradesCount` / `completedCount`: trades in the whole upstream tree and how many are answered."""

    trades_count: int
    completed_count: int


def upstream_counts(graph: SupplyGraph, trace_id: uuid.UUID) -> UpstreamCounts:
    """Count the active trades below `trace_id` and, through their answers, the trades of the suppliers' trees.

    Each of our trades counts once even if its part is reached along several paths; what suppliers report is taken
    as they report it (their trees cannot be deduplicated without identities, which they rightly do not send).

    Raises:
        PartNotFound: if `trace_id` is not in the graph.
    """
    trades = completed = 0
    for part_id in graph.upstream(trace_id):
        trade = graph.trades.get(part_id)
        if trade is None:
            continue
        trades += 1
        if trade.status is TradeStatus.COMPLETED:
            answer = graph.answers[part_id]
            completed += 1 + answer.completed_count
            trades += answer.trades_count
    return UpstreamCounts(trades, completed)


@dataclass(frozen=True, slots=True)
class PartRollup:
    """Every roll-up of one part: what its answer to customers and its passport figures are made from."""

    trace_id: uuid.UUID
    declared_unit: Unit
    footprint: FootprintRollup
    materials: MaterialsRollup
    upstream: UpstreamCounts


def roll_up(graph: SupplyGraph, trace_id: uuid.UUID) -> PartRollup:
    """CFP per stage with DQR, material content, recycled content, origin and upstream counts of `trace_id`.

    Raises:
        PartNotFound: if `trace_id` is not in the graph.
        MissingFigures: if a purchased part below has no (released) answer.
    """
    return PartRollup(
        trace_id,
        graph.part(trace_id).declared_unit,
        carbon_footprint(graph, trace_id),
        material_content(graph, trace_id),
        upstream_counts(graph, trace_id),
    )


__all__ = [
    "ZERO_WEIGHT",
    "Contribution",
    "DqrResult",
    "FootprintRollup",
    "PartRollup",
    "StageRollup",
    "UpstreamCounts",
    "WeightedDqr",
    "carbon_footprint",
    "roll_up",
    "upstream_counts",
]
