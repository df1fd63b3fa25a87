"""The identity of one node, put together: its DID document, holder (wallet + credential service), verifier of
DCP callers, and — on an `authority` node — the authority. Built by `bootstrap`; the API and CLI call these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from passbridge.clock import Clock
from passbridge.identity.authority import AuthorityService
from passbridge.identity.callers import CallerVerification
from passbridge.identity.did import CREDENTIAL_SERVICE, DATA_SERVICE, DidDocument, build_document
from passbridge.identity.holder import HolderService
from passbridge.identity.keys import SigningKey
from passbridge.identity.ports import IdentityUnitOfWorkFactory

ISSUER_SERVICE = "IssuerService"


class StoredReplayGuard:
    """SI-token ids seen, kept in the database so every worker process of a node shares them."""

    def __init__(self, uow: IdentityUnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def first_use(self, jti: str, expires_at: float) -> bool:
        """Record `jti` until `expires_at`; False if it was already used (a replay)."""
        with self._uow() as uow:
            fresh = uow.identity.first_use(jti, int(expires_at) + 1, int(self._clock.now().timestamp()))
            uow.commit()
        return fresh


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """Everything identity on one node."""

    did: str
    base_url: str
    published_keys: Callable[[], Sequence[SigningKey]]
    holder: HolderService
    callers: CallerVerification
    authority: AuthorityService | None = None

    def document(self) -> DidDocument:
        """The node's DID document: current and retained signing keys, credential service, DSP endpoint, and the
        issuer service on an authority."""
        services = [
            (CREDENTIAL_SERVICE, f"{self.base_url}/dcp"),
            (DATA_SERVICE, f"{self.base_url}/.well-known/dspace-version"),
        ]
        if self.authority is not None:
            services.append((ISSUER_SERVICE, f"{self.base_url}/dcp/issuer"))
        return build_document(self.did, self.published_keys(), services)


__all__ = ["ISSUER_SERVICE", "NodeIdentity", "StoredReplayGuard"]
