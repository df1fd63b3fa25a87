"""Confidentiality by construction: answers carry per-unit figures and counts only; requests carry no amount."""

from __future__ import annotations

import dataclasses
import typing
import uuid
from decimal import Decimal

import pytest

from passbridge.errors import DisclosureRefused, InvalidInput
from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.canonical import canonical_bytes
from passbridge.supplychain.disclosure import (
    AclItem,
    DisclosureAcl,
    SupplierRequest,
    answer_for_customer,
    request_to_supplier,
)
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.quantities import Unit
from passbridge.supplychain.rollups import PartRollup, roll_up
from passbridge.supplychain.trades import answer, reject
from tests.unit.supplychain.builders import (
    MAIN,
    RAW,
    D,
    a_line,
    a_part,
    a_trade,
    an_operator,
    content,
    dqr,
    element,
    own,
)

# Distinctive strings a leak would show: supplier names and ids, our quantities, part names, prices in free text.
SECRET_SUPPLIER = an_operator(
    "Zyxwv Secret Mining Pty", country="AU", open_operator_id=None, did="did:web:zyxwv.example"
)
SECRET_TIER2 = an_operator("Qwertz Hidden Refining K.K.", open_operator_id="4011001005165")
US = an_operator("Nordzelle GmbH", country="DE", open_operator_id=None, bpnl="BPNL000000000B01")
CUSTOMER = "did:web:pack.example"
SECRETS = (
    "Zyxwv",
    "zyxwv.example",
    "Qwertz",
    "4011001005165",
    "987654321",  # our amountRequired: 0.987654321 kg of the bought material per cell
    "0.43219",  # our amount of the in-house part
    "SECRET-ORE-LOT",
    "HIDDEN-PRECURSOR",
    "4242.42",  # a price, seeded where free text can go
)


def our_rollup() -> PartRollup:
    cell = a_part(US, "CELL-50Ah", Unit.UNIT)
    bought = a_part(US, "HIDDEN-PRECURSOR price 4242.42 EUR/t")
    in_house = a_part(US, "SECRET-ORE-LOT from Zyxwv", terminated=True)
    earlier = reject(a_trade(bought, SECRET_TIER2), "Qwertz cannot deliver at 4242.42 EUR/t")
    supplier_answer = answer_for_customer(supplier_rollup(), DisclosureAcl(US.key, SUPPLIER_PRODUCT).grant(*AclItem))
    graph = SupplyGraph.build(
        [cell, bought, in_house],
        [a_line(cell, bought, "0.987654321"), a_line(cell, in_house, "0.43219")],
        [earlier, answer(a_trade(bought, SECRET_SUPPLIER), supplier_answer)],
        [own(in_house, raw=("3", dqr("2", "2", "2"))), own(cell, main=("6", dqr("1", "1", "2")))],
        [content(in_house, element("Co", "0.3", post="0.1", origin={"CD": "0.3"}))],
    )
    return roll_up(graph, cell.trace_id)


SUPPLIER_PRODUCT = uuid.uuid4()


def supplier_rollup() -> PartRollup:
    ore = a_part(SECRET_SUPPLIER, "SECRET-ORE-LOT 7", terminated=True)
    product = dataclasses.replace(a_part(SECRET_SUPPLIER, "HIDDEN-PRECURSOR"), trace_id=SUPPLIER_PRODUCT)
    graph = SupplyGraph.build(
        [product, ore],
        [a_line(product, ore, "3")],
        footprints=[own(ore, raw=("1.1", dqr("3", "3", "3")))],
        materials=[content(ore, element("Ni", "0.2", origin={"AU": "0.2"}))],
    )
    return roll_up(graph, SUPPLIER_PRODUCT)


def _field_types(cls: type) -> dict[str, type]:
    """Every field of `cls` and of the dataclasses it holds, by qualified name."""
    found: dict[str, type] = {}
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        found[f"{cls.__name__}.{field.name}"] = hints[field.name]
        for arg in _flatten(hints[field.name]):
            if dataclasses.is_dataclass(arg) and isinstance(arg, type):
                found |= _field_types(arg)
    return found


def _flatten(hint: object) -> list[object]:
    args = typing.get_args(hint)
    return [hint] if not args else [leaf for arg in args for leaf in _flatten(arg)]


