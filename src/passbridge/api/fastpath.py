"""An ASGI front for the hottest request: ``GET /api/v1/passports/{id}[?format=…]`` answered from the view cache.

Why: a cached passport read is a dictionary lookup, but FastAPI's routing, dependency resolution and parameter
validation cost several times that per request. This front handles only the plain success case — a valid
passport id, at most a ``format`` parameter, anonymous or a bearer token — with exactly the route's semantics
(same service call, same headers, same 304 handling: `view_headers`, `not_modified`). Everything else, including
every error, falls through to the FastAPI app, which stays the one documented implementation (OpenAPI).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from passbridge.api.deps import resolve_caller
from passbridge.api.routes.passports import not_modified, view_headers
from passbridge.bootstrap import Services
from passbridge.ecosystems.catenax.battery_pass import FORMAT as DEFAULT_FORMAT
from passbridge.passport.model import PassportId

PREFIX = "/api/v1/passports/"


class PassportReadFastPath:
    """ASGI middleware serving cached passport views; falls through to `app` for anything else."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services
        self._headers: dict[tuple[str, str, int], list[tuple[bytes, bytes]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not path.startswith(PREFIX)
            or "/" in path[len(PREFIX) :]
        ):
            await self.app(scope, receive, send)
            return
        raw_query: bytes = scope["query_string"]
        query = parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True) if raw_query else []
        if any(name != "format" for name, _ in query) or len(query) > 1:
            await self.app(scope, receive, send)
            return
        headers = {name: value for name, value in scope["headers"] if name in (b"authorization", b"if-none-match")}
        authorization = headers.get(b"authorization")
        try:
            caller = resolve_caller(authorization.decode("latin-1") if authorization else None, self.services)
            if caller is None:  # a DCP caller: the app resolves it in a worker thread
                raise LookupError("remote caller")
            passport_id = PassportId.parse(path[len(PREFIX) :])
            view = self.services.passports.read(passport_id, caller.role, query[0][1] if query else DEFAULT_FORMAT)
        except Exception:  # any failure: the app redoes the request and answers it with its handlers
            await self.app(scope, receive, send)  # (problem+json for PassbridgeError, 500 for the unexpected)
            return
        if_none_match = headers.get(b"if-none-match")
        status = 304 if not_modified(view, if_none_match.decode("latin-1") if if_none_match else None) else 200
        body = b"" if status == 304 else view.body
        key = (view.etag, caller.role.value, status)
        raw_headers = self._headers.get(key)
        if raw_headers is None:  # built once per (view, role, status): views are immutable
            raw_headers = [(k.lower().encode(), v.encode()) for k, v in view_headers(view, caller.role).items()]
            if status == 200:
                raw_headers += [
                    (b"content-type", view.media_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                ]
            if len(self._headers) >= 100_000:
                self._headers.clear()
            self._headers[key] = raw_headers
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})


__all__ = ["PREFIX", "PassportReadFastPath"]
