"""A small vocabulary for describing a passport data model as data: objects, arrays and typed leaves.

Layout: `Leaf` / `Obj` / `Arr` / `Prop` are the nodes; `iter_leaves` walks a model and yields every leaf with its
dotted path (array items are transparent: `sustainability.carbonFootprint.value`).

Why data and not classes per attribute group: the Catena-X BatteryPass 6.1.0 aspect has ~410 fields. Described
once as data, the same description gives the validator (compiled to JSON Schema), the access-level table's leaf
list, the docs and the visibility tests, and they cannot drift apart.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias


class LeafKind(enum.Enum):
    """The JSON shape of a leaf; DATE and DATETIME are strings that must be real calendar values."""

    STRING = "string"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "date-time"


@dataclass(frozen=True, slots=True)
class Leaf:
    """A scalar field.

    Attributes:
        kind: JSON shape.
        enum: allowed values, if the spec enumerates them.
        pattern: regular expression the value must match (JSON Schema / ECMA 262 dialect).
        minimum: inclusive lower bound for numbers.
        maximum: inclusive upper bound for numbers.
        max_length: maximum string length.
        unit: the unit the spec fixes for this value (SAMM `samm-c:unit`), e.g. ``unit:volt``; None if unitless
            or if the unit travels in a sibling field.
        characteristic: the SAMM characteristic name in the source model, for traceability.
    """

    kind: LeafKind
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_length: int | None = None
    unit: str | None = None
    characteristic: str | None = None


@dataclass(frozen=True, slots=True)
class Prop:
    """A named member of an object."""

    name: str
    node: Node
    required: bool = True


@dataclass(frozen=True, slots=True)
class Obj:
    """An object with a closed set of members (unknown members are rejected)."""

    props: tuple[Prop, ...]
    characteristic: str | None = None

    def member(self, name: str) -> Prop | None:
        """The member called `name`, or None."""
        for prop in self.props:
            if prop.name == name:
                return prop
        return None


@dataclass(frozen=True, slots=True)
class Arr:
    """A list of items of one node type."""

    items: Node
    min_items: int = 0
    characteristic: str | None = None


Node: TypeAlias = Leaf | Obj | Arr


def iter_leaves(node: Node, prefix: str = "") -> Iterator[tuple[str, Leaf]]:
    """Yield `(dotted_path, leaf)` for every leaf below `node`, in declaration order."""
    if isinstance(node, Leaf):
        yield prefix, node
    elif isinstance(node, Arr):
        yield from iter_leaves(node.items, prefix)
    else:
        for prop in node.props:
            yield from iter_leaves(prop.node, f"{prefix}.{prop.name}" if prefix else prop.name)


def iter_nodes(node: Node, prefix: str = "") -> Iterator[tuple[str, Node]]:
    """Yield `(dotted_path, node)` for every object member below `node` (leaves and inner nodes)."""
    if isinstance(node, Arr):
        yield from iter_nodes(node.items, prefix)
    elif isinstance(node, Obj):
        for prop in node.props:
            path = f"{prefix}.{prop.name}" if prefix else prop.name
            yield path, prop.node
            yield from iter_nodes(prop.node, path)


__all__ = ["Arr", "Leaf", "LeafKind", "Node", "Obj", "Prop", "iter_leaves", "iter_nodes"]
