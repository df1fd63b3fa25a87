"""Contract: a 6.1.0 passport exported as the 7 joint Catena-X/IDTA aspects, checked against the official schemas."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs installed; used for Draft4Validator only
import pytest

from passbridge.ecosystems.idta.joint_aspects import JOINT_ASPECT_URNS, MAPPED_6_1_0_PATHS, encode_joint_aspects
from tests.fixtures_path import FIXTURES

BATTERY = FIXTURES / "battery_passport"
JOINT = BATTERY / "idta_catenax_joint_batterypass"
OWNER_TOKEN = "OWNER-ONLY-TOKEN-5d41402a"
MANUFACTURER_BPNL = "BPNLLJMv5rieVicu"  # operation.manufacturer.manufacturer of the official example

MANUFACTURER = {
    "name": "Muster Batterien AG",
    "tradeName": "MusterCell",
    "postalAddress": {"street": "Musterstrasse 1", "postalCode": "12345", "city": "Musterstadt", "country": "DE"},
    "email": "service@muster-batterien.example",
    "web": "https://muster-batterien.example",
}

# Required joint members that no 6.1.0 attribute feeds: (path, indexes as [], "") → missing member.
EXPECTED_MISSING: dict[str, set[tuple[str, str]]] = {
    # Markings (CE, collection symbol, Cd/Pb symbols …) are label artwork; 6.1.0 only has documents about labels
    "NameplateBattery": {("", "Markings")},
    # 6.1.0 documents say nothing about the language they are written in
    "HandoverDocumentationBattery": {("Documents[].DocumentVersions[]", "Language")},
    "CarbonFootprintBattery": set(),
    "TechnicalDataBattery": set(),
    "ProductConditionBattery": {
        ("", "TemperatureInformation"),  # 6.1.0 operatingEnvironment is a document list, no readings
        ("CurrentSelfDischargingRate", "LastUpdate"),  # 6.1.0 dynamic.selfDischargingRate has no timestamp
        ("RemainingPowerCapability.RemainingPowerCapabilityValue", "AtSoC"),  # 6.1.0 names no state of charge
    },
    "MaterialCompositionBattery": set(),
    "CircularityBattery": {
        ("", "RecycledContentInformation"),  # 6.1.0 has one recycled share, not pre/post-consumer shares
        ("", "RenewableContent"),  # 6.1.0 has per-material renewable shares without a mass basis
        # the example's spare-part source is a BPNL other than the manufacturer: no name/address/e-mail/web
        ("SparePartSources[]", "NameOfSupplier"),
        ("SparePartSources[]", "AddressOfSupplier"),
        ("SparePartSources[]", "EmailAddressOfSupplier"),
        ("SparePartSources[]", "SupplierWebAddress"),
    },
}


def _official_example() -> dict[str, Any]:
    with (BATTERY / "catenax_battery_pass_6.1.0_example.json").open(encoding="utf-8") as handle:
        example: dict[str, Any] = json.load(handle, parse_float=Decimal)
    example["operation"]["intoServiceDate"] = "2024-03-08"  # the example's "7172-75-08" is not a date
    return example


def _passport() -> dict[str, Any]:
    """The official example, made a battery that needs a passport, plus the Annex XIII extension."""
    passport = _official_example()
    # The joint model covers the passport categories (lmt/ev/industrial); the example's "SLI" has no counterpart.
    passport["identification"]["category"] = "EV"
    # The example labels phenolphthalein's EC number 201-004-7 as "CAS"; its CAS number is 77-09-8.
    for identifier in _objects(passport):
        if identifier.get("type") == "CAS" and identifier.get("id") == "201-004-7":
            identifier["id"] = "77-09-8"
    passport["x-passbridge"] = {
        "annexXIII": {
            "manufacturer": copy.deepcopy(MANUFACTURER),
            "instructionsForUse": [
                {"contentType": "pdf", "header": "Instructions for use", "content": "https://docs.example/ifu.pdf"}
            ],
        },
        "owner": {"note": OWNER_TOKEN, OWNER_TOKEN: {"value": OWNER_TOKEN}},
    }
    return passport


def _objects(tree: Any) -> Iterator[dict[str, Any]]:
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from _objects(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from _objects(item)


def _as_json(payload: object) -> Any:
    """Plain JSON for jsonschema; Decimal becomes float here, in the test, only."""

    def decimal_to_float(value: object) -> float:
        if isinstance(value, Decimal):
            return float(value)
        raise TypeError(type(value))

    return json.loads(json.dumps(payload, default=decimal_to_float))


def _schema(aspect: str) -> dict[str, Any]:
    (path,) = JOINT.glob(f"{aspect}_*_schema.json")
    with path.open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def _violations(aspect: str, payload: object) -> set[tuple[str, str]]:
    validator = jsonschema.Draft4Validator(_schema(aspect), format_checker=jsonschema.FormatChecker())
    found = set()
    for error in validator.iter_errors(_as_json(payload)):
        path = ".".join("[]" if isinstance(p, int) else str(p) for p in error.absolute_path).replace(".[]", "[]")
        missing = re.fullmatch(r"'(.+)' is a required property", error.message)
        found.add((path, missing.group(1) if error.validator == "required" and missing else error.message))
    return found


def test_aspect_urns_are_the_official_schema_urns() -> None:
    assert {aspect: _schema(aspect)["x-samm-aspect-model-urn"] for aspect in JOINT_ASPECT_URNS} == JOINT_ASPECT_URNS


@pytest.mark.parametrize("aspect", sorted(JOINT_ASPECT_URNS))
def test_example_export_is_schema_valid_except_members_without_source(aspect: str) -> None:
    payloads = encode_joint_aspects(_passport())

    assert _violations(aspect, payloads[aspect]) == EXPECTED_MISSING[aspect]


def test_export_has_exactly_the_seven_aspects() -> None:
    assert set(encode_joint_aspects(_passport())) == set(JOINT_ASPECT_URNS)


def test_spare_part_source_that_is_the_manufacturer_gets_the_annex_xiii_contact() -> None:
    passport = _passport()
    passport["handling"]["content"]["producer"] = [{"id": MANUFACTURER_BPNL}]

    circularity: Any = encode_joint_aspects(passport)["CircularityBattery"]

    assert circularity["SparePartSources"] == [
        {
            "NameOfSupplier": [{"en": "Muster Batterien AG"}],
            "AddressOfSupplier": {
                "NationalCode": [{"en": "DE"}],
                "PostalCode": [{"en": "12345"}],
                "Street": [{"en": "Musterstrasse 1"}],
            },
            "EmailAddressOfSupplier": {"EmailAddress": "service@muster-batterien.example"},
            "SupplierWebAddress": "https://muster-batterien.example",
            "Components": [{"PartName": "Mirror left", "PartNumber": "123-0.740-3434-A"}],
        }
    ]
    assert not {miss for miss in _violations("CircularityBattery", circularity) if miss[0] == "SparePartSources[]"}


def test_spare_parts_marked_not_applicable_export_no_sources() -> None:
    passport = _passport()
    passport["handling"]["applicable"] = False  # 6.1.0: the content is then dummy data

    assert encode_joint_aspects(passport)["CircularityBattery"]["SparePartSources"] == []


def test_sparse_content_only_feeds_its_own_fields() -> None:
    passport = _passport()
    sparse = {"identification": passport["identification"], "sustainability": {"status": "repurposed"}}

    assert encode_joint_aspects(sparse) == {
        "NameplateBattery": {"SerialNumber": "SN12345678", "LifeCycleStage": "repurposed"},
        "HandoverDocumentationBattery": {},
        "CarbonFootprintBattery": {},
        "TechnicalDataBattery": {"GeneralInformation": {"BatteryCategory": "ev"}},
        "ProductConditionBattery": {},
        "MaterialCompositionBattery": {
            "BatteryChemistry": {"ShortName": "NCM", "ClearName": "Nickel Cobalt Manganese"}
        },
        "CircularityBattery": {},
    }


def test_empty_content_gives_seven_empty_aspects() -> None:
    assert encode_joint_aspects({}) == {aspect: {} for aspect in JOINT_ASPECT_URNS}


def test_values_are_carried_exactly() -> None:
    passport = _passport()
    rated_capacity = passport["performance"]["rated"]["capacity"]["value"]

    payloads: Any = encode_joint_aspects(passport)

    carried = payloads["TechnicalDataBattery"]["TechnicalPropertyAreas"]["CapacityEnergyVoltage"]["RatedCapacity"]
    assert isinstance(carried, Decimal)
    assert (carried, str(carried)) == (rated_capacity, str(rated_capacity))
    footprint = payloads["CarbonFootprintBattery"]["ProductCarbonFootprints"][0]
    assert str(footprint["PcfCo2eq"]) == "12.678"
    assert str(payloads["TechnicalDataBattery"]["GeneralInformation"]["BatteryMass"]) == "0.0200"  # 20.0 g


def test_no_float_in_any_export() -> None:
    def floats(tree: object) -> Iterator[object]:
        if isinstance(tree, dict):
            for value in tree.values():
                yield from floats(value)
        elif isinstance(tree, list):
            for item in tree:
                yield from floats(item)
        elif isinstance(tree, float):
            yield tree

    assert list(floats(encode_joint_aspects(_passport()))) == []


def test_owner_content_appears_nowhere() -> None:
    exported = json.dumps(encode_joint_aspects(_passport()), default=str)

    assert OWNER_TOKEN not in exported


# --- which 6.1.0 leaves feed the export ----------------------------------------------------------------------------


def _traceable_passport() -> dict[str, Any]:
    """The passport with one distinct link per document and values that make every conditional mapping fire.

    The official example reuses one dummy link for all its documents (which would merge them), and says "URL" as
    content type (which names no MIME type), and its spare-part source is not the manufacturer.
    """
    passport = _passport()
    documents = [obj for obj in _objects(passport) if "content" in obj and isinstance(obj["content"], str)]
    for number, document in enumerate(documents):
        document["content"] = f"https://docs.example/{number}"
        for kind in ("contentType", "type"):
            if kind in document:
                document[kind] = "pdf"
    passport["handling"]["content"]["producer"] = [{"id": MANUFACTURER_BPNL}]
    return passport


def _leaf_paths(tree: Any, prefix: str = "") -> set[str]:
    if isinstance(tree, dict):
        return set().union(*(_leaf_paths(value, f"{prefix}{key}.") for key, value in tree.items()))
    if isinstance(tree, list):
        return set().union(*(_leaf_paths(item, prefix) for item in tree))
    return {prefix[:-1]}


def _without(tree: Any, path: list[str]) -> None:
    if isinstance(tree, list):
        for item in tree:
            _without(item, path)
    elif isinstance(tree, dict) and path[0] in tree:
        if len(path) == 1:
            del tree[path[0]]
        else:
            _without(tree[path[0]], path[1:])


def test_mapped_paths_are_exactly_the_leaves_that_change_the_export() -> None:
    passport = _traceable_passport()
    baseline = encode_joint_aspects(passport)
    leaves = {path for path in _leaf_paths(passport) if not path.startswith("x-passbridge.")}

    feeding = set()
    for leaf in leaves:
        reduced = copy.deepcopy(passport)
        _without(reduced, leaf.split("."))
        if encode_joint_aspects(reduced) != baseline:
            feeding.add(leaf)

    assert leaves >= MAPPED_6_1_0_PATHS
    assert feeding == MAPPED_6_1_0_PATHS


def _member_paths(tree: Any, prefix: str = "") -> set[str]:
    if isinstance(tree, dict):
        own = {f"{prefix}{key}" for key in tree}
        return own.union(*(_member_paths(value, f"{prefix}{key}.") for key, value in tree.items()))
    if isinstance(tree, list):
        return set().union(*(_member_paths(item, prefix) for item in tree))
    return set()


@pytest.mark.parametrize("replacement", [None, "text", [], {}, 7, True], ids=repr)
def test_any_member_missing_or_mistyped_never_raises(replacement: object) -> None:
    passport = _traceable_passport()
    for member in sorted(_member_paths(passport)):
        reduced = copy.deepcopy(passport)
        _replace(reduced, member.split("."), replacement)
        encode_joint_aspects(reduced)


def _replace(tree: Any, path: list[str], replacement: object) -> None:
    if isinstance(tree, list):
        for item in tree:
            _replace(item, path, replacement)
    elif isinstance(tree, dict) and path[0] in tree:
        if len(path) > 1:
            _replace(tree[path[0]], path[1:], replacement)
        elif replacement is None:
            del tree[path[0]]
        else:
            tree[path[0]] = replacement


# --- conversions and choices ----------------------------------------------------------------------------------------


def _technical_data(passport: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = encode_joint_aspects(passport)["TechnicalDataBattery"]
    return payload


def test_categories_without_a_joint_counterpart_are_left_out() -> None:
    passport = _passport()
    passport["identification"]["category"] = "SLI"

    assert "BatteryCategory" not in _technical_data(passport)["GeneralInformation"]


@pytest.mark.parametrize(
    ("life_value", "life_unit", "expected"),
    [
        (36, "unit:month", "P36M"),
        (Decimal("2.0"), "unit:year", "P2Y"),
        (Decimal("1.5"), "unit:year", None),
        (1000, "unit:cycle", None),
        (5000, "unit:runningOrOperatingHour", None),
    ],
)
def test_warranty_becomes_an_iso_8601_duration_only_for_calendar_units(
    life_value: object, life_unit: str, expected: str | None
) -> None:
    passport = _passport()
    passport["characteristics"]["warranty"] = {"lifeValue": life_value, "lifeUnit": life_unit}

    assert _technical_data(passport)["GeneralInformation"].get("WarrantyInformation") == (
        {"WarrantyPeriod": expected} if expected else None
    )


@pytest.mark.parametrize(
    ("value", "unit", "kilograms"),
    [
        (Decimal("450.5"), "unit:kilogram", "450.5"),
        (Decimal("1"), "unit:pound", "0.45359237"),
        (Decimal("1.2"), "unit:tonneMetricTon", "1200.0"),
        (Decimal("3"), "unit:ounceAvoirdupois", "0.085048569375"),
    ],
)
def test_battery_mass_is_converted_to_kilograms_exactly(value: Decimal, unit: str, kilograms: str) -> None:
    passport = _passport()
    passport["characteristics"]["physicalDimension"]["weight"] = {"value": value, "unit": unit}

    assert str(_technical_data(passport)["GeneralInformation"]["BatteryMass"]) == kilograms


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("kg CO2e/kWh", "12.678"), ("g CO₂-eq per kWh", "0.012678"), ("kg CO2 / battery", None)],
)
def test_carbon_footprint_is_read_as_kg_co2e_per_kwh(unit: str, expected: str | None) -> None:
    passport = _passport()
    passport["sustainability"]["carbonFootprint"][0]["unit"] = unit

    payloads: Any = encode_joint_aspects(passport)
    footprint = payloads["CarbonFootprintBattery"]["ProductCarbonFootprints"][0]

    assert (str(footprint["PcfCo2eq"]) if "PcfCo2eq" in footprint else None) == expected


def test_only_climate_change_total_is_a_product_carbon_footprint() -> None:
    passport = _passport()
    passport["sustainability"]["carbonFootprint"][0]["type"] = "Ozone Depletion"

    assert encode_joint_aspects(passport)["CarbonFootprintBattery"] == {"ProductCarbonFootprints": []}


def test_hazardous_concentration_is_converted_to_percent_and_non_cas_ids_are_dropped() -> None:
    passport = _official_example()  # keeps the example's EC number labelled "CAS"

    payloads: Any = encode_joint_aspects(passport)
    substance = payloads["MaterialCompositionBattery"]["HazardousSubstances"][0]

    assert str(substance["HazardousSubstanceConcentration"]) == "0.00053"  # 5.3 ppm
    assert "HazardousSubstanceIdentifier" not in substance
    assert substance["HazardousSubstanceName"] == "phenolphthalein"


DOCUMENT_REFERENCES = {
    "EUDeclarationOfConformity",
    "ResultsOfTestReportsProvingCompliance",
    "WebLinkToPublicCarbonFootprintStudy",
    "CycleLifeReferenceTest",
    "InformationOnAccidents",
    "DismantlingAndRemovalInformation",
    "SafetyInstructions",
    "WastePrevention",
    "SeparateCollection",
    "InformationOnCollection",
}


def test_every_document_reference_is_a_handover_document_identifier() -> None:
    payloads: Any = encode_joint_aspects(_traceable_passport())
    handover = payloads.pop("HandoverDocumentationBattery")
    identifiers = {i["DocumentIdentifier"] for doc in handover["Documents"] for i in doc["DocumentIds"]}

    references = {ref for obj in _objects(payloads) for key in DOCUMENT_REFERENCES & obj.keys() for ref in obj[key]}

    assert references
    assert references <= identifiers


def test_the_same_link_is_one_handover_document_with_every_classification() -> None:
    handover: Any = encode_joint_aspects(_passport())["HandoverDocumentationBattery"]

    links = [doc["DocumentIds"][-1]["DocumentIdentifier"] for doc in handover["Documents"]]
    assert links == ["https://dummy.link", "https://docs.example/ifu.pdf"]
    dummy = handover["Documents"][0]
    assert dummy["DocumentIds"][0] == {
        "DocumentDomainId": "BPNL0123456789ZZ",
        "DocumentIdentifier": "0978234-34567890-01",  # conformity.declarationOfConformityId
        "DocumentIsPrimary": True,
    }
    assert {c["ClassId"] for c in dummy["DocumentClassifications"]} == {
        "01-01", "02-01", "02-04", "03-01", "03-02", "03-03", "03-04"
    }  # fmt: skip
