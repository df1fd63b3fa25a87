"""Read a supply-chain import document (JSON): check it against `document_schema.SCHEMA`, then decode each item.

Layout: `decode_document(raw, source) → ImportBatch`, one `_read_*` per list, and `encode_footprint` /
`decode_footprint` / `encode_materials` / `decode_materials` (the item formats, also how storage keeps the nested
figures). Every violation names its JSON path; all of a document's violations are reported at once (up to 50).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, Final, TypeVar

import jsonschema_rs

from passbridge.errors import InvalidInput, Violation
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.jsontypes import JsonValue
from passbridge.supplychain._json_fields import (
    DECIMAL_PATTERN,
    decimal_at,
    element_masses_at,
    located,
    mapping_at,
    member,
    plain,
    text_at,
    unit_at,
    uuid_at,
)
from passbridge.supplychain.answer_json import STAGE_NAMES, decode_answer, decode_dqr, encode_dqr
from passbridge.supplychain.battery import BatteryModel, VehicleCategory
from passbridge.supplychain.catalog import AclEntry, SiteEntry
from passbridge.supplychain.disclosure import AclItem
from passbridge.supplychain.document_schema import LISTS, SCHEMA
from passbridge.supplychain.elements import element_name
from passbridge.supplychain.footprints import (
    ElementContent,
    MaterialContent,
    OriginMass,
    OwnFootprint,
    Stage,
    StageFootprint,
)
from passbridge.supplychain.import_batch import (
    AnswerDraft,
    BatteryDraft,
    ImportBatch,
    PartDraft,
    Sourced,
    SourceStyle,
    TradeDraft,
)
from passbridge.supplychain.model import BomLine, Operator, Site
from passbridge.supplychain.quantities import exact_sum
from passbridge.supplychain.trades import TradeStatus

RULE: Final = "passbridge supply-chain import (GET /api/v1/supplychain/schema.json)"
MAX_REPORTED: Final = 50
T = TypeVar("T")


@cache
def _validator() -> Any:
    return jsonschema_rs.validator_for(SCHEMA)


def _jsonpath(parts: list[str | int]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _schema_violations(doc: object) -> list[Violation]:
    validator = _validator()
    if validator.is_valid(doc):
        return []
    violations: list[Violation] = []
    for error in validator.iter_errors(doc):
        path, kind = list(error.instance_path), error.kind
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
            violations += [Violation(_jsonpath([*path, name]), "unknown field", RULE) for name in kind.unexpected]
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
            violations.append(Violation(_jsonpath([*path, kind.property]), "required field is missing", RULE))
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Pattern) and kind.pattern == DECIMAL_PATTERN:
            message = f'must be a non-negative decimal number written like "12.5", got {error.instance!r}'
            violations.append(Violation(_jsonpath(path), message, RULE))
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Minimum):
            violations.append(Violation(_jsonpath(path), f"must not be negative, got {error.instance}", RULE))
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Maximum):
            violations.append(Violation(_jsonpath(path), f"a share must lie in [0, 1], got {error.instance}", RULE))
        else:
            violations.append(Violation(_jsonpath(path), error.message, RULE))
        if len(violations) >= MAX_REPORTED:
            break
    return violations


def decode_document(raw: bytes, source: str = "document") -> ImportBatch:
    """The items of an import document, each with its JSON path.

    Raises:
        MalformedJson: if `raw` is not JSON.
        InvalidInput: with every schema violation, else with every item that does not decode (JSON paths).
    """
    doc = loads_exact(raw)
    if not isinstance(doc, dict):
        raise InvalidInput.at("$", "an import document must be a JSON object", RULE)
    schema_violations = _schema_violations(doc)
    if schema_violations:
        raise InvalidInput(schema_violations)
    violations: list[Violation] = []

    def read(name: str, decode: Callable[[Mapping[str, Any], str], T]) -> tuple[Sourced[T], ...]:
        out: list[Sourced[T]] = []
        for index, item in enumerate(doc.get(name) or ()):
            path = f"$.{name}[{index}]"
            try:
                out.append(Sourced(path, decode(mapping_at(item, path), path)))
            except InvalidInput as error:
                violations.extend(error.violations)
        return tuple(out)

    assert set(LISTS) == set(_READERS)
    lists = {name: read(name, decode) for name, decode in _READERS.items()}
    if violations:
        raise InvalidInput(violations[:MAX_REPORTED])
    return ImportBatch(source, SourceStyle.JSON, **{_FIELDS[name]: items for name, items in lists.items()})


def _operator(item: Mapping[str, Any], path: str) -> tuple[str, Operator]:
    with located(path):
        operator = Operator(
            text_at(item.get("name"), f"{path}.name"),
            item.get("country"),  # type: ignore[arg-type]  # checked by Operator
            item.get("openOperatorId"),
            item.get("bpnl"),
            item.get("did"),
        )
    return text_at(item.get("id"), f"{path}.id", max_length=64), operator


def _site(item: Mapping[str, Any], path: str) -> SiteEntry:
    with located(path):
        site = Site(
            text_at(item.get("name"), f"{path}.name"),
            item.get("country"),  # type: ignore[arg-type]  # checked by Site
            item.get("bpns"),
            item.get("openPlantId"),
        )
    return SiteEntry(item["id"], item["operator"], site)


def _part(item: Mapping[str, Any], path: str) -> PartDraft:
    return PartDraft(
        uuid_at(item.get("traceId"), f"{path}.traceId"),
        text_at(item.get("operator"), f"{path}.operator", max_length=64),
        member(item, "site"),
        text_at(item.get("partsName"), f"{path}.partsName"),
        unit_at(item.get("declaredUnit"), f"{path}.declaredUnit"),
        bool(item.get("terminated", False)),
    )


def _bom_line(item: Mapping[str, Any], path: str) -> BomLine:
    with located(path):
        line = BomLine(
            uuid_at(item.get("parentTraceId"), f"{path}.parentTraceId"),
            uuid_at(item.get("traceId"), f"{path}.traceId"),
            decimal_at(item.get("amountRequired"), f"{path}.amountRequired"),
            unit_at(item.get("amountRequiredUnit"), f"{path}.amountRequiredUnit"),
        )
    return line


def encode_footprint(footprint: OwnFootprint) -> dict[str, JsonValue]:
    """The `footprints[]` item of `footprint`."""
    return {
        "traceId": str(footprint.trace_id),
        "declaredUnit": footprint.declared_unit.value,
        "stages": {
            s.stage.value: {"ghgEmission": plain(s.emissions), "dqr": encode_dqr(s.dqr)} for s in footprint.stages
        },
    }


def decode_footprint(item: Mapping[str, Any], path: str) -> OwnFootprint:
    """A `footprints[]` item.

    Raises:
        InvalidInput: naming the JSON path of the bad member.
    """
    stages = mapping_at(item.get("stages"), f"{path}.stages")
    by_name = {stage.value: stage for stage in Stage}
    figures = []
    for name, figure in stages.items():
        here = f"{path}.stages.{name}"
        if name not in by_name:
            raise InvalidInput.at(here, f"unknown stage {name!r}; use one of {', '.join(STAGE_NAMES)}")
        figure = mapping_at(figure, here)
        emissions = decimal_at(figure.get("ghgEmission"), f"{here}.ghgEmission")
        figures.append(StageFootprint(by_name[name], emissions, decode_dqr(figure.get("dqr"), f"{here}.dqr")))
    with located(path):
        footprint = OwnFootprint(
            uuid_at(item.get("traceId"), f"{path}.traceId"),
            unit_at(item.get("declaredUnit"), f"{path}.declaredUnit"),
            tuple(figures),
        )
    return footprint


def encode_materials(content: MaterialContent) -> dict[str, JsonValue]:
    """The `materials[]` item of `content`."""
    return {
        "traceId": str(content.trace_id),
        "declaredUnit": content.declared_unit.value,
        "elements": {
            e.element: {
                "massKg": plain(e.mass),
                "recycledPreConsumerKg": plain(e.recycled_pre_consumer),
                "recycledPostConsumerKg": plain(e.recycled_post_consumer),
                "originKg": {o.country: plain(o.mass) for o in e.origin},
            }
            for e in content.elements
        },
    }


def decode_materials(item: Mapping[str, Any], path: str) -> MaterialContent:
    """A `materials[]` item.

    Raises:
        InvalidInput: naming the JSON path of the bad member.
    """
    elements = []
    for name, figures in mapping_at(item.get("elements"), f"{path}.elements").items():
        here = f"{path}.elements.{name}"
        figures = mapping_at(figures, here)
        mass, pre, post = element_masses_at(figures, here)
        kg_by_country = mapping_at(figures.get("originKg") or {}, f"{here}.originKg")
        origin = tuple(OriginMass(c, decimal_at(kg, f"{here}.originKg.{c}")) for c, kg in kg_by_country.items())
        if exact_sum(o.mass for o in origin) > mass:
            raise InvalidInput.at(f"{here}.originKg", f"origin masses add up to more than the mass of {plain(mass)} kg")
        with located(here):
            elements.append(ElementContent(element_name(name, here), mass, pre, post, origin))
    with located(path):
        content = MaterialContent(
            uuid_at(item.get("traceId"), f"{path}.traceId"),
            unit_at(item.get("declaredUnit"), f"{path}.declaredUnit"),
            tuple(elements),
        )
    return content


def _trade(item: Mapping[str, Any], path: str) -> TradeDraft:
    upstream = item.get("upstreamTraceId")
    return TradeDraft(
        uuid_at(item.get("tradeId"), f"{path}.tradeId"),
        uuid_at(item.get("downstreamTraceId"), f"{path}.downstreamTraceId"),
        text_at(item.get("upstreamOperator"), f"{path}.upstreamOperator", max_length=64),
        TradeStatus(item.get("status", TradeStatus.NOT_COMPLETED.value)),
        None if upstream is None else uuid_at(upstream, f"{path}.upstreamTraceId"),
        str(item.get("replyMessage", "")),
    )


def _answer(item: Mapping[str, Any], path: str) -> AnswerDraft:
    body = {key: value for key, value in item.items() if key not in {"tradeId", "revision"}}
    return AnswerDraft(
        uuid_at(item.get("tradeId"), f"{path}.tradeId"),
        bool(item.get("revision", False)),
        decode_answer(body, path),
        dumps_exact(body),
    )


def _acl(item: Mapping[str, Any], path: str) -> AclEntry:
    released = frozenset(AclItem(name) for name in item.get("released") or ())
    return AclEntry(item["partner"], uuid_at(item.get("traceId"), f"{path}.traceId"), released)


def _battery_model(item: Mapping[str, Any], path: str) -> BatteryModel:
    cycles = item.get("fullCyclesPerYear")
    with located(path):
        model = BatteryModel(
            uuid_at(item.get("traceId"), f"{path}.traceId"),
            text_at(item.get("name"), f"{path}.name"),
            VehicleCategory(item["category"]),
            decimal_at(item.get("usableCapacityKwh"), f"{path}.usableCapacityKwh"),
            decimal_at(item.get("serviceLifeYears"), f"{path}.serviceLifeYears"),
            None if cycles is None else decimal_at(cycles, f"{path}.fullCyclesPerYear"),
        )
    return model


def _battery(item: Mapping[str, Any], path: str) -> BatteryDraft:
    own = item.get("traceId")
    passport = item.get("passportId")
    return BatteryDraft(
        text_at(item.get("batteryId"), f"{path}.batteryId"),
        uuid_at(item.get("model"), f"{path}.model"),
        None if passport is None else str(uuid_at(passport, f"{path}.passportId")),
        None if own is None else uuid_at(own, f"{path}.traceId"),
    )


_READERS: Final[Mapping[str, Callable[[Mapping[str, Any], str], Any]]] = {
    "operators": _operator,
    "sites": _site,
    "parts": _part,
    "bomLines": _bom_line,
    "footprints": decode_footprint,
    "materials": decode_materials,
    "trades": _trade,
    "answers": _answer,
    "acl": _acl,
    "batteryModels": _battery_model,
    "batteries": _battery,
}
_FIELDS: Final = {
    "operators": "operators",
    "sites": "sites",
    "parts": "parts",
    "bomLines": "bom_lines",
    "footprints": "footprints",
    "materials": "materials",
    "trades": "trades",
    "answers": "answers",
    "acl": "acl",
    "batteryModels": "battery_models",
    "batteries": "batteries",
}

__all__ = [
    "RULE",
    "decode_document",
    "decode_footprint",
    "decode_materials",
    "encode_footprint",
    "encode_materials",
]
