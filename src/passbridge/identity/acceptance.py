"""Which wanted credential types a holder's credentials are accepted as, by the trust list in force.

Layout: the trust-list port a verifier asks (`TrustListSource` → an `AcceptsCredentials` trust list → `Accepted`);
`Coverage` (the wanted types covered so far, and the trust refusals that explain a type left uncovered); the results
of a verification (`VerifiedCredential`, `VerifiedPresentation`). `passbridge.identity.verifier.PresentationVerifier`
runs the checks that lead here.

A credential counts for the first wanted type — uncovered ones first — the trust list accepts its issuer for,
directly or by recognition. A credential the trust list accepts for no wanted type is left out (DCP TCK 5.4.2.2: more
credentials than requested is fine). For a type left uncovered the most specific trust refusal is raised —
``recognition-out-of-scope`` before ``issuer-not-trusted`` — if some credential claimed that type or was recognised
for it; otherwise ``missing-credential``, naming the missing types with the trust refusals met as evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from passbridge.errors import VerificationFailed
from passbridge.identity.credentials import Credential
from passbridge.identity.refusals import Refusal, refuse

_SPECIFICITY = {Refusal.RECOGNITION_OUT_OF_SCOPE.value: 0, Refusal.ISSUER_NOT_TRUSTED.value: 2}


class Accepted(Protocol):
    """What a trust list says about an accepted credential (`passbridge.identity.trust.Acceptance`)."""

    @property
    def our_type(self) -> str:
        """The credential type it counts as here."""

    @property
    def via(self) -> str:
        """``direct`` or ``recognition:<data space>``."""


class AcceptsCredentials(Protocol):
    """A verified trust list (`passbridge.identity.trust.TrustList`)."""

    def accept(
        self,
        issuer: str,
        credential_types: Sequence[str],
        subject: Mapping[str, Any],
        wanted_type: str,
        now: datetime,
        purpose: str,
    ) -> Accepted:
        """How a credential counts as `wanted_type` for `purpose`.

        Raises:
            VerificationFailed: ``issuer-not-trusted`` or ``recognition-out-of-scope``.
        """


class TrustListSource(Protocol):
    """Where the current, verified trust list comes from."""

    def current(self) -> AcceptsCredentials:
        """The trust list in force."""


@dataclass(frozen=True, slots=True)
class VerifiedCredential:
    """A credential that passed every check, the type it was accepted as and how (``direct`` / recognition)."""

    credential: Credential
    accepted_as: str
    via: str


@dataclass(frozen=True, slots=True)
class VerifiedPresentation:
    """A verified presentation: its holder and the credentials accepted for the wanted types."""

    holder: str
    credentials: tuple[VerifiedCredential, ...]

    def types(self) -> frozenset[str]:
        """The types the credentials were accepted as."""
        return frozenset(c.accepted_as for c in self.credentials)


@dataclass(slots=True)
class Coverage:
    """Which wanted types are covered, and the trust refusals met on the way: `refusals` explain a missing type
    (the credential claims that type, or a recognition of it is out of scope); `evidence` are the refusals of
    credentials accepted as nothing, kept for the ``missing-credential`` detail."""

    wanted: tuple[str, ...]
    covered: set[str] = field(default_factory=set)
    refusals: list[tuple[str, VerificationFailed]] = field(default_factory=list)
    evidence: list[VerificationFailed] = field(default_factory=list)

    def attempts(self) -> list[str]:
        """The wanted types in the order a credential is tried against them: uncovered ones first."""
        return [w for w in self.wanted if w not in self.covered] + [w for w in self.wanted if w in self.covered]

    def missing(self) -> list[str]:
        """The wanted types no credential covers yet."""
        return [w for w in self.wanted if w not in self.covered]

    def failure(self) -> VerificationFailed:
        """The error for the missing types: the most specific trust refusal explaining one, else
        ``missing-credential``."""
        missing = self.missing()
        relevant = [exc for wanted, exc in self.refusals if wanted in missing]
        if relevant:
            return min(relevant, key=lambda exc: _SPECIFICITY.get(exc.refusal, 1))
        detail = f"no acceptable credential of {', '.join(missing)}"
        if self.evidence:
            detail += "; not accepted: " + "; ".join(str(exc) for exc in self.evidence[:3])
        return refuse(Refusal.MISSING_CREDENTIAL, detail, "presentation")

    def accept(
        self,
        trust: AcceptsCredentials,
        credential: Credential,
        purpose: str,
        now: datetime,
        label: str,
        strict: bool,
    ) -> Accepted | None:
        """The first wanted type (uncovered ones first) the trust list accepts the credential as, or None; `strict`
        keeps every trust refusal as an explanation (a single credential verified on its own)."""
        unexplained: list[VerificationFailed] = []
        for wanted in self.attempts():
            try:
                acceptance = trust.accept(credential.issuer, credential.types, credential.subject, wanted, now, purpose)
            except VerificationFailed as exc:
                refusal = VerificationFailed(exc.refusal, exc.detail, label)
                if strict or wanted in credential.types or exc.refusal == Refusal.RECOGNITION_OUT_OF_SCOPE.value:
                    self.refusals.append((wanted, refusal))
                else:
                    unexplained.append(refusal)
                continue
            self.covered.add(wanted)
            return acceptance
        self.evidence.extend(unexplained)
        return None


__all__ = [
    "Accepted",
    "AcceptsCredentials",
    "Coverage",
    "TrustListSource",
    "VerifiedCredential",
    "VerifiedPresentation",
]
