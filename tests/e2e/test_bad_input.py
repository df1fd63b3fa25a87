"""Bad input: each case gets a 4xx problem+json naming the field, and nothing is stored."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from passbridge.bootstrap import Services
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.access import Role
from passbridge.passport.samples import sample_passport, sample_passport_id
from passbridge.storage.tables import passport_versions, passports
from tests.conftest import auth


def _edit(change: Callable[[dict[str, Any]], None]) -> bytes:
    doc = sample_passport(1)
    change(doc)
    return dumps_exact(doc)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


def _deep(levels: int) -> bytes:
    return b'{"identification":' + b'{"a":' * levels + b"1" + b"}" * levels + b"}"


# (case, body, expected status, expected path of the first error)
CASES: list[tuple[str, bytes, int, str]] = [
    ("malformed JSON", b'{"identification": {', 400, "$"),
    ("empty body", b"", 400, "$"),
    ("not an object", b"[1, 2, 3]", 422, "$"),
    ("NaN is not JSON", b'{"a": NaN}', 400, "$"),
    ("wrong type", _edit(_set("metadata.version", 5)), 422, "$.metadata.version"),
    (
        "wrong type deep",
        _edit(_set("performance.rated.capacity.value", "210")),
        422,
        "$.performance.rated.capacity.value",
    ),
    ("unknown field at root", _edit(_set("colour", "red")), 422, "$.colour"),
    (
        "unknown field nested",
        _edit(_set("identification.identification.type.colour", "red")),
        422,
        "$.identification.identification.type.colour",
    ),
    ("missing required field", _edit(lambda d: d["metadata"].pop("issueDate")), 422, "$.metadata.issueDate"),
    ("impossible date", _edit(_set("operation.intoServiceDate", "7172-75-08")), 422, "$.operation.intoServiceDate"),
    ("February 30", _edit(_set("metadata.issueDate", "2026-02-30")), 422, "$.metadata.issueDate"),
    (
        "timestamp without zone",
        _edit(_set("performance.dynamic.stateOfCharge.time", "2026-10-01T08:00:00")),
        422,
        "$.performance.dynamic.stateOfCharge.time",
    ),
    ("expiry before issue", _edit(_set("metadata.expirationDate", "2020-01-01")), 422, "$.metadata.expirationDate"),
    (
        "recycled share over 100",
        _edit(_set("materials.active.cobalt.recycled", Decimal("100.5"))),
        422,
        "$.materials.active.cobalt.recycled",
    ),
    (
        "negative share",
        _edit(_set("materials.active.nickel.recycled", Decimal("-1"))),
        422,
        "$.materials.active.nickel.recycled",
    ),
    (
        "state of charge over 100",
        _edit(_set("performance.dynamic.stateOfCharge.value", Decimal("140"))),
        422,
        "$.performance.dynamic.stateOfCharge.value",
    ),
    (
        "concentration over the whole",
        _edit(_set("materials.hazardous.cadmium.concentration", Decimal("2000000"))),
        422,
        "$.materials.hazardous.cadmium.concentration",
    ),
    ("bad BPNL", _edit(_set("metadata.economicOperatorId", "BPNL123")), 422, "$.metadata.economicOperatorId"),
    (
        "bad BPNA",
        _edit(_set("operation.manufacturer.facility.0.facility", "BPNS000000000001")),
        422,
        "$.operation.manufacturer.facility[0].facility",
    ),
    (
        "unit outside the allowed set",
        _edit(_set("characteristics.physicalDimension.weight.unit", "unit:stone")),
        422,
        "$.characteristics.physicalDimension.weight.unit",
    ),
    (
        "carbon footprint not per kWh",
        _edit(_set("sustainability.carbonFootprint.0.unit", "kg CO2e / kg")),
        422,
        "$.sustainability.carbonFootprint[0].unit",
    ),
    (
        "duplicate serial key",
        _edit(
            lambda d: d["identification"]["identification"]["serial"].append(
                {"key": "partInstanceId", "value": "other"}
            )
        ),
        422,
        "$.identification.identification.serial[1].key",
    ),
    (
        "passport identifier not a UUID",
        _edit(_set("metadata.passportIdentifier", "battery-1")),
        422,
        "$.metadata.passportIdentifier",
    ),
    (
        "own predecessor",
        _edit(_set("metadata.predecessor", "urn:uuid:" + sample_passport_id(1))),
        422,
        "$.metadata.predecessor",
    ),
    (
        "predecessor that does not exist",
        _edit(_set("metadata.predecessor", "urn:uuid:" + sample_passport_id(77))),
        422,
        "$.metadata.predecessor",
    ),
    ("new passport starting as waste", _edit(_set("sustainability.status", "waste")), 422, "$.sustainability.status"),
    ("deeply nested JSON", _deep(5_000), 400, "$"),
    ("moderately nested JSON", _deep(40), 422, "$.identification.a"),
    ("oversized body", b'{"a": "' + b"x" * (5 * 1024 * 1024 + 10) + b'"}', 413, "$"),
]


def _stored(services: Services) -> tuple[int, int]:
    with services.engine.connect() as connection:
        heads = connection.execute(select(func.count()).select_from(passports)).scalar_one()
        versions = connection.execute(select(func.count()).select_from(passport_versions)).scalar_one()
    return heads, versions


@pytest.mark.parametrize(("case", "payload", "status", "path"), CASES, ids=[c[0] for c in CASES])
def test_bad_passport_is_refused_naming_the_field_and_nothing_is_stored(
    sqlite_client: TestClient, sqlite_services: Services, case: str, payload: bytes, status: int, path: str
) -> None:
    before = _stored(sqlite_services)
    response = sqlite_client.post("/api/v1/passports", content=payload, headers=auth(sqlite_services, Role.OWNER))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= problem.keys()
    assert problem["status"] == status
    assert path in [error["path"] for error in problem["errors"]]
    assert _stored(sqlite_services) == before


def test_duplicate_passport_identifier_is_a_conflict(client: TestClient, services: Services) -> None:
    owner = auth(services, Role.OWNER)
    assert client.post("/api/v1/passports", content=dumps_exact(sample_passport(1)), headers=owner).status_code == 201
    again = client.post("/api/v1/passports", content=dumps_exact(sample_passport(1)), headers=owner)
    assert again.status_code == 409
    assert again.json()["errors"][0]["path"] == "$.metadata.passportIdentifier"
    assert _stored(services) == (1, 1)


def test_duplicate_battery_identifier_is_a_conflict(client: TestClient, services: Services) -> None:
    owner = auth(services, Role.OWNER)
    client.post("/api/v1/passports", content=dumps_exact(sample_passport(1)), headers=owner)
    clash = sample_passport(2)
    clash["identification"]["idDmc"] = sample_passport(1)["identification"]["idDmc"]
    response = client.post("/api/v1/passports", content=dumps_exact(clash), headers=owner)
    assert response.status_code == 409
    assert response.json()["errors"][0]["path"] == "$.identification.idDmc"
    assert _stored(services) == (1, 1)


def test_put_with_another_passport_identifier_is_refused(sqlite_client: TestClient, sqlite_services: Services) -> None:
    owner = auth(sqlite_services, Role.OWNER)
    pid = sqlite_client.post("/api/v1/passports", content=dumps_exact(sample_passport(1)), headers=owner).json()["id"]
    response = sqlite_client.put(f"/api/v1/passports/{pid}", content=dumps_exact(sample_passport(2)), headers=owner)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.metadata.passportIdentifier"
    assert _stored(sqlite_services) == (1, 1)


@pytest.mark.parametrize(
    ("url", "status", "path"),
    [
        ("/api/v1/passports/{id}?format=xml", 400, "format"),
        ("/api/v1/passports/not-a-uuid", 422, "path.id"),
        ("/api/v1/passports/{id}?version=0", 400, "query.version"),
        ("/api/v1/passports/{id}?version=9", 404, None),
        ("/api/v1/passports/" + sample_passport_id(404), 404, None),
    ],
)
def test_bad_reads_get_problems(
    sqlite_client: TestClient, sqlite_services: Services, url: str, status: int, path: str | None
) -> None:
    owner = auth(sqlite_services, Role.OWNER)
    pid = sqlite_client.post("/api/v1/passports", content=dumps_exact(sample_passport(1)), headers=owner).json()["id"]
    response = sqlite_client.get(url.format(id=pid))
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    if path is not None:
        assert response.json()["errors"][0]["path"] == path


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer "],
)
def test_bad_credentials_are_401(sqlite_client: TestClient, sqlite_services: Services, header: str) -> None:
    response = sqlite_client.get(f"/api/v1/passports/{sample_passport_id(1)}", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_token_for_an_unknown_role_or_another_node_is_rejected(
    sqlite_client: TestClient, sqlite_services: Services, make_services: Callable[..., Services], tmp_path: Any
) -> None:
    from joserfc import jwt

    key = sqlite_services.tokens._key  # forge a token with a valid signature but a role we do not know
    node = f"urn:passbridge:node:{key.kid}"
    now = int(sqlite_services.clock.now().timestamp())
    claims = {"iss": node, "aud": node, "sub": "x", "role": "pirate", "iat": now, "exp": now + 60}
    forged = jwt.encode({"alg": key.algorithm}, claims, key.key, algorithms=[key.algorithm])
    response = sqlite_client.get("/healthz")
    assert response.status_code == 200
    denied = sqlite_client.get(
        f"/api/v1/passports/{sample_passport_id(1)}", headers={"Authorization": f"Bearer {forged}"}
    )
    assert denied.status_code == 401
    other = copy.copy(claims)
    other["role"] = "owner"
    foreign_key = make_services(database_url=f"sqlite:///{tmp_path / 'other.db'}").tokens._key
    foreign = jwt.encode({"alg": key.algorithm}, other, foreign_key.key, algorithms=[key.algorithm])
    assert (
        sqlite_client.post(
            "/api/v1/passports", content=b"{}", headers={"Authorization": f"Bearer {foreign}"}
        ).status_code
        == 401
    )
