"""Outbound calls over httpx.MockTransport and a fake resolver: SSRF policy, did:web, status lists, the trust list
source and DCP credential services. Nothing here touches the network."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpcore
import httpx
import jsonschema  # type: ignore[import-untyped]  # no stubs installed; Draft201909Validator only
import pytest
from referencing import Registry, Resource

from passbridge.errors import VerificationFailed
from passbridge.identity import jose, keys
from passbridge.identity.did import StaticDidResolver, build_document
from passbridge.identity.refusals import Refusal
from passbridge.identity.trust import TrustedIssuer, TrustList
from passbridge.identity.trust_wire import sign_trust_list
from passbridge.outbound.did_web import DidWebResolver
from passbridge.outbound.fetchers import CredentialServiceClient, HttpStatusListSource, HttpTrustListSource
from passbridge.outbound.http import AddressPolicy, fetch_json_or_text, guarded_transport
from tests.fixtures_path import FIXTURES

DCP = FIXTURES / "dsp" / "dcp-1.0.1"
PUBLIC_IP = "93.184.215.14"
DNS = {
    "node.example": [PUBLIC_IP],
    "cdn.example": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "intranet.example": ["10.1.2.3"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": [PUBLIC_IP, "192.168.1.1"],
    "localhost": ["127.0.0.1", "::1"],
}


def fake_resolve(host: str) -> list[str]:
    try:
        return DNS[host]
    except KeyError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None


POLICY = AddressPolicy(resolve=fake_resolve)
DEMO = AddressPolicy(allow_http_loopback=True, resolve=fake_resolve)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler))


def refusal(error: pytest.ExceptionInfo[VerificationFailed]) -> Refusal:
    return Refusal(error.value.refusal)


# --- AddressPolicy ----------------------------------------------------------------------------------------------

ALLOWED = [
    ("https://node.example/.well-known/did.json", POLICY),
    ("https://cdn.example:8443/status/1", POLICY),
    (f"https://{PUBLIC_IP}/", POLICY),
    ("http://127.0.0.1:8001/.well-known/did.json", DEMO),
    ("http://localhost:8001/", DEMO),
    ("http://[::1]:8001/", DEMO),
    ("https://127.0.0.1:8443/", DEMO),
    ("https://intranet.example/wallet", AddressPolicy(allowed_hosts=frozenset({"intranet.example"}))),
]
REFUSED = [
    ("http://node.example/", POLICY, "http"),
    ("http://127.0.0.1:8001/", POLICY, "http"),
    ("http://node.example/", DEMO, "http"),
    ("https://127.0.0.1/", POLICY, "loopback"),
    ("https://localhost/", POLICY, "loopback"),
    ("https://10.0.0.8/", POLICY, "private"),
    ("https://192.168.0.10/", POLICY, "private"),
    ("https://172.16.5.4/", POLICY, "private"),
    ("https://169.254.169.254/latest/meta-data/", POLICY, "link-local"),
    ("https://metadata.example/", POLICY, "link-local"),
    ("https://[::1]/", POLICY, "loopback"),
    ("https://[fe80::1]/", POLICY, "link-local"),
    ("https://[fc00::1]/", POLICY, "private"),
    ("https://[::ffff:10.0.0.1]/", POLICY, "private"),
    ("https://0.0.0.0/", POLICY, "unspecified"),
    ("https://224.0.0.1/", POLICY, "multicast"),
    ("https://240.0.0.1/", POLICY, "reserved"),
    ("https://100.64.0.1/", POLICY, "not globally routable"),
    ("https://intranet.example/", POLICY, "10.1.2.3"),
    ("https://mixed.example/", POLICY, "192.168.1.1"),
    ("https://unknown.example/", POLICY, "does not resolve"),
    ("ftp://node.example/", POLICY, "only https"),
    ("https://user@node.example/", POLICY, "user info"),
    ("https://node.example:http/", POLICY, "not a URL"),
    ("http://intranet.example/", AddressPolicy(allowed_hosts=frozenset({"intranet.example"})), "http"),
]


@pytest.mark.parametrize(("url", "policy"), ALLOWED)
def test_policy_allows(url: str, policy: AddressPolicy) -> None:
    policy.check(url)


@pytest.mark.parametrize(("url", "policy", "why"), REFUSED)
def test_policy_refuses(url: str, policy: AddressPolicy, why: str) -> None:
    with pytest.raises(VerificationFailed) as error:
        policy.check(url, "DID document")
    assert refusal(error) is Refusal.ADDRESS_REFUSED
    assert why in error.value.detail and error.value.subject == "DID document"


# --- guarded transport: the check at connect time ---------------------------------------------------------------


class RecordingBackend(httpcore.NetworkBackend):
    """Records where a connection was attempted and never connects."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, int]] = []

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        self.attempts.append((host, port))
        raise httpcore.ConnectError("test backend does not connect")


