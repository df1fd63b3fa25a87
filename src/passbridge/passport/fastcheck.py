"""The fast route's types: the BatteryPass model compiled to msgspec structs that decode and check in one native pass.

Layout: `compile_type` (a `spec` node → msgspec type) · `Member` (the base of every compiled struct: reads like the
dict it stands for) · `python_pattern` · the strict date patterns. `passport.admission` uses them.

Why: on the bulk-import path the parsed document is only needed to be checked and to give its facts (the bytes are
what is stored). On the ~8.6 KB sample passport, parsing to dicts (orjson, ~30 µs) and validating those (jsonschema-rs,
~25-35 µs) costs more than msgspec decoding the bytes straight into typed structs compiled from the same `spec` model
as the JSON Schema (`schema.to_json_schema`), checking them on the way in (~43 µs, half of it the patterns).

The compiled types are never more lenient than the schema, only sometimes stricter: patterns run with ASCII classes
and `$` as the true end; date-times must match a strict RFC 3339 pattern that also encodes the Gregorian calendar
(so ``2023-02-29T10:00:00Z`` fails as the `format` check fails it), with a year from 1000, upper-case ``T`` and
``Z`` and an offset the SAMM pattern allows; dates decode as msgspec's `datetime.date`, which accepts exactly
``YYYY-MM-DD`` naming a real day (``7172-75-08`` fails); integers must be written as integers. What they refuse is
not a verdict: the usual route (`validation.validate_document`) decides, and words the errors. The rules beyond the
schema (`validation`) run on the structs as they run on dicts (`Member` reads like a mapping; a date there is a
`datetime.date`, which orders as its ``YYYY-MM-DD`` text does), so they are written once.
"""

from __future__ import annotations

import datetime
import keyword
import re
from collections.abc import Mapping
from decimal import Decimal
from itertools import count
from types import GenericAlias
from typing import Annotated, Any, ClassVar, Literal, cast

import msgspec

from passbridge.passport.spec import Arr, Leaf, LeafKind, Node, Obj

_DAY = (
    r"(?:[1-9][0-9]{3}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?:[1-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)-02-29)"
)
"""A Gregorian calendar date from year 1000 (RFC 3339 full-date), leap years included."""

STRICT_DATE = rf"^{_DAY}\Z"
"""What a DATE leaf must match on the fast route (JSON Schema `format: date` accepts these and more)."""

_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?"
_OFFSET = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
STRICT_DATETIME = rf"^{_DAY}T{_TIME}{_OFFSET}\Z"
"""What a DATETIME leaf must match on the fast route: RFC 3339 date-time with upper-case ``T`` and ``Z``, no leap
second, an offset within the SAMM pattern's ±14:00."""

SAMM_DATETIME = (
    r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]+)?|(24:00:00(\.0+)?))(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)
"""The SAMM `xsd:dateTime` pattern that BatteryPass date-time leaves carry (unanchored)."""

_STRICT: dict[LeafKind, tuple[str, frozenset[str]]] = {
    LeafKind.DATE: (STRICT_DATE, frozenset({r"^\d{4}-\d{2}-\d{2}$"})),
    LeafKind.DATETIME: (STRICT_DATETIME, frozenset({SAMM_DATETIME})),
}
"""Per date kind: the strict pattern, and the leaf patterns it implies (a string it matches, they match too), which
need not run again."""

_BASE: dict[LeafKind, type] = {
    LeafKind.STRING: str,
    LeafKind.NUMBER: float,
    LeafKind.INTEGER: int,
    LeafKind.BOOLEAN: bool,
    LeafKind.DATE: str,
    LeafKind.DATETIME: str,
}


