"""Customer answers as Catena-X PCF payloads (`ecosystems/catenax/pcf.py`): the payloads validate against the
official draft-04 schemas in the fixtures, a hand-checkable answer comes out with the numbers worked out below,
and what cannot be mapped is refused, never guessed.

Hand check (per kg of the part): stage 1 = 2, stage 2 = 6, distribution = end of life = 0.
TeR = (1·2 + 3·6) / 8 = 2.5; GeR = (2·2 + 2·6) / 8 = 2; TiR = (3·2 + 1·6) / 8 = 1.5; DQR = (2.5 + 2 + 1.5) / 3 = 2.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs installed; Draft4Validator only
import pytest

from passbridge.ecosystems.catenax.pcf import (
    BATTERY_COMPONENT_1_0_0,
    PCF_9_0_0,
    PcfContext,
    render,
    to_battery_component_1_0_0,
    to_pcf_9_0_0,
)
from passbridge.errors import InvalidInput
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.supplychain.answers import StageDqr, StageEmission, SupplierAnswer
from passbridge.supplychain.footprints import Dqr, Stage
from passbridge.supplychain.quantities import Unit
from tests.fixtures_path import FIXTURES

_SCHEMAS = {
    PCF_9_0_0: FIXTURES / "battery_passport" / "catenax_pcf_9.0.0_schema.json",
    BATTERY_COMPONENT_1_0_0: FIXTURES / "ouranos" / "catena-x" / "PcfForBatteryComponentSupplier_1.0.0_schema.json",
}
_EXAMPLES = {
    PCF_9_0_0: FIXTURES / "battery_passport" / "catenax_pcf_9.0.0_example.json",
    BATTERY_COMPONENT_1_0_0: FIXTURES / "ouranos" / "catena-x" / "PcfForBatteryComponentSupplier_1.0.0_example.json",
}
TRACE = uuid.UUID("7f0c8a52-2d6e-4a57-9c31-0c1d2e3f4a5b")
ANSWER = uuid.UUID("0b6f1d2e-3c4a-4b5c-8d6e-7f8091a2b3c4")
CONTEXT = PcfContext(
    manufacturer_part_id="CATHODE-NMC811",
    customer_part_id="CELL-IN-7",
    legal_identifier="BPNL000000000001",
    site_identifier="BPNS000000000001",
    created=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
    valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    valid_to=datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
    company_name="Cathode Works KK",
    reference_period_start=datetime(2025, 1, 1, tzinfo=UTC),
    reference_period_end=datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC),
    geography_region="Eastern Asia",
    exempted_emissions_percent=Decimal(0),
    ccs_included=False,
    secondary_emission_factor_sources=("ecoinvent 3.10",),
    product_mass_per_piece=Decimal("0.25"),
)


def _answer(
    unit: Unit = Unit.KILOGRAM,
    stages: tuple[str, str, str, str] = ("2", "6", "0", "0"),
    *,
    cfp: bool = True,
    dqr: bool = True,
) -> SupplierAnswer:
    return SupplierAnswer(
        answer_id=ANSWER,
        trace_id=TRACE,
        declared_unit=unit,
        cfp=tuple(StageEmission(s, Decimal(v)) for s, v in zip(Stage, stages, strict=True)) if cfp else None,
        dqr=(
            (
                StageDqr(Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING, Dqr(Decimal(1), Decimal(2), Decimal(3))),
                StageDqr(Stage.MAIN_PRODUCTION, Dqr(Decimal(3), Decimal(2), Decimal(1))),
            )
            if dqr
            else None
        ),
        materials=None,
        trades_count=3,
        completed_count=3,
    )


def _validator(fmt: str) -> Any:
    schema = json.loads(_SCHEMAS[fmt].read_text(encoding="utf-8"))
    assert schema["$schema"].startswith("http://json-schema.org/draft-04/")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def _wire(payload: dict[str, Any]) -> Any:
    """The payload as the data plane sends it, read back with exact decimals."""
    return loads_exact(dumps_exact(payload))


@pytest.mark.parametrize("fmt", [PCF_9_0_0, BATTERY_COMPONENT_1_0_0])
def test_the_official_examples_validate(fmt: str) -> None:
    _validator(fmt).validate(json.loads(_EXAMPLES[fmt].read_text(encoding="utf-8")))


@pytest.mark.parametrize("fmt", [PCF_9_0_0, BATTERY_COMPONENT_1_0_0])
@pytest.mark.parametrize("unit", [Unit.KILOGRAM, Unit.UNIT])
def test_payloads_validate_against_the_official_schemas(fmt: str, unit: Unit) -> None:
    payload = _wire(render(_answer(unit, ("2", "6", "0.5", "0")) if fmt != PCF_9_0_0 else _answer(unit), CONTEXT, fmt))
    _validator(fmt).validate(json.loads(json.dumps(payload, default=float)))


def test_battery_component_hand_checked_numbers_round_trip() -> None:
    doc = _wire(to_battery_component_1_0_0(_answer(), CONTEXT))
    shares = doc["pcfValues"]["sharesPerStage"]
    assert shares["declaredUnit"] == "CO2KG/KG"
    assert shares["stage1RawMaterialAquisitionPreProcessing"]["stageValue"] == Decimal(2)
    assert shares["stage2MainProductProduction"]["stageValue"] == Decimal(6)
    assert shares["stage3Distribution"]["stageValue"] == Decimal(0)
    assert shares["stage4EndOfLifeRecycling"]["stageValue"] == Decimal(0)
    assert shares["absPcfValue"]["stageValue"] == Decimal(8)
    assert doc["technologicalRepresentativeness"] == Decimal("2.5")
    assert doc["geographicalRepresentativeness"] == Decimal(2)
    assert doc["timerelatedRepresentativeness"] == Decimal("1.5")
    assert doc["dataQualityRating"] == Decimal(2)
    raw = to_battery_component_1_0_0(_answer(), CONTEXT)
    assert isinstance(raw["dataQualityRating"], Decimal)
    assert doc["manufacturerPartId"] == "CATHODE-NMC811"
    assert doc["legalidentifier"] == "BPNL000000000001"
    assert doc["validityPeriod"] == {"validFrom": "2026-01-01T00:00:00Z", "validTo": "2026-12-31T23:59:59Z"}


def test_pcf_9_hand_checked_numbers_round_trip() -> None:
    doc = _wire(to_pcf_9_0_0(_answer(Unit.UNIT), CONTEXT))
    product = doc["companyAndProductInformation"][0]["productInformation"][0]
    assert product["declaredUnitOfMeasurement"] == "piece"
    assert product["productIds"] == [f"urn:uuid:{TRACE}"]
    assert product["productMassPerDeclaredUnit"] == Decimal("0.25")
    production = doc["productLifeCycleStagesAndEmissions"][0]["productionStage"][0]
    assert production["pcfExcludingBiogenicUptake"] == Decimal(8)
    assert production["pcfIncludingBiogenicUptake"] == Decimal(8)
    quality = doc["pcfAssessmentAndMethodology"][0]["dataSourcesAndQuality"][0]
    assert (quality["technologicalDQR"], quality["geographicalDQR"], quality["temporalDQR"]) == (
        Decimal("2.5"),
        Decimal(2),
        Decimal("1.5"),
    )
    info = doc["pcfAssessmentAndMethodology"][0]["pcfAssessmentInformation"][0]
    assert info["idAndVersion"][0]["id"] == str(ANSWER)


@pytest.mark.parametrize("unit", [Unit.KILOWATT_HOUR, Unit.MEGAJOULE, Unit.SQUARE_METER, Unit.GRAM, Unit.LITER])
@pytest.mark.parametrize("fmt", [PCF_9_0_0, BATTERY_COMPONENT_1_0_0])
def test_an_unmappable_unit_is_refused_naming_the_field(unit: Unit, fmt: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        render(_answer(unit), CONTEXT, fmt)
    assert caught.value.violations[0].path == "declaredUnit"
    assert unit.value in str(caught.value)


def test_a_piece_without_a_mass_is_refused_in_9_0_0() -> None:
    with pytest.raises(InvalidInput) as caught:
        to_pcf_9_0_0(_answer(Unit.UNIT), replace(CONTEXT, product_mass_per_piece=None))
    assert caught.value.violations[0].path == "productMassPerDeclaredUnit"


def test_a_withheld_footprint_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        render(_answer(cfp=False), CONTEXT, PCF_9_0_0)
    assert caught.value.violations[0].path == "cfp"


def test_a_withheld_dqr_is_refused_where_required_and_left_out_where_optional() -> None:
    with pytest.raises(InvalidInput) as caught:
        to_battery_component_1_0_0(_answer(dqr=False), CONTEXT)
    assert caught.value.violations[0].path == "dataQualityRating"
    quality = to_pcf_9_0_0(_answer(dqr=False), CONTEXT)["pcfAssessmentAndMethodology"]
    assert "technologicalDQR" not in json.dumps(quality, default=str)


def test_an_out_of_range_dqr_is_refused() -> None:
    answer = _answer()
    low = SupplierAnswer(
        answer.answer_id,
        answer.trace_id,
        answer.declared_unit,
        answer.cfp,
        (StageDqr(Stage.MAIN_PRODUCTION, Dqr(Decimal("2.1"), Decimal(0), Decimal(2))),),
        None,
        0,
        0,
    )
    with pytest.raises(InvalidInput) as caught:
        to_battery_component_1_0_0(low, CONTEXT)
    assert caught.value.violations[0].path == "geographicalRepresentativeness"


def test_end_of_life_is_refused_in_9_0_0() -> None:
    with pytest.raises(InvalidInput) as caught:
        to_pcf_9_0_0(_answer(stages=("2", "6", "0", "1")), CONTEXT)
    assert caught.value.violations[0].path == "cfp.endOfLifeAndRecycling"


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        render(_answer(), CONTEXT, "pact-3.0")
    assert caught.value.violations[0].path == "format"
