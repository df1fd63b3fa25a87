"""The DSP 2025-1 codec held to the official artifacts (``shared/fixtures/dsp``, tag ``2025-1-err1``, and the TCK's
copies in ``shared/fixtures/dsp-tck-schemas``):

- every official example decodes and re-encodes to the same JSON; the Tractus-X EDC catalog to the same JSON after
  the codec's one normalisation (single objects in set members become one-element arrays, which is also what makes
  it valid against the official schema);
- every message the codec writes is valid against the official schema of its type, and the TCK's where it has one;
- negative examples (each required member deleted, wrong values) are refused by the official schemas *and* by the
  codec, which names the field.

The official schemas are read with `jsonschema` over a `referencing` registry (no network). One erratum is patched
on load: the transfer schemas refer to ``transfer-schema.json#definitions/AbstractTransferCodeMessage``, which is not
a JSON pointer (the slash after ``#`` is missing), so ``#definitions/`` is read as ``#/definitions/``.
"""

from __future__ import annotations

import copy
import itertools
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs installed; Draft201909Validator only
import pytest
import referencing
from hypothesis import given, settings
from referencing._core import Resolver
from referencing.jsonschema import DRAFT201909

from passbridge.dataspace.catalog import Asset, Catalog, ContractDefinition, DataService, build_catalog
from passbridge.dataspace.codec._schemas import normalise
from passbridge.dataspace.codec.dsp_2025_1 import TYPE_NAMES, contexts_of, decode, encode
from passbridge.dataspace.error_replies import CatalogError, ContractNegotiationError, TransferError, error_reply
from passbridge.dataspace.messages import ContractRequestMessage, Message
from passbridge.dataspace.odrl import Policy
from passbridge.dataspace.policies import evaluate_cx
from passbridge.errors import IllegalMessage, PolicyDenied, ProtocolError, UnknownProcess
from tests.fixtures_path import FIXTURES
from tests.unit.dataspace.builders import PROVIDER_DID, a_policy, atom, context, dpp_usage_policy
from tests.unit.dataspace.test_codec import MESSAGES, OFFERS

DSP = FIXTURES / "dsp"
OFFICIAL = DSP / "dsp-2025-1"
TCK = FIXTURES / "dsp-tck-schemas"
TRACTUSX_CATALOG = DSP / "tractusx-edc-catalog-response-2025-1.json"
CLASS_OF = {name: cls for cls, name in TYPE_NAMES.items()}
SCHEMA_FILE = {
    "CatalogRequestMessage": "catalog/catalog-request-message-schema.json",
    "DatasetRequestMessage": "catalog/dataset-request-message-schema.json",
    "Catalog": "catalog/catalog-schema.json",
    "Dataset": "catalog/dataset-schema.json",
    "CatalogError": "catalog/catalog-error-schema.json",
    "ContractRequestMessage": "negotiation/contract-request-message-schema.json",
    "ContractOfferMessage": "negotiation/contract-offer-message-schema.json",
    "ContractAgreementMessage": "negotiation/contract-agreement-message-schema.json",
    "ContractAgreementVerificationMessage": "negotiation/contract-agreement-verification-message-schema.json",
    "ContractNegotiationEventMessage": "negotiation/contract-negotiation-event-message-schema.json",
    "ContractNegotiationTerminationMessage": "negotiation/contract-negotiation-termination-message-schema.json",
    "ContractNegotiation": "negotiation/contract-negotiation-schema.json",
    "ContractNegotiationError": "negotiation/contract-negotiation-error-schema.json",
    "TransferRequestMessage": "transfer/transfer-request-message-schema.json",
    "TransferStartMessage": "transfer/transfer-start-message-schema.json",
    "TransferSuspensionMessage": "transfer/transfer-suspension-message-schema.json",
    "TransferCompletionMessage": "transfer/transfer-completion-message-schema.json",
    "TransferTerminationMessage": "transfer/transfer-termination-message-schema.json",
    "TransferProcess": "transfer/transfer-process-schema.json",
    "TransferError": "transfer/transfer-error-schema.json",
    "VersionResponse": "common/protocol-version-schema.json",
}
# DID document service entries (common/example/*-did-service.json) are not DSP messages: the DID document carries them.
EXAMPLES = sorted(p for p in OFFICIAL.rglob("example/*.json") if not p.name.endswith("-did-service.json"))


def _load(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text().replace("#definitions/", "#/definitions/"))
    return schema


@cache
def _registry(base: Path) -> referencing.Registry[Any]:
    resources = [(s["$id"], DRAFT201909.create_resource(s)) for s in map(_load, sorted(base.rglob("*-schema.json")))]
    return referencing.Registry().with_resources(resources)


