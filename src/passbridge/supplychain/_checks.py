"""Field checks shared by the supply-chain value objects; each failure is an `InvalidInput` naming the field.

Layout: `decimal_field` (a finite `Decimal`, optionally ≥ 0), `share_field` (a `Decimal` in [0, 1]), `text_field`,
`country_field` (ISO 3166-1 alpha-2 shape), `uuid_field`, `unique` (no key twice in a collection).

Why a module of its own: the model modules (`model`, `footprints`, `answers`, `battery`) all validate in
`__post_init__` the same way, and the messages must read the same everywhere.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Hashable, Iterable
from decimal import Decimal

from passbridge.errors import InvalidInput

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def decimal_field(value: object, path: str, *, non_negative: bool = True, rule: str = "passbridge model") -> Decimal:
    """Return `value` if it is a finite `Decimal` (and ≥ 0 unless `non_negative` is false).

    Raises:
        InvalidInput: naming `path` for a float, an int, NaN, an infinity or a negative value.
    """
    if not isinstance(value, Decimal):
        raise InvalidInput.at(path, f"must be a decimal number, got {type(value).__name__} {value!r}", rule)
    if not value.is_finite():
        raise InvalidInput.at(path, f"must be a finite number, got {value}", rule)
    if non_negative and value < 0:
        raise InvalidInput.at(path, f"must not be negative, got {value}", rule)
    return value


def share_field(value: object, path: str) -> Decimal:
    """Return `value` if it is a `Decimal` share in [0, 1].

    Raises:
        InvalidInput: naming `path` if it is not a number or lies outside 0-1.
    """
    share = decimal_field(value, path)
    if share > 1:
        raise InvalidInput.at(path, f"a share must lie in [0, 1], got {share}", "share")
    return share


def text_field(value: object, path: str, *, max_length: int | None = None) -> str:
    """Return `value` if it is a non-blank string (of at most `max_length` characters).

    Raises:
        InvalidInput: naming `path`.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput.at(path, f"must be a non-empty text, got {value!r}")
    if max_length is not None and len(value) > max_length:
        raise InvalidInput.at(path, f"must be at most {max_length} characters, got {len(value)}", "Ouranos limits")
    return value


def country_field(value: object, path: str) -> str:
    """Return `value` if it has the shape of an ISO 3166-1 alpha-2 code (two capital letters).

    Only the shape is checked, as the passport schema does (`^[A-Z]{2}$`): the list of assigned codes changes
    and is not ours to keep.

    Raises:
        InvalidInput: naming `path`.
    """
    if not isinstance(value, str) or not _COUNTRY.match(value):
        raise InvalidInput.at(
            path, f"must be an ISO 3166-1 alpha-2 country code like 'JP', got {value!r}", "ISO 3166-1"
        )
    return value


def uuid_field(value: object, path: str) -> uuid.UUID:
    """Return `value` if it is a `uuid.UUID`.

    Raises:
        InvalidInput: naming `path`.
    """
    if not isinstance(value, uuid.UUID):
        raise InvalidInput.at(path, f"must be a UUID, got {value!r}", "Ouranos traceId (UUID)")
    return value


def unique(keys: Iterable[Hashable], path: str, what: str) -> None:
    """Refuse a collection that names the same key twice.

    Raises:
        InvalidInput: naming `path` and the repeated key.
    """
    seen: set[Hashable] = set()
    for key in keys:
        if key in seen:
            raise InvalidInput.at(path, f"{what} {key} appears more than once")
        seen.add(key)


__all__ = ["country_field", "decimal_field", "share_field", "text_field", "unique", "uuid_field"]
