"""The digital twin registry and submodel repository as a Catena-X consumer meets them (`/aas/api/v3.0`): discovery
by specificAssetIds, descriptors, paging, errors as AAS `Result`, and submodels that show each reader only what its
access level allows."""

from __future__ import annotations

import base64
import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passbridge.bootstrap import Services
from passbridge.passport.access import Role
from passbridge.passport.samples import sample_passport
from tests.conftest import auth, body

AAS = "/aas/api/v3.0"
OWNER_ONLY = ("Kansai Cathode K.K.", "CAM-811-JP-0042", "31.20", "second source qualification pending", "96.4")
OTHERS = [role for role in Role if role is not Role.OWNER]
MODIFIERS = ("", "/$metadata", "/$value", "/$reference", "/$path")
RESULT_KEYS = {"messageType", "text", "code", "correlationId", "timestamp"}
BATTERY_PASS_URN = "urn:samm:io.catenax.battery.battery_pass:6.1.0#BatteryPass"


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def asset_id(name: str, value: str) -> str:
    return b64(json.dumps({"name": name, "value": value}))


@pytest.fixture
def twins(client: TestClient, services: Services) -> dict[str, dict[str, Any]]:
    """Four passports of two models (one with owner-only data): passport id → its document."""
    docs = [sample_passport(n, with_owner_data=n == 1) for n in (1, 2, 3)] + [sample_passport(1, model="EVB-99")]
    created = {}
    for doc in docs:
        response = client.post("/api/v1/passports", content=body(doc), headers=auth(services, Role.OWNER))
        assert response.status_code == 201, response.text
        created[response.json()["id"]] = doc
    return created


def pages(client: TestClient, url: str, headers: dict[str, str] | None = None) -> list[Any]:
    """Every item of a paged listing, following the cursors (each page checked for the paged-result shape)."""
    items: list[Any] = []
    cursor: str | None = None
    for _ in range(200):
        separator = "&" if "?" in url else "?"
        response = client.get(url + (f"{separator}cursor={cursor}" if cursor else ""), headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"paging_metadata", "result"}
        items += page["result"]
        cursor = page["paging_metadata"].get("cursor")
        if cursor is None:
            return items
    raise AssertionError("the cursors never end")


