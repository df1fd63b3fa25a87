"""The EU functional unit at battery level: kg CO2e per kWh of total energy delivered over the service life.

Layout: `StageIntensity`, `LifetimeIntensity` and `lifetime_intensity` (a battery's footprint roll-up divided by
its lifetime energy, E_total = usable capacity · full cycles per year · service life; see `battery.py`).

Only the part that is one battery (declared per `unit`) has a lifetime energy, so only its roll-up can be divided
(ouranos.md §9: keep per-declared-unit figures upstream, compute per kWh at the pack/OEM node). The quotients stay
exact `Ratio`s.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from passbridge.errors import InvalidInput, UnitMismatch
from passbridge.supplychain.battery import BatteryInstance, BatteryModel
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.quantities import Ratio, Unit
from passbridge.supplychain.rollups import FootprintRollup


@dataclass(frozen=True, slots=True)
class StageIntensity:
    """kg CO2e of one stage per kWh of lifetime energy."""

    stage: Stage
    per_kwh: Ratio


@dataclass(frozen=True, slots=True)
class LifetimeIntensity:
    """The EU functional unit: kg CO2e per kWh of total energy delivered over the service life.

    Attributes:
        trace_id: the part that is one battery.
        lifetime_energy_kwh: usable capacity · full cycles per year · service life.
        stages: per stage, in `Stage` order.
        total: all stages.
    """

    trace_id: uuid.UUID
    lifetime_energy_kwh: Decimal
    stages: tuple[StageIntensity, ...]
    total: Ratio


def lifetime_intensity(footprint: FootprintRollup, battery: BatteryModel | BatteryInstance) -> LifetimeIntensity:
    """Divide a battery's footprint by its lifetime energy (E_total = capacity · cycles per year · years).

    Raises:
        InvalidInput: if `footprint` is not the roll-up of the battery's part.
        UnitMismatch: if that part is not declared per `unit` (one battery).
    """
    model = battery.model if isinstance(battery, BatteryInstance) else battery
    if footprint.trace_id != battery.trace_id:
        raise InvalidInput.at(
            "traceId", f"the footprint is of part {footprint.trace_id}, the battery is {battery.trace_id}"
        )
    if footprint.declared_unit is not Unit.UNIT:
        raise UnitMismatch(
            "declaredUnit",
            footprint.declared_unit.value,
            Unit.UNIT.value,
            f"a battery's footprint must be per unit (one battery), not per {footprint.declared_unit.value}",
        )
    energy = model.lifetime_energy_kwh
    stages = tuple(StageIntensity(s.stage, Ratio(s.total, energy)) for s in footprint.stages)
    return LifetimeIntensity(footprint.trace_id, energy, stages, Ratio(footprint.total, energy))


__all__ = ["LifetimeIntensity", "StageIntensity", "lifetime_intensity"]
