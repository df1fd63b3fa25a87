"""Validate and store now, sign later: `SignatureBackfill` on both databases, in process and in worker processes, and
`passbridge passport import --no-sign` + `passbridge passport sign` as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from passbridge.bootstrap import Services, renderers
from passbridge.cli.app import app
from passbridge.cli.parallel import signing_processes
from passbridge.identity.did import StaticDidResolver
from passbridge.identity.passport_signing import verify_passport
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.passport.access import Role
from passbridge.passport.backfill import SignatureBackfill, in_process
from passbridge.passport.bulk import BulkImporter
from passbridge.passport.model import PassportId
from passbridge.passport.samples import sample_passport, sample_passport_id
from passbridge.passport.services import PassportService
from passbridge.passport.signatures import presentation
from passbridge.passport.views import project


def _import_unsigned(services: Services, count: int) -> dict[tuple[PassportId, int], bytes]:
    """`count` passports imported without signing, and a second version of the first one stored unsigned too."""
    docs = [dumps_exact(sample_passport(n)) for n in range(1, count + 1)]
    report = BulkImporter(services.uow, services.clock, signer=None).run("test:unsigned", docs)
    assert report.stored == count
    second = dumps_exact(sample_passport(1, status="re-used"))
    unsigned = PassportService(services.uow, services.clock, renderers())  # a node without a signer
    unsigned.add_version(PassportId.parse(sample_passport_id(1)), second)
    stored = {(PassportId.parse(sample_passport_id(n)), 1): doc for n, doc in enumerate(docs, start=1)}
    stored[PassportId.parse(sample_passport_id(1)), 2] = second
    return stored


def _assert_signed(services: Services, stored: dict[tuple[PassportId, int], bytes]) -> None:
    resolver = StaticDidResolver([services.identity.document()])
    for (pid, number), doc in stored.items():
        with services.uow(write=False) as uow:
            signature = uow.passports.signature(pid, number)
        assert signature is not None, (pid, number)
        verified = verify_passport(presentation(signature, Role.OWNER), resolver)
        content = loads_exact(doc)
        assert isinstance(content, dict)
        assert verified.version == number
        assert verified.content == project(content, Role.COMMISSION) | {"specVersion": content["specVersion"]}


def test_the_backfill_signs_exactly_the_unsigned_versions_chunk_by_chunk(services: Services) -> None:
    stored = _import_unsigned(services, 7)
    signer = services.passports.signer
    assert signer is not None
    backfill = SignatureBackfill(services.uow, signer, services.clock, chunk_size=3)
    assert backfill.pending() == 8
    done: list[int] = []
    assert backfill.run(progress=done.append, runner=in_process) == 8
    assert done == [3, 3, 2] and backfill.pending() == 0
    _assert_signed(services, stored)
    assert backfill.run() == 0  # a rerun finds nothing left to sign


def test_worker_processes_sign_chunks_side_by_side(services: Services) -> None:
    stored = _import_unsigned(services, 9)
    signer = services.passports.signer
    assert signer is not None
    backfill = SignatureBackfill(services.uow, signer, services.clock, chunk_size=2)
    assert backfill.run(runner=signing_processes(2)) == 10
    assert backfill.pending() == 0
    _assert_signed(services, stored)


def test_import_without_signing_then_sign_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PASSBRIDGE_DATABASE_URL", raising=False)
    runner = CliRunner()
    source = tmp_path / "batch.jsonl"
    source.write_bytes(b"\n".join(dumps_exact(sample_passport(n)) for n in range(1, 4)) + b"\n")
    imported = runner.invoke(app, ["passport", "import", str(source), "--no-sign"])
    assert imported.exit_code == 0 and "stored 3" in imported.stderr
    pid = sample_passport_id(2)
    before = runner.invoke(app, ["passport", "export", pid, "--format", "sd-jwt"])
    assert before.exit_code != 0 and "not signed yet" in before.stderr
    signed = runner.invoke(app, ["passport", "sign"])
    assert signed.exit_code == 0 and "signed 3 versions" in signed.stderr
    after = runner.invoke(app, ["passport", "export", pid, "--format", "sd-jwt"])
    assert after.exit_code == 0 and after.stdout.count("~") > 1  # an SD-JWT with its disclosures
    assert "signed 0 versions" in runner.invoke(app, ["passport", "sign"]).stderr


def test_two_backfills_at_once_keep_the_first_signature_and_count_only_their_own(services: Services) -> None:
    stored = _import_unsigned(services, 4)
    signer = services.passports.signer
    assert signer is not None
    first, second = (SignatureBackfill(services.uow, signer, services.clock, chunk_size=10) for _ in range(2))
    chunk = next(first.chunks())
    assert chunk == next(second.chunks()) and len(chunk) == 5  # both found the same unsigned versions
    assert first.sign(chunk[:2]) == 2
    with services.uow(write=False) as uow:
        kept = uow.passports.signature(*chunk[0])
    assert second.sign(chunk) == 3  # the two signed meanwhile are left as they are; nothing fails
    with services.uow(write=False) as uow:
        assert uow.passports.signature(*chunk[0]) == kept
    assert first.sign(chunk) == 0 and first.pending() == 0
    _assert_signed(services, stored)
