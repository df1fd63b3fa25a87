"""Contract negotiation (DSP 2025-1): the state machine as an enum plus transition tables, for both roles.

Layout: `NegotiationState` (re-exported from `passbridge.dataspace.messages`); `TRANSITIONS` (the spec figure, state →
states); `NegotiationMove` and `MOVES` ((move, sender) → {from state → to state}, the same figure with who sends
what); `ContractNegotiation` (one side's record of a negotiation); `begin`, `apply` (pure: process + message +
sender → process, or a typed refusal); `agreement_for`; `check_owner`; `check_callback_address`.

The machine is the same on both sides: a state changes when a message is *acknowledged*, so a receiver applies the
message before answering 200/201, and a sender applies its own message when the ACK comes back (DSP 2025-1
contract negotiation protocol, "A CN transitions to a state in response to an acknowledged message").

Refusals (mapped to HTTP by `passbridge.dataspace.error_replies.error_reply`):

- `IllegalMessage` (400): the message is not allowed in this state or from this sender (a consumer ``FINALIZED``,
  anything after ``FINALIZED`` / ``TERMINATED``, a second counter-offer in ``REQUESTED``; TCK CN:03-*, CN_C:03-*).
- `ProtocolError` (400): pids that do not match the process, an initial message carrying the other side's pid or no
  callback address, a counter-offer for another dataset.
- `PolicyMismatch` (400): an agreement whose policy is not the last offer's (EDC ``PolicyEquality``).
- `UnknownProcess` (404): `check_owner`, a pid of another counterparty's negotiation.

Idempotency: an initial ContractRequestMessage repeated with the same ``consumerPid`` and offer id returns the
process unchanged (the endpoint answers with the same ``ContractNegotiation``); with another offer id it is refused.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from passbridge.dataspace.messages import (
    ContractAgreementMessage,
    ContractAgreementVerificationMessage,
    ContractNegotiationAck,
    ContractNegotiationEventMessage,
    ContractNegotiationTerminationMessage,
    ContractOfferMessage,
    ContractRequestMessage,
    NegotiationEvent,
    NegotiationMessage,
    NegotiationState,
    Role,
)
from passbridge.dataspace.odrl import Policy, PolicyType, policy_equal
from passbridge.errors import IllegalMessage, PolicyMismatch, ProtocolError, UnknownProcess

_N = NegotiationState
_C, _P = Role.CONSUMER, Role.PROVIDER
_MACHINE = "contract negotiation (DSP 2025-1)"
_RULE = "DSP 2025-1 contract negotiation protocol"


class NegotiationMove(enum.StrEnum):
    """What a negotiation message does (the event message counts as two moves, by its ``eventType``)."""

    REQUEST = "ContractRequestMessage"
    OFFER = "ContractOfferMessage"
    ACCEPT = "ContractNegotiationEventMessage:ACCEPTED"
    AGREE = "ContractAgreementMessage"
    VERIFY = "ContractAgreementVerificationMessage"
    FINALIZE = "ContractNegotiationEventMessage:FINALIZED"
    TERMINATE = "ContractNegotiationTerminationMessage"


_M = NegotiationMove

TRANSITIONS: Mapping[NegotiationState, frozenset[NegotiationState]] = {
    _N.REQUESTED: frozenset({_N.OFFERED, _N.AGREED, _N.TERMINATED}),
    _N.OFFERED: frozenset({_N.REQUESTED, _N.ACCEPTED, _N.TERMINATED}),
    _N.ACCEPTED: frozenset({_N.AGREED, _N.TERMINATED}),
    _N.AGREED: frozenset({_N.VERIFIED, _N.TERMINATED}),
    _N.VERIFIED: frozenset({_N.FINALIZED, _N.TERMINATED}),
    _N.FINALIZED: frozenset(),
    _N.TERMINATED: frozenset(),
}
"""The spec's state machine (``contract.negotiation.state.machine.puml``): state → the states it may move to."""

INITIAL_STATES: frozenset[NegotiationState] = frozenset({_N.REQUESTED, _N.OFFERED})
"""A negotiation starts with a consumer's request (REQUESTED) or a provider's offer (OFFERED)."""

TERMINAL_STATES: frozenset[NegotiationState] = frozenset({_N.FINALIZED, _N.TERMINATED})

MOVES: Mapping[tuple[NegotiationMove, Role], Mapping[NegotiationState | None, NegotiationState]] = {
    (_M.REQUEST, _C): {None: _N.REQUESTED, _N.OFFERED: _N.REQUESTED},
    (_M.OFFER, _P): {None: _N.OFFERED, _N.REQUESTED: _N.OFFERED},
    (_M.ACCEPT, _C): {_N.OFFERED: _N.ACCEPTED},
    (_M.AGREE, _P): {_N.REQUESTED: _N.AGREED, _N.ACCEPTED: _N.AGREED},
    (_M.VERIFY, _C): {_N.AGREED: _N.VERIFIED},
    (_M.FINALIZE, _P): {_N.VERIFIED: _N.FINALIZED},
    (_M.TERMINATE, _C): {s: _N.TERMINATED for s in (_N.REQUESTED, _N.OFFERED, _N.AGREED)},
    (_M.TERMINATE, _P): {s: _N.TERMINATED for s in (_N.REQUESTED, _N.OFFERED, _N.ACCEPTED, _N.VERIFIED)},
}
"""Who may send which message in which state, and where it leads (the C/P labels of the spec figure); the ``None``
row is the message that creates the negotiation. A pair missing here is refused in every state."""


