"""Our DSP calls to other connectors: the `Counterparty` the consumer use case needs and the `OutboxSender`
the outbox worker delivers with.

Every call: the URL passes the address policy (`AddressPolicy.check`, and again at connect time through the guarded
transport: no requests to private or link-local addresses on a stranger's say-so), a fresh DCP self-issued ID token
for the counterparty's DID (``Authorization: Bearer …``, made by `mint` at send time), the message encoded in the
provider's dialect (`passbridge.dataspace.node.encode`: DSP 2025-1, or the v0.8 JSON-LD of Tractus-X EDC ≤ 0.10 when
the version metadata offers nothing newer, `dsp_base`), no redirects, a size and time limit. A DSP error answer
(``ContractNegotiationError`` …) becomes a `CounterpartyError` carrying its status and reasons. A queued message is
stored in the 2025-1 form and sent in the dialect of its process (`OutboxMessage.dialect`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from passbridge.dataspace.catalog import Catalog, Dataset
from passbridge.dataspace.codec import dsp_2025_1 as codec, dsp_v0_8
from passbridge.dataspace.messages import (
    CatalogRequestMessage,
    ContractNegotiationAck,
    ContractRequestMessage,
    DataAddress,
    Message,
    TransferProcessAck,
    TransferRequestMessage,
)
from passbridge.dataspace.node import DIALECTS, decode, encode, transcode
from passbridge.dataspace.ports import DspEndpoint, OutboxMessage
from passbridge.dataspace.versions import VersionResponse
from passbridge.errors import CounterpartyError, PassbridgeError, ProtocolError, VerificationFailed
from passbridge.identity.did import DATA_SERVICE, DidResolver
from passbridge.jsoncodec import loads_fast
from passbridge.outbound.http import AddressPolicy

logger = logging.getLogger(__name__)

VERSION = codec.VERSION
V0_8_NAMES = frozenset({dsp_v0_8.VERSION, "0.8"})
"""How version metadata names v0.8 (CX-0018 v4.2 §2.7 writes ``v0.8`` and SHOULD also accept ``0.8``)."""
MAX_BYTES = 8 * 1024 * 1024
TIMEOUT_SECONDS = 10.0
_M = TypeVar("_M", bound=Message)


class DspClient:
    """DSP calls to other connectors (`Counterparty`) and delivery of queued messages (`OutboxSender`)."""

    def __init__(
        self,
        http: httpx.Client,
        policy: AddressPolicy,
        resolver: DidResolver,
        mint: Callable[[str], str],
        *,
        prepare: Callable[[OutboxMessage], Mapping[str, Any]] | None = None,
        give_up: Callable[[OutboxMessage, str], None] | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._http, self._policy, self._resolver, self._mint = http, policy, resolver, mint
        self._prepare, self._give_up, self._timeout = prepare, give_up, timeout

    def bind(
        self,
        *,
        prepare: Callable[[OutboxMessage], Mapping[str, Any]],
        give_up: Callable[[OutboxMessage, str], None],
    ) -> None:
        """Attach the services' outbox hooks (they need this client first, so they are attached after)."""
        self._prepare, self._give_up = prepare, give_up

    # -- plumbing ------------------------------------------------------------------------------------------------

    def _call(
        self,
        step: str,
        method: str,
        url: str,
        *,
        audience: str | None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        try:
            self._policy.check(url, f"{step} endpoint")
        except VerificationFailed as exc:
            raise CounterpartyError(step, f"refused to call {url}: {exc.detail}") from None
        sent = {"Accept": "application/json", **(headers or {})}
        if audience is not None:
            sent["Authorization"] = f"Bearer {self._mint(audience)}"
        content = None
        if body is not None:
            content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
            sent["Content-Type"] = "application/json"
        try:
            response = self._http.request(
                method, url, content=content, headers=sent, timeout=self._timeout, follow_redirects=False
            )
        except (httpx.HTTPError, httpx.InvalidURL, VerificationFailed) as exc:
            raise CounterpartyError(step, f"{method} {url} failed: {type(exc).__name__}: {exc}") from None
        if len(response.content) > MAX_BYTES:
            raise CounterpartyError(step, f"{url} answered more than {MAX_BYTES} bytes", response.status_code)
        return response

    def _json(
        self,
        step: str,
        response: httpx.Response,
        expected: type[_M],
        ok: tuple[int, ...] = (200,),
        dialect: str = VERSION,
    ) -> _M:
        if response.status_code not in ok:
            raise _refused(step, response)
        try:
            return decode(loads_fast(response.content), expected, dialect)
        except PassbridgeError as exc:
            raise CounterpartyError(step, f"the answer is not a DSP {dialect} {expected.__name__}: {exc}") from None

    # -- Counterparty --------------------------------------------------------------------------------------------

    def check_address(self, url: str, path: str) -> None:
        """Refuse an address the node may not call (a callback address to a private or link-local address…).

        Raises:
            ProtocolError: naming `path`.
        """
        try:
            self._policy.check(url, path)
        except VerificationFailed as exc:
            raise ProtocolError.at(path, exc.detail, "passbridge address policy (no SSRF)") from None

    def data_service(self, did: str) -> str:
        """The ``DataService`` endpoint named in `did`'s DID document."""
        endpoint = self._resolver.resolve(did).service(DATA_SERVICE)
        if endpoint is None:
            raise CounterpartyError("discovery", f"{did} names no DataService in its DID document")
        return endpoint

    def dsp_base(self, version_url: str) -> DspEndpoint:
        """The DSP base (``<root><path>``, root = the URL before ``/.well-known``) and dialect the version metadata
        offers over HTTPS: 2025-1 if listed, else v0.8 (``v0.8`` or ``0.8``; a v0.8 EDC lists ``"path": "/"``)."""
        response = self._call("discovery", "GET", version_url, audience=None)
        versions = _versions(self._json_raw("discovery", response))
        root = version_url.split("/.well-known/", 1)[0].rstrip("/")
        for dialect in DIALECTS:
            for entry in versions.protocol_versions:
                name = dsp_v0_8.VERSION if entry.version in V0_8_NAMES else entry.version
                if name == dialect and entry.binding.upper() == "HTTPS":
                    path = entry.path if entry.path.startswith("/") or not entry.path else "/" + entry.path
                    return DspEndpoint(root + path.rstrip("/"), dialect)
        offered = " or ".join(DIALECTS)
        raise CounterpartyError("discovery", f"{version_url} offers no DSP {offered} over HTTPS")

    def _json_raw(self, step: str, response: httpx.Response) -> object:
        if response.status_code != 200:
            raise _refused(step, response)
        try:
            return loads_fast(response.content)
        except PassbridgeError as exc:
            raise CounterpartyError(step, f"the answer is not JSON: {exc}") from None

    def catalog(self, endpoint: DspEndpoint, audience: str, message: CatalogRequestMessage) -> Catalog:
        """``POST <base>/catalog/request``."""
        body = encode(message, endpoint.dialect)
        response = self._call("catalog", "POST", f"{endpoint.base}/catalog/request", audience=audience, body=body)
        return self._json("catalog", response, Catalog, dialect=endpoint.dialect)

    def dataset(self, endpoint: DspEndpoint, audience: str, dataset_id: str) -> Dataset:
        """``GET <base>/catalog/datasets/:id``."""
        url = f"{endpoint.base}/catalog/datasets/{quote(dataset_id, safe=':')}"
        response = self._call("catalog", "GET", url, audience=audience)
        return self._json("catalog", response, Dataset, dialect=endpoint.dialect)

    def request_negotiation(
        self, endpoint: DspEndpoint, audience: str, message: ContractRequestMessage
    ) -> ContractNegotiationAck:
        """``POST <base>/negotiations/request`` (201)."""
        url, body = f"{endpoint.base}/negotiations/request", encode(message, endpoint.dialect)
        response = self._call("negotiation", "POST", url, audience=audience, body=body)
        return self._json("negotiation", response, ContractNegotiationAck, (200, 201), endpoint.dialect)

    def request_transfer(
        self, endpoint: DspEndpoint, audience: str, message: TransferRequestMessage
    ) -> TransferProcessAck:
        """``POST <base>/transfers/request`` (201)."""
        url, body = f"{endpoint.base}/transfers/request", encode(message, endpoint.dialect)
        response = self._call("transfer", "POST", url, audience=audience, body=body)
        return self._json("transfer", response, TransferProcessAck, (200, 201), endpoint.dialect)

    def pull(self, address: DataAddress, query: Mapping[str, str]) -> tuple[int, str, bytes]:
        """GET the endpoint of an endpoint data reference with its token; any status is returned, not raised."""
        if address.endpoint is None:
            raise CounterpartyError("data", "the endpoint data reference has no endpoint")
        token = address.authorization or ""
        url = str(httpx.URL(address.endpoint, params=dict(query))) if query else address.endpoint
        response = self._call(
            "data", "GET", url, audience=None, headers={"Authorization": f"Bearer {token}", "Accept": "*/*"}
        )
        return response.status_code, response.headers.get("content-type", ""), response.content

    # -- OutboxSender --------------------------------------------------------------------------------------------

    def send(self, message: OutboxMessage) -> None:
        """POST a queued message in the dialect of its process; returns once the counterparty acknowledged it (2xx).

        Raises:
            CounterpartyError: not acknowledged (status kept, so `retryable` can tell).
            ProtocolError: the queued body cannot be put into its dialect (a local fault: not retried).
        """
        prepared = self._prepare(message) if self._prepare is not None else message.body
        body = transcode(dict(prepared), message.dialect)
        response = self._call(message.message_type, "POST", message.url, audience=message.audience, body=body)
        if not response.is_success:
            raise _refused(message.message_type, response)
        logger.debug("%s delivered to %s", message.message_type, message.url)

    def retryable(self, error: Exception) -> bool:
        """Connection failures, timeouts, 408/429 and 5xx may pass; a 4xx refusal or a local error will not."""
        if isinstance(error, CounterpartyError):
            return error.status is None or error.status >= 500 or error.status in (408, 429)
        return False

    def give_up(self, message: OutboxMessage, reason: str) -> None:
        """Hand an undeliverable message to the services (they terminate its process)."""
        if self._give_up is not None:
            self._give_up(message, reason)


def _versions(doc: object) -> VersionResponse:
    """The version metadata: 2025-1's form, or 2024-1's (what a v0.8 EDC serves: no ``binding``, HTTPS implied).

    Raises:
        CounterpartyError: neither.
    """
    try:
        return codec.decode(doc, VersionResponse)
    except PassbridgeError as exc:
        entries = doc.get("protocolVersions") if isinstance(doc, dict) else None
        if not isinstance(entries, list) or not all(isinstance(e, dict) and "binding" not in e for e in entries):
            raise CounterpartyError("discovery", f"the answer is not DSP version metadata: {exc}") from None
        try:
            return codec.decode({"protocolVersions": [{**e, "binding": "HTTPS"} for e in entries]}, VersionResponse)
        except PassbridgeError as again:
            raise CounterpartyError("discovery", f"the answer is not DSP version metadata: {again}") from None


def _refused(step: str, response: httpx.Response) -> CounterpartyError:
    reasons: list[str] = []
    try:
        body = loads_fast(response.content)
        if isinstance(body, dict):
            reasons = [str(r) for r in body.get("reason", []) or []] or [str(body.get("detail", ""))]
    except PassbridgeError:
        reasons = [response.text[:200]]
    return CounterpartyError(
        step, f"the counterparty answered {response.status_code}", response.status_code, [r for r in reasons if r]
    )


__all__ = ["MAX_BYTES", "TIMEOUT_SECONDS", "V0_8_NAMES", "VERSION", "DspClient"]
