"""Material roll-ups: mass of each element per declared unit, its recycled part and its countries of origin.

Layout: `ElementFigures` (mass, recycled pre-/post-consumer mass, mass by country; additive and scalable),
`MaterialContribution`, `ElementRollup` (own + contributions = total, with the shares), `MaterialsRollup`, and the
pure functions `material_content`, `recycled_content`, `origin_shares`.

Every figure is per one declared unit of the part: total = own + Σ amount · child total (+ the answer of its trade,
already restated per the part's unit). Shares are mass-weighted because they are quotients of summed masses
(recycled mass / mass; mass from a country / mass), kept as exact `Ratio`s. Mass whose origin nobody stated (or
whose supplier withheld it) stays "unattributed" rather than being spread over the known countries.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from passbridge.errors import MissingFigures
from passbridge.supplychain.answers import AnsweredElement, SupplierAnswer
from passbridge.supplychain.elements import element_name
from passbridge.supplychain.footprints import ElementContent, OriginMass
from passbridge.supplychain.graph import SourceKind, SupplyGraph
from passbridge.supplychain.quantities import EXACT, Ratio, Unit, exact_product, exact_sum
from passbridge.supplychain.trades import TradeStatus

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ElementFigures:
    """Masses of one element per declared unit.

    Attributes:
        mass: kg of the element.
        recycled_pre_consumer: kg of it recovered from manufacturing waste.
        recycled_post_consumer: kg of it recovered from post-consumer waste.
        origin: kg by country of origin, sorted by country; the rest is unattributed.
    """

    mass: Decimal
    recycled_pre_consumer: Decimal
    recycled_post_consumer: Decimal
    origin: tuple[OriginMass, ...]

    @classmethod
    def zero(cls) -> ElementFigures:
        """No mass at all."""
        return cls(_ZERO, _ZERO, _ZERO, ())

    @classmethod
    def of_content(cls, content: ElementContent) -> ElementFigures:
        """A part's own content of one element."""
        origin = tuple(sorted(content.origin, key=lambda o: o.country))
        return cls(content.mass, content.recycled_pre_consumer, content.recycled_post_consumer, origin)

    @classmethod
    def of_answer(cls, element: AnsweredElement) -> ElementFigures:
        """A supplier's answered content: origin masses are its shares · its mass."""
        shares = sorted(element.origin or (), key=lambda o: o.country)
        origin = tuple(OriginMass(o.country, exact_product(o.share, element.mass)) for o in shares)
        return cls(element.mass, element.recycled_pre_consumer, element.recycled_post_consumer, origin)

    def times(self, amount: Decimal) -> ElementFigures:
        """These masses · `amount` (exact)."""
        origin = tuple(OriginMass(o.country, exact_product(o.mass, amount)) for o in self.origin)
        return ElementFigures(
            exact_product(self.mass, amount),
            exact_product(self.recycled_pre_consumer, amount),
            exact_product(self.recycled_post_consumer, amount),
            origin,
        )

    @property
    def recycled(self) -> Decimal:
        """Recycled mass, pre- and post-consumer together."""
        return EXACT.add(self.recycled_pre_consumer, self.recycled_post_consumer)

    @property
    def unattributed(self) -> Decimal:
        """Mass of unknown origin."""
        return EXACT.subtract(self.mass, exact_sum(o.mass for o in self.origin))


def _add(figures: Iterable[ElementFigures]) -> ElementFigures:
    items = list(figures)
    by_country: dict[str, list[Decimal]] = {}
    for item in items:
        for origin in item.origin:
            by_country.setdefault(origin.country, []).append(origin.mass)
    return ElementFigures(
        exact_sum(i.mass for i in items),
        exact_sum(i.recycled_pre_consumer for i in items),
        exact_sum(i.recycled_post_consumer for i in items),
        tuple(OriginMass(c, exact_sum(by_country[c])) for c in sorted(by_country)),
    )


def _share(part: Decimal, whole: Decimal) -> Ratio | None:
    return None if whole == 0 else Ratio(part, whole)


@dataclass(frozen=True, slots=True)
class MaterialContribution:
    """What one child or answer adds to a part's content of one element.

    Attributes:
        kind: BOM line or answer.
        source: the child's traceId (BOM line) or the answer's id.
        trade_id: the trade the answer came through (answers only).
        amount: child units per unit of the part (1 for an answer, which is restated per the part's unit).
        per_unit: the child's (or answer's) figures per its unit.
        value: amount · per_unit.
    """

    kind: SourceKind
    source: uuid.UUID
    trade_id: uuid.UUID | None
    amount: Decimal
    per_unit: ElementFigures
    value: ElementFigures


@dataclass(frozen=True, slots=True)
class CountryShare:
    """Share of an element's mass from one country."""

    country: str
    share: Ratio


