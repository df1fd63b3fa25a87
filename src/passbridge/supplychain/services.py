"""Supply-chain use cases: import a file, roll a part up (and record it), audit a roll-up, answer a customer.

Layout: `ImportFormat`, the reports (`RecomputedPart`, `PendingPart`, `PassportUpdate`, `ImportReport`) and
`SupplyChainService`.

Transactions: an import is one transaction — the file's items and the roll-ups it makes stale, recomputed, commit
together or not at all. Only the roll-ups that can change are recomputed: those of the parts above a changed item
(its ancestors) that have a recorded roll-up or are a battery with a passport. Passports are then brought up to date
through `PassportDocuments.add_version`, each in its own transaction, and only from a roll-up that is re-verified
against the stored inputs first; filling is idempotent (an unchanged document makes no version), so a crash between
the two steps is repaired by the next `rollup` of the part (or import that touches it).
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from passbridge.clock import Clock
from passbridge.errors import InvalidInput, MissingFigures, PartNotFound, PassbridgeError
from passbridge.jsoncodec import dumps_exact
from passbridge.jsontypes import JsonValue
from passbridge.passport.model import PassportId
from passbridge.supplychain.answer_json import encode_answer
from passbridge.supplychain.battery import BatteryInstance
from passbridge.supplychain.bom_csv import decode_bom_csv
from passbridge.supplychain.catalog import Catalog, StoredRollup
from passbridge.supplychain.commitments import (
    Verification,
    answer_digest,
    commit,
    inputs_for,
    new_salt,
    record_rollup,
    verify as verify_record,
)
from passbridge.supplychain.disclosure import answer_for_customer
from passbridge.supplychain.document import decode_document
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.import_batch import ImportBatch
from passbridge.supplychain.importing import ImportPlan, plan_import
from passbridge.supplychain.lifetime import LifetimeIntensity, lifetime_intensity
from passbridge.supplychain.passport_link import fill_passport, passport_figures
from passbridge.supplychain.ports import PassportDocuments, SupplyChainRepository, SupplyChainUnitOfWorkFactory
from passbridge.supplychain.rollup_view import rollup_document
from passbridge.supplychain.rollups import PartRollup, roll_up

logger = logging.getLogger(__name__)

_ANSWER_IDS: Final = uuid.UUID("3b0f5c1e-8d2a-4f7e-9c61-5a4e2d7b9f10")
"""Namespace of answer ids: one id per (roll-up, partner), so asking again gives the same answer."""


class ImportFormat(enum.Enum):
    """What an import file is."""

    JSON = "json"
    """The import document (`document_schema.SCHEMA`)."""
    CSV = "csv"
    """Bill-of-materials lines (`bom_csv.COLUMNS`)."""


@dataclass(frozen=True, slots=True)
class RecomputedPart:
    """A part whose roll-up an import recorded anew."""

    trace_id: uuid.UUID
    rollup_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class PendingPart:
    """A part whose roll-up could not be computed yet (a supplier has not answered, say)."""

    trace_id: uuid.UUID
    reason: str


@dataclass(frozen=True, slots=True)
class PassportUpdate:
    """What the passport link did to one passport: a new version, or why not."""

    passport_id: str
    version: int | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of one import."""

    source: str
    stored: Mapping[str, int]
    recomputed: tuple[RecomputedPart, ...]
    pending: tuple[PendingPart, ...]
    passports: tuple[PassportUpdate, ...]


def _lifetime(catalog: Catalog, rollup: PartRollup) -> LifetimeIntensity | None:
    battery = catalog.battery_for(rollup.trace_id)
    return None if battery is None else lifetime_intensity(rollup.footprint, battery)


