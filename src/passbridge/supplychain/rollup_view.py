"""A part's roll-up as the owner sees it (``GET /api/v1/supplychain/parts/{traceId}/rollup``), decimals as strings.

Layout: `overall_dqr` (the stages' DQR weighted by their emissions), `ouranos_text` / `share_text` (how quotients are
written) and `rollup_document`.

```
{"traceId", "declaredUnit",
 "cfp": {"unit": "kgCO2e/<declared unit>", "stages": {"<stage>": …}, "total",
         "dqr": {"TeR", "GeR", "TiR"} | null, "perKWhLifetime": … | null},
 "materials": {"<element>": {"massKg", "recycledMassKg", "recycledShare", "origin": {"<ISO country>": share}}},
 "upstream": {"tradesCount", "completedCount"},
 "commitment"}
```

How numbers are written: sums and products are exact (``"1030"``, ``"3.6"``), as computed. Quotients cannot be:
the DQR and the CFP per kWh follow the Ouranos rule (5 decimals, rounded up at the 6th: 2905/36000 = 0.0806944… →
``"0.08070"``); shares are cut after 5 decimals (rounded down), so a share never exceeds its exact value and the
shares of one element never add up to more than 1.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Final

from passbridge.jsontypes import JsonValue
from passbridge.supplychain._json_fields import plain
from passbridge.supplychain.lifetime import LifetimeIntensity
from passbridge.supplychain.quantities import Ratio, exact_sum
from passbridge.supplychain.rollups import DqrResult, FootprintRollup, PartRollup

_FIVE: Final = Decimal("0.00001")


def overall_dqr(footprint: FootprintRollup) -> DqrResult | None:
    """TeR, GeR, TiR over all stages, each stage weighted by its emissions (ouranos.md §8: the emission-weighted
    average of the stages); None if there are no emissions or some lack a DQR (withheld)."""
    total = footprint.total
    weights = [stage.weighted_dqr for stage in footprint.stages]
    if total == 0 or any(w is None for w in weights):
        return None
    known = [w for w in weights if w is not None]
    return DqrResult(
        Ratio(exact_sum(w.ter for w in known), total),
        Ratio(exact_sum(w.ger for w in known), total),
        Ratio(exact_sum(w.tir for w in known), total),
    )


def ouranos_text(ratio: Ratio, path: str) -> str:
    """A quotient with 5 decimals, rounded up at the 6th (Ouranos openapi #15)."""
    return format(ratio.ouranos(path), "f")


def share_text(ratio: Ratio | None) -> str | None:
    """A share with 5 decimals, cut (rounded down) after the 5th; None stays None."""
    if ratio is None:
        return None
    return format(ratio.value.quantize(_FIVE, rounding=ROUND_DOWN), "f")


def rollup_document(rollup: PartRollup, lifetime: LifetimeIntensity | None, commitment: str) -> dict[str, JsonValue]:
    """The roll-up of one part in the served shape (module docstring).

    Raises:
        OuranosRangeExceeded: if a DQR or the CFP per kWh is beyond ±99999.99999.
    """
    footprint = rollup.footprint
    dqr = overall_dqr(footprint)
    cfp: dict[str, JsonValue] = {
        "unit": f"kgCO2e/{rollup.declared_unit.value}",
        "stages": {stage.stage.value: plain(stage.total) for stage in footprint.stages},
        "total": plain(footprint.total),
        "dqr": None
        if dqr is None
        else {
            "TeR": ouranos_text(dqr.ter, "cfp.dqr.TeR"),
            "GeR": ouranos_text(dqr.ger, "cfp.dqr.GeR"),
            "TiR": ouranos_text(dqr.tir, "cfp.dqr.TiR"),
        },
        "perKWhLifetime": None if lifetime is None else ouranos_text(lifetime.total, "cfp.perKWhLifetime"),
    }
    materials: dict[str, JsonValue] = {
        element.element: {
            "massKg": plain(element.total.mass),
            "recycledMassKg": plain(element.total.recycled),
            "recycledShare": share_text(element.recycled_share),
            "origin": {share.country: share_text(share.share) for share in element.origin_shares},
        }
        for element in rollup.materials.elements
    }
    return {
        "traceId": str(rollup.trace_id),
        "declaredUnit": rollup.declared_unit.value,
        "cfp": cfp,
        "materials": materials,
        "upstream": {
            "tradesCount": rollup.upstream.trades_count,
            "completedCount": rollup.upstream.completed_count,
        },
        "commitment": commitment,
    }


__all__ = ["ouranos_text", "overall_dqr", "rollup_document", "share_text"]
