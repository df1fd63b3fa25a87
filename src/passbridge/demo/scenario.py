"""The demo's supply chain as import documents: who makes what from what, with which figures.

Tier 3, the Japanese cathode maker, makes cathode material CAM-811 (per kg: 0.45 kg NiSO4, 0.25 kg CoSO4,
0.5 kg Li2CO3, all virgin); tier 2, the Japanese cell maker, makes CELL-200Ah from 1.2 kg CAM and 0.6 kg graphite;
tier 1, the European OEM, makes the EV battery EVB-77 (77 kWh, M1, 8 years) from 104 cells and 35 kg housing.
After end of life the European recycler recovers cobalt and lithium into lot RB-2026-01 (per kg: 0.2 kg cobalt and
0.2 kg lithium, all post-consumer recycled); the cell maker's second-generation cell CELL-G2 uses 0.96 kg CAM and
0.24 kg of that lot.

Recycled content of CELL-G2 (the figures `EXPECTED_G2_RECYCLED_PERCENT` states, worked out by hand):
cobalt 0.96·0.25·0.2 = 0.048 kg from CAM + 0.24·0.2 = 0.048 kg recycled → 0.048 / 0.096 = 50.000 %;
lithium 0.96·0.5·0.18 = 0.0864 kg + 0.048 kg recycled → 0.048 / 0.1344 = 35.714 % (3 decimals, rounded down);
nickel 0.96·0.45·0.22 = 0.09504 kg, none recycled → 0.000 %.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, Final

from passbridge.supplychain.document_parts import bom_line, dqr, own, part

_NS: Final = uuid.UUID("3b0b9a52-5d1e-4f0e-a7c1-6a2f0c1d9e42")


def tid(name: str) -> str:
    """A stable trace id per part name."""
    return str(uuid.uuid5(_NS, name))


CAM, NISO4, COSO4, LI2CO3 = tid("CAM-811"), tid("NiSO4"), tid("CoSO4"), tid("Li2CO3")
CELL, CAM_BOUGHT, GRAPHITE = tid("CELL-200Ah"), tid("CAM purchased"), tid("graphite")
CELL_G2, LOT_BOUGHT = tid("CELL-G2"), tid("recovered lot purchased")
PACK, CELLS_BOUGHT, HOUSING = tid("EVB-77"), tid("cells purchased"), tid("housing")
LOT = tid("RB-2026-01")
TRADE_CELL_CAM, TRADE_PACK_CELL, TRADE_G2_LOT = tid("trade cell-CAM"), tid("trade pack-cell"), tid("trade G2-lot")

CATHODE_OP: Final = {
    "id": "kansai-cathode",
    "name": "Kansai Cathode Materials K.K.",
    "country": "JP",
    "openOperatorId": "7000012050002",
}
CELL_OP: Final = {"id": "tohoku-cell", "name": "Tohoku Cell K.K.", "country": "JP", "openOperatorId": "4000012010001"}
OEM_OP: Final = {"id": "europa-motors", "name": "Europa Motors AG", "country": "DE", "bpnl": "BPNL00000003AYRE"}
RECYCLER_OP: Final = {
    "id": "rhein-recycling",
    "name": "Rhein Recycling GmbH",
    "country": "DE",
    "bpnl": "BPNL0000000RCY01",
}
ALL_ITEMS: Final = ["TOTALCFP", "TOTALDQR", "MATERIALS", "ORIGIN"]
CELL_SITE: Final = {"id": "sendai", "operator": "tohoku-cell", "name": "Sendai plant", "country": "JP",
                    "openPlantId": "SENDAI000001"}  # fmt: skip
"""The cell maker's plant; its `openPlantId` is how its Ouranos tools find the plant on the platform."""

CELLS_PER_PACK: Final = 104
RECOVERED_KG: Final = {"cobalt": Decimal("5.616"), "lithium": Decimal("5.616")}
"""What the recycler reports recovering from one EVB-77 (lot RB-2026-01, 28.08 kg at 0.2 kg/kg each)."""
LOT_KG: Final = Decimal("28.08")
EXPECTED_G2_RECYCLED_PERCENT: Final = {"cobalt": Decimal("50.000"), "lithium": Decimal("35.714")}
"""Recycled content of CELL-G2 by hand (module docstring); the demo checks the passport against it."""


