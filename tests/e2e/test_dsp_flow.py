"""Issue #5 end to end over HTTP between in-process nodes: a Catena-X authority, a provider company with a passport,
consumer companies certified with MembershipCredential (DCP 1.0 on every DSP request).

Discovery (DID document → DataService → dspace-version), catalog, negotiation (request → agreement → verification
→ finalized), transfer (request → start with the EDR) and the data-plane GET; the view follows from the agreement;
a warm fetch reuses agreement and EDR; the outbox worker retries with back-off while the counterparty is down.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from passbridge.dataspace.codec.policy_json import policy_to_json
from passbridge.dataspace.messages import NegotiationState, Role as DspRole, TransferState
from passbridge.dataspace.offers import DTR_ASSET
from passbridge.passport.access import Role
from passbridge.storage.tables_dataspace import dsp_outbox
from tests.conftest import FixedClock, auth
from tests.dsp_world import World, build_world, certify, fetch, row_counts
from tests.network import Network

DSP = "/dsp/2025-1"


@pytest.fixture
def world(network: Network) -> World:
    return build_world(network)


def _si_token(world: World, *types: str) -> dict[str, str]:
    token = world.consumer.services.identity.holder.self_issued_token(
        world.provider.did, list(types or ("MembershipCredential",))
    )
    return {"Authorization": f"Bearer {token}"}


def _view(world: World, role: Role) -> Any:
    answer = world.provider.client.get(
        f"/api/v1/passports/{world.passport_id}", headers=auth(world.provider.services, role)
    )
    assert answer.status_code == 200
    return answer.json()


def test_the_version_endpoint_is_unauthenticated_and_names_the_2025_1_base(world: World) -> None:
    answer = world.provider.client.get("/.well-known/dspace-version")
    assert answer.status_code == 200
    (entry,) = answer.json()["protocolVersions"]
    assert entry["version"] == "2025-1" and entry["path"] == DSP and entry["binding"] == "HTTPS"
    assert entry["auth"]["protocol"] == "DCP"
    services = world.provider.client.get("/.well-known/did.json").json()["service"]
    (data_service,) = [s for s in services if s["type"] == "DataService"]
    assert data_service["serviceEndpoint"] == f"{world.provider.url}/.well-known/dspace-version"


def test_the_catalog_offers_the_passport_and_the_digital_twin_registry(world: World) -> None:
    body = {"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"}
    answer = world.provider.client.post(f"{DSP}/catalog/request", json=body, headers=_si_token(world))
    assert answer.status_code == 200, answer.text
    catalog = answer.json()
    assert catalog["@type"] == "Catalog" and catalog["participantId"] == world.provider.did
    datasets = {d["@id"]: d for d in catalog["dataset"]}
    registry = datasets[DTR_ASSET.id]
    assert registry["dct:type"] == {"@id": "https://w3id.org/catenax/taxonomy#DigitalTwinRegistry"}
    passport = datasets[world.dataset_id]
    (offer,) = passport["hasPolicy"]  # a plain member sees only the public view
    assert offer["assigner"] == world.provider.did and "target" not in offer
    assert passport["distribution"][0]["format"] == "HttpData-PULL"


def test_a_member_fetches_a_passport_end_to_end_in_the_public_view(network: Network, database_url: str) -> None:
    world = build_world(network, provider_database=database_url)  # the provider on SQLite and on PostgreSQL
    answer = fetch(world.consumer, world.passport_id, world.provider.url)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["warm"] is False and result["view"] == "public"
    assert result["provider"] == world.provider.did and result["datasetId"] == world.dataset_id
    assert list(result["timings"]) == ["reuse", "discovery", "catalog", "negotiation", "transfer", "data"]
    assert result["passport"] == _view(world, Role.ANONYMOUS)
    for node, role in ((world.provider, DspRole.PROVIDER), (world.consumer, DspRole.CONSUMER)):
        with node.services.uow(write=False) as uow:
            agreement = uow.dataspace.agreement(result["agreementId"])
            assert agreement is not None and agreement.role is role
            origin = uow.dataspace.negotiation(role, agreement.negotiation_pid)
            assert origin is not None and origin.state is NegotiationState.FINALIZED
            (started, _), *_ = uow.dataspace.started_transfers(role, agreement.id)
            assert started.state is TransferState.STARTED
        with node.services.engine.connect() as connection:
            statuses = {row.status for row in connection.execute(select(dsp_outbox.c.status))}
        assert statuses == {"sent"}


def test_the_agreement_is_the_offered_policy_unchanged(world: World) -> None:
    answer = fetch(world.consumer, world.passport_id, world.provider.url)
    assert answer.status_code == 200, answer.text
    dataset = world.provider.client.get(f"{DSP}/catalog/datasets/{world.dataset_id}", headers=_si_token(world)).json()
    (offer,) = dataset["hasPolicy"]
    with world.provider.services.uow(write=False) as uow:
        stored = uow.dataspace.agreement(answer.json()["agreementId"])
    assert stored is not None
    agreement = policy_to_json(stored.agreement)
    identity = ("@id", "@type", "target", "assignee", "timestamp")
    assert {k: v for k, v in agreement.items() if k not in identity} == {
        k: v for k, v in offer.items() if k not in identity
    }
    assert agreement["assignee"] == world.consumer.did and agreement["target"] == world.dataset_id


def test_a_notified_body_gets_the_notified_body_view_through_its_agreement(network: Network) -> None:
    world = build_world(network, consumer_types=("MembershipCredential", "NotifiedBodyCredential"))
    answer = fetch(world.consumer, f"{world.provider.url}/p/{world.passport_id}")  # the QR code's content
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["view"] == "notified_body"
    assert result["passport"] == _view(world, Role.NOTIFIED_BODY) != _view(world, Role.ANONYMOUS)
    with world.provider.services.uow(write=False) as uow:
        stored = uow.dataspace.agreement(result["agreementId"])
    assert stored is not None
    assert "PassportAccessLevel" in str(policy_to_json(stored.agreement))


def test_a_non_member_is_refused_at_the_catalog(network: Network) -> None:
    world = build_world(network, consumer_types=())
    answer = fetch(world.consumer, world.passport_id, world.provider.did)
    assert answer.status_code == 502
    problem = answer.json()
    assert "catalog" in problem["detail"] and "401" in problem["detail"]
    body = {"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"}
    direct = world.provider.client.post(f"{DSP}/catalog/request", json=body, headers=_si_token(world))
    assert direct.status_code == 401
    assert direct.json()["@type"] == "CatalogError"
    assert "missing-credential" in str(direct.json()["reason"])
    assert sum(row_counts(world.provider).values()) == 0


def test_a_warm_fetch_reuses_the_agreement_and_the_edr(world: World) -> None:
    assert fetch(world.consumer, world.passport_id, world.provider.url).status_code == 200
    requests = world.network.transport.requests
    before = len(requests)
    warm = fetch(world.consumer, world.passport_id, world.provider.url)
    assert warm.status_code == 200, warm.text
    assert warm.json()["warm"] is True and list(warm.json()["timings"]) == ["reuse", "data"]
    made = requests[before:]
    assert [r for r in made if "/dsp/" in r or "did.json" in r or "dspace-version" in r] == []
    assert len(made) == 1 and "/api/v1/dataplane/passports/" in made[0]
    assert warm.json()["passport"] == _view(world, Role.ANONYMOUS)


def test_an_expired_edr_leads_to_a_new_transfer_under_the_same_agreement(world: World, clock: FixedClock) -> None:
    first = fetch(world.consumer, world.passport_id, world.provider.url).json()
    clock.current += timedelta(seconds=world.provider.services.dataspace.service.node.edr_ttl_seconds)
    again = fetch(world.consumer, world.passport_id, world.provider.url)
    assert again.status_code == 200, again.text
    second = again.json()
    assert second["agreementId"] == first["agreementId"] and second["transferPid"] != first["transferPid"]
    assert "negotiation" not in second["timings"] and "transfer" in second["timings"]


def _outbox(world: World) -> list[Any]:
    with world.provider.services.engine.connect() as connection:
        return list(connection.execute(select(dsp_outbox).order_by(dsp_outbox.c.id)))


def test_the_worker_retries_with_back_off_while_the_consumer_is_down(world: World, clock: FixedClock) -> None:
    worker = world.provider.services.dataspace.worker
    worker.stop()  # the test drives the provider's outbox with drain()
    routes = world.network.transport.routes
    consumer_host = world.consumer.url.removeprefix("http://")
    outcome: dict[str, Any] = {}
    thread = threading.Thread(
        target=lambda: outcome.update(answer=fetch(world.consumer, world.passport_id, world.provider.url))
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not _outbox(world) and time.monotonic() < deadline:
        time.sleep(0.01)  # the test waits for the negotiation request to be acknowledged
    (queued,) = _outbox(world)
    assert queued.message_type == "ContractAgreementMessage" and queued.status == "pending"
    client = routes.pop(consumer_host)  # the consumer goes down
    assert worker.drain() == 0
    (row,) = _outbox(world)
    assert row.attempts == 1 and "ConnectError" in row.last_error
    assert row.next_attempt_at == clock.now() + timedelta(seconds=1)
    assert worker.drain() == 0 and _outbox(world)[0].attempts == 1  # not due yet: no retry
    clock.current += timedelta(seconds=1)
    assert worker.drain() == 0
    assert _outbox(world)[0].attempts == 2 and _outbox(world)[0].next_attempt_at == clock.now() + timedelta(seconds=2)
    routes[consumer_host] = client  # back up
    clock.current += timedelta(seconds=2)
    assert worker.drain() == 1
    while thread.is_alive():  # the rest of the flow: FINALIZED event, transfer start
        worker.drain()
        thread.join(0.01)
    assert outcome["answer"].status_code == 200, outcome["answer"].text
    assert [r.status for r in _outbox(world)] == ["sent", "sent", "sent"]
    assert worker.backoff(1) == 1 and worker.backoff(3) == 4 and worker.backoff(20) == 60


def test_a_second_member_is_served_with_its_own_agreement(network: Network) -> None:
    world = build_world(network)
    other = network.node("other-member", authority_url=world.authority.url)
    certify(world.authority, other, "MembershipCredential")
    one = fetch(world.consumer, world.passport_id, world.provider.url).json()
    two = fetch(other, world.passport_id, world.provider.url).json()
    assert one["agreementId"] != two["agreementId"] and one["passport"] == two["passport"]


def test_passbridge_fetch_prints_the_passport_and_the_timings(
    network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from passbridge.api.app import create_asgi
    from passbridge.bootstrap import bootstrap
    from passbridge.cli.app import app
    from passbridge.identity.keys import FileKeyStore
    from passbridge.settings import load_settings

    assert isinstance(network.clock, FixedClock)
    network.clock.current = datetime.now(UTC) + timedelta(seconds=60)  # the command signs with the wall clock
    world = build_world(network, consumer_types=())
    config = tmp_path / "consumer.toml"  # a consumer node with its keys on disk, as `passbridge serve` runs it
    config.write_text(
        f'port = 8150\ndata_dir = "{tmp_path / "cli-consumer"}"\nallow_http_loopback = true\n'
        f'authority_url = "{world.authority.url}"\n'
    )
    settings = load_settings(config)
    services = bootstrap(
        settings, clock=network.clock, key_store=FileKeyStore(settings.key_dir), http_client=network.http
    )
    client = TestClient(create_asgi(services), raise_server_exceptions=False, base_url="http://127.0.0.1:8150")
    client.__enter__()
    network.transport.routes["127.0.0.1:8150"] = client
    try:
        from tests.network import Node

        certify(world.authority, Node("cli-consumer", services, client), "MembershipCredential")
        real_client = httpx.Client  # the command's client reaches the in-process node through the network
        monkeypatch.setattr(httpx, "Client", lambda **_: real_client(transport=network.transport))
        out = tmp_path / "passport.json"
        qr = f"{world.provider.url}/p/{world.passport_id}"
        result = CliRunner().invoke(app, ["fetch", qr, "--config", str(config), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert json.loads(out.read_text()) == _view(world, Role.ANONYMOUS)
        assert "public view, cold" in result.output and "negotiation" in result.output and "total" in result.output
        again = CliRunner().invoke(
            app, ["fetch", world.passport_id, "--from", world.provider.did, "--config", str(config)]
        )
        assert again.exit_code == 0, again.output
        assert "warm (agreement and EDR reused)" in again.output
        assert json.loads(again.output[: again.output.rindex("}") + 1]) == _view(world, Role.ANONYMOUS)
        bad = CliRunner().invoke(app, ["fetch", "not-a-passport", "--config", str(config)])
        assert bad.exit_code == 2 and "$.target" in bad.output
    finally:
        client.__exit__(None, None, None)
        services.close()


def test_an_undeliverable_message_terminates_its_process_after_the_last_attempt(
    world: World, clock: FixedClock
) -> None:
    from passbridge.outbound.worker import OutboxWorker
    from passbridge.storage.dataspace import SqlOutboxQueue

    provider = world.provider.services
    provider.dataspace.worker.stop()
    dataset = world.provider.client.get(f"{DSP}/catalog/datasets/{world.dataset_id}", headers=_si_token(world)).json()
    request = {
        "@context": ["https://w3id.org/dspace/2025/1/context.jsonld"],
        "@type": "ContractRequestMessage",
        "consumerPid": "urn:uuid:00000000-0000-4000-8000-00000000dead",
        "offer": {**dataset["hasPolicy"][0], "target": world.dataset_id},
        "callbackAddress": "http://127.0.0.1:8199/callback",  # nothing listens there
    }
    answer = world.provider.client.post(f"{DSP}/negotiations/request", json=request, headers=_si_token(world))
    assert answer.status_code == 201, answer.text
    pid = answer.json()["providerPid"]
    # another worker (as after a restart) sees the message once the lease of the process that queued it ran out
    worker = OutboxWorker(SqlOutboxQueue(provider.uow), provider.dataspace.client, provider.clock, max_attempts=1)
    assert worker.drain() == 0 and _outbox(world)[0].attempts == 0
    clock.current += timedelta(seconds=31)
    assert worker.drain() == 0
    (row,) = _outbox(world)
    assert row.status == "failed" and "ConnectError" in row.last_error
    with provider.uow(write=False) as uow:
        negotiation = uow.dataspace.negotiation(DspRole.PROVIDER, pid)
    assert negotiation is not None and negotiation.state is NegotiationState.TERMINATED
