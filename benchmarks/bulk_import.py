"""Bulk import benchmark: validate + store, then validate + sign (SD-JWT) + store, BatteryPass 6.1.0 passports into
SQLite, flat memory.

    .venv/bin/python benchmarks/bulk_import.py                 # 100,000 passports
    .venv/bin/python benchmarks/bulk_import.py --count 1000000 # the million (needs ~25 GB of disk at its peak)
    .venv/bin/python benchmarks/bulk_import.py --count 1000000 --no-signing  # only the import without signing
    .venv/bin/python benchmarks/bulk_import.py --database-url postgresql+psycopg://user:pw@127.0.0.1/db  # PostgreSQL

Runs `passbridge passport import`'s own code (one worker process per CPU, each reading its batches from the file,
validating, signing and committing them in source order), first without signing, then with, each into a new node.
Prints passports/s, peak RSS of the importing process and of its workers, RSS of all of them along the run (flat
memory = it does not grow with the count), and the database size per passport. In the same run, for comparison: the
plain-Python
`jsonschema` validator on the official-shape document (the usual approach), and SQLite's own ceiling for batched
inserts of rows of the same size with no validation at all.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from passbridge.bootstrap import bootstrap
from passbridge.cli.parallel import in_worker_processes
from passbridge.cli.sources import JsonlFile
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.bulk import BulkImporter, in_process
from passbridge.passport.samples import sample_passport, sample_passport_id
from passbridge.passport.services import decode_content
from passbridge.settings import Settings

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "battery_passport"


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kib = int(
        next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_kib / 1024 / 1024:.0f} GiB RAM, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {datetime.now(UTC):%Y-%m-%d}"
    )


def rss_mib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_all_mib() -> float:
    """RSS of this process and its worker processes."""
    return rss_mib() + sum(rss_mib(child.pid) for child in multiprocessing.active_children() if child.pid)


def write_passports(path: Path, count: int) -> int:
    """`count` distinct, complete passports as JSON Lines (from one rendered template: generation must not dominate).

    Identifiers are random version-4 UUIDs, as real passports have (seeded, so every run imports the same file):
    sequential ones would let every index insert land on the last page, which flatters SQLite by ~15 %.
    """
    ids = random.Random(20261126)
    template = dumps_exact(sample_passport(1))
    pid, battery, serial = sample_passport_id(1).encode(), b"LAPBDEMO1EVB77000000001", b"EVB77000000001"
    assert template.count(pid) == 1 and template.count(battery) == 1
    parts = template.replace(pid, b"\x00").replace(battery, b"\x01").replace(serial, b"\x02")
    with path.open("wb") as out:
        for n in range(1, count + 1):
            uid = str(uuid.UUID(int=ids.getrandbits(128), version=4)).encode()
            line = parts.replace(b"\x00", uid).replace(b"\x01", b"LAPBDEMO1EVB77%09d" % n)
            out.write(line.replace(b"\x02", b"EVB77%09d" % n) + b"\n")
    return len(template)


PASSPORT_TABLES = "passport_signatures, passport_links, passport_versions, passports, import_checkpoints"


def import_run(
    source: Path, workdir: Path, jobs: int, count: int, sign: bool = True, database_url: str = ""
) -> dict[str, float]:
    services = bootstrap(Settings(data_dir=workdir, database_url=database_url))
    if database_url:
        with services.uow.engine.connect() as connection:
            if connection.exec_driver_sql("SELECT count(*) FROM passports").scalar():
                sys.exit(f"{database_url.split('@')[-1]}: the benchmark needs a database without passports")
    runner = in_process if jobs == 0 else in_worker_processes(jobs)
    importer = BulkImporter(services.uow, services.clock, signer=services.passports.signer if sign else None)
    samples: list[tuple[int, float]] = []
    done = 0

    def progress(lines: int) -> None:
        nonlocal done
        done += lines
        if not samples or done - samples[-1][0] >= max(count // 10, 1):
            samples.append((done, rss_all_mib()))

    start = time.perf_counter()
    report = importer.run(f"bench:{source}", JsonlFile(source), progress=progress, runner=runner)
    elapsed = time.perf_counter() - start
    assert report.stored == count and report.failed == 0, (report.stored, report.errors[:3])
    if database_url:  # what this run stored, then empty again (the database held no passports before)
        with services.uow.engine.begin() as connection:
            sizes = " + ".join(f"pg_total_relation_size('{t}')" for t in PASSPORT_TABLES.split(", "))
            size = int(connection.exec_driver_sql(f"SELECT {sizes}").scalar_one())
            for table in PASSPORT_TABLES.split(", "):  # (DELETE: TRUNCATE refuses tables other tables refer to)
                connection.exec_driver_sql(f"DELETE FROM {table}")
        with services.uow.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM {PASSPORT_TABLES}")  # so the next run starts from empty tables
        services.close()
    else:
        services.close()
        db = workdir / "passbridge.db"
        with sqlite3.connect(db) as plain:
            plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db.stat().st_size
    along = ", ".join(f"{n:,} → {m:.0f}" for n, m in samples)
    print(f"  RSS of importer + workers along the run (passports → MiB): {along}")
    return {
        "rate": count / elapsed,
        "seconds": elapsed,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "bytes_per_passport": size / count,
        "rss_first": samples[0][1] if samples else 0.0,
        "rss_last": samples[-1][1] if samples else 0.0,
    }


def yardstick(seconds: float = 2.0) -> float:
    """µs per `decode_content` of the sample passport, one process. This machine's speed swings by up to ~40 % within
    an hour (the same measure: ~90 µs in a fast phase, up to ~170 µs in a slow one), so each run states it."""
    raw = dumps_exact(sample_passport(1))
    n, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        decode_content(raw)
        n += 1
    return (time.process_time() - start) / n * 1e6


def python_jsonschema_rate(seconds: float = 3.0) -> float:
    """The usual approach: python-jsonschema (Draft 4) with the official 6.1.0 schema, on the official example."""
    import jsonschema  # type: ignore[import-untyped]

    schema = json.loads((FIXTURES / "catenax_battery_pass_6.1.0_schema.json").read_text())
    doc = json.loads((FIXTURES / "catenax_battery_pass_6.1.0_example.json").read_text())
    validator = jsonschema.Draft4Validator(schema)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        validator.validate(doc)
        n += 1
    return n / (time.perf_counter() - start)


def sqlite_ceiling(size: int, count: int, workdir: Path) -> float:
    """SQLite alone: batched WAL inserts of rows of the same size, no parsing, no validation."""
    db = sqlite3.connect(workdir / "ceiling.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE t (id TEXT PRIMARY KEY, doc BLOB)")
    row = os.urandom(size // 2).hex().encode()
    start = time.perf_counter()
    for first in range(0, count, 1000):
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO t VALUES (?, ?)", ((f"{n:012d}", row) for n in range(first, first + 1000)))
        db.execute("COMMIT")
    rate = count / (time.perf_counter() - start)
    db.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="validate+sign processes (0 = inline)")
    parser.add_argument("--workdir", type=Path, default=None, help="where to put the data (default: a temp dir)")
    parser.add_argument(
        "--database-url", default="", help="import into this PostgreSQL database (no passports in it) instead of SQLite"
    )
    parser.add_argument("--no-signing", action="store_true", help="only the import without signing")
    args = parser.parse_args()
    base = args.workdir or Path(tempfile.mkdtemp(prefix="passbridge-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}")
    print(f"machine speed now: {yardstick():.0f} µs to parse and validate the sample passport the usual way")
    print(f"writing {args.count:,} passports …", flush=True)
    source = base / "passports.jsonl"
    size = write_passports(source, args.count)
    print(f"  {size:,} bytes per passport (complete BatteryPass 6.1.0 document, compact JSON)")
    print(f"database: {args.database_url.split('@')[-1] if args.database_url else 'SQLite (the default)'}")
    results = {}
    for sign in (False,) if args.no_signing else (False, True):
        what = "validating, signing (SD-JWT) and storing" if sign else "validating and storing (no signing)"
        print(f"importing with {args.jobs} worker process(es) {what} …", flush=True)
        node = base / ("node-signed" if sign else "node")
        node.mkdir(exist_ok=True)
        result = results[sign] = import_run(source, node, args.jobs, args.count, sign, args.database_url)
        print(
            f"passbridge import{' with signing' if sign else ''}: {result['rate']:,.0f} passports/s "
            f"({args.count:,} in {result['seconds']:.1f} s), peak RSS {result['peak_rss_mib']:.0f} MiB "
            f"(each worker {result['worker_peak_rss_mib']:.0f} MiB), "
            f"{result['bytes_per_passport']:,.0f} bytes/passport in the database"
        )
        if not args.database_url:
            shutil.rmtree(node)  # (a million signed passports take ~15 GB)
    reference = python_jsonschema_rate()
    ceiling = sqlite_ceiling(size, min(args.count, 50_000), base)
    print(
        f"same run, python-jsonschema validation alone: {reference:,.0f} documents/s "
        f"(passbridge validate+store is {results[False]['rate'] / reference:,.0f}x that"
        + (f", validate+sign+store {results[True]['rate'] / reference:,.0f}x)" if True in results else ")")
    )
    print(f"same run, SQLite ceiling (batched inserts of {size:,}-byte rows, no validation): {ceiling:,.0f} rows/s")
    print(f"machine speed at the end: {yardstick():.0f} µs (the same measure as at the start)")
    if "--keep" not in sys.argv:  # the source file, and SQLite-alone's database (~0.4 GB at 50,000 rows)
        source.unlink()
        for leftover in base.glob("ceiling.db*"):
            leftover.unlink()
        if args.workdir is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