class SupplyChainService:
    """Import, roll up, audit and answer, over one node's supply-chain data."""

    def __init__(
        self,
        uow_factory: SupplyChainUnitOfWorkFactory,
        clock: Clock,
        passports: PassportDocuments,
        *,
        salt: Callable[[], bytes] = new_salt,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._passports = passports
        self._salt = salt

    # --- import ------------------------------------------------------------------------------------------------

    def import_file(
        self,
        raw: bytes,
        fmt: ImportFormat,
        *,
        source: str = "document",
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Import one file, all or nothing, and recompute the roll-ups it affects.

        Args:
            raw: the file's bytes.
            fmt: JSON import document or BOM CSV.
            source: the file's name, for the report.
            progress: called with (items done, items in all) as the import advances.

        Raises:
            InvalidInput: naming each offending item (JSON path, or CSV row and column); nothing is stored.
        """
        batch = decode_document(raw, source) if fmt is ImportFormat.JSON else decode_bom_csv(raw, source)
        total = batch.size + 1
        if progress is not None:
            progress(batch.size // 2, total)
        known = self._known_passports(batch)
        with self._uow() as uow:
            repo = uow.supplychain
            repo.lock()
            plan = plan_import(repo.load(), batch, known_passports=known, now=self._clock.now())
            self._write(repo, plan)
            if progress is not None:
                progress(batch.size, total)
            recomputed, pending = self._recompute(repo, plan.catalog, plan.graph, plan.changed_parts)
            uow.commit()
        logger.info("supply-chain import of %s: %s", source, plan.counts)
        affected = plan.catalog.ancestors(plan.changed_parts)
        updates = self._sync_passports(affected) if affected else ()
        if progress is not None:
            progress(total, total)
        return ImportReport(source, plan.counts, recomputed, pending, tuple(updates))

    def _known_passports(self, batch: ImportBatch) -> set[str]:
        named = {PassportId(b.item.passport_id) for b in batch.batteries if b.item.passport_id is not None}
        return {p.value for p in self._passports.existing(named)} if named else set()

    @staticmethod
    def _write(repo: SupplyChainRepository, plan: ImportPlan) -> None:
        """Write what changed, referenced items first (operators, sites, parts, …) for the foreign keys."""
        for operator_id, operator in plan.operators:
            repo.put_operator(operator_id, operator)
        for site in plan.sites:
            repo.put_site(site)
        for part in plan.parts:
            repo.put_part(part)
        for line in plan.bom_lines:
            repo.put_bom_line(line)
        for footprint in plan.footprints:
            repo.put_footprint(footprint)
        for content in plan.materials:
            repo.put_materials(content)
        for trade in plan.trades:
            repo.put_trade(trade)
        for received in plan.answers:
            repo.add_answer(received)
        for grant in plan.acl:
            repo.put_acl(grant)
        for model in plan.battery_models:
            repo.put_battery_model(model)
        for battery in plan.batteries:
            repo.put_battery(battery)

    # --- roll-ups ----------------------------------------------------------------------------------------------

    def _recompute(
        self, repo: SupplyChainRepository, catalog: Catalog, graph: SupplyGraph, changed: Iterable[uuid.UUID]
    ) -> tuple[tuple[RecomputedPart, ...], tuple[PendingPart, ...]]:
        latest = repo.latest_rollups()
        tracked = set(latest) | {b.trace_id for b in catalog.batteries.values() if b.passport_id is not None}
        affected = sorted(catalog.ancestors(changed) & tracked, key=str)
        recomputed: list[RecomputedPart] = []
        pending: list[PendingPart] = []
        for trace_id in affected:
            previous = latest.get(trace_id)
            try:
                stored = self._record(repo, catalog, graph, trace_id, previous)
            except (MissingFigures, InvalidInput) as error:
                pending.append(PendingPart(trace_id, str(error)))
                continue
            if stored is not previous:
                recomputed.append(RecomputedPart(trace_id, stored.rollup_id))
        return tuple(recomputed), tuple(pending)

    def _record(
        self,
        repo: SupplyChainRepository,
        catalog: Catalog,
        graph: SupplyGraph,
        trace_id: uuid.UUID,
        previous: StoredRollup | None,
    ) -> StoredRollup:
        """Record a roll-up of `trace_id`, unless `previous` is of the same inputs with the same figures."""
        rollup = roll_up(graph, trace_id)
        lifetime = _lifetime(catalog, rollup)
        if previous is not None and commit(inputs_for(graph, trace_id), previous.salt) == previous.record.commitment:
            document = dumps_exact(rollup_document(rollup, lifetime, previous.record.commitment))
            if document == previous.document:
                return previous
        salt = self._salt()
        recorded = record_rollup(graph, trace_id, salt)
        stored = StoredRollup(
            rollup_id=uuid.uuid4(),
            number=previous.number + 1 if previous is not None else 1,
            record=recorded.record,
            salt=salt,
            computed_at=self._clock.now(),
            document=dumps_exact(rollup_document(recorded.rollup, lifetime, recorded.record.commitment)),
        )
        repo.add_rollup(stored)
        logger.info("roll-up %s of part %s recorded (#%d)", stored.rollup_id, trace_id, stored.number)
        return stored

    def rollup(self, trace_id: uuid.UUID) -> StoredRollup:
        """The current roll-up of a part: recomputed from what the node holds now, and recorded anew only if its
        inputs or figures differ from the last recorded one (so asking twice records once).

        Raises:
            PartNotFound: no such part.
            MissingFigures: a purchased part below has no (released) answer yet.
            UnitMismatch: the part is a battery not declared per unit.
        """
        with self._uow() as uow:
            repo = uow.supplychain
            repo.lock()
            catalog = repo.load()
            if trace_id not in catalog.parts:
                raise PartNotFound(str(trace_id))
            previous = repo.latest_rollup(trace_id)
            stored = self._record(repo, catalog, catalog.graph(), trace_id, previous)
            uow.commit()
        self._sync_passports({trace_id})  # idempotent: repairs a passport left behind by a crash after an import
        return stored

    def audit(self, trace_id: uuid.UUID) -> Verification:
        """Re-check the current roll-up of a part from what the node holds: each answer used against the hash it
        had when it arrived and the hash the roll-up recorded, the own inputs against the salted commitment, and
        the figures (as served) by recomputing them.

        Raises:
            PartNotFound: no such part.
        """
        with self._uow(write=False) as uow:
            repo = uow.supplychain
            stored = repo.latest_rollup(trace_id)
            try:
                catalog = repo.load()
                graph = catalog.graph()
            except PassbridgeError as error:
                return Verification(False, (f"the stored inputs do not make a valid supply graph: {error}",))
        if trace_id not in catalog.parts:
            raise PartNotFound(str(trace_id))
        if stored is None:
            return Verification(False, (f"no roll-up of part {trace_id} has been recorded",))
        reasons: list[str] = []
        for ref in stored.record.answers:
            received = catalog.answers.get(ref.answer_id)
            if received is not None and answer_digest(received.answer) != received.sha256:
                reasons.append(f"answer {ref.answer_id} (trade {ref.trade_id}) is not the answer that was received")
        reasons += verify_record(stored.record, inputs_for(graph, trace_id), stored.salt).reasons
        try:
            rollup = roll_up(graph, trace_id)
            served = dumps_exact(rollup_document(rollup, _lifetime(catalog, rollup), stored.record.commitment))
        except PassbridgeError as error:
            reasons.append(f"the roll-up cannot be recomputed: {error}")
        else:
            if served != stored.document:
                reasons.append("the recorded figures differ from the recomputed ones")
        return Verification(not reasons, tuple(dict.fromkeys(reasons)))

    # --- disclosure --------------------------------------------------------------------------------------------

    def answer_for(self, trace_id: uuid.UUID, partner_id: str) -> dict[str, JsonValue]:
        """The answer `partner_id` would get for our part: per-unit figures as far as its ACL releases them (in
        the Ouranos number format), and the counts of our upstream tree; nothing else (`disclosure.py`).

        Raises:
            PartNotFound: no such part.
            InvalidInput: `partner_id` is not a known operator.
            MissingFigures: the part cannot be rolled up yet.
        """
        stored = self.rollup(trace_id)
        with self._uow(write=False) as uow:
            catalog = uow.supplychain.load()
        if partner_id not in catalog.operators:
            raise InvalidInput.at("query.partner", f"unknown operator {partner_id!r}", "references resolve")
        rollup = roll_up(catalog.graph(), trace_id)
        answer_id = uuid.uuid5(_ANSWER_IDS, f"{stored.rollup_id}:{partner_id}")
        acl = catalog.disclosure(partner_id, trace_id)
        return encode_answer(answer_for_customer(rollup, acl, answer_id=answer_id, ouranos=True))

    # --- passport link -----------------------------------------------------------------------------------------

    def sync_passports(self) -> tuple[PassportUpdate, ...]:
        """Bring every linked passport up to date with its battery's current roll-up."""
        return tuple(self._sync_passports(None))

    def _sync_passports(self, only: set[uuid.UUID] | None) -> list[PassportUpdate]:
        with self._uow(write=False) as uow:
            repo = uow.supplychain
            catalog = repo.load()
            batteries = [
                b
                for b in catalog.batteries.values()
                if b.passport_id is not None and (only is None or b.trace_id in only)
            ]
            if not batteries:
                return []
            latest = repo.latest_rollups({b.trace_id for b in batteries})
        graph = catalog.graph()
        return [self._sync_one(catalog, graph, battery, latest.get(battery.trace_id)) for battery in batteries]

    def _sync_one(
        self, catalog: Catalog, graph: SupplyGraph, battery: BatteryInstance, stored: StoredRollup | None
    ) -> PassportUpdate:
        assert battery.passport_id is not None
        pid = battery.passport_id
        if stored is None:
            return PassportUpdate(pid.value, None, f"no roll-up of part {battery.trace_id} yet")
        if commit(inputs_for(graph, battery.trace_id), stored.salt) != stored.record.commitment:
            return PassportUpdate(pid.value, None, f"roll-up {stored.rollup_id} is not of the current inputs")
        try:
            rollup = roll_up(graph, battery.trace_id)
            figures = passport_figures(
                rollup,
                lifetime_intensity(rollup.footprint, battery),
                rollup_id=stored.rollup_id,
                commitment=stored.record.commitment,
                computed_at=stored.computed_at,
            )
            current = self._passports.current(pid)
            content = current.content()
            filled = fill_passport(content, figures)
            if filled == content:
                return PassportUpdate(pid.value, None, "unchanged")
            version = self._passports.add_version(pid, dumps_exact(filled))
        except PassbridgeError as error:
            logger.warning("passport %s not updated from roll-up %s: %s", pid, stored.rollup_id, error)
            return PassportUpdate(pid.value, None, str(error))
        logger.info("passport %s version %d filled from roll-up %s", pid, version.number, stored.rollup_id)
        return PassportUpdate(pid.value, version.number)


__all__ = ["ImportFormat", "ImportReport", "PassportUpdate", "PendingPart", "RecomputedPart", "SupplyChainService"]
