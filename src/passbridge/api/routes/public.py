"""Unauthenticated pages: `/healthz` and the public passport page `/p/{id}` (the QR code's target)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import segno
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from passbridge import __version__
from passbridge.api.deps import ServicesDep
from passbridge.api.schemas import Health
from passbridge.ecosystems.catenax.battery_pass import FORMAT
from passbridge.jsoncodec import loads_exact
from passbridge.passport.access import Role
from passbridge.passport.model import PassportId
from passbridge.storage.engine import ping

router = APIRouter(tags=["public"])

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parents[2] / "web" / "templates"),
    autoescape=select_autoescape(["html"]),
)


@router.get("/healthz", response_model=Health, summary="Liveness and database check")
def healthz(services: ServicesDep) -> Health:
    """``ok`` when the database answers."""
    return Health(status="ok", version=__version__, database=ping(services.engine))


@router.get("/p/{passport_id}", response_class=HTMLResponse, summary="Public passport page (QR target)")
def public_page(
    passport_id: str, services: ServicesDep, version: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    """The Annex XIII point 1 information of a passport as a plain HTML page."""
    pid = PassportId.parse(passport_id, path="path.id")
    view = services.passports.read(pid, Role.ANONYMOUS, FORMAT, version)
    content = loads_exact(view.body)
    url = f"{services.settings.effective_public_url}/p/{pid}"
    qr_svg = segno.make(url, error="m").svg_inline(scale=3, title="QR code")
    page = _TEMPLATES.get_template("public_passport.html").render(
        passport_id=pid.value, version=view.version, content=content, qr_svg=qr_svg, url=url
    )
    return HTMLResponse(page, headers={"ETag": view.etag, "Cache-Control": "public, max-age=60"})


__all__ = ["router"]
