"""Bulk import: stream documents, validate each, store in batched transactions, resume after a crash.

Layout: `ImportReport` / `LineError` (what happened, per line), `BulkImporter.run(source, lines)`.

Each batch is one transaction that also records how many lines of the source are done, so a crash loses at most
the uncommitted batch and a rerun skips exactly what was stored: no duplicates, no gaps. A line whose passport is
already stored with the same bytes counts as `already_stored` (idempotent rerun); a bad line is reported with its
JSON path and the import goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from passbridge.clock import Clock
from passbridge.errors import InvalidInput
from passbridge.passport.lifecycle import INITIAL_STATUSES, SUCCESSOR_STATUSES
from passbridge.passport.model import PassportFacts, PassportId, PassportVersion
from passbridge.passport.ports import UnitOfWork, UnitOfWorkFactory
from passbridge.passport.services import decode_document

logger = logging.getLogger(__name__)

BATCH_SIZE = 2_000


@dataclass(frozen=True, slots=True)
class LineError:
    """Why one line was not stored."""

    line: int
    path: str
    message: str


@dataclass(slots=True)
class ImportReport:
    """Outcome of one import run."""

    source: str
    resumed_from: int = 0
    stored: int = 0
    already_stored: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Lines refused."""
        return len(self.errors)


@dataclass(slots=True)
class _Batch:
    first_line: int
    candidates: list[tuple[int, PassportFacts, bytes]] = field(default_factory=list)
    lines: int = 0


class BulkImporter:
    """Streams documents into the passport store."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, batch_size: int = BATCH_SIZE) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._batch_size = batch_size

    def resume_point(self, source: str) -> int:
        """Lines of `source` already committed by earlier runs."""
        with self._uow(write=False) as uow:
            return uow.checkpoints.lines_done(source)

    def run(self, source: str, lines: Iterable[bytes], progress: Callable[[int], None] | None = None) -> ImportReport:
        """Import `lines` (one JSON document each; blank lines are skipped) from `source`.

        `progress` is called with the number of lines handled after each batch.
        """
        done = self.resume_point(source)
        report = ImportReport(source, resumed_from=done)
        batch = _Batch(first_line=done + 1)
        for number, raw in enumerate(lines, start=1):
            if number <= done:
                continue
            batch.lines += 1
            if raw.strip():
                try:
                    batch.candidates.append((number, self._decode(raw), raw))
                except InvalidInput as exc:
                    report.errors.extend(LineError(number, v.path, v.message) for v in exc.violations[:3])
            if batch.lines >= self._batch_size:
                self._commit(source, number, batch, report)
                if progress:
                    progress(batch.lines)
                batch = _Batch(first_line=number + 1)
        if batch.lines:
            self._commit(source, batch.first_line + batch.lines - 1, batch, report)
            if progress:
                progress(batch.lines)
        logger.info("import %s: %d stored, %d failed", source, report.stored, report.failed)
        return report

    @staticmethod
    def _decode(raw: bytes) -> PassportFacts:
        facts = decode_document(raw)
        if facts.status not in INITIAL_STATUSES:
            raise InvalidInput.at("$.sustainability.status", f"a new passport cannot start as {facts.status.value!r}")
        return facts

    def _commit(self, source: str, last_line: int, batch: _Batch, report: ImportReport) -> None:
        with self._uow() as uow:
            accepted = self._admit(uow, batch, report)
            now = self._clock.now()
            uow.passports.add_many([PassportVersion(facts, 1, raw, now) for _, facts, raw in accepted])
            uow.checkpoints.record(source, last_line)
            uow.commit()
        report.stored += len(accepted)

    @staticmethod
    def _admit(uow: UnitOfWork, batch: _Batch, report: ImportReport) -> list[tuple[int, PassportFacts, bytes]]:
        repo = uow.passports
        existing = repo.existing(facts.passport_id for _, facts, _ in batch.candidates)
        holders = repo.battery_id_holders(facts.battery_id for _, facts, _ in batch.candidates)
        linked = {p for _, facts, _ in batch.candidates for p in facts.predecessors}
        known: set[PassportId] = set(repo.existing(linked))
        seen_ids: set[PassportId] = set()
        seen_batteries: set[str] = set()
        accepted: list[tuple[int, PassportFacts, bytes]] = []
        for line, facts, raw in batch.candidates:
            pid = facts.passport_id
            if pid in existing and repo.version(pid, 1).document == raw:
                report.already_stored += 1
                continue
            problem = _refusal(facts, existing, holders, known, seen_ids, seen_batteries)
            if problem is not None:
                report.errors.append(LineError(line, *problem))
            else:
                accepted.append((line, facts, raw))
                seen_ids.add(facts.passport_id)
                seen_batteries.add(facts.battery_id)
                known.add(facts.passport_id)
        return accepted


def _refusal(
    facts: PassportFacts,
    existing: Mapping[PassportId, object],
    holders: Mapping[str, PassportId],
    known: set[PassportId],
    seen_ids: set[PassportId],
    seen_batteries: set[str],
) -> tuple[str, str] | None:
    """None to accept, else (JSON path, reason)."""
    pid = facts.passport_id
    if pid in existing:
        return "$.metadata.passportIdentifier", f"passport {pid} already exists with other content"
    if pid in seen_ids:
        return "$.metadata.passportIdentifier", f"passport {pid} appears twice in this import"
    holder = holders.get(facts.battery_id)
    if (holder is not None and holder != pid) or facts.battery_id in seen_batteries:
        return "$.identification.idDmc", f"{facts.battery_id!r} is already used by another passport"
    missing = [p for p in facts.predecessors if p not in known]
    if missing:
        return "$.metadata.predecessor", f"predecessor passport {missing[0]} does not exist"
    if facts.status in SUCCESSOR_STATUSES and not facts.predecessors:
        return "$.metadata.predecessor", "a repurposed or remanufactured battery needs its original's passport"
    return None


__all__ = ["BATCH_SIZE", "BulkImporter", "ImportReport", "LineError"]
