"""The Catena-X policy profile (CX-0152, ``https://w3id.org/catenax/2025/9/policy/``) and passbridge's own left
operand, resolved against verified DCP credentials.

Layout: namespaces; `CxOperand` (the left operands decided from facts) and `CONTRACT_TERMS` (usage terms accepted by
agreeing); `CATENAX_OPERANDS` (every accepted spelling → resolver, for `passbridge.dataspace.odrl.evaluate`);
`evaluate_cx`; `context_from` (a verified presentation → `PolicyContext`); `required_credentials` (which credential
types a policy needs, to ask the counterparty's credential service for).

The credential mapping is CX-0018 v4.2 §2.4, as Tractus-X EDC's constraint functions apply it:

- ``Membership eq active`` ⇔ a verified ``MembershipCredential`` (also one a recognition maps onto it).
- ``FrameworkAgreement eq DataExchangeGovernance:1.0`` ⇔ a ``DataExchangeGovernanceCredential`` whose subject has
  ``contractVersion`` ``1.0`` (the right operand's name plus ``Credential``, version compared literally; a right
  operand without a version needs only the credential).
- ``BusinessPartnerNumber isAnyOf [BPNL…]`` ⇔ ``BpnCredential.bpn`` (or the membership's ``holderIdentifier``).
- ``UsagePurpose`` (``cx.circular.dpp:1``, ``cx.pcf.base:1``, …): checked against the purpose the consumer declared
  for the exchange; when it declared none it is a contractual term (as in EDC: agreeing binds the consumer to the
  listed purposes), so EDC consumers, which declare nothing, are not locked out.
- ``PassportAccessLevel`` (ours, ``https://w3id.org/passbridge/policy/PassportAccessLevel``): the passport reader
  roles proven by reader credentials (``legitimate_interest``, ``notified_body``, ``market_surveillance``,
  ``commission``; `passbridge.identity.callers.READER_ROLES`).

Left operands are accepted short (``Membership``, as the Catena-X context compacts them), as full IRIs of the 2025/9
namespace, prefixed (``cx-policy:Membership``) and in the legacy Jupiter namespace. ``BusinessPartnerGroup`` needs a
group directory passbridge does not have: it stays unknown and denies.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime

from passbridge.dataspace.odrl import (
    ODRL_OPERANDS,
    TERM,
    AnyConstraint,
    Constraint,
    Decision,
    Facts,
    OperandResolver,
    Policy,
    PolicyContext,
    evaluate,
)
from passbridge.identity.acceptance import VerifiedPresentation
from passbridge.identity.callers import READER_ROLES
from passbridge.identity.credentials import CredentialType
from passbridge.jsontypes import JsonScalar, JsonValue

CX_POLICY_NS = "https://w3id.org/catenax/2025/9/policy/"
"""Catena-X 2025/9 policy namespace; also the ODRL ``profile`` value CX-0152 requires."""
CX_LEGACY_POLICY_NS = "https://w3id.org/catenax/policy/"
"""The Jupiter (``cx-policy:``) namespace, still met on older contract definitions."""
CX_POLICY_CONTEXT = "https://w3id.org/catenax/2025/9/policy/context.jsonld"
"""The JSON-LD context that defines the short left operands (send it next to the DSP context)."""
PASSBRIDGE_POLICY_NS = "https://w3id.org/passbridge/policy/"

USAGE_PURPOSE_DPP = "cx.circular.dpp:1"
USAGE_PURPOSE_PCF = "cx.pcf.base:1"
USAGE_PURPOSE_DTR = "cx.core.digitalTwinRegistry:1"


class CxOperand(enum.StrEnum):
    """The left operands decided from facts about the counterparty (short names)."""

    MEMBERSHIP = "Membership"
    FRAMEWORK_AGREEMENT = "FrameworkAgreement"
    BUSINESS_PARTNER_NUMBER = "BusinessPartnerNumber"
    USAGE_PURPOSE = "UsagePurpose"
    PASSPORT_ACCESS_LEVEL = "PassportAccessLevel"


CONTRACT_TERMS: frozenset[str] = frozenset(
    {
        "AffiliatesBpnl",
        "AffiliatesRegion",
        "ConfidentialInformationMeasures",
        "ConfidentialInformationSharing",
        "ContractReference",
        "ContractTermination",
        "DataFrequency",
        "DataProvisioningEndDate",
        "DataProvisioningEndDurationDays",
        "DataUsageEndDate",
        "DataUsageEndDefinition",
        "DataUsageEndDurationDays",
        "ExclusiveUsage",
        "JurisdictionLocation",
        "JurisdictionLocationReference",
        "Liability",
        "ManagedLegalEntityBpnl",
        "ManagedLegalEntityRegion",
        "Precedence",
        "UsageRestriction",
        "VersionChanges",
        "Warranty",
        "WarrantyDefinition",
        "WarrantyDuration",
        "WarrantyDurationMonths",
    }
)
"""CX-0152 usage constraints that state contract terms (Tractus-X EDC only validates their values): accepted by
agreeing to the contract, never a reason to deny."""

_CREDENTIAL = "Credential"


def _subjects(context: PolicyContext, credential_type: str) -> tuple[Mapping[str, JsonValue], ...]:
    return context.credentials.get(credential_type, ())


def _membership(context: PolicyContext) -> Facts:
    if _subjects(context, CredentialType.MEMBERSHIP):
        return Facts(("active",))
    return Facts(missing="no verified MembershipCredential")


def _framework_agreement(context: PolicyContext) -> Facts:
    values: list[JsonScalar] = []
    for credential_type, subjects in context.credentials.items():
        if not credential_type.endswith(_CREDENTIAL) or credential_type == CredentialType.MEMBERSHIP:
            continue
        name = credential_type.removesuffix(_CREDENTIAL)
        for subject in subjects:
            version = subject.get("contractVersion")
            if isinstance(version, str) and version:
                values += [name, f"{name}:{version}"]
    if values:
        return Facts(tuple(dict.fromkeys(values)))
    return Facts(missing="no verified framework credential (DataExchangeGovernanceCredential) with a contractVersion")


def _business_partner_number(context: PolicyContext) -> Facts:
    values: list[JsonScalar] = []
    for subject in _subjects(context, CredentialType.BPN):
        bpn = subject.get("bpn")
        if isinstance(bpn, str):
            values.append(bpn)
    for subject in _subjects(context, CredentialType.MEMBERSHIP):
        holder = subject.get("holderIdentifier")
        if isinstance(holder, str) and holder.startswith("BPNL"):
            values.append(holder)
    if values:
        return Facts(tuple(dict.fromkeys(values)))
    return Facts(missing="no verified BpnCredential (or MembershipCredential) naming a BPNL")


def _usage_purpose(context: PolicyContext) -> Facts:
    return TERM if context.usage_purpose is None else Facts((context.usage_purpose,))


def _passport_access_level(context: PolicyContext) -> Facts:
    levels = tuple(role.value for kind, role in READER_ROLES.items() if _subjects(context, kind))
    if levels:
        return Facts(levels)
    names = ", ".join(kind.value for kind in READER_ROLES)
    return Facts(missing=f"no verified reader credential ({names})")


def _term(context: PolicyContext) -> Facts:
    return TERM


def _spellings(name: str) -> tuple[str, ...]:
    if name == CxOperand.PASSPORT_ACCESS_LEVEL:
        return (name, PASSBRIDGE_POLICY_NS + name)
    return (name, CX_POLICY_NS + name, "cx-policy:" + name, CX_LEGACY_POLICY_NS + name)


_FACTS: Mapping[CxOperand, OperandResolver] = {
    CxOperand.MEMBERSHIP: _membership,
    CxOperand.FRAMEWORK_AGREEMENT: _framework_agreement,
    CxOperand.BUSINESS_PARTNER_NUMBER: _business_partner_number,
    CxOperand.USAGE_PURPOSE: _usage_purpose,
    CxOperand.PASSPORT_ACCESS_LEVEL: _passport_access_level,
}

CATENAX_OPERANDS: Mapping[str, OperandResolver] = {
    **ODRL_OPERANDS,
    **{spelling: resolver for operand, resolver in _FACTS.items() for spelling in _spellings(operand)},
    **{spelling: _term for term in CONTRACT_TERMS for spelling in _spellings(term)},
}
"""Every accepted spelling of every left operand passbridge evaluates → its resolver."""


def short_name(left_operand: str) -> str:
    """The short name of a Catena-X or passbridge left operand (``cx-policy:Membership`` → ``Membership``); other
    operands unchanged."""
    for prefix in (CX_POLICY_NS, CX_LEGACY_POLICY_NS, PASSBRIDGE_POLICY_NS, "cx-policy:"):
        if left_operand.startswith(prefix):
            return left_operand[len(prefix) :]
    return left_operand


def evaluate_cx(policy: Policy, context: PolicyContext) -> Decision:
    """`passbridge.dataspace.odrl.evaluate` with the Catena-X profile and passbridge's operands (closed world)."""
    return evaluate(policy, context, CATENAX_OPERANDS)


