"""The rated and dynamic performance of a BatteryPass 6.1.0 tree as IDTA 02035-4 TechnicalData and 02035-5
ProductCondition elements.

Layout: `technical_data_elements` (part 4: ``GeneralInformation``, ``TechnicalPropertyAreas``) ·
`product_condition_elements` (part 5: one collection per measured value with its ``LastUpdate``).

Both parts read 6.1.0 ``performance``: the rated values and the fades (which 6.1.0 records as dynamic values with a
timestamp, and the TechnicalData template holds without one) go to part 4, the time-stamped in-use values to part 5.
Numbers keep their Decimal digits; only unit changes the template demands are applied, with exact factors.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from aas_core3 import types as aas

from passbridge.ecosystems.idta.aas_elements import number_at, objects_at, prop, smc, sml, text_at
from passbridge.jsontypes import JsonObject

__all__ = ["product_condition_elements", "technical_data_elements"]

_STRING = aas.DataTypeDefXSD.STRING
_FLOAT = aas.DataTypeDefXSD.FLOAT
_UNSIGNED_INT = aas.DataTypeDefXSD.UNSIGNED_INT
_INTEGER = aas.DataTypeDefXSD.INTEGER
_SMC = aas.AASSubmodelElements.SUBMODEL_ELEMENT_COLLECTION

_MANUFACTURER = "x-passbridge.annexXIII.manufacturer"
_TD = "urn:samm:io.admin-shell.idta.batterypass.technical_data:1.0.0#"
_TD_1_0_1 = "urn:samm:io.admin-shell.idta.batterypass.technical_data:1.0.1#"
_PC = "urn:samm:io.admin-shell.idta.batterypass.product_condition:1.0.1#"
_RATED = "performance.rated"
_DYNAMIC = "performance.dynamic"

_KILOGRAMS_PER = {
    "unit:kilogram": Decimal(1),
    "unit:gram": Decimal("0.001"),
    "unit:tonneMetricTon": Decimal(1000),
    "unit:pound": Decimal("0.45359237"),
    "unit:ounceAvoirdupois": Decimal("0.028349523125"),
    "unit:tonUsOrShortTonUkorus": Decimal("907.18474"),
}
"""Exact factors to kilograms, the unit of ``BatteryMass``, for the 6.1.0 MassUnitEnumeration."""

_DURATION_DESIGNATORS = {"unit:day": "D", "unit:month": "M", "unit:year": "Y"}
"""6.1.0 warranty units that are calendar durations (ISO 8601 ``PnD``/``PnM``/``PnY``); cycles and hours are not."""

_Row = tuple[str, str, aas.DataTypeDefXSD, str]
"""idShort, semanticId, value type and 6.1.0 path of one number."""

_AREAS: tuple[tuple[str, str, tuple[_Row, ...]], ...] = (
    (
        "CapacityEnergyVoltage",
        f"{_TD}capacityEnergyVoltage",
        (
            ("NominalVoltage", "0173-1#02-ABL588#001", _FLOAT, f"{_RATED}.voltage.nominal"),
            ("MinVoltage", "0173-1#02-ABL587#001", _FLOAT, f"{_RATED}.voltage.min"),
            ("MaxVoltage", "0173-1#02-ABL589#001", _FLOAT, f"{_RATED}.voltage.max"),
            ("RatedCapacity", "0173-1#02-ABL869#002", _FLOAT, f"{_RATED}.capacity.value"),
            ("CapacityFade", "0173-1#02-ABL828#002", _FLOAT, f"{_DYNAMIC}.capacity.fade.value"),
            ("CertifiedUsableBatteryEnergy", "0173-1#02-ABL829#002", _FLOAT, f"{_RATED}.energy.value"),
        ),
    ),
    (
        "RoundTripEnergyEfficiency",
        f"{_TD}roundTripEnergyEfficiency",
        (
            (
                "InitialRoundTripEnergyEfficiency",
                "0173-1#02-ABL833#002",
                _INTEGER,
                f"{_RATED}.roundTripEfficiency.initial",
            ),
            (
                "RoundTripEnergyEfficiencyAt50PercentOfCycleLife",
                "0173-1#02-ABL866#002",
                _INTEGER,
                f"{_RATED}.roundTripEfficiency.50PercentLife",
            ),
            (
                "EnergyRoundTripEfficiencyFade",
                "0173-1#02-ABL827#002",
                _FLOAT,
                f"{_DYNAMIC}.roundTripEfficiency.fade.value",
            ),
            ("InitialSelfDischargingRate", "0173-1#02-ABL834#002", _INTEGER, f"{_RATED}.selfDischargingRate"),
        ),
    ),
    (
        "Resistance",
        f"{_TD}resistance",
        (
            (
                "InitialInternalResistanceOnBatteryCellLevel",
                "0173-1#02-ABL844#002",
                _FLOAT,
                f"{_RATED}.resistance.cell",
            ),
            (
                "InitialInternalResistanceOnBatteryPackLevel",
                "0173-1#02-ABL846#002",
                _FLOAT,
                f"{_RATED}.resistance.pack",
            ),
            (
                "InitialInternalResistanceOnBatteryModuleLevel",
                "0173-1#02-ABL832#002",
                _FLOAT,
                f"{_RATED}.resistance.module",
            ),
            (
                "InternalResistanceIncreaseOfBatteryCellLevel",
                f"{_TD}internalResistanceIncreaseOfBatteryCell",
                _FLOAT,
                f"{_DYNAMIC}.resistance.increase.cell.value",
            ),
            (
                "InternalResistanceIncreaseOfBatteryPackLevel",
                f"{_TD}internalResistanceIncreaseOfBatteryPack",
                _FLOAT,
                f"{_DYNAMIC}.resistance.increase.pack.value",
            ),
            (
                "InternalResistanceIncreaseOfBatteryModuleLevel",
                f"{_TD}initialInternalResistanceOfBatteryModule",  # sic: the template's semanticId
                _FLOAT,
                f"{_DYNAMIC}.resistance.increase.module.value",
            ),
        ),
    ),
    (
        "PowerCapability",
        f"{_TD}powerCapability",
        (
            ("MaximumPermittedBatteryPower", "0173-1#02-ABL843#002", _FLOAT, f"{_RATED}.power.value"),
            ("PowerFade", "0173-1#02-ABL852#002", _FLOAT, f"{_DYNAMIC}.power.fade.value"),
        ),
    ),
    (
        "Temperature",
        f"{_TD}temperature",
        (
            ("TemperatureRangeIdleState_LowerBoundary", "0173-1#02-ABL842#002", _FLOAT, f"{_RATED}.temperature.lower"),
            ("TemperatureRangeIdleState_UpperBoundary", "0173-1#02-ABL871#002", _FLOAT, f"{_RATED}.temperature.upper"),
        ),
    ),
    (
        "Lifetime",
        f"{_TD}lifetime",
        (
            (
                "ExpectedLifetimeInCalendarYears",
                f"{_TD}expectedLifetime",
                _UNSIGNED_INT,
                f"{_RATED}.lifetime.expectedYears",
            ),
            (
                "ExpectedNumberOfCycles",
                f"{_TD}expectedNumberOfCycles",
                _UNSIGNED_INT,
                f"{_RATED}.lifetime.cycleLifeTesting.cycles",
            ),
            (
                "CapacityThresholdExhaustion",
                "0173-1#02-ABL838#002",
                _FLOAT,
                f"{_RATED}.capacity.thresholdExhaustion",
            ),
        ),
    ),
)
"""TechnicalPropertyAreas in template order: each collection's numbers and where 6.1.0 keeps them."""

