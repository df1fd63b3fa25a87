"""The consumer side of the DSP v0.8 ("Jupiter", Tractus-X EDC ≤ 0.10) dialect: a passbridge consumer fetching from
a provider whose version metadata lists only v0.8.

The provider here is a passbridge node whose ``/.well-known/dspace-version`` is made to list only its ``/dsp/v0.8``
base (`version_entries` patched: the stand-in for a Tractus-X EDC 0.7 to 0.10). The consumer reads the version metadata,
picks v0.8, and every DSP message between the two — the consumer's requests, the provider's callbacks to
``/dsp/v0.8/callback`` and the follow-ups both sides queue in their outbox — is v0.8 JSON-LD (prefixed ``dspace:`` /
``odrl:`` terms under an inline ``@context``) on v0.8 paths; the outbox rows keep the dialect. A warm fetch reuses the
agreement and the endpoint data reference.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from passbridge.api.routes import dsp as dsp_routes
from passbridge.bootstrap import Services
from passbridge.dataspace.messages import ContractAgreementVerificationMessage
from passbridge.dataspace.node import decode, encode
from passbridge.dataspace.ports import DspEndpoint, OutboxMessage
from passbridge.dataspace.versions import VersionEntry
from passbridge.errors import CounterpartyError
from passbridge.jsoncodec import loads_fast
from passbridge.outbound.dsp_client import DspClient
from passbridge.outbound.http import AddressPolicy
from passbridge.passport.access import Role
from passbridge.storage.dataspace import SqlOutboxQueue
from passbridge.storage.tables_dataspace import dsp_outbox
from tests.conftest import auth
from tests.dsp_world import World, certify, create_passport, fetch
from tests.network import Network

V08 = "/dsp/v0.8"
V08_TERMS = ("dspace:", "odrl:", "dct:", "dcat:")


class WireSpy:
    """Every DSP request between the nodes, with its JSON body and the JSON answer (thread-safe: the outbox workers
    send from their own threads)."""

    def __init__(self, network: Network) -> None:
        self.seen: list[tuple[str, str, Any, Any]] = []
        self._lock = threading.Lock()
        self._forward: Callable[[httpx.Request], httpx.Response] = network.transport.handle_request

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self._forward(request)
        path = request.url.path
        if path.startswith("/dsp/") or path == "/.well-known/dspace-version":
            sent = loads_fast(request.content) if request.content else None
            got = loads_fast(answer.content) if "json" in answer.headers.get("content-type", "") else None
            with self._lock:
                self.seen.append((request.method, path, sent, got))
        return answer

    def messages(self) -> list[tuple[str, str, Any, Any]]:
        with self._lock:
            return [entry for entry in self.seen if entry[1].startswith("/dsp/")]


@pytest.fixture
def v0_8_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Providers list only v0.8 in their version metadata (as a Tractus-X EDC ≤ 0.10 does)."""

    def entries(did: str, *, v0_8: bool = False) -> tuple[VersionEntry, ...]:
        return (VersionEntry("v0.8", V08, "HTTPS"),)

    monkeypatch.setattr(dsp_routes, "version_entries", entries)


def _world(network: Network, consumer_database: str) -> World:
    authority = network.node("catena-x-authority", authority=True, data_space="catena-x")
    provider = network.node("eu-oem", authority_url=authority.url)
    consumer = network.node("recycler", authority_url=authority.url, database_url=consumer_database)
    certify(authority, provider, "MembershipCredential")
    certify(authority, consumer, "MembershipCredential")
    return World(network, authority, provider, consumer, create_passport(provider))


def _terms(doc: Any) -> set[str]:
    """Every member name in a JSON document (nested), except inside ``@context``."""
    if isinstance(doc, list):
        return set().union(*(_terms(item) for item in doc)) if doc else set()
    if not isinstance(doc, dict):
        return set()
    names = {key for key in doc if key != "@context"}
    return names.union(*(_terms(value) for key, value in doc.items() if key != "@context"))