@dataclass(frozen=True, slots=True)
class ElementRollup:
    """One element of a part, per declared unit: own + Σ contributions = total.

    Attributes:
        element: IUPAC name.
        own: introduced at the part itself.
        contributions: from its bill of materials and its trade's answer.
        total: own plus all contributions.
    """

    element: str
    own: ElementFigures
    contributions: tuple[MaterialContribution, ...]
    total: ElementFigures

    @property
    def recycled_pre_consumer_share(self) -> Ratio | None:
        """Pre-consumer recycled mass / mass (None without mass)."""
        return _share(self.total.recycled_pre_consumer, self.total.mass)

    @property
    def recycled_post_consumer_share(self) -> Ratio | None:
        """Post-consumer recycled mass / mass (None without mass)."""
        return _share(self.total.recycled_post_consumer, self.total.mass)

    @property
    def recycled_share(self) -> Ratio | None:
        """All recycled mass / mass (None without mass)."""
        return _share(self.total.recycled, self.total.mass)

    @property
    def origin_shares(self) -> tuple[CountryShare, ...]:
        """Mass from each country / mass, by country (empty without mass)."""
        if self.total.mass == 0:
            return ()
        return tuple(CountryShare(o.country, Ratio(o.mass, self.total.mass)) for o in self.total.origin)

    @property
    def unattributed_share(self) -> Ratio | None:
        """Mass of unknown origin / mass (None without mass)."""
        return _share(self.total.unattributed, self.total.mass)


@dataclass(frozen=True, slots=True)
class MaterialsRollup:
    """Every element found below a part.

    Attributes:
        trace_id: the part.
        declared_unit: the unit all masses are per.
        elements: one roll-up per element, sorted by name.
    """

    trace_id: uuid.UUID
    declared_unit: Unit
    elements: tuple[ElementRollup, ...]

    def element(self, name: str) -> ElementRollup:
        """The roll-up of element `name` (symbol or name); zero if no part below holds it.

        Raises:
            InvalidInput: if `name` is not an element.
        """
        key = element_name(name)
        found = next((e for e in self.elements if e.element == key), None)
        return found or ElementRollup(key, ElementFigures.zero(), (), ElementFigures.zero())


@dataclass(frozen=True, slots=True)
class RecycledContent:
    """Recycled content of one element below a part (Reg. (EU) 2023/1542 Art. 8, Annex XIII 1(e))."""

    trace_id: uuid.UUID
    rollup: ElementRollup
    pre_consumer: Ratio | None
    post_consumer: Ratio | None
    total: Ratio | None


@dataclass(frozen=True, slots=True)
class OriginShares:
    """Countries of origin of one element below a part, as shares of its mass."""

    trace_id: uuid.UUID
    rollup: ElementRollup
    shares: tuple[CountryShare, ...]
    unattributed: Ratio | None


def _answer_materials(graph: SupplyGraph, part_id: uuid.UUID) -> SupplierAnswer | None:
    """The answer standing for `part_id`'s supply, or None if it needs none.

    Raises:
        MissingFigures: if it needs one that is not there or withholds its material content.
    """
    part, trade = graph.parts[part_id], graph.trades.get(part_id)
    if trade is None:
        if part.terminated or part_id in graph.children:
            return None
        reason = f"{part.parts_name} is not terminated, has no bill of materials and no trade"
        raise MissingFigures(str(part_id), "material content", reason)
    if trade.status is not TradeStatus.COMPLETED:
        raise MissingFigures(str(part_id), "material content", "the request is not answered yet", str(trade.trade_id))
    answer = graph.answers[part_id]
    if answer.materials is None:
        reason = "withheld by the supplier (not released to us)"
        raise MissingFigures(str(part_id), "material content", reason, str(trade.trade_id))
    return answer


_Masses = tuple[Decimal, Decimal, Decimal, Mapping[str, Decimal]]
"""(mass, recycled pre-consumer, recycled post-consumer, mass by country) of one element per unit of a part."""
_Source = tuple[SourceKind, uuid.UUID, uuid.UUID | None, Decimal, Mapping[str, _Masses]]
"""(kind, source id, trade id, amount, per-unit masses of the source by element)."""


def _masses(figures: ElementFigures) -> _Masses:
    origin = {o.country: o.mass for o in figures.origin}
    return figures.mass, figures.recycled_pre_consumer, figures.recycled_post_consumer, origin


def _figures(masses: _Masses) -> ElementFigures:
    mass, pre, post, origin = masses
    return ElementFigures(mass, pre, post, tuple(OriginMass(c, origin[c]) for c in sorted(origin)))


def _own_masses(graph: SupplyGraph, part_id: uuid.UUID) -> dict[str, _Masses]:
    content = graph.materials.get(part_id)
    return {e.element: _masses(ElementFigures.of_content(e)) for e in (content.elements if content else ())}


