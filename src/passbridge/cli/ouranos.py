"""`passbridge ouranos operator-add`: the platform operator (運営事業者) issues an operator account and API key.
`passbridge ouranos sync`: a company node logs in to its platform, asks its suppliers, collects their answers and
answers the requests addressed to it (`supplychain.ouranos_participant`).

`operator-add` prints ``{"operatorId": …, "apiKey": …}``; the API key is shown only this once (the node keeps its
hash). `sync` prints what it did and what it left open.
"""

from __future__ import annotations

import json
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
    node_settings,
    open_node,
    run_guarded,
)
from passbridge.ouranos_wiring import build_participant
from passbridge.settings import NodeRole
from passbridge.supplychain.ouranos_participant import SyncReport

app = typer.Typer(
    help="Ouranos: operators and API keys (platform role); sync with the platform (company role).",
    no_args_is_help=True,
)
_STEPS = ("log in", "ask suppliers", "collect answers", "answer requests")


@app.command("operator-add")
def operator_add(
    name: Annotated[str, typer.Option("--name", help="operatorName")],
    open_operator_id: Annotated[str, typer.Option("--open-operator-id", help="corporate number (法人番号)")],
    account: Annotated[str, typer.Option("--account", help="operatorAccountId (e-mail) of the first user")],
    password: Annotated[str, typer.Option("--password", help="its initial accountPassword")],
    address: Annotated[str, typer.Option("--address", help="operatorAddress")] = "-",
    cidr: Annotated[list[str] | None, typer.Option("--cidr", help="allow the API key only from this CIDR")] = None,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an operator, its account and an API key on this `ouranos-platform` node."""
    settings = node_settings(config, database_url, data_dir)
    if NodeRole.OURANOS_PLATFORM not in settings.roles:
        settings = node_settings(config, database_url, data_dir, roles=(*settings.roles, NodeRole.OURANOS_PLATFORM))
    services = open_node(settings)
    try:
        assert services.ouranos is not None
        accounts = services.ouranos.accounts
        operator_id, api_key = run_guarded(
            lambda: accounts.add_operator(
                name, open_operator_id, account, password, address=address, cidrs=tuple(cidr or ())
            )
        )
    finally:
        services.close()
    typer.echo(json.dumps({"operatorId": operator_id, "apiKey": api_key}))


def _print(report: SyncReport) -> None:
    sections = (
        ("asked", report.asked),
        ("collected", report.collected),
        ("answered", report.answered),
        ("waiting", report.waiting),
        ("left open", report.left_open),
        ("note", report.notes),
    )
    typer.echo(
        f"ouranos sync: {len(report.asked)} asked, {len(report.collected)} collected, "
        f"{len(report.answered)} answered, {len(report.waiting)} waiting, {len(report.left_open)} left open"
    )
    for title, lines in sections:
        for line in lines:
            typer.echo(f"  {title}: {line}")
    if not report.changed:
        typer.echo("  nothing changed")


@app.command("sync")
def sync(config: ConfigOption = None, database_url: DatabaseOption = None, data_dir: DataDirOption = None) -> None:
    """Log in to the Ouranos platform (settings ouranos_url, ouranos_api_key, ouranos_account, ouranos_password),
    ask our suppliers, collect their answers into the supply chain and answer the requests addressed to us."""
    with node(config, database_url, data_dir) as services:
        participant = run_guarded(lambda: build_participant(services))
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("ouranos sync", total=len(_STEPS))

            def step(name: str) -> None:
                progress.update(task, description=escape(name), completed=_STEPS.index(name))

            report = run_guarded(lambda: participant.sync(step))
            progress.update(task, completed=len(_STEPS))
    _print(report)


__all__ = ["app", "operator_add", "sync"]
