"""`/api/v1/passports`: create, version, read (as the caller's role, in a format), versions, QR code."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from passbridge.api.deps import BodyDep, CallerDep, OwnerDep, ServicesDep
from passbridge.api.schemas import CreatedPassport, PassportVersions, VersionLine
from passbridge.ecosystems.catenax.battery_pass import FORMAT as DEFAULT_FORMAT
from passbridge.passport.access import Role, may_read
from passbridge.passport.model import PassportId
from passbridge.passport.services import RenderedView

router = APIRouter(prefix="/api/v1/passports", tags=["passports"])

FormatQuery = Annotated[
    str,
    Query(
        alias="format",
        description="catenax-6.1.0 (default), idta (joint aspects), aas (IDTA 02035) or sd-jwt (the signed passport, "
        "RFC 9901, with the disclosures of the caller's access level)",
    ),
]


def _passport_id(text: str) -> PassportId:
    return PassportId.parse(text, path="path.id")


def _public_url(request: Request, services: ServicesDep, passport_id: PassportId) -> str:
    return f"{services.settings.effective_public_url}/p/{passport_id}"


@router.post("", status_code=201, response_model=CreatedPassport, summary="Create a passport (owner)")
def create_passport(body: BodyDep, services: ServicesDep, _owner: OwnerDep) -> JSONResponse:
    """Store a Catena-X BatteryPass 6.1.0 (or 6.0.0) document as version 1 of a new passport."""
    version = services.passports.create(body)
    location = f"/api/v1/passports/{version.passport_id}"
    payload = CreatedPassport(id=version.passport_id.value, version=version.number, digest=version.digest)
    return JSONResponse(payload.model_dump(), status_code=201, headers={"Location": location})


@router.put("/{passport_id}", response_model=CreatedPassport, summary="Add a version (owner)")
def put_passport(passport_id: str, body: BodyDep, services: ServicesDep, _owner: OwnerDep) -> CreatedPassport:
    """Store a new immutable version; the status change must be allowed by Art. 77 (else 409)."""
    version = services.passports.add_version(_passport_id(passport_id), body)
    return CreatedPassport(id=version.passport_id.value, version=version.number, digest=version.digest)


@router.get("/{passport_id}", summary="Read a passport as the caller may see it")
async def get_passport(
    passport_id: str,
    services: ServicesDep,
    caller: CallerDep,
    fmt: FormatQuery = DEFAULT_FORMAT,
    version: Annotated[int | None, Query(ge=1, description="a past version; default current")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The fields the caller's access level allows (anonymous: Annex XIII point 1 only).

    Async without a thread hop: a cached read is a dictionary lookup after one cheap change check.
    """
    view = services.passports.read(_passport_id(passport_id), caller.role, fmt, version)
    headers = view_headers(view, caller.role)
    if not_modified(view, if_none_match):
        return Response(status_code=304, headers=headers)
    return Response(view.body, media_type=view.media_type, headers=headers)


def view_headers(view: RenderedView, role: Role) -> dict[str, str]:
    """Response headers of a passport view (shared with `api.fastpath`)."""
    return {
        "ETag": view.etag,
        "Vary": "Authorization",
        "X-Passport-Version": str(view.version),
        "Cache-Control": "public, max-age=60" if role is Role.ANONYMOUS else "private, no-cache",
    }


def not_modified(view: RenderedView, if_none_match: str | None) -> bool:
    """Whether an ``If-None-Match`` header already names this view."""
    return if_none_match is not None and view.etag in {tag.strip() for tag in if_none_match.split(",")}


@router.get("/{passport_id}/versions", response_model=PassportVersions, summary="List versions")
def list_versions(passport_id: str, services: ServicesDep, caller: CallerDep) -> PassportVersions:
    """All versions, oldest first, with the Art. 77(7) links; the status only for those who may read it (4(c))."""
    head, infos, lineage = services.passports.versions(_passport_id(passport_id))
    show_status = may_read(caller.role, "sustainability.status")
    return PassportVersions(
        id=head.passport_id.value,
        current=head.current_version,
        status=head.status.value if show_status else None,
        predecessors=[p.value for p in lineage.predecessors],
        successors=[p.value for p in lineage.successors],
        versions=[
            VersionLine(
                version=info.number,
                status=info.status.value if show_status else None,
                digest=info.digest,
                recorded_at=info.recorded_at.isoformat(),
            )
            for info in infos
        ],
    )


@router.get("/{passport_id}/qr.svg", summary="QR code of the public passport URL", response_class=Response)
def qr_code(
    passport_id: str,
    request: Request,
    services: ServicesDep,
    scale: Annotated[int, Query(ge=1, le=40)] = 4,
) -> Response:
    """An SVG QR code (error correction M) encoding ``<public URL>/p/<id>`` (Art. 77(3), Art. 13(6))."""
    pid = _passport_id(passport_id)
    services.passports.head(pid)  # 404 for unknown passports
    qr = segno.make(_public_url(request, services, pid), error="m", micro=False)
    svg: str = qr.svg_inline(scale=scale, title=f"Battery passport {pid}")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


__all__ = ["not_modified", "router", "view_headers"]
