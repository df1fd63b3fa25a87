"""ODRL 2.2 policies as the Dataspace Protocol 2025-1 profile uses them, and a closed-world evaluator.

Layout: the vocabulary (`PolicyType`, `Operator`, `LogicalOperator`); the model (`Constraint`, `LogicalConstraint`,
`Rule`, `Policy`), plain frozen dataclasses whose `extra` keeps members this model does not name, verbatim, so a
policy survives a round trip unchanged; `policy_equal` (EDC's ``PolicyEquality``); the evaluation context
(`PolicyContext`), what a left operand resolves to (`Facts`, produced by an `OperandResolver`), `Decision` and
`evaluate`. The wire form lives in `passbridge.dataspace.codec.policy_json`; the Catena-X left operands in
`passbridge.dataspace.policies`.

Evaluation (why it is shaped like this): a left operand resolves to the *facts* the context proves (values such as
``"active"`` or a BPNL), to nothing (with the reason why) or to a contractual *term* (a Catena-X usage term such as
``ContractReference`` that nothing can check at decision time: agreeing to the contract is accepting it, as
Tractus-X EDC's value-validating functions do). Each rule then asks the question that is worst for the requester
when in doubt: a permission or duty holds only if every constraint is met or is a term; a prohibition applies if its
constraints are met, where a term never triggers it and an unknown left operand always does. Unknown left operands
and unsupported operators therefore always deny (closed world), with a reason. A policy without any permission
permits nothing. Actions are not matched: the policy is evaluated as a whole for the exchange it governs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

from passbridge.errors import PolicyDenied
from passbridge.jsontypes import JsonScalar, JsonValue


class PolicyType(enum.StrEnum):
    """The ODRL policy classes DSP uses (``Set`` for policy definitions, as in the Catena-X profile)."""

    OFFER = "Offer"
    AGREEMENT = "Agreement"
    SET = "Set"


class Operator(enum.StrEnum):
    """ODRL constraint operators allowed by the DSP 2025-1 ``contract-schema.json``."""

    EQ = "eq"
    NEQ = "neq"
    GT = "gt"
    GTEQ = "gteq"
    LT = "lt"
    LTEQ = "lteq"
    HAS_PART = "hasPart"
    IS_A = "isA"
    IS_ALL_OF = "isAllOf"
    IS_ANY_OF = "isAnyOf"
    IS_NONE_OF = "isNoneOf"
    IS_PART_OF = "isPartOf"
    TERM_LTEQ = "term-lteq"


class LogicalOperator(enum.StrEnum):
    """ODRL logical constraint operators (DSP 2025-1 ``LogicalConstraint``)."""

    AND = "and"
    OR = "or"
    XONE = "xone"
    AND_SEQUENCE = "andSequence"


@dataclass(frozen=True, slots=True)
class Constraint:
    """An atomic constraint ``leftOperand operator rightOperand``; `right_operand` is the JSON value as written."""

    left_operand: str
    operator: Operator
    right_operand: JsonValue
    extra: Mapping[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LogicalConstraint:
    """``{"and" | "or" | "xone" | "andSequence": [constraints]}``."""

    operator: LogicalOperator
    constraints: tuple[AnyConstraint, ...]


AnyConstraint: TypeAlias = "Constraint | LogicalConstraint"


@dataclass(frozen=True, slots=True)
class Rule:
    """A permission, prohibition or obligation (duty): an action under constraints; permissions may carry duties."""

    action: str
    constraints: tuple[AnyConstraint, ...] = ()
    duties: tuple[Rule, ...] = ()
    extra: Mapping[str, JsonValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Policy:
    """An ODRL policy: an ``Offer`` (in a dataset or a negotiation message), an ``Agreement`` or a ``Set``.

    `target` is the dataset id (absent in catalog offers, required in messages and agreements); `timestamp` is the
    agreement's ``xsd:dateTime`` as written; `extra` keeps every other member verbatim.
    """

    id: str
    type: PolicyType = PolicyType.OFFER
    permissions: tuple[Rule, ...] = ()
    prohibitions: tuple[Rule, ...] = ()
    obligations: tuple[Rule, ...] = ()
    target: str | None = None
    assigner: str | None = None
    assignee: str | None = None
    profile: tuple[str, ...] = ()
    timestamp: str | None = None
    extra: Mapping[str, JsonValue] = field(default_factory=dict)


def policy_equal(a: Policy, b: Policy) -> bool:
    """Whether two policies are the same contract, as EDC checks an agreement against the last offer.

    EDC's ``PolicyEquality`` compares the policy trees ignoring only ``@type``, ``assignee`` and ``target``; the
    ``@id`` and ``timestamp`` of an agreement are the agreement's identity, not part of its policy, so they are
    ignored too. Rule order counts (JSON arrays are ordered).
    """

    def tree(p: Policy) -> tuple[object, ...]:
        return (p.permissions, p.prohibitions, p.obligations, p.profile, p.assigner, p.extra)

    return tree(a) == tree(b)


@dataclass(frozen=True, slots=True)
class PolicyContext:
    """What the evaluator knows about the counterparty and the exchange.

    Attributes:
        participant_id: the counterparty's DID (the SI token's subject).
        credentials: verified credential subjects by the type they were accepted as (``MembershipCredential`` →
            its ``credentialSubject`` objects).
        usage_purpose: the purpose the consumer declared for this exchange (``cx.circular.dpp:1``), if any.
        now: the moment of evaluation (injected, for time constraints).
    """

    participant_id: str | None = None
    credentials: Mapping[str, tuple[Mapping[str, JsonValue], ...]] = field(default_factory=dict)
    usage_purpose: str | None = None
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """What the context proves for one left operand: `values`, or none with the reason in `missing`; or `term`
    for a contractual term that holds by agreement."""

    values: tuple[JsonScalar, ...] = ()
    missing: str = ""
    term: bool = False


TERM = Facts(term=True)
"""The facts of a contractual term: accepted by agreeing to the contract, nothing to check."""

OperandResolver: TypeAlias = Callable[[PolicyContext], Facts]
"""Resolves one left operand against a context."""


def _date_time(context: PolicyContext) -> Facts:
    if context.now is None:
        return Facts(missing="no evaluation time given")
    return Facts((context.now.isoformat(),))


ODRL_OPERANDS: Mapping[str, OperandResolver] = {"dateTime": _date_time}
"""ODRL core left operands this evaluator understands (``dateTime`` = the evaluation time)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The result of evaluating a policy: `reasons` names every failed constraint, rule or prohibition that applied."""

    allowed: bool
    reasons: tuple[str, ...] = ()

    def require(self, policy_id: str) -> None:
        """Do nothing if allowed.

        Raises:
            PolicyDenied: with the reasons, if not allowed.
        """
        if not self.allowed:
            raise PolicyDenied(policy_id, self.reasons)


class _Kind(enum.Enum):
    PERMISSION = "permission"
    PROHIBITION = "prohibition"
    OBLIGATION = "obligation"


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _plain(value: JsonValue) -> JsonValue:
    """A right operand's value: ``{"@value": x}`` / ``{"@id": x}`` stand for x."""
    if isinstance(value, Mapping):
        for key in ("@value", "@id"):
            if key in value:
                return value[key]
    return value