def move_of(message: NegotiationMessage) -> NegotiationMove:
    """The move a message makes."""
    if isinstance(message, ContractNegotiationEventMessage):
        return _M.ACCEPT if message.event_type is NegotiationEvent.ACCEPTED else _M.FINALIZE
    return {
        ContractRequestMessage: _M.REQUEST,
        ContractOfferMessage: _M.OFFER,
        ContractAgreementMessage: _M.AGREE,
        ContractAgreementVerificationMessage: _M.VERIFY,
        ContractNegotiationTerminationMessage: _M.TERMINATE,
    }[type(message)]


def allowed_moves(state: NegotiationState) -> tuple[tuple[NegotiationMove, Role], ...]:
    """The (move, sender) pairs allowed in `state`, in table order."""
    return tuple(key for key, edges in MOVES.items() if state in edges)


@dataclass(frozen=True, slots=True)
class ContractNegotiation:
    """One side's record of a contract negotiation.

    Attributes:
        role: our side.
        consumer_pid, provider_pid: the two process ids.
        state: where the negotiation is.
        counterparty_id: the other side's DID (only it may address this process).
        counterparty_address: where messages to the other side go (the consumer's ``callbackAddress``, or the
            provider's DSP base).
        offer: the latest offer (a consumer's request or a provider's offer), ``target`` = the dataset id.
        offered_by: who made the latest offer.
        agreement: the agreement, once AGREED.
    """

    role: Role
    consumer_pid: str
    provider_pid: str
    state: NegotiationState
    counterparty_id: str
    counterparty_address: str
    offer: Policy
    offered_by: Role
    agreement: Policy | None = None

    @property
    def pid(self) -> str:
        """Our own process id (the one in our endpoint paths)."""
        return self.provider_pid if self.role is _P else self.consumer_pid

    @property
    def dataset_id(self) -> str | None:
        """The dataset negotiated for (the offer's ``target``)."""
        return self.offer.target

    def ack(self) -> ContractNegotiationAck:
        """The ``ContractNegotiation`` object answering a message."""
        return ContractNegotiationAck(self.provider_pid, self.consumer_pid, self.state)


def _illegal(state: NegotiationState, move: NegotiationMove, sender: Role) -> IllegalMessage:
    allowed = [f"{m.value} from the {r.value}" for m, r in allowed_moves(state)]
    return IllegalMessage(_MACHINE, state.value, move.value, sender.value, allowed)


def begin(
    message: ContractRequestMessage | ContractOfferMessage,
    *,
    role: Role,
    counterparty_id: str,
    provider_pid: str | None = None,
    consumer_pid: str | None = None,
    counterparty_address: str | None = None,
) -> ContractNegotiation:
    """A new negotiation from its initial message: a consumer's request (state REQUESTED) or a provider's offer
    (OFFERED). The receiver calls it with its own new pid; the sender calls it when the ACK brings the other pid
    (and the counterparty's address, which the message does not carry).

    Raises:
        ProtocolError: the message is not an initial one (it names the receiver's pid) or gives no callback address.
        ValueError: a pid is missing from both the message and the arguments (a programming error).
    """
    sender = _C if isinstance(message, ContractRequestMessage) else _P
    other_pid = message.provider_pid if isinstance(message, ContractRequestMessage) else message.consumer_pid
    if other_pid is not None:
        field = "providerPid" if sender is _C else "consumerPid"
        raise ProtocolError.at(f"$.{field}", f"an initial {type(message).__name__} carries no {field}", _RULE)
    address = counterparty_address or message.callback_address
    if not address:
        raise ProtocolError.at("$.callbackAddress", "an initial message needs a callbackAddress", _RULE)
    consumer = consumer_pid or message.consumer_pid
    provider = provider_pid or message.provider_pid
    if consumer is None or provider is None:
        raise ValueError("begin() needs both pids: from the message or as arguments")
    state = MOVES[(move_of(message), sender)][None]
    return ContractNegotiation(role, consumer, provider, state, counterparty_id, address, message.offer, sender)


def _check_pids(process: ContractNegotiation, message: NegotiationMessage) -> None:
    for field, ours, theirs in (
        ("providerPid", process.provider_pid, message.provider_pid),
        ("consumerPid", process.consumer_pid, message.consumer_pid),
    ):
        if theirs is not None and theirs != ours:
            raise ProtocolError.at(f"$.{field}", f"{theirs!r} is not this negotiation's {field} {ours!r}", _RULE)


