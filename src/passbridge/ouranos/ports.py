"""`OuranosRepository`: what the Ouranos services need from storage; `OuranosUnitOfWork` around it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Protocol, Self

from passbridge.ouranos.model import Account, ApiKey, Kind, Record


class OuranosRepository(Protocol):
    """Records, accounts and API keys of the platform."""

    def get(self, kind: Kind, record_id: str) -> Record | None:
        """The record, or None."""
        ...

    def find(
        self,
        kind: Kind,
        *,
        operator_id: str | None = None,
        ref: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> Sequence[Record]:
        """Records of `kind` matching the given columns, by `record_id`, after `after`, at most `limit`."""
        ...

    def get_many(self, kind: Kind, record_ids: Sequence[str]) -> dict[str, Record]:
        """The records of `kind` among `record_ids` (one query), by `record_id`; absent ones are left out."""
        ...

    def find_refs(self, kind: Kind, refs: Sequence[str]) -> dict[str, list[Record]]:
        """The records of `kind` whose `ref` is one of `refs` (one query), grouped by `ref`, in `record_id` order."""
        ...

    def put(self, record: Record) -> None:
        """Insert or replace a record."""
        ...

    def delete(self, kind: Kind, record_id: str) -> None:
        """Remove a record (nothing if it is absent)."""
        ...

    def account(self, account_id: str) -> Account | None:
        """The account, or None."""
        ...

    def put_account(self, account: Account) -> None:
        """Insert or replace an account."""
        ...

    def api_key(self, key_hash: str) -> ApiKey | None:
        """The API key with this hash, or None."""
        ...

    def add_api_key(self, key: ApiKey) -> None:
        """Store a new API key."""
        ...


class OuranosUnitOfWork(Protocol):
    """One transaction with an `ouranos` repository."""

    @property
    def ouranos(self) -> OuranosRepository:
        """The platform's repository on this transaction."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None:
        """Commit the transaction."""
        ...


UnitOfWorkFactory = Callable[..., OuranosUnitOfWork]
"""Opens a unit of work (`write=False` for reads)."""

__all__ = ["OuranosRepository", "OuranosUnitOfWork", "UnitOfWorkFactory"]
