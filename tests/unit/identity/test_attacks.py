"""The attack table: each row builds one bad token (or a bad world around a good one) and names the exact refusal.

Rows end in a verification the way a node runs it: an SI token through `verify_si_token`, a presentation through
`PresentationVerifier.verify_presentation` for the holder, wanting a `MembershipCredential`.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from passbridge.errors import VerificationFailed
from passbridge.identity import jose, keys
from passbridge.identity.credentials import ENVELOPE_PREFIX, Credential, issue_credential
from passbridge.identity.did import DidDocument, VerificationMethod, build_document
from passbridge.identity.refusals import Refusal
from passbridge.identity.siop import MemoryReplayGuard, issue_si_token, verify_si_token
from passbridge.identity.statuslist import MAX_DECOMPRESSED_BYTES
from tests.unit.identity.conftest import (
    HOLDER_DID,
    ISSUER_DID,
    NOW,
    OPERATOR,
    OURANOS_DID,
    STATUS_URL,
    STRANGER_DID,
    VERIFIER_DID,
    World,
    b64,
    refusal_of,
    unb64,
)

Attack = Callable[[World], Callable[[], object]]
RSA_JWK = {
    "kty": "RSA",
    "e": "AQAB",
    "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hG"
    "zHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-"
    "lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDW"
    "FLN-aEAw3vRw",
}


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return unb64(header), unb64(payload), signature


def _forge(header: dict[str, Any], claims: dict[str, Any], signature: str = "") -> str:
    return f"{b64(header)}.{b64(claims)}.{signature}"


def _tamper_payload(token: str, **changes: Any) -> str:
    _header, claims, signature = _parts(token)
    return ".".join([token.split(".")[0], b64({**claims, **changes}), signature])


def _tamper_signature(token: str) -> str:
    head, signature = token.rsplit(".", 1)
    return f"{head}.{('B' if signature[0] != 'B' else 'C')}{signature[1:]}"


def _resign(world: World, token: str, signer: keys.SigningKey | None = None, **changes: Any) -> str:
    """`token` with changed claims, signed again (by the issuer unless told otherwise)."""
    header, claims, _ = _parts(token)
    merged = {k: v for k, v in {**claims, **changes}.items() if v is not None}
    return jose.sign(signer or world.issuer.key, merged, typ=header["typ"], kid=header["kid"])


def _vp(world: World, *credentials: str, **options: Any) -> Callable[[], object]:
    """Verifying a presentation of `credentials` by the holder."""
    token = world.presentation(list(credentials), **options)
    return lambda: world.verify(token)


def _raw_vp(world: World, token: str) -> Callable[[], object]:
    return lambda: world.verify(token)


def _vp_claims(world: World, **changes: Any) -> Callable[[], object]:
    """A presentation by the holder whose claims are changed, properly signed."""
    token = world.presentation([world.credential()])
    return _raw_vp(world, _resign(world, token, world.holder.key, **changes))


def _si(world: World, token: str, guard: MemoryReplayGuard | None = None) -> Callable[[], object]:
    replay = MemoryReplayGuard() if guard is None else guard
    return lambda: verify_si_token(token, world.resolver, VERIFIER_DID, NOW, replay)


def _issuer_with(world: World, *methods: VerificationMethod, relationships: tuple[str, ...] = ()) -> None:
    """Replace the issuer's DID document: its own key plus `methods`, in `relationships` (default: all)."""
    own = build_document(ISSUER_DID, [world.issuer.key]).methods
    everything = own + methods
    names = relationships or ("authentication", "assertionMethod", "capabilityInvocation")
    world.resolver.add(DidDocument(ISSUER_DID, everything, {n: tuple(m.id for m in everything) for n in names}))


def hs256_with_public_key(world: World) -> Callable[[], object]:
    header, claims, _ = _parts(world.credential())
    header["alg"] = "HS256"
    secret = base64.urlsafe_b64decode(world.issuer.key.public_jwk()["x"] + "==")
    signing_input = f"{b64(header)}.{b64(claims)}".encode()
    mac = jose.b64encode(hmac.new(secret, signing_input, hashlib.sha256).digest())
    return _vp(world, f"{b64(header)}.{b64(claims)}.{mac}")


