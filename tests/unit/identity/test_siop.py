"""Self-issued ID tokens (DCP 1.0 base protocol §4.3): issue → verify, each check's refusal, and replay memory."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from passbridge.errors import VerificationFailed
from passbridge.identity import jose, keys
from passbridge.identity.did import DidDocument, VerificationMethod, build_document
from passbridge.identity.refusals import Refusal
from passbridge.identity.siop import (
    MAX_LIFETIME_SECONDS,
    MemoryReplayGuard,
    SelfIssuedToken,
    issue_si_token,
    replay_key,
    verify_si_token,
)
from tests.unit.identity.conftest import HOLDER_DID, NOW, STRANGER_DID, VERIFIER_DID, World, refusal_of


def _token(world: World, **claims: Any) -> str:
    """An SI token by the holder with `claims` changed (None drops a claim)."""
    base = jose.peek(issue_si_token(HOLDER_DID, world.holder.key, world.holder.kid, VERIFIER_DID, NOW))[1]
    merged = {k: v for k, v in {**base, **claims}.items() if v is not None}
    return jose.sign(world.holder.key, merged, typ="JWT", kid=world.holder.kid)


def _verify(world: World, token: str, guard: MemoryReplayGuard | None = None, **options: Any) -> SelfIssuedToken:
    return verify_si_token(
        token,
        world.resolver,
        options.get("audience", VERIFIER_DID),
        options.get("now", NOW),
        MemoryReplayGuard() if guard is None else guard,
    )


def test_issue_then_verify(world: World) -> None:
    token = issue_si_token(HOLDER_DID, world.holder.key, world.holder.kid, VERIFIER_DID, NOW, access_token="at-1")
    header, claims = jose.peek(token)
    assert header["typ"] == "JWT" and header["kid"] == world.holder.kid
    assert claims["iss"] == claims["sub"] == HOLDER_DID
    assert claims["exp"] - claims["iat"] == 300 and claims["nbf"] == claims["iat"]
    verified = _verify(world, token)
    assert verified == SelfIssuedToken(HOLDER_DID, "at-1", claims["jti"], NOW + timedelta(seconds=300))


def test_a_token_without_access_token_verifies_with_none(ed_world: World) -> None:
    token = issue_si_token(HOLDER_DID, ed_world.holder.key, ed_world.holder.kid, VERIFIER_DID, NOW)
    assert _verify(ed_world, token).access_token is None


def test_an_audience_list_naming_us_is_accepted(ed_world: World) -> None:
    assert _verify(ed_world, _token(ed_world, aud=["did:web:x.example", VERIFIER_DID])).holder == HOLDER_DID


@pytest.mark.parametrize(
    ("claims", "options", "refusal"),
    [
        ({"iss": STRANGER_DID}, {}, Refusal.WRONG_ISSUER),
        ({"sub": None}, {}, Refusal.MALFORMED),
        ({"aud": "did:web:someone.else"}, {}, Refusal.WRONG_AUDIENCE),
        ({}, {"audience": "did:web:someone.else"}, Refusal.WRONG_AUDIENCE),
        ({}, {"now": NOW + timedelta(minutes=10)}, Refusal.EXPIRED),
        ({"nbf": int((NOW + timedelta(minutes=5)).timestamp())}, {}, Refusal.NOT_YET_VALID),
        ({"iat": int((NOW + timedelta(minutes=5)).timestamp())}, {}, Refusal.NOT_YET_VALID),
        ({"exp": None}, {}, Refusal.MALFORMED),
        ({"exp": int(NOW.timestamp()) + MAX_LIFETIME_SECONDS + 3600}, {}, Refusal.MALFORMED),
        ({"jti": None}, {}, Refusal.MALFORMED),
        ({"token": {"scope": "all"}}, {}, Refusal.MALFORMED),
    ],
)
def test_each_claim_check_has_its_refusal(
    ed_world: World, claims: dict[str, Any], options: dict[str, Any], refusal: Refusal
) -> None:
    with pytest.raises(VerificationFailed) as error:
        _verify(ed_world, _token(ed_world, **claims), **options)
    assert refusal_of(error) is refusal
    assert error.value.subject == "SI token"


def test_a_token_signed_by_another_key_than_its_kid_names_has_a_bad_signature(ed_world: World) -> None:
    claims = jose.peek(_token(ed_world))[1]
    forged = jose.sign(ed_world.stranger.key, claims, typ="JWT", kid=ed_world.holder.kid)
    with pytest.raises(VerificationFailed) as error:
        _verify(ed_world, forged)
    assert refusal_of(error) is Refusal.BAD_SIGNATURE


def test_the_key_must_have_the_capability_invocation_relationship(ed_world: World) -> None:
    document = build_document(HOLDER_DID, [ed_world.holder.key])
    ed_world.resolver.add(
        DidDocument(document.id, document.methods, {"authentication": (document.methods[0].id,)}, document.services)
    )
    with pytest.raises(VerificationFailed) as error:
        _verify(ed_world, _token(ed_world))
    assert refusal_of(error) is Refusal.UNKNOWN_KEY
    assert "capabilityInvocation" in error.value.detail


def test_sub_must_be_the_id_of_its_did_document(ed_world: World) -> None:
    class Lying:
        def resolve(self, did: str) -> DidDocument:
            return build_document(STRANGER_DID, [ed_world.holder.key])

    token = _token(ed_world)
    with pytest.raises(VerificationFailed) as error:
        verify_si_token(token, Lying(), VERIFIER_DID, NOW, MemoryReplayGuard())
    assert refusal_of(error) is Refusal.WRONG_ISSUER


def test_without_kid_only_a_single_key_will_do(ed_world: World) -> None:
    claims = jose.peek(_token(ed_world))[1]
    token = jose.sign(ed_world.holder.key, claims, typ="JWT", kid=None)
    header = jose.peek(token)[0]
    assert header["kid"] == ed_world.holder.key.kid  # jose.sign falls back to the thumbprint: a bare fragment
    assert _verify(ed_world, token).holder == HOLDER_DID
    second = keys.generate()
    document = build_document(HOLDER_DID, [ed_world.holder.key, second])
    ed_world.resolver.add(document)
    bare = token.split(".")
    unkeyed = jose.b64encode(b'{"alg":"Ed25519","typ":"JWT"}')
    with pytest.raises(VerificationFailed) as error:
        _verify(ed_world, ".".join([unkeyed, *bare[1:]]))
    assert refusal_of(error) is Refusal.UNKNOWN_KEY


def test_a_replayed_token_is_refused(ed_world: World) -> None:
    guard = MemoryReplayGuard()
    token = _token(ed_world)
    _verify(ed_world, token, guard)
    with pytest.raises(VerificationFailed) as error:
        _verify(ed_world, token, guard)
    assert refusal_of(error) is Refusal.REPLAYED


def test_a_forged_token_does_not_use_up_the_genuine_jti(ed_world: World) -> None:
    guard = MemoryReplayGuard()
    genuine = _token(ed_world, jti="jti-1")
    forged = jose.sign(ed_world.stranger.key, jose.peek(genuine)[1], typ="JWT", kid=ed_world.holder.kid)
    with pytest.raises(VerificationFailed):
        _verify(ed_world, forged, guard)
    expired = _token(ed_world, jti="jti-1", exp=int(NOW.timestamp()) - 3600)
    with pytest.raises(VerificationFailed):
        _verify(ed_world, expired, guard)
    assert _verify(ed_world, genuine, guard).jti == "jti-1"


def test_jti_is_remembered_per_holder(ed_world: World) -> None:
    guard = MemoryReplayGuard()
    _verify(ed_world, _token(ed_world, jti="same"), guard)
    claims = {**jose.peek(_token(ed_world, jti="same"))[1], "iss": STRANGER_DID, "sub": STRANGER_DID}
    theirs = jose.sign(ed_world.stranger.key, claims, typ="JWT", kid=ed_world.stranger.kid)
    assert _verify(ed_world, theirs, guard).holder == STRANGER_DID


def test_a_credential_or_presentation_is_not_an_si_token(ed_world: World) -> None:
    for token in (ed_world.credential(), ed_world.presentation([])):
        with pytest.raises(VerificationFailed) as error:
            _verify(ed_world, token)
        assert refusal_of(error) is Refusal.MALFORMED


def test_the_replay_guard_forgets_what_can_no_longer_be_accepted() -> None:
    guard = MemoryReplayGuard()
    assert guard.first_use("a", 1000.0)
    assert not guard.first_use("a", 1000.0)
    horizon = MAX_LIFETIME_SECONDS + 2 * jose.LEEWAY_SECONDS
    assert guard.first_use("b", 1000.0 + horizon)  # "a" may still be live: the latest token could be young
    assert not guard.first_use("a", 1000.0)
    assert guard.first_use("c", 1001.0 + horizon)  # now "a" expired for certain
    assert guard.size == 2
    assert guard.first_use("a", 2000.0)


def test_the_replay_guard_is_bounded_and_drops_the_entries_closest_to_expiry() -> None:
    guard = MemoryReplayGuard(max_entries=3)
    for jti, expiry in (("late", 30.0), ("soon", 10.0), ("middle", 20.0), ("new", 25.0)):
        assert guard.first_use(jti, expiry)
    assert guard.size == 3
    assert guard.first_use("soon", 10.0)  # dropped, so accepted again
    assert not guard.first_use("late", 30.0)
    with pytest.raises(ValueError, match="at least 1"):
        MemoryReplayGuard(max_entries=0)


def test_verify_passes_the_expiry_plus_leeway_to_the_guard(ed_world: World) -> None:
    seen: list[tuple[str, float]] = []

    class Recording:
        def first_use(self, jti: str, expires_at: float) -> bool:
            seen.append((jti, expires_at))
            return True

    token = _token(ed_world, jti="j")
    verify_si_token(token, ed_world.resolver, VERIFIER_DID, NOW, Recording())
    assert seen == [(replay_key(HOLDER_DID, "j"), jose.peek(token)[1]["exp"] + jose.LEEWAY_SECONDS)]
    assert len(seen[0][0]) == 64 and replay_key(HOLDER_DID, "j") != replay_key(STRANGER_DID, "j")


def test_the_signing_key_must_be_one_we_accept(ed_world: World) -> None:
    rsa = {"kty": "RSA", "n": "sXch", "e": "AQAB"}
    method = VerificationMethod(f"{HOLDER_DID}#rsa", HOLDER_DID, rsa)
    ed_world.resolver.add(DidDocument(HOLDER_DID, (method,), {"capabilityInvocation": (method.id,)}))
    claims = jose.peek(_token(ed_world))[1]
    token = jose.sign(ed_world.holder.key, claims, typ="JWT", kid=method.id)
    with pytest.raises(VerificationFailed) as error:
        _verify(ed_world, token)
    assert refusal_of(error) is Refusal.UNSUPPORTED_KEY
