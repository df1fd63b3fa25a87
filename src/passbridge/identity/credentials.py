"""Verifiable credentials and presentations: W3C VC Data Model 2.0 secured as JWT (DCP 1.0 profile ``vc20-bssl/jwt``,
VC-JOSE-COSE), plus the credential types passbridge issues and accepts.

Layout: contexts and `CredentialType` with the subject claims each type needs (`REQUIRED_CLAIMS`, `validate_subject`);
`StatusEntry` (a ``BitstringStatusListEntry``) and `Credential` (wire JSON ⇄ value object); `issue_credential` /
`read_credential` (a ``vc+jwt``); `issue_presentation` / `read_presentation` (a ``vp+jwt`` whose credentials are
``EnvelopedVerifiableCredential`` data URLs). The ``read_*`` functions parse *without* checking signatures — that is
`passbridge.identity.verifier`'s job — but refuse every shape problem with ``malformed``, naming the member.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from passbridge.errors import InvalidInput, Violation
from passbridge.identity import jose
from passbridge.identity.keys import SigningKey
from passbridge.identity.refusals import Refusal, refuse

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CATENAX_CONTEXT = "https://w3id.org/catenax/credentials/v1.0.0"
PASSBRIDGE_CONTEXT = "https://w3id.org/passbridge/credentials/v1"
VERIFIABLE_CREDENTIAL = "VerifiableCredential"
VERIFIABLE_PRESENTATION = "VerifiablePresentation"
ENVELOPED_CREDENTIAL = "EnvelopedVerifiableCredential"
ENVELOPE_PREFIX = "data:application/vc+jwt,"
"""An enveloped credential's ``id``: this prefix, then the compact JWS (VC-JOSE-COSE §3.1.1)."""

_CREDENTIAL_TYPS = frozenset({"JWT", "vc+jwt", "vc+ld+jwt", "application/vc+jwt"})


class CredentialType(enum.StrEnum):
    """The credential types passbridge issues or accepts."""

    MEMBERSHIP = "MembershipCredential"
    DATA_EXCHANGE_GOVERNANCE = "DataExchangeGovernanceCredential"
    BPN = "BpnCredential"
    OURANOS_OPERATOR = "OuranosOperatorCredential"
    LEGITIMATE_INTEREST = "LegitimateInterestCredential"
    NOTIFIED_BODY = "NotifiedBodyCredential"
    MARKET_SURVEILLANCE_AUTHORITY = "MarketSurveillanceAuthorityCredential"
    COMMISSION = "CommissionCredential"
    STATUS_LIST = "BitstringStatusListCredential"


REQUIRED_CLAIMS: Mapping[CredentialType, tuple[str, ...]] = {
    CredentialType.MEMBERSHIP: ("holderIdentifier", "memberOf"),
    CredentialType.DATA_EXCHANGE_GOVERNANCE: (
        "holderIdentifier",
        "group",
        "useCase",
        "contractTemplate",
        "contractVersion",
    ),
    CredentialType.BPN: ("holderIdentifier", "bpn"),
    CredentialType.OURANOS_OPERATOR: ("operatorId", "openOperatorId", "certificationStatus"),
    CredentialType.LEGITIMATE_INTEREST: ("holderIdentifier",),
    CredentialType.NOTIFIED_BODY: ("holderIdentifier",),
    CredentialType.MARKET_SURVEILLANCE_AUTHORITY: ("holderIdentifier",),
    CredentialType.COMMISSION: ("holderIdentifier",),
    CredentialType.STATUS_LIST: ("type", "statusPurpose", "encodedList"),
}
"""The ``credentialSubject`` claims (besides ``id``) each type must carry, all non-empty strings."""

CERTIFICATION_STATUSES = frozenset({"certified", "suspended", "applied"})
"""Values of an `OuranosOperatorCredential`'s ``certificationStatus``."""

_FIXED_CLAIMS: Mapping[CredentialType, Mapping[str, str]] = {
    # CX-0050 v2.1.0 §2: the framework-agreement credential names its group and use case with these constants.
    CredentialType.DATA_EXCHANGE_GOVERNANCE: {"group": "UseCaseFramework", "useCase": "DataExchangeGovernance"},
    CredentialType.STATUS_LIST: {"type": "BitstringStatusList"},
}
_RULES: Mapping[CredentialType, str] = {
    CredentialType.MEMBERSHIP: "Catena-X MembershipCredential",
    CredentialType.DATA_EXCHANGE_GOVERNANCE: "CX-0050 v2.1.0",
    CredentialType.BPN: "Catena-X BpnCredential",
    CredentialType.OURANOS_OPERATOR: "Ouranos operator certification",
    CredentialType.STATUS_LIST: "W3C Bitstring Status List v1.0 §2.2",
}
_CATENAX_TYPES = frozenset({CredentialType.MEMBERSHIP, CredentialType.DATA_EXCHANGE_GOVERNANCE, CredentialType.BPN})
_PASSBRIDGE_TYPES = frozenset(CredentialType) - _CATENAX_TYPES - {CredentialType.STATUS_LIST}


