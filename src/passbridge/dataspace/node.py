"""What every part of the data-space connector shares: where this node's DSP endpoints are (`NodeProfile`), new
process ids, the in-process `Waiters` a consumer waits on, and the wire form we send (`encode`, `decode`), plus the
helpers that find a process of a counterparty and queue a message for it in a transaction.

Wire dialects (`DIALECTS`): DSP 2025-1, and the v0.8 "Jupiter" JSON-LD of Tractus-X EDC ≤ 0.10. A consumer process
speaks the dialect its provider's version metadata offered (2025-1 preferred); a provider process the dialect its
consumer addressed it in. What a process queues is stored in the 2025-1 form with its dialect (`OutboxMessage.dialect`,
a column of the outbox: a restarted worker still knows it) and put into that dialect when it is sent; `enqueue` takes
the dialect of the DSP request being handled (`speaking`, set by the API for each request under a dialect's path),
so a reply goes out in the dialect the counterparty spoke.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

from passbridge.dataspace import negotiation, transfer
from passbridge.dataspace.codec import dsp_2025_1 as codec, dsp_v0_8
from passbridge.dataspace.codec._schemas import CONTEXT
from passbridge.dataspace.messages import Message, Role
from passbridge.dataspace.negotiation import ContractNegotiation
from passbridge.dataspace.policies import CX_POLICY_CONTEXT
from passbridge.dataspace.ports import DataspaceRepository, OutboxMessage
from passbridge.dataspace.transfer import TransferProcess
from passbridge.errors import ProtocolError, UnknownProcess
from passbridge.identity.keys import SigningKey

LEASE_SECONDS = 30.0
"""How long a queued message is reserved for the process that queued or claimed it (longer than one send)."""
DSP_PATH = "/dsp/2025-1"
CALLBACK_PATH = DSP_PATH + "/callback"
V0_8_PATH = "/dsp/v0.8"
V0_8_CALLBACK_PATH = V0_8_PATH + "/callback"
DATAPLANE_PATH = "/api/v1/dataplane"
CONTEXTS = (CONTEXT, CX_POLICY_CONTEXT)
DIALECTS = (codec.VERSION, dsp_v0_8.VERSION)
"""The wire dialects this node speaks, preferred first (the ``version`` of ``/.well-known/dspace-version``)."""
_CALLBACK_PATHS = {codec.VERSION: CALLBACK_PATH, dsp_v0_8.VERSION: V0_8_CALLBACK_PATH}
_SPEAKING: ContextVar[str] = ContextVar("passbridge_dsp_dialect", default=codec.VERSION)
_M = TypeVar("_M", bound=Message)


def new_pid() -> str:
    """A fresh process or agreement id (``urn:uuid:``)."""
    return f"urn:uuid:{uuid.uuid4()}"


@dataclass(frozen=True, slots=True)
class NodeProfile:
    """Who this node is in the data space and where its endpoints are."""

    did: str
    public_url: str
    dataplane_key: SigningKey
    edr_ttl_seconds: int = 600
    refresh_ttl_seconds: int = 24 * 3600

    @property
    def dsp_base(self) -> str:
        """Our DSP 2025-1 base URL (provider endpoints)."""
        return self.public_url + DSP_PATH

    @property
    def callback_address(self) -> str:
        """Our consumer callback address (``callbackAddress`` of our requests)."""
        return self.public_url + CALLBACK_PATH

    def callback_for(self, dialect: str) -> str:
        """Our consumer callback address for a provider speaking `dialect` (its messages land on the router that
        reads that dialect: ``/dsp/2025-1/callback`` or ``/dsp/v0.8/callback``).

        Raises:
            ProtocolError: a dialect this node does not speak.
        """
        return self.public_url + _CALLBACK_PATHS[_known(dialect)]


class Waiters:
    """In-process events a consumer waits on (set by the callback handlers once their transaction committed)."""

    def __init__(self) -> None:
        self._events: dict[str, threading.Event] = {}
        self._listeners: list[Callable[[str], None]] = []
        self._lock = threading.Lock()

    def listen(self, listener: Callable[[str], None]) -> None:
        """Call `listener` with the pid of every process that is signalled (to drop what is cached about it)."""
        self._listeners.append(listener)

    def expect(self, pid: str) -> threading.Event:
        """The event for `pid` (register it *before* sending the message whose answer it waits for)."""
        with self._lock:
            return self._events.setdefault(pid, threading.Event())

    def signal(self, pid: str) -> None:
        """Something happened to `pid`."""
        with self._lock:
            event = self._events.get(pid)
        for listener in self._listeners:
            listener(pid)
        if event is not None:
            event.set()

    def forget(self, pid: str) -> None:
        """Stop tracking `pid`."""
        with self._lock:
            self._events.pop(pid, None)


def _known(dialect: str) -> str:
    if dialect not in DIALECTS:
        raise ProtocolError.at("$.version", f"{dialect!r} is not a DSP dialect this node speaks {DIALECTS}", "DSP")
    return dialect


def encode(message: Message, dialect: str = codec.VERSION) -> dict[str, Any]:
    """A message as we send it: DSP 2025-1 with the DSP and Catena-X policy contexts, or v0.8 JSON-LD.

    Raises:
        ProtocolError: a dialect this node does not speak.
    """
    if _known(dialect) == dsp_v0_8.VERSION:
        return dsp_v0_8.encode(message)
    return codec.encode(message, contexts=CONTEXTS)


def decode(obj: object, expected: type[_M], dialect: str = codec.VERSION) -> _M:
    """A counterparty's answer in `dialect` as `expected`.

    Raises:
        ProtocolError: not such a message in that dialect (each violation names its field).
    """
    if _known(dialect) == dsp_v0_8.VERSION:
        return dsp_v0_8.decode(obj, expected)
    return codec.decode(obj, expected)


def transcode(body: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A queued message (stored in the 2025-1 form) as it is sent in `dialect`; 2025-1 is sent as stored.

    Raises:
        ProtocolError: the stored body is not a 2025-1 message, or an unknown dialect.
    """
    if _known(dialect) == codec.VERSION:
        return body
    return encode(codec.decode(body), dialect)


