"""Our supply-chain data as Ouranos data transaction documents, and the platform's answers back as ours.

Layout: `ouranos_unit` (a declared unit the platform accepts), `plant_model` / `parts_model` (our site and part as
`traceability.PlantModel` / `PartsModel`), `cfp_records` (a roll-up → the 4 `CfpModel` records of our part),
`same_cfp` (is the platform's registration already that one), `answer_document` (the `*Response` records the
platform returns for our child part → an `answers[]` item of the supply-chain import document).

Rules (ouranos.md §3.1, §7): numbers go out in the Ouranos format (5 decimals, rounded up at the 6th); a part goes
out with its own name and unit only (no supplier, no quantity unless it is our child line in our own structure);
Ouranos exchanges the first two EU stages only, so an answer read back states 0 for distribution and end of life.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final

from passbridge.errors import InvalidInput
from passbridge.jsoncodec import dumps_exact
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.model import Part, Site
from passbridge.supplychain.quantities import OURANOS_UNITS, Unit, ouranos_round
from passbridge.supplychain.rollups import FootprintRollup, StageRollup

RULE: Final = "Ouranos data transaction API 3.0.0"
UNIT_PREFIX: Final = "kgCO2e/"
"""`ghgDeclaredUnit` = this + the part's `amountRequiredUnit`."""
OWN_TYPES: Final = ("preProduction", "mainProduction", "preComponent", "mainComponent")
"""The 4 `cfpType`s of one registration (openapi #15)."""
RESPONSE_TYPES: Final = ("preProductionResponse", "mainProductionResponse")
"""The `cfpType`s of the upstream's answer for a child part."""
_EXCHANGED: Final = {"pre": Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING, "main": Stage.MAIN_PRODUCTION}
"""Ouranos stage prefix → EU stage; the other two EU stages are not in the Ouranos data model."""
_DQR_TYPES: Final = {"pre": "preProcessing", "main": "mainProcessing"}
_CRITERIA: Final = ("TeR", "GeR", "TiR")
_ANSWER_IDS: Final = uuid.UUID("8c1d2e7a-4b5f-4a09-b3c6-1e2f3a4b5c6d")
"""Namespace of answer ids read from the platform: one id per (trade, figures), so reading twice gives one id."""


