"""The digital twin registry's pure parts: ids, descriptors (checked against the official Part 2 schemas), lookups,
base64url and cursors, and the AAS Part 2 content modifiers over rendered submodels."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML (with aas-test-engines): the official OpenAPI files
from hypothesis import given, strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # no stubs installed

from passbridge.ecosystems.idta import aas_content as content, registry as reg
from passbridge.ecosystems.idta.renderers import AasRenderer
from passbridge.errors import InvalidInput
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.passport.access import Role
from passbridge.passport.model import PassportId, PassportVersion
from passbridge.passport.ports import PassportListing
from passbridge.passport.samples import sample_passport
from passbridge.passport.validation import validate_document
from passbridge.passport.views import project
from tests.fixtures_path import FIXTURES

PID = PassportId("0c2f5a0e-1b9b-4e55-9a3f-5d1c6a2b7e10")
ENTRY = PassportListing(PID, "EVB-77", "EVB77000000001", 1)
URL = "https://node.example"
OPENAPI = FIXTURES / "aas-openapi" / "v3.0.4"


def _schema(name: str) -> Draft202012Validator:
    """A validator for one schema of the official Part 1 + Part 2 OpenAPI files (their cross-file refs made local)."""
    schemas: dict[str, Any] = {}
    for part in ("Part1-MetaModel-Schemas", "Part2-API-Schemas"):
        raw = (OPENAPI / part / "openapi.yaml").read_text(encoding="utf-8")
        raw = re.sub(r"https://api\.swaggerhub\.com/domains/Plattform_i40/Part[12][^#'\"]*#", "#", raw)
        schemas.update(yaml.safe_load(raw)["components"]["schemas"])
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": {"schemas": schemas}})


def _environment(role: Role = Role.ANONYMOUS) -> dict[str, Any]:
    doc = loads_exact(dumps_exact(sample_passport(1)))
    assert isinstance(doc, dict)
    version = PassportVersion(validate_document(doc), 1, dumps_exact(doc), datetime(2026, 1, 1, tzinfo=UTC))
    env: dict[str, Any] = json.loads(AasRenderer().render(project(doc, role), version))
    return env


def _submodel(id_short: str) -> dict[str, Any]:
    return next(s for s in _environment()["submodels"] if s["idShort"] == id_short)


# --- ids ---------------------------------------------------------------------------------------------------------


def test_ids_are_the_ones_the_aas_export_renders() -> None:
    env = _environment()
    pid = PassportId(env["submodels"][0]["id"].split("/")[-2])
    assert env["assetAdministrationShells"][0]["id"] == reg.shell_id(pid)
    idta = [name for name, _ in reg.SUBMODEL_PARTS if name != reg.BATTERY_PASS]
    assert [s["id"] for s in env["submodels"]] == [reg.submodel_id(pid, name) for name in idta]
    assert [s["semanticId"]["keys"][0]["value"] for s in env["submodels"]] == [
        sem for name, sem in reg.SUBMODEL_PARTS if name != reg.BATTERY_PASS
    ]


def test_ids_parse_back_to_passport_and_part() -> None:
    assert reg.parse_shell_id(reg.shell_id(PID)) == PID
    for part, (name, _) in enumerate(reg.SUBMODEL_PARTS):
        assert reg.parse_submodel_id(reg.submodel_id(PID, name)) == (PID, part)


@pytest.mark.parametrize(
    "text",
    [
        "urn:other/shells/0c2f5a0e-1b9b-4e55-9a3f-5d1c6a2b7e10",
        "urn:passbridge/shells/0C2F5A0E-1B9B-4E55-9A3F-5D1C6A2B7E10",  # not the canonical form
        "urn:passbridge/shells/not-a-uuid",
        "urn:passbridge/submodels/0c2f5a0e-1b9b-4e55-9a3f-5d1c6a2b7e10/Unknown",
        "",
    ],
)
def test_foreign_ids_name_no_twin(text: str) -> None:
    assert reg.parse_shell_id(text) is None
    assert reg.parse_submodel_id(text) is None


# --- descriptors -------------------------------------------------------------------------------------------------


def test_shell_descriptor_has_the_catena_x_asset_ids_and_is_valid_part_2() -> None:
    descriptor: Any = reg.shell_descriptor(ENTRY, public_url=URL)
    errors = [e.message for e in _schema("AssetAdministrationShellDescriptor").iter_errors(descriptor)]
    assert errors == []
    assert descriptor["id"] == reg.shell_id(PID)
    assert descriptor["globalAssetId"] == f"urn:uuid:{PID}"
    assert descriptor["specificAssetIds"] == [
        {"name": "manufacturerPartId", "value": "EVB-77"},
        {"name": "partInstanceId", "value": "EVB77000000001"},
        {"name": "digitalTwinType", "value": "PartInstance"},
    ]
    semantic_ids = [d["semanticId"]["keys"][0]["value"] for d in descriptor["submodelDescriptors"]]
    assert "urn:samm:io.catenax.battery.battery_pass:6.1.0#BatteryPass" in semantic_ids
    assert len(semantic_ids) == 8


def test_submodel_descriptor_points_at_the_repository_behind_the_dsp_dataset() -> None:
    descriptor: Any = reg.submodel_descriptor(PID, reg.BATTERY_PASS_PART, public_url=URL)
    assert list(_schema("SubmodelDescriptor").iter_errors(descriptor)) == []
    (endpoint,) = descriptor["endpoints"]
    info = endpoint["protocolInformation"]
    assert endpoint["interface"] == "SUBMODEL-3.0"
    encoded = info["href"].removeprefix(f"{URL}/aas/api/v3.0/submodels/")
    assert reg.decode_id(encoded, "href") == descriptor["id"] == reg.submodel_id(PID, "BatteryPass")
    assert info["subprotocol"] == "DSP"
    assert info["subprotocolBody"] == f"id=urn:uuid:{PID};dspEndpoint={URL}/dsp/2025-1"
    assert info["subprotocolBodyEncoding"] == "plain"
    assert info["securityAttributes"] == [{"type": "NONE", "key": "NONE", "value": "NONE"}]


def test_a_passport_without_serial_has_no_part_instance_id() -> None:
    names = [a["name"] for a in reg.specific_asset_ids(PassportListing(PID, "EVB-77", None, 1))]
    assert names == ["manufacturerPartId", "digitalTwinType"]


def test_battery_pass_submodel_is_a_valid_submodel_without_elements() -> None:
    submodel = reg.battery_pass_submodel(PID)
    assert list(_schema("Submodel").iter_errors(submodel)) == []
    assert "submodelElements" not in submodel


# --- discovery ---------------------------------------------------------------------------------------------------


def test_lookup_ands_the_asset_ids() -> None:
    query = reg.lookup_query(
        [("manufacturerPartId", "EVB-77"), ("partInstanceId", "S1"), ("digitalTwinType", "PartInstance")]
    )
    assert query == reg.LookupQuery(manufacturer_part_id="EVB-77", part_instance_id="S1")
    assert reg.lookup_query([("globalAssetId", f"urn:uuid:{PID}")]) == reg.LookupQuery(passport_id=PID)
    assert reg.lookup_query([]) == reg.LookupQuery()


@pytest.mark.parametrize(
    "asset_ids",
    [
        [("digitalTwinType", "PartType")],
        [("customerPartId", "X")],
        [("partInstanceId", "S1"), ("partInstanceId", "S2")],
        [("globalAssetId", "not-a-passport")],
    ],
)
def test_lookups_no_twin_can_match(asset_ids: list[tuple[str, str]]) -> None:
    assert reg.lookup_query(asset_ids) is None


# --- base64url and cursors ---------------------------------------------------------------------------------------


@given(st.text(st.characters(codec="utf-8"), min_size=1))
def test_ids_round_trip_through_base64url(text: str) -> None:
    encoded = reg.encode_id(text)
    assert reg.decode_id(encoded, "id") == text
    assert reg.decode_id(encoded + "=" * (-len(encoded) % 4), "id") == text  # padding is optional


@pytest.mark.parametrize("text", ["invalid-base64url=====", "a", "ab$c", "ab c", "", "/w", "_-8"])
def test_what_is_no_base64url_identifier_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        reg.decode_id(text, "path.aasIdentifier")
    assert refused.value.violations[0].path == "path.aasIdentifier"


def test_asset_ids_are_base64url_json_with_name_and_value() -> None:
    encoded = base64.urlsafe_b64encode(b'{"name": "partInstanceId", "value": "S1"}').decode()
    assert reg.decode_asset_id(encoded) == ("partInstanceId", "S1")
    for bad in (reg.encode_id("[1]"), reg.encode_id("{}"), reg.encode_id("not json"), "%%%"):
        with pytest.raises(InvalidInput):
            reg.decode_asset_id(bad)


def test_cursors_round_trip_and_forged_ones_are_refused() -> None:
    position = reg.Position(PID.value, 3, 17)
    assert reg.decode_cursor(reg.encode_cursor(position)) == position
    for forged in (reg.encode_id("x|1|2"), reg.encode_id(f"{PID}|a|2"), reg.encode_id(str(PID)), "zzz"):
        with pytest.raises(InvalidInput):
            reg.decode_cursor(forged)


# --- content modifiers -------------------------------------------------------------------------------------------


def _prop(id_short: str, value: str, value_type: str = "xs:string") -> dict[str, Any]:
    return {"idShort": id_short, "modelType": "Property", "valueType": value_type, "value": value}


@pytest.mark.parametrize(
    ("value", "value_type", "expected"),
    [
        ("true", "xs:boolean", True),
        ("0", "xs:boolean", False),
        ("2000", "xs:integer", 2000),
        ("430.5", "xs:double", Decimal("430.5")),
        ("77.0", "xs:decimal", Decimal("77.0")),
        ("INF", "xs:double", "INF"),
        ("P8Y", "xs:duration", "P8Y"),
        ("LAPBDEMO1", "xs:anyURI", "LAPBDEMO1"),
    ],
)
def test_property_values_take_the_json_type_of_their_value_type(value: str, value_type: str, expected: Any) -> None:
    result = content.value_only(_prop("P", value, value_type))
    assert result == expected and type(result) is type(expected)


def test_value_only_of_collections_lists_and_language_strings() -> None:
    element = {
        "idShort": "C",
        "modelType": "SubmodelElementCollection",
        "value": [
            _prop("A", "1", "xs:int"),
            {"idShort": "M", "modelType": "MultiLanguageProperty", "value": [{"language": "en", "text": "x"}]},
            {
                "idShort": "L",
                "modelType": "SubmodelElementList",
                "value": [{"modelType": "File", "contentType": "a/b"}],
            },
        ],
    }
    assert content.value_only(element) == {"A": 1, "M": [{"en": "x"}], "L": [{"contentType": "a/b"}]}


def test_paths_find_and_reference_agree() -> None:
    handover = _submodel("HandoverDocumentation")
    paths = content.content(handover, handover["id"], [], "$path")
    assert paths[:3] == ["Documents", "Documents[0]", "Documents[0].DocumentIds"]
    for path in paths:
        chain = content.find(handover, path)
        assert chain is not None, path
        keys = content.content(chain[-1][1], handover["id"], chain, "$reference")[0]["keys"]
        assert [k["value"] for k in keys[1:]] == re.split(r"\.|\[|\]\.?", path.rstrip("]"))
    assert content.find(handover, "Documents[99]") is None
    assert content.find(handover, "[0]") is None
    assert content.find(handover, "Nope.Documents") is None


def test_metadata_and_core_drop_what_the_spec_says() -> None:
    nameplate = _submodel("BatteryNameplate")
    assert "submodelElements" not in content.content(nameplate, nameplate["id"], [], "$metadata")[0]
    core = content.content(nameplate, nameplate["id"], [], "", deep=False)[0]
    address = next(e for e in core["submodelElements"] if e["idShort"] == "AddressInformation")
    assert "value" not in address  # its children are below core level
    assert any("value" in e for e in core["submodelElements"] if e["modelType"] == "Property")
    assert content.content(nameplate, nameplate["id"], [], "$path", deep=False) == [
        e["idShort"] for e in nameplate["submodelElements"]
    ]


def test_value_of_one_element_is_keyed_by_its_id_short() -> None:
    nameplate = _submodel("BatteryNameplate")
    chain = content.find(nameplate, "URIOfTheProduct")
    assert chain is not None
    assert content.content(chain[-1][1], nameplate["id"], chain, "$value") == [
        {"URIOfTheProduct": "LAPBDEMO1EVB77000000001"}
    ]


def test_path_of_an_element_without_children_is_refused() -> None:
    nameplate = _submodel("BatteryNameplate")
    chain = content.find(nameplate, "URIOfTheProduct")
    assert chain is not None
    with pytest.raises(InvalidInput):
        content.content(chain[-1][1], nameplate["id"], chain, "$path")


def test_path_of_a_list_item_names_it_by_index() -> None:
    handover = _submodel("HandoverDocumentation")
    chain = content.find(handover, "Documents[1].DocumentIds")
    assert chain is not None
    paths = content.content(chain[-1][1], handover["id"], chain, "$path", deep=False)
    assert paths == ["Documents[1].DocumentIds", "Documents[1].DocumentIds[0]"]
