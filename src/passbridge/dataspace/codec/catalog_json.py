"""DCAT catalogs, datasets, distributions and data services in the DSP 2025-1 form ⇄ `passbridge.dataspace.catalog`.

`catalog_from_json` / `dataset_from_json` read objects that passed their schema
(`passbridge.dataspace.codec.dsp_2025_1.decode` checks them first); the ``*_to_json`` functions write them without
``@context`` (the message codec adds it to the root). Members the model does not name (``dct:type``,
``cx-common:version``, EDC's ``endpointDescription``) are kept verbatim in ``extra``; ``@type`` is always written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passbridge.dataspace.catalog import Catalog, DataService, Dataset, Distribution
from passbridge.dataspace.codec.policy_json import policy_from_json, policy_to_json

_J = Mapping[str, Any]


def _extra(obj: _J, known: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if key not in known}


_SERVICE = frozenset({"@id", "@type", "endpointURL"})
_DISTRIBUTION = frozenset({"@type", "format", "accessService", "hasPolicy"})
_DATASET = frozenset({"@context", "@id", "@type", "hasPolicy", "distribution"})
_CATALOG = frozenset({"@context", "@id", "@type", "participantId", "dataset", "catalog", "service", "distribution"})


def _service_from(obj: _J) -> DataService:
    return DataService(obj["@id"], obj["endpointURL"], _extra(obj, _SERVICE))


def _distribution_from(obj: _J) -> Distribution:
    access = obj["accessService"]
    return Distribution(
        obj["format"],
        access if isinstance(access, str) else _service_from(access),
        tuple(policy_from_json(p) for p in obj.get("hasPolicy", ())),
        _extra(obj, _DISTRIBUTION),
    )


def dataset_from_json(obj: _J) -> Dataset:
    """The model of a dataset object that passed its schema."""
    return Dataset(
        obj["@id"],
        tuple(policy_from_json(p) for p in obj["hasPolicy"]),
        tuple(_distribution_from(d) for d in obj["distribution"]),
        _extra(obj, _DATASET),
    )


def catalog_from_json(obj: _J) -> Catalog:
    """The model of a catalog object (nested catalogs included) that passed its schema."""
    return Catalog(
        obj["@id"],
        obj.get("participantId"),
        tuple(dataset_from_json(d) for d in obj.get("dataset", ())),
        tuple(catalog_from_json(c) for c in obj.get("catalog", ())),
        tuple(_service_from(s) for s in obj.get("service", ())),
        tuple(_distribution_from(d) for d in obj.get("distribution", ())),
        _extra(obj, _CATALOG),
    )


def _service_to(s: DataService) -> dict[str, Any]:
    return {"@id": s.id, "@type": "DataService", "endpointURL": s.endpoint_url, **s.extra}


def _distribution_to(d: Distribution) -> dict[str, Any]:
    access = d.access_service if isinstance(d.access_service, str) else _service_to(d.access_service)
    out: dict[str, Any] = {"@type": "Distribution", "format": d.format, "accessService": access}
    if d.offers:
        out["hasPolicy"] = [policy_to_json(p) for p in d.offers]
    return {**out, **d.extra}


def dataset_to_json(d: Dataset) -> dict[str, Any]:
    """The 2025-1 JSON of a dataset (without ``@context``)."""
    return {
        "@id": d.id,
        "@type": "Dataset",
        "hasPolicy": [policy_to_json(p) for p in d.offers],
        "distribution": [_distribution_to(x) for x in d.distributions],
        **d.extra,
    }


def catalog_to_json(c: Catalog) -> dict[str, Any]:
    """The 2025-1 JSON of a catalog (without ``@context``); empty member lists are left out."""
    out: dict[str, Any] = {"@id": c.id, "@type": "Catalog"}
    if c.participant_id is not None:
        out["participantId"] = c.participant_id
    for name, items in (
        ("dataset", [dataset_to_json(d) for d in c.datasets]),
        ("catalog", [catalog_to_json(x) for x in c.catalogs]),
        ("service", [_service_to(s) for s in c.services]),
        ("distribution", [_distribution_to(d) for d in c.distributions]),
    ):
        if items:
            out[name] = items
    return {**out, **c.extra}


__all__ = ["catalog_from_json", "catalog_to_json", "dataset_from_json", "dataset_to_json"]
