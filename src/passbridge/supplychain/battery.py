"""Battery models and battery instances: what the lifetime-energy functional unit needs, and the passport link.

Layout: `VehicleCategory`, `FULL_CYCLES_PER_YEAR` (the EU default by category), `BatteryModel` (the part that is one
battery, usable capacity, service life, cycles per year), `BatteryInstance` (one battery: its model, its passport,
optionally its own part when its bill of materials differs from the model's) and `link_passport`.

The EU functional unit (draft CF delegated act, ouranos.md §9): 1 kWh of total energy delivered over the service
life, E_total = usable capacity (kWh) · full equivalent cycles per year · service life (years).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final

from passbridge.errors import InvalidInput
from passbridge.passport.model import PassportId
from passbridge.supplychain._checks import decimal_field, text_field, uuid_field
from passbridge.supplychain.quantities import exact_product


class VehicleCategory(enum.Enum):
    """Vehicle category of Reg. (EU) 2018/858 / 168/2013 the battery is for."""

    L = "L"
    M1 = "M1"
    M2 = "M2"
    M3 = "M3"
    N1 = "N1"
    N2 = "N2"
    N3 = "N3"


FULL_CYCLES_PER_YEAR: Final[Mapping[VehicleCategory, Decimal]] = {
    VehicleCategory.M1: Decimal(60),
    VehicleCategory.N1: Decimal(60),
    VehicleCategory.L: Decimal(20),
    VehicleCategory.M2: Decimal(250),
    VehicleCategory.M3: Decimal(250),
    VehicleCategory.N2: Decimal(250),
    VehicleCategory.N3: Decimal(250),
}
"""Default full equivalent cycles per year by category (draft CF delegated act, Apr 2024)."""


def _positive(value: object, path: str) -> Decimal:
    number = decimal_field(value, path)
    if number == 0:
        raise InvalidInput.at(path, "must be greater than 0", "EU CF functional unit")
    return number


@dataclass(frozen=True, slots=True)
class BatteryModel:
    """A battery model and the figures of its functional unit.

    Attributes:
        trace_id: the part that is one battery of this model (declared unit `unit`).
        name: the model name.
        category: the vehicle category, which gives the default cycles per year.
        usable_capacity_kwh: usable energy capacity in kWh (> 0).
        service_life_years: service life in years, e.g. the warranty (> 0).
        full_cycles_per_year_override: replaces the category default when given (> 0).
    """

    trace_id: uuid.UUID
    name: str
    category: VehicleCategory
    usable_capacity_kwh: Decimal
    service_life_years: Decimal
    full_cycles_per_year_override: Decimal | None = None

    def __post_init__(self) -> None:
        uuid_field(self.trace_id, "traceId")
        text_field(self.name, "name")
        if not isinstance(self.category, VehicleCategory):
            raise InvalidInput.at(
                "category", f"unknown category {self.category!r}; use one of {[c.value for c in VehicleCategory]}"
            )
        _positive(self.usable_capacity_kwh, "usableCapacityKwh")
        _positive(self.service_life_years, "serviceLifeYears")
        if self.full_cycles_per_year_override is not None:
            _positive(self.full_cycles_per_year_override, "fullCyclesPerYear")

    @property
    def full_cycles_per_year(self) -> Decimal:
        """The override if given, else the category default."""
        if self.full_cycles_per_year_override is not None:
            return self.full_cycles_per_year_override
        return FULL_CYCLES_PER_YEAR[self.category]

    @property
    def lifetime_energy_kwh(self) -> Decimal:
        """E_total in kWh: usable capacity · full cycles per year · service life (exact)."""
        return exact_product(self.usable_capacity_kwh, self.full_cycles_per_year, self.service_life_years)


@dataclass(frozen=True, slots=True)
class BatteryInstance:
    """One battery.

    Attributes:
        battery_id: the unique battery identifier (Art. 77(3)).
        model: its model.
        passport_id: its passport, once linked.
        own_trace_id: a part of its own, when its bill of materials differs from the model's; None uses the model's.
    """

    battery_id: str
    model: BatteryModel
    passport_id: PassportId | None = None
    own_trace_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        text_field(self.battery_id, "batteryId")
        if self.own_trace_id is not None:
            uuid_field(self.own_trace_id, "traceId")

    @property
    def trace_id(self) -> uuid.UUID:
        """The part whose roll-up gives this battery's figures."""
        return self.own_trace_id or self.model.trace_id


def link_passport(instance: BatteryInstance, passport_id: PassportId) -> BatteryInstance:
    """The same battery, linked to `passport_id`.

    Raises:
        InvalidInput: if it is already linked to another passport.
    """
    if instance.passport_id not in (None, passport_id):
        raise InvalidInput.at(
            "passportId", f"battery {instance.battery_id} is linked to passport {instance.passport_id}"
        )
    return replace(instance, passport_id=passport_id)


__all__ = ["FULL_CYCLES_PER_YEAR", "BatteryInstance", "BatteryModel", "VehicleCategory", "link_passport"]
