"""What the data-space services need from the outside: their records, the repository, the outbox, the outbound DSP
calls and the assets they offer. Protocols only (plus the plain records they pass).

Implemented by `passbridge.storage.dataspace` (`DataspaceRepository`), `passbridge.outbound.dsp_client`
(`Counterparty`, `OutboxSender`), `passbridge.outbound.worker` (`Wakeup`) and the composition root (`AssetSource`,
over the passport service).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from passbridge.dataspace.catalog import Catalog, Dataset
from passbridge.dataspace.messages import (
    CatalogRequestMessage,
    ContractNegotiationAck,
    ContractRequestMessage,
    DataAddress,
    Role,
    TransferProcessAck,
    TransferRequestMessage,
    TransferState,
)
from passbridge.dataspace.negotiation import ContractNegotiation
from passbridge.dataspace.odrl import Policy
from passbridge.dataspace.transfer import TransferProcess


@dataclass(frozen=True, slots=True)
class StoredAgreement:
    """A contract agreement either side keeps: the ODRL ``Agreement`` (id, target, assigner, assignee, timestamp) as
    agreed, the negotiation it came from and our role in it."""

    agreement: Policy
    negotiation_pid: str
    role: Role
    signed_at: datetime

    @property
    def id(self) -> str:
        """The agreement id (``agreementId`` of transfer requests)."""
        return self.agreement.id


class TokenKind(enum.StrEnum):
    """The two tokens of an endpoint data reference."""

    ACCESS = "access"
    REFRESH = "refresh"


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A data-plane token as the provider keeps it: its hash only, the transfer it serves, expiry and revocation."""

    token_hash: str
    kind: TokenKind
    transfer_pid: str
    expires_at: datetime
    revoked: bool = False


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A DSP message owed to a counterparty, queued in the transaction that made the state change.

    Attributes:
        process_pid: our pid of the negotiation or transfer it belongs to.
        message_type: the message's ``@type`` (for logs and for giving up).
        url: where to POST it (the counterparty's callback or DSP base plus the binding's path).
        audience: the counterparty's DID (the SI token is made for it at send time, so it never goes stale).
        body: the message as the codec encoded it.
        id: the queue's id (0 before it is stored).
        attempts: failed attempts so far.
        dialect: the wire dialect the counterparty speaks in this process (``2025-1``, ``v0.8``): `body` is kept in
            the 2025-1 form and put into this dialect when it is sent.
    """

    process_pid: str
    message_type: str
    url: str
    audience: str
    body: Mapping[str, Any]
    id: int = 0
    attempts: int = 0
    dialect: str = "2025-1"


class DataspaceRepository(Protocol):
    """Negotiations, agreements, transfers, data-plane tokens and the outbox, inside one transaction."""

    def negotiation(self, role: Role, pid: str) -> ContractNegotiation | None:
        """Our negotiation with our pid `pid` in `role`."""

    def negotiation_for(self, role: Role, counterparty: str, consumer_pid: str) -> ContractNegotiation | None:
        """The negotiation a counterparty started with `consumer_pid` (idempotency)."""

    def put_negotiation(self, negotiation: ContractNegotiation, now: datetime) -> None:
        """Insert or update (by our pid)."""

    def agreement(self, agreement_id: str) -> StoredAgreement | None: ...

    def put_agreement(self, agreement: StoredAgreement) -> None: ...

    def agreements_for(self, role: Role, provider: str, consumer: str, dataset_id: str) -> list[StoredAgreement]:
        """Agreements of FINALIZED negotiations for a dataset between two parties, newest first."""

    def transfer(self, role: Role, pid: str) -> TransferProcess | None: ...

    def transfer_for(self, role: Role, counterparty: str, consumer_pid: str) -> TransferProcess | None: ...

    def put_transfer(self, transfer: TransferProcess, now: datetime, expires_at: datetime | None = None) -> None:
        """Insert or update (by our pid); `expires_at` is when a received EDR's access token expires."""

    def started_transfers(self, role: Role, agreement_id: str) -> list[tuple[TransferProcess, datetime | None]]:
        """STARTED transfers under an agreement with their EDR expiry, newest first."""

    def put_token(self, token: StoredToken) -> None: ...

    def token(self, token_hash: str) -> StoredToken | None: ...

    def token_grant(self, token_hash: str) -> tuple[StoredToken, TransferState, str] | None:
        """A token with the state and agreement id of its (provider) transfer, in one read (the data plane's check
        on every request)."""

    def revoke_tokens(self, transfer_pid: str) -> None:
        """Revoke every token of a transfer (suspended, completed or terminated)."""

    def enqueue(self, message: OutboxMessage, now: datetime, lease_until: datetime | None = None) -> int:
        """Queue a message, due now (leased to the caller until `lease_until`, if given); returns its id."""

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        """Pending messages due at `now` and not leased, leased to the caller until `lease_until`, oldest first."""

    def mark_sent(self, message_id: int, now: datetime) -> None: ...

    def mark_retry(self, message_id: int, attempts: int, next_attempt_at: datetime, error: str) -> None: ...

    def mark_failed(self, message_id: int, attempts: int, error: str) -> None: ...

    def next_due(self) -> datetime | None:
        """When the earliest pending message is due (None: nothing pending)."""


