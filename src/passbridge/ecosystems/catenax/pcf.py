"""A customer answer (`SupplierAnswer`) as Catena-X PCF JSON: `io.catenax.pcf` 9.0.0 and
`io.catenax.pcf_for_battery_component_supplier` 1.0.0 (ouranos.md §8 mapping table).

Layout: `PcfContext` (the provider's own facts a PCF needs and an answer does not carry), `to_pcf_9_0_0` and
`to_battery_component_1_0_0` (pure mappings), `FORMATS` and `render` (format name → payload), and
`passbridge.ecosystems.catenax.supplychain_pcf.SupplyChainPcf` offers them to the data-space core.

Input is only what the supply-chain core lets a partner see (`disclosure.answer_for_customer`): per-unit figures
of our own part. Nothing here can add a supplier's identity, a quantity bought or a price: the answer type has no
field for them, and the context holds only our own identifiers.

Mapping (numbers are `Decimal` throughout, kg CO2e per declared unit):

* declared unit: ``kilogram`` → ``CO2KG/KG`` (9.0.0: ``kilogram``, 1 kg per declared unit), ``unit`` →
  ``CO2KG/piece`` (9.0.0: ``piece``). Any other unit is refused (`InvalidInput` at ``declaredUnit``): Catena-X
  has no counterpart and a conversion would be a guess.
* battery component 1.0.0: ``stage1…`` = raw-material acquisition and pre-processing, ``stage2…`` = main
  production, ``stage3Distribution`` and ``stage4EndOfLifeRecycling`` = the answer's own figures for those
  stages (0 in answers that come from Ouranos), ``absPcfValue`` = the sum of the four. Stage values are
  absolute figures in the declared unit, as the schema's ``stageValue`` and the official example have them.
* 9.0.0: ``productionStage.pcfExcludingBiogenicUptake`` = stage 1 + stage 2 (cradle-to-gate);
  ``pcfIncludingBiogenicUptake`` is the same figure, because an answer reports no biogenic uptake; a non-zero
  distribution stage goes to ``distributionStage`` (``distributionStageIncluded``); a non-zero end-of-life stage
  has no place in a 9.0.0 PCF and is refused.
* DQR: each of TeR, GeR, TiR is the emission-weighted average over the stages that have a DQR
  (Σ dqr·e / Σ e, ouranos.md §7), rounded half-up to 5 decimals; ``dataQualityRating`` is their mean. Catena-X
  wants 1 to 5, so a weighted value outside that range is refused in both formats. A withheld DQR (or one with
  no emissions to weigh) is refused for 1.0.0, where it is required, and left out of 9.0.0, where it is optional.
* 9.0.0 fields an answer cannot give (company name, reference period, geography, exempted emissions, CCS, PCF
  type, mass per piece) are our declarations in `PcfContext`; a per-piece 9.0.0 PCF without a mass is refused.
* A CFP the partner's ACL withholds (``cfp`` None) is refused: there is no PCF to give.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Final

from passbridge.errors import InvalidInput
from passbridge.jsontypes import JsonValue
from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.quantities import Unit, exact_product, exact_sum

PCF_9_0_0: Final = "pcf-9.0.0"
"""Format name of `io.catenax.pcf` 9.0.0."""
BATTERY_COMPONENT_1_0_0: Final = "battery-component-1.0.0"
"""Format name of `io.catenax.pcf_for_battery_component_supplier` 1.0.0."""

SPEC_VERSION_9_0_0: Final = "urn:io.catenax.pcf:datamodel:version:9.0.0"

_DECLARED_UNITS: Final[Mapping[Unit, tuple[str, str]]] = {
    Unit.KILOGRAM: ("CO2KG/KG", "kilogram"),
    Unit.UNIT: ("CO2KG/piece", "piece"),
}
_BPNL: Final = re.compile(r"^BPNL[a-zA-Z0-9]{12}$")
_BPNS: Final = re.compile(r"^BPNS[a-zA-Z0-9]{12}$")
_REGIONS: Final = frozenset(
    {
        "Africa", "Americas", "Asia", "Europe", "Oceania", "Australia and New Zealand", "Central Asia",
        "Eastern Asia", "Eastern Europe", "Latin America and the Caribbean", "Melanesia", "Micronesia",
        "Northern Africa", "Northern America", "Northern Europe", "Polynesia", "South-eastern Asia", "Southern Asia",
        "Southern Europe", "Sub-Saharan Africa", "Western Asia", "Western Europe", "Global", "Several",
    }
)  # fmt: skip
_PCF_TYPES: Final = frozenset(
    {
        "Retrospective PCF",
        "Prospective PCF without forerunner",
        "Prospective PCF of further developed product with forerunner",
        "Prospective PCF for current product for future production date",
        "Progressive PCF",
    }
)
_DIVIDE: Final = Context(prec=34)
_FIVE_DECIMALS: Final = Decimal("0.00001")
_RULE: Final = "Catena-X PCF (ouranos.md §8)"


@dataclass(frozen=True, slots=True)
class PcfContext:
    """What a Catena-X PCF needs besides the answer: our own identifiers and the PCF's validity, nothing else.

    Attributes:
        manufacturer_part_id: our part id (`manufacturerPartId`; Ouranos `partsName`).
        customer_part_id: the customer's id for it (`customerPartId`); our part id when the customer gave none.
        legal_identifier: our BPNL (`legalidentifier`, 9.0.0 `companyIds`).
        site_identifier: our BPNS (`siteIdentifier`).
        created: when the PCF was made (timezone-aware).
        valid_from: start of its validity (timezone-aware).
        valid_to: end of its validity (timezone-aware).
        company_name: our legal name (9.0.0 `companyName`).
        reference_period_start: start of the period the figures are for (9.0.0, timezone-aware).
        reference_period_end: its end.
        geography_region: 9.0.0 `geographyRegionOrSubregion` (``Europe``, ``Eastern Asia``, ``Global``, …).
        exempted_emissions_percent: 9.0.0 `exemptedEmissionsPercent` (0 to 10), as declared by us.
        ccs_included: 9.0.0 `ccsTechnologicalCO2CaptureIncluded`.
        pcf_type: 9.0.0 `retroOrProspectivePcfType`.
        secondary_emission_factor_sources: databases used (e.g. ``ecoinvent 3.8``), as declared by us.
        product_mass_per_piece: kg per piece, 9.0.0 ``productMassPerDeclaredUnit`` of a per-piece PCF (required
            there: a per-piece 9.0.0 PCF without it is refused).
    """

    manufacturer_part_id: str
    customer_part_id: str
    legal_identifier: str
    site_identifier: str
    created: datetime
    valid_from: datetime
    valid_to: datetime
    company_name: str
    reference_period_start: datetime
    reference_period_end: datetime
    geography_region: str
    exempted_emissions_percent: Decimal
    ccs_included: bool
    pcf_type: str = "Retrospective PCF"
    secondary_emission_factor_sources: tuple[str, ...] = ()
    product_mass_per_piece: Decimal | None = None

    def __post_init__(self) -> None:
        for path, text in (
            ("manufacturerPartId", self.manufacturer_part_id),
            ("customerPartId", self.customer_part_id),
            ("companyName", self.company_name),
        ):
            if not isinstance(text, str) or not text.strip():
                raise InvalidInput.at(path, "must be a non-empty string", _RULE)
        if not isinstance(self.legal_identifier, str) or not _BPNL.match(self.legal_identifier):
            raise InvalidInput.at("legalidentifier", f"not a BPNL: {self.legal_identifier!r}", _RULE)
        if not isinstance(self.site_identifier, str) or not _BPNS.match(self.site_identifier):
            raise InvalidInput.at("siteIdentifier", f"not a BPNS: {self.site_identifier!r}", _RULE)
        for path, moment in (
            ("created", self.created),
            ("validFrom", self.valid_from),
            ("validTo", self.valid_to),
            ("referencePeriodStart", self.reference_period_start),
            ("referencePeriodEnd", self.reference_period_end),
        ):
            if not isinstance(moment, datetime) or moment.utcoffset() is None:
                raise InvalidInput.at(path, "must be a timezone-aware datetime", _RULE)
        if self.valid_to < self.valid_from:
            raise InvalidInput.at("validityPeriod.validTo", "ends before it starts", _RULE)
        if self.geography_region not in _REGIONS:
            raise InvalidInput.at("geographyRegionOrSubregion", f"not a 9.0.0 region: {self.geography_region!r}", _RULE)
        if self.pcf_type not in _PCF_TYPES:
            raise InvalidInput.at("retroOrProspectivePcfType", f"not a 9.0.0 PCF type: {self.pcf_type!r}", _RULE)
        exempted = self.exempted_emissions_percent
        if not isinstance(exempted, Decimal) or not exempted.is_finite() or not 0 <= exempted <= 10:
            raise InvalidInput.at("exemptedEmissionsPercent", f"must be a decimal in 0 to 10, got {exempted!r}", _RULE)
        if not isinstance(self.ccs_included, bool):
            raise InvalidInput.at("ccsTechnologicalCO2CaptureIncluded", "must be true or false", _RULE)
        if len(set(self.secondary_emission_factor_sources)) != len(self.secondary_emission_factor_sources):
            raise InvalidInput.at("secondaryEmissionFactorSources", "sources must be unique", _RULE)
        mass = self.product_mass_per_piece
        if mass is not None and (not isinstance(mass, Decimal) or not mass.is_finite() or mass <= 0):
            raise InvalidInput.at("productMassPerDeclaredUnit", f"must be a decimal > 0, got {mass!r}", _RULE)


@dataclass(frozen=True, slots=True)
class WeightedDqr:
    """The emission-weighted DQR of an answer (1 to 5 each)."""

    ter: Decimal
    ger: Decimal
    tir: Decimal

    @property
    def rating(self) -> Decimal:
        """`dataQualityRating`: the mean of the three, 5 decimals."""
        return _five(_DIVIDE.divide(exact_sum((self.ter, self.ger, self.tir)), Decimal(3)))


def _five(value: Decimal) -> Decimal:
    return value.quantize(_FIVE_DECIMALS, rounding=ROUND_HALF_UP)


def _timestamp(moment: datetime) -> str:
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def declared_unit(answer: SupplierAnswer) -> tuple[str, str]:
    """(``CO2KG/KG`` | ``CO2KG/piece``, the 9.0.0 ``declaredUnitOfMeasurement``).

    Raises:
        InvalidInput: at ``declaredUnit`` for any unit but kilogram and unit.
    """
    mapped = _DECLARED_UNITS.get(answer.declared_unit)
    if mapped is None:
        raise InvalidInput.at(
            "declaredUnit",
            f"{answer.declared_unit.value!r} has no Catena-X counterpart (only CO2KG/KG and CO2KG/piece)",
            _RULE,
        )
    return mapped


def _stages(answer: SupplierAnswer) -> dict[Stage, Decimal]:
    if answer.cfp is None:
        raise InvalidInput.at("cfp", "the carbon footprint is not released to this partner", "disclosure ACL")
    return {s.stage: s.emissions for s in answer.cfp}


def weighted_dqr(answer: SupplierAnswer) -> WeightedDqr | None:
    """TeR, GeR, TiR weighted by each stage's emissions, or None if the DQR is withheld or nothing weighs.

    Raises:
        InvalidInput: naming the criterion if a weighted value is outside 1 to 5.
    """
    stages = _stages(answer)
    weighed = [(d.dqr, stages[d.stage]) for d in answer.dqr or () if stages[d.stage] > 0]
    total = exact_sum(e for _, e in weighed)
    if not weighed or total == 0:
        return None
    values: list[Decimal] = []
    for name, criterion in (
        ("technologicalRepresentativeness", "ter"),
        ("geographicalRepresentativeness", "ger"),
        ("timerelatedRepresentativeness", "tir"),
    ):
        weighted = exact_sum(exact_product(Decimal(getattr(q, criterion)), e) for q, e in weighed)
        value = _five(_DIVIDE.divide(weighted, total))
        if not Decimal(1) <= value <= Decimal(5):
            raise InvalidInput.at(name, f"weighted DQR {value} is outside 1 to 5", _RULE)
        values.append(value)
    return WeightedDqr(*values)


def to_battery_component_1_0_0(answer: SupplierAnswer, context: PcfContext) -> dict[str, JsonValue]:
    """`io.catenax.pcf_for_battery_component_supplier` 1.0.0 JSON of `answer`.

    Raises:
        InvalidInput: the unit has no counterpart (``declaredUnit``), the CFP or DQR is withheld (``cfp``,
            ``dataQualityRating``), or a DQR is out of range.
    """
    unit, _ = declared_unit(answer)
    stages = _stages(answer)
    dqr = weighted_dqr(answer)
    if dqr is None:
        raise InvalidInput.at("dataQualityRating", "no DQR is released for a stage with emissions", _RULE)

    def stage(value: Decimal) -> dict[str, JsonValue]:
        return {"stageValue": value}

    return {
        "manufacturerPartId": context.manufacturer_part_id,
        "customerPartId": context.customer_part_id,
        "legalidentifier": context.legal_identifier,
        "siteIdentifier": context.site_identifier,
        "validityPeriod": {"validFrom": _timestamp(context.valid_from), "validTo": _timestamp(context.valid_to)},
        "secondaryEmissionFactorSources": list(context.secondary_emission_factor_sources),
        "productQualityParameter": [],
        "contentC02Metals": [],
        "technologicalRepresentativeness": dqr.ter,
        "geographicalRepresentativeness": dqr.ger,
        "timerelatedRepresentativeness": dqr.tir,
        "dataQualityRating": dqr.rating,
        "pcfValues": {
            "sharesPerStage": {
                "stage1RawMaterialAquisitionPreProcessing": stage(
                    stages[Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING]
                ),
                "stage2MainProductProduction": stage(stages[Stage.MAIN_PRODUCTION]),
                "stage3Distribution": stage(stages[Stage.DISTRIBUTION]),
                "stage4EndOfLifeRecycling": stage(stages[Stage.END_OF_LIFE_AND_RECYCLING]),
                "absPcfValue": stage(exact_sum(stages.values())),
                "declaredUnit": unit,
            }
        },
    }


def to_pcf_9_0_0(answer: SupplierAnswer, context: PcfContext) -> dict[str, JsonValue]:
    """`io.catenax.pcf` 9.0.0 JSON of `answer` (cradle-to-gate).

    Raises:
        InvalidInput: the unit has no counterpart (``declaredUnit``), the CFP is withheld (``cfp``), the
            end-of-life stage is not zero, or a DQR is out of range.
    """
    _, unit_of_measurement = declared_unit(answer)
    stages = _stages(answer)
    if stages[Stage.END_OF_LIFE_AND_RECYCLING] != 0:
        raise InvalidInput.at("cfp.endOfLifeAndRecycling", "a 9.0.0 PCF has no end-of-life stage", _RULE)
    production = exact_sum((stages[Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING], stages[Stage.MAIN_PRODUCTION]))
    distribution = stages[Stage.DISTRIBUTION]
    dqr = weighted_dqr(answer)
    product: dict[str, JsonValue] = {
        "productIds": [f"urn:uuid:{answer.trace_id}"],
        "productNameCompany": context.manufacturer_part_id,
        "declaredUnitOfMeasurement": unit_of_measurement,
        "declaredUnitAmount": Decimal(1),
    }
    if answer.declared_unit is Unit.KILOGRAM:
        product["productMassPerDeclaredUnit"] = Decimal(1)
    elif context.product_mass_per_piece is not None:
        product["productMassPerDeclaredUnit"] = context.product_mass_per_piece
    else:
        raise InvalidInput.at("productMassPerDeclaredUnit", "a per-piece 9.0.0 PCF needs the mass of a piece", _RULE)
    quality: dict[str, JsonValue] = {"secondaryEmissionFactorSources": list(context.secondary_emission_factor_sources)}
    if dqr is not None:
        quality |= {"technologicalDQR": dqr.ter, "geographicalDQR": dqr.ger, "temporalDQR": dqr.tir}
    distribution_stage: dict[str, JsonValue] = {"distributionStageIncluded": distribution != 0}
    if distribution != 0:
        distribution_stage |= {
            "distributionStagePcfExcludingBiogenicUptake": distribution,
            "distributionStagePcfIncludingBiogenicUptake": distribution,
        }
    return {
        "scopeOfPcfForm": [{"specVersion": SPEC_VERSION_9_0_0, "partialFullPcf": "Cradle-to-gate"}],
        "companyAndProductInformation": [
            {
                "companyInformation": [
                    {"companyName": context.company_name, "companyIds": [f"urn:{context.legal_identifier}"]}
                ],
                "productInformation": [product],
            }
        ],
        "pcfAssessmentAndMethodology": [
            {
                "dataSourcesAndQuality": [quality],
                "pcfAssessmentInformation": [
                    {
                        "idAndVersion": [
                            {
                                "id": str(answer.answer_id),
                                "version": 0,
                                "status": "Active",
                                "retroOrProspectivePcfType": context.pcf_type,
                            }
                        ],
                        "time": [
                            {
                                "created": _timestamp(context.created),
                                "validityPeriodStart": _timestamp(context.valid_from),
                                "validityPeriodEnd": _timestamp(context.valid_to),
                                "referencePeriodStart": _timestamp(context.reference_period_start),
                                "referencePeriodEnd": _timestamp(context.reference_period_end),
                            }
                        ],
                        "technology": [{"ccsTechnologicalCO2CaptureIncluded": context.ccs_included}],
                        "boundarySpecifications": [{"exemptedEmissionsPercent": context.exempted_emissions_percent}],
                        "geography": [{"geographyRegionOrSubregion": context.geography_region}],
                    }
                ],
            }
        ],
        "general": [],
        "carbonContent": [],
        "productLifeCycleStagesAndEmissions": [
            {
                "productionStage": [
                    {"pcfExcludingBiogenicUptake": production, "pcfIncludingBiogenicUptake": production}
                ],
                "packagingStage": [{"packagingEmissionsIncluded": False}],
                "distributionStage": [distribution_stage],
            }
        ],
    }


FORMATS: Final[Mapping[str, Callable[[SupplierAnswer, PcfContext], dict[str, JsonValue]]]] = {
    PCF_9_0_0: to_pcf_9_0_0,
    BATTERY_COMPONENT_1_0_0: to_battery_component_1_0_0,
}
"""Format name (the data plane's ``format``) → mapping."""


def render(answer: SupplierAnswer, context: PcfContext, fmt: str = PCF_9_0_0) -> dict[str, JsonValue]:
    """`answer` in the format `fmt` (``pcf-9.0.0`` or ``battery-component-1.0.0``).

    Raises:
        InvalidInput: at ``format`` for another format, or as the mapping refuses.
    """
    mapping = FORMATS.get(fmt)
    if mapping is None:
        raise InvalidInput.at("format", f"unknown PCF format {fmt!r}; use one of {', '.join(FORMATS)}", _RULE)
    return mapping(answer, context)


__all__ = [
    "BATTERY_COMPONENT_1_0_0",
    "FORMATS",
    "PCF_9_0_0",
    "SPEC_VERSION_9_0_0",
    "PcfContext",
    "WeightedDqr",
    "declared_unit",
    "render",
    "to_battery_component_1_0_0",
    "to_pcf_9_0_0",
    "weighted_dqr",
]
