"""The three-tier scenario of `tests/unit/supplychain/test_three_tier_scenario.py` as import documents.

Tier 2, C (Kansai Cathode Materials) makes cathode material CAM-811 from virgin NiSO4, a recycled lot and Li2CO3;
tier 1, B (Nordzelle) makes cells from 2 kg CAM (bought from C) and 1 kg graphite; tier 0, A (the pack maker, this
node) makes the pack PACK-75 from 100 cells (bought from B) and 20 kg housing. Every figure is worked out by hand
in that test's docstring; the roll-up of PACK-75 is `PACK_ROLLUP`.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from passbridge.jsoncodec import dumps_exact
from passbridge.supplychain.document_parts import bom_line, dqr, own, part

_NS = uuid.UUID("0d1c5a3e-7b2f-4c69-8e41-3f5a2b6c7d80")


def tid(name: str) -> str:
    """A stable UUID per name."""
    return str(uuid.uuid5(_NS, name))


PACK, CELLS, HOUSING = tid("PACK-75"), tid("cell purchased"), tid("housing")
CELL, CAM_BOUGHT, GRAPHITE = tid("CELL-50Ah"), tid("CAM purchased"), tid("graphite")
CAM, NISO4, LOT, LI2CO3 = tid("CAM-811"), tid("NiSO4 virgin"), tid("recycled lot R-2025-07"), tid("Li2CO3")
TRADE_A_B, TRADE_B_C = tid("trade A-B"), tid("trade B-C")
ANSWER_B = tid("answer of B")

A = {"id": "pack-maker", "name": "Pack Maker K.K.", "country": "JP", "openOperatorId": "1180301018771"}
B = {"id": "nordzelle", "name": "Nordzelle GmbH", "country": "DE", "bpnl": "BPNL000000000B01"}
C = {
    "id": "kansai-cathode",
    "name": "Kansai Cathode Materials K.K.",
    "country": "JP",
    "openOperatorId": "7000012050002",
}
ALL_ITEMS = ["TOTALCFP", "TOTALDQR", "MATERIALS", "ORIGIN"]


def answer_of_b() -> dict[str, Any]:
    """What B (tier 1) answers A for one cell: per-unit figures of its own product and its counts, nothing else."""
    return {
        "tradeId": TRADE_A_B,
        "answerId": ANSWER_B,
        "traceId": CELL,
        "declaredUnit": "unit",
        "cfp": {
            "rawMaterialAcquisitionAndPreProcessing": "10",
            "mainProduction": "16",
            "distribution": "0.5",
            "endOfLifeAndRecycling": "0",
        },
        "dqr": {
            "rawMaterialAcquisitionAndPreProcessing": dqr("2.2", "2.3", "2"),
            "mainProduction": dqr("1.625", "1", "1.375"),
            "distribution": dqr("2", "2", "2"),
        },
        "materials": {
            "nickel": {
                "massKg": "0.4",
                "recycledPreConsumerKg": "0.05",
                "recycledPostConsumerKg": "0.15",
                "origin": {"ID": "0.5", "JP": "0.5"},
            },
            "cobalt": {
                "massKg": "0.05",
                "recycledPreConsumerKg": "0",
                "recycledPostConsumerKg": "0.05",
                "origin": {"JP": "1"},
            },
            "lithium": {
                "massKg": "0.036",
                "recycledPreConsumerKg": "0",
                "recycledPostConsumerKg": "0",
                "origin": {"CL": "1"},
            },
        },
        "tradesCount": 1,
        "completedCount": 1,
    }


def pack_node(*, with_answer: bool = True, passport_id: str | None = None) -> dict[str, Any]:
    """Node A's import document: the pack, its BOM, own figures, the trade with B (and B's answer)."""
    doc: dict[str, Any] = {
        "operators": [A, B],
        "parts": [
            part(PACK, "pack-maker", "PACK-75", "unit"),
            part(CELLS, "pack-maker", "cell purchased", "unit"),
            part(HOUSING, "pack-maker", "housing", "kilogram", terminated=True),
        ],
        "bomLines": [bom_line(PACK, CELLS, "100", "unit"), bom_line(PACK, HOUSING, "20", "kilogram")],
        "footprints": [
            own(HOUSING, "kilogram", raw=("1.5", dqr("3", "3", "3"))),
            own(
                PACK,
                "unit",
                main=("150", dqr("1", "1", "1")),
                dist=("50", dqr("2", "2", "2")),
                eol=("25", dqr("3", "3", "3")),
            ),
        ],
        "trades": [{"tradeId": TRADE_A_B, "downstreamTraceId": CELLS, "upstreamOperator": "nordzelle"}],
        "batteryModels": [
            {
                "traceId": PACK,
                "name": "PACK-75",
                "category": "M1",
                "usableCapacityKwh": "75",
                "serviceLifeYears": "8",
            }
        ],
    }
    if with_answer:
        doc["answers"] = [answer_of_b()]
    if passport_id is not None:
        doc["batteries"] = [{"batteryId": "PACK-75-0001", "model": PACK, "passportId": passport_id}]
    return doc


def cathode_node() -> dict[str, Any]:
    """Node C's document: CAM-811 from virgin NiSO4, the recycled lot and Li2CO3 (100 g per kg, a g → kg line)."""
    return {
        "operators": [C, B],
        "parts": [
            part(CAM, "kansai-cathode", "CAM-811", "kilogram"),
            part(NISO4, "kansai-cathode", "NiSO4 virgin", "kilogram", terminated=True),
            part(LOT, "kansai-cathode", "recycled lot R-2025-07", "kilogram", terminated=True),
            part(LI2CO3, "kansai-cathode", "Li2CO3", "kilogram", terminated=True),
        ],
        "bomLines": [
            bom_line(CAM, NISO4, "0.5", "kilogram"),
            bom_line(CAM, LOT, "0.25", "kilogram"),
            bom_line(CAM, LI2CO3, "100", "gram"),
        ],
        "footprints": [
            own(NISO4, "kilogram", raw=("4.0", dqr("2", "3", "2"))),
            own(LOT, "kilogram", raw=("2.0", dqr("1", "1", "2"))),
            own(LI2CO3, "kilogram", raw=("15.0", dqr("3", "2", "2"))),
            own(CAM, "kilogram", main=("5.0", dqr("2", "1", "1"))),
        ],
        "materials": [
            {
                "traceId": NISO4,
                "declaredUnit": "kilogram",
                "elements": {"Ni": {"massKg": "0.2", "originKg": {"ID": "0.2"}}},
            },
            {
                "traceId": LOT,
                "declaredUnit": "kilogram",
                "elements": {
                    "nickel": {
                        "massKg": "0.4",
                        "recycledPreConsumerKg": "0.1",
                        "recycledPostConsumerKg": "0.3",
                        "originKg": {"JP": "0.4"},
                    },
                    "Co": {"massKg": "0.1", "recycledPostConsumerKg": "0.1", "originKg": {"JP": "0.1"}},
                },
            },
            {
                "traceId": LI2CO3,
                "declaredUnit": "kilogram",
                "elements": {"lithium": {"massKg": "0.18", "originKg": {"CL": "0.18"}}},
            },
        ],
        "acl": [{"partner": "nordzelle", "traceId": CAM, "released": ALL_ITEMS}],
    }


