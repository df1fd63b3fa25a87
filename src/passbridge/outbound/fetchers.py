"""Outbound sources the verifier and the issuer need: status lists, the trust list, credential services (DCP).

Layout: `HttpStatusListSource` (status list credentials, fail closed), `HttpTrustListSource` (the authority's
signed trust list, verified and cached), `CredentialServiceClient` (DCP 1.0.1 presentation query, credential
delivery and request). Every call goes through `passbridge.outbound.http.exchange` (address policy, no blind
redirects, size and time limits); URLs come from credentials and DID documents, i.e. from the other party.

Refusal codes when the other side cannot be used: a status list → ``status-unavailable`` (DCP profiles: a
credential whose status cannot be checked is refused); the trust list → ``status-unavailable`` as well (there is
no dedicated code; it is the same fail-closed situation, and a still-valid cached list is kept); a credential
service → ``missing-credential`` (the credentials we asked for did not arrive).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import httpx

from passbridge.errors import MalformedJson, VerificationFailed
from passbridge.identity import jose
from passbridge.identity.did import DidResolver
from passbridge.identity.refusals import Refusal, refuse
from passbridge.identity.trust import TrustList
from passbridge.identity.trust_wire import verify_trust_list
from passbridge.jsoncodec import loads_fast
from passbridge.outbound.http import MAX_BYTES, TIMEOUT_SECONDS, AddressPolicy, exchange, fetch_json_or_text

logger = logging.getLogger(__name__)

DCP_CONTEXT = "https://w3id.org/dspace-dcp/v1.0/dcp.jsonld"
"""The JSON-LD context of DCP 1.0 messages."""


def _text(body: bytes, url: str, subject: str, refusal: Refusal) -> str:
    try:
        text = body.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise refuse(refusal, f"{url} did not answer UTF-8 text", subject) from None
    if not text:
        raise refuse(refusal, f"{url} answered an empty body", subject)
    return text


class HttpStatusListSource:
    """Fetches status list credentials (the compact JWT, served as ``application/vc+jwt`` or similar text)."""

    def __init__(
        self,
        client: httpx.Client,
        policy: AddressPolicy,
        *,
        max_bytes: int = jose.MAX_TOKEN_BYTES,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._client, self._policy = client, policy
        self._max_bytes, self._timeout = max_bytes, timeout

    def fetch(self, url: str) -> str:
        """The status list credential at `url` as JWT text (its signature is checked by the caller).

        Raises:
            VerificationFailed: ``status-unavailable`` (unreachable, non-2xx, empty or non-text body),
                ``address-refused``, ``too-large``.
        """
        subject = f"status list {url}"
        body = fetch_json_or_text(
            self._client,
            url,
            self._policy,
            subject,
            unreachable=Refusal.STATUS_UNAVAILABLE,
            max_bytes=self._max_bytes,
            timeout=self._timeout,
            accept="application/vc+jwt, application/jwt, text/plain;q=0.5",
        )
        return _text(body, url, subject, Refusal.STATUS_UNAVAILABLE)


class HttpTrustListSource:
    """The current trust list of one authority, fetched from `url`, verified, and cached for `ttl_seconds`.

    A failed refresh keeps the cached list while it is still valid (and is retried after `retry_seconds`); a
    version older than the cached one is refused (``replayed``) and the cached one kept. With nothing valid
    cached, the failure is raised: no trust list, no trust.
    """

    def __init__(
        self,
        client: httpx.Client,
        policy: AddressPolicy,
        url: str,
        authority_did: str,
        resolver: DidResolver,
        now: Callable[[], datetime],
        ttl_seconds: float = 300.0,
        *,
        retry_seconds: float = 30.0,
        max_bytes: int = jose.MAX_TOKEN_BYTES,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._client, self._policy, self._url = client, policy, url
        self._authority, self._resolver, self._now = authority_did, resolver, now
        self._ttl, self._retry = timedelta(seconds=ttl_seconds), timedelta(seconds=retry_seconds)
        self._max_bytes, self._timeout = max_bytes, timeout
        self._cached: TrustList | None = None
        self._refresh_at: datetime | None = None
        self._lock = threading.Lock()

    def current(self) -> TrustList:
        """The cached list, or a freshly fetched and verified one once the TTL has passed.

        Raises:
            VerificationFailed: no valid list: the fetch or verification failed (``status-unavailable``,
                ``address-refused``, ``bad-signature``, ``wrong-issuer``, ``expired`` …) with nothing valid cached.
        """
        with self._lock:
            now = self._now()
            cached = self._cached
            fresh_enough = self._refresh_at is not None and now < self._refresh_at
            if cached is not None and fresh_enough and now <= cached.valid_until:
                return cached
            try:
                fetched = self._fetch(now, cached.version if cached is not None else 1)
            except VerificationFailed as exc:
                if cached is None or now > cached.valid_until:
                    raise
                logger.warning("trust list %s not refreshed (%s); keeping version %d", self._url, exc, cached.version)
                self._refresh_at = now + self._retry
                return cached
            if cached is None or fetched.version != cached.version:
                logger.info("trust list of %s: version %d from %s", self._authority, fetched.version, self._url)
            self._cached, self._refresh_at = fetched, now + self._ttl
            return fetched

    def _fetch(self, now: datetime, min_version: int) -> TrustList:
        subject = f"trust list {self._url}"
        body = fetch_json_or_text(
            self._client,
            self._url,
            self._policy,
            subject,
            unreachable=Refusal.STATUS_UNAVAILABLE,
            max_bytes=self._max_bytes,
            timeout=self._timeout,
            accept="application/jwt, text/plain;q=0.5",
        )
        token = _text(body, self._url, subject, Refusal.STATUS_UNAVAILABLE)
        return verify_trust_list(token, self._resolver, self._authority, now, min_version=min_version)


class CredentialServiceClient:
    """Calls DCP 1.0.1 credential services and issuer services; the caller supplies the SI token (never logged).

    Bases are the ``serviceEndpoint`` of a ``CredentialService`` entry (or an issuer's base URL), taken from a DID
    document, so every URL is checked by the policy.
    """

    def __init__(
        self,
        client: httpx.Client,
        policy: AddressPolicy,
        *,
        max_bytes: int = MAX_BYTES,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._client, self._policy = client, policy
        self._max_bytes, self._timeout = max_bytes, timeout

    def _post(self, url: str, si_token: str, message: Mapping[str, Any], subject: str) -> tuple[int, str, bytes]:
        reply = exchange(
            self._client,
            "POST",
            url,
            self._policy,
            subject,
            unreachable=Refusal.MISSING_CREDENTIAL,
            json_body=dict(message),
            headers={"Authorization": f"Bearer {si_token}", "Accept": "application/json"},
            max_bytes=self._max_bytes,
            timeout=self._timeout,
        )
        return reply.status, reply.headers.get("location", ""), reply.body

    def query(self, endpoint_base: str, si_token: str, scopes: Sequence[str]) -> list[str]:
        """POST a ``PresentationQueryMessage`` for `scopes` to ``<endpoint_base>/presentations/query`` and return
        the ``presentation`` array of the ``PresentationResponseMessage`` (VP JWTs; DCP 1.0.1 §5.4).

        Raises:
            ValueError: no scope (DCP answers an empty scope with 4xx; we never send one).
            VerificationFailed: ``missing-credential`` (unreachable, non-2xx), ``malformed`` (not a
                PresentationResponseMessage, or a presentation that is not a JWT string), ``address-refused``,
                ``too-large``.
        """
        if not scopes:
            raise ValueError("a presentation query needs at least one scope")
        url = _under(endpoint_base, "presentations/query")
        subject = f"credential service {endpoint_base}"
        message = {"@context": [DCP_CONTEXT], "type": "PresentationQueryMessage", "scope": list(scopes)}
        _, _, body = self._post(url, si_token, message, subject)
        try:
            answer = loads_fast(body)
        except MalformedJson as exc:
            raise refuse(Refusal.MALFORMED, f"{url} did not answer JSON: {exc}", subject) from None
        if not isinstance(answer, dict) or answer.get("type") != "PresentationResponseMessage":
            got = answer.get("type") if isinstance(answer, dict) else type(answer).__name__
            raise refuse(Refusal.MALFORMED, f"$.type: {got!r}, expected 'PresentationResponseMessage'", subject)
        presentations = answer.get("presentation")
        if not isinstance(presentations, list):
            raise refuse(Refusal.MALFORMED, "$.presentation: missing or not an array", subject)
        for i, item in enumerate(presentations):
            if not isinstance(item, str):
                raise refuse(Refusal.MALFORMED, f"$.presentation[{i}]: only JWT presentations are accepted", subject)
        logger.debug("%d presentation(s) from %s for %s", len(presentations), endpoint_base, list(scopes))
        return list(presentations)

    def deliver(self, endpoint_base: str, si_token: str, credential_message: Mapping[str, Any]) -> None:
        """As issuer, POST a ``CredentialMessage`` to the holder's ``<endpoint_base>/credentials`` (DCP issuance).

        Raises:
            ValueError: `credential_message` is not a CredentialMessage.
            VerificationFailed: ``missing-credential`` (unreachable, non-2xx), ``address-refused``.
        """
        if credential_message.get("type") != "CredentialMessage":
            raise ValueError(f"type {credential_message.get('type')!r} is not 'CredentialMessage'")
        self._post(_under(endpoint_base, "credentials"), si_token, credential_message, f"holder {endpoint_base}")

    def request_credential(self, issuer_base: str, si_token: str, message: Mapping[str, Any]) -> str:
        """As holder, POST a ``CredentialRequestMessage`` to ``<issuer_base>/credentials``; the issuer answers
        201 with a ``Location`` naming the request's status, which is returned (absolute).

        Raises:
            ValueError: `message` is not a CredentialRequestMessage.
            VerificationFailed: ``missing-credential`` (unreachable, non-2xx), ``malformed`` (no ``Location``),
                ``address-refused``.
        """
        if message.get("type") != "CredentialRequestMessage":
            raise ValueError(f"type {message.get('type')!r} is not 'CredentialRequestMessage'")
        url = _under(issuer_base, "credentials")
        status, location, _ = self._post(url, si_token, message, f"issuer {issuer_base}")
        if not location:
            raise refuse(
                Refusal.MALFORMED, f"{url} answered {status} without a Location header", f"issuer {issuer_base}"
            )
        return urljoin(url, location)


def _under(base: str, path: str) -> str:
    return f"{base.rstrip('/')}/{path}"


__all__ = ["DCP_CONTEXT", "CredentialServiceClient", "HttpStatusListSource", "HttpTrustListSource"]
