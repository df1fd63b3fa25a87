"""Time is injected: `Clock` protocol, `SystemClock` for production, tests pass a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Source of the current time (timezone-aware, UTC)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        """Current time in UTC."""
        return datetime.now(UTC)


__all__ = ["Clock", "SystemClock"]
