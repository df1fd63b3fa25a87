"""Trust lists: direct trust, mutual recognition (Ouranos ↔ Catena-X), withdrawal, and the signed list's checks."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from passbridge.errors import InvalidInput, NotFound, VerificationFailed
from passbridge.identity import jose, keys
from passbridge.identity.did import StaticDidResolver, build_document
from passbridge.identity.refusals import Refusal
from passbridge.identity.trust import (
    Acceptance,
    Recognition,
    TrustedIssuer,
    TrustList,
    TypeMapping,
)
from passbridge.identity.trust_wire import sign_trust_list, verify_trust_list

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
AUTHORITY = "did:web:authority.catena-x.example"
CX_ISSUER = "did:web:issuer.catena-x.example"
OURANOS_ISSUER = "did:web:operator-registry.ouranos.example"
MEMBERSHIP = "MembershipCredential"
OPERATOR = "OuranosOperatorCredential"
CERTIFIED = {"id": "did:web:supplier.example.jp", "certificationStatus": "certified", "operatorId": "OP-1"}


def a_recognition(**overrides: Any) -> Recognition:
    fields: dict[str, Any] = {
        "issuer": OURANOS_ISSUER,
        "data_space": "ouranos",
        "mappings": (TypeMapping(OPERATOR, MEMBERSHIP, {"certificationStatus": "certified"}),),
        "valid_from": NOW - timedelta(days=30),
        "valid_until": NOW + timedelta(days=335),
        "scope": frozenset({"dataspace"}),
    }
    return Recognition(**{**fields, **overrides})


def a_trust_list(**overrides: Any) -> TrustList:
    fields: dict[str, Any] = {
        "authority": AUTHORITY,
        "data_space": "catena-x",
        "version": 1,
        "issued_at": NOW - timedelta(hours=1),
        "valid_until": NOW + timedelta(days=1),
        "issuers": (TrustedIssuer(CX_ISSUER, frozenset({MEMBERSHIP, "BpnCredential"}), "Catena-X issuer"),),
        "recognitions": (a_recognition(),),
    }
    return TrustList(**{**fields, **overrides})


def refusal_of(error: pytest.ExceptionInfo[VerificationFailed]) -> Refusal:
    return Refusal(error.value.refusal)


# --- accept -----------------------------------------------------------------------------------------------------


def test_own_issuer_is_accepted_directly_for_its_type() -> None:
    accepted = a_trust_list().accept(CX_ISSUER, ["VerifiableCredential", MEMBERSHIP], {}, MEMBERSHIP, NOW, "dataspace")
    assert accepted == Acceptance(MEMBERSHIP, "direct")


def test_own_issuer_is_not_trusted_for_a_type_it_may_not_issue() -> None:
    with pytest.raises(VerificationFailed) as error:
        a_trust_list().accept(CX_ISSUER, ["NotifiedBodyCredential"], {}, "NotifiedBodyCredential", NOW, "dataspace")
    assert refusal_of(error) is Refusal.ISSUER_NOT_TRUSTED
    assert CX_ISSUER in error.value.detail and "NotifiedBodyCredential" in error.value.detail


def test_own_issuer_credential_of_another_type_does_not_count_as_the_wanted_one() -> None:
    with pytest.raises(VerificationFailed) as error:
        a_trust_list().accept(CX_ISSUER, ["BpnCredential"], {}, MEMBERSHIP, NOW, "dataspace")
    assert refusal_of(error) is Refusal.ISSUER_NOT_TRUSTED


def test_unknown_issuer_is_not_trusted() -> None:
    with pytest.raises(VerificationFailed) as error:
        a_trust_list().accept("did:web:stranger.example", [MEMBERSHIP], {}, MEMBERSHIP, NOW, "dataspace")
    assert refusal_of(error) is Refusal.ISSUER_NOT_TRUSTED
    assert "did:web:stranger.example" in error.value.detail and "catena-x trust list v1" in error.value.detail


def test_certified_ouranos_operator_counts_as_catena_x_membership() -> None:
    accepted = a_trust_list().accept(OURANOS_ISSUER, [OPERATOR], CERTIFIED, MEMBERSHIP, NOW, "dataspace")
    assert accepted == Acceptance(MEMBERSHIP, "recognition:ouranos")


@pytest.mark.parametrize(
    ("subject", "named"),
    [
        ({**CERTIFIED, "certificationStatus": "pending"}, "certificationStatus is 'pending'"),
        ({"id": "did:web:supplier.example.jp"}, "no 'certificationStatus'"),
    ],
)
def test_recognised_issuer_with_an_unmet_condition_is_not_trusted_and_the_claim_is_named(
    subject: dict[str, str], named: str
) -> None:
    with pytest.raises(VerificationFailed) as error:
        a_trust_list().accept(OURANOS_ISSUER, [OPERATOR], subject, MEMBERSHIP, NOW, "dataspace")
    assert refusal_of(error) is Refusal.ISSUER_NOT_TRUSTED
    assert named in error.value.detail and OURANOS_ISSUER in error.value.detail


def test_recognition_maps_only_the_listed_types() -> None:
    with pytest.raises(VerificationFailed) as error:
        a_trust_list().accept(OURANOS_ISSUER, ["PlantCredential"], CERTIFIED, MEMBERSHIP, NOW, "dataspace")
    assert refusal_of(error) is Refusal.ISSUER_NOT_TRUSTED
    assert f"{OPERATOR} → {MEMBERSHIP}" in error.value.detail


@pytest.mark.parametrize("at", [NOW - timedelta(days=31), NOW + timedelta(days=336)], ids=["before", "after"])
def test_recognition_outside_its_period_is_out_of_scope(at: datetime) -> None:
    trust_list = a_trust_list(valid_until=NOW + timedelta(days=400))
    with pytest.raises(VerificationFailed) as error:
        trust_list.accept(OURANOS_ISSUER, [OPERATOR], CERTIFIED, MEMBERSHIP, at, "dataspace")
    assert refusal_of(error) is Refusal.RECOGNITION_OUT_OF_SCOPE
    assert "valid from" in error.value.detail


def test_recognition_for_another_purpose_is_out_of_scope() -> None:
    with pytest.raises(VerificationFailed) as error:
        a_trust_list().accept(OURANOS_ISSUER, [OPERATOR], CERTIFIED, MEMBERSHIP, NOW, "passport-access")
    assert refusal_of(error) is Refusal.RECOGNITION_OUT_OF_SCOPE
    assert "'passport-access'" in error.value.detail


def test_an_unknown_purpose_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown purpose"):
        a_trust_list().accept(CX_ISSUER, [MEMBERSHIP], {}, MEMBERSHIP, NOW, "marketing")


def test_withdrawn_recognition_is_refused_by_the_next_version() -> None:
    before = a_trust_list()
    after = before.without_recognition(OURANOS_ISSUER, issued_at=NOW)
    assert after.version == before.version + 1 and after.issued_at == NOW and after.recognitions == ()
    with pytest.raises(VerificationFailed) as error:
        after.accept(OURANOS_ISSUER, [OPERATOR], CERTIFIED, MEMBERSHIP, NOW, "dataspace")
    assert refusal_of(error) is Refusal.ISSUER_NOT_TRUSTED
    with pytest.raises(NotFound):
        after.without_recognition(OURANOS_ISSUER, issued_at=NOW)


def test_recognising_and_trusting_make_new_versions_replacing_entries_of_the_same_did() -> None:
    widened = a_recognition(scope=frozenset({"dataspace", "passport-access"}))
    listed = (
        a_trust_list()
        .with_recognition(widened, issued_at=NOW)
        .with_issuer(TrustedIssuer(CX_ISSUER, frozenset({"NotifiedBodyCredential"})), issued_at=NOW)
    )
    assert listed.version == 3 and listed.recognitions == (widened,) and len(listed.issuers) == 1
    assert listed.accept(OURANOS_ISSUER, [OPERATOR], CERTIFIED, MEMBERSHIP, NOW, "passport-access").via == (
        "recognition:ouranos"
    )
    assert listed.without_issuer(CX_ISSUER, issued_at=NOW).issuers == ()


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"valid_until": NOW - timedelta(days=60)}, "$.validUntil"),
        ({"mappings": ()}, "$.mappings"),
        ({"scope": frozenset()}, "$.scope"),
        ({"scope": frozenset({"dataspace", "marketing"})}, "$.scope"),
        ({"issuer": "ouranos-registry"}, "$.issuer"),
    ],
)
def test_an_invalid_recognition_is_refused_on_construction(overrides: dict[str, Any], path: str) -> None:
    with pytest.raises(InvalidInput) as error:
        a_recognition(**overrides)
    assert error.value.violations[0].path == path


def test_a_list_cannot_recognise_its_own_data_space_or_list_an_issuer_twice() -> None:
    with pytest.raises(InvalidInput) as error:
        a_trust_list(recognitions=(a_recognition(data_space="catena-x"),))
    assert error.value.violations[0].path == "$.recognitions[0].dataSpace"
    issuer = TrustedIssuer(CX_ISSUER, frozenset({MEMBERSHIP}))
    with pytest.raises(InvalidInput) as error:
        a_trust_list(issuers=(issuer, issuer))
    assert error.value.violations[0].path == "$.issuers[1].did"


# --- JSON -------------------------------------------------------------------------------------------------------


def test_json_round_trip_keeps_the_list() -> None:
    trust_list = a_trust_list()
    assert TrustList.from_json(json.loads(json.dumps(trust_list.to_json()))) == trust_list


def _broken(change: Any) -> dict[str, Any]:
    document = a_trust_list().to_json()
    change(document)
    return document


@pytest.mark.parametrize(
    ("document", "named"),
    [
        (_broken(lambda d: d.pop("version")), "$.version: missing"),
        (_broken(lambda d: d.update(version="2")), "$.version"),
        (_broken(lambda d: d.update(version=True)), "$.version"),
        (_broken(lambda d: d.update(issuedAt="yesterday")), "$.issuedAt"),
        (_broken(lambda d: d.update(issuedAt="2026-06-01T00:00:00")), "no time zone"),
        (_broken(lambda d: d["issuers"][0].update(credentialTypes="MembershipCredential")), "credentialTypes"),
        (
            _broken(lambda d: d["recognitions"][0].update(validUntil="2026-01-01T00:00:00Z")),
            "recognitions[0].validUntil",
        ),
        (_broken(lambda d: d["recognitions"][0]["mappings"][0].pop("ourType")), "mappings[0].ourType"),
        (_broken(lambda d: d["recognitions"].append("ouranos")), "$.recognitions[1]"),
        ([], "$"),
    ],
)
def test_a_malformed_list_is_refused_naming_the_member(document: Any, named: str) -> None:
    with pytest.raises(VerificationFailed) as error:
        TrustList.from_json(document)
    assert refusal_of(error) is Refusal.MALFORMED
    assert named in error.value.detail


# --- signed list ------------------------------------------------------------------------------------------------


def _authority(algorithm: str = "Ed25519", did: str = AUTHORITY) -> tuple[keys.SigningKey, StaticDidResolver]:
    key = keys.generate(algorithm)
    return key, StaticDidResolver([build_document(did, [key])])


@pytest.mark.parametrize("algorithm", ["Ed25519", "ES256"])
def test_a_signed_list_verifies_and_round_trips(algorithm: str) -> None:
    key, resolver = _authority(algorithm)
    token = sign_trust_list(a_trust_list(), key, f"{AUTHORITY}#{key.kid}")
    header, claims = jose.peek(token)
    assert header["typ"] == "trustlist+jwt" and claims["iss"] == AUTHORITY
    assert claims["exp"] == int(a_trust_list().valid_until.timestamp())
    assert verify_trust_list(token, resolver, AUTHORITY, NOW) == a_trust_list()


def test_a_tampered_list_has_a_bad_signature() -> None:
    key, resolver = _authority()
    header, _, signature = sign_trust_list(a_trust_list(), key, key.kid).split(".")
    widened = a_trust_list(issuers=(TrustedIssuer("did:web:attacker.example", frozenset({MEMBERSHIP})),))
    payload = jose.b64encode(json.dumps({"iss": AUTHORITY, "exp": 1e10, "trustList": widened.to_json()}).encode())
    with pytest.raises(VerificationFailed) as error:
        verify_trust_list(f"{header}.{payload}.{signature}", resolver, AUTHORITY, NOW)
    assert refusal_of(error) is Refusal.BAD_SIGNATURE


def test_a_list_signed_with_another_key_is_refused() -> None:
    key, resolver = _authority()
    other = keys.generate("Ed25519")
    with pytest.raises(VerificationFailed) as error:
        verify_trust_list(sign_trust_list(a_trust_list(), other, key.kid), resolver, AUTHORITY, NOW)
    assert refusal_of(error) is Refusal.BAD_SIGNATURE
    with pytest.raises(VerificationFailed) as error:
        verify_trust_list(sign_trust_list(a_trust_list(), other, other.kid), resolver, AUTHORITY, NOW)
    assert refusal_of(error) is Refusal.UNKNOWN_KEY


def test_a_list_signed_by_another_did_than_the_authority_is_refused() -> None:
    rogue = "did:web:rogue-authority.example"
    key, resolver = _authority(did=rogue)
    token = sign_trust_list(a_trust_list(authority=rogue), key, key.kid)
    with pytest.raises(VerificationFailed) as error:
        verify_trust_list(token, resolver, AUTHORITY, NOW)
    assert refusal_of(error) is Refusal.WRONG_ISSUER and rogue in error.value.detail


def test_an_expired_list_is_refused() -> None:
    key, resolver = _authority()
    token = sign_trust_list(a_trust_list(), key, key.kid)
    with pytest.raises(VerificationFailed) as error:
        verify_trust_list(token, resolver, AUTHORITY, NOW + timedelta(days=2))
    assert refusal_of(error) is Refusal.EXPIRED


def test_an_older_version_than_one_already_seen_is_refused_as_replayed() -> None:
    key, resolver = _authority()
    token = sign_trust_list(a_trust_list(version=3), key, key.kid)
    assert verify_trust_list(token, resolver, AUTHORITY, NOW, min_version=3).version == 3
    with pytest.raises(VerificationFailed) as error:
        verify_trust_list(token, resolver, AUTHORITY, NOW, min_version=4)
    assert refusal_of(error) is Refusal.REPLAYED


def test_a_token_of_another_type_or_without_algorithm_is_refused() -> None:
    key, resolver = _authority()
    claims = {"iss": AUTHORITY, "exp": 1e10, "trustList": a_trust_list().to_json()}
    with pytest.raises(VerificationFailed) as error:
        verify_trust_list(jose.sign(key, claims, typ="JWT"), resolver, AUTHORITY, NOW)
    assert refusal_of(error) is Refusal.MALFORMED and "typ" in error.value.detail
    unsigned = ".".join(
        base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
        for part in ({"alg": "none", "typ": "trustlist+jwt"}, claims)
    )
    with pytest.raises(VerificationFailed) as error:
        verify_trust_list(unsigned + ".", resolver, AUTHORITY, NOW)
    assert refusal_of(error) is Refusal.ALGORITHM_NOT_ALLOWED
