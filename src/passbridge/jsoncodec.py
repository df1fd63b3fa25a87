"""JSON bytes ⇄ trees, exact for numbers, guarded against hostile input.

Layout: `loads_exact` (numbers → `Decimal`, the meaning-carrying path), `loads_fast` (orjson, binary64 numbers, for
validation only) with `is_float_safe` deciding when the fast path gives the same verdict, `dumps_exact` (Decimal
written with its own digits) and `dumps_exact_fast` (the same bytes through orjson, for hot paths such as signing).

Nesting: orjson refuses more than 1,024 levels and the exact parser stops at Python's recursion limit, both as
`MalformedJson`; between that and the model's 7 levels, the closed schema names the first unexpected member.

Why two parsers: the Decimal parse costs ~100 µs for a 9 KB passport and orjson ~35 µs; bulk import validates
hundreds of thousands of documents. A number with at most 15 significant digits survives binary64 exactly
(DBL_DIG), so schema bounds (0, 100, …) compare the same way on both trees; documents with longer digit runs take
the exact path. What is stored is always the caller's bytes, so nothing is ever rounded.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import orjson
import simplejson

from passbridge.errors import MalformedJson
from passbridge.jsontypes import JsonValue

_TO_NINES = bytes(0x39 if chr(b) in "0123456789." else 0x20 for b in range(256))
_SIXTEEN = b"9" * 16
_ENCODER = simplejson.JSONEncoder(use_decimal=True, separators=(",", ":"), ensure_ascii=False)


def loads_exact(raw: bytes | str) -> JsonValue:
    """Parse JSON with every non-integer number as `Decimal`.

    Raises:
        MalformedJson: if `raw` is not JSON (the message gives line and column).
    """
    try:
        value = simplejson.loads(raw, use_decimal=True, allow_nan=False)
    except (simplejson.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedJson.at("$", f"malformed JSON: {exc}", rule="RFC 8259") from None
    except RecursionError:
        raise MalformedJson.at("$", "JSON nested too deeply", rule="passbridge limits") from None
    return cast(JsonValue, value)


def loads_fast(raw: bytes | str) -> Any:
    """Parse JSON with binary64 numbers (validation only; see the module docstring).

    Raises:
        MalformedJson: if `raw` is not JSON.
    """
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedJson.at("$", f"malformed JSON: {exc}", rule="RFC 8259") from None
    return value


def is_float_safe(raw: bytes) -> bool:
    """True if no number in `raw` can have more than 15 significant digits (a cheap, conservative scan)."""
    # Map digits and dots to "9", everything else to " ", then look for 16 in a row: two C passes over the bytes.
    return _SIXTEEN not in raw.translate(_TO_NINES)


def dumps_exact(value: JsonValue) -> bytes:
    """Compact JSON with `Decimal` numbers written digit for digit (``Decimal("20.0")`` → ``20.0``)."""
    text: str = _ENCODER.encode(value)
    return text.encode("utf-8")


def dumps_exact_fast(value: JsonValue) -> bytes:
    """`dumps_exact` through orjson (~15x faster on a passport), each finite `Decimal` passed through as its own
    digits; values orjson cannot write (integers beyond 64 bits, non-finite decimals) fall back to `dumps_exact`."""
    try:
        return orjson.dumps(value, default=_decimal_digits)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return dumps_exact(value)


def _decimal_digits(value: Any) -> orjson.Fragment:
    if isinstance(value, Decimal) and value.is_finite():
        return orjson.Fragment(str(value))
    raise TypeError(f"not JSON: {value!r}")


__all__ = ["dumps_exact", "dumps_exact_fast", "is_float_safe", "loads_exact", "loads_fast"]
