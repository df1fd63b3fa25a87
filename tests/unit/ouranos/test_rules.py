"""The pure rules of the Ouranos platform: credentials, field and number rules, the CFP answer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import pytest
from hypothesis import given, strategies as st

from passbridge.errors import InvalidInput, OuranosRangeExceeded
from passbridge.ouranos import credentials, fields
from passbridge.ouranos.cfp import answer


def test_a_password_hash_verifies_only_its_password() -> None:
    stored = credentials.hash_password("Passw0rd!")
    assert stored.startswith("scrypt$") and "Passw0rd!" not in stored
    assert credentials.password_matches("Passw0rd!", stored)
    assert not credentials.password_matches("Passw0rd?", stored)
    assert not credentials.password_matches("Passw0rd!", "plain")


def test_api_keys_are_random_and_stored_as_sha256() -> None:
    first, second = credentials.new_api_key(), credentials.new_api_key()
    assert first != second and len(credentials.api_key_hash(first)) == 64


@pytest.mark.parametrize(
    ("address", "cidrs", "allowed"),
    [
        ("10.1.2.3", (), True),
        ("10.1.2.3", ("10.0.0.0/8",), True),
        ("192.168.0.1", ("10.0.0.0/8",), False),
        ("testclient", ("10.0.0.0/8",), False),
        ("::1", ("::1/128", "10.0.0.0/8"), True),
    ],
)
def test_an_api_key_with_cidrs_is_used_only_from_inside_them(
    address: str, cidrs: tuple[str, ...], allowed: bool
) -> None:
    assert credentials.address_allowed(address, cidrs) is allowed


@pytest.mark.parametrize(
    ("given_value", "shown"),
    [("1.0000001", "1.00001"), ("10.0", "10"), ("1.5", "1.5"), ("99999.99999", "99999.99999"), ("0.000001", "0.00001")],
)
def test_numbers_keep_5_decimals_rounded_up_at_the_6th(given_value: str, shown: str) -> None:
    assert str(fields.number({"x": Decimal(given_value)}, "x", "$")) == shown


def test_numbers_outside_the_ouranos_range_are_refused() -> None:
    with pytest.raises(OuranosRangeExceeded):
        fields.number({"x": Decimal("99999.999991")}, "x", "$")
    with pytest.raises(InvalidInput):
        fields.number({"x": -1}, "x", "$")
    with pytest.raises(InvalidInput):
        fields.number({"x": True}, "x", "$")


def test_id_lists_hold_at_most_the_documented_number() -> None:
    ids = ",".join(["8fc6aa29-5f4f-476e-85e3-2d1b54715891"] * 51)
    with pytest.raises(InvalidInput, match="at most 50"):
        fields.id_list(ids, "traceIds", fields.MAX_TRACE_IDS)
    assert fields.id_list("", "traceIds", 50) == []


def _records(pre: Decimal, pre_component: Decimal) -> list[dict[str, object]]:
    def one(cfp_type: str, value: Decimal, dqr: int) -> dict[str, object]:
        return {
            "cfpType": cfp_type,
            "ghgEmission": value,
            "ghgDeclaredUnit": "kgCO2e/kilogram",
            "dqrValue": {"TeR": dqr, "GeR": dqr, "TiR": dqr},
        }

    return [
        one("preProduction", pre, 1),
        one("preComponent", pre_component, 3),
        one("mainProduction", Decimal(2), 1),
        one("mainComponent", Decimal(0), 3),
    ]


def _answer(own: Decimal, bought: Decimal) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], answer(cast(Any, _records(own, bought)), "t"))


def test_an_answer_is_the_suppliers_total_per_unit_for_each_stage() -> None:
    pre, main = _answer(Decimal("1.5"), Decimal("0.5"))
    assert (pre["cfpType"], pre["ghgEmission"], pre["traceId"]) == ("preProductionResponse", 2, "t")
    assert pre["dqrValue"] == {"TeR": Decimal("1.5"), "GeR": Decimal("1.5"), "TiR": Decimal("1.5")}
    assert (main["cfpType"], main["ghgEmission"]) == ("mainProductionResponse", 2)


@given(
    st.decimals(min_value=0, max_value=50000, places=5),
    st.decimals(min_value=0, max_value=49999, places=5),
)
def test_an_answer_never_drops_the_component_share(own: Decimal, bought: Decimal) -> None:
    pre, _ = _answer(own, bought)
    assert pre["ghgEmission"] == own + bought
