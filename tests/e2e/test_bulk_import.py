"""Bulk import's engine on both databases: worker processes that validate, sign and commit in source order, the
turn-taking between them, workers that only stage for this process to store (without signing), and what crosses
between the processes (pickled importer, facts, signatures, portable staged batches)."""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from passbridge.bootstrap import Services
from passbridge.cli.parallel import GROUP, NONE_FAILED, ProcessTurns, in_worker_processes
from passbridge.errors import ImportAborted
from passbridge.identity.did import StaticDidResolver
from passbridge.identity.passport_signing import verify_passport
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.passport.access import Role
from passbridge.passport.bulk import Batch, BulkImporter, StagedBatch, decode_lines
from passbridge.passport.model import PassportId
from passbridge.passport.ports import PassportSigner
from passbridge.passport.samples import sample_passport, sample_passport_id
from passbridge.passport.services import decode_content
from passbridge.passport.signatures import SignedPassport, presentation
from passbridge.passport.views import project


def _lines(count: int) -> list[bytes]:
    """`count` passports; every third one is the repurposed successor of the passport just before it."""
    docs: list[bytes] = []
    for n in range(1, count + 1):
        if n % 3 == 0:
            docs.append(dumps_exact(sample_passport(n, status="repurposed", predecessor=sample_passport_id(n - 1))))
        else:
            docs.append(dumps_exact(sample_passport(n)))
    return docs


def test_worker_processes_commit_in_source_order_and_sign_every_passport(services: Services) -> None:
    lines = _lines(12)
    importer = BulkImporter(services.uow, services.clock, batch_size=2, signer=services.passports.signer)
    done: list[int] = []
    report = importer.run("test:ordered", lines, progress=done.append, runner=in_worker_processes(2))
    # passports 3 and 9 name a predecessor from the batch before theirs (6 and 12 from their own): committed first
    assert (report.stored, report.failed, report.errors) == (12, 0, [])
    assert done == [2] * 6 and importer.resume_point("test:ordered") == 12
    resolver = StaticDidResolver([services.identity.document()])
    for n in (1, 6, 12):
        pid = PassportId.parse(sample_passport_id(n))
        with services.uow(write=False) as uow:
            signature = uow.passports.signature(pid, 1)
        assert signature is not None
        verified = verify_passport(presentation(signature, Role.OWNER), resolver)
        stored = loads_exact(lines[n - 1])
        assert isinstance(stored, dict)
        assert verified.content == project(stored, Role.COMMISSION) | {"specVersion": stored["specVersion"]}
    again = importer.run("test:ordered", lines, runner=in_worker_processes(2))
    assert (again.resumed_from, again.stored) == (12, 0)


def test_unsigned_workers_stage_and_this_process_stores_in_source_order(services: Services) -> None:
    lines = _lines(14)
    importer = BulkImporter(services.uow, services.clock, batch_size=2)
    done: list[int] = []
    report = importer.run("test:staged", lines, progress=done.append, runner=in_worker_processes(2))
    # 7 batches stored GROUP at a time; passports 3 and 9 name a predecessor from the batch before theirs
    assert (report.stored, report.failed, report.errors) == (14, 0, [])
    assert done == [2] * 7 and importer.resume_point("test:staged") == 14
    with services.uow(write=False) as uow:
        for n in (1, 3, 9, 14):
            version = uow.passports.version(PassportId.parse(sample_passport_id(n)), 1)
            assert version.document == lines[n - 1]
        assert [p.value for p in version.facts.predecessors] == []  # passport 14, an original
        successor = uow.passports.version(PassportId.parse(sample_passport_id(9)), 1)
        assert [p.value for p in successor.facts.predecessors] == [sample_passport_id(8)]
        assert uow.passports.signature(PassportId.parse(sample_passport_id(1)), 1) is None  # to be signed later


