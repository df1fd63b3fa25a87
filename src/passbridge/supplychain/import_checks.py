"""The checks an import makes on the whole graph after it, with each refusal traced back to the item in the file.

Layout: `checked_graph` (build the node's `SupplyGraph`; a cycle names the file's line that closes it, a unit
mismatch names the file's line, answer or figure that carries it) and `ouranos_limit_violations`.

The Ouranos limits (≤ 50 children per parent, `partsName` ≤ 50 characters, `amountRequired` ≤ 99999.99999) apply
to the bills of materials of operators registered with Ouranos, i.e. those with an `openOperatorId`.

`origin` maps ``(kind, key)`` to the locator of the item in the file (kinds ``parts``, ``bomLines``, ``trades``,
``answers`` (by trade id), ``footprints``, ``materials``); items without one were already stored.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Hashable, Mapping
from typing import Final

from passbridge.errors import CycleDetected, InvalidInput, Violation
from passbridge.supplychain.catalog import Catalog
from passbridge.supplychain.graph import OURANOS_MAX_CHILDREN, OURANOS_MAX_PARTS_NAME, SupplyGraph
from passbridge.supplychain.import_batch import ImportBatch
from passbridge.supplychain.model import BomLine
from passbridge.supplychain.quantities import OURANOS_MAX

OURANOS_RULE: Final = "Ouranos PartsStructureModel (operators with an openOperatorId)"
_GRAPH_PATH: Final = re.compile(r"^(parts|bomLines|trades|footprints|materials)\[(\d+)\](.*)$")
_NUMBER: Final = re.compile(r"\d+")

Origins = Mapping[tuple[str, Hashable], str]


def _position(locator: str) -> int:
    """Where an item is in its file: its list index or row number."""
    found = _NUMBER.search(locator)
    return int(found.group()) if found else -1


def checked_graph(catalog: Catalog, origin: Origins, batch: ImportBatch) -> SupplyGraph:
    """The graph of `catalog`.

    Raises:
        InvalidInput: the graph's first refusal, its path rewritten to the file's item (``stored …`` for an item
            that was already on the node).
    """
    origins: dict[str, list[str | None]] = {
        "parts": [origin.get(("parts", key)) for key in catalog.parts],
        "bomLines": [origin.get(("bomLines", key)) for key in catalog.bom_lines],
        "trades": [origin.get(("trades", key)) for key in catalog.trades],
        "answers": [origin.get(("answers", key)) for key in catalog.trades],
        "footprints": [origin.get(("footprints", key)) for key in catalog.footprints],
        "materials": [origin.get(("materials", key)) for key in catalog.materials],
    }
    try:
        return catalog.graph()
    except CycleDetected as error:
        raise _cycle(error, origin) from None
    except InvalidInput as error:
        raise InvalidInput([_relocate(v, origins, batch) for v in error.violations]) from None


def _relocate(violation: Violation, origins: Mapping[str, list[str | None]], batch: ImportBatch) -> Violation:
    match = _GRAPH_PATH.match(violation.path)
    if match is None:
        return violation
    kind, index, rest = match.group(1), int(match.group(2)), match.group(3)
    if kind == "trades" and rest.startswith(".answer") and origins["answers"][index] is not None:
        kind, rest = "answers", rest.removeprefix(".answer")
    locator = origins[kind][index]
    if locator is None:
        return Violation(f"stored {violation.path}", violation.message, violation.rule)
    field = rest.lstrip(".")
    return Violation(batch.field_path(locator, field) if field else locator, violation.message, violation.rule)


def _cycle(error: CycleDetected, origin: Origins) -> InvalidInput:
    """Name the line of the file that closes the cycle: of its lines in the file, the last one."""
    steps = [uuid.UUID(step) for step in error.cycle]
    found = [origin.get(("bomLines", pair)) for pair in itertools.pairwise(steps)]
    in_file = [locator for locator in found if locator is not None]
    locator = max(in_file, key=_position) if in_file else "bomLines"
    return InvalidInput([Violation(locator, error.violations[0].message, error.violations[0].rule)])


def ouranos_limit_violations(catalog: Catalog, origin: Origins, batch: ImportBatch) -> list[Violation]:
    """Refusals of the Ouranos limits for the file's items of Ouranos operators' bills of materials."""
    violations: list[Violation] = []
    children: dict[uuid.UUID, list[BomLine]] = {}
    for (parent, _), line in catalog.bom_lines.items():
        children.setdefault(parent, []).append(line)
    for trace_id, entry in catalog.parts.items():
        part = entry.part
        if part.operator.open_operator_id is None:
            continue
        locator = origin.get(("parts", trace_id))
        if len(part.parts_name) > OURANOS_MAX_PARTS_NAME and locator is not None:
            message = f"{part.parts_name!r} is longer than 50 characters"
            violations.append(Violation(batch.field_path(locator, "partsName"), message, OURANOS_RULE))
        lines = children.get(trace_id, [])
        where_of = [origin.get(("bomLines", (line.parent, line.child))) for line in lines]
        for line, where in zip(lines, where_of, strict=True):
            if where is not None and line.amount_required > OURANOS_MAX:
                path = batch.field_path(where, "amountRequired")
                violations.append(Violation(path, "above 99999.99999", OURANOS_RULE))
        if len(lines) > OURANOS_MAX_CHILDREN:
            where = next((w for w in where_of[OURANOS_MAX_CHILDREN:] if w), locator or f"stored part {trace_id}")
            message = (
                f"{part.parts_name} would have {len(lines)} children; Ouranos allows at most "
                f"{OURANOS_MAX_CHILDREN} per parent"
            )
            violations.append(Violation(where, message, OURANOS_RULE))
    return violations


__all__ = ["OURANOS_RULE", "checked_graph", "ouranos_limit_violations"]
