"""Every leaf of the official example, for every role and every format: visible exactly when Art. 77(2) says so.

How: each free-text and numeric leaf of the official example (plus our extension) gets a unique marker value; the
native format must show exactly the leaves the role may read (structural check, every leaf); the joint-aspect and
AAS formats must show a marker iff the role may read its leaf and the format maps that leaf at all (seen in the
owner's export). Owner-only markers never appear for anyone but the owner in the native format.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passbridge.bootstrap import Services
from passbridge.jsoncodec import loads_exact
from passbridge.passport.access import Role, may_read
from passbridge.passport.battery_pass import BATTERY_PASS
from passbridge.passport.spec import Arr, Leaf, LeafKind, Node, Obj
from tests.conftest import auth, body, official_example

FORMATS = ("catenax-6.1.0", "idta", "aas")
UNTAGGED = {"sustainability.carbonFootprint.unit"}  # constrained by a rule beyond the schema (kg CO2e/kWh)


def _tag(value: Any, node: Node, path: str, markers: dict[str, str]) -> Any:
    """Replace taggable leaves by unique markers; record marker → dotted path."""
    if isinstance(node, Obj):
        out = {}
        for key, item in value.items():
            prop = node.member(key)
            assert prop is not None, f"example member {path}.{key} is not in our model"
            out[key] = _tag(item, prop.node, f"{path}.{key}" if path else key, markers)
        return out
    if isinstance(node, Arr):
        return [_tag(item, node.items, path, markers) for item in value]
    assert isinstance(node, Leaf)
    if (
        path in UNTAGGED
        or node.enum
        or node.pattern
        or node.kind not in {LeafKind.STRING, LeafKind.NUMBER, LeafKind.INTEGER}
    ):
        return value
    index = len(markers) + 1
    if node.kind is LeafKind.STRING:
        marker: Any = f"mk{index:04d}x"
    elif node.kind is LeafKind.INTEGER:
        marker = 70000 + index
    else:
        marker = Decimal("1.0000") + Decimal(index) / Decimal(10000)
    markers[str(marker)] = path
    return marker


def _leaf_paths(value: Any, prefix: str = "") -> set[str]:
    """Indexed leaf paths of a JSON tree (a.b[0].c)."""
    if isinstance(value, dict):
        return {p for k, v in value.items() for p in _leaf_paths(v, f"{prefix}.{k}" if prefix else k)}
    if isinstance(value, list):
        return {p for i, v in enumerate(value) for p in _leaf_paths(v, f"{prefix}[{i}]")}
    return {prefix}


def _dotted(indexed: str) -> str:
    out, depth = [], 0
    for char in indexed:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


@pytest.fixture
def tagged(sqlite_client: TestClient, sqlite_services: Services) -> tuple[str, dict[str, Any], dict[str, str]]:
    doc = official_example()
    doc["x-passbridge"] = {
        "annexXIII": {
            "manufacturer": {
                "name": "Maker GmbH",
                "tradeName": "Maker",
                "email": "m@example.com",
                "web": "https://maker.example.com",
                "postalAddress": {"street": "Weg 1", "postalCode": "10115", "city": "Berlin", "country": "DE"},
            },
            "instructionsForUse": [{"contentType": "URL", "header": "Manual", "content": "https://m.example.com"}],
        },
        "owner": {
            "supplierIdentities": [{"name": "Secret Supplier KK", "role": "cathode"}],
            "internalPartNumbers": ["INT-42"],
            "procurement": [
                {
                    "part": "cathode",
                    "quantity": Decimal("12.5"),
                    "unit": "kilogram",
                    "unitPrice": Decimal("3.25"),
                    "currency": "EUR",
                }
            ],
            "notes": "confidential",
        },
    }
    markers: dict[str, str] = {}
    tagged_doc = _tag(doc, BATTERY_PASS, "", markers)
    response = sqlite_client.post(
        "/api/v1/passports", content=body(tagged_doc), headers=auth(sqlite_services, Role.OWNER)
    )
    assert response.status_code == 201, response.text
    assert len(markers) > 150
    return response.json()["id"], tagged_doc, markers


def _read(client: TestClient, services: Services, pid: str, role: Role, fmt: str) -> bytes:
    response = client.get(f"/api/v1/passports/{pid}?format={fmt}", headers=auth(services, role))
    assert response.status_code == 200, response.text
    return response.content


@pytest.mark.parametrize("role", list(Role))
def test_native_format_shows_exactly_the_leaves_the_role_may_read(
    sqlite_client: TestClient,
    sqlite_services: Services,
    tagged: tuple[str, dict[str, Any], dict[str, str]],
    role: Role,
) -> None:
    pid, doc, _ = tagged
    seen = _leaf_paths(loads_exact(_read(sqlite_client, sqlite_services, pid, role, "catenax-6.1.0")))
    expected = {p for p in _leaf_paths(doc) if may_read(role, _dotted(p))}
    assert seen == expected


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("role", list(Role))
def test_every_format_shows_a_leaf_iff_the_role_may_read_it(
    sqlite_client: TestClient,
    sqlite_services: Services,
    tagged: tuple[str, dict[str, Any], dict[str, str]],
    role: Role,
    fmt: str,
) -> None:
    pid, _, markers = tagged
    owner_text = _read(sqlite_client, sqlite_services, pid, Role.OWNER, fmt).decode()
    text = _read(sqlite_client, sqlite_services, pid, role, fmt).decode()
    mapped = {marker for marker in markers if marker in owner_text}
    if fmt == "catenax-6.1.0":
        assert mapped == set(markers)  # the native format carries every leaf
    else:
        assert len(mapped) > 40, f"{fmt} maps too little of the passport"
    wrong = {(markers[m], m) for m in markers if (m in text) != (m in mapped and may_read(role, markers[m]))}
    assert not wrong


def test_owner_only_data_never_appears_in_the_standard_exports(
    sqlite_client: TestClient, sqlite_services: Services, tagged: tuple[str, dict[str, Any], dict[str, str]]
) -> None:
    pid, _, markers = tagged
    owner_markers = [m for m, path in markers.items() if path.startswith("x-passbridge.owner")]
    assert len(owner_markers) >= 5
    for role in Role:
        for fmt in FORMATS:
            text = _read(sqlite_client, sqlite_services, pid, role, fmt).decode()
            leaked = [m for m in owner_markers if m in text]
            if role is Role.OWNER and fmt == "catenax-6.1.0":
                assert len(leaked) == len(owner_markers)
            else:
                assert not leaked, (role, fmt)
