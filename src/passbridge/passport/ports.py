"""Ports the passport services need: storage (repository + unit of work) and renderers for export formats."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from passbridge.jsontypes import JsonObject
from passbridge.passport.model import Passport, PassportId, PassportVersion, VersionInfo
from passbridge.passport.signatures import SignedPassport


@dataclass(frozen=True, slots=True)
class PassportListing:
    """One line of a passport listing: the identifiers a digital twin registry publishes (`listing`).

    Attributes:
        passport_id: the passport.
        manufacturer_part_id: `identification.identification.type.manufacturerPartId` of the current version.
        part_instance_id: its serial with key ``partInstanceId``, if any.
        current_version: the current version number.
    """

    passport_id: PassportId
    manufacturer_part_id: str
    part_instance_id: str | None
    current_version: int


class PassportRepository(Protocol):
    """Passports and their immutable versions."""

    def find(self, passport_id: PassportId) -> Passport | None:
        """The passport head, or None."""

    def get(self, passport_id: PassportId) -> Passport:
        """The passport head.

        Raises:
            PassportNotFound: if there is none.
        """

    def current_version_number(self, passport_id: PassportId) -> int | None:
        """The current version number (the cheap check on every read), or None if the passport does not exist."""

    def version(self, passport_id: PassportId, number: int) -> PassportVersion:
        """One version.

        Raises:
            PassportNotFound: if the passport or the version does not exist.
        """

    def versions(self, passport_id: PassportId) -> Sequence[VersionInfo]:
        """All versions, oldest first (empty if the passport does not exist)."""

    def holder_of_battery_id(self, battery_id: str) -> PassportId | None:
        """The passport that uses `battery_id` (`identification.idDmc`), if any."""

    def battery_id_holders(self, battery_ids: Iterable[str]) -> dict[str, PassportId]:
        """For those of `battery_ids` in use: the passport using each."""

    def existing(self, passport_ids: Iterable[PassportId]) -> dict[PassportId, Passport]:
        """The heads of those of `passport_ids` that exist."""

    def successors(self, passport_id: PassportId) -> Sequence[PassportId]:
        """Passports that name `passport_id` as a predecessor (Art. 77(7) links, reverse direction)."""

    def listing(
        self,
        *,
        after: PassportId | None,
        limit: int,
        passport_id: PassportId | None = None,
        manufacturer_part_id: str | None = None,
        part_instance_id: str | None = None,
    ) -> Sequence[PassportListing]:
        """At most `limit` passports ordered by id, those after `after` only, matching every filter given."""

    def add(self, version: PassportVersion) -> None:
        """Store version 1 of a new passport (and its head)."""

    def add_version(self, version: PassportVersion) -> None:
        """Store a further version and move the head to it."""

    def add_many(self, versions: Sequence[PassportVersion] | EncodedVersions) -> None:
        """Store version 1 of many new passports at once (bulk import)."""

    def add_many_if_new(self, versions: Sequence[PassportVersion] | EncodedVersions) -> bool:
        """`add_many` if no version clashes with a stored passport (passport id, battery id) and every predecessor
        is stored or comes earlier in `versions`; else store nothing of them and return False."""

    def add_signatures(self, signatures: Sequence[SignedPassport]) -> None:
        """Store the signed form of versions stored in the same transaction."""

    def add_missing_signatures(self, signatures: Sequence[SignedPassport]) -> int:
        """Store the signed form of stored versions, leaving out those signed meanwhile (another backfill got there
        first: its signature stays); returns how many were stored."""

    def signature(self, passport_id: PassportId, number: int) -> SignedPassport | None:
        """The signed form of a version, or None for a version stored before signing was enabled."""

    def documents(self, keys: Sequence[tuple[PassportId, int]]) -> dict[tuple[PassportId, int], bytes]:
        """The exact documents of these (passport, number) versions, in their order (no facts read from them).

        Raises:
            PassportNotFound: one of them does not exist.
        """

    def count_unsigned(self) -> int:
        """Versions that have no signature."""

    def unsigned_versions(self, after: tuple[PassportId, int] | None, limit: int) -> Sequence[tuple[PassportId, int]]:
        """Up to `limit` (passport, number) of versions without a signature, in that order, after `after`."""


class ImportCheckpoints(Protocol):
    """How far a bulk import source has been committed, so a resumed import skips what is stored."""

    def lines_done(self, source: str) -> int:
        """Lines of `source` already committed (0 if never seen)."""

    def record(self, source: str, lines_done: int) -> None:
        """Record progress; written in the same transaction as the batch it covers."""


class UnitOfWork(Protocol):
    """One database transaction: everything done through it commits together or not at all."""

    @property
    def passports(self) -> PassportRepository:
        """The passports, inside this transaction."""

    @property
    def checkpoints(self) -> ImportCheckpoints:
        """Bulk-import progress, inside this transaction."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back anything not committed."""

    def commit(self) -> None:
        """Make the transaction's changes durable."""

    def rollback(self) -> None:
        """Discard the transaction's changes."""


class EncodedVersions(Protocol):
    """New passports' versions encoded for storing by `UnitOfWorkFactory.encode_versions` (opaque to the core).
    Pickles cheaply (rows of plain values, no facts): bulk import encodes in worker processes and stores in one."""

    @property
    def passport_ids(self) -> Sequence[PassportId]:
        """The versions' passports, in order."""


class UnitOfWorkFactory(Protocol):
    """Opens a unit of work; `write=False` promises no writes, so readers never wait for a writer."""

    def __call__(self, *, write: bool = True) -> UnitOfWork: ...

    def encode_versions(self, versions: Sequence[PassportVersion]) -> EncodedVersions:
        """Do the per-passport work of storing `versions` (version 1 of new passports: compressing, hashing, building
        rows) outside any transaction, for `PassportRepository.add_many_if_new` to insert inside one. Bulk import
        encodes a batch before its commit turn, so the turn, which no other worker can use meanwhile, is shorter."""


class ChangeWatch(Protocol):
    """Tells cheaply whether anything was committed since the last look (by any process)."""

    def generation(self) -> int | None:
        """A number that changes after every commit by another connection; None when the backend cannot tell."""


class PassportSigner(Protocol):
    """Signs a passport version as the economic operator (SD-JWT, RFC 9901; `identity.passport_signing`).

    Implementations must be picklable: bulk import signs in its worker processes.
    """

    def sign(self, content: JsonObject, passport_id: PassportId, number: int, signed_at: datetime) -> SignedPassport:
        """The signed form of version `number` of a passport whose (validated) document is `content`."""


class Renderer(Protocol):
    """Encodes a (projected) passport content into one wire format."""

    media_type: str

    def render(self, content: JsonObject, version: PassportVersion) -> bytes:
        """The bytes of the document in this format."""


__all__ = [
    "ChangeWatch",
    "EncodedVersions",
    "ImportCheckpoints",
    "PassportListing",
    "PassportRepository",
    "PassportSigner",
    "Renderer",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
