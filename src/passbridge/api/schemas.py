"""Request/response DTOs of the HTTP API (the only pydantic models besides `Settings`)."""

from __future__ import annotations

from pydantic import BaseModel


class CreatedPassport(BaseModel):
    """Answer to POST/PUT: the passport, the version just stored and its SHA-256."""

    id: str
    version: int
    digest: str


class VersionLine(BaseModel):
    """One version of a passport."""

    version: int
    status: str | None
    digest: str
    recorded_at: str


class PassportVersions(BaseModel):
    """`GET /api/v1/passports/{id}/versions`."""

    id: str
    current: int
    status: str | None
    predecessors: list[str]
    successors: list[str]
    versions: list[VersionLine]


class Health(BaseModel):
    """`GET /healthz`."""

    status: str
    version: str
    database: str


__all__ = ["CreatedPassport", "Health", "PassportVersions", "VersionLine"]
