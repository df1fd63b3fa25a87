"""Reading a Catena-X `io.catenax.pcf_for_battery_component_supplier` 1.0.0 payload (the PCF a European supplier's
connector hands out) into the per-stage figures the Ouranos side can carry.

Only 1.0.0 has the per-stage split Ouranos needs (stage 1 = ``preProduction``, stage 2 = ``mainProduction``);
`io.catenax.pcf` 9.0.0 gives one cradle-to-gate figure and is refused rather than split by a guess. Ouranos
exchanges stages 1 and 2 only (ouranos.md §7), so a non-zero distribution or end-of-life stage is refused too: a
figure left out would make the Ouranos answer partial.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from passbridge.errors import InvalidInput
from passbridge.jsontypes import JsonValue
from passbridge.supplychain.quantities import Unit

_RULE: Final = "io.catenax.pcf_for_battery_component_supplier 1.0.0"
UNITS: Final[Mapping[str, Unit]] = {"CO2KG/KG": Unit.KILOGRAM, "CO2KG/piece": Unit.UNIT}
"""`declaredUnit` → the Ouranos declared unit (``kgCO2e/kilogram``, ``kgCO2e/unit``); nothing else maps."""
_STAGES: Final = "pcfValues.sharesPerStage"


@dataclass(frozen=True, slots=True)
class ComponentPcf:
    """What an Ouranos CFP can take from a 1.0.0 payload (kg CO2e per declared unit; DQR 1 to 5 each)."""

    manufacturer_part_id: str
    declared_unit: Unit
    pre_production: Decimal
    main_production: Decimal
    ter: Decimal
    ger: Decimal
    tir: Decimal


def _object(value: JsonValue, path: str) -> Mapping[str, JsonValue]:
    if not isinstance(value, dict):
        raise InvalidInput.at(path, "must be an object", _RULE)
    return value


def _number(doc: Mapping[str, JsonValue], name: str, path: str) -> Decimal:
    value = doc.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidInput.at(f"{path}.{name}", "must be a number", _RULE)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput.at(f"{path}.{name}", "must be a number", _RULE) from None
    if not number.is_finite() or number < 0:
        raise InvalidInput.at(f"{path}.{name}", "must be a finite number ≥ 0", _RULE)
    return number


def _stage(stages: Mapping[str, JsonValue], name: str) -> Decimal:
    return _number(_object(stages.get(name), f"{_STAGES}.{name}"), "stageValue", f"{_STAGES}.{name}")


def read_component_pcf(payload: JsonValue) -> ComponentPcf:
    """The stage-1/stage-2 figures, unit and DQR of a 1.0.0 payload.

    Raises:
        InvalidInput: naming the field — a 9.0.0 payload, a unit with no Ouranos counterpart, a non-zero stage 3 or
            4, a missing or negative figure, a DQR outside 1 to 5.
    """
    doc = _object(payload, "$")
    if "productFootprint" in doc or ("pcf" in doc and "pcfValues" not in doc):
        raise InvalidInput.at("$", "an io.catenax.pcf 9.0.0 PCF has no per-stage split; ask for 1.0.0", _RULE)
    stages = _object(_object(doc.get("pcfValues"), "pcfValues").get("sharesPerStage"), _STAGES)
    unit_text = stages.get("declaredUnit")
    unit = UNITS.get(unit_text) if isinstance(unit_text, str) else None
    if unit is None:
        raise InvalidInput.at(
            f"{_STAGES}.declaredUnit", f"{unit_text!r} has no Ouranos counterpart (only {', '.join(UNITS)})", _RULE
        )
    for later in ("stage3Distribution", "stage4EndOfLifeRecycling"):
        if later in stages and _stage(stages, later) != 0:
            raise InvalidInput.at(
                f"{_STAGES}.{later}.stageValue", "Ouranos exchanges stages 1 and 2 only; this stage must be 0", _RULE
            )
    dqr = [
        _number(doc, name, "$")
        for name in (
            "technologicalRepresentativeness",
            "geographicalRepresentativeness",
            "timerelatedRepresentativeness",
        )
    ]
    for name, value in zip(("technologicalRepresentativeness", "geographicalRepresentativeness",
                            "timerelatedRepresentativeness"), dqr, strict=True):  # fmt: skip
        if not Decimal(1) <= value <= Decimal(5):
            raise InvalidInput.at(name, f"{value} is outside 1 to 5", _RULE)
    part = doc.get("manufacturerPartId")
    if not isinstance(part, str) or not part:
        raise InvalidInput.at("manufacturerPartId", "must be a non-empty string", _RULE)
    return ComponentPcf(
        part,
        unit,
        _stage(stages, "stage1RawMaterialAquisitionPreProcessing"),
        _stage(stages, "stage2MainProductProduction"),
        *dqr,
    )


__all__ = ["UNITS", "ComponentPcf", "read_component_pcf"]
