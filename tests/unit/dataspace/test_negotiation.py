"""Contract negotiation: every (state, message, sender) against the DSP 2025-1 figure, both roles, idempotency,
agreements, and random walks (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from passbridge.dataspace.error_replies import ContractNegotiationError, error_reply
from passbridge.dataspace.messages import (
    ContractAgreementMessage,
    ContractAgreementVerificationMessage,
    ContractNegotiationEventMessage,
    ContractNegotiationTerminationMessage,
    ContractOfferMessage,
    ContractRequestMessage,
    NegotiationEvent,
    NegotiationMessage,
    NegotiationState,
    Role,
)
from passbridge.dataspace.negotiation import (
    MOVES,
    TERMINAL_STATES,
    TRANSITIONS,
    ContractNegotiation,
    NegotiationMove,
    agreement_for,
    apply,
    begin,
    check_callback_address,
    check_owner,
    move_of,
    xsd_date_time,
)
from passbridge.dataspace.odrl import PolicyType, policy_equal
from passbridge.errors import IllegalMessage, PolicyMismatch, ProtocolError, UnknownProcess
from tests.unit.dataspace.builders import (
    CALLBACK,
    CONSUMER_DID,
    CONSUMER_PID,
    DATASET,
    NOW,
    PROVIDER_DID,
    PROVIDER_PID,
    a_policy,
    an_offer,
    atom,
)

S, M = NegotiationState, NegotiationMove
C, P = Role.CONSUMER, Role.PROVIDER
OFFER = an_offer()

# The DSP 2025-1 figure (contract.negotiation.state.machine.puml), written out independently of MOVES.
FIGURE: dict[tuple[NegotiationState, NegotiationMove, Role], NegotiationState] = {
    (S.REQUESTED, M.OFFER, P): S.OFFERED,
    (S.REQUESTED, M.AGREE, P): S.AGREED,
    (S.REQUESTED, M.TERMINATE, C): S.TERMINATED,
    (S.REQUESTED, M.TERMINATE, P): S.TERMINATED,
    (S.OFFERED, M.REQUEST, C): S.REQUESTED,
    (S.OFFERED, M.ACCEPT, C): S.ACCEPTED,
    (S.OFFERED, M.TERMINATE, C): S.TERMINATED,
    (S.OFFERED, M.TERMINATE, P): S.TERMINATED,
    (S.ACCEPTED, M.AGREE, P): S.AGREED,
    (S.ACCEPTED, M.TERMINATE, P): S.TERMINATED,
    (S.AGREED, M.VERIFY, C): S.VERIFIED,
    (S.AGREED, M.TERMINATE, C): S.TERMINATED,
    (S.VERIFIED, M.FINALIZE, P): S.FINALIZED,
    (S.VERIFIED, M.TERMINATE, P): S.TERMINATED,
}


def agreement() -> ContractAgreementMessage:
    policy = replace(OFFER, id="urn:uuid:agreement-1", type=PolicyType.AGREEMENT, assignee=CONSUMER_DID)
    return ContractAgreementMessage(PROVIDER_PID, CONSUMER_PID, replace(policy, timestamp=xsd_date_time(NOW)))


def message_for(move: NegotiationMove) -> NegotiationMessage:
    """A follow-up message making `move` in the negotiation (CONSUMER_PID, PROVIDER_PID)."""
    messages: dict[NegotiationMove, NegotiationMessage] = {
        M.REQUEST: ContractRequestMessage(CONSUMER_PID, OFFER, provider_pid=PROVIDER_PID),
        M.OFFER: ContractOfferMessage(PROVIDER_PID, OFFER, consumer_pid=CONSUMER_PID),
        M.ACCEPT: ContractNegotiationEventMessage(PROVIDER_PID, CONSUMER_PID, NegotiationEvent.ACCEPTED),
        M.AGREE: agreement(),
        M.VERIFY: ContractAgreementVerificationMessage(PROVIDER_PID, CONSUMER_PID),
        M.FINALIZE: ContractNegotiationEventMessage(PROVIDER_PID, CONSUMER_PID, NegotiationEvent.FINALIZED),
        M.TERMINATE: ContractNegotiationTerminationMessage(PROVIDER_PID, CONSUMER_PID, "99", ("no",)),
    }
    return messages[move]


def provider_side() -> ContractNegotiation:
    initial = ContractRequestMessage(CONSUMER_PID, OFFER, callback_address=CALLBACK)
    return begin(initial, role=P, counterparty_id=CONSUMER_DID, provider_pid=PROVIDER_PID)


def in_state(state: NegotiationState, role: Role = P) -> ContractNegotiation:
    return replace(provider_side(), state=state, role=role)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("sender", list(Role))
@pytest.mark.parametrize("move", list(NegotiationMove))
@pytest.mark.parametrize("state", list(NegotiationState))
def test_every_message_in_every_state_moves_per_the_figure_or_is_refused(
    state: NegotiationState, move: NegotiationMove, sender: Role, role: Role
) -> None:
    process, message = in_state(state, role), message_for(move)
    expected = FIGURE.get((state, move, sender))
    if expected is not None:
        assert apply(process, message, sender).state is expected
    else:
        with pytest.raises(IllegalMessage) as refused:
            apply(process, message, sender)
        assert refused.value.current == state.value and refused.value.message_type == move.value
        assert refused.value.sender == sender.value


def test_the_move_table_is_the_figure() -> None:
    from_moves = {(s, m, r): to for (m, r), edges in MOVES.items() for s, to in edges.items() if s is not None}
    assert from_moves == FIGURE
    assert {s: frozenset(to for (f, _, _), to in FIGURE.items() if f is s) for s in S} == TRANSITIONS
    assert all(not TRANSITIONS[s] for s in TERMINAL_STATES)


def test_event_messages_are_two_moves() -> None:
    assert move_of(message_for(M.ACCEPT)) is M.ACCEPT and move_of(message_for(M.FINALIZE)) is M.FINALIZE


def test_a_provider_begins_from_the_initial_request() -> None:
    process = provider_side()
    assert (process.state, process.role, process.pid) == (S.REQUESTED, P, PROVIDER_PID)
    assert process.counterparty_address == CALLBACK and process.offered_by is C and process.dataset_id == DATASET
    assert process.ack().state is S.REQUESTED and process.ack().provider_pid == PROVIDER_PID


def test_a_consumer_begins_when_the_ack_brings_the_provider_pid() -> None:
    initial = ContractRequestMessage(CONSUMER_PID, OFFER, callback_address=CALLBACK)
    process = begin(
        initial,
        role=C,
        counterparty_id=PROVIDER_DID,
        provider_pid=PROVIDER_PID,
        counterparty_address="https://provider.example/dsp/2025-1",
    )
    assert (process.state, process.pid, process.counterparty_address) == (
        S.REQUESTED,
        CONSUMER_PID,
        "https://provider.example/dsp/2025-1",
    )


def test_a_provider_initiated_negotiation_begins_offered() -> None:
    initial = ContractOfferMessage(PROVIDER_PID, OFFER, callback_address="https://provider.example/cb")
    process = begin(initial, role=C, counterparty_id=PROVIDER_DID, consumer_pid=CONSUMER_PID)
    assert process.state is S.OFFERED and process.offered_by is P


@pytest.mark.parametrize(
    ("message", "path"),
    [
        (ContractRequestMessage(CONSUMER_PID, OFFER, provider_pid=PROVIDER_PID), "$.providerPid"),
        (ContractRequestMessage(CONSUMER_PID, OFFER), "$.callbackAddress"),
        (ContractOfferMessage(PROVIDER_PID, OFFER, consumer_pid=CONSUMER_PID), "$.consumerPid"),
    ],
)
def test_begin_refuses_what_is_not_an_initial_message(
    message: ContractRequestMessage | ContractOfferMessage, path: str
) -> None:
    with pytest.raises(ProtocolError) as refused:
        begin(message, role=P, counterparty_id=CONSUMER_DID, provider_pid=PROVIDER_PID, consumer_pid=CONSUMER_PID)
    assert refused.value.violations[0].path == path


def test_a_repeated_initial_request_returns_the_same_process() -> None:
    process = apply(provider_side(), message_for(M.OFFER), P)
    again = ContractRequestMessage(CONSUMER_PID, OFFER, callback_address=CALLBACK)
    assert apply(process, again, C) is process


def test_a_repeated_consumer_pid_with_another_offer_is_refused() -> None:
    other = ContractRequestMessage(CONSUMER_PID, replace(OFFER, id="urn:uuid:other"), callback_address=CALLBACK)
    with pytest.raises(ProtocolError) as refused:
        apply(provider_side(), other, C)
    assert refused.value.violations[0].path == "$.consumerPid"


@pytest.mark.parametrize(
    ("message", "path"),
    [
        (ContractAgreementVerificationMessage(PROVIDER_PID, "urn:uuid:someone-else"), "$.consumerPid"),
        (ContractAgreementVerificationMessage("urn:uuid:someone-else", CONSUMER_PID), "$.providerPid"),
    ],
)
def test_pids_of_another_process_are_refused_and_nothing_changes(message: NegotiationMessage, path: str) -> None:
    process = in_state(S.AGREED)
    with pytest.raises(ProtocolError) as refused:
        apply(process, message, C)
    assert refused.value.violations[0].path == path and process.state is S.AGREED


def test_tck_cn_03_04_a_second_counter_offer_is_refused() -> None:
    process = apply(provider_side(), message_for(M.OFFER), P)
    process = apply(process, message_for(M.REQUEST), C)
    with pytest.raises(IllegalMessage):
        apply(process, message_for(M.REQUEST), C)


def test_a_counter_offer_for_another_dataset_is_refused() -> None:
    process = in_state(S.OFFERED)
    other = ContractRequestMessage(CONSUMER_PID, replace(OFFER, target="urn:uuid:other"), provider_pid=PROVIDER_PID)
    with pytest.raises(ProtocolError) as refused:
        apply(process, other, C)
    assert refused.value.violations[0].path == "$.offer.target"


def test_an_offer_replaces_the_latest_offer() -> None:
    counter = replace(OFFER, id="urn:uuid:counter")
    process = apply(in_state(S.OFFERED), ContractRequestMessage(CONSUMER_PID, counter, provider_pid=PROVIDER_PID), C)
    assert process.offer == counter and process.offered_by is C


def test_the_happy_path_on_the_consumer_side() -> None:
    process = replace(provider_side(), role=C)
    for move, sender in [(M.OFFER, P), (M.ACCEPT, C), (M.AGREE, P), (M.VERIFY, C), (M.FINALIZE, P)]:
        process = apply(process, message_for(move), sender)
    assert process.state is S.FINALIZED and process.agreement == agreement().agreement


def test_an_agreement_that_differs_from_the_offer_is_refused_with_both_policies() -> None:
    changed = replace(agreement().agreement, permissions=a_policy(atom("Membership", "eq", "active")).permissions)
    with pytest.raises(PolicyMismatch) as refused:
        apply(in_state(S.REQUESTED, C), ContractAgreementMessage(PROVIDER_PID, CONSUMER_PID, changed), P)
    assert refused.value.violations[0].path == "$.agreement"
    assert refused.value.expected == OFFER and refused.value.received == changed


def test_an_agreement_for_another_dataset_is_refused() -> None:
    moved = replace(agreement().agreement, target="urn:uuid:other")
    with pytest.raises(PolicyMismatch) as refused:
        apply(in_state(S.REQUESTED, C), ContractAgreementMessage(PROVIDER_PID, CONSUMER_PID, moved), P)
    assert refused.value.violations[0].path == "$.agreement.target"


def test_the_provider_copies_the_offer_into_the_agreement() -> None:
    made = agreement_for(
        provider_side(), agreement_id="urn:uuid:a", assigner=PROVIDER_DID, assignee=CONSUMER_DID, now=NOW
    )
    assert made.type is PolicyType.AGREEMENT and made.target == DATASET and made.assignee == CONSUMER_DID
    assert made.timestamp == "2026-11-25T12:00:00Z" and made.assigner == PROVIDER_DID
    assert made.permissions == OFFER.permissions and policy_equal(made, OFFER)
    assert apply(in_state(S.REQUESTED, C), ContractAgreementMessage(PROVIDER_PID, CONSUMER_PID, made), P).agreement


def test_agreement_times_need_a_time_zone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        xsd_date_time(datetime(2026, 1, 1))


def test_only_the_counterparty_may_address_a_negotiation() -> None:
    check_owner(provider_side(), CONSUMER_DID)
    with pytest.raises(UnknownProcess) as refused:
        check_owner(provider_side(), "did:web:stranger.example")
    assert refused.value.pid == PROVIDER_PID


def test_an_illegal_message_is_answered_400_with_a_negotiation_error() -> None:
    with pytest.raises(IllegalMessage) as refused:
        apply(in_state(S.FINALIZED), message_for(M.TERMINATE), C)
    status, body = error_reply(
        refused.value, ContractNegotiationError, provider_pid=PROVIDER_PID, consumer_pid=CONSUMER_PID
    )
    assert status == 400 and isinstance(body, ContractNegotiationError)
    assert body.code == "invalid-state-transition" and "FINALIZED" in str(body.reason[0])


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("https://consumer.example/dsp", True),
        ("http://203.0.113.9/cb", False),  # documentation range: not global
        ("https://8.8.8.8/cb", True),
        ("https://127.0.0.1/cb", False),
        ("https://10.1.2.3/cb", False),
        ("https://169.254.169.254/latest/meta-data", False),
        ("https://[::1]/cb", False),
        ("https://[fe80::1]/cb", False),
        ("https://localhost:8080/cb", False),
        ("ftp://consumer.example/cb", False),
        ("/relative/cb", False),
    ],
)
def test_callback_addresses_must_be_public_http_urls(address: str, allowed: bool) -> None:
    if allowed:
        check_callback_address(address)
    else:
        with pytest.raises(ProtocolError) as refused:
            check_callback_address(address)
        assert refused.value.violations[0].path == "$.callbackAddress"


def test_loopback_callbacks_are_allowed_when_configured() -> None:
    check_callback_address("http://127.0.0.1:8001/dsp", allow_private=True)


class NegotiationWalk(RuleBasedStateMachine):
    """Random message sequences never leave the figure, and terminal states stay terminal."""

    def __init__(self) -> None:
        super().__init__()
        self.process = provider_side()
        self.terminal_seen: NegotiationState | None = None

    @rule(move=st.sampled_from(list(NegotiationMove)), sender=st.sampled_from(list(Role)))
    def send(self, move: NegotiationMove, sender: Role) -> None:
        before = self.process.state
        try:
            self.process = apply(self.process, message_for(move), sender)
        except IllegalMessage:
            assert (before, move, sender) not in FIGURE
        else:
            assert FIGURE[(before, move, sender)] is self.process.state
            assert self.process.state in TRANSITIONS[before]

    @invariant()
    def terminal_is_forever(self) -> None:
        if self.terminal_seen is not None:
            assert self.process.state is self.terminal_seen
        elif self.process.state in TERMINAL_STATES:
            self.terminal_seen = self.process.state


TestNegotiationWalk = NegotiationWalk.TestCase
