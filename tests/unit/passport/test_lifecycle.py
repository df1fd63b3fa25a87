"""Art. 77 battery status machine: table-driven and as a hypothesis state machine."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from passbridge.errors import IllegalTransition
from passbridge.passport.lifecycle import TRANSITIONS, BatteryStatus, check_transition

S = BatteryStatus


@pytest.mark.parametrize(
    ("current", "requested", "allowed"),
    [
        (S.ORIGINAL, S.ORIGINAL, True),
        (S.ORIGINAL, S.REPURPOSED, True),
        (S.ORIGINAL, S.WASTE, True),
        (S.REUSED, S.ORIGINAL, False),
        (S.REPURPOSED, S.REMANUFACTURED, True),
        (S.WASTE, S.WASTE, False),
        (S.WASTE, S.ORIGINAL, False),
        (S.REMANUFACTURED, S.ORIGINAL, False),
    ],
)
def test_transitions(current: BatteryStatus, requested: BatteryStatus, allowed: bool) -> None:
    if allowed:
        check_transition(current, requested)
    else:
        with pytest.raises(IllegalTransition) as caught:
            check_transition(current, requested)
        assert caught.value.current == current.value and caught.value.requested == requested.value
        assert current.value in str(caught.value) and requested.value in str(caught.value)


def test_nothing_leads_back_to_original_and_waste_is_final() -> None:
    assert all(S.ORIGINAL not in targets for targets in TRANSITIONS.values())
    assert TRANSITIONS[S.WASTE] == frozenset()


class PassportStatus(RuleBasedStateMachine):
    """Random walks never leave the table and never leave waste."""

    def __init__(self) -> None:
        super().__init__()
        self.status = S.ORIGINAL
        self.was_waste = False

    @rule(requested=st.sampled_from(list(S)))
    def move(self, requested: BatteryStatus) -> None:
        legal = self.status is not S.WASTE and (requested is self.status or requested in TRANSITIONS[self.status])
        try:
            check_transition(self.status, requested)
        except IllegalTransition:
            assert not legal
        else:
            assert legal
            self.status = requested
            self.was_waste = self.was_waste or requested is S.WASTE

    @invariant()
    def waste_is_forever(self) -> None:
        assert not self.was_waste or self.status is S.WASTE


TestPassportStatus = PassportStatus.TestCase
