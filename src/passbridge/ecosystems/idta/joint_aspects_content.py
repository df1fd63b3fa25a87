"""Absent-tolerant reading of a BatteryPass 6.1.0 content tree, and the small JSON shapes the joint aspects share.

Layout: `Node` wraps one position of a (possibly filtered) content tree: a lookup that misses yields an empty
`Node` instead of raising, so each encoder reads as a straight mapping table and a filtered view simply makes
members disappear. `compact` and `lang_texts` build the SAMM payload shapes used by the joint Catena-X/IDTA aspects.

Why a wrapper and not `dict.get` chains: a filtered view may drop a member at any depth, and a member may hold an
unexpected JSON type; both must end in "omit the target field", never in `KeyError`/`TypeError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TypeAlias

Number: TypeAlias = Decimal | int
Payload: TypeAlias = dict[str, object]

TEXT_LANGUAGE = "en"
"""Language tag given to 6.1.0 texts in SAMM multi-language properties.

6.1.0 texts (document headers, names, addresses) carry no language tag; Catena-X authors them in English, so they
are tagged ``en``. The tag describes the short text only, never the language of a linked document (see
`joint_aspects_documents`: ``DocumentVersions[].Language`` is left out for that reason).
"""


class Node:
    """One position in the content tree; empty when the member is absent or null."""

    __slots__ = ("_value",)

    def __init__(self, value: object) -> None:
        self._value = value

    def __getitem__(self, key: str) -> Node:
        value = self._value
        if isinstance(value, Mapping):
            return Node(value.get(key))
        return Node(None)

    @property
    def present(self) -> bool:
        """Whether the member exists (and is not null)."""
        return self._value is not None

    def at(self, dotted: str) -> Node:
        """The node at a dotted path of object members, e.g. ``performance.rated.voltage``."""
        node = self
        for key in dotted.split("."):
            node = node[key]
        return node

    def find(self, dotted: str) -> list[Node]:
        """All present nodes at a dotted path, looking through arrays on the way (arrays are transparent)."""
        nodes = [self]
        for key in dotted.split("."):
            found: list[Node] = []
            for node in nodes:
                for item in node.items() if node.is_list() else [node]:
                    child = item[key]
                    if child.present:
                        found.append(child)
            nodes = found
        return nodes

    def text(self) -> str | None:
        """The value if it is a string."""
        return self._value if isinstance(self._value, str) else None

    def number(self) -> Number | None:
        """The value if it is a number, exactly as decoded (Decimal, or int for integral JSON literals)."""
        value = self._value
        if isinstance(value, bool):
            return None
        if isinstance(value, float):  # outside the JsonValue contract; keep the digits Python would print
            value = Decimal(repr(value))
        if isinstance(value, Decimal):
            return value if value.is_finite() else None  # JSON has no NaN/Infinity
        return value if isinstance(value, int) else None

    def flag(self) -> bool | None:
        """The value if it is a boolean."""
        return self._value if isinstance(self._value, bool) else None

    def is_list(self) -> bool:
        """Whether the value is a JSON array."""
        value = self._value
        return isinstance(value, Sequence) and not isinstance(value, str | bytes)

    def items(self) -> list[Node]:
        """The elements of an array; empty for anything else."""
        value = self._value
        if isinstance(value, Sequence) and not isinstance(value, str | bytes):
            return [Node(item) for item in value]
        return []


def prune(members: Mapping[str, object]) -> Payload:
    """An object without its None members.

    Empty lists are kept on purpose: they stand for a source list that exists but is empty.
    """
    return {key: value for key, value in members.items() if value is not None}


def compact(members: Mapping[str, object]) -> Payload | None:
    """`prune`, or None if nothing is left (so that an enclosing object omits the member)."""
    return prune(members) or None


def lang_texts(texts: Iterable[str | None]) -> list[dict[str, str]] | None:
    """A SAMM ``MultiLanguageTexts`` value (``[{"en": "..."}]``), one entry per distinct text; None if no text."""
    unique = unique_strings(texts)
    return [{TEXT_LANGUAGE: text} for text in unique] or None


def lang_text(text: str | None) -> list[dict[str, str]] | None:
    """`lang_texts` for a single text."""
    return lang_texts([text])


def unique_strings(values: Iterable[str | None]) -> list[str]:
    """Distinct non-empty strings in first-seen order (joint aspects declare their string sets ``uniqueItems``)."""
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


__all__ = [
    "TEXT_LANGUAGE",
    "Node",
    "Number",
    "Payload",
    "compact",
    "lang_text",
    "lang_texts",
    "prune",
    "unique_strings",
]
