"""Compile a `spec` model to a JSON Schema (draft 2020-12) document.

Layout: `to_json_schema` (the entry point) · `_compile` per node kind.

The schema is closed (`additionalProperties: false` on every object) so a typo in a member name is an error,
not silently dropped data. DATE and DATETIME leaves become strings with `format: date` / `format: date-time`;
a validator must be run with format assertion on (e.g. `jsonschema_rs.validator_for(schema,
validate_formats=True)`) for them to reject impossible dates such as ``7172-75-08``.
"""

from __future__ import annotations

from decimal import Decimal

from passbridge.passport.spec import Arr, Leaf, LeafKind, Node, Obj

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
"""The `$schema` of every compiled document."""

_TYPES: dict[LeafKind, tuple[str, str | None]] = {
    LeafKind.STRING: ("string", None),
    LeafKind.NUMBER: ("number", None),
    LeafKind.INTEGER: ("integer", None),
    LeafKind.BOOLEAN: ("boolean", None),
    LeafKind.DATE: ("string", "date"),
    LeafKind.DATETIME: ("string", "date-time"),
}


def to_json_schema(node: Node) -> dict[str, object]:
    """Compile `node` (usually a whole aspect such as `BATTERY_PASS`) to a JSON Schema draft 2020-12 document.

    Pure: no I/O, a new dict on every call.

    Args:
        node: the model root.

    Returns:
        The schema as a plain dict, ready for a validator; bounds are `int` or `float`.
    """
    return {"$schema": DRAFT_2020_12, **_compile(node)}


def _compile(node: Node) -> dict[str, object]:
    if isinstance(node, Leaf):
        return _leaf(node)
    if isinstance(node, Arr):
        return _array(node)
    return _object(node)


def _object(node: Obj) -> dict[str, object]:
    return {
        "type": "object",
        "properties": {prop.name: _compile(prop.node) for prop in node.props},
        "required": [prop.name for prop in node.props if prop.required],
        "additionalProperties": False,
    }


def _array(node: Arr) -> dict[str, object]:
    out: dict[str, object] = {"type": "array", "items": _compile(node.items)}
    if node.min_items:
        out["minItems"] = node.min_items
    return out


def _leaf(leaf: Leaf) -> dict[str, object]:
    json_type, json_format = _TYPES[leaf.kind]
    out: dict[str, object] = {"type": json_type}
    if json_format is not None:
        out["format"] = json_format
    if leaf.enum is not None:
        out["enum"] = list(leaf.enum)
    if leaf.pattern is not None:
        out["pattern"] = leaf.pattern
    if leaf.max_length is not None:
        out["maxLength"] = leaf.max_length
    if leaf.minimum is not None:
        out["minimum"] = _number(leaf.minimum)
    if leaf.maximum is not None:
        out["maximum"] = _number(leaf.maximum)
    return out


def _number(value: Decimal) -> int | float:
    # Validators take JSON numbers, not Decimal; an integral bound stays an exact int.
    return int(value) if value == value.to_integral_value() else float(value)


__all__ = ["DRAFT_2020_12", "to_json_schema"]
