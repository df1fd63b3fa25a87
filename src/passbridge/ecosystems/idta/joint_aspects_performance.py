"""BatteryPass 6.1.0 ``performance`` (+ warranty, mass, category) as the joint TechnicalData and ProductCondition.

Layout: `encode_technical_data` (IDTA 02035-4: rated values, plus the fade/increase figures the aspect asks for)
and `encode_product_condition` (IDTA 02035-5: dynamic values with their ``LastUpdate``); unit conversions that the
aspects need (mass to kg, warranty to an ISO 8601 duration) are exact Decimal arithmetic.

Choices (the why):
- ``CrateOfRelevantCycleLifeTest`` takes ``cycleLifeTesting.appliedDischargeRate``: the aspect has one C-rate, and
  cycle-life tests are specified by their discharge rate; ``appliedChargeRate`` has no counterpart.
- ``MaximumPermittedBatteryPower`` takes ``rated.power.value``, the power the battery is rated for (Annex IV A(2)).
- ``RatioNominalBatteryPowerAndBatteryEnergy`` is derived as ``rated.power.value`` [W] / (``rated.energy.value``
  [kWh] * 1000) [Wh], as the aspect's characteristic defines it ("W over Wh"; its declared unit:percent is
  inconsistent with that definition). The quotient is exact when it terminates, else rounded to 28 digits.
- ``OriginalPowerCapability`` lists ``rated.power.at20SoC`` / ``at80SoC`` at ``atSoC`` 20 / 80.
- Warranty: only ``lifeUnit`` day/month/year with an integral ``lifeValue`` is a duration (``P36M``); cycles and
  operating hours are not calendar time and are left out.
- 6.1.0 category SLI, portable and incorporated have no ``BatteryCategory`` counterpart (lmt/ev/industrial/
  stationary: the categories that need a passport); "industrial" is not narrowed to "stationary".
- 6.1.0 ``dynamic.selfDischargingRate`` has no timestamp: ``CurrentSelfDischargingRate`` is written without its
  required ``LastUpdate``. ``dynamic.power.remaining`` names no state of charge: ``RemainingPowerCapability`` is
  written without its required ``AtSoC``. ``TemperatureInformation`` (required) has no 6.1.0 source at all
  (``operatingEnvironment`` is a document list) and is left out.
"""

from __future__ import annotations

from decimal import Context, Decimal

from passbridge.ecosystems.idta.joint_aspects_content import Node, Number, Payload, compact, prune
from passbridge.ecosystems.idta.joint_aspects_documents import DocumentCatalogue

BATTERY_CATEGORIES: dict[str, str] = {"LMT": "lmt", "EV": "ev", "industrial": "industrial"}
"""6.1.0 ``identification.category`` → joint ``BatteryCategory``."""

KILOGRAMS_PER_MASS_UNIT: dict[str, Decimal] = {
    "unit:gram": Decimal("0.001"),
    "unit:kilogram": Decimal(1),
    "unit:tonneMetricTon": Decimal(1000),
    "unit:tonUsOrShortTonUkorus": Decimal("907.18474"),
    "unit:ounceAvoirdupois": Decimal("0.028349523125"),
    "unit:pound": Decimal("0.45359237"),
}
"""Exact (by definition) kilograms per 6.1.0 ``MassUnitEnumeration`` unit."""

_DURATION_DESIGNATORS = {"unit:day": "D", "unit:month": "M", "unit:year": "Y"}


def exact_product(left: Number, right: Number) -> Decimal:
    """``left * right`` without rounding (the context is as wide as both coefficients together)."""
    a, b = Decimal(left), Decimal(right)
    return Context(prec=len(a.as_tuple().digits) + len(b.as_tuple().digits)).multiply(a, b)


def mass_in_kilograms(weight: Node) -> Decimal | None:
    """6.1.0 ``{value, unit}`` mass in kg; None if either part is missing or the unit is unknown."""
    value, factor = weight["value"].number(), KILOGRAMS_PER_MASS_UNIT.get(weight["unit"].text() or "")
    if value is None or factor is None:
        return None
    return exact_product(value, factor)


