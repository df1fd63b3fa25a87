"""Owner-only data never leaves the node (DESIGN §6): not in any API response, header or CLI export, for any role.

The node holds distinctive supplier names, part names, identifiers, quantities and prices — in its supply-chain data
and in its passport's owner-only member — and a battery whose passport is filled from the roll-up. Then every
endpoint and every export path is called as every role but the owner (and the owner's customer-facing answer, which
is what leaves the node), and none of the strings may appear anywhere.
"""

from __future__ import annotations

import base64
import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from passbridge.bootstrap import Services
from passbridge.cli.app import app
from passbridge.passport.access import Role
from passbridge.passport.samples import sample_passport
from tests.conftest import auth, body as passport_body
from tests.supplychain_scenario import HOUSING, PACK, answer_of_b, body, pack_node, tid

SUPPLIER_NAME = "Zzsupplier-Kk"
SUPPLIER_PART = "Zzpart-Secret-77"
SUPPLIER_BPNL = "BPNL000000ZZSKK1"
SUPPLIER_ID = "zzsupplier-node-id"
QUANTITY = "93.7777"
PRICE = "1234.5678"
BOUGHT = tid("Zzpart bought")
SUPPLIERS_PRODUCT = tid("the supplier's own product")
SECRETS = (SUPPLIER_NAME, SUPPLIER_PART, SUPPLIER_BPNL, SUPPLIER_ID, QUANTITY, PRICE, BOUGHT, SUPPLIERS_PRODUCT)
OTHERS = [role for role in Role if role is not Role.OWNER]
FORMATS = ("catenax-6.1.0", "idta", "aas", "sd-jwt")


def _passport() -> dict[str, Any]:
    doc = sample_passport(1, with_owner_data=True)
    owner = doc["x-passbridge"]["owner"]
    owner["supplierIdentities"] = [{"name": SUPPLIER_NAME, "bpnl": SUPPLIER_BPNL, "role": "cells"}]
    owner["internalPartNumbers"] = [SUPPLIER_PART]
    owner["procurement"][0].update(part=SUPPLIER_PART, quantity=Decimal(QUANTITY), unitPrice=Decimal(PRICE))
    owner["notes"] = f"{SUPPLIER_NAME} sells at {PRICE}"
    return doc


def _supply_chain(passport_id: str) -> dict[str, Any]:
    doc = copy.deepcopy(pack_node(with_answer=False, passport_id=passport_id))
    doc["operators"] = [
        doc["operators"][0],
        {"id": SUPPLIER_ID, "name": SUPPLIER_NAME, "country": "KR", "bpnl": SUPPLIER_BPNL},
        {"id": "oem", "name": "OEM AG", "country": "DE", "bpnl": "BPNL00000000OEM1"},
    ]
    doc["parts"] = [p for p in doc["parts"] if p["partsName"] != "cell purchased"]
    doc["parts"].append(
        {"traceId": BOUGHT, "operator": "pack-maker", "partsName": SUPPLIER_PART, "declaredUnit": "unit"}
    )
    doc["bomLines"] = [
        {"parentTraceId": PACK, "traceId": BOUGHT, "amountRequired": QUANTITY, "amountRequiredUnit": "unit"},
        {"parentTraceId": PACK, "traceId": HOUSING, "amountRequired": "20", "amountRequiredUnit": "kilogram"},
    ]
    trade = tid("trade with the secret supplier")
    doc["trades"] = [{"tradeId": trade, "downstreamTraceId": BOUGHT, "upstreamOperator": SUPPLIER_ID}]
    answer = {**answer_of_b(), "tradeId": trade, "traceId": SUPPLIERS_PRODUCT}
    answer["cfp"] = {**answer["cfp"], "rawMaterialAcquisitionAndPreProcessing": "2", "mainProduction": "3"}
    doc["answers"] = [answer]
    doc["acl"] = [{"partner": "oem", "traceId": PACK, "released": ["TOTALCFP", "TOTALDQR", "MATERIALS", "ORIGIN"]}]
    return doc


@pytest.fixture
def seeded(client: TestClient, services: Services) -> str:
    owner = auth(services, Role.OWNER)
    created = client.post("/api/v1/passports", content=passport_body(_passport()), headers=owner)
    assert created.status_code == 201, created.text
    pid: str = created.json()["id"]
    imported = client.post("/api/v1/supplychain/import", content=body(_supply_chain(pid)), headers=owner)
    assert imported.status_code == 200, imported.text
    assert imported.json()["passports"] == [{"passportId": pid, "version": 2, "reason": None}]
    # the seeding worked: the owner's own view holds every owner-only string of the passport
    own = client.get(f"/api/v1/passports/{pid}", headers=owner).text
    assert all(s in own for s in (SUPPLIER_NAME, SUPPLIER_PART, SUPPLIER_BPNL, QUANTITY, PRICE))
    return pid


def _decoded(sd_jwt: str) -> str:
    """An SD-JWT's payload and disclosures, base64url-decoded (a secret inside would not show as a substring)."""
    jwt, *disclosures = sd_jwt.strip().split("~")
    parts = [jwt.split(".")[1], *filter(None, disclosures)]
    return " ".join(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode() for p in parts)


