"""What a supplier answers a customer: per-unit figures of its own product and two counts, nothing else.

Layout: `StageEmission`, `StageDqr`, `OriginShare`, `AnsweredElement` and `SupplierAnswer`.

Confidentiality by construction (ouranos.md §7): these types have no field for a supplier's name or identifiers,
its suppliers, quantities bought, part names or prices, so no code path can put them in an answer. The upstream
tree shows only as `tradesCount` / `completedCount`. A figure the supplier's ACL withholds is None, never zero.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from passbridge.errors import InvalidInput
from passbridge.supplychain._checks import country_field, decimal_field, share_field, unique, uuid_field
from passbridge.supplychain.elements import element_name
from passbridge.supplychain.footprints import Dqr, Stage
from passbridge.supplychain.quantities import Unit, exact_sum, parse_unit


@dataclass(frozen=True, slots=True)
class StageEmission:
    """Total emissions of one stage, kg CO2e per declared unit of the answered product.

    Attributes:
        stage: the life-cycle stage.
        emissions: own plus upstream, per declared unit (≥ 0).
    """

    stage: Stage
    emissions: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.stage, Stage):
            raise InvalidInput.at("cfp.stage", f"unknown stage {self.stage!r}")
        decimal_field(self.emissions, f"cfp.{self.stage.value}", rule="Ouranos ghgEmission (minimum 0)")


@dataclass(frozen=True, slots=True)
class StageDqr:
    """The emission-weighted DQR of one stage.

    Attributes:
        stage: the life-cycle stage.
        dqr: TeR, GeR, TiR.
    """

    stage: Stage
    dqr: Dqr

    def __post_init__(self) -> None:
        if not isinstance(self.stage, Stage):
            raise InvalidInput.at("dqr.stage", f"unknown stage {self.stage!r}")
        if not isinstance(self.dqr, Dqr):
            raise InvalidInput.at(f"dqr.{self.stage.value}", f"must be a Dqr, got {self.dqr!r}")


@dataclass(frozen=True, slots=True)
class OriginShare:
    """Share of an element's mass that came from one country.

    Attributes:
        country: ISO 3166-1 alpha-2 code.
        share: in [0, 1].
    """

    country: str
    share: Decimal

    def __post_init__(self) -> None:
        country_field(self.country, "origin.country")
        share_field(self.share, f"origin.{self.country}")


@dataclass(frozen=True, slots=True)
class AnsweredElement:
    """Material content of one element per declared unit of the answered product.

    Attributes:
        element: IUPAC name (normalised like `ElementContent.element`).
        mass: kg per declared unit.
        recycled_pre_consumer: kg of it recovered from manufacturing waste.
        recycled_post_consumer: kg of it recovered from post-consumer waste.
        origin: share of `mass` by country (the rest is of unknown origin), or None if withheld.
    """

    element: str
    mass: Decimal
    recycled_pre_consumer: Decimal
    recycled_post_consumer: Decimal
    origin: tuple[OriginShare, ...] | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "element", element_name(self.element, "materials.element"))
        path = f"materials.{self.element}"
        mass = decimal_field(self.mass, f"{path}.mass")
        pre = decimal_field(self.recycled_pre_consumer, f"{path}.recycledPreConsumer")
        post = decimal_field(self.recycled_post_consumer, f"{path}.recycledPostConsumer")
        if exact_sum((pre, post)) > mass:
            raise InvalidInput.at(f"{path}.recycledPostConsumer", f"recycled {pre} + {post} exceeds mass {mass}")
        if self.origin is not None:
            unique((o.country for o in self.origin), f"{path}.origin", "country")
            if exact_sum(o.share for o in self.origin) > 1:
                raise InvalidInput.at(f"{path}.origin", "origin shares add up to more than 1", "share")


@dataclass(frozen=True, slots=True)
class SupplierAnswer:
    """A supplier's answer to one trade: per-unit figures of its own product and the counts of its upstream tree.

    Attributes:
        answer_id: identifies this answer (a revision gets a new one).
        trace_id: the supplier's product (the trade's `upstreamTraceId`).
        declared_unit: the unit all figures are per.
        cfp: total emissions of each of the four stages, or None if `TOTALCFP` is not released to the customer.
        dqr: DQR of the stages that have one, or None if `TOTALDQR` is not released.
        materials: per-unit material content, or None if not released.
        trades_count: `tradesCount`: trades in the supplier's whole upstream tree.
        completed_count: `completedCount`: how many of them are answered.
    """

    answer_id: uuid.UUID
    trace_id: uuid.UUID
    declared_unit: Unit
    cfp: tuple[StageEmission, ...] | None
    dqr: tuple[StageDqr, ...] | None
    materials: tuple[AnsweredElement, ...] | None
    trades_count: int
    completed_count: int

    def __post_init__(self) -> None:
        uuid_field(self.answer_id, "answerId")
        uuid_field(self.trace_id, "traceId")
        object.__setattr__(self, "declared_unit", parse_unit(self.declared_unit, "ghgDeclaredUnit"))
        if self.cfp is not None:
            unique((s.stage.value for s in self.cfp), "cfp", "stage")
            missing = [s.value for s in Stage if s not in {e.stage for e in self.cfp}]
            if missing:
                raise InvalidInput.at(f"cfp.{missing[0]}", "an answer states every stage (0 for none)", "Ouranos CFP")
        if self.dqr is not None:
            unique((s.stage.value for s in self.dqr), "dqr", "stage")
        if self.materials is not None:
            unique((e.element for e in self.materials), "materials", "element")
        for path, count in (("tradesCount", self.trades_count), ("completedCount", self.completed_count)):
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise InvalidInput.at(path, f"must be a whole number ≥ 0, got {count!r}", "Ouranos requestStatus")
        if self.completed_count > self.trades_count:
            raise InvalidInput.at("completedCount", "cannot exceed tradesCount", "Ouranos requestStatus")

    def emissions(self, stage: Stage) -> Decimal | None:
        """kg CO2e per declared unit of `stage`, or None if the CFP is withheld."""
        if self.cfp is None:
            return None
        return next(s.emissions for s in self.cfp if s.stage is stage)

    def stage_dqr(self, stage: Stage) -> Dqr | None:
        """The DQR of `stage`, or None if withheld or undefined (a stage without emissions has none)."""
        return next((s.dqr for s in self.dqr or () if s.stage is stage), None)


__all__ = ["AnsweredElement", "OriginShare", "StageDqr", "StageEmission", "SupplierAnswer"]