def validate_subject(credential_type: CredentialType | str, subject: Mapping[str, Any]) -> None:
    """Check that `subject` has every claim `credential_type` needs, well typed (used before an authority issues).

    Raises:
        InvalidInput: an unknown type, or one violation per missing / ill-typed claim
            (path ``$.credentialSubject.<claim>``).
    """
    try:
        kind = CredentialType(credential_type)
    except ValueError:
        known = ", ".join(t.value for t in CredentialType)
        raise InvalidInput.at("$.type", f"unknown credential type {credential_type!r}; known: {known}") from None
    rule = _RULES.get(kind, "passbridge credential profile")
    violations: list[Violation] = []
    holder = subject.get("id")
    if not isinstance(holder, str) or not holder:
        violations.append(Violation("$.credentialSubject.id", "the holder's DID is required", rule))
    elif kind is not CredentialType.STATUS_LIST and not holder.startswith("did:"):
        violations.append(Violation("$.credentialSubject.id", f"{holder!r} is not a DID", rule))
    for claim in REQUIRED_CLAIMS[kind]:
        value = subject.get(claim)
        path = f"$.credentialSubject.{claim}"
        if value is None:
            violations.append(Violation(path, f"required for {kind.value}", rule))
        elif not isinstance(value, str) or not value.strip():
            violations.append(Violation(path, "must be a non-empty string", rule))
        elif claim in _FIXED_CLAIMS.get(kind, {}) and value != _FIXED_CLAIMS[kind][claim]:
            violations.append(Violation(path, f"must be {_FIXED_CLAIMS[kind][claim]!r}, not {value!r}", rule))
    status = subject.get("certificationStatus")
    if kind is CredentialType.OURANOS_OPERATOR and isinstance(status, str) and status not in CERTIFICATION_STATUSES:
        allowed = ", ".join(sorted(CERTIFICATION_STATUSES))
        violations.append(Violation("$.credentialSubject.certificationStatus", f"{status!r}; one of {allowed}", rule))
    if violations:
        raise InvalidInput(violations)