def test_a_portable_staged_batch_carries_rows_not_facts_and_is_staged_again_on_a_clash(services: Services) -> None:
    importer = BulkImporter(services.uow, services.clock)
    batch = Batch("test:portable", 0, 1, _lines(3))

    def shipped(staged: StagedBatch) -> StagedBatch:
        wire = pickle.dumps(staged.portable())
        assert b"PassportFacts" not in wire  # the facts stay where they were decided
        portable: StagedBatch = pickle.loads(wire)
        return portable

    first = shipped(importer.stage(batch))
    assert (first.candidates, first.candidate_lines()) == ([], [1, 2, 3])
    assert importer.store([(batch, first)])[0].stored == 3
    (again,) = importer.store([(batch, shipped(importer.stage(batch)))])  # a rerun: everything clashes
    assert (again.stored, again.already_stored, again.errors) == (0, 3, ())
    changed = sample_passport(1)  # passport 1 again, with other content
    changed["identification"]["chemistry"] = "Lithium Iron Phosphate (LFP)"
    clash = Batch("test:portable", 1, 4, [dumps_exact(changed), dumps_exact(sample_passport(4))])
    (refused,) = importer.store([(clash, shipped(importer.stage(clash)))])
    assert refused.stored == 1
    assert [(e.line, e.path) for e in refused.errors] == [(4, "$.metadata.passportIdentifier")]
    assert importer.resume_point("test:portable") == 5
    assert importer.store([]) == []  # nothing staged: no transaction, the checkpoint stays
    assert importer.resume_point("test:portable") == 5


class _FailingStage(BulkImporter):
    """Stages like the node, but breaks down on one batch (picklable: it runs in the workers)."""

    def stage(self, batch: Batch) -> StagedBatch:
        if batch.number == GROUP + 1:
            raise RuntimeError("the disk with the source went away")
        return super().stage(batch)


def test_a_failed_staging_stops_the_run_after_the_batches_before_it_are_stored(services: Services) -> None:
    importer = _FailingStage(services.uow, services.clock, batch_size=2)
    with pytest.raises(RuntimeError, match="went away"):
        importer.run("test:staging", _lines(4 * GROUP), runner=in_worker_processes(2))
    stored = 2 * (GROUP + 1)  # the first group and the batch before the failed one, which began the next group
    assert importer.resume_point("test:staging") == stored
    with services.uow(write=False) as uow:
        assert uow.passports.existing([PassportId.parse(sample_passport_id(stored))])
        assert not uow.passports.existing([PassportId.parse(sample_passport_id(stored + 1))])
    report = BulkImporter(services.uow, services.clock, batch_size=2).run(
        "test:staging", _lines(4 * GROUP), runner=in_worker_processes(2)
    )
    assert (report.resumed_from, report.stored, report.already_stored) == (stored, 4 * GROUP - stored, 0)


@pytest.mark.parametrize("sign", [True, False], ids=["signed", "unsigned (fast route)"])
def test_a_rerun_from_scratch_counts_what_is_stored_and_reports_bad_lines_in_order(
    services: Services, sign: bool
) -> None:
    lines = _lines(6)
    bad = sample_passport(7)
    bad["sustainability"]["status"] = "waste"
    undated = sample_passport(8)
    undated["metadata"]["issueDate"] = "2024-01-01 10:00:00Z"  # the fast route refuses it; the schema words why
    lines[4:4] = [b"{broken", dumps_exact(bad), dumps_exact(undated)]
    importer = BulkImporter(
        services.uow, services.clock, batch_size=3, signer=services.passports.signer if sign else None
    )
    first = importer.run("test:first", lines, runner=in_worker_processes(2))
    assert (first.stored, first.failed) == (6, 3)
    assert [e.line for e in first.errors] == sorted(e.line for e in first.errors)
    assert sorted({(e.line, e.path) for e in first.errors}) == [  # (a line may fail one path twice: pattern, format)
        (5, "$"),
        (6, "$.sustainability.status"),
        (7, "$.metadata.issueDate"),
    ]
    second = importer.run("test:second", lines, runner=in_worker_processes(2))  # another source key: no resume
    assert (second.stored, second.already_stored, second.failed) == (0, 6, 3)


def _turns() -> ProcessTurns:
    context = multiprocessing.get_context("spawn")
    return ProcessTurns(context.Condition(), context.Value("q", 0), context.Value("q", NONE_FAILED))


