"""The bad-input table of issue #5 on the DSP endpoints: each refused message gets the protocol's error object
(``CatalogError`` / ``ContractNegotiationError`` / ``TransferError``) with the spec's status and a reason naming
what was wrong, and no row of any DSP table changes on either node."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from passbridge.dataspace.messages import Role as DspRole
from tests.conftest import FixedClock
from tests.dsp_world import World, build_world, certify, fetch, snapshot
from tests.network import Network, Node

DSP = "/dsp/2025-1"
CONTEXT = ["https://w3id.org/dspace/2025/1/context.jsonld"]


@dataclass
class Scene:
    """A world after one successful fetch, plus a second member."""

    world: World
    other: Node
    provider_pid: str
    consumer_pid: str
    transfer_pid: str
    transfer_consumer_pid: str
    offer: dict[str, Any]
    agreement_id: str


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    network = Network(tmp_path_factory.mktemp("dsp-bad-input"), FixedClock())
    world = build_world(network)
    other = network.node("other-member", authority_url=world.authority.url)
    certify(world.authority, other, "MembershipCredential")
    result = fetch(world.consumer, world.passport_id, world.provider.url).json()
    with world.provider.services.uow(write=False) as uow:
        agreement = uow.dataspace.agreement(result["agreementId"])
        assert agreement is not None
        negotiation = uow.dataspace.negotiation(DspRole.PROVIDER, agreement.negotiation_pid)
        ((transfer, _),) = uow.dataspace.started_transfers(DspRole.PROVIDER, agreement.id)
    assert negotiation is not None
    token = world.consumer.services.identity.holder.self_issued_token(world.provider.did, ["MembershipCredential"])
    dataset = world.provider.client.get(
        f"{DSP}/catalog/datasets/{world.dataset_id}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    yield Scene(
        world,
        other,
        negotiation.provider_pid,
        negotiation.consumer_pid,
        transfer.pid,
        transfer.consumer_pid,
        dataset["hasPolicy"][0],
        agreement.id,
    )
    network.close()


def _bearer(sender: Node, receiver: Node) -> dict[str, str]:
    token = sender.services.identity.holder.self_issued_token(receiver.did, ["MembershipCredential"])
    return {"Authorization": f"Bearer {token}"}


def _request(scene: Scene, **changes: Any) -> dict[str, Any]:
    offer = {**copy.deepcopy(scene.offer), "target": scene.world.dataset_id}
    body: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ContractRequestMessage",
        "consumerPid": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "offer": offer,
        "callbackAddress": f"{scene.world.consumer.url}{DSP}/callback",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@dataclass(frozen=True)
class Case:
    """One bad message: who sends what where, and the answer expected."""

    name: str
    path: Callable[[Scene], str]
    body: Callable[[Scene], Any]
    status: int
    error: str
    reason: str
    sender: str = "consumer"  # consumer | provider | other | nobody
    receiver: str = "provider"
    method: str = "POST"


def _weaker_offer(scene: Scene) -> dict[str, Any]:
    body = _request(scene)
    body["offer"]["permission"] = [{"action": "use"}]  # the catalog's constraints dropped
    return body


def _agreement_message(scene: Scene) -> dict[str, Any]:
    agreement = {**scene.offer, "@type": "Agreement", "@id": "urn:uuid:00000000-0000-4000-8000-0000000000aa"}
    agreement |= {"target": scene.world.dataset_id, "assignee": scene.world.consumer.did}
    agreement |= {"timestamp": "2026-11-25T12:00:00Z"}
    return {
        "@context": CONTEXT,
        "@type": "ContractAgreementMessage",
        "providerPid": "urn:uuid:00000000-0000-4000-8000-0000000000bb",
        "consumerPid": "urn:uuid:00000000-0000-4000-8000-0000000000cc",
        "agreement": agreement,
    }


def _pids(scene: Scene, kind: str = "") -> dict[str, Any]:
    return {"@context": CONTEXT, "@type": kind, "providerPid": scene.provider_pid, "consumerPid": scene.consumer_pid}


CASES = (
    Case(
        "no DCP token",
        lambda s: f"{DSP}/negotiations/request",
        _request,
        401,
        "ContractNegotiationError",
        "Bearer",
        sender="nobody",
    ),
    Case(
        "malformed JSON",
        lambda s: f"{DSP}/negotiations/request",
        lambda s: b"{not json",
        400,
        "ContractNegotiationError",
        "JSON",
    ),
    Case(
        "wrong message type",
        lambda s: f"{DSP}/negotiations/request",
        lambda s: {**_request(s), "@type": "TransferRequestMessage"},
        400,
        "ContractNegotiationError",
        "$.@type",
    ),
    Case(
        "missing consumerPid",
        lambda s: f"{DSP}/negotiations/request",
        lambda s: _request(s, consumerPid=None),
        400,
        "ContractNegotiationError",
        "$.consumerPid",
    ),
    Case(
        "wrong @context",
        lambda s: f"{DSP}/negotiations/request",
        lambda s: _request(s, **{"@context": ["https://w3id.org/dspace/2024/1/context.json"]}),
        400,
        "ContractNegotiationError",
        "$.@context",
    ),
    Case(
        "offer whose policy differs from the catalog's",
        lambda s: f"{DSP}/negotiations/request",
        _weaker_offer,
        400,
        "ContractNegotiationError",
        "differs",
    ),
    Case(
        "offer id that is not ours",
        lambda s: f"{DSP}/negotiations/request",
        lambda s: _request(s, offer={**s.offer, "@id": "urn:uuid:x", "target": s.world.dataset_id}),
        400,
        "ContractNegotiationError",
        "$.offer.@id",
    ),
    Case(
        "callbackAddress to a private address",
        lambda s: f"{DSP}/negotiations/request",
        lambda s: _request(s, callbackAddress="http://10.0.0.7/callback"),
        400,
        "ContractNegotiationError",
        "$.callbackAddress",
    ),
    Case(
        "callbackAddress to the cloud metadata address",
        lambda s: f"{DSP}/negotiations/request",
        lambda s: _request(s, callbackAddress="http://169.254.169.254/latest"),
        400,
        "ContractNegotiationError",
        "$.callbackAddress",
    ),
    Case(
        "callbackAddress that is not http(s)",
        lambda s: f"{DSP}/negotiations/request",
        lambda s: _request(s, callbackAddress="file:///etc/passwd"),
        400,
        "ContractNegotiationError",
        "$.callbackAddress",
    ),
    Case(
        "body over the limit",
        lambda s: f"{DSP}/negotiations/request",
        lambda s: b" " * (5 * 1024 * 1024 + 1),
        413,
        "ContractNegotiationError",
        "exceeds",
    ),
    Case(
        "unknown providerPid",
        lambda s: f"{DSP}/negotiations/urn:uuid:unknown/termination",
        lambda s: {**_pids(s, "ContractNegotiationTerminationMessage"), "providerPid": "urn:uuid:unknown"},
        404,
        "ContractNegotiationError",
        "no negotiation",
    ),
    Case(
        "another member's negotiation",
        lambda s: f"{DSP}/negotiations/{s.provider_pid}/termination",
        lambda s: _pids(s, "ContractNegotiationTerminationMessage"),
        404,
        "ContractNegotiationError",
        "no negotiation",
        sender="other",
    ),
    Case(
        "another member's negotiation state",
        lambda s: f"{DSP}/negotiations/{s.provider_pid}",
        lambda s: None,
        404,
        "ContractNegotiationError",
        "no negotiation",
        sender="other",
        method="GET",
    ),
    Case(
        "verification after FINALIZED (out of order)",
        lambda s: f"{DSP}/negotiations/{s.provider_pid}/agreement/verification",
        lambda s: _pids(s, "ContractAgreementVerificationMessage"),
        400,
        "ContractNegotiationError",
        "FINALIZED",
    ),
    Case(
        "termination after FINALIZED",
        lambda s: f"{DSP}/negotiations/{s.provider_pid}/termination",
        lambda s: _pids(s, "ContractNegotiationTerminationMessage"),
        400,
        "ContractNegotiationError",
        "FINALIZED",
    ),
    Case(
        "pids of another negotiation in the body",
        lambda s: f"{DSP}/negotiations/{s.provider_pid}/termination",
        lambda s: {**_pids(s, "ContractNegotiationTerminationMessage"), "consumerPid": "urn:uuid:other"},
        400,
        "ContractNegotiationError",
        "$.consumerPid",
    ),
    Case(
        "transfer under an unknown agreement",
        lambda s: f"{DSP}/transfers/request",
        lambda s: {
            "@context": CONTEXT,
            "@type": "TransferRequestMessage",
            "consumerPid": "urn:uuid:t1",
            "agreementId": "urn:uuid:nope",
            "format": "HttpData-PULL",
            "callbackAddress": f"{s.world.consumer.url}{DSP}/callback",
        },
        404,
        "TransferError",
        "agreement",
    ),
    Case(
        "another member's transfer",
        lambda s: f"{DSP}/transfers/{s.transfer_pid}/termination",
        lambda s: {
            "@context": CONTEXT,
            "@type": "TransferTerminationMessage",
            "providerPid": s.transfer_pid,
            "consumerPid": "urn:uuid:x",
        },
        404,
        "TransferError",
        "no transfer",
        sender="other",
    ),
    Case(
        "transfer message naming another consumerPid",
        lambda s: f"{DSP}/transfers/{s.transfer_pid}/completion",
        lambda s: {
            "@context": CONTEXT,
            "@type": "TransferCompletionMessage",
            "providerPid": s.transfer_pid,
            "consumerPid": "urn:uuid:x",
        },
        400,
        "TransferError",
        "$.consumerPid",
    ),
    Case(
        "transfer start from the consumer while STARTED (out of order)",
        lambda s: f"{DSP}/transfers/{s.transfer_pid}/start",
        lambda s: {
            "@context": CONTEXT,
            "@type": "TransferStartMessage",
            "providerPid": s.transfer_pid,
            "consumerPid": s.transfer_consumer_pid,
        },
        400,
        "TransferError",
        "STARTED",
    ),
    Case(
        "transfer in a format not offered",
        lambda s: f"{DSP}/transfers/request",
        lambda s: {
            "@context": CONTEXT,
            "@type": "TransferRequestMessage",
            "consumerPid": "urn:uuid:t2",
            "agreementId": s.agreement_id,
            "format": "AmazonS3-PUSH",
            "callbackAddress": f"{s.world.consumer.url}{DSP}/callback",
        },
        400,
        "TransferError",
        "$.format",
    ),
    Case(
        "unsupported catalog filter",
        lambda s: f"{DSP}/catalog/request",
        lambda s: {"@context": CONTEXT, "@type": "CatalogRequestMessage", "filter": [{"title": "x"}]},
        400,
        "CatalogError",
        "$.filter[0]",
    ),
    Case(
        "unknown dataset",
        lambda s: f"{DSP}/catalog/datasets/urn:uuid:nope",
        lambda s: None,
        404,
        "CatalogError",
        "not offered",
        method="GET",
    ),
    Case(
        "agreement for a consumer process that does not exist",
        lambda s: f"{DSP}/callback/negotiations/urn:uuid:00000000-0000-4000-8000-0000000000cc/agreement",
        _agreement_message,
        404,
        "ContractNegotiationError",
        "no negotiation",
        sender="provider",
        receiver="consumer",
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_message_gets_the_spec_error_and_changes_nothing(scene: Scene, case: Case) -> None:
    world = scene.world
    nodes = {"consumer": world.consumer, "provider": world.provider, "other": scene.other}
    receiver = nodes[case.receiver]
    headers = {} if case.sender == "nobody" else _bearer(nodes[case.sender], receiver)
    before = {name: snapshot(node) for name, node in nodes.items()}
    body = case.body(scene)
    if case.method == "GET":
        answer = receiver.client.get(case.path(scene), headers=headers)
    elif isinstance(body, bytes):
        answer = receiver.client.post(case.path(scene), content=body, headers=headers)
    else:
        answer = receiver.client.post(case.path(scene), json=body, headers=headers)
    assert answer.status_code == case.status, answer.text
    error = answer.json()
    assert error["@type"] == case.error and error["@context"][0] == CONTEXT[0]
    assert case.reason in " ".join(map(str, error.get("reason", []))), error
    assert {"providerPid", "consumerPid"} <= set(error) or case.error == "CatalogError"
    assert {name: snapshot(node) for name, node in nodes.items()} == before


def test_a_repeated_request_with_the_same_consumer_pid_is_answered_with_the_same_negotiation(scene: Scene) -> None:
    world = scene.world
    with world.provider.services.uow(write=False) as uow:
        original = uow.dataspace.negotiation(DspRole.PROVIDER, scene.provider_pid)
    assert original is not None
    offer = {**copy.deepcopy(scene.offer), "@id": original.offer.id, "target": world.dataset_id}
    body = _request(scene, consumerPid=scene.consumer_pid, offer=offer)
    before = snapshot(world.provider)
    answer = world.provider.client.post(
        f"{DSP}/negotiations/request", json=body, headers=_bearer(world.consumer, world.provider)
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["providerPid"] == scene.provider_pid and answer.json()["state"] == "FINALIZED"
    assert snapshot(world.provider) == before


def test_a_request_for_another_offer_on_a_used_consumer_pid_is_refused(scene: Scene) -> None:
    world = scene.world
    offer = {**copy.deepcopy(scene.offer), "@id": scene.offer["@id"][:-4] + "AAA=", "target": world.dataset_id}
    body = _request(scene, consumerPid=scene.consumer_pid, offer=offer)
    before = snapshot(world.provider)
    answer = world.provider.client.post(
        f"{DSP}/negotiations/request", json=body, headers=_bearer(world.consumer, world.provider)
    )
    assert answer.status_code == 400 and "another offer" in str(answer.json()["reason"])
    assert snapshot(world.provider) == before
