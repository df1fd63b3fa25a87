"""Issuing an SD-JWT (RFC 9901 §4): sign the claims with every disclosable member concealed, then present a subset.

Layout: `issue(claims, disclosable, key)` → `IssuedSdJwt` (the issuer-signed JWT and every `IssuedDisclosure` with its
JSON path; recursive, inner ``_sd`` first and then the outer disclosure, §4.2.6); `present(issued, paths)` → compact
``<JWT>~<D1>~…~<Dn>~`` (`compact`, §4); `TYP`, the header ``typ`` written by default. Checking an SD-JWT is
`passbridge.identity.sdjwt_verification`'s job; `passbridge.identity.sdjwt` offers both under one name.

Only the members on a disclosable path are walked (a trie of the paths, cached per set of paths); ``_sd`` arrays are
sorted so their order does not reveal the claims' order (§4.2.4.1), optionally padded with decoy digests (§4.2.5).
Claim names the RFC reserves (``_sd``, ``...``, ``_sd_alg``) are refused unless the caller vouches there are none
(`names_checked`). Numbers stay exact: the payload and disclosures are written with `dumps_exact_fast`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from passbridge.identity import jose
from passbridge.identity.disclosure import (
    ARRAY_DIGEST,
    SD,
    SD_ALG,
    SD_ALG_CLAIM,
    Disclosure,
    Path,
    SaltSource,
    digest_of,
    random_salt,
)
from passbridge.identity.keys import SigningKey
from passbridge.jsoncodec import dumps_exact_fast
from passbridge.jsontypes import JsonObject, JsonValue

TYP = "dc+sd-jwt"
"""Header ``typ`` of an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc); RFC 9901 itself leaves ``typ`` to applications."""


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


__all__ = ["TYP", "IssuedDisclosure", "IssuedSdJwt", "compact", "issue", "present"]
