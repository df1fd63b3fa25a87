"""``/ouranos``: the Ouranos data transaction API 3.0.0 on an `ouranos-platform` node, faithful to its OpenAPI.

Layout: `OuranosRoute` (``X-Track`` on every response; errors in the documented ``{code, message, detail}`` form,
not problem+json) · the caller (``apiKey`` header, optional CIDR allow-list, ``Authorization: Bearer``) ·
``/auth/login|refresh|change`` · ``/api/v1/authInfo`` · ``/api/v1/datatransport`` dispatching on ``dataTarget``
as the OpenAPI does (one path, the target in the query) · list pages with ``limit`` / ``after`` and ``Link``.
Our documented extensions on the same path, after the traceability API: ``dataTarget=cfpAcl`` (``PUT`` a disclosure
grant, ``GET &traceId=`` the caller's grants) and ``dataTarget=notification`` (``GET``, oldest first, paged).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from passbridge.api.deps import read_body
from passbridge.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.jsontypes import JsonValue
from passbridge.ouranos import fields
from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.paging import Page
from passbridge.ouranos.services import OuranosPlatform

logger = logging.getLogger(__name__)

PREFIX: Final = "/ouranos"
_STATUS: Final = (
    (InvalidInput, 400, "BadRequest"),
    (Conflict, 400, "BadRequest"),  # illegal transitions, deletions blocked: the OpenAPI documents no 409
    (Unauthenticated, 401, "Unauthorized"),
    (Forbidden, 403, "AccessDenied"),
    (NotFound, 404, "NotFound"),
)


def _error(request: Request, exc: Exception, track: str) -> Response:
    """`common.HTTP4xxError`: ``{"code": "[auth|dataspace] <Kind>", "message", "detail"}``."""
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        status, kind, message = 400, "BadRequest", f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    elif isinstance(exc, StarletteHTTPException):
        status, kind, message = exc.status_code, "Error", str(exc.detail)
    else:
        status, kind = next(((s, k) for cls, s, k in _STATUS if isinstance(exc, cls)), (500, "InternalServerError"))
        message = str(exc) if status < 500 else "internal error"
        if status == 500:
            logger.exception("unexpected error on %s (X-Track %s)", request.url.path, track)
    # errors of the authentication step (apiKey, token) and of /auth are the user authentication system's
    authenticated = getattr(request.state, "authenticated", False)
    system = "auth" if request.url.path.startswith(f"{PREFIX}/auth") or not authenticated else "dataspace"
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    detail = (
        f"id: {track}, timeStamp: {stamp}, dataTarget: {request.query_params.get('dataTarget', '')}, "
        f"method: {request.method}"
    )
    body: JsonValue = {"code": f"[{system}] {kind}", "message": message, "detail": detail}
    return Response(dumps_exact(body), status, media_type="application/json")


class OuranosRoute(APIRoute):
    """A route whose responses all carry ``X-Track`` and whose errors take the Ouranos form."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            track = str(uuid.uuid4())
            try:
                response = await handler(request)
            except Exception as exc:
                response = _error(request, exc, track)
            response.headers["X-Track"] = track
            return response

        return handle


router = APIRouter(prefix=PREFIX, tags=["ouranos"], route_class=OuranosRoute)

LimitQuery = Annotated[int | None, Query(description=f"page size (at most {fields.MAX_LIMIT})")]
AfterQuery = Annotated[str | None, Query(description="the id after which the page starts")]
DataTarget = Annotated[str, Query(alias="dataTarget")]


def _platform(request: Request) -> OuranosPlatform:
    platform = request.app.state.services.ouranos
    if platform is None:  # the router is only included on ouranos-platform nodes
        raise NotFound("this node has no ouranos-platform role")
    assert isinstance(platform, OuranosPlatform)
    return platform


def _api_key(request: Request) -> OuranosPlatform:
    """The platform, once the ``apiKey`` header is known and allowed from the client's address."""
    platform = _platform(request)
    address = request.client.host if request.client else None
    platform.accounts.check_api_key(request.headers.get("apiKey"), address)
    return platform


def _caller(request: Request) -> tuple[OuranosPlatform, Caller]:
    platform = _api_key(request)
    caller = platform.accounts.caller(request.headers.get("Authorization"))
    request.state.authenticated = True
    return platform, caller


