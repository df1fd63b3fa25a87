"""The DSP v0.8 ("Jupiter", Tractus-X EDC ≤ 0.10) dialect under ``/dsp/v0.8``: the same provider handlers as
``/dsp/2025-1``, read and answered as prefixed JSON-LD (bundled contexts, nothing fetched), DCP on every request.

A v0.8 catalog request gets a v0.8 catalog offering the passport; a v0.8 ContractRequestMessage starts a negotiation
the 2025-1 endpoint shows in the same state (one process, two dialects); refusals are v0.8 error objects naming the
v0.8 field and change nothing.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from passbridge import jsonld
from passbridge.dataspace.offers import DTR_ASSET
from tests.dsp_world import World, build_world, snapshot
from tests.network import Network

V08 = "/dsp/v0.8"
DSP = "/dsp/2025-1"
DSPACE = "https://w3id.org/dspace/v0.8/"
DCAT = "http://www.w3.org/ns/dcat#"
EDC_CONTEXT = {  # what Tractus-X EDC 0.7 inlines (shared/fixtures/dsp/tractusx-edc-0.7.1-dsp-v0.8)
    "@vocab": "https://w3id.org/edc/v0.0.1/ns/",
    "edc": "https://w3id.org/edc/v0.0.1/ns/",
    "tx": "https://w3id.org/tractusx/v0.0.1/ns/",
    "cx-policy": "https://w3id.org/catenax/policy/",
    "dcat": DCAT,
    "dct": "http://purl.org/dc/terms/",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "dspace": DSPACE,
}
CONSUMER_PID = "urn:uuid:00000000-0000-4000-8000-0000000008a1"


@pytest.fixture
def world(network: Network) -> World:
    built = build_world(network)
    built.provider.services.dataspace.worker.stop()  # the agreement stays queued: the test reads the state only
    return built


def _si_token(world: World) -> dict[str, str]:
    token = world.consumer.services.identity.holder.self_issued_token(world.provider.did, ["MembershipCredential"])
    return {"Authorization": f"Bearer {token}"}


def _ids(expanded: Any, member: str) -> set[str]:
    (node,) = expanded
    return {item["@id"] for item in node.get(member, []) if "@id" in item}


def _contract_request(world: World, **members: Any) -> dict[str, Any]:
    """A v0.8 ContractRequestMessage for the passport's catalog offer, as EDC writes one (offer with target)."""
    dataset = world.provider.client.get(f"{V08}/catalog/datasets/{world.dataset_id}", headers=_si_token(world))
    assert dataset.status_code == 200, dataset.text
    offer = copy.deepcopy(dataset.json()["odrl:hasPolicy"])
    offer["odrl:target"] = {"@id": world.dataset_id}
    body: dict[str, Any] = {
        "@context": dataset.json()["@context"],
        "@type": "dspace:ContractRequestMessage",
        "dspace:consumerPid": CONSUMER_PID,
        "dspace:offer": offer,
        "dspace:callbackAddress": f"{world.consumer.url}{V08}/callback",
    }
    body.update(members)
    return {k: v for k, v in body.items() if v is not None}


def test_a_v0_8_catalog_request_gets_a_v0_8_catalog_offering_the_passport(world: World) -> None:
    body = {"@context": EDC_CONTEXT, "@type": "dspace:CatalogRequestMessage", "dspace:filter": []}
    answer = world.provider.client.post(f"{V08}/catalog/request", json=body, headers=_si_token(world))
    assert answer.status_code == 200, answer.text
    catalog = answer.json()
    assert catalog["@type"] == "dcat:Catalog" and "dcat:dataset" in catalog and "dataset" not in catalog
    expanded = jsonld.expand(catalog)  # read by meaning, with the bundled contexts only
    assert expanded[0]["@type"] == [DCAT + "Catalog"]
    assert _ids(expanded, DCAT + "dataset") == {DTR_ASSET.id, world.dataset_id}


def test_a_v0_8_contract_request_starts_a_negotiation_the_2025_1_endpoint_shows(world: World) -> None:
    answer = world.provider.client.post(
        f"{V08}/negotiations/request", json=_contract_request(world), headers=_si_token(world)
    )
    assert answer.status_code == 201, answer.text
    ack = answer.json()
    assert ack["@type"] == "dspace:ContractNegotiation" and ack["dspace:state"] == "dspace:REQUESTED"
    assert ack["dspace:consumerPid"] == CONSUMER_PID
    pid = ack["dspace:providerPid"]
    v08 = world.provider.client.get(f"{V08}/negotiations/{pid}", headers=_si_token(world))
    v2025 = world.provider.client.get(f"{DSP}/negotiations/{pid}", headers=_si_token(world))
    assert v08.status_code == v2025.status_code == 200, (v08.text, v2025.text)
    assert v08.json()["dspace:state"] == f"dspace:{v2025.json()['state']}" == "dspace:AGREED"
    assert v2025.json()["consumerPid"] == CONSUMER_PID and v2025.json()["providerPid"] == pid


def test_a_malformed_v0_8_message_gets_a_v0_8_error_naming_the_field_and_changes_nothing(world: World) -> None:
    before = snapshot(world.provider), snapshot(world.consumer)
    body = _contract_request(world, **{"dspace:consumerPid": None})
    answer = world.provider.client.post(f"{V08}/negotiations/request", json=body, headers=_si_token(world))
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert error["@type"] == "dspace:ContractNegotiationError" and error["dspace:code"] == "bad-request"
    reasons = error["dspace:reason"]  # JSON-LD compaction writes a one-element array as its element
    assert any("$.dspace:consumerPid" in reason for reason in ([reasons] if isinstance(reasons, str) else reasons))
    assert jsonld.expand(error)[0]["@type"] == [DSPACE + "ContractNegotiationError"]
    assert (snapshot(world.provider), snapshot(world.consumer)) == before


def test_v0_8_refusals_name_the_process_and_ask_for_dcp(world: World) -> None:
    before = snapshot(world.provider)
    unknown = "urn:uuid:00000000-0000-4000-8000-00000000beef"
    missing = world.provider.client.get(f"{V08}/negotiations/{unknown}", headers=_si_token(world))
    assert missing.status_code == 404
    assert missing.json()["@type"] == "dspace:ContractNegotiationError"
    assert missing.json()["dspace:providerPid"] == unknown
    body = {"@context": EDC_CONTEXT, "@type": "dspace:CatalogRequestMessage"}
    anonymous = world.provider.client.post(f"{V08}/catalog/request", json=body)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"] == 'Bearer realm="dsp"'
    assert anonymous.json()["@type"] == "dspace:CatalogError"
    wrong = world.provider.client.post(
        f"{V08}/catalog/request", json=body | {"@type": "dspace:Nonsense"}, headers=_si_token(world)
    )
    assert wrong.status_code == 400 and wrong.json()["@type"] == "dspace:CatalogError"
    assert snapshot(world.provider) == before


def test_the_version_metadata_still_lists_2025_1_only(world: World) -> None:
    (entry,) = world.provider.client.get("/.well-known/dspace-version").json()["protocolVersions"]
    assert entry["version"] == "2025-1"
