"""Confidentiality in code: what leaves the node toward a customer or a supplier, and under which grant.

Layout: `AclItem` and `DisclosureAcl` (the Ouranos CFP ACL, per partner and part, default closed),
`answer_for_customer` (a roll-up → the `SupplierAnswer` a customer may see), `SupplierRequest` and
`request_to_supplier` (a trade → the request a supplier sees, without our quantity).

Rules (ouranos.md §7): a customer gets only per-unit figures of our own product and the counts of our upstream
tree; `SupplierAnswer` has no field that could carry more. A supplier never gets `amountRequired`: the request type
holds it as ``None`` only, like the Ouranos API ("川下の活動量は川上には非開示情報のため、nullを渡します").
Withheld figures are omitted (None), not refused: the customer still gets what was released and can see what was
not, and its own roll-up then names the missing figure (`MissingFigures`).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, replace

from passbridge.errors import DisclosureRefused, InvalidInput
from passbridge.supplychain._checks import text_field, uuid_field
from passbridge.supplychain.answers import AnsweredElement, OriginShare, StageDqr, StageEmission, SupplierAnswer
from passbridge.supplychain.footprints import Dqr
from passbridge.supplychain.material_rollups import ElementRollup
from passbridge.supplychain.model import Operator, Part
from passbridge.supplychain.quantities import Unit, ouranos_round
from passbridge.supplychain.rollups import DqrResult, PartRollup, StageRollup
from passbridge.supplychain.trades import Trade


class AclItem(enum.Enum):
    """What can be released to a partner."""

    TOTALCFP = "TOTALCFP"
    """Ouranos `aclItemGroup`: the CFP per stage."""
    TOTALDQR = "TOTALDQR"
    """Ouranos `aclItemGroup`: the DQR per stage."""
    MATERIALS = "MATERIALS"
    """passbridge: per-unit material content and recycled masses (Ouranos has no material data)."""
    ORIGIN = "ORIGIN"
    """passbridge: origin shares by country (needs MATERIALS too)."""


@dataclass(frozen=True, slots=True)
class DisclosureAcl:
    """What one partner may see of one of our parts (Ouranos `cfpAcl`). Nothing unless released.

    Attributes:
        partner: `releasedToOperatorId`: the customer (its DID, BPNL or corporate number).
        trace_id: our part.
        released: the items released to the partner.
    """

    partner: str
    trace_id: uuid.UUID
    released: frozenset[AclItem] = frozenset()

    def __post_init__(self) -> None:
        text_field(self.partner, "releasedToOperatorId")
        uuid_field(self.trace_id, "traceId")
        unknown = [item for item in self.released if not isinstance(item, AclItem)]
        if unknown:
            raise InvalidInput.at("acl.aclItemGroup", f"unknown ACL items {unknown!r}", "Ouranos cfpAcl")

    def grant(self, *items: AclItem) -> DisclosureAcl:
        """This ACL with `items` released as well."""
        return replace(self, released=self.released | frozenset(items))

    def grants(self, item: AclItem) -> bool:
        """True if `item` is released."""
        return item in self.released


def _stage_dqr(stage: StageRollup, ouranos: bool) -> StageDqr | None:
    result: DqrResult | None = stage.dqr
    if result is None:
        return None
    if ouranos:
        path = f"dqr.{stage.stage.value}"
        dqr = Dqr(
            result.ter.ouranos(f"{path}.TeR"), result.ger.ouranos(f"{path}.GeR"), result.tir.ouranos(f"{path}.TiR")
        )
    else:
        dqr = result.values()
    return StageDqr(stage.stage, dqr)


def _answered_element(rollup: ElementRollup, with_origin: bool) -> AnsweredElement:
    total = rollup.total
    origin = tuple(OriginShare(s.country, s.share.value) for s in rollup.origin_shares) if with_origin else None
    return AnsweredElement(
        rollup.element, total.mass, total.recycled_pre_consumer, total.recycled_post_consumer, origin
    )


def answer_for_customer(
    rollup: PartRollup, acl: DisclosureAcl, *, answer_id: uuid.UUID | None = None, ouranos: bool = False
) -> SupplierAnswer:
    """The answer a customer may see: per-unit figures of our part, as far as `acl` releases them, and the counts.

    Args:
        rollup: the roll-up of our part.
        acl: what the customer may see; unreleased figures are None in the answer.
        answer_id: the answer's id (a fresh UUID by default).
        ouranos: give CFP and DQR in the Ouranos format (5 decimals, rounded up at the 6th) instead of exactly.

    Raises:
        DisclosureRefused: if `acl` is for another part.
        OuranosRangeExceeded: with `ouranos`, if a figure is beyond ±99999.99999.
    """
    if acl.trace_id != rollup.trace_id:
        raise DisclosureRefused(str(rollup.trace_id), str(acl.trace_id), acl.partner)
    stages = rollup.footprint.stages
    cfp = None
    if acl.grants(AclItem.TOTALCFP):
        cfp = tuple(
            StageEmission(s.stage, ouranos_round(s.total, f"cfp.{s.stage.value}") if ouranos else s.total)
            for s in stages
        )
    dqr = None
    if acl.grants(AclItem.TOTALDQR):
        dqr = tuple(d for s in stages if (d := _stage_dqr(s, ouranos)) is not None)
    materials = None
    if acl.grants(AclItem.MATERIALS):
        with_origin = acl.grants(AclItem.ORIGIN)
        materials = tuple(_answered_element(e, with_origin) for e in rollup.materials.elements)
    return SupplierAnswer(
        answer_id=answer_id or uuid.uuid4(),
        trace_id=rollup.trace_id,
        declared_unit=rollup.declared_unit,
        cfp=cfp,
        dqr=dqr,
        materials=materials,
        trades_count=rollup.upstream.trades_count,
        completed_count=rollup.upstream.completed_count,
    )


@dataclass(frozen=True, slots=True)
class SupplierRequest:
    """What a supplier sees of our request (Ouranos `tradeResponse`): our part's name and unit, never our amount.

    Attributes:
        trade_id: `tradeId`.
        downstream_operator: us, the customer.
        downstream_trace_id: our child part.
        parts_name: our name for it.
        amount_required_unit: its unit.
        amount_required: always None (the type allows nothing else).
        request_type: `requestType`, always ``CFP`` in Ouranos.
        message: free text to the supplier.
    """

    trade_id: uuid.UUID
    downstream_operator: Operator
    downstream_trace_id: uuid.UUID
    parts_name: str
    amount_required_unit: Unit
    amount_required: None = None
    request_type: str = "CFP"
    message: str = ""


def request_to_supplier(trade: Trade, part: Part, *, message: str = "") -> SupplierRequest:
    """The request to send to the supplier of `part` through `trade`.

    Raises:
        InvalidInput: if `part` is not the trade's child part.
    """
    if part.trace_id != trade.downstream_trace_id:
        raise InvalidInput.at("downstreamTraceId", f"trade {trade.trade_id} is about {trade.downstream_trace_id}")
    return SupplierRequest(
        trade.trade_id, trade.downstream_operator, part.trace_id, part.parts_name, part.declared_unit, message=message
    )


__all__ = ["AclItem", "DisclosureAcl", "SupplierRequest", "answer_for_customer", "request_to_supplier"]