def context_from(
    verified: VerifiedPresentation | None, usage_purpose: str | None = None, *, now: datetime | None = None
) -> PolicyContext:
    """The evaluation context of a counterparty: its DID and the subjects of its verified credentials, keyed by the
    type each was accepted as (so a recognised foreign credential counts as the type it maps onto).

    `verified` is None for a caller that proved nothing (every fact-based constraint then fails).
    """
    if verified is None:
        return PolicyContext(usage_purpose=usage_purpose, now=now)
    credentials: dict[str, list[Mapping[str, JsonValue]]] = {}
    for item in verified.credentials:
        credentials.setdefault(item.accepted_as, []).append(item.credential.subject)
    return PolicyContext(
        participant_id=verified.holder,
        credentials={kind: tuple(subjects) for kind, subjects in credentials.items()},
        usage_purpose=usage_purpose,
        now=now,
    )


def _leaves(constraints: Iterable[AnyConstraint]) -> Iterable[Constraint]:
    for c in constraints:
        if isinstance(c, Constraint):
            yield c
        else:
            yield from _leaves(c.constraints)


def _levels(right: JsonValue) -> list[str]:
    items = right if isinstance(right, list) else [right]
    return [item for item in items if isinstance(item, str)]


def required_credentials(policy: Policy) -> tuple[str, ...]:
    """The credential types a counterparty must present to satisfy `policy` (to build DCP scopes from, as Tractus-X
    EDC's scope extractor does): in order of first use, without duplicates."""
    wanted: list[str] = []
    rules = [*policy.permissions, *policy.prohibitions, *policy.obligations]
    rules += [duty for rule in policy.permissions for duty in rule.duties]
    for c in _leaves(constraint for rule in rules for constraint in rule.constraints):
        name = short_name(c.left_operand)
        if name == CxOperand.MEMBERSHIP:
            wanted.append(CredentialType.MEMBERSHIP)
        elif name == CxOperand.BUSINESS_PARTNER_NUMBER:
            wanted.append(CredentialType.BPN)
        elif name == CxOperand.FRAMEWORK_AGREEMENT and isinstance(c.right_operand, str):
            wanted.append(c.right_operand.split(":", 1)[0] + _CREDENTIAL)
        elif name == CxOperand.PASSPORT_ACCESS_LEVEL:
            roles = {role.value: kind.value for kind, role in READER_ROLES.items()}
            wanted += [roles[level] for level in _levels(c.right_operand) if level in roles]
    return tuple(dict.fromkeys(str(w) for w in wanted))


__all__ = [
    "CATENAX_OPERANDS",
    "CONTRACT_TERMS",
    "CX_LEGACY_POLICY_NS",
    "CX_POLICY_CONTEXT",
    "CX_POLICY_NS",
    "PASSBRIDGE_POLICY_NS",
    "USAGE_PURPOSE_DPP",
    "USAGE_PURPOSE_DTR",
    "USAGE_PURPOSE_PCF",
    "CxOperand",
    "context_from",
    "evaluate_cx",
    "required_credentials",
    "short_name",
]
