"""Field rules of the data transaction system's OpenAPI (`traceability.*Model`) and its number format.

Each helper reads one field of a request document and raises `InvalidInput` naming its JSON path and the rule;
numbers are `Decimal` in the Ouranos format (≤ 99999.99999, 5 decimals rounded up at the 6th, openapi #15).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Final

from passbridge.errors import InvalidInput
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.supplychain.quantities import ouranos_round

RULE: Final = "Ouranos data transaction API 3.0.0"
MAX_CHILDREN: Final = 50
"""`traceability.PartsStructureModel.childrenPartsModel` maxItems."""
MAX_TRACE_IDS: Final = 50
"""`traceIds` of `GET …dataTarget=cfp|tradeRequest`."""
MAX_OPERATOR_IDS: Final = 100
"""`operatorIds` of `GET authInfo?dataTarget=operator`."""
MAX_LIMIT: Final = 100
"""Largest page (`limit`)."""
OPEN_OPERATOR_ID: Final = re.compile(r"^[a-zA-Z0-9]{1,20}$")
"""The corporate number (法人番号) or another local id."""
OPEN_PLANT_ID: Final = re.compile(r"^.{0,20}[0-9]{6}$")
UNITS: Final = (
    "liter",
    "kilogram",
    "cubic-meter",
    "kilowatt-hour",
    "megajoule",
    "ton-kilometer",
    "square-meter",
    "unit",
)
"""`amountRequiredUnit`; `ghgDeclaredUnit` is ``kgCO2e/`` + one of these."""


def obj(value: JsonValue, path: str) -> JsonObject:
    """`value` as a JSON object."""
    if not isinstance(value, Mapping):
        raise InvalidInput.at(path, "must be an object", RULE)
    return value


def text(doc: JsonObject, name: str, path: str, *, low: int = 0, high: int = 256, nullable: bool = False) -> str | None:
    """A string field of `low`..`high` characters (None only if `nullable`)."""
    value = doc.get(name)
    if value is None:
        if nullable:
            return None
        raise InvalidInput.at(f"{path}.{name}", "is required", RULE)
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise InvalidInput.at(f"{path}.{name}", f"must be a string of {low} to {high} characters", RULE)
    return value


def required_text(doc: JsonObject, name: str, path: str, *, low: int = 1, high: int = 256) -> str:
    """A non-null string field."""
    value = text(doc, name, path, low=low, high=high)
    assert value is not None
    return value


def a_uuid(value: object, path: str) -> str:
    """`value` as a canonical UUID string."""
    try:
        return str(uuid.UUID(str(value))) if isinstance(value, str) else _bad_uuid(path)
    except ValueError:
        return _bad_uuid(path)


def _bad_uuid(path: str) -> str:
    raise InvalidInput.at(path, "must be a UUID", RULE)


def optional_uuid(doc: JsonObject, name: str, path: str) -> str | None:
    """A nullable UUID field."""
    value = doc.get(name)
    return None if value is None else a_uuid(value, f"{path}.{name}")


def flag(doc: JsonObject, name: str, path: str) -> bool:
    """A required boolean field."""
    value = doc.get(name)
    if not isinstance(value, bool):
        raise InvalidInput.at(f"{path}.{name}", "must be true or false", RULE)
    return value


def choice(doc: JsonObject, name: str, path: str, allowed: Collection[str], *, nullable: bool = False) -> str | None:
    """An enum field."""
    value = doc.get(name)
    if value is None and nullable:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInput.at(f"{path}.{name}", f"must be one of {', '.join(allowed)}", RULE)
    return value


def number(doc: JsonObject, name: str, path: str, *, nullable: bool = True) -> Decimal | None:
    """A number in the Ouranos format: ≥ 0, ≤ 99999.99999, 5 decimals rounded up at the 6th.

    Raises:
        InvalidInput: not a number, negative, or `OuranosRangeExceeded` above the maximum.
    """
    value = doc.get(name)
    if value is None:
        if nullable:
            return None
        raise InvalidInput.at(f"{path}.{name}", "is required", RULE)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InvalidInput.at(f"{path}.{name}", "must be a number", RULE)
    if value < 0:
        raise InvalidInput.at(f"{path}.{name}", "must not be negative", RULE)
    return shown(ouranos_round(Decimal(value), f"{path}.{name}"))


def shown(value: Decimal) -> Decimal:
    """`value` without trailing zeros and without an exponent (10.00000 → 10, 1.50000 → 1.5)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def id_list(raw: str | None, path: str, most: int) -> list[str]:
    """A comma-separated list of UUIDs (``traceIds``, ``operatorIds``) of at most `most` items."""
    if raw is None or raw == "":
        return []
    items = [a_uuid(part.strip(), path) for part in raw.split(",")]
    if len(items) > most:
        raise InvalidInput.at(path, f"at most {most} ids", RULE)
    return items


def limit(value: int | None) -> int:
    """The page size (default and maximum `MAX_LIMIT`)."""
    if value is None:
        return MAX_LIMIT
    if not 1 <= value <= MAX_LIMIT:
        raise InvalidInput.at("limit", f"must be 1 to {MAX_LIMIT}", RULE)
    return value


__all__ = [
    "MAX_CHILDREN",
    "MAX_LIMIT",
    "MAX_OPERATOR_IDS",
    "MAX_TRACE_IDS",
    "OPEN_OPERATOR_ID",
    "OPEN_PLANT_ID",
    "RULE",
    "UNITS",
    "a_uuid",
    "choice",
    "flag",
    "id_list",
    "limit",
    "number",
    "obj",
    "optional_uuid",
    "required_text",
    "shown",
    "text",
]
