"""Realistic sample passports (an EV traction battery, NMC 811) for the demo, the benchmarks and the tests.

`sample_passport(n)` builds a complete, valid BatteryPass 6.1.0 document for the n-th battery of a model; every
call with the same arguments gives the same document, and different `n` give different identifiers.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from passbridge.passport.battery_pass import EXTENSION_MEMBER, SPEC_VERSION_6_1_0
from passbridge.passport.identifier import UniqueIdentifier
from passbridge.passport.model import NIL_UUID

DEMO_OPERATOR = "BPNL00000003AYRE"
DEMO_FACILITY = "BPNA000000000001"
_NAMESPACE = uuid.UUID("6f6c7a1e-2d1c-4b8e-9a43-5b7c0c0ffee0")


def _doc(header: str, url: str) -> dict[str, str]:
    return {"contentType": "URL", "header": header, "content": url}


def _timed(value: str | int, time: str = "2026-10-01T08:00:00+00:00") -> dict[str, Any]:
    return {"value": Decimal(value) if isinstance(value, str) else value, "time": time}


def _material(recycled: str, location: str) -> dict[str, Any]:
    return {
        "location": location,
        "recycled": Decimal(recycled),
        "critical": True,
        "documentation": [_doc("Recycled content declaration", "https://example.com/docs/recycled.pdf")],
    }


def _hazard(concentration: str) -> dict[str, Any]:
    return {
        "concentration": Decimal(concentration),
        "materialUnit": "unit:partPerMillion",
        "location": "Cells",
        "critical": False,
        "documentation": [],
        "impactOfSubstances": [],
    }


def sample_passport_id(n: int, model: str = "EVB-77") -> str:
    """The passport identifier of sample battery `n` (stable across runs)."""
    return str(uuid.uuid5(_NAMESPACE, f"{model}:{n}"))


def sample_passport(
    n: int,
    *,
    model: str = "EVB-77",
    status: str = "original",
    predecessor: str | None = None,
    operator: str = DEMO_OPERATOR,
    with_owner_data: bool = False,
) -> dict[str, Any]:
    """A complete BatteryPass 6.1.0 document for battery `n` of `model`."""
    serial = f"{model.replace('-', '')}{n:09d}"
    battery_id = UniqueIdentifier("LA", "PBDEMO1", serial)
    doc: dict[str, Any] = {
        "specVersion": SPEC_VERSION_6_1_0,
        "identification": {
            "category": "EV",
            "idDmc": str(battery_id),
            "chemistry": "Lithium Nickel Manganese Cobalt Oxide (NMC 811)",
            "identification": {
                "serial": [{"key": "partInstanceId", "value": serial}],
                "batch": [{"key": "batchId", "value": f"B{n // 1000:06d}"}],
                "type": {"manufacturerPartId": model, "nameAtManufacturer": "Traction battery pack 77 kWh"},
                "codes": [{"key": "TARIC", "value": "8507 60 00 00"}],
                "dataCarrier": {"carrierType": "QR", "carrierLayout": "top cover, left"},
                "classification": [
                    {
                        "classificationStandard": "GIN 20510-21513",
                        "classificationID": "1004712",
                        "classificationDescription": "Traction battery",
                    }
                ],
            },
        },
        "operation": {
            "manufacturer": {
                "manufacturer": operator,
                "facility": [{"facility": DEMO_FACILITY}],
                "manufacturingDate": "2026-09-14",
            },
            "intoServiceDate": "2026-11-02",
        },
        "characteristics": {
            "warranty": {"lifeValue": 8, "lifeUnit": "unit:year"},
            "physicalDimension": {
                "weight": {"value": Decimal("430.5"), "unit": "unit:kilogram"},
                "length": {"value": Decimal("2150"), "unit": "unit:millimetre"},
                "width": {"value": Decimal("1450"), "unit": "unit:millimetre"},
                "height": {"value": Decimal("150"), "unit": "unit:millimetre"},
            },
        },
        "sustainability": {
            "status": status,
            "documents": {
                "separateCollection": [_doc("Separate collection", "https://example.com/docs/collection.pdf")],
                "wastePrevention": [_doc("Waste prevention", "https://example.com/docs/waste.pdf")],
            },
            "carbonFootprint": [
                {
                    "value": Decimal(value),
                    "unit": "kg CO2e / kWh",
                    "lifecycle": stage,
                    "type": "Climate Change Total",
                    "performanceClass": "B",
                    "manufacturingPlant": [{"facility": DEMO_FACILITY}],
                    "rulebook": [_doc("PEFCR batteries", "https://example.com/docs/pefcr.pdf")],
                    "declaration": [_doc("CFP declaration", "https://example.com/docs/cfp.pdf")],
                }
                for stage, value in (
                    ("raw material acquisition and pre-processing", "41.2"),
                    ("main product production", "17.9"),
                    ("distribution", "0.6"),
                    ("end of life and recycling", "1.4"),
                )
            ],
        },
        "materials": {
            "active": {
                "nickel": _material("7.5", "Cathode"),
                "lithium": _material("4.2", "Cathode"),
                "cobalt": _material("16.0", "Cathode"),
                "lead": {
                    **_material("0", "None"),
                    "concentration": Decimal(0),
                    "materialUnit": "unit:partPerMillion",
                    "impactOfSubstances": [],
                    "critical": False,
                },
            },
            "hazardous": {
                "cadmium": _hazard("0.8"),
                "mercury": _hazard("0.1"),
                "lead": {**_hazard("2.4"), "recycled": Decimal(0)},
            },
            "composition": [
                {
                    "id": [{"id": "12031-65-1", "type": "CAS", "name": "Lithium nickel oxide"}],
                    "concentration": Decimal("31.0"),
                    "unit": "unit:percent",
                    "critical": True,
                    "recycled": Decimal("6.0"),
                    "renewable": Decimal(0),
                    "location": "Cathode",
                    "documentation": [],
                },
                {
                    "id": [{"id": "7782-42-5", "type": "CAS", "name": "Graphite"}],
                    "concentration": Decimal("17.0"),
                    "unit": "unit:percent",
                    "critical": True,
                    "recycled": Decimal(0),
                    "renewable": Decimal(0),
                    "location": "Anode",
                    "documentation": [],
                },
            ],
        },
        "performance": {
            "rated": {
                "capacity": {"value": Decimal("210"), "thresholdExhaustion": Decimal("70"), "temperature": Decimal(25)},
                "energy": {"value": Decimal("77.0"), "temperature": Decimal(25)},
                "voltage": {
                    "min": Decimal("300"),
                    "max": Decimal("403"),
                    "nominal": Decimal("367"),
                    "temperature": Decimal(25),
                },
                "power": {
                    "value": Decimal("175000"),
                    "at20SoC": Decimal("120000"),
                    "at80SoC": Decimal("170000"),
                    "temperature": Decimal(25),
                },
                "resistance": {
                    "cell": Decimal("0.0012"),
                    "pack": Decimal("0.094"),
                    "module": Decimal("0.011"),
                    "temperature": Decimal(25),
                },
                "roundTripEfficiency": {
                    "initial": Decimal("95.0"),
                    "50PercentLife": Decimal("92.5"),
                    "depthOfDischarge": Decimal("80"),
                    "temperature": Decimal(25),
                },
                "selfDischargingRate": Decimal("2.0"),
                "temperature": {"lower": Decimal("-30"), "upper": Decimal("55")},
                "lifetime": {
                    "expectedYears": 10,
                    "report": [_doc("Cycle life test", "https://example.com/t.pdf")],
                    "cycleLifeTesting": {
                        "cycles": 2000,
                        "depthOfDischarge": Decimal("80"),
                        "temperature": Decimal(25),
                        "appliedChargeRate": Decimal("0.5"),
                        "appliedDischargeRate": Decimal("1.0"),
                    },
                },
                "testReport": [_doc("Type approval test report", "https://example.com/docs/test-report.pdf")],
            },
            "dynamic": {
                "stateOfCharge": _timed("64.0"),
                "fullCycles": _timed(42),
                "selfDischargingRate": Decimal("2.1"),
                "capacity": {"capacity": _timed("208.9"), "throughput": _timed("8820"), "fade": _timed("0.5")},
                "energy": {"remaining": _timed("76.6"), "soce": _timed("99.5"), "throughput": _timed("3240")},
                "power": {"remaining": _timed("174100"), "fade": _timed("0.5")},
                "roundTripEfficiency": {"remaining": _timed("94.9"), "fade": _timed("0.1")},
                "resistance": {
                    "remaining": {"cell": _timed("0.0012"), "pack": _timed("0.095")},
                    "increase": {"cell": _timed("0.4"), "pack": _timed("0.6")},
                },
                "negativeEvents": [],
            },
        },
        "conformity": {
            "declarationOfConformity": [_doc("EU declaration of conformity", "https://example.com/docs/doc.pdf")],
            "resultOfTestReport": [_doc("Notified body test results", "https://example.com/docs/results.pdf")],
            "thirdPartyAssurance": [_doc("Due diligence verification", "https://example.com/docs/assurance.pdf")],
            "dueDiligencePolicy": [_doc("Due diligence policy", "https://example.com/docs/policy.pdf")],
        },
        "safety": {
            "usableExtinguishAgent": [{"media": "Water", "fireClass": "A", "document": []}],
            "safetyMeasures": [_doc("Safety instructions", "https://example.com/docs/safety.pdf")],
            "meaningOfLabels": [_doc("Labels", "https://example.com/docs/labels.pdf")],
            "dismantling": [_doc("Dismantling manual", "https://example.com/docs/dismantling.pdf")],
        },
        "metadata": {
            "passportIdentifier": "urn:uuid:" + sample_passport_id(n, model),
            "version": "1.0.0",
            "issueDate": "2026-09-20",
            "expirationDate": "2036-09-20",
            "economicOperatorId": operator,
            "predecessor": "urn:uuid:" + (predecessor or NIL_UUID),
            "backupReference": "https://backup.example.com/passports",
            "status": "approved",
        },
        "commercial": {"purpose": ["automotive"], "placedOnMarket": "2026-10-05"},
        "handling": {
            "applicable": True,
            "content": {
                "producer": [{"id": operator}],
                "sparePart": [{"manufacturerPartId": f"{model}-MOD", "nameAtManufacturer": "Module 12s"}],
            },
        },
        EXTENSION_MEMBER: {
            "annexXIII": {
                "manufacturer": {
                    "name": "Demo Battery Works GmbH",
                    "tradeName": "DBW",
                    "postalAddress": {
                        "street": "Akkuweg 1",
                        "postalCode": "38100",
                        "city": "Braunschweig",
                        "country": "DE",
                    },
                    "email": "passport@example.com",
                    "web": "https://example.com",
                }
            },
        },
    }
    if with_owner_data:
        doc[EXTENSION_MEMBER]["owner"] = {
            "supplierIdentities": [{"name": "Kansai Cathode K.K.", "role": "cathode active material"}],
            "internalPartNumbers": ["CAM-811-JP-0042"],
            "procurement": [
                {
                    "part": "cathode active material",
                    "quantity": Decimal("96.4"),
                    "unit": "kilogram",
                    "unitPrice": Decimal("31.20"),
                    "currency": "EUR",
                }
            ],
            "notes": "second source qualification pending",
        }
    return doc


__all__ = ["DEMO_FACILITY", "DEMO_OPERATOR", "sample_passport", "sample_passport_id"]
