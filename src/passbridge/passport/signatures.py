"""Signed passports (SD-JWT, RFC 9901): what is signed, which parts are disclosures, and which a reader receives.

Layout: `SignedPassport` / `SignedDisclosure` (a version as signed, stored with it); `signed_content(content)` (what
is signed: everything but owner-only data, as the catenax-6.1.0 format writes it); `disclosure_plan(content)` (the
JSON paths that become disclosures); `presentation(signature, role)` (the compact SD-JWT with the role's
disclosures); `implied_access(paths)` (which Annex XIII points and readers a set of disclosed paths stands for).

Everything is read from the access table (`access.py`, through `views.visibility`), so the signed form cannot drift
from the role views: a member every reader sees (Annex XIII point 1) stays in clear; a subtree that each role sees
entirely or not at all is one disclosure; a mixed object stays in clear when it keeps a public member, else it is
itself a disclosure holding its members' digests (RFC 9901 §4.2.6), so a reader who sees nothing inside it does
not get an empty object either. A role then receives every disclosure whose subtree it sees entirely, plus the
disclosures those are nested in — exactly `views.project` (tests compare the two for every role).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.passport.access import POINTS_OF_ROLE, AccessLevel, AnnexPoint, Role, rule_for
from passbridge.passport.battery_pass import SPEC_VERSION_6_1_0
from passbridge.passport.model import PassportId
from passbridge.passport.views import Visibility, project, visibility

SD_JWT_FORMAT = "sd-jwt"
"""The ``?format=`` name of the signed passport."""
SD_JWT_MEDIA_TYPE = "application/sd-jwt"
"""RFC 9901 §11.2.1."""

Path = tuple[str | int, ...]
_READERS = tuple(role for role in Role if role is not Role.OWNER)
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True, slots=True)
class SignedDisclosure:
    """One disclosure of a signed passport.

    Attributes:
        path: the member it discloses (``performance.dynamic``; array elements as ``name[2]``).
        encoded: the disclosure as sent (base64url of ``[salt, name, value]``, RFC 9901 §4.2.1).
        parent: index of the disclosure it is nested in, or None when its digest is in the signed JWT.
    """

    path: str
    encoded: str
    parent: int | None

    def __reduce__(self) -> tuple[type[SignedDisclosure], tuple[str, str, int | None]]:
        return SignedDisclosure, (self.path, self.encoded, self.parent)  # cheap pickling for bulk import's workers

    @property
    def rule_path(self) -> str:
        """`path` with array indexes removed, as the access table writes paths."""
        return _INDEX.sub("", self.path)


@dataclass(frozen=True, slots=True)
class SignedPassport:
    """A passport version as the economic operator signed it: the issuer-signed JWT and every disclosure."""

    passport_id: PassportId
    number: int
    signed_at: datetime
    jwt: str
    disclosures: tuple[SignedDisclosure, ...]

    def __reduce__(self) -> tuple[type[SignedPassport], tuple[object, ...]]:
        return SignedPassport, (self.passport_id, self.number, self.signed_at, self.jwt, self.disclosures)


class _Kind(enum.Enum):
    PUBLIC = "public"  # every reader sees all of it: in clear
    UNIFORM = "uniform"  # each reader sees all of it or none of it: one disclosure
    MIXED = "mixed"  # some reader sees part of it: look inside


@lru_cache(maxsize=4096)
def _kind(path: str) -> _Kind:
    if visibility(Role.ANONYMOUS, path) is Visibility.ALL:
        return _Kind.PUBLIC
    if all(visibility(role, path) is not Visibility.MIXED for role in _READERS):
        return _Kind.UNIFORM
    return _Kind.MIXED


def signed_content(content: JsonObject) -> dict[str, JsonValue]:
    """What the economic operator signs: every field of Annex XIII points 1-4 (the Commission's view, which is
    everything but owner-only data, Art. 77(2)), with `specVersion` as the catenax-6.1.0 format writes it."""
    signed = project(content, Role.COMMISSION)
    if "specVersion" not in signed:
        signed = {"specVersion": SPEC_VERSION_6_1_0, **signed}
    return signed


def disclosure_plan(content: JsonObject) -> frozenset[Path]:
    """The paths of `content` (as `signed_content` gives it) that become disclosures."""
    plan: set[Path] = set()
    _plan_object(content, (), "", plan)
    return frozenset(plan)


def _plan_object(obj: JsonObject, path: Path, prefix: str, plan: set[Path]) -> bool:
    """Add the disclosures under `obj` to `plan`; True if anything of `obj` stays in clear."""
    clear = False
    for key, value in obj.items():
        member, rule_path = (*path, key), f"{prefix}.{key}" if prefix else key
        kind = _kind(rule_path)
        if kind is _Kind.PUBLIC:
            clear = True
        elif kind is _Kind.UNIFORM or not _plan_value(value, member, rule_path, plan):
            plan.add(member)
        else:
            clear = True
    return clear


def _plan_value(value: JsonValue, path: Path, rule_path: str, plan: set[Path]) -> bool:
    if isinstance(value, dict):
        return _plan_object(value, path, rule_path, plan)
    if isinstance(value, list):
        clear = False
        for index, item in enumerate(value):
            if _plan_value(item, (*path, index), rule_path, plan):
                clear = True
            else:
                plan.add((*path, index))
        return clear
    return False  # a scalar where the table has a subtree: a disclosure, seen only by those who see it all


def presentation(signature: SignedPassport, role: Role) -> str:
    """The compact SD-JWT ``<JWT>~<D1>~…~`` with the disclosures `role` may receive (the owner: all of them)."""
    disclosures = signature.disclosures
    if role is Role.OWNER:
        chosen = set(range(len(disclosures)))
    else:
        chosen = set()
        for index, disclosure in enumerate(disclosures):
            if visibility(role, disclosure.rule_path) is Visibility.ALL:
                at: int | None = index
                while at is not None and at not in chosen:  # a nested disclosure needs the one it sits in
                    chosen.add(at)
                    at = disclosures[at].parent
    return signature.jwt + "~" + "".join(f"{d.encoded}~" for i, d in enumerate(disclosures) if i in chosen)


_LEVEL_OF_ROLE = {
    Role.ANONYMOUS: AccessLevel.PUBLIC.value,
    Role.LEGITIMATE_INTEREST: AccessLevel.LEGITIMATE_INTEREST.value,
    Role.RECYCLER: AccessLevel.LEGITIMATE_INTEREST.value,
    Role.NOTIFIED_BODY: AccessLevel.AUTHORITY.value,
    Role.MARKET_SURVEILLANCE: AccessLevel.AUTHORITY.value,
    Role.COMMISSION: f"{AccessLevel.AUTHORITY.value} and {AccessLevel.LEGITIMATE_INTEREST.value} (commission)",
    Role.OWNER: AccessLevel.OWNER.value,
}


@dataclass(frozen=True, slots=True)
class ImpliedAccess:
    """What a set of disclosed paths says about its reader."""

    points: frozenset[AnnexPoint]
    readers: tuple[Role, ...]
    """Roles allowed to read everything disclosed (the owner always is)."""

    @property
    def level(self) -> str:
        """The lowest access level(s) that may read all of it (``authority``; ``legitimate_interest or authority``
        when only point 2 was disclosed, which both read)."""
        lowest = [r for r in self.readers if not any(POINTS_OF_ROLE[o] < POINTS_OF_ROLE[r] for o in self.readers)]
        return " or ".join(dict.fromkeys(_LEVEL_OF_ROLE[role] for role in lowest))


def implied_access(disclosed: Iterable[str]) -> ImpliedAccess:
    """The Annex XIII points behind `disclosed` paths (point 1 always: the clear part) and who may read them all.

    Only the innermost disclosed paths count: an enclosing disclosure is there because of what it holds.
    """
    paths = [_INDEX.sub("", p) for p in disclosed]
    innermost = [p for p in paths if not any(other.startswith(p + ".") for other in paths)]
    points = frozenset({AnnexPoint.POINT_1, *(_point(p) for p in innermost)})
    readers = tuple(role for role in Role if points <= POINTS_OF_ROLE[role])
    return ImpliedAccess(points, readers)


def _point(path: str) -> AnnexPoint:
    try:
        return rule_for(path).point
    except KeyError:
        return AnnexPoint.OWNER  # no row covers it: only the owner could have disclosed it


__all__ = [
    "SD_JWT_FORMAT",
    "SD_JWT_MEDIA_TYPE",
    "ImpliedAccess",
    "SignedDisclosure",
    "SignedPassport",
    "disclosure_plan",
    "implied_access",
    "presentation",
    "signed_content",
]
