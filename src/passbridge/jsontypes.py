"""JSON value types shared by the codecs and the passport content tree.

Numbers are `Decimal` (never float) once a document has been decoded: masses, CO2e and shares keep the exact
digits they were written with, so `20.0` stays `20.0` and `12.678` stays `12.678` on the way out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TypeAlias

JsonScalar: TypeAlias = str | int | Decimal | bool | None
JsonValue: TypeAlias = "JsonScalar | JsonArray | JsonObject"
JsonObject: TypeAlias = Mapping[str, "JsonValue"]
JsonArray: TypeAlias = Sequence["JsonValue"]

__all__ = ["JsonArray", "JsonObject", "JsonScalar", "JsonValue"]