@contextmanager
def speaking(dialect: str) -> Iterator[None]:
    """Handle a DSP request that arrived in `dialect`: what `enqueue` queues meanwhile is sent in it."""
    token = _SPEAKING.set(_known(dialect))
    try:
        yield
    finally:
        _SPEAKING.reset(token)


def spoken() -> str:
    """The dialect of the DSP request being handled (2025-1 outside one)."""
    return _SPEAKING.get()


def own_negotiation(repo: DataspaceRepository, role: Role, pid: str, holder: str) -> ContractNegotiation:
    """Our negotiation `pid` in `role`, if `holder` is its counterparty.

    Raises:
        UnknownProcess: no such negotiation, or another party's (DSP: 404 either way).
    """
    process = repo.negotiation(role, pid)
    if process is None:
        raise UnknownProcess("negotiation", pid)
    negotiation.check_owner(process, holder)
    return process


def own_transfer(repo: DataspaceRepository, role: Role, pid: str, holder: str) -> TransferProcess:
    """Our transfer `pid` in `role`, if `holder` is its counterparty.

    Raises:
        UnknownProcess: no such transfer, or another party's.
    """
    process = repo.transfer(role, pid)
    if process is None:
        raise UnknownProcess("transfer", pid)
    transfer.check_owner(process, holder)
    return process


def enqueue(
    repo: DataspaceRepository,
    process: ContractNegotiation | TransferProcess,
    path: str,
    message: Message,
    now: datetime,
) -> OutboxMessage:
    """Queue `message` for the counterparty of `process`, at ``<its address>/<negotiations|transfers>/<its
    pid>/<path>`` (the binding's paths), in the caller's transaction, leased to this process for `LEASE_SECONDS`:
    hand it to the worker (`Wakeup.dispatch`) after the commit. Should this process die first, the lease runs out
    and any worker sends it. The body is stored in the 2025-1 form with the dialect of the request being handled
    (`spoken`); the sender puts it into that dialect (`transcode`)."""
    kind = "negotiations" if isinstance(process, ContractNegotiation) else "transfers"
    theirs = process.consumer_pid if process.role is Role.PROVIDER else process.provider_pid
    url = f"{process.counterparty_address.rstrip('/')}/{kind}/{quote(theirs, safe=':')}/{path}"
    body = encode(message)
    queued = OutboxMessage(process.pid, body["@type"], url, process.counterparty_id, body, dialect=spoken())
    return replace(queued, id=repo.enqueue(queued, now, now + timedelta(seconds=LEASE_SECONDS)))


__all__ = [
    "CALLBACK_PATH",
    "CONTEXTS",
    "DATAPLANE_PATH",
    "DIALECTS",
    "DSP_PATH",
    "LEASE_SECONDS",
    "V0_8_CALLBACK_PATH",
    "V0_8_PATH",
    "NodeProfile",
    "Waiters",
    "decode",
    "encode",
    "enqueue",
    "new_pid",
    "own_negotiation",
    "own_transfer",
    "speaking",
    "spoken",
    "transcode",
]
