"""The battery status state machine of Reg. (EU) 2023/1542 Art. 77 and Annex XIII 4(c).

`original` → `re-used` / `repurposed` / `remanufactured` → `waste`. Repurposing and remanufacturing give the
battery a *new* passport linked to the passport(s) of the original battery or batteries (Art. 77(7)); `waste`
(the battery was recycled) ends the passport, which stays readable (Art. 77(8) ends it once recycled; we keep the
record for audit). Re-use keeps the passport and records the new status.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from passbridge.errors import IllegalTransition


class BatteryStatus(enum.Enum):
    """Annex XIII 4(c) status values, spelled as in BatteryPass 6.1.0 `sustainability.status`."""

    ORIGINAL = "original"
    REPURPOSED = "repurposed"
    REUSED = "re-used"
    REMANUFACTURED = "remanufactured"
    WASTE = "waste"


_S = BatteryStatus

TRANSITIONS: Mapping[BatteryStatus, frozenset[BatteryStatus]] = {
    _S.ORIGINAL: frozenset({_S.REUSED, _S.REPURPOSED, _S.REMANUFACTURED, _S.WASTE}),
    _S.REUSED: frozenset({_S.REPURPOSED, _S.REMANUFACTURED, _S.WASTE}),
    _S.REPURPOSED: frozenset({_S.REUSED, _S.REMANUFACTURED, _S.WASTE}),
    _S.REMANUFACTURED: frozenset({_S.REUSED, _S.REPURPOSED, _S.WASTE}),
    _S.WASTE: frozenset(),
}
"""Allowed status changes of one passport; staying in the same status (a data update) is always allowed, except
in `waste`, which is final."""

SUCCESSOR_STATUSES: frozenset[BatteryStatus] = frozenset({_S.REPURPOSED, _S.REMANUFACTURED})
"""Statuses that a *new* passport may start in only when linked to predecessor passport(s) (Art. 77(7))."""

INITIAL_STATUSES: frozenset[BatteryStatus] = frozenset({_S.ORIGINAL, _S.REUSED, _S.REPURPOSED, _S.REMANUFACTURED})
"""Statuses a new passport may be created in; `waste` is reached only by a transition."""


def check_transition(current: BatteryStatus, requested: BatteryStatus) -> None:
    """Accept a status change of an existing passport or raise.

    Raises:
        IllegalTransition: if Art. 77 does not allow `current` → `requested` (names both states).
    """
    if current is _S.WASTE or (requested is not current and requested not in TRANSITIONS[current]):
        allowed = sorted(s.value for s in TRANSITIONS[current])
        raise IllegalTransition("battery status (Art. 77)", current.value, requested.value, allowed)


__all__ = ["INITIAL_STATUSES", "SUCCESSOR_STATUSES", "TRANSITIONS", "BatteryStatus", "check_transition"]
