"""What the identity services need from the outside: their records, the repository and the outbound calls.

Records are plain values; `IdentityRepository` is implemented in `storage/identity.py`, `CredentialServicePort`
by `outbound/fetchers.CredentialServiceClient`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self


@dataclass(frozen=True, slots=True)
class Member:
    """A company an authority has certified for one credential type (what it will issue on request)."""

    holder_did: str
    credential_type: str
    claims: Mapping[str, Any]
    valid_days: int
    added_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedRecord:
    """A credential an authority issued, with its place in the revocation status list."""

    credential_id: str
    holder_did: str
    credential_type: str
    status_list: str
    status_index: int
    issued_at: datetime
    valid_until: datetime
    revoked_at: datetime | None
    token: str


@dataclass(frozen=True, slots=True)
class StoredStatusList:
    """One status list: its encoded bitstring (multibase, as published) and a version bumped on every change."""

    list_id: str
    purpose: str
    next_index: int
    size: int
    encoded: str
    version: int


@dataclass(frozen=True, slots=True)
class WalletEntry:
    """A credential this node holds."""

    credential_id: str
    credential_type: str
    issuer: str
    valid_until: datetime | None
    received_at: datetime
    token: str


@dataclass(frozen=True, slots=True)
class IssuanceRequest:
    """A DCP credential request as the issuer keeps it (status RECEIVED → ISSUED | REJECTED)."""

    issuer_pid: str
    holder_pid: str
    holder_did: str
    credential_types: tuple[str, ...]
    status: str
    reason: str | None
    created_at: datetime


class IdentityRepository(Protocol):
    """Identity records on one transaction."""

    def put_member(self, member: Member) -> None: ...
    def member(self, holder_did: str, credential_type: str) -> Member | None: ...
    def members(self) -> list[Member]: ...
    def status_list(self, list_id: str) -> StoredStatusList | None: ...
    def put_status_list(self, status_list: StoredStatusList) -> None:
        """Insert or replace (the caller holds the write transaction)."""

    def add_issued(self, record: IssuedRecord) -> None: ...
    def issued(self, credential_id: str) -> IssuedRecord | None: ...
    def issued_to(self, holder_did: str | None = None) -> list[IssuedRecord]: ...
    def mark_revoked(self, credential_id: str, at: datetime) -> None: ...
    def latest_trust_list(self) -> tuple[int, str] | None:
        """(version, JSON document) of the newest trust list."""

    def add_trust_list(self, version: int, document: str, issued_at: datetime) -> None: ...
    def put_wallet(self, entry: WalletEntry) -> None: ...
    def wallet(self) -> list[WalletEntry]: ...
    def put_request(self, request: IssuanceRequest) -> None: ...
    def request(self, issuer_pid: str) -> IssuanceRequest | None: ...
    def first_use(self, jti: str, expires_at: int, now: int) -> bool:
        """Record `jti`; False if it was seen before and has not expired (replay)."""


class IdentityUnitOfWork(Protocol):
    """A transaction with the identity repository."""

    @property
    def identity(self) -> IdentityRepository:
        """The identity records, inside this transaction."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...


class IdentityUnitOfWorkFactory(Protocol):
    """Opens identity transactions (`write=False` for reads)."""

    def __call__(self, *, write: bool = True) -> IdentityUnitOfWork: ...


class CredentialServicePort(Protocol):
    """DCP calls to another party's credential or issuer service."""

    def query(self, endpoint_base: str, si_token: str, scopes: Sequence[str]) -> list[str]:
        """``POST <base>/presentations/query`` → the presentations (VP JWTs)."""

    def deliver(self, endpoint_base: str, si_token: str, credential_message: dict[str, Any]) -> None:
        """``POST <base>/credentials`` on a holder's credential service (issuer → holder)."""

    def request_credential(self, issuer_base: str, si_token: str, message: dict[str, Any]) -> str:
        """``POST <base>/credentials`` on an issuer service (holder → issuer); returns the Location."""


__all__ = [
    "CredentialServicePort",
    "IdentityRepository",
    "IdentityUnitOfWork",
    "IdentityUnitOfWorkFactory",
    "IssuanceRequest",
    "IssuedRecord",
    "Member",
    "StoredStatusList",
    "WalletEntry",
]