def warranty_period(warranty: Node) -> str | None:
    """6.1.0 warranty as an ISO 8601 duration (``P36M``), if it is a whole number of days, months or years."""
    value, designator = warranty["lifeValue"].number(), _DURATION_DESIGNATORS.get(warranty["lifeUnit"].text() or "")
    if value is None or designator is None or value < 0 or value != int(value):
        return None
    return f"P{int(value)}{designator}"


def encode_technical_data(content: Node, manufacturer: Node, documents: DocumentCatalogue) -> Payload:
    """The ``TechnicalData`` (IDTA 02035-4) payload.

    Args:
        content: the 6.1.0 content tree.
        manufacturer: ``x-passbridge.annexXIII.manufacturer`` (name).
        documents: the catalogue the cycle-life reference test documents point into.
    """
    rated, dynamic = content.at("performance.rated"), content.at("performance.dynamic")
    areas = {
        "CapacityEnergyVoltage": _capacity_energy_voltage(rated, dynamic),
        "RoundTripEnergyEfficiency": compact(
            {
                "InitialRoundTripEnergyEfficiency": rated.at("roundTripEfficiency.initial").number(),
                "RoundTripEnergyEfficiencyAt50PercentOfCycleLife": rated.at(
                    "roundTripEfficiency.50PercentLife"
                ).number(),
                "EnergyRoundTripEfficiencyFade": dynamic.at("roundTripEfficiency.fade.value").number(),
                "InitialSelfDischargingRate": rated["selfDischargingRate"].number(),
            }
        ),
        "Resistance": _resistance(rated["resistance"], dynamic.at("resistance.increase")),
        "PowerCapability": _power_capability(rated, dynamic),
        "Temperature": compact(
            {
                "TemperatureRangeIdleState_LowerBoundary": rated.at("temperature.lower").number(),
                "TemperatureRangeIdleState_UpperBoundary": rated.at("temperature.upper").number(),
            }
        ),
        "Lifetime": _lifetime(rated, documents),
    }
    return prune(
        {"GeneralInformation": _general_information(content, manufacturer), "TechnicalPropertyAreas": compact(areas)}
    )


def _general_information(content: Node, manufacturer: Node) -> Payload | None:
    return compact(
        {
            "ManufacturerName": manufacturer["name"].text(),
            "ManufacturerIdentifier": content.at("operation.manufacturer.manufacturer").text(),
            "WarrantyInformation": compact({"WarrantyPeriod": warranty_period(content.at("characteristics.warranty"))}),
            "BatteryCategory": BATTERY_CATEGORIES.get(content.at("identification.category").text() or ""),
            "BatteryMass": mass_in_kilograms(content.at("characteristics.physicalDimension.weight")),
        }
    )


def _capacity_energy_voltage(rated: Node, dynamic: Node) -> Payload | None:
    return compact(
        {
            "NominalVoltage": rated.at("voltage.nominal").number(),
            "MinVoltage": rated.at("voltage.min").number(),
            "MaxVoltage": rated.at("voltage.max").number(),
            "RatedCapacity": rated.at("capacity.value").number(),
            "CapacityFade": dynamic.at("capacity.fade.value").number(),
            "CertifiedUsableBatteryEnergy": rated.at("energy.value").number(),
        }
    )


def _resistance(initial: Node, increase: Node) -> Payload | None:
    return compact(
        {
            "InitialInternalResistanceAtBatteryCellLevel": initial["cell"].number(),
            "InitialInternalResistanceAtBatteryPackLevel": initial["pack"].number(),
            "InitialInternalResistanceAtBatteryModuleLevel": initial["module"].number(),
            "InternalResistanceIncreaseAtBatteryCellLevel": increase.at("cell.value").number(),
            "InternalResistanceIncreaseAtBatteryPackLevel": increase.at("pack.value").number(),
            "InternalResistanceIncreaseAtBatteryModuleLevel": increase.at("module.value").number(),
        }
    )


