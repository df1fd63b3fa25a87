"""Units, quantities, exact arithmetic and the Ouranos number format; no float anywhere.

Layout: `Unit` (the Ouranos declared units plus gram and tonne) and `parse_unit`; `convert` / `convert_per_unit`
(only the exact, documented conversions); `Quantity`; `exact_sum` / `exact_product` (sums and products that never
round); `Ratio` (a quotient kept as numerator and denominator); `ouranos_round` (5 decimals, rounded up at the 6th,
range checked).

Why exact: a roll-up multiplies amounts through any number of tiers. Python's default decimal context keeps 28
significant digits and rounds silently beyond that; `EXACT` has the maximum precision and traps `Inexact`, so a sum
or product is either exact or an error. Quotients (shares, weighted DQR, per-kWh figures) cannot be exact in
decimal, so they stay `Ratio`s until a figure is shown.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_DOWN,
    ROUND_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from functools import reduce
from typing import Final

from passbridge.errors import InexactConversion, InvalidInput, OuranosRangeExceeded, UnitMismatch
from passbridge.supplychain._checks import decimal_field


class Unit(enum.Enum):
    """A declared unit, spelled as Ouranos `amountRequiredUnit` spells it (`gram` and `tonne` are ours)."""

    LITER = "liter"
    KILOGRAM = "kilogram"
    CUBIC_METER = "cubic-meter"
    KILOWATT_HOUR = "kilowatt-hour"
    MEGAJOULE = "megajoule"
    TON_KILOMETER = "ton-kilometer"
    SQUARE_METER = "square-meter"
    UNIT = "unit"
    GRAM = "gram"
    TONNE = "tonne"


OURANOS_UNITS: Final = frozenset(
    {
        Unit.LITER,
        Unit.KILOGRAM,
        Unit.CUBIC_METER,
        Unit.KILOWATT_HOUR,
        Unit.MEGAJOULE,
        Unit.TON_KILOMETER,
        Unit.SQUARE_METER,
        Unit.UNIT,
    }
)
"""The `amountRequiredUnit` / `ghgDeclaredUnit` values of the Ouranos data model (openapi #6, #15)."""

EXACT: Final = Context(
    prec=MAX_PREC,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)
"""Context for sums and products: never rounds (a rounding would raise `Inexact`). Never divide in it: an
inexact quotient at maximum precision exhausts memory."""

QUOTIENT_DIGITS: Final = 34
"""Significant digits of a shown quotient (`Ratio.value`), as in IEEE 754 decimal128."""

_QUOTIENT: Final = Context(prec=QUOTIENT_DIGITS, rounding=ROUND_DOWN, traps=[InvalidOperation, DivisionByZero])
_QUANTIZE: Final = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, Overflow])

OURANOS_MAX: Final = Decimal("99999.99999")
"""Largest absolute value Ouranos accepts for `ghgEmission`, `dqrValue` and `amountRequired` (openapi schemas)."""

_FIVE_DECIMALS: Final = Decimal("0.00001")

# Each unit's dimension and its size in that dimension's base unit. Only exact, documented definitions:
# 1 g = 0.001 kg and 1 t = 1000 kg (SI); 1 kWh = 3.6 MJ (3600 s · 1 kW); 1 L = 0.001 m³ (12th CGPM, 1964).
# Ouranos itself converts nothing (openapi #6); units not listed here convert only to themselves.
_SCALE: Final[Mapping[Unit, tuple[str, Decimal]]] = {
    Unit.GRAM: ("mass", Decimal("0.001")),
    Unit.KILOGRAM: ("mass", Decimal(1)),
    Unit.TONNE: ("mass", Decimal(1000)),
    Unit.MEGAJOULE: ("energy", Decimal(1)),
    Unit.KILOWATT_HOUR: ("energy", Decimal("3.6")),
    Unit.LITER: ("volume", Decimal("0.001")),
    Unit.CUBIC_METER: ("volume", Decimal(1)),
}


