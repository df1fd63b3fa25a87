"""Who makes what from what: operators, sites, parts and bill-of-materials lines (Ouranos §3.1 vocabulary).

Layout: `Operator` (a company and its identifiers: Japanese corporate number as `openOperatorId`, Catena-X BPNL,
DID), `Site` (a plant: BPNS or `openPlantId`), `Part` (an operator's product type with its `traceId`, `partsName`,
declared unit and `terminatedFlag`), `BomLine` (parent → child with `amountRequired` per parent unit), and
`is_valid_corporate_number` (the check digit of a 法人番号).

Figures (footprints, material content) live in `footprints.py`; the link to suppliers in `trades.py`. Bill-of-
materials lines join parts of one operator only; parts of two operators meet only through a trade (Ouranos §3.1
PartsStructureModel: "children are the requester's view of purchased items").
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from passbridge.errors import InvalidInput
from passbridge.supplychain._checks import country_field, decimal_field, text_field, uuid_field
from passbridge.supplychain.quantities import Unit, parse_unit

_CORPORATE_NUMBER: Final = re.compile(r"^[0-9]{13}$")
_BPNL: Final = re.compile(r"^BPNL[a-zA-Z0-9]{12}$")
_BPNS: Final = re.compile(r"^BPNS[a-zA-Z0-9]{12}$")
_DID: Final = re.compile(r"^did:[a-z0-9]+:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2}|:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})$")
_OPEN_PLANT_ID: Final = re.compile(r"^[!-~]{0,20}[0-9]{6}$")


def is_valid_corporate_number(number: str) -> bool:
    """True if `number` is 13 digits whose first digit is the 法人番号 check digit.

    Check digit = 9 - (Σ Pₙ·Qₙ mod 9) over the 12 base digits, Pₙ the n-th digit from the right and Qₙ 1 for odd
    n, 2 for even n (法人番号の指定等に関する省令 第2条). Not enforced by `Operator`: Ouranos' own examples use numbers
    such as 9876543210987 that fail it; importers that want it can call this.
    """
    if not _CORPORATE_NUMBER.match(number):
        return False
    base = number[1:][::-1]
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(base, start=1))
    return int(number[0]) == 9 - total % 9


@dataclass(frozen=True, slots=True)
class Operator:
    """An economic operator (事業者). At least one identifier is required.

    Attributes:
        name: `operatorName`.
        country: ISO 3166-1 alpha-2 code of its seat.
        open_operator_id: Ouranos `openOperatorId`, the 13-digit Japanese corporate number (法人番号).
        bpnl: Catena-X business partner number of the legal entity (``BPNL`` + 12 characters).
        did: a decentralised identifier (``did:web:…``), W3C DID Core §3.1 syntax.
    """

    name: str
    country: str
    open_operator_id: str | None = None
    bpnl: str | None = None
    did: str | None = None

    def __post_init__(self) -> None:
        text_field(self.name, "operatorName", max_length=256)
        country_field(self.country, "country")
        if self.open_operator_id is None and self.bpnl is None and self.did is None:
            raise InvalidInput.at("openOperatorId", "an operator needs an openOperatorId, a BPNL or a DID")
        if self.open_operator_id is not None and not _CORPORATE_NUMBER.match(self.open_operator_id):
            raise InvalidInput.at(
                "openOperatorId",
                f"must be a 13-digit Japanese corporate number, got {self.open_operator_id!r}",
                "Ouranos OperatorModel.openOperatorId (法人番号)",
            )
        if self.bpnl is not None and not _BPNL.match(self.bpnl):
            raise InvalidInput.at("bpnl", f"must match ^BPNL[a-zA-Z0-9]{{12}}$, got {self.bpnl!r}", "Catena-X BPN")
        if self.did is not None and not _DID.match(self.did):
            raise InvalidInput.at("did", f"must be a DID (did:<method>:<id>), got {self.did!r}", "W3C DID Core §3.1")

    @property
    def key(self) -> str:
        """The strongest identifier, for messages and indexes: DID, else BPNL, else corporate number."""
        return self.did or self.bpnl or f"jp-corporate-number:{self.open_operator_id}"


@dataclass(frozen=True, slots=True)
class Site:
    """A plant of an operator. At least one identifier is required.

    Attributes:
        name: `plantName`.
        country: ISO 3166-1 alpha-2 code of its location.
        bpns: Catena-X site number (``BPNS`` + 12 characters), Ouranos `plantAttribute.globalPlantId`.
        open_plant_id: Ouranos `openPlantId` (6-26 characters, the last 6 digits).
    """

    name: str
    country: str
    bpns: str | None = None
    open_plant_id: str | None = None

    def __post_init__(self) -> None:
        text_field(self.name, "plantName", max_length=256)
        country_field(self.country, "country")
        if self.bpns is None and self.open_plant_id is None:
            raise InvalidInput.at("openPlantId", "a site needs a BPNS or an openPlantId")
        if self.bpns is not None and not _BPNS.match(self.bpns):
            raise InvalidInput.at("bpns", f"must match ^BPNS[a-zA-Z0-9]{{12}}$, got {self.bpns!r}", "Catena-X BPN")
        if self.open_plant_id is not None and not _OPEN_PLANT_ID.match(self.open_plant_id):
            raise InvalidInput.at(
                "openPlantId",
                f"must be 6-26 characters ending in 6 digits, got {self.open_plant_id!r}",
                "Ouranos PlantModel.openPlantId",
            )


@dataclass(frozen=True, slots=True)
class Part:
    """A product type of one operator (Ouranos PartsModel).

    Attributes:
        trace_id: `traceId`.
        operator: the operator that makes (or, for a purchased child, buys) it.
        parts_name: `partsName`, the operator's part number.
        declared_unit: the unit every per-unit figure of this part refers to.
        terminated: `terminatedFlag`: a leaf that needs no answer from upstream (its own figures are complete).
        site: the plant, if known.
    """

    trace_id: uuid.UUID
    operator: Operator
    parts_name: str
    declared_unit: Unit
    terminated: bool = False
    site: Site | None = None

    def __post_init__(self) -> None:
        uuid_field(self.trace_id, "traceId")
        if not isinstance(self.operator, Operator):
            raise InvalidInput.at("operator", f"must be an Operator, got {self.operator!r}")
        text_field(self.parts_name, "partsName")
        object.__setattr__(self, "declared_unit", parse_unit(self.declared_unit, "declaredUnit"))
        if not isinstance(self.terminated, bool):
            raise InvalidInput.at("terminatedFlag", f"must be true or false, got {self.terminated!r}")


@dataclass(frozen=True, slots=True)
class BomLine:
    """One child in a parent's bill of materials (Ouranos PartsStructureModel child).

    Attributes:
        parent: `traceId` of the parent part.
        child: `traceId` of the child part (same operator as the parent).
        amount_required: `amountRequired`, child quantity per one declared unit of the parent (≥ 0).
        unit: `amountRequiredUnit`; must equal the child's declared unit or convert to it exactly.
    """

    parent: uuid.UUID
    child: uuid.UUID
    amount_required: Decimal
    unit: Unit

    def __post_init__(self) -> None:
        uuid_field(self.parent, "parentTraceId")
        uuid_field(self.child, "traceId")
        decimal_field(self.amount_required, "amountRequired", rule="Ouranos PartsModel.amountRequired (minimum 0)")
        object.__setattr__(self, "unit", parse_unit(self.unit, "amountRequiredUnit"))


__all__ = ["BomLine", "Operator", "Part", "Site", "is_valid_corporate_number"]
