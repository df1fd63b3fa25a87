"""ODRL policies in the DSP 2025-1 profile form (plain JSON, unprefixed terms) ⇄ `passbridge.dataspace.odrl`.

`policy_from_json` / `policy_to_json` convert a policy object already validated (inside a message, by
`passbridge.dataspace.codec.dsp_2025_1`); `decode_policy` validates a standalone one first (a stored offer, a
Catena-X policy definition ``Set``). Members the model does not name are kept verbatim in ``extra`` and written back.

Normalisations (the only ways a re-encoded policy differs from its input): a set member written as a single object
becomes a one-element array; ``@type`` is always written (``Offer`` when absent); an empty ``constraint`` array is
left out; a one-element ``profile`` array is written as a string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passbridge.dataspace.codec._schemas import LOGICAL, normalise, violations
from passbridge.dataspace.odrl import (
    AnyConstraint,
    Constraint,
    LogicalConstraint,
    LogicalOperator,
    Operator,
    Policy,
    PolicyType,
    Rule,
)
from passbridge.errors import ProtocolError

RULE = "DSP 2025-1 contract-schema.json (ODRL profile)"
_POLICY_MEMBERS = frozenset(
    {
        "@id",
        "@type",
        "permission",
        "prohibition",
        "obligation",
        "target",
        "assigner",
        "assignee",
        "profile",
        "timestamp",
    }
)
_RULE_MEMBERS = frozenset({"action", "constraint", "duty"})
_ATOMIC_MEMBERS = frozenset({"leftOperand", "operator", "rightOperand"})


def _extra(obj: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if key not in known}


def _constraint_from(obj: Mapping[str, Any]) -> AnyConstraint:
    for op in LOGICAL:
        if op in obj:
            return LogicalConstraint(LogicalOperator(op), tuple(_constraint_from(c) for c in obj[op]))
    return Constraint(obj["leftOperand"], Operator(obj["operator"]), obj["rightOperand"], _extra(obj, _ATOMIC_MEMBERS))


def _rule_from(obj: Mapping[str, Any]) -> Rule:
    return Rule(
        obj["action"],
        tuple(_constraint_from(c) for c in obj.get("constraint", ())),
        tuple(_rule_from(d) for d in obj.get("duty", ())),
        _extra(obj, _RULE_MEMBERS),
    )


def policy_from_json(obj: Mapping[str, Any]) -> Policy:
    """The model of a policy object that passed its schema (see the module docstring for what is assumed)."""
    profile = obj.get("profile", ())
    return Policy(
        id=obj["@id"],
        type=PolicyType(obj.get("@type", PolicyType.OFFER)),
        permissions=tuple(_rule_from(r) for r in obj.get("permission", ())),
        prohibitions=tuple(_rule_from(r) for r in obj.get("prohibition", ())),
        obligations=tuple(_rule_from(r) for r in obj.get("obligation", ())),
        target=obj.get("target"),
        assigner=obj.get("assigner"),
        assignee=obj.get("assignee"),
        profile=(profile,) if isinstance(profile, str) else tuple(profile),
        timestamp=obj.get("timestamp"),
        extra=_extra(obj, _POLICY_MEMBERS),
    )


def _constraint_to(c: AnyConstraint) -> dict[str, Any]:
    if isinstance(c, LogicalConstraint):
        return {c.operator.value: [_constraint_to(child) for child in c.constraints]}
    return {"leftOperand": c.left_operand, "operator": c.operator.value, "rightOperand": c.right_operand, **c.extra}


def _rule_to(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {"action": rule.action}
    if rule.constraints:
        out["constraint"] = [_constraint_to(c) for c in rule.constraints]
    if rule.duties:
        out["duty"] = [_rule_to(d) for d in rule.duties]
    return {**out, **rule.extra}


def policy_to_json(policy: Policy) -> dict[str, Any]:
    """The 2025-1 JSON of a policy (members in a stable order; empty members left out)."""
    out: dict[str, Any] = {"@id": policy.id, "@type": policy.type.value}
    if policy.profile:
        out["profile"] = policy.profile[0] if len(policy.profile) == 1 else list(policy.profile)
    for name, value in (
        ("assigner", policy.assigner),
        ("assignee", policy.assignee),
        ("target", policy.target),
        ("timestamp", policy.timestamp),
    ):
        if value is not None:
            out[name] = value
    for name, rules in (
        ("permission", policy.permissions),
        ("prohibition", policy.prohibitions),
        ("obligation", policy.obligations),
    ):
        if rules:
            out[name] = [_rule_to(r) for r in rules]
    return {**out, **policy.extra}


def decode_policy(obj: object) -> Policy:
    """Validate and read a standalone policy (an ``Offer``, ``Agreement`` or ``Set`` with an ``@id``).

    Raises:
        ProtocolError: every violation, each naming its field (``$.permission[0].action``).
    """
    document = normalise(obj)
    found = violations(document, "Policy", RULE)
    if found:
        raise ProtocolError(found)
    if not (document.get("permission") or document.get("prohibition")):
        raise ProtocolError.at("$.permission", "a policy needs a permission or a prohibition", RULE)
    return policy_from_json(document)


__all__ = ["RULE", "decode_policy", "policy_from_json", "policy_to_json"]
