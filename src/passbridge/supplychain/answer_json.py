"""A supplier's answer as JSON: what `GET …/parts/{traceId}/answer` sends and what `answers[]` of an import reads.

Layout: `encode_answer` (`SupplierAnswer` → JSON object, decimals as strings) and `decode_answer` (JSON object →
`SupplierAnswer`, errors naming the JSON path). One format both ways, so an answer served by one node imports
unchanged into its customer's node:

```
{"answerId": uuid, "traceId": uuid, "declaredUnit": "kilogram",
 "cfp": {"<stage>": "4.0", …} | null,                              # all four stages, kg CO2e per declared unit
 "dqr": {"<stage>": {"TeR": "2", "GeR": "3", "TiR": "2"}, …} | null,
 "materials": {"<element>": {"massKg", "recycledPreConsumerKg", "recycledPostConsumerKg",
                             "origin": {"<ISO country>": share} | null}} | null,
 "tradesCount": 0, "completedCount": 0}
```

A member that is null was not released to the customer (ACL), never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passbridge.errors import InvalidInput, Violation
from passbridge.jsontypes import JsonValue
from passbridge.supplychain._json_fields import (
    count_at,
    decimal_at,
    element_masses_at,
    located,
    mapping_at,
    plain,
    share_at,
    unit_at,
    uuid_at,
)
from passbridge.supplychain.answers import AnsweredElement, OriginShare, StageDqr, StageEmission, SupplierAnswer
from passbridge.supplychain.elements import element_name
from passbridge.supplychain.footprints import Dqr, Stage
from passbridge.supplychain.quantities import exact_sum

STAGE_NAMES = tuple(stage.value for stage in Stage)
"""The four stage keys, in order."""


def encode_dqr(dqr: Dqr) -> dict[str, JsonValue]:
    """``{"TeR", "GeR", "TiR"}`` as decimal strings."""
    return {"TeR": plain(dqr.ter), "GeR": plain(dqr.ger), "TiR": plain(dqr.tir)}


def decode_dqr(value: object, path: str) -> Dqr:
    """A ``{"TeR", "GeR", "TiR"}`` object.

    Raises:
        InvalidInput: naming the path of the bad criterion.
    """
    obj = mapping_at(value, path)
    return Dqr(*(decimal_at(obj.get(name), f"{path}.{name}") for name in ("TeR", "GeR", "TiR")))


def _stage(name: str, path: str) -> Stage:
    for stage in Stage:
        if stage.value == name:
            return stage
    raise InvalidInput.at(path, f"unknown stage {name!r}; use one of {', '.join(STAGE_NAMES)}", "EU CF stages")


def encode_answer(answer: SupplierAnswer) -> dict[str, JsonValue]:
    """The JSON object of `answer` (decimals as strings; withheld members null)."""
    cfp: JsonValue = None
    if answer.cfp is not None:
        cfp = {s.stage.value: plain(s.emissions) for s in answer.cfp}
    dqr: JsonValue = None
    if answer.dqr is not None:
        dqr = {s.stage.value: encode_dqr(s.dqr) for s in answer.dqr}
    materials: JsonValue = None
    if answer.materials is not None:
        materials = {
            e.element: {
                "massKg": plain(e.mass),
                "recycledPreConsumerKg": plain(e.recycled_pre_consumer),
                "recycledPostConsumerKg": plain(e.recycled_post_consumer),
                "origin": None if e.origin is None else {o.country: plain(o.share) for o in e.origin},
            }
            for e in answer.materials
        }
    return {
        "answerId": str(answer.answer_id),
        "traceId": str(answer.trace_id),
        "declaredUnit": answer.declared_unit.value,
        "cfp": cfp,
        "dqr": dqr,
        "materials": materials,
        "tradesCount": answer.trades_count,
        "completedCount": answer.completed_count,
    }


def _cfp(value: object, path: str) -> tuple[StageEmission, ...]:
    obj = mapping_at(value, path)
    stages = tuple(
        StageEmission(_stage(name, f"{path}.{name}"), decimal_at(v, f"{path}.{name}")) for name, v in obj.items()
    )
    missing = [name for name in STAGE_NAMES if name not in obj]
    if missing:
        raise InvalidInput.at(f"{path}.{missing[0]}", "an answer states every stage (0 for none)", "Ouranos CFP")
    return stages


def _dqr(value: object, path: str) -> tuple[StageDqr, ...]:
    obj = mapping_at(value, path)
    return tuple(StageDqr(_stage(name, f"{path}.{name}"), decode_dqr(v, f"{path}.{name}")) for name, v in obj.items())


def _element(name: str, value: object, path: str) -> AnsweredElement:
    obj = mapping_at(value, path)
    origin_value = obj.get("origin")
    origin = None
    if origin_value is not None:
        shares = mapping_at(origin_value, f"{path}.origin")
        origin = tuple(OriginShare(c, share_at(s, f"{path}.origin.{c}")) for c, s in shares.items())
        if exact_sum(o.share for o in origin) > 1:
            raise InvalidInput.at(f"{path}.origin", "origin shares add up to more than 1", "share")
    mass, pre, post = element_masses_at(obj, path)
    with located(path):
        element = AnsweredElement(element_name(name, path), mass, pre, post, origin)
    return element


def decode_answer(value: object, path: str = "$") -> SupplierAnswer:
    """The answer in a JSON object (the format in the module docstring).

    Raises:
        InvalidInput: naming the JSON path of every bad member found.
    """
    obj: Mapping[str, Any] = mapping_at(value, path)
    violations: list[Violation] = []

    def take(name: str, read: Any) -> Any:
        if obj.get(name) is None:
            return None
        try:
            return read(obj[name], f"{path}.{name}")
        except InvalidInput as error:
            violations.extend(error.violations)
            return None

    cfp = take("cfp", _cfp)
    dqr = take("dqr", _dqr)
    materials = take(
        "materials",
        lambda v, p: tuple(_element(name, item, f"{p}.{name}") for name, item in mapping_at(v, p).items()),
    )
    answer_id = take("answerId", uuid_at)
    trace_id = take("traceId", uuid_at)
    unit = take("declaredUnit", unit_at)
    trades_count = take("tradesCount", count_at)
    completed_count = take("completedCount", count_at)
    for name, got in (("answerId", answer_id), ("traceId", trace_id), ("declaredUnit", unit)):
        if got is None and obj.get(name) is None:
            violations.append(Violation(f"{path}.{name}", "required field is missing"))
    if violations:
        raise InvalidInput(violations)
    with located(path):
        answer = SupplierAnswer(answer_id, trace_id, unit, cfp, dqr, materials, trades_count or 0, completed_count or 0)
    return answer


__all__ = ["STAGE_NAMES", "decode_answer", "decode_dqr", "encode_answer", "encode_dqr"]
