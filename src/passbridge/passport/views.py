"""Project passport content to what one reader may see (Art. 77(2), table in `access.py`).

Layout: `Visibility` of a subtree for a role (ALL / NONE / MIXED), decided once per (role, path) from the table
and cached; `project(content, role)` copies only the visible members, descending only into mixed subtrees, so a
public read of a 300-leaf passport touches a few dozen keys. Members no rule covers are hidden (fail closed);
objects and lists left empty by the projection are dropped.
"""

from __future__ import annotations

import enum
from functools import lru_cache

from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.passport.access import ACCESS_RULES, POINTS_OF_ROLE, Role, rule_for


class Visibility(enum.Enum):
    """What a role sees of one subtree."""

    ALL = "all"
    NONE = "none"
    MIXED = "mixed"


@lru_cache(maxsize=8192)
def visibility(role: Role, path: str) -> Visibility:
    """Visibility of the subtree at dotted `path` for `role`."""
    points = POINTS_OF_ROLE[role]
    try:
        own: bool | None = rule_for(path).point in points
    except KeyError:
        own = None
    below = {rule.point in points for rule in ACCESS_RULES if rule.path.startswith(path + ".")}
    if own is None:
        if not below:
            return Visibility.NONE
        return Visibility.MIXED if len(below) > 1 or True in below else Visibility.NONE
    if below <= {own}:
        return Visibility.ALL if own else Visibility.NONE
    return Visibility.MIXED


def project(content: JsonObject, role: Role) -> dict[str, JsonValue]:
    """The part of `content` that `role` may read, as a new tree (the input is not modified)."""
    if role is Role.OWNER:
        return dict(content)
    return _project_object(content, "", role)


def _project_object(obj: JsonObject, prefix: str, role: Role) -> dict[str, JsonValue]:
    out: dict[str, JsonValue] = {}
    for key, value in obj.items():
        path = f"{prefix}.{key}" if prefix else key
        seen = visibility(role, path)
        if seen is Visibility.ALL:
            out[key] = value
        elif seen is Visibility.MIXED:
            kept = _project_value(value, path, role)
            if kept is not None:
                out[key] = kept
    return out


def _project_value(value: JsonValue, path: str, role: Role) -> JsonValue:
    if isinstance(value, dict):
        projected = _project_object(value, path, role)
        return projected or None
    if isinstance(value, list):
        items = [kept for item in value if (kept := _project_value(item, path, role)) is not None]
        return items or None
    return None  # a scalar where the model expects a subtree: hide it (fail closed)


__all__ = ["Visibility", "project", "visibility"]