def _equal(a: object, b: object) -> bool:
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        return x == y
    return a == b


def _order(a: object, b: object) -> int | None:
    """-1/0/1 comparing numbers or timezone-consistent date-times; None if not comparable."""
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        return (x > y) - (x < y)
    s, t = _moment(a), _moment(b)
    if s is not None and t is not None and (s.tzinfo is None) == (t.tzinfo is None):
        return (s > t) - (s < t)
    return None


_ORDERED: Mapping[Operator, Callable[[int], bool]] = {
    Operator.GT: lambda c: c > 0,
    Operator.GTEQ: lambda c: c >= 0,
    Operator.LT: lambda c: c < 0,
    Operator.LTEQ: lambda c: c <= 0,
}


def _holds(operator: Operator, values: tuple[JsonScalar, ...], right: JsonValue) -> bool | None:
    """Whether `values` (what the context proves) satisfy the constraint; None if the operator is unsupported."""
    items = [_plain(r) for r in right] if isinstance(right, list | tuple) else [_plain(right)]

    def member(v: object) -> bool:
        return any(_equal(v, r) for r in items)

    if operator is Operator.EQ:
        return any(member(v) for v in values) if len(items) == 1 else False
    if operator is Operator.NEQ:
        return bool(values) and not any(member(v) for v in values)
    if operator is Operator.IS_ANY_OF:
        return any(member(v) for v in values)
    if operator is Operator.IS_NONE_OF:
        return bool(values) and not any(member(v) for v in values)
    if operator in (Operator.IS_ALL_OF, Operator.HAS_PART):
        return all(any(_equal(v, r) for v in values) for r in items)
    if operator is Operator.IS_PART_OF:
        return bool(values) and all(member(v) for v in values)
    if operator in _ORDERED and len(items) == 1:
        orders = [_order(v, items[0]) for v in values]
        return any(o is not None and _ORDERED[operator](o) for o in orders)
    return None


