"""An ASGI front on an `ouranos-platform` node that serves each consenting operator's presence under
``/link/<operatorId>/…`` (`passbridge.link_wiring`): its DID document (``…/did.json``), DCP credential service,
DSP endpoints and data plane — each presence its own FastAPI app over its own services, built on first use.

Mounted the way Starlette's `Mount` does it: ``root_path`` grows by the prefix, ``path`` stays whole, so the
presence's routes and the URLs it builds are those of a node whose public URL is ``<platform>/link/<id>``.
An operator without consent (or an unknown id) gets 404 problem+json: its DID does not resolve.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from passbridge.api.problems import problem
from passbridge.bootstrap import Services
from passbridge.link_wiring import PATH, LinkGateway

_PREFIX = f"{PATH}/"


class LinkMount:
    """Routes ``/link/<operatorId>/…`` to that operator's presence; everything else to `app`."""

    def __init__(self, app: ASGIApp, link: LinkGateway, build_app: Callable[[Services], ASGIApp]) -> None:
        self.app, self.link, self._build_app = app, link, build_app
        self._apps: dict[str, tuple[Services, ASGIApp]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(_PREFIX):
            await self.app(scope, receive, send)
            return
        operator_id = path[len(_PREFIX) :].split("/", 1)[0]
        services = await run_in_threadpool(self.link.host.services_of, operator_id) if operator_id else None
        if services is None:
            response = problem(
                404, "not-found", "Not Found", f"no operator {operator_id!r} is presented through the link", path
            )
            await response(scope, receive, send)
            return
        cached = self._apps.get(operator_id)
        if cached is None or cached[0] is not services:  # first use, or the presence was restarted
            cached = self._apps[operator_id] = (services, self._build_app(services))
        app = cached[1]
        mounted = dict(scope)
        mounted["root_path"] = scope.get("root_path", "") + f"{PATH}/{operator_id}"
        await app(mounted, receive, send)


__all__ = ["LinkMount"]
