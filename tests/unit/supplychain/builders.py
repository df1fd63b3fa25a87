"""Object mothers for the supply-chain tests: operators, parts and figures with keyword overrides."""

from __future__ import annotations

import uuid
from decimal import Decimal

from passbridge.supplychain.footprints import Dqr, ElementContent, MaterialContent, OwnFootprint, Stage
from passbridge.supplychain.model import BomLine, Operator, Part
from passbridge.supplychain.quantities import Unit
from passbridge.supplychain.trades import Trade

D = Decimal
RAW = Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING
MAIN = Stage.MAIN_PRODUCTION
DIST = Stage.DISTRIBUTION
EOL = Stage.END_OF_LIFE_AND_RECYCLING


def an_operator(
    name: str = "Kansai Cathode Materials K.K.",
    *,
    country: str = "JP",
    open_operator_id: str | None = "1180301018771",
    bpnl: str | None = None,
    did: str | None = None,
) -> Operator:
    return Operator(name, country, open_operator_id, bpnl, did)


def a_part(
    operator: Operator,
    name: str,
    unit: Unit = Unit.KILOGRAM,
    *,
    terminated: bool = False,
    trace_id: uuid.UUID | None = None,
) -> Part:
    return Part(trace_id or uuid.uuid4(), operator, name, unit, terminated)


def a_line(parent: Part, child: Part, amount: str, unit: Unit | None = None) -> BomLine:
    return BomLine(parent.trace_id, child.trace_id, D(amount), unit or child.declared_unit)


def dqr(ter: str, ger: str, tir: str) -> Dqr:
    return Dqr(D(ter), D(ger), D(tir))


def own(part: Part, **stages: tuple[str, Dqr]) -> OwnFootprint:
    """`own(part, raw=("4.0", dqr(...)), main=...)` with stage keys raw/main/dist/eol."""
    keys = {"raw": RAW, "main": MAIN, "dist": DIST, "eol": EOL}
    return OwnFootprint.of(part.trace_id, part.declared_unit, {keys[k]: (D(e), q) for k, (e, q) in stages.items()})


def content(part: Part, *elements: ElementContent) -> MaterialContent:
    return MaterialContent(part.trace_id, part.declared_unit, elements)


def element(
    name: str, mass: str, *, pre: str = "0", post: str = "0", origin: dict[str, str] | None = None
) -> ElementContent:
    masses = {country: D(kg) for country, kg in (origin or {}).items()}
    return ElementContent.of(name, D(mass), pre_consumer=D(pre), post_consumer=D(post), origin=masses)


def a_trade(buyer_part: Part, supplier: Operator) -> Trade:
    return Trade(uuid.uuid4(), buyer_part.operator, buyer_part.trace_id, supplier)


__all__ = ["a_line", "a_part", "a_trade", "an_operator", "content", "dqr", "element", "own"]
