"""The guarded HTTP exchange behind every call the node makes to an address someone else chose.

Layout: `AddressPolicy` (which URLs may be fetched), `GuardedNetworkBackend` / `guarded_transport` (the same
check at connect time), `exchange` (one GET or POST with limits), `fetch_json_or_text` (a GET returning the body).

DID documents, status lists, credential services and trust lists live at URLs taken from tokens, DID documents
and credentials, i.e. from the other party. Fetching them blindly is server-side request forgery (SSRF): a
``did:web:169.254.169.254`` would make the node read its cloud metadata. So every URL passes `AddressPolicy`:
``https`` only (``http`` only to a loopback host, for local demos, when allowed), and the host must resolve to
globally routable addresses only: no private (RFC 1918), loopback, link-local (incl. 169.254.169.254), unique-local
(fc00::/7), unspecified, multicast or reserved address, unless the host is explicitly allow-listed.

Redirects: `exchange` never lets httpx follow them. A GET follows at most `MAX_REDIRECTS` by hand, checking each
``Location`` against the policy again (a redirect to a private address is the classic way around an up-front
check); a POST never follows one (it would resend the bearer token elsewhere).

DNS rebinding: `AddressPolicy.check` resolves the name, and httpx resolves it again when it connects; a name with
a very short TTL can answer a public address to the check and a private one to the connection. `exchange` alone
cannot close that gap. Pinning the request to the checked IP (IP in the URL, ``Host`` header, ``sni_hostname``) is
not safe with httpx: its pool keys connections by (scheme, host, port), so a TLS connection verified for one name
would be reused for another name that resolves to the same IP. The clean fix is the connect-time check of
`guarded_transport`: its network backend resolves the name, checks every address with the same policy and
connects to a checked address, so what is checked is what is connected to, while TLS still verifies the name.
Bootstrap should build the outbound client with ``httpx.Client(transport=guarded_transport(policy))``. Behind an
HTTP proxy the proxy makes the connection and must enforce the egress rules itself.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpcore
import httpx

from passbridge.identity.refusals import Refusal, refuse

logger = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024
"""Default largest body read (1 MiB)."""

TIMEOUT_SECONDS = 5.0
"""Default connect/read timeout, and the deadline for the whole body."""

MAX_REDIRECTS = 3
"""Redirects a GET follows (each hop checked against the policy)."""

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def resolve_host(host: str) -> list[str]:
    """The addresses `host` resolves to (``getaddrinfo``), in the resolver's order, without duplicates.

    Raises:
        OSError: the name does not resolve.
    """
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _why_refused(address: IPAddress, allow_loopback: bool) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _why_refused(address.ipv4_mapped, allow_loopback)
    if address.is_loopback:
        return None if allow_loopback else "loopback"
    checks = (
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not globally routable", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which URLs the node may call.

    Attributes:
        allow_http_loopback: local demo mode: loopback addresses are allowed, and ``http`` to a loopback host
            (``127.0.0.0/8``, ``::1``, ``localhost``).
        allowed_hosts: host names (lower case) exempt from the address check (an internal wallet, say); they still
            need ``https``.
        resolve: host name → addresses (tests pass a fake; the default asks the system resolver).
    """

    allow_http_loopback: bool = False
    allowed_hosts: frozenset[str] = frozenset()
    resolve: Callable[[str], list[str]] = resolve_host

    def check(self, url: str, subject: str = "URL") -> None:
        """Refuse `url` unless the policy allows it (see the module docstring).

        Raises:
            VerificationFailed: ``address-refused``, naming the URL and the reason.
        """
        self.addresses(url, subject)

    def addresses(
        self, url: str, subject: str = "URL", unresolvable: Refusal = Refusal.ADDRESS_REFUSED
    ) -> tuple[IPAddress, ...]:
        """The checked addresses of `url`'s host (empty for an allow-listed host, which is not resolved).

        Raises:
            VerificationFailed: ``address-refused``; `unresolvable` when the host does not resolve.
        """
        try:  # parsed the way httpx will parse it when it sends the request: no parser differential
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise refuse(Refusal.ADDRESS_REFUSED, f"{url!r} is not a URL: {exc}", subject) from None
        scheme, host = parsed.scheme, parsed.raw_host.decode("ascii").lower()
        if scheme not in ("https", "http") or not host or parsed.userinfo:
            raise refuse(Refusal.ADDRESS_REFUSED, f"{url!r}: only https://host URLs without user info", subject)
        loopback_host = is_loopback_host(host)
        if scheme == "http" and not (self.allow_http_loopback and loopback_host):
            raise refuse(Refusal.ADDRESS_REFUSED, f"{url!r}: http is allowed only to loopback in demo mode", subject)
        if host in self.allowed_hosts:
            return ()
        found = self.host_addresses(host, subject, unresolvable)
        if scheme == "http" and not all(a.is_loopback for a in found):
            raise refuse(Refusal.ADDRESS_REFUSED, f"{url!r}: {host} does not resolve to loopback only", subject)
        return found

    def host_addresses(
        self, host: str, subject: str = "URL", unresolvable: Refusal = Refusal.ADDRESS_REFUSED
    ) -> tuple[IPAddress, ...]:
        """Resolve `host` (an IP literal stands for itself) and check every address; one bad address refuses all.

        Raises:
            VerificationFailed: ``address-refused`` naming the address and its kind; `unresolvable` when `host`
                does not resolve.
        """
        host = host.lower().strip("[]")
        try:
            names = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                names = self.resolve(host)
            except (OSError, UnicodeError) as exc:  # gaierror; an over-long label fails IDNA encoding
                raise refuse(unresolvable, f"{host} does not resolve: {exc}", subject) from None
        if not names:
            raise refuse(unresolvable, f"{host} resolves to no address", subject)
        found: list[IPAddress] = []
        for name in names:
            try:
                address = ipaddress.ip_address(name.split("%")[0])
            except ValueError:
                raise refuse(
                    Refusal.ADDRESS_REFUSED, f"{host} resolves to {name!r}, not an IP address", subject
                ) from None
            why = _why_refused(address, self.allow_http_loopback)
            if why is not None:
                raise refuse(Refusal.ADDRESS_REFUSED, f"{host} resolves to {address}, a {why} address", subject)
            found.append(address)
        return tuple(found)


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals (``127.0.0.0/8``, ``::1``); names are not resolved."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class GuardedNetworkBackend(httpcore.NetworkBackend):
    """An httpcore network backend that applies `AddressPolicy` to every TCP connection: it resolves the host,
    checks all its addresses and connects to a checked one (closing the DNS-rebinding gap of an up-front check).
    """

    def __init__(self, policy: AddressPolicy, inner: httpcore.NetworkBackend | None = None) -> None:
        self._policy = policy
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to a checked address of `host` (an allow-listed host by name).

        Raises:
            VerificationFailed: ``address-refused``; httpcore.ConnectError if no checked address answers.
        """
        if host.lower() in self._policy.allowed_hosts:
            return self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        failure: Exception = httpcore.ConnectError(f"no address of {host}")
        for address in self._policy.host_addresses(host, f"connection to {host}"):
            try:
                return self._inner.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # try the next address, as socket.create_connection does
                failure = exc
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        """Refused: the node never talks to other parties over a Unix socket."""
        raise refuse(Refusal.ADDRESS_REFUSED, f"unix socket {path!r}", "connection")

    def sleep(self, seconds: float) -> None:
        """Delegate to the wrapped backend."""
        self._inner.sleep(seconds)


def guarded_transport(
    policy: AddressPolicy, *, verify: ssl.SSLContext | bool = True, inner: httpcore.NetworkBackend | None = None
) -> httpx.HTTPTransport:
    """An httpx transport whose every connection passes `policy` (for the outbound client built by bootstrap).

    Environment proxies are ignored (``trust_env=False``): a proxy would make the connection instead of us.

    Raises:
        RuntimeError: this httpx version keeps its connection pool elsewhere (fails at startup, not silently).
    """
    transport = httpx.HTTPTransport(verify=verify, trust_env=False)
    pool = getattr(transport, "_pool", None)  # httpx offers no public hook for the network backend
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("cannot install the guarded network backend in this httpx version")
    pool._network_backend = GuardedNetworkBackend(policy, inner)
    return transport


@dataclass(frozen=True, slots=True)
class Reply:
    """A 2xx answer: status, headers, the body (at most the limit asked for), and the URL that gave it."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str


