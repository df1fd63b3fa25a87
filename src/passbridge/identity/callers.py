"""The verifier side of DCP 1.0: turn a caller's self-issued ID token into verified credentials.

`CallerVerification.verify` runs the presentation flow: check the caller's SI token (audience = us, replay), find
the caller's credential service in its DID document, query it with our own SI token carrying the caller's access
token, and verify what comes back with the `PresentationVerifier` (signatures, holder binding, trust list with
recognitions, revocation, validity). `reader_role` maps the passport reader credentials to access roles, so the
passport API sees only a `Caller`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from passbridge.clock import Clock
from passbridge.errors import VerificationFailed
from passbridge.identity import jose
from passbridge.identity.acceptance import TrustListSource, VerifiedCredential, VerifiedPresentation
from passbridge.identity.credentials import CredentialType
from passbridge.identity.did import CREDENTIAL_SERVICE, DidDocument, DidResolver
from passbridge.identity.holder import HolderIdentity, scope_for
from passbridge.identity.ports import CredentialServicePort
from passbridge.identity.refusals import Refusal, refuse
from passbridge.identity.siop import ReplayGuard, SelfIssuedToken, issue_si_token, verify_si_token
from passbridge.identity.verifier import PresentationVerifier
from passbridge.passport.access import Role

PASSPORT_ACCESS = "passport-access"
DATASPACE = "dataspace"

READER_ROLES: Mapping[CredentialType, Role] = {
    CredentialType.COMMISSION: Role.COMMISSION,
    CredentialType.MARKET_SURVEILLANCE_AUTHORITY: Role.MARKET_SURVEILLANCE,
    CredentialType.NOTIFIED_BODY: Role.NOTIFIED_BODY,
    CredentialType.LEGITIMATE_INTEREST: Role.LEGITIMATE_INTEREST,
}
"""Reader credentials, strongest first, and the passport access role each grants."""

_CACHE_SIZE = 10_000


class _WouldWait(Exception):
    """`_CachedOnly` has no fresh document: resolving would mean a network call."""


class _CachedOnly:
    """A `DidResolver` answering from a `CachingDidResolver`'s fresh entries only (`_WouldWait` otherwise)."""

    def __init__(self, resolver: DidResolver) -> None:
        self._cached = getattr(resolver, "cached", None)

    def resolve(self, did: str) -> DidDocument:
        document = self._cached(did) if self._cached is not None else None
        if not isinstance(document, DidDocument):
            raise _WouldWait(did)
        return document


