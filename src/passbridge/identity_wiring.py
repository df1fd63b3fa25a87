"""Composition of a node's identity (part of the composition root, kept apart from `bootstrap` for size):
keys → DID → resolver with address policy and cache → holder, verifier and, on an authority, the authority.
"""

from __future__ import annotations

import httpx

from passbridge.clock import Clock
from passbridge.identity.acceptance import TrustListSource
from passbridge.identity.authority import AuthorityIdentity, AuthorityService
from passbridge.identity.callers import CallerVerification
from passbridge.identity.did import CachingDidResolver, did_web
from passbridge.identity.holder import HolderIdentity, HolderService
from passbridge.identity.keys import KeyStore, SigningKey
from passbridge.identity.ports import IdentityUnitOfWorkFactory
from passbridge.identity.refusals import Refusal, refuse
from passbridge.identity.services import NodeIdentity, StoredReplayGuard
from passbridge.identity.trust import TrustList
from passbridge.identity.verifier import PresentationVerifier
from passbridge.outbound.did_web import DidWebResolver
from passbridge.outbound.fetchers import CredentialServiceClient, HttpStatusListSource, HttpTrustListSource
from passbridge.outbound.http import AddressPolicy, guarded_transport
from passbridge.settings import NodeRole, Settings
from passbridge.storage.identity import replay_store

PRESENTATION_CACHE_SECONDS = 30.0
"""Longest a DSP caller's verified presentation is reused (`CallerVerification.dataspace_caller`)."""

SIGNING_KEY = "node-signing"
"""The node's DID key: signs credentials, presentations, SI tokens, trust lists and passports."""


class NoTrustAnchor:
    """A node without `authority_url` trusts nobody (every credential: issuer-not-trusted)."""

    def current(self) -> TrustList:
        """Always refuses."""
        raise refuse(Refusal.ISSUER_NOT_TRUSTED, "this node has no trust anchor (set authority_url)", "trust list")


class LocalTrustList:
    """An authority verifies against its own current trust list."""

    def __init__(self, authority: AuthorityService) -> None:
        self._authority = authority

    def current(self) -> TrustList:
        """The authority's trust list."""
        return self._authority.trust_list()


def address_policy(settings: Settings) -> AddressPolicy:
    """Which addresses the node may call: https to public addresses; http to loopback only if allowed."""
    return AddressPolicy(
        allow_http_loopback=settings.allow_http_loopback, allowed_hosts=frozenset(settings.allowed_hosts)
    )


def outbound_client(settings: Settings) -> httpx.Client:
    """The node's HTTP client: every connection re-checks the address it connects to (no DNS rebinding), no
    environment proxies, no automatic redirects."""
    return httpx.Client(transport=guarded_transport(address_policy(settings)), trust_env=False, follow_redirects=False)


def build_identity(
    settings: Settings, clock: Clock, uow: IdentityUnitOfWorkFactory, keys: KeyStore, http: httpx.Client
) -> NodeIdentity:
    """The node's identity services from its settings."""
    base_url = settings.effective_public_url
    did = did_web(base_url)
    key = keys.signing_key(SIGNING_KEY)
    policy = address_policy(settings)
    resolver = CachingDidResolver(DidWebResolver(http, policy), ttl_seconds=settings.identity_cache_seconds)
    replay = StoredReplayGuard(uow, clock, store=replay_store(uow))
    outbound = CredentialServiceClient(http, policy)
    authority = None
    if NodeRole.AUTHORITY in settings.roles:
        authority = AuthorityService(
            uow, clock, AuthorityIdentity(did, key, base_url, settings.data_space), resolver, replay, outbound
        )
    trust: TrustListSource
    if settings.authority_url:
        anchor = settings.authority_url.rstrip("/")
        trust = HttpTrustListSource(
            http,
            policy,
            f"{anchor}/authority/trust-list",
            did_web(anchor),
            resolver,
            clock.now,
            ttl_seconds=settings.identity_cache_seconds,
        )
    elif authority is not None:
        trust = LocalTrustList(authority)
    else:
        trust = NoTrustAnchor()
    status = HttpStatusListSource(http, policy)
    verifier = PresentationVerifier(resolver, trust, status, status_ttl_seconds=settings.identity_cache_seconds)
    holder_identity = HolderIdentity(did, key)

    def published() -> list[SigningKey]:
        return [keys.signing_key(SIGNING_KEY), *keys.retained(SIGNING_KEY)]

    return NodeIdentity(
        did,
        base_url,
        published,
        HolderService(uow, clock, holder_identity, resolver, replay, outbound),
        CallerVerification(
            clock,
            holder_identity,
            resolver,
            replay,
            outbound,
            verifier,
            trust,
            presentation_ttl_seconds=min(settings.identity_cache_seconds, PRESENTATION_CACHE_SECONDS),
        ),
        authority,
    )


__all__ = ["PRESENTATION_CACHE_SECONDS", "SIGNING_KEY", "address_policy", "build_identity", "outbound_client"]