def _read_limited(response: httpx.Response, url: str, subject: str, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise refuse(Refusal.TOO_LARGE, f"{url} announces {declared} bytes > {max_bytes}", subject)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise refuse(Refusal.TOO_LARGE, f"{url} sent more than {max_bytes} bytes", subject)
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout(f"body of {url} not complete in time")
        chunks.append(chunk)
    return b"".join(chunks)


def _once(
    client: httpx.Client,
    method: str,
    url: str,
    policy: AddressPolicy,
    subject: str,
    unreachable: Refusal,
    *,
    content: bytes | None,
    headers: Mapping[str, str],
    max_bytes: int,
    timeout: float,
) -> tuple[httpx.Response, bytes]:
    policy.addresses(url, subject, unreachable)
    deadline = time.monotonic() + timeout
    try:
        with client.stream(
            method, url, content=content, headers=headers, timeout=timeout, follow_redirects=False
        ) as response:
            if response.is_redirect:
                return response, b""
            if not response.is_success:
                raise refuse(unreachable, f"HTTP {response.status_code} from {method} {url}", subject)
            return response, _read_limited(response, url, subject, max_bytes, deadline)
    except httpx.TimeoutException as exc:
        raise refuse(
            unreachable, f"{method} {url} timed out after {timeout} s ({type(exc).__name__})", subject
        ) from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise refuse(unreachable, f"{method} {url} failed: {type(exc).__name__}: {exc}", subject) from None


def exchange(
    client: httpx.Client,
    method: str,
    url: str,
    policy: AddressPolicy,
    subject: str,
    *,
    unreachable: Refusal,
    json_body: Any = None,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_SECONDS,
) -> Reply:
    """One guarded GET (or POST with `json_body`): policy check, no automatic redirects, size and time limits.

    Raises:
        VerificationFailed: ``address-refused`` (policy, also for each redirect hop), ``too-large`` (body over
            `max_bytes`), and `unreachable` for connection errors, timeouts, non-2xx answers, a redirect on a POST
            and more than `MAX_REDIRECTS` redirects.
    """
    sent = {"Accept-Encoding": "identity", **(headers or {})}  # no compression: the limit counts what is sent
    content = None
    if json_body is not None:
        content = json.dumps(json_body, separators=(",", ":"), ensure_ascii=False).encode()
        sent.setdefault("Content-Type", "application/json")
    for _ in range(MAX_REDIRECTS + 1):
        response, body = _once(
            client,
            method,
            url,
            policy,
            subject,
            unreachable,
            content=content,
            headers=sent,
            max_bytes=max_bytes,
            timeout=timeout,
        )
        if not response.is_redirect:
            return Reply(response.status_code, response.headers, body, url)
        location = response.headers.get("location")
        if method != "GET" or not location:
            raise refuse(unreachable, f"{method} {url} answered {response.status_code}; not followed", subject)
        logger.debug("%s redirects to %s", url, location)
        url = urljoin(url, location)
    raise refuse(unreachable, f"more than {MAX_REDIRECTS} redirects, last to {url}", subject)


def fetch_json_or_text(
    client: httpx.Client,
    url: str,
    policy: AddressPolicy,
    subject: str,
    *,
    unreachable: Refusal,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_SECONDS,
    accept: str = "application/json, application/did+json, application/jwt, text/plain;q=0.5, */*;q=0.1",
) -> bytes:
    """The body of a guarded GET of `url` (see `exchange` for the checks and refusals)."""
    reply = exchange(
        client,
        "GET",
        url,
        policy,
        subject,
        unreachable=unreachable,
        headers={"Accept": accept},
        max_bytes=max_bytes,
        timeout=timeout,
    )
    return reply.body


__all__ = [
    "MAX_BYTES",
    "MAX_REDIRECTS",
    "TIMEOUT_SECONDS",
    "AddressPolicy",
    "GuardedNetworkBackend",
    "IPAddress",
    "Reply",
    "exchange",
    "fetch_json_or_text",
    "guarded_transport",
    "is_loopback_host",
    "resolve_host",
]
