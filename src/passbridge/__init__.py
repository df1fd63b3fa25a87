"""passbridge: EU battery passports and battery data exchange between Catena-X and the Ouranos Ecosystem."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("passbridge")
except PackageNotFoundError:  # pragma: no cover - only when running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
