"""One import file, read but not yet checked against what the node holds: items with where they came from.

Layout: `Sourced` (an item and its locator: ``$.bomLines[3]`` in a JSON document, ``row 3`` in a CSV file),
`PartDraft`, `TradeDraft`, `AnswerDraft`, `BatteryDraft` (items that name other items by reference, resolved by
`importing.plan_import`), `ImportBatch` and `field_path` (the locator of one field: ``$.bomLines[3].amountRequired``
or ``row 3, column amount_required``).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.battery import BatteryModel
from passbridge.supplychain.catalog import AclEntry, SiteEntry
from passbridge.supplychain.footprints import MaterialContent, OwnFootprint
from passbridge.supplychain.model import BomLine, Operator
from passbridge.supplychain.quantities import Unit
from passbridge.supplychain.trades import TradeStatus

T = TypeVar("T")

CSV_COLUMNS: Final = {
    "parentTraceId": "parent_trace_id",
    "traceId": "child_trace_id",
    "amountRequired": "amount_required",
    "amountRequiredUnit": "unit",
}
"""BOM line fields → the CSV columns that carry them."""


class SourceStyle(enum.Enum):
    """How locators are written."""

    JSON = "json"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class Sourced(Generic[T]):
    """An item and where it is in its file."""

    locator: str
    item: T


@dataclass(frozen=True, slots=True)
class PartDraft:
    """A part whose operator and site are still references."""

    trace_id: uuid.UUID
    operator_id: str
    site_id: str | None
    parts_name: str
    declared_unit: Unit
    terminated: bool


@dataclass(frozen=True, slots=True)
class TradeDraft:
    """A trade as the document states it."""

    trade_id: uuid.UUID
    downstream_trace_id: uuid.UUID
    upstream_operator_id: str
    status: TradeStatus
    upstream_trace_id: uuid.UUID | None
    reply_message: str


@dataclass(frozen=True, slots=True)
class AnswerDraft:
    """A supplier's answer to one of our trades."""

    trade_id: uuid.UUID
    revision: bool
    answer: SupplierAnswer
    document: bytes
    """The answer's JSON as given (without `tradeId` and `revision`), kept with it."""


@dataclass(frozen=True, slots=True)
class BatteryDraft:
    """A battery whose model is still a reference."""

    battery_id: str
    model_trace_id: uuid.UUID
    passport_id: str | None
    own_trace_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class ImportBatch:
    """Everything one file brings, in file order."""

    source: str
    style: SourceStyle
    operators: tuple[Sourced[tuple[str, Operator]], ...] = ()
    sites: tuple[Sourced[SiteEntry], ...] = ()
    parts: tuple[Sourced[PartDraft], ...] = ()
    bom_lines: tuple[Sourced[BomLine], ...] = ()
    footprints: tuple[Sourced[OwnFootprint], ...] = ()
    materials: tuple[Sourced[MaterialContent], ...] = ()
    trades: tuple[Sourced[TradeDraft], ...] = ()
    answers: tuple[Sourced[AnswerDraft], ...] = ()
    acl: tuple[Sourced[AclEntry], ...] = ()
    battery_models: tuple[Sourced[BatteryModel], ...] = ()
    batteries: tuple[Sourced[BatteryDraft], ...] = ()

    @property
    def size(self) -> int:
        """Number of items."""
        return sum(
            len(items)
            for items in (
                self.operators,
                self.sites,
                self.parts,
                self.bom_lines,
                self.footprints,
                self.materials,
                self.trades,
                self.answers,
                self.acl,
                self.battery_models,
                self.batteries,
            )
        )

    def field_path(self, locator: str, name: str) -> str:
        """The locator of field `name` (the JSON member name) of the item at `locator`."""
        if self.style is SourceStyle.CSV:
            return f"{locator}, column {CSV_COLUMNS.get(name, name)}"
        return f"{locator}.{name}"


__all__ = [
    "CSV_COLUMNS",
    "AnswerDraft",
    "BatteryDraft",
    "ImportBatch",
    "PartDraft",
    "SourceStyle",
    "Sourced",
    "TradeDraft",
]
