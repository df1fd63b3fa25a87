"""The content modifiers of the submodel repository (AAS Part 2 V3.0 §11): value-only serialisation, metadata, the
core level, idShort paths and references, as pure functions over rendered AAS JSON (split from `registry`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from passbridge.ecosystems.idta.registry import RULE
from passbridge.errors import InvalidInput
from passbridge.jsontypes import JsonObject, JsonValue

CONTAINERS = frozenset({"SubmodelElementCollection", "SubmodelElementList", "Entity"})
_CHILDREN = {"SubmodelElementCollection": "value", "SubmodelElementList": "value", "Entity": "statements"}
_NUMERIC = re.compile(r"xs:(decimal|integer|int|long|short|byte|unsigned\w+|\w+Integer|double|float)")


def children(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The child elements of a collection, list or entity (none for any other element)."""
    key = _CHILDREN.get(element.get("modelType", ""))
    items = element.get(key, []) if key else []
    return list(items) if isinstance(items, list) else []


def _scalar(value: Any, value_type: str) -> JsonValue:
    if not isinstance(value, str):
        return None
    if value_type == "xs:boolean":
        return value in ("true", "1")
    if _NUMERIC.fullmatch(value_type):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        if number.is_finite():
            return int(number) if number == number.to_integral_value() and "." not in value else number
    return value


def value_only(element: Mapping[str, Any]) -> JsonValue:
    """The ValueOnly serialization of one element (AAS Part 2 V3.0 §11.4.3), without its idShort."""
    kind = element.get("modelType")
    if kind == "Property":
        return _scalar(element.get("value"), element.get("valueType", ""))
    if kind == "MultiLanguageProperty":
        return [{s["language"]: s["text"]} for s in element.get("value", [])]
    if kind in ("File", "Blob"):
        return {k: element[k] for k in ("contentType", "value") if k in element}
    if kind == "Range":
        return {k: _scalar(element[k], element.get("valueType", "")) for k in ("min", "max") if k in element}
    if kind == "SubmodelElementList":
        return [value_only(child) for child in children(element)]
    if kind in ("SubmodelElementCollection", "Submodel"):
        members = element.get("submodelElements", []) if kind == "Submodel" else children(element)
        return {child["idShort"]: value_only(child) for child in members if "idShort" in child}
    value: JsonValue = element.get("value")
    return value


def _content_key(element: Mapping[str, Any]) -> str:
    kind = element.get("modelType", "")
    return "submodelElements" if kind == "Submodel" else _CHILDREN.get(kind, "value")


def metadata(element: Mapping[str, Any]) -> dict[str, Any]:
    """``$metadata``: a submodel or element without its value and children."""
    out = dict(element)
    out.pop(_content_key(element), None)
    return out


def core(element: Mapping[str, Any]) -> dict[str, Any]:
    """``level=core``: a submodel or element with its direct children, but none of theirs."""
    out = dict(element)
    key = _content_key(element)
    if element.get("modelType") in CONTAINERS | {"Submodel"} and out.get(key):
        out[key] = [metadata(child) if child.get("modelType") in CONTAINERS else child for child in out[key]]
    return out


def id_short_paths(elements: Sequence[Mapping[str, Any]], prefix: str = "", *, deep: bool = True) -> list[str]:
    """The idShortPaths of `elements` and, if `deep`, of everything below them (list items as ``List[0]``)."""
    paths: list[str] = []
    for index, element in enumerate(elements):
        path = f"{prefix}[{index}]" if "idShort" not in element else f"{prefix}.{element['idShort']}".lstrip(".")
        paths.append(path)
        if deep:
            paths += id_short_paths(children(element), path, deep=True)
    return paths


_SEGMENT = re.compile(r"([A-Za-z][A-Za-z0-9_-]*)?((?:\[\d+\])*)")

Chain = list[tuple[str, Mapping[str, Any]]]
"""The elements from the top of a submodel down to one element, each with its key (idShort, or index in a list)."""


def find(submodel: Mapping[str, Any], path: str) -> Chain | None:
    """The chain of elements down to the element at idShortPath `path` (``A.B``, ``List[0].C``), or None."""
    chain: Chain = []
    level: list[Mapping[str, Any]] = list(submodel.get("submodelElements", []))
    for segment in path.split("."):
        match = _SEGMENT.fullmatch(segment)
        steps: list[str | int] = [match.group(1)] if match and match.group(1) else []
        steps += [int(i) for i in re.findall(r"\d+", match.group(2))] if match else []
        if not steps or (not chain and isinstance(steps[0], int)):
            return None
        for step in steps:
            found = [e for e in level if e.get("idShort") == step] if isinstance(step, str) else level[step : step + 1]
            if not found:
                return None
            chain.append((str(step), found[0]))
            level = children(found[0])
    return chain


def content(obj: Mapping[str, Any], submodel_id_: str, chain: Chain, modifier: str, *, deep: bool = True) -> list[Any]:
    """A submodel (`chain` empty) or the element at the end of `chain` as the content modifier `modifier` (``""``,
    ``$metadata``, ``$value``, ``$reference``, ``$path``) shows it; ``$path`` lists the idShortPaths of the element
    itself and of what is below it, every other modifier gives one value.

    Raises:
        InvalidInput: ``$path`` of an element that has no children by its kind (not in `CONTAINERS`).
    """
    if modifier == "$path":
        if chain and obj.get("modelType") not in CONTAINERS:
            raise InvalidInput.at("path.idShortPath", f"$path applies to {', '.join(sorted(CONTAINERS))}", rule=RULE)
        path = "".join(f"[{key}]" if key.isdigit() else f".{key}" for key, _ in chain).lstrip(".")
        below = children(obj) if chain else obj.get("submodelElements", [])
        return ([path] if chain else []) + id_short_paths(below, path, deep=deep)
    shaped = obj if deep else core(obj)
    if modifier == "$value":
        value = value_only(shaped)
        return [{obj["idShort"]: value} if chain and "idShort" in obj else value]
    if modifier == "$metadata":
        return [metadata(obj)]
    return [reference(submodel_id_, chain)] if modifier == "$reference" else [shaped]


def reference(submodel_id_: str, chain: Sequence[tuple[str, Mapping[str, Any]]] = ()) -> JsonObject:
    """The ModelReference of a submodel, or of the last element of `chain`."""
    keys: list[JsonObject] = [{"type": "Submodel", "value": submodel_id_}]
    keys += [{"type": element.get("modelType", "SubmodelElement"), "value": key} for key, element in chain]
    return {"type": "ModelReference", "keys": keys}


__all__ = [
    "CONTAINERS",
    "Chain",
    "children",
    "content",
    "core",
    "find",
    "id_short_paths",
    "metadata",
    "reference",
    "value_only",
]
