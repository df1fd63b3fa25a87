"""Signed trust lists: which issuers a data space trusts for which credential types, and which foreign issuers it
recognises (mutual recognition between Catena-X and Ouranos).

Layout: `TrustedIssuer`, `TypeMapping`, `Recognition`, `Acceptance`, `TrustList` (its `accept` is the one decision
verifiers make), and, in `trust_wire`, `sign_trust_list` / `verify_trust_list` (the list travels as a JWS with
``typ: trustlist+jwt``).

DCP's trust model leaves the list of trusted issuers to the data space's governance authority; here each authority
node publishes it signed. Besides its own issuers (with the credential types each may issue) the list names the
foreign issuers it *recognises*: a mapping of their credential types to ours, with conditions on the credential
subject (the Ouranos operator credential with ``certificationStatus == "certified"`` counts as a Catena-X
``MembershipCredential``), a validity period and the purposes (`PURPOSES`) the recognition counts for. This is the
"mutual certification" of the IPA and Catena-X MoU (April 2024) written down as data.

A recognition is withdrawn by publishing a new version without it. The old version stays validly signed until its
``validUntil``, so verifiers refuse a version older than one they have already seen (`trust_wire.verify_trust_list`'s
`min_version`) and authorities keep ``validUntil`` short: it bounds how long a verifier that cannot fetch the new
version may still honour a withdrawn recognition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from passbridge.errors import InvalidInput, NotFound, Violation
from passbridge.identity.refusals import Refusal, refuse

PURPOSES = ("dataspace", "passport-access")
"""What a recognition can count for: taking part in the data space (DSP/DCP) and reading restricted passport data."""

_RULE = "passbridge trust list"
_SUBJECT = "trust list"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _is_did(value: str) -> bool:
    return value.startswith("did:") and value.count(":") >= 2 and " " not in value


@dataclass(frozen=True, slots=True)
class TrustedIssuer:
    """An issuer of the list's own data space and the credential types it may issue."""

    did: str
    credential_types: frozenset[str]
    name: str = ""


@dataclass(frozen=True, slots=True)
class TypeMapping:
    """A foreign credential type that counts as one of ours when every ``credentialSubject`` claim in `conditions`
    equals its value (exact string comparison)."""

    foreign_type: str
    our_type: str
    conditions: Mapping[str, str] = field(default_factory=dict)

    def unmet(self, subject: Mapping[str, Any]) -> str | None:
        """Why `subject` fails the conditions (the first claim that does not hold), or None if all hold."""
        for claim, expected in self.conditions.items():
            if claim not in subject:
                return f"credentialSubject has no {claim!r} (required: {expected!r})"
            if subject[claim] != expected:
                return f"credentialSubject.{claim} is {subject[claim]!r}, required {expected!r}"
        return None


@dataclass(frozen=True, slots=True)
class Recognition:
    """A foreign issuer whose credentials count as ours, by `mappings`, within a period and for `scope`.

    Raises:
        InvalidInput: on construction, with paths such as ``$.validUntil`` (validFrom < validUntil, at least one
            mapping, a non-empty scope within `PURPOSES`).
    """

    issuer: str
    data_space: str
    mappings: tuple[TypeMapping, ...]
    valid_from: datetime
    valid_until: datetime
    scope: frozenset[str]

    def __post_init__(self) -> None:
        found: list[Violation] = []
        if not _is_did(self.issuer):
            found.append(Violation("$.issuer", f"{self.issuer!r} is not a DID", _RULE))
        if not self.data_space:
            found.append(Violation("$.dataSpace", "the foreign data space must be named", _RULE))
        if not self.mappings:
            found.append(Violation("$.mappings", "a recognition needs at least one type mapping", _RULE))
        for j, mapping in enumerate(self.mappings):
            if not mapping.foreign_type or not mapping.our_type:
                found.append(Violation(f"$.mappings[{j}]", "foreignType and ourType must not be empty", _RULE))
        if self.valid_from.tzinfo is None or self.valid_until.tzinfo is None:
            found.append(Violation("$.validUntil", "validFrom and validUntil must carry a time zone", _RULE))
        elif self.valid_from >= self.valid_until:
            found.append(Violation("$.validUntil", f"{_iso(self.valid_until)} is not after validFrom", _RULE))
        if not self.scope or not self.scope <= set(PURPOSES):
            found.append(Violation("$.scope", f"{sorted(self.scope)}: name purposes of {', '.join(PURPOSES)}", _RULE))
        if found:
            raise InvalidInput(found)


@dataclass(frozen=True, slots=True)
class Acceptance:
    """A credential type accepted from an issuer: `via` is ``"direct"`` or ``"recognition:<data space>"``."""

    our_type: str
    via: str


