"""What caching a built catalog relies on (`passbridge.dataspace.catalog`): the key names everything the access
policies read, a change generation voids what was learnt before it, and no access policy we offer reads the time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from passbridge.dataspace.catalog import GenerationCache, policy_inputs, reads_time
from passbridge.dataspace.catalog_service import ACCESS_POLICIES_READ_TIME
from passbridge.dataspace.odrl import Constraint, LogicalConstraint, LogicalOperator, Operator, Policy, Rule
from passbridge.dataspace.offers import DEFINITIONS
from passbridge.identity.acceptance import VerifiedCredential, VerifiedPresentation
from passbridge.identity.credentials import Credential

HOLDER = "did:web:recycler.example"
SINCE = datetime(2026, 1, 1, tzinfo=UTC)


def _caller(holder: str = HOLDER, **subjects: dict[str, Any]) -> VerifiedPresentation:
    credentials = tuple(
        VerifiedCredential(
            Credential(f"urn:uuid:{kind}", kind, "did:web:authority", subject, SINCE, None), kind, "direct"
        )
        for kind, subject in subjects.items()
    )
    return VerifiedPresentation(holder, credentials)


MEMBER = {"id": HOLDER, "holderIdentifier": "BPNL000000000001", "memberOf": "Catena-X"}


def test_policy_inputs_are_equal_for_equal_credentials_in_any_order() -> None:
    body = {"id": HOLDER, "holderIdentifier": "NB 0123"}
    one = _caller(MembershipCredential=MEMBER, NotifiedBodyCredential=body)
    other = _caller(NotifiedBodyCredential=dict(reversed(list(body.items()))), MembershipCredential=MEMBER)
    assert policy_inputs(one) == policy_inputs(other)
    assert hash(policy_inputs(one)) == hash(policy_inputs(other))


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(_caller("did:web:other.example", MembershipCredential=MEMBER), id="another-holder"),
        pytest.param(_caller(MembershipCredential={**MEMBER, "memberOf": "Ouranos"}), id="another-claim"),
        pytest.param(_caller(MembershipCredential=MEMBER, NotifiedBodyCredential={"id": HOLDER}), id="one-more-type"),
        pytest.param(_caller(), id="no-credential"),
    ],
)
def test_policy_inputs_differ_when_anything_the_policies_read_differs(other: VerifiedPresentation) -> None:
    assert policy_inputs(_caller(MembershipCredential=MEMBER)) != policy_inputs(other)


def test_a_new_generation_forgets_everything_learnt_before() -> None:
    cache = GenerationCache()
    assert cache.get("page", 1) is None
    cache.put("page", ("a",), 1)
    assert cache.get("page", 1) == ("a",)
    assert cache.get("page", 2) is None  # a commit happened
    cache.put("page", ("stale",), 1)  # computed before that commit: not kept
    assert cache.get("page", 2) is None
    cache.put("page", ("a", "b"), 2)
    assert cache.get("page", 2) == ("a", "b")


def test_the_cache_is_bounded() -> None:
    cache = GenerationCache(max_entries=2)
    cache.get("x", 1)
    for key in "abc":
        cache.put(key, key, 1)
    assert cache.get("c", 1) == "c" and cache.get("a", 1) is None


def test_reads_time_finds_a_date_time_constraint_at_any_depth() -> None:
    member = Constraint("https://w3id.org/catenax/policy/Membership", Operator.EQ, "active")
    until = Constraint("http://www.w3.org/ns/odrl/2/dateTime", Operator.LT, "2027-01-01T00:00:00Z")
    plain = Policy(id="p", permissions=(Rule("access", (member,)),))
    nested = Policy(id="q", permissions=(Rule("access", (LogicalConstraint(LogicalOperator.AND, (member, until)),)),))
    assert not reads_time(plain)
    assert reads_time(nested)


def test_no_access_policy_we_offer_reads_the_time_so_catalogs_may_be_cached() -> None:
    assert not any(reads_time(definition.access_policy) for definition in DEFINITIONS.values())
    assert not ACCESS_POLICIES_READ_TIME
