"""The bulk import's fast route: is a line a valid BatteryPass document, and what are its facts?

Layout: `admit(raw) → PassportFacts | None` (this process's `FastRoute`) · `FastRoute` (picks a way per document:
`by_members` or `whole`) · the compiled types it decodes with (`fastcheck`).

A None is not a verdict: the caller then takes the usual route (`validation.validate_document`), which decides and
words the errors. Whatever either way admits, the usual route accepts with the same facts (a hypothesis test holds
them to it). Documents with a number binary64 may not hold exactly (`jsoncodec.is_float_safe`) go the usual route.

Why members: most of a passport is battery-model data (Annex XIII: materials, carbon footprint, performance,
conformity, dismantling), so the passports of one import repeat most top-level members byte for byte and differ in a
few (`metadata`, `identification`). `by_members` takes the document apart at its top-level members as raw bytes
(which checks their names, the required ones and unknown ones) and decodes each with its member's compiled type,
remembered by its exact bytes: identical bytes decode to the identical verdict, so a repeated member costs a lookup.
The rules that look at one member alone (`validation.MEMBER_RULES`) are checked with it; the links and the facts,
which span members, run per document. On the sample passport (min of interleaved runs): 81 µs for `whole`, ~27 µs
for `by_members` when every member repeats, ~42 µs when `metadata` and `identification` are new (as in the
benchmark), 120-200 µs when nothing repeats (each member decoded, scanned and remembered on its own).

Why both: so that an import whose passports share nothing does not pay for the lookups. After a document by members
in which fewer than half of its members repeated, the next ones go `whole`, with a probe by members every
`PROBE_EVERY` documents to notice when they repeat again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast, get_args

import msgspec
import msgspec.structs

from passbridge.errors import InvalidInput
from passbridge.jsoncodec import is_float_safe
from passbridge.passport.battery_pass import BATTERY_PASS
from passbridge.passport.fastcheck import Member, compile_type
from passbridge.passport.model import PassportFacts
from passbridge.passport.validation import MEMBER_RULES, extract_facts, link_violations, semantic_violations

MEMBER_CACHE_SIZE = 128
"""Distinct values remembered per top-level member; a full table starts over (members new in every document, such
as `metadata`, keep only their table busy)."""

MEMBER_CACHE_BYTES = 8 << 20
"""JSON bytes remembered in all; beyond, every table starts over. Decoded, a member takes ~2.5 times its JSON bytes
(the sample passport: 8.4 KB of members → 19 KB of objects), so what is remembered stays under ~30 MiB a process."""

PROBE_EVERY = 32
"""Documents between two probes by members while documents go whole."""

_REFUSED = (msgspec.ValidationError, msgspec.DecodeError, InvalidInput)


@dataclass(frozen=True, slots=True)
class _Types:
    """The compiled document type, whole and taken apart at its top-level members."""

    whole: msgspec.json.Decoder[Any]
    members: msgspec.json.Decoder[Any]
    """Bytes → the top-level members as raw JSON: checks their names, the required ones and unknown ones."""
    document: type[Member]
    """Built from its decoded members (`msgspec.Struct`s do not check again on init)."""
    decoders: Mapping[str, tuple[msgspec.json.Decoder[Any], str]]
    """Attribute → the decoder of that member's compiled type, and the member's JSON name."""


@cache
def _types() -> _Types:
    document = cast(type[Member], compile_type(BATTERY_PASS))
    fields = msgspec.structs.fields(document)
    members = msgspec.defstruct(
        "Members",
        [(f.name, msgspec.Raw) if f.required else (f.name, msgspec.Raw, msgspec.UNSET) for f in fields],
        rename={f.name: f.encode_name for f in fields},
        forbid_unknown_fields=True,
        gc=False,
    )
    decoders = {
        f.name: (msgspec.json.Decoder(f.type if f.required else _without_unset(f.type)), f.encode_name) for f in fields
    }
    return _Types(msgspec.json.Decoder(document), msgspec.json.Decoder(members), document, decoders)


def _without_unset(annotation: Any) -> Any:
    kept = [arg for arg in get_args(annotation) if arg is not msgspec.UnsetType]
    return kept[0] if len(kept) == 1 else annotation


class _NotAdmitted(Exception):
    """A member with a number binary64 may not hold exactly, or one that breaks a rule beyond the schema."""


_MISSING = object()


class FastRoute:
    """Admits documents by the fast route, remembering checked top-level members (one per process: not shared)."""

    def __init__(
        self, cache_size: int = MEMBER_CACHE_SIZE, cache_bytes: int = MEMBER_CACHE_BYTES, probe_every: int = PROBE_EVERY
    ) -> None:
        self._size, self._max_bytes, self._probe_every = cache_size, cache_bytes, probe_every
        self._tables: dict[str, dict[bytes, Any]] = {attr: {} for attr in _types().decoders}
        self._bytes = 0
        self._by_members, self._until_probe = True, probe_every
        self.repeated = self.decoded = 0
        """Members found among those remembered, and members decoded, so far."""

    @property
    def going_by_members(self) -> bool:
        """Whether the next document goes by members (else whole, unless a probe is due)."""
        return self._by_members

    def remembered(self) -> tuple[int, int]:
        """Member values remembered now, and their JSON bytes."""
        return sum(len(table) for table in self._tables.values()), self._bytes

    def admit(self, raw: bytes) -> PassportFacts | None:
        """The facts of `raw` if the fast route admits it, by whichever way suits the documents so far."""
        if self._by_members:
            return self.by_members(raw)
        self._until_probe -= 1
        if self._until_probe > 0:
            return self.whole(raw)
        self._until_probe = self._probe_every
        return self.by_members(raw)

    def whole(self, raw: bytes) -> PassportFacts | None:
        """Admit `raw` decoded in one piece."""
        if not is_float_safe(raw):
            return None
        try:
            doc = _types().whole.decode(raw)
            facts = extract_facts(doc)
        except _REFUSED:
            return None
        if next(semantic_violations(doc, facts), None) is not None:
            return None
        return facts

    def by_members(self, raw: bytes) -> PassportFacts | None:
        """Admit `raw` member by member, each distinct member decoded and checked once. Every byte that can hold a
        number lies in some member, so the float-safety scan runs per member too."""
        types = _types()
        try:
            members = types.members.decode(raw)
        except _REFUSED:
            return None
        values: dict[str, Any] = {}
        repeated = present = 0
        try:
            for attr, table in self._tables.items():
                value = getattr(members, attr)
                if value is not msgspec.UNSET:
                    present += 1
                    key = bytes(value)
                    value = table.get(key, _MISSING)
                    if value is _MISSING:
                        value = _decode_member(types, attr, key)
                        self._remember(table, key, value)
                    else:
                        repeated += 1
                values[attr] = value
            doc: Any = types.document(**values)  # a `Member`: reads like the mapping the rules take
            facts = extract_facts(doc)
        except (*_REFUSED, _NotAdmitted):
            return None
        finally:
            self.repeated += repeated
            self.decoded += present - repeated
            self._by_members = 2 * repeated >= present
        if next(link_violations(doc, facts), None) is not None:
            return None
        return facts

    def _remember(self, table: dict[bytes, Any], key: bytes, value: Any) -> None:
        if self._bytes + len(key) > self._max_bytes:
            for each in self._tables.values():
                each.clear()
            self._bytes = 0
        elif len(table) >= self._size:
            self._bytes -= sum(map(len, table))
            table.clear()
        table[key] = value
        self._bytes += len(key)


def _decode_member(types: _Types, attr: str, raw: bytes) -> Any:
    if not is_float_safe(raw):
        raise _NotAdmitted
    decoder, name = types.decoders[attr]
    value = decoder.decode(raw)
    rules = MEMBER_RULES.get(name)
    if rules is not None and next(rules(value), None) is not None:
        raise _NotAdmitted
    return value


@cache
def process_route() -> FastRoute:
    """This process's `FastRoute` (workers of a bulk import each have their own)."""
    return FastRoute()


def admit(raw: bytes) -> PassportFacts | None:
    """The facts of `raw` if it is a valid BatteryPass document by the fast route, else None (not a verdict)."""
    return process_route().admit(raw)


__all__ = ["MEMBER_CACHE_BYTES", "MEMBER_CACHE_SIZE", "PROBE_EVERY", "FastRoute", "admit", "process_route"]