async def _body(request: Request) -> JsonValue:
    """The JSON body, refused above the node's `max_body_bytes` (400 here: the OpenAPI documents no 413)."""
    return loads_exact(await read_body(request, request.app.state.services))


def _json(value: JsonValue, status: int = 200) -> Response:
    return Response(dumps_exact(value), status, media_type="application/json")


def _paged(request: Request, result: Page) -> Response:
    response = _json(list(result.items))
    if result.after is not None:
        response.headers["Link"] = f'<{request.url.include_query_params(after=result.after)}>; rel="next"'
    return response


def _text(body: JsonValue, name: str) -> str:
    value = fields.obj(body, "$").get(name)
    if not isinstance(value, str):
        raise InvalidInput.at(f"$.{name}", "is required", fields.RULE)
    return value


def _unknown(target: str) -> InvalidInput:
    return InvalidInput.at("dataTarget", f"unsupported dataTarget {target!r} for this method", fields.RULE)


def _login(request: Request, body: JsonValue) -> Response:
    platform = _api_key(request)
    tokens = platform.accounts.login(_text(body, "operatorAccountId"), _text(body, "accountPassword"))
    return _json({"accessToken": tokens.access_token, "refreshToken": tokens.refresh_token}, 201)


def _refresh(request: Request, body: JsonValue) -> Response:
    platform = _api_key(request)
    try:
        return _json({"accessToken": platform.accounts.refresh(_text(body, "refreshToken"))}, 201)
    except Unauthenticated as exc:  # /auth/refresh documents no 401: a bad refresh token is refused access
        raise Forbidden(str(exc)) from None


def _change(request: Request, body: JsonValue) -> Response:
    platform, caller = _caller(request)
    platform.accounts.change_password(caller, _text(body, "newPassword"))
    return Response(status_code=201)


# The handlers with a body read it here, then do their (blocking: scrypt, database) work in the thread pool.


@router.post("/auth/login", summary="Log in with operatorAccountId and accountPassword")
async def login(request: Request) -> Response:
    return await run_in_threadpool(_login, request, await _body(request))


@router.post("/auth/refresh", summary="A new access token for a refresh token")
async def refresh(request: Request) -> Response:
    return await run_in_threadpool(_refresh, request, await _body(request))


@router.post("/auth/change", summary="Change the calling account's password")
async def change(request: Request) -> Response:
    return await run_in_threadpool(_change, request, await _body(request))


@router.get("/api/v1/authInfo", summary="Operator (own, by openOperatorId, by operatorIds) or own plants")
def get_auth_info(
    request: Request,
    data_target: DataTarget,
    open_operator_id: Annotated[str | None, Query(alias="openOperatorId")] = None,
    operator_ids: Annotated[str | None, Query(alias="operatorIds")] = None,
) -> Response:
    platform, caller = _caller(request)
    if data_target == "operator" and operator_ids is not None:
        ids = fields.id_list(operator_ids, "operatorIds", fields.MAX_OPERATOR_IDS)
        return _json(platform.authinfo.operators(ids))
    if data_target == "operator":
        return _json(platform.authinfo.operator(caller, open_operator_id))
    if data_target == "plant":
        return _json(platform.authinfo.plants(caller))
    raise _unknown(data_target)


def _put_auth_info(request: Request, data_target: str, body: JsonValue) -> Response:
    platform, caller = _caller(request)
    if data_target == "operator":
        return _json(platform.authinfo.put_operator(caller, body), 201)
    if data_target == "plant":
        return _json(platform.authinfo.put_plant(caller, body), 201)
    raise _unknown(data_target)


@router.put("/api/v1/authInfo", summary="Update the own operator or register/update a plant")
async def put_auth_info(request: Request, data_target: DataTarget) -> Response:
    return await run_in_threadpool(_put_auth_info, request, data_target, await _body(request))


