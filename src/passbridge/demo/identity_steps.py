"""Story steps of identity: the authorities certify their members, each side's trust list recognises the other
side's credentials, and a revocation on one side is refused on the other.

Every check is a real DCP presentation flow over HTTP: the holder sends a self-issued ID token to the verifier's
``/api/v1/identity/membership``; the verifier queries the holder's credential service, resolves the issuer's
``did:web``, reads its trust list and the status list (the demo nodes cache nothing, so a revocation counts at the
next request).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from passbridge.demo.launcher import RunningNode
from passbridge.demo.narration import Narrator
from passbridge.demo.scenario import CATHODE_OP, CELL_OP, OEM_OP, RECYCLER_OP
from passbridge.demo.world import OURANOS_PASSWORD, StoryStepFailed, World, wait_issued
from passbridge.identity.credentials import CredentialType
from passbridge.identity.trust import Recognition, TypeMapping

MEMBERSHIP = CredentialType.MEMBERSHIP.value
OPERATOR = CredentialType.OURANOS_OPERATOR.value
RECOGNITION_DAYS = 365


def _authority(node: RunningNode) -> Any:
    authority = node.services.identity.authority
    if authority is None:
        raise StoryStepFailed(f"{node.name} is not an authority")
    return authority


def _certify(world: World, authority: RunningNode, node: RunningNode, claims: dict[str, dict[str, Any]]) -> None:
    """The authority certifies `node` (its decision), then `node` requests the credentials over DCP."""
    for kind, subject in claims.items():
        _authority(authority).add_member(node.did, kind, subject)
    location = node.services.identity.holder.request_credentials(authority.did, list(claims))
    wait_issued(world, node, location)


def certify_members(world: World, say: Narrator) -> None:
    """Ouranos opens operator accounts for the Japanese makers and certifies them; Catena-X certifies its members."""
    say.section("1. Each data space certifies its members")
    platform = world.ouranos.services.ouranos
    if platform is None:
        raise StoryStepFailed("the Ouranos node has no platform role")
    for node, operator in ((world.cathode, CATHODE_OP), (world.cell, CELL_OP)):
        account = f"admin@{node.name}.example.jp"
        operator_id, api_key = platform.accounts.add_operator(
            operator["name"], operator["openOperatorId"], account, OURANOS_PASSWORD
        )
        world.operators[node.name] = operator_id
        world.ouranos_logins[node.name] = (api_key, account)
        subject = {
            "operatorId": operator_id,
            "openOperatorId": operator["openOperatorId"],
            "certificationStatus": "certified",
        }
        _certify(world, world.ouranos, node, {OPERATOR: subject})
        say.say(
            f"Ouranos: {operator['name']} is operator {operator_id} on the platform (account + API key) and holds "
            f"an {OPERATOR} ({node.did})"
        )
    members: tuple[tuple[RunningNode, dict[str, dict[str, Any]]], ...] = (
        (world.oem, {MEMBERSHIP: {"holderIdentifier": OEM_OP["bpnl"], "memberOf": "Catena-X"}}),
        (
            world.recycler,
            {
                MEMBERSHIP: {"holderIdentifier": RECYCLER_OP["bpnl"], "memberOf": "Catena-X"},
                CredentialType.LEGITIMATE_INTEREST.value: {"holderIdentifier": RECYCLER_OP["bpnl"]},
            },
        ),
        (world.notified_body, {CredentialType.NOTIFIED_BODY.value: {"holderIdentifier": "NB 0123"}}),
    )
    issued = 0
    for node, claims in members:
        _certify(world, world.catenax, node, claims)
        issued += len(claims)
        say.say(f"Catena-X: {node.title} holds {', '.join(claims)}")
    world.outcome["credentials"] = {"ouranos": 2, "catena-x": issued}
    say.say(
        f"→ 2 credentials issued by the Ouranos platform, {issued} by the Catena-X authority, each in the "
        "holder's own wallet (DCP 1.0)"
    )


def present(world: World, holder: RunningNode, verifier: RunningNode, types: list[str]) -> tuple[int, dict[str, Any]]:
    """`holder` proves its membership to `verifier`: (status, answer)."""
    token = holder.services.identity.holder.self_issued_token(verifier.did, types)
    response = world.http.get(
        f"{verifier.url}/api/v1/identity/membership", headers={"Authorization": f"Bearer {token}"}
    )
    answer: dict[str, Any] = response.json()
    return response.status_code, answer


def _accepted(answer: dict[str, Any]) -> str:
    return ", ".join(f"{a['type']} as {a['acceptedAs']} ({a['via']})" for a in answer.get("accepted", []))


def recognise_each_other(world: World, say: Narrator) -> None:
    """Before recognition the Catena-X OEM refuses the Ouranos operator; each trust list then names the other side's
    authority, and both directions are accepted."""
    say.section("2. Mutual recognition through the trust lists")
    status, answer = present(world, world.cathode, world.oem, [MEMBERSHIP, OPERATOR])
    if status != 401:
        raise StoryStepFailed(f"the OEM accepted an unrecognised Ouranos operator: {status} {answer}")
    say.say(f"before: {world.cathode.title} → {world.oem.title}: refused ({answer['refusal']})")
    now = world.catenax.services.clock.now()
    period = (now - timedelta(days=1), now + timedelta(days=RECOGNITION_DAYS))
    scope = frozenset({"dataspace", "passport-access"})
    operator_as_member = TypeMapping(OPERATOR, MEMBERSHIP, {"certificationStatus": "certified"})
    listed = _authority(world.catenax).recognise(
        Recognition(world.ouranos.did, "ouranos", (operator_as_member,), *period, scope)
    )
    say.say(
        f"Catena-X trust list v{listed.version}: {OPERATOR} (certified) from {world.ouranos.did} counts as {MEMBERSHIP}"
    )
    member_as_member = TypeMapping(MEMBERSHIP, MEMBERSHIP, {"memberOf": "Catena-X"})
    listed = _authority(world.ouranos).recognise(
        Recognition(world.catenax.did, "catena-x", (member_as_member,), *period, scope)
    )
    say.say(f"Ouranos trust list v{listed.version}: {MEMBERSHIP} (Catena-X) from {world.catenax.did} is recognised")
    checks = (
        ("jp→eu", world.cathode, world.oem, [MEMBERSHIP, OPERATOR]),
        ("eu→jp", world.recycler, world.cell, [MEMBERSHIP]),
    )
    results: dict[str, str] = {}
    for label, holder, verifier, types in checks:
        status, answer = present(world, holder, verifier, types)
        if status != 200:
            raise StoryStepFailed(f"{label}: {holder.name} refused by {verifier.name}: {answer}")
        results[label] = _accepted(answer)
        say.say(f"after: {holder.title} → {verifier.title}: accepted, {results[label]}")
    world.outcome["recognition"] = {"before": "refused", **results}


def revoke_across(world: World, say: Narrator) -> None:
    """Ouranos revokes the cathode maker's certification; the Catena-X OEM refuses its next request."""
    say.section("7. A revocation on one side is refused on the other")
    wallet = world.cathode.services.identity.holder.wallet()
    (credential,) = [e for e in wallet if e.credential_type == OPERATOR]
    status, _ = present(world, world.cathode, world.oem, [MEMBERSHIP, OPERATOR])
    say.say(f"{world.cathode.title} → {world.oem.title}: {'accepted' if status == 200 else status} (certified)")
    _authority(world.ouranos).revoke(credential.credential_id)
    say.say(f"Ouranos revokes {OPERATOR} {credential.credential_id} (bit set in its Bitstring Status List)")
    status, answer = present(world, world.cathode, world.oem, [MEMBERSHIP, OPERATOR])
    if status != 401:
        raise StoryStepFailed(f"the OEM accepted a revoked operator: {status} {answer}")
    say.say(
        f"next request → {world.oem.title}: HTTP {status}, refusal {answer['refusal']!r}: {answer.get('detail', '')}"
    )
    still, _ = present(world, world.cell, world.oem, [MEMBERSHIP, OPERATOR])
    say.say(f"{world.cell.title}, not revoked, is still accepted (HTTP {still})")
    world.outcome["revocation"] = {"status": status, "refusal": answer["refusal"], "othersStillAccepted": still == 200}


__all__ = ["certify_members", "present", "recognise_each_other", "revoke_across"]