def _text(response: Any) -> str:
    signed = response.headers.get("content-type") == "application/sd-jwt"
    return f"{response.status_code} {dict(response.headers)} {_decoded(response.text) if signed else response.text}"


def _api_views(client: TestClient, services: Services, pid: str, role: Role) -> list[str]:
    headers = auth(services, role)
    urls = [f"/api/v1/passports/{pid}?format={fmt}" for fmt in FORMATS]
    urls += [f"/api/v1/passports/{pid}?format={fmt}&version=1" for fmt in FORMATS]
    urls += [
        f"/api/v1/passports/{pid}?format=bogus",
        f"/api/v1/passports/{pid}/versions",
        f"/api/v1/passports/{pid}/qr.svg",
        f"/p/{pid}",
        f"/p/{pid}?version=1",
        "/api/v1/supplychain/schema.json",
        "/healthz",
        "/openapi.json",
    ]
    for part in (PACK, tid("no such part")):
        urls += [f"/api/v1/supplychain/parts/{part}/{what}" for what in ("rollup", "answer?partner=oem", "audit")]
    seen = [_text(client.get(url, headers=headers)) for url in urls]
    seen.append(_text(client.post("/api/v1/supplychain/import", content=body(_supply_chain(pid)), headers=headers)))
    seen.append(_text(client.put(f"/api/v1/passports/{pid}", content=passport_body(_passport()), headers=headers)))
    return seen


@pytest.mark.parametrize("role", OTHERS)
def test_no_api_response_shows_owner_only_data(client: TestClient, services: Services, seeded: str, role: Role) -> None:
    for text in _api_views(client, services, seeded, role):
        leaked = [s for s in SECRETS if s in text]
        assert not leaked, (leaked, text[:300])


def test_the_answer_to_a_customer_shows_no_supplier_quantity_or_price(
    client: TestClient, services: Services, seeded: str
) -> None:
    response = client.get(
        f"/api/v1/supplychain/parts/{PACK}/answer", params={"partner": "oem"}, headers=auth(services, Role.OWNER)
    )
    assert response.status_code == 200
    assert response.json()["cfp"] is not None  # released, so the test is not vacuous
    assert not [s for s in SECRETS if s in _text(response)]


def test_no_cli_export_shows_owner_only_data(services: Services, seeded: str, tmp_path: Path) -> None:
    runner = CliRunner()
    node = ["--database-url", services.settings.effective_database_url, "--data-dir", str(tmp_path / "cli")]
    runs = [
        ["passport", "export", seeded, "--format", fmt, "--role", role.value, *version, *node]
        for role in OTHERS
        for fmt in FORMATS
        for version in ([], ["--version", "1"])
    ]
    runs += [["passport", "show", seeded, "--role", role.value, *node] for role in OTHERS]
    runs += [["supplychain", "answer", PACK, "--partner", "oem", *node], ["supplychain", "schema"]]
    for args in runs:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        output = _decoded(result.stdout) + result.stderr if "sd-jwt" in args else result.output
        leaked = [s for s in SECRETS if s in output]
        assert not leaked, (args, leaked)
    owner = runner.invoke(app, ["passport", "export", seeded, "--role", "owner", *node])
    assert SUPPLIER_NAME in owner.stdout and PRICE in owner.stdout  # the owner's own view does hold them


def test_nothing_owner_only_leaves_through_the_data_space(tmp_path: Path) -> None:
    """Catalog, every DSP message (the outboxes of both sides) and the data plane in every format, for a plain
    member and a notified body: no owner-only string anywhere."""
    from tests.conftest import FixedClock
    from tests.dsp_world import certify, fetch, snapshot
    from tests.network import Network

    network = Network(tmp_path, FixedClock())
    try:
        authority = network.node("catena-x-authority", authority=True, data_space="catena-x")
        provider = network.node("eu-oem", authority_url=authority.url)
        member = network.node("member", authority_url=authority.url)
        body_node = network.node("notified-body", authority_url=authority.url)
        certify(authority, provider, "MembershipCredential")
        certify(authority, member, "MembershipCredential")
        certify(authority, body_node, "MembershipCredential", "NotifiedBodyCredential")
        created = provider.client.post(
            "/api/v1/passports", content=passport_body(_passport()), headers=auth(provider.services, Role.OWNER)
        )
        assert created.status_code == 201, created.text
        pid = created.json()["id"]
        seen: list[str] = []
        for consumer in (member, body_node):
            for fmt in FORMATS:
                answer = fetch(consumer, pid, provider.url, fmt=fmt)
                assert answer.status_code == 200, answer.text
                passport = answer.json()["passport"]
                seen.append(_decoded(passport) if fmt == "sd-jwt" else answer.text)
            token = consumer.services.identity.holder.self_issued_token(provider.did, ["MembershipCredential"])
            catalog = provider.client.post(
                "/dsp/2025-1/catalog/request",
                json={"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"},
                headers={"Authorization": f"Bearer {token}"},
            )
            seen += [catalog.text, str(snapshot(consumer))]
        seen.append(str(snapshot(provider)))  # every DSP message it sent, as queued
        leaked = [(secret, text[:200]) for text in seen for secret in SECRETS if secret in text]
        assert leaked == []
    finally:
        network.close()