@router.get(
    "/api/v1/datatransport",
    summary="Read parts, structures, trades, status, CFP, CFP certificates; CFP grants and notifications (extensions)",
)
def get_datatransport(
    request: Request,
    data_target: DataTarget,
    limit: LimitQuery = None,
    after: AfterQuery = None,
    trace_id: Annotated[str | None, Query(alias="traceId")] = None,
    trace_ids: Annotated[str | None, Query(alias="traceIds")] = None,
    parts_name: Annotated[str | None, Query(alias="partsName")] = None,
    plant_id: Annotated[str | None, Query(alias="plantId")] = None,
    parent_flag: Annotated[bool | None, Query(alias="parentFlag")] = None,
    status_target: Annotated[str | None, Query(alias="statusTarget")] = None,
    status_id: Annotated[str | None, Query(alias="statusId")] = None,
) -> Response:
    platform, caller = _caller(request)
    size = fields.limit(limit)
    one = fields.a_uuid(trace_id, "traceId") if trace_id is not None else None
    many = fields.id_list(trace_ids, "traceIds", fields.MAX_TRACE_IDS)
    match data_target:
        case "parts":
            plant = fields.a_uuid(plant_id, "plantId") if plant_id is not None else None
            found = platform.parts.parts(
                caller,
                trace_id=one,
                parts_name=parts_name,
                plant_id=plant,
                parent_flag=parent_flag,
                size=size,
                after=after,
            )
            return _paged(request, found)
        case "partsStructure" if one is not None:
            return _json(platform.parts.structure(caller, one))
        case "tradeRequest":
            return _paged(request, platform.trades.requests(caller, many, size, after))
        case "tradeResponse":
            return _paged(request, platform.trades.received(caller, size, after))
        case "status":
            found = platform.trades.statuses(
                caller, target=status_target, trace_id=one, status_id=status_id, size=size, after=after
            )
            return _paged(request, found)
        case "cfp":
            return _json(platform.cfp.get(caller, many))
        case "cfpCertification" if one is not None:
            return _json(platform.cfp.certifications(caller, one))
        case "cfpAcl" if one is not None:
            return _json(platform.acl.get(caller, one))
        case "notification":
            return _paged(request, platform.notifications.list(caller, after, size))
        case "partsStructure" | "cfpCertification" | "cfpAcl":
            raise InvalidInput.at("traceId", "is required", fields.RULE)
    raise _unknown(data_target)


def _put_datatransport(request: Request, data_target: str, body: JsonValue) -> Response:
    platform, caller = _caller(request)
    match data_target:
        case "parts":
            return _json(platform.parts.put_parts(caller, body), 201)
        case "partsStructure":
            return _json(platform.parts.put_structure(caller, body), 201)
        case "tradeRequest":
            return _json(platform.trades.request(caller, body), 201)
        case "status":
            platform.trades.set_status(caller, body)
            return Response(status_code=201)
        case "cfp":
            return _json(platform.cfp.put(caller, body), 201)
        case "cfpAcl":
            return _json(platform.acl.put(caller, body), 201)
    raise _unknown(data_target)


def _put_trade_response(request: Request, trade_id: str | None, trace_id: str | None) -> Response:
    platform, caller = _caller(request)
    trade, trace = fields.a_uuid(trade_id, "tradeId"), fields.a_uuid(trace_id, "traceId")
    return _json(platform.trades.respond(caller, trade, trace), 201)


@router.put(
    "/api/v1/datatransport",
    summary="Register parts, structures, trade requests/responses, status, CFP; CFP grants (extension)",
)
async def put_datatransport(
    request: Request,
    data_target: DataTarget,
    trade_id: Annotated[str | None, Query(alias="tradeId")] = None,
    trace_id: Annotated[str | None, Query(alias="traceId")] = None,
) -> Response:
    if data_target == "tradeResponse":  # no body: the ids are in the query
        return await run_in_threadpool(_put_trade_response, request, trade_id, trace_id)
    return await run_in_threadpool(_put_datatransport, request, data_target, await _body(request))


@router.delete("/api/v1/datatransport", summary="Delete a part (not while a structure or a trade uses it)")
def delete_datatransport(
    request: Request, data_target: DataTarget, trace_id: Annotated[str, Query(alias="traceId")]
) -> Response:
    platform, caller = _caller(request)
    if data_target != "parts":
        raise _unknown(data_target)
    platform.parts.delete_part(caller, fields.a_uuid(trace_id, "traceId"))
    return Response(status_code=204)


@router.api_route("/{rest:path}", methods=["GET", "PUT", "POST", "DELETE"], include_in_schema=False)
def not_found(rest: str) -> Response:
    """Any other path under ``/ouranos``: 404 ``Endpoint Not Found`` in the Ouranos form (with ``X-Track``)."""
    raise NotFound(f"Endpoint Not Found: /{rest}")


__all__ = ["PREFIX", "OuranosRoute", "router"]
