"""The Ouranos request status life cycle of a trade: table-driven, every status and action."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest

from passbridge.errors import IllegalTradeTransition, IllegalTransition, InvalidInput
from passbridge.supplychain.answers import StageEmission, SupplierAnswer
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.quantities import Unit
from passbridge.supplychain.trades import (
    TRANSITIONS,
    Trade,
    TradeAction,
    TradeStatus,
    answer,
    cancel,
    link,
    reject,
    revise,
)
from tests.unit.supplychain.builders import a_part, an_operator

S, A = TradeStatus, TradeAction
BUYER = an_operator("Nordzelle GmbH", country="DE", open_operator_id=None, bpnl="BPNL000000000B01")
SUPPLIER = an_operator("Kansai Cathode Materials K.K.")
PRODUCT = uuid.uuid4()


def an_answer(product: uuid.UUID = PRODUCT) -> SupplierAnswer:
    cfp = tuple(StageEmission(s, Decimal(1)) for s in Stage)
    return SupplierAnswer(uuid.uuid4(), product, Unit.KILOGRAM, cfp, None, None, 0, 0)


def a_trade_in(status: TradeStatus) -> Trade:
    trade = Trade(uuid.uuid4(), BUYER, a_part(BUYER, "CAM purchased").trace_id, SUPPLIER)
    return {
        S.NOT_COMPLETED: lambda: trade,
        S.COMPLETED: lambda: answer(trade, an_answer()),
        S.REJECT: lambda: reject(trade, "we do not make this"),
        S.CANCEL: lambda: cancel(trade),
    }[status]()


DO: dict[TradeAction, Callable[[Trade], Trade]] = {
    A.LINK: lambda t: link(t, PRODUCT),
    A.ANSWER: lambda t: answer(t, an_answer()),
    A.REVISE: lambda t: revise(t, an_answer()),
    A.REJECT: lambda t: reject(t, "no"),
    A.CANCEL: cancel,
}


def test_the_table_matches_the_ouranos_life_cycle() -> None:
    assert TRANSITIONS == {
        S.NOT_COMPLETED: {A.LINK: S.NOT_COMPLETED, A.ANSWER: S.COMPLETED, A.REJECT: S.REJECT, A.CANCEL: S.CANCEL},
        S.COMPLETED: {A.REVISE: S.COMPLETED},
        S.REJECT: {},
        S.CANCEL: {},
    }


@pytest.mark.parametrize("status", list(TradeStatus))
@pytest.mark.parametrize("action", list(TradeAction))
def test_every_status_and_action_follows_the_table(status: TradeStatus, action: TradeAction) -> None:
    trade = a_trade_in(status)
    target = TRANSITIONS[status].get(action)
    if target is None:
        with pytest.raises(IllegalTradeTransition) as caught:
            DO[action](trade)
        error = caught.value
        assert isinstance(error, IllegalTransition)
        assert (error.trade_id, error.current, error.action) == (str(trade.trade_id), status.value, action.value)
        assert str(trade.trade_id) in str(error) and status.value in str(error)
    else:
        assert DO[action](trade).status is target


def test_answering_twice_is_refused_naming_the_trade_and_its_status() -> None:
    trade = a_trade_in(S.COMPLETED)
    with pytest.raises(IllegalTradeTransition, match=f"trade {trade.trade_id}: cannot answer .* status COMPLETED"):
        answer(trade, an_answer())


def test_answering_a_cancelled_request_is_refused() -> None:
    with pytest.raises(IllegalTradeTransition, match=r"cannot answer a request in status CANCEL; .* none"):
        answer(a_trade_in(S.CANCEL), an_answer())


def test_an_answer_links_the_product_and_must_match_an_existing_link() -> None:
    trade = a_trade_in(S.NOT_COMPLETED)
    answered = answer(trade, an_answer())
    assert answered.upstream_trace_id == PRODUCT and answered.answer is not None
    linked = link(trade, uuid.uuid4())
    with pytest.raises(InvalidInput, match="the answer is for"):
        answer(linked, an_answer())
    with pytest.raises(InvalidInput, match="already linked"):
        link(linked, PRODUCT)


def test_a_revision_replaces_the_answer_and_needs_a_new_id() -> None:
    trade = a_trade_in(S.COMPLETED)
    newer = an_answer()
    assert revise(trade, newer).answer == newer
    assert trade.answer is not None
    with pytest.raises(InvalidInput, match="new answerId"):
        revise(trade, trade.answer)


def test_an_operator_cannot_trade_with_itself_and_answers_mean_completed() -> None:
    part = a_part(BUYER, "x")
    with pytest.raises(InvalidInput, match="itself"):
        Trade(uuid.uuid4(), BUYER, part.trace_id, BUYER)
    with pytest.raises(InvalidInput, match="exactly when COMPLETED"):
        Trade(uuid.uuid4(), BUYER, part.trace_id, SUPPLIER, S.COMPLETED, PRODUCT)