def _sources(graph: SupplyGraph, part_id: uuid.UUID, done: Mapping[uuid.UUID, Mapping[str, _Masses]]) -> list[_Source]:
    edges = graph.children.get(part_id, ())
    sources: list[_Source] = [(SourceKind.BOM_LINE, e.line.child, None, e.amount, done[e.line.child]) for e in edges]
    answer = _answer_materials(graph, part_id)
    if answer is not None:
        answered = {e.element: _masses(ElementFigures.of_answer(e)) for e in answer.materials or ()}
        sources.append((SourceKind.ANSWER, answer.answer_id, graph.trades[part_id].trade_id, Decimal(1), answered))
    return sources


def _element_sums(
    graph: SupplyGraph, part_id: uuid.UUID, done: Mapping[uuid.UUID, Mapping[str, _Masses]]
) -> dict[str, _Masses]:
    """The lean pass for parts below the one rolled up: the same sums as `_element_rollups`, without records."""
    sums = {name: (m, pre, post, dict(origin)) for name, (m, pre, post, origin) in _own_masses(graph, part_id).items()}
    for _, _, _, amount, child in _sources(graph, part_id, done):
        for name, (mass, pre, post, origin) in child.items():
            total_mass, total_pre, total_post, total_origin = sums.get(name) or (_ZERO, _ZERO, _ZERO, {})
            for country, country_mass in origin.items():
                total_origin[country] = EXACT.add(total_origin.get(country, _ZERO), exact_product(amount, country_mass))
            sums[name] = (
                EXACT.add(total_mass, exact_product(amount, mass)),
                EXACT.add(total_pre, exact_product(amount, pre)),
                EXACT.add(total_post, exact_product(amount, post)),
                total_origin,
            )
    return dict(sums)


def _element_rollups(
    graph: SupplyGraph, part_id: uuid.UUID, done: Mapping[uuid.UUID, Mapping[str, _Masses]]
) -> tuple[ElementRollup, ...]:
    own = {name: _figures(masses) for name, masses in _own_masses(graph, part_id).items()}
    contributions: dict[str, list[MaterialContribution]] = {}
    for kind, source, trade_id, amount, child in _sources(graph, part_id, done):
        for name, masses in child.items():
            per_unit = _figures(masses)
            contribution = MaterialContribution(kind, source, trade_id, amount, per_unit, per_unit.times(amount))
            contributions.setdefault(name, []).append(contribution)
    rollups = []
    for name in sorted({*own, *contributions}):
        mine, theirs = own.get(name, ElementFigures.zero()), tuple(contributions.get(name, ()))
        rollups.append(ElementRollup(name, mine, theirs, _add([mine, *(c.value for c in theirs)])))
    return tuple(rollups)


def material_content(graph: SupplyGraph, trace_id: uuid.UUID) -> MaterialsRollup:
    """Mass, recycled mass and origin of every element per declared unit of `trace_id`, through all tiers.

    A part shared by several parents counts once per path, with the amounts along that path. Contributions are
    recorded for `trace_id` itself; the parts below it enter with their totals.

    Raises:
        PartNotFound: if `trace_id` is not in the graph.
        MissingFigures: if a purchased part below has no (released) answer.
    """
    *below, root = graph.upstream(trace_id)
    done: dict[uuid.UUID, dict[str, _Masses]] = {}
    for part_id in below:
        done[part_id] = _element_sums(graph, part_id, done)
    return MaterialsRollup(trace_id, graph.part(root).declared_unit, _element_rollups(graph, root, done))


def recycled_content(graph: SupplyGraph, trace_id: uuid.UUID, element: str) -> RecycledContent:
    """Recycled mass / mass of `element` below `trace_id`, pre-consumer, post-consumer and together.

    Raises:
        PartNotFound: if `trace_id` is not in the graph.
        MissingFigures: if a purchased part below has no (released) answer.
        InvalidInput: if `element` is not an element.
    """
    rollup = material_content(graph, trace_id).element(element)
    return RecycledContent(
        trace_id,
        rollup,
        rollup.recycled_pre_consumer_share,
        rollup.recycled_post_consumer_share,
        rollup.recycled_share,
    )


def origin_shares(graph: SupplyGraph, trace_id: uuid.UUID, element: str) -> OriginShares:
    """Share of `element`'s mass below `trace_id` by country of origin, and the unattributed share.

    Raises:
        PartNotFound: if `trace_id` is not in the graph.
        MissingFigures: if a purchased part below has no (released) answer.
        InvalidInput: if `element` is not an element.
    """
    rollup = material_content(graph, trace_id).element(element)
    return OriginShares(trace_id, rollup, rollup.origin_shares, rollup.unattributed_share)


__all__ = [
    "CountryShare",
    "ElementFigures",
    "ElementRollup",
    "MaterialContribution",
    "MaterialsRollup",
    "OriginShares",
    "RecycledContent",
    "material_content",
    "origin_shares",
    "recycled_content",
]
