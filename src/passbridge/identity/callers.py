"""The verifier side of DCP 1.0: turn a caller's self-issued ID token into verified credentials.

`CallerVerification.verify` runs the presentation flow: check the caller's SI token (audience = us, replay), find
the caller's credential service in its DID document, query it with our own SI token carrying the caller's access
token, and verify what comes back with the `PresentationVerifier` (signatures, holder binding, trust list with
recognitions, revocation, validity). `reader_role` maps the passport reader credentials to access roles, so the
passport API sees only a `Caller`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from passbridge.clock import Clock
from passbridge.errors import VerificationFailed
from passbridge.identity.credentials import CredentialType
from passbridge.identity.did import CREDENTIAL_SERVICE, DidResolver
from passbridge.identity.holder import HolderIdentity, scope_for
from passbridge.identity.ports import CredentialServicePort
from passbridge.identity.refusals import Refusal, refuse
from passbridge.identity.siop import ReplayGuard, issue_si_token, verify_si_token
from passbridge.identity.verifier import PresentationVerifier, TrustListSource, VerifiedPresentation
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
    ) -> None:
        self._clock, self._identity, self._resolver = clock, identity, resolver
        self._replay, self._outbound, self._verifier, self._trust = replay, outbound, verifier, trust

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
        caller = verify_si_token(si_token, self._resolver, self._identity.did, now, self._replay)
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
