"""Carbon-footprint answers through DSP (issue #5 item 4): a cathode supplier offers its part's PCF to the customer
its supply-chain ACL names; the customer fetches it catalog → negotiation → transfer → data plane as Catena-X JSON.

Partner mapping: the ACL's operator carries the customer's DID; the DSP caller is known by its DCP-verified DID.
A member the ACL does not name gets no dataset (absent from its catalog, 404 for the dataset, 400 for a copied
offer): it learns nothing about which parts exist. Once the supplier withdraws the grant, the data plane answers the
customer's still-valid token with 403 (the ACL is checked on every pull) and the dataset leaves its catalog.
Numbers (per kg of CAM-811, `tests.supplychain_scenario.cathode_node`): stage 1 = 0.5·4.0 + 0.25·2.0 + 0.1·15.0 = 4,
stage 2 = 5, total 9; TeR = (2.25·4 + 2·5)/9 = 2.11111, GeR = (2.375·4 + 1·5)/9 = 1.61111, TiR = (2·4 + 1·5)/9 =
1.44444 (5 decimals, half-up); DQR = (2.11111 + 1.61111 + 1.44444)/3 = 1.72222.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from passbridge.ecosystems.catenax.pcf import PcfContext
from passbridge.ecosystems.catenax.supplychain_pcf import SupplyChainPcf
from passbridge.jsoncodec import loads_exact
from passbridge.passport.access import Role
from passbridge.supplychain.model import Part
from tests.conftest import auth
from tests.dsp_world import certify, fetch
from tests.network import Network, Node
from tests.supplychain_scenario import CAM, body, cathode_node

DSP = "/dsp/2025-1"
DATASET = f"urn:uuid:{CAM}"
OWNER_ONLY = ("NiSO4", "recycled lot", "Li2CO3", "kansai-cathode", "Kansai Cathode", "nordzelle", "0.25")
"""Child part names, node-local operator ids, the operator names as stored, a BOM quantity: never sent."""


def _context(part: Part) -> PcfContext:
    """The supplier's own declarations (its BPNL and site, the PCF's validity and scope)."""
    return PcfContext(
        manufacturer_part_id=part.parts_name,
        customer_part_id=part.parts_name,
        legal_identifier="BPNL00000000KCM1",
        site_identifier="BPNS00000000KCM1",
        created=datetime(2026, 1, 5, tzinfo=UTC),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        valid_to=datetime(2026, 12, 31, tzinfo=UTC),
        company_name="KCM Cathode Company",
        reference_period_start=datetime(2025, 1, 1, tzinfo=UTC),
        reference_period_end=datetime(2025, 12, 31, tzinfo=UTC),
        geography_region="Eastern Asia",
        exempted_emissions_percent=Decimal(0),
        ccs_included=False,
    )


def _import(supplier: Node, customer: Node, released: list[str] | None = None) -> None:
    doc = copy.deepcopy(cathode_node())
    doc["operators"] = [op if op["id"] != "nordzelle" else {**op, "did": customer.did} for op in doc["operators"]]
    if released is not None:
        doc["acl"] = [{**grant, "released": released} for grant in doc["acl"]]
    imported = supplier.client.post(
        "/api/v1/supplychain/import", content=body(doc), headers=auth(supplier.services, Role.OWNER)
    )
    assert imported.status_code == 200, imported.text


def _supplier(network: Network, authority: Node, customer: Node) -> Node:
    supplier = network.node("cathode", authority_url=authority.url)
    certify(authority, supplier, "MembershipCredential")
    _import(supplier, customer)
    services = supplier.services
    source = SupplyChainPcf(services.supplychain, services.uow, _context)
    services.dataspace.service.offer_pcf(source)
    services.dataspace.dataplane.offer_pcf(source)
    return supplier


def _fetched(response: httpx.Response) -> Any:
    """A consumer-fetch answer with exact decimals (its ``passport`` member is the provider's payload)."""
    return loads_exact(response.content)


def _catalog(consumer: Node, provider: Node) -> dict[str, Any]:
    token = consumer.services.identity.holder.self_issued_token(provider.did, ["MembershipCredential"])
    message = {"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"}
    answer = provider.client.post(f"{DSP}/catalog/request", json=message, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    catalog: dict[str, Any] = answer.json()
    return catalog


def test_the_customer_fetches_the_pcf_and_others_do_not_and_nothing_owner_only_leaves(
    network: Network, wire: list[str]
) -> None:
    authority = network.node("catena-x-authority", authority=True, data_space="catena-x")
    customer = network.node("cell-maker", authority_url=authority.url)
    stranger = network.node("other-member", authority_url=authority.url)
    certify(authority, customer, "MembershipCredential")
    certify(authority, stranger, "MembershipCredential")
    supplier = _supplier(network, authority, customer)
    seen: list[str] = []

    catalog = _catalog(customer, supplier)
    seen.append(str(catalog))
    (dataset,) = [d for d in catalog["dataset"] if d["@id"] == DATASET]
    assert dataset["aas-semantics:semanticId"] == {"@id": "urn:samm:io.catenax.pcf:9.0.0#Pcf"}
    (offer,) = dataset["hasPolicy"]
    assert "cx.pcf.base:1" in str(offer) and "Membership" in str(offer)

    fetched = fetch(customer, DATASET, supplier.did, "pcf-9.0.0")
    seen.append(fetched.text)
    assert fetched.status_code == 200, fetched.text
    pcf = _fetched(fetched)["passport"]
    stages = pcf["productLifeCycleStagesAndEmissions"][0]
    assert stages["productionStage"][0]["pcfExcludingBiogenicUptake"] == Decimal(9)
    quality = pcf["pcfAssessmentAndMethodology"][0]["dataSourcesAndQuality"][0]
    assert (quality["technologicalDQR"], quality["geographicalDQR"], quality["temporalDQR"]) == (
        Decimal("2.11111"),
        Decimal("1.61111"),
        Decimal("1.44444"),
    )
    assert pcf["companyAndProductInformation"][0]["productInformation"][0]["declaredUnitOfMeasurement"] == "kilogram"

    battery = fetch(customer, DATASET, supplier.did, "battery-component-1.0.0")  # warm: same agreement and EDR
    seen.append(battery.text)
    assert battery.status_code == 200, battery.text
    assert _fetched(battery)["warm"] is True
    component = _fetched(battery)["passport"]
    shares = component["pcfValues"]["sharesPerStage"]
    assert shares["declaredUnit"] == "CO2KG/KG"
    assert shares["stage1RawMaterialAquisitionPreProcessing"]["stageValue"] == Decimal(4)
    assert shares["stage2MainProductProduction"]["stageValue"] == Decimal(5)
    assert shares["absPcfValue"]["stageValue"] == Decimal(9)
    assert component["dataQualityRating"] == Decimal("1.72222")

    # a member the ACL does not name: no such dataset in its catalog, and the dataset request is a 404
    stranger_catalog = _catalog(stranger, supplier)
    seen.append(str(stranger_catalog))
    assert DATASET not in {d["@id"] for d in stranger_catalog["dataset"]}
    token = stranger.services.identity.holder.self_issued_token(supplier.did, ["MembershipCredential"])
    direct = supplier.client.get(f"{DSP}/catalog/datasets/{DATASET}", headers={"Authorization": f"Bearer {token}"})
    seen.append(direct.text)
    assert direct.status_code == 404, direct.text
    refused = fetch(stranger, DATASET, supplier.did, "pcf-9.0.0")
    seen.append(refused.text)
    assert refused.status_code != 200 and "catalog" in refused.text
    # nor can it negotiate with the offer the customer was shown
    request = {
        "@context": ["https://w3id.org/dspace/2025/1/context.jsonld"],
        "@type": "ContractRequestMessage",
        "consumerPid": "urn:uuid:5d7c8f0e-1a2b-4c3d-9e8f-0a1b2c3d4e5f",
        "offer": {**offer, "target": DATASET},
        "callbackAddress": f"{stranger.url}/dsp/2025-1/callback",
    }
    token = stranger.services.identity.holder.self_issued_token(supplier.did, ["MembershipCredential"])
    negotiated = supplier.client.post(
        f"{DSP}/negotiations/request", json=request, headers={"Authorization": f"Bearer {token}"}
    )
    seen.append(negotiated.text)
    assert negotiated.status_code == 400 and "not an offer of this provider" in negotiated.text

    # the supplier withdraws the footprint: the data plane refuses the customer's still-valid token (403)
    _import(supplier, customer, released=["TOTALDQR"])
    withdrawn = fetch(customer, DATASET, supplier.did, "pcf-9.0.0")
    seen.append(withdrawn.text)
    assert withdrawn.status_code != 200
    assert any("/api/v1/dataplane/pcf/" in line and " 403 " in line for line in wire)
    assert DATASET not in {d["@id"] for d in _catalog(customer, supplier)["dataset"]}

    bodies = [*seen, *wire]
    assert any("ContractRequestMessage" in text for text in wire) and any("TransferStartMessage" in t for t in wire)
    leaked = {s for s in OWNER_ONLY for text in bodies if s in text}
    assert not leaked, leaked
