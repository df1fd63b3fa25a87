"""Bulk import: stream documents, validate and sign each, store in batched transactions, resume after a crash.

Layout: `decode_lines` (pure but for the signing time: lines → facts and signature, or reasons), `Batch` /
`BatchOutcome`, `Turns` (who may commit next), `ChunkedLines` (a source that hands out whole batches, e.g. as byte
ranges of a file), `BatchRunner` (how batches are run: `in_process` by default; an edge runs them in worker
processes), `ImportReport` / `LineError`, `BulkImporter` (`stage` a batch anywhere, `store` staged batches,
`import_batch` for both, `run` for a whole source), `StagedBatch`. The clash checks are in `bulk_clashes`.

Two ways to spread batches over worker processes (`cli.parallel`), both storing in source order, so a passport may
name a predecessor from an earlier batch and the checkpoint stays one line number:
- signing: each worker decodes, signs *and commits* its batches, in turns (`Turns`), and only a small outcome
  travels back (shipping signed passports to one writer cost as much CPU as signing them);
- not signing: workers `stage` (validate and encode rows) and the importing process `store`s the portable staged
  batches, a few per transaction. One writer keeps its page cache warm (SQLite drops a connection's cache whenever
  another connection commits) and commits a random-key index page once for several batches.
The `BulkImporter` pickles (storage is reopened from its URL in the worker).

Each transaction (one batch, or a few consecutive ones) also records how many lines of the source are done, so
a crash loses at most the uncommitted batches and a rerun skips exactly what was stored: no duplicates, no gaps. A
line whose passport is already stored with the same bytes counts as `already_stored` (idempotent rerun); a bad line
is reported with its JSON path and the import goes on. Memory stays flat: only the batches in flight are held. A
batch of new passports is inserted without looking each one up first (`add_many_if_new`: the database's unique
indexes and foreign keys check it); only a clash sends it through `bulk_clashes.admit_one_by_one`, passport by
passport, which finds the same refusals either way.
Without a signer, passports are stored unsigned, to be signed later (`passport.backfill`), and each line is tried
first by `admission.admit` (msgspec types compiled from the same model, never more lenient than the schema).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Protocol

from passbridge.clock import Clock
from passbridge.errors import InvalidInput
from passbridge.passport.admission import admit
from passbridge.passport.bulk_clashes import Candidate, Refusal, admit_one_by_one, clean
from passbridge.passport.lifecycle import INITIAL_STATUSES
from passbridge.passport.model import PassportFacts, PassportVersion
from passbridge.passport.ports import EncodedVersions, PassportSigner, UnitOfWork, UnitOfWorkFactory
from passbridge.passport.services import decode_content
from passbridge.passport.signatures import SignedPassport

logger = logging.getLogger(__name__)

BATCH_SIZE = 2_000  # 500,000 passports, 2 workers: ~3 % faster than 1,000 (fewer commits and checkpoint turns)

Reasons = tuple[tuple[str, str], ...]
"""(JSON path, message) pairs explaining why a line was refused."""

DecodedLine = tuple[PassportFacts | None, Reasons, SignedPassport | None]
"""A decoded line: its facts and signature (None when not signing), or None with the reasons (empty: blank line)."""


def decode_lines(
    lines: Sequence[bytes], signer: PassportSigner | None = None, clock: Clock | None = None
) -> list[DecodedLine]:
    """Parse, validate and (with a `signer` and its `clock`) sign each line as version 1; safe in another process.

    Without a signer the parsed document is not needed, so a line first tries `admission.admit` (valid documents
    only: ~42 µs on the benchmark's passports, whose top-level members mostly repeat, where parsing to dicts and
    validating those takes ~92 µs); whatever it does not admit is decided, and its errors worded, the usual way.
    """
    out: list[DecodedLine] = []
    for raw in lines:
        if not raw or raw.isspace():  # (not `strip()`: that copies every line)
            out.append((None, (), None))
            continue
        if signer is None:
            fast = admit(raw)
            if fast is not None and fast.status in INITIAL_STATUSES:
                out.append((fast, (), None))
                continue
        try:
            content, facts = decode_content(raw)
            if facts.status not in INITIAL_STATUSES:
                raise InvalidInput.at(
                    "$.sustainability.status", f"a new passport cannot start as {facts.status.value!r}"
                )
        except InvalidInput as exc:
            out.append((None, tuple((v.path, v.message) for v in exc.violations[:3]), None))
            continue
        signature = None
        if signer is not None and clock is not None:  # the validated tree: its numbers keep their exact values
            signature = signer.sign(content, facts.passport_id, 1, clock.now())
        out.append((facts, (), signature))
    return out


@dataclass(frozen=True, slots=True)
class LineError:
    """Why one line was not stored."""

    line: int
    path: str
    message: str


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive lines of one source: the `number`-th batch of this run (from 0), starting at line `first_line`."""

    source: str
    number: int
    first_line: int
    lines: Sequence[bytes]


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """What committing one batch did."""

    lines: int
    stored: int
    already_stored: int
    errors: tuple[LineError, ...]


