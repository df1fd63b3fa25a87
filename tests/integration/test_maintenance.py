"""`storage.maintenance.vacuum` on both databases, and `passbridge db vacuum` as a user runs it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, create_engine, delete, insert
from typer.testing import CliRunner

from passbridge.bootstrap import Services
from passbridge.cli.app import app
from passbridge.errors import MaintenanceFailed
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.model import PassportId
from passbridge.passport.samples import sample_passport, sample_passport_id
from passbridge.storage.maintenance import vacuum

scratch = Table("scratch", MetaData(), Column("n", Integer, primary_key=True), Column("b", LargeBinary))


def _written_and_deleted(services: Services, mib: int = 20) -> None:
    """`mib` MiB of incompressible bytes written and deleted again: space the database keeps until vacuumed."""
    with services.uow.engine.begin() as connection:
        scratch.create(connection)
        connection.execute(insert(scratch), [{"n": n, "b": os.urandom(64 * 1024)} for n in range(mib * 16)])
    with services.uow.engine.begin() as connection:
        connection.execute(delete(scratch))


def test_vacuum_gives_deleted_space_back_and_keeps_the_data(services: Services) -> None:
    stored = services.passports.create(dumps_exact(sample_passport(1)))
    _written_and_deleted(services)
    report = vacuum(services.uow.engine)
    assert report.backend == services.uow.engine.dialect.name
    assert report.bytes_before - report.bytes_after > 15 * 2**20, report
    passport_id = PassportId.parse(sample_passport_id(1))
    assert services.passports.current(passport_id).document == stored.document


def test_vacuum_of_a_busy_database_fails_naming_the_reason_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    with sqlite3.connect(path) as setup:
        setup.execute("CREATE TABLE t (b BLOB)")
        setup.executemany("INSERT INTO t VALUES (?)", [(os.urandom(4096),) for _ in range(256)])
        setup.execute("DELETE FROM t")
    size = path.stat().st_size
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.1, "isolation_level": None})
    try:
        with pytest.raises(MaintenanceFailed, match="VACUUM failed: database is locked"):
            vacuum(engine)
    finally:
        writer.rollback()
        writer.close()
        engine.dispose()
    assert path.stat().st_size == size


def test_db_vacuum_command_prints_the_sizes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PASSBRIDGE_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["db", "vacuum", "--data-dir", str(tmp_path / "node")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("sqlite: ") and " MiB -> " in result.output