class DataspaceUnitOfWork(Protocol):
    """A transaction with the data-space repository."""

    @property
    def dataspace(self) -> DataspaceRepository:
        """The data-space records, inside this transaction."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...


class DataspaceUnitOfWorkFactory(Protocol):
    """Opens data-space transactions (`write=False` for reads)."""

    def __call__(self, *, write: bool = True) -> DataspaceUnitOfWork: ...


class OutboxQueue(Protocol):
    """The outbox as the worker sees it: each call is its own transaction."""

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]: ...
    def mark_sent(self, message_id: int, now: datetime) -> None: ...
    def mark_retry(self, message_id: int, attempts: int, next_attempt_at: datetime, error: str) -> None: ...
    def mark_failed(self, message_id: int, attempts: int, error: str) -> None: ...
    def next_due(self) -> datetime | None: ...


class OutboxSender(Protocol):
    """Delivers queued messages."""

    def send(self, message: OutboxMessage) -> None:
        """POST the message; return only when the counterparty acknowledged it (2xx).

        Raises:
            Exception: any failure (the worker retries or gives up).
        """

    def retryable(self, error: Exception) -> bool:
        """Whether a failure may go away (connection refused, 5xx) or never will (4xx: the counterparty refused)."""

    def give_up(self, message: OutboxMessage, reason: str) -> None:
        """The message cannot be delivered: end its process locally (DSP: diverged processes are terminated)."""


class Wakeup(Protocol):
    """Hands the outbox worker the messages a committed transaction queued (and leased to this process)."""

    def dispatch(self, messages: Sequence[OutboxMessage]) -> None: ...


@dataclass(frozen=True, slots=True)
class DspEndpoint:
    """Where a provider speaks DSP, as its version metadata names it: the base URL (``<root><path>``) and the
    dialect spoken there (``2025-1``, or ``v0.8`` for a Tractus-X EDC ≤ 0.10 that offers nothing newer)."""

    base: str
    dialect: str = "2025-1"


class Counterparty(Protocol):
    """The synchronous DSP calls a consumer makes to a provider (authenticated with a fresh DCP SI token for
    `audience`), discovery, and the data-plane pull."""

    def check_address(self, url: str, path: str) -> None:
        """Refuse an address the node may not call (address policy: no private or link-local targets).

        Raises:
            ProtocolError: naming `path`.
        """

    def data_service(self, did: str) -> str:
        """The ``DataService`` endpoint (version metadata URL) in a party's DID document."""

    def dsp_base(self, version_url: str) -> DspEndpoint:
        """The DSP base and dialect from a ``/.well-known/dspace-version`` URL: 2025-1 if offered, else v0.8.

        Raises:
            CounterpartyError: the counterparty offers neither over HTTPS.
        """

    def catalog(self, endpoint: DspEndpoint, audience: str, message: CatalogRequestMessage) -> Catalog: ...

    def dataset(self, endpoint: DspEndpoint, audience: str, dataset_id: str) -> Dataset: ...

    def request_negotiation(
        self, endpoint: DspEndpoint, audience: str, message: ContractRequestMessage
    ) -> ContractNegotiationAck:
        """``POST <base>/negotiations/request`` → the provider's ACK (201), both in the endpoint's dialect."""

    def request_transfer(
        self, endpoint: DspEndpoint, audience: str, message: TransferRequestMessage
    ) -> TransferProcessAck:
        """``POST <base>/transfers/request`` → the provider's ACK (201), both in the endpoint's dialect."""

    def pull(self, address: DataAddress, query: Mapping[str, str]) -> tuple[int, str, bytes]:
        """GET the data an endpoint data reference points at: (status, media type, body)."""


@dataclass(frozen=True, slots=True)
class RenderedAsset:
    """What the data plane returns for a dataset."""

    body: bytes
    media_type: str


class AssetSource(Protocol):
    """The passports this node offers (dataset id = the passport's ``urn:uuid:`` id)."""

    def dataset_ids(self, after: str | None, limit: int) -> Sequence[str]:
        """At most `limit` passport dataset ids in order, after `after`."""

    def exists(self, dataset_id: str) -> bool: ...

    def render(self, dataset_id: str, level: str, fmt: str | None) -> RenderedAsset:
        """The passport in the view of access level `level` (``public`` or a reader role) and format `fmt`.

        Raises:
            NotFound: no such passport. InvalidInput: an unknown format.
        """


__all__ = [
    "AssetSource",
    "Counterparty",
    "DataspaceRepository",
    "DataspaceUnitOfWork",
    "DataspaceUnitOfWorkFactory",
    "DspEndpoint",
    "OutboxMessage",
    "OutboxQueue",
    "OutboxSender",
    "RenderedAsset",
    "StoredAgreement",
    "StoredToken",
    "TokenKind",
    "Wakeup",
]
