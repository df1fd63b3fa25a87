"""`passbridge verify FILE`: check a signed passport (SD-JWT, ``?format=sd-jwt``) or a credential (``vc+jwt``).

The issuer's key comes from its DID document: fetched over did:web (``http`` allowed for loopback hosts, as in the
demo), or read from the file given with ``--did-document``. Exit codes: 0 valid; 1 refused (the refusal code and
the check that failed are printed); 2 unreadable input.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.markup import escape

from passbridge.cli.common import err, print_json
from passbridge.errors import InvalidInput, PassbridgeError, VerificationFailed
from passbridge.identity.did import DidDocument, DidResolver, StaticDidResolver
from passbridge.identity.passport_signing import VerifiedPassport, verify_passport
from passbridge.jsoncodec import loads_fast
from passbridge.passport.signatures import implied_access

FileArgument = Annotated[
    Path, typer.Argument(metavar="FILE", help="a signed passport (GET …?format=sd-jwt) or a vc+jwt credential")
]
DidDocumentOption = Annotated[
    Path | None,
    typer.Option("--did-document", help="the issuer's DID document (JSON) instead of fetching it over did:web"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print the result as JSON")]


def verify(file: FileArgument, did_document: DidDocumentOption = None, as_json: JsonOption = False) -> None:
    """Check a signed passport or credential: signature against the issuer's DID document, every disclosure."""
    text = _read(file).strip(" \t\r\n")
    try:
        with _resolver(did_document) as resolver:
            now = datetime.now(UTC)
            report = _credential(text, resolver, now) if "~" not in text else _passport(text, resolver, now)
    except VerificationFailed as exc:
        _refused(exc, as_json)
        raise typer.Exit(1) from None
    except InvalidInput as exc:
        _fail(f"{exc}", 2)
    except PassbridgeError as exc:
        _fail(f"{exc}", 1)
    if as_json:
        print_json({"valid": True, **report})
        return
    typer.echo(f"valid {report['kind']}")
    for name, value in report.items():
        if name == "kind":
            continue
        shown = "\n".join(["", *(f"  - {item}" for item in value)]) if isinstance(value, list) else value
        typer.echo(f"  {name}: {shown}")


def _read(file: Path) -> str:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror or exc}", 2)
    return raw.decode("latin-1")  # lossless; anything but ASCII is refused by the checks themselves


@contextmanager
def _resolver(did_document: Path | None) -> Iterator[DidResolver]:
    if did_document is not None:
        try:
            document = DidDocument.from_json(loads_fast(did_document.read_bytes()))
        except OSError as exc:
            _fail(f"cannot read {did_document}: {exc.strerror or exc}", 2)
        except InvalidInput as exc:
            _fail(f"--did-document {did_document}: {exc}", 2)
        except VerificationFailed as exc:
            _fail(f"--did-document {did_document}: {exc.detail}", 2)
        yield StaticDidResolver([document])
        return
    import httpx  # only when fetching: the offline path needs no HTTP stack

    from passbridge.outbound.did_web import DidWebResolver
    from passbridge.outbound.http import AddressPolicy

    with httpx.Client() as client:
        yield DidWebResolver(client, AddressPolicy(allow_http_loopback=True))


def _passport(text: str, resolver: DidResolver, now: datetime) -> dict[str, Any]:
    verified: VerifiedPassport = verify_passport(text, resolver, now=now)
    access = implied_access(verified.disclosed)
    return {
        "kind": "signed passport (SD-JWT)",
        "issuer": verified.issuer,
        "key": verified.key_id,
        "passportId": verified.passport_id,
        "version": verified.version,
        "signedAt": verified.signed_at.isoformat(),
        "disclosedCount": len(verified.disclosed),
        "disclosed": sorted(verified.disclosed),
        "accessLevel": access.level,
        "annexXIIIPoints": sorted(point.value for point in access.points),
        "readableBy": [role.value for role in access.readers],
    }


def _credential(text: str, resolver: DidResolver, now: datetime) -> dict[str, Any]:
    from passbridge.identity import jose
    from passbridge.identity.credentials import read_credential_jwt

    subject = "credential"
    taken = read_credential_jwt(text, subject)
    credential = taken.credential
    jwk = resolver.resolve(credential.issuer).key(taken.kid, "assertionMethod", subject)
    jose.verify(text, jwk, subject)
    jose.check_times(taken.claims, now, subject, require_exp=False)
    return {
        "kind": "credential (vc+jwt)",
        "issuer": credential.issuer,
        "key": taken.kid,
        "id": credential.id,
        "types": list(credential.types),
        "holder": credential.holder,
        "validFrom": credential.valid_from.isoformat(),
        "validUntil": credential.valid_until.isoformat() if credential.valid_until else None,
        "revocation": "not checked (a verifier checks the status list: passbridge serve)",
    }


def _refused(error: VerificationFailed, as_json: bool) -> None:
    if as_json:
        print_json({"valid": False, "refusal": error.refusal, "detail": error.detail, "checked": error.subject})
    err.print(
        f"[red]refused[/red] {escape(error.refusal)}: {escape(error.detail)}"
        + (f" ({escape(error.subject)})" if error.subject else ""),
        highlight=False,
    )


def _fail(message: str, code: int) -> NoReturn:
    err.print(f"[red]error[/red] {escape(message)}", highlight=False)
    raise typer.Exit(code)


__all__ = ["verify"]
