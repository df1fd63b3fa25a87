"""Ouranos CFP ⇄ Catena-X battery-component PCF (ouranos.md §8): the unit table, the refusals, and the round trip
Ouranos → Catena-X → Ouranos → Catena-X giving the same numbers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings, strategies as st

from passbridge.ecosystems.catenax.pcf import PcfContext, to_battery_component_1_0_0
from passbridge.ecosystems.catenax.pcf_read import read_component_pcf
from passbridge.errors import InvalidInput
from passbridge.jsontypes import JsonObject
from passbridge.link.cfp_mapping import catenax_unit, registration, supplier_answer
from passbridge.ouranos.cfp import answer
from passbridge.supplychain.quantities import Unit

TRACE = str(uuid.UUID("0b7c8f0e-1a2b-4c3d-9e8f-0a1b2c3d4e5f"))
BOTH = frozenset({"TOTALCFP", "TOTALDQR"})
CONTEXT = PcfContext(
    manufacturer_part_id="JP-CAM-9",
    customer_part_id="JP-CAM-9",
    legal_identifier="BPNL00000000KCJP",
    site_identifier="BPNS00000000KCJP",
    created=datetime(2026, 1, 5, tzinfo=UTC),
    valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    valid_to=datetime(2026, 12, 31, tzinfo=UTC),
    company_name="Kansai Cathode K.K.",
    reference_period_start=datetime(2025, 1, 1, tzinfo=UTC),
    reference_period_end=datetime(2025, 12, 31, tzinfo=UTC),
    geography_region="Eastern Asia",
    exempted_emissions_percent=Decimal(0),
    ccs_included=False,
)


def _records(values: dict[str, tuple[str, tuple[str, str, str]]], unit: str = "kgCO2e/kilogram") -> list[JsonObject]:
    stages = {"preProduction": "preProcessing", "mainProduction": "mainProcessing"}
    stages |= {"preComponent": "preProcessing", "mainComponent": "mainProcessing"}
    return [
        {
            "cfpId": None,
            "traceId": TRACE,
            "ghgEmission": Decimal(values[kind][0]),
            "ghgDeclaredUnit": unit,
            "cfpType": kind,
            "dqrType": dqr_type,
            "dqrValue": dict(zip(("TeR", "GeR", "TiR"), map(Decimal, values[kind][1]), strict=True)),
        }
        for kind, dqr_type in stages.items()
    ]


KANSAI = {
    "preProduction": ("1.5", ("2", "1", "1")),
    "mainProduction": ("2.5", ("1", "1", "2")),
    "preComponent": ("2.5", ("3", "2", "1")),
    "mainComponent": ("0.5", ("2", "2", "2")),
}


def _to_catenax(records: list[JsonObject], released: frozenset[str] = BOTH) -> dict[str, Any]:
    response = [r for r in answer(records, TRACE) if isinstance(r, dict)]
    return to_battery_component_1_0_0(supplier_answer(response, TRACE, released), CONTEXT)


def test_an_ouranos_answer_maps_to_stage_totals_and_a_weighted_dqr() -> None:
    pcf = _to_catenax(_records(KANSAI))
    shares = pcf["pcfValues"]["sharesPerStage"]
    assert shares["stage1RawMaterialAquisitionPreProcessing"]["stageValue"] == Decimal(4)
    assert shares["stage2MainProductProduction"]["stageValue"] == Decimal(3)
    assert shares["absPcfValue"]["stageValue"] == Decimal(7) and shares["declaredUnit"] == "CO2KG/KG"
    assert (pcf["technologicalRepresentativeness"], pcf["geographicalRepresentativeness"]) == (
        Decimal(2),
        Decimal("1.42857"),
    )


def test_the_round_trip_keeps_the_numbers() -> None:
    first = _to_catenax(_records(KANSAI))
    back = registration(read_component_pcf(first), TRACE)
    assert [(r["cfpType"], r["ghgEmission"]) for r in back if isinstance(r, dict)] == [
        ("preProduction", Decimal(4)),
        ("mainProduction", Decimal(3)),
        ("preComponent", Decimal(0)),
        ("mainComponent", Decimal(0)),
    ]
    second = _to_catenax([r for r in back if isinstance(r, dict)])
    assert second == first


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.decimals(min_value=0, max_value=9999, places=5), min_size=4, max_size=4),
    st.lists(st.decimals(min_value=1, max_value=5, places=1), min_size=12, max_size=12),
)
def test_any_ouranos_answer_round_trips_to_the_same_stage_totals(emissions: list[Decimal], dqr: list[Decimal]) -> None:
    assume(sum(emissions) > 0)  # nothing to weigh the DQR by: 1.0.0 (DQR required) refuses, tested below
    kinds = ("preProduction", "mainProduction", "preComponent", "mainComponent")
    values = {
        kind: (str(e), (str(dqr[3 * i]), str(dqr[3 * i + 1]), str(dqr[3 * i + 2])))
        for i, (kind, e) in enumerate(zip(kinds, emissions, strict=True))
    }
    first = _to_catenax(_records(values))
    back = read_component_pcf(first)
    assert back.pre_production == emissions[0] + emissions[2]
    assert back.main_production == emissions[1] + emissions[3]
    assert back.declared_unit is Unit.KILOGRAM
    again = _to_catenax([r for r in registration(back, TRACE) if isinstance(r, dict)])
    assert again["pcfValues"] == first["pcfValues"]
    for name in ("technologicalRepresentativeness", "geographicalRepresentativeness", "timerelatedRepresentativeness"):
        assert again[name] == first[name]


@pytest.mark.parametrize(
    ("ouranos", "catenax"),
    [("kgCO2e/kilogram", Unit.KILOGRAM), ("kgCO2e/unit", Unit.UNIT)],
)
def test_the_two_units_with_a_counterpart(ouranos: str, catenax: Unit) -> None:
    assert catenax_unit(ouranos) is catenax


@pytest.mark.parametrize(
    "unit", ["kgCO2e/liter", "kgCO2e/kilowatt-hour", "kgCO2e/megajoule", "kgCO2e/square-meter", "kgCO2e/gram", None]
)
def test_every_other_ouranos_unit_is_refused(unit: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        catenax_unit(unit)
    assert refused.value.violations[0].path == "ghgDeclaredUnit"
    assert "no Catena-X counterpart" in refused.value.violations[0].message


def test_withheld_groups_stay_withheld() -> None:
    response = [r for r in answer(_records(KANSAI), TRACE) if isinstance(r, dict)]
    assert supplier_answer(response, TRACE, frozenset({"TOTALCFP"})).dqr is None
    assert supplier_answer(response, TRACE, frozenset({"TOTALDQR"})).cfp is None
    with pytest.raises(InvalidInput, match="dataQualityRating"):
        _to_catenax(_records(KANSAI), frozenset({"TOTALCFP"}))


def _component(**changes: Any) -> dict[str, Any]:
    pcf = _to_catenax(_records(KANSAI))
    for path, value in changes.items():
        target: Any = pcf
        *parents, last = path.split("__")
        for key in parents:
            target = target[key]
        target[last] = value
    return pcf


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"pcfValues__sharesPerStage__declaredUnit": "CO2KG/kWh"}, "pcfValues.sharesPerStage.declaredUnit"),
        (
            {"pcfValues__sharesPerStage__stage3Distribution": {"stageValue": Decimal("0.1")}},
            "pcfValues.sharesPerStage.stage3Distribution.stageValue",
        ),
        (
            {"pcfValues__sharesPerStage__stage2MainProductProduction": {"stageValue": Decimal(-1)}},
            "pcfValues.sharesPerStage.stage2MainProductProduction.stageValue",
        ),
        ({"technologicalRepresentativeness": Decimal(6)}, "technologicalRepresentativeness"),
        ({"manufacturerPartId": ""}, "manufacturerPartId"),
    ],
)
def test_a_catenax_pcf_ouranos_cannot_carry_is_refused_naming_the_field(changes: dict[str, Any], path: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_component_pcf(_component(**changes))
    assert refused.value.violations[0].path == path


def test_a_9_0_0_pcf_is_refused_it_has_no_stage_split() -> None:
    with pytest.raises(InvalidInput, match="no per-stage split"):
        read_component_pcf({"specVersion": "urn:io.catenax.pcf:datamodel:version:9.0.0", "productFootprint": {}})
