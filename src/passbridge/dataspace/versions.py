"""Version metadata of the Dataspace Protocol 2025-1: which protocol versions a connector speaks, and where.

Layout: `VersionAuth` (how a version's endpoints authenticate), `VersionEntry` (one supported version and its path),
`VersionResponse` (the body of ``/.well-known/dspace-version``, shared by every dialect and without ``@context``).

Field names are the spec's in snake case (``protocolVersions`` → `protocol_versions`). These are not messages of the
catalog, negotiation or transfer protocols, but the `Message` union of `passbridge.dataspace.messages` includes
`VersionResponse`, as the codecs read and write it. Only `passbridge.dataspace.codec` turns these into JSON.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VersionAuth:
    """How a version's endpoints authenticate (``{"protocol": "DCP", "version": "1.0", "profile": [...]}``)."""

    protocol: str
    version: str
    profile: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class VersionEntry:
    """One supported protocol version: `path` appended to the root gives the DSP base."""

    version: str
    path: str
    binding: str = "HTTPS"
    service_id: str | None = None
    identifier_type: str | None = None
    auth: VersionAuth | None = None


@dataclass(frozen=True, slots=True)
class VersionResponse:
    """The body of ``/.well-known/dspace-version`` (no ``@context``)."""

    protocol_versions: tuple[VersionEntry, ...]


__all__ = ["VersionAuth", "VersionEntry", "VersionResponse"]