def parse_unit(text: object, path: str = "amountRequiredUnit") -> Unit:
    """The `Unit` spelled `text` (``"kilogram"``, ``"kilowatt-hour"``, …); a `Unit` is returned as it is.

    Raises:
        InvalidInput: naming `path` and the accepted spellings if `text` is no unit.
    """
    if isinstance(text, Unit):
        return text
    for unit in Unit:
        if unit.value == text:
            return unit
    accepted = ", ".join(unit.value for unit in Unit)
    raise InvalidInput.at(path, f"unknown unit {text!r}; use one of {accepted}", "Ouranos amountRequiredUnit")


def _scale(unit: Unit) -> tuple[str, Decimal]:
    return _SCALE.get(unit, (unit.value, Decimal(1)))


def convertible(from_unit: Unit, to_unit: Unit) -> bool:
    """True if a value in `from_unit` has a documented exact conversion into `to_unit`."""
    return _scale(from_unit)[0] == _scale(to_unit)[0]


_ADD: Final = EXACT.add
_MULTIPLY: Final = EXACT.multiply
_ZERO: Final = Decimal(0)


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of `values` (0 for none)."""
    return reduce(_ADD, values, _ZERO)


def exact_product(first: Decimal, *rest: Decimal) -> Decimal:
    """The exact product of the factors."""
    return reduce(_MULTIPLY, rest, first)


def exact_quotient(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """`numerator / denominator` if it has a finite decimal expansion, else None.

    A terminating quotient of coefficients A / B has at most digits(A) + log2(B) digits, hence the precision.
    """
    digits = len(numerator.as_tuple().digits) + 4 * len(denominator.as_tuple().digits) + 2
    context = Context(prec=digits, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, DivisionByZero, Inexact])
    try:
        return context.divide(numerator, denominator)
    except Inexact:
        return None


def convert(value: Decimal, from_unit: Unit, to_unit: Unit, *, path: str = "value") -> Decimal:
    """`value` stated in `from_unit`, expressed in `to_unit`, exactly.

    Raises:
        UnitMismatch: naming both units if they measure different things (kilogram vs unit).
        InexactConversion: if the result has no finite decimal (10 megajoule in kilowatt-hour is 2.777…).
    """
    if from_unit is to_unit:
        return value
    (from_dimension, from_scale), (to_dimension, to_scale) = _scale(from_unit), _scale(to_unit)
    if from_dimension != to_dimension:
        raise UnitMismatch(path, from_unit.value, to_unit.value)
    result = exact_quotient(exact_product(value, from_scale), to_scale)
    if result is None:
        raise InexactConversion(path, str(value), from_unit.value, to_unit.value)
    return result


def convert_per_unit(value: Decimal, per: Unit, to_per: Unit, *, path: str = "value") -> Decimal:
    """A figure stated per `per` (kg CO2e per kilogram, kg cobalt per tonne, …), restated per `to_per`.

    Raises:
        UnitMismatch: naming both units if they measure different things.
        InexactConversion: if the restated figure has no finite decimal.
    """
    if per is to_per:
        return value
    (per_dimension, per_scale), (to_dimension, to_scale) = _scale(per), _scale(to_per)
    if per_dimension != to_dimension:
        raise UnitMismatch(path, per.value, to_per.value)
    result = exact_quotient(exact_product(value, to_scale), per_scale)
    if result is None:
        raise InexactConversion(path, f"{value} per", per.value, to_per.value)
    return result


@dataclass(frozen=True, slots=True)
class Quantity:
    """An amount with its unit.

    Attributes:
        value: the amount, a finite `Decimal` (may be negative: differences are quantities too).
        unit: its unit.
    """

    value: Decimal
    unit: Unit

    def __post_init__(self) -> None:
        decimal_field(self.value, "value", non_negative=False)
        object.__setattr__(self, "unit", parse_unit(self.unit, "unit"))

    @classmethod
    def zero(cls, unit: Unit) -> Quantity:
        """Nothing, in `unit`."""
        return cls(Decimal(0), unit)

    def to(self, unit: Unit) -> Quantity:
        """This quantity in `unit`.

        Raises:
            UnitMismatch: naming both units if no exact conversion exists.
        """
        return Quantity(convert(self.value, self.unit, unit), unit)

    def __add__(self, other: Quantity) -> Quantity:
        """The exact sum, in this quantity's unit.

        Raises:
            UnitMismatch: if `other` cannot be converted exactly into this unit.
        """
        return Quantity(EXACT.add(self.value, other.to(self.unit).value), self.unit)


@dataclass(frozen=True, slots=True)
class Ratio:
    """An exact quotient, kept as numerator and denominator; `value` shows it with 34 significant digits.

    Attributes:
        numerator: the part (exact).
        denominator: the whole (exact, never zero; a roll-up with nothing to divide by gives None, not a Ratio).
    """

    numerator: Decimal
    denominator: Decimal

    def __post_init__(self) -> None:
        decimal_field(self.numerator, "numerator", non_negative=False)
        if decimal_field(self.denominator, "denominator", non_negative=False) == 0:
            raise InvalidInput.at("denominator", "a ratio needs a non-zero denominator")

    @property
    def value(self) -> Decimal:
        """The quotient with `QUOTIENT_DIGITS` significant digits, truncated toward zero.

        Truncated, not rounded to nearest, so that shown shares never exceed their exact value and shares of one
        whole never add up to more than 1.
        """
        return _QUOTIENT.divide(self.numerator, self.denominator)

    def ouranos(self, path: str = "value") -> Decimal:
        """The exact quotient in the Ouranos format: 5 decimals, rounded up at the 6th (see `ouranos_round`).

        Unlike ``ouranos_round(ratio.value)`` this never truncates first, so 2.1000…0001 (any number of zeros)
        becomes 2.10001.

        Raises:
            OuranosRangeExceeded: naming `path` if the rounded value is beyond ±99999.99999.
        """
        scaled = self.numerator.copy_abs().scaleb(5, EXACT)
        whole, rest = EXACT.divmod(scaled, self.denominator.copy_abs())
        if rest:
            whole = EXACT.add(whole, Decimal(1))
        result = whole.scaleb(-5, EXACT)
        if (self.numerator < 0) != (self.denominator < 0):
            result = result.copy_negate()
        return _check_ouranos_range(result, path, str(self.value))


def _check_ouranos_range(rounded: Decimal, path: str, shown: str) -> Decimal:
    if rounded.copy_abs() > OURANOS_MAX:
        raise OuranosRangeExceeded(path, shown)
    return rounded


def ouranos_round(x: Decimal, path: str = "value") -> Decimal:
    """`x` in the Ouranos number format: 5 decimals, rounded up at the 6th, within ±99999.99999.

    Raises:
        OuranosRangeExceeded: naming `path` if the rounded value is beyond ±99999.99999.
        InvalidInput: naming `path` if `x` is not a finite `Decimal`.
    """
    decimal_field(x, path, non_negative=False)
    # openapi #15: 「小数点第5位までのため、第6位を切り上げ」 — cut after the 5th decimal and, if anything non-zero was
    # cut, raise the 5th digit. That is ROUND_UP (away from zero), like Excel's ROUNDUP: 1.000001 → 1.00001.
    # ROUND_HALF_UP would be 四捨五入 (1.000004 → 1.0), ROUND_CEILING differs only below zero, where Ouranos'
    # schemas (minimum 0) accept nothing anyway.
    rounded = x.quantize(_FIVE_DECIMALS, rounding=ROUND_UP, context=_QUANTIZE)
    return _check_ouranos_range(rounded, path, str(x))


__all__ = [
    "EXACT",
    "OURANOS_MAX",
    "OURANOS_UNITS",
    "QUOTIENT_DIGITS",
    "Quantity",
    "Ratio",
    "Unit",
    "convert",
    "convert_per_unit",
    "convertible",
    "exact_product",
    "exact_quotient",
    "exact_sum",
    "ouranos_round",
    "parse_unit",
]
