"""Both data spaces and the link, in-process (`tests.network`): a Catena-X authority, the Ouranos platform (its own
authority), a European OEM and a European cathode supplier on Catena-X, and on Ouranos a Japanese cathode maker
(answers Catena-X through the link) and a Japanese cell maker (asks a European supplier through the link).

Figures: the Japanese cathode maker's CFP per kg of JP-CAM-9 is pre 1.5 own + 2.5 bought = 4, main 2.5 + 0.5 = 3,
DQR pre (2, 1, 1) own and (3, 2, 1) bought, main (1, 1, 2) own and (2, 2, 2) bought → answer pre 4 DQR
(2.625, 1.625, 1), main 3 DQR (1.16667, 1.16667, 2) — the stage DQRs weighted by their emissions (ouranos.md §7).
The European supplier's PCF (tests.supplychain_scenario.cathode_node, CAM-811): stage 1 = 4, stage 2 = 5, DQR
(2.11111, 1.61111, 1.44444).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from passbridge.ecosystems.catenax.supplychain_pcf import SupplyChainPcf
from passbridge.identity.trust import Recognition, TypeMapping
from passbridge.link.bridge import LinkService
from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.services import OuranosPlatform
from passbridge.passport.access import Role
from passbridge.settings import NodeRole
from tests.conftest import FixedClock, auth
from tests.dsp_world import certify
from tests.network import Network, Node
from tests.supplychain_scenario import body, cathode_node

PASSWORD = "Passw0rd!"
EU_OEM_BPNL = "BPNL00000000EOEM"
EU_SUPPLIER_BPNL = "BPNL0000000NORD1"
CATHODE_BPNL = "BPNL00000000KCJP"
UNIT = "kgCO2e/kilogram"


@dataclass
class LinkWorld:
    """The nodes and the Ouranos operators of one test."""

    network: Network
    clock: FixedClock
    cx: Node
    ou: Node
    eu_oem: Node
    eu_supplier: Node
    cathode: Caller
    cell: Caller
    cathode_part: str
    cell_child: str
    ouranos_credential: str = ""

    @property
    def platform(self) -> OuranosPlatform:
        assert self.ou.services.ouranos is not None
        return self.ou.services.ouranos

    @property
    def link(self) -> LinkService:
        assert self.ou.services.link is not None
        return self.ou.services.link.service


def _operator(platform: OuranosPlatform, name: str, open_id: str, email: str) -> Caller:
    operator_id, _ = platform.accounts.add_operator(name, open_id, email, PASSWORD)
    return Caller(operator_id, email)


def _plant(platform: OuranosPlatform, caller: Caller, open_plant_id: str) -> str:
    plant = platform.authinfo.put_plant(
        caller,
        {
            "operatorId": caller.operator_id,
            "plantId": None,
            "plantName": "plant",
            "plantAddress": "Japan",
            "openPlantId": open_plant_id,
            "plantAttribute": {"globalPlantId": None},
        },
    )
    assert isinstance(plant, dict)
    return str(plant["plantId"])


def _part(caller: Caller, plant: str, name: str, amount: str | None = None) -> dict[str, Any]:
    return {
        "operatorId": caller.operator_id,
        "traceId": None,
        "plantId": plant,
        "partsName": name,
        "supportPartsName": None,
        "terminatedFlag": False,
        "amountRequired": Decimal(amount) if amount is not None else None,
        "amountRequiredUnit": "kilogram",
    }


def _cfp(trace_id: str) -> list[Any]:
    rows = (
        ("preProduction", "preProcessing", "1.5", ("2", "1", "1")),
        ("mainProduction", "mainProcessing", "2.5", ("1", "1", "2")),
        ("preComponent", "preProcessing", "2.5", ("3", "2", "1")),
        ("mainComponent", "mainProcessing", "0.5", ("2", "2", "2")),
    )
    return [
        {
            "cfpId": None,
            "traceId": trace_id,
            "ghgEmission": Decimal(value),
            "ghgDeclaredUnit": UNIT,
            "cfpType": kind,
            "dqrType": dqr_type,
            "dqrValue": dict(zip(("TeR", "GeR", "TiR"), map(Decimal, dqr), strict=True)),
        }
        for kind, dqr_type, value, dqr in rows
    ]


def recognise_each_other(cx: Node, ou: Node, clock: FixedClock) -> None:
    """Catena-X counts a certified Ouranos operator as a member; Ouranos counts a Catena-X member as a member."""
    assert cx.services.identity.authority is not None and ou.services.identity.authority is not None
    start, end = clock.now() - timedelta(days=1), clock.now() + timedelta(days=365)
    cx.services.identity.authority.recognise(
        Recognition(
            ou.did,
            "ouranos",
            (TypeMapping("OuranosOperatorCredential", "MembershipCredential", {"certificationStatus": "certified"}),),
            start,
            end,
            frozenset({"dataspace"}),
        )
    )
    ou.services.identity.authority.recognise(
        Recognition(
            cx.did,
            "catena-x",
            (TypeMapping("MembershipCredential", "MembershipCredential", {"memberOf": "Catena-X"}),),
            start,
            end,
            frozenset({"dataspace"}),
        )
    )


def offer_supplier_pcf(supplier: Node, customer_did: str) -> None:
    """The European supplier releases CAM-811's footprint to the operator with `customer_did` and offers it."""
    from tests.e2e.test_dsp_pcf import _context  # the supplier's own PCF declarations

    doc = copy.deepcopy(cathode_node())
    doc["operators"] = [op if op["id"] != "nordzelle" else {**op, "did": customer_did} for op in doc["operators"]]
    imported = supplier.client.post(
        "/api/v1/supplychain/import", content=body(doc), headers=auth(supplier.services, Role.OWNER)
    )
    assert imported.status_code == 200, imported.text
    services = supplier.services
    source = SupplyChainPcf(services.supplychain, services.uow, _context)
    services.dataspace.service.offer_pcf(source)
    services.dataspace.dataplane.offer_pcf(source)


