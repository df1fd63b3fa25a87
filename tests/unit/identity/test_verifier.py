"""The DCP presentation verifier: happy paths, coverage of wanted types, status lists, caching (counted, never timed)
and the real trust list behind the port."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from passbridge.errors import VerificationFailed
from passbridge.identity import jose, keys
from passbridge.identity.acceptance import VerifiedPresentation
from passbridge.identity.credentials import ENVELOPE_PREFIX
from passbridge.identity.did import build_document
from passbridge.identity.refusals import Refusal
from passbridge.identity.statuslist import StatusList
from passbridge.identity.trust import Recognition, TrustedIssuer, TrustList, TypeMapping
from passbridge.identity.verifier import MAX_CREDENTIALS, PresentationVerifier
from tests.unit.identity.conftest import (
    BPN,
    CLAIMS,
    DEG,
    HOLDER_DID,
    ISSUER_DID,
    LEGITIMATE_INTEREST,
    MEMBERSHIP,
    NOW,
    OPERATOR,
    OURANOS_DID,
    PURPOSE,
    SMALL_LIST_BITS,
    STATUS_URL,
    VERIFIER_DID,
    FakeTrustSource,
    Party,
    World,
    refusal_of,
)


def test_a_valid_presentation_verifies(world: World) -> None:
    vc = world.credential()
    verified = world.verify(world.presentation([vc]))
    assert verified.holder == HOLDER_DID
    assert verified.types() == frozenset({MEMBERSHIP})
    (only,) = verified.credentials
    assert only.accepted_as == MEMBERSHIP and only.via == "direct"
    assert only.credential.issuer == ISSUER_DID
    assert only.credential.subject["holderIdentifier"] == CLAIMS[MEMBERSHIP]["holderIdentifier"]


def test_several_wanted_types_are_each_covered_and_extra_credentials_are_left_out(world: World) -> None:
    vcs = [world.credential(DEG), world.credential(LEGITIMATE_INTEREST), world.credential(MEMBERSHIP)]
    verified = world.verify(world.presentation(vcs), wanted=[MEMBERSHIP, DEG])
    assert verified.types() == frozenset({MEMBERSHIP, DEG})
    assert [c.credential.type for c in verified.credentials] == [DEG, MEMBERSHIP]


def test_a_credential_of_an_unrequested_type_from_an_untrusted_issuer_does_not_spoil_the_presentation(
    ed_world: World,
) -> None:
    extra = ed_world.credential("ShoeSizeCredential", issuer=ed_world.stranger, claims={}, index=None)
    verified = ed_world.verify(ed_world.presentation([extra, ed_world.credential()]))
    assert verified.types() == frozenset({MEMBERSHIP})
    assert ed_world.resolver.calls[ed_world.stranger.did] == 0  # untrusted issuers are never resolved


def test_a_missing_type_is_named(ed_world: World) -> None:
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([ed_world.credential()]), wanted=[MEMBERSHIP, BPN, DEG])
    assert refusal_of(error) is Refusal.MISSING_CREDENTIAL
    assert "BpnCredential, DataExchangeGovernanceCredential" in error.value.detail


def test_an_empty_presentation_covers_nothing(ed_world: World) -> None:
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([]))
    assert refusal_of(error) is Refusal.MISSING_CREDENTIAL
    assert ed_world.verify(ed_world.presentation([]), wanted=[]) == VerifiedPresentation(HOLDER_DID, ())


def test_a_recognised_foreign_credential_counts_as_ours(ed_world: World) -> None:
    vc = ed_world.credential(OPERATOR, issuer=ed_world.ouranos)
    (only,) = ed_world.verify(ed_world.presentation([vc])).credentials
    assert (only.accepted_as, only.via) == (MEMBERSHIP, "recognition:ouranos")


def test_out_of_scope_recognition_beats_an_untrusted_issuer(ed_world: World) -> None:
    ed_world.trust.out_of_scope.add(OURANOS_DID)
    untrusted = ed_world.credential(issuer=ed_world.stranger)
    out_of_scope = ed_world.credential(OPERATOR, issuer=ed_world.ouranos)
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([untrusted, out_of_scope]))
    assert refusal_of(error) is Refusal.RECOGNITION_OUT_OF_SCOPE
    assert error.value.subject == "credential 2 (OuranosOperatorCredential)"


def test_a_refusal_for_another_type_becomes_evidence_of_a_missing_credential(ed_world: World) -> None:
    vc = ed_world.credential(BPN)
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([vc]))
    assert refusal_of(error) is Refusal.MISSING_CREDENTIAL
    assert "credential 1 (BpnCredential): issuer-not-trusted" in error.value.detail


def test_verify_credential_alone(world: World) -> None:
    verifier = world.verifier()
    verified = verifier.verify_credential(
        world.credential(BPN), wanted_type=BPN, purpose=PURPOSE, now=NOW, holder=HOLDER_DID
    )
    assert verified.accepted_as == BPN
    with pytest.raises(VerificationFailed) as error:
        verifier.verify_credential(world.credential(BPN), wanted_type=MEMBERSHIP, purpose=PURPOSE, now=NOW)
    assert refusal_of(error) is Refusal.ISSUER_NOT_TRUSTED
    assert error.value.subject == "credential (BpnCredential)"


def test_presentations_of_one_response_cover_the_wanted_types_together(ed_world: World) -> None:
    first = ed_world.presentation([ed_world.credential()])
    second = ed_world.presentation([ed_world.credential(BPN)])
    verified = ed_world.verifier().verify_presentations(
        [first, second], holder=HOLDER_DID, audience=VERIFIER_DID, wanted=[MEMBERSHIP, BPN], purpose=PURPOSE, now=NOW
    )
    assert verified.types() == frozenset({MEMBERSHIP, BPN})
    with pytest.raises(VerificationFailed) as error:
        ed_world.verifier().verify_presentations(
            [], holder=HOLDER_DID, audience=VERIFIER_DID, wanted=[], purpose=PURPOSE, now=NOW
        )
    assert refusal_of(error) is Refusal.MISSING_CREDENTIAL


def test_a_nonce_must_be_the_one_sent(ed_world: World) -> None:
    vp = ed_world.presentation([ed_world.credential()], nonce="n-1")
    verifier = ed_world.verifier()

    def verify(nonce: str) -> VerifiedPresentation:
        return verifier.verify_presentation(
            vp, holder=HOLDER_DID, audience=VERIFIER_DID, wanted=[MEMBERSHIP], purpose=PURPOSE, now=NOW, nonce=nonce
        )

    assert verify("n-1").holder == HOLDER_DID
    with pytest.raises(VerificationFailed) as error:
        verify("n-2")
    assert refusal_of(error) is Refusal.REPLAYED


def test_too_many_credentials_are_refused(ed_world: World) -> None:
    vc = ed_world.credential()
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([vc] * (MAX_CREDENTIALS + 1)))
    assert refusal_of(error) is Refusal.TOO_LARGE


def test_a_suspended_credential_is_refused(ed_world: World) -> None:
    suspensions = StatusList.empty(SMALL_LIST_BITS)
    suspensions.set(3)
    ed_world.publish_status(bits=suspensions, url=STATUS_URL, purpose="suspension")
    vc = ed_world.credential(index=3, purpose="suspension")
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([vc]))
    assert refusal_of(error) is Refusal.REVOKED
    assert "suspended" in error.value.detail


def test_an_index_outside_the_list_fails_closed(ed_world: World) -> None:
    vc = ed_world.credential(index=SMALL_LIST_BITS)
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([vc]))
    assert refusal_of(error) is Refusal.STATUS_UNAVAILABLE


def test_an_expired_status_list_fails_closed(ed_world: World) -> None:
    ed_world.publish_status(valid_until=NOW - timedelta(hours=1), valid_from=NOW - timedelta(days=2))
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([ed_world.credential()]))
    assert refusal_of(error) is Refusal.STATUS_UNAVAILABLE
    assert "expired" in error.value.detail


def test_a_status_list_served_at_another_url_is_refused(ed_world: World) -> None:
    other = ed_world.publish_status(url=STATUS_URL + "/2")
    ed_world.status.lists[STATUS_URL] = other  # a clear list of the same issuer, substituted
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([ed_world.credential()]))
    assert refusal_of(error) is Refusal.STATUS_UNAVAILABLE


def test_revocation_shows_once_the_cached_status_list_is_stale(ed_world: World) -> None:
    verifier = ed_world.verifier(status_ttl_seconds=300)
    vc = ed_world.credential()
    ed_world.verify(ed_world.presentation([vc]), verifier=verifier)
    ed_world.revoke(0)
    ed_world.verify(ed_world.presentation([vc]), verifier=verifier)  # still the cached list
    assert ed_world.status.fetches[STATUS_URL] == 1
    ed_world.clock.advance(301)
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([vc]), verifier=verifier)
    assert refusal_of(error) is Refusal.REVOKED
    assert ed_world.status.fetches[STATUS_URL] == 2


def test_an_older_status_list_than_one_seen_is_a_rollback(ed_world: World) -> None:
    verifier = ed_world.verifier()
    vc = ed_world.credential()
    stale = ed_world.status.lists[STATUS_URL]
    ed_world.revoke(5)  # a newer list (a bit for another credential set)
    ed_world.verify(ed_world.presentation([vc]), verifier=verifier)
    ed_world.status.lists[STATUS_URL] = stale
    ed_world.clock.advance(301)
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([vc]), verifier=verifier)
    assert refusal_of(error) is Refusal.STATUS_UNAVAILABLE
    assert "older" in error.value.detail


def test_the_same_presentation_again_needs_no_signature_check(ed_world: World) -> None:
    verifier = ed_world.verifier()
    vp = ed_world.presentation([ed_world.credential(), ed_world.credential(BPN)])
    ed_world.verify(vp, wanted=[MEMBERSHIP, BPN], verifier=verifier)
    calls = ed_world.resolver.calls.copy()
    assert calls == {HOLDER_DID: 1, ISSUER_DID: 3}  # presentation, two credentials, the status list
    for _ in range(5):
        ed_world.verify(vp, wanted=[MEMBERSHIP, BPN], verifier=verifier)
    assert ed_world.resolver.calls == calls
    assert ed_world.status.fetches[STATUS_URL] == 1


def test_a_fresh_presentation_of_known_credentials_needs_one_signature_check(ed_world: World) -> None:
    verifier = ed_world.verifier()
    vcs = [ed_world.credential(), ed_world.credential(BPN)]
    ed_world.verify(ed_world.presentation(vcs), wanted=[MEMBERSHIP, BPN], verifier=verifier)
    for _ in range(3):
        ed_world.verify(ed_world.presentation(vcs), wanted=[MEMBERSHIP, BPN], verifier=verifier)
    assert ed_world.resolver.calls == {HOLDER_DID: 4, ISSUER_DID: 3}


def test_the_warm_path_still_checks_times_holder_and_audience(ed_world: World) -> None:
    verifier = ed_world.verifier()
    vp = ed_world.presentation([ed_world.credential(valid_until=NOW + timedelta(minutes=3))])
    ed_world.verify(vp, verifier=verifier)
    for kwargs, refusal in (
        ({"now": NOW + timedelta(minutes=6)}, Refusal.EXPIRED),  # the presentation (5 min)
        ({"holder": "did:web:someone.else"}, Refusal.HOLDER_MISMATCH),
        ({"audience": "did:web:someone.else"}, Refusal.WRONG_AUDIENCE),
    ):
        with pytest.raises(VerificationFailed) as error:
            ed_world.verify(vp, verifier=verifier, **kwargs)
        assert refusal_of(error) is refusal
    later = NOW + timedelta(minutes=5)
    with pytest.raises(VerificationFailed) as error:  # a new presentation, its credential from the cache
        ed_world.verify(ed_world.presentation([jose_credential(vp)], now=later), verifier=verifier, now=later)
    assert refusal_of(error) is Refusal.EXPIRED
    assert error.value.subject == "credential 1 (MembershipCredential)"


def jose_credential(presentation: str) -> str:
    """The first credential enveloped in a presentation."""
    return str(jose.peek(presentation)[1]["verifiableCredential"][0]["id"])[len(ENVELOPE_PREFIX) :]


def test_trust_is_asked_on_every_call(ed_world: World) -> None:
    verifier = ed_world.verifier()
    vp = ed_world.presentation([ed_world.credential()])
    ed_world.verify(vp, verifier=verifier)
    ed_world.trust.direct[ISSUER_DID].discard(MEMBERSHIP)  # a new trust list takes the issuer off
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(vp, verifier=verifier)
    assert refusal_of(error) is Refusal.ISSUER_NOT_TRUSTED


def test_a_removed_key_stops_working_after_the_signature_ttl(ed_world: World) -> None:
    verifier = ed_world.verifier(signature_ttl_seconds=60)
    vc = ed_world.credential()
    ed_world.verify(ed_world.presentation([vc]), verifier=verifier)
    ed_world.resolver.add(build_document(ISSUER_DID, [ed_world.stranger.key]))  # the issuer rotated its key out
    ed_world.verify(ed_world.presentation([vc]), verifier=verifier)
    ed_world.clock.advance(61)
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(ed_world.presentation([vc]), verifier=verifier)
    assert refusal_of(error) is Refusal.UNKNOWN_KEY


def test_caches_are_bounded(ed_world: World) -> None:
    verifier = ed_world.verifier(cache_size=2)
    vcs = [ed_world.credential() for _ in range(3)]
    for vc in vcs:
        ed_world.verify(ed_world.presentation([vc]), verifier=verifier)
    before = ed_world.resolver.calls[ISSUER_DID]
    ed_world.verify(ed_world.presentation([vcs[0]]), verifier=verifier)  # evicted: checked again
    assert ed_world.resolver.calls[ISSUER_DID] == before + 1
    ed_world.verify(ed_world.presentation([vcs[0]]), verifier=verifier)
    assert ed_world.resolver.calls[ISSUER_DID] == before + 1


def test_the_real_trust_list_plugs_into_the_port(ed_world: World) -> None:
    trust_list = TrustList(
        authority="did:web:authority.example",
        data_space="catena-x",
        version=1,
        issued_at=NOW - timedelta(hours=1),
        valid_until=NOW + timedelta(days=1),
        issuers=(TrustedIssuer(ISSUER_DID, frozenset({MEMBERSHIP})),),
        recognitions=(
            Recognition(
                OURANOS_DID,
                "ouranos",
                (TypeMapping(OPERATOR, MEMBERSHIP, {"certificationStatus": "certified"}),),
                NOW - timedelta(days=1),
                NOW + timedelta(days=1),
                frozenset({PURPOSE}),
            ),
        ),
    )
    verifier = PresentationVerifier(ed_world.resolver, FakeTrustSource(trust_list), ed_world.status)
    certified = ed_world.credential(OPERATOR, issuer=ed_world.ouranos)
    direct = ed_world.credential()
    verified = verifier.verify_presentation(
        ed_world.presentation([certified, direct]),
        holder=HOLDER_DID,
        audience=VERIFIER_DID,
        wanted=[MEMBERSHIP],
        purpose=PURPOSE,
        now=NOW,
    )
    assert [(c.accepted_as, c.via) for c in verified.credentials] == [
        (MEMBERSHIP, "recognition:ouranos"),
        (MEMBERSHIP, "direct"),
    ]
    suspended = ed_world.credential(
        OPERATOR, issuer=ed_world.ouranos, claims={**CLAIMS[OPERATOR], "certificationStatus": "suspended"}
    )
    with pytest.raises(VerificationFailed) as error:
        verifier.verify_presentation(
            ed_world.presentation([suspended]),
            holder=HOLDER_DID,
            audience=VERIFIER_DID,
            wanted=[MEMBERSHIP],
            purpose=PURPOSE,
            now=NOW,
        )
    assert refusal_of(error) is Refusal.MISSING_CREDENTIAL
    assert "certificationStatus" in error.value.detail


def test_a_presentation_signed_under_the_rfc_8037_name_eddsa_verifies(ed_world: World) -> None:
    claims = jose.peek(ed_world.presentation([ed_world.credential()]))[1]
    header = jose.b64encode(json.dumps({"alg": "EdDSA", "typ": "vp+jwt", "kid": ed_world.holder.kid}).encode())
    payload = jose.b64encode(json.dumps(claims).encode())
    private = ed_world.holder.key.key.private_key
    assert isinstance(private, Ed25519PrivateKey)
    signature = private.sign(f"{header}.{payload}".encode())
    assert ed_world.verify(f"{header}.{payload}.{jose.b64encode(signature)}").holder == HOLDER_DID


def test_a_signature_that_is_not_base64url_is_a_bad_signature(ed_world: World) -> None:
    head = ed_world.presentation([ed_world.credential()]).rsplit(".", 1)[0]
    with pytest.raises(VerificationFailed) as error:
        ed_world.verify(f"{head}.!!!")
    assert refusal_of(error) is Refusal.BAD_SIGNATURE


def test_a_kid_reused_for_another_key_is_imported_anew(ed_world: World) -> None:
    verifier = ed_world.verifier(signature_ttl_seconds=0)
    ed_world.verify(ed_world.presentation([ed_world.credential()]), verifier=verifier)
    fresh = keys.generate()
    renamed = keys.SigningKey(fresh.algorithm, ed_world.holder.key.kid, fresh.key)  # same kid, new key
    ed_world.resolver.add(build_document(HOLDER_DID, [renamed]))
    with pytest.raises(VerificationFailed) as error:  # signed with the old key: must not verify with a stale import
        ed_world.verify(ed_world.presentation([ed_world.credential()]), verifier=verifier)
    assert refusal_of(error) is Refusal.BAD_SIGNATURE
    vp = ed_world.presentation([ed_world.credential()], holder=Party(HOLDER_DID, renamed))
    assert ed_world.verify(vp, verifier=verifier).holder == HOLDER_DID
