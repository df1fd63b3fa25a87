"""What every part of the data-space connector shares: where this node's DSP endpoints are (`NodeProfile`), new
process ids, the in-process `Waiters` a consumer waits on, and the wire form we send (`encode`), plus the helpers
that find a process of a counterparty and queue a message for it in a transaction.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from passbridge.dataspace import negotiation, transfer
from passbridge.dataspace.codec import dsp_2025_1 as codec
from passbridge.dataspace.codec._schemas import CONTEXT
from passbridge.dataspace.messages import Message, Role
from passbridge.dataspace.negotiation import ContractNegotiation
from passbridge.dataspace.policies import CX_POLICY_CONTEXT
from passbridge.dataspace.ports import DataspaceRepository, OutboxMessage
from passbridge.dataspace.transfer import TransferProcess
from passbridge.errors import UnknownProcess
from passbridge.identity.keys import SigningKey

LEASE_SECONDS = 30.0
"""How long a queued message is reserved for the process that queued or claimed it (longer than one send)."""
DSP_PATH = "/dsp/2025-1"
CALLBACK_PATH = DSP_PATH + "/callback"
DATAPLANE_PATH = "/api/v1/dataplane"
CONTEXTS = (CONTEXT, CX_POLICY_CONTEXT)


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


def encode(message: Message) -> dict[str, Any]:
    """A message as we send it (DSP and Catena-X policy contexts)."""
    return codec.encode(message, contexts=CONTEXTS)


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
    and any worker sends it."""
    kind = "negotiations" if isinstance(process, ContractNegotiation) else "transfers"
    theirs = process.consumer_pid if process.role is Role.PROVIDER else process.provider_pid
    url = f"{process.counterparty_address.rstrip('/')}/{kind}/{quote(theirs, safe=':')}/{path}"
    body = encode(message)
    queued = OutboxMessage(process.pid, body["@type"], url, process.counterparty_id, body)
    return replace(queued, id=repo.enqueue(queued, now, now + timedelta(seconds=LEASE_SECONDS)))


__all__ = [
    "CALLBACK_PATH",
    "CONTEXTS",
    "DATAPLANE_PATH",
    "DSP_PATH",
    "LEASE_SECONDS",
    "NodeProfile",
    "Waiters",
    "encode",
    "enqueue",
    "new_pid",
    "own_negotiation",
    "own_transfer",
]