def _is_replay(process: ContractNegotiation, message: NegotiationMessage) -> bool:
    """An initial message sent again for the same process (same pid, same offer id): answered unchanged."""
    if isinstance(message, ContractRequestMessage) and message.provider_pid is None:
        field = "consumerPid"
    elif isinstance(message, ContractOfferMessage) and message.consumer_pid is None:
        field = "providerPid"
    else:
        return False
    if message.offer.id != process.offer.id:  # the pids matched (`_check_pids`): same process, other offer
        raise ProtocolError.at(f"$.{field}", "already names a negotiation for another offer", _RULE)
    return True


def apply(process: ContractNegotiation, message: NegotiationMessage, sender: Role) -> ContractNegotiation:
    """The negotiation after `message`, sent by `sender`, has been acknowledged.

    Raises:
        IllegalMessage: the move is not allowed in the current state or from `sender`.
        ProtocolError: pids that are not this process's; a counter-offer for another dataset.
        PolicyMismatch: an agreement that differs from the last offer (or names another dataset).
    """
    _check_pids(process, message)
    if _is_replay(process, message):
        return process
    move = move_of(message)
    edges = MOVES.get((move, sender), {})
    if process.state not in edges:
        raise _illegal(process.state, move, sender)
    after = replace(process, state=edges[process.state])
    if isinstance(message, ContractRequestMessage | ContractOfferMessage):
        if message.offer.target is not None and message.offer.target != process.offer.target:
            raise ProtocolError.at("$.offer.target", f"not the dataset {process.offer.target!r} negotiated", _RULE)
        return replace(after, offer=message.offer, offered_by=sender)
    if isinstance(message, ContractAgreementMessage):
        _check_agreement(process.offer, message.agreement)
        return replace(after, agreement=message.agreement)
    return after


def _check_agreement(offer: Policy, agreement: Policy) -> None:
    rule = "EDC PolicyEquality: the agreement's policy is the last offer's"
    if agreement.target != offer.target:
        message = f"agreement target {agreement.target!r} is not the offered dataset {offer.target!r}"
        raise PolicyMismatch("$.agreement.target", message, offer, agreement, rule)
    if not policy_equal(agreement, offer):
        message = "the agreement's policy is not the one last offered"
        raise PolicyMismatch("$.agreement", message, offer, agreement, rule)


def xsd_date_time(moment: datetime) -> str:
    """An ``xsd:dateTime`` in UTC with whole seconds (``2025-01-01T01:00:00Z``).

    Raises:
        ValueError: a naive `moment`.
    """
    if moment.tzinfo is None:
        raise ValueError("agreement times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def agreement_for(
    process: ContractNegotiation,
    *,
    agreement_id: str,
    assigner: str,
    assignee: str,
    now: datetime,
    offer: Policy | None = None,
) -> Policy:
    """The provider's agreement: `offer` (default the negotiation's latest offer; pass the catalog's own offer to
    copy exactly what was offered) unchanged as an ``Agreement`` with an id, ``target``, ``assigner`` (the offer's,
    else `assigner`), ``assignee`` and ``timestamp`` (EDC consumers reject any other difference)."""
    base = offer or process.offer
    return replace(
        base,
        id=agreement_id,
        type=PolicyType.AGREEMENT,
        target=base.target or process.offer.target,
        assigner=base.assigner or assigner,
        assignee=assignee,
        timestamp=xsd_date_time(now),
    )


def check_owner(process: ContractNegotiation, counterparty_id: str) -> None:
    """Refuse a caller who is not this negotiation's counterparty, exactly as an unknown pid (DSP: 404).

    Raises:
        UnknownProcess: `counterparty_id` is not the process's counterparty.
    """
    if counterparty_id != process.counterparty_id:
        raise UnknownProcess("negotiation", process.pid)


def check_callback_address(address: str, *, allow_private: bool = False, path: str = "$.callbackAddress") -> None:
    """Refuse a callback address that is not an absolute http(s) URL, or (unless `allow_private`, for loopback
    deployments and tests) one whose host is ``localhost`` or a loopback, private, link-local, multicast, reserved
    or unspecified IP literal: no requests to the node's own network on a stranger's behalf (SSRF). Host names are
    checked again after DNS resolution by whoever connects.

    Raises:
        ProtocolError: naming `path` (DSP: a callback address not understood is an unrecoverable error).
    """
    parts = urlsplit(address)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise ProtocolError.at(path, f"{address!r} is not an absolute http(s) URL", _RULE)
    if allow_private:
        return
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            raise ProtocolError.at(path, f"{address!r} points at this host", "passbridge SSRF guard") from None
        return
    if not ip.is_global or ip.is_multicast:
        raise ProtocolError.at(path, f"{address!r} is not a public address", "passbridge SSRF guard")


__all__ = [
    "INITIAL_STATES",
    "MOVES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "ContractNegotiation",
    "NegotiationMove",
    "NegotiationState",
    "agreement_for",
    "allowed_moves",
    "apply",
    "begin",
    "check_callback_address",
    "check_owner",
    "move_of",
    "xsd_date_time",
]