def _is_v0_8(doc: Any) -> bool:
    """v0.8 JSON-LD: an inline ``@context`` naming the v0.8 namespace, a prefixed ``@type``, and only prefixed DSP
    and ODRL terms (no unprefixed 2025-1 term such as ``consumerPid``)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("@context"), dict):
        return False
    if doc["@context"].get("dspace") != "https://w3id.org/dspace/v0.8/":
        return False
    plain = {"consumerPid", "providerPid", "offer", "agreement", "permission", "action", "dataset", "state"}
    return str(doc.get("@type", "")).startswith(V08_TERMS) and not (_terms(doc) & plain)


def _outbox_dialects(world: World) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for node in (world.provider, world.consumer):
        with node.services.engine.connect() as connection:
            rows = connection.execute(select(dsp_outbox.c.dialect, dsp_outbox.c.status)).all()
        assert {row.status for row in rows} == {"sent"}, rows
        found[node.name] = {row.dialect for row in rows}
    return found


def test_a_fetch_from_a_v0_8_only_provider_speaks_v0_8_end_to_end_and_warm_reuses_the_agreement(
    network: Network, database_url: str, v0_8_only: None
) -> None:
    world = _world(network, database_url)  # the consumer (and its outbox) on SQLite and on PostgreSQL
    spy = WireSpy(network)
    network.transport.handle_request = spy.handle_request  # type: ignore[method-assign]

    answer = fetch(world.consumer, world.passport_id, world.provider.url)
    assert answer.status_code == 200, answer.text
    cold = answer.json()
    assert cold["warm"] is False and cold["view"] == "public" and cold["datasetId"] == world.dataset_id
    assert list(cold["timings"]) == ["reuse", "discovery", "catalog", "negotiation", "transfer", "data"]
    anonymous = auth(world.provider.services, Role.ANONYMOUS)
    public = world.provider.client.get(f"/api/v1/passports/{world.passport_id}", headers=anonymous)
    assert public.status_code == 200 and cold["passport"] == public.json()

    messages = spy.messages()
    assert messages and all(path.startswith(V08 + "/") for _, path, _, _ in messages), messages
    kinds = [(method, path.rsplit("/", 1)[-1], (sent or {}).get("@type")) for method, path, sent, _ in messages]
    assert kinds[0] == ("GET", world.dataset_id, None)  # the dataset with its offers
    sent_types = [kind for _, _, kind in kinds if kind is not None]
    assert sent_types == [
        "dspace:ContractRequestMessage",  # consumer → provider
        "dspace:ContractAgreementMessage",  # provider → our /dsp/v0.8/callback (outbox)
        "dspace:ContractAgreementVerificationMessage",  # consumer → provider (our outbox)
        "dspace:ContractNegotiationEventMessage",  # FINALIZED, provider → our callback (outbox)
        "dspace:TransferRequestMessage",
        "dspace:TransferStartMessage",  # with the endpoint data reference, provider → our callback (outbox)
    ]
    for method, path, sent, got in messages:
        if sent is not None:
            assert _is_v0_8(sent), (path, sent)
        assert got is not None and _is_v0_8(got), (method, path, got)  # the answers (dataset, ACKs) too
    callbacks = [path for _, path, sent, _ in messages if sent and sent["@type"] in sent_types[1::2]]
    assert len(callbacks) == 3 and all(path.startswith(f"{V08}/callback/") for path in callbacks)
    request = next(sent for _, _, sent, _ in messages if sent and sent["@type"] == "dspace:ContractRequestMessage")
    assert request["dspace:callbackAddress"] == f"{world.consumer.url}{V08}/callback"
    assert "odrl:permission" in request["dspace:offer"] and "permission" not in request["dspace:offer"]
    assert _outbox_dialects(world) == {"eu-oem": {"v0.8"}, "recycler": {"v0.8"}}  # persisted with each message

    before = len(spy.messages())
    again = fetch(world.consumer, world.passport_id, world.provider.url)
    assert again.status_code == 200, again.text
    warm = again.json()
    assert warm["warm"] is True and warm["agreementId"] == cold["agreementId"]
    assert warm["passport"] == cold["passport"] and list(warm["timings"]) == ["reuse", "data"]
    assert len(spy.messages()) == before  # no DSP message: one data request


def test_a_provider_listing_2025_1_too_is_spoken_to_in_2025_1(network: Network) -> None:
    authority = network.node("catena-x-authority", authority=True, data_space="catena-x")
    provider = network.node("eu-oem", authority_url=authority.url)
    consumer = network.node("recycler", authority_url=authority.url)
    certify(authority, provider, "MembershipCredential")
    certify(authority, consumer, "MembershipCredential")
    passport_id = create_passport(provider)
    spy = WireSpy(network)
    network.transport.handle_request = spy.handle_request  # type: ignore[method-assign]
    answer = fetch(consumer, passport_id, provider.url)
    assert answer.status_code == 200, answer.text
    paths = [path for _, path, _, _ in spy.messages()]
    assert paths and all(path.startswith("/dsp/2025-1/") for path in paths), paths
    with consumer.services.engine.connect() as connection:
        assert {row.dialect for row in connection.execute(select(dsp_outbox.c.dialect))} == {"2025-1"}


def _client(version_metadata: dict[str, Any]) -> DspClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=version_metadata)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    policy = AddressPolicy(allow_http_loopback=True, resolve=lambda host: ["127.0.0.1"])
    return DspClient(http, policy, resolver=None, mint=lambda audience: "token")  # type: ignore[arg-type]


EDC = "http://127.0.0.1:8199/api/v1/dsp"


@pytest.mark.parametrize(
    ("listed", "expected"),
    [
        ([{"version": "v0.8", "path": "/"}], DspEndpoint(EDC, "v0.8")),  # Tractus-X EDC 0.7: 2024-1 form, no binding
        ([{"version": "0.8", "path": "", "binding": "HTTPS"}], DspEndpoint(EDC, "v0.8")),  # CX-0018: accept "0.8"
        (
            [
                {"version": "v0.8", "path": "", "binding": "HTTPS"},
                {"version": "2025-1", "path": "/2025-1", "binding": "HTTPS"},
            ],
            DspEndpoint(EDC + "/2025-1", "2025-1"),  # CX-0018 v4.2 §2.7's example: 2025-1 is preferred
        ),
    ],
)
def test_the_version_metadata_picks_the_dialect(listed: list[dict[str, str]], expected: DspEndpoint) -> None:
    client = _client({"protocolVersions": listed})
    assert client.dsp_base(f"{EDC}/.well-known/dspace-version") == expected


def test_version_metadata_without_a_spoken_dialect_is_refused_naming_discovery() -> None:
    client = _client({"protocolVersions": [{"version": "2024-1", "path": "/2024/1", "binding": "HTTPS"}]})
    with pytest.raises(CounterpartyError) as refused:
        client.dsp_base(f"{EDC}/.well-known/dspace-version")
    assert refused.value.step == "discovery" and "2025-1 or v0.8" in str(refused.value)


def test_a_queued_v0_8_message_keeps_its_dialect_across_a_restart_and_goes_out_as_v0_8(
    make_services: Callable[..., Services], database_url: str
) -> None:
    verification = ContractAgreementVerificationMessage("urn:uuid:provider-pid", "urn:uuid:consumer-pid")
    url = f"{EDC}/negotiations/urn:uuid:provider-pid/agreement/verification"
    body = encode(verification)  # queued in the 2025-1 form, as every message is
    before = make_services(database_url)
    with before.uow() as uow:
        uow.dataspace.enqueue(
            OutboxMessage("urn:uuid:consumer-pid", body["@type"], url, "did:web:edc", body, dialect="v0.8"),
            before.clock.now(),
        )
        uow.commit()
    before.engine.dispose()

    after = make_services(database_url)  # a new process on the same database
    now = after.clock.now()
    (claimed,) = SqlOutboxQueue(after.uow).claim_due(now, now + timedelta(seconds=30), 10)
    assert claimed.dialect == "v0.8" and claimed.body == body
    posted: list[Any] = []

    def edc(request: httpx.Request) -> httpx.Response:
        posted.append(loads_fast(request.content))
        return httpx.Response(200)

    client = DspClient(
        httpx.Client(transport=httpx.MockTransport(edc)),
        AddressPolicy(allow_http_loopback=True, resolve=lambda host: ["127.0.0.1"]),
        resolver=None,  # type: ignore[arg-type]
        mint=lambda audience: "token",
    )
    client.send(claimed)
    (sent,) = posted
    assert _is_v0_8(sent) and sent["@type"] == "dspace:ContractAgreementVerificationMessage"
    assert (
        sent["dspace:providerPid"] == "urn:uuid:provider-pid" and sent["dspace:consumerPid"] == "urn:uuid:consumer-pid"
    )
    assert decode(sent, ContractAgreementVerificationMessage, "v0.8") == verification
