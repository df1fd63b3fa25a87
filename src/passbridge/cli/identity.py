"""`passbridge identity|authority|credentials …`: DIDs and keys, an authority's members, credentials and trust
list, a holder's wallet, and presenting credentials to another node (DCP).

A node's DID follows from its public URL, so give every command the same settings as `serve` (``--config``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Annotated, NoReturn

import typer
from rich.markup import escape

from passbridge.bootstrap import Services
from passbridge.cli.common import (
    ConfigOption,
    DatabaseOption,
    DataDirOption,
    err,
    node_settings,
    open_node,
    print_json,
    run_guarded,
)
from passbridge.errors import InvalidInput, Violation
from passbridge.identity.authority import AuthorityService
from passbridge.identity.did import did_web
from passbridge.identity.keys import ALGORITHMS
from passbridge.identity.trust import PURPOSES, Recognition, TypeMapping
from passbridge.identity_wiring import SIGNING_KEY
from passbridge.settings import NodeRole

identity_app = typer.Typer(help="This node's DID, keys and DCP tokens.", no_args_is_help=True)
authority_app = typer.Typer(help="Authority role: members, credentials, revocation, trust list.", no_args_is_help=True)
credentials_app = typer.Typer(help="This node's wallet: request and list credentials.", no_args_is_help=True)


@contextmanager
def _node(
    config: ConfigOption, database_url: DatabaseOption, data_dir: DataDirOption, *, authority: bool = False
) -> Iterator[Services]:
    extra = {}
    settings = node_settings(config, database_url, data_dir)
    if authority and NodeRole.AUTHORITY not in settings.roles:
        extra["roles"] = (*settings.roles, NodeRole.AUTHORITY)
    services = open_node(node_settings(config, database_url, data_dir, **extra) if extra else settings)
    try:
        yield services
    finally:
        services.close()


def _authority(services: Services) -> AuthorityService:
    assert services.identity.authority is not None
    return services.identity.authority


def _did_of(target: str) -> str:
    """A DID given as a DID or as a node's base URL."""
    return target if target.startswith("did:") else did_web(target)


@identity_app.command("did")
def show_did(config: ConfigOption = None, database_url: DatabaseOption = None, data_dir: DataDirOption = None) -> None:
    """Print this node's DID document."""
    with _node(config, database_url, data_dir) as services:
        print_json(services.identity.document().to_json())


