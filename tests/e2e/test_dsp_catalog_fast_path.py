"""The cached DSP catalog (issue #5 throughput): `passbridge.api.dsp_fastpath` in front of the FastAPI route, the
catalog cached per database change generation and per what the access policies read.

What must hold: the fast path answers exactly what the route answers (fresh offer ids each time); a new passport
shows up in the very next catalog; a revoked caller is refused although its catalog was cached; a replayed SI token is
refused in DSP's error format (never answered from a cache); everything unusual falls through to the route; on
PostgreSQL (no change generation) nothing is cached and the route answers.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passbridge.api.app import create_app
from passbridge.api.dsp_fastpath import CatalogFastPath
from passbridge.dataspace.catalog import OfferId
from passbridge.dataspace.offers import DTR_ASSET
from passbridge.dataspace_wiring import MEMBERSHIP
from passbridge.errors import VerificationFailed
from tests.conftest import fresh_postgres
from tests.dsp_world import World, build_world, certify, create_passport
from tests.network import Network

CATALOG = "/dsp/2025-1/catalog/request"
ID_FILTER = [{"operandLeft": "id", "operator": "=", "operandRight": "x"}]
BODY = {"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"}


def _token(world: World) -> str:
    return world.consumer.services.identity.holder.self_issued_token(world.provider.did, ["MembershipCredential"])


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _catalog(world: World, token: str | None = None) -> Any:
    answer = world.provider.client.post(CATALOG, json=BODY, headers=_headers(token or _token(world)))
    assert answer.status_code == 200, answer.text
    return answer.json()


def _dataset_ids(catalog: Any) -> list[str]:
    return [dataset["@id"] for dataset in catalog["dataset"]]


def _without_ids(catalog: Any) -> Any:
    """The catalog with its id and the uuid part of every offer id blanked (they are fresh per answer)."""
    text = re.sub(r"'urn:passbridge:catalog:[^']+'", "'CATALOG'", str(catalog))
    for dataset in catalog["dataset"]:
        for offer in dataset["hasPolicy"]:
            parsed = OfferId.parse(offer["@id"])
            text = text.replace(offer["@id"], str(OfferId(parsed.definition_id, parsed.asset_id, "UUID")))
    return text


@pytest.fixture
def world(network: Network) -> World:
    return build_world(network)


@pytest.fixture
def cached_world(network: Network) -> World:
    """The provider remembers verified presentations (60 s), so catalog requests are answered on the event loop."""
    authority = network.node("catena-x-authority", authority=True, data_space="catena-x")
    provider = network.node("eu-oem", authority_url=authority.url, identity_cache_seconds=60)
    consumer = network.node("recycler", authority_url=authority.url)
    certify(authority, provider, "MembershipCredential")
    certify(authority, consumer, "MembershipCredential")
    return World(network, authority, provider, consumer, create_passport(provider))


@pytest.mark.parametrize("fixture", ["world", "cached_world"])
def test_the_fast_path_answers_what_the_route_answers_with_fresh_ids(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    world: World = request.getfixturevalue(fixture)
    assert world.provider.services.dataspace.service.catalogs.caches_catalogs  # SQLite: a change generation
    first, second = _catalog(world), _catalog(world)
    route = TestClient(create_app(world.provider.services), base_url=str(world.provider.client.base_url))
    answer = route.post(CATALOG, json=BODY, headers=_headers(_token(world)))  # the FastAPI route alone (no lifespan)
    assert answer.status_code == 200
    assert _without_ids(first) == _without_ids(second) == _without_ids(answer.json())
    assert _dataset_ids(first) == [DTR_ASSET.id, world.dataset_id]
    offer_ids = [o["@id"] for c in (first, second) for d in c["dataset"] for o in d["hasPolicy"]]
    assert len(set(offer_ids)) == len(offer_ids)  # no two answers share an offer id
    assert first["@id"] != second["@id"]
    uuids = {OfferId.parse(o["@id"]).uuid for d in first["dataset"] for o in d["hasPolicy"]}
    assert len(uuids) == 1 and first["@id"].endswith(uuids.pop())  # one fresh uuid per answer


def test_with_a_cached_presentation_only_the_token_is_checked(cached_world: World) -> None:
    callers = cached_world.provider.services.identity.callers
    assert callers.cached_dataspace_caller(_token(cached_world), MEMBERSHIP) is None  # nothing cached yet
    _catalog(cached_world)
    caller = callers.cached_dataspace_caller(_token(cached_world), MEMBERSHIP)  # answered without a network call
    assert caller is not None and caller.holder == cached_world.consumer.did
    token = _token(cached_world)
    assert callers.cached_dataspace_caller(token, MEMBERSHIP) is not None
    with pytest.raises(VerificationFailed, match="already used"):
        callers.cached_dataspace_caller(token, MEMBERSHIP)


def test_without_a_presentation_cache_the_token_is_checked_in_full(world: World) -> None:
    _catalog(world)
    token = _token(world)
    assert world.provider.services.identity.callers.cached_dataspace_caller(token, MEMBERSHIP) is None
    _catalog(world, token)  # the token was not used up by the attempt above


def test_an_offer_from_a_cached_catalog_can_be_negotiated(cached_world: World) -> None:
    world = cached_world
    _catalog(world)
    catalog = _catalog(world)  # answered from the cache
    dataset = next(d for d in catalog["dataset"] if d["@id"] == world.dataset_id)
    offer = {**dataset["hasPolicy"][0], "target": world.dataset_id}
    request = {
        "@context": BODY["@context"],
        "@type": "ContractRequestMessage",
        "consumerPid": "urn:uuid:consumer-pid-1",
        "offer": offer,
        "callbackAddress": f"{world.consumer.url}/dsp/2025-1/callback",
    }
    answer = world.provider.client.post(
        "/dsp/2025-1/negotiations/request", json=request, headers=_headers(_token(world))
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["state"] == "REQUESTED"


@pytest.mark.parametrize("fixture", ["world", "cached_world"])
def test_a_new_passport_is_in_the_next_catalog(fixture: str, request: pytest.FixtureRequest) -> None:
    world: World = request.getfixturevalue(fixture)
    before = _dataset_ids(_catalog(world))
    assert _dataset_ids(_catalog(world)) == before  # cached
    passport_id = create_passport(world.provider, 2)
    after = _dataset_ids(_catalog(world))
    assert f"urn:uuid:{passport_id}" in after and f"urn:uuid:{passport_id}" not in before
    assert set(before) < set(after)


def test_a_revoked_caller_is_refused_although_its_catalog_was_cached(world: World) -> None:
    _catalog(world)
    _catalog(world)
    authority = world.authority.services.identity.authority
    assert authority is not None
    [entry] = [
        e for e in world.consumer.services.identity.holder.wallet() if e.credential_type == "MembershipCredential"
    ]
    authority.revoke(entry.credential_id)
    answer = world.provider.client.post(CATALOG, json=BODY, headers=_headers(_token(world)))
    assert answer.status_code == 401
    error = answer.json()
    assert error["@type"] == "CatalogError" and "revoked" in str(error["reason"])


@pytest.mark.parametrize("fixture", ["world", "cached_world"])
def test_a_replayed_token_is_refused_in_the_protocols_error_format(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    world: World = request.getfixturevalue(fixture)
    _catalog(world)  # warm: the catalog and (cached_world) the presentation are cached
    token = _token(world)
    _catalog(world, token)
    again = world.provider.client.post(CATALOG, json=BODY, headers=_headers(token))
    assert again.status_code == 401
    assert again.json()["@type"] == "CatalogError" and "replayed" in str(again.json()["reason"])
    assert again.headers["www-authenticate"] == 'Bearer realm="dsp"'


@pytest.mark.parametrize(
    ("body", "query", "status"),
    [
        pytest.param({**BODY, "@type": "ContractRequestMessage"}, "", 400, id="wrong-message"),
        pytest.param(
            {**BODY, "filter": [{"operandLeft": "id", "operator": "=", "operandRight": "x"}]}, "", 200, id="filter"
        ),
        pytest.param(BODY, "?after=urn:uuid:00000000-0000-0000-0000-000000000000", 200, id="second-page"),
    ],
)
def test_unusual_requests_fall_through_to_the_route(
    cached_world: World, body: dict[str, Any], query: str, status: int
) -> None:
    world = cached_world
    _catalog(world)
    answer = world.provider.client.post(CATALOG + query, json=body, headers=_headers(_token(world)))
    assert answer.status_code == status, answer.text
    if status != 200:
        assert answer.json()["@type"] == "CatalogError"


def test_a_request_without_a_token_is_refused_by_the_route(cached_world: World) -> None:
    answer = cached_world.provider.client.post(CATALOG, json=BODY)
    assert answer.status_code == 401 and answer.json()["@type"] == "CatalogError"


def test_a_body_above_the_limit_is_refused_by_the_route(cached_world: World) -> None:
    limit = cached_world.provider.services.settings.max_body_bytes
    padded = {**BODY, "padding": "x" * limit}
    answer = cached_world.provider.client.post(CATALOG, json=padded, headers=_headers(_token(cached_world)))
    assert answer.status_code == 413 and answer.json()["@type"] == "CatalogError"


@pytest.mark.postgres
def test_on_postgresql_nothing_is_cached_and_the_route_answers(network: Network) -> None:
    world = build_world(network, provider_database=fresh_postgres())
    assert not world.provider.services.dataspace.service.catalogs.caches_catalogs
    before = _dataset_ids(_catalog(world))
    passport_id = create_passport(world.provider, 2)
    after = _dataset_ids(_catalog(world))
    assert f"urn:uuid:{passport_id}" in after and set(before) < set(after)
    token = _token(world)
    _catalog(world, token)
    assert world.provider.client.post(CATALOG, json=BODY, headers=_headers(token)).status_code == 401


def test_the_placeholder_never_leaks(cached_world: World) -> None:
    front: Any = cached_world.provider.client.app
    for _ in range(3):  # the catalog front sits among the node's ASGI fronts
        if not isinstance(front, CatalogFastPath):
            front = front.app
    assert isinstance(front, CatalogFastPath)
    _catalog(cached_world)
    text = str(_catalog(cached_world))
    placeholder = front._placeholder
    assert placeholder not in text and base64.b64encode(placeholder.encode()).decode() not in text


def test_a_withdrawn_pcf_grant_leaves_the_next_catalog(network: Network) -> None:
    from tests.e2e.test_dsp_pcf import DATASET, _catalog as pcf_catalog, _import, _supplier

    authority = network.node("catena-x-authority", authority=True, data_space="catena-x")
    customer = network.node("cell-maker", authority_url=authority.url)
    certify(authority, customer, "MembershipCredential")
    supplier = _supplier(network, authority, customer)
    assert supplier.services.dataspace.service.catalogs.caches_catalogs
    for _ in range(2):  # built, then answered from the cache
        assert DATASET in _dataset_ids(pcf_catalog(customer, supplier))
    _import(supplier, customer, released=[])  # the supplier withdraws the grant
    assert DATASET not in _dataset_ids(pcf_catalog(customer, supplier))
    _import(supplier, customer)  # and grants it again
    assert DATASET in _dataset_ids(pcf_catalog(customer, supplier))