def _datetime(value: Any, member: str, subject: str) -> datetime:
    if not isinstance(value, str):
        raise refuse(Refusal.MALFORMED, f"{member} must be an XML Schema dateTimeStamp string", subject)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise refuse(Refusal.MALFORMED, f"{member} {value!r} is not a dateTimeStamp", subject) from None
    if parsed.tzinfo is None:
        raise refuse(Refusal.MALFORMED, f"{member} {value!r} has no time zone", subject)
    return parsed.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("credential times must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def timestamp(moment: datetime) -> int:
    """A NumericDate (seconds) of a timezone-aware moment."""
    if moment.tzinfo is None:
        raise ValueError("credential times must be timezone-aware")
    return int(moment.timestamp())


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """Where a credential's status bit lives (``BitstringStatusListEntry``, Bitstring Status List v1.0 §2.1)."""

    list_url: str
    index: int
    purpose: str = "revocation"

    def to_json(self) -> dict[str, Any]:
        """The ``credentialStatus`` member."""
        return {
            "id": f"{self.list_url}#{self.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.purpose,
            "statusListIndex": str(self.index),
            "statusListCredential": self.list_url,
        }

    @classmethod
    def from_json(cls, obj: Any, subject: str = "credential") -> StatusEntry:
        """Parse a ``BitstringStatusListEntry`` (index as a decimal string, or an integer from lenient issuers).

        Raises:
            VerificationFailed: malformed, or another status type (``StatusList2021Entry`` is the VC 1.1 profile).
        """
        if not isinstance(obj, Mapping):
            raise refuse(Refusal.MALFORMED, "credentialStatus must be an object", subject)
        if obj.get("type") != "BitstringStatusListEntry":
            raise refuse(Refusal.MALFORMED, f"credentialStatus type {obj.get('type')!r} is not supported", subject)
        url, purpose, raw = obj.get("statusListCredential"), obj.get("statusPurpose"), obj.get("statusListIndex")
        if not isinstance(url, str) or not url:
            raise refuse(Refusal.MALFORMED, "credentialStatus.statusListCredential must be a URL", subject)
        if not isinstance(purpose, str) or not purpose:
            raise refuse(Refusal.MALFORMED, "credentialStatus.statusPurpose is required", subject)
        if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 12:
            index = int(raw)
        elif isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            index = raw
        else:
            raise refuse(Refusal.MALFORMED, f"credentialStatus.statusListIndex {raw!r} is not an index", subject)
        return cls(url, index, purpose)


@dataclass(frozen=True, slots=True)
class Credential:
    """A verifiable credential (VC Data Model 2.0). ``subject["id"]`` is the holder's DID.

    `extra_types` holds types besides ``VerifiableCredential`` and `type` (foreign credentials may list more);
    `extra_status` holds further status entries (e.g. a ``suspension`` entry next to the ``revocation`` one).
    """

    id: str
    type: str
    issuer: str
    subject: Mapping[str, Any]
    valid_from: datetime
    valid_until: datetime | None
    status: StatusEntry | None = None
    extra_types: tuple[str, ...] = ()
    extra_status: tuple[StatusEntry, ...] = ()

    @property
    def types(self) -> tuple[str, ...]:
        """Every type, ``VerifiableCredential`` first."""
        return (VERIFIABLE_CREDENTIAL, self.type, *self.extra_types)

    @property
    def statuses(self) -> tuple[StatusEntry, ...]:
        """Every status entry."""
        return ((self.status,) if self.status is not None else ()) + self.extra_status

    @property
    def holder(self) -> str | None:
        """``credentialSubject.id``."""
        holder = self.subject.get("id")
        return holder if isinstance(holder, str) else None

    def to_json(self) -> dict[str, Any]:
        """The VC 2.0 JSON (the payload of the ``vc+jwt``, without JWT claims)."""
        contexts = [VC_CONTEXT]
        if self.type in _CATENAX_TYPES:
            contexts.append(CATENAX_CONTEXT)
        elif self.type in _PASSBRIDGE_TYPES:
            contexts.append(PASSBRIDGE_CONTEXT)
        document: dict[str, Any] = {
            "@context": contexts,
            "id": self.id,
            "type": list(self.types),
            "issuer": self.issuer,
            "validFrom": _stamp(self.valid_from),
        }
        if self.valid_until is not None:
            document["validUntil"] = _stamp(self.valid_until)
        document["credentialSubject"] = dict(self.subject)
        statuses = self.statuses
        if len(statuses) == 1:
            document["credentialStatus"] = statuses[0].to_json()
        elif statuses:
            document["credentialStatus"] = [s.to_json() for s in statuses]
        return document

    @classmethod
    def from_json(cls, obj: Any, subject_label: str = "credential") -> Credential:
        """Parse VC 2.0 JSON.

        Raises:
            VerificationFailed: ``malformed``, naming the member that is missing or of the wrong kind.
        """
        label = subject_label
        if not isinstance(obj, Mapping):
            raise refuse(Refusal.MALFORMED, "a credential must be a JSON object", label)
        contexts = obj.get("@context")
        first = contexts[0] if isinstance(contexts, list) and contexts else contexts
        if first != VC_CONTEXT:
            raise refuse(Refusal.MALFORMED, f"@context must start with {VC_CONTEXT} (VC 2.0), not {first!r}", label)
        types = obj.get("type")
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise refuse(Refusal.MALFORMED, "type must be an array of strings", label)
        own = [t for t in types if t != VERIFIABLE_CREDENTIAL]
        if VERIFIABLE_CREDENTIAL not in types or not own:
            raise refuse(Refusal.MALFORMED, f"type {types!r} must hold VerifiableCredential and a type", label)
        issuer = obj.get("issuer")
        issuer = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        if not isinstance(issuer, str) or not issuer:
            raise refuse(Refusal.MALFORMED, "issuer must be a DID (or an object with an id)", label)
        credential_id = obj.get("id")
        if not isinstance(credential_id, str) or not credential_id:
            raise refuse(Refusal.MALFORMED, "id is required", label)
        claims = obj.get("credentialSubject")
        if not isinstance(claims, Mapping):
            raise refuse(Refusal.MALFORMED, "credentialSubject must be one object", label)
        if "validFrom" not in obj:
            raise refuse(Refusal.MALFORMED, "validFrom is required", label)
        valid_from = _datetime(obj["validFrom"], "validFrom", label)
        valid_until = _datetime(obj["validUntil"], "validUntil", label) if "validUntil" in obj else None
        raw_status = obj.get("credentialStatus")
        entries = raw_status if isinstance(raw_status, list) else [] if raw_status is None else [raw_status]
        statuses = tuple(StatusEntry.from_json(entry, label) for entry in entries)
        return cls(
            credential_id,
            own[0],
            issuer,
            dict(claims),
            valid_from,
            valid_until,
            statuses[0] if statuses else None,
            tuple(own[1:]),
            statuses[1:],
        )


@dataclass(frozen=True, slots=True)
class CredentialJwt:
    """A credential JWT taken apart, not verified: the credential, the header ``kid`` and every JWT claim."""

    credential: Credential
    kid: str | None
    claims: Mapping[str, Any]


def issue_credential(credential: Credential, key: SigningKey, kid: str) -> str:
    """A ``vc+jwt``: the VC JSON plus ``iss``, ``sub``, ``jti``, ``iat``/``nbf`` (validFrom) and ``exp``
    (validUntil), signed with `key`. `kid` is the full verification method id (``did:web:…#<kid>``)."""
    claims = credential.to_json()
    claims["iss"] = credential.issuer
    if credential.holder is not None:
        claims["sub"] = credential.holder
    claims["jti"] = credential.id
    claims["iat"] = claims["nbf"] = timestamp(credential.valid_from)
    if credential.valid_until is not None:
        claims["exp"] = timestamp(credential.valid_until)
    return jose.sign(key, claims, typ="vc+jwt", kid=kid)


def _with_valid_from(claims: dict[str, Any], subject: str) -> dict[str, Any]:
    """VC 2.0 makes ``validFrom`` optional; a JWT credential without it starts to hold at ``nbf`` (else ``iat``)."""
    start = claims.get("nbf", claims.get("iat"))
    if "validFrom" in claims or not isinstance(start, int | float) or isinstance(start, bool):
        return claims
    try:
        return {**claims, "validFrom": _stamp(datetime.fromtimestamp(start, UTC))}
    except (OverflowError, OSError, ValueError):
        raise refuse(Refusal.MALFORMED, f"nbf/iat {start!r} is not a usable NumericDate", subject) from None


def read_credential_jwt(token: str, subject: str = "credential") -> CredentialJwt:
    """Take a ``vc+jwt`` apart *without* verifying it.

    Raises:
        VerificationFailed: too large, not a JWS, an algorithm never accepted, a presentation's ``typ``, or a
            malformed credential — including JWT claims contradicting it (``iss`` ≠ issuer, ``sub`` ≠ holder,
            ``jti`` ≠ id).
    """
    header, claims = jose.peek(token, subject)
    typ = header.get("typ")
    if typ is not None and typ not in _CREDENTIAL_TYPS:
        raise refuse(Refusal.MALFORMED, f"typ {typ!r} is not a credential", subject)
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise refuse(Refusal.MALFORMED, "kid must be a string", subject)
    credential = Credential.from_json(_with_valid_from(claims, subject), subject)
    if claims.get("iss") != credential.issuer:
        raise refuse(Refusal.MALFORMED, f"iss {claims.get('iss')!r} ≠ issuer {credential.issuer!r}", subject)
    if "sub" in claims and claims["sub"] != credential.holder:
        raise refuse(Refusal.MALFORMED, f"sub {claims['sub']!r} ≠ credentialSubject.id {credential.holder!r}", subject)
    if "jti" in claims and claims["jti"] != credential.id:
        raise refuse(Refusal.MALFORMED, f"jti {claims['jti']!r} ≠ id {credential.id!r}", subject)
    return CredentialJwt(credential, kid, claims)


def check_validity(jwt: CredentialJwt, now: datetime, subject: str = "credential") -> None:
    """``validFrom`` / ``validUntil`` (VC 2.0 §4.9) and the JWT ``nbf`` / ``exp`` / ``iat``, with `jose`'s leeway.

    Raises:
        VerificationFailed: ``not-yet-valid``, ``expired``, or a time claim that is not a number (``malformed``).
    """
    credential, at = jwt.credential, now.timestamp()
    if at < credential.valid_from.timestamp() - jose.LEEWAY_SECONDS:
        raise refuse(Refusal.NOT_YET_VALID, f"validFrom {credential.valid_from.isoformat()}", subject)
    if credential.valid_until is not None and at > credential.valid_until.timestamp() + jose.LEEWAY_SECONDS:
        raise refuse(Refusal.EXPIRED, f"validUntil {credential.valid_until.isoformat()}", subject)
    jose.check_times(jwt.claims, now, subject, require_exp=False)


def read_credential(token: str, subject: str = "credential") -> Credential:
    """The credential in a ``vc+jwt``, *without* verifying it (see `read_credential_jwt`)."""
    return read_credential_jwt(token, subject).credential


__all__ = [
    "CATENAX_CONTEXT",
    "CERTIFICATION_STATUSES",
    "ENVELOPED_CREDENTIAL",
    "ENVELOPE_PREFIX",
    "PASSBRIDGE_CONTEXT",
    "REQUIRED_CLAIMS",
    "VC_CONTEXT",
    "VERIFIABLE_CREDENTIAL",
    "VERIFIABLE_PRESENTATION",
    "Credential",
    "CredentialJwt",
    "CredentialType",
    "StatusEntry",
    "check_validity",
    "issue_credential",
    "read_credential",
    "read_credential_jwt",
    "timestamp",
    "validate_subject",
]
