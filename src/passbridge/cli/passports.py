"""`passbridge passport import|export|show`."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

from passbridge.cli.common import (
    ConfigOption,
    DatabaseOption,
    DataDirOption,
    err,
    node,
    run_guarded,
)
from passbridge.cli.parallel import in_worker_processes, signing_processes
from passbridge.cli.sources import open_source
from passbridge.passport.access import Role
from passbridge.passport.backfill import CHUNK_SIZE, SignatureBackfill, in_process as signing_in_process
from passbridge.passport.bulk import BATCH_SIZE, BulkImporter, ImportReport, in_process
from passbridge.passport.model import PassportId

app = typer.Typer(help="Import, export and show passports of this node.", no_args_is_help=True)

MAX_ERRORS_SHOWN = 20


def _columns(what: str) -> tuple[ProgressColumn, ...]:
    return (TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())


@app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(metavar="FILE.jsonl|FILE.json|DIR", exists=True)],
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            help="processes that validate, sign and store batches (0 = in this process; default: one per CPU, none "
            "for a single batch)",
        ),
    ] = None,
    sign: Annotated[
        bool,
        typer.Option(
            "--sign/--no-sign",
            help="sign each passport as it is stored (default), or store now and sign later with `passport sign`",
        ),
    ] = True,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Validate, sign and store passports in batches; resumable (a rerun continues where a crash stopped)."""
    with node(config, database_url, data_dir) as services:
        key, total, lines = run_guarded(lambda: open_source(source))
        importer = BulkImporter(services.uow, services.clock, signer=services.passports.signer if sign else None)
        start = importer.resume_point(key)
        if jobs is None:  # one worker per CPU, unless one batch is all there is (starting workers takes ~1 s)
            jobs = (os.cpu_count() or 1) if total - start > BATCH_SIZE else 0
        runner = in_worker_processes(jobs) if jobs > 0 else in_process
        began = time.perf_counter()
        with Progress(*_columns("importing"), console=err, transient=False) as progress:
            task = progress.add_task("import", total=total, completed=start)
            report = importer.run(key, lines, progress=lambda n: progress.advance(task, n), runner=runner)
    _print_report(report, time.perf_counter() - began)
    if report.failed:
        raise typer.Exit(1)


@app.command("sign")
def sign_stored(
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=0, help="processes that sign (0 = in this process; default: one per CPU)"),
    ] = None,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Sign every stored version that has no signature yet (after `import --no-sign`, or stored before signing)."""
    with node(config, database_url, data_dir) as services:
        signer = services.passports.signer
        if signer is None:
            err.print("this node does not sign passports (it has no signing key)")
            raise typer.Exit(2)
        backfill = SignatureBackfill(services.uow, signer, services.clock)
        total = backfill.pending()
        if jobs is None:
            jobs = (os.cpu_count() or 1) if total > CHUNK_SIZE else 0
        runner = signing_processes(jobs) if jobs > 0 else signing_in_process
        began = time.perf_counter()
        with Progress(*_columns("signing"), console=err, transient=False) as progress:
            task = progress.add_task("sign", total=total)
            signed = backfill.run(progress=lambda n: progress.advance(task, n), runner=runner)
    seconds = time.perf_counter() - began
    rate = f", {signed / seconds:,.0f} versions/s" if signed and seconds > 0 else ""
    err.print(f"signed {signed} versions in {seconds:.1f} s{rate}")


def _print_report(report: ImportReport, seconds: float) -> None:
    resumed = f" (resumed after line {report.resumed_from})" if report.resumed_from else ""
    rate = f", {report.stored / seconds:,.0f} passports/s" if report.stored and seconds > 0 else ""
    err.print(
        f"stored {report.stored}, already stored {report.already_stored}, failed {report.failed}{resumed} "
        f"in {seconds:.1f} s{rate}"
    )
    for error in report.errors[:MAX_ERRORS_SHOWN]:
        err.print(f"  line {error.line}: {escape(error.path)}: {escape(error.message)}", highlight=False)
    if report.failed > MAX_ERRORS_SHOWN:
        err.print(f"  … and {report.failed - MAX_ERRORS_SHOWN} more")


RoleOption = Annotated[Role, typer.Option("--role", help="read as this role (default owner: everything)")]


@app.command()
def export(
    passport_id: Annotated[str, typer.Argument(metavar="ID")],
    fmt: Annotated[str, typer.Option("--format", help="catenax-6.1.0, idta, aas or sd-jwt")] = "catenax-6.1.0",
    role: RoleOption = Role.OWNER,
    version: Annotated[int | None, typer.Option(help="a past version")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write (default stdout)")] = None,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Write a passport in a format, as ROLE would see it."""
    with node(config, database_url, data_dir) as services:
        view = run_guarded(
            lambda: services.passports.read(PassportId.parse(passport_id, path="ID"), role, fmt, version)
        )
    if output is None:
        sys.stdout.buffer.write(view.body + b"\n")
    else:
        output.write_bytes(view.body)
        err.print(f"wrote {output} (version {view.version}, {len(view.body)} bytes)")


@app.command()
def show(
    passport_id: Annotated[str, typer.Argument(metavar="ID")],
    role: RoleOption = Role.OWNER,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Summarise a passport: status, versions, links and what ROLE sees."""
    from rich.console import Console
    from rich.json import JSON
    from rich.table import Table

    with node(config, database_url, data_dir) as services:
        pid = run_guarded(lambda: PassportId.parse(passport_id, path="ID"))
        head, infos, lineage = run_guarded(lambda: services.passports.versions(pid))
        view = services.passports.read(pid, role, "catenax-6.1.0")
    out = Console()
    table = Table(title=f"passport {pid}", show_header=True)
    for column in ("version", "status", "recorded", "sha-256"):
        table.add_column(column)
    for info in infos:
        table.add_row(str(info.number), info.status.value, info.recorded_at.isoformat(), info.digest[:16] + "…")
    out.print(table)
    out.print(
        f"battery id {head.battery_id} · status {head.status.value} · predecessors "
        f"{[p.value for p in lineage.predecessors]} · successors {[p.value for p in lineage.successors]}"
    )
    out.print(f"as {role.value}:")
    out.print(JSON(view.body.decode("utf-8")))


__all__ = ["app"]