def test_an_aborted_turn_stops_later_batches_and_stores_nothing_of_them(services: Services) -> None:
    turns = _turns()
    importer = BulkImporter(services.uow, services.clock, batch_size=2)
    assert importer.import_batch(Batch("test:abort", 0, 1, _lines(2)), turns).stored == 2
    turns.fail(1)  # batch 1 failed in another worker
    with pytest.raises(ImportAborted, match="batch 1 failed"):
        importer.import_batch(Batch("test:abort", 2, 5, [dumps_exact(sample_passport(5))]), turns)
    assert importer.resume_point("test:abort") == 2
    with services.uow(write=False) as uow:
        assert not uow.passports.existing([PassportId.parse(sample_passport_id(5))])


def test_a_failure_stops_only_the_batches_after_it() -> None:
    turns = _turns()
    turns.fail(2)  # batch 2 failed while batches 0 and 1 were still being decoded: they still commit, in order
    for number in (0, 1):
        turns.wait(number)
        turns.done(number)
    with pytest.raises(ImportAborted):
        turns.wait(3)


class _FailingSigner:
    """Signs like the node, but breaks down on one passport (picklable: it runs in the workers)."""

    def __init__(self, signer: PassportSigner, broken: str) -> None:
        self._signer, self._broken = signer, broken

    def sign(self, content: Any, passport_id: PassportId, number: int, signed_at: datetime) -> SignedPassport:
        if passport_id.value == self._broken:
            raise RuntimeError("the signing key is unavailable")
        return self._signer.sign(content, passport_id, number, signed_at)


def test_a_batch_that_fails_before_its_commit_stops_the_run_without_a_hang(services: Services) -> None:
    signer = services.passports.signer
    assert signer is not None
    broken = _FailingSigner(signer, sample_passport_id(5))
    importer = BulkImporter(services.uow, services.clock, batch_size=2, signer=broken)
    with pytest.raises(RuntimeError, match="signing key is unavailable"):
        importer.run("test:failing", _lines(12), runner=in_worker_processes(2))
    assert importer.resume_point("test:failing") == 4  # batches 0 and 1; nothing after the failed batch 2
    with services.uow(write=False) as uow:
        later = [PassportId.parse(sample_passport_id(n)) for n in range(5, 13)]
        assert not uow.passports.existing(later)


def test_a_batch_waits_for_the_one_before_it() -> None:
    turns = _turns()
    order: list[int] = []

    def commit(number: int) -> None:
        turns.wait(number)
        order.append(number)
        turns.done(number)

    later = [threading.Thread(target=commit, args=(n,)) for n in (3, 2, 1)]
    for thread in later:
        thread.start()
    commit(0)
    for thread in later:
        thread.join(timeout=10)
    assert order == [0, 1, 2, 3]


def test_the_importer_and_what_workers_send_back_survive_pickling(services: Services) -> None:
    storage = pickle.loads(pickle.dumps(services.uow))  # what a worker gets: the same database, opened anew
    try:
        importer = BulkImporter(storage, services.clock, batch_size=1, signer=services.passports.signer)
        importer.run("test:pickled", [dumps_exact(sample_passport(1))])
        assert BulkImporter(services.uow, services.clock).resume_point("test:pickled") == 1
    finally:
        storage.engine.dispose()
    decoded = decode_lines([dumps_exact(sample_passport(1))], services.passports.signer, services.clock)
    assert pickle.loads(pickle.dumps(decoded)) == decoded


def _with_number(digits: str) -> bytes:
    doc = sample_passport(1)
    doc["characteristics"]["physicalDimension"]["weight"]["value"] = Decimal(digits)
    return dumps_exact(doc)


@pytest.mark.parametrize(("digits", "exact"), [("123.10", False), ("0.1234567890123456789", True)])
def test_signing_from_the_validated_tree_keeps_every_value(services: Services, digits: str, exact: bool) -> None:
    raw = _with_number(digits)
    content, facts = decode_content(raw)
    number: Any = content["characteristics"]["physicalDimension"]["weight"]["value"]  # type: ignore[call-overload, index]
    assert isinstance(number, Decimal) is exact  # binary64 only when every number has at most 15 digits
    assert services.passports.signer is not None
    signature = services.passports.signer.sign(content, facts.passport_id, 1, services.clock.now())
    verified = verify_passport(presentation(signature, Role.OWNER), StaticDidResolver([services.identity.document()]))
    signed: Any = verified.content["characteristics"]
    assert signed["physicalDimension"]["weight"]["value"] == Decimal(digits)
