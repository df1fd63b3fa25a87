"""Shared pieces of the CLI: options, the node opener and the error guard."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from passbridge.bootstrap import Services, bootstrap
from passbridge.errors import ConfigurationError, InvalidInput, PassbridgeError
from passbridge.settings import Settings, load_settings

err = Console(stderr=True)
T = TypeVar("T")

ConfigOption = Annotated[Path | None, typer.Option("--config", help="TOML settings file", exists=True, dir_okay=False)]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="SQLAlchemy URL (PostgreSQL: postgresql+psycopg://…); env PASSBRIDGE_DATABASE_URL"
    ),
]
DataDirOption = Annotated[Path | None, typer.Option("--data-dir", help="where the SQLite file and keys live")]


def run_guarded(action: Callable[[], T]) -> T:
    """Run `action`, turning passbridge errors into a message and an exit code."""
    try:
        return action()
    except InvalidInput as exc:
        for violation in exc.violations:
            err.print(f"[red]error[/red] {escape(violation.path)}: {escape(violation.message)}", highlight=False)
        raise typer.Exit(2) from None
    except ConfigurationError as exc:
        err.print(f"[red]configuration error[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from None
    except PassbridgeError as exc:
        err.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from None


def node_settings(config: Path | None, database_url: str | None, data_dir: Path | None, **extra: Any) -> Settings:
    """Settings of the node in the current directory (or `--config`)."""
    return run_guarded(lambda: load_settings(config, database_url=database_url, data_dir=data_dir, **extra))


def open_node(settings: Settings) -> Services:
    """Bootstrap the node (migrating its database if needed)."""
    return run_guarded(lambda: bootstrap(settings))


@contextmanager
def node(config: Path | None, database_url: str | None, data_dir: Path | None) -> Iterator[Services]:
    """The node in the current directory (or as configured), closed again when the command is done."""
    services = open_node(node_settings(config, database_url, data_dir))
    try:
        yield services
    finally:
        services.close()


def print_json(value: Any) -> None:
    """Pretty JSON on stdout."""
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")


__all__ = [
    "ConfigOption",
    "DataDirOption",
    "DatabaseOption",
    "err",
    "node",
    "node_settings",
    "open_node",
    "print_json",
    "run_guarded",
]
