"""The provider's DSP catalog: which datasets a caller is offered, under which policies, and the catalog cache.

Catalog caching (issue #5: catalog requests are the hot DSP request). With a `ChangeWatch` whose generation is known
(SQLite), the page of passport ids and each caller's PCF dataset ids are remembered per database change generation
(`GenerationCache`): any commit — a new passport, a changed disclosure ACL — starts a new generation, so a listing
is never older than the last commit. `catalog_key` names everything one unfiltered page depends on (generation,
page, and what the access policies are evaluated on: the caller's DID and its verified credential subjects by
accepted type), so a catalog built once can be served again to the same key (`passbridge.api.dsp_fastpath`). The
access policies read no evaluation time (``dateTime``); if one ever did, `catalog_key` would return None.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from passbridge.clock import Clock
from passbridge.dataspace.catalog import (
    Catalog,
    DataService,
    Dataset,
    GenerationCache,
    build_catalog,
    policy_inputs,
    reads_time,
)
from passbridge.dataspace.messages import CatalogRequestMessage
from passbridge.dataspace.node import NodeProfile
from passbridge.dataspace.offers import DEFINITIONS, DTR_ASSET, PcfSource, definitions_for, passport_asset, pcf_asset
from passbridge.dataspace.policies import context_from, evaluate_cx
from passbridge.dataspace.ports import AssetSource
from passbridge.errors import NotFound, ProtocolError
from passbridge.identity.acceptance import VerifiedPresentation
from passbridge.passport.ports import ChangeWatch

_RULE = "DSP 2025-1"
_ID_OPERANDS = ("id", "@id", "https://w3id.org/edc/v0.0.1/ns/id", "edc:id")


def _filter_ids(filters: Sequence[Any] | None) -> list[str] | None:
    """Dataset ids a catalog ``filter`` selects (EDC-style ``{"operandLeft": "…id", "operator": "=",
    "operandRight": id}``, alone or in ``filterExpression``); None without a filter.

    Raises:
        ProtocolError: a filter of another kind (DSP: an unsupported filter is a 400).
    """
    if not filters:
        return None
    ids: list[str] = []
    for position, item in enumerate(filters):
        expressions = item.get("filterExpression", [item]) if isinstance(item, dict) else [item]
        for expression in expressions:
            if (
                isinstance(expression, dict)
                and expression.get("operandLeft") in _ID_OPERANDS
                and expression.get("operator") in ("=", "eq")
                and isinstance(expression.get("operandRight"), str)
            ):
                ids.append(expression["operandRight"])
            else:
                message = "only dataset id filters are supported ({'operandLeft': 'id', 'operator': '=', …})"
                raise ProtocolError.at(f"$.filter[{position}]", message, _RULE + " catalog protocol")
    return ids


ACCESS_POLICIES_READ_TIME = any(reads_time(d.access_policy) for d in DEFINITIONS.values())
"""Whether a catalog could change with the evaluation time alone (then it is never cached)."""


class CatalogService:
    """Catalog pages and single datasets for a verified caller, cached per database change generation."""

    def __init__(
        self, clock: Clock, node: NodeProfile, assets: AssetSource, *, changes: ChangeWatch | None = None
    ) -> None:
        self._clock, self.node, self._assets = clock, node, assets
        self._pcf: PcfSource | None = None
        self._changes = changes
        self._listings = GenerationCache()
        self._caches: bool | None = None
        self._inputs: dict[int, tuple[VerifiedPresentation, Hashable]] = {}

    def offer_pcf(self, source: PcfSource) -> None:
        """Offer the carbon-footprint answers of `source` as datasets (see the module docstring)."""
        self._pcf = source

    def pcf_for(self, caller: VerifiedPresentation, dataset_id: str) -> bool:
        return self._pcf is not None and self._pcf.answerable(dataset_id, caller.holder)

    def _generation(self) -> int | None:
        return self._changes.generation() if self._changes is not None else None

    def _listed(self, key: Hashable, generation: int | None, read: Callable[[], Sequence[str]]) -> list[str]:
        if generation is not None:
            known = self._listings.get(key, generation)
            if known is not None:
                return list(known)
        ids = list(read())
        if generation is not None:
            self._listings.put(key, tuple(ids), generation)
        return ids

    @property
    def caches_catalogs(self) -> bool:
        """Whether `catalog_key` can name catalogs (the database tells its change generation)."""
        if self._caches is None:  # a backend either tells generations or never does
            self._caches = not ACCESS_POLICIES_READ_TIME and self._generation() is not None
        return self._caches

    def catalog_key(self, caller: VerifiedPresentation, *, after: str | None = None, limit: int = 100) -> Hashable:
        """A key that changes whenever the unfiltered catalog page `catalog` builds for `caller` could differ (see
        the module docstring), or None when that cannot be told cheaply (PostgreSQL: no change generation)."""
        generation = self._generation()
        if generation is None or ACCESS_POLICIES_READ_TIME:
            return None
        known = self._inputs.get(id(caller))
        if known is None or known[0] is not caller:  # the caller cache hands out one object per caller and minute
            known = (caller, policy_inputs(caller))
            if len(self._inputs) >= 1_000:
                self._inputs.clear()
            self._inputs[id(caller)] = known
        return generation, after, limit, known[1]

    def catalog(
        self,
        caller: VerifiedPresentation,
        message: CatalogRequestMessage,
        *,
        after: str | None = None,
        limit: int = 100,
        offer_uuid: str | None = None,
    ) -> tuple[Catalog, str | None]:
        """The catalog `caller` may see (one page of passports after `after`, the registry on the first page),
        and the last dataset id of the page when there are more.

        `offer_uuid`, when given, is the catalog id's and every offer id's uuid part (offer ids stay distinct: each
        names its contract definition and dataset); otherwise each gets a fresh one.

        Raises:
            ProtocolError: an unsupported filter.
        """
        wanted = _filter_ids(message.filter)
        if wanted is not None:
            ids = [i for i in wanted if i != DTR_ASSET.id and self._assets.exists(i)]
            assets = [DTR_ASSET] if DTR_ASSET.id in wanted else []
            pcfs = [pcf_asset(i) for i in wanted if i not in ids and self.pcf_for(caller, i)]
            return self._catalog(caller, [*assets, *(passport_asset(i) for i in ids), *pcfs], offer_uuid), None
        generation = self._generation()
        page = self._listed(("page", after, limit), generation, lambda: self._assets.dataset_ids(after, limit + 1))
        more = page[limit - 1] if len(page) > limit else None
        first: list[Any] = [DTR_ASSET] if after is None else []
        pcf = self._pcf
        if after is None and pcf is not None:
            pcf_ids = self._listed(("pcf", caller.holder), generation, lambda: pcf.dataset_ids(caller.holder))
            first += [pcf_asset(i) for i in pcf_ids]
        return self._catalog(caller, [*first, *(passport_asset(i) for i in page[:limit])], offer_uuid), more

    def _catalog(self, caller: VerifiedPresentation, assets: Sequence[Any], offer_uuid: str | None = None) -> Catalog:
        service = DataService(f"{self.node.did}#dsp", self.node.dsp_base)
        return build_catalog(
            assets,
            definitions_for,
            participant_id=self.node.did,
            catalog_id=f"urn:passbridge:catalog:{offer_uuid or uuid.uuid4()}",
            service=service,
            context=context_from(caller, now=self._clock.now()),
            evaluate=evaluate_cx,
            new_uuid=(lambda: offer_uuid) if offer_uuid is not None else (lambda: str(uuid.uuid4())),
        )

    def dataset(self, caller: VerifiedPresentation, dataset_id: str) -> Dataset:
        """One dataset with the offers `caller` may see.

        Raises:
            NotFound: no such dataset, or none of its offers is for this caller.
        """
        known = dataset_id == DTR_ASSET.id or self._assets.exists(dataset_id)
        asset = DTR_ASSET if dataset_id == DTR_ASSET.id else passport_asset(dataset_id)
        if not known and self.pcf_for(caller, dataset_id):
            known, asset = True, pcf_asset(dataset_id)
        found = self._catalog(caller, [asset]).dataset(dataset_id) if known else None
        if found is None:
            raise NotFound(f"dataset {dataset_id!r} is not offered to this participant")
        return found


__all__ = ["ACCESS_POLICIES_READ_TIME", "CatalogService"]
