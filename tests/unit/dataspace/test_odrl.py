"""The ODRL evaluator: each operator, logical constraints, rule kinds, the closed world, and policy equality."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace

import pytest

from passbridge.dataspace.codec.dsp_2025_1 import decode
from passbridge.dataspace.messages import ContractAgreementMessage
from passbridge.dataspace.odrl import (
    ODRL_OPERANDS,
    TERM,
    Constraint,
    Decision,
    Facts,
    OperandResolver,
    Policy,
    PolicyContext,
    PolicyType,
    Rule,
    evaluate,
    policy_equal,
)
from passbridge.errors import PolicyDenied
from tests.fixtures_path import FIXTURES
from tests.unit.dataspace.builders import NOW, a_policy, atom, both


def fixed(*values: str) -> OperandResolver:
    return lambda context: Facts(values)


OPERANDS: Mapping[str, OperandResolver] = {
    **ODRL_OPERANDS,
    "partner": fixed("gold"),
    "count": fixed("5"),
    "tags": fixed("a", "b"),
    "since": fixed("2026-01-01T00:00:00+00:00"),
    "term": lambda context: TERM,
    "absent": lambda context: Facts(missing="nobody said"),
}
CONTEXT = PolicyContext(now=NOW)


def decide(policy: Policy) -> Decision:
    return evaluate(policy, CONTEXT, OPERANDS)


@pytest.mark.parametrize(
    ("left", "op", "right", "allowed"),
    [
        ("partner", "eq", "gold", True),
        ("partner", "eq", "silver", False),
        ("partner", "eq", {"@value": "gold"}, True),
        ("partner", "neq", "silver", True),
        ("partner", "neq", "gold", False),
        ("count", "gt", "4", True),
        ("count", "gt", "5", False),
        ("count", "gteq", "5", True),
        ("count", "lt", "5.5", True),
        ("count", "lteq", "4.99", False),
        ("count", "eq", "5.0", True),  # numbers compare as numbers
        ("since", "lt", "2026-06-01T00:00:00Z", True),
        ("since", "gt", "2026-06-01T00:00:00Z", False),
        ("since", "lt", "2026-06-01", False),  # naive against aware: not comparable
        ("partner", "gt", "silver", False),  # not comparable
        ("partner", "isAnyOf", ["silver", "gold"], True),
        ("partner", "isAnyOf", ["silver"], False),
        ("partner", "isNoneOf", ["silver"], True),
        ("partner", "isNoneOf", ["gold"], False),
        ("tags", "isAllOf", ["a", "b"], True),
        ("tags", "isAllOf", ["a", "c"], False),
        ("tags", "hasPart", ["a"], True),
        ("tags", "isPartOf", ["a", "b", "c"], True),
        ("tags", "isPartOf", ["a"], False),
        ("partner", "isA", "metal", False),  # unsupported: closed world
        ("term", "eq", "anything", True),
        ("absent", "eq", "x", False),
        ("unknown", "eq", "x", False),
        ("dateTime", "lteq", "2027-01-01T00:00:00Z", True),
        ("dateTime", "lteq", "2023-12-31T06:00Z", False),
    ],
)
def test_operators(left: str, op: str, right: object, allowed: bool) -> None:
    decision = decide(a_policy(atom(left, op, right)))
    assert decision.allowed is allowed
    assert bool(decision.reasons) is not allowed


def test_every_reason_names_where_and_what() -> None:
    decision = decide(a_policy(atom("absent", "eq", "x"), atom("unknown", "eq", "y"), atom("partner", "isA", "z")))
    assert decision.reasons == (
        "permission[0] (use): absent eq 'x': nobody said",
        "permission[0] (use): unknown eq 'y': unknown left operand (closed world)",
        "permission[0] (use): partner isA 'z': operator not supported with this right operand",
    )


@pytest.mark.parametrize(
    ("op", "gold", "silver", "allowed"),
    [
        ("and", "gold", "gold", True),
        ("and", "gold", "silver", False),
        ("andSequence", "gold", "silver", False),
        ("or", "gold", "silver", True),
        ("or", "silver", "bronze", False),
        ("xone", "gold", "silver", True),
        ("xone", "gold", "gold", False),
        ("xone", "silver", "bronze", False),
    ],
)
def test_logical_constraints(op: str, gold: str, silver: str, allowed: bool) -> None:
    decision = decide(a_policy(both(atom("partner", "eq", gold), atom("partner", "eq", silver), op=op)))
    assert decision.allowed is allowed


def test_a_failed_and_names_only_the_failing_part_and_a_failed_or_names_every_alternative() -> None:
    failed_and = decide(a_policy(both(atom("partner", "eq", "gold"), atom("count", "gt", "9"))))
    assert len(failed_and.reasons) == 1 and "count gt '9'" in failed_and.reasons[0]
    failed_or = decide(a_policy(both(atom("partner", "eq", "x"), atom("count", "gt", "9"), op="or")))
    assert len(failed_or.reasons) == 2
    too_many = decide(a_policy(both(atom("partner", "eq", "gold"), atom("count", "eq", "5"), op="xone")))
    assert too_many.reasons == ("permission[0] (use): 'xone': 2 alternatives hold, exactly one may",)


def test_nested_logical_constraints() -> None:
    nested = both(both(atom("partner", "eq", "x"), atom("count", "eq", "5")), atom("tags", "hasPart", ["b"]), op="or")
    assert decide(a_policy(nested)).allowed


@pytest.mark.parametrize(
    ("constraint", "denies"),
    [
        (atom("partner", "eq", "gold"), True),  # the prohibited situation holds
        (atom("partner", "eq", "silver"), False),
        (atom("term", "isAllOf", ["cx.thirdParty.forbidden:1"]), False),  # a term never triggers a prohibition
        (atom("unknown", "eq", "x"), True),  # closed world: cannot show it does not apply
        (atom("absent", "eq", "x"), False),  # nothing proves it: it does not apply
    ],
)
def test_prohibitions(constraint: Constraint, denies: bool) -> None:
    decision = decide(a_policy(prohibitions=[Rule("use", (constraint,))]))
    assert decision.allowed is not denies
    if denies:
        assert decision.reasons[0].startswith("prohibition[0] (use) applies: ")


def test_an_unconditional_prohibition_denies() -> None:
    assert decide(a_policy(prohibitions=[Rule("distribute")])).reasons == (
        "prohibition[0] (distribute) applies: unconditional",
    )


def test_obligations_and_duties_must_hold() -> None:
    failing = Rule("attribute", (atom("partner", "eq", "silver"),))
    with_obligation = replace(a_policy(), obligations=(failing,))
    assert decide(with_obligation).reasons[0].startswith("obligation[0] (attribute): partner eq 'silver'")
    with_duty = replace(a_policy(), permissions=(Rule("use", duties=(failing,)),))
    assert decide(with_duty).reasons[0].startswith("permission[0].duty[0] (attribute)")
    assert decide(replace(a_policy(), obligations=(Rule("compensate", (atom("term", "eq", "x"),)),))).allowed


def test_a_policy_without_permission_permits_nothing() -> None:
    assert decide(Policy("urn:uuid:p", prohibitions=(Rule("use"),))).reasons[0] == "the policy grants no permission"
    assert decide(a_policy()).allowed  # a permission without constraints permits


def test_the_official_agreement_example_is_evaluated_rule_by_rule() -> None:
    path = FIXTURES / "dsp" / "dsp-2025-1" / "negotiation" / "example" / "contract-agreement-message-full.json"
    message = decode(json.loads(path.read_text()), ContractAgreementMessage)
    decision = evaluate(message.agreement, CONTEXT, OPERANDS)
    failing = sorted({reason.split(" (use)")[0] for reason in decision.reasons})
    # dateTime ≤ 2023 is over; gold and silver at once; andSequence likewise; constraint1 is unknown.
    assert failing == ["permission[0]", "permission[1]", "permission[4]", "permission[6]"]
    assert any("constraint1 eq 'value1': unknown left operand" in reason for reason in decision.reasons)


def test_a_denied_decision_raises_with_its_reasons() -> None:
    Decision(True).require("p")
    with pytest.raises(PolicyDenied) as denied:
        decide(a_policy(atom("partner", "eq", "silver"))).require("urn:uuid:offer-1")
    assert denied.value.policy_id == "urn:uuid:offer-1" and len(denied.value.reasons) == 1


def test_policy_equality_ignores_type_target_assignee_id_and_timestamp_only() -> None:
    offer = a_policy(atom("partner", "eq", "gold"), assigner="did:web:p")
    agreement = replace(
        offer,
        id="urn:uuid:agreement",
        type=PolicyType.AGREEMENT,
        target="urn:uuid:d",
        assignee="did:web:c",
        timestamp="2026-01-01T00:00:00Z",
    )
    assert policy_equal(offer, agreement)
    assert not policy_equal(offer, replace(offer, assigner="did:web:other"))
    assert not policy_equal(offer, a_policy(atom("partner", "eq", "silver"), assigner="did:web:p"))
    assert not policy_equal(offer, replace(offer, profile=("https://w3id.org/catenax/2025/9/policy/",)))
    assert not policy_equal(offer, replace(offer, extra={"x": 1}))
    two = replace(offer, permissions=(Rule("use"), Rule("read")))
    assert not policy_equal(two, replace(two, permissions=tuple(reversed(two.permissions))))
