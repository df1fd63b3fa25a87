"""The identity of one node, put together: its DID document, holder (wallet + credential service), verifier of
DCP callers, and — on an `authority` node — the authority. Built by `bootstrap`; the API and CLI call these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from passbridge.clock import Clock
from passbridge.identity.authority import AuthorityService
from passbridge.identity.callers import CallerVerification
from passbridge.identity.did import CREDENTIAL_SERVICE, DATA_SERVICE, DidDocument, build_document
from passbridge.identity.holder import HolderService
from passbridge.identity.keys import SigningKey
from passbridge.identity.ports import IdentityUnitOfWorkFactory

ISSUER_SERVICE = "IssuerService"


class ReplayStore(Protocol):
    """A record of seen SI-token ids shared by every worker process of a node (`passbridge.storage.identity`)."""

    def first_use(self, key: str, expires_at: int, now: int) -> bool:
        """Record `key` until `expires_at` (POSIX seconds) in one atomic statement; False if it is already recorded
        and not expired at `now` (a replay)."""


class StoredReplayGuard:
    """SI-token ids seen, kept where every worker process of a node shares them (the `ReplayGuard` port).

    Each accepted token is written to the shared `store` before its request is answered, in one atomic insert:
    of two requests with the same ``jti`` — to one worker or to two, at the same moment or an hour apart — exactly
    one is accepted. There is no window in which a replay to another worker gets through, so nothing is batched or
    remembered only in-process: a batch would open one (a replay sent to a second worker before the first worker's
    flush is accepted), and an in-process first check would only speed up refusals, which are rare. The cost that
    made this guard slow (a unit of work with ``BEGIN IMMEDIATE``, a ``DELETE`` of expired ids and a commit through
    SQLAlchemy per request) is gone: expired ids are deleted once a minute, and on SQLite the ids live in a file of
    their own (`passbridge.storage.identity.SqliteReplayStore`: ~30 µs per token, no change to the node database's
    generation). Without `store`, the ids go to the identity repository through a unit of work, as before.
    """

    def __init__(self, uow: IdentityUnitOfWorkFactory, clock: Clock, *, store: ReplayStore | None = None) -> None:
        self._uow, self._clock, self._store = uow, clock, store

    def first_use(self, jti: str, expires_at: float) -> bool:
        """Record `jti` until `expires_at`; False if it was already used (a replay)."""
        now = int(self._clock.now().timestamp())
        if self._store is not None:
            return self._store.first_use(jti, int(expires_at) + 1, now)
        with self._uow() as uow:
            fresh = uow.identity.first_use(jti, int(expires_at) + 1, now)
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


__all__ = ["ISSUER_SERVICE", "NodeIdentity", "ReplayStore", "StoredReplayGuard"]
