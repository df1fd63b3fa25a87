"""Fill a battery's passport from its roll-up: carbon footprint per stage, recycled content, countries of origin.

Layout: `LIFECYCLE_NAMES`, `PassportFigures` and `passport_figures` (a battery's roll-up → the passport's numbers),
`fill_passport` (a passport document with those numbers in place, marked as computed).

Where the figures go (BatteryPass 6.1.0 and our `x-passbridge` member):

- `sustainability.carbonFootprint`: one entry per stage, kg CO2e per kWh of lifetime energy (Annex XIII 1(c),
  Art. 7(1)), 5 decimals rounded up at the 6th; an entry whose `lifecycle` names the stage is updated (its rulebook,
  declaration and plants are kept), a missing one is added; entries for other life-cycle texts are left alone;
- `materials.active.{cobalt,lithium,nickel,lead}.recycled`: recycled share in percent (Annex XIII 1(e), Art. 8),
  3 decimals, rounded down; an element the battery does not contain keeps its value;
- `x-passbridge.annexXIII.countriesOfOrigin`: for those four metals, percent of the mass by country (Annex XIII 1(d));
- `x-passbridge.computed`: the roll-up's id, its commitment, when it was computed and the fields it filled.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any, Final

from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.supplychain._json_fields import plain
from passbridge.supplychain.elements import REGULATED_ELEMENTS
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.lifetime import LifetimeIntensity
from passbridge.supplychain.quantities import Ratio, exact_product
from passbridge.supplychain.rollups import PartRollup

LIFECYCLE_NAMES: Final[Mapping[Stage, str]] = {
    Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING: "raw material acquisition and pre-processing",
    Stage.MAIN_PRODUCTION: "main product production",
    Stage.DISTRIBUTION: "distribution",
    Stage.END_OF_LIFE_AND_RECYCLING: "end of life and recycling",
}
"""The `lifecycle` text of each stage's carbon-footprint entry (the EU CF stage names)."""

CARBON_FOOTPRINT_UNIT: Final = "kg CO2e / kWh"
EXTENSION: Final = "x-passbridge"
_MILLI: Final = Decimal("0.001")


@dataclass(frozen=True, slots=True)
class PassportFigures:
    """What a roll-up puts into a passport.

    Attributes:
        rollup_id: the recorded roll-up.
        commitment: its commitment.
        computed_at: when it was recorded.
        per_kwh: kg CO2e per kWh of lifetime energy by stage, Ouranos-rounded.
        recycled_percent: recycled share in percent of each regulated metal the battery contains.
        origin_percent: percent of each regulated metal's mass by country.
    """

    rollup_id: uuid.UUID
    commitment: str
    computed_at: datetime
    per_kwh: tuple[tuple[Stage, Decimal], ...]
    recycled_percent: tuple[tuple[str, Decimal], ...]
    origin_percent: tuple[tuple[str, tuple[tuple[str, Decimal], ...]], ...]


def _percent(ratio: Ratio) -> Decimal:
    exact = Ratio(exact_product(ratio.numerator, Decimal(100)), ratio.denominator)
    return Decimal(plain(exact.value.quantize(_MILLI, rounding=ROUND_DOWN)))


def passport_figures(
    rollup: PartRollup, lifetime: LifetimeIntensity, *, rollup_id: uuid.UUID, commitment: str, computed_at: datetime
) -> PassportFigures:
    """The passport's numbers from a battery's roll-up and its lifetime energy.

    Raises:
        OuranosRangeExceeded: if a stage's kg CO2e per kWh is beyond 99999.99999.
    """
    per_kwh = tuple((s.stage, s.per_kwh.ouranos(f"carbonFootprint.{s.stage.value}")) for s in lifetime.stages)
    recycled: list[tuple[str, Decimal]] = []
    origin: list[tuple[str, tuple[tuple[str, Decimal], ...]]] = []
    for name in REGULATED_ELEMENTS:
        element = rollup.materials.element(name)
        share = element.recycled_share
        if share is not None:
            recycled.append((name, _percent(share)))
        countries = tuple((s.country, _percent(s.share)) for s in element.origin_shares)
        if countries:
            origin.append((name, countries))
    return PassportFigures(rollup_id, commitment, computed_at, per_kwh, tuple(recycled), tuple(origin))


def _lifecycle_key(text: object) -> str:
    return " ".join(str(text).lower().replace("-", " ").split())


def _fill_footprints(entries: list[Any], per_kwh: tuple[tuple[Stage, Decimal], ...]) -> list[str]:
    filled = []
    for stage, value in per_kwh:
        name = LIFECYCLE_NAMES[stage]
        index = next(
            (i for i, e in enumerate(entries) if _lifecycle_key(e.get("lifecycle")) == _lifecycle_key(name)), None
        )
        if index is None:
            entries.append(
                {
                    "value": value,
                    "unit": CARBON_FOOTPRINT_UNIT,
                    "lifecycle": name,
                    "type": "Climate Change Total",
                    "rulebook": [],
                    "manufacturingPlant": [],
                    "declaration": [],
                }
            )
        else:
            entries[index] = {**entries[index], "value": value, "unit": CARBON_FOOTPRINT_UNIT}
        filled.append(f"sustainability.carbonFootprint[lifecycle={name}]")
    return filled


def fill_passport(content: JsonObject, figures: PassportFigures) -> dict[str, JsonValue]:
    """A copy of a BatteryPass document with the roll-up's figures in place (module docstring); the input is not
    changed. Filling the same figures twice gives an equal document."""
    doc: dict[str, Any] = copy.deepcopy(dict(content))
    sustainability = doc.setdefault("sustainability", {})
    entries = list(sustainability.get("carbonFootprint", []))
    filled = _fill_footprints(entries, figures.per_kwh)
    sustainability["carbonFootprint"] = entries
    active = doc.setdefault("materials", {}).setdefault("active", {})
    for element, percent in figures.recycled_percent:
        if isinstance(active.get(element), dict):
            active[element] = {**active[element], "recycled": percent}
            filled.append(f"materials.active.{element}.recycled")
    extension = doc.setdefault(EXTENSION, {})
    annex = extension.setdefault("annexXIII", {})
    if figures.origin_percent:
        annex["countriesOfOrigin"] = [
            {"material": element, "origin": [{"country": c, "share": p} for c, p in countries]}
            for element, countries in figures.origin_percent
        ]
        filled.append(f"{EXTENSION}.annexXIII.countriesOfOrigin")
    else:
        annex.pop("countriesOfOrigin", None)
    if not annex:
        extension.pop("annexXIII")
    extension["computed"] = {
        "rollupId": str(figures.rollup_id),
        "commitment": figures.commitment,
        "computedAt": figures.computed_at.isoformat(),
        "fields": filled,
    }
    return doc


__all__ = ["CARBON_FOOTPRINT_UNIT", "LIFECYCLE_NAMES", "PassportFigures", "fill_passport", "passport_figures"]
