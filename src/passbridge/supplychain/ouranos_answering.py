"""Answering the Ouranos requests addressed to us from our supply-chain roll-ups (`OuranosParticipant`'s last step).

Layout: `RequestAnswerer` (`answer_all`: for each standing request, find the requester and our part, register and
link the part, register its CFP from the roll-up, grant the requester).

Rules (ouranos.md §6, §7; the README has them for users): a request is answered with the part of ours whose ACL
releases ``TOTALCFP`` to the requesting operator (that operator found in our supply chain by `openOperatorId`, or
BPNL/DID = `globalOperatorId`); when several are released, the one whose `partsName` is the request's `partsName` or
`supportPartsName`. No match, several, a unit other than the request's, or a CFP roll-up that is not complete: the
request stays open and is reported. Otherwise the part is registered, linked, its CFP registered from the roll-up
(`ouranos_wire.cfp_records`: our total per unit, never a supplier's identity or our quantities) and ``TOTALCFP``
(and ``TOTALDQR`` as our ACL says) granted to the requester with ``PUT cfpAcl``, the Ouranos upstream's disclosure.
Each step compares with what the platform holds first, so answering twice changes nothing.
"""

from __future__ import annotations

import logging
import uuid

from passbridge.errors import MissingFigures
from passbridge.jsontypes import JsonObject
from passbridge.supplychain.catalog import Catalog
from passbridge.supplychain.disclosure import AclItem
from passbridge.supplychain.ouranos_report import RECOVERABLE, STANDING, SyncLog, obj, request_status
from passbridge.supplychain.ouranos_session import OuranosApi, PlatformParts, field, partner_of, text
from passbridge.supplychain.ouranos_wire import OWN_TYPES, cfp_records, ouranos_unit, same_cfp
from passbridge.supplychain.rollups import carbon_footprint
from passbridge.supplychain.services import SupplyChainService

logger = logging.getLogger(__name__)


