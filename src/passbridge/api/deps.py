"""FastAPI dependency providers: the services, the caller, the request body within limits.

Caller resolution is a chain of `CallerResolver`s tried in order on the ``Authorization`` header: first the local
ones (the interim bearer token: a signature check, cached), then the remote ones (DCP: a self-issued ID token whose
credentials are fetched from the caller's credential service and verified), which run in the thread pool because
they call out. The passport routes only ever see a `Caller`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Protocol

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from passbridge.bootstrap import Services
from passbridge.errors import Forbidden, PayloadTooLarge, Unauthenticated, VerificationFailed
from passbridge.identity import jose
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
        try:
            return services.tokens.verify(token.strip(), services.clock.now())
        except Unauthenticated:
            if _self_issued(token.strip()):
                return None  # a DCP caller: the remote resolver's turn
            raise


def _self_issued(token: str) -> bool:
    try:
        _, claims = jose.peek(token)
    except VerificationFailed:
        return False
    return str(claims.get("iss", "")).startswith("did:")


class DcpPresentationResolver:
    """``Authorization: Bearer <self-issued ID token>`` (DCP 1.0): the reader credential the caller presents from
    its credential service decides the role (`passbridge.identity.callers.READER_ROLES`)."""

    def resolve(self, authorization: str, services: Services) -> Caller | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not _self_issued(token.strip()):
            return None
        holder, role, _ = services.identity.callers.reader(token.strip())
        return Caller(role, holder, via="DCP presentation")


RESOLVERS: Sequence[CallerResolver] = (BearerTokenResolver(),)
REMOTE_RESOLVERS: Sequence[CallerResolver] = (DcpPresentationResolver(),)


async def get_services(request: Request) -> Services:
    """The node's services (set on the app at creation). Async on purpose: a plain function dependency would be
    run in the thread pool, a hop that costs more than the whole cached passport read."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_caller(request: Request, services: ServicesDep) -> Caller:
    """The caller of this request; no ``Authorization`` header = anonymous (async: see `get_services`).

    Raises:
        Unauthenticated: credentials that no resolver accepts (VerificationFailed with the DCP refusal).
    """
    authorization = request.headers.get("authorization")
    caller = resolve_caller(authorization, services)
    if caller is None:
        assert authorization is not None
        caller = await run_in_threadpool(resolve_remote_caller, authorization, services)
    return caller


def resolve_caller(authorization: str | None, services: Services) -> Caller | None:
    """The caller an ``Authorization`` header value names by local means (None or empty header = anonymous);
    None when only a remote resolver (DCP) can tell.

    Raises:
        Unauthenticated: credentials that no resolver accepts.
    """
    if not authorization:
        return Caller.anonymous()
    for resolver in RESOLVERS:
        caller = resolver.resolve(authorization, services)
        if caller is not None:
            return caller
    if authorization.partition(" ")[0].lower() == "bearer":
        return None
    raise Unauthenticated("unsupported Authorization scheme; use Bearer")


def resolve_remote_caller(authorization: str, services: Services) -> Caller:
    """The caller as the remote resolvers (DCP) find it; blocking — call it from a worker thread.

    Raises:
        Unauthenticated: no resolver accepts the credentials.
    """
    for resolver in REMOTE_RESOLVERS:
        caller = resolver.resolve(authorization, services)
        if caller is not None:
            return caller
    raise Unauthenticated("bearer token rejected: neither this node's token nor a DCP self-issued ID token")


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
    "REMOTE_RESOLVERS",
    "RESOLVERS",
    "BearerTokenResolver",
    "BodyDep",
    "CallerDep",
    "CallerResolver",
    "DcpPresentationResolver",
    "OwnerDep",
    "ServicesDep",
    "get_caller",
    "get_services",
    "read_body",
    "require_owner",
    "resolve_caller",
    "resolve_remote_caller",
]