def cell_node() -> dict[str, Any]:
    """Node B's document, without C's answer (that comes from node C)."""
    return {
        "operators": [
            {"id": "nordzelle", "name": "Nordzelle GmbH", "country": "DE", "bpnl": "BPNL000000000B01"},
            C,
            {k: v for k, v in A.items()},
        ],
        "parts": [
            part(CELL, "nordzelle", "CELL-50Ah", "unit"),
            part(CAM_BOUGHT, "nordzelle", "CAM purchased", "kilogram"),
            part(GRAPHITE, "nordzelle", "graphite", "kilogram", terminated=True),
        ],
        "bomLines": [bom_line(CELL, CAM_BOUGHT, "2", "kilogram"), bom_line(CELL, GRAPHITE, "1", "kilogram")],
        "footprints": [
            own(GRAPHITE, "kilogram", raw=("2.0", dqr("2", "2", "2"))),
            own(CELL, "unit", main=("6.0", dqr("1", "1", "2")), dist=("0.5", dqr("2", "2", "2"))),
        ],
        "trades": [{"tradeId": TRADE_B_C, "downstreamTraceId": CAM_BOUGHT, "upstreamOperator": "kansai-cathode"}],
        "acl": [{"partner": "pack-maker", "traceId": CELL, "released": ALL_ITEMS}],
    }


PACK_ROLLUP: dict[str, Any] = {
    "traceId": PACK,
    "declaredUnit": "unit",
    "cfp": {
        "unit": "kgCO2e/unit",
        "stages": {
            "rawMaterialAcquisitionAndPreProcessing": "1030",
            "mainProduction": "1750",
            "distribution": "100",
            "endOfLifeAndRecycling": "25",
        },
        "total": "2905",
        # Σ DQR·e over the stages / 2905, rounded up at the 6th decimal:
        # TeR (2290 + 2750 + 200 + 75) / 2905 = 5315 / 2905 = 1.829604…;  GeR 4415 / 2905 = 1.519793…;
        # TiR (2090 + 2350 + 200 + 75) / 2905 = 4715 / 2905 = 1.623063…
        "dqr": {"TeR": "1.82961", "GeR": "1.51980", "TiR": "1.62307"},
        "perKWhLifetime": "0.08070",  # 2905 / (75 kWh · 60 cycles · 8 years) = 2905 / 36000 = 0.0806944…
    },
    "materials": {
        "cobalt": {"massKg": "5", "recycledMassKg": "5", "recycledShare": "1.00000", "origin": {"JP": "1.00000"}},
        "lithium": {"massKg": "3.6", "recycledMassKg": "0", "recycledShare": "0.00000", "origin": {"CL": "1.00000"}},
        "nickel": {
            "massKg": "40",
            "recycledMassKg": "20",
            "recycledShare": "0.50000",
            "origin": {"ID": "0.50000", "JP": "0.50000"},
        },
    },
    "upstream": {"tradesCount": 2, "completedCount": 2},
}
"""The roll-up of PACK-75 on node A, without its `commitment` (salted, different every time)."""


def body(doc: dict[str, Any]) -> bytes:
    """The JSON bytes of an import document."""
    return dumps_exact(copy.deepcopy(doc))


__all__ = [
    "PACK",
    "PACK_ROLLUP",
    "answer_of_b",
    "body",
    "cathode_node",
    "cell_node",
    "pack_node",
    "tid",
]
