"""The DCP 1.0 presentation verifier: is this presentation, by this holder, for us, proof of the wanted credentials?

Layout: `MAX_CREDENTIALS`, the bounded caches and `PresentationVerifier`. Its ports are `TrustListSource` (defined
with the results `VerifiedCredential` / `VerifiedPresentation` and the coverage of the wanted types in
`passbridge.identity.acceptance`) and `StatusListSource` (defined with the status checks in
`passbridge.identity.statuslist`). Every failed check raises `VerificationFailed` with its own `Refusal` code (DCP 1.0
verifiable presentation protocol §5.4.3):

- presentation: size / shape / algorithm, ``holder`` = ``iss`` = the SI token's subject (``holder-mismatch``), ``aud``
  names us, ``exp`` / ``nbf`` / ``iat``, signature by a key of the holder's DID with the ``authentication``
  relationship, at most `MAX_CREDENTIALS` enveloped ``vc+jwt``.
- each credential: shape, ``credentialSubject.id`` = holder, trust (the trust list accepts its issuer for a wanted
  type, directly or by recognition), the signing key belongs to the issuer's DID (``wrong-issuer``) with
  ``assertionMethod``, signature, ``validFrom``/``validUntil`` and ``nbf``/``exp``, and every revocation / suspension
  status bit clear in a status list signed by the same issuer (anything unclear: ``status-unavailable``, fail
  closed).
- finally every wanted type is covered (`passbridge.identity.acceptance.Coverage`). A credential the trust list
  accepts for no wanted type is left out (DCP TCK 5.4.2.2: more credentials than requested is fine) after its shape
  and holder are checked. For a type left uncovered the most specific trust refusal is raised —
  ``recognition-out-of-scope`` before ``issuer-not-trusted`` — if some credential claimed that type or was recognised
  for it; otherwise ``missing-credential``, naming the missing types with the trust refusals met as evidence.

Trust is decided *before* the issuer's DID is resolved, so credentials of untrusted issuers never make the node fetch
anything. Caching (the warm path does no signature check for a presentation seen before, one otherwise): signatures
of presentations and credentials are remembered by the SHA-256 of the token for `signature_ttl_seconds` (so a key
removed from a DID document stops working within that time); verified status lists per URL for
`status_ttl_seconds`; imported public keys per DID key. Times, holder binding, trust and status bits are evaluated
on every call; the DID document (the resolver's cache) for every signature checked.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from joserfc.jwk import ECKey, OKPKey

from passbridge.identity import jose
from passbridge.identity.acceptance import (
    AcceptsCredentials,
    Coverage,
    TrustListSource,
    VerifiedCredential,
    VerifiedPresentation,
)
from passbridge.identity.credentials import CredentialJwt, check_validity, read_credential_jwt
from passbridge.identity.did import DidDocument, DidResolver
from passbridge.identity.presentations import presentation_of
from passbridge.identity.refusals import Refusal, refuse
from passbridge.identity.statuslist import NEGATIVE_PURPOSES, StatusChecker, StatusListSource

MAX_CREDENTIALS = 64
"""Most credentials one presentation may envelop (each costs a signature check when cold)."""

_TIME_CLAIMS = ("exp", "nbf", "iat")


_K = TypeVar("_K")
_V = TypeVar("_V")


class _Cache(Generic[_K, _V]):
    """A bounded LRU map, safe to share between the threads of a server."""

    def __init__(self, size: int) -> None:
        self._size, self._items, self._lock = size, OrderedDict[_K, _V](), threading.Lock()

    def get(self, key: _K) -> _V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: _K, value: _V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass(frozen=True, slots=True)
class _SignedPresentation:
    holder: str
    audience: tuple[str, ...]
    times: Mapping[str, Any]
    nonce: Any
    credentials: tuple[tuple[str, bytes], ...]  # (vc+jwt, its SHA-256)
    checked_until: float


@dataclass(frozen=True, slots=True)
class _SignedCredential:
    jwt: CredentialJwt
    checked_until: float


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class PresentationVerifier:
    """Verifies DCP presentations and credentials against DID documents, the trust list and status lists."""

    def __init__(
        self,
        resolver: DidResolver,
        trust: TrustListSource,
        status: StatusListSource,
        *,
        status_ttl_seconds: float = 300,
        signature_ttl_seconds: float = 300,
        cache_size: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._resolver, self._trust, self._monotonic = resolver, trust, monotonic
        self._signature_ttl = signature_ttl_seconds
        self._presentations = _Cache[bytes, _SignedPresentation](cache_size)
        self._credentials = _Cache[bytes, _SignedCredential](cache_size)
        self._statuses = StatusChecker(
            status, self._check_signature, ttl_seconds=status_ttl_seconds, cache_size=cache_size, monotonic=monotonic
        )
        self._keys = _Cache[tuple[str, str | None], tuple[Mapping[str, Any], OKPKey | ECKey]](cache_size)

    def verify_presentation(
        self,
        token: str,
        *,
        holder: str,
        audience: str,
        wanted: Sequence[str],
        purpose: str,
        now: datetime,
        nonce: str | None = None,
    ) -> VerifiedPresentation:
        """Verify one ``vp+jwt`` by `holder` (the SI token's subject) sent to `audience` (our DID), proving every
        `wanted` credential type for `purpose`; `nonce`, if given, must be the presentation's.

        Raises:
            VerificationFailed: the first check that failed (see the module docstring for the codes).
        """
        return self.verify_presentations(
            [token], holder=holder, audience=audience, wanted=wanted, purpose=purpose, now=now, nonce=nonce
        )

    def verify_presentations(
        self,
        tokens: Sequence[str],
        *,
        holder: str,
        audience: str,
        wanted: Sequence[str],
        purpose: str,
        now: datetime,
        nonce: str | None = None,
    ) -> VerifiedPresentation:
        """Like `verify_presentation` for the presentations of one ``PresentationResponseMessage``: each must verify,
        and together they must cover `wanted`.

        Raises:
            VerificationFailed: no presentation (``missing-credential``), or the first check that failed.
        """
        if not tokens:
            raise refuse(Refusal.MISSING_CREDENTIAL, "the response holds no presentation", "presentation")
        trust = self._trust.current()
        coverage = Coverage(tuple(wanted))
        accepted: list[VerifiedCredential] = []
        position = 0
        for number, token in enumerate(tokens, 1):
            label = "presentation" if len(tokens) == 1 else f"presentation {number}"
            presentation = self._presentation(token, holder, audience, now, nonce, label)
            for credential_token, digest in presentation.credentials:
                position += 1
                verified = self._credential(
                    credential_token, digest, trust, coverage, holder, purpose, now, f"credential {position}"
                )
                if verified is not None:
                    accepted.append(verified)
        if coverage.missing():
            raise coverage.failure()
        return VerifiedPresentation(holder, tuple(accepted))

    def verify_credential(
        self,
        token: str,
        *,
        wanted_type: str,
        purpose: str,
        now: datetime,
        holder: str | None = None,
        subject: str = "credential",
    ) -> VerifiedCredential:
        """Verify one ``vc+jwt`` as `wanted_type` for `purpose` (bound to `holder` if given).

        Raises:
            VerificationFailed: the first check that failed; a trust refusal is raised as is.
        """
        coverage = Coverage((wanted_type,))
        verified = self._credential(
            token, _digest(token), self._trust.current(), coverage, holder, purpose, now, subject, strict=True
        )
        if verified is None:
            raise coverage.failure()
        return verified

    def _presentation(
        self, token: str, holder: str, audience: str, now: datetime, nonce: str | None, label: str
    ) -> _SignedPresentation:
        digest = _digest(token)
        cached = self._presentations.get(digest)
        if cached is not None and cached.checked_until > self._monotonic():
            self._check_presentation_claims(cached, holder, audience, now, nonce, label)
            return cached
        checked: list[_SignedPresentation] = []

        def key_for(header: dict[str, Any], claims: dict[str, Any]) -> OKPKey | ECKey:
            # Everything that needs no signature, before the signature: the token is parsed once.
            parsed = presentation_of(header, claims, label)
            if len(parsed.credentials) > MAX_CREDENTIALS:
                raise refuse(Refusal.TOO_LARGE, f"{len(parsed.credentials)} credentials > {MAX_CREDENTIALS}", label)
            fresh = _SignedPresentation(
                parsed.holder,
                parsed.audience,
                {name: claims[name] for name in _TIME_CLAIMS if name in claims},
                claims.get("nonce"),
                tuple((vc, _digest(vc)) for vc in parsed.credentials),
                self._monotonic() + self._signature_ttl,
            )
            self._check_presentation_claims(fresh, holder, audience, now, nonce, label)
            document = self._resolver.resolve(parsed.holder)
            if document.id != parsed.holder:
                raise refuse(Refusal.WRONG_ISSUER, f"holder {parsed.holder} ≠ DID document id {document.id}", label)
            checked.append(fresh)
            return self._key(document, parsed.kid, "authentication", label)

        jose.verify_key(token, key_for, label)
        self._presentations.put(digest, checked[0])
        return checked[0]

    @staticmethod
    def _check_presentation_claims(
        presentation: _SignedPresentation, holder: str, audience: str, now: datetime, nonce: str | None, label: str
    ) -> None:
        if presentation.holder != holder:
            raise refuse(Refusal.HOLDER_MISMATCH, f"presented by {presentation.holder}, caller is {holder}", label)
        if audience not in presentation.audience:
            raise refuse(Refusal.WRONG_AUDIENCE, f"aud {list(presentation.audience)} does not name {audience}", label)
        jose.check_times(presentation.times, now, label, require_exp=True)
        if nonce is not None and presentation.nonce != nonce:
            raise refuse(Refusal.REPLAYED, "the presentation does not carry the nonce this verifier sent", label)

    def _credential(
        self,
        token: str,
        digest: bytes,
        trust: AcceptsCredentials,
        coverage: Coverage,
        holder: str | None,
        purpose: str,
        now: datetime,
        label: str,
        *,
        strict: bool = False,
    ) -> VerifiedCredential | None:
        cached = self._credentials.get(digest)
        signed = cached is not None and cached.checked_until > self._monotonic()
        jwt = cached.jwt if cached is not None and signed else read_credential_jwt(token, label)
        credential = jwt.credential
        label = f"{label} ({credential.type})"
        if holder is not None and credential.holder != holder:
            raise refuse(Refusal.HOLDER_MISMATCH, f"credentialSubject.id {credential.holder} ≠ holder {holder}", label)
        acceptance = coverage.accept(trust, credential, purpose, now, label, strict)
        if acceptance is None:
            return None
        if not signed:
            self._check_signature(token, jwt, label)
            self._credentials.put(digest, _SignedCredential(jwt, self._monotonic() + self._signature_ttl))
        check_validity(jwt, now, label)
        for entry in credential.statuses:
            self._statuses.check(entry, credential.issuer, now, label)
        return VerifiedCredential(credential, acceptance.our_type, acceptance.via)

    def _check_signature(self, token: str, jwt: CredentialJwt, label: str) -> None:
        issuer, kid = jwt.credential.issuer, jwt.kid
        if kid is not None and kid.startswith("did:") and kid.split("#", 1)[0] != issuer:
            raise refuse(Refusal.WRONG_ISSUER, f"signed with {kid}, a key of another DID than issuer {issuer}", label)
        document = self._resolver.resolve(issuer)
        if document.id != issuer:
            raise refuse(Refusal.WRONG_ISSUER, f"issuer {issuer} ≠ DID document id {document.id}", label)
        jose.verify_key(token, self._key(document, kid, "assertionMethod", label), label)

    def _key(self, document: DidDocument, kid: str | None, relationship: str, label: str) -> OKPKey | ECKey:
        """The imported public key `kid` names, with `relationship` (checked on every call); imported once per
        DID, kid and JWK — a kid that comes back with another JWK is imported anew."""
        jwk = document.key(kid, relationship, label)
        cached = self._keys.get((document.id, kid))
        if cached is not None and cached[0] == jwk:
            return cached[1]
        key = jose.public_key(jwk, label)
        self._keys.put((document.id, kid), (jwk, key))
        return key


__all__ = [
    "MAX_CREDENTIALS",
    "NEGATIVE_PURPOSES",
    "PresentationVerifier",
    "StatusListSource",
]
