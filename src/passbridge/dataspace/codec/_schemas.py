"""JSON Schemas of the DSP 2025-1 wire objects, written here from the spec, and the validation the codecs share.

The official schema files are *not* read at run time (they live in the shared fixtures, not in the package);
`tests/contract/test_dsp_2025_1.py` holds these schemas to them: every official example passes both, every message
we encode passes the official ones, and the negative examples fail both. Where these are stricter than the official
files they follow the spec text, and say so: an offer inside a negotiation message must name its ``target``, its
rules must not; an agreement must carry a ``timestamp``; process ids must not be empty. One place is more lenient: a
``rightOperand`` may be a number or a boolean (the official schema allows string, object, array), because the
Catena-X profile (CX-0152) writes numbers there (``DataProvisioningEndDurationDays eq 2``).

Layout: `CONTEXT`; `normalise` (JSON-LD compaction may write a one-element set as the element alone: Tractus-X EDC
sends ``"hasPolicy": {…}``; such values are wrapped in an array before validation, so the paths of violations refer
to the array form); `SCHEMAS` (one per ``@type``, plus ``VersionResponse`` and a standalone ``Policy``) and
`violations` (jsonschema_rs, every error turned into a `Violation` naming the field, e.g. ``$.consumerPid``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Final

import jsonschema_rs

from passbridge.errors import Violation

CONTEXT: Final = "https://w3id.org/dspace/2025/1/context.jsonld"
"""The DSP 2025-1 JSON-LD context every message (except the version response) must list in ``@context``."""

XSD_DATE_TIME: Final = (
    r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]+)?|(24:00:00(\.0+)?))(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)
"""The ``xsd:dateTime`` pattern of the 2025-1 ``contract-schema.json`` (agreement ``timestamp``)."""

MAX_VIOLATIONS: Final = 50
_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

SET_MEMBERS: Final = frozenset(
    {
        "dataset",
        "catalog",
        "service",
        "distribution",
        "hasPolicy",
        "permission",
        "prohibition",
        "obligation",
        "duty",
        "constraint",
        "and",
        "or",
        "xone",
        "andSequence",
        "endpointProperties",
        "protocolVersions",
    }
)
"""Members whose value is a set: an object found here stands for a one-element array."""

LOGICAL: Final = ("and", "or", "xone", "andSequence")
OPERATORS: Final = (
    "eq",
    "neq",
    "gt",
    "gteq",
    "lt",
    "lteq",
    "hasPart",
    "isA",
    "isAllOf",
    "isAnyOf",
    "isNoneOf",
    "isPartOf",
    "term-lteq",
)


def normalise(value: Any) -> Any:
    """A copy of `value` with every set member that holds a single object (or a single ``reason`` string) wrapped in
    an array."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            item = normalise(item)
            if (key in SET_MEMBERS and isinstance(item, dict)) or (key == "reason" and isinstance(item, str)):
                item = [item]
            out[key] = item
        return out
    if isinstance(value, list):
        return [normalise(item) for item in value]
    return value


_STR: Final[dict[str, Any]] = {"type": "string"}
_PID: Final[dict[str, Any]] = {"type": "string", "minLength": 1}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _array(item: Any, min_items: int = 0) -> dict[str, Any]:
    return {"type": "array", "items": item, **({"minItems": min_items} if min_items else {})}


