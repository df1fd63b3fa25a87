"""`create_app(services)` → FastAPI with every router and the problem+json handlers; `create_asgi(services)` puts
the cached-read front before it (what a node serves). No module-level state."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp

from passbridge import __version__
from passbridge.api import problems
from passbridge.api.dsp_fastpath import CatalogFastPath
from passbridge.api.fastpath import PassportReadFastPath
from passbridge.api.link_mount import LinkMount
from passbridge.api.routes import aas, consumer, dataplane, dsp, identity, ouranos, passports, public, supplychain, tck
from passbridge.bootstrap import Services, bootstrap
from passbridge.settings import Settings

SETTINGS_ENV = "PASSBRIDGE_SERVE_SETTINGS_JSON"
"""How `passbridge serve` hands its merged settings to uvicorn worker processes."""


def create_app(services: Services) -> FastAPI:
    """The HTTP API of one node: the one documented implementation of every route (OpenAPI). Its lifespan runs
    the DSP outbox worker."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        services.dataspace.worker.start()
        if services.link is not None:
            services.link.service.start()
        try:
            yield
        finally:
            if services.link is not None:
                services.link.service.stop()
            services.dataspace.worker.stop()

    app = FastAPI(
        lifespan=lifespan,
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
    app.include_router(identity.router)
    app.include_router(dsp.router)
    app.include_router(dataplane.router)
    app.include_router(consumer.router)
    app.include_router(aas.router)
    if services.ouranos is not None:  # the `ouranos-platform` role only
        app.include_router(ouranos.router)
    if services.settings.dsp_conformance:  # the DSP TCK's routes: off by default, loopback only (routes/tck.py)
        app.include_router(tck.build_router(services))
    return app


def create_asgi(services: Services) -> ASGIApp:
    """What a node serves: the FastAPI app behind the cached-read front.

    The fronts wrap the whole app rather than being added as Starlette middleware, so the hottest requests skip
    the middleware stack entirely (~15 % more passport reads per second; `dsp_fastpath` for DSP catalog requests);
    everything else passes straight through.
    """
    front: ASGIApp = PassportReadFastPath(CatalogFastPath(create_app(services), services), services)
    if services.link is not None:  # the presences of consenting Ouranos operators, under /link/<operatorId>
        front = LinkMount(front, services.link, create_app)
    return front


def create_app_from_environment() -> ASGIApp:
    """Factory for uvicorn workers: settings from `SETTINGS_ENV` (set by `passbridge serve`) or the environment."""
    raw = os.environ.get(SETTINGS_ENV)
    settings = Settings.model_validate_json(raw) if raw else Settings()
    return create_asgi(bootstrap(settings))


__all__ = ["SETTINGS_ENV", "create_app", "create_app_from_environment", "create_asgi"]
