"""Transfer process (DSP 2025-1): the state machine as an enum plus transition tables, for both roles.

Layout: `TransferState` (re-exported from `passbridge.dataspace.messages`); `TRANSITIONS` (the spec figure);
`TransferMove` and `MOVES` ((move, sender) → {from state → to state}); `TransferProcess`; `begin`, `apply`,
`check_owner` — the same shape as `passbridge.dataspace.negotiation`, with the same refusals (`IllegalMessage` 400,
`ProtocolError` 400, `UnknownProcess` 404).

As in negotiation, a state changes when a message is acknowledged. Resuming a suspended transfer is a
TransferStartMessage from either side (the consumer's goes to ``/transfers/:providerPid/start``). A pull transfer's
endpoint data reference arrives in the provider's TransferStartMessage and is kept in `TransferProcess.data_address`;
revoking its token on suspension or termination is the data plane's job.

Idempotency (DSP 2025-1 transfer protocol: "Providers should implement idempotent behavior for Transfer Request
Messages based on the value of consumerPid"): a TransferRequestMessage repeated for the same ``consumerPid``,
agreement and format returns the process unchanged (the provider then re-sends its TransferStartMessage if STARTED);
one for another agreement or format is refused.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace

from passbridge.dataspace.messages import (
    DataAddress,
    Role,
    TransferCompletionMessage,
    TransferMessage,
    TransferProcessAck,
    TransferRequestMessage,
    TransferStartMessage,
    TransferState,
    TransferSuspensionMessage,
    TransferTerminationMessage,
)
from passbridge.errors import IllegalMessage, ProtocolError, UnknownProcess

_T = TransferState
_C, _P = Role.CONSUMER, Role.PROVIDER
_MACHINE = "transfer process (DSP 2025-1)"
_RULE = "DSP 2025-1 transfer process protocol"


class TransferMove(enum.StrEnum):
    """What a transfer message does."""

    REQUEST = "TransferRequestMessage"
    START = "TransferStartMessage"
    SUSPEND = "TransferSuspensionMessage"
    COMPLETE = "TransferCompletionMessage"
    TERMINATE = "TransferTerminationMessage"


_M = TransferMove

TRANSITIONS: Mapping[TransferState, frozenset[TransferState]] = {
    _T.REQUESTED: frozenset({_T.STARTED, _T.TERMINATED}),
    _T.STARTED: frozenset({_T.SUSPENDED, _T.COMPLETED, _T.TERMINATED}),
    _T.SUSPENDED: frozenset({_T.STARTED, _T.TERMINATED}),
    _T.COMPLETED: frozenset(),
    _T.TERMINATED: frozenset(),
}
"""The spec's state machine (``transfer-process-state-machine.puml``): state → the states it may move to."""

TERMINAL_STATES: frozenset[TransferState] = frozenset({_T.COMPLETED, _T.TERMINATED})

_EITHER = (_C, _P)
MOVES: Mapping[tuple[TransferMove, Role], Mapping[TransferState | None, TransferState]] = {
    (_M.REQUEST, _C): {None: _T.REQUESTED},
    (_M.START, _P): {_T.REQUESTED: _T.STARTED, _T.SUSPENDED: _T.STARTED},
    (_M.START, _C): {_T.SUSPENDED: _T.STARTED},
    **{(_M.SUSPEND, r): {_T.STARTED: _T.SUSPENDED} for r in _EITHER},
    **{(_M.COMPLETE, r): {_T.STARTED: _T.COMPLETED} for r in _EITHER},
    **{(_M.TERMINATE, r): {s: _T.TERMINATED for s in (_T.REQUESTED, _T.STARTED, _T.SUSPENDED)} for r in _EITHER},
}
"""Who may send which message in which state, and where it leads (the P/C labels of the spec figure); the ``None``
row is the message that creates the process."""


def move_of(message: TransferMessage) -> TransferMove:
    """The move a message makes."""
    return {
        TransferRequestMessage: _M.REQUEST,
        TransferStartMessage: _M.START,
        TransferSuspensionMessage: _M.SUSPEND,
        TransferCompletionMessage: _M.COMPLETE,
        TransferTerminationMessage: _M.TERMINATE,
    }[type(message)]


