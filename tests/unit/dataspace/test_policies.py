"""The Catena-X profile: each left operand against verified credentials, spellings, the official samples, and the
credentials a policy needs."""

from __future__ import annotations

import json

import pytest

from passbridge.dataspace.codec.policy_json import decode_policy
from passbridge.dataspace.odrl import Constraint, Policy
from passbridge.dataspace.policies import (
    CX_LEGACY_POLICY_NS,
    CX_POLICY_NS,
    PASSBRIDGE_POLICY_NS,
    context_from,
    evaluate_cx,
    required_credentials,
    short_name,
)
from passbridge.identity.credentials import CredentialType
from tests.fixtures_path import FIXTURES
from tests.unit.dataspace.builders import BPNL, CONSUMER_DID, NOW, SUBJECTS, a_policy, atom, context, verified

MEMBERSHIP = CredentialType.MEMBERSHIP.value
BPN = CredentialType.BPN.value
DEG = CredentialType.DATA_EXCHANGE_GOVERNANCE.value
NOTIFIED_BODY = CredentialType.NOTIFIED_BODY.value
LEGITIMATE_INTEREST = CredentialType.LEGITIMATE_INTEREST.value
SAMPLES = FIXTURES / "dsp" / "cx-odrl-profile" / "schema" / "samples"


def sample(name: str) -> Policy:
    return decode_policy(json.loads((SAMPLES / name).read_text()))


@pytest.mark.parametrize(
    ("constraint", "credentials", "purpose", "allowed"),
    [
        (atom("Membership", "eq", "active"), [MEMBERSHIP], None, True),
        (atom("Membership", "eq", "active"), [BPN], None, False),
        (atom("FrameworkAgreement", "eq", "DataExchangeGovernance:1.0"), [DEG], None, True),
        (atom("FrameworkAgreement", "eq", "DataExchangeGovernance:2.0"), [DEG], None, False),
        (atom("FrameworkAgreement", "eq", "DataExchangeGovernance"), [DEG], None, True),
        (atom("FrameworkAgreement", "eq", "DataExchangeGovernance:1.0"), [MEMBERSHIP], None, False),
        (atom("BusinessPartnerNumber", "isAnyOf", [BPNL]), [BPN], None, True),
        (atom("BusinessPartnerNumber", "isAnyOf", [BPNL]), [MEMBERSHIP], None, True),  # holderIdentifier
        (atom("BusinessPartnerNumber", "isAnyOf", ["BPNL00000000000X"]), [BPN], None, False),
        (atom("BusinessPartnerNumber", "isNoneOf", ["BPNL00000000000X"]), [BPN], None, True),
        (atom("BusinessPartnerNumber", "isAnyOf", [BPNL]), [DEG], None, False),
        (atom("UsagePurpose", "isAnyOf", ["cx.circular.dpp:1", "cx.pcf.base:1"]), [], "cx.pcf.base:1", True),
        (atom("UsagePurpose", "isAnyOf", ["cx.circular.dpp:1"]), [], "cx.quality.base:1", False),
        (atom("UsagePurpose", "eq", "cx.circular.dpp:1"), [], "cx.circular.dpp:1", True),
        (atom("UsagePurpose", "isAnyOf", ["cx.circular.dpp:1"]), [], None, True),  # undeclared: a term
        (atom("PassportAccessLevel", "isAnyOf", ["notified_body", "commission"]), [NOTIFIED_BODY], None, True),
        (atom("PassportAccessLevel", "eq", "notified_body"), [LEGITIMATE_INTEREST], None, False),
        (atom("PassportAccessLevel", "eq", "legitimate_interest"), [], None, False),
        (atom("BusinessPartnerGroup", "isAnyOf", ["gold"]), [MEMBERSHIP, BPN], None, False),  # unknown here
        (atom("ContractReference", "isAllOf", ["ContractID250620197"]), [], None, True),  # a contract term
    ],
)
def test_catena_x_operands(constraint: Constraint, credentials: list[str], purpose: str | None, allowed: bool) -> None:
    decision = evaluate_cx(a_policy(constraint), context(*credentials, purpose=purpose))
    assert decision.allowed is allowed, decision.reasons


