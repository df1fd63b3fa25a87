"""IDTA 02035-1…7 AAS submodels from the official BatteryPass 6.1.0 example, checked against the official templates.

The templates (``shared/fixtures/aas/dbp``) are read here, never by the product: idShorts, semanticIds, model and
value types of every emitted element are compared with theirs. ``aas_core3.verification`` and aas-test-engines
1.0.3 (metamodel 3.0) check the result.
"""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from aas_core3 import jsonization, verification
from aas_test_engines import file as aas_test_engines_file

from passbridge.ecosystems.idta.aas_submodels import (
    MAPPED_6_1_0_PATHS,
    SUBMODEL_SEMANTIC_IDS,
    encode_environment,
    encode_submodels,
)
from tests.fixtures_path import FIXTURES

PASSPORT_ID = "urn:uuid:0c2f5a0e-1b9b-4e55-9a3f-5d1c6a2b7e10"
BASE_ID = "https://passbridge.example/aas"
OWNER_TOKEN = "OWNER-ONLY-7f3a9c"
DROP_IN = "https://admin-shell.io/smt-dropin/smt-dropin-use/1/0"
TEMPLATE_FILES = (
    "IDTA-02035-1_v1.0_DigitalNameplate.json",
    "IDTA-02035-2_v1.0_HandoverDocumentation.json",
    "IDTA-02035-3_v1.0_ProductCarbonFootprint.json",
    "IDTA-02035-4_v1.0.1_TechnicalData.json",
    "IDTA-02035-5_v1.0.1_ProductCondition.json",
    "IDTA-02035-6_v1.0.1_MaterialComposition.json",
    "IDTA-02035-7_v1.0.1_Circularity.json",
)

Json = Any


def example() -> dict[str, Json]:
    """The official 6.1.0 example (numbers as Decimal, the bogus date fixed) with our Annex XIII extension."""
    raw = (FIXTURES / "battery_passport" / "catenax_battery_pass_6.1.0_example.json").read_text()
    content: dict[str, Json] = json.loads(raw, parse_float=Decimal)
    content["operation"]["intoServiceDate"] = "2024-03-08"  # the example says "7172-75-08"
    content["x-passbridge"] = {
        "annexXIII": {
            "manufacturer": {
                "name": "Muster Batterien AG",
                "tradeName": "MusterCell",
                "postalAddress": {
                    "street": "Musterstr. 1",
                    "postalCode": "12345",
                    "city": "Musterstadt",
                    "country": "DE",
                },
                "email": "passport@muster.example",
                "web": "https://muster.example",
            },
            "instructionsForUse": [
                {"contentType": "application/pdf", "header": "Instructions", "content": "https://muster.example/i.pdf"}
            ],
        },
        "owner": {"note": OWNER_TOKEN, "supplierPrice": OWNER_TOKEN},
    }
    return content


def templates() -> dict[str, Json]:
    """idShort → the template submodel, as the official JSON states it."""
    found: dict[str, Json] = {}
    for name in TEMPLATE_FILES:
        environment = json.loads((FIXTURES / "aas" / "dbp" / name).read_text())
        (submodel,) = environment["submodels"]
        found[submodel["idShort"]] = submodel
    return found


def semantic_id(element: Json) -> str | None:
    keys = (element.get("semanticId") or {}).get("keys") or []
    return keys[0]["value"] if keys else None


def walk(elements: list[Json], prefix: str = "", in_list: bool = False) -> Iterator[tuple[str, Json]]:
    """(idShortPath, element) of every element; list items are written ``[]`` whatever their index."""
    for element in elements:
        path = f"{prefix}[]" if in_list else f"{prefix}.{element['idShort']}" if prefix else element["idShort"]
        yield path, element
        if element["modelType"] in ("SubmodelElementCollection", "SubmodelElementList"):
            yield from walk(element.get("value") or [], path, element["modelType"] == "SubmodelElementList")


@pytest.fixture(scope="module")
def environment() -> dict[str, Json]:
    return encode_environment(example(), passport_id=PASSPORT_ID, base_id=BASE_ID)


def submodel(environment: dict[str, Json], id_short: str) -> Json:
    return next(sm for sm in environment["submodels"] if sm["idShort"] == id_short)