def _power_capability(rated: Node, dynamic: Node) -> Payload | None:
    power = rated["power"]
    at_soc = [
        {"atSoC": soc, "powerCapabilityAt": value}
        for soc, value in ((20, power["at20SoC"].number()), (80, power["at80SoC"].number()))
        if value is not None
    ]
    return compact(
        {
            "MaximumPermittedBatteryPower": power["value"].number(),
            "PowerFade": dynamic.at("power.fade.value").number(),
            "RatioNominalBatteryPowerAndBatteryEnergy": _power_energy_ratio(power["value"], rated.at("energy.value")),
            "OriginalPowerCapability": at_soc or None,
        }
    )


def _power_energy_ratio(power_w: Node, energy_kwh: Node) -> Decimal | None:
    power, energy = power_w.number(), energy_kwh.number()
    if power is None or energy is None or energy == 0:
        return None
    return Decimal(power) / exact_product(energy, 1000)


def _lifetime(rated: Node, documents: DocumentCatalogue) -> Payload | None:
    lifetime = rated["lifetime"]
    return compact(
        {
            "ExpectedLifetimeInCalendarYears": lifetime["expectedYears"].number(),
            "ExpectedNumberOfCycles": lifetime.at("cycleLifeTesting.cycles").number(),
            "CapacityThresholdExhaustion": rated.at("capacity.thresholdExhaustion").number(),
            "CycleLifeReferenceTest": documents.ids(lifetime["report"]),
            "CrateOfRelevantCycleLifeTest": lifetime.at("cycleLifeTesting.appliedDischargeRate").number(),
        }
    )


def _record(record: Node, value_member: str) -> Payload | None:
    """A 6.1.0 ``{value, time}`` record as a joint ``{<X>Value, LastUpdate}`` object."""
    return compact({value_member: record["value"].number(), "LastUpdate": record["time"].text()})


def encode_product_condition(content: Node, documents: DocumentCatalogue) -> Payload:
    """The ``ProductCondition`` (IDTA 02035-5) payload from ``performance.dynamic``."""
    dynamic = content.at("performance.dynamic")
    remaining_power = dynamic.at("power.remaining")
    power_value = compact(
        {"RPCLastUpdated": remaining_power["time"].text(), "PowerCapabilityAt": remaining_power["value"].number()}
    )
    return prune(
        {
            "EnergyThroughput": _record(dynamic.at("energy.throughput"), "EnergyThroughputValue"),
            "CapacityThroughput": _record(dynamic.at("capacity.throughput"), "CapacityThroughputValue"),
            "NumberOfFullCycles": _record(dynamic["fullCycles"], "NumberOfFullCyclesValue"),
            "StateOfCertifiedEnergy": _record(dynamic.at("energy.soce"), "StateOfCertifiedEnergyValue"),
            "RemainingEnergy": _record(dynamic.at("energy.remaining"), "RemainingEnergyValue"),
            "RemainingCapacity": _record(dynamic.at("capacity.capacity"), "RemainingCapacityValue"),
            "InformationOnAccidents": documents.ids(dynamic["negativeEvents"]),
            "RemainingPowerCapability": compact(
                {"RemainingPowerCapabilityValue": power_value, "LastUpdate": remaining_power["time"].text()}
            ),
            "CurrentSelfDischargingRate": compact(
                {"CurrentSelfDischargingRateValue": dynamic["selfDischargingRate"].number()}
            ),
            "RemainingRoundTripEnergyEfficiency": _record(
                dynamic.at("roundTripEfficiency.remaining"), "RemainingRoundTripEnergyEfficiencyValue"
            ),
            "StateOfCharge": _record(dynamic["stateOfCharge"], "StateOfChargeValue"),
        }
    )


__all__ = [
    "BATTERY_CATEGORIES",
    "KILOGRAMS_PER_MASS_UNIT",
    "encode_product_condition",
    "encode_technical_data",
    "exact_product",
    "mass_in_kilograms",
    "warranty_period",
]
