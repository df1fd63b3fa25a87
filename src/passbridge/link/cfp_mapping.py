"""Ouranos CFP ⇄ Catena-X battery-component PCF (ouranos.md §8).

* Ouranos → Catena-X: the upstream's answer (`ouranos.cfp.answer`: `preProductionResponse` and
  `mainProductionResponse`, each the supplier's total per declared unit for its stage) becomes a `SupplierAnswer`
  with stage 1 = pre, stage 2 = main, distribution and end-of-life 0 (Ouranos exchanges neither), the DQR of each
  stage as Ouranos gives it; `ecosystems.catenax.pcf` then renders 1.0.0 or 9.0.0 from it (TeR/GeR/TiR weighted by
  emissions, as ouranos.md §7 prescribes). What the CFP ACL withholds stays withheld: no `TOTALCFP`, no figures; no
  `TOTALDQR`, no DQR (1.0.0, where it is required, then refuses).
* Catena-X → Ouranos: a 1.0.0 payload (`ecosystems.catenax.pcf_read`) becomes the 4 registration records of the
  supplier's part: ``preProduction`` = stage 1, ``mainProduction`` = stage 2, ``preComponent`` = ``mainComponent``
  = 0 (the Catena-X figure is already the total), each stage carrying the payload's one DQR. The platform's answer
  is then exactly stage 1 and stage 2.
* Units: ``kgCO2e/kilogram`` ⇄ ``CO2KG/KG``, ``kgCO2e/unit`` ⇄ ``CO2KG/piece``; any other Ouranos unit (litre, kWh,
  MJ, m², …) has no counterpart and is refused at ``ghgDeclaredUnit``.

Round trip: Ouranos → Catena-X → Ouranos gives the same stage totals and, because every stage then carries the
weighted DQR, the same weighted DQR — the numbers a reader sees are unchanged (within Ouranos' 5 decimals).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from passbridge.ecosystems.catenax.pcf_read import ComponentPcf
from passbridge.errors import InvalidInput
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.supplychain.answers import StageDqr, StageEmission, SupplierAnswer
from passbridge.supplychain.footprints import Dqr, Stage
from passbridge.supplychain.quantities import Unit, ouranos_round

TOTALCFP: Final = "TOTALCFP"
TOTALDQR: Final = "TOTALDQR"
UNIT_PREFIX: Final = "kgCO2e/"
MAPPED_UNITS: Final = (Unit.KILOGRAM, Unit.UNIT)
"""The Ouranos declared units with a Catena-X counterpart."""
_RESPONSES: Final = (
    ("preProductionResponse", Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING),
    ("mainProductionResponse", Stage.MAIN_PRODUCTION),
)


def catenax_unit(ouranos_unit: JsonValue) -> Unit:
    """The `Unit` of an Ouranos ``ghgDeclaredUnit`` that has a Catena-X counterpart.

    Raises:
        InvalidInput: at ``ghgDeclaredUnit`` for any other unit (never converted: that would be a guess).
    """
    text = ouranos_unit.removeprefix(UNIT_PREFIX) if isinstance(ouranos_unit, str) else ""
    for unit in MAPPED_UNITS:
        if unit.value == text:
            return unit
    raise InvalidInput.at(
        "ghgDeclaredUnit",
        f"{ouranos_unit!r} has no Catena-X counterpart (only kgCO2e/kilogram → CO2KG/KG, kgCO2e/unit → CO2KG/piece)",
        "ouranos.md §8",
    )


def _decimal(value: JsonValue, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidInput.at(path, "must be a number", "Ouranos CfpModel")
    return Decimal(str(value))


def supplier_answer(response: Sequence[JsonObject], trace_id: str, released: frozenset[str]) -> SupplierAnswer:
    """The `SupplierAnswer` a Catena-X partner may have of an Ouranos answer (`ouranos.cfp.answer` records).

    Raises:
        InvalidInput: a unit with no counterpart, or an answer without both stages.
    """
    by_type = {str(r.get("cfpType")): r for r in response}
    missing = [name for name, _ in _RESPONSES if name not in by_type]
    if missing:
        raise InvalidInput.at("cfpType", f"the answer lacks {', '.join(missing)}", "ouranos.md §7")
    unit = catenax_unit(by_type[_RESPONSES[0][0]].get("ghgDeclaredUnit"))
    emissions: list[StageEmission] = []
    dqr: list[StageDqr] = []
    for name, stage in _RESPONSES:
        record = by_type[name]
        emissions.append(StageEmission(stage, _decimal(record.get("ghgEmission"), f"{name}.ghgEmission")))
        values = record.get("dqrValue")
        if isinstance(values, dict) and all(values.get(k) is not None for k in ("TeR", "GeR", "TiR")):
            dqr.append(
                StageDqr(
                    stage,
                    Dqr(*(_decimal(values[k], f"{name}.dqrValue.{k}") for k in ("TeR", "GeR", "TiR"))),
                )
            )
    emissions += [
        StageEmission(Stage.DISTRIBUTION, Decimal(0)),
        StageEmission(Stage.END_OF_LIFE_AND_RECYCLING, Decimal(0)),
    ]
    return SupplierAnswer(
        answer_id=uuid.uuid5(uuid.NAMESPACE_URL, f"ouranos-answer:{trace_id}"),
        trace_id=uuid.UUID(trace_id),
        declared_unit=unit,
        cfp=tuple(emissions) if TOTALCFP in released else None,
        dqr=tuple(dqr) if TOTALDQR in released and len(dqr) == len(_RESPONSES) else None,
        materials=None,
        trades_count=0,
        completed_count=0,
    )


def registration(pcf: ComponentPcf, trace_id: str) -> list[JsonValue]:
    """The 4 Ouranos CFP records (`dataTarget=cfp` body) of a Catena-X supplier's part from its 1.0.0 PCF."""
    unit = f"{UNIT_PREFIX}{pcf.declared_unit.value}"
    dqr: JsonObject = {
        "TeR": ouranos_round(pcf.ter, "TeR"),
        "GeR": ouranos_round(pcf.ger, "GeR"),
        "TiR": ouranos_round(pcf.tir, "TiR"),
    }
    rows = (
        ("preProduction", "preProcessing", pcf.pre_production),
        ("mainProduction", "mainProcessing", pcf.main_production),
        ("preComponent", "preProcessing", Decimal(0)),
        ("mainComponent", "mainProcessing", Decimal(0)),
    )
    return [
        {
            "cfpId": None,
            "traceId": trace_id,
            "ghgEmission": ouranos_round(value, f"{cfp_type}.ghgEmission"),
            "ghgDeclaredUnit": unit,
            "cfpType": cfp_type,
            "dqrType": dqr_type,
            "dqrValue": dict(dqr),
        }
        for cfp_type, dqr_type, value in rows
    ]


__all__ = ["MAPPED_UNITS", "TOTALCFP", "TOTALDQR", "catenax_unit", "registration", "supplier_answer"]
