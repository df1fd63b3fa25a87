"""`SupplyChainPcf`: our parts' carbon-footprint answers as DSP datasets (`dataspace.offers.PcfSource`), rendered by
`passbridge.ecosystems.catenax.pcf`."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from passbridge.dataspace.offers import pcf_trace_id
from passbridge.dataspace.ports import RenderedAsset
from passbridge.ecosystems.catenax.pcf import PCF_9_0_0, PcfContext, render
from passbridge.errors import Forbidden
from passbridge.jsoncodec import dumps_exact
from passbridge.supplychain.answer_json import decode_answer
from passbridge.supplychain.catalog import Catalog
from passbridge.supplychain.disclosure import AclItem
from passbridge.supplychain.model import Part
from passbridge.supplychain.ports import SupplyChainUnitOfWorkFactory
from passbridge.supplychain.services import SupplyChainService


class SupplyChainPcf:
    """Our parts' carbon-footprint answers as DSP datasets (`dataspace.offers.PcfSource`).

    Partner mapping: the DSP caller is known by its DCP-verified DID; the ACL partner is the operator of our
    supply-chain data whose ``did`` is that DID (no operator with it: nothing is released). A dataset
    (``urn:uuid:<traceId>``) is listed for a partner whose ACL entry releases ``TOTALCFP``; its payload is
    `SupplyChainService.answer_for` (the customer answer, nothing more) mapped to Catena-X.
    """

    def __init__(
        self,
        supplychain: SupplyChainService,
        uow: SupplyChainUnitOfWorkFactory,
        context_for: Callable[[Part], PcfContext],
    ) -> None:
        self._supplychain, self._uow, self._context_for = supplychain, uow, context_for

    def _catalog(self) -> Catalog:
        with self._uow(write=False) as uow:
            return uow.supplychain.load()

    @staticmethod
    def _partner(catalog: Catalog, did: str) -> str | None:
        return next((op_id for op_id, op in catalog.operators.items() if op.did == did), None)

    def _released(self, catalog: Catalog, dataset_id: str, did: str) -> tuple[str, uuid.UUID] | None:
        partner, trace_id = self._partner(catalog, did), pcf_trace_id(dataset_id)
        if partner is None or trace_id is None or trace_id not in catalog.parts:
            return None
        entry = catalog.acl.get((partner, trace_id))
        return (partner, trace_id) if entry is not None and AclItem.TOTALCFP in entry.released else None

    def dataset_ids(self, partner: str) -> list[str]:
        """``urn:uuid:<traceId>`` of each part whose footprint the ACL releases to the operator with DID `partner`."""
        catalog = self._catalog()
        operator = self._partner(catalog, partner)
        return sorted(
            f"urn:uuid:{entry.trace_id}"
            for entry in catalog.acl.values()
            if entry.partner_id == operator and AclItem.TOTALCFP in entry.released and entry.trace_id in catalog.parts
        )

    def answerable(self, dataset_id: str, partner: str) -> bool:
        """Whether the ACL releases this part's footprint to the operator with DID `partner`."""
        return self._released(self._catalog(), dataset_id, partner) is not None

    def render(self, dataset_id: str, partner: str, fmt: str | None) -> RenderedAsset:
        """The Catena-X payload (``pcf-9.0.0`` by default) of the answer the partner would get.

        Raises:
            Forbidden: the ACL does not (or no longer) release the footprint to `partner`.
            InvalidInput: an unknown format or an answer Catena-X cannot express (e.g. its unit).
            MissingFigures: the part cannot be rolled up yet.
        """
        catalog = self._catalog()
        released = self._released(catalog, dataset_id, partner)
        if released is None:
            raise Forbidden(f"the carbon footprint of {dataset_id} is not released to {partner}")
        operator, trace_id = released
        answer = decode_answer(self._supplychain.answer_for(trace_id, operator))
        payload = render(answer, self._context_for(catalog.parts[trace_id].part), fmt or PCF_9_0_0)
        return RenderedAsset(dumps_exact(payload), "application/json")


__all__ = ["SupplyChainPcf"]