class Turns(Protocol):
    """Orders the commits of batches decoded side by side: batch n commits after batch n - 1."""

    def wait(self, number: int) -> None:
        """Block until batch `number` may commit.

        Raises:
            ImportAborted: an earlier batch failed.
        """

    def done(self, number: int) -> None:
        """Batch `number` committed: the next may."""

    def fail(self, number: int) -> None:
        """Batch `number` failed: no later batch may commit."""


class ChunkedLines(ABC):
    """A source that hands out its lines a batch at a time, more cheaply than line by line: e.g. a file whose
    batches are byte ranges that a worker process reads itself, so the lines never pass through a pipe."""

    @abstractmethod
    def chunks(self, skip: int, size: int) -> Iterator[Sequence[bytes]]:
        """The lines after the first `skip`, in consecutive chunks of `size` (the last may be shorter)."""


class InOrder:
    """`Turns` when batches run one after the other anyway."""

    def wait(self, number: int) -> None:
        """Nothing to wait for."""

    def done(self, number: int) -> None:
        """Nothing to release."""

    def fail(self, number: int) -> None:
        """Nothing to stop: the failure propagates."""


BatchRunner = Callable[["BulkImporter", Iterable[Batch]], Iterable[BatchOutcome]]
"""Runs `BulkImporter.import_batch` over batches and yields the outcomes in batch order."""


