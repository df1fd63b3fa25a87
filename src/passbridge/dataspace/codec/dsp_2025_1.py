"""The Dataspace Protocol 2025-1 wire form: plain JSON against the fixed context ⇄ `passbridge.dataspace.messages`.

DSP 2025-1 designs its context so that compacted JSON validates against its JSON Schemas and may be processed as
plain JSON (``common.protocol.md``, "Schemas & Contexts"): terms are unprefixed, ``@type`` names the message, and
``@context`` is an array that must contain ``https://w3id.org/dspace/2025/1/context.jsonld`` (others may be listed,
as Tractus-X EDC lists the Catena-X policy context; they are accepted and can be written back with
``encode(…, contexts=contexts_of(obj))``). No JSON-LD processing happens here.

`decode` validates against `passbridge.dataspace.codec._schemas` and the rules a schema cannot say (exactly one of
``callbackAddress`` / the other side's pid in initial and follow-up negotiation messages; every policy grants a
permission or a prohibition), collecting every violation, each naming its field (``$.consumerPid``,
``$.@context``, ``$.offer.permission[0].action``), and raises `ProtocolError`; `encode` writes the JSON.

Normalisations (the ways ``encode(decode(x))`` may differ from ``x``): single objects in set members become
one-element arrays (Tractus-X ``"dataset": {…}``, ``"hasPolicy": {…}``, ``"permission": {…}``, ``"constraint": {…}``)
and a single ``reason`` string a one-element array; ``@type`` is written on policies, datasets, distributions,
data addresses and endpoint properties when absent; empty ``constraint`` arrays and a ``reason`` of ``[]`` are left
out; a one-element ``profile`` array becomes a string. Key order is not kept (JSON objects are unordered).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar, overload

from passbridge.dataspace.catalog import Catalog, Dataset
from passbridge.dataspace.codec._schemas import CONTEXT, normalise, violations
from passbridge.dataspace.codec.catalog_json import (
    catalog_from_json,
    catalog_to_json,
    dataset_from_json,
    dataset_to_json,
)
from passbridge.dataspace.codec.policy_json import policy_from_json, policy_to_json
from passbridge.dataspace.error_replies import CatalogError, ContractNegotiationError, TransferError
from passbridge.dataspace.messages import (
    CatalogRequestMessage,
    ContractAgreementMessage,
    ContractAgreementVerificationMessage,
    ContractNegotiationAck,
    ContractNegotiationEventMessage,
    ContractNegotiationTerminationMessage,
    ContractOfferMessage,
    ContractRequestMessage,
    DataAddress,
    DatasetRequestMessage,
    EndpointProperty,
    Message,
    NegotiationEvent,
    NegotiationState,
    TransferCompletionMessage,
    TransferProcessAck,
    TransferRequestMessage,
    TransferStartMessage,
    TransferState,
    TransferSuspensionMessage,
    TransferTerminationMessage,
)
from passbridge.dataspace.versions import VersionAuth, VersionEntry, VersionResponse
from passbridge.errors import ProtocolError, Violation

VERSION: Final = "2025-1"
DEFAULT_CONTEXTS: Final = (CONTEXT,)
_M = TypeVar("_M", bound=Message)
_J = Mapping[str, Any]

TYPE_NAMES: Final[Mapping[type[Any], str]] = {
    CatalogRequestMessage: "CatalogRequestMessage",
    DatasetRequestMessage: "DatasetRequestMessage",
    Catalog: "Catalog",
    Dataset: "Dataset",
    CatalogError: "CatalogError",
    ContractRequestMessage: "ContractRequestMessage",
    ContractOfferMessage: "ContractOfferMessage",
    ContractAgreementMessage: "ContractAgreementMessage",
    ContractAgreementVerificationMessage: "ContractAgreementVerificationMessage",
    ContractNegotiationEventMessage: "ContractNegotiationEventMessage",
    ContractNegotiationTerminationMessage: "ContractNegotiationTerminationMessage",
    ContractNegotiationAck: "ContractNegotiation",
    ContractNegotiationError: "ContractNegotiationError",
    TransferRequestMessage: "TransferRequestMessage",
    TransferStartMessage: "TransferStartMessage",
    TransferSuspensionMessage: "TransferSuspensionMessage",
    TransferCompletionMessage: "TransferCompletionMessage",
    TransferTerminationMessage: "TransferTerminationMessage",
    TransferProcessAck: "TransferProcess",
    TransferError: "TransferError",
    VersionResponse: "VersionResponse",
}
"""Model class → wire ``@type`` (``VersionResponse`` has none on the wire; the name keys its schema)."""


def _rule(name: str) -> str:
    return f"DSP 2025-1 {name} schema"


def contexts_of(obj: object) -> tuple[str, ...]:
    """The ``@context`` entries of a wire object (to write a decoded message back with the same contexts)."""
    contexts = obj.get("@context") if isinstance(obj, Mapping) else None
    if isinstance(contexts, list) and all(isinstance(c, str) for c in contexts):
        return tuple(contexts)
    return DEFAULT_CONTEXTS


# wire → model (on documents that passed their schema)


def _address_from(obj: _J | None) -> DataAddress | None:
    if obj is None:
        return None
    props = tuple(EndpointProperty(p["name"], p["value"]) for p in obj.get("endpointProperties", ()))
    return DataAddress(obj["endpointType"], obj.get("endpoint"), props)


def _code(obj: _J) -> tuple[str | None, tuple[Any, ...]]:
    return obj.get("code"), tuple(obj.get("reason", ()))


def _version_from(obj: _J) -> VersionResponse:
    entries = []
    for item in obj["protocolVersions"]:
        auth = item.get("auth")
        profile = auth.get("profile") if auth else None
        entries.append(
            VersionEntry(
                item["version"],
                item["path"],
                item["binding"],
                item.get("serviceId"),
                item.get("identifierType"),
                VersionAuth(auth["protocol"], auth["version"], tuple(profile) if profile is not None else None)
                if auth
                else None,
            )
        )
    return VersionResponse(tuple(entries))


_DECODERS: Final[Mapping[str, Callable[[_J], Message]]] = {
    "CatalogRequestMessage": lambda d: CatalogRequestMessage(tuple(d["filter"]) if "filter" in d else None),
    "DatasetRequestMessage": lambda d: DatasetRequestMessage(d["dataset"]),
    "Catalog": catalog_from_json,
    "Dataset": dataset_from_json,
    "CatalogError": lambda d: CatalogError(*_code(d)),
    "ContractRequestMessage": lambda d: ContractRequestMessage(
        d["consumerPid"], policy_from_json(d["offer"]), d.get("providerPid"), d.get("callbackAddress")
    ),
    "ContractOfferMessage": lambda d: ContractOfferMessage(
        d["providerPid"], policy_from_json(d["offer"]), d.get("consumerPid"), d.get("callbackAddress")
    ),
    "ContractAgreementMessage": lambda d: ContractAgreementMessage(
        d["providerPid"], d["consumerPid"], policy_from_json(d["agreement"])
    ),
    "ContractAgreementVerificationMessage": lambda d: ContractAgreementVerificationMessage(
        d["providerPid"], d["consumerPid"]
    ),
    "ContractNegotiationEventMessage": lambda d: ContractNegotiationEventMessage(
        d["providerPid"], d["consumerPid"], NegotiationEvent(d["eventType"])
    ),
    "ContractNegotiationTerminationMessage": lambda d: ContractNegotiationTerminationMessage(
        d["providerPid"], d["consumerPid"], *_code(d)
    ),
    "ContractNegotiation": lambda d: ContractNegotiationAck(
        d["providerPid"], d["consumerPid"], NegotiationState(d["state"])
    ),
    "ContractNegotiationError": lambda d: ContractNegotiationError(d["providerPid"], d["consumerPid"], *_code(d)),
    "TransferRequestMessage": lambda d: TransferRequestMessage(
        d["consumerPid"], d["agreementId"], d["format"], d["callbackAddress"], _address_from(d.get("dataAddress"))
    ),
    "TransferStartMessage": lambda d: TransferStartMessage(
        d["providerPid"], d["consumerPid"], _address_from(d.get("dataAddress"))
    ),
    "TransferSuspensionMessage": lambda d: TransferSuspensionMessage(d["providerPid"], d["consumerPid"], *_code(d)),
    "TransferCompletionMessage": lambda d: TransferCompletionMessage(d["providerPid"], d["consumerPid"]),
    "TransferTerminationMessage": lambda d: TransferTerminationMessage(d["providerPid"], d["consumerPid"], *_code(d)),
    "TransferProcess": lambda d: TransferProcessAck(d["providerPid"], d["consumerPid"], TransferState(d["state"])),
    "TransferError": lambda d: TransferError(d["providerPid"], d["consumerPid"], *_code(d)),
    "VersionResponse": _version_from,
}


# rules beyond the schemas


def _grants_something(policy: _J, path: str, rule: str) -> list[Violation]:
    if policy.get("permission") or policy.get("prohibition"):
        return []
    return [Violation(f"{path}.permission", "a policy needs a permission or a prohibition", rule)]


def _catalog_policies(obj: _J, path: str, rule: str) -> list[Violation]:
    found: list[Violation] = []
    for i, dataset in enumerate(obj.get("dataset", ())):
        for j, offer in enumerate(dataset.get("hasPolicy", ())):
            found += _grants_something(offer, f"{path}.dataset[{i}].hasPolicy[{j}]", rule)
    for i, sub in enumerate(obj.get("catalog", ())):
        found += _catalog_policies(sub, f"{path}.catalog[{i}]", rule)
    return found


def _exactly_one(doc: _J, starts: str, follows: str, rule: str) -> list[Violation]:
    if starts in doc and follows in doc:
        return [Violation(f"$.{follows}", f"a message with a {starts} starts a negotiation and has no {follows}", rule)]
    if starts not in doc and follows not in doc:
        return [Violation(f"$.{starts}", f"required when there is no {follows} (an initial message)", rule)]
    return []


def _protocol_rules(name: str, doc: _J, rule: str) -> list[Violation]:
    if name == "ContractRequestMessage":
        return _exactly_one(doc, "callbackAddress", "providerPid", rule) + _grants_something(
            doc["offer"], "$.offer", rule
        )
    if name == "ContractOfferMessage":
        return _exactly_one(doc, "callbackAddress", "consumerPid", rule) + _grants_something(
            doc["offer"], "$.offer", rule
        )
    if name == "ContractAgreementMessage":
        return _grants_something(doc["agreement"], "$.agreement", rule)
    if name == "Catalog":
        return _catalog_policies(doc, "$", rule)
    if name == "Dataset":
        return _catalog_policies({"dataset": [doc]}, "$", rule)
    return []


@overload
def decode(obj: object) -> Message: ...


@overload
def decode(obj: object, expected: type[_M]) -> _M: ...


def decode(obj: object, expected: type[Any] | None = None) -> Any:
    """Read one 2025-1 wire object (a parsed JSON body).

    Args:
        obj: the parsed JSON.
        expected: the message class the endpoint takes; another ``@type`` is refused. Without it the ``@type``
            decides (a body without ``@type`` but with ``protocolVersions`` is a `VersionResponse`).

    Raises:
        ProtocolError: wrong or unknown ``@type``, wrong ``@context``, missing or ill-typed fields, broken protocol
            rules: every violation found, each naming its field.
    """
    if not isinstance(obj, Mapping):
        raise ProtocolError.at("$", "a DSP 2025-1 message is a JSON object", _rule("message"))
    declared = obj.get("@type")
    if expected is VersionResponse or (expected is None and declared is None and "protocolVersions" in obj):
        name = "VersionResponse"
    elif expected is not None:
        name = TYPE_NAMES[expected]
        if declared != name:
            raise ProtocolError.at("$.@type", f"must be {name!r}, not {declared!r}", _rule(name))
    elif isinstance(declared, str) and declared in _DECODERS and declared != "VersionResponse":
        name = declared
    else:
        raise ProtocolError.at("$.@type", f"{declared!r} is not a DSP 2025-1 message type", _rule("message"))
    document = normalise(obj)
    rule = _rule(name)
    found = violations(document, name, rule) or _protocol_rules(name, document, rule)
    if found:
        raise ProtocolError(found)
    return _DECODERS[name](document)


# model → wire


def _address_to(a: DataAddress) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": "DataAddress", "endpointType": a.endpoint_type}
    if a.endpoint is not None:
        out["endpoint"] = a.endpoint
    if a.endpoint_properties:
        props = [{"@type": "EndpointProperty", "name": p.name, "value": p.value} for p in a.endpoint_properties]
        out["endpointProperties"] = props
    return out


def _version_to(v: VersionResponse) -> dict[str, Any]:
    entries = []
    for e in v.protocol_versions:
        item: dict[str, Any] = {"version": e.version, "path": e.path, "binding": e.binding}
        if e.service_id is not None:
            item["serviceId"] = e.service_id
        if e.identifier_type is not None:
            item["identifierType"] = e.identifier_type
        if e.auth is not None:
            item["auth"] = {"protocol": e.auth.protocol, "version": e.auth.version}
            if e.auth.profile is not None:
                item["auth"]["profile"] = list(e.auth.profile)
        entries.append(item)
    return {"protocolVersions": entries}


def _optional(**members: Any) -> dict[str, Any]:
    """The members that are set: None and empty tuples are left out; tuples become arrays."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in members.items() if v is not None and v != ()}


