"""BATTERY_PASS against the official Catena-X BatteryPass 6.1.0 / 6.0.0 JSON Schemas and the 6.1.0 TTL.

Both trees are flattened to `{path: Shape}` (array items as `path[]`) and compared member by member. Deliberate
differences, each checked here rather than silently allowed:
- `x-passbridge` (our extension) is not in the official tree;
- IntegerCharacteristic leaves are JSON `integer` (the TTL says xsd:integer; the generator wrote "number");
- DATE / DATETIME leaves are strings with the official pattern *and* a `format` (real dates only);
- every percent leaf is bounded 0..100, resistance increases only >= 0 (product rule);
- characteristic names drop the `0` the schema generator appends to duplicate names (`KeyTrait0` -> `KeyTrait`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest

from passbridge.passport.battery_pass import (
    ASPECT_URN,
    BATTERY_PASS,
    EXTENSION_MEMBER,
    SPEC_VERSION_6_1_0,
)
from passbridge.passport.spec import Leaf, LeafKind, Node, Obj, iter_leaves
from tests.fixtures_path import FIXTURES

_DIR = FIXTURES / "battery_passport"
_INCREASE = "performance.dynamic.resistance.increase."


@dataclass(frozen=True)
class Shape:
    """What both sides say about one member."""

    kind: str
    required: bool
    characteristic: str | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_length: int | None = None


def _official_schema(version: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((_DIR / f"catenax_battery_pass_{version}_schema.json").read_text(encoding="utf-8"))
    return doc


def _official_shapes(doc: dict[str, Any]) -> dict[str, Shape]:
    components: dict[str, Any] = doc["components"]["schemas"]
    shapes: dict[str, Shape] = {}

    def visit(path: str, schema: dict[str, Any], required: bool) -> None:
        name = None
        while "$ref" in schema:
            name = schema["$ref"].removeprefix("#/components/schemas/")
            schema = components[name]
        bounds = {k: Decimal(str(schema[k])) if k in schema else None for k in ("minimum", "maximum")}
        shapes[path] = Shape(
            kind=schema["type"],
            required=required,
            characteristic=name.rstrip("0") if name else None,
            enum=tuple(schema["enum"]) if "enum" in schema else None,
            pattern=schema.get("pattern"),
            max_length=schema.get("maxLength"),
            **bounds,
        )
        if schema["type"] == "object":
            for key, sub in schema["properties"].items():
                visit(f"{path}.{key}", sub, key in schema.get("required", []))
        elif schema["type"] == "array":
            visit(f"{path}[]", schema["items"], True)

    for key, sub in doc["properties"].items():
        visit(key, sub, key in doc["required"])
    return shapes


_JSON_TYPE = {
    LeafKind.STRING: "string",
    LeafKind.NUMBER: "number",
    LeafKind.INTEGER: "integer",
    LeafKind.BOOLEAN: "boolean",
    LeafKind.DATE: "string",
    LeafKind.DATETIME: "string",
}


def _our_shapes(root: Obj, *, without: frozenset[str] = frozenset({EXTENSION_MEMBER})) -> dict[str, Shape]:
    shapes: dict[str, Shape] = {}

    def visit(path: str, node: Node, required: bool) -> None:
        if isinstance(node, Leaf):
            shapes[path] = Shape(
                _JSON_TYPE[node.kind], required, node.characteristic, node.enum, node.pattern,
                node.minimum, node.maximum, node.max_length,
            )  # fmt: skip
        elif isinstance(node, Obj):
            shapes[path] = Shape("object", required, node.characteristic)
            for prop in node.props:
                visit(f"{path}.{prop.name}", prop.node, prop.required)
        else:
            shapes[path] = Shape("array", required, node.characteristic)
            visit(f"{path}[]", node.items, True)

    for prop in root.props:
        if prop.name not in without:
            visit(prop.name, prop.node, prop.required)
    return shapes


def _official_view(ours: Shape, path: str) -> Shape:
    """Undo our documented refinements, so what is left must equal the official shape exactly."""
    if ours.kind == "integer" and ours.characteristic == "IntegerCharacteristic":
        ours = replace(ours, kind="number")
    if ours.characteristic == "PercentMeasurement":  # official: unbounded
        ours = replace(ours, minimum=None, maximum=None)
    return ours


def _differences(official: dict[str, Shape], ours: dict[str, Shape]) -> list[str]:
    diffs = [f"only official: {p}" for p in sorted(official.keys() - ours.keys())]
    diffs += [f"only ours: {p}" for p in sorted(ours.keys() - official.keys())]
    for path in sorted(official.keys() & ours.keys()):
        mine = _official_view(ours[path], path)
        if mine != official[path]:
            diffs.append(f"{path}: official {official[path]} != ours {mine}")
    return diffs


@pytest.fixture(scope="module")
def official_6_1_0() -> dict[str, Shape]:
    return _official_shapes(_official_schema("6.1.0"))


def test_tree_matches_official_6_1_0_member_by_member(official_6_1_0: dict[str, Shape]) -> None:
    assert _differences(official_6_1_0, _our_shapes(BATTERY_PASS)) == []


def test_leaf_paths_match_official_6_1_0(official_6_1_0: dict[str, Shape]) -> None:
    official = {p.replace("[]", "") for p, s in official_6_1_0.items() if s.kind not in ("object", "array")}
    ours = {p for p, _ in iter_leaves(BATTERY_PASS) if not p.startswith(EXTENSION_MEMBER + ".")}
    assert ours == official
    assert len(ours) > 250


def test_required_flags_match_at_every_level(official_6_1_0: dict[str, Shape]) -> None:
    ours = _our_shapes(BATTERY_PASS)
    assert {p: s.required for p, s in ours.items()} == {p: s.required for p, s in official_6_1_0.items()}


def test_enums_and_patterns_match_per_leaf(official_6_1_0: dict[str, Shape]) -> None:
    ours = _our_shapes(BATTERY_PASS)
    assert {p: (s.enum, s.pattern) for p, s in ours.items()} == {
        p: (s.enum, s.pattern) for p, s in official_6_1_0.items()
    }


def test_leaf_json_types_match_with_integers_refined(official_6_1_0: dict[str, Shape]) -> None:
    ours = _our_shapes(BATTERY_PASS)
    refined = {p for p, s in ours.items() if s.kind != official_6_1_0[p].kind}
    assert refined == {
        "performance.rated.lifetime.expectedYears",
        "performance.rated.lifetime.cycleLifeTesting.cycles",
        "performance.dynamic.fullCycles.value",
    }
    assert all(ours[p].kind == "integer" and official_6_1_0[p].kind == "number" for p in refined)


def test_6_0_0_is_the_same_tree_without_spec_version() -> None:
    official = _official_shapes(_official_schema("6.0.0"))
    ours = _our_shapes(BATTERY_PASS, without=frozenset({EXTENSION_MEMBER, "specVersion"}))
    assert _differences(official, ours) == []


def test_dates_are_dates_and_record_times_are_timestamps(official_6_1_0: dict[str, Shape]) -> None:
    kinds = {path: leaf.kind for path, leaf in iter_leaves(BATTERY_PASS) if not path.startswith(EXTENSION_MEMBER)}
    dates = {p for p, k in kinds.items() if k is LeafKind.DATE}
    assert dates == {
        "operation.intoServiceDate",
        "operation.manufacturer.manufacturingDate",
        "metadata.issueDate",
        "metadata.expirationDate",
        "metadata.lastModification",
        "commercial.placedOnMarket",
    }
    assert dates == {p for p, s in official_6_1_0.items() if s.characteristic == "DateTrait"}
    times = {p for p, k in kinds.items() if k is LeafKind.DATETIME}
    assert times == {p for p, s in official_6_1_0.items() if s.characteristic == "Timestamp"}
    assert len(times) == 18
    assert all(p.startswith("performance.dynamic.") and p.endswith(".time") for p in times)


def _ttl_units() -> dict[str, str]:
    ttl = (_DIR / "catenax_battery_pass_6.1.0_model.ttl").read_text(encoding="utf-8")
    found = re.findall(r"^:(\w+) a samm-c:Measurement ;.*?samm-c:unit (unit:\w+) \.", ttl, re.S | re.M)
    return dict(found)


def test_measurement_units_come_from_the_ttl() -> None:
    units = _ttl_units()
    assert len(units) == 8
    for path, leaf in iter_leaves(BATTERY_PASS):
        if leaf.characteristic in units:
            assert leaf.unit == units[leaf.characteristic], path
        elif leaf.characteristic == "PercentageTrait":
            assert leaf.unit == "unit:percent", path
        else:
            assert leaf.unit is None, path


def test_every_percent_is_bounded_0_to_100_except_resistance_increase() -> None:
    official = [(p, leaf) for p, leaf in iter_leaves(BATTERY_PASS) if not p.startswith(EXTENSION_MEMBER)]
    percents = [(p, leaf) for p, leaf in official if leaf.unit == "unit:percent"]
    assert len(percents) == 24
    for path, leaf in percents:
        assert leaf.minimum == 0, path
        assert leaf.maximum == (None if path.startswith(_INCREASE) else 100), path
    assert sum(p.startswith(_INCREASE) for p, _ in percents) == 3


def test_non_negative_quantities_follow_the_official_positive_trait(official_6_1_0: dict[str, Shape]) -> None:
    positive = {p for p, s in official_6_1_0.items() if s.characteristic == "PositiveTrait"}
    assert "sustainability.carbonFootprint[].value" in positive
    ours = _our_shapes(BATTERY_PASS)
    assert all(ours[p].minimum == 0 and ours[p].maximum is None for p in positive)


def test_extension_member_is_optional_and_last() -> None:
    last = BATTERY_PASS.props[-1]
    assert (last.name, last.required) == (EXTENSION_MEMBER, False)
    assert isinstance(last.node, Obj)
    assert all(not prop.required for prop in last.node.props)
    leaves = {p for p, _ in iter_leaves(last.node, EXTENSION_MEMBER)}
    assert "x-passbridge.annexXIII.manufacturer.postalAddress.country" in leaves
    assert "x-passbridge.annexXIII.instructionsForUse.header" in leaves
    assert "x-passbridge.owner.procurement.unitPrice" in leaves


def test_identifiers_name_the_6_1_0_aspect() -> None:
    official = _official_schema("6.1.0")
    assert official["x-samm-aspect-model-urn"] == ASPECT_URN
    example = json.loads((_DIR / "catenax_battery_pass_6.1.0_example.json").read_text(encoding="utf-8"))
    assert example["specVersion"] == SPEC_VERSION_6_1_0
    assert EXTENSION_MEMBER == "x-passbridge"
