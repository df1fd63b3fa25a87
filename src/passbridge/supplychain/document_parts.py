"""Builders of the members of a supply-chain import document (`supplychain.document`), for code that writes such
documents itself — the demo's scenario, tests — rather than reading them from a file. Plain JSON values; the
import validates them like any other document."""

from __future__ import annotations

from typing import Any, Final

STAGE_NAMES: Final = {
    "raw": "rawMaterialAcquisitionAndPreProcessing",
    "main": "mainProduction",
    "dist": "distribution",
    "eol": "endOfLifeAndRecycling",
}
"""Short names of the life-cycle stages accepted by `own`."""


def dqr(ter: str, ger: str, tir: str) -> dict[str, str]:
    """A ``dqr`` member (TeR, GeR, TiR)."""
    return {"TeR": ter, "GeR": ger, "TiR": tir}


def part(trace_id: str, operator: str, name: str, unit: str, terminated: bool = False) -> dict[str, Any]:
    """A ``parts`` item."""
    return {
        "traceId": trace_id,
        "operator": operator,
        "partsName": name,
        "declaredUnit": unit,
        "terminated": terminated,
    }


def bom_line(parent: str, child: str, amount: str, unit: str) -> dict[str, str]:
    """A ``bomLines`` item: `amount` of `child` per declared unit of `parent`."""
    return {"parentTraceId": parent, "traceId": child, "amountRequired": amount, "amountRequiredUnit": unit}


def own(trace_id: str, unit: str, **stages: tuple[str, dict[str, str]]) -> dict[str, Any]:
    """A ``footprints`` item: own emissions per stage, e.g. ``own(t, "kilogram", raw=("0.4", dqr("2", "1", "1")))``
    (stage keys: ``raw``, ``main``, ``dist``, ``eol``)."""
    return {
        "traceId": trace_id,
        "declaredUnit": unit,
        "stages": {STAGE_NAMES[k]: {"ghgEmission": e, "dqr": q} for k, (e, q) in stages.items()},
    }


__all__ = ["STAGE_NAMES", "bom_line", "dqr", "own", "part"]
