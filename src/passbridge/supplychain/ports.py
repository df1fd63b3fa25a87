"""Ports the supply-chain services need: storage (repository + unit of work) and the battery passports.

Layout: `SupplyChainRepository` (the catalog and the recorded roll-ups), `SupplyChainUnitOfWork` and its factory,
`PassportDocuments` (read a passport's current version, add a version: `PassportService` is one).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Protocol, Self

from passbridge.passport.model import PassportId, PassportVersion
from passbridge.supplychain.battery import BatteryInstance, BatteryModel
from passbridge.supplychain.catalog import (
    AclEntry,
    Catalog,
    PartEntry,
    ReceivedAnswer,
    SiteEntry,
    StoredRollup,
    TradeEntry,
)
from passbridge.supplychain.footprints import MaterialContent, OwnFootprint
from passbridge.supplychain.model import BomLine, Operator


class SupplyChainRepository(Protocol):
    """A node's supply-chain data and the roll-ups recorded from it. Writes replace an entry with the same key."""

    def lock(self) -> None:
        """Serialise writers for the rest of the transaction (an import reads, checks and writes the whole graph)."""

    def load(self) -> Catalog:
        """Everything held: operators, sites, parts, lines, figures, trades with their current answers, all
        received answers, grants, battery models and batteries.

        Raises:
            InvalidInput: if stored data no longer makes valid domain objects (tampered with).
        """

    def put_operator(self, operator_id: str, operator: Operator) -> None:
        """Store an operator under its node-local id."""

    def put_site(self, entry: SiteEntry) -> None:
        """Store a site."""

    def put_part(self, entry: PartEntry) -> None:
        """Store a part."""

    def put_bom_line(self, line: BomLine) -> None:
        """Store a bill-of-materials line (keyed by parent and child)."""

    def put_footprint(self, footprint: OwnFootprint) -> None:
        """Store a part's own footprint."""

    def put_materials(self, content: MaterialContent) -> None:
        """Store a part's own material content."""

    def put_trade(self, entry: TradeEntry) -> None:
        """Store a trade with its status and the id of its current answer."""

    def add_answer(self, received: ReceivedAnswer) -> None:
        """Store an answer as received (answers are never changed)."""

    def put_acl(self, entry: AclEntry) -> None:
        """Store what a partner may see of a part."""

    def put_battery_model(self, model: BatteryModel) -> None:
        """Store a battery model."""

    def put_battery(self, battery: BatteryInstance) -> None:
        """Store a battery and its passport link."""

    def add_rollup(self, rollup: StoredRollup) -> None:
        """Record a roll-up of `rollup.record.trace_id`."""

    def latest_rollup(self, trace_id: uuid.UUID) -> StoredRollup | None:
        """The current (highest-numbered) roll-up of a part, or None."""

    def latest_rollups(self, trace_ids: Iterable[uuid.UUID] | None = None) -> Mapping[uuid.UUID, StoredRollup]:
        """The current roll-up of each part that has one (of `trace_ids` only, if given)."""


class SupplyChainUnitOfWork(Protocol):
    """One database transaction over the supply-chain data."""

    @property
    def supplychain(self) -> SupplyChainRepository:
        """The supply-chain data, inside this transaction."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back anything not committed."""

    def commit(self) -> None:
        """Make the transaction's changes durable."""


class SupplyChainUnitOfWorkFactory(Protocol):
    """Opens a unit of work; `write=False` promises no writes."""

    def __call__(self, *, write: bool = True) -> SupplyChainUnitOfWork: ...


class PassportDocuments(Protocol):
    """The battery passports, as the passport link needs them."""

    def current(self, passport_id: PassportId) -> PassportVersion:
        """The current version.

        Raises:
            PassportNotFound: no such passport.
        """

    def add_version(self, passport_id: PassportId, raw: bytes) -> PassportVersion:
        """Store a new immutable version (validated like any other).

        Raises:
            InvalidInput / IllegalTransition: the document or the status change is refused.
        """

    def existing(self, passport_ids: Iterable[PassportId]) -> set[PassportId]:
        """Those of `passport_ids` that exist."""


__all__ = ["PassportDocuments", "SupplyChainRepository", "SupplyChainUnitOfWork", "SupplyChainUnitOfWorkFactory"]
