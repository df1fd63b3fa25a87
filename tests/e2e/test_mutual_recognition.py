"""Issue #4's story end to end, over HTTP between in-process nodes: two authorities (Catena-X, Ouranos), a
Japanese supplier certified by Ouranos, a European OEM verifying against the Catena-X trust list.

The supplier is refused until Catena-X recognises Ouranos, accepted through that recognition, and refused again
after Ouranos revokes its credential or Catena-X withdraws the recognition — each time with the reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from passbridge.identity.trust import Recognition, TypeMapping
from tests.conftest import FixedClock
from tests.network import Network, Node

OPERATOR = {
    "operatorId": "b39e6248-c888-56ca-d9d0-89de1b1adc8e",
    "openOperatorId": "1234567890123",
    "certificationStatus": "certified",
}


@pytest.fixture
def world(network: Network) -> dict[str, Node]:
    cx = network.node("catena-x-authority", authority=True, data_space="catena-x")
    ou = network.node("ouranos-authority", authority=True, data_space="ouranos")
    jp = network.node("jp-supplier", data_space="ouranos", authority_url=ou.url)
    eu = network.node("eu-oem", authority_url=cx.url)
    return {"cx": cx, "ou": ou, "jp": jp, "eu": eu}


def _certify_supplier(world: dict[str, Node]) -> str:
    ou, jp = world["ou"], world["jp"]
    assert ou.services.identity.authority is not None
    ou.services.identity.authority.add_member(jp.did, "OuranosOperatorCredential", OPERATOR)
    location = jp.services.identity.holder.request_credentials(ou.did, ["OuranosOperatorCredential"])
    status = world["jp"].services.http.get(location).json()
    assert status["status"] == "ISSUED"
    (entry,) = jp.services.identity.holder.wallet()
    assert entry.credential_type == "OuranosOperatorCredential" and entry.issuer == ou.did
    return entry.credential_id


def _recognise_ouranos(
    world: dict[str, Node], clock: FixedClock, scope: frozenset[str] = frozenset({"dataspace"})
) -> None:
    cx, ou = world["cx"], world["ou"]
    assert cx.services.identity.authority is not None
    cx.services.identity.authority.recognise(
        Recognition(
            ou.did,
            "ouranos",
            (TypeMapping("OuranosOperatorCredential", "MembershipCredential", {"certificationStatus": "certified"}),),
            clock.now() - timedelta(days=1),
            clock.now() + timedelta(days=365),
            scope,
        )
    )


def _present(world: dict[str, Node]) -> tuple[int, dict[str, Any]]:
    jp, eu = world["jp"], world["eu"]
    token = jp.services.identity.holder.self_issued_token(eu.did, ["MembershipCredential", "OuranosOperatorCredential"])
    response = jp.services.http.get(
        f"{eu.url}/api/v1/identity/membership", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.json()


def test_ouranos_member_is_refused_before_recognition(world: dict[str, Node]) -> None:
    _certify_supplier(world)
    status, body = _present(world)
    assert status == 401  # without a recognition the verifier does not even ask for an Ouranos credential
    assert body["refusal"] == "missing-credential"
    assert "MembershipCredential" in str(body["detail"])


def test_ouranos_member_is_accepted_by_a_catenax_verifier_through_recognition(
    world: dict[str, Node], clock: FixedClock
) -> None:
    _certify_supplier(world)
    _recognise_ouranos(world, clock)
    status, body = _present(world)
    assert status == 200, body
    assert body["holder"] == world["jp"].did
    (accepted,) = body["accepted"]
    assert accepted["acceptedAs"] == "MembershipCredential"
    assert accepted["via"] == "recognition:ouranos"
    assert accepted["issuer"] == world["ou"].did


def test_revocation_on_the_ouranos_side_takes_effect_on_the_catenax_side(
    world: dict[str, Node], clock: FixedClock
) -> None:
    credential_id = _certify_supplier(world)
    _recognise_ouranos(world, clock)
    assert _present(world)[0] == 200
    assert world["ou"].services.identity.authority is not None
    world["ou"].services.identity.authority.revoke(credential_id)
    status, body = _present(world)
    assert status == 401
    assert body["refusal"] == "revoked"


def test_withdrawn_recognition_refuses_again(world: dict[str, Node], clock: FixedClock) -> None:
    _certify_supplier(world)
    _recognise_ouranos(world, clock)
    assert _present(world)[0] == 200
    assert world["cx"].services.identity.authority is not None
    world["cx"].services.identity.authority.withdraw(world["ou"].did)
    status, body = _present(world)
    assert status == 401
    assert body["refusal"] == "missing-credential"


def test_recognition_outside_its_scope_does_not_count(world: dict[str, Node], clock: FixedClock) -> None:
    _certify_supplier(world)
    _recognise_ouranos(world, clock, scope=frozenset({"passport-access"}))
    status, body = _present(world)
    assert status == 401
    assert body["refusal"] == "recognition-out-of-scope"


def test_a_replayed_self_issued_token_is_refused(world: dict[str, Node], clock: FixedClock) -> None:
    _certify_supplier(world)
    _recognise_ouranos(world, clock)
    jp, eu = world["jp"], world["eu"]
    token = jp.services.identity.holder.self_issued_token(eu.did, ["OuranosOperatorCredential"])
    headers = {"Authorization": f"Bearer {token}"}
    assert jp.services.http.get(f"{eu.url}/api/v1/identity/membership", headers=headers).status_code == 200
    again = jp.services.http.get(f"{eu.url}/api/v1/identity/membership", headers=headers)
    assert again.status_code == 401
    assert again.json()["refusal"] == "replayed"


def test_an_uncertified_holder_gets_its_request_rejected(world: dict[str, Node]) -> None:
    jp, ou = world["jp"], world["ou"]
    location = jp.services.identity.holder.request_credentials(ou.did, ["OuranosOperatorCredential"])
    status = jp.services.http.get(location).json()
    assert status["status"] == "REJECTED"
    assert jp.services.identity.holder.wallet() == []


def test_did_documents_are_served_with_keys_and_services(world: dict[str, Node]) -> None:
    cx = world["cx"]
    document = cx.client.get("/.well-known/did.json").json()
    assert document["id"] == cx.did == "did:web:127.0.0.1%3A8100"
    types = {s["type"] for s in document["service"]}
    assert {"CredentialService", "IssuerService", "DataService"} <= types
    method = document["verificationMethod"][0]
    assert method["publicKeyJwk"]["kty"] == "OKP" and "d" not in method["publicKeyJwk"]
    assert document["assertionMethod"] == [method["id"]]


def test_a_notified_body_reads_a_passport_with_its_credential(world: dict[str, Node], network: Network) -> None:
    from passbridge.jsoncodec import dumps_exact
    from passbridge.passport.access import Role
    from passbridge.passport.samples import sample_passport
    from tests.conftest import auth

    cx, eu = world["cx"], world["eu"]
    body = network.node("notified-body", authority_url=cx.url)
    assert cx.services.identity.authority is not None
    cx.services.identity.authority.add_member(body.did, "NotifiedBodyCredential", {"holderIdentifier": "NB 0123"})
    assert (
        body.services.http.get(
            body.services.identity.holder.request_credentials(cx.did, ["NotifiedBodyCredential"])
        ).json()["status"]
        == "ISSUED"
    )
    created = eu.client.post(
        "/api/v1/passports", content=dumps_exact(sample_passport(1)), headers=auth(eu.services, Role.OWNER)
    )
    assert created.status_code == 201, created.text
    passport = created.json()["id"]
    expected = eu.client.get(f"/api/v1/passports/{passport}", headers=auth(eu.services, Role.NOTIFIED_BODY))
    public = eu.client.get(f"/api/v1/passports/{passport}")
    token = body.services.identity.holder.self_issued_token(eu.did, ["NotifiedBodyCredential"])
    seen = body.services.http.get(f"{eu.url}/api/v1/passports/{passport}", headers={"Authorization": f"Bearer {token}"})
    assert seen.status_code == 200, seen.text
    assert seen.json() == expected.json() != public.json()
    # the same credential from an issuer the OEM's trust list does not know is refused with the reason
    stranger = network.node("stranger", authority=True, data_space="catena-x")
    other = network.node("other-body", authority_url=cx.url)
    assert stranger.services.identity.authority is not None
    stranger.services.identity.authority.add_member(other.did, "NotifiedBodyCredential", {"holderIdentifier": "NB 9"})
    other.services.http.get(
        other.services.identity.holder.request_credentials(stranger.did, ["NotifiedBodyCredential"])
    )
    token = other.services.identity.holder.self_issued_token(eu.did, ["NotifiedBodyCredential"])
    refused = other.services.http.get(
        f"{eu.url}/api/v1/passports/{passport}", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 401
    assert refused.json()["refusal"] == "issuer-not-trusted"


def test_a_recognition_published_after_a_verifier_cached_the_list_takes_effect(
    world: dict[str, Node], clock: FixedClock
) -> None:
    _certify_supplier(world)
    assert _present(world)[0] == 401  # the verifier has fetched (and cached) the implicit first trust list
    _recognise_ouranos(world, clock)
    status, body = _present(world)
    assert status == 200, body
