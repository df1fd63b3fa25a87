"""A part's own figures per declared unit: emissions by life-cycle stage with their data quality, and material
content by element with recycled and origin masses.

Layout: `Stage` (the four stages of the EU battery carbon-footprint rules), `Dqr` (TeR, GeR, TiR),
`StageFootprint` and `OwnFootprint` (own emissions, kg CO2e per declared unit), `OriginMass`, `ElementContent` and
`MaterialContent` (kg of an element per declared unit, of which recycled pre-/post-consumer, by country of origin).

"Own" means introduced at this part, not through its bill of materials or a supplier's answer: the roll-ups add
those. Emissions are never negative here: Ouranos' schema has `minimum: 0`, and emission-weighted DQR has no
meaning with negative weights.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from passbridge.errors import InvalidInput
from passbridge.supplychain._checks import country_field, decimal_field, unique, uuid_field
from passbridge.supplychain.elements import element_name
from passbridge.supplychain.quantities import Unit, exact_sum, parse_unit


class Stage(enum.Enum):
    """Life-cycle stages of the EU battery CFP rules (draft delegated act, Apr 2024); the use stage is excluded.

    Ouranos exchanges only the first two (`preProduction*` and `mainProduction*`, ouranos.md §7).
    """

    RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING = "rawMaterialAcquisitionAndPreProcessing"
    MAIN_PRODUCTION = "mainProduction"
    DISTRIBUTION = "distribution"
    END_OF_LIFE_AND_RECYCLING = "endOfLifeAndRecycling"


@dataclass(frozen=True, slots=True)
class Dqr:
    """Data quality rating of one stage (Ouranos `dqrValue`, PEF representativeness criteria).

    Attributes:
        ter: TeR, technological representativeness (≥ 0).
        ger: GeR, geographical representativeness (≥ 0).
        tir: TiR, time-related representativeness (≥ 0).
    """

    ter: Decimal
    ger: Decimal
    tir: Decimal

    def __post_init__(self) -> None:
        for name, value in (("TeR", self.ter), ("GeR", self.ger), ("TiR", self.tir)):
            decimal_field(value, f"dqrValue.{name}", rule="Ouranos dqrValue (minimum 0)")


@dataclass(frozen=True, slots=True)
class StageFootprint:
    """Own emissions of one stage, kg CO2e per declared unit, with their DQR.

    Attributes:
        stage: the life-cycle stage.
        emissions: kg CO2e per declared unit (≥ 0).
        dqr: the data quality of `emissions`.
    """

    stage: Stage
    emissions: Decimal
    dqr: Dqr

    def __post_init__(self) -> None:
        if not isinstance(self.stage, Stage):
            raise InvalidInput.at("stage", f"unknown stage {self.stage!r}; use one of {[s.value for s in Stage]}")
        decimal_field(self.emissions, f"{self.stage.value}.ghgEmission", rule="Ouranos ghgEmission (minimum 0)")
        if not isinstance(self.dqr, Dqr):
            raise InvalidInput.at(f"{self.stage.value}.dqrValue", "own emissions need a DQR")


@dataclass(frozen=True, slots=True)
class OwnFootprint:
    """A part's own emissions per declared unit. A stage that is not listed has no own emissions.

    Attributes:
        trace_id: the part.
        declared_unit: the unit the figures are per (the part's, or one that converts to it exactly).
        stages: at most one `StageFootprint` per stage.
    """

    trace_id: uuid.UUID
    declared_unit: Unit
    stages: tuple[StageFootprint, ...]

    def __post_init__(self) -> None:
        uuid_field(self.trace_id, "traceId")
        object.__setattr__(self, "declared_unit", parse_unit(self.declared_unit, "ghgDeclaredUnit"))
        unique((s.stage.value for s in self.stages), "stages", "stage")

    @classmethod
    def of(cls, trace_id: uuid.UUID, declared_unit: Unit, stages: Mapping[Stage, tuple[Decimal, Dqr]]) -> OwnFootprint:
        """Build from ``{stage: (emissions, dqr)}``.

        Raises:
            InvalidInput: naming the field of the first bad value.
        """
        return cls(trace_id, declared_unit, tuple(StageFootprint(s, e, d) for s, (e, d) in stages.items()))

    def stage(self, stage: Stage) -> StageFootprint | None:
        """The figures of `stage`, or None if it has no own emissions."""
        return next((s for s in self.stages if s.stage is stage), None)


@dataclass(frozen=True, slots=True)
class OriginMass:
    """Mass of an element that came from one country (of extraction; for recycled material, of recovery).

    Attributes:
        country: ISO 3166-1 alpha-2 code.
        mass: kg per declared unit (≥ 0).
    """

    country: str
    mass: Decimal

    def __post_init__(self) -> None:
        country_field(self.country, "origin.country")
        decimal_field(self.mass, f"origin.{self.country}.mass")


@dataclass(frozen=True, slots=True)
class ElementContent:
    """How much of one element a declared unit holds, how much of it is recycled, and where it came from.

    Attributes:
        element: the element's IUPAC name (a symbol or alias is accepted and normalised: ``Co`` → ``cobalt``).
        mass: kg per declared unit (≥ 0).
        recycled_pre_consumer: kg of `mass` recovered from manufacturing waste (Art. 8: pre-consumer).
        recycled_post_consumer: kg of `mass` recovered from post-consumer waste.
        origin: mass by country of origin; what it does not cover is of unknown origin.
    """

    element: str
    mass: Decimal
    recycled_pre_consumer: Decimal = Decimal(0)
    recycled_post_consumer: Decimal = Decimal(0)
    origin: tuple[OriginMass, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "element", element_name(self.element))  # normalise the spelling once
        path = f"materials.{self.element}"
        mass = decimal_field(self.mass, f"{path}.mass")
        pre = decimal_field(self.recycled_pre_consumer, f"{path}.recycledPreConsumer")
        post = decimal_field(self.recycled_post_consumer, f"{path}.recycledPostConsumer")
        if exact_sum((pre, post)) > mass:
            raise InvalidInput.at(f"{path}.recycledPostConsumer", f"recycled {pre} + {post} exceeds mass {mass}")
        unique((o.country for o in self.origin), f"{path}.origin", "country")
        if exact_sum(o.mass for o in self.origin) > mass:
            raise InvalidInput.at(f"{path}.origin", f"origin masses add up to more than the mass {mass}")

    @classmethod
    def of(
        cls,
        element: str,
        mass: Decimal,
        *,
        pre_consumer: Decimal = Decimal(0),
        post_consumer: Decimal = Decimal(0),
        origin: Mapping[str, Decimal] | None = None,
    ) -> ElementContent:
        """Build with origin as ``{"JP": kg, …}``.

        Raises:
            InvalidInput: naming the field of the first bad value.
        """
        masses = tuple(OriginMass(country, kg) for country, kg in (origin or {}).items())
        return cls(element, mass, pre_consumer, post_consumer, masses)


@dataclass(frozen=True, slots=True)
class MaterialContent:
    """A part's own material content per declared unit.

    Attributes:
        trace_id: the part.
        declared_unit: the unit the masses are per.
        elements: at most one `ElementContent` per element.
    """

    trace_id: uuid.UUID
    declared_unit: Unit
    elements: tuple[ElementContent, ...]

    def __post_init__(self) -> None:
        uuid_field(self.trace_id, "traceId")
        object.__setattr__(self, "declared_unit", parse_unit(self.declared_unit, "declaredUnit"))
        unique((e.element for e in self.elements), "materials", "element")


__all__ = ["Dqr", "ElementContent", "MaterialContent", "OriginMass", "OwnFootprint", "Stage", "StageFootprint"]