def _body(m: Message) -> dict[str, Any]:
    if isinstance(m, Catalog):
        return catalog_to_json(m)
    if isinstance(m, Dataset):
        return dataset_to_json(m)
    if isinstance(m, CatalogRequestMessage):
        return {} if m.filter is None else {"filter": list(m.filter)}
    if isinstance(m, DatasetRequestMessage):
        return {"dataset": m.dataset}
    if isinstance(m, CatalogError):
        return _optional(code=m.code, reason=m.reason)
    if isinstance(m, ContractRequestMessage | ContractOfferMessage):
        pids = _optional(providerPid=m.provider_pid, consumerPid=m.consumer_pid)
        return {**pids, "offer": policy_to_json(m.offer), **_optional(callbackAddress=m.callback_address)}
    if isinstance(m, TransferRequestMessage):
        body = {"consumerPid": m.consumer_pid, "agreementId": m.agreement_id, "format": m.format}
        address = {"dataAddress": _address_to(m.data_address)} if m.data_address else {}
        return {**body, **address, "callbackAddress": m.callback_address}
    if isinstance(m, VersionResponse):
        return _version_to(m)
    body = {"providerPid": m.provider_pid, "consumerPid": m.consumer_pid}
    if isinstance(m, ContractAgreementMessage):
        return {**body, "agreement": policy_to_json(m.agreement)}
    if isinstance(m, ContractNegotiationEventMessage):
        return {**body, "eventType": m.event_type.value}
    if isinstance(m, ContractNegotiationAck | TransferProcessAck):
        return {**body, "state": m.state.value}
    if isinstance(m, TransferStartMessage):
        return {**body, **({"dataAddress": _address_to(m.data_address)} if m.data_address else {})}
    if isinstance(m, ContractAgreementVerificationMessage | TransferCompletionMessage):
        return body
    return {**body, **_optional(code=m.code, reason=m.reason)}


def encode(message: Message, *, contexts: Sequence[str] = DEFAULT_CONTEXTS) -> dict[str, Any]:
    """The 2025-1 JSON of a message (the `VersionResponse` has neither ``@context`` nor ``@type``).

    Args:
        message: what to write.
        contexts: the ``@context`` array; it must contain the DSP 2025-1 context (pass
            ``(CONTEXT, passbridge.dataspace.policies.CX_POLICY_CONTEXT)`` when policies use Catena-X left operands).

    Raises:
        ValueError: `contexts` without the DSP 2025-1 context.
    """
    if isinstance(message, VersionResponse):
        return _version_to(message)
    if CONTEXT not in contexts:
        raise ValueError(f"@context must contain {CONTEXT}")
    return {"@context": list(contexts), "@type": TYPE_NAMES[type(message)], **_body(message)}


__all__ = ["CONTEXT", "DEFAULT_CONTEXTS", "TYPE_NAMES", "VERSION", "contexts_of", "decode", "encode"]
