"""Sign the passport versions that have no signature yet: those stored before this node signed passports, and those
of a bulk import run without signing (``passport import --no-sign``: validate and store first, sign later).

Layout: `VersionKey` · `SignatureBackfill` (`pending`, `chunks` of unsigned versions, `sign` one chunk, `run` them
all through a `ChunkRunner`) · `in_process`.

A chunk is read in one read-only transaction, signed outside any transaction (so no writer waits while ~1,000
signatures are computed) and stored in one write transaction: a crash loses at most the chunks in flight, and a
rerun finds exactly the versions still unsigned. Chunks are independent, so a runner may sign them in any order
and side by side. Two backfills may run at once (two `passbridge passport sign`): they sign the same versions, the
first to store a version's signature keeps it, and each counts only the signatures it stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from passbridge.clock import Clock
from passbridge.passport.model import PassportId
from passbridge.passport.ports import PassportSigner, UnitOfWorkFactory
from passbridge.passport.services import parse_document

CHUNK_SIZE = 1_000

VersionKey = tuple[PassportId, int]
"""(passport, version number)."""

ChunkRunner = Callable[["SignatureBackfill", Iterable[Sequence[VersionKey]]], Iterable[int]]
"""Runs `SignatureBackfill.sign` over chunks and yields how many each signed (in any order)."""


def in_process(backfill: SignatureBackfill, chunks: Iterable[Sequence[VersionKey]]) -> Iterator[int]:
    """Sign the chunks here, one after the other."""
    return (backfill.sign(chunk) for chunk in chunks)


class SignatureBackfill:
    """Signs stored versions that lack a signature, as the node's signer (picklable: runners may use processes)."""

    def __init__(
        self, uow_factory: UnitOfWorkFactory, signer: PassportSigner, clock: Clock, chunk_size: int = CHUNK_SIZE
    ) -> None:
        self._uow, self._signer, self._clock, self._chunk_size = uow_factory, signer, clock, chunk_size

    def pending(self) -> int:
        """Versions without a signature."""
        with self._uow(write=False) as uow:
            return uow.passports.count_unsigned()

    def chunks(self) -> Iterator[list[VersionKey]]:
        """The unsigned versions, `chunk_size` at a time, in (passport, number) order."""
        after: VersionKey | None = None
        while True:
            with self._uow(write=False) as uow:
                chunk = list(uow.passports.unsigned_versions(after, self._chunk_size))
            if not chunk:
                return
            yield chunk
            after = chunk[-1]

    def sign(self, keys: Sequence[VersionKey]) -> int:
        """Sign these versions and store their signatures in one transaction, but for versions signed meanwhile;
        returns how many were stored."""
        with self._uow(write=False) as uow:
            documents = uow.passports.documents(keys)
        now = self._clock.now()
        # stored documents were validated when stored: parsed as when they came in (`decode_content`), not checked
        signatures = [
            self._signer.sign(parse_document(raw), pid, number, now) for (pid, number), raw in documents.items()
        ]
        with self._uow() as uow:
            stored = uow.passports.add_missing_signatures(signatures)
            uow.commit()
        return stored

    def run(self, progress: Callable[[int], None] | None = None, runner: ChunkRunner = in_process) -> int:
        """Sign every unsigned version; `progress` is called with the number signed after each chunk."""
        signed = 0
        for count in runner(self, self.chunks()):
            signed += count
            if progress:
                progress(count)
        return signed


__all__ = ["CHUNK_SIZE", "ChunkRunner", "SignatureBackfill", "VersionKey", "in_process"]
