"""The DSP 2025-1 codec: every message type survives the wire, and the bad-input table names the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from passbridge.dataspace.codec.dsp_2025_1 import CONTEXT, contexts_of, decode, encode
from passbridge.dataspace.codec.policy_json import decode_policy, policy_to_json
from passbridge.dataspace.error_replies import CatalogError, ContractNegotiationError, TransferError, error_reply
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
    endpoint_data_reference,
)
from passbridge.dataspace.negotiation import xsd_date_time
from passbridge.dataspace.odrl import (
    Constraint,
    LogicalConstraint,
    LogicalOperator,
    Operator,
    Policy,
    PolicyType,
    Rule,
)
from passbridge.dataspace.policies import CX_POLICY_CONTEXT
from passbridge.dataspace.versions import VersionAuth, VersionEntry, VersionResponse
from passbridge.errors import PolicyDenied, ProtocolError
from tests.unit.dataspace.builders import (
    CALLBACK,
    CONSUMER_DID,
    CONSUMER_PID,
    NOW,
    PROVIDER_PID,
    an_offer,
)

OFFER = an_offer()
AGREEMENT = OFFER.__class__(
    "urn:uuid:agreement-1",
    PolicyType.AGREEMENT,
    OFFER.permissions,
    target=OFFER.target,
    assigner=OFFER.assigner,
    assignee=CONSUMER_DID,
    timestamp=xsd_date_time(NOW),
)
EDR = endpoint_data_reference("https://provider.example/data", "t0k3n", expires_in=300, refresh_token="r")

MESSAGES: list[Message] = [
    CatalogRequestMessage(),
    CatalogRequestMessage(()),
    DatasetRequestMessage("urn:uuid:d"),
    CatalogError("404", ("no such dataset",)),
    ContractRequestMessage(CONSUMER_PID, OFFER, callback_address=CALLBACK),
    ContractRequestMessage(CONSUMER_PID, OFFER, provider_pid=PROVIDER_PID),
    ContractOfferMessage(PROVIDER_PID, OFFER, callback_address="https://provider.example/cb"),
    ContractOfferMessage(PROVIDER_PID, OFFER, consumer_pid=CONSUMER_PID),
    ContractAgreementMessage(PROVIDER_PID, CONSUMER_PID, AGREEMENT),
    ContractAgreementVerificationMessage(PROVIDER_PID, CONSUMER_PID),
    ContractNegotiationEventMessage(PROVIDER_PID, CONSUMER_PID, NegotiationEvent.FINALIZED),
    ContractNegotiationTerminationMessage(PROVIDER_PID, CONSUMER_PID, "1", ("bye", {"detail": "x"})),
    ContractNegotiationAck(PROVIDER_PID, CONSUMER_PID, NegotiationState.VERIFIED),
    ContractNegotiationError(PROVIDER_PID, "", "400", ("bad",)),
    TransferRequestMessage(CONSUMER_PID, "urn:uuid:agreement-1", "HttpData-PULL", CALLBACK),
    TransferRequestMessage(
        CONSUMER_PID, "a", "HttpData-PUSH", CALLBACK, DataAddress("https://w3id.org/idsa/v4.1/HTTP", "https://sink")
    ),
    TransferStartMessage(PROVIDER_PID, CONSUMER_PID, EDR),
    TransferStartMessage(PROVIDER_PID, CONSUMER_PID),
    TransferSuspensionMessage(PROVIDER_PID, CONSUMER_PID),
    TransferCompletionMessage(PROVIDER_PID, CONSUMER_PID),
    TransferTerminationMessage(PROVIDER_PID, CONSUMER_PID, "2", ("expired",)),
    TransferProcessAck(PROVIDER_PID, CONSUMER_PID, TransferState.SUSPENDED),
    TransferError(PROVIDER_PID, CONSUMER_PID),
    VersionResponse((VersionEntry("2025-1", "/dsp/2025-1", auth=VersionAuth("DCP", "1.0", ("vc20-bssl/jwt",))),)),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_every_message_survives_the_wire(message: Message) -> None:
    wire = encode(message)
    assert decode(wire) == message and decode(wire, type(message)) == message
    if not isinstance(message, VersionResponse):
        assert wire["@context"] == [CONTEXT]


def test_extra_contexts_are_written_and_read_back() -> None:
    wire = encode(MESSAGES[4], contexts=(CX_POLICY_CONTEXT, CONTEXT))
    assert contexts_of(wire) == (CX_POLICY_CONTEXT, CONTEXT) and decode(wire) == MESSAGES[4]
    with pytest.raises(ValueError, match="context"):
        encode(MESSAGES[4], contexts=(CX_POLICY_CONTEXT,))


def test_single_objects_in_sets_are_read_as_one_element_arrays() -> None:
    wire = encode(ContractOfferMessage(PROVIDER_PID, OFFER, consumer_pid=CONSUMER_PID))
    wire["offer"]["permission"] = wire["offer"]["permission"][0]
    wire["offer"]["permission"]["constraint"] = wire["offer"]["permission"]["constraint"][0]
    assert decode(wire, ContractOfferMessage).offer == OFFER


def test_members_the_model_does_not_name_are_kept() -> None:
    wire = encode(MESSAGES[4])
    wire["offer"]["cx:extra"] = {"@id": "x"}
    wire["offer"]["permission"][0]["refinement"] = []
    assert encode(decode(wire)) == wire


def request() -> dict[str, Any]:
    return encode(ContractRequestMessage(CONSUMER_PID, OFFER, callback_address=CALLBACK))


def without(doc: dict[str, Any], *path: str | int) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target: Any = out
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return out


def with_value(doc: dict[str, Any], value: Any, *path: str | int) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target: Any = out
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return out


AGREEMENT_WIRE = encode(ContractAgreementMessage(PROVIDER_PID, CONSUMER_PID, AGREEMENT))
CATALOG_WIRE = {
    "@context": [CONTEXT],
    "@id": "urn:uuid:c",
    "@type": "Catalog",
    "participantId": "did:web:p",
    "dataset": [
        {
            "@id": "d",
            "@type": "Dataset",
            "hasPolicy": [{"@id": "o", "@type": "Offer", "permission": [{"action": "use"}]}],
            "distribution": [{"@type": "Distribution", "format": "HttpData-PULL", "accessService": "s"}],
        }
    ],
}
START_WIRE = encode(TransferStartMessage(PROVIDER_PID, CONSUMER_PID, EDR))

BAD_INPUT: list[tuple[str, Any, type[Message] | None, str]] = [
    ("not an object", ["a list"], None, "$"),
    ("unknown @type", with_value(request(), "ContractWish", "@type"), None, "$.@type"),
    ("no @type", without(request(), "@type"), None, "$.@type"),
    ("another @type than the endpoint takes", request(), ContractOfferMessage, "$.@type"),
    ("no @context", without(request(), "@context"), None, "$.@context"),
    (
        "2024-1 context",
        with_value(request(), "https://w3id.org/dspace/2024/1/context.json", "@context"),
        None,
        "$.@context",
    ),
    (
        "context without DSP 2025-1",
        with_value(request(), ["https://w3id.org/edc/v0.0.1"], "@context"),
        None,
        "$.@context",
    ),
    ("missing consumerPid", without(request(), "consumerPid"), None, "$.consumerPid"),
    ("consumerPid not a string", with_value(request(), 42, "consumerPid"), None, "$.consumerPid"),
    ("empty consumerPid", with_value(request(), "", "consumerPid"), None, "$.consumerPid"),
    ("missing offer", without(request(), "offer"), None, "$.offer"),
    ("offer without @id", without(request(), "offer", "@id"), None, "$.offer.@id"),
    ("offer without target", without(request(), "offer", "target"), None, "$.offer.target"),
    ("offer of another @type", with_value(request(), "Agreement", "offer", "@type"), None, "$.offer.@type"),
    ("offer granting nothing", without(request(), "offer", "permission"), None, "$.offer.permission"),
    (
        "rule without action",
        without(request(), "offer", "permission", 0, "action"),
        None,
        "$.offer.permission[0].action",
    ),
    (
        "rule with a target",
        with_value(request(), "x", "offer", "permission", 0, "target"),
        None,
        "$.offer.permission[0].target",
    ),
    (
        "unknown operator",
        with_value(request(), "like", "offer", "permission", 0, "constraint", 0, "and", 0, "operator"),
        None,
        "$.offer.permission[0].constraint[0].and[0].operator",
    ),
    (
        "constraint without rightOperand",
        without(request(), "offer", "permission", 0, "constraint", 0, "and", 1, "rightOperand"),
        None,
        "$.offer.permission[0].constraint[0].and[1].rightOperand",
    ),
    (
        "two logical operators at once",
        with_value(request(), [], "offer", "permission", 0, "constraint", 0, "or"),
        None,
        "$.offer.permission[0].constraint[0]",
    ),
    ("initial request without callbackAddress", without(request(), "callbackAddress"), None, "$.callbackAddress"),
    ("callbackAddress and providerPid", with_value(request(), PROVIDER_PID, "providerPid"), None, "$.providerPid"),
    ("agreement without timestamp", without(AGREEMENT_WIRE, "agreement", "timestamp"), None, "$.agreement.timestamp"),
    ("agreement without assignee", without(AGREEMENT_WIRE, "agreement", "assignee"), None, "$.agreement.assignee"),
    (
        "timestamp not a dateTime",
        with_value(AGREEMENT_WIRE, "yesterday", "agreement", "timestamp"),
        None,
        "$.agreement.timestamp",
    ),
    ("unknown event", with_value(encode(MESSAGES[10]), "REJECTED", "eventType"), None, "$.eventType"),
    ("unknown state", with_value(encode(MESSAGES[12]), "DONE", "state"), None, "$.state"),
    ("empty reason", with_value(encode(MESSAGES[11]), [], "reason"), None, "$.reason"),
    ("catalog without participantId", without(CATALOG_WIRE, "participantId"), None, "$.participantId"),
    ("catalog with a policy", with_value(CATALOG_WIRE, [], "hasPolicy"), None, "$.hasPolicy"),
    (
        "dataset offer with target",
        with_value(CATALOG_WIRE, "d", "dataset", 0, "hasPolicy", 0, "target"),
        None,
        "$.dataset[0].hasPolicy[0].target",
    ),
    (
        "dataset without distribution",
        without(CATALOG_WIRE, "dataset", 0, "distribution"),
        None,
        "$.dataset[0].distribution",
    ),
    (
        "distribution without format",
        without(CATALOG_WIRE, "dataset", 0, "distribution", 0, "format"),
        None,
        "$.dataset[0].distribution[0].format",
    ),
    (
        "inline access service without URL",
        with_value(
            CATALOG_WIRE, {"@id": "s", "@type": "DataService"}, "dataset", 0, "distribution", 0, "accessService"
        ),
        None,
        "$.dataset[0].distribution[0].accessService.endpointURL",
    ),
    (
        "data address without endpointType",
        without(START_WIRE, "dataAddress", "endpointType"),
        None,
        "$.dataAddress.endpointType",
    ),
    (
        "endpoint property without @type",
        without(START_WIRE, "dataAddress", "endpointProperties", 0, "@type"),
        None,
        "$.dataAddress.endpointProperties[0].@type",
    ),
    ("transfer request without format", without(encode(MESSAGES[14]), "format"), None, "$.format"),
    (
        "version without binding",
        without(encode(MESSAGES[-1]), "protocolVersions", 0, "binding"),
        VersionResponse,
        "$.protocolVersions[0].binding",
    ),
    (
        "version with another binding",
        with_value(encode(MESSAGES[-1]), "MQTT", "protocolVersions", 0, "binding"),
        VersionResponse,
        "$.protocolVersions[0].binding",
    ),
]


@pytest.mark.parametrize(("case", "doc", "expected", "path"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_naming_the_field(case: str, doc: Any, expected: type[Message] | None, path: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        decode(doc) if expected is None else decode(doc, expected)
    assert path in [v.path for v in refused.value.violations], refused.value.violations
    assert all(v.rule.startswith("DSP 2025-1") for v in refused.value.violations)


def test_every_violation_is_reported_at_once() -> None:
    doc = without(without(request(), "consumerPid"), "offer", "@id")
    with pytest.raises(ProtocolError) as refused:
        decode(doc)
    assert {v.path for v in refused.value.violations} >= {"$.consumerPid", "$.offer.@id"}


def test_a_refusal_becomes_a_400_error_object_listing_the_violations() -> None:
    with pytest.raises(ProtocolError) as refused:
        decode(without(request(), "consumerPid"))
    status, body = error_reply(refused.value, ContractNegotiationError, provider_pid=PROVIDER_PID)
    assert status == 400 and body == ContractNegotiationError(
        PROVIDER_PID, "", "bad-request", ("$.consumerPid: required",)
    )
    status, catalog_body = error_reply(PolicyDenied("p", ("no membership",)), CatalogError)
    assert (status, catalog_body) == (403, CatalogError("forbidden", ("no membership",)))
    assert decode(encode(body)) == body


def test_standalone_policies() -> None:
    assert decode_policy(policy_to_json(OFFER)) == OFFER
    with pytest.raises(ProtocolError) as refused:
        decode_policy({"@id": "p", "permission": [{"constraint": []}]})
    assert refused.value.violations[0].path == "$.permission[0].action"
    with pytest.raises(ProtocolError):
        decode_policy({"@id": "p"})
    assert decode_policy({"@id": "p", "profile": ["a", "b"], "prohibition": [{"action": "use"}]}).profile == ("a", "b")


def test_endpoint_properties_are_found_under_any_namespace() -> None:
    address = DataAddress("t", "e", (EndpointProperty("https://w3id.org/edc/v0.0.1/ns/authorization", "tok"),))
    assert address.authorization == "tok" and address.value_of("authType") is None
    assert EDR.value_of("refreshToken") == "r"


_TEXT = st.text(min_size=1, max_size=12)
_ATOMS = st.builds(
    Constraint,
    _TEXT,
    st.sampled_from(list(Operator)),
    st.one_of(_TEXT, st.lists(_TEXT, max_size=3)),
)
_CONSTRAINTS = st.recursive(
    _ATOMS,
    lambda inner: st.builds(
        LogicalConstraint, st.sampled_from(list(LogicalOperator)), st.lists(inner, max_size=3).map(tuple)
    ),
    max_leaves=6,
)
_DUTIES = st.builds(Rule, _TEXT, st.lists(_CONSTRAINTS, max_size=2).map(tuple))
_RULES = st.builds(Rule, _TEXT, st.lists(_CONSTRAINTS, max_size=3).map(tuple), st.lists(_DUTIES, max_size=1).map(tuple))
OFFERS = st.builds(
    Policy,
    id=_TEXT,
    type=st.just(PolicyType.OFFER),
    permissions=st.lists(_RULES, min_size=1, max_size=2).map(tuple),
    prohibitions=st.lists(_RULES, max_size=2).map(tuple),
    obligations=st.lists(_RULES, max_size=1).map(tuple),
    target=_TEXT,
    assigner=st.none() | _TEXT,
    profile=st.lists(_TEXT, max_size=2).map(tuple),
)
"""Offers as a negotiation message carries them (with target, granting at least one permission)."""


@settings(max_examples=150, deadline=None)
@given(OFFERS)
def test_any_offer_survives_the_wire(offer: Policy) -> None:
    message = ContractRequestMessage(CONSUMER_PID, offer, provider_pid=PROVIDER_PID)
    assert decode(encode(message)) == message
