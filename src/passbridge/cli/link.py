"""`passbridge link …` on an `ouranos-platform` node: the Ouranos-Catena-X link (issue #6).

- ``consent OPERATOR_ID --bpnl BPNL``: present an Ouranos operator on Catena-X (its presence, DID and Ouranos
  operator credential; prints the DID). ``withdraw OPERATOR_ID`` ends it.
- ``participant-add DID --bpnl BPNL --name NAME``: present a Catena-X participant to Ouranos operators as an
  operator (prints its ``operatorId``, which operators address trade requests to).
- ``ask DID --to OPERATOR_ID --part NAME``: relay a Catena-X participant's CFP request to an Ouranos operator (an
  ordinary trade request from the operator presenting the participant).
- ``list``: consents and participants. ``sync``: answer every open request to a Catena-X participant now (a
  served platform does this by itself on each ``REQUEST_NEW``).

The presence requests its credential from the platform's issuer service over DCP, so the platform must be
served (``passbridge serve``) while ``consent`` runs.
"""

from __future__ import annotations

from typing import Annotated

import typer

from passbridge.bootstrap import Services
from passbridge.cli.common import ConfigOption, DatabaseOption, DataDirOption, node, print_json, run_guarded
from passbridge.errors import ConfigurationError
from passbridge.link.bridge import LinkService

app = typer.Typer(help="The Ouranos-Catena-X link (on the ouranos-platform node).", no_args_is_help=True)


def _link(services: Services) -> LinkService:
    if services.link is None:
        raise ConfigurationError("this node is not an ouranos-platform node (roles)")
    return services.link.service


@app.command("consent")
def consent(
    operator_id: Annotated[str, typer.Argument(help="the Ouranos operatorId")],
    bpnl: Annotated[str, typer.Option("--bpnl", help="the operator's Catena-X BPNL")],
    bpns: Annotated[str | None, typer.Option("--bpns", help="its site BPNS")] = None,
    region: Annotated[str, typer.Option("--region", help="PCF geography")] = "Eastern Asia",
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Present an Ouranos operator on Catena-X (its presence and DID, certified by the Ouranos authority)."""
    with node(config, database_url, data_dir) as services:
        given = run_guarded(lambda: _link(services).consent(operator_id, bpnl, bpns, region))
        print_json({"operatorId": given.operator_id, "did": given.did, "bpnl": given.bpnl})


@app.command("withdraw")
def withdraw(
    operator_id: Annotated[str, typer.Argument(help="the Ouranos operatorId")],
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Withdraw an operator's consent: its presence stops and its DID no longer resolves."""
    with node(config, database_url, data_dir) as services:
        run_guarded(lambda: _link(services).withdraw(operator_id))
        print_json({"operatorId": operator_id, "withdrawn": True})


@app.command("participant-add")
def participant_add(
    did: Annotated[str, typer.Argument(help="the Catena-X participant's did:web DID")],
    bpnl: Annotated[str, typer.Option("--bpnl", help="its BPNL (becomes globalOperatorId)")],
    name: Annotated[str, typer.Option("--name", help="its legal name (operatorName)")],
    bpns: Annotated[str | None, typer.Option("--bpns", help="its site BPNS (globalPlantId)")] = None,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Present a Catena-X participant to Ouranos operators as an operator."""
    with node(config, database_url, data_dir) as services:
        added = run_guarded(lambda: _link(services).add_participant(did, bpnl, name, bpns))
        print_json({"operatorId": added.operator_id, "did": added.did, "globalOperatorId": added.bpnl})


@app.command("ask")
def ask(
    did: Annotated[str, typer.Argument(help="the Catena-X participant asking (its DID)")],
    operator_id: Annotated[str, typer.Option("--to", help="the Ouranos operatorId asked")],
    part: Annotated[str, typer.Option("--part", help="the part, by the name the operator knows it (partsName)")],
    unit: Annotated[str, typer.Option("--unit", help="declared unit (Ouranos spelling)")] = "unit",
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Relay a Catena-X participant's CFP request to an Ouranos operator as an ordinary trade request."""
    with node(config, database_url, data_dir) as services:
        trade_id = run_guarded(lambda: _link(services).ask(did, operator_id, part, unit))
        print_json({"tradeId": trade_id})


@app.command("list")
def list_link(config: ConfigOption = None, database_url: DatabaseOption = None, data_dir: DataDirOption = None) -> None:
    """Consents and participants."""
    with node(config, database_url, data_dir) as services:
        link = run_guarded(lambda: _link(services))
        print_json(
            {
                "consents": [{"operatorId": c.operator_id, "did": c.did, "bpnl": c.bpnl} for c in link.consents()],
                "participants": [
                    {"operatorId": p.operator_id, "did": p.did, "bpnl": p.bpnl, "name": p.name}
                    for p in link.participants()
                ],
            }
        )


@app.command("sync")
def sync(config: ConfigOption = None, database_url: DatabaseOption = None, data_dir: DataDirOption = None) -> None:
    """Answer every open trade request to a Catena-X participant now."""
    with node(config, database_url, data_dir) as services:
        link = run_guarded(lambda: _link(services))
        link.queue_open()
        done = run_guarded(link.run_pending)
        print_json([{"tradeId": r.trade_id, "outcome": r.outcome.value, "detail": r.detail} for r in done])


__all__ = ["app"]
