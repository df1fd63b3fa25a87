"""Validate a BatteryPass 6.1.0 document: structure (our model compiled to JSON Schema) and the rules beyond it.

Layout: `validate_document(doc) → PassportFacts` runs the schema (real calendar dates, closed objects, enums,
BPNL/BPNA patterns, percentages in 0-100) and then `semantic_violations` (date order, concentrations within their
unit, carbon-footprint units, unique identifier keys, no self-links). Every violation names its JSON path; all of
them are reported at once. The official example's ``"intoServiceDate": "7172-75-08"`` fails here, as it must.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any

import jsonschema_rs

from passbridge.errors import InvalidInput, PassportRuleViolation, Violation
from passbridge.passport.battery_pass import BATTERY_PASS, EXTENSION_MEMBER
from passbridge.passport.lifecycle import BatteryStatus
from passbridge.passport.model import PassportFacts, PassportId
from passbridge.passport.schema import to_json_schema

SCHEMA_RULE = "BatteryPass 6.1.0 (io.catenax.battery.battery_pass)"
MAX_REPORTED = 50

CARBON_FOOTPRINT_UNITS: frozenset[str] = frozenset(
    {"kg CO2 / kWh", "kg CO2e / kWh", "kg CO2e/kWh", "kgCO2e/kWh", "kg CO2/kWh", "kgCO2/kWh"}
)
"""Spellings of kg CO2e per kWh of total energy delivered (Annex XIII 1(c), Art. 7(1) functional unit)."""

CONCENTRATION_LIMITS: Mapping[str, int] = {
    "unit:percent": 100,
    "unit:percentVolume": 100,
    "unit:partPerThousand": 1_000,
    "unit:partPerMillion": 1_000_000,
    "unit:partPerBillionUs": 10**9,
    "unit:partPerTrillionUs": 10**12,
}
"""A concentration cannot exceed the whole: 100 %, 1,000 ‰, 10⁶ ppm, …"""


@cache
def _validator() -> Any:
    # the `regex` engine (no look-around, which the model's patterns do not use) is ~10 % faster than the default
    return jsonschema_rs.validator_for(
        to_json_schema(BATTERY_PASS), validate_formats=True, pattern_options=jsonschema_rs.RegexOptions()
    )


def jsonpath(parts: Sequence[str | int]) -> str:
    """``["a", 0, "b"]`` → ``$.a[0].b``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _schema_violations(doc: Any) -> list[Violation]:
    validator = _validator()
    if validator.is_valid(doc):  # the common case; collecting errors is the slow path
        return []
    violations: list[Violation] = []
    for error in validator.iter_errors(doc):
        path = list(error.instance_path)
        kind = error.kind
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
            violations.extend(
                Violation(jsonpath([*path, name]), "unknown field", SCHEMA_RULE) for name in kind.unexpected
            )
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
            violations.append(Violation(jsonpath([*path, kind.property]), "required field is missing", SCHEMA_RULE))
        else:
            violations.append(Violation(jsonpath(path), error.message, SCHEMA_RULE))
        if len(violations) >= MAX_REPORTED:
            break
    return violations


def validate_document(doc: Any) -> PassportFacts:
    """Check a parsed document (numbers as Decimal, or binary64 when float-safe) and extract its facts.

    Raises:
        InvalidInput: with every schema violation (path, message).
        PassportRuleViolation: with every violation of a rule beyond the schema.
    """
    if not isinstance(doc, dict):
        raise InvalidInput.at("$", "a BatteryPass document must be a JSON object", SCHEMA_RULE)
    schema_violations = _schema_violations(doc)
    if schema_violations:
        raise InvalidInput(schema_violations)
    facts = extract_facts(doc)
    semantic = list(semantic_violations(doc, facts))
    if semantic:
        raise PassportRuleViolation(semantic)
    return facts


def semantic_violations(doc: Mapping[str, Any], facts: PassportFacts) -> Iterator[Violation]:
    """The rules beyond the schema, on a document that meets it (dicts, or `fastcheck` structs that read alike)."""
    for name, rules in MEMBER_RULES.items():
        yield from rules(doc[name])
    yield from link_violations(doc, facts)


def link_violations(doc: Mapping[str, Any], facts: PassportFacts) -> Iterator[Violation]:
    """The one rule across top-level members: no self-links, no predecessor twice (`metadata` and the extension)."""
    links = facts.predecessors
    if facts.passport_id in links or len(set(links)) != len(links):
        yield from _link_violations(doc)


def _metadata_rules(meta: Mapping[str, Any]) -> Iterator[Violation]:
    if meta["expirationDate"] < meta["issueDate"]:
        yield Violation("$.metadata.expirationDate", "is before metadata.issueDate", "BatteryPass 6.1.0 metadata")


def _operation_rules(operation: Mapping[str, Any]) -> Iterator[Violation]:
    made, into_service = operation["manufacturer"].get("manufacturingDate"), operation.get("intoServiceDate")
    if made and into_service and into_service < made:
        yield Violation(
            "$.operation.intoServiceDate", "is before operation.manufacturer.manufacturingDate", "Annex VI Part A(4)"
        )