def _schema_path(base: Path, type_name: str) -> Path | None:
    name = Path(SCHEMA_FILE[type_name]).name
    return next(iter(sorted(base.rglob(name))), None)


def schema_errors(doc: Any, type_name: str, base: Path = OFFICIAL) -> list[str]:
    """The official (or TCK) schema's complaints about `doc` as a `type_name`."""
    path = _schema_path(base, type_name)
    assert path is not None
    validator = jsonschema.Draft201909Validator(_load(path), registry=_registry(base))
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def type_of(doc: dict[str, Any]) -> str:
    return str(doc.get("@type", "VersionResponse"))


def example(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_official_examples_are_valid_against_the_official_schemas(path: Path) -> None:
    assert schema_errors(example(path), type_of(example(path))) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_official_examples_round_trip_unchanged(path: Path) -> None:
    doc = example(path)
    message = decode(doc, CLASS_OF[type_of(doc)])
    assert encode(message, contexts=contexts_of(doc)) == doc


def test_the_tractusx_edc_catalog_round_trips_modulo_set_arrays() -> None:
    doc = example(TRACTUSX_CATALOG)
    out = encode(decode(doc), contexts=contexts_of(doc))
    assert out == normalise(doc) and out != doc
    assert isinstance(doc["dataset"], dict) and isinstance(out["dataset"], list)
    assert out["dataset"][0]["hasPolicy"][0]["permission"][0]["constraint"][0]["leftOperand"] == "FrameworkAgreement"
    assert out["@context"] == doc["@context"]  # four contexts, kept in order
    assert schema_errors(doc, "Catalog") != []  # as sent, the compacted single objects break the schema
    assert schema_errors(out, "Catalog") == []


def built_catalog() -> Catalog:
    counter = itertools.count()
    return build_catalog(
        [Asset("dtr", "DTR", "DigitalTwinRegistry", version="3.0"), Asset("pass-1", "Passport", "Submodel")],
        lambda asset: [ContractDefinition("cd", a_policy(atom("Membership", "eq", "active")), dpp_usage_policy())],
        participant_id=PROVIDER_DID,
        catalog_id="urn:uuid:catalog",
        service=DataService("urn:uuid:svc", "https://provider.example/dsp/2025-1"),
        context=context("MembershipCredential"),
        evaluate=evaluate_cx,
        new_uuid=lambda: f"uuid-{next(counter)}",
    )


def ours() -> list[Message]:
    replies = [
        error_reply(IllegalMessage("m", "FINALIZED", "X", "consumer", []), ContractNegotiationError, provider_pid="p")[
            1
        ],
        error_reply(UnknownProcess("transfer", "p"), TransferError, consumer_pid="c")[1],
        error_reply(PolicyDenied("p", ("r",)), CatalogError)[1],
        error_reply(ProtocolError.at("$.x", "bad"), CatalogError)[1],
    ]
    catalog = built_catalog()
    assert isinstance(catalog, Catalog)
    return [*MESSAGES, catalog, catalog.datasets[0], *replies]


@pytest.mark.parametrize("message", ours(), ids=lambda m: type(m).__name__)
def test_every_message_we_write_is_valid_against_the_official_and_tck_schemas(message: Message) -> None:
    wire = encode(message)
    name = TYPE_NAMES[type(message)]
    assert schema_errors(wire, name) == []
    if _schema_path(TCK, name) is not None:
        assert schema_errors(wire, name, TCK) == []


def _required(node: dict[str, Any], resolver: Resolver[Any]) -> set[str]:
    found = set(node.get("required", ()))
    for part in node.get("allOf", ()):
        if "$ref" in part:
            resolved = resolver.lookup(part["$ref"])
            found |= _required(resolved.contents, resolved.resolver)
        else:
            found |= _required(part, resolver)
    return found


def required_members(type_name: str) -> list[str]:
    """The members the official schema requires at the top of a `type_name`."""
    schema = _load(OFFICIAL / SCHEMA_FILE[type_name])
    return sorted(_required(schema, _registry(OFFICIAL).resolver(base_uri=schema["$id"])))


def _negatives() -> list[tuple[str, dict[str, Any], str, str]]:
    cases = []
    for path in EXAMPLES:
        doc = example(path)
        for member in required_members(type_of(doc)):
            broken = copy.deepcopy(doc)
            del broken[member]
            cases.append((f"{path.stem}-without-{member}", broken, type_of(doc), f"$.{member}"))
    return cases


def _edit(name: str, edit: Any, *where: str | int, delete: bool = False) -> dict[str, Any]:
    doc = copy.deepcopy(example(next(p for p in EXAMPLES if p.name == name)))
    target: Any = doc
    for part in where[:-1]:
        target = target[part]
    if delete:
        del target[where[-1]]
    else:
        target[where[-1]] = edit
    return doc


HANDMADE = [
    (
        "offer-without-@id",
        _edit("contract-request-message_initial.json", None, "offer", "@id", delete=True),
        "ContractRequestMessage",
        "$.offer.@id",
    ),
    (
        "offer-without-target",
        _edit("contract-offer-message.json", None, "offer", "target", delete=True),
        "ContractOfferMessage",
        "$.offer.target",
    ),
    (
        "counter-offer-without-providerPid",
        _edit("contract-request-message.json", None, "providerPid", delete=True),
        "ContractRequestMessage",
        "$.callbackAddress",
    ),
    (
        "agreement-without-assigner",
        _edit("contract-agreement-message.json", None, "agreement", "assigner", delete=True),
        "ContractAgreementMessage",
        "$.agreement.assigner",
    ),
    (
        "agreement-without-target",
        _edit("contract-agreement-message.json", None, "agreement", "target", delete=True),
        "ContractAgreementMessage",
        "$.agreement.target",
    ),
    (
        "agreement-typed-offer",
        _edit("contract-agreement-message.json", "Offer", "agreement", "@type"),
        "ContractAgreementMessage",
        "$.agreement.@type",
    ),
    (
        "rule-without-action",
        _edit("contract-agreement-message.json", None, "agreement", "permission", 0, "action", delete=True),
        "ContractAgreementMessage",
        "$.agreement.permission[0].action",
    ),
    (
        "bad-operator",
        _edit("contract-offer-message.json", "like", "offer", "permission", 0, "constraint", 0, "operator"),
        "ContractOfferMessage",
        "$.offer.permission[0].constraint[0].operator",
    ),
    (
        "address-without-type",
        _edit("transfer-start-message.json", None, "dataAddress", "endpointType", delete=True),
        "TransferStartMessage",
        "$.dataAddress.endpointType",
    ),
    (
        "property-without-name",
        _edit("transfer-start-message.json", None, "dataAddress", "endpointProperties", 0, "name", delete=True),
        "TransferStartMessage",
        "$.dataAddress.endpointProperties[0].name",
    ),
    (
        "dataset-without-policy",
        _edit("catalog.json", None, "dataset", 0, "hasPolicy", delete=True),
        "Catalog",
        "$.dataset[0].hasPolicy",
    ),
    (
        "service-without-url",
        _edit("catalog.json", None, "service", 0, "endpointURL", delete=True),
        "Catalog",
        "$.service[0].endpointURL",
    ),
    (
        "distribution-without-service",
        _edit("dataset.json", None, "distribution", 0, "accessService", delete=True),
        "Dataset",
        "$.distribution[0].accessService",
    ),
    (
        "version-without-path",
        _edit("protocol-version.json", None, "protocolVersions", 0, "path", delete=True),
        "VersionResponse",
        "$.protocolVersions[0].path",
    ),
    (
        "context-as-2024-1-string",
        _edit("transfer-process.json", "https://w3id.org/dspace/2024/1/context.json", "@context"),
        "TransferProcess",
        "$.@context",
    ),
    (
        "context-without-dspace",
        _edit("transfer-process.json", ["https://example.org/ctx"], "@context"),
        "TransferProcess",
        "$.@context",
    ),
    ("wrong-type", _edit("transfer-process.json", "TransferError", "@type"), "TransferProcess", "$.@type"),
    (
        "pid-not-a-string",
        _edit("transfer-completion-message.json", 7, "consumerPid"),
        "TransferCompletionMessage",
        "$.consumerPid",
    ),
    ("unknown-state", _edit("contract-negotiation.json", "DONE", "state"), "ContractNegotiation", "$.state"),
    (
        "unknown-event",
        _edit("contract-negotiation-event-message.json", "DONE", "eventType"),
        "ContractNegotiationEventMessage",
        "$.eventType",
    ),
]


NEGATIVES = _negatives() + HANDMADE


@pytest.mark.parametrize(("case", "doc", "type_name", "path"), NEGATIVES, ids=[case[0] for case in NEGATIVES])
def test_negative_examples_are_refused_by_the_official_schema_and_by_the_codec(
    case: str, doc: dict[str, Any], type_name: str, path: str
) -> None:
    assert schema_errors(doc, type_name) != [], f"{case}: the official schema accepts it"
    with pytest.raises(ProtocolError) as refused:
        decode(doc, CLASS_OF[type_name])
    assert path in [v.path for v in refused.value.violations], refused.value.violations


@settings(max_examples=60, deadline=None)
@given(OFFERS)
def test_any_offer_we_write_is_valid_against_the_official_schema(offer: Policy) -> None:
    wire = encode(ContractRequestMessage("urn:uuid:c", offer, callback_address="https://consumer.example/cb"))
    assert schema_errors(wire, "ContractRequestMessage") == []
