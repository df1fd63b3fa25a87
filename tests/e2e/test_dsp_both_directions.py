"""Two company nodes exchange passports and PCF answers through DSP with policies and DCP, in both directions
(issue #5 "Done when"): each is provider and consumer at once, started only from its settings (PCF declarations),
and each gets exactly what the other's policies and supply-chain ACL release to it; on SQLite and PostgreSQL.

Numbers: `tests.e2e.test_dsp_pcf` (CAM-811 per kg: stage 1 = 4, stage 2 = 5, total 9 kg CO2e).
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from passbridge.jsoncodec import loads_exact
from passbridge.passport.access import Role
from passbridge.pcf_settings import PcfSettings
from tests.conftest import auth
from tests.dsp_world import certify, create_passport, fetch
from tests.e2e.test_pcf_settings import DECLARATIONS
from tests.network import Network, Node
from tests.supplychain_scenario import CAM, body, cathode_node


def _offer_to(node: Node, partner: Node) -> None:
    """`node` imports the CAM-811 supply chain with its customer `nordzelle` being `partner`."""
    doc = copy.deepcopy(cathode_node())
    doc["operators"] = [op if op["id"] != "nordzelle" else {**op, "did": partner.did} for op in doc["operators"]]
    imported = node.client.post(
        "/api/v1/supplychain/import", content=body(doc), headers=auth(node.services, Role.OWNER)
    )
    assert imported.status_code == 200, imported.text


def _payload(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return loads_exact(response.content)


def test_two_company_nodes_exchange_passports_and_pcf_both_ways(network: Network, database_url: str) -> None:
    authority = network.node("catena-x-authority", authority=True, data_space="catena-x")
    declared = PcfSettings.model_validate(DECLARATIONS)
    first = network.node("maker-a", authority_url=authority.url, pcf=declared, database_url=database_url)
    second = network.node(
        "maker-b", authority_url=authority.url, pcf=declared.model_copy(update={"bpnl": "BPNL00000000KCM2"})
    )
    for node in (first, second):
        certify(authority, node, "MembershipCredential")
    _offer_to(first, second)
    _offer_to(second, first)
    passports = {first.name: create_passport(first, 1), second.name: create_passport(second, 2)}

    for consumer, provider in ((first, second), (second, first)):
        passport = _payload(fetch(consumer, passports[provider.name], provider.did))
        assert passport["view"] == "public" and passport["provider"] == provider.did
        assert passport["passport"]["metadata"]["passportIdentifier"] == f"urn:uuid:{passports[provider.name]}"
        pcf = _payload(fetch(consumer, f"urn:uuid:{CAM}", provider.did, "battery-component-1.0.0"))["passport"]
        shares = pcf["pcfValues"]["sharesPerStage"]
        assert shares["absPcfValue"]["stageValue"] == Decimal(9)
        assert pcf["legalidentifier"] == provider.services.settings.pcf.bpnl  # type: ignore[union-attr]