def _describe(c: Constraint) -> str:
    right = c.right_operand
    shown = right if isinstance(right, str) else list(right) if isinstance(right, list | tuple) else right
    return f"{c.left_operand} {c.operator.value} {shown!r}"


def _leaf(
    c: Constraint, context: PolicyContext, operands: Mapping[str, OperandResolver], kind: _Kind
) -> tuple[bool, list[str]]:
    resolver = operands.get(c.left_operand)
    if resolver is None:
        # Closed world: an operand we cannot check makes a permission fail and a prohibition apply.
        return kind is _Kind.PROHIBITION, [f"{_describe(c)}: unknown left operand (closed world)"]
    facts = resolver(context)
    if facts.term:
        return kind is not _Kind.PROHIBITION, [f"{_describe(c)}: contractual term, accepted by agreeing"]
    if not facts.values:
        return False, [f"{_describe(c)}: {facts.missing or 'nothing proves it'}"]
    held = _holds(c.operator, facts.values, c.right_operand)
    if held is None:
        return kind is _Kind.PROHIBITION, [f"{_describe(c)}: operator not supported with this right operand"]
    shown = ", ".join(repr(v) for v in facts.values)
    return held, [f"{_describe(c)}: {'met' if held else 'not met'} by {shown}"]


def _constraint(
    c: AnyConstraint, context: PolicyContext, operands: Mapping[str, OperandResolver], kind: _Kind
) -> tuple[bool, list[str]]:
    if isinstance(c, Constraint):
        return _leaf(c, context, operands, kind)
    results = [_constraint(child, context, operands, kind) for child in c.constraints]
    true = [notes for ok, notes in results if ok]
    false = [notes for ok, notes in results if not ok]
    if c.operator in (LogicalOperator.AND, LogicalOperator.AND_SEQUENCE):
        ok = not false
        return ok, [n for notes in (true if ok else false) for n in notes]
    if c.operator is LogicalOperator.OR:
        ok = bool(true)
        return ok, [n for notes in (true if ok else false) for n in notes] or ["'or' without alternatives"]
    ok = len(true) == 1  # xone
    if ok:
        return True, true[0]
    if true:
        return False, [f"'xone': {len(true)} alternatives hold, exactly one may"]
    return False, [n for notes in false for n in notes] or ["'xone' without alternatives"]


def _rule(
    rule: Rule, where: str, context: PolicyContext, operands: Mapping[str, OperandResolver], kind: _Kind
) -> list[str]:
    """The reasons this rule denies (empty if it does not)."""
    results = [_constraint(c, context, operands, kind) for c in rule.constraints]
    label = f"{where} ({rule.action})"
    reasons: list[str] = []
    if kind is _Kind.PROHIBITION:
        if all(ok for ok, _ in results):
            notes = [n for _, ns in results for n in ns] or ["unconditional"]
            reasons.append(f"{label} applies: {'; '.join(notes)}")
    else:
        reasons += [f"{label}: {n}" for ok, ns in results if not ok for n in ns]
    for j, duty in enumerate(rule.duties):
        reasons += _rule(duty, f"{where}.duty[{j}]", context, operands, _Kind.OBLIGATION)
    return reasons


def evaluate(policy: Policy, context: PolicyContext, operands: Mapping[str, OperandResolver]) -> Decision:
    """Decide whether `context` satisfies `policy`, resolving left operands with `operands` (closed world).

    Returns:
        A `Decision`; when denied, one reason per failed constraint, applying prohibition or unknown operand, each
        prefixed with where it sits (``permission[0] (use): Membership eq 'active': no verified
        MembershipCredential``).
    """
    reasons: list[str] = []
    if not policy.permissions:
        reasons.append("the policy grants no permission")
    for kind, rules in (
        (_Kind.PERMISSION, policy.permissions),
        (_Kind.PROHIBITION, policy.prohibitions),
        (_Kind.OBLIGATION, policy.obligations),
    ):
        for i, rule in enumerate(rules):
            reasons += _rule(rule, f"{kind.value}[{i}]", context, operands, kind)
    return Decision(not reasons, tuple(reasons))


__all__ = [
    "ODRL_OPERANDS",
    "TERM",
    "AnyConstraint",
    "Constraint",
    "Decision",
    "Facts",
    "LogicalConstraint",
    "LogicalOperator",
    "OperandResolver",
    "Operator",
    "Policy",
    "PolicyContext",
    "PolicyType",
    "Rule",
    "evaluate",
    "policy_equal",
]
