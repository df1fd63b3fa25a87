"""The HTTP-pull data plane: what an endpoint data reference (EDR) from a TransferStartMessage points at.

``GET /api/v1/dataplane/passports/{datasetId}[?format=…]`` with ``Authorization: <token>`` (or ``Bearer <token>``)
checks the token on every request — signed by this node, not expired, not revoked, its transfer STARTED, issued for
this dataset — and answers the passport in the view its agreement grants (`DataspaceService.pull`).
``GET /api/v1/dataplane/pcf/{datasetId}?format=pcf-9.0.0|battery-component-1.0.0`` does the same for a part's
carbon-footprint answer under a PCF agreement (``cx.pcf.base:1``): the Catena-X payload the supply-chain ACL releases
to the token's consumer (403 if it no longer does; 400 for a unit Catena-X has no counterpart for).
``POST /api/v1/dataplane/token`` exchanges a refresh token for a new token pair (RFC 6749 §6 form or JSON); the old
pair is revoked. Errors are problem+json (401 with the refusal code for any token problem).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response

from passbridge.api.deps import BodyDep, ServicesDep
from passbridge.dataspace.node import DATAPLANE_PATH
from passbridge.errors import InvalidInput, Unauthenticated
from passbridge.jsoncodec import loads_fast

router = APIRouter(tags=["data plane"])
AuthorizationHeader = Annotated[str | None, Header(alias="authorization", include_in_schema=False)]


def _token(authorization: str | None) -> str:
    value = (authorization or "").strip()
    scheme, _, rest = value.partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else value
    if not token:
        raise Unauthenticated("the data plane needs the EDR token in the Authorization header")
    return token


@router.get(f"{DATAPLANE_PATH}/passports/{{dataset_id}}", summary="Data plane: a passport under an agreement")
def pull_passport(
    dataset_id: str,
    services: ServicesDep,
    authorization: AuthorizationHeader = None,
    format: Annotated[str | None, Query(description="catenax-6.1.0 (default), idta, aas, sd-jwt")] = None,
) -> Response:
    """The passport in the view the transfer's agreement grants (public unless a PassportAccessLevel constraint)."""
    asset = services.dataspace.dataplane.pull(_token(authorization), dataset_id, format)
    return Response(asset.body, media_type=asset.media_type, headers={"Cache-Control": "no-store"})


@router.get(f"{DATAPLANE_PATH}/pcf/{{dataset_id}}", summary="Data plane: a part's carbon footprint under an agreement")
def pull_pcf(
    dataset_id: str,
    services: ServicesDep,
    authorization: AuthorizationHeader = None,
    format: Annotated[str | None, Query(description="pcf-9.0.0 (default), battery-component-1.0.0")] = None,
) -> Response:
    """The Catena-X PCF payload of a part, as far as the supply-chain ACL releases it to the token's consumer."""
    asset = services.dataspace.dataplane.pull(_token(authorization), dataset_id, format)
    return Response(asset.body, media_type=asset.media_type, headers={"Cache-Control": "no-store"})


@router.post(f"{DATAPLANE_PATH}/token", summary="Data plane: refresh an EDR token")
def refresh_token(request: Request, services: ServicesDep, body: BodyDep) -> JSONResponse:
    """``grant_type=refresh_token&refresh_token=…`` (form, query or JSON) → a new access and refresh token."""
    fields: dict[str, Any] = dict(request.query_params)
    if body:
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            fields |= dict(parse_qsl(body.decode("utf-8", "replace")))
        else:
            parsed = loads_fast(body)
            if isinstance(parsed, dict):
                fields |= parsed
    if fields.get("grant_type", "refresh_token") != "refresh_token" or not isinstance(fields.get("refresh_token"), str):
        raise InvalidInput.at(
            "$.refresh_token", "grant_type=refresh_token and a refresh_token are required", "RFC 6749 §6"
        )
    access, refresh, expires_in = services.dataspace.dataplane.refresh(fields["refresh_token"])
    return JSONResponse(
        {"access_token": access, "refresh_token": refresh, "expires_in": expires_in, "token_type": "bearer"},
        headers={"Cache-Control": "no-store"},
    )


__all__ = ["router"]
