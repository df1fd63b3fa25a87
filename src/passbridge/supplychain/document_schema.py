"""The supply-chain import document, as a JSON Schema (draft 2020-12) written in code and served by the node.

Layout: the shared definitions (`$defs`: decimal, share, uuid, unit, ref, dqr, stage maps) and `SCHEMA`, the closed
document: operators, sites, parts, bomLines, footprints, materials, trades, answers, acl, batteryModels, batteries.
Every list is optional, so a document may carry just the new answers. Items are keyed (operators and sites by
their node-local `id`, parts by `traceId`, …); importing an item again replaces it.

Served at ``GET /api/v1/supplychain/schema.json``; `document.decode_document` checks a document against it before
reading it, so the schema is the format's one definition (rules it cannot express — units that convert, cycles,
trade life cycle — are checked after it and named the same way, by JSON path).
"""

from __future__ import annotations

from typing import Any, Final

from passbridge.supplychain._json_fields import DECIMAL_PATTERN
from passbridge.supplychain.battery import VehicleCategory
from passbridge.supplychain.disclosure import AclItem
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.quantities import Unit

SCHEMA_ID: Final = "urn:passbridge:supplychain:import:1"

_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_STAGES = [stage.value for stage in Stage]


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": props}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _list(item: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": "array", "items": item, "description": description}


