"""`passbridge supplychain import|rollup|audit|answer|schema`.

Bad input exits 2 with one line per offending item: the file, then the JSON path (``$.bomLines[3].amountRequired``)
or the CSV row and column (``row 4, column unit``). A roll-up that cannot be computed yet (a supplier has not
answered) exits 1 naming the part and the trade.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from passbridge.cli.common import (
    ConfigOption,
    DatabaseOption,
    DataDirOption,
    err,
    node,
    run_guarded,
)
from passbridge.errors import InvalidInput
from passbridge.jsoncodec import loads_exact
from passbridge.supplychain.document_schema import SCHEMA
from passbridge.supplychain.services import ImportFormat, ImportReport

app = typer.Typer(help="Import supply-chain data, roll parts up, audit roll-ups.", no_args_is_help=True)

_FORMATS = {".json": ImportFormat.JSON, ".csv": ImportFormat.CSV}


def _trace_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise InvalidInput.at("TRACE_ID", f"{text!r} is not a UUID", "Ouranos traceId (UUID)") from None


def _pretty(raw: bytes) -> None:
    value = loads_exact(raw)
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


def _print_report(report: ImportReport) -> None:
    stored = ", ".join(f"{name} {count}" for name, count in report.stored.items() if count)
    err.print(f"imported {escape(report.source)}: {stored or 'nothing new'}", highlight=False, soft_wrap=True)
    for done in report.recomputed:
        err.print(f"  roll-up of part {done.trace_id} recorded: {done.rollup_id}", highlight=False, soft_wrap=True)
    for waiting in report.pending:
        err.print(
            f"  part {waiting.trace_id} not rolled up yet: {escape(waiting.reason)}", highlight=False, soft_wrap=True
        )
    for update in report.passports:
        if update.version is not None:
            err.print(f"  passport {update.passport_id}: version {update.version}", highlight=False, soft_wrap=True)
        elif update.reason != "unchanged":
            err.print(
                f"  passport {update.passport_id} not updated: {escape(update.reason or '')}",
                highlight=False,
                soft_wrap=True,
            )


def _print_refusal(name: str, error: InvalidInput) -> None:
    for violation in error.violations:
        err.print(
            f"[red]error[/red] {escape(name)}: {escape(violation.path)}: {escape(violation.message)}",
            highlight=False,
            soft_wrap=True,
        )
    err.print(f"nothing was imported from {escape(name)}", highlight=False, soft_wrap=True)


@app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(metavar="FILE.json|FILE.csv", exists=True, dir_okay=False)],
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Import an import document (.json) or BOM lines (.csv), all or nothing; recompute what it changes."""
    fmt = _FORMATS.get(source.suffix.lower())
    if fmt is None:
        err.print(f"[red]error[/red] {escape(str(source))}: use a .json import document or a .csv BOM file")
        raise typer.Exit(2)
    with node(config, database_url, data_dir) as services:
        raw = source.read_bytes()
        columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("import", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            def run() -> ImportReport:
                try:
                    return services.supplychain.import_file(raw, fmt, source=source.name, progress=advance)
                except InvalidInput as error:
                    progress.stop()
                    _print_refusal(source.name, error)
                    raise typer.Exit(2) from None

            report = run_guarded(run)
    _print_report(report)


@app.command()
def rollup(
    trace_id: Annotated[str, typer.Argument(metavar="TRACE_ID")],
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Compute (if anything changed), record and print the roll-up of a part as JSON."""
    with node(config, database_url, data_dir) as services:
        stored = run_guarded(lambda: services.supplychain.rollup(_trace_id(trace_id)))
    err.print(
        f"roll-up {stored.rollup_id} (#{stored.number}, {stored.computed_at.isoformat()})",
        highlight=False,
        soft_wrap=True,
    )
    _pretty(stored.document)


@app.command()
def audit(
    trace_id: Annotated[str, typer.Argument(metavar="TRACE_ID")],
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Recompute a part's current roll-up and check its commitment and answer hashes; exit 0 only if it verifies."""
    with node(config, database_url, data_dir) as services:
        verification = run_guarded(lambda: services.supplychain.audit(_trace_id(trace_id)))
    if verification.ok:
        typer.echo(f"ok: the roll-up of part {trace_id} verifies")
        return
    typer.echo(f"FAILED: the roll-up of part {trace_id} does not verify")
    for reason in verification.reasons:
        typer.echo(f"  - {reason}")
    raise typer.Exit(1)


@app.command()
def answer(
    trace_id: Annotated[str, typer.Argument(metavar="TRACE_ID")],
    partner: Annotated[str, typer.Option("--partner", help="the customer's operator id")],
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Print the answer PARTNER would get for a part (what its disclosure ACL releases, nothing else)."""
    with node(config, database_url, data_dir) as services:
        value = run_guarded(lambda: services.supplychain.answer_for(_trace_id(trace_id), partner))
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the import document (also served at /api/v1/supplychain/schema.json)."""
    sys.stdout.write(json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n")


__all__ = ["app"]