class RequestAnswerer:
    """Answers the requests addressed to us (see the module's rules)."""

    def __init__(self, api: OuranosApi, supplychain: SupplyChainService) -> None:
        self._api, self._supplychain = api, supplychain

    def answer_all(self, session: PlatformParts, catalog: Catalog, progress: SyncLog) -> None:
        """Answer every standing request addressed to us (the module's rules); the rest is logged as left open.

        Raises:
            Unauthenticated / Forbidden / CounterpartyError: from the platform, ending the sync.
        """
        received = self._api.received_requests()
        ids = sorted({str(field(field(r, "tradeModel"), "downstreamOperatorId")) for r in received})
        operators = {text(op, "operatorId"): op for op in self._api.operators(ids)} if ids else {}
        for request in received:
            model, status = obj(field(request, "tradeModel")), obj(field(request, "statusModel"))
            if request_status(status).get("cfpResponseStatus") not in STANDING:
                continue
            trade_id = text(model, "tradeId")
            try:
                self._answer(session, catalog, request, operators, progress)
            except RECOVERABLE as error:
                progress.left_open.append(f"request {trade_id}: {error}")

    def _answer(
        self,
        session: PlatformParts,
        catalog: Catalog,
        request: JsonObject,
        operators: dict[str | None, JsonObject],
        progress: SyncLog,
    ) -> None:
        model = obj(field(request, "tradeModel"))
        trade_id, downstream = str(field(model, "tradeId")), str(field(model, "downstreamOperatorId"))
        requester = operators.get(downstream)
        partner = partner_of(catalog, requester) if requester is not None else None
        if partner is None:
            who = text(requester, "openOperatorId") or downstream
            progress.left_open.append(f"request {trade_id}: operator {who} is not in our supply chain")
            return
        part_id = self._part_for(session, catalog, partner, request, progress)
        if part_id is None:
            return
        name = catalog.parts[part_id].part.parts_name
        try:
            self._supplychain.rollup(part_id)  # records what we answer from (once per change)
        except MissingFigures as missing:
            if missing.what == "CFP":
                raise
            # Ouranos carries no material data, so a part above an Ouranos answer has no material roll-up; the
            # CFP, which is all the platform takes, is still complete
            logger.info("answering %s from its CFP roll-up only: %s", part_id, missing)
        footprint = carbon_footprint(catalog.graph(), part_id)  # MissingFigures (CFP) leaves the request open
        ours = session.ensure(catalog, part_id)
        changed = False
        linked = text(model, "upstreamTraceId")
        if linked is None:
            self._api.respond(trade_id, ours)
            changed = True
        elif linked != ours:
            progress.left_open.append(f"request {trade_id}: linked to another part than {name}")
            return
        stored = [r for r in self._api.cfp([ours]) if field(r, "cfpType") in OWN_TYPES]
        wanted = cfp_records(ours, text(stored[0], "cfpId") if stored else None, footprint)
        if not same_cfp(stored, wanted):
            self._api.put_cfp(wanted)
            changed = True
        dqr = AclItem.TOTALDQR in catalog.acl[(partner, part_id)].released
        changed = self._grant(session, ours, downstream, dqr, progress) or changed
        if changed:
            progress.answered.append(f"{name} → {partner} (request {trade_id})")

    def _part_for(
        self, session: PlatformParts, catalog: Catalog, partner: str, request: JsonObject, progress: SyncLog
    ) -> uuid.UUID | None:
        """Our part that answers `request` from `partner` (the module's answer rule), or None (reported)."""
        trade_id = text(field(request, "tradeModel"), "tradeId")
        asked = field(request, "partsModel")
        candidates = sorted(
            (
                trace_id
                for (grantee, trace_id), entry in catalog.acl.items()
                if grantee == partner
                and AclItem.TOTALCFP in entry.released
                and trace_id in catalog.parts
                and catalog.parts[trace_id].operator_id == session.us
            ),
            key=str,
        )
        hints = {text(asked, "partsName"), text(asked, "supportPartsName")} - {None}
        if not candidates:
            progress.left_open.append(f"request {trade_id}: no part of ours is released (TOTALCFP) to {partner}")
            return None
        if len(candidates) > 1:
            named = [c for c in candidates if catalog.parts[c].part.parts_name in hints]
            if len(named) != 1:
                progress.left_open.append(
                    f"request {trade_id}: several parts of ours are released (TOTALCFP) to {partner} and "
                    f"{'none' if not named else 'several'} is named {' or '.join(sorted(map(str, hints)))!s}"
                )
                return None
            candidates = named
        part = catalog.parts[candidates[0]].part
        wanted_unit = text(asked, "amountRequiredUnit")
        ours = ouranos_unit(part.declared_unit, f"parts[{part.trace_id}].declaredUnit")
        if wanted_unit is not None and wanted_unit != ours:
            progress.left_open.append(f"request {trade_id}: asked per {wanted_unit}, {part.parts_name} is per {ours}")
            return None
        return candidates[0]

    def _grant(self, session: PlatformParts, ours: str, downstream: str, dqr: bool, progress: SyncLog) -> bool:
        """Grant ``TOTALCFP`` (and ``TOTALDQR`` if `dqr`) of our part to `downstream`; True if it changed."""
        wanted = {"TOTALCFP": True, "TOTALDQR": dqr}
        for grant in self._api.cfp_acl(ours) or []:
            if field(grant, "releasedToOperatorId") == downstream:
                items = field(grant, "acl")
                listed = items if isinstance(items, list) else []
                held = {str(field(i, "aclItemGroup")): field(i, "releasedFlag") for i in listed}
                if held == wanted:
                    return False
        body: JsonObject = {
            "operatorId": session.operator_id,
            "releasedToOperatorId": downstream,
            "traceId": ours,
            "acl": [{"aclItemGroup": group, "releasedFlag": flag} for group, flag in wanted.items()],
        }
        if self._api.put_cfp_acl(body):
            return True
        progress.notes.append("the platform has no cfpAcl data target: our answers are visible without a grant")
        return False


__all__ = ["RequestAnswerer"]
