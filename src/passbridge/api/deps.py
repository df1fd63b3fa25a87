"""FastAPI dependency providers: the services, the caller, the request body within limits.

Caller resolution is a chain of `CallerResolver`s tried in order on the ``Authorization`` header; the interim
bearer token is the first. Verifiable-presentation callers (DCP) plug in as another resolver, and the passport
routes, which only ever see a `Caller`, do not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Protocol

from fastapi import Depends, Request

from passbridge.bootstrap import Services
from passbridge.errors import Forbidden, PayloadTooLarge, Unauthenticated
from passbridge.identity.tokens import Caller
from passbridge.passport.access import Role


class CallerResolver(Protocol):
    """Turns credentials into a caller, or returns None when they are not of its kind."""

    def resolve(self, authorization: str, services: Services) -> Caller | None: ...


class BearerTokenResolver:
    """``Authorization: Bearer <jwt>`` signed by this node (`passbridge token`)."""

    def resolve(self, authorization: str, services: Services) -> Caller | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        return services.tokens.verify(token.strip(), services.clock.now())


RESOLVERS: Sequence[CallerResolver] = (BearerTokenResolver(),)


async def get_services(request: Request) -> Services:
    """The node's services (set on the app at creation). Async on purpose: a plain function dependency would be
    run in the thread pool, a hop that costs more than the whole cached passport read."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_caller(request: Request, services: ServicesDep) -> Caller:
    """The caller of this request; no ``Authorization`` header = anonymous (async: see `get_services`).

    Raises:
        Unauthenticated: credentials that no resolver accepts.
    """
    return resolve_caller(request.headers.get("authorization"), services)


def resolve_caller(authorization: str | None, services: Services) -> Caller:
    """The caller an ``Authorization`` header value names (None or empty = anonymous).

    Raises:
        Unauthenticated: credentials that no resolver accepts.
    """
    if not authorization:
        return Caller.anonymous()
    for resolver in RESOLVERS:
        caller = resolver.resolve(authorization, services)
        if caller is not None:
            return caller
    raise Unauthenticated("unsupported Authorization scheme; use Bearer")


CallerDep = Annotated[Caller, Depends(get_caller)]


async def require_owner(caller: CallerDep) -> Caller:
    """Only the economic operator running this node may write.

    Raises:
        Unauthenticated: anonymous callers.
        Forbidden: authenticated callers in another role.
    """
    if caller.role is Role.ANONYMOUS:
        raise Unauthenticated("this operation needs the owner's bearer token (passbridge token --role owner)")
    if caller.role is not Role.OWNER:
        raise Forbidden(f"role {caller.role.value!r} may not change passports; only 'owner' may")
    return caller


OwnerDep = Annotated[Caller, Depends(require_owner)]


async def read_body(request: Request, services: ServicesDep) -> bytes:
    """The request body, refused above `max_body_bytes` before it is all read.

    Raises:
        PayloadTooLarge: declared or actual size above the limit.
    """
    limit = services.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


BodyDep = Annotated[bytes, Depends(read_body)]

__all__ = [
    "RESOLVERS",
    "BearerTokenResolver",
    "BodyDep",
    "CallerDep",
    "CallerResolver",
    "OwnerDep",
    "ServicesDep",
    "get_caller",
    "get_services",
    "read_body",
    "require_owner",
    "resolve_caller",
]
