"""One canonical byte encoding of supply-chain values, so that equal inputs hash equally on every node.

Layout: `canonical_decimal` (a number by value: ``1.50`` and ``1.5`` are both ``15e-1``), `canonical_bytes` (any
tree of our frozen dataclasses → compact, key-sorted JSON) and `sha256_hex`.

Order-independent: every collection in the model (BOM lines, stages, elements, countries, contributions) is a set
in meaning, so its items are sorted by their own encoding; listing inputs in another order gives the same bytes.
Numbers are encoded by value, so a value stored as ``20.0`` and read back as ``20`` hashes the same.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import TypeAlias

_Encoded: TypeAlias = "str | int | bool | list[_Encoded] | dict[str, _Encoded] | None"


def canonical_decimal(value: Decimal) -> str:
    """``<digits>e<exponent>`` with no trailing zeros in the digits, ``0`` for zero (either sign).

    Raises:
        ValueError: for NaN or an infinity (the model refuses them before they get here).
    """
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # 'n', 'N' or 'F': NaN or an infinity
        raise ValueError(f"{value} has no canonical form")
    if value.is_zero():
        return "0"
    text = "".join(map(str, digits)).rstrip("0")
    exponent += len(digits) - len(text)
    return f"{'-' if sign else ''}{text}e{exponent}"


def _dump(value: _Encoded) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _encode(value: object) -> _Encoded:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return _encode(value.value)
    if isinstance(value, bytes):
        return value.hex()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"@type": type(value).__name__, **fields}
    if isinstance(value, Mapping):
        return {str(_encode(k)): _encode(v) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        return sorted((_encode(item) for item in value), key=_dump)
    raise TypeError(f"no canonical encoding for {type(value).__name__}")  # a float, say: never in the model


def canonical_bytes(value: object) -> bytes:
    """The canonical UTF-8 JSON of `value` (dataclasses, Decimals, UUIDs, enums, collections).

    Raises:
        TypeError: for a type the model never holds (float, datetime, …).
    """
    return _dump(_encode(value)).encode("utf-8")


def sha256_hex(value: object) -> str:
    """SHA-256 (hex) of `canonical_bytes(value)`."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


__all__ = ["canonical_bytes", "canonical_decimal", "sha256_hex"]