def test_guarded_transport_connects_to_the_checked_address_not_the_name() -> None:
    backend = RecordingBackend()
    with httpx.Client(transport=guarded_transport(POLICY, inner=backend)) as client, pytest.raises(httpx.ConnectError):
        client.get("https://node.example/.well-known/did.json")
    assert backend.attempts == [(PUBLIC_IP, 443)]


def test_guarded_transport_refuses_a_name_rebound_to_a_private_address_after_the_check() -> None:
    answers = iter([[PUBLIC_IP], ["169.254.169.254"]])  # public to the check, metadata to the connection
    policy = AddressPolicy(resolve=lambda host: next(answers))
    backend = RecordingBackend()
    client = httpx.Client(transport=guarded_transport(policy, inner=backend))
    with client, pytest.raises(VerificationFailed) as error:
        fetch_json_or_text(client, "https://rebind.example/", policy, "DID", unreachable=Refusal.DID_UNRESOLVABLE)
    assert refusal(error) is Refusal.ADDRESS_REFUSED and "169.254.169.254" in error.value.detail
    assert backend.attempts == []


# --- did:web ----------------------------------------------------------------------------------------------------

DID = "did:web:node.example"
KEY = keys.generate("Ed25519")
DOCUMENT = build_document(DID, [KEY], [("CredentialService", "https://node.example/api/credentials")])


def did_server(**routes: httpx.Response) -> tuple[httpx.Client, list[str]]:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return routes.get(request.url.host.replace(".", "_").replace("-", "_"), httpx.Response(404))

    return client_for(handle), seen


def test_did_web_document_is_fetched_and_parsed() -> None:
    client, seen = did_server(node_example=httpx.Response(200, json=DOCUMENT.to_json()))
    document = DidWebResolver(client, POLICY).resolve(DID)
    assert document == DOCUMENT and seen == ["https://node.example/.well-known/did.json"]
    assert document.service("CredentialService") == "https://node.example/api/credentials"


def test_did_web_uses_http_for_a_loopback_node_in_demo_mode_only() -> None:
    local = "did:web:127.0.0.1%3A8001"
    resolver = DidWebResolver(client_for(lambda r: httpx.Response(404)), DEMO)
    assert resolver.url_of(local) == "http://127.0.0.1:8001/.well-known/did.json"
    assert DidWebResolver(client_for(lambda r: httpx.Response(404)), POLICY).url_of(local).startswith("https://")


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(200, json={**DOCUMENT.to_json(), "id": "did:web:evil.example"}), Refusal.DID_UNRESOLVABLE),
        (httpx.Response(404), Refusal.DID_UNRESOLVABLE),
        (httpx.Response(200, content=b"<html>not json</html>"), Refusal.DID_UNRESOLVABLE),
        (httpx.Response(200, json=["not", "a", "document"]), Refusal.DID_UNRESOLVABLE),
        (httpx.Response(200, content=b" " * 300_000), Refusal.TOO_LARGE),
        (httpx.Response(200, content=iter([b" " * 100_000] * 3)), Refusal.TOO_LARGE),  # chunked, no length
        (httpx.Response(302, headers={"Location": "https://169.254.169.254/latest/"}), Refusal.ADDRESS_REFUSED),
        (httpx.Response(301, headers={"Location": "http://node.example/did.json"}), Refusal.ADDRESS_REFUSED),
        (httpx.Response(302), Refusal.DID_UNRESOLVABLE),
    ],
    ids=[
        "wrong-id",
        "404",
        "not-json",
        "not-an-object",
        "too-large",
        "too-large-chunked",
        "to-metadata",
        "to-http",
        "no-location",
    ],
)
def test_did_web_refuses(response: httpx.Response, expected: Refusal) -> None:
    client, seen = did_server(node_example=response)
    with pytest.raises(VerificationFailed) as error:
        DidWebResolver(client, POLICY).resolve(DID)
    assert refusal(error) is expected
    assert seen == ["https://node.example/.well-known/did.json"]  # a refused redirect is never requested


