"""`passbridge fetch <QR content URL | passport id> [--from DID|URL] [--out FILE] [--format F]`: this node fetches a
passport from another node through the data space and prints it, with the time each step took.

DSP is asynchronous — the provider calls this node back (agreement, transfer start) — so the fetch runs inside the
running node (`passbridge serve`): the command asks it through ``POST /api/v1/consumer/fetch`` with an owner token
it signs with the node's key, as `passbridge token --role owner` would.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from passbridge.cli.common import ConfigOption, DatabaseOption, DataDirOption, err, node
from passbridge.passport.access import Role

STEPS = ("reuse", "discovery", "catalog", "negotiation", "transfer", "data")


def fetch(
    target: Annotated[str, typer.Argument(help="the QR code's content (https://node/p/<id>) or a passport id")],
    source: Annotated[
        str | None, typer.Option("--from", help="the provider: its DID or URL (needed for a bare passport id)")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="write the passport here instead of stdout")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="catenax-6.1.0 (default), idta, aas, sd-jwt")] = None,
    timeout: Annotated[float, typer.Option(help="seconds to wait for the node")] = 30.0,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Fetch a passport from another node through DSP (discovery, catalog, negotiation, transfer, data)."""
    with node(config, database_url, data_dir) as services:
        url = f"{services.settings.effective_public_url}/api/v1/consumer/fetch"
        owner = services.tokens.issue(Role.OWNER, "passbridge fetch", services.clock.now(), 300)
    body: dict[str, Any] = {"target": target}
    body |= {k: v for k, v in (("from", source), ("format", fmt)) if v is not None}
    try:
        with httpx.Client(trust_env=False, timeout=timeout) as client:
            answer = client.post(url, json=body, headers={"Authorization": f"Bearer {owner}"})
    except httpx.HTTPError as exc:
        err.print(f"[red]error[/red] cannot reach this node at {url} ({exc}); is it running (passbridge serve)?")
        raise typer.Exit(1) from None
    result = answer.json() if answer.headers.get("content-type", "").startswith("application/") else {}
    if answer.status_code != 200:
        err.print(f"[red]error[/red] {result.get('detail') or answer.text}", highlight=False)
        raise typer.Exit(2 if 400 <= answer.status_code < 500 and answer.status_code != 401 else 1)
    passport = result["passport"]
    text = passport if isinstance(passport, str) else json.dumps(passport, indent=2, ensure_ascii=False)
    if out is not None:
        out.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")
    timings = result["timings"]
    shown = "  ".join(f"{step} {timings[step]:.1f} ms" for step in STEPS if step in timings)
    err.print(
        f"{result['datasetId']} from {result['provider']}: {result['view']} view, "
        f"{'warm (agreement and EDR reused)' if result['warm'] else 'cold'}; {shown}; "
        f"total {result['totalMs']:.1f} ms",
        highlight=False,
        soft_wrap=True,
    )


__all__ = ["fetch"]
