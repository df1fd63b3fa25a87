"""`passbridge docs …`: documents generated from the code's own tables."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from passbridge.passport.access_docs import render_access_levels

app = typer.Typer(help="Generate reference documents.", no_args_is_help=True)


@app.command("access-levels")
def access_levels(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default stdout)")] = None,
) -> None:
    """The access-level table of every passport field (docs/access-levels.md)."""
    text = render_access_levels()
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


__all__ = ["app"]