_MEASURED: tuple[tuple[str, aas.DataTypeDefXSD, str, str | None], ...] = (
    ("EnergyThroughput", _FLOAT, f"{_DYNAMIC}.energy.throughput.value", f"{_DYNAMIC}.energy.throughput.time"),
    ("CapacityThroughput", _FLOAT, f"{_DYNAMIC}.capacity.throughput.value", f"{_DYNAMIC}.capacity.throughput.time"),
    ("NumberOfFullCycles", _UNSIGNED_INT, f"{_DYNAMIC}.fullCycles.value", f"{_DYNAMIC}.fullCycles.time"),
    ("StateOfCertifiedEnergy", _FLOAT, f"{_DYNAMIC}.energy.soce.value", f"{_DYNAMIC}.energy.soce.time"),
    ("RemainingEnergy", _FLOAT, f"{_DYNAMIC}.energy.remaining.value", f"{_DYNAMIC}.energy.remaining.time"),
    ("RemainingCapacity", _FLOAT, f"{_DYNAMIC}.capacity.capacity.value", f"{_DYNAMIC}.capacity.capacity.time"),
    ("CurrentSelfDischargingRate", _FLOAT, f"{_DYNAMIC}.selfDischargingRate", None),
    (
        "RemainingRoundTripEnergyEfficiency",
        _FLOAT,
        f"{_DYNAMIC}.roundTripEfficiency.remaining.value",
        f"{_DYNAMIC}.roundTripEfficiency.remaining.time",
    ),
    ("StateOfCharge", _FLOAT, f"{_DYNAMIC}.stateOfCharge.value", f"{_DYNAMIC}.stateOfCharge.time"),
)
"""ProductCondition collections in template order: idShort, value type, 6.1.0 value path, 6.1.0 time path."""


def _battery_mass(content: JsonObject) -> Decimal | None:
    value = number_at(content, "characteristics.physicalDimension.weight.value")
    factor = _KILOGRAMS_PER.get(text_at(content, "characteristics.physicalDimension.weight.unit") or "")
    if value is None or factor is None:
        return None
    with localcontext() as exact:
        exact.prec = 100  # the factors are exact decimals; keep every digit of the product
        return value * factor


def _warranty_period(content: JsonObject) -> str | None:
    value = number_at(content, "characteristics.warranty.lifeValue")
    designator = _DURATION_DESIGNATORS.get(text_at(content, "characteristics.warranty.lifeUnit") or "")
    if value is None or designator is None or value < 0 or value != value.to_integral_value():
        return None
    return f"P{int(value)}{designator}"