def in_process(importer: BulkImporter, batches: Iterable[Batch]) -> Iterator[BatchOutcome]:
    """Run the batches here, one after the other."""
    return (importer.import_batch(batch) for batch in batches)


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
        signer: PassportSigner | None = None,
    ) -> None:
        self._uow = uow_factory
        self._clock = clock
        self._batch_size = batch_size
        self._signer = signer

    def resume_point(self, source: str) -> int:
        """Lines of `source` already committed by earlier runs."""
        with self._uow(write=False) as uow:
            return uow.checkpoints.lines_done(source)

    def run(
        self,
        source: str,
        lines: Iterable[bytes] | ChunkedLines,
        progress: Callable[[int], None] | None = None,
        runner: BatchRunner = in_process,
    ) -> ImportReport:
        """Import `lines` (one JSON document each; blank lines are skipped) from `source`.

        `progress` is called with the number of lines handled after each committed batch.
        """
        done = self.resume_point(source)
        report = ImportReport(source, resumed_from=done)
        if isinstance(lines, ChunkedLines):
            chunks = lines.chunks(done, self._batch_size)
        else:
            rest = islice(iter(lines), done, None)
            chunks = iter(lambda: list(islice(rest, self._batch_size)), [])
        for outcome in runner(self, _batches(source, chunks, done + 1)):
            report.stored += outcome.stored
            report.already_stored += outcome.already_stored
            report.errors.extend(outcome.errors)
            if progress:
                progress(outcome.lines)
        logger.info("import %s: %d stored, %d failed", source, report.stored, report.failed)
        return report

    @property
    def signs(self) -> bool:
        """Whether passports are signed as they are imported."""
        return self._signer is not None

    def import_batch(self, batch: Batch, turns: Turns | None = None) -> BatchOutcome:
        """Decode, sign and encode `batch`, then (its turn come) store it in one transaction with the checkpoint."""
        turns = turns or InOrder()
        try:
            staged = self.stage(batch)
            turns.wait(batch.number)
            (outcome,) = self.store([(batch, staged)])
        except BaseException:
            turns.fail(batch.number)  # also when decoding failed: later batches must not wait for a turn forever
            raise
        turns.done(batch.number)
        return outcome

    def stage(self, batch: Batch) -> StagedBatch:
        """Everything about `batch` that needs no transaction: its candidates, refusals, signatures and, when the
        batch alone shows no clash, its rows encoded for storing. Safe in another process."""
        staged = StagedBatch(self._clock.now())
        decoded = decode_lines(batch.lines, self._signer, self._clock)
        for offset, (facts, reasons, signature) in enumerate(decoded):
            line = batch.first_line + offset
            if facts is not None:
                staged.candidates.append((line, facts, batch.lines[offset].rstrip(b"\r\n")))
                if signature is not None:
                    staged.signatures[line] = signature
            else:
                staged.errors.extend(LineError(line, path, message) for path, message in reasons)
        if clean(staged.candidates):
            staged.encoded = self._uow.encode_versions(_versions(staged.candidates, staged.now))
        return staged

    def store(self, staged: Sequence[tuple[Batch, StagedBatch]]) -> list[BatchOutcome]:
        """Store consecutive staged batches, in order, in one transaction with the checkpoint after the last."""
        if not staged:
            return []
        outcomes = []
        with self._uow() as uow:
            for batch, ready in staged:
                outcomes.append(self._store_one(uow, batch, ready))
            last = staged[-1][0]
            uow.checkpoints.record(last.source, last.first_line + len(last.lines) - 1)
            uow.commit()
        return outcomes

    def _store_one(self, uow: UnitOfWork, batch: Batch, staged: StagedBatch) -> BatchOutcome:
        # the usual case, a batch of new passports, costs the database no lookups; a clash anywhere (a rerun, a
        # duplicate) stores nothing of it and the batch is admitted passport by passport
        accepted, already, errors = staged.candidate_lines(), 0, list(staged.errors)
        if staged.encoded is None or not uow.passports.add_many_if_new(staged.encoded):
            if staged.portable_lines is not None:  # candidates left behind in the staging process: stage again here
                staged = self.stage(batch)
                errors = list(staged.errors)
            refused: list[Refusal] = []
            admitted, already = admit_one_by_one(uow, staged.candidates, refused)
            errors.extend(LineError(*refusal) for refusal in refused)
            uow.passports.add_many(_versions(admitted, staged.now))
            accepted = [line for line, _, _ in admitted]
        signatures = staged.signatures
        uow.passports.add_signatures([signatures[line] for line in accepted if line in signatures])
        errors.sort(key=lambda error: error.line)
        return BatchOutcome(len(batch.lines), len(accepted), already, tuple(errors))


@dataclass(slots=True)
class StagedBatch:
    """A batch made ready for storing (`BulkImporter.stage`)."""

    now: datetime
    candidates: list[Candidate] = field(default_factory=list)
    signatures: dict[int, SignedPassport] = field(default_factory=dict)
    errors: list[LineError] = field(default_factory=list)
    encoded: EncodedVersions | None = None
    """The candidates encoded for storing; None when the batch alone shows a clash (see `bulk_clashes.clean`)."""
    portable_lines: list[int] | None = None
    """Set by `portable`, which leaves the candidates behind: their line numbers."""

    def candidate_lines(self) -> list[int]:
        """The line numbers of the candidates, in order."""
        if self.portable_lines is not None:
            return self.portable_lines
        return [line for line, _, _ in self.candidates]

    def portable(self) -> StagedBatch:
        """This batch as another process needs it to store it: without the candidates' facts and documents (the
        encoded rows hold what is stored) unless there are no encoded rows. Why: pickling facts costs as much as
        deciding them; in the rare case of a clash, `BulkImporter.store` stages the batch again where it stores."""
        if self.encoded is None:
            return self
        return StagedBatch(self.now, [], self.signatures, self.errors, self.encoded, self.candidate_lines())


def _batches(source: str, chunks: Iterator[Sequence[bytes]], first_line: int) -> Iterator[Batch]:
    for number, chunk in enumerate(chunks):
        yield Batch(source, number, first_line, chunk)
        first_line += len(chunk)


def _versions(candidates: list[Candidate], now: datetime) -> list[PassportVersion]:
    return [PassportVersion(facts, 1, doc, now) for _, facts, doc in candidates]


__all__ = [
    "BATCH_SIZE",
    "Batch",
    "BatchOutcome",
    "BatchRunner",
    "BulkImporter",
    "ChunkedLines",
    "DecodedLine",
    "ImportReport",
    "InOrder",
    "LineError",
    "StagedBatch",
    "Turns",
    "decode_lines",
    "in_process",
]
