"""Who may read which passport field: the access-level table of Reg. (EU) 2023/1542 Art. 77(2) and Annex XIII.

Layout: `AnnexPoint` (which point of Annex XIII a field implements) → `AccessLevel` (the four levels we serve);
`Role` (who is asking) → the points that role may read; `ACCESS_RULES` (the table, data, one row per subtree,
longest prefix wins) with the Annex XIII point cited per row; `level_of(path)` resolves one leaf.

Art. 77(2): point 1 is public; points 2 and 3 are for notified bodies, market surveillance authorities and the
Commission; points 2 and 4 are for persons with a legitimate interest. Owner-only is ours (supplier identities,
procurement quantities, prices): it never leaves the node. The Commission reads everything but owner-only data.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache


class AnnexPoint(enum.Enum):
    """The Annex XIII point a field implements, plus our own owner-only class."""

    POINT_1 = "1"
    POINT_2 = "2"
    POINT_3 = "3"
    POINT_4 = "4"
    OWNER = "owner"


class AccessLevel(enum.Enum):
    """The four access levels passbridge serves (issue #2 vocabulary)."""

    PUBLIC = "public"
    LEGITIMATE_INTEREST = "legitimate_interest"
    AUTHORITY = "authority"
    OWNER = "owner"


LEVEL_OF_POINT: Mapping[AnnexPoint, AccessLevel] = {
    AnnexPoint.POINT_1: AccessLevel.PUBLIC,
    AnnexPoint.POINT_2: AccessLevel.LEGITIMATE_INTEREST,
    AnnexPoint.POINT_4: AccessLevel.LEGITIMATE_INTEREST,
    AnnexPoint.POINT_3: AccessLevel.AUTHORITY,
    AnnexPoint.OWNER: AccessLevel.OWNER,
}


class Role(enum.Enum):
    """Who reads a passport. `ANONYMOUS` is anyone without a credential (the public scanning the QR code)."""

    ANONYMOUS = "anonymous"
    LEGITIMATE_INTEREST = "legitimate_interest"
    RECYCLER = "recycler"
    NOTIFIED_BODY = "notified_body"
    MARKET_SURVEILLANCE = "market_surveillance"
    COMMISSION = "commission"
    OWNER = "owner"


_P1, _P2, _P3, _P4, _OWN = AnnexPoint

POINTS_OF_ROLE: Mapping[Role, frozenset[AnnexPoint]] = {
    Role.ANONYMOUS: frozenset({_P1}),
    Role.LEGITIMATE_INTEREST: frozenset({_P1, _P2, _P4}),
    Role.RECYCLER: frozenset({_P1, _P2, _P4}),
    Role.NOTIFIED_BODY: frozenset({_P1, _P2, _P3}),
    Role.MARKET_SURVEILLANCE: frozenset({_P1, _P2, _P3}),
    Role.COMMISSION: frozenset({_P1, _P2, _P3, _P4}),
    Role.OWNER: frozenset(AnnexPoint),
}


@dataclass(frozen=True, slots=True)
class AccessRule:
    """One row of the table: every leaf under `path` implements Annex XIII `point`, as `citation` says."""

    path: str
    point: AnnexPoint
    citation: str

    @property
    def level(self) -> AccessLevel:
        """The access level this row grants."""
        return LEVEL_OF_POINT[self.point]


def _r(path: str, point: AnnexPoint, citation: str) -> AccessRule:
    return AccessRule(path, point, citation)


# The table. Rows are subtrees of the BatteryPass 6.1.0 model (plus our `x-passbridge` extension); the longest
# matching prefix decides. `docs/access-levels.md` is rendered from this table by `passbridge docs access-levels`.
ACCESS_RULES: tuple[AccessRule, ...] = (
    _r("specVersion", _P1, "Art. 77(3): identifies the data model of the public record"),
    _r("metadata", _P1, "Art. 77(3): passport identifier, responsible economic operator (EC guidance #1, #2)"),
    _r("identification", _P1, "Annex XIII 1(a) → Annex VI Part A(2): category, model, batch/serial"),
    _r("identification.idDmc", _P1, "Art. 77(3): unique identifier behind the QR code"),
    _r("identification.chemistry", _P1, "Annex XIII 1(a) → Annex VI Part A(7): chemistry"),
    _r("operation", _P1, "Annex XIII 1(a) → Annex VI Part A(1),(3),(4): manufacturer, place and date"),
    _r("operation.intoServiceDate", _P4, "Annex XIII 4(d): information from the use of the individual battery"),
    _r("characteristics", _P1, "Annex XIII 1(a) → Annex VI Part A(5): weight and dimensions"),
    _r("characteristics.warranty", _P1, "Annex XIII 1(m): commercial warranty for calendar life"),
    _r("commercial", _P1, "Annex XIII 1(a) → Annex VI Part A: placing on the market"),
    _r("sources", _P1, "Annex XIII 1: public documents backing the model information"),
    _r("sustainability.status", _P4, "Annex XIII 4(c): status original/repurposed/re-used/remanufactured/waste"),
    _r("sustainability.carbonFootprint", _P1, "Annex XIII 1(c) → Art. 7(1),(2): carbon footprint, class"),
    _r("sustainability.documents", _P1, "Annex XIII 1(s) → Art. 74(1)(a)-(f): waste prevention, collection"),
    _r("sustainability.documents.sustainabilityReport", _P1, "Annex XIII 1(d) → Art. 52(3): due diligence report"),
    _r("sustainability.documents.euTaxonomyDisclosureStatement", _P1, "Annex XIII 1(d): responsible sourcing"),
    _r("materials.active", _P1, "Annex XIII 1(e) → Art. 8(1): recycled Co/Li/Ni/Pb; Annex VI Part A(10): CRM"),
    _r("materials.hazardous", _P1, "Annex XIII 1(b) → Annex VI Part A(8): hazardous substances"),
    _r("materials.composition", _P2, "Annex XIII 2(a): detailed composition (cathode, anode, electrolyte)"),
    _r("performance.rated", _P1, "Annex XIII 1(g)-(p): rated capacity, voltage, power, resistance, efficiency"),
    _r("performance.rated.selfDischargingRate", _P4, "Annex XIII 4(a) → Art. 10: values at placing on market"),
    _r("performance.rated.lifetime.expectedYears", _P4, "Annex XIII 4(a): expected lifetime in calendar years"),
    _r("performance.rated.testReport", _P3, "Annex XIII 3: results of test reports proving compliance"),
    _r("performance.dynamic", _P4, "Annex XIII 4(a),(b),(d): state of health and information from use"),
    _r("conformity", _P1, "Annex XIII 1(r) → Art. 18: EU declaration of conformity"),
    _r("conformity.dueDiligencePolicy", _P1, "Annex XIII 1(d) → Art. 52(3): responsible sourcing"),
    _r("conformity.thirdPartyAssurance", _P1, "Annex XIII 1(d) → Art. 52(3): third-party verification report"),
    _r("conformity.resultOfTestReport", _P3, "Annex XIII 3: results of test reports proving compliance"),
    _r("safety", _P2, "Annex XIII 2(c),(d): dismantling information and safety measures"),
    _r("safety.usableExtinguishAgent", _P1, "Annex XIII 1(a) → Annex VI Part A(9): usable extinguishing agent"),
    _r("safety.meaningOfLabels", _P1, "Annex XIII 1(q) → Art. 13: markings and their meaning"),
    _r("handling", _P2, "Annex XIII 2(b): part numbers for components, sources for replacement spares"),
    _r("x-passbridge.predecessors", _P1, "Art. 77(7): links to the passport(s) of the original battery or batteries"),
    _r("x-passbridge.annexXIII.manufacturer", _P1, "Annex XIII 1(a) → Annex VI Part A(1): manufacturer identity"),
    _r("x-passbridge.annexXIII.instructionsForUse", _P1, "Annex XIII 1(t): instructions for use"),
    _r(
        "x-passbridge.annexXIII.countriesOfOrigin",
        _P1,
        "Annex XIII 1(d) → Art. 52(3): responsible sourcing (countries of origin of cobalt, lithium, nickel, lead)",
    ),
    _r(
        "x-passbridge.computed",
        _P1,
        "Annex XIII 1(c),(e): provenance of the computed carbon footprint and recycled content",
    ),
    _r("x-passbridge.owner", _OWN, "passbridge: owner-only (suppliers, quantities, prices); never leaves the node"),
)

_RULES_BY_PATH: Mapping[str, AccessRule] = {rule.path: rule for rule in ACCESS_RULES}


@lru_cache(maxsize=4096)
def rule_for(path: str) -> AccessRule:
    """The table row deciding `path` (dotted, arrays transparent): the longest matching prefix.

    Raises:
        KeyError: if no row covers `path` (a test proves every leaf of the model is covered).
    """
    candidate = path
    while True:
        rule = _RULES_BY_PATH.get(candidate)
        if rule is not None:
            return rule
        if "." not in candidate:
            raise KeyError(f"no access rule covers {path!r}")
        candidate = candidate.rsplit(".", 1)[0]


def level_of(path: str) -> AccessLevel:
    """Access level of the leaf at `path`."""
    return rule_for(path).level


def may_read(role: Role, path: str) -> bool:
    """Whether `role` may read the field at `path`."""
    return rule_for(path).point in POINTS_OF_ROLE[role]


__all__ = [
    "ACCESS_RULES",
    "LEVEL_OF_POINT",
    "POINTS_OF_ROLE",
    "AccessLevel",
    "AccessRule",
    "AnnexPoint",
    "Role",
    "level_of",
    "may_read",
    "rule_for",
]
