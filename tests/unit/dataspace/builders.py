"""Object mothers for the data-space core: policies, offers, negotiation messages and evaluation contexts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from passbridge.dataspace.odrl import (
    AnyConstraint,
    Constraint,
    LogicalConstraint,
    LogicalOperator,
    Operator,
    Policy,
    PolicyContext,
    PolicyType,
    Rule,
)
from passbridge.identity.acceptance import VerifiedCredential, VerifiedPresentation
from passbridge.identity.credentials import Credential, CredentialType

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PROVIDER_DID = "did:web:provider.example"
CONSUMER_DID = "did:web:consumer.example"
BPNL = "BPNL000000000001"
DATASET = "urn:uuid:dataset-1"
CONSUMER_PID = "urn:uuid:consumer-1"
PROVIDER_PID = "urn:uuid:provider-1"
CALLBACK = "https://consumer.example/dsp/2025-1"


def atom(left: str, op: str, right: Any) -> Constraint:
    """An atomic constraint."""
    return Constraint(left, Operator(op), right)


def both(*constraints: AnyConstraint, op: str = "and") -> LogicalConstraint:
    """A logical constraint."""
    return LogicalConstraint(LogicalOperator(op), tuple(constraints))


def a_policy(
    *constraints: AnyConstraint,
    id: str = "urn:uuid:offer-1",
    type: PolicyType = PolicyType.OFFER,
    action: str = "use",
    prohibitions: Sequence[Rule] = (),
    target: str | None = None,
    assigner: str | None = None,
) -> Policy:
    """A policy with one permission holding `constraints`."""
    return Policy(
        id,
        type,
        permissions=(Rule(action, tuple(constraints)),),
        prohibitions=tuple(prohibitions),
        target=target,
        assigner=assigner,
    )


def dpp_usage_policy(**overrides: Any) -> Policy:
    """A Catena-X usage policy for battery passports: framework agreement and usage purpose."""
    return a_policy(
        both(
            atom("FrameworkAgreement", "eq", "DataExchangeGovernance:1.0"),
            atom("UsagePurpose", "isAnyOf", ["cx.circular.dpp:1"]),
        ),
        **overrides,
    )


def an_offer(**overrides: Any) -> Policy:
    """An offer as sent in a negotiation message: with target and assigner."""
    values: dict[str, Any] = {"target": DATASET, "assigner": PROVIDER_DID}
    values.update(overrides)
    return dpp_usage_policy(**values)


SUBJECTS: Mapping[str, Mapping[str, str]] = {
    CredentialType.MEMBERSHIP: {"holderIdentifier": BPNL, "memberOf": "Catena-X"},
    CredentialType.BPN: {"holderIdentifier": BPNL, "bpn": BPNL},
    CredentialType.DATA_EXCHANGE_GOVERNANCE: {
        "holderIdentifier": BPNL,
        "group": "UseCaseFramework",
        "useCase": "DataExchangeGovernance",
        "contractTemplate": "https://example.org/deg",
        "contractVersion": "1.0",
    },
    CredentialType.NOTIFIED_BODY: {"holderIdentifier": "NB-0042"},
    CredentialType.LEGITIMATE_INTEREST: {"holderIdentifier": "recycler-42"},
}


def verified(
    *types: str, holder: str = CONSUMER_DID, subjects: Mapping[str, Mapping[str, str]] = SUBJECTS
) -> VerifiedPresentation:
    """A verified presentation by `holder` of credentials accepted as `types` (no signatures involved)."""
    credentials = tuple(
        VerifiedCredential(
            Credential(f"urn:uuid:vc-{i}", kind, "did:web:issuer.example", {"id": holder, **subjects[kind]}, NOW, None),
            kind,
            "direct",
        )
        for i, kind in enumerate(types)
    )
    return VerifiedPresentation(holder, credentials)


def context(*types: str, purpose: str | None = None) -> PolicyContext:
    """An evaluation context with credentials accepted as `types`."""
    subjects = {kind: ({"id": CONSUMER_DID, **SUBJECTS[kind]},) for kind in types}
    return PolicyContext(CONSUMER_DID, subjects, purpose, NOW)
