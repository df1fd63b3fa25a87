"""Reading one field of a supply-chain JSON document; every failure is an `InvalidInput` naming its JSON path.

Layout: `decimal_at` (a decimal string or JSON number, ≥ 0 unless told), `element_masses_at` (an element's mass and
its recycled parts), `share_at` (in [0, 1]), `uuid_at`,
`text_at`, `unit_at`, `count_at`, `member` (an optional member of an object), `plain` (a `Decimal` written without
exponent), and `located` (re-path the errors a domain constructor raises inside one item).

Why numbers may be strings: JSON numbers are binary64 in most tools; a decimal string keeps every digit whatever
the sender's JSON library does. Both are accepted; the documents we write use strings.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from decimal import Decimal
from typing import Any, Final

from passbridge.errors import InvalidInput, Violation
from passbridge.supplychain.quantities import Unit, exact_sum, parse_unit

DECIMAL_PATTERN: Final = r"^[0-9]{1,20}(\.[0-9]{1,20})?$"
"""A non-negative decimal string: up to 20 digits before and after the point, no exponent."""
_DECIMAL: Final = re.compile(r"^-?[0-9]{1,20}(\.[0-9]{1,20})?$")
MAX_DIGITS: Final = 40


def plain(value: Decimal) -> str:
    """`value` as text without exponent and without trailing zeros (``1.03E+3`` → ``1030``, ``2.50`` → ``2.5``)."""
    if value.is_zero():
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def decimal_at(value: object, path: str, *, non_negative: bool = True) -> Decimal:
    """A decimal from a decimal string or a JSON number (never a float, never an exponent).

    Raises:
        InvalidInput: naming `path` for anything else, or a negative value when `non_negative`.
    """
    number: Decimal | None = None
    if isinstance(value, str) and _DECIMAL.match(value):
        number = Decimal(value)
    elif isinstance(value, Decimal) and value.is_finite():
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    if number is None:
        raise InvalidInput.at(path, f'must be a decimal number written like "12.5", got {value!r}', "decimal")
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise InvalidInput.at(path, f"has more than {MAX_DIGITS} digits", "decimal")
    if non_negative and number < 0:
        raise InvalidInput.at(path, f"must not be negative, got {plain(number)}", "quantities ≥ 0")
    return number


def element_masses_at(obj: Mapping[str, Any], path: str) -> tuple[Decimal, Decimal, Decimal]:
    """`massKg`, `recycledPreConsumerKg`, `recycledPostConsumerKg` (both 0 when absent) of one element.

    Raises:
        InvalidInput: naming the bad member, or `recycledPostConsumerKg` if the recycled masses exceed the mass.
    """
    mass = decimal_at(obj.get("massKg"), f"{path}.massKg")
    pre = decimal_at(obj.get("recycledPreConsumerKg", "0"), f"{path}.recycledPreConsumerKg")
    post = decimal_at(obj.get("recycledPostConsumerKg", "0"), f"{path}.recycledPostConsumerKg")
    if exact_sum((pre, post)) > mass:
        message = f"recycled {plain(pre)} + {plain(post)} kg exceeds the element's mass of {plain(mass)} kg"
        raise InvalidInput.at(f"{path}.recycledPostConsumerKg", message, "recycled mass ≤ mass")
    return mass, pre, post


def share_at(value: object, path: str) -> Decimal:
    """A share in [0, 1].

    Raises:
        InvalidInput: naming `path` if it is no decimal or lies outside 0-1.
    """
    share = decimal_at(value, path)
    if share > 1:
        raise InvalidInput.at(path, f"a share must lie in [0, 1], got {plain(share)}", "share")
    return share


def uuid_at(value: object, path: str) -> uuid.UUID:
    """A UUID written in its canonical text form.

    Raises:
        InvalidInput: naming `path`.
    """
    if isinstance(value, str):
        with suppress(ValueError):  # not a UUID: fall through to the error naming the path
            return uuid.UUID(value)
    raise InvalidInput.at(path, f"must be a UUID, got {value!r}", "Ouranos traceId (UUID)")


def text_at(value: object, path: str, *, max_length: int = 256) -> str:
    """A non-blank string of at most `max_length` characters.

    Raises:
        InvalidInput: naming `path`.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput.at(path, f"must be a non-empty text, got {value!r}")
    if len(value) > max_length:
        raise InvalidInput.at(path, f"must be at most {max_length} characters, got {len(value)}")
    return value


def unit_at(value: object, path: str) -> Unit:
    """A declared unit (``kilogram``, ``unit``, …).

    Raises:
        InvalidInput: naming `path` and the accepted spellings.
    """
    return parse_unit(value, path)


def count_at(value: object, path: str) -> int:
    """A whole number ≥ 0.

    Raises:
        InvalidInput: naming `path`.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput.at(path, f"must be a whole number ≥ 0, got {value!r}", "Ouranos requestStatus")
    return value


def member(obj: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """`obj[name]`, or `default` when absent or null."""
    value = obj.get(name)
    return default if value is None else value


def mapping_at(value: object, path: str) -> Mapping[str, Any]:
    """A JSON object.

    Raises:
        InvalidInput: naming `path` if `value` is not an object.
    """
    if not isinstance(value, Mapping):
        raise InvalidInput.at(path, f"must be an object, got {type(value).__name__}")
    return value


@contextmanager
def located(path: str) -> Iterator[None]:
    """Re-raise an `InvalidInput` from a domain constructor with `path` in front of each violation's own path."""
    try:
        yield
    except InvalidInput as error:
        if all(v.path.startswith(path) for v in error.violations):
            raise
        raise InvalidInput([_under(path, v) for v in error.violations]) from None


def _under(path: str, violation: Violation) -> Violation:
    if violation.path.startswith("$") or violation.path.startswith(path):
        return violation
    return Violation(f"{path}.{violation.path}", violation.message, violation.rule)


__all__ = [
    "DECIMAL_PATTERN",
    "MAX_DIGITS",
    "count_at",
    "decimal_at",
    "element_masses_at",
    "located",
    "mapping_at",
    "member",
    "plain",
    "share_at",
    "text_at",
    "unit_at",
    "uuid_at",
]
