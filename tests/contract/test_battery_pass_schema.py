"""`to_json_schema(BATTERY_PASS)` validates the official Catena-X examples, and rejects what 6.1.0 lets through.

The examples are read with `parse_float=Decimal`, as the product reads documents.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import jsonschema_rs
import pytest

from passbridge.passport.battery_pass import BATTERY_PASS, EXTENSION_MEMBER
from passbridge.passport.schema import DRAFT_2020_12, to_json_schema
from passbridge.passport.spec import Arr, Leaf, LeafKind
from tests.fixtures_path import FIXTURES

_DIR = FIXTURES / "battery_passport"
_BOGUS_DATES = {"6.1.0": "7172-75-08", "6.0.0": "9494-37-15"}


@pytest.fixture(scope="module")
def validator() -> Any:
    return jsonschema_rs.validator_for(to_json_schema(BATTERY_PASS), validate_formats=True)


def _example(version: str) -> dict[str, Any]:
    text = (_DIR / f"catenax_battery_pass_{version}_example.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return doc


def _valid_example(version: str = "6.1.0") -> dict[str, Any]:
    doc = _example(version)
    doc["operation"]["intoServiceDate"] = "2024-03-08"
    return doc


def _errors(validator: Any, doc: dict[str, Any]) -> list[str]:
    return [".".join(str(part) for part in error.instance_path) for error in validator.iter_errors(doc)]


@pytest.mark.parametrize("version", ["6.1.0", "6.0.0"])
def test_official_example_fails_only_on_its_impossible_into_service_date(validator: Any, version: str) -> None:
    doc = _example(version)
    assert doc["operation"]["intoServiceDate"] == _BOGUS_DATES[version]
    assert _errors(validator, doc) == ["operation.intoServiceDate"]


@pytest.mark.parametrize("version", ["6.1.0", "6.0.0"])
def test_official_example_with_a_real_date_is_valid(validator: Any, version: str) -> None:
    assert _errors(validator, _valid_example(version)) == []


def test_unknown_member_at_root_is_rejected(validator: Any) -> None:
    doc = _valid_example()
    doc["batteryColour"] = "blue"
    assert _errors(validator, doc) == [""]


def test_unknown_member_in_nested_object_is_rejected(validator: Any) -> None:
    doc = _valid_example()
    doc["performance"]["dynamic"]["stateOfCharge"]["unit"] = "%"
    assert _errors(validator, doc) == ["performance.dynamic.stateOfCharge"]


def test_recycled_share_above_100_percent_is_rejected(validator: Any) -> None:
    doc = _valid_example()
    doc["materials"]["active"]["cobalt"]["recycled"] = Decimal("100.5")
    assert _errors(validator, doc) == ["materials.active.cobalt.recycled"]


def test_percent_measurement_above_100_is_rejected_but_resistance_increase_is_not(validator: Any) -> None:
    doc = _valid_example()
    doc["performance"]["dynamic"]["resistance"]["increase"]["cell"]["value"] = Decimal("150")
    assert _errors(validator, doc) == []
    doc["performance"]["dynamic"]["stateOfCharge"]["value"] = Decimal("100.5")
    assert _errors(validator, doc) == ["performance.dynamic.stateOfCharge.value"]


@pytest.mark.parametrize("bpnl", ["BPNL123", "BPNA0123456789ZZ", "bpnl0123456789ZZ", "BPNL0123456789ZZZ"])
def test_bpnl_of_wrong_shape_is_rejected(validator: Any, bpnl: str) -> None:
    doc = _valid_example()
    doc["metadata"]["economicOperatorId"] = bpnl
    assert _errors(validator, doc) == ["metadata.economicOperatorId"]


def test_fractional_cycle_count_is_rejected(validator: Any) -> None:
    doc = _valid_example()
    doc["performance"]["rated"]["lifetime"]["cycleLifeTesting"]["cycles"] = Decimal("1500.5")
    assert _errors(validator, doc) == ["performance.rated.lifetime.cycleLifeTesting.cycles"]


def test_record_time_without_zone_is_rejected(validator: Any) -> None:
    doc = _valid_example()
    doc["performance"]["dynamic"]["fullCycles"]["time"] = "2023-12-07T10:39:13"
    assert _errors(validator, doc) == ["performance.dynamic.fullCycles.time"]


def _extension() -> dict[str, Any]:
    document = {"contentType": "URL", "header": "Instructions for use", "content": "https://example.com/ifu.pdf"}
    return {
        "annexXIII": {
            "manufacturer": {
                "name": "Example Cells GmbH",
                "postalAddress": {"street": "Hauptstr. 1", "postalCode": "10115", "city": "Berlin", "country": "DE"},
                "email": "info@example.com",
            },
            "instructionsForUse": [document],
        },
        "owner": {
            "supplierIdentities": [{"name": "Cathode Co", "bpnl": "BPNL0000000000AB"}],
            "internalPartNumbers": ["P-1"],
            "procurement": [{"part": "cathode", "quantity": Decimal("12.5"), "unit": "kg", "currency": "EUR"}],
            "notes": "internal",
        },
    }


def test_extension_member_is_accepted(validator: Any) -> None:
    doc = _valid_example()
    doc[EXTENSION_MEMBER] = _extension()
    assert _errors(validator, doc) == []
    doc[EXTENSION_MEMBER] = {}
    assert _errors(validator, doc) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("annexXIII", "manufacturer", "postalAddress", "country"), "Germany"),
        (("owner", "procurement", 0, "quantity"), Decimal("-1")),
        (("owner", "procurement", 0, "currency"), "eur"),
        (("owner", "supplierIdentities", 0, "bpnl"), "BPNL1"),
    ],
)
def test_extension_member_enforces_its_rules(validator: Any, path: tuple[str | int, ...], value: object) -> None:
    extension = _extension()
    target: Any = extension
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    doc = _valid_example()
    doc[EXTENSION_MEMBER] = extension
    assert _errors(validator, doc) == [".".join(str(p) for p in (EXTENSION_MEMBER, *path))]


def _objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema] if schema.get("type") == "object" else []
    for sub in schema.get("properties", {}).values():
        found += _objects(sub)
    if "items" in schema:
        found += _objects(schema["items"])
    return found


def test_compiled_schema_is_closed_draft_2020_12() -> None:
    schema = to_json_schema(BATTERY_PASS)
    assert schema["$schema"] == DRAFT_2020_12
    objects = _objects(schema)
    assert len(objects) > 100
    assert all(o["additionalProperties"] is False and isinstance(o["required"], list) for o in objects)


def test_compiled_leaves_carry_format_type_and_bounds() -> None:
    schema: Any = to_json_schema(BATTERY_PASS)
    props = schema["properties"]
    assert props["operation"]["properties"]["intoServiceDate"] == {
        "type": "string",
        "format": "date",
        "pattern": r"^\d{4}-\d{2}-\d{2}$",
    }
    time = props["performance"]["properties"]["dynamic"]["properties"]["fullCycles"]["properties"]["time"]
    assert time["format"] == "date-time"
    cycles = props["performance"]["properties"]["rated"]["properties"]["lifetime"]["properties"]["cycleLifeTesting"]
    assert cycles["properties"]["cycles"] == {"type": "integer"}
    recycled = props["materials"]["properties"]["active"]["properties"]["cobalt"]["properties"]["recycled"]
    assert recycled == {"type": "number", "minimum": 0, "maximum": 100}
    header = props["sources"]["items"]["properties"]["header"]
    assert header == {"type": "string", "maxLength": 100}


def test_compilation_is_pure() -> None:
    first = to_json_schema(BATTERY_PASS)
    snapshot = copy.deepcopy(first)
    first["properties"] = {}
    assert to_json_schema(BATTERY_PASS) == snapshot


def test_array_min_items_is_compiled_when_set() -> None:
    assert to_json_schema(Arr(Leaf(LeafKind.STRING), min_items=1)) == {
        "$schema": DRAFT_2020_12,
        "type": "array",
        "items": {"type": "string"},
        "minItems": 1,
    }
    assert "minItems" not in to_json_schema(Arr(Leaf(LeafKind.STRING)))
