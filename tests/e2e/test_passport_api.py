"""The passport API as a user meets it: create, read as each role, versions, lifecycle, QR, public page."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from passbridge.bootstrap import Services
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.passport.access import Role
from passbridge.passport.samples import sample_passport, sample_passport_id
from tests.conftest import auth, body, official_example

OWNER_TOKEN_NOTE = "x-passbridge"


def post(client: TestClient, services: Services, doc: dict[str, Any]) -> Any:
    return client.post("/api/v1/passports", content=body(doc), headers=auth(services, Role.OWNER))


def test_official_example_round_trips_losslessly(client: TestClient, services: Services) -> None:
    doc = official_example()
    created = post(client, services, doc)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    assert created.headers["location"] == f"/api/v1/passports/{pid}"
    read = client.get(f"/api/v1/passports/{pid}", headers=auth(services, Role.OWNER))
    assert read.status_code == 200
    assert loads_exact(read.content) == doc
    assert read.content == dumps_exact(doc)  # digit for digit: 20.0 stays 20.0, 12.678 stays 12.678


def test_official_example_with_its_bogus_date_is_refused_naming_the_field(
    client: TestClient, services: Services
) -> None:
    response = post(client, services, official_example(fix_date=False))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert [e["path"] for e in problem["errors"]] == ["$.operation.intoServiceDate"]
    assert problem["status"] == 422 and problem["type"].startswith("urn:passbridge:problem:")


def test_catenax_6_0_0_documents_are_read_and_served_as_6_1_0(client: TestClient, services: Services) -> None:
    doc = official_example()
    del doc["specVersion"]  # the only difference of 6.0.0 (release notes); the contract test checks the trees
    pid = post(client, services, doc).json()["id"]
    read = client.get(f"/api/v1/passports/{pid}").json()
    assert read["specVersion"] == "urn:io.catenax.battery.battery_pass:6.1.0"


def test_anonymous_reader_gets_only_public_fields(client: TestClient, services: Services) -> None:
    pid = post(client, services, sample_passport(1, with_owner_data=True)).json()["id"]
    public = client.get(f"/api/v1/passports/{pid}").json()
    assert "dynamic" not in public["performance"]  # Annex XIII 4
    assert "status" not in public["sustainability"]  # Annex XIII 4(c)
    assert "resultOfTestReport" not in public["conformity"]  # Annex XIII 3
    assert "owner" not in public["x-passbridge"]
    assert public["performance"]["rated"]["capacity"]["value"] == 210
    commission = client.get(f"/api/v1/passports/{pid}", headers=auth(services, Role.COMMISSION)).json()
    assert "owner" not in commission["x-passbridge"]
    assert commission["sustainability"]["status"] == "original"


def test_put_makes_a_new_immutable_version_and_versions_lists_them(client: TestClient, services: Services) -> None:
    doc = sample_passport(1)
    pid = post(client, services, doc).json()["id"]
    changed = copy.deepcopy(doc)
    changed["performance"]["dynamic"]["stateOfCharge"]["value"] = Decimal("55.5")
    put = client.put(f"/api/v1/passports/{pid}", content=body(changed), headers=auth(services, Role.OWNER))
    assert put.status_code == 200 and put.json()["version"] == 2
    owner = auth(services, Role.OWNER)
    v1 = client.get(f"/api/v1/passports/{pid}?version=1", headers=owner).json()
    v2 = client.get(f"/api/v1/passports/{pid}", headers=owner).json()
    assert v1["performance"]["dynamic"]["stateOfCharge"]["value"] == 64
    assert v2["performance"]["dynamic"]["stateOfCharge"]["value"] == Decimal("55.5")
    listing = client.get(f"/api/v1/passports/{pid}/versions", headers=owner).json()
    assert [v["version"] for v in listing["versions"]] == [1, 2]
    assert listing["current"] == 2 and listing["status"] == "original"
    anonymous = client.get(f"/api/v1/passports/{pid}/versions").json()
    assert anonymous["status"] is None and all(v["status"] is None for v in anonymous["versions"])


def test_etag_allows_conditional_reads(client: TestClient, services: Services) -> None:
    pid = post(client, services, sample_passport(1)).json()["id"]
    first = client.get(f"/api/v1/passports/{pid}")
    again = client.get(f"/api/v1/passports/{pid}", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    owner = client.get(f"/api/v1/passports/{pid}", headers=auth(services, Role.OWNER))
    assert owner.headers["etag"] != first.headers["etag"]


def test_lifecycle_follows_article_77(client: TestClient, services: Services) -> None:
    owner = auth(services, Role.OWNER)
    original = sample_passport(1)
    pid = post(client, services, original).json()["id"]
    # repurposing: the original records its status, a new passport links to it (Art. 77(7))
    assert (
        client.put(
            f"/api/v1/passports/{pid}", content=body(sample_passport(1, status="repurposed")), headers=owner
        ).status_code
        == 200
    )
    successor = sample_passport(1, model="ESS-20", status="repurposed", predecessor=pid)
    created = post(client, services, successor)
    assert created.status_code == 201, created.text
    links = client.get(f"/api/v1/passports/{pid}/versions").json()
    assert links["successors"] == [created.json()["id"]]
    # recycling ends it; nothing comes after waste
    assert (
        client.put(
            f"/api/v1/passports/{pid}", content=body(sample_passport(1, status="waste")), headers=owner
        ).status_code
        == 200
    )
    back = client.put(f"/api/v1/passports/{pid}", content=body(sample_passport(1, status="original")), headers=owner)
    assert back.status_code == 409
    problem = back.json()
    assert problem["current"] == "waste" and problem["requested"] == "original"
    assert "'waste'" in problem["detail"] and "'original'" in problem["detail"]
    assert client.get(f"/api/v1/passports/{pid}").status_code == 200  # an ended passport stays readable


def test_going_back_to_original_is_refused_naming_both_states(client: TestClient, services: Services) -> None:
    owner = auth(services, Role.OWNER)
    pid = post(client, services, sample_passport(1)).json()["id"]
    client.put(f"/api/v1/passports/{pid}", content=body(sample_passport(1, status="re-used")), headers=owner)
    response = client.put(f"/api/v1/passports/{pid}", content=body(sample_passport(1)), headers=owner)
    assert response.status_code == 409
    assert (response.json()["current"], response.json()["requested"]) == ("re-used", "original")


def test_repurposed_passport_needs_an_existing_predecessor(client: TestClient, services: Services) -> None:
    orphan = sample_passport(5, status="repurposed")
    response = post(client, services, orphan)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.metadata.predecessor"
    ghost = sample_passport(6, status="repurposed", predecessor=sample_passport_id(999))
    response = post(client, services, ghost)
    assert response.status_code == 422 and "does not exist" in response.json()["errors"][0]["message"]


def test_qr_code_encodes_the_public_page_url(client: TestClient, services: Services) -> None:
    pid = post(client, services, sample_passport(1)).json()["id"]
    response = client.get(f"/api/v1/passports/{pid}/qr.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.lstrip().startswith("<svg") and "<path" in response.text
    assert client.get(f"/api/v1/passports/{sample_passport_id(42)}/qr.svg").status_code == 404


def test_public_page_shows_public_fields_only(client: TestClient, services: Services) -> None:
    pid = post(client, services, sample_passport(1, with_owner_data=True)).json()["id"]
    page = client.get(f"/p/{pid}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Lithium Nickel Manganese Cobalt Oxide" in page.text
    assert "Kansai Cathode" not in page.text  # owner-only
    assert "stateOfCharge" not in page.text  # Annex XIII 4


def test_writes_need_the_owner(client: TestClient, services: Services) -> None:
    doc = body(sample_passport(1))
    assert client.post("/api/v1/passports", content=doc).status_code == 401
    as_recycler = client.post("/api/v1/passports", content=doc, headers=auth(services, Role.RECYCLER))
    assert as_recycler.status_code == 403
    assert as_recycler.headers["content-type"] == "application/problem+json"


def test_healthz_reports_the_database(client: TestClient, services: Services) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["database"] in {"sqlite", "postgresql"}
