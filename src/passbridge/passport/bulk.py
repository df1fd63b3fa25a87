"""Bulk import: stream documents, validate and sign each, store in batched transactions, resume after a crash.

Layout: `decode_lines` (pure but for the signing time: one batch of lines → facts and signature, or reasons;
picklable so an edge may run it in worker processes), `BatchDecoder` (how batches are mapped: in-process `map` by
default), `ImportReport` / `LineError`, `BulkImporter.run(source, lines)`.

Signing happens where validation does (in the workers, with a picklable `PassportSigner`), so the single writer only
stores: each signature costs a parse with exact numbers and an Ed25519 signature, more than validation itself.

Each batch is one transaction that also records how many lines of the source are done, so a crash loses at most
the uncommitted batch and a rerun skips exactly what was stored: no duplicates, no gaps. A line whose passport is
already stored with the same bytes counts as `already_stored` (idempotent rerun); a bad line is reported with its
JSON path and the import goes on. Memory stays flat: only the batches in flight are held.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import islice

from passbridge.clock import Clock
from passbridge.errors import InvalidInput
from passbridge.jsoncodec import loads_exact
from passbridge.passport.lifecycle import INITIAL_STATUSES, SUCCESSOR_STATUSES
from passbridge.passport.model import PassportFacts, PassportId, PassportVersion
from passbridge.passport.ports import PassportSigner, UnitOfWork, UnitOfWorkFactory
from passbridge.passport.services import decode_document
from passbridge.passport.signatures import SignedPassport

logger = logging.getLogger(__name__)

BATCH_SIZE = 1_000

Reasons = tuple[tuple[str, str], ...]
"""(JSON path, message) pairs explaining why a line was refused."""

DecodedLine = tuple[PassportFacts | None, Reasons, SignedPassport | None]
"""A decoded line: its facts and signature (None when not signing), or None with the reasons (empty: blank line)."""

LineDecoder = Callable[[Sequence[bytes]], list[DecodedLine]]
BatchDecoder = Callable[[LineDecoder, Iterable[Sequence[bytes]]], Iterable[list[DecodedLine]]]
"""Maps a line decoder over batches, in order (`map`, or a bounded process-pool map)."""


def decode_lines(
    lines: Sequence[bytes], signer: PassportSigner | None = None, clock: Clock | None = None
) -> list[DecodedLine]:
    """Parse, validate and (with a `signer` and its `clock`) sign each line as version 1; safe in another process."""
    out: list[DecodedLine] = []
    for raw in lines:
        if not raw.strip():
            out.append((None, (), None))
            continue
        try:
            facts = decode_document(raw)
            if facts.status not in INITIAL_STATUSES:
                raise InvalidInput.at(
                    "$.sustainability.status", f"a new passport cannot start as {facts.status.value!r}"
                )
        except InvalidInput as exc:
            out.append((None, tuple((v.path, v.message) for v in exc.violations[:3]), None))
            continue
        signature = None
        if signer is not None and clock is not None:
            content = loads_exact(raw)
            assert isinstance(content, dict)  # validated above
            signature = signer.sign(content, facts.passport_id, 1, clock.now())
        out.append((facts, (), signature))
    return out


def sequential(decode: LineDecoder, batches: Iterable[Sequence[bytes]]) -> Iterator[list[DecodedLine]]:
    """Decode in this process."""
    return map(decode, batches)


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
        return len({error.line for error in self.errors})


class BulkImporter:
    """Streams documents into the passport store."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        batch_size: int = BATCH_SIZE,
        decoder: BatchDecoder = sequential,
        signer: PassportSigner | None = None,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._batch_size = batch_size
        self._decoder = decoder
        self._signer = signer

    def resume_point(self, source: str) -> int:
        """Lines of `source` already committed by earlier runs."""
        with self._uow(write=False) as uow:
            return uow.checkpoints.lines_done(source)

    def run(self, source: str, lines: Iterable[bytes], progress: Callable[[int], None] | None = None) -> ImportReport:
        """Import `lines` (one JSON document each; blank lines are skipped) from `source`.

        `progress` is called with the number of lines handled after each committed batch.
        """
        done = self.resume_point(source)
        report = ImportReport(source, resumed_from=done)
        remaining = islice(iter(lines), done, None)
        batches = iter(lambda: list(islice(remaining, self._batch_size)), [])
        raw_batches: list[list[bytes]] = []

        def remember(batches: Iterator[list[bytes]]) -> Iterator[list[bytes]]:
            for batch in batches:
                raw_batches.append(batch)
                yield batch

        first_line = done + 1
        decode: LineDecoder = partial(decode_lines, signer=self._signer, clock=self._clock)
        for decoded in self._decoder(decode, remember(batches)):
            raw = raw_batches.pop(0)
            self._commit(source, first_line, raw, decoded, report)
            first_line += len(raw)
            if progress:
                progress(len(raw))
        logger.info("import %s: %d stored, %d failed", source, report.stored, report.failed)
        return report

    def _commit(
        self, source: str, first_line: int, raw: list[bytes], decoded: list[DecodedLine], report: ImportReport
    ) -> None:
        candidates: list[tuple[int, PassportFacts, bytes]] = []
        signatures: dict[int, SignedPassport] = {}
        for offset, (facts, reasons, signature) in enumerate(decoded):
            if facts is not None:
                candidates.append((first_line + offset, facts, raw[offset].rstrip(b"\r\n")))
                if signature is not None:
                    signatures[first_line + offset] = signature
            else:
                report.errors.extend(LineError(first_line + offset, path, message) for path, message in reasons)
        with self._uow() as uow:
            accepted = _admit(uow, candidates, report)
            now = self._clock.now()
            uow.passports.add_many([PassportVersion(facts, 1, doc, now) for _, facts, doc in accepted])
            uow.passports.add_signatures([signatures[line] for line, _, _ in accepted if line in signatures])
            uow.checkpoints.record(source, first_line + len(raw) - 1)
            uow.commit()
        report.stored += len(accepted)


def _admit(
    uow: UnitOfWork, candidates: list[tuple[int, PassportFacts, bytes]], report: ImportReport
) -> list[tuple[int, PassportFacts, bytes]]:
    repo = uow.passports
    existing = repo.existing(facts.passport_id for _, facts, _ in candidates)
    holders = repo.battery_id_holders(facts.battery_id for _, facts, _ in candidates)
    linked = {p for _, facts, _ in candidates for p in facts.predecessors}
    known: set[PassportId] = set(repo.existing(linked)) if linked else set()
    seen_ids: set[PassportId] = set()
    seen_batteries: set[str] = set()
    accepted: list[tuple[int, PassportFacts, bytes]] = []
    for line, facts, doc in candidates:
        pid = facts.passport_id
        if pid in existing and repo.version(pid, 1).document == doc:
            report.already_stored += 1
            continue
        problem = _refusal(facts, existing, holders, known, seen_ids, seen_batteries)
        if problem is not None:
            report.errors.append(LineError(line, *problem))
            continue
        accepted.append((line, facts, doc))
        seen_ids.add(pid)
        seen_batteries.add(facts.battery_id)
        known.add(pid)
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


__all__ = [
    "BATCH_SIZE",
    "BatchDecoder",
    "BulkImporter",
    "DecodedLine",
    "ImportReport",
    "LineDecoder",
    "LineError",
    "decode_lines",
    "sequential",
]
