"""Support for the AAS Part 2 router: errors as AAS `Result` objects (the route class) and cursor paging."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC
from itertools import islice
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from passbridge.bootstrap import Services
from passbridge.ecosystems.idta import registry as reg
from passbridge.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from passbridge.jsoncodec import dumps_exact

logger = logging.getLogger(__name__)

PAGE, MAX_PAGE = 100, 1000
Items = Iterable[tuple[reg.Position, Any]]
_STATUS = ((InvalidInput, 400), (Unauthenticated, 401), (Forbidden, 403), (NotFound, 404), (Conflict, 409))


def result(services: Services, status: int, text: str) -> Response:
    """An AAS Part 2 ``Result`` with one error message (only the members the schema defines)."""
    now = services.clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = {"messageType": "Error", "text": text, "code": str(status), "timestamp": now}
    headers = {"WWW-Authenticate": 'Bearer realm="passbridge"'} if status == 401 else None
    return Response(dumps_exact({"messages": [message]}), status, headers, "application/json")


def _error(request: Request, exc: Exception) -> Response:
    services: Services = request.app.state.services
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        return result(services, 400, f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}")
    if isinstance(exc, StarletteHTTPException):
        return result(services, exc.status_code, str(exc.detail))
    status = next((status for cls, status in _STATUS if isinstance(exc, cls)), 500)
    if status == 500:
        logger.exception("unexpected error on %s", request.url.path)
    return result(services, status, str(exc) if status < 500 else "internal error")


class AasRoute(APIRoute):
    """A route whose every error, request validation included, is answered as an AAS `Result`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as exc:
                return _error(request, exc)

        return handle


def json_response(value: Any) -> Response:
    return Response(dumps_exact(value), media_type="application/json", headers={"Vary": "Authorization"})


def paged(items: Items, limit: int | None) -> Response:
    """One page of items (JSON values, or JSON already encoded); a cursor (the last item's position) only when more
    items follow."""
    size = min(limit or PAGE, MAX_PAGE)
    taken = list(islice(items, size + 1))
    meta = {"cursor": reg.encode_cursor(taken[size - 1][0])} if len(taken) > size else {}
    encoded = b",".join(item if isinstance(item, bytes) else dumps_exact(item) for _, item in taken[:size])
    body = b'{"paging_metadata":%s,"result":[%s]}' % (dumps_exact(meta), encoded)
    return Response(body, media_type="application/json", headers={"Vary": "Authorization"})


def after(cursor: str | None) -> reg.Position | None:
    return reg.decode_cursor(cursor) if cursor is not None else None


__all__ = ["MAX_PAGE", "PAGE", "AasRoute", "Items", "after", "json_response", "paged", "result"]