def test_did_web_follows_a_redirect_to_a_public_host() -> None:
    client, seen = did_server(
        node_example=httpx.Response(301, headers={"Location": "https://cdn.example/node/did.json"}),
        cdn_example=httpx.Response(200, json=DOCUMENT.to_json()),
    )
    assert DidWebResolver(client, POLICY).resolve(DID) == DOCUMENT
    assert seen[-1] == "https://cdn.example/node/did.json"


def test_did_web_refuses_endless_redirects() -> None:
    client, _ = did_server(node_example=httpx.Response(302, headers={"Location": "/again"}))
    with pytest.raises(VerificationFailed) as error:
        DidWebResolver(client, POLICY).resolve(DID)
    assert refusal(error) is Refusal.DID_UNRESOLVABLE and "redirects" in error.value.detail


def test_did_web_of_a_private_host_is_never_requested() -> None:
    client, seen = did_server()
    with pytest.raises(VerificationFailed) as error:
        DidWebResolver(client, POLICY).resolve("did:web:10.0.0.1")
    assert refusal(error) is Refusal.ADDRESS_REFUSED and seen == []


def test_did_web_unreachable_or_slow_is_unresolvable() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with pytest.raises(VerificationFailed) as error:
        DidWebResolver(client_for(fail), POLICY).resolve(DID)
    assert refusal(error) is Refusal.DID_UNRESOLVABLE and "timed out" in error.value.detail


# --- status lists -----------------------------------------------------------------------------------------------

STATUS_URL = "https://node.example/status/1"


def test_status_list_is_returned_as_text() -> None:
    source = HttpStatusListSource(client_for(lambda r: httpx.Response(200, text="a.b.c\n")), POLICY)
    assert source.fetch(STATUS_URL) == "a.b.c"


@pytest.mark.parametrize("answer", ["connect-error", 500, "empty"])
def test_an_unavailable_status_list_fails_closed(answer: object) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if answer == "connect-error":
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(500) if answer == 500 else httpx.Response(200, content=b"")

    with pytest.raises(VerificationFailed) as error:
        HttpStatusListSource(client_for(handle), POLICY).fetch(STATUS_URL)
    assert refusal(error) is Refusal.STATUS_UNAVAILABLE and STATUS_URL in error.value.detail


# --- trust list source ------------------------------------------------------------------------------------------

AUTHORITY = "did:web:authority.example"
AUTHORITY_KEY = keys.generate("ES256")
AUTHORITY_RESOLVER = StaticDidResolver([build_document(AUTHORITY, [AUTHORITY_KEY])])
TRUST_URL = "https://node.example/trust-list"


def a_list(version: int = 1, valid_for: timedelta = timedelta(hours=2)) -> TrustList:
    return TrustList(AUTHORITY, "catena-x", version, NOW - timedelta(minutes=5), NOW + valid_for)


class TrustListServer:
    def __init__(self, token: str) -> None:
        self.token, self.requests, self.down = token, 0, False

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, text=self.token, headers={"Content-Type": "application/jwt"})


