"""`create_app(services)` → FastAPI with every router and the problem+json handlers; no module-level state."""

from __future__ import annotations

import os

from fastapi import FastAPI

from passbridge import __version__
from passbridge.api import problems
from passbridge.api.fastpath import PassportReadFastPath
from passbridge.api.routes import passports, public, supplychain
from passbridge.bootstrap import Services, bootstrap
from passbridge.settings import Settings

SETTINGS_ENV = "PASSBRIDGE_SERVE_SETTINGS_JSON"
"""How `passbridge serve` hands its merged settings to uvicorn worker processes."""


def create_app(services: Services, *, fast_path: bool = True) -> FastAPI:
    """The HTTP API of one node (`fast_path=False` leaves out the cached-read front, for comparison tests)."""
    app = FastAPI(
        title="passbridge",
        version=__version__,
        summary="EU battery passports, Catena-X and Ouranos data exchange",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.services = services
    problems.install(app)
    app.include_router(public.router)
    app.include_router(passports.router)
    app.include_router(supplychain.router)
    if fast_path:
        app.add_middleware(PassportReadFastPath, services=services)
    return app


def create_app_from_environment() -> FastAPI:
    """Factory for uvicorn workers: settings from `SETTINGS_ENV` (set by `passbridge serve`) or the environment."""
    raw = os.environ.get(SETTINGS_ENV)
    settings = Settings.model_validate_json(raw) if raw else Settings()
    return create_app(bootstrap(settings))


__all__ = ["SETTINGS_ENV", "create_app", "create_app_from_environment"]
