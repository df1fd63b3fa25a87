"""What the DSP routers (`passbridge.api.routes.dsp`) share across wire dialects: the `Codec` a router speaks
(2025-1 plain JSON, or the v0.8 "Jupiter" JSON-LD dialect), the route class answering every refusal with that
dialect's protocol error object (`dsp_route_class`, `dsp_error`), and the request helpers (DCP caller, body).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from passbridge.bootstrap import Services
from passbridge.dataspace.codec import dsp_2025_1, dsp_v0_8
from passbridge.dataspace.error_replies import CatalogError, ContractNegotiationError, TransferError, error_reply
from passbridge.dataspace.messages import Message
from passbridge.dataspace.node import CALLBACK_PATH, encode, speaking
from passbridge.dataspace_wiring import MEMBERSHIP
from passbridge.errors import PassbridgeError, PayloadTooLarge, Unauthenticated
from passbridge.identity.acceptance import VerifiedPresentation
from passbridge.jsoncodec import loads_fast

_M = TypeVar("_M", bound=Message)


@dataclass(frozen=True, slots=True)
class Codec:
    """One DSP wire dialect as the routes use it.

    Attributes:
        version: the ``version`` of ``/.well-known/dspace-version`` (``2025-1``, ``v0.8``).
        decode: ``(parsed body, expected message class) → message``; raises `ProtocolError` naming the field.
        encode: ``message → JSON`` for replies (ACKs, catalogs) and the error objects alike.
        pid_keys: the members naming the provider and consumer pid in a raw body (echoed in error objects).
    """

    version: str
    decode: Callable[[object, type[Any]], Any]
    encode: Callable[[Message], dict[str, Any]]
    pid_keys: tuple[str, str] = ("providerPid", "consumerPid")

    def read(self, raw: object, expected: type[_M]) -> _M:
        """`raw` decoded as `expected`."""
        message: _M = self.decode(raw, expected)
        return message


DSP_2025_1 = Codec(dsp_2025_1.VERSION, dsp_2025_1.decode, encode)
"""DSP 2025-1: plain JSON; replies carry the DSP and Catena-X policy contexts (`passbridge.dataspace.node.encode`)."""
DSP_V0_8 = Codec(dsp_v0_8.VERSION, dsp_v0_8.decode, dsp_v0_8.encode, ("dspace:providerPid", "dspace:consumerPid"))
"""DSP v0.8 (Tractus-X EDC ≤ 0.10): prefixed JSON-LD, read by meaning with the bundled contexts (offline)."""


def dsp_error(
    request: Request, error: PassbridgeError, codec: Codec = DSP_2025_1, callback_prefix: str = CALLBACK_PATH
) -> Response:
    """The error object of the protocol `request` belongs to, with the pids it named, in `codec`'s dialect."""
    path = request.url.path
    kind: type[CatalogError | ContractNegotiationError | TransferError]
    kind = (
        TransferError if "/transfers" in path else ContractNegotiationError if "/negotiations" in path else CatalogError
    )
    raw = getattr(request.state, "dsp_body", None)
    provider_key, consumer_key = codec.pid_keys
    pids = {"providerPid": raw.get(provider_key), "consumerPid": raw.get(consumer_key)} if isinstance(raw, dict) else {}
    pid = request.path_params.get("pid")
    if isinstance(pid, str):
        pids["consumerPid" if path.startswith(callback_prefix) else "providerPid"] = pid
    status, reply = error_reply(
        error,
        kind,
        provider_pid=pids.get("providerPid") if isinstance(pids.get("providerPid"), str) else None,
        consumer_pid=pids.get("consumerPid") if isinstance(pids.get("consumerPid"), str) else None,
    )
    if isinstance(error, PayloadTooLarge):
        status = 413
    headers = {"WWW-Authenticate": 'Bearer realm="dsp"'} if status == 401 else None
    return JSONResponse(codec.encode(reply), status_code=status, headers=headers)


class DspRoute(APIRoute):
    """Answers every refusal with the protocol's error object (named by the path) instead of problem+json, in the
    class's `codec` (DSP 2025-1 here; `dsp_route_class` makes one per dialect), and handles the request `speaking`
    that dialect, so the messages it queues in reply are sent in it."""

    codec: ClassVar[Codec] = DSP_2025_1
    callback_prefix: ClassVar[str] = CALLBACK_PATH

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        codec, callback_prefix = type(self).codec, type(self).callback_prefix

        async def guarded(request: Request) -> Response:
            try:
                with speaking(codec.version):  # what the handler queues in reply goes out in this dialect
                    return await handler(request)
            except PassbridgeError as exc:
                return dsp_error(request, exc, codec, callback_prefix)

        return guarded


def dsp_route_class(codec: Codec, callback_prefix: str) -> type[DspRoute]:
    """A `DspRoute` answering refusals in `codec`'s dialect, callbacks under `callback_prefix`."""
    if codec is DSP_2025_1 and callback_prefix == CALLBACK_PATH:
        return DspRoute
    name = f"DspRoute_{codec.version.replace('.', '_').replace('-', '_')}"
    return type(name, (DspRoute,), {"codec": codec, "callback_prefix": callback_prefix})


VERIFIED_CALLER = "passbridge.dsp_caller"
"""Scope state key under which `passbridge.api.dsp_fastpath` hands the route the outcome of a DCP verification it
already ran, as ``(Authorization header, VerifiedPresentation or the exception raised)``: the SI token's ``jti`` is
used up by then, so verifying again would refuse the caller as a replay."""


def dsp_caller(services: Services, authorization: str | None, request: Request | None = None) -> VerifiedPresentation:
    """The DCP-verified caller of a DSP request (``Authorization: Bearer <SI token>``, a data-space member); with
    `request`, the outcome the fast path left under `VERIFIED_CALLER` for this same header is used instead.

    Raises:
        Unauthenticated: no bearer token. (Verification failures raise from `dataspace_caller`.)
    """
    if request is not None:
        handed = request.scope.get("state", {}).get(VERIFIED_CALLER)
        if handed is not None and handed[0] == authorization:
            if isinstance(handed[1], BaseException):
                raise handed[1]
            verified: VerifiedPresentation = handed[1]
            return verified
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("DSP requests need 'Authorization: Bearer <DCP self-issued ID token>'")
    return services.identity.callers.dataspace_caller(token.strip(), MEMBERSHIP)


def next_page_link(services: Services, prefix: str, last: str) -> str:
    """The ``Link`` header value naming the catalog page after dataset `last` (DSP 2025-1 catalog pagination)."""
    return f'<{services.settings.effective_public_url}{prefix}/catalog/request?after={last}>; rel="next"'


def read_body(request: Request, body: bytes, codec: Codec, expected: type[_M]) -> _M:
    """The body as `expected` in `codec`'s dialect; the raw JSON is kept for the pids of an error reply."""
    raw = loads_fast(body)
    request.state.dsp_body = raw
    return codec.read(raw, expected)


__all__ = [
    "DSP_2025_1",
    "DSP_V0_8",
    "VERIFIED_CALLER",
    "Codec",
    "DspRoute",
    "dsp_caller",
    "dsp_error",
    "dsp_route_class",
    "next_page_link",
    "read_body",
]