def trust_source(server: TrustListServer, clock: list[datetime]) -> HttpTrustListSource:
    return HttpTrustListSource(
        client_for(server.handle), POLICY, TRUST_URL, AUTHORITY, AUTHORITY_RESOLVER, lambda: clock[0], ttl_seconds=300
    )


def sign(trust_list: TrustList) -> str:
    return sign_trust_list(trust_list, AUTHORITY_KEY, f"{AUTHORITY}#{AUTHORITY_KEY.kid}")


def test_trust_list_is_cached_for_its_ttl_and_then_refreshed() -> None:
    server, clock = TrustListServer(sign(a_list(1))), [NOW]
    source = trust_source(server, clock)
    assert source.current().version == 1 and source.current().version == 1 and server.requests == 1
    server.token = sign(a_list(2))
    clock[0] = NOW + timedelta(seconds=301)
    assert source.current().version == 2 and server.requests == 2


def test_a_failed_refresh_keeps_the_cached_list_while_it_is_valid() -> None:
    server, clock = TrustListServer(sign(a_list(1, valid_for=timedelta(minutes=20)))), [NOW]
    source = trust_source(server, clock)
    source.current()
    server.down, clock[0] = True, NOW + timedelta(minutes=6)
    assert source.current().version == 1 and server.requests == 2
    assert source.current().version == 1 and server.requests == 2  # retried only after retry_seconds
    clock[0] = NOW + timedelta(minutes=21)  # the cached list has expired: no trust list, no trust
    with pytest.raises(VerificationFailed) as error:
        source.current()
    assert refusal(error) is Refusal.STATUS_UNAVAILABLE


def test_an_older_version_does_not_replace_a_newer_one() -> None:
    server, clock = TrustListServer(sign(a_list(5))), [NOW]
    source = trust_source(server, clock)
    source.current()
    server.token, clock[0] = sign(a_list(4)), NOW + timedelta(minutes=6)
    assert source.current().version == 5 and server.requests == 2


def test_a_tampered_trust_list_is_refused() -> None:
    header, _, signature = sign(a_list(1)).split(".")
    widened = a_list(1).with_issuer(TrustedIssuer("did:web:attacker.example", frozenset({"MembershipCredential"})), NOW)
    claims = {"iss": AUTHORITY, "exp": int((NOW + timedelta(hours=2)).timestamp()), "trustList": widened.to_json()}
    payload = jose.b64encode(json.dumps(claims).encode())
    with pytest.raises(VerificationFailed) as error:
        trust_source(TrustListServer(f"{header}.{payload}.{signature}"), [NOW]).current()
    assert refusal(error) is Refusal.BAD_SIGNATURE


# --- DCP credential service -------------------------------------------------------------------------------------


def dcp_validator(relative: str) -> jsonschema.Draft201909Validator:
    """A validator for a DCP 1.0.1 schema, with the shared context schema under both of its URIs."""
    context = Resource.from_contents(json.loads((DCP / "common" / "context-schema.json").read_text()))
    registry: Registry[Any] = Registry().with_resources(
        [
            ("https://w3id.org/dspace-dcp/v1.0/common/context-schema.json", context),
            ("https://w3id.org/dspace-dcp/v08/common/context-schema.json", context),
        ]
    )
    return jsonschema.Draft201909Validator(json.loads((DCP / relative).read_text()), registry=registry)


class CredentialService:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.response

    def body(self) -> Any:
        return json.loads(self.requests[-1].content)


BASE = "https://node.example/api/credentials/"
RESPONSE = json.loads((DCP / "presentation" / "example" / "presentation-response-message.json").read_text())