def test_an_answer_has_no_field_for_identities_quantities_part_names_or_prices() -> None:
    fields = _field_types(SupplierAnswer)
    names = {name.rsplit(".", 1)[1] for name in fields}
    assert names == {
        "answer_id",
        "trace_id",
        "declared_unit",
        "cfp",
        "dqr",
        "materials",
        "trades_count",
        "completed_count",
        "stage",
        "emissions",
        "ter",
        "ger",
        "tir",
        "element",
        "mass",
        "recycled_pre_consumer",
        "recycled_post_consumer",
        "origin",
        "country",
        "share",
    }
    forbidden = ("name", "operator", "supplier", "amount", "quantity", "price", "bpn", "did", "site", "plant", "trade")
    assert not [n for n in names - {"trades_count"} for word in forbidden if word in n]
    # the only text fields are validated codes (an element from the periodic table, an ISO country code), so no
    # free text can smuggle a name or a price into an answer
    text_fields = {name for name, hint in fields.items() if str in _flatten(hint)}
    assert text_fields == {"AnsweredElement.element", "OriginShare.country"}


def test_a_full_answer_reveals_none_of_the_seeded_secrets() -> None:
    rollup = our_rollup()
    full = answer_for_customer(rollup, DisclosureAcl(CUSTOMER, rollup.trace_id).grant(*AclItem))
    assert full.cfp is not None and full.dqr is not None and full.materials is not None
    for serialised in (canonical_bytes(full).decode(), repr(full), str(dataclasses.asdict(full))):
        leaks = [secret for secret in SECRETS if secret in serialised]
        assert not leaks, leaks
    assert (full.trades_count, full.completed_count) == (1, 1)  # the rejected trade is not counted


def test_disclosure_is_closed_by_default() -> None:
    rollup = our_rollup()
    closed = answer_for_customer(rollup, DisclosureAcl(CUSTOMER, rollup.trace_id))
    assert (closed.cfp, closed.dqr, closed.materials) == (None, None, None)
    assert (closed.trades_count, closed.completed_count) == (1, 1)


def test_each_acl_item_releases_its_own_figures_only() -> None:
    rollup = our_rollup()
    acl = DisclosureAcl(CUSTOMER, rollup.trace_id)
    cfp_only = answer_for_customer(rollup, acl.grant(AclItem.TOTALCFP))
    assert cfp_only.cfp is not None and cfp_only.dqr is None and cfp_only.materials is None
    dqr_only = answer_for_customer(rollup, acl.grant(AclItem.TOTALDQR))
    assert dqr_only.cfp is None and {s.stage for s in dqr_only.dqr or ()} == {RAW, MAIN}
    no_origin = answer_for_customer(rollup, acl.grant(AclItem.MATERIALS))
    assert no_origin.materials and all(e.origin is None for e in no_origin.materials)
    with_origin = answer_for_customer(rollup, acl.grant(AclItem.MATERIALS, AclItem.ORIGIN))
    cobalt = next(e for e in with_origin.materials or () if e.element == "cobalt")
    assert [(o.country, o.share) for o in cobalt.origin or ()] == [("CD", D(1))]


def test_the_ouranos_format_rounds_cfp_and_dqr_up_at_the_sixth_decimal() -> None:
    rollup = our_rollup()
    acl = DisclosureAcl(CUSTOMER, rollup.trace_id).grant(AclItem.TOTALCFP, AclItem.TOTALDQR)
    exact, rounded = answer_for_customer(rollup, acl), answer_for_customer(rollup, acl, ouranos=True)
    # raw: 0.987654321 kg · 3.3 (the supplier's 3 · 1.1) + 0.43219 · 3 = 3.2592592593 + 1.29657 = 4.5558292593
    assert exact.emissions(RAW) == D("4.5558292593")
    assert rounded.emissions(RAW) == D("4.55583")
    for stage in rounded.dqr or ():
        for value in (stage.dqr.ter, stage.dqr.ger, stage.dqr.tir):
            assert -value.as_tuple().exponent <= 5  # type: ignore[operator]


def test_an_acl_for_another_part_is_refused() -> None:
    rollup = our_rollup()
    with pytest.raises(DisclosureRefused) as caught:
        answer_for_customer(rollup, DisclosureAcl(CUSTOMER, uuid.uuid4()).grant(*AclItem))
    assert caught.value.partner == CUSTOMER


def test_a_request_to_a_supplier_never_carries_our_amount() -> None:
    cell, bought = a_part(US, "CELL-50Ah", Unit.UNIT), a_part(US, "CAM purchased")
    trade = a_trade(bought, SECRET_SUPPLIER)
    request = request_to_supplier(trade, bought, message="please answer by June")
    assert request.amount_required is None and request.request_type == "CFP"
    assert typing.get_type_hints(SupplierRequest)["amount_required"] is type(None)
    assert (request.parts_name, request.amount_required_unit) == ("CAM purchased", Unit.KILOGRAM)
    with pytest.raises(InvalidInput, match="is about"):
        request_to_supplier(trade, cell)


def test_decimal_values_in_answers_are_exact_decimals() -> None:
    rollup = our_rollup()
    full = answer_for_customer(rollup, DisclosureAcl(CUSTOMER, rollup.trace_id).grant(*AclItem))
    assert all(isinstance(s.emissions, Decimal) for s in full.cfp or ())