def _stage_map(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": {stage: value for stage in _STAGES}}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """An object schema that also accepts null (a figure the supplier did not release)."""
    return {**schema, "type": ["object", "null"]}


def _element_map(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "propertyNames": {"pattern": "^[A-Za-z]{1,20}$", "description": "element symbol (Co) or name (cobalt)"},
        "additionalProperties": value,
    }


def _country_map(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "propertyNames": {"pattern": "^[A-Z]{2}$"}, "additionalProperties": value}


_DEFS: Final[dict[str, Any]] = {
    "decimal": {
        "description": 'a non-negative decimal: a string like "12.5" (preferred, keeps every digit) or a number',
        "type": ["string", "number"],
        "pattern": DECIMAL_PATTERN,
        "minimum": 0,
    },
    "share": {
        "description": "a share in [0, 1], written like a decimal",
        "type": ["string", "number"],
        "pattern": DECIMAL_PATTERN,
        "minimum": 0,
        "maximum": 1,
    },
    "uuid": {"type": "string", "pattern": _UUID},
    "ref": {"description": "a node-local id", "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
    "text": {"type": "string", "minLength": 1, "maxLength": 256},
    "country": {"description": "ISO 3166-1 alpha-2", "type": "string", "pattern": "^[A-Z]{2}$"},
    "unit": {"description": "Ouranos declared units, plus gram and tonne", "enum": [u.value for u in Unit]},
    "count": {"type": "integer", "minimum": 0},
    "dqr": _obj(
        ["TeR", "GeR", "TiR"],
        TeR={**_ref("decimal"), "description": "technological representativeness"},
        GeR={**_ref("decimal"), "description": "geographical representativeness"},
        TiR={**_ref("decimal"), "description": "time-related representativeness"},
    ),
}

_OPERATOR = _obj(
    ["id", "name", "country"],
    id=_ref("ref"),
    name=_ref("text"),
    country=_ref("country"),
    openOperatorId={"description": "Japanese corporate number (法人番号)", "type": "string", "pattern": "^[0-9]{13}$"},
    bpnl={"type": "string", "pattern": "^BPNL[a-zA-Z0-9]{12}$"},
    did={"type": "string", "pattern": "^did:[a-z0-9]+:.+$"},
)
_SITE = _obj(
    ["id", "operator", "name", "country"],
    id=_ref("ref"),
    operator=_ref("ref"),
    name=_ref("text"),
    country=_ref("country"),
    bpns={"type": "string", "pattern": "^BPNS[a-zA-Z0-9]{12}$"},
    openPlantId={"type": "string", "pattern": "^[!-~]{0,20}[0-9]{6}$"},
)
_PART = _obj(
    ["traceId", "operator", "partsName", "declaredUnit"],
    traceId=_ref("uuid"),
    operator=_ref("ref"),
    site=_ref("ref"),
    partsName=_ref("text"),
    declaredUnit=_ref("unit"),
    terminated={"type": "boolean", "description": "terminatedFlag: a leaf whose own figures are complete"},
)
_BOM_LINE = _obj(
    ["parentTraceId", "traceId", "amountRequired", "amountRequiredUnit"],
    parentTraceId=_ref("uuid"),
    traceId={**_ref("uuid"), "description": "the child part"},
    amountRequired={**_ref("decimal"), "description": "child quantity per one declared unit of the parent"},
    amountRequiredUnit=_ref("unit"),
)
_FOOTPRINT = _obj(
    ["traceId", "declaredUnit", "stages"],
    traceId=_ref("uuid"),
    declaredUnit=_ref("unit"),
    stages=_stage_map(_obj(["ghgEmission", "dqr"], ghgEmission=_ref("decimal"), dqr=_ref("dqr"))),
)
_MATERIALS = _obj(
    ["traceId", "declaredUnit", "elements"],
    traceId=_ref("uuid"),
    declaredUnit=_ref("unit"),
    elements=_element_map(
        _obj(
            ["massKg"],
            massKg={**_ref("decimal"), "description": "kg of the element per declared unit"},
            recycledPreConsumerKg=_ref("decimal"),
            recycledPostConsumerKg=_ref("decimal"),
            originKg={**_country_map(_ref("decimal")), "description": "kg by country of origin"},
        )
    ),
)
_TRADE = _obj(
    ["tradeId", "downstreamTraceId", "upstreamOperator"],
    tradeId=_ref("uuid"),
    downstreamTraceId={**_ref("uuid"), "description": "our purchased part"},
    upstreamOperator=_ref("ref"),
    upstreamTraceId=_ref("uuid"),
    status={"enum": ["NOT_COMPLETED", "REJECT", "CANCEL"], "description": "COMPLETED comes with an answer"},
    replyMessage={"type": "string", "maxLength": 1000},
)
_ANSWER = _obj(
    ["tradeId", "answerId", "traceId", "declaredUnit"],
    tradeId=_ref("uuid"),
    revision={"type": "boolean", "description": "replaces the trade's current answer (Ouranos CFP_UPDATED)"},
    answerId=_ref("uuid"),
    traceId={**_ref("uuid"), "description": "the supplier's product"},
    declaredUnit=_ref("unit"),
    cfp=_nullable({**_stage_map(_ref("decimal")), "required": _STAGES}),
    dqr=_nullable(_stage_map(_ref("dqr"))),
    materials=_nullable(
        _element_map(
            _obj(
                ["massKg"],
                massKg=_ref("decimal"),
                recycledPreConsumerKg=_ref("decimal"),
                recycledPostConsumerKg=_ref("decimal"),
                origin=_nullable(_country_map(_ref("share"))),
            )
        )
    ),
    tradesCount=_ref("count"),
    completedCount=_ref("count"),
)
_ACL = _obj(
    ["partner", "traceId", "released"],
    partner={**_ref("ref"), "description": "the customer (an operator id)"},
    traceId=_ref("uuid"),
    released={"type": "array", "items": {"enum": [item.value for item in AclItem]}, "uniqueItems": True},
)
_BATTERY_MODEL = _obj(
    ["traceId", "name", "category", "usableCapacityKwh", "serviceLifeYears"],
    traceId={**_ref("uuid"), "description": "the part that is one battery (declared per unit)"},
    name=_ref("text"),
    category={"enum": [c.value for c in VehicleCategory]},
    usableCapacityKwh=_ref("decimal"),
    serviceLifeYears=_ref("decimal"),
    fullCyclesPerYear={**_ref("decimal"), "description": "overrides the category default (M1/N1 60, L 20, else 250)"},
)
_BATTERY = _obj(
    ["batteryId", "model"],
    batteryId=_ref("text"),
    model={**_ref("uuid"), "description": "traceId of the battery model"},
    passportId={**_ref("uuid"), "description": "the battery's passport: its figures are filled from the roll-up"},
    traceId={**_ref("uuid"), "description": "a part of its own when its bill of materials differs from the model's"},
)

SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "passbridge supply-chain import document",
    "description": (
        "Operators, sites, parts, bill of materials, own footprints and material content, trades with the "
        "suppliers' answers, disclosure grants and battery models of one node. Figures are per declared unit of "
        "their part; CO2e in kg. Items are keyed; importing an item again replaces it. A file is imported "
        "all-or-nothing."
    ),
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string"},
        "operators": _list(_OPERATOR, "companies: us, our suppliers and our customers"),
        "sites": _list(_SITE, "plants of the operators"),
        "parts": _list(_PART, "product types, each with its Ouranos traceId"),
        "bomLines": _list(_BOM_LINE, "parent → child lines, both of one operator"),
        "footprints": _list(_FOOTPRINT, "own emissions per declared unit, by EU life-cycle stage"),
        "materials": _list(_MATERIALS, "own material content per declared unit, by element"),
        "trades": _list(_TRADE, "requests to suppliers about our purchased parts"),
        "answers": _list(_ANSWER, "suppliers' answers, as they sent them (GET …/answer of their node)"),
        "acl": _list(_ACL, "what each customer may see of our parts (default: nothing)"),
        "batteryModels": _list(_BATTERY_MODEL, "battery models: the lifetime-energy functional unit"),
        "batteries": _list(_BATTERY, "individual batteries and their passports"),
    },
    "$defs": _DEFS,
}
"""The import document's JSON Schema."""

LISTS: Final = tuple(name for name in SCHEMA["properties"] if name != "$schema")
"""The document's lists, in the order they are read."""

__all__ = ["LISTS", "SCHEMA", "SCHEMA_ID"]
