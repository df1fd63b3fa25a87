"""The `passbridge` command: parse arguments → call a service → print. No logic of its own.

Errors from the tree become a message on stderr and a non-zero exit code (2 for bad input, 1 otherwise).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from passbridge import __version__
from passbridge.cli import (
    docs as docs_cli,
    fetch as fetch_cli,
    identity as identity_cli,
    link as link_cli,
    ouranos as ouranos_cli,
    passports as passport_cli,
    supplychain as supplychain_cli,
    verify as verify_cli,
)
from passbridge.cli.common import (
    ConfigOption,
    DatabaseOption,
    DataDirOption,
    err,
    node_settings,
    open_node,
    run_guarded,
)
from passbridge.passport.access import Role
from passbridge.settings import NodeRole
from passbridge.storage.maintenance import vacuum

app = typer.Typer(
    name="passbridge",
    help="EU battery passports between Catena-X and the Ouranos Ecosystem.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(passport_cli.app, name="passport")
app.add_typer(supplychain_cli.app, name="supplychain")
app.add_typer(docs_cli.app, name="docs")
app.add_typer(identity_cli.identity_app, name="identity")
app.add_typer(identity_cli.authority_app, name="authority")
app.add_typer(identity_cli.credentials_app, name="credentials")
app.add_typer(ouranos_cli.app, name="ouranos")
app.add_typer(link_cli.app, name="link")
app.command("verify")(verify_cli.verify)
app.command("fetch")(fetch_cli.fetch)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="print the version")] = False) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit(0)


@app.command()
def serve(
    config: ConfigOption = None,
    role: Annotated[list[NodeRole] | None, typer.Option("--role", help="node role (repeatable)")] = None,
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes")] = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Run a node: the HTTP API (and web pages) on HOST:PORT."""
    import uvicorn

    from passbridge.api.app import SETTINGS_ENV

    roles = tuple(role) if role else None
    settings = node_settings(config, database_url, data_dir, roles=roles, host=host, port=port, workers=workers)
    open_node(settings).close()  # migrate once, before any worker starts
    os.environ[SETTINGS_ENV] = settings.model_copy(update={"auto_migrate": False}).model_dump_json()
    err.print(
        f"passbridge {__version__} serving on {settings.effective_public_url} "
        f"({', '.join(r.value for r in settings.roles)}; {settings.workers} worker(s))",
        highlight=False,
    )
    uvicorn.run(
        "passbridge.api.app:create_app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="warning",
        access_log=False,
    )


@app.command()
def token(
    role: Annotated[
        str,
        typer.Option(
            "--role", help="owner, legitimate_interest, recycler, notified_body, market_surveillance or commission"
        ),
    ],
    subject: Annotated[str | None, typer.Option("--subject", help="who the token is for")] = None,
    ttl: Annotated[int | None, typer.Option("--ttl", help="lifetime in seconds")] = None,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Print a bearer token (signed JWT) that this node accepts, for local use."""
    valid = [r.value for r in Role if r is not Role.ANONYMOUS]
    if role not in valid:
        err.print(f"[red]error[/red] --role: unknown role {role!r}; use one of {', '.join(valid)}", highlight=False)
        raise typer.Exit(2)
    settings = node_settings(config, database_url, data_dir)
    services = open_node(settings)
    try:
        lifetime = ttl or settings.token_ttl_seconds
        typer.echo(services.tokens.issue(Role(role), subject or role, services.clock.now(), lifetime))
    finally:
        services.close()


@app.command()
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="exit after the story")] = False,
    workdir: Annotated[Path | None, typer.Option("--workdir", help="where the demo nodes keep their data")] = None,
    port: Annotated[int, typer.Option(help="port of the OEM node when serving")] = 8000,
) -> None:
    """Start the two data spaces on this machine (7 nodes), tell their story, then serve the OEM's node."""
    from passbridge.cli.demo import run_demo

    run_guarded(lambda: run_demo(workdir or Path("passbridge-data") / "demo", port=port, serve=not no_serve))


@db_app.command("upgrade")
def db_upgrade(
    config: ConfigOption = None, database_url: DatabaseOption = None, data_dir: DataDirOption = None
) -> None:
    """Apply the database migrations (`serve` does this itself on start)."""
    settings = node_settings(config, database_url, data_dir)
    open_node(settings).close()
    typer.echo("database is at the latest schema")


@db_app.command("vacuum")
def db_vacuum(config: ConfigOption = None, database_url: DatabaseOption = None, data_dir: DataDirOption = None) -> None:
    """Give the space of deleted and rewritten rows back (SQLite: rewrite the file, which needs as much free disk as
    the database; PostgreSQL: VACUUM ANALYZE). Run it after a large migration or deletion, with no import running."""
    settings = node_settings(config, database_url, data_dir)
    services = open_node(settings)
    try:
        report = run_guarded(lambda: vacuum(services.uow.engine))
    finally:
        services.close()
    typer.echo(f"{report.backend}: {report.bytes_before / 2**20:,.1f} MiB -> {report.bytes_after / 2**20:,.1f} MiB")


def main() -> None:
    """Entry point of the `passbridge` script."""
    app()


__all__ = ["app", "main"]
