"""What a node holds about its supply chain, as stored: entries with their node-local references, and a snapshot.

Layout: `SiteEntry`, `PartEntry`, `TradeEntry` (a domain object plus the node-local ids it is stored under),
`ReceivedAnswer` (an answer as it arrived, with its hash), `AclEntry`, `StoredRollup` (a recorded roll-up with its
salt, which stays on the node), and `Catalog` (everything at once: builds the `SupplyGraph`, finds ancestors).

Operators and sites are referred to by a node-local id (``"kansai-cathode"``) that the owner chooses in the import
document; those ids, like the operators' names, never leave the node.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from passbridge.supplychain.answers import SupplierAnswer
from passbridge.supplychain.battery import BatteryInstance, BatteryModel
from passbridge.supplychain.commitments import RollupRecord
from passbridge.supplychain.disclosure import AclItem, DisclosureAcl
from passbridge.supplychain.footprints import MaterialContent, OwnFootprint
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.model import BomLine, Operator, Part, Site
from passbridge.supplychain.trades import Trade


@dataclass(frozen=True, slots=True)
class SiteEntry:
    """A site and the operator it belongs to."""

    site_id: str
    operator_id: str
    site: Site


@dataclass(frozen=True, slots=True)
class PartEntry:
    """A part and the node-local ids of its operator and site."""

    part: Part
    operator_id: str
    site_id: str | None = None


@dataclass(frozen=True, slots=True)
class TradeEntry:
    """A trade and the node-local id of its supplier."""

    trade: Trade
    upstream_operator_id: str


@dataclass(frozen=True, slots=True)
class ReceivedAnswer:
    """A supplier's answer as received.

    Attributes:
        answer: the answer.
        trade_id: the trade it answers.
        sha256: `commitments.answer_digest` of the answer when it arrived.
        received_at: when it arrived.
        document: its JSON as given (`answer_json` format, the supplier's digits).
    """

    answer: SupplierAnswer
    trade_id: uuid.UUID
    sha256: str
    received_at: datetime
    document: bytes


@dataclass(frozen=True, slots=True)
class AclEntry:
    """What one partner (node-local operator id) may see of one of our parts (Ouranos `cfpAcl`)."""

    partner_id: str
    trace_id: uuid.UUID
    released: frozenset[AclItem]


@dataclass(frozen=True, slots=True)
class StoredRollup:
    """A recorded roll-up.

    Attributes:
        rollup_id: its id (the passport's `x-passbridge.computed.rollupId`).
        number: 1, 2, … per part; the highest is the current one.
        record: what it was computed from (answers by id and hash, the commitment) and the result's hash.
        salt: the commitment's salt; owner-side only, never sent anywhere.
        computed_at: when it was recorded.
        document: the roll-up as served (`rollup_view.rollup_document`), JSON bytes.
    """

    rollup_id: uuid.UUID
    number: int
    record: RollupRecord
    salt: bytes
    computed_at: datetime
    document: bytes


@dataclass(frozen=True, slots=True)
class Catalog:
    """Everything a node holds about its supply chain."""

    operators: Mapping[str, Operator] = field(default_factory=dict)
    sites: Mapping[str, SiteEntry] = field(default_factory=dict)
    parts: Mapping[uuid.UUID, PartEntry] = field(default_factory=dict)
    bom_lines: Mapping[tuple[uuid.UUID, uuid.UUID], BomLine] = field(default_factory=dict)
    footprints: Mapping[uuid.UUID, OwnFootprint] = field(default_factory=dict)
    materials: Mapping[uuid.UUID, MaterialContent] = field(default_factory=dict)
    trades: Mapping[uuid.UUID, TradeEntry] = field(default_factory=dict)
    answers: Mapping[uuid.UUID, ReceivedAnswer] = field(default_factory=dict)
    acl: Mapping[tuple[str, uuid.UUID], AclEntry] = field(default_factory=dict)
    battery_models: Mapping[uuid.UUID, BatteryModel] = field(default_factory=dict)
    batteries: Mapping[str, BatteryInstance] = field(default_factory=dict)

    def graph(self) -> SupplyGraph:
        """The validated supply graph of everything held.

        Raises:
            InvalidInput / UnitMismatch / CycleDetected: as `SupplyGraph.build`.
        """
        return SupplyGraph.build(
            (entry.part for entry in self.parts.values()),
            self.bom_lines.values(),
            (entry.trade for entry in self.trades.values()),
            self.footprints.values(),
            self.materials.values(),
        )

    def ancestors(self, trace_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """`trace_ids` and every part that contains one of them, at any depth."""
        parents: dict[uuid.UUID, list[uuid.UUID]] = {}
        for parent, child in self.bom_lines:
            parents.setdefault(child, []).append(parent)
        found = set(trace_ids)
        stack = list(found)
        while stack:
            for parent in parents.get(stack.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    stack.append(parent)
        return found

    def battery_for(self, trace_id: uuid.UUID) -> BatteryModel | BatteryInstance | None:
        """The battery model whose part is `trace_id`, else a battery with its own part `trace_id`, else None."""
        model = self.battery_models.get(trace_id)
        if model is not None:
            return model
        return next((b for b in self.batteries.values() if b.own_trace_id == trace_id), None)

    def disclosure(self, partner_id: str, trace_id: uuid.UUID) -> DisclosureAcl:
        """What `partner_id` may see of `trace_id`; nothing unless released (default closed)."""
        operator = self.operators.get(partner_id)
        partner = operator.key if operator is not None else partner_id
        entry = self.acl.get((partner_id, trace_id))
        return DisclosureAcl(partner, trace_id, entry.released if entry is not None else frozenset())


__all__ = ["AclEntry", "Catalog", "PartEntry", "ReceivedAnswer", "SiteEntry", "StoredRollup", "TradeEntry"]
