"""Where the shared, read-only fixture files live: ``../shared/fixtures`` next to the repository root."""

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"

__all__ = ["FIXTURES"]