def test_presentation_query_is_a_dcp_message_and_returns_the_presentations() -> None:
    service = CredentialService(httpx.Response(200, json=RESPONSE))
    client = CredentialServiceClient(client_for(service.handle), POLICY)
    scopes = ["org.eclipse.dspace.dcp.vc.type:MembershipCredential"]
    assert client.query(BASE, "si.token.jwt", scopes) == ["presentation1", "presentation2"]
    request = service.requests[0]
    assert request.method == "POST" and str(request.url) == "https://node.example/api/credentials/presentations/query"
    assert request.headers["Authorization"] == "Bearer si.token.jwt"
    dcp_validator("presentation/presentation-query-message-schema.json").validate(service.body())
    assert service.body() == {
        "@context": ["https://w3id.org/dspace-dcp/v1.0/dcp.jsonld"],
        "type": "PresentationQueryMessage",
        "scope": scopes,
    }


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (httpx.Response(200, json={**RESPONSE, "type": "PresentationQueryMessage"}), Refusal.MALFORMED),
        (httpx.Response(200, json={**RESPONSE, "presentation": [{"@context": []}]}), Refusal.MALFORMED),
        (httpx.Response(200, json={"type": "PresentationResponseMessage"}), Refusal.MALFORMED),
        (httpx.Response(200, content=b"[[["), Refusal.MALFORMED),
        (httpx.Response(401), Refusal.MISSING_CREDENTIAL),
        (httpx.Response(307, headers={"Location": "https://cdn.example/steal"}), Refusal.MISSING_CREDENTIAL),
    ],
    ids=["wrong-type", "ldp-presentation", "no-presentation", "not-json", "unauthorised", "redirect"],
)
def test_presentation_query_refuses(response: httpx.Response, expected: Refusal) -> None:
    service = CredentialService(response)
    with pytest.raises(VerificationFailed) as error:
        CredentialServiceClient(client_for(service.handle), POLICY).query(BASE, "si", ["scope"])
    assert refusal(error) is expected
    assert len(service.requests) == 1  # a POST redirect is not followed: the bearer token goes nowhere else


def test_presentation_query_to_a_private_or_unreachable_service_is_refused() -> None:
    with pytest.raises(VerificationFailed) as error:
        CredentialServiceClient(client_for(lambda r: httpx.Response(200)), POLICY).query(
            "https://10.0.0.5/cs", "si", ["s"]
        )
    assert refusal(error) is Refusal.ADDRESS_REFUSED

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(VerificationFailed) as error:
        CredentialServiceClient(client_for(down), POLICY).query(BASE, "si", ["s"])
    assert refusal(error) is Refusal.MISSING_CREDENTIAL and "failed" in error.value.detail


def test_credential_message_is_delivered_to_the_holder() -> None:
    message = json.loads((DCP / "issuance" / "example" / "credential-message.json").read_text())
    service = CredentialService(httpx.Response(200))
    CredentialServiceClient(client_for(service.handle), POLICY).deliver(BASE, "si", message)
    assert str(service.requests[0].url) == "https://node.example/api/credentials/credentials"
    assert service.requests[0].headers["Authorization"] == "Bearer si"
    assert service.body() == message
    dcp_validator("issuance/credential-message-schema.json").validate(service.body())


def test_credential_request_returns_the_status_location() -> None:
    message = json.loads((DCP / "issuance" / "example" / "credential-request-message.json").read_text())
    service = CredentialService(httpx.Response(201, headers={"Location": "/issuer/requests/42"}))
    client = CredentialServiceClient(client_for(service.handle), POLICY)
    assert client.request_credential("https://node.example/issuer", "si", message) == (
        "https://node.example/issuer/requests/42"
    )
    dcp_validator("issuance/credential-request-message-schema.json").validate(service.body())
    service.response = httpx.Response(201)
    with pytest.raises(VerificationFailed) as error:
        client.request_credential("https://node.example/issuer", "si", message)
    assert refusal(error) is Refusal.MALFORMED and "Location" in error.value.detail


def test_messages_of_the_wrong_type_are_programming_errors() -> None:
    client = CredentialServiceClient(client_for(lambda r: httpx.Response(200)), POLICY)
    with pytest.raises(ValueError, match="CredentialMessage"):
        client.deliver(BASE, "si", {"type": "CredentialRequestMessage"})
    with pytest.raises(ValueError, match="CredentialRequestMessage"):
        client.request_credential(BASE, "si", {"type": "CredentialMessage"})
    with pytest.raises(ValueError, match="scope"):
        client.query(BASE, "si", [])
