"""Units convert only exactly and as documented; Ouranos rounding rounds up at the 6th decimal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from passbridge.errors import InexactConversion, InvalidInput, OuranosRangeExceeded, UnitMismatch
from passbridge.supplychain.quantities import (
    OURANOS_UNITS,
    Quantity,
    Ratio,
    Unit,
    convert,
    convert_per_unit,
    exact_product,
    exact_sum,
    ouranos_round,
    parse_unit,
)

D = Decimal


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        ("1500", Unit.GRAM, Unit.KILOGRAM, "1.5"),
        ("1.5", Unit.KILOGRAM, Unit.GRAM, "1500"),
        ("2.5", Unit.TONNE, Unit.KILOGRAM, "2500"),
        ("250", Unit.GRAM, Unit.TONNE, "0.00025"),
        ("10", Unit.KILOWATT_HOUR, Unit.MEGAJOULE, "36"),
        ("36", Unit.MEGAJOULE, Unit.KILOWATT_HOUR, "10"),
        ("250", Unit.LITER, Unit.CUBIC_METER, "0.25"),
        ("7", Unit.UNIT, Unit.UNIT, "7"),
    ],
)
def test_documented_conversions_are_exact(value: str, source: Unit, target: Unit, expected: str) -> None:
    assert convert(D(value), source, target) == D(expected)
    assert Quantity(D(value), source).to(target) == Quantity(D(expected), target)


def test_converting_between_unrelated_units_names_both_units() -> None:
    with pytest.raises(UnitMismatch) as caught:
        convert(D(1), Unit.KILOGRAM, Unit.UNIT, path="amountRequiredUnit")
    assert (caught.value.from_unit, caught.value.to_unit) == ("kilogram", "unit")
    assert "'kilogram'" in str(caught.value) and "'unit'" in str(caught.value)
    assert caught.value.violations[0].path == "amountRequiredUnit"


def test_megajoule_to_kilowatt_hour_refuses_a_result_without_finite_decimals() -> None:
    with pytest.raises(InexactConversion) as caught:
        convert(D(10), Unit.MEGAJOULE, Unit.KILOWATT_HOUR)
    assert "10 megajoule has no exact decimal value in kilowatt-hour" in str(caught.value)
    assert isinstance(caught.value, UnitMismatch)


def test_per_unit_figures_convert_the_other_way_round() -> None:
    assert convert_per_unit(D("2"), Unit.GRAM, Unit.KILOGRAM) == 2000  # 2 per g = 2000 per kg
    assert convert_per_unit(D("2"), Unit.MEGAJOULE, Unit.KILOWATT_HOUR) == D("7.2")  # 2 per MJ = 7.2 per kWh
    with pytest.raises(InexactConversion):
        convert_per_unit(D("1"), Unit.KILOWATT_HOUR, Unit.MEGAJOULE)  # 1 per kWh = 0.2777… per MJ


def test_unknown_unit_is_refused_naming_the_field_and_the_choices() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_unit("pound", "bomLines[3].amountRequiredUnit")
    assert caught.value.violations[0].path == "bomLines[3].amountRequiredUnit"
    assert "kilogram" in caught.value.violations[0].message
    assert {u.value for u in OURANOS_UNITS} == {
        "liter",
        "kilogram",
        "cubic-meter",
        "kilowatt-hour",
        "megajoule",
        "ton-kilometer",
        "square-meter",
        "unit",
    }


def test_sums_and_products_never_round() -> None:
    coefficient = 123456789012345678901234567890123456789
    many_digits = D(f"{coefficient}E-38")
    square = exact_product(many_digits, many_digits)
    assert square == D(f"{coefficient * coefficient}E-76")  # all 76 digits; the default context keeps 28
    assert square != many_digits * many_digits
    assert exact_sum([D("1E+30"), D("1E-30")]) == D("1000000000000000000000000000000.000000000000000000000000000001")


def test_quantity_refuses_float_and_nan() -> None:
    with pytest.raises(InvalidInput, match="decimal number"):
        Quantity(0.1, Unit.KILOGRAM)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="finite"):
        Quantity(D("NaN"), Unit.KILOGRAM)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.000001", "1.00001"),
        ("1.000000000000000000000001", "1.00001"),
        ("1.12345", "1.12345"),
        ("1.123450", "1.12345"),
        ("2", "2.00000"),
        ("0", "0.00000"),
        ("99999.99999", "99999.99999"),
        ("-1.000001", "-1.00001"),
    ],
)
def test_ouranos_rounding_rounds_up_at_the_sixth_decimal(value: str, expected: str) -> None:
    rounded = ouranos_round(D(value))
    assert rounded == D(expected) and str(rounded) == expected


def test_ouranos_range_is_checked_after_rounding() -> None:
    with pytest.raises(OuranosRangeExceeded) as caught:
        ouranos_round(D("99999.999991"), "cfp.mainProduction")
    assert caught.value.violations[0].path == "cfp.mainProduction"
    assert caught.value.value == "99999.999991"


def test_a_ratio_rounds_up_exactly_not_after_truncating() -> None:
    # 2.1 + 10^-40: truncated to 34 digits it would look like 2.1; Ouranos must get 2.10001
    tiny = Ratio(D("2.1" + "0" * 38 + "1"), D(1))
    assert tiny.value == D("2.100000000000000000000000000000000")
    assert tiny.ouranos() == D("2.10001")
    assert Ratio(D(2), D(3)).ouranos() == D("0.66667")
    assert Ratio(D(1), D(4)).ouranos() == D("0.25000")
    assert Ratio(D(-1), D(3)).ouranos() == D("-0.33334")


def test_a_ratio_value_never_exceeds_the_exact_quotient() -> None:
    two_thirds = Ratio(D(2), D(3)).value
    assert two_thirds == D("0." + "6" * 34)  # truncated, not 0.66…67
    with pytest.raises(InvalidInput, match="non-zero denominator"):
        Ratio(D(1), D(0))