def _sustainability_rules(sustainability: Mapping[str, Any]) -> Iterator[Violation]:
    for i, footprint in enumerate(sustainability["carbonFootprint"]):
        if footprint["unit"] not in CARBON_FOOTPRINT_UNITS:
            yield Violation(
                f"$.sustainability.carbonFootprint[{i}].unit",
                f"{footprint['unit']!r} is not kg CO2e per kWh; use one of {sorted(CARBON_FOOTPRINT_UNITS)}",
                "Reg. (EU) 2023/1542 Art. 7(1), Annex XIII 1(c)",
            )


def _identification_rules(identification: Mapping[str, Any]) -> Iterator[Violation]:
    ident = identification["identification"]
    for member in ("serial", "batch", "codes"):
        items = ident.get(member, ())
        if len(items) > 1:
            yield from _duplicate_keys(items, f"$.identification.identification.{member}")


def _concentration_violations(materials: Mapping[str, Any]) -> Iterator[Violation]:
    hazardous = materials["hazardous"]
    entries: list[tuple[tuple[str | int, ...], Mapping[str, Any]]] = [
        (("hazardous", name), hazardous[name]) for name in ("cadmium", "mercury", "lead")
    ]
    entries += [(("hazardous", "other", i), item) for i, item in enumerate(hazardous.get("other", ()))]
    entries.append((("active", "lead"), materials["active"]["lead"]))
    for parts, entry in entries:
        excess = _excess(entry)
        if excess:  # (the JSON path is built only for a violation)
            yield Violation(jsonpath(["materials", *parts, "concentration"]), excess, "BatteryPass 6.1.0 units")


def _excess(entry: Mapping[str, Any]) -> str | None:
    """Why `entry`'s concentration exceeds the whole in its unit, or None."""
    unit, value = entry.get("materialUnit"), entry.get("concentration")
    limit = CONCENTRATION_LIMITS.get(unit) if isinstance(unit, str) else None
    # a float here came from the float-safe parse, so comparing it with the (integral) limit is exact
    if limit is not None and value is not None and value > limit:
        return f"{value} exceeds {limit} {unit}"
    return None


def _duplicate_keys(items: Sequence[Mapping[str, Any]], path: str) -> Iterator[Violation]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item["key"] in seen:
            yield Violation(f"{path}[{i}].key", f"duplicate identifier key {item['key']!r}", "identifiers unique")
        seen.add(item["key"])


def _link_violations(doc: Mapping[str, Any]) -> Iterator[Violation]:
    own = PassportId.parse(doc["metadata"]["passportIdentifier"])
    links = [("$.metadata.predecessor", doc["metadata"]["predecessor"])]
    extension = doc.get(EXTENSION_MEMBER, {})
    links += [(f"$.{EXTENSION_MEMBER}.predecessors[{i}]", p) for i, p in enumerate(extension.get("predecessors", ()))]
    seen: set[PassportId] = set()
    for path, text in links:
        linked = PassportId.parse(text, path)
        if linked == own:
            yield Violation(path, "a passport cannot be its own predecessor", "Reg. (EU) 2023/1542 Art. 77(7)")
        elif linked in seen and not linked.is_nil:
            yield Violation(path, f"predecessor {linked} is listed twice", "identifiers unique")
        seen.add(linked)


MEMBER_RULES: Mapping[str, Callable[[Any], Iterator[Violation]]] = {
    "metadata": _metadata_rules,
    "operation": _operation_rules,
    "materials": _concentration_violations,
    "sustainability": _sustainability_rules,
    "identification": _identification_rules,
}
"""The rules that look at one (required) top-level member alone, by member, in reporting order; `fastcheck` checks
a member once however many documents repeat it byte for byte."""


def extract_facts(doc: Mapping[str, Any]) -> PassportFacts:
    """The indexed facts of a document that has passed `validate_document`'s checks."""
    meta, ident = doc["metadata"], doc["identification"]
    extension = doc.get(EXTENSION_MEMBER, {})
    links = [meta["predecessor"], *extension.get("predecessors", ())]
    predecessors = tuple(p for p in (PassportId.parse(text) for text in links) if not p.is_nil)
    serials = {item["key"]: item["value"] for item in ident["identification"].get("serial", ())}
    return PassportFacts(
        passport_id=PassportId.parse(meta["passportIdentifier"]),
        battery_id=ident["idDmc"],
        status=BatteryStatus(doc["sustainability"]["status"]),
        predecessors=predecessors,
        economic_operator=meta["economicOperatorId"],
        manufacturer_part_id=ident["identification"]["type"]["manufacturerPartId"],
        part_instance_id=serials.get("partInstanceId"),
        category=ident["category"],
    )


__all__ = [
    "CARBON_FOOTPRINT_UNITS",
    "CONCENTRATION_LIMITS",
    "MEMBER_RULES",
    "SCHEMA_RULE",
    "extract_facts",
    "jsonpath",
    "link_violations",
    "semantic_violations",
    "validate_document",
]
