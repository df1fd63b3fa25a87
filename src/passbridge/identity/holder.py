"""The holder side of DCP 1.0 on every company node: the wallet and the credential service.

- `request_credentials`: ask an issuer for credentials (`CredentialRequestMessage` with our SI token); the issuer
  writes them back to `receive` (`CredentialMessage`), which checks each one before it enters the wallet.
- `self_issued_token`: what a caller sends a verifier — an SI token whose ``token`` claim is an access token we
  sign for that verifier and those scopes.
- `answer_query`: the verifier comes back with its own SI token carrying that access token; we check both and
  answer a `PresentationResponseMessage` with one presentation of the credentials the scopes name.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from passbridge.clock import Clock
from passbridge.errors import InvalidInput, Violation
from passbridge.identity import jose
from passbridge.identity.credentials import read_credential
from passbridge.identity.did import DidResolver
from passbridge.identity.keys import SigningKey
from passbridge.identity.ports import CredentialServicePort, IdentityUnitOfWorkFactory, WalletEntry
from passbridge.identity.presentations import issue_presentation
from passbridge.identity.refusals import Refusal, refuse
from passbridge.identity.siop import ReplayGuard, issue_si_token, verify_si_token

DCP_CONTEXT = "https://w3id.org/dspace-dcp/v1.0/dcp.jsonld"
SCOPE_PREFIXES = ("org.eclipse.tractusx.vc.type:", "org.eclipse.dspace.dcp.vc.type:")
ACCESS_TOKEN_TYP = "at+jwt"


def scope_for(credential_type: str) -> str:
    """The Catena-X scope asking for a credential type (``org.eclipse.tractusx.vc.type:<Type>:read``)."""
    return f"{SCOPE_PREFIXES[0]}{credential_type}:read"


def type_of_scope(scope: str) -> str:
    """The credential type a scope names (Catena-X ``…:<Type>:read`` or DCP 1.0 ``…:<Type>``).

    Raises:
        InvalidInput: a scope of another alias.
    """
    for prefix in SCOPE_PREFIXES:
        if scope.startswith(prefix):
            rest = scope[len(prefix) :]
            kind = rest.removesuffix(":read") if prefix == SCOPE_PREFIXES[0] else rest
            if kind and ":" not in kind:
                return kind
    raise InvalidInput([Violation("$.scope", f"unsupported scope {scope!r}; use {SCOPE_PREFIXES[0]}<Type>:read")])


@dataclass(frozen=True, slots=True)
class HolderIdentity:
    """Who this node is as a holder: DID and signing key."""

    did: str
    key: SigningKey

    @property
    def kid(self) -> str:
        """The verification-method id of the signing key."""
        return f"{self.did}#{self.key.kid}"


class HolderService:
    """Wallet and credential service of a company node."""

    def __init__(
        self,
        uow: IdentityUnitOfWorkFactory,
        clock: Clock,
        identity: HolderIdentity,
        resolver: DidResolver,
        replay: ReplayGuard,
        outbound: CredentialServicePort,
    ) -> None:
        self._uow, self._clock, self.identity = uow, clock, identity
        self._resolver, self._replay, self._outbound = resolver, replay, outbound

    def request_credentials(self, issuer_did: str, credential_types: Sequence[str]) -> str:
        """Ask `issuer_did`'s issuer service for credentials; returns the request's Location.

        Raises:
            VerificationFailed: the issuer's DID does not resolve or names no issuer service.
        """
        endpoint = self._resolver.resolve(issuer_did).service("IssuerService")
        if endpoint is None:
            raise refuse(Refusal.DID_UNRESOLVABLE, f"{issuer_did} has no IssuerService entry", "issuer DID")
        message = {
            "@context": [DCP_CONTEXT],
            "type": "CredentialRequestMessage",
            "holderPid": f"urn:uuid:{uuid.uuid4()}",
            "credentials": [{"id": kind} for kind in credential_types],
        }
        token = issue_si_token(self.identity.did, self.identity.key, self.identity.kid, issuer_did, self._clock.now())
        return self._outbound.request_credential(endpoint, token, message)

    def receive(self, si_token: str, message: Mapping[str, Any]) -> list[WalletEntry]:
        """Store the credentials of an issuer's `CredentialMessage` (each signed by the token's issuer, about us).

        Raises:
            VerificationFailed: the SI token or a credential does not verify, or is not issued to this node.
            InvalidInput: not a CredentialMessage.
        """
        now = self._clock.now()
        issuer = verify_si_token(si_token, self._resolver, self.identity.did, now, self._replay).holder
        if not isinstance(message, Mapping) or message.get("type") != "CredentialMessage":
            raise InvalidInput([Violation("$.type", "must be 'CredentialMessage'")])
        entries = message.get("credentials")
        if not isinstance(entries, Sequence) or not entries:
            raise InvalidInput([Violation("$.credentials", "a non-empty array is required")])
        received: list[WalletEntry] = []
        for position, entry in enumerate(entries):
            subject = f"credential {position}"
            token = entry.get("payload") if isinstance(entry, Mapping) else None
            if not isinstance(token, str) or entry.get("format", "jwt") != "jwt":
                raise InvalidInput([Violation(f"$.credentials[{position}].payload", "a JWT credential is required")])
            credential = read_credential(token, subject)
            header, _ = jose.peek(token, subject)
            if credential.issuer != issuer:
                raise refuse(Refusal.WRONG_ISSUER, f"issued by {credential.issuer}, delivered by {issuer}", subject)
            jwk = self._resolver.resolve(issuer).key(header.get("kid"), "assertionMethod", subject)
            jose.verify(token, jwk, subject)
            if credential.subject.get("id") != self.identity.did:
                raise refuse(Refusal.HOLDER_MISMATCH, f"issued to {credential.subject.get('id')}", subject)
            received.append(WalletEntry(credential.id, credential.type, issuer, credential.valid_until, now, token))
        with self._uow() as uow:
            for item in received:
                uow.identity.put_wallet(item)
            uow.commit()
        return received

    def wallet(self) -> list[WalletEntry]:
        """The credentials held."""
        with self._uow(write=False) as uow:
            return uow.identity.wallet()

    def self_issued_token(self, audience: str, credential_types: Sequence[str], ttl_seconds: int = 300) -> str:
        """An SI token for `audience` carrying an access token to our credential service for these types."""
        now = self._clock.now()
        access = jose.sign(
            self.identity.key,
            {
                "iss": self.identity.did,
                "sub": audience,
                "aud": self.identity.did,
                "scope": " ".join(scope_for(kind) for kind in credential_types),
                "iat": int(now.timestamp()),
                "exp": int((now + timedelta(seconds=ttl_seconds)).timestamp()),
                "jti": str(uuid.uuid4()),
            },
            typ=ACCESS_TOKEN_TYP,
            kid=self.identity.kid,
        )
        return issue_si_token(
            self.identity.did,
            self.identity.key,
            self.identity.kid,
            audience,
            now,
            access_token=access,
            ttl_seconds=ttl_seconds,
        )

    def answer_query(self, si_token: str, message: Mapping[str, Any]) -> dict[str, Any]:
        """Answer a verifier's `PresentationQueryMessage` (scopes only; presentation definitions are not supported).

        Raises:
            VerificationFailed: the verifier's SI token or the access token it carries does not verify. Scopes the
                access token does not grant are left out of the answer, not refused (DCP 1.0).
            InvalidInput: not a PresentationQueryMessage, or no / empty / unsupported scopes.
        """
        now = self._clock.now()
        verifier_token = verify_si_token(si_token, self._resolver, self.identity.did, now, self._replay)
        wanted = _query_types(message)
        granted = self._granted(verifier_token.access_token, verifier_token.holder)
        allowed = {kind for kind in wanted if kind in granted}  # unentitled scopes: fewer presentations (DCP 1.0)
        chosen = [
            e.token
            for e in self.wallet()
            if e.credential_type in allowed and (e.valid_until is None or e.valid_until > now)
        ]
        presentations = []
        if chosen:
            presentations.append(
                issue_presentation(
                    self.identity.did, self.identity.key, self.identity.kid, chosen, verifier_token.holder, now
                )
            )
        return {"@context": [DCP_CONTEXT], "type": "PresentationResponseMessage", "presentation": presentations}

    def _granted(self, access_token: str | None, verifier: str) -> set[str]:
        subject = "access token"
        if not access_token:
            raise refuse(Refusal.MALFORMED, "the SI token carries no access token ('token' claim)", subject)
        header, claims = jose.verify(access_token, self.identity.key.public_jwk(), subject)
        if header.get("typ") != ACCESS_TOKEN_TYP or claims.get("iss") != self.identity.did:
            raise refuse(Refusal.WRONG_ISSUER, "not an access token issued by this node", subject)
        if claims.get("sub") != verifier:
            raise refuse(Refusal.WRONG_AUDIENCE, f"issued for {claims.get('sub')}, presented by {verifier}", subject)
        jose.check_times(claims, self._clock.now(), subject)
        return {type_of_scope(scope) for scope in str(claims.get("scope", "")).split()}


def _query_types(message: Mapping[str, Any]) -> list[str]:
    if not isinstance(message, Mapping) or message.get("type") != "PresentationQueryMessage":
        raise InvalidInput([Violation("$.type", "must be 'PresentationQueryMessage'")])
    if "presentationDefinition" in message:
        raise InvalidInput([Violation("$.presentationDefinition", "not supported; query by scope")])
    scopes = message.get("scope")
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) for s in scopes):
        raise InvalidInput([Violation("$.scope", "a non-empty array of scope strings is required")])
    return [type_of_scope(scope) for scope in scopes]


__all__ = ["ACCESS_TOKEN_TYP", "DCP_CONTEXT", "HolderIdentity", "HolderService", "scope_for", "type_of_scope"]
