"""VC 2.0 credentials and presentations as JWT: the JSON model, issue → read round trips, and shape refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from passbridge.errors import InvalidInput, VerificationFailed
from passbridge.identity import jose
from passbridge.identity.credentials import (
    CATENAX_CONTEXT,
    ENVELOPE_PREFIX,
    PASSBRIDGE_CONTEXT,
    REQUIRED_CLAIMS,
    VC_CONTEXT,
    Credential,
    CredentialType,
    StatusEntry,
    issue_credential,
    read_credential,
    read_credential_jwt,
    validate_subject,
)
from passbridge.identity.presentations import issue_presentation, read_presentation
from passbridge.identity.refusals import Refusal
from tests.unit.identity.conftest import (
    CLAIMS,
    DEG,
    HOLDER_DID,
    ISSUER_DID,
    MEMBERSHIP,
    NOW,
    OPERATOR,
    STATUS_URL,
    VERIFIER_DID,
    World,
    b64,
    refusal_of,
    unb64,
)


def a_credential(**overrides: Any) -> Credential:
    fields: dict[str, Any] = {
        "id": "urn:uuid:0f5e8c1a-1",
        "type": MEMBERSHIP,
        "issuer": ISSUER_DID,
        "subject": {"id": HOLDER_DID, **CLAIMS[MEMBERSHIP]},
        "valid_from": NOW - timedelta(days=1),
        "valid_until": NOW + timedelta(days=365),
        "status": StatusEntry(STATUS_URL, 42),
    }
    return Credential(**{**fields, **overrides})


def test_credential_json_is_vc_2_0_with_the_catena_x_context_and_a_bitstring_status_entry() -> None:
    document = a_credential().to_json()
    assert document["@context"] == [VC_CONTEXT, CATENAX_CONTEXT]
    assert document["type"] == ["VerifiableCredential", MEMBERSHIP]
    assert document["validFrom"] == "2026-11-24T12:00:00Z"
    assert document["credentialSubject"]["id"] == HOLDER_DID
    assert document["credentialStatus"] == {
        "id": f"{STATUS_URL}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": STATUS_URL,
    }


def test_ouranos_and_reader_types_use_the_passbridge_context() -> None:
    assert a_credential(type=OPERATOR).to_json()["@context"] == [VC_CONTEXT, PASSBRIDGE_CONTEXT]
    assert a_credential(type="SomeoneElsesCredential").to_json()["@context"] == [VC_CONTEXT]


@pytest.mark.parametrize(
    "credential",
    [
        a_credential(),
        a_credential(valid_until=None, status=None),
        a_credential(
            extra_types=("BpnCredential",),
            extra_status=(StatusEntry(STATUS_URL + "/s", 7, "suspension"),),
            valid_from=datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=UTC),
        ),
    ],
)
def test_credential_json_round_trips(credential: Credential) -> None:
    assert Credential.from_json(credential.to_json()) == credential


def test_issue_then_read_keeps_the_credential_and_sets_the_jwt_claims(world: World) -> None:
    credential = a_credential()
    token = issue_credential(credential, world.issuer.key, world.issuer.kid)
    header, claims = jose.verify(token, world.issuer.key.public_jwk())
    assert header == {"alg": world.issuer.key.algorithm, "typ": "vc+jwt", "kid": world.issuer.kid}
    assert claims["iss"] == ISSUER_DID
    assert claims["sub"] == HOLDER_DID
    assert claims["jti"] == credential.id
    assert claims["iat"] == claims["nbf"] == int(credential.valid_from.timestamp())
    assert credential.valid_until is not None
    assert claims["exp"] == int(credential.valid_until.timestamp())
    assert read_credential(token) == credential
    parsed = read_credential_jwt(token)
    assert parsed.kid == world.issuer.kid
    assert parsed.claims["exp"] == claims["exp"]


def _signed(world: World, change: dict[str, Any], drop: tuple[str, ...] = ()) -> str:
    token = issue_credential(a_credential(), world.issuer.key, world.issuer.kid)
    claims = {k: v for k, v in {**jose.peek(token)[1], **change}.items() if k not in drop}
    return jose.sign(world.issuer.key, claims, typ="vc+jwt", kid=world.issuer.kid)


@pytest.mark.parametrize(
    ("change", "drop", "named"),
    [
        ({"iss": "did:web:someone.else"}, (), "iss"),
        ({"sub": "did:web:someone.else"}, (), "sub"),
        ({"jti": "urn:uuid:other"}, (), "jti"),
        ({"@context": ["https://www.w3.org/2018/credentials/v1"]}, (), "@context"),
        ({"type": ["VerifiableCredential"]}, (), "type"),
        ({"type": "MembershipCredential"}, (), "type"),
        ({"issuer": 7}, (), "issuer"),
        ({}, ("id", "jti"), "id"),
        ({"credentialSubject": [{"id": HOLDER_DID}]}, (), "credentialSubject"),
        ({"validFrom": "yesterday"}, (), "validFrom"),
        ({"validUntil": "2027-01-01T00:00:00"}, (), "validUntil"),
        ({}, ("validFrom", "nbf", "iat"), "validFrom"),
        ({"credentialStatus": {"type": "StatusList2021Entry"}}, (), "credentialStatus"),
        ({"credentialStatus": {**StatusEntry(STATUS_URL, 1).to_json(), "statusListIndex": "-1"}}, (), "Index"),
    ],
)
def test_a_malformed_credential_is_refused_naming_the_member(
    ed_world: World, change: dict[str, Any], drop: tuple[str, ...], named: str
) -> None:
    with pytest.raises(VerificationFailed) as error:
        read_credential(_signed(ed_world, change, drop), "credential 1")
    assert refusal_of(error) is Refusal.MALFORMED
    assert named in error.value.detail
    assert error.value.subject == "credential 1"


def test_a_credential_without_valid_from_starts_at_its_nbf(ed_world: World) -> None:
    credential = read_credential(_signed(ed_world, {}, ("validFrom",)))
    assert credential.valid_from == NOW - timedelta(days=1)


def test_an_issuer_object_counts_by_its_id(ed_world: World) -> None:
    credential = read_credential(_signed(ed_world, {"issuer": {"id": ISSUER_DID, "name": "Issuer"}}))
    assert credential.issuer == ISSUER_DID


def test_a_presentation_token_is_not_read_as_a_credential(ed_world: World) -> None:
    vp = ed_world.presentation([ed_world.credential()])
    with pytest.raises(VerificationFailed) as error:
        read_credential(vp)
    assert refusal_of(error) is Refusal.MALFORMED
    assert "typ" in error.value.detail


def test_status_entry_round_trips_and_accepts_an_integer_index() -> None:
    entry = StatusEntry(STATUS_URL, 131071, "suspension")
    assert StatusEntry.from_json(entry.to_json()) == entry
    assert StatusEntry.from_json({**entry.to_json(), "statusListIndex": 5}).index == 5


@pytest.mark.parametrize("kind", list(CredentialType))
def test_every_type_names_its_required_claims_and_accepts_a_complete_subject(kind: CredentialType) -> None:
    assert kind in REQUIRED_CLAIMS
    subject: dict[str, str] = {"id": HOLDER_DID, **dict.fromkeys(REQUIRED_CLAIMS[kind], "x")}
    subject.update(CLAIMS.get(kind.value, {}))
    if kind is CredentialType.STATUS_LIST:
        subject.update(id=STATUS_URL + "#list", type="BitstringStatusList")
    validate_subject(kind, subject)


def test_validate_subject_names_each_missing_or_ill_typed_claim() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_subject(CredentialType.DATA_EXCHANGE_GOVERNANCE, {"id": HOLDER_DID, "holderIdentifier": 5})
    paths = [v.path for v in error.value.violations]
    assert paths == [
        "$.credentialSubject.holderIdentifier",
        "$.credentialSubject.group",
        "$.credentialSubject.useCase",
        "$.credentialSubject.contractTemplate",
        "$.credentialSubject.contractVersion",
    ]
    assert {v.rule for v in error.value.violations} == {"CX-0050 v2.1.0"}


@pytest.mark.parametrize(
    ("kind", "subject", "path"),
    [
        (DEG, {**CLAIMS[DEG], "group": "Other"}, "$.credentialSubject.group"),
        (OPERATOR, {**CLAIMS[OPERATOR], "certificationStatus": "revoked"}, "$.credentialSubject.certificationStatus"),
        (MEMBERSHIP, {**CLAIMS[MEMBERSHIP], "memberOf": ""}, "$.credentialSubject.memberOf"),
        ("NoSuchCredential", {}, "$.type"),
    ],
)
def test_validate_subject_refuses_wrong_values(kind: str, subject: dict[str, str], path: str) -> None:
    with pytest.raises(InvalidInput) as error:
        validate_subject(kind, {"id": HOLDER_DID, **subject})
    assert [v.path for v in error.value.violations] == [path]


def test_validate_subject_wants_a_did_as_holder() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_subject(MEMBERSHIP, {"id": "BPNL000000000001", **CLAIMS[MEMBERSHIP]})
    assert error.value.violations[0].path == "$.credentialSubject.id"


def test_issue_then_read_presentation(world: World) -> None:
    vcs = [world.credential(), world.credential(DEG)]
    token = issue_presentation(HOLDER_DID, world.holder.key, world.holder.kid, vcs, VERIFIER_DID, NOW, nonce="n-1")
    header, claims = jose.verify(token, world.holder.key.public_jwk())
    assert header["typ"] == "vp+jwt"
    assert claims["verifiableCredential"][0] == {
        "@context": VC_CONTEXT,
        "id": ENVELOPE_PREFIX + vcs[0],
        "type": "EnvelopedVerifiableCredential",
    }
    assert claims["exp"] - claims["iat"] == 300
    presentation = read_presentation(token)
    assert presentation.holder == HOLDER_DID
    assert presentation.audience == (VERIFIER_DID,)
    assert presentation.credentials == tuple(vcs)
    assert presentation.jti is not None and presentation.jti.startswith("urn:uuid:")
    assert presentation.claims["nonce"] == "n-1"
    assert presentation.kid == world.holder.kid


def _presentation(world: World, change: dict[str, Any]) -> str:
    token = world.presentation([world.credential()])
    claims = {**jose.peek(token)[1], **change}
    return jose.sign(world.holder.key, claims, typ="vp+jwt", kid=world.holder.kid)


@pytest.mark.parametrize(
    ("change", "refusal", "named"),
    [
        ({"type": ["VerifiableCredential"]}, Refusal.MALFORMED, "VerifiablePresentation"),
        ({"verifiableCredential": ["eyJ.a.b"]}, Refusal.MALFORMED, "verifiableCredential[0]"),
        (
            {"verifiableCredential": [{"type": "EnvelopedVerifiableCredential", "id": "data:application/vp+jwt,x"}]},
            Refusal.MALFORMED,
            "verifiableCredential[0].id",
        ),
        ({"verifiableCredential": {}}, Refusal.MALFORMED, "verifiableCredential"),
        ({"aud": 3}, Refusal.MALFORMED, "aud"),
        ({"holder": "did:web:someone.else"}, Refusal.HOLDER_MISMATCH, "holder"),
        ({"iss": None}, Refusal.MALFORMED, "iss"),
    ],
)
def test_a_malformed_presentation_is_refused(
    ed_world: World, change: dict[str, Any], refusal: Refusal, named: str
) -> None:
    with pytest.raises(VerificationFailed) as error:
        read_presentation(_presentation(ed_world, change))
    assert refusal_of(error) is refusal
    assert named in error.value.detail


def test_an_audience_list_is_kept_whole(ed_world: World) -> None:
    presentation = read_presentation(_presentation(ed_world, {"aud": [VERIFIER_DID, "did:web:b.example"]}))
    assert presentation.audience == (VERIFIER_DID, "did:web:b.example")


def test_a_credential_token_with_broken_json_is_malformed(ed_world: World) -> None:
    header, _payload, signature = ed_world.credential().split(".")
    broken = ".".join([header, b64(b'{"iss": "did:web:x"'), signature])
    with pytest.raises(VerificationFailed) as error:
        read_credential(broken)
    assert refusal_of(error) is Refusal.MALFORMED
    assert unb64(header)["typ"] == "vc+jwt"
