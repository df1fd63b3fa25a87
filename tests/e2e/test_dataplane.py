"""The HTTP-pull data plane: the endpoint data reference a consumer receives works, and nothing else does — forged,
expired, revoked or misdirected tokens, tokens of suspended or terminated transfers — each refused with 401 and its
refusal code; refresh rotates the token pair."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from passbridge.dataspace import dataplane
from passbridge.dataspace.messages import DataAddress, Role as DspRole
from passbridge.identity.keys import generate
from passbridge.passport.access import Role
from tests.conftest import FixedClock, auth
from tests.dsp_world import World, build_world, create_passport, fetch
from tests.network import Network

DSP = "/dsp/2025-1"
CONTEXT = ["https://w3id.org/dspace/2025/1/context.jsonld"]


@pytest.fixture
def world(tmp_path: Path, clock: FixedClock) -> Iterator[World]:
    network = Network(tmp_path, clock)
    built = build_world(network)
    assert fetch(built.consumer, built.passport_id, built.provider.url).status_code == 200
    yield built
    network.close()


def _edr(world: World) -> tuple[str, str, DataAddress]:
    """(provider transfer pid, consumer transfer pid, the EDR the consumer holds)."""
    with world.consumer.services.uow(write=False) as uow:
        ((agreement, *_),) = [
            uow.dataspace.agreements_for(DspRole.CONSUMER, world.provider.did, world.consumer.did, world.dataset_id)
        ]
        ((process, _),) = uow.dataspace.started_transfers(DspRole.CONSUMER, agreement.id)
    assert process.data_address is not None
    return process.provider_pid, process.consumer_pid, process.data_address


def _get(world: World, address: DataAddress, token: str | None = None, endpoint: str | None = None) -> Any:
    url = (endpoint or address.endpoint or "").removeprefix(world.provider.url)
    return world.provider.client.get(url, headers={"Authorization": token or address.authorization or ""})


def _refused(answer: Any, refusal: str) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.json()["refusal"] == refusal, answer.json()


def test_the_edr_names_the_endpoint_token_and_refresh_data(world: World) -> None:
    _, _, address = _edr(world)
    assert address.endpoint_type == "https://w3id.org/idsa/v4.1/HTTP"
    assert address.endpoint == f"{world.provider.url}/api/v1/dataplane/passports/{world.dataset_id}"
    assert address.value_of("authType") == "bearer"
    assert address.value_of("expiresIn") == "600"
    assert address.value_of("refreshEndpoint") == f"{world.provider.url}/api/v1/dataplane/token"
    assert address.value_of("refreshToken")
    answer = _get(world, address)
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    public = world.provider.client.get(
        f"/api/v1/passports/{world.passport_id}", headers=auth(world.provider.services, Role.ANONYMOUS)
    )
    assert answer.json() == public.json()
    assert _get(world, address, token=f"Bearer {address.authorization}").status_code == 200


def test_only_hashes_of_the_tokens_are_stored_by_the_provider(world: World) -> None:
    _, _, address = _edr(world)
    token, refresh = address.authorization or "", address.value_of("refreshToken") or ""
    with world.provider.services.engine.connect() as connection:
        dump = "\n".join(
            line
            for line in connection.connection.driver_connection.iterdump()  # type: ignore[union-attr]
        )
    assert token not in dump and refresh not in dump
    assert dataplane.token_hash(token) in dump


def test_a_forged_token_is_refused(world: World) -> None:
    _, _, address = _edr(world)
    token = address.authorization or ""
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{('A' if signature[0] != 'A' else 'B')}{signature[1:]}"
    _refused(_get(world, address, token=tampered), "bad-signature")
    claims = dataplane.read_access_token(
        token,
        world.provider.services.dataspace.service.node.dataplane_key,
        world.provider.did,
        world.provider.services.clock.now(),
    )
    stranger_key = generate()
    forged = dataplane.issue_access_token(stranger_key, world.provider.did, claims, world.provider.services.clock.now())
    _refused(_get(world, address, token=forged), "bad-signature")
    _refused(_get(world, address, token="not-a-token"), "malformed")
    missing = world.provider.client.get((address.endpoint or "").removeprefix(world.provider.url))
    assert missing.status_code == 401


def test_an_expired_token_is_refused(world: World, clock: FixedClock) -> None:
    _, _, address = _edr(world)
    clock.current += timedelta(seconds=600)
    _refused(_get(world, address), "expired")


def test_a_token_is_good_for_its_dataset_only(world: World) -> None:
    _, _, address = _edr(world)
    other = create_passport(world.provider, 2)
    endpoint = f"{world.provider.url}/api/v1/dataplane/passports/urn:uuid:{other}"
    _refused(_get(world, address, endpoint=endpoint), "wrong-audience")


@pytest.mark.parametrize("message", ["TransferTerminationMessage", "TransferSuspensionMessage"])
def test_tokens_of_a_terminated_or_suspended_transfer_are_refused(world: World, message: str) -> None:
    provider_pid, consumer_pid, address = _edr(world)
    token = world.consumer.services.identity.holder.self_issued_token(world.provider.did, ["MembershipCredential"])
    path = "termination" if message == "TransferTerminationMessage" else "suspension"
    body = {"@context": CONTEXT, "@type": message, "providerPid": provider_pid, "consumerPid": consumer_pid}
    answer = world.provider.client.post(
        f"{DSP}/transfers/{provider_pid}/{path}", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] in ("TERMINATED", "SUSPENDED")
    _refused(_get(world, address), "revoked")
    refresh = world.provider.client.post(
        "/api/v1/dataplane/token",
        json={"grant_type": "refresh_token", "refresh_token": address.value_of("refreshToken")},
    )
    _refused(refresh, "revoked")


def test_refresh_rotates_the_token_pair(world: World) -> None:
    _, _, address = _edr(world)
    answer = world.provider.client.post(
        "/api/v1/dataplane/token",
        content=f"grant_type=refresh_token&refresh_token={address.value_of('refreshToken')}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200, answer.text
    fresh = answer.json()
    assert fresh["token_type"] == "bearer" and fresh["expires_in"] == 600
    assert _get(world, address, token=fresh["access_token"]).status_code == 200
    _refused(_get(world, address), "revoked")  # the old access token
    again = world.provider.client.post(
        "/api/v1/dataplane/token",
        json={"grant_type": "refresh_token", "refresh_token": address.value_of("refreshToken")},
    )
    _refused(again, "revoked")  # the old refresh token
    bad = world.provider.client.post("/api/v1/dataplane/token", json={"grant_type": "password"})
    assert bad.status_code == 422
