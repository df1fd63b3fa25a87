"""A small data space for the DSP tests: a Catena-X authority, a provider company with a passport, and consumers
certified with MembershipCredential (and, for a notified body, NotifiedBodyCredential), all in-process nodes on
`tests.network`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from passbridge.jsoncodec import dumps_exact
from passbridge.passport.access import Role
from passbridge.passport.samples import sample_passport
from passbridge.storage.tables_dataspace import (
    dsp_agreements,
    dsp_edr_tokens,
    dsp_negotiations,
    dsp_outbox,
    dsp_transfers,
)
from tests.conftest import auth
from tests.network import Network, Node

DSP_TABLES = (dsp_negotiations, dsp_agreements, dsp_transfers, dsp_edr_tokens, dsp_outbox)


@dataclass
class World:
    """The nodes of one test."""

    network: Network
    authority: Node
    provider: Node
    consumer: Node
    passport_id: str

    @property
    def dataset_id(self) -> str:
        return f"urn:uuid:{self.passport_id}"


def certify(authority: Node, node: Node, *types: str) -> None:
    """Have the authority certify `node` for `types` and `node` fetch the credentials."""
    assert authority.services.identity.authority is not None
    claims: dict[str, dict[str, Any]] = {
        "MembershipCredential": {
            "holderIdentifier": f"BPNL{abs(hash(node.did)) % 10**12:012d}",
            "memberOf": "Catena-X",
        },
        "NotifiedBodyCredential": {"holderIdentifier": "NB 0123"},
        "LegitimateInterestCredential": {"holderIdentifier": "recycler"},
    }
    for kind in types:
        authority.services.identity.authority.add_member(node.did, kind, claims[kind])
    location = node.services.identity.holder.request_credentials(authority.did, list(types))
    assert node.services.http.get(location).json()["status"] == "ISSUED"


def create_passport(node: Node, number: int = 1) -> str:
    """Store a sample passport on `node`; its id."""
    created = node.client.post(
        "/api/v1/passports", content=dumps_exact(sample_passport(number)), headers=auth(node.services, Role.OWNER)
    )
    assert created.status_code == 201, created.text
    passport_id: str = created.json()["id"]
    return passport_id


def build_world(
    network: Network, *, consumer_types: tuple[str, ...] = ("MembershipCredential",), provider_database: str = ""
) -> World:
    """Authority, provider (member, one passport; on `provider_database` if given, else SQLite) and a consumer
    certified for `consumer_types`."""
    authority = network.node("catena-x-authority", authority=True, data_space="catena-x")
    provider = network.node("eu-oem", authority_url=authority.url, database_url=provider_database)
    consumer = network.node("recycler", authority_url=authority.url)
    certify(authority, provider, "MembershipCredential")
    if consumer_types:
        certify(authority, consumer, *consumer_types)
    return World(network, authority, provider, consumer, create_passport(provider))


def row_counts(node: Node) -> dict[str, int]:
    """Rows per DSP table (to prove a refused message changed nothing)."""
    with node.services.engine.connect() as connection:
        return {t.name: int(connection.execute(select(func.count()).select_from(t)).scalar_one()) for t in DSP_TABLES}


def snapshot(node: Node) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every DSP table, sorted (to compare before/after)."""
    with node.services.engine.connect() as connection:
        return {t.name: sorted(tuple(map(str, r)) for r in connection.execute(select(t)).all()) for t in DSP_TABLES}


def fetch(node: Node, target: str, source: str | None = None, fmt: str | None = None) -> Any:
    """`POST /api/v1/consumer/fetch` on `node` as its owner."""
    body: dict[str, Any] = {"target": target}
    if source is not None:
        body["from"] = source
    if fmt is not None:
        body["format"] = fmt
    return node.client.post("/api/v1/consumer/fetch", json=body, headers=auth(node.services, Role.OWNER))


__all__ = ["DSP_TABLES", "World", "build_world", "certify", "create_passport", "fetch", "row_counts", "snapshot"]
