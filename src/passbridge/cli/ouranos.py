"""`passbridge ouranos operator-add`: the platform operator (運営事業者) issues an operator account and API key.

Prints ``{"operatorId": …, "apiKey": …}``; the API key is shown only this once (the node keeps its hash).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from passbridge.cli.common import ConfigOption, DatabaseOption, DataDirOption, node_settings, open_node, run_guarded
from passbridge.settings import NodeRole

app = typer.Typer(help="Ouranos platform role: operators, accounts and API keys.", no_args_is_help=True)


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


__all__ = ["app", "operator_add"]