def _c_rate(content: JsonObject) -> Decimal | None:
    """The C-rate of the cycle-life test: the stated discharge and charge rates when they agree (or only one is
    stated); two different rates do not fit the template's single value and give None."""
    test = f"{_RATED}.lifetime.cycleLifeTesting"
    rates = [number_at(content, f"{test}.appliedDischargeRate"), number_at(content, f"{test}.appliedChargeRate")]
    stated = [rate for rate in rates if rate is not None]
    return stated[0] if stated and all(rate == stated[0] for rate in stated) else None


def _original_power_capability(content: JsonObject) -> aas.SubmodelElement | None:
    items: list[aas.SubmodelElement | None] = []
    for state_of_charge in (20, 80):
        power = number_at(content, f"{_RATED}.power.at{state_of_charge}SoC")
        if power is None:
            continue  # the SoC alone, without its power, says nothing
        items.append(
            smc(
                None,
                f"{_TD}PowerCapabilityAt",
                [
                    prop("atSoc", f"{_TD}atSoC", _UNSIGNED_INT, Decimal(state_of_charge)),
                    prop("powerCapabilityAt", f"{_TD}powerCapabilityAt", _FLOAT, power),
                ],
            )
        )
    return sml(
        "OriginalPowerCapability",
        "0173-1#02-ABL853#002",
        items,
        type_value_list_element=_SMC,
        semantic_id_list_element=f"{_TD}PowerCapabilityAt",
    )


def _general_information(content: JsonObject) -> aas.SubmodelElement | None:
    return smc(
        "GeneralInformation",
        "0173-1#02-ABK161#002/0173-1#01-AHX838#002",
        [
            prop("ManufacturerName", "0173-1#02-AAO677#004", _STRING, text_at(content, f"{_MANUFACTURER}.name")),
            prop(
                "ManufacturerIdentifier",
                f"{_TD}manufacturerIdentifier",
                _STRING,
                text_at(content, "operation.manufacturer.manufacturer"),
            ),
            prop("BatteryCategory", f"{_TD}batteryCategory", _STRING, text_at(content, "identification.category")),
            prop("BatteryMass", f"{_TD}batteryMass", _FLOAT, _battery_mass(content)),
            smc(
                "WarrantyInformation",
                f"{_TD_1_0_1}warrantyInformation",
                [prop("WarrantyPeriod", f"{_TD_1_0_1}warrantyPeriod", _STRING, _warranty_period(content))],
            ),
        ],
    )


def technical_data_elements(content: JsonObject) -> list[aas.SubmodelElement]:
    """Top-level elements of ``TechnicalData`` (IDTA 02035-4 v1.0.1)."""
    extras: dict[str, list[aas.SubmodelElement | None]] = {
        "PowerCapability": [_original_power_capability(content)],
        "Lifetime": [
            prop(
                "CRateOfRelevantCycleLifeTest",
                f"{_TD}cRateLifeCycleTest",
                aas.DataTypeDefXSD.DECIMAL,
                _c_rate(content),
            )
        ],
    }
    areas = [
        smc(
            id_short,
            semantic_id,
            [prop(name, sid, value_type, number_at(content, path)) for name, sid, value_type, path in rows]
            + extras.get(id_short, []),
        )
        for id_short, semantic_id, rows in _AREAS
    ]
    elements = [_general_information(content), smc("TechnicalPropertyAreas", "0173-1#02-ABK163#002", areas)]
    return [element for element in elements if element is not None]


def _measured(
    id_short: str, value_type: aas.DataTypeDefXSD, value: Decimal | None, time: str | None
) -> aas.SubmodelElement | None:
    camel = id_short[0].lower() + id_short[1:]
    return smc(
        id_short,
        f"{_PC}{camel}",
        [
            prop(f"{id_short}Value", f"{_PC}{camel}Value", value_type, value),
            prop("LastUpdate", f"{_PC}lastUpdate", aas.DataTypeDefXSD.DATE_TIME, time),
        ],
    )


def product_condition_elements(content: JsonObject) -> list[aas.SubmodelElement]:
    """Top-level elements of ``ProductCondition`` (IDTA 02035-5 v1.0.1), in template order."""
    measured = {
        id_short: _measured(
            id_short, value_type, number_at(content, value), text_at(content, time) if time is not None else None
        )
        for id_short, value_type, value, time in _MEASURED
    }
    events = [
        smc(
            None,
            f"{_PC}NegativeEvent",
            [prop("NegativeEventValue", f"{_PC}negativeEventValue", _STRING, text_at(entry, "header"))],
        )
        for _, entry in objects_at(content, f"{_DYNAMIC}.negativeEvents[]")
    ]
    negative_events = sml("NegativeEvents", f"{_PC}negativeEvents", events, type_value_list_element=_SMC)
    order = [*list(measured)[:6], "NegativeEvents", *list(measured)[6:]]
    elements = [negative_events if id_short == "NegativeEvents" else measured[id_short] for id_short in order]
    return [element for element in elements if element is not None]