def value_at(environment: dict[str, Json], id_short: str, path: str) -> Json:
    for where, element in walk(submodel(environment, id_short).get("submodelElements") or []):
        if where == path:
            return element.get("value")
    raise AssertionError(f"{id_short}: no element {path}")


def test_every_submodel_verifies_without_errors() -> None:
    submodels = encode_submodels(example(), passport_id=PASSPORT_ID, base_id=BASE_ID)

    errors = {sm.id_short: [f"{e.path}: {e.cause}" for e in verification.verify(sm)] for sm in submodels}

    assert errors == {id_short: [] for id_short in SUBMODEL_SEMANTIC_IDS}


def test_the_environment_reads_back_and_verifies(environment: dict[str, Json]) -> None:
    parsed = jsonization.environment_from_jsonable(environment)

    assert [f"{e.path}: {e.cause}" for e in verification.verify(parsed)] == []
    assert len(parsed.submodels or []) == 7


def test_submodel_id_shorts_and_semantic_ids_are_the_official_templates(environment: dict[str, Json]) -> None:
    official = {id_short: semantic_id(sm) for id_short, sm in templates().items()}

    emitted = {sm["idShort"]: semantic_id(sm) for sm in environment["submodels"]}

    assert emitted == official
    assert dict(SUBMODEL_SEMANTIC_IDS) == official
    assert {sm["kind"] for sm in environment["submodels"]} == {"Instance"}


def test_every_emitted_element_is_a_template_element_with_its_semantic_id_and_types(
    environment: dict[str, Json],
) -> None:
    """Paths, semanticIds, model and value types all come from the template; a drop-in slot takes any content."""
    mismatches = []
    for id_short, template in templates().items():
        official = dict(walk(template["submodelElements"]))
        drop_ins = {
            path
            for path, element in official.items()
            if any(ref["keys"][0]["value"] == DROP_IN for ref in element.get("supplementalSemanticIds") or [])
        }
        for path, element in walk(submodel(environment, id_short).get("submodelElements") or []):
            if any(path.startswith(f"{slot}.") for slot in drop_ins):
                continue
            expected = official.get(path)
            got = (element["modelType"], element.get("valueType"), semantic_id(element))
            if expected is None or got != (expected["modelType"], expected.get("valueType"), semantic_id(expected)):
                mismatches.append((id_short, path, got))

    assert mismatches == []


def test_the_address_drop_in_holds_contact_information_elements(environment: dict[str, Json]) -> None:
    address = {
        path: semantic_id(element)
        for path, element in walk(submodel(environment, "BatteryNameplate")["submodelElements"])
        if path.startswith("AddressInformation.")
    }

    assert address == {
        "AddressInformation.Street": "0173-1#02-AAO128#002",
        "AddressInformation.Zipcode": "0173-1#02-AAO129#002",
        "AddressInformation.CityTown": "0173-1#02-AAO132#002",
        "AddressInformation.NationalCode": "0173-1#02-AAO134#002",
        "AddressInformation.Email": "0173-1#02-AAQ836#005",
        "AddressInformation.Email.EmailAddress": "0173-1#02-AAO198#002",
        "AddressInformation.AddressOfAdditionalLink": "0173-1#02-AAQ326#002",
    }


def test_no_list_item_carries_an_id_short(environment: dict[str, Json]) -> None:
    """AASd-120 (V3.0): the templates' V3.1 list items have idShorts, ours must not."""

    def items(elements: list[Json]) -> Iterator[Json]:
        for element in elements:
            children = element.get("value") if element["modelType"].startswith("SubmodelElement") else None
            if element["modelType"] == "SubmodelElementList":
                yield from children or []
            yield from items(children or [])

    named = [item for sm in environment["submodels"] for item in items(sm.get("submodelElements") or [])]

    assert [item["idShort"] for item in named if "idShort" in item] == []