def test_a_missing_credential_is_the_reason() -> None:
    decision = evaluate_cx(a_policy(atom("Membership", "eq", "active")), context())
    assert decision.reasons == ("permission[0] (use): Membership eq 'active': no verified MembershipCredential",)


@pytest.mark.parametrize(
    "spelling",
    [
        "Membership",
        CX_POLICY_NS + "Membership",
        "cx-policy:Membership",
        CX_LEGACY_POLICY_NS + "Membership",
    ],
)
def test_left_operands_are_accepted_in_every_spelling(spelling: str) -> None:
    assert evaluate_cx(a_policy(atom(spelling, "eq", "active")), context(MEMBERSHIP)).allowed
    assert short_name(spelling) == "Membership"


def test_passport_access_level_is_ours_in_its_own_namespace() -> None:
    constraint = atom(PASSBRIDGE_POLICY_NS + "PassportAccessLevel", "eq", "notified_body")
    assert evaluate_cx(a_policy(constraint), context(NOTIFIED_BODY)).allowed
    assert not evaluate_cx(a_policy(atom("cx-policy:PassportAccessLevel", "eq", "notified_body")), context()).allowed


def test_the_context_comes_from_the_verified_presentation() -> None:
    built = context_from(verified(MEMBERSHIP, DEG), "cx.circular.dpp:1", now=NOW)
    assert built.participant_id == CONSUMER_DID and built.usage_purpose == "cx.circular.dpp:1" and built.now == NOW
    assert set(built.credentials) == {MEMBERSHIP, DEG}
    assert built.credentials[DEG][0]["contractVersion"] == SUBJECTS[DEG]["contractVersion"]
    assert context_from(None).credentials == {}


def test_the_official_access_policy_sample() -> None:
    policy = sample("access-policy.json")
    bpn_holder = verified(
        MEMBERSHIP, BPN, subjects={**SUBJECTS, BPN: {"holderIdentifier": "x", "bpn": "BPNL012345678910"}}
    )
    assert evaluate_cx(policy, context_from(bpn_holder)).allowed
    assert not evaluate_cx(policy, context_from(verified(MEMBERSHIP, BPN))).allowed
    assert required_credentials(policy) == (MEMBERSHIP, BPN)


@pytest.mark.parametrize("name", ["usage-policy-sample.json", "usage-policy-comprehensive-sample.json"])
def test_the_official_usage_policy_samples_admit_a_framework_member_with_a_listed_purpose(name: str) -> None:
    policy = sample(name)
    assert evaluate_cx(policy, context(DEG, purpose="cx.pcf.base:1")).allowed
    denied = evaluate_cx(policy, context(DEG, purpose="cx.quality.base:1"))
    assert not denied.allowed and all("UsagePurpose" in reason for reason in denied.reasons)
    assert not evaluate_cx(policy, context(MEMBERSHIP, purpose="cx.pcf.base:1")).allowed
    assert required_credentials(policy) == (DEG,)


def test_every_official_single_constraint_sample_is_understood() -> None:
    """Each CX-0152 constraint sample is either decided from facts or a contract term: none is unknown."""
    for path in sorted(SAMPLES.glob("*-constraint-sample.json")):
        raw = json.loads(path.read_text())
        policy = decode_policy({"@id": "p", "permission": [{"action": "use", "constraint": [raw]}]})
        reasons = evaluate_cx(policy, context()).reasons
        assert not any("unknown left operand" in r for r in reasons) or raw["leftOperand"] == "BusinessPartnerGroup"


def test_reader_levels_map_to_reader_credentials() -> None:
    policy = a_policy(atom("PassportAccessLevel", "isAnyOf", ["notified_body", "market_surveillance", "nobody"]))
    assert required_credentials(policy) == ("NotifiedBodyCredential", "MarketSurveillanceAuthorityCredential")
