"""The Dataspace Protocol v0.8 wire form of Catena-X "Jupiter" (Tractus-X EDC ≤ 0.10) ⇄ `passbridge.dataspace.messages`.

v0.8 is the 2024-1 message set with prefixed terms in the namespace ``https://w3id.org/dspace/v0.8/``
(``dspace:consumerPid``, ``dcat:dataset``, ``odrl:permission``, ``"dspace:REQUESTED"``) and whatever ``@context``
the sender chose (EDC inlines its prefixes and sets ``@vocab`` to the EDC namespace). So it is read by meaning, not
by shape: `decode` expands the document to IRIs (`passbridge.jsonld`, bundled contexts only), normalises the few
ways EDC writes a value differently from 2025-1 (below), compacts it with unprefixed terms for the v0.8 IRIs and
hands that to `passbridge.dataspace.codec.dsp_2025_1` — the same schemas, protocol rules and model, with the
violation paths renamed to the v0.8 terms (``$.dspace:consumerPid``). `encode` runs the other way and compacts with
the v0.8 context, written inline as EDC does.

EDC's v0.8 ways of writing values, read and written as EDC does:
- ``odrl:action`` is ``{"odrl:type": "use"}`` (an ``@id`` ``odrl:use`` is read too);
- ``odrl:leftOperand``, ``odrl:assigner``, ``odrl:assignee`` and the pids are literals (``@id`` forms are read as
  their IRI string); ``odrl:target`` and ``dct:format`` are node references (literals are read too);
- empty arrays (``"odrl:prohibition": []``, ``"dspace:filter": []``) are dropped: they state nothing (no triple);
- ``dspace:processId`` (= the consumer pid) is dropped on the way in and written on the way out;
- a message without its own ``@id`` gets a fresh ``urn:uuid`` (the model keeps no message id).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from functools import cache
from typing import Any, Final, TypeVar, overload

from passbridge import jsonld
from passbridge.dataspace.codec import dsp_2025_1
from passbridge.dataspace.messages import DatasetRequestMessage, Message
from passbridge.dataspace.versions import VersionResponse
from passbridge.errors import ProtocolError, Violation

VERSION: Final = "v0.8"
DSPACE: Final = "https://w3id.org/dspace/v0.8/"
ODRL: Final = "http://www.w3.org/ns/odrl/2/"
DCT: Final = "http://purl.org/dc/terms/"
DCAT: Final = "http://www.w3.org/ns/dcat#"
RULE: Final = "DSP v0.8 (Tractus-X EDC 0.7)"
_M = TypeVar("_M", bound=Message)

_PROCESS_ID: Final = DSPACE + "processId"
_ACTION: Final = ODRL + "action"
_ODRL_TYPE: Final = ODRL + "type"
_LITERALS: Final = frozenset(
    {
        ODRL + "leftOperand",
        ODRL + "assigner",
        ODRL + "assignee",
        DSPACE + "consumerPid",
        DSPACE + "providerPid",
        DSPACE + "callbackAddress",
        DSPACE + "agreementId",
    }
)
"""Members EDC writes as literals; a node reference there is read as its IRI string."""
_REFERENCES: Final[Mapping[str, str]] = {
    ODRL + "target": "",
    DCT + "format": "",
    DCAT + "accessService": "",
    ODRL + "operator": ODRL,
    DSPACE + "state": DSPACE,
    DSPACE + "eventType": DSPACE,
}
"""Members that are node references (IRI → namespace for a bare or ``dspace:``-prefixed literal value)."""
_PREFIXES: Final[Mapping[str, str]] = {"dspace:": DSPACE, "odrl:": ODRL, "dct:": DCT, "dcat:": DCAT}


@cache
def _plain_context() -> Any:
    return jsonld.bundled_context(jsonld.DSPACE_V0_8_PLAIN_FILE)


@cache
def _terms() -> Mapping[str, str]:
    """Unprefixed term → v0.8 prefixed name (``consumerPid`` → ``dspace:consumerPid``), for violation paths."""
    out: dict[str, str] = {}
    for term, definition in _plain_context().items():
        iri = definition if isinstance(definition, str) else definition.get("@id", "")
        if ":" in iri and not iri.startswith("http") and term[:1].islower():
            out[term] = iri
    return out


def _iri(value: str, namespace: str) -> str:
    """A literal written for a node reference, as an IRI (``"dspace:REQUESTED"``, ``"eq"``, ``"http…"``)."""
    for prefix, ns in _PREFIXES.items():
        if value.startswith(prefix):
            return ns + value[len(prefix) :]
    if namespace and ":" not in value:
        return namespace + value
    return value


# expanded v0.8 ⇄ expanded form of the plain (2025-1-shaped) terms


def _value_in(key: str, value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if key == _ACTION and "@id" not in value and _ODRL_TYPE in value:
        kinds = [v.get("@value") for v in value[_ODRL_TYPE] if isinstance(v, dict)]
        if len(kinds) == 1 and isinstance(kinds[0], str):
            return {"@id": _iri(kinds[0], ODRL)}
    if key in _LITERALS and set(value) == {"@id"}:
        return {"@value": value["@id"]}
    if key in _REFERENCES and isinstance(value.get("@value"), str) and len(value) == 1:
        return {"@id": _iri(value["@value"], _REFERENCES[key])}
    return _node_in(value)


def _node_in(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, values in node.items():
        if key == _PROCESS_ID or values == []:  # EDC writes "odrl:prohibition": []; an empty set says nothing
            continue
        if key.startswith("@") or not isinstance(values, list):
            out[key] = values
        else:
            out[key] = [_value_in(key, v) for v in values]
    return out


def _value_out(key: str, value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if key == _ACTION and set(value) == {"@id"} and value["@id"].startswith(ODRL):
        return {_ODRL_TYPE: [{"@value": value["@id"][len(ODRL) :]}]}
    return _node_out(value)


def _node_out(node: dict[str, Any]) -> dict[str, Any]:
    return {
        key: values if key.startswith("@") or not isinstance(values, list) else [_value_out(key, v) for v in values]
        for key, values in node.items()
    }


# violations in v0.8 words


def _v08_path(path: str) -> str:
    terms = _terms()
    parts = []
    for part in path.split("."):
        name, bracket, rest = part.partition("[")
        parts.append(terms.get(name, name) + bracket + rest)
    return ".".join(parts)


def _in_v08_words(error: ProtocolError) -> ProtocolError:
    return ProtocolError([Violation(_v08_path(v.path), v.message, f"{RULE}; {v.rule}") for v in error.violations])


def _single_node(obj: Mapping[str, Any]) -> dict[str, Any]:
    if "@context" not in obj:
        raise ProtocolError.at("$.@context", "a v0.8 message names its @context (the dspace, odrl … prefixes)", RULE)
    expanded = jsonld.expand(obj)
    if len(expanded) != 1 or not isinstance(expanded[0], dict):
        raise ProtocolError.at("$", "a v0.8 message is one JSON-LD node", RULE)
    return expanded[0]


def _dataset_request(node: Mapping[str, Any]) -> DatasetRequestMessage:
    values = node.get(DSPACE + "dataset", [])
    ids = [v.get("@id", v.get("@value")) for v in values if isinstance(v, dict)]
    if len(ids) != 1 or not isinstance(ids[0], str):
        raise ProtocolError.at("$.dspace:dataset", "exactly one dataset id is required", RULE)
    return DatasetRequestMessage(ids[0])


_SET_OPERATORS = frozenset({"isAnyOf", "isAllOf", "isNoneOf"})


def _local_name(value: Any) -> str:
    text = value.get("@id", "") if isinstance(value, Mapping) else str(value)
    return str(text).rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(":", 1)[-1]


def _set_operands_as_arrays(value: Any) -> Any:
    """The right operand of a set operator (``isAnyOf`` …) as an array, as 2025-1 writes it.

    JSON-LD compaction writes a one-element set as a plain value (``"rightOperand": "cx.circular.dpp:1"``); for ODRL
    the operand of a set operator is a set either way, and without this a v0.8 request for our offer ``isAnyOf
    ["cx.circular.dpp:1"]`` would fail the offer's policy equality (a string is not a list).
    """
    if isinstance(value, list):
        return [_set_operands_as_arrays(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: _set_operands_as_arrays(item) for key, item in value.items()}
    operand = out.get("rightOperand")
    if _local_name(out.get("operator", "")) in _SET_OPERATORS and operand is not None and not isinstance(operand, list):
        out["rightOperand"] = [operand]
    return out


@overload
def decode(obj: object) -> Message: ...


@overload
def decode(obj: object, expected: type[_M]) -> _M: ...


def decode(obj: object, expected: type[Any] | None = None) -> Any:
    """Read one v0.8 wire object (a parsed JSON body) into the message model.

    Args:
        obj: the parsed JSON-LD.
        expected: the message class the endpoint takes; another ``@type`` is refused.

    Raises:
        ProtocolError: no or unusable ``@context`` (a remote context that is not bundled), wrong or unknown
            ``@type``, missing or ill-typed members, broken protocol rules; each violation names its v0.8 field.
    """
    if not isinstance(obj, Mapping):
        raise ProtocolError.at("$", "a DSP v0.8 message is a JSON object", RULE)
    if expected is VersionResponse or (expected is None and "@context" not in obj and "protocolVersions" in obj):
        return dsp_2025_1.decode(obj, VersionResponse)  # the shared, context-free version metadata
    node = _node_in(_single_node(obj))
    if node.get("@type") == [DSPACE + "DatasetRequestMessage"] and expected in (None, DatasetRequestMessage):
        return _dataset_request(node)
    plain = _set_operands_as_arrays(jsonld.compact(node, _plain_context()))
    plain["@context"] = [dsp_2025_1.CONTEXT]
    declared = plain.get("@type")
    if isinstance(declared, str) and ":" in declared:  # a type the plain terms do not name
        raise ProtocolError.at("$.@type", f"{declared!r} is not a DSP v0.8 message type", RULE)
    try:
        return dsp_2025_1.decode(plain, expected) if expected is not None else dsp_2025_1.decode(plain)
    except ProtocolError as exc:
        raise _in_v08_words(exc) from None


def encode(message: Message) -> dict[str, Any]:
    """The v0.8 JSON-LD of a message: prefixed terms under the v0.8 context, written inline.

    The `VersionResponse` is not a v0.8 message (``/.well-known/dspace-version`` is shared): it is written (and
    read by `decode`) as `passbridge.dataspace.codec.dsp_2025_1` does.
    """
    if isinstance(message, VersionResponse):
        return dsp_2025_1.encode(message)
    if isinstance(message, DatasetRequestMessage):
        node: dict[str, Any] = {
            "@type": [DSPACE + "DatasetRequestMessage"],
            DSPACE + "dataset": [{"@value": message.dataset}],
        }
    else:
        plain = dsp_2025_1.encode(message)
        plain["@context"] = _plain_context()
        node = _node_out(jsonld.expand(plain)[0])
    consumer_pid = node.get(DSPACE + "consumerPid")
    if consumer_pid is not None and _PROCESS_ID not in node:
        node[_PROCESS_ID] = consumer_pid  # EDC 0.7 still reads the 2023 name
    node.setdefault("@id", f"urn:uuid:{uuid.uuid4()}")
    return jsonld.compact(node, jsonld.bundled_context(jsonld.DSPACE_V0_8_CONTEXT_FILE))


__all__ = ["DCAT", "DCT", "DSPACE", "ODRL", "RULE", "VERSION", "decode", "encode"]
