"""Storage on SQLite and PostgreSQL: migrations equal the tables, each state change is one transaction."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import column, func, select, table, text

from passbridge.bootstrap import Services
from passbridge.errors import DuplicatePassport, PassportNotFound
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.model import PassportId
from passbridge.passport.samples import sample_passport, sample_passport_id
from passbridge.storage.engine import make_engine
from passbridge.storage.migrate import alembic_config, upgrade
from passbridge.storage.tables import LZ4_TAG, JsonDocument, metadata, passport_versions, passports
from tests.conftest import fresh_postgres


def test_migrations_create_exactly_the_declared_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)  # idempotent
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(make_services) -> None:  # type: ignore[no-untyped-def]
    services = make_services()
    with services.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_version_is_stored_with_its_head_in_one_transaction(services: Services) -> None:
    version = services.passports.create(dumps_exact(sample_passport(1)))
    with services.uow(write=False) as uow:
        head = uow.passports.get(version.passport_id)
        stored = uow.passports.version(version.passport_id, 1)
    assert head.current_version == 1 and head.battery_id == version.facts.battery_id
    assert stored.document == version.document and stored.facts == version.facts
    assert stored.recorded_at == version.recorded_at


def test_uncommitted_work_is_rolled_back(services: Services) -> None:
    version = services.passports.create(dumps_exact(sample_passport(1)))
    other = replace(version, facts=replace(version.facts, passport_id=PassportId.new(), battery_id="OTHER-1"))
    with services.uow() as uow:
        uow.passports.add(other)
        # leaving without commit: nothing of it may remain
    with services.uow(write=False) as uow:
        assert uow.passports.find(other.passport_id) is None


def test_a_failing_transaction_leaves_nothing_half_written(services: Services) -> None:
    first = services.passports.create(dumps_exact(sample_passport(1)))
    fresh = replace(first, facts=replace(first.facts, passport_id=PassportId.new(), battery_id="FRESH-1"))
    with pytest.raises(Exception), services.uow() as uow:  # noqa: B017 - the backend's integrity error
        uow.passports.add_many([fresh, first])  # `first` exists: the whole batch must fail
        uow.commit()
    with services.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(passports)).scalar_one() == 1
        assert connection.execute(select(func.count()).select_from(passport_versions)).scalar_one() == 1


def test_duplicates_and_missing_passports_are_domain_errors(services: Services) -> None:
    services.passports.create(dumps_exact(sample_passport(1)))
    with pytest.raises(DuplicatePassport):
        services.passports.create(dumps_exact(sample_passport(1)))
    with pytest.raises(PassportNotFound):
        services.passports.head(PassportId.new())


def test_a_reader_sees_a_version_written_by_another_process(make_services, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from passbridge.passport.access import Role

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    reader, writer = make_services(url), make_services(url)  # two workers on one database file
    version = writer.passports.create(dumps_exact(sample_passport(1)))
    first = reader.passports.read(version.passport_id, Role.ANONYMOUS, "catenax-6.1.0")
    assert reader.passports.read(version.passport_id, Role.ANONYMOUS, "catenax-6.1.0") is first  # cached
    writer.passports.add_version(version.passport_id, dumps_exact(sample_passport(1, status="re-used")))
    second = reader.passports.read(version.passport_id, Role.OWNER, "catenax-6.1.0")
    assert second.version == 2
    assert reader.passports.read(version.passport_id, Role.ANONYMOUS, "catenax-6.1.0").version == 2


@pytest.mark.postgres
def test_postgresql_compresses_passport_documents_and_signatures_with_lz4(make_services) -> None:  # type: ignore[no-untyped-def]
    services = make_services(fresh_postgres())
    with services.uow.engine.connect() as connection:
        methods = connection.exec_driver_sql(
            "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
        ).scalar()
        if methods is None or "lz4" not in methods:  # PostgreSQL < 14 or built without lz4: 0009 leaves pglz
            if os.environ.get("PASSBRIDGE_REQUIRE_POSTGRES"):
                pytest.fail("CI's PostgreSQL (Debian's packages) must have lz4")
            pytest.skip("this PostgreSQL has no lz4")
        compression = dict(
            connection.exec_driver_sql(
                "SELECT attrelid::regclass::text || '.' || attname, attcompression FROM pg_attribute "
                "WHERE (attrelid = 'passport_versions'::regclass AND attname = 'document') "
                "OR (attrelid = 'passport_signatures'::regclass AND attname IN ('jwt', 'disclosures'))"
            ).all()
        )
    assert compression == {
        "passport_versions.document": "l",
        "passport_signatures.jwt": "l",
        "passport_signatures.disclosures": "l",
    }
    raw = dumps_exact(sample_passport(1))
    created = services.passports.create(raw)
    with services.uow(write=False) as uow:
        assert uow.passports.version(created.passport_id, 1).document == raw  # compressed, read back exactly


def test_sqlite_stores_passport_documents_lz4_compressed_and_reads_them_back_exactly(sqlite_services: Services) -> None:
    raw = dumps_exact(sample_passport(1))
    created = sqlite_services.passports.create(raw)
    with sqlite_services.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT document FROM passport_versions").scalar_one()
    assert stored[:1] == LZ4_TAG and len(stored) < len(raw) / 2
    with sqlite_services.uow(write=False) as uow:
        assert uow.passports.version(created.passport_id, 1).document == raw


def test_migration_0010_compresses_stored_sqlite_documents_and_its_downgrade_restores_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0009")  # a node from before 0010, with documents stored as they came
    docs = {f"00000000-0000-4000-8000-{n:012d}": dumps_exact(sample_passport(n)) for n in range(1, 1_203)}
    with engine.begin() as connection:
        for pid, doc in docs.items():
            connection.exec_driver_sql(
                "INSERT INTO passports (passport_id, battery_id, status, current_version, economic_operator,"
                " manufacturer_part_id, category, created_at, updated_at)"
                " VALUES (?, ?, 'original', 1, 'BPNL000000000001', 'P', 'EV', '2026-11-26', '2026-11-26')",
                (pid, pid),
            )
            connection.exec_driver_sql(
                "INSERT INTO passport_versions VALUES (?, 1, 'original', 'd', ?, '2026-11-26')", (pid, doc)
            )

    def raw_documents() -> dict[str, bytes]:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT passport_id, document FROM passport_versions").all()
        return {pid: bytes(document) for pid, document in rows}

    upgrade(engine, "0010")  # more rows than one chunk of the migration
    compressed = raw_documents()
    assert all(value[:1] == LZ4_TAG for value in compressed.values()) and compressed.keys() == docs.keys()
    as_of_0010 = table("passport_versions", column("passport_id"), column("document", JsonDocument()))
    with engine.connect() as connection:
        read = connection.execute(select(as_of_0010.c.passport_id, as_of_0010.c.document)).all()
    assert dict(read) == docs  # the column type reads them back exactly
    with engine.connect() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
        connection.commit()
    assert raw_documents() == docs
    engine.dispose()


def test_add_many_if_new_stores_all_or_nothing(services: Services) -> None:
    stored = services.passports.create(dumps_exact(sample_passport(1)))
    fresh = [
        replace(stored, facts=replace(stored.facts, passport_id=PassportId.new(), battery_id=f"FRESH-{n}"))
        for n in range(3)
    ]
    clash = replace(fresh[2], facts=replace(fresh[2].facts, battery_id=stored.facts.battery_id))
    with services.uow() as uow:
        assert uow.passports.add_many_if_new([fresh[0], fresh[1], clash]) is False  # a battery id already held
        assert uow.passports.add_many_if_new(fresh[:2]) is True  # the transaction goes on after the refusal
        uow.commit()
    with services.uow(write=False) as uow:
        assert set(uow.passports.existing(v.passport_id for v in [*fresh, stored])) == {
            stored.passport_id,
            fresh[0].passport_id,
            fresh[1].passport_id,
        }


def test_migration_0011_keys_versions_and_signatures_by_seq_and_its_downgrade_restores_them(
    database_url: str, make_services: Any
) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0010")  # a node from before 0011: versions and signatures keyed by the passport UUID
    first, second = sample_passport_id(1), sample_passport_id(2)
    docs = {(first, 1): dumps_exact(sample_passport(1)), (first, 2): dumps_exact(sample_passport(1, status="re-used"))}
    docs[second, 1] = dumps_exact(sample_passport(2))
    with engine.begin() as connection:
        for n, pid in enumerate((first, second), start=1):
            connection.execute(
                text(
                    "INSERT INTO passports (passport_id, battery_id, status, current_version, economic_operator,"
                    " manufacturer_part_id, category, created_at, updated_at) VALUES (:pid, :battery, 'original',"
                    " :current, 'BPNL000000000001', 'P', 'EV', '2026-11-26 00:00:00', '2026-11-26 00:00:00')"
                ),
                {"pid": pid, "battery": f"B-{n}", "current": 2 if pid == first else 1},
            )
        for (pid, number), doc in docs.items():
            connection.execute(
                text("INSERT INTO passport_versions VALUES (:pid, :n, 'original', 'd', :doc, '2026-11-26 00:00:00')"),
                {"pid": pid, "n": number, "doc": doc},
            )
        for number in (1, 2):
            connection.execute(
                text("INSERT INTO passport_signatures VALUES (:pid, :n, '2026-11-26 00:00:00', :jwt, '[]')"),
                {"pid": first, "n": number, "jwt": f"jwt-{number}"},
            )
    upgrade(engine)
    services = make_services(database_url)
    with services.uow(write=False) as uow:
        for (pid, number), doc in docs.items():
            assert uow.passports.version(PassportId(pid), number).document == doc
        assert [v.number for v in uow.passports.versions(PassportId(first))] == [1, 2]
        signed = [uow.passports.signature(PassportId(first), n) for n in (1, 2)]
        assert [s.jwt for s in signed if s is not None] == ["jwt-1", "jwt-2"]
        assert uow.passports.signature(PassportId(second), 1) is None
    created = services.passports.create(dumps_exact(sample_passport(3)))  # numbering goes on after the old rows
    with engine.connect() as connection:
        seqs = dict(connection.execute(select(passports.c.passport_id, passports.c.seq)).all())
    assert len(set(seqs.values())) == 3 and seqs[created.passport_id.value] == max(seqs.values())
    services.close()
    with engine.connect() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
        connection.commit()
        rows = connection.execute(text("SELECT passport_id, number, document FROM passport_versions")).all()
        jwts = connection.execute(text("SELECT passport_id, number, jwt FROM passport_signatures")).all()
    restored = {(pid, number): bytes(doc) for pid, number, doc in rows if pid != created.passport_id.value}
    assert restored.keys() == docs.keys()  # (documents stay compressed on SQLite: 0010 is still applied)
    assert sorted(j for j in jwts if j[0] != created.passport_id.value) == [(first, 1, "jwt-1"), (first, 2, "jwt-2")]
    engine.dispose()


def test_bulk_inserts_store_timestamps_exactly_as_statements_do(sqlite_services: Services) -> None:
    created = sqlite_services.passports.create(dumps_exact(sample_passport(1)))  # the bulk path (add_many)
    sqlite_services.passports.add_version(created.passport_id, dumps_exact(sample_passport(1, status="re-used")))
    with sqlite_services.engine.connect() as connection:  # version 2 went through an insert() statement
        stored = connection.exec_driver_sql("SELECT recorded_at FROM passport_versions ORDER BY number").scalars()
        first, second = list(stored)
    assert len(first) == len(second) == len("2026-11-26 12:00:00.000000") and "+" not in first
