"""An ASGI front for the hottest DSP request: ``POST /dsp/2025-1/catalog/request`` answered from a cache of encoded
catalogs.

Why (issue #5, ≥ 3,000 catalog requests / s): once the caller's presentation and the passport listing are cached,
FastAPI's routing, dependency resolution and the building and encoding of the catalog cost several times the DCP
check itself. This front handles only the plain success case — that path, no query string, a body that is a
``CatalogRequestMessage`` without ``filter`` in DSP 2025-1, a caller that verifies, a node whose database tells its
change generation (`CatalogService.catalog_key`) — with the route's semantics: the same caller check
(`dsp_caller`), the same catalog (`CatalogService.catalog`), the same encoding and ``Link`` header.

How:

1. The body is read (up to ``max_body_bytes``) and decoded; anything unexpected falls through to the FastAPI app
   with the body replayed — nothing has been looked at yet.
2. The caller is verified. When its DID document and verified presentation are cached, only the SI token is
   checked (signature, times, the replay store), on the event loop (`CallerVerification.cached_dataspace_caller`);
   otherwise in the thread pool (`dsp_caller`: DCP may call the caller's credential service, and the loop must not
   wait on it — in-process test networks would even deadlock). Either uses up the SI token's ``jti``, so from here
   on a fall-through hands the outcome to the route (`VERIFIED_CALLER`), which answers a refusal in DSP's error
   format and never verifies again. Without a change generation (PostgreSQL) nothing is cached: the route answers.
3. The catalog is encoded once per `catalog_key` with a placeholder uuid (`offer_uuid`); each answer substitutes a
   fresh uuid into the catalog id and every offer id (`_fresh`), so no two answers share offer ids, as before.

The route stays the one documented implementation (OpenAPI) and answers every error.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Hashable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from passbridge.api.dsp_support import DSP_2025_1, VERIFIED_CALLER, dsp_caller, next_page_link
from passbridge.api.routes.dsp import PAGE_SIZE
from passbridge.bootstrap import Services
from passbridge.dataspace.messages import CatalogRequestMessage
from passbridge.dataspace.node import DSP_PATH
from passbridge.dataspace_wiring import MEMBERSHIP
from passbridge.jsoncodec import loads_fast

CATALOG_PATH = DSP_PATH + "/catalog/request"
_MAX_ENTRIES = 10_000
_WAIT = object()


class _Encoded:
    """A catalog encoded with the placeholder uuid, and the ``Link`` of its next page if any."""

    __slots__ = ("body", "link")

    def __init__(self, body: bytes, link: str | None) -> None:
        self.body, self.link = body, link


class CatalogFastPath:
    """ASGI middleware answering plain DSP 2025-1 catalog requests from cached encodings; falls through to `app`."""

    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app = app
        self.services = services
        self._placeholder = str(uuid.uuid4())  # a uuid no catalog contains: substituted per answer
        self._placeholder_b64 = base64.b64encode(self._placeholder.encode()).decode("ascii")
        self._encoded: dict[Hashable, _Encoded] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope.get("path") != CATALOG_PATH
            or scope.get("query_string")
        ):
            await self.app(scope, receive, send)
            return
        messages, body = await self._read(receive)
        authorization = next((value for name, value in scope["headers"] if name == b"authorization"), None)
        if body is None or authorization is None or not self._plain_request(body):
            await self.app(scope, _replay(messages, receive), send)
            return
        header = authorization.decode("latin-1")
        if not self.services.dataspace.service.catalogs.caches_catalogs:
            await self.app(scope, _replay(messages, receive), send)  # PostgreSQL: nothing to answer from
            return
        answer = self._answer(scope, header, inline=True)
        if answer is _WAIT:
            answer = await run_in_threadpool(self._answer, scope, header, inline=False)
        if not isinstance(answer, tuple):  # the route answers, with the caller verified above if it got that far
            await self.app(scope, _replay(messages, receive), send)
            return
        body_bytes, link = answer
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body_bytes)).encode())]
        if link is not None:
            headers.append((b"link", link.encode("latin-1")))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body_bytes})

    async def _read(self, receive: Receive) -> tuple[list[Message], bytes | None]:
        """The messages read and the whole body; None as body when it ends otherwise or exceeds the limit."""
        limit = self.services.settings.max_body_bytes
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages, None
            size += len(message.get("body", b""))
            if size > limit:
                return messages, None
            if not message.get("more_body", False):
                return messages, b"".join(m.get("body", b"") for m in messages)

    @staticmethod
    def _plain_request(body: bytes) -> bool:
        try:
            message = DSP_2025_1.read(loads_fast(body), CatalogRequestMessage)
        except Exception:  # the route reads it again and answers with the protocol error
            return False
        return not message.filter

    def _answer(self, scope: Scope, authorization: str, *, inline: bool) -> tuple[bytes, str | None] | object | None:
        """The catalog body and ``Link`` for this caller, or None to let the route answer. `inline` (on the event
        loop): only from what is cached — `_WAIT` when the caller's check would wait on another party (then call
        again in a worker thread, the SI token still unused)."""
        try:
            if inline:
                scheme, _, token = authorization.partition(" ")
                if scheme.lower() != "bearer" or not token.strip():
                    return None  # the route refuses it
                callers = self.services.identity.callers
                cached = callers.cached_dataspace_caller(token.strip(), MEMBERSHIP)
                if cached is None:
                    return _WAIT
                caller = cached
            else:
                caller = dsp_caller(self.services, authorization)
        except Exception as exc:  # refused: the route answers in DSP's error format, from this very outcome
            scope.setdefault("state", {})[VERIFIED_CALLER] = (authorization, exc)
            return None
        scope.setdefault("state", {})[VERIFIED_CALLER] = (authorization, caller)
        catalogs = self.services.dataspace.service.catalogs
        try:
            key = catalogs.catalog_key(caller, limit=PAGE_SIZE)
            if key is None:
                return None
            encoded = self._encoded.get(key)
            if encoded is None:
                message = CatalogRequestMessage()
                catalog, more = catalogs.catalog(caller, message, limit=PAGE_SIZE, offer_uuid=self._placeholder)
                link = None if more is None else next_page_link(self.services, DSP_PATH, more)
                encoded = _Encoded(bytes(JSONResponse(DSP_2025_1.encode(catalog)).body), link)
                if len(self._encoded) >= _MAX_ENTRIES:
                    self._encoded.clear()
                self._encoded[key] = encoded
        except Exception:  # the route builds it again and answers any error
            return None
        return self._fresh(encoded.body), encoded.link

    def _fresh(self, body: bytes) -> bytes:
        """`body` with a fresh uuid in place of the placeholder (plain in the catalog id, base64 in offer ids)."""
        fresh = str(uuid.uuid4())
        fresh_b64 = base64.b64encode(fresh.encode()).decode("ascii")
        return body.replace(self._placeholder.encode(), fresh.encode()).replace(
            self._placeholder_b64.encode(), fresh_b64.encode()
        )


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` giving `messages` again, then what `receive` gives."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        message: Any = await receive()
        return message  # type: ignore[no-any-return]

    return replayed


__all__ = ["CATALOG_PATH", "CatalogFastPath"]