@pytest.mark.parametrize(
    ("id_short", "path", "expected"),
    [
        ("TechnicalData", "TechnicalPropertyAreas.CapacityEnergyVoltage.RatedCapacity", "4.0"),
        ("TechnicalData", "TechnicalPropertyAreas.CapacityEnergyVoltage.NominalVoltage", "3.7"),
        ("TechnicalData", "TechnicalPropertyAreas.Resistance.InitialInternalResistanceOnBatteryCellLevel", "0.025"),
        ("TechnicalData", "TechnicalPropertyAreas.RoundTripEnergyEfficiency.InitialRoundTripEnergyEfficiency", "96"),
        ("TechnicalData", "TechnicalPropertyAreas.Lifetime.ExpectedNumberOfCycles", "1500"),
        ("TechnicalData", "GeneralInformation.BatteryMass", "0.0200"),  # 20.0 g, exactly in kg
        ("TechnicalData", "GeneralInformation.WarrantyInformation.WarrantyPeriod", "P36D"),
        ("CarbonFootprint", "ProductCarbonFootprints[].PcfCO2eq", "12.678"),
        ("CarbonFootprint", "ProductCarbonFootprints[].ReferenceImpactUnitForCalculation", "kWh"),
        ("ProductCondition", "StateOfCharge.LastUpdate", "2023-12-07T10:39:13.576+01:00"),
        ("ProductCondition", "NumberOfFullCycles.NumberOfFullCyclesValue", "1500"),
        ("MaterialComposition", "HazardousSubstances[].HazardousSubstanceConcentration", "0.00053"),  # 5.3 ppm in %
        ("BatteryNameplate", "DateOfPuttingIntoService", "2024-03-08"),
        ("BatteryNameplate", "LifeCycleStage", "original"),
        ("BatteryNameplate", "SerialNumber", "SN12345678"),
    ],
)
def test_values_keep_their_exact_digits(environment: dict[str, Json], id_short: str, path: str, expected: str) -> None:
    assert value_at(environment, id_short, path) == expected


def test_ids_are_url_safe_and_name_the_passport(environment: dict[str, Json]) -> None:
    prefix = f"{BASE_ID}/submodels/{quote(PASSPORT_ID, safe='')}"

    ids = [sm["id"] for sm in environment["submodels"]]

    assert ids == [f"{prefix}/{id_short}" for id_short in SUBMODEL_SEMANTIC_IDS]
    assert all(quote(one, safe=":/%") == one for one in ids)


def test_the_shell_identifies_the_battery(environment: dict[str, Json]) -> None:
    (shell,) = environment["assetAdministrationShells"]

    assert shell["assetInformation"] == {
        "assetKind": "Instance",
        "globalAssetId": "urn:uuid:550e8400-e29b-41d4-a716-446655440000",
        "specificAssetIds": [
            {"name": "manufacturerPartId", "value": "123-0.740-3434-A"},
            {"name": "partInstanceId", "value": "SN12345678"},
        ],
    }
    assert [ref["keys"][0]["value"] for ref in shell["submodels"]] == [sm["id"] for sm in environment["submodels"]]


def test_every_cited_document_is_in_the_handover_documentation(environment: dict[str, Json]) -> None:
    handed_over = {
        value_id["value"]
        for path, value_id in walk(submodel(environment, "HandoverDocumentation")["submodelElements"])
        if path.endswith(".DocumentIdentifier")
    }
    cited = {
        element["value"]
        for sm in environment["submodels"]
        for _, element in walk(sm.get("submodelElements") or [])
        if semantic_id(element) == "urn:samm:io.admin-shell.idta.handover_documentation:2.0.0#DocumentIdentifier"
    }

    assert cited - handed_over == {"0978234-34567890-01"}  # conformity.declarationOfConformityId, a number
    assert "x-passbridge.annexXIII.instructionsForUse[0]" in handed_over
    assert len(handed_over) == 39


def test_sparse_content_encodes_and_verifies() -> None:
    full = example()
    sparse = {"identification": full["identification"], "sustainability": {"status": "repurposed"}}

    submodels = encode_submodels(sparse, passport_id=PASSPORT_ID, base_id=BASE_ID)
    environment: dict[str, Json] = encode_environment(sparse, passport_id=PASSPORT_ID, base_id=BASE_ID)

    assert [e for sm in submodels for e in verification.verify(sm)] == []
    assert value_at(environment, "BatteryNameplate", "LifeCycleStage") == "repurposed"
    assert value_at(environment, "MaterialComposition", "BatteryChemistry.ClearName") == "Nickel Cobalt Manganese (NCM)"
    assert submodel(environment, "ProductCondition").get("submodelElements") is None
    assert environment["assetAdministrationShells"][0]["assetInformation"]["globalAssetId"] == PASSPORT_ID


