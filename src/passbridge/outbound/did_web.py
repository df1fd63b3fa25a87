"""did:web resolution over HTTPS: implements `passbridge.identity.did.DidResolver`.

Layout: `DidWebResolver`, `MAX_DID_DOCUMENT_BYTES`.

A did:web DID names the host that serves its document (``did:web:example.com`` →
``https://example.com/.well-known/did.json``, did:web method spec §3.2), and the DID comes from the other party's
token, so the fetch goes through `passbridge.outbound.http` (address policy, no blind redirects, size limit).
``http`` is used only for loopback hosts in demo mode (`AddressPolicy.allow_http_loopback`). Results are not
cached here: bootstrap wraps the resolver in `passbridge.identity.did.CachingDidResolver`.
"""

from __future__ import annotations

import logging

import httpx

from passbridge.errors import MalformedJson
from passbridge.identity.did import DidDocument, did_web_url
from passbridge.identity.refusals import Refusal, refuse
from passbridge.jsoncodec import loads_fast
from passbridge.outbound.http import TIMEOUT_SECONDS, AddressPolicy, fetch_json_or_text, is_loopback_host

logger = logging.getLogger(__name__)

MAX_DID_DOCUMENT_BYTES = 256 * 1024
"""Largest DID document read (a document with a handful of keys and services is a few KB)."""


class DidWebResolver:
    """Fetches and parses did:web documents through an injected `httpx.Client`."""

    def __init__(
        self,
        client: httpx.Client,
        policy: AddressPolicy,
        *,
        max_bytes: int = MAX_DID_DOCUMENT_BYTES,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._client, self._policy = client, policy
        self._max_bytes, self._timeout = max_bytes, timeout

    def url_of(self, did: str) -> str:
        """Where the document of `did` is fetched from (``http`` only for a loopback host in demo mode).

        Raises:
            VerificationFailed: ``did-unresolvable``: not a did:web DID.
        """
        url = did_web_url(did, "https")
        host = httpx.URL(url).host
        if self._policy.allow_http_loopback and is_loopback_host(host):
            return did_web_url(did, "http")
        return url

    def resolve(self, did: str) -> DidDocument:
        """The DID document of `did`, whose ``id`` must be `did`.

        Raises:
            VerificationFailed: ``did-unresolvable`` (not did:web, unreachable, non-2xx, not JSON, not a DID
                document, another ``id``), ``address-refused`` (the policy), ``too-large`` (body over the limit).
        """
        url = self.url_of(did)
        subject = f"DID {did}"
        body = fetch_json_or_text(
            self._client,
            url,
            self._policy,
            subject,
            unreachable=Refusal.DID_UNRESOLVABLE,
            max_bytes=self._max_bytes,
            timeout=self._timeout,
            accept="application/did+json, application/json;q=0.9",
        )
        try:
            document = loads_fast(body)
        except MalformedJson as exc:
            raise refuse(Refusal.DID_UNRESOLVABLE, f"{url} is not JSON: {exc}", subject) from None
        logger.debug("resolved %s from %s", did, url)
        return DidDocument.from_json(document, expected_id=did)


__all__ = ["MAX_DID_DOCUMENT_BYTES", "DidWebResolver"]
