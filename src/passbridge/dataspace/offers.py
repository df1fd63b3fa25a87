"""What a passbridge node offers in its DSP catalog, and under which policies.

- Each passport is a dataset (asset id = the passport's ``urn:uuid:`` id, as the digital twin registry's
  ``subprotocolBody`` names it), offered under one contract definition per view: `PUBLIC_VIEW` (any data-space
  member: ``Membership eq active``) and one restricted view per passport reader role (``Membership eq active`` and
  ``PassportAccessLevel eq <role>``, proven by the reader credential). The catalog lists only the offers whose access
  policy the counterparty satisfies, so a notified body sees the public and the notified-body offer, a plain member
  only the public one.
- The digital twin registry is one dataset (`DTR_ASSET`, ``dct:type`` ``…taxonomy#DigitalTwinRegistry``,
  ``cx-common:version`` 3.0) offered to any member (CX-0002 §3.1.4: policies agnostic of framework credentials).

- Each of our parts whose carbon footprint a caller's ACL entry releases (`PcfSource`, supply-chain disclosure) is a
  dataset (asset id ``urn:uuid:<traceId>``, ``dct:type`` ``…taxonomy#Submodel`` with the ``io.catenax.pcf`` 9.0.0
  semantic id) offered under `PCF_DEFINITION` (``Membership eq active``, usage purpose ``cx.pcf.base:1``). The
  partner the ACL names is the operator whose ``did`` is the caller's DCP-verified DID.

Contract policies are Catena-X profile policies (CX-0152: ``profile``, ``use``, constraints chained with ``and``)
with usage purpose ``cx.circular.dpp:1`` (``cx.core.digitalTwinRegistry:1`` for the registry). Access policies
use the ``access`` action. The agreement copies the contract policy unchanged, so the view the data plane serves
follows from the agreement alone (`passbridge.dataspace.dataplane.access_level`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from passbridge.dataspace.catalog import Asset, ContractDefinition
from passbridge.dataspace.dataplane import PUBLIC_LEVEL
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
from passbridge.dataspace.policies import (
    CX_POLICY_NS,
    USAGE_PURPOSE_DPP,
    USAGE_PURPOSE_DTR,
    USAGE_PURPOSE_PCF,
    CxOperand,
    short_name,
)
from passbridge.dataspace.ports import RenderedAsset
from passbridge.identity.callers import READER_ROLES

DTR_TYPE = "DigitalTwinRegistry"
DTR_ASSET = Asset(
    id="urn:passbridge:digital-twin-registry",
    title="Digital twin registry (AAS Part 2 API v3.0)",
    type=DTR_TYPE,
    version="3.0",
)
"""The registry as a dataset (its data plane is the node's ``/aas/api/v3.0``)."""

PASSPORT_TYPE = "https://w3id.org/catenax/taxonomy#Submodel"
BATTERY_PASS_SEMANTIC_ID = "urn:samm:io.catenax.battery.battery_pass:6.1.0#BatteryPass"

LEVELS: tuple[str, ...] = (PUBLIC_LEVEL, *(role.value for role in reversed(list(READER_ROLES.values()))))
"""The passport views offered, weakest first (``public``, then the reader roles)."""

PUBLIC_VIEW = "passport-public"


def _membership() -> Constraint:
    return Constraint(CxOperand.MEMBERSHIP.value, Operator.EQ, "active")


def _policy(definition_id: str, action: str, constraints: Sequence[AnyConstraint]) -> Policy:
    chained: tuple[AnyConstraint, ...] = (
        (LogicalConstraint(LogicalOperator.AND, tuple(constraints)),) if len(constraints) > 1 else tuple(constraints)
    )
    return Policy(
        id=f"urn:passbridge:policy:{definition_id}:{action}",
        type=PolicyType.SET,
        permissions=(Rule(action, chained),),
        profile=(CX_POLICY_NS,),
    )


def _definition(definition_id: str, constraints: Sequence[AnyConstraint], purpose: str) -> ContractDefinition:
    usage = Constraint(CxOperand.USAGE_PURPOSE.value, Operator.IS_ANY_OF, [purpose])
    return ContractDefinition(
        definition_id,
        access_policy=_policy(definition_id, "access", constraints),
        contract_policy=_policy(definition_id, "use", [*constraints, usage]),
    )


def view_definition_id(level: str) -> str:
    """The contract definition id of a passport view (``passport-public``, ``passport-notified_body``, …)."""
    return f"passport-{level}"


def _passport_definitions() -> Mapping[str, ContractDefinition]:
    definitions = {PUBLIC_VIEW: _definition(PUBLIC_VIEW, [_membership()], USAGE_PURPOSE_DPP)}
    for level in LEVELS[1:]:
        restricted = Constraint(CxOperand.PASSPORT_ACCESS_LEVEL.value, Operator.EQ, level)
        definitions[view_definition_id(level)] = _definition(
            view_definition_id(level), [_membership(), restricted], USAGE_PURPOSE_DPP
        )
    return definitions


PASSPORT_DEFINITIONS: Mapping[str, ContractDefinition] = _passport_definitions()
DTR_DEFINITION = _definition("digital-twin-registry", [_membership()], USAGE_PURPOSE_DTR)
PCF_DEFINITION = _definition("pcf", [_membership()], USAGE_PURPOSE_PCF)
DEFINITIONS: Mapping[str, ContractDefinition] = {
    **PASSPORT_DEFINITIONS,
    DTR_DEFINITION.id: DTR_DEFINITION,
    PCF_DEFINITION.id: PCF_DEFINITION,
}
"""Every contract definition by id (the first part of an offer id)."""


def passport_asset(dataset_id: str) -> Asset:
    """A passport as a dataset."""
    return Asset(
        id=dataset_id,
        title="Battery passport (Regulation (EU) 2023/1542)",
        type=PASSPORT_TYPE,
        properties={"aas-semantics:semanticId": {"@id": BATTERY_PASS_SEMANTIC_ID}},
    )


PCF_SEMANTIC_ID = "urn:samm:io.catenax.pcf:9.0.0#Pcf"


class PcfSource(Protocol):
    """Carbon-footprint answers of our parts as datasets; `partner` is the caller's DCP-verified DID, and what it
    gets is what the supply-chain disclosure ACL releases to the operator with that DID (never more)."""

    def dataset_ids(self, partner: str) -> Sequence[str]:
        """The PCF dataset ids (``urn:uuid:<traceId>``) whose footprint is released to `partner`."""

    def answerable(self, dataset_id: str, partner: str) -> bool:
        """Whether `dataset_id` is one of ours whose footprint is released to `partner`."""

    def render(self, dataset_id: str, partner: str, fmt: str | None) -> RenderedAsset:
        """The Catena-X PCF payload `partner` may have.

        Raises:
            NotFound: not released to `partner`. InvalidInput: an unknown format or an unmappable answer.
        """


_URN_UUID = "urn:uuid:"


def pcf_asset(dataset_id: str) -> Asset:
    """A part's carbon-footprint answer as a dataset."""
    return Asset(
        id=dataset_id,
        title="Product carbon footprint (Catena-X io.catenax.pcf 9.0.0)",
        type=PASSPORT_TYPE,
        properties={"aas-semantics:semanticId": {"@id": PCF_SEMANTIC_ID}},
    )


def pcf_trace_id(dataset_id: str) -> uuid.UUID | None:
    """The part (``traceId``) a PCF dataset id ``urn:uuid:<traceId>`` names; None for any other id (also a
    non-canonical spelling of a UUID, so one part has exactly one dataset id)."""
    if not dataset_id.startswith(_URN_UUID):
        return None
    try:
        trace_id = uuid.UUID(dataset_id.removeprefix(_URN_UUID))
    except ValueError:
        return None
    return trace_id if f"{_URN_UUID}{trace_id}" == dataset_id else None


def _is_pcf(asset: Asset) -> bool:
    return asset.properties.get("aas-semantics:semanticId") == {"@id": PCF_SEMANTIC_ID}


def definitions_for(asset: Asset) -> Sequence[ContractDefinition]:
    """The contract definitions covering an asset."""
    if asset.id == DTR_ASSET.id:
        return (DTR_DEFINITION,)
    if _is_pcf(asset):
        return (PCF_DEFINITION,)
    return tuple(PASSPORT_DEFINITIONS.values())


def covers(definition_id: str, dataset_id: str) -> bool:
    """Whether a contract definition is one under which `dataset_id` may be offered (whether it is, the asset
    sources decide: a passport, or a PCF released to the caller)."""
    if dataset_id == DTR_ASSET.id:
        return definition_id == DTR_DEFINITION.id
    return definition_id in PASSPORT_DEFINITIONS or definition_id == PCF_DEFINITION.id


def _leaf_constraints(constraints: Iterable[AnyConstraint]) -> Iterable[Constraint]:
    for c in constraints:
        if isinstance(c, Constraint):
            yield c
        else:
            yield from _leaf_constraints(c.constraints)


def is_pcf_agreement(agreement: Policy) -> bool:
    """Whether an agreement (a copy of an offered policy) is for a PCF dataset: its usage purpose is
    ``cx.pcf.base:1``."""
    for rule in agreement.permissions:
        for c in _leaf_constraints(rule.constraints):
            if short_name(c.left_operand) == CxOperand.USAGE_PURPOSE:
                values = c.right_operand if isinstance(c.right_operand, list) else [c.right_operand]
                if USAGE_PURPOSE_PCF in values:
                    return True
    return False


__all__ = [
    "BATTERY_PASS_SEMANTIC_ID",
    "DEFINITIONS",
    "DTR_ASSET",
    "DTR_DEFINITION",
    "DTR_TYPE",
    "LEVELS",
    "PASSPORT_DEFINITIONS",
    "PASSPORT_TYPE",
    "PCF_DEFINITION",
    "PCF_SEMANTIC_ID",
    "PUBLIC_VIEW",
    "PcfSource",
    "covers",
    "definitions_for",
    "is_pcf_agreement",
    "passport_asset",
    "pcf_asset",
    "pcf_trace_id",
    "view_definition_id",
]
