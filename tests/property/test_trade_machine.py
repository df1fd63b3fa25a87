"""The trade life cycle as a hypothesis state machine: any sequence of actions follows `TRANSITIONS`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from passbridge.errors import IllegalTradeTransition
from passbridge.supplychain.answers import StageEmission, SupplierAnswer
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.model import Operator
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

BUYER = Operator("Nordzelle GmbH", "DE", bpnl="BPNL000000000B01")
SUPPLIER = Operator("Kansai Cathode Materials K.K.", "JP", open_operator_id="7000012050002")
PRODUCT = uuid.UUID(int=7)


def _answer() -> SupplierAnswer:
    cfp = tuple(StageEmission(s, Decimal(1)) for s in Stage)
    return SupplierAnswer(uuid.uuid4(), PRODUCT, Unit.KILOGRAM, cfp, None, None, 0, 0)


ACTIONS: dict[TradeAction, Callable[[Trade], Trade]] = {
    TradeAction.LINK: lambda t: link(t, PRODUCT),
    TradeAction.ANSWER: lambda t: answer(t, _answer()),
    TradeAction.REVISE: lambda t: revise(t, _answer()),
    TradeAction.REJECT: lambda t: reject(t, "no"),
    TradeAction.CANCEL: cancel,
}


class TradeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.trade = Trade(uuid.uuid4(), BUYER, uuid.uuid4(), SUPPLIER)
        self.finished = False

    @rule(action=st.sampled_from(list(TradeAction)))
    def act(self, action: TradeAction) -> None:
        before = self.trade.status
        allowed = TRANSITIONS[before]
        try:
            self.trade = ACTIONS[action](self.trade)
        except IllegalTradeTransition as error:
            assert action not in allowed and error.current == before.value
        else:
            assert action in allowed and self.trade.status is allowed[action]
        if self.finished:
            assert self.trade.status is before  # REJECT and CANCEL are final
        self.finished = self.trade.status in {TradeStatus.REJECT, TradeStatus.CANCEL}

    @invariant()
    def completed_exactly_when_answered(self) -> None:
        assert (self.trade.status is TradeStatus.COMPLETED) == (self.trade.answer is not None)


TestTradeMachine = TradeMachine.TestCase
