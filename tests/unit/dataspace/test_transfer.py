"""Transfer process: every (state, message, sender) against the DSP 2025-1 figure, idempotency on consumerPid, the
endpoint data reference, and random walks (hypothesis)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from passbridge.dataspace.error_replies import TransferError, error_reply
from passbridge.dataspace.messages import (
    HTTP_ENDPOINT_TYPE,
    Role,
    TransferCompletionMessage,
    TransferMessage,
    TransferRequestMessage,
    TransferStartMessage,
    TransferState,
    TransferSuspensionMessage,
    TransferTerminationMessage,
    endpoint_data_reference,
)
from passbridge.dataspace.transfer import (
    MOVES,
    TERMINAL_STATES,
    TRANSITIONS,
    TransferMove,
    TransferProcess,
    apply,
    begin,
    check_owner,
)
from passbridge.errors import IllegalMessage, ProtocolError, UnknownProcess
from tests.unit.dataspace.builders import CALLBACK, CONSUMER_DID, CONSUMER_PID, PROVIDER_DID, PROVIDER_PID

T, M = TransferState, TransferMove
C, P = Role.CONSUMER, Role.PROVIDER
AGREEMENT_ID = "urn:uuid:agreement-1"
EDR = endpoint_data_reference("https://provider.example/data/x", "token-1", expires_in=300)
REQUEST = TransferRequestMessage(CONSUMER_PID, AGREEMENT_ID, "HttpData-PULL", CALLBACK)

# transfer-process-state-machine.puml, written out independently of MOVES.
FIGURE: dict[tuple[TransferState, TransferMove, Role], TransferState] = {
    (T.REQUESTED, M.START, P): T.STARTED,
    (T.REQUESTED, M.TERMINATE, C): T.TERMINATED,
    (T.REQUESTED, M.TERMINATE, P): T.TERMINATED,
    **{(T.STARTED, M.COMPLETE, r): T.COMPLETED for r in Role},
    **{(T.STARTED, M.SUSPEND, r): T.SUSPENDED for r in Role},
    **{(T.STARTED, M.TERMINATE, r): T.TERMINATED for r in Role},
    **{(T.SUSPENDED, M.START, r): T.STARTED for r in Role},
    **{(T.SUSPENDED, M.TERMINATE, r): T.TERMINATED for r in Role},
}


def message_for(move: TransferMove) -> TransferMessage:
    messages: dict[TransferMove, TransferMessage] = {
        M.REQUEST: REQUEST,
        M.START: TransferStartMessage(PROVIDER_PID, CONSUMER_PID, EDR),
        M.SUSPEND: TransferSuspensionMessage(PROVIDER_PID, CONSUMER_PID, "1", ("paused",)),
        M.COMPLETE: TransferCompletionMessage(PROVIDER_PID, CONSUMER_PID),
        M.TERMINATE: TransferTerminationMessage(PROVIDER_PID, CONSUMER_PID),
    }
    return messages[move]


def provider_side() -> TransferProcess:
    return begin(REQUEST, role=P, counterparty_id=CONSUMER_DID, provider_pid=PROVIDER_PID)


@pytest.mark.parametrize("sender", list(Role))
@pytest.mark.parametrize("move", [m for m in TransferMove if m is not M.REQUEST])
@pytest.mark.parametrize("state", list(TransferState))
def test_every_message_in_every_state_moves_per_the_figure_or_is_refused(
    state: TransferState, move: TransferMove, sender: Role
) -> None:
    process, expected = replace(provider_side(), state=state), FIGURE.get((state, move, sender))
    if expected is not None:
        assert apply(process, message_for(move), sender).state is expected
    else:
        with pytest.raises(IllegalMessage) as refused:
            apply(process, message_for(move), sender)
        assert (refused.value.current, refused.value.message_type) == (state.value, move.value)


def test_the_move_table_is_the_figure() -> None:
    from_moves = {(s, m, r): to for (m, r), edges in MOVES.items() for s, to in edges.items() if s is not None}
    assert from_moves == FIGURE
    assert {s: frozenset(to for (f, _, _), to in FIGURE.items() if f is s) for s in T} == TRANSITIONS
    assert all(not TRANSITIONS[s] for s in TERMINAL_STATES)


def test_a_provider_begins_from_the_request() -> None:
    process = provider_side()
    assert (process.state, process.pid, process.counterparty_address) == (T.REQUESTED, PROVIDER_PID, CALLBACK)
    assert process.ack().state is T.REQUESTED and process.agreement_id == AGREEMENT_ID


def test_a_consumer_begins_with_the_provider_address() -> None:
    process = begin(
        REQUEST, role=C, counterparty_id=PROVIDER_DID, provider_pid=PROVIDER_PID, counterparty_address="https://p/dsp"
    )
    assert process.pid == CONSUMER_PID and process.counterparty_address == "https://p/dsp"


def test_a_request_without_callback_is_refused() -> None:
    with pytest.raises(ProtocolError) as refused:
        begin(replace(REQUEST, callback_address=""), role=P, counterparty_id=CONSUMER_DID, provider_pid=PROVIDER_PID)
    assert refused.value.violations[0].path == "$.callbackAddress"


def test_the_start_message_brings_the_endpoint_data_reference() -> None:
    started = apply(provider_side(), message_for(M.START), P)
    assert started.data_address == EDR and started.data_address.authorization == "token-1"
    assert started.data_address.endpoint_type == HTTP_ENDPOINT_TYPE
    assert started.data_address.value_of("expiresIn") == "300"
    resumed = apply(replace(started, state=T.SUSPENDED), TransferStartMessage(PROVIDER_PID, CONSUMER_PID), C)
    assert resumed.state is T.STARTED and resumed.data_address == EDR


def test_a_repeated_request_returns_the_same_process_in_any_state() -> None:
    started = apply(provider_side(), message_for(M.START), P)
    assert apply(started, REQUEST, C) is started


def test_a_repeated_consumer_pid_under_another_agreement_is_refused() -> None:
    with pytest.raises(ProtocolError) as refused:
        apply(provider_side(), replace(REQUEST, agreement_id="urn:uuid:other"), C)
    assert refused.value.violations[0].path == "$.consumerPid"


def test_a_request_sent_by_a_provider_is_illegal() -> None:
    with pytest.raises(IllegalMessage):
        apply(provider_side(), REQUEST, P)


def test_pids_of_another_process_are_refused() -> None:
    with pytest.raises(ProtocolError) as refused:
        apply(provider_side(), TransferStartMessage(PROVIDER_PID, "urn:uuid:x"), P)
    assert refused.value.violations[0].path == "$.consumerPid"


@pytest.mark.parametrize(
    "steps",
    [
        [(M.COMPLETE, C)],  # TP:03-01
        [(M.SUSPEND, C)],  # TP:03-02
        [(M.START, P), (M.SUSPEND, C), (M.COMPLETE, C)],  # TP:03-03
        [(M.START, P), (M.TERMINATE, C), (M.START, C)],  # TP:03-04
        [(M.START, P), (M.TERMINATE, C), (M.SUSPEND, C)],  # TP:03-05
        [(M.START, P), (M.TERMINATE, C), (M.COMPLETE, C)],  # TP:03-06
        [(M.START, P), (M.TERMINATE, P), (M.START, P)],  # TP_C:03-04
    ],
)
def test_tck_negative_sequences_end_in_a_refusal(steps: list[tuple[TransferMove, Role]]) -> None:
    process = provider_side()
    *legal, (last, sender) = steps
    for move, by in legal:
        process = apply(process, message_for(move), by)
    with pytest.raises(IllegalMessage):
        apply(process, message_for(last), sender)


def test_only_the_counterparty_may_address_a_transfer_and_errors_are_404() -> None:
    check_owner(provider_side(), CONSUMER_DID)
    with pytest.raises(UnknownProcess) as refused:
        check_owner(provider_side(), PROVIDER_DID)
    status, body = error_reply(refused.value, TransferError, provider_pid=PROVIDER_PID)
    assert status == 404 and isinstance(body, TransferError) and body.consumer_pid == ""


class TransferWalk(RuleBasedStateMachine):
    """Random message sequences never leave the figure, and terminal states stay terminal."""

    def __init__(self) -> None:
        super().__init__()
        self.process = provider_side()
        self.terminal_seen: TransferState | None = None

    @rule(move=st.sampled_from(list(TransferMove)), sender=st.sampled_from(list(Role)))
    def send(self, move: TransferMove, sender: Role) -> None:
        before = self.process.state
        try:
            self.process = apply(self.process, message_for(move), sender)
        except IllegalMessage:
            assert (before, move, sender) not in FIGURE
        else:
            if move is not M.REQUEST:  # a repeated request is idempotent
                assert FIGURE[(before, move, sender)] is self.process.state
            assert self.process.state is before or self.process.state in TRANSITIONS[before]

    @invariant()
    def terminal_is_forever(self) -> None:
        if self.terminal_seen is not None:
            assert self.process.state is self.terminal_seen
        elif self.process.state in TERMINAL_STATES:
            self.terminal_seen = self.process.state


TestTransferWalk = TransferWalk.TestCase