def _object(required: Sequence[str], properties: Mapping[str, Any], **more: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": dict(properties), **more}


_RULES = {"permission": _array(_ref("rule"), 1), "prohibition": _array(_ref("rule"), 1)}

DEFS: Final[Mapping[str, Any]] = {
    "context": _array(_STR) | {"contains": {"const": CONTEXT}},
    "atomic": _object(
        ["leftOperand", "operator", "rightOperand"],
        {
            "leftOperand": _STR,
            "operator": {"enum": list(OPERATORS)},
            "rightOperand": {"type": ["string", "object", "array", "number", "boolean"]},
        },
    ),
    "logical": {
        "type": "object",
        "properties": {op: _array(_ref("constraint")) for op in LOGICAL},
        "oneOf": [{"required": [op]} for op in LOGICAL],
    },
    "constraint": {
        "if": {"type": "object", "anyOf": [{"required": [op]} for op in LOGICAL]},
        "then": _ref("logical"),
        "else": _ref("atomic"),
    },
    "rule": _object(
        ["action"],
        {"action": _STR, "constraint": _array(_ref("constraint")), "duty": _array(_ref("rule"), 1), "target": False},
    ),
    "policy": _object(
        ["@id"],
        {
            "@id": _STR,
            "@type": {"enum": ["Offer", "Agreement", "Set"]},
            "profile": {"type": ["string", "array"], "items": _STR},
            **_RULES,
            "obligation": _array(_ref("rule"), 1),
            "target": _STR,
            "assigner": _STR,
            "assignee": _STR,
            "timestamp": {"type": "string", "pattern": f"^{XSD_DATE_TIME}$"},
        },
    ),
    "datasetOffer": {"allOf": [_ref("policy"), {"properties": {"@type": {"const": "Offer"}, "target": False}}]},
    "messageOffer": {
        "allOf": [_ref("policy"), _object(["@type", "target"], {"@type": {"const": "Offer"}})],
    },
    "agreement": {
        "allOf": [
            _ref("policy"),
            _object(["@type", "target", "assigner", "assignee", "timestamp"], {"@type": {"const": "Agreement"}}),
        ],
    },
    "dataService": _object(
        ["@id", "@type", "endpointURL"], {"@id": _STR, "@type": {"const": "DataService"}, "endpointURL": _STR}
    ),
    "distribution": _object(
        ["format", "accessService"],
        {
            "@type": {"const": "Distribution"},
            "format": _STR,
            "accessService": {"if": {"type": "string"}, "else": _ref("dataService")},
            "hasPolicy": _array(_ref("datasetOffer"), 1),
        },
    ),
    "dataset": _object(
        ["@id", "hasPolicy", "distribution"],
        {
            "@id": _STR,
            "@type": {"const": "Dataset"},
            "hasPolicy": _array(_ref("datasetOffer"), 1),
            "distribution": _array(_ref("distribution"), 1),
        },
    ),
    "catalog": _object(
        ["@id", "@type"],
        {
            "@id": _STR,
            "@type": {"const": "Catalog"},
            "participantId": _STR,
            "dataset": _array(_ref("dataset"), 1),
            "catalog": _array(_ref("catalog"), 1),
            "service": _array(_ref("dataService"), 1),
            "distribution": _array(_ref("distribution"), 1),
            "hasPolicy": False,
        },
    ),
    "dataAddress": _object(
        ["@type", "endpointType"],
        {
            "@type": {"const": "DataAddress"},
            "endpointType": _STR,
            "endpoint": _STR,
            "endpointProperties": _array(
                _object(
                    ["@type", "name", "value"], {"@type": {"const": "EndpointProperty"}, "name": _STR, "value": _STR}
                ),
                1,
            ),
        },
    ),
}
"""Shared definitions (DSP 2025-1 ``contract-schema.json``, ``dataset-schema.json``, ``data-address-schema.json``)."""


def _schema(body: Mapping[str, Any]) -> dict[str, Any]:
    return {"$schema": _SCHEMA_DIALECT, "$defs": dict(DEFS), **body}


def _message(type_name: str, required: Sequence[str], properties: Mapping[str, Any], **more: Any) -> dict[str, Any]:
    base = {"@context": _ref("context"), "@type": {"const": type_name}}
    return _schema(_object(["@context", "@type", *required], {**base, **properties}, **more))


_PIDS = {"providerPid": _PID, "consumerPid": _PID}
_ERROR_PIDS = {"providerPid": _STR, "consumerPid": _STR}
_CODE = {"code": _STR, "reason": _array({}, 1)}
_BOTH = ("providerPid", "consumerPid")


SCHEMAS: Final[Mapping[str, Mapping[str, Any]]] = {
    "CatalogRequestMessage": _message("CatalogRequestMessage", [], {"filter": {"type": "array"}}),
    "DatasetRequestMessage": _message("DatasetRequestMessage", ["dataset"], {"dataset": _STR}),
    "CatalogError": _message("CatalogError", [], {"code": _STR, "reason": {"type": "array"}}),
    "Catalog": _message("Catalog", ["@id", "participantId"], {}, allOf=[_ref("catalog")]),
    "Dataset": _message("Dataset", ["@id"], {}, allOf=[_ref("dataset")]),
    "ContractRequestMessage": _message(
        "ContractRequestMessage",
        ["consumerPid", "offer"],
        {**_PIDS, "offer": _ref("messageOffer"), "callbackAddress": _STR},
    ),
    "ContractOfferMessage": _message(
        "ContractOfferMessage",
        ["providerPid", "offer"],
        {**_PIDS, "offer": _ref("messageOffer"), "callbackAddress": _STR},
    ),
    "ContractAgreementMessage": _message(
        "ContractAgreementMessage", [*_BOTH, "agreement"], {**_PIDS, "agreement": _ref("agreement")}
    ),
    "ContractAgreementVerificationMessage": _message("ContractAgreementVerificationMessage", _BOTH, _PIDS),
    "ContractNegotiationEventMessage": _message(
        "ContractNegotiationEventMessage",
        [*_BOTH, "eventType"],
        {**_PIDS, "eventType": {"enum": ["ACCEPTED", "FINALIZED"]}},
    ),
    "ContractNegotiationTerminationMessage": _message(
        "ContractNegotiationTerminationMessage", _BOTH, {**_PIDS, **_CODE}
    ),
    "ContractNegotiation": _message(
        "ContractNegotiation",
        [*_BOTH, "state"],
        {
            **_PIDS,
            "state": {"enum": ["REQUESTED", "OFFERED", "ACCEPTED", "AGREED", "VERIFIED", "FINALIZED", "TERMINATED"]},
        },
    ),
    "ContractNegotiationError": _message("ContractNegotiationError", _BOTH, {**_ERROR_PIDS, **_CODE}),
    "TransferRequestMessage": _message(
        "TransferRequestMessage",
        ["consumerPid", "agreementId", "format", "callbackAddress"],
        {
            "consumerPid": _PID,
            "agreementId": _PID,
            "format": _STR,
            "callbackAddress": _STR,
            "dataAddress": _ref("dataAddress"),
        },
    ),
    "TransferStartMessage": _message("TransferStartMessage", _BOTH, {**_PIDS, "dataAddress": _ref("dataAddress")}),
    "TransferSuspensionMessage": _message("TransferSuspensionMessage", _BOTH, {**_PIDS, **_CODE}),
    "TransferCompletionMessage": _message("TransferCompletionMessage", _BOTH, _PIDS),
    "TransferTerminationMessage": _message("TransferTerminationMessage", _BOTH, {**_PIDS, **_CODE}),
    "TransferProcess": _message(
        "TransferProcess",
        [*_BOTH, "state"],
        {**_PIDS, "state": {"enum": ["REQUESTED", "STARTED", "SUSPENDED", "COMPLETED", "TERMINATED"]}},
    ),
    "TransferError": _message("TransferError", _BOTH, {**_ERROR_PIDS, **_CODE}),
    "VersionResponse": _schema(
        _object(
            ["protocolVersions"],
            {
                "protocolVersions": _array(
                    _object(
                        ["version", "path", "binding"],
                        {
                            "version": _STR,
                            "path": _STR,
                            "binding": {"enum": ["HTTPS"]},
                            "serviceId": _STR,
                            "identifierType": _STR,
                            "auth": _object(
                                ["protocol", "version"], {"protocol": _STR, "version": _STR, "profile": _array(_STR)}
                            ),
                        },
                    ),
                    1,
                )
            },
        )
    ),
    "Policy": _schema({"allOf": [_ref("policy")]}),
}
"""The schema of each ``@type`` (and of the version response and a standalone policy)."""


@cache
def _validator(name: str) -> Any:
    return jsonschema_rs.validator_for(dict(SCHEMAS[name]))


def _jsonpath(parts: Sequence[str | int]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _message_of(error: Any) -> str:
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.FalseSchema):
        return "not allowed here"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Constant):
        return f"must be {kind.expected_value!r}"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum):
        return f"must be one of {', '.join(str(o) for o in kind.options)}"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Type):
        return f"must be of type {' or '.join(str(t) for t in kind.types)}"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.MinLength):
        return "must not be empty"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.OneOfMultipleValid):
        return f"exactly one of {', '.join(LOGICAL)} (a logical constraint combines with one operator)"
    return str(error.message)


def violations(document: Any, name: str, rule: str) -> list[Violation]:
    """Every way `document` (already `normalise`d) breaks the schema of `name`, as violations naming the field."""
    validator = _validator(name)
    if validator.is_valid(document):
        return []
    found: dict[str, Violation] = {}
    for error in validator.iter_errors(document):
        path = list(error.instance_path)
        if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Required):
            violation = Violation(_jsonpath([*path, error.kind.property]), "required", rule)
        elif path[:1] == ["@context"]:
            violation = Violation("$.@context", f"must be an array of context IRIs that contains {CONTEXT}", rule)
        else:
            violation = Violation(_jsonpath(path), _message_of(error), rule)
        found.setdefault(f"{violation.path} {violation.message}", violation)
        if len(found) >= MAX_VIOLATIONS:
            break
    return list(found.values())


__all__ = [
    "CONTEXT",
    "DEFS",
    "LOGICAL",
    "MAX_VIOLATIONS",
    "OPERATORS",
    "SCHEMAS",
    "SET_MEMBERS",
    "XSD_DATE_TIME",
    "normalise",
    "violations",
]