def build_link_world(network: Network, clock: FixedClock, *, platform_database: str = "") -> LinkWorld:
    """Authorities (recognising each other), the EU members, the platform with two Japanese operators: the cathode
    maker with JP-CAM-9 (one child part bought from its own supplier) and its CFP; the cell maker with a cell whose
    child part CAM-811 it buys in Europe."""
    cx = network.node("catena-x-authority", authority=True, data_space="catena-x")
    ou = network.node(
        "ouranos-platform",
        roles=(NodeRole.OURANOS_PLATFORM, NodeRole.AUTHORITY),
        data_space="ouranos",
        database_url=platform_database,
    )
    eu_oem = network.node("eu-oem", authority_url=cx.url)
    eu_supplier = network.node("eu-supplier", authority_url=cx.url)
    certify(cx, eu_oem, "MembershipCredential")
    certify(cx, eu_supplier, "MembershipCredential")
    recognise_each_other(cx, ou, clock)
    assert ou.services.ouranos is not None
    platform = ou.services.ouranos
    cathode = _operator(platform, "Kansai Cathode K.K.", "5120001000001", "ops@kansai-cathode.example")
    cell = _operator(platform, "Tokai Cell K.K.", "5120001000002", "ops@tokai-cell.example")
    cathode_plant, cell_plant = _plant(platform, cathode, "kansai000001"), _plant(platform, cell, "tokai000001")
    structure: Any = platform.parts.put_structure(
        cathode,
        {
            "parentPartsModel": _part(cathode, cathode_plant, "JP-CAM-9"),
            "childrenPartsModel": [_part(cathode, cathode_plant, "NiSO4-secret-lot", "0.42")],
        },
    )
    cathode_part = str(structure["parentPartsModel"]["traceId"])
    platform.cfp.put(cathode, _cfp(cathode_part))
    cells: Any = platform.parts.put_structure(
        cell,
        {
            "parentPartsModel": _part(cell, cell_plant, "TC-CELL-2"),
            "childrenPartsModel": [_part(cell, cell_plant, "CAM-811", "0.37")],
        },
    )
    cell_child = str(cells["childrenPartsModel"][0]["traceId"])
    return LinkWorld(network, clock, cx, ou, eu_oem, eu_supplier, cathode, cell, cathode_part, cell_child)


__all__ = [
    "CATHODE_BPNL",
    "EU_OEM_BPNL",
    "EU_SUPPLIER_BPNL",
    "LinkWorld",
    "build_link_world",
    "offer_supplier_pcf",
    "recognise_each_other",
]
