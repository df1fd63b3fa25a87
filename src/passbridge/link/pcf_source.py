"""A consenting Ouranos operator's CFP answers as Catena-X PCF datasets (`dataspace.offers.PcfSource`), served by
its presence on the platform.

Who may have what is decided on the Ouranos side: the caller's DCP-verified DID must be a Catena-X participant the
link presents as an operator (`records.Participant`), and the operator's CFP ACL (`ouranos.acl`) must release
``TOTALCFP`` of the part to that operator; ``TOTALDQR`` decides whether the DQR goes with it. The payload is the
platform's answer for the part (`ouranos.cfp.answer`: the operator's total per declared unit for each stage,
never a partial figure), mapped by `cfp_mapping`; the part's structure, its suppliers and any quantity stay on
the platform (the answer type has no field for them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from passbridge.clock import Clock
from passbridge.dataspace.offers import pcf_trace_id
from passbridge.dataspace.ports import RenderedAsset
from passbridge.ecosystems.catenax.pcf import BATTERY_COMPONENT_1_0_0, PcfContext, render
from passbridge.errors import Forbidden
from passbridge.jsoncodec import dumps_exact
from passbridge.jsontypes import JsonObject
from passbridge.link import records
from passbridge.link.cfp_mapping import TOTALCFP, supplier_answer
from passbridge.ouranos import fields as f
from passbridge.ouranos.acl import released_groups
from passbridge.ouranos.cfp import answer
from passbridge.ouranos.model import Kind, Record
from passbridge.ouranos.ports import OuranosRepository, UnitOfWorkFactory


def default_context(consent: records.Consent, operator: JsonObject, part: JsonObject, now: datetime) -> PcfContext:
    """The PCF declarations of an Ouranos answer: the operator's BPNL (and BPNS, else a site BPN derived from it),
    its name, the region it consented with, valid for a year from now for the previous calendar year."""
    site = consent.bpns or f"BPNS{consent.bpnl[4:]}"
    year = now.year - 1
    return PcfContext(
        manufacturer_part_id=str(part["partsName"]),
        customer_part_id=str(part["partsName"]),
        legal_identifier=consent.bpnl,
        site_identifier=site,
        created=now,
        valid_from=now,
        valid_to=now + timedelta(days=365),
        company_name=str(operator.get("operatorName") or consent.bpnl),
        reference_period_start=datetime(year, 1, 1, tzinfo=UTC),
        reference_period_end=datetime(year, 12, 31, 23, 59, 59, tzinfo=UTC),
        geography_region=consent.region,
        exempted_emissions_percent=Decimal(0),
        ccs_included=False,
    )


class OuranosPcfSource:
    """The CFP answers of operator `operator_id` as PCF datasets for Catena-X participants."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        operator_id: str,
        context_for: Callable[[records.Consent, JsonObject, JsonObject, datetime], PcfContext] = default_context,
    ) -> None:
        self._uow, self._clock, self._operator, self._context_for = uow, clock, operator_id, context_for

    def _participant(self, repo: OuranosRepository, did: str) -> str | None:
        """The operator id presenting the Catena-X participant `did`, if our operator still consents."""
        if records.consent_of(repo, self._operator) is None:
            return None
        participant = records.participant_by_did(repo, did)
        return participant.operator_id if participant is not None else None

    def _released(
        self, repo: OuranosRepository, trace_id: str, did: str
    ) -> tuple[frozenset[str], Record, Record] | None:
        """(the groups released, the part, its CFP) if `trace_id` is our part with a CFP whose TOTALCFP the ACL
        releases to the participant `did`."""
        participant = self._participant(repo, did)
        part = repo.get(Kind.PARTS, trace_id)
        if participant is None or part is None or part.operator_id != self._operator:
            return None
        cfp = repo.find(Kind.CFP, ref=trace_id, limit=1)
        groups = released_groups(repo, self._operator, participant, trace_id)
        return (groups, part, cfp[0]) if cfp and TOTALCFP in groups else None

    def dataset_ids(self, partner: str) -> list[str]:
        """``urn:uuid:<traceId>`` of each of the operator's parts whose CFP the ACL releases to `partner`."""
        with self._uow(write=False) as uow:
            repo = uow.ouranos
            participant = self._participant(repo, partner)
            if participant is None:
                return []
            parts = [p.record_id for p in repo.find(Kind.PARTS, operator_id=self._operator)]
            with_cfp = repo.find_refs(Kind.CFP, parts)
            return sorted(
                f"urn:uuid:{trace_id}"
                for trace_id in with_cfp
                if TOTALCFP in released_groups(repo, self._operator, participant, trace_id)
            )

    def answerable(self, dataset_id: str, partner: str) -> bool:
        """Whether the ACL releases this part's CFP to `partner`."""
        trace_id = pcf_trace_id(dataset_id)
        if trace_id is None:
            return False
        with self._uow(write=False) as uow:
            return self._released(uow.ouranos, str(trace_id), partner) is not None

    def render(self, dataset_id: str, partner: str, fmt: str | None) -> RenderedAsset:
        """The Catena-X PCF (``battery-component-1.0.0`` by default: Ouranos is a battery-component exchange).

        Raises:
            Forbidden: not (or no longer) released to `partner`. InvalidInput: a unit with no counterpart, a
                withheld DQR where the format requires one, an unknown format.
        """
        parsed = pcf_trace_id(dataset_id)
        trace_id = str(parsed) if parsed is not None else ""
        with self._uow(write=False) as uow:
            repo = uow.ouranos
            released = self._released(repo, trace_id, partner) if parsed is not None else None
            if released is None:
                raise Forbidden(f"the carbon footprint of {dataset_id} is not released to {partner}")
            groups, part, cfp = released
            consent = records.consent_of(repo, self._operator)
            operator = repo.get(Kind.OPERATOR, self._operator)
        assert consent is not None and operator is not None
        upstream = [f.obj(r, "$") for r in cfp.doc] if isinstance(cfp.doc, list) else []
        response = [f.obj(r, "$") for r in answer(upstream, trace_id)]
        mapped = supplier_answer(response, trace_id, groups)
        context = self._context_for(consent, f.obj(operator.doc, "$"), f.obj(part.doc, "$"), self._clock.now())
        payload = render(mapped, context, fmt or BATTERY_COMPONENT_1_0_0)
        return RenderedAsset(dumps_exact(payload), "application/json")


__all__ = ["OuranosPcfSource", "default_context"]
