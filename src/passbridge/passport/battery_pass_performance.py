"""`performance` of the Catena-X BatteryPass 6.1.0 aspect: rated (model) values and dynamic (individual) records.

Layout: `RATED` (Annex XIII 1(l)…, 2(g), 3) · `DYNAMIC` (Annex XIII 4: timed `{value, time}` records) · `PERFORMANCE`.

Units are the `samm-c:unit` of each measurement in BatteryPass.ttl; every percent is bounded to 0..100 (product
rule) except the resistance increases, which are only non-negative.
"""

from __future__ import annotations

from passbridge.passport.battery_pass_types import (
    AMPERE_HOUR,
    C_RATE,
    DEGREE,
    DOCUMENTS,
    INTEGER,
    KILOWATT_HOUR,
    OHM,
    OHMS,
    PERCENT,
    PERCENT_INCREASE,
    TIMESTAMP,
    VOLT,
    WATT,
    optional,
    record,
)
from passbridge.passport.spec import Obj, Prop

# --- rated -------------------------------------------------------------------------------------------------
_VOLTAGE = Obj(
    (Prop("min", VOLT), Prop("max", VOLT), Prop("nominal", VOLT), optional("temperature", DEGREE)),
    characteristic="VoltageCharacteristic",
)
_RATED_ROUND_TRIP_EFFICIENCY = Obj(
    (
        Prop("depthOfDischarge", PERCENT),
        Prop("initial", PERCENT),
        Prop("50PercentLife", PERCENT),
        optional("temperature", DEGREE),
    ),
    characteristic="RatedRoundTripEfficiencyCharacteristic",
)
_RATED_ENERGY = Obj(
    (Prop("value", KILOWATT_HOUR), optional("temperature", DEGREE)),
    characteristic="RatedEnergyCharacteristic",
)
_RATED_RESISTANCE = Obj(
    (Prop("cell", OHM), optional("module", OHM), Prop("pack", OHM), optional("temperature", DEGREE)),
    characteristic="RatedResistanceCharacteristic",
)
_RATED_POWER = Obj(
    (Prop("value", WATT), Prop("at20SoC", WATT), Prop("at80SoC", WATT), optional("temperature", DEGREE)),
    characteristic="RatedPowerCharacteristic",
)
_RATED_CAPACITY = Obj(
    (Prop("value", AMPERE_HOUR), Prop("thresholdExhaustion", PERCENT), optional("temperature", DEGREE)),
    characteristic="RatedCapacityCharacteristic",
)
_TEMPERATURE_RANGE = Obj(
    (Prop("lower", DEGREE), Prop("upper", DEGREE)),
    characteristic="PerformanceTemperatureCharacteristic",
)
_CYCLE_LIFE = Obj(
    (
        Prop("temperature", DEGREE),
        Prop("cycles", INTEGER),
        Prop("depthOfDischarge", PERCENT),
        Prop("appliedChargeRate", C_RATE),
        Prop("appliedDischargeRate", C_RATE),
    ),
    characteristic="CycleLifeCharacteristic",
)
_LIFETIME = Obj(
    (Prop("expectedYears", INTEGER), Prop("report", DOCUMENTS), Prop("cycleLifeTesting", _CYCLE_LIFE)),
    characteristic="LifeCycleCharacteristic",
)

RATED = Obj(
    (
        Prop("voltage", _VOLTAGE),
        Prop("roundTripEfficiency", _RATED_ROUND_TRIP_EFFICIENCY),
        optional("energy", _RATED_ENERGY),
        Prop("resistance", _RATED_RESISTANCE),
        Prop("power", _RATED_POWER),
        Prop("capacity", _RATED_CAPACITY),
        optional("performanceDocument", DOCUMENTS),
        Prop("temperature", _TEMPERATURE_RANGE),
        Prop("selfDischargingRate", PERCENT),
        optional("testReport", DOCUMENTS),
        Prop("lifetime", _LIFETIME),
    ),
    characteristic="RatedPerformanceCharacteristic",
)
"""`performance.rated`: values of the battery model."""

# --- dynamic -----------------------------------------------------------------------------------------------
_PERCENT_RECORD = record(PERCENT, "RecordCharacteristic")
_INCREASE_RECORD = record(PERCENT_INCREASE, "RecordCharacteristic")
_AMPERE_HOUR_RECORD = record(AMPERE_HOUR, "CapacityCharacteristic")
_KILOWATT_HOUR_RECORD = record(KILOWATT_HOUR, "EnergyCharacteristic")
_OHMS_RECORD = record(OHMS, "RemainingResistanceCharacteristicRecord")

_DYNAMIC_POWER = Obj(
    (Prop("fade", _PERCENT_RECORD), Prop("remaining", record(WATT, "RemainingPowerCharacteristic"))),
    characteristic="DynamicPowerCharacteristic",
)
_DYNAMIC_CAPACITY = Obj(
    (
        Prop("fade", _PERCENT_RECORD),
        Prop("throughput", _AMPERE_HOUR_RECORD),
        Prop("capacity", _AMPERE_HOUR_RECORD),
    ),
    characteristic="DynamicCapacityCharacteristic",
)
_DYNAMIC_ROUND_TRIP_EFFICIENCY = Obj(
    (Prop("fade", _PERCENT_RECORD), Prop("remaining", _PERCENT_RECORD)),
    characteristic="DynamicRoundTripEfficiencyCharacteristic",
)
_DYNAMIC_RESISTANCE = Obj(
    (
        Prop(
            "increase",
            Obj(
                (Prop("pack", _INCREASE_RECORD), optional("module", _INCREASE_RECORD), Prop("cell", _INCREASE_RECORD)),
                characteristic="ResistanceIncreaseCharacteristic",
            ),
        ),
        Prop(
            "remaining",
            Obj(
                (Prop("pack", _OHMS_RECORD), optional("module", _OHMS_RECORD), Prop("cell", _OHMS_RECORD)),
                characteristic="RemainingResistanceCharacteristic",
            ),
        ),
    ),
    characteristic="DynamicInternalResistanceCharacteristic",
)
_DYNAMIC_ENERGY = Obj(
    (
        Prop("soce", _PERCENT_RECORD),
        Prop("remaining", _KILOWATT_HOUR_RECORD),
        optional("throughput", _KILOWATT_HOUR_RECORD),
    ),
    characteristic="DynamicEnergyCharacteristic",
)

DYNAMIC = Obj(
    (
        Prop("stateOfCharge", _PERCENT_RECORD),
        Prop("fullCycles", Obj((Prop("time", TIMESTAMP), Prop("value", INTEGER)), "FullCycleCharacteristic")),
        optional("performanceDocument", DOCUMENTS),
        Prop("selfDischargingRate", PERCENT),
        Prop("power", _DYNAMIC_POWER),
        Prop("capacity", _DYNAMIC_CAPACITY),
        Prop("roundTripEfficiency", _DYNAMIC_ROUND_TRIP_EFFICIENCY),
        Prop("resistance", _DYNAMIC_RESISTANCE),
        Prop("energy", _DYNAMIC_ENERGY),
        optional("negativeEvents", DOCUMENTS),
        optional("operatingEnvironment", DOCUMENTS),
    ),
    characteristic="DynamicPerformanceCharacteristic",
)
"""`performance.dynamic`: values of the individual battery, each a `{value, time}` record."""

PERFORMANCE = Obj(
    (Prop("rated", RATED), Prop("dynamic", DYNAMIC)),
    characteristic="PerformanceCharacteristic",
)
"""`performance`: the whole performance and durability group."""

__all__ = ["DYNAMIC", "PERFORMANCE", "RATED"]