def es256_against_an_ed25519_key(world: World) -> Callable[[], object]:
    p256 = keys.generate(keys.ES256)
    claims = _parts(world.credential())[1]
    return _vp(world, jose.sign(p256, claims, typ="vc+jwt", kid=world.issuer.kid))


def unsupported_key(jwk: dict[str, str]) -> Attack:
    def attack(world: World) -> Callable[[], object]:
        _issuer_with(world, VerificationMethod(f"{ISSUER_DID}#odd", ISSUER_DID, jwk))
        return _vp(world, world.credential(kid=f"{ISSUER_DID}#odd"))

    return attack


def key_only_for_authentication(world: World) -> Callable[[], object]:
    _issuer_with(world, relationships=("authentication",))
    return _vp(world, world.credential())


def presentation_by_another_did(world: World) -> Callable[[], object]:
    return _raw_vp(world, world.presentation([world.credential()], holder=world.stranger, holder_did=HOLDER_DID))


def vp_holder_is_not_the_si_token_subject(world: World) -> Callable[[], object]:
    si = issue_si_token(STRANGER_DID, world.stranger.key, world.stranger.kid, VERIFIER_DID, NOW)
    vp = world.presentation([world.credential()])

    def run() -> object:
        caller = verify_si_token(si, world.resolver, VERIFIER_DID, NOW, MemoryReplayGuard())
        return world.verify(vp, holder=caller.holder)

    return run


def _si_claims(world: World, **changes: Any) -> Callable[[], object]:
    """An SI token by the holder whose claims are changed, properly signed."""
    token = issue_si_token(HOLDER_DID, world.holder.key, world.holder.kid, VERIFIER_DID, NOW)
    return _si(world, _resign(world, token, world.holder.key, **changes))


def replayed_si_token(world: World) -> Callable[[], object]:
    guard = MemoryReplayGuard()
    token = issue_si_token(HOLDER_DID, world.holder.key, world.holder.kid, VERIFIER_DID, NOW)
    verify_si_token(token, world.resolver, VERIFIER_DID, NOW, guard)
    return _si(world, token, guard)


def status_list_with(world: World, **subject: Any) -> Callable[[], object]:
    """The issuer's list at STATUS_URL, signed by the issuer, with its subject changed."""
    credential = Credential.from_json(_parts(world.status.lists[STATUS_URL])[1])
    changed = replace(credential, subject={**credential.subject, **subject})
    world.status.lists[STATUS_URL] = issue_credential(changed, world.issuer.key, world.issuer.kid)
    return _vp(world, world.credential())


def gzip_bomb() -> str:
    data = gzip.compress(bytes(MAX_DECOMPRESSED_BYTES + 8))
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def membership_served_as_status_list(world: World) -> Callable[[], object]:
    world.status.lists[STATUS_URL] = world.credential(index=None)
    return _vp(world, world.credential())