def allowed_moves(state: TransferState) -> tuple[tuple[TransferMove, Role], ...]:
    """The (move, sender) pairs allowed in `state`, in table order."""
    return tuple(key for key, edges in MOVES.items() if state in edges)


@dataclass(frozen=True, slots=True)
class TransferProcess:
    """One side's record of a transfer process.

    Attributes:
        role: our side.
        consumer_pid, provider_pid: the two process ids.
        state: where the transfer is.
        agreement_id: the agreement it runs under.
        format: the distribution format (``HttpData-PULL``).
        counterparty_id: the other side's DID (only it may address this process).
        counterparty_address: where messages to the other side go.
        data_address: the pull endpoint data reference (from the provider's start), or the push sink (from the
            request).
    """

    role: Role
    consumer_pid: str
    provider_pid: str
    state: TransferState
    agreement_id: str
    format: str
    counterparty_id: str
    counterparty_address: str
    data_address: DataAddress | None = None

    @property
    def pid(self) -> str:
        """Our own process id (the one in our endpoint paths)."""
        return self.provider_pid if self.role is _P else self.consumer_pid

    def ack(self) -> TransferProcessAck:
        """The ``TransferProcess`` object answering a message."""
        return TransferProcessAck(self.provider_pid, self.consumer_pid, self.state)


def begin(
    message: TransferRequestMessage,
    *,
    role: Role,
    counterparty_id: str,
    provider_pid: str,
    counterparty_address: str | None = None,
) -> TransferProcess:
    """A new transfer from its request (state REQUESTED): the provider calls it with its new pid; the consumer when
    the ACK brings the provider's pid, with the provider's DSP base as `counterparty_address`.

    Raises:
        ProtocolError: no callback address.
    """
    address = counterparty_address or message.callback_address
    if not address:
        raise ProtocolError.at("$.callbackAddress", "a TransferRequestMessage needs a callbackAddress", _RULE)
    state = MOVES[(_M.REQUEST, _C)][None]
    return TransferProcess(
        role,
        message.consumer_pid,
        provider_pid,
        state,
        message.agreement_id,
        message.format,
        counterparty_id,
        address,
        message.data_address,
    )


def _check_pids(process: TransferProcess, message: TransferMessage) -> None:
    pairs = [("consumerPid", process.consumer_pid, message.consumer_pid)]
    if not isinstance(message, TransferRequestMessage):
        pairs.append(("providerPid", process.provider_pid, message.provider_pid))
    for field, ours, theirs in pairs:
        if theirs != ours:
            raise ProtocolError.at(f"$.{field}", f"{theirs!r} is not this transfer's {field} {ours!r}", _RULE)


def apply(process: TransferProcess, message: TransferMessage, sender: Role) -> TransferProcess:
    """The transfer after `message`, sent by `sender`, has been acknowledged.

    Raises:
        IllegalMessage: the move is not allowed in the current state or from `sender`.
        ProtocolError: pids that are not this process's; a repeated request for another agreement or format.
    """
    _check_pids(process, message)
    if isinstance(message, TransferRequestMessage) and sender is _C:
        if (message.agreement_id, message.format) != (process.agreement_id, process.format):
            raise ProtocolError.at("$.consumerPid", "already names a transfer under another agreement or format", _RULE)
        return process  # idempotent on consumerPid
    move = move_of(message)
    edges = MOVES.get((move, sender), {})
    if process.state not in edges:
        allowed = [f"{m.value} from the {r.value}" for m, r in allowed_moves(process.state)]
        raise IllegalMessage(_MACHINE, process.state.value, move.value, sender.value, allowed)
    after = replace(process, state=edges[process.state])
    if isinstance(message, TransferStartMessage) and message.data_address is not None and sender is _P:
        after = replace(after, data_address=message.data_address)
    return after


def check_owner(process: TransferProcess, counterparty_id: str) -> None:
    """Refuse a caller who is not this transfer's counterparty, exactly as an unknown pid (DSP: 404).

    Raises:
        UnknownProcess: `counterparty_id` is not the process's counterparty.
    """
    if counterparty_id != process.counterparty_id:
        raise UnknownProcess("transfer", process.pid)


__all__ = [
    "MOVES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "TransferMove",
    "TransferProcess",
    "TransferState",
    "allowed_moves",
    "apply",
    "begin",
    "check_owner",
    "move_of",
]