def _shown(value: Decimal) -> Decimal:
    """`value` without trailing zeros or exponent (10.00000 → 10)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _out(value: Decimal, path: str) -> Decimal:
    return _shown(ouranos_round(value, path))


def ouranos_unit(unit: Unit, path: str) -> str:
    """`unit` as an Ouranos `amountRequiredUnit`.

    Raises:
        InvalidInput: `unit` is ours only (gram, tonne): Ouranos converts nothing (openapi #6).
    """
    if unit not in OURANOS_UNITS:
        allowed = ", ".join(sorted(u.value for u in OURANOS_UNITS))
        raise InvalidInput.at(path, f"{unit.value} is not an Ouranos unit ({allowed})", RULE)
    return unit.value


def plant_model(operator_id: str, site: Site) -> dict[str, JsonValue]:
    """A new `PlantModel` for our site (``plantAddress`` is its country: we hold no street address)."""
    return {
        "plantId": None,
        "operatorId": operator_id,
        "plantName": site.name,
        "plantAddress": site.country,
        "openPlantId": site.open_plant_id,
        "plantAttribute": {"globalPlantId": site.bpns},
    }


def parts_model(
    operator_id: str, plant_id: str, part: Part, *, amount: Decimal | None = None, unit: Unit | None = None
) -> dict[str, JsonValue]:
    """`PartsModel` of our part (``traceId: null``: the platform issues it, or reuses the one of the same
    operator, plant and `partsName`). `amount` and `unit` only for a child line of our own structure.

    Raises:
        InvalidInput: a `partsName` over 50 characters, a unit Ouranos lacks, or an amount beyond its range.
    """
    path = f"parts[{part.trace_id}]"
    if len(part.parts_name) > 50:
        raise InvalidInput.at(f"{path}.partsName", "Ouranos allows at most 50 characters", RULE)
    return {
        "traceId": None,
        "operatorId": operator_id,
        "plantId": plant_id,
        "partsName": part.parts_name,
        "supportPartsName": None,
        "terminatedFlag": part.terminated,
        "amountRequired": None if amount is None else _out(amount, f"{path}.amountRequired"),
        "amountRequiredUnit": ouranos_unit(unit or part.declared_unit, f"{path}.declaredUnit"),
        "partsLabelName": None,
        "partsAddInfo1": None,
        "partsAddInfo2": None,
        "partsAddInfo3": None,
    }


def _dqr(stage: StageRollup, path: str) -> dict[str, JsonValue]:
    result = stage.dqr
    if result is None:  # no emissions in this stage, or some lack a DQR: the platform takes null
        return dict.fromkeys(_CRITERIA)
    ratios = {"TeR": result.ter, "GeR": result.ger, "TiR": result.tir}
    return {name: _shown(ratio.ouranos(f"{path}.{name}")) for name, ratio in ratios.items()}


def cfp_records(trace_id: str, cfp_id: str | None, footprint: FootprintRollup) -> list[dict[str, JsonValue]]:
    """The 4 `CfpModel` records of our part `trace_id` from its roll-up, per its declared unit.

    ``*Production`` = our own emissions, ``*Component`` = those of everything below (bill of materials and
    suppliers' answers), so the platform's ``*ProductionResponse`` (their sum) is our total per unit. Both records of
    a stage carry the stage's emission-weighted DQR, so the platform's weighted mean of the two is that DQR.

    Raises:
        InvalidInput: the declared unit is not an Ouranos unit. OuranosRangeExceeded: a figure beyond 99999.99999.
    """
    unit = UNIT_PREFIX + ouranos_unit(footprint.declared_unit, f"parts[{footprint.trace_id}].declaredUnit")
    records: list[dict[str, JsonValue]] = []
    for origin, attribute in (("Production", "own"), ("Component", "component")):
        for prefix, stage in _EXCHANGED.items():
            rolled = footprint.stage(stage)
            path = f"cfp.{prefix}{origin}"
            records.append(
                {
                    "cfpId": cfp_id,
                    "traceId": trace_id,
                    "ghgEmission": _out(getattr(rolled, attribute), f"{path}.ghgEmission"),
                    "ghgDeclaredUnit": unit,
                    "cfpType": f"{prefix}{origin}",
                    "dqrType": _DQR_TYPES[prefix],
                    "dqrValue": _dqr(rolled, f"{path}.dqrValue"),
                }
            )
    return records


def _key(record: JsonObject) -> tuple[object, ...]:
    dqr = record.get("dqrValue")
    values = dqr if isinstance(dqr, Mapping) else {}
    numbers = [record.get("ghgEmission"), *(values.get(name) for name in _CRITERIA)]
    return (
        record.get("cfpType"),
        record.get("ghgDeclaredUnit"),
        *(None if n is None else Decimal(str(n)) for n in numbers),
    )


def same_cfp(stored: Sequence[JsonObject], wanted: Sequence[JsonValue]) -> bool:
    """True if the platform's records of our part already state `wanted` (numbers compared as decimals)."""
    mine = sorted((_key(r) for r in stored if r.get("cfpType") in OWN_TYPES), key=lambda k: str(k[0]))
    return mine == sorted((_key(r) for r in wanted if isinstance(r, Mapping)), key=lambda k: str(k[0]))


def _decimal(value: JsonValue, path: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise InvalidInput.at(path, f"must be a number, got {value!r}", RULE)
    try:
        return str(_shown(Decimal(str(value))))
    except ArithmeticError:
        raise InvalidInput.at(path, f"must be a number, got {value!r}", RULE) from None


def answer_document(
    trade_id: uuid.UUID,
    upstream_trace_id: str,
    responses: Sequence[JsonObject],
    counts: tuple[int, int],
    *,
    previous: uuid.UUID | None = None,
) -> dict[str, JsonValue]:
    """An `answers[]` item (`answer_json` format) from the platform's ``*ProductionResponse`` records.

    Args:
        trade_id: our trade (the import document's), not the platform's.
        upstream_trace_id: the supplier's product on the platform (`upstreamTraceId`).
        responses: the two ``*Response`` records of our child part.
        counts: the platform's (`tradesCount`, `completedCount`) of the request, which include the request itself.
        previous: the trade's current answer, when this one replaces it (a revision, Ouranos `CFP_UPDATED`).

    Raises:
        InvalidInput: a record is missing, or a figure or unit is not what the OpenAPI documents (named by path).
    """
    by_type = {str(r.get("cfpType")): r for r in responses}
    cfp: dict[str, JsonValue] = {Stage.DISTRIBUTION.value: "0", Stage.END_OF_LIFE_AND_RECYCLING.value: "0"}
    dqr: dict[str, JsonValue] = {}
    units: set[str] = set()
    for prefix, stage in _EXCHANGED.items():
        path = f"cfp.{prefix}ProductionResponse"
        record = by_type.get(f"{prefix}ProductionResponse")
        if record is None:
            raise InvalidInput.at(path, "the upstream's answer lacks this record", RULE)
        units.add(str(record.get("ghgDeclaredUnit")))
        cfp[stage.value] = _decimal(record.get("ghgEmission"), f"{path}.ghgEmission")
        values = record.get("dqrValue")
        criteria = values if isinstance(values, Mapping) else {}
        if all(criteria.get(name) is not None for name in _CRITERIA):
            dqr[stage.value] = {name: _decimal(criteria[name], f"{path}.dqrValue.{name}") for name in _CRITERIA}
    unit = units.pop() if len(units) == 1 else ""
    if not unit.startswith(UNIT_PREFIX):
        raise InvalidInput.at("cfp.ghgDeclaredUnit", f"must be one {UNIT_PREFIX}<unit> for both records", RULE)
    trades, completed = counts
    document: dict[str, JsonValue] = {
        "tradeId": str(trade_id),
        "traceId": upstream_trace_id,
        "declaredUnit": unit.removeprefix(UNIT_PREFIX),
        "cfp": cfp,
        "dqr": dqr,
        "materials": None,  # Ouranos has no material data
        "tradesCount": max(trades - 1, 0),  # the supplier's tree below our request, as `SupplierAnswer` counts it
        "completedCount": max(min(completed - 1, trades - 1), 0),
    }
    digest = hashlib.sha256(dumps_exact(document)).hexdigest()
    # the previous answer is part of the id, so figures that come back after a revision make a new answer
    document["answerId"] = str(uuid.uuid5(_ANSWER_IDS, f"{trade_id}:{previous}:{digest}"))
    if previous is not None:
        document["revision"] = True
    return document


__all__ = [
    "OWN_TYPES",
    "RESPONSE_TYPES",
    "RULE",
    "UNIT_PREFIX",
    "answer_document",
    "cfp_records",
    "ouranos_unit",
    "parts_model",
    "plant_model",
    "same_cfp",
]
