"""Selective Disclosure for JSON Web Tokens (SD-JWT, RFC 9901): issue, present, verify; no key binding.

Layout: `issue(claims, disclosable, key)` → `IssuedSdJwt` (the issuer-signed JWT and every disclosure with its
JSON path; recursive, inner ``_sd`` first and then the outer disclosure, §4.2.6); `present(issued, paths)` → compact
``<JWT>~<D1>~…~<Dn>~`` (§4); `verify(compact, keys)` → `VerifiedSdJwt` (§7.1/§7.3 without a Key Binding JWT).
`Disclosure` and the encoding primitives live in `identity.disclosure` and are re-exported here.

Verification refuses, each with its `Refusal`: anything but ASCII, a trailing Key Binding JWT (not supported), a
non-canonical base64url part (so a changed padding bit cannot slip through), a bad issuer signature (the ``kid`` of
the header must be an ``assertionMethod`` key of the ``iss`` DID document), a ``_sd_alg`` other than ``sha-256``,
a disclosure given twice or not referenced by the signed payload (``digest-mismatch``), a digest referenced twice,
a claim-name collision and a disclosure of the wrong kind for its place (§7.1 steps 3-5).

Numbers stay exact: the payload and disclosures are written with `dumps_exact_fast` and read with `loads_exact`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
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
    SaltSource,
    b64decode_strict,
    digest_of,
    random_salt,
)
from passbridge.identity.keys import SigningKey
from passbridge.identity.refusals import Refusal, refuse
from passbridge.jsoncodec import dumps_exact_fast, loads_exact
from passbridge.jsontypes import JsonObject, JsonValue

TYP = "dc+sd-jwt"
"""Header ``typ`` of an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc); RFC 9901 itself leaves ``typ`` to applications."""
MEDIA_TYPE = "application/sd-jwt"
MAX_BYTES = 2 * 1024 * 1024
"""Largest compact SD-JWT accepted (a passport with every disclosure is ~15 KB)."""


@dataclass(frozen=True, slots=True)
class IssuedDisclosure:
    """A disclosure as issued: where it sits (`path`) and the disclosure it is nested in (`parent`, None when its
    digest is in the signed payload itself)."""

    path: Path
    parent: Path | None
    disclosure: Disclosure


@dataclass(frozen=True, slots=True)
class IssuedSdJwt:
    """What the issuer keeps: the signed JWT and every disclosure."""

    jwt: str
    disclosures: tuple[IssuedDisclosure, ...]

    def compact(self) -> str:
        """The SD-JWT with every disclosure."""
        return compact(self.jwt, (d.disclosure.encoded for d in self.disclosures))


def compact(jwt: str, encoded: Iterable[str]) -> str:
    """``<JWT>~<D1>~…~<Dn>~`` (RFC 9901 §4: the trailing ``~`` says no Key Binding JWT follows)."""
    return jwt + "~" + "".join(f"{item}~" for item in encoded)


_Trie = dict[str | int, "_Node"]


@dataclass(slots=True)
class _Node:
    """One step of a disclosable path: whether the member here is a disclosure, and the steps below it."""

    hidden: bool = False
    below: _Trie = field(default_factory=dict)


def _trie(paths: Collection[Path]) -> _Trie:
    return _trie_of(paths if isinstance(paths, frozenset) else frozenset(paths))


@lru_cache(maxsize=256)  # documents of one kind share their disclosable paths; the trie is never modified
def _trie_of(paths: frozenset[Path]) -> _Trie:
    root: _Trie = {}
    for path in paths:
        level = root
        for depth, step in enumerate(path):
            node = level.setdefault(step, _Node())
            if depth == len(path) - 1:
                node.hidden = True
            level = node.below
    return root


@dataclass(slots=True)
class _Issuer:
    """Walks only the members on a disclosable path (the rest is copied as is), innermost disclosures first."""

    salts: SaltSource
    decoys: int
    out: list[IssuedDisclosure] = field(default_factory=list)

    def value(self, value: JsonValue, trie: _Trie, path: Path, enclosing: Path | None) -> JsonValue:
        if isinstance(value, Mapping):
            return self.object(value, trie, path, enclosing)
        if isinstance(value, list | tuple):
            return self.array(value, trie, path, enclosing)
        return value  # a scalar where a path goes deeper: nothing below it to disclose

    def object(self, obj: JsonObject, trie: _Trie, path: Path, enclosing: Path | None) -> dict[str, JsonValue]:
        clear: dict[str, JsonValue] = {}
        digests: list[str] = []
        for name, value in obj.items():
            node = trie.get(name)
            if node is None:
                clear[name] = value
                continue
            disclosure = self.member(node, name, value, (*path, name), enclosing)
            if disclosure is None:
                clear[name] = self.value(value, node.below, (*path, name), enclosing)
            else:
                digests.append(disclosure.digest)
        if digests:
            digests.extend(digest_of(random_salt()) for _ in range(self.decoys))
            clear[SD] = sorted(digests)  # sorted: the order must not reveal the claims' original order (§4.2.4.1)
        return clear

    def array(self, items: Sequence[JsonValue], trie: _Trie, path: Path, enclosing: Path | None) -> list[JsonValue]:
        out = list(items)
        for index, item in enumerate(items):
            node = trie.get(index)
            if node is None:
                continue
            disclosure = self.member(node, None, item, (*path, index), enclosing)
            out[index] = (
                self.value(item, node.below, (*path, index), enclosing)
                if disclosure is None
                else {ARRAY_DIGEST: disclosure.digest}
            )
        return out

    def member(self, node: _Node, name: str | None, value: JsonValue, path: Path, enclosing: Path | None) -> Any:
        """The disclosure of a hidden member (its own disclosable members concealed first, §4.2.6), else None."""
        if not node.hidden:
            return None
        inner = self.value(value, node.below, path, path) if node.below else value
        disclosure = Disclosure.make(self.salts(), name, inner)
        self.out.append(IssuedDisclosure(path, enclosing, disclosure))
        return disclosure


_RESERVED = frozenset((SD, ARRAY_DIGEST, SD_ALG_CLAIM))


def _check_names(claims: JsonObject) -> None:
    stack: list[Any] = [claims]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            if not _RESERVED.isdisjoint(value):
                raise ValueError(f"claim names {sorted(_RESERVED & set(value))} are reserved by RFC 9901 §4.2.4")
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)


def issue(
    claims: JsonObject,
    disclosable: Collection[Path],
    key: SigningKey,
    *,
    kid: str | None = None,
    typ: str = TYP,
    salts: SaltSource = random_salt,
    decoys: int = 0,
    names_checked: bool = False,
) -> IssuedSdJwt:
    """Sign `claims`, every member or array element at one of the `disclosable` paths made a disclosure.

    A disclosable object or array may hold disclosable members itself (their digests go into its value first).
    `decoys` adds that many random digests to every ``_sd`` array (§4.2.5). Disclosures are listed innermost first.
    `names_checked` skips the walk that refuses reserved claim names, for callers that guarantee none (a document
    validated against a closed schema).

    Raises:
        ValueError: a claim named ``_sd``, ``...`` or ``_sd_alg``.
    """
    if not names_checked:
        _check_names(claims)
    issuer = _Issuer(salts, decoys)
    payload = issuer.object(claims, _trie(disclosable), (), None)
    payload[SD_ALG_CLAIM] = SD_ALG
    jwt = jose.sign_payload(key, dumps_exact_fast(payload), typ=typ, kid=kid)
    return IssuedSdJwt(jwt, tuple(issuer.out))


def present(issued: IssuedSdJwt, paths: Collection[Path]) -> str:
    """The compact SD-JWT with the disclosures at `paths` only.

    Raises:
        ValueError: a path that is not a disclosure, or a nested disclosure without the one it is nested in.
    """
    wanted = set(paths)
    chosen = [d for d in issued.disclosures if d.path in wanted]
    if len(chosen) != len(wanted):
        raise ValueError(f"not disclosures: {sorted(map(str, wanted - {d.path for d in chosen}))}")
    orphans = [d.path for d in chosen if d.parent is not None and d.parent not in wanted]
    if orphans:
        raise ValueError(f"disclosures without the disclosure they are nested in: {orphans}")
    return compact(issued.jwt, [d.disclosure.encoded for d in chosen])


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


@lru_cache(maxsize=8192)  # a node signs the same few dozen paths over and over
def dotted(path: Path) -> str:
    """``performance.rated.lifetime`` / ``items[2].name``: a path as people and `passport.access` write it."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return text[1:] if text.startswith(".") else text


__all__ = [
    "ARRAY_DIGEST",
    "MAX_BYTES",
    "MEDIA_TYPE",
    "SD",
    "SD_ALG",
    "SD_ALG_CLAIM",
    "TYP",
    "Disclosure",
    "IssuedDisclosure",
    "IssuedSdJwt",
    "Path",
    "SaltSource",
    "VerifiedSdJwt",
    "b64decode_strict",
    "compact",
    "digest_of",
    "dotted",
    "issue",
    "present",
    "random_salt",
    "verify",
]