def assert_result(response: Any, status: int) -> None:
    """An AAS Part 2 `Result` and nothing else (aas-test-engines refuses any other member)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    doc = response.json()
    assert set(doc) == {"messages"}
    (message,) = doc["messages"]
    assert set(message) <= RESULT_KEYS and message["messageType"] == "Error" and message["code"] == str(status)


def test_every_passport_is_one_shell_descriptor_paged_by_cursor(client: TestClient, twins: dict[str, Any]) -> None:
    descriptors = pages(client, f"{AAS}/shell-descriptors?limit=3")
    assert sorted(d["globalAssetId"] for d in descriptors) == sorted(f"urn:uuid:{pid}" for pid in twins)
    assert pages(client, f"{AAS}/shell-descriptors?limit=1") == descriptors == pages(client, f"{AAS}/shell-descriptors")
    for descriptor in descriptors:
        alone = client.get(f"{AAS}/shell-descriptors/{b64(descriptor['id'])}")
        assert alone.status_code == 200 and alone.json() == descriptor
        assert descriptor["idShort"] == "BatteryPassport" and descriptor["assetKind"] == "Instance"
    assert pages(client, f"{AAS}/shell-descriptors?assetKind=Type") == []


def test_descriptors_carry_the_battery_identifiers_and_the_dsp_endpoint(
    client: TestClient, services: Services, twins: dict[str, Any]
) -> None:
    pid, doc = next(iter(twins.items()))
    descriptor = client.get(f"{AAS}/shell-descriptors/{b64(f'urn:passbridge/shells/{pid}')}").json()
    serial = doc["identification"]["identification"]["serial"][0]["value"]
    assert {a["name"]: a["value"] for a in descriptor["specificAssetIds"]} == {
        "manufacturerPartId": "EVB-77",
        "partInstanceId": serial,
        "digitalTwinType": "PartInstance",
    }
    url = services.settings.effective_public_url
    submodels = descriptor["submodelDescriptors"]
    assert [d["semanticId"]["keys"][0]["value"] for d in submodels][-1] == BATTERY_PASS_URN
    for sub in submodels:
        info = sub["endpoints"][0]["protocolInformation"]
        assert info["href"] == f"{url}{AAS}/submodels/{b64(sub['id'])}"
        assert info["subprotocolBody"] == f"id=urn:uuid:{pid};dspEndpoint={url}/dsp/2025-1"
        by_id = client.get(f"{AAS}/shell-descriptors/{b64(descriptor['id'])}/submodel-descriptors/{b64(sub['id'])}")
        assert by_id.json() == sub
    listed = pages(client, f"{AAS}/shell-descriptors/{b64(descriptor['id'])}/submodel-descriptors?limit=3")
    assert listed == submodels


def test_lookup_finds_twins_by_each_specific_asset_id(client: TestClient, twins: dict[str, Any]) -> None:
    shell = {pid: f"urn:passbridge/shells/{pid}" for pid in twins}
    by_model = {
        pid: doc["identification"]["identification"]["type"]["manufacturerPartId"] for pid, doc in twins.items()
    }

    def lookup(*ids: str) -> list[str]:
        return pages(client, f"{AAS}/lookup/shells?limit=2&" + "&".join(f"assetIds={i}" for i in ids))

    for pid, doc in twins.items():
        serial = doc["identification"]["identification"]["serial"][0]["value"]
        assert lookup(asset_id("partInstanceId", serial)) == [shell[pid]]
        assert lookup(asset_id("globalAssetId", f"urn:uuid:{pid}")) == [shell[pid]]
        assert client.get(f"{AAS}/lookup/shells/{b64(shell[pid])}").json()[1] == {
            "name": "partInstanceId",
            "value": serial,
        }
    evb77 = sorted(shell[pid] for pid, model in by_model.items() if model == "EVB-77")
    assert sorted(lookup(asset_id("manufacturerPartId", "EVB-77"))) == evb77 and len(evb77) == 3
    both = lookup(asset_id("manufacturerPartId", "EVB-77"), asset_id("digitalTwinType", "PartInstance"))
    assert sorted(both) == evb77
    assert lookup(asset_id("manufacturerPartId", "EVB-99"), asset_id("partInstanceId", "EVB77000000001")) == []
    assert lookup(asset_id("digitalTwinType", "PartType")) == []
    assert lookup(asset_id("customerPartId", "EVB-77")) == []
    assert sorted(lookup()) == sorted(shell.values())


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/shell-descriptors/invalid-base64url=====", 400),
        ("/shell-descriptors/a", 400),
        ("/shell-descriptors?limit=0", 400),
        ("/shell-descriptors?limit=-1", 400),
        ("/shell-descriptors?cursor=bm9wZQ", 400),
        ("/lookup/shells?assetIds=invalid-base64url=====", 400),
        (f"/lookup/shells?assetIds={b64('[]')}", 400),
        ("/submodels/invalid-base64url=====", 400),
        ("/submodels/invalid-base64url=====/$value", 400),
        ("/submodels?level=shallow", 400),
        ("/submodels?extent=everything", 400),
        ("/serialization?includeConceptDescriptions=maybe", 400),
        (f"/shell-descriptors/{b64('urn:passbridge/shells/00000000-0000-4000-8000-000000000000')}", 404),
        (f"/shell-descriptors/{b64('https://example.org/aas/other')}", 404),
        (f"/submodels/{b64('urn:passbridge/submodels/00000000-0000-4000-8000-000000000000/BatteryNameplate')}", 404),
        (f"/submodels/{b64('https://example.org/submodels/other')}/$value", 404),
        ("/nothing-here", 404),
    ],
)
def test_bad_requests_get_an_aas_result(client: TestClient, twins: dict[str, Any], path: str, status: int) -> None:
    assert_result(client.get(AAS + path), status)


def test_unknown_element_paths_writes_and_bad_tokens_get_an_aas_result(
    client: TestClient, twins: dict[str, Any]
) -> None:
    pid = next(iter(twins))
    nameplate = b64(f"urn:passbridge/submodels/{pid}/BatteryNameplate")
    assert_result(client.get(f"{AAS}/submodels/{nameplate}/submodel-elements/NoSuchElement"), 404)
    assert_result(client.get(f"{AAS}/submodels/{nameplate}/submodel-elements/URIOfTheProduct/$path"), 400)
    assert_result(client.get(f"{AAS}/submodels/{nameplate}/submodel-elements/URIOfTheProduct/attachment"), 405)
    assert_result(client.post(f"{AAS}/shell-descriptors", json={"id": "x"}), 501)
    assert_result(client.get(f"{AAS}/shell-descriptors", headers={"Authorization": "Bearer forged"}), 401)


def test_submodels_are_paged_across_twins_with_stable_ids(client: TestClient, twins: dict[str, Any]) -> None:
    listed = [s["id"] for s in pages(client, f"{AAS}/submodels?limit=3")]
    assert len(listed) == len(set(listed)) == 8 * len(twins)
    for pid in twins:
        descriptor = client.get(f"{AAS}/shell-descriptors/{b64(f'urn:passbridge/shells/{pid}')}").json()
        assert {d["id"] for d in descriptor["submodelDescriptors"]} <= set(listed)
    nameplates = pages(client, f"{AAS}/submodels?idShort=BatteryNameplate&limit=1")
    assert len(nameplates) == len(twins) and all(s["idShort"] == "BatteryNameplate" for s in nameplates)
    semantic = b64(BATTERY_PASS_URN)
    assert [s["idShort"] for s in pages(client, f"{AAS}/submodels/$metadata?semanticId={semantic}")] == [
        "BatteryPass"
    ] * len(twins)
    paths = pages(client, f"{AAS}/submodels/$path?limit=50")  # one path per item, ~440 per twin
    assert "AddressInformation.Street" in paths


def test_each_submodel_answers_every_content_modifier(client: TestClient, twins: dict[str, Any]) -> None:
    pid = next(iter(twins))
    descriptor = client.get(f"{AAS}/shell-descriptors/{b64(f'urn:passbridge/shells/{pid}')}").json()
    for sub in descriptor["submodelDescriptors"]:
        base = f"{AAS}/submodels/{b64(sub['id'])}"
        for modifier in MODIFIERS:
            response = client.get(base + modifier)
            assert response.status_code == 200, (sub["idShort"], modifier, response.text)
        assert client.get(base).json()["id"] == sub["id"]
        assert client.get(f"{base}/$reference").json()["keys"] == [{"type": "Submodel", "value": sub["id"]}]
        elements = pages(client, f"{base}/submodel-elements?limit=2")
        assert elements == client.get(base).json().get("submodelElements", [])
        for path in client.get(f"{base}/$path").json():
            element = client.get(f"{base}/submodel-elements/{path}")
            assert element.status_code == 200, (path, element.text)
    battery_pass = client.get(f"{AAS}/submodels/{b64(f'urn:passbridge/submodels/{pid}/BatteryPass')}/$value")
    assert battery_pass.json() == client.get(f"/api/v1/passports/{pid}").json()  # the aspect as the caller sees it


def test_submodel_content_follows_the_callers_access_level(
    client: TestClient, services: Services, twins: dict[str, Any]
) -> None:
    pid = next(iter(twins))
    handover = f"{AAS}/submodels/{b64(f'urn:passbridge/submodels/{pid}/HandoverDocumentation')}/$value"
    battery_pass = f"{AAS}/submodels/{b64(f'urn:passbridge/submodels/{pid}/BatteryPass')}/$value"
    test_results = "https://example.com/docs/results.pdf"  # conformity.resultOfTestReport: Annex XIII point 3
    anonymous: dict[str, str] = {}
    notified = auth(services, Role.NOTIFIED_BODY)
    assert test_results not in client.get(handover, headers=anonymous).text
    assert test_results in client.get(handover, headers=notified).text
    assert "resultOfTestReport" not in client.get(battery_pass, headers=anonymous).json()["conformity"]
    assert "resultOfTestReport" in client.get(battery_pass, headers=notified).json()["conformity"]
    listing = f"{AAS}/submodels/$value?idShort=HandoverDocumentation"
    assert test_results not in json.dumps(pages(client, listing))
    assert test_results in json.dumps(pages(client, listing, notified))
    assert client.get(handover).headers["vary"] == "Authorization"


def test_a_new_version_keeps_the_ids_and_changes_the_content(
    client: TestClient, services: Services, twins: dict[str, Any]
) -> None:
    pid, doc = next(iter(twins.items()))
    reader = auth(services, Role.LEGITIMATE_INTEREST)
    condition = f"{AAS}/submodels/{b64(f'urn:passbridge/submodels/{pid}/ProductCondition')}"
    before = client.get(condition, headers=reader).json()
    changed = copy.deepcopy(doc)
    changed["performance"]["dynamic"]["stateOfCharge"]["value"] = Decimal("55.5")
    put = client.put(f"/api/v1/passports/{pid}", content=body(changed), headers=auth(services, Role.OWNER))
    assert put.status_code == 200, put.text
    after = client.get(condition, headers=reader).json()
    assert after["id"] == before["id"] and after != before
    value = client.get(f"{condition}/submodel-elements/StateOfCharge/$value", headers=reader).json()
    assert "55.5" in json.dumps(value)


def test_serialization_bundles_the_named_shells_and_submodels(client: TestClient, twins: dict[str, Any]) -> None:
    pid = next(iter(twins))
    shell, nameplate = f"urn:passbridge/shells/{pid}", f"urn:passbridge/submodels/{pid}/BatteryNameplate"
    environment = client.get(f"{AAS}/serialization?aasIds={b64(shell)}&submodelIds={b64(nameplate)}").json()
    assert [s["id"] for s in environment["assetAdministrationShells"]] == [shell]
    assert [s["id"] for s in environment["submodels"]] == [nameplate]
    assert client.get(f"{AAS}/serialization").json() == {}
    shells = pages(client, f"{AAS}/shells?limit=1")
    assert {s["id"] for s in shells} == {f"urn:passbridge/shells/{p}" for p in twins} and len(shells) == len(twins)
    assert (
        client.get(f"{AAS}/description")
        .json()["profiles"][-1]
        .endswith("SubmodelRepositoryServiceSpecification/SSP-002")
    )


@pytest.mark.parametrize("role", OTHERS)
def test_owner_only_data_never_appears(
    client: TestClient, services: Services, twins: dict[str, Any], role: Role
) -> None:
    headers = auth(services, role)
    pid = next(iter(twins))
    assert twins[pid]["x-passbridge"]["owner"]  # the first twin holds owner-only data

    def read(url: str) -> str:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text)
        return response.text

    urls = [
        f"{AAS}/shell-descriptors",
        f"{AAS}/lookup/shells",
        f"{AAS}/shells",
        f"{AAS}/lookup/shells/{b64(f'urn:passbridge/shells/{pid}')}",
    ]
    urls += [f"{AAS}/submodels{m}?limit=1000" for m in MODIFIERS]
    seen = [read(url) for url in urls]
    for part in (
        "BatteryPass",
        "BatteryNameplate",
        "HandoverDocumentation",
        "CarbonFootprint",
        "TechnicalData",
        "ProductCondition",
        "MaterialComposition",
        "Circularity",
    ):
        base = f"{AAS}/submodels/{b64(f'urn:passbridge/submodels/{pid}/{part}')}"
        seen += [read(base + m) for m in MODIFIERS]
        seen += [read(f"{base}/submodel-elements{m}") for m in MODIFIERS]
        seen.append(read(f"{AAS}/serialization?submodelIds={base.rsplit('/', 1)[1]}"))
    text = "\n".join(seen)
    assert "Demo Battery Works GmbH" in text  # the public data is there
    leaked = [secret for secret in OWNER_ONLY if secret in text]
    assert leaked == []
