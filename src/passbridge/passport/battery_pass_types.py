"""The reusable SAMM characteristics of the Catena-X BatteryPass 6.1.0 aspect, as `spec` nodes.

Layout: identifiers and traits (Text, DateTrait, BPNL/BPNA, UUID) · the document list · measurements with their
`samm-c:unit` · the timed record `{value, time}` builder used by `performance.dynamic`.

Facts come from `io.catenax.battery.battery_pass/6.1.0` (BatteryPass.ttl and gen/BatteryPass-schema.json) and the
generic DPP 5.0.0 model it imports. The characteristic names are the SAMM names; the JSON Schema generator appends
`0` when two namespaces define the same name (e.g. `KeyTrait0`), we keep the SAMM name.
"""

from __future__ import annotations

from decimal import Decimal

from passbridge.passport.spec import Arr, Leaf, LeafKind, Node, Obj, Prop

_STRING = LeafKind.STRING
_NUMBER = LeafKind.NUMBER

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

BPNL_PATTERN = r"^BPNL[a-zA-Z0-9]{12}$"
BPNA_PATTERN = r"^BPNA[a-zA-Z0-9]{12}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
UUID_PATTERN = (
    r"(^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)"
    r"|(^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)"
)
# xsd:dateTime as the SAMM generator writes it (unanchored, zone optional). The DATETIME kind adds RFC 3339
# `format: date-time` on top, which requires a zone: stricter than the official schema, on purpose.
TIMESTAMP_PATTERN = (
    r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)
# Units are SAMM unit-catalogue names; the official enumerations also carry this (unanchored) pattern.
UNIT_NAME_PATTERN = "[a-zA-Z]*:[a-zA-Z]+"


def text(characteristic: str = "Text") -> Leaf:
    """A free string (SAMM `xsd:string`) under the given characteristic name."""
    return Leaf(_STRING, characteristic=characteristic)


def enumeration(characteristic: str, *values: str, pattern: str | None = None) -> Leaf:
    """A string enumeration (SAMM `samm-c:Enumeration`)."""
    return Leaf(_STRING, enum=values, pattern=pattern, characteristic=characteristic)


TEXT = text()
IDENTIFIER = text("IdentifierCharacteristic")
BOOLEAN = Leaf(LeafKind.BOOLEAN, characteristic="Boolean")
DATE = Leaf(LeafKind.DATE, pattern=DATE_PATTERN, characteristic="DateTrait")
TIMESTAMP = Leaf(LeafKind.DATETIME, pattern=TIMESTAMP_PATTERN, characteristic="Timestamp")
BPNL = Leaf(_STRING, pattern=BPNL_PATTERN, characteristic="BpnlTrait")
BPNA = Leaf(_STRING, pattern=BPNA_PATTERN, characteristic="BpnaTrait")
UUID = Leaf(_STRING, pattern=UUID_PATTERN, characteristic="UuidV4Trait")
HEADER = Leaf(_STRING, max_length=100, characteristic="HeaderTrait")

# The "document list" element: ~40 places in the aspect point at documents with this shape.
DOCUMENT = Obj(
    (Prop("content", TEXT), Prop("contentType", TEXT), Prop("header", HEADER)),
    characteristic="DocumentationEntity",
)
DOCUMENTS = Arr(DOCUMENT, characteristic="DocumentList")

FACILITY = Obj((Prop("facility", BPNA),), characteristic="FacilityEntity")
FACILITIES = Arr(FACILITY, characteristic="FacilityList")

# --- numbers -----------------------------------------------------------------------------------------------
POSITIVE = Leaf(_NUMBER, minimum=_ZERO, characteristic="PositiveTrait")
# recycled / renewable shares: the schema bounds them 0..100; the unit is percent (generic DPP 5.0.0).
PERCENTAGE = Leaf(_NUMBER, minimum=_ZERO, maximum=_HUNDRED, unit="unit:percent", characteristic="PercentageTrait")
# PercentMeasurement is unbounded in the schema; our product rule bounds every percent to 0..100 ...
PERCENT = Leaf(_NUMBER, minimum=_ZERO, maximum=_HUNDRED, unit="unit:percent", characteristic="PercentMeasurement")
# ... except a resistance *increase*, which can exceed 100 % (a doubled resistance is +100 %).
PERCENT_INCREASE = Leaf(_NUMBER, minimum=_ZERO, unit="unit:percent", characteristic="PercentMeasurement")
VOLT = Leaf(_NUMBER, unit="unit:volt", characteristic="VoltMeasurement")
DEGREE = Leaf(_NUMBER, unit="unit:degreeCelsius", characteristic="DegreeMeasurement")
KILOWATT_HOUR = Leaf(_NUMBER, unit="unit:kilowattHour", characteristic="KilowattHourMeasurement")
WATT = Leaf(_NUMBER, unit="unit:watt", characteristic="WattMeasurement")
AMPERE_HOUR = Leaf(_NUMBER, unit="unit:ampereHour", characteristic="AmpereHourMeasurement")
OHM = Leaf(_NUMBER, unit="unit:ohm", characteristic="OhmMeasurement")
OHMS = Leaf(_NUMBER, unit="unit:ohm", characteristic="OhmsMeasurement")
# The TTL says xsd:integer (cycles, years); the generated schema says "number". We follow the TTL.
INTEGER = Leaf(LeafKind.INTEGER, characteristic="IntegerCharacteristic")
# C-rate (1/h); a plain xsd:double characteristic without samm-c:unit.
C_RATE = Leaf(_NUMBER, characteristic="CRateCharacteristic")


def record(value: Leaf, characteristic: str) -> Obj:
    """A timed value `{value, time}` of `performance.dynamic` (both required, time is xsd:dateTime)."""
    return Obj((Prop("value", value), Prop("time", TIMESTAMP)), characteristic=characteristic)


def optional(name: str, node: Node) -> Prop:
    """A member with `samm:optional true`."""
    return Prop(name, node, required=False)


__all__ = [
    "AMPERE_HOUR",
    "BOOLEAN",
    "BPNA",
    "BPNA_PATTERN",
    "BPNL",
    "BPNL_PATTERN",
    "C_RATE",
    "DATE",
    "DATE_PATTERN",
    "DEGREE",
    "DOCUMENT",
    "DOCUMENTS",
    "FACILITIES",
    "FACILITY",
    "HEADER",
    "IDENTIFIER",
    "INTEGER",
    "KILOWATT_HOUR",
    "OHM",
    "OHMS",
    "PERCENT",
    "PERCENTAGE",
    "PERCENT_INCREASE",
    "POSITIVE",
    "TEXT",
    "TIMESTAMP",
    "TIMESTAMP_PATTERN",
    "UNIT_NAME_PATTERN",
    "UUID",
    "UUID_PATTERN",
    "VOLT",
    "WATT",
    "enumeration",
    "optional",
    "record",
    "text",
]
