"""Verifying an SD-JWT (RFC 9901 §7.1/§7.3, without a Key Binding JWT): the issuer's signature, then the disclosures.

Layout: `verify(compact, keys)` → `VerifiedSdJwt` (the claims with the presented disclosures applied, and the path of
every disclosed member); `MAX_BYTES`, the largest SD-JWT accepted. Issuing is `passbridge.identity.sdjwt_issuance`'s
job; `passbridge.identity.sdjwt` offers both under one name.

Verification refuses, each with its `Refusal`: anything but ASCII, a trailing Key Binding JWT (not supported), a
non-canonical base64url part (so a changed padding bit cannot slip through), a bad issuer signature (the ``kid`` of
the header must be an ``assertionMethod`` key of the ``iss`` DID document), a ``_sd_alg`` other than ``sha-256``,
a disclosure given twice or not referenced by the signed payload (``digest-mismatch``), a digest referenced twice,
a claim-name collision and a disclosure of the wrong kind for its place (§7.1 steps 3-5).

Numbers stay exact: the payload and disclosures are read with `loads_exact`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from passbridge.errors import InvalidInput
from passbridge.identity import jose
from passbridge.identity.did import DidResolver
from passbridge.identity.disclosure import (
    ARRAY_DIGEST,
    SD,
    SD_ALG,
    SD_ALG_CLAIM,
    Disclosure,
    Path,
    b64decode_strict,
)
from passbridge.identity.refusals import Refusal, refuse
from passbridge.jsoncodec import loads_exact
from passbridge.jsontypes import JsonValue

MAX_BYTES = 2 * 1024 * 1024
"""Largest compact SD-JWT accepted (a passport with every disclosure is ~15 KB)."""


@dataclass(frozen=True, slots=True)
class VerifiedSdJwt:
    """A verified SD-JWT: header, the claims with the presented disclosures applied (``_sd``, ``_sd_alg`` and
    undisclosed array elements removed), and the path of every disclosed member, in payload order."""

    header: Mapping[str, Any]
    claims: dict[str, JsonValue]
    disclosed: tuple[Path, ...]
    issuer: str
    key_id: str | None


def verify(
    sd_jwt: str,
    keys: DidResolver | Mapping[str, Any],
    *,
    now: datetime | None = None,
    expected_typ: str | None = None,
    subject: str = "SD-JWT",
) -> VerifiedSdJwt:
    """Verify a compact SD-JWT (no Key Binding JWT) against the issuer's DID document (or one public JWK).

    `now` also checks ``exp`` / ``nbf`` / ``iat`` when given.

    Raises:
        VerificationFailed: with the refusal code of the first failed check (see the module docstring).
    """
    jwt, encoded = _split(sd_jwt, subject)
    header, _ = jose.peek(jwt, subject)
    if expected_typ is not None and header.get("typ") != expected_typ:
        raise refuse(Refusal.MALFORMED, f"typ {header.get('typ')!r}, expected {expected_typ!r}", subject)
    for part in jwt.split("."):
        b64decode_strict(part, subject)
    try:
        payload = loads_exact(b64decode_strict(jwt.split(".")[1], subject))
    except InvalidInput as exc:
        raise refuse(Refusal.MALFORMED, f"payload is not JSON: {exc}", subject) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("iss"), str):
        raise refuse(Refusal.MALFORMED, "payload must be an object with a string iss", subject)
    issuer: str = payload["iss"]
    kid = header.get("kid")
    jwk = keys if isinstance(keys, Mapping) else keys.resolve(issuer).key(kid, "assertionMethod", subject)
    jose.verify(jwt, jwk, subject)
    if now is not None:
        jose.check_times(payload, now, subject, require_exp=False)
    algorithm = payload.pop(SD_ALG_CLAIM, SD_ALG)
    if algorithm != SD_ALG:
        raise refuse(Refusal.MALFORMED, f"_sd_alg {algorithm!r} is not supported (only {SD_ALG})", subject)
    disclosures: dict[str, Disclosure] = {}
    for number, item in enumerate(encoded, start=1):
        disclosure = Disclosure.parse(item, f"{subject} disclosure {number}")
        if disclosure.digest in disclosures:
            raise refuse(Refusal.MALFORMED, f"disclosure {number} is given twice", subject)
        disclosures[disclosure.digest] = disclosure
    rebuild = _Rebuild(disclosures, subject)
    try:
        claims = rebuild.object(payload, ())
    except RecursionError:
        raise refuse(Refusal.MALFORMED, "nested too deeply", subject) from None
    unused = len(disclosures) - len(rebuild.used)
    if unused:
        raise refuse(Refusal.DIGEST_MISMATCH, f"{unused} disclosure(s) not referenced by the signed payload", subject)
    return VerifiedSdJwt(header, claims, tuple(rebuild.disclosed), issuer, kid)


def _split(sd_jwt: str, subject: str) -> tuple[str, list[str]]:
    if len(sd_jwt) > MAX_BYTES:
        raise refuse(Refusal.TOO_LARGE, f"{len(sd_jwt)} bytes > {MAX_BYTES}", subject)
    if not sd_jwt.isascii():
        raise refuse(Refusal.MALFORMED, "not ASCII", subject)
    parts = sd_jwt.split("~")
    if len(parts) < 2:
        raise refuse(Refusal.MALFORMED, "not an SD-JWT (<JWT>~<disclosure>~…~)", subject)
    if parts[-1]:
        raise refuse(Refusal.MALFORMED, "a Key Binding JWT or no final '~': key binding is not supported", subject)
    encoded = parts[1:-1]
    if any(not item for item in encoded):
        raise refuse(Refusal.MALFORMED, "empty disclosure ('~~')", subject)
    return parts[0], encoded


@dataclass(slots=True)
class _Rebuild:
    """Replaces digests by the disclosures they name (§7.1 step 3), remembering which were used."""

    disclosures: Mapping[str, Disclosure]
    subject: str
    seen: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    disclosed: list[Path] = field(default_factory=list)

    def lookup(self, digest: Any) -> Disclosure | None:
        if not isinstance(digest, str):
            raise refuse(Refusal.MALFORMED, f"digest {digest!r} is not a string", self.subject)
        if digest in self.seen:
            raise refuse(Refusal.DIGEST_MISMATCH, f"digest {digest} appears more than once", self.subject)
        self.seen.add(digest)
        disclosure = self.disclosures.get(digest)
        if disclosure is not None:
            self.used.add(digest)
        return disclosure  # None: a decoy or a withheld claim

    def value(self, value: JsonValue, path: Path) -> JsonValue:
        if isinstance(value, dict):
            return self.object(value, path)
        if isinstance(value, list):
            return self.array(value, path)
        return value

    def object(self, obj: Mapping[str, JsonValue], path: Path) -> dict[str, JsonValue]:
        out = {name: self.value(value, (*path, name)) for name, value in obj.items() if name != SD}
        digests = obj.get(SD, [])
        if not isinstance(digests, list):
            raise refuse(Refusal.MALFORMED, f"_sd at {_show(path)} is not an array", self.subject)
        for digest in digests:
            disclosure = self.lookup(digest)
            if disclosure is None:
                continue
            if disclosure.name is None:
                raise refuse(Refusal.MALFORMED, f"array element disclosure in _sd at {_show(path)}", self.subject)
            if disclosure.name in out:
                raise refuse(Refusal.MALFORMED, f"claim {disclosure.name!r} at {_show(path)} twice", self.subject)
            member = (*path, disclosure.name)
            self.disclosed.append(member)
            out[disclosure.name] = self.value(disclosure.value, member)
        return out

    def array(self, items: list[JsonValue], path: Path) -> list[JsonValue]:
        out: list[JsonValue] = []
        for item in items:
            if isinstance(item, dict) and ARRAY_DIGEST in item:
                if len(item) != 1:
                    raise refuse(Refusal.MALFORMED, f"'...' with other members at {_show(path)}", self.subject)
                disclosure = self.lookup(item[ARRAY_DIGEST])
                if disclosure is None:
                    continue
                if disclosure.name is not None:
                    raise refuse(Refusal.MALFORMED, f"property disclosure in array {_show(path)}", self.subject)
                self.disclosed.append((*path, len(out)))
                out.append(self.value(disclosure.value, (*path, len(out))))
            else:
                out.append(self.value(item, (*path, len(out))))
        return out


def _show(path: Path) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


__all__ = ["MAX_BYTES", "VerifiedSdJwt", "verify"]