class CallerVerification:
    """Verifies callers that authenticate with DCP."""

    def __init__(
        self,
        clock: Clock,
        identity: HolderIdentity,
        resolver: DidResolver,
        replay: ReplayGuard,
        outbound: CredentialServicePort,
        verifier: PresentationVerifier,
        trust: TrustListSource,
        *,
        presentation_ttl_seconds: float = 0.0,
    ) -> None:
        self._clock, self._identity, self._resolver = clock, identity, resolver
        self._replay, self._outbound, self._verifier, self._trust = replay, outbound, verifier, trust
        self._presentation_ttl = presentation_ttl_seconds
        self._verified: dict[tuple[str, tuple[str, ...]], tuple[VerifiedPresentation, datetime]] = {}
        self._lock = threading.Lock()

    def query_types(self, wanted: Sequence[str]) -> list[str]:
        """`wanted` plus every foreign type the trust list's recognitions map onto one of them (an Ouranos operator
        credential stands in for Catena-X membership, so the caller is asked for it too)."""
        types = list(wanted)
        try:
            recognitions = getattr(self._trust.current(), "recognitions", ())
        except VerificationFailed:
            return types  # no usable trust list: verification will refuse with the reason
        for recognition in recognitions:
            for mapping in recognition.mappings:
                if mapping.our_type in wanted and mapping.foreign_type not in types:
                    types.append(mapping.foreign_type)
        return types

    def presentations(self, si_token: str, wanted: Sequence[str]) -> tuple[str, list[str]]:
        """(caller DID, presentations) fetched from the caller's credential service for `wanted` types."""
        now = self._clock.now()
        return self._query(verify_si_token(si_token, self._resolver, self._identity.did, now, self._replay), wanted)

    def _query(self, caller: SelfIssuedToken, wanted: Sequence[str]) -> tuple[str, list[str]]:
        now = self._clock.now()
        if not caller.access_token:
            raise refuse(
                Refusal.MALFORMED, "no 'token' claim: nothing to query the credential service with", "SI token"
            )
        endpoint = self._resolver.resolve(caller.holder).service(CREDENTIAL_SERVICE)
        if endpoint is None:
            raise refuse(Refusal.DID_UNRESOLVABLE, f"{caller.holder} has no CredentialService entry", "caller DID")
        ours = issue_si_token(
            self._identity.did,
            self._identity.key,
            self._identity.kid,
            caller.holder,
            now,
            access_token=caller.access_token,
        )
        presentations = self._outbound.query(endpoint, ours, [scope_for(kind) for kind in self.query_types(wanted)])
        if not presentations:
            raise refuse(Refusal.MISSING_CREDENTIAL, f"no presentation of {list(wanted)}", "presentation query")
        return caller.holder, presentations

    def verify(self, si_token: str, wanted: Sequence[str], purpose: str = DATASPACE) -> VerifiedPresentation:
        """The caller's verified credentials covering every `wanted` type.

        Raises:
            VerificationFailed: with the refusal of the first check that failed.
        """
        holder, presentations = self.presentations(si_token, wanted)
        failure: VerificationFailed | None = None
        for presentation in presentations:
            try:
                return self._verifier.verify_presentation(
                    presentation,
                    holder=holder,
                    audience=self._identity.did,
                    wanted=wanted,
                    purpose=purpose,
                    now=self._clock.now(),
                )
            except VerificationFailed as exc:
                failure = exc
        assert failure is not None
        raise failure

    def dataspace_caller(self, si_token: str, wanted: Sequence[str]) -> VerifiedPresentation:
        """A data-space counterparty (DSP): its verified `wanted` credentials (for ``dataspace``) together with any
        passport reader credentials it also presents (for ``passport-access``), from one SI token — the token's
        ``jti`` can be used once, so both are asked for in a single presentation query. Reader credentials that do
        not verify are left out (they only widen what the counterparty may see).

        The SI token is checked on every call. What the caller's credential service proved is remembered per caller
        for `presentation_ttl_seconds` (at most until a credential expires), as Tractus-X EDC caches presentations:
        a negotiation is four DSP messages, each would otherwise cost a presentation query and its verification.
        A revocation therefore reaches a DSP verifier within the status-list cache time plus this time.

        Raises:
            VerificationFailed: the `wanted` credentials do not verify (the refusal of the first check that failed).
        """
        now = self._clock.now()
        caller = verify_si_token(si_token, self._resolver, self._identity.did, now, self._replay)
        cached = self._remembered(caller.holder, wanted, now)
        if cached is not None:
            return cached
        readers = [kind.value for kind in READER_ROLES if kind.value not in wanted]
        holder, presentations = self._query(caller, [*wanted, *readers])
        failure: VerificationFailed | None = None
        required: VerifiedPresentation | None = None
        for presentation in presentations:
            try:
                required = self._verifier.verify_presentation(
                    presentation, holder=holder, audience=self._identity.did, wanted=wanted, purpose=DATASPACE, now=now
                )
                break
            except VerificationFailed as exc:
                failure = exc
        if required is None:
            assert failure is not None
            raise failure
        extra: list[VerifiedCredential] = []
        for kind in readers:
            for presentation in presentations:
                try:
                    verified = self._verifier.verify_presentation(
                        presentation,
                        holder=holder,
                        audience=self._identity.did,
                        wanted=[kind],
                        purpose=PASSPORT_ACCESS,
                        now=now,
                    )
                except VerificationFailed:
                    continue
                extra += [c for c in verified.credentials if c.accepted_as == kind]
                break
        result = VerifiedPresentation(holder, (*required.credentials, *extra))
        if self._presentation_ttl > 0:
            until = min(
                [now + timedelta(seconds=self._presentation_ttl)]
                + [c.credential.valid_until for c in result.credentials if c.credential.valid_until is not None]
            )
            with self._lock:
                if len(self._verified) >= _CACHE_SIZE:
                    self._verified.clear()
                self._verified[(caller.holder, tuple(wanted))] = (result, until)
        return result

    def _remembered(self, holder: str, wanted: Sequence[str], now: datetime) -> VerifiedPresentation | None:
        with self._lock:
            cached = self._verified.get((holder, tuple(wanted)))
        return cached[0] if cached is not None and now < cached[1] else None

    def cached_dataspace_caller(self, si_token: str, wanted: Sequence[str]) -> VerifiedPresentation | None:
        """`dataspace_caller` when it can answer without waiting on anyone — the caller's DID document and its
        verified presentation are cached, so only the SI token is checked (signature, times, replay) — for callers
        on an event loop. None when it cannot, decided before the token's ``jti`` is used: `dataspace_caller` then
        checks the same token in full.

        Raises:
            VerificationFailed: the SI token does not verify (a replay included).
        """
        try:
            _, claims = jose.peek(si_token, "SI token")
        except VerificationFailed:
            return None  # `dataspace_caller` refuses it, with the same reason
        holder = claims.get("sub")
        now = self._clock.now()
        remembered = self._remembered(holder, wanted, now) if isinstance(holder, str) else None
        if remembered is None:
            return None
        try:
            caller = verify_si_token(si_token, _CachedOnly(self._resolver), self._identity.did, now, self._replay)
        except _WouldWait:
            return None  # the DID document has to be fetched: nothing was recorded yet
        # `remembered` was valid at `now`, the moment the token was checked at; `sub` is now verified as its holder
        return remembered if caller.holder == holder else None

    def reader(self, si_token: str) -> tuple[str, Role, VerifiedPresentation]:
        """(caller DID, strongest passport reader role, its verification) of a caller presenting reader credentials.

        Raises:
            VerificationFailed: no reader credential verifies; the refusal of the strongest type tried.
        """
        holder, presentations = self.presentations(si_token, [kind.value for kind in READER_ROLES])
        first: VerificationFailed | None = None
        for kind, role in READER_ROLES.items():
            for presentation in presentations:
                try:
                    verified = self._verifier.verify_presentation(
                        presentation,
                        holder=holder,
                        audience=self._identity.did,
                        wanted=[kind.value],
                        purpose=PASSPORT_ACCESS,
                        now=self._clock.now(),
                    )
                    return holder, role, verified
                except VerificationFailed as exc:
                    if first is None or (first.refusal == Refusal.MISSING_CREDENTIAL.value):
                        first = exc
        assert first is not None
        raise first


__all__ = ["DATASPACE", "PASSPORT_ACCESS", "READER_ROLES", "CallerVerification"]