def _element(mass: str, country: str, *, recycled: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {"massKg": mass, "originKg": {country: mass}}
    if recycled:
        element["recycledPostConsumerKg"] = mass
    return element


def cathode_document(cell_maker_did: str) -> dict[str, Any]:
    """The cathode maker's data: CAM-811, its inputs and figures, and the cell maker's grant."""
    return {
        "operators": [CATHODE_OP, {**CELL_OP, "did": cell_maker_did}],
        "parts": [
            part(CAM, "kansai-cathode", "CAM-811", "kilogram"),
            part(NISO4, "kansai-cathode", "NiSO4", "kilogram", terminated=True),
            part(COSO4, "kansai-cathode", "CoSO4", "kilogram", terminated=True),
            part(LI2CO3, "kansai-cathode", "Li2CO3", "kilogram", terminated=True),
        ],
        "bomLines": [
            bom_line(CAM, NISO4, "0.45", "kilogram"),
            bom_line(CAM, COSO4, "0.25", "kilogram"),
            bom_line(CAM, LI2CO3, "500", "gram"),
        ],
        "footprints": [
            own(NISO4, "kilogram", raw=("4.0", dqr("2", "3", "2"))),
            own(COSO4, "kilogram", raw=("6.0", dqr("2", "2", "2"))),
            own(LI2CO3, "kilogram", raw=("15.0", dqr("3", "2", "2"))),
            own(CAM, "kilogram", main=("5.0", dqr("2", "1", "1"))),
        ],
        "materials": [
            {"traceId": NISO4, "declaredUnit": "kilogram", "elements": {"nickel": _element("0.22", "ID")}},
            {"traceId": COSO4, "declaredUnit": "kilogram", "elements": {"cobalt": _element("0.2", "CD")}},
            {"traceId": LI2CO3, "declaredUnit": "kilogram", "elements": {"lithium": _element("0.18", "CL")}},
        ],
        "acl": [{"partner": "tohoku-cell", "traceId": CAM, "released": ALL_ITEMS}],
    }


def cell_document(oem_did: str) -> dict[str, Any]:
    """The cell maker's data: CELL-200Ah from purchased CAM and graphite, and the OEM's grant."""
    return {
        "operators": [CELL_OP, CATHODE_OP, {**OEM_OP, "did": oem_did}],
        "sites": [CELL_SITE],
        "parts": [
            {**part(CELL, "tohoku-cell", "CELL-200Ah", "unit"), "site": "sendai"},
            {**part(CAM_BOUGHT, "tohoku-cell", "CAM purchased", "kilogram"), "site": "sendai"},
            {**part(GRAPHITE, "tohoku-cell", "graphite", "kilogram", terminated=True), "site": "sendai"},
        ],
        "bomLines": [bom_line(CELL, CAM_BOUGHT, "1.2", "kilogram"), bom_line(CELL, GRAPHITE, "0.6", "kilogram")],
        "footprints": [
            own(GRAPHITE, "kilogram", raw=("2.0", dqr("2", "2", "2"))),
            own(CELL, "unit", main=("6.0", dqr("1", "1", "2")), dist=("0.5", dqr("2", "2", "2"))),
        ],
        "trades": [{"tradeId": TRADE_CELL_CAM, "downstreamTraceId": CAM_BOUGHT, "upstreamOperator": "kansai-cathode"}],
        "acl": [{"partner": "europa-motors", "traceId": CELL, "released": ALL_ITEMS}],
    }


def oem_document(passport_ids: list[str]) -> dict[str, Any]:
    """The OEM's data: EVB-77 from purchased cells and housing, and its batteries linked to their passports."""
    return {
        "operators": [OEM_OP, CELL_OP],
        "parts": [
            part(PACK, "europa-motors", "EVB-77", "unit"),
            part(CELLS_BOUGHT, "europa-motors", "cells purchased", "unit"),
            part(HOUSING, "europa-motors", "housing", "kilogram", terminated=True),
        ],
        "bomLines": [
            bom_line(PACK, CELLS_BOUGHT, str(CELLS_PER_PACK), "unit"),
            bom_line(PACK, HOUSING, "35", "kilogram"),
        ],
        "footprints": [
            own(HOUSING, "kilogram", raw=("1.5", dqr("3", "3", "3"))),
            own(PACK, "unit", main=("150", dqr("1", "1", "1")), dist=("50", dqr("2", "2", "2"))),
        ],
        "trades": [{"tradeId": TRADE_PACK_CELL, "downstreamTraceId": CELLS_BOUGHT, "upstreamOperator": "tohoku-cell"}],
        "batteryModels": [
            {"traceId": PACK, "name": "EVB-77", "category": "M1", "usableCapacityKwh": "77", "serviceLifeYears": "8"}
        ],
        "batteries": [
            {"batteryId": f"EVB-77-{n:04d}", "model": PACK, "passportId": pid}
            for n, pid in enumerate(passport_ids, start=1)
        ],
    }


def recycler_document(cell_maker_did: str, link_did: str | None = None) -> dict[str, Any]:
    """The recycler's data: lot RB-2026-01 of recovered cobalt and lithium salts, granted to the cell maker — to
    its own node's DID (everything) and, with `link_did`, to the DID the Ouranos link presents it by (the carbon
    footprint only: Ouranos carries nothing else)."""
    link: list[dict[str, Any]] = []
    grants: list[dict[str, Any]] = []
    if link_did is not None:
        link = [
            {"id": "tohoku-cell-ouranos", "name": "Tohoku Cell K.K. (via Ouranos)", "country": "JP", "did": link_did}
        ]
        grants = [{"partner": "tohoku-cell-ouranos", "traceId": LOT, "released": ["TOTALCFP", "TOTALDQR"]}]
    return {
        "operators": [RECYCLER_OP, {**CELL_OP, "did": cell_maker_did}, *link],
        "parts": [part(LOT, "rhein-recycling", "RB-2026-01 recovered Co/Li salts", "kilogram", terminated=True)],
        "footprints": [own(LOT, "kilogram", raw=("0.4", dqr("2", "1", "1")), main=("1.1", dqr("1", "1", "1")))],
        "materials": [
            {
                "traceId": LOT,
                "declaredUnit": "kilogram",
                "elements": {
                    "cobalt": _element("0.2", "DE", recycled=True),
                    "lithium": _element("0.2", "DE", recycled=True),
                },
            }
        ],
        "acl": [{"partner": "tohoku-cell", "traceId": LOT, "released": ALL_ITEMS}, *grants],
    }


def second_generation_document(passport_id: str) -> dict[str, Any]:
    """The cell maker's second-generation cell: recovered lot + CAM + graphite, linked to its passport."""
    return {
        "operators": [CELL_OP, CATHODE_OP, RECYCLER_OP],
        "parts": [
            part(CELL_G2, "tohoku-cell", "CELL-G2", "unit"),
            part(LOT_BOUGHT, "tohoku-cell", "recovered lot purchased", "kilogram"),
        ],
        "bomLines": [
            bom_line(CELL_G2, CAM_BOUGHT, "0.96", "kilogram"),
            bom_line(CELL_G2, LOT_BOUGHT, "0.24", "kilogram"),
            bom_line(CELL_G2, GRAPHITE, "0.6", "kilogram"),
        ],
        "footprints": [
            own(CELL_G2, "unit", main=("6.0", dqr("1", "1", "2")), dist=("0.5", dqr("2", "2", "2"))),
        ],
        "trades": [{"tradeId": TRADE_G2_LOT, "downstreamTraceId": LOT_BOUGHT, "upstreamOperator": "rhein-recycling"}],
        "batteryModels": [
            {
                "traceId": CELL_G2,
                "name": "CELL-G2",
                "category": "M1",
                "usableCapacityKwh": "0.74",
                "serviceLifeYears": "8",
            }
        ],
        "batteries": [{"batteryId": "CELL-G2-0001", "model": CELL_G2, "passportId": passport_id}],
    }


__all__ = [
    "ALL_ITEMS",
    "CAM",
    "CAM_BOUGHT",
    "CELL",
    "CELLS_BOUGHT",
    "CELLS_PER_PACK",
    "CELL_G2",
    "EXPECTED_G2_RECYCLED_PERCENT",
    "LOT",
    "LOT_BOUGHT",
    "LOT_KG",
    "PACK",
    "RECOVERED_KG",
    "TRADE_CELL_CAM",
    "TRADE_G2_LOT",
    "TRADE_PACK_CELL",
    "cathode_document",
    "cell_document",
    "oem_document",
    "recycler_document",
    "second_generation_document",
    "tid",
]