@identity_app.command("rotate-key")
def rotate_key(
    algorithm: Annotated[str | None, typer.Option("--algorithm", help=f"one of {', '.join(ALGORITHMS)}")] = None,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Make a new DID signing key; the old one stays in the DID document so its signatures still verify."""
    if algorithm is not None and algorithm not in ALGORITHMS:
        raise _bad("--algorithm", f"{algorithm!r}; use one of {', '.join(ALGORITHMS)}")
    from passbridge.identity.keys import FileKeyStore

    settings = node_settings(config, database_url, data_dir)
    key = FileKeyStore(settings.key_dir).rotate(SIGNING_KEY, algorithm)
    typer.echo(f"new signing key {key.kid} ({key.algorithm}); restart the node to use it")


@identity_app.command("token")
def si_token(
    audience: Annotated[str, typer.Option("--audience", help="the verifier: its DID or base URL")],
    credential_type: Annotated[list[str], typer.Option("--type", help="credential types the verifier may query")],
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Print a DCP self-issued ID token for one request to `audience` (use as ``Authorization: Bearer …``)."""
    with _node(config, database_url, data_dir) as services:
        typer.echo(services.identity.holder.self_issued_token(_did_of(audience), credential_type))


@identity_app.command("present")
def present(
    to: Annotated[str, typer.Option("--to", help="base URL of the verifying node")],
    credential_type: Annotated[
        list[str] | None,
        typer.Option("--type", help="credential types it may query (default: membership and Ouranos operator)"),
    ] = None,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Prove this node's data-space membership to another node (DCP); exit 0 only if it accepts."""
    with _node(config, database_url, data_dir) as services:
        types = credential_type or ["MembershipCredential", "OuranosOperatorCredential"]
        token = services.identity.holder.self_issued_token(did_web(to), types)
        url = f"{to.rstrip('/')}/api/v1/identity/membership"
        response = services.http.get(url, headers={"Authorization": f"Bearer {token}"})
    body = response.json() if response.headers.get("content-type", "").endswith("json") else {"detail": response.text}
    print_json(body)
    if response.status_code != 200:
        raise typer.Exit(1)


@authority_app.command("member-add")
def member_add(
    holder: Annotated[str, typer.Option("--holder", help="the member's DID or base URL")],
    credential_type: Annotated[str, typer.Option("--type", help="credential type to certify it for")],
    claim: Annotated[list[str] | None, typer.Option("--claim", help="subject claim NAME=VALUE (repeatable)")] = None,
    valid_days: Annotated[int, typer.Option("--valid-days", help="validity of issued credentials")] = 365,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Certify a member for one credential type; it can then request the credential (DCP issuance)."""
    claims = dict(_pair(item, "--claim") for item in claim or [])
    with _node(config, database_url, data_dir, authority=True) as services:
        member = run_guarded(
            lambda: _authority(services).add_member(_did_of(holder), credential_type, claims, valid_days)
        )
    typer.echo(f"certified {member.holder_did} for {member.credential_type}")


@authority_app.command("issue")
def issue(
    holder: Annotated[str, typer.Option("--holder", help="the member's DID or base URL")],
    credential_type: Annotated[str, typer.Option("--type", help="credential type")],
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Issue a certified member's credential out of band and print it (a VC JWT)."""
    with _node(config, database_url, data_dir, authority=True) as services:
        record = run_guarded(lambda: _authority(services).issue(_did_of(holder), credential_type))
    typer.echo(record.token)


@authority_app.command("revoke")
def revoke(
    credential_id: Annotated[str, typer.Argument(help="the credential id (urn:uuid:…)")],
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Revoke a credential: its bit in the published status list is set."""
    with _node(config, database_url, data_dir, authority=True) as services:
        record = run_guarded(lambda: _authority(services).revoke(credential_id))
    typer.echo(f"revoked {record.credential_id} ({record.credential_type} of {record.holder_did})")


@authority_app.command("list")
def list_issued(
    config: ConfigOption = None, database_url: DatabaseOption = None, data_dir: DataDirOption = None
) -> None:
    """Print the members and the credentials issued."""
    with _node(config, database_url, data_dir, authority=True) as services:
        authority = _authority(services)
        members = [
            {"holder": m.holder_did, "type": m.credential_type, "claims": dict(m.claims)} for m in authority.members()
        ]
        issued = [
            {
                "id": r.credential_id,
                "holder": r.holder_did,
                "type": r.credential_type,
                "issuedAt": r.issued_at,
                "validUntil": r.valid_until,
                "revokedAt": r.revoked_at,
            }
            for r in authority.issued()
        ]
    print_json({"members": members, "issued": issued})


@authority_app.command("recognise")
def recognise(
    issuer: Annotated[str, typer.Option("--issuer", help="the foreign authority's DID or base URL")],
    data_space: Annotated[str, typer.Option("--data-space", help="the foreign data space, e.g. ouranos")],
    mapping: Annotated[
        list[str],
        typer.Option(
            "--map",
            help="FOREIGN_TYPE[claim=value,…]=OUR_TYPE, e.g. "
            "OuranosOperatorCredential[certificationStatus=certified]=MembershipCredential",
        ),
    ],
    scope: Annotated[list[str], typer.Option("--scope", help=f"purposes: {', '.join(PURPOSES)}")],
    valid_days: Annotated[int, typer.Option("--valid-days", help="how long the recognition holds")] = 365,
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Recognise a foreign issuer's credentials as ours (a new trust-list version)."""
    recognition = run_guarded(lambda: _recognition(_did_of(issuer), data_space, mapping, scope, valid_days))
    with _node(config, database_url, data_dir, authority=True) as services:
        updated = run_guarded(lambda: _authority(services).recognise(recognition))
    typer.echo(f"trust list version {updated.version}: recognises {recognition.issuer} ({data_space})")


@authority_app.command("withdraw")
def withdraw(
    issuer: Annotated[str, typer.Option("--issuer", help="the foreign authority's DID or base URL")],
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Withdraw the recognition of a foreign issuer (a new trust-list version without it)."""
    with _node(config, database_url, data_dir, authority=True) as services:
        updated = run_guarded(lambda: _authority(services).withdraw(_did_of(issuer)))
    typer.echo(f"trust list version {updated.version}: {_did_of(issuer)} no longer recognised")


@authority_app.command("trust-list")
def show_trust_list(
    config: ConfigOption = None, database_url: DatabaseOption = None, data_dir: DataDirOption = None
) -> None:
    """Print the current trust list."""
    with _node(config, database_url, data_dir, authority=True) as services:
        print_json(_authority(services).trust_list().to_json())


@credentials_app.command("request")
def request(
    issuer: Annotated[str, typer.Option("--issuer", help="the authority's base URL or DID")],
    credential_type: Annotated[list[str], typer.Option("--type", help="credential type (repeatable)")],
    config: ConfigOption = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Ask an authority for credentials (DCP issuance); it writes them to this node's credential service, so the
    node must be serving."""
    with _node(config, database_url, data_dir) as services:
        location = run_guarded(lambda: services.identity.holder.request_credentials(_did_of(issuer), credential_type))
        typer.echo(f"requested: {location}")
        status = services.http.get(location)
    print_json(status.json())
    if status.status_code != 200 or status.json().get("status") != "ISSUED":
        raise typer.Exit(1)


@credentials_app.command("list")
def list_wallet(
    config: ConfigOption = None, database_url: DatabaseOption = None, data_dir: DataDirOption = None
) -> None:
    """Print the credentials this node holds."""
    with _node(config, database_url, data_dir) as services:
        entries = services.identity.holder.wallet()
    print_json(
        [
            {"id": e.credential_id, "type": e.credential_type, "issuer": e.issuer, "validUntil": e.valid_until}
            for e in entries
        ]
    )


def _bad(option: str, message: str) -> NoReturn:
    err.print(f"[red]error[/red] {escape(option)}: {escape(message)}", highlight=False)
    raise typer.Exit(2)


def _pair(item: str, option: str) -> tuple[str, str]:
    name, sep, value = item.partition("=")
    if not sep or not name:
        _bad(option, f"{item!r} is not NAME=VALUE")
    return name, value


def _mapping(text: str) -> TypeMapping:
    """``Foreign[claim=value,…]=Ours`` → TypeMapping."""
    left, sep, ours = text.rpartition("=")
    if not sep or not left or not ours:
        raise InvalidInput([Violation("--map", f"{text!r} is not FOREIGN_TYPE[claim=value]=OUR_TYPE")])
    foreign, _, conditions = left.partition("[")
    pairs = [c for c in conditions.rstrip("]").split(",") if c]
    parsed = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise InvalidInput([Violation("--map", f"condition {pair!r} is not claim=value")])
        parsed[name] = value
    return TypeMapping(foreign, ours, parsed)


def _recognition(issuer: str, data_space: str, mapping: list[str], scope: list[str], valid_days: int) -> Recognition:
    unknown = [s for s in scope if s not in PURPOSES]
    if unknown:
        raise InvalidInput([Violation("--scope", f"{unknown}; use {', '.join(PURPOSES)}")])
    now = datetime.now(UTC)
    try:
        return Recognition(
            issuer,
            data_space,
            tuple(_mapping(m) for m in mapping),
            now,
            now + timedelta(days=valid_days),
            frozenset(scope),
        )
    except ValueError as exc:
        raise InvalidInput([Violation("--map", str(exc))]) from None


__all__ = ["authority_app", "credentials_app", "identity_app"]