ATTACKS: list[Any] = [
    # tampering
    pytest.param(
        lambda w: _vp(w, _tamper_payload(w.credential(), credentialSubject={"id": HOLDER_DID, "memberOf": "All"})),
        Refusal.BAD_SIGNATURE,
        id="credential-payload-tampered",
    ),
    pytest.param(
        lambda w: _vp(w, _tamper_signature(w.credential())), Refusal.BAD_SIGNATURE, id="credential-sig-flipped"
    ),
    pytest.param(
        lambda w: _raw_vp(w, _tamper_payload(w.presentation([w.credential()]), exp=2_000_000_000)),
        Refusal.BAD_SIGNATURE,
        id="presentation-payload-tampered",
    ),
    pytest.param(
        lambda w: _raw_vp(w, _tamper_signature(w.presentation([w.credential()]))),
        Refusal.BAD_SIGNATURE,
        id="presentation-sig-flipped",
    ),
    pytest.param(
        lambda w: _vp(w, jose.sign(w.stranger.key, _parts(w.credential())[1], typ="vc+jwt", kid=w.issuer.kid)),
        Refusal.BAD_SIGNATURE,
        id="credential-signed-by-stranger-naming-issuer-key",
    ),
    # algorithm attacks
    pytest.param(
        lambda w: _vp(w, _forge({"alg": "none", "typ": "vc+jwt"}, _parts(w.credential())[1])),
        Refusal.ALGORITHM_NOT_ALLOWED,
        id="credential-alg-none",
    ),
    pytest.param(
        lambda w: _raw_vp(w, _forge({"alg": "none", "typ": "vp+jwt"}, _parts(w.presentation([w.credential()]))[1])),
        Refusal.ALGORITHM_NOT_ALLOWED,
        id="presentation-alg-none",
    ),
    pytest.param(
        lambda w: _si(w, _forge({"alg": "none"}, {"iss": HOLDER_DID, "sub": HOLDER_DID, "aud": VERIFIER_DID})),
        Refusal.ALGORITHM_NOT_ALLOWED,
        id="si-token-alg-none",
    ),
    pytest.param(hs256_with_public_key, Refusal.ALGORITHM_NOT_ALLOWED, id="credential-hs256-keyed-with-public-key"),
    pytest.param(es256_against_an_ed25519_key, Refusal.ALGORITHM_NOT_ALLOWED, id="credential-es256-vs-ed25519-key"),
    # keys
    pytest.param(unsupported_key(RSA_JWK), Refusal.UNSUPPORTED_KEY, id="rsa-key-in-did-document"),
    pytest.param(
        unsupported_key({"kty": "oct", "k": "c2VjcmV0"}), Refusal.UNSUPPORTED_KEY, id="oct-key-in-did-document"
    ),
    pytest.param(
        unsupported_key({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}),
        Refusal.UNSUPPORTED_KEY,
        id="p384-key-in-did-document",
    ),
    pytest.param(
        lambda w: _vp(w, w.credential(kid=f"{ISSUER_DID}#not-there")), Refusal.UNKNOWN_KEY, id="kid-not-in-did-document"
    ),
    pytest.param(key_only_for_authentication, Refusal.UNKNOWN_KEY, id="credential-key-without-assertion-method"),
    pytest.param(
        lambda w: _vp(w, w.credential(issuer=w.stranger, issuer_did=ISSUER_DID)),
        Refusal.WRONG_ISSUER,
        id="credential-signed-by-key-of-other-did",
    ),
    pytest.param(presentation_by_another_did, Refusal.WRONG_ISSUER, id="presentation-signed-by-key-of-other-did"),
    # validity
    pytest.param(
        lambda w: _vp(w, w.credential(valid_until=NOW - timedelta(days=1))), Refusal.EXPIRED, id="credential-expired"
    ),
    pytest.param(
        lambda w: _vp(w, _resign(w, w.credential(), exp=int(NOW.timestamp()) - 3600)),
        Refusal.EXPIRED,
        id="credential-jwt-exp-past",
    ),
    pytest.param(
        lambda w: _vp(w, w.credential(valid_from=NOW + timedelta(days=1), valid_until=None)),
        Refusal.NOT_YET_VALID,
        id="credential-not-yet-valid",
    ),
    pytest.param(
        lambda w: _vp(w, _resign(w, w.credential(), nbf=int(NOW.timestamp()) + 3600)),
        Refusal.NOT_YET_VALID,
        id="credential-jwt-nbf-future",
    ),
    pytest.param(
        lambda w: _vp(w, w.credential(), now=NOW - timedelta(hours=1)), Refusal.EXPIRED, id="presentation-expired"
    ),
    pytest.param(
        lambda w: _vp(w, w.credential(), now=NOW + timedelta(hours=1)),
        Refusal.NOT_YET_VALID,
        id="presentation-issued-in-the-future",
    ),
    pytest.param(lambda w: _vp_claims(w, exp=None), Refusal.MALFORMED, id="presentation-without-exp"),
    pytest.param(lambda w: _si_claims(w, exp=int(NOW.timestamp()) - 120), Refusal.EXPIRED, id="si-token-expired"),
    pytest.param(
        lambda w: _vp(w, _resign(w, w.credential(), exp="NaN")),
        Refusal.MALFORMED,
        id="credential-exp-not-a-number",
    ),
    pytest.param(
        lambda w: _vp(w, ".".join([w.credential().split(".")[0], jose.b64encode(b'{"exp": NaN}'), "sig"])),
        Refusal.MALFORMED,
        id="credential-exp-nan-literal",
    ),
    # status
    pytest.param(
        lambda w: (w.revoke(0), _vp(w, w.credential()))[1],
        Refusal.REVOKED,
        id="credential-revoked",
    ),
    pytest.param(
        lambda w: (w.status.lists.clear(), _vp(w, w.credential()))[1],
        Refusal.STATUS_UNAVAILABLE,
        id="status-list-unreachable",
    ),
    pytest.param(
        lambda w: (w.publish_status(signer=w.stranger), _vp(w, w.credential()))[1],
        Refusal.STATUS_UNAVAILABLE,
        id="status-list-signed-by-someone-else",
    ),
    pytest.param(
        lambda w: (w.publish_status(signer=w.stranger, issuer_did=ISSUER_DID), _vp(w, w.credential()))[1],
        Refusal.STATUS_UNAVAILABLE,
        id="status-list-claiming-issuer-signed-by-stranger",
    ),
    pytest.param(
        lambda w: (w.publish_status(purpose="suspension"), _vp(w, w.credential()))[1],
        Refusal.STATUS_UNAVAILABLE,
        id="status-list-of-another-purpose",
    ),
    pytest.param(
        lambda w: status_list_with(w, encodedList=gzip_bomb()), Refusal.STATUS_UNAVAILABLE, id="status-list-gzip-bomb"
    ),
    pytest.param(
        lambda w: status_list_with(w, encodedList="zNotBase64url"),
        Refusal.STATUS_UNAVAILABLE,
        id="status-list-base58",
    ),
    pytest.param(membership_served_as_status_list, Refusal.STATUS_UNAVAILABLE, id="status-list-wrong-credential"),
    pytest.param(
        lambda w: (w.status.lists.update({STATUS_URL: "not a token"}), _vp(w, w.credential()))[1],
        Refusal.STATUS_UNAVAILABLE,
        id="status-list-garbage",
    ),
    # trust
    pytest.param(
        lambda w: _vp(w, w.credential(issuer=w.stranger)), Refusal.ISSUER_NOT_TRUSTED, id="issuer-not-trusted"
    ),
    pytest.param(
        lambda w: (w.trust.out_of_scope.add(OURANOS_DID), _vp(w, w.credential(OPERATOR, issuer=w.ouranos)))[1],
        Refusal.RECOGNITION_OUT_OF_SCOPE,
        id="recognition-out-of-scope",
    ),
    # audience, holder, replay
    pytest.param(
        lambda w: _vp(w, w.credential(), audience="did:web:elsewhere.example"),
        Refusal.WRONG_AUDIENCE,
        id="presentation-wrong-audience",
    ),
    pytest.param(
        lambda w: _si(w, issue_si_token(HOLDER_DID, w.holder.key, w.holder.kid, "did:web:elsewhere.example", NOW)),
        Refusal.WRONG_AUDIENCE,
        id="si-token-wrong-audience",
    ),
    pytest.param(replayed_si_token, Refusal.REPLAYED, id="si-token-replayed"),
    pytest.param(lambda w: _si_claims(w, sub=STRANGER_DID), Refusal.WRONG_ISSUER, id="si-token-iss-not-sub"),
    pytest.param(
        lambda w: _vp(w, w.credential(holder=STRANGER_DID)), Refusal.HOLDER_MISMATCH, id="credential-of-another-holder"
    ),
    pytest.param(vp_holder_is_not_the_si_token_subject, Refusal.HOLDER_MISMATCH, id="vp-holder-not-si-subject"),
    pytest.param(
        lambda w: _vp_claims(w, holder=STRANGER_DID), Refusal.HOLDER_MISMATCH, id="presentation-holder-not-iss"
    ),
    # size and shape
    pytest.param(
        lambda w: _raw_vp(w, "e" * (jose.MAX_TOKEN_BYTES + 1)), Refusal.TOO_LARGE, id="presentation-oversized"
    ),
    pytest.param(lambda w: _si(w, "e" * (jose.MAX_TOKEN_BYTES + 1)), Refusal.TOO_LARGE, id="si-token-oversized"),
    pytest.param(lambda w: _raw_vp(w, "a.b"), Refusal.MALFORMED, id="presentation-two-parts"),
    pytest.param(
        lambda w: _raw_vp(w, "eyJhbGciOiJFZDI1NTE5Ig." + w.presentation([]).split(".", 1)[1]),
        Refusal.MALFORMED,
        id="presentation-header-bad-json",
    ),
    pytest.param(
        lambda w: _raw_vp(w, ".".join([w.presentation([]).split(".")[0], jose.b64encode(b'{"iss":'), "c2ln"])),
        Refusal.MALFORMED,
        id="presentation-payload-bad-json",
    ),
    pytest.param(
        lambda w: _raw_vp(w, ".".join([w.presentation([]).split(".")[0], jose.b64encode(b"[1, 2]"), "c2ln"])),
        Refusal.MALFORMED,
        id="presentation-payload-not-object",
    ),
    pytest.param(
        lambda w: _vp(w, ".".join([w.credential().split(".")[0], jose.b64encode(b'{"iss": "x",'), "c2ln"])),
        Refusal.MALFORMED,
        id="enveloped-credential-bad-json",
    ),
    pytest.param(lambda w: _vp(w, "not-a-jws"), Refusal.MALFORMED, id="enveloped-credential-not-a-jws"),
    pytest.param(
        lambda w: _vp_claims(w, verifiableCredential=[w.credential()]),
        Refusal.MALFORMED,
        id="credential-not-enveloped",
    ),
    pytest.param(
        lambda w: _vp_claims(
            w, verifiableCredential=[{"type": "EnvelopedVerifiableCredential", "id": "https://evil.example/vc"}]
        ),
        Refusal.MALFORMED,
        id="envelope-not-a-data-url",
    ),
    pytest.param(
        lambda w: _vp(w, _resign(w, w.credential(), iss=STRANGER_DID)),
        Refusal.MALFORMED,
        id="credential-iss-not-issuer",
    ),
    pytest.param(
        lambda w: _vp(w, _forge({**_parts(w.credential())[0], "crit": ["exp"]}, _parts(w.credential())[1], "c2ln")),
        Refusal.MALFORMED,
        id="credential-crit-header",
    ),
    pytest.param(
        lambda w: _raw_vp(
            w, _forge({**_parts(w.presentation([]))[0], "b64": False}, _parts(w.presentation([]))[1], "c2")
        ),
        Refusal.MALFORMED,
        id="presentation-b64-header",
    ),
    pytest.param(lambda w: _raw_vp(w, w.credential()), Refusal.MALFORMED, id="credential-presented-as-presentation"),
    pytest.param(
        lambda w: _vp(w, w.presentation([w.credential()])), Refusal.MALFORMED, id="presentation-enveloped-as-credential"
    ),
    pytest.param(lambda w: _si(w, w.presentation([w.credential()])), Refusal.MALFORMED, id="presentation-as-si-token"),
]


@pytest.mark.parametrize(("attack", "refusal"), ATTACKS)
def test_attack_is_refused_with_its_code(ed_world: World, attack: Attack, refusal: Refusal) -> None:
    run = attack(ed_world)
    with pytest.raises(VerificationFailed) as error:
        run()
    assert refusal_of(error) is refusal, str(error.value)
    assert error.value.subject, "every refusal names what was checked"
    assert error.value.detail


def test_no_attack_row_is_a_duplicate() -> None:
    ids = [param.id for param in ATTACKS]
    assert len(ids) == len(set(ids)) >= 50


def test_the_table_rows_start_from_tokens_that_verify(ed_world: World) -> None:
    """The baseline each row spoils: a good SI token and presentation verify in this world."""
    si = issue_si_token(HOLDER_DID, ed_world.holder.key, ed_world.holder.kid, VERIFIER_DID, NOW)
    assert verify_si_token(si, ed_world.resolver, VERIFIER_DID, NOW, MemoryReplayGuard()).holder == HOLDER_DID
    assert ed_world.verify(ed_world.presentation([ed_world.credential()])).holder == HOLDER_DID
    assert ENVELOPE_PREFIX in json.dumps(_parts(ed_world.presentation([ed_world.credential()]))[1])