@dataclass(frozen=True, slots=True)
class TrustList:
    """One version of a data space authority's trust list.

    Raises:
        InvalidInput: on construction (version ≥ 1, validUntil after issuedAt, DIDs, one entry per issuer,
            recognitions of foreign data spaces only).
    """

    authority: str
    data_space: str
    version: int
    issued_at: datetime
    valid_until: datetime
    issuers: tuple[TrustedIssuer, ...] = ()
    recognitions: tuple[Recognition, ...] = ()

    def __post_init__(self) -> None:
        found = self._violations()
        if found:
            raise InvalidInput(found)

    def _violations(self) -> list[Violation]:
        found: list[Violation] = []
        if not _is_did(self.authority):
            found.append(Violation("$.authority", f"{self.authority!r} is not a DID", _RULE))
        if not self.data_space:
            found.append(Violation("$.dataSpace", "the data space must be named", _RULE))
        if isinstance(self.version, bool) or self.version < 1:
            found.append(Violation("$.version", f"{self.version!r} is not a version number ≥ 1", _RULE))
        if self.issued_at.tzinfo is None or self.valid_until.tzinfo is None:
            found.append(Violation("$.validUntil", "issuedAt and validUntil must carry a time zone", _RULE))
        elif self.valid_until <= self.issued_at:
            found.append(Violation("$.validUntil", f"{_iso(self.valid_until)} is not after issuedAt", _RULE))
        seen: set[str] = set()
        for i, issuer in enumerate(self.issuers):
            if not _is_did(issuer.did):
                found.append(Violation(f"$.issuers[{i}].did", f"{issuer.did!r} is not a DID", _RULE))
            if issuer.did in seen:
                found.append(Violation(f"$.issuers[{i}].did", f"{issuer.did} is listed twice", _RULE))
            if not issuer.credential_types:
                found.append(Violation(f"$.issuers[{i}].credentialTypes", "name at least one type", _RULE))
            seen.add(issuer.did)
        seen.clear()
        for i, recognition in enumerate(self.recognitions):
            if recognition.issuer in seen:
                found.append(Violation(f"$.recognitions[{i}].issuer", f"{recognition.issuer} is listed twice", _RULE))
            if recognition.data_space == self.data_space:
                found.append(
                    Violation(f"$.recognitions[{i}].dataSpace", f"{self.data_space} is this list's own space", _RULE)
                )
            seen.add(recognition.issuer)
        return found

    def accept(
        self,
        issuer: str,
        credential_types: Sequence[str],
        subject: Mapping[str, Any],
        wanted_type: str,
        now: datetime,
        purpose: str,
        *,
        checked: str = "credential",
    ) -> Acceptance:
        """Whether a credential of `credential_types` from `issuer`, about `subject` (its ``credentialSubject``),
        counts as `wanted_type` for `purpose` at `now`: directly (one of our issuers, trusted for that type) or by
        a recognition (a mapping whose conditions all hold, within the period and the scope).

        Raises:
            ValueError: `purpose` is not one of `PURPOSES` (a programming error, not a refusal).
            VerificationFailed: ``issuer-not-trusted`` (unknown issuer, trusted for other types only, no mapping,
                or a mapping condition not met, naming the claim); ``recognition-out-of-scope`` (outside the
                recognition's period or purposes). `checked` names the credential in the error.
        """
        if purpose not in PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}; use one of {', '.join(PURPOSES)}")
        types = set(credential_types)
        own = next((entry for entry in self.issuers if entry.did == issuer), None)
        if own is not None and wanted_type in own.credential_types and wanted_type in types:
            return Acceptance(wanted_type, "direct")
        recognition = next((r for r in self.recognitions if r.issuer == issuer), None)
        if recognition is not None:
            return self._by_recognition(recognition, issuer, types, subject, wanted_type, now, purpose, checked)
        if own is not None:
            why = (
                f"is trusted for {sorted(own.credential_types)}, not for {wanted_type}"
                if wanted_type not in own.credential_types
                else f"issued types {sorted(types)}, not {wanted_type}"
            )
            raise refuse(Refusal.ISSUER_NOT_TRUSTED, f"{issuer} {why} ({self.label})", checked)
        raise refuse(
            Refusal.ISSUER_NOT_TRUSTED,
            f"{issuer} is neither a {self.data_space} issuer nor a recognised foreign issuer for {wanted_type} "
            f"({self.label})",
            checked,
        )

    def _by_recognition(
        self,
        recognition: Recognition,
        issuer: str,
        types: set[str],
        subject: Mapping[str, Any],
        wanted_type: str,
        now: datetime,
        purpose: str,
        checked: str,
    ) -> Acceptance:
        where = f"{issuer} ({recognition.data_space})"
        mappings = [m for m in recognition.mappings if m.our_type == wanted_type and m.foreign_type in types]
        if not mappings:
            known = sorted(f"{m.foreign_type} → {m.our_type}" for m in recognition.mappings)
            raise refuse(
                Refusal.ISSUER_NOT_TRUSTED,
                f"{where} is recognised for {known}; none maps the credential's types {sorted(types)} to "
                f"{wanted_type} ({self.label})",
                checked,
            )
        reasons = [(m, m.unmet(subject)) for m in mappings]
        if all(reason is not None for _, reason in reasons):
            mapping, reason = reasons[0]
            raise refuse(
                Refusal.ISSUER_NOT_TRUSTED,
                f"{where}: {mapping.foreign_type} counts as {wanted_type} only if its conditions hold; {reason}",
                checked,
            )
        if not recognition.valid_from <= now <= recognition.valid_until:
            raise refuse(
                Refusal.RECOGNITION_OUT_OF_SCOPE,
                f"recognition of {where} as {wanted_type} is valid from {_iso(recognition.valid_from)} until "
                f"{_iso(recognition.valid_until)}, not at {_iso(now)}",
                checked,
            )
        if purpose not in recognition.scope:
            raise refuse(
                Refusal.RECOGNITION_OUT_OF_SCOPE,
                f"recognition of {where} as {wanted_type} counts for {sorted(recognition.scope)}, not for {purpose!r}",
                checked,
            )
        return Acceptance(wanted_type, f"recognition:{recognition.data_space}")

    @property
    def label(self) -> str:
        """``<data space> trust list v<version>``, for messages."""
        return f"{self.data_space} trust list v{self.version}"

    def _next(self, issued_at: datetime, valid_until: datetime | None, **changes: Any) -> TrustList:
        valid_until = valid_until or self.valid_until
        return replace(self, version=self.version + 1, issued_at=issued_at, valid_until=valid_until, **changes)

    def with_recognition(
        self, recognition: Recognition, issued_at: datetime, valid_until: datetime | None = None
    ) -> TrustList:
        """The next version, recognising `recognition` (replacing an earlier recognition of the same issuer)."""
        others = tuple(r for r in self.recognitions if r.issuer != recognition.issuer)
        return self._next(issued_at, valid_until, recognitions=(*others, recognition))

    def without_recognition(self, issuer: str, issued_at: datetime, valid_until: datetime | None = None) -> TrustList:
        """The next version, no longer recognising `issuer` (the withdrawal of a recognition).

        Raises:
            NotFound: `issuer` is not recognised by this version.
        """
        if not any(r.issuer == issuer for r in self.recognitions):
            raise NotFound(f"{self.label} does not recognise {issuer}")
        remaining = tuple(r for r in self.recognitions if r.issuer != issuer)
        return self._next(issued_at, valid_until, recognitions=remaining)

    def with_issuer(self, issuer: TrustedIssuer, issued_at: datetime, valid_until: datetime | None = None) -> TrustList:
        """The next version, trusting `issuer` (replacing an earlier entry for the same DID)."""
        others = tuple(i for i in self.issuers if i.did != issuer.did)
        return self._next(issued_at, valid_until, issuers=(*others, issuer))

    def without_issuer(self, did: str, issued_at: datetime, valid_until: datetime | None = None) -> TrustList:
        """The next version, no longer trusting the own-space issuer `did`.

        Raises:
            NotFound: `did` is not one of this version's issuers.
        """
        if not any(i.did == did for i in self.issuers):
            raise NotFound(f"{self.label} does not list issuer {did}")
        return self._next(issued_at, valid_until, issuers=tuple(i for i in self.issuers if i.did != did))

    def to_json(self) -> dict[str, Any]:
        """The list as carried in the ``trustList`` claim (camelCase members, times in ISO 8601 UTC)."""
        return {
            "authority": self.authority,
            "dataSpace": self.data_space,
            "version": self.version,
            "issuedAt": _iso(self.issued_at),
            "validUntil": _iso(self.valid_until),
            "issuers": [
                {"did": i.did, "name": i.name, "credentialTypes": sorted(i.credential_types)} for i in self.issuers
            ],
            "recognitions": [
                {
                    "issuer": r.issuer,
                    "dataSpace": r.data_space,
                    "mappings": [
                        {"foreignType": m.foreign_type, "ourType": m.our_type, "conditions": dict(m.conditions)}
                        for m in r.mappings
                    ],
                    "validFrom": _iso(r.valid_from),
                    "validUntil": _iso(r.valid_until),
                    "scope": sorted(r.scope),
                }
                for r in self.recognitions
            ],
        }

    @classmethod
    def from_json(cls, obj: Any) -> TrustList:
        """Parse the ``trustList`` claim.

        Raises:
            VerificationFailed: ``malformed``, naming the member (``$.recognitions[0].validUntil: …``).
        """
        from passbridge.identity.trust_wire import parse_trust_list  # the wire form lives there (module size)

        try:
            return parse_trust_list(obj)
        except InvalidInput as exc:
            first = exc.violations[0]
            raise refuse(Refusal.MALFORMED, f"{first.path}: {first.message}", _SUBJECT) from None


__all__ = [
    "PURPOSES",
    "Acceptance",
    "Recognition",
    "TrustList",
    "TrustedIssuer",
    "TypeMapping",
]