def test_owner_only_data_appears_nowhere(environment: dict[str, Json]) -> None:
    assert OWNER_TOKEN not in json.dumps(environment)
    assert "owner" not in json.dumps(environment)


def test_values_outside_the_template_type_are_left_out() -> None:
    content = example()
    content["operation"]["intoServiceDate"] = "7172-75-08"
    content["performance"]["rated"]["roundTripEfficiency"]["initial"] = Decimal("96.5")  # template: xs:integer

    environment: dict[str, Json] = encode_environment(content, passport_id=PASSPORT_ID, base_id=BASE_ID)

    paths = {path for sm in environment["submodels"] for path, _ in walk(sm.get("submodelElements") or [])}
    assert "DateOfPuttingIntoService" not in paths
    assert "TechnicalPropertyAreas.RoundTripEnergyEfficiency.InitialRoundTripEnergyEfficiency" not in paths
    assert "TechnicalPropertyAreas.RoundTripEnergyEfficiency.RoundTripEnergyEfficiencyAt50PercentOfCycleLife" in paths


# --- MAPPED_6_1_0_PATHS is exact: removing a mapped leaf changes the export, removing any other leaf does not ------


def inventory_leaves() -> list[str]:
    """Every 6.1.0 leaf path, arrays transparent, from the field inventory."""
    with (FIXTURES / "battery_passport" / "catenax_battery_pass_6.1.0_field_inventory.csv").open() as rows:
        return sorted(
            {row["path"].replace("[]", "") for row in csv.DictReader(rows) if row["type"] not in ("object", "array")}
        )


def without(node: Json, segments: list[str]) -> None:
    """Delete the leaf at `segments` everywhere below `node` (arrays transparent)."""
    if isinstance(node, list):
        for item in node:
            without(item, segments)
    elif isinstance(node, dict) and segments[0] in node:
        if len(segments) == 1:
            del node[segments[0]]
        else:
            without(node[segments[0]], segments[1:])


def every_value_shown() -> dict[str, Json]:
    """The example with values the templates can show: MIME content types, an integral self-discharging rate."""
    content = example()

    def retype(node: Json) -> None:
        if isinstance(node, list):
            for item in node:
                retype(item)
        elif isinstance(node, dict):
            for key in node:
                if key == "contentType" or (key == "type" and "category" in node):
                    node[key] = "application/pdf"
                else:
                    retype(node[key])

    retype(content)
    content["performance"]["rated"]["selfDischargingRate"] = Decimal("1")
    return content


def test_mapped_paths_are_exactly_the_leaves_that_feed_the_export() -> None:
    content = every_value_shown()
    baseline = json.dumps(encode_environment(content, passport_id=PASSPORT_ID, base_id=BASE_ID))
    feeding, invalid = set(), []
    for leaf in inventory_leaves():
        filtered = copy.deepcopy(content)
        without(filtered, leaf.split("."))
        if json.dumps(encode_environment(filtered, passport_id=PASSPORT_ID, base_id=BASE_ID)) != baseline:
            feeding.add(leaf)
        submodels = encode_submodels(filtered, passport_id=PASSPORT_ID, base_id=BASE_ID)
        invalid += [(leaf, e.cause) for sm in submodels for e in verification.verify(sm)]

    assert invalid == []
    assert feeding == MAPPED_6_1_0_PATHS


def objects_in(node: Json, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(node, dict):
        if path:
            yield path
        for key, value in node.items():
            yield from objects_in(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from objects_in(item, (*path, index))


@pytest.mark.parametrize("replacement", [None, "not an object", []])
def test_any_object_missing_or_mistyped_still_encodes_and_verifies(replacement: Json) -> None:
    content = every_value_shown()
    invalid = []
    for path in objects_in(content):
        broken = copy.deepcopy(content)
        parent: Json = broken
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = replacement
        for sm in encode_submodels(broken, passport_id=PASSPORT_ID, base_id=BASE_ID):
            invalid += [(path, e.cause) for e in verification.verify(sm)]

    assert invalid == []


def test_aas_test_engines_accepts_the_export(environment: dict[str, Json]) -> None:
    """aas-test-engines 1.0.3 (``check_file --format json`` in Python): metamodel 3.0 and its constraints."""
    result = aas_test_engines_file.check_json_data(json.loads(json.dumps(environment)))

    assert result.ok(), repr(result)