class Member(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A decoded JSON object that reads like the dict it stands for: ``node["name"]``, ``node.get("name", d)``.

    (Not GC-tracked: decoded documents hold no cycles. Members the document leaves out are `msgspec.UNSET`.)
    """

    json_attrs: ClassVar[Mapping[str, str]] = {}
    """JSON member name → attribute name (they differ where the JSON name is not a Python identifier)."""

    def __getitem__(self, name: str) -> Any:
        value = getattr(self, self.json_attrs[name])
        if value is msgspec.UNSET:
            raise KeyError(name)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        """The member's value, or `default` when the document leaves it out."""
        attr = self.json_attrs.get(name)
        value = msgspec.UNSET if attr is None else getattr(self, attr)
        return default if value is msgspec.UNSET else value


def python_pattern(pattern: str) -> str:
    """A JSON Schema pattern as a Python `re` pattern that matches no more than the original: ASCII classes, and
    ``$`` only at the very end (Python's also matches before a final newline)."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return "(?a)" + "".join(out)


def compile_type(node: Node, names: count[int] | None = None) -> Any:
    """The msgspec type that accepts no more than `schema.to_json_schema(node)` with format assertion on."""
    names = names if names is not None else count()
    if isinstance(node, Arr):
        items = GenericAlias(list, (compile_type(node.items, names),))
        return Annotated[items, msgspec.Meta(min_length=node.min_items)] if node.min_items else items
    if isinstance(node, Obj):
        return _struct(node, names)
    return _leaf(node)


def _struct(node: Obj, names: count[int]) -> type[Member]:
    attrs = {prop.name: _attr(prop.name, i) for i, prop in enumerate(node.props)}
    required = [(attrs[p.name], compile_type(p.node, names)) for p in node.props if p.required]
    optional = [
        (attrs[p.name], compile_type(p.node, names) | msgspec.UnsetType, msgspec.UNSET)
        for p in node.props
        if not p.required
    ]
    struct = msgspec.defstruct(
        f"Member{next(names)}",
        [*required, *optional],
        bases=(Member,),
        rename={attr: name for name, attr in attrs.items()},
        namespace={"json_attrs": attrs},
        forbid_unknown_fields=True,
        gc=False,
    )
    return cast(type[Member], struct)  # bases=(Member,)


def _attr(name: str, index: int) -> str:
    usable = name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")
    return name if usable and not hasattr(Member, name) else f"member_{index}"


def _leaf(leaf: Leaf) -> Any:
    if leaf.kind is LeafKind.DATE and leaf.enum is None and leaf.pattern in _STRICT[LeafKind.DATE][1] | {None}:
        return datetime.date  # msgspec's own parser: exactly YYYY-MM-DD, a real day (no regex call: ~0.6 µs less)
    strict = _STRICT.get(leaf.kind)
    patterns = [] if strict is None else [strict[0]]
    if leaf.pattern is not None and (strict is None or leaf.pattern not in strict[1]):
        patterns.append(python_pattern(leaf.pattern))
    if leaf.enum is not None:  # only the values that meet the leaf's other constraints too
        allowed = tuple(v for v in leaf.enum if all(re.search(p, v) for p in patterns) and _short(v, leaf.max_length))
        if not allowed:
            raise ValueError(f"no value of enum {leaf.enum} meets the leaf's other constraints")
        return Literal[allowed]
    meta: dict[str, Any] = {}
    if patterns:
        meta["pattern"] = _all_of(patterns)
    if leaf.max_length is not None:
        meta["max_length"] = leaf.max_length
    if leaf.minimum is not None:
        meta["ge"] = _bound(leaf.minimum)
    if leaf.maximum is not None:
        meta["le"] = _bound(leaf.maximum)
    base = _BASE[leaf.kind]
    return Annotated[base, msgspec.Meta(**meta)] if meta else base


def _all_of(patterns: list[str]) -> str:
    """One pattern that `re.search` matches where each of `patterns` does (look-aheads from the start)."""
    if len(patterns) == 1:
        return patterns[0]
    return "(?a)^" + "".join(rf"(?=[\s\S]*?(?:{p.removeprefix('(?a)')}))" for p in patterns)


def _short(value: str, max_length: int | None) -> bool:
    return max_length is None or len(value) <= max_length


def _bound(value: Decimal) -> int | float:
    exact: int | float = int(value) if value == value.to_integral_value() else float(value)
    if Decimal(exact) != value:
        raise ValueError(f"bound {value} is not exact as a binary64: compile it as a Decimal leaf")
    return exact


__all__ = ["STRICT_DATE", "STRICT_DATETIME", "Member", "compile_type", "python_pattern"]
