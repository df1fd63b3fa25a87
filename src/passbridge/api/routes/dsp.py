"""The Dataspace Protocol 2025-1 HTTPS binding: ``/.well-known/dspace-version`` and everything under
``/dsp/2025-1`` — catalog, provider-side negotiation and transfer endpoints, and the consumer callbacks under
``/dsp/2025-1/callback`` (our ``callbackAddress``; a separate prefix because the provider and consumer paths of
the binding overlap, e.g. ``/negotiations/:pid/events``).

Every DSP request is authenticated with DCP: ``Authorization: Bearer <self-issued ID token>``, verified with the
caller's credential service (`CallerVerification.dataspace_caller`: a ``MembershipCredential`` from a trusted
issuer, or a foreign credential the trust list recognises as one; passport reader credentials when presented).
Errors are the protocol's own error objects (``CatalogError``, ``ContractNegotiationError``, ``TransferError``)
with the status of `passbridge.dataspace.messages.error_status` (`DspRoute`), never problem+json. Routes are plain
``def``: DCP verification calls out, so they run in the thread pool.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from passbridge.api.deps import BodyDep, ServicesDep
from passbridge.bootstrap import Services
from passbridge.dataspace.codec import dsp_2025_1 as codec
from passbridge.dataspace.messages import (
    CatalogError,
    CatalogRequestMessage,
    ContractAgreementMessage,
    ContractAgreementVerificationMessage,
    ContractNegotiationError,
    ContractNegotiationEventMessage,
    ContractNegotiationTerminationMessage,
    ContractOfferMessage,
    ContractRequestMessage,
    Message,
    Role,
    TransferCompletionMessage,
    TransferError,
    TransferRequestMessage,
    TransferStartMessage,
    TransferSuspensionMessage,
    TransferTerminationMessage,
    VersionAuth,
    VersionEntry,
    VersionResponse,
    error_reply,
)
from passbridge.dataspace.node import CALLBACK_PATH, DSP_PATH, encode
from passbridge.dataspace_wiring import MEMBERSHIP
from passbridge.errors import PassbridgeError, PayloadTooLarge, Unauthenticated
from passbridge.identity.verifier import VerifiedPresentation
from passbridge.jsoncodec import loads_fast

AuthorizationHeader = Annotated[str | None, Header(alias="authorization", include_in_schema=False)]
VERSION_PATH = "/.well-known/dspace-version"
PAGE_SIZE = 100
_M = TypeVar("_M", bound=Message)


class DspRoute(APIRoute):
    """Answers every refusal with the protocol's error object (named by the path) instead of problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except PassbridgeError as exc:
                return dsp_error(request, exc)

        return guarded


def dsp_error(request: Request, error: PassbridgeError) -> Response:
    """The error object of the protocol `request` belongs to, with the pids it named."""
    path = request.url.path
    kind: type[CatalogError | ContractNegotiationError | TransferError]
    kind = (
        TransferError if "/transfers" in path else ContractNegotiationError if "/negotiations" in path else CatalogError
    )
    raw = getattr(request.state, "dsp_body", None)
    pids = {name: raw.get(name) for name in ("providerPid", "consumerPid")} if isinstance(raw, dict) else {}
    pid = request.path_params.get("pid")
    if isinstance(pid, str):
        pids["consumerPid" if path.startswith(CALLBACK_PATH) else "providerPid"] = pid
    status, reply = error_reply(
        error,
        kind,
        provider_pid=pids.get("providerPid") if isinstance(pids.get("providerPid"), str) else None,
        consumer_pid=pids.get("consumerPid") if isinstance(pids.get("consumerPid"), str) else None,
    )
    if isinstance(error, PayloadTooLarge):
        status = 413
    headers = {"WWW-Authenticate": 'Bearer realm="dsp"'} if status == 401 else None
    return JSONResponse(encode(reply), status_code=status, headers=headers)


router = APIRouter(tags=["dataspace"], route_class=DspRoute)


def _caller(services: Services, authorization: str | None) -> VerifiedPresentation:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("DSP requests need 'Authorization: Bearer <DCP self-issued ID token>'")
    return services.identity.callers.dataspace_caller(token.strip(), MEMBERSHIP)


def _read(request: Request, body: bytes, expected: type[_M]) -> _M:
    raw = loads_fast(body)
    request.state.dsp_body = raw
    return codec.decode(raw, expected)


def _json(message: Message, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(encode(message), status_code=status, headers=headers)


@router.get(VERSION_PATH, summary="DSP version metadata (unauthenticated)")
def dspace_version(services: ServicesDep) -> JSONResponse:
    """The protocol versions this node speaks and where (2025-1 at ``/dsp/2025-1``, DCP 1.0 authentication)."""
    entry = VersionEntry(
        "2025-1",
        DSP_PATH,
        "HTTPS",
        service_id=f"{services.identity.did}#dsp",
        identifier_type="did:web",
        auth=VersionAuth("DCP", "1.0", ("vc20-bssl/jwt",)),
    )
    return JSONResponse(codec.encode(VersionResponse((entry,))))


# catalog --------------------------------------------------------------------------------------------------------


@router.post(f"{DSP_PATH}/catalog/request", summary="DSP catalog request")
def catalog_request(
    request: Request,
    services: ServicesDep,
    body: BodyDep,
    authorization: AuthorizationHeader = None,
    after: Annotated[str | None, Query(description="page: the last dataset id of the previous page")] = None,
) -> JSONResponse:
    """The catalog the caller may see: the registry and a page of passports (``Link: rel="next"`` for more)."""
    caller = _caller(services, authorization)
    message = _read(request, body, CatalogRequestMessage)
    catalog, more = services.dataspace.service.catalog(caller, message, after=after, limit=PAGE_SIZE)
    headers = None
    if more is not None:
        headers = {
            "Link": f'<{services.settings.effective_public_url}{DSP_PATH}/catalog/request?after={more}>; rel="next"'
        }
    return _json(catalog, headers=headers)


@router.get(f"{DSP_PATH}/catalog/datasets/{{dataset_id}}", summary="DSP dataset request")
def dataset_request(dataset_id: str, services: ServicesDep, authorization: AuthorizationHeader = None) -> JSONResponse:
    """One dataset with the offers the caller may see (``CatalogError`` 404 otherwise)."""
    caller = _caller(services, authorization)
    return _json(services.dataspace.service.dataset(caller, dataset_id))


# provider: negotiations -----------------------------------------------------------------------------------------


@router.post(f"{DSP_PATH}/negotiations/request", status_code=201, summary="DSP contract request (initial)")
def negotiation_request(
    request: Request, services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
) -> JSONResponse:
    """Start a negotiation on a catalog offer; the agreement is sent to the callback address."""
    caller = _caller(services, authorization)
    message = _read(request, body, ContractRequestMessage)
    return _json(services.dataspace.service.request_negotiation(caller, message), 201)


@router.get(f"{DSP_PATH}/negotiations/{{pid}}", summary="DSP contract negotiation state (provider)")
def negotiation_get(pid: str, services: ServicesDep, authorization: AuthorizationHeader = None) -> JSONResponse:
    """The negotiation's pids and state (404 for unknown pids and other parties' negotiations)."""
    caller = _caller(services, authorization)
    return _json(services.dataspace.service.negotiation_state(caller, pid, Role.PROVIDER))


@router.get(f"{CALLBACK_PATH}/negotiations/{{pid}}", summary="DSP contract negotiation state (consumer)")
def consumer_negotiation_get(
    pid: str, services: ServicesDep, authorization: AuthorizationHeader = None
) -> JSONResponse:
    """Our consumer negotiation's pids and state."""
    caller = _caller(services, authorization)
    return _json(services.dataspace.service.negotiation_state(caller, pid, Role.CONSUMER))


@router.post(f"{CALLBACK_PATH}/negotiations/offers", status_code=201, summary="DSP contract offer (initial)")
def consumer_initial_offer(
    request: Request, services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
) -> JSONResponse:
    """A provider-initiated offer: recorded as OFFERED (this node does not accept offers on its own)."""
    caller = _caller(services, authorization)
    message = _read(request, body, ContractOfferMessage)
    return _json(services.dataspace.callbacks.initial_offer(caller, message), 201)


def _negotiation_endpoint(expected: type[Message], role: Role) -> Callable[..., JSONResponse]:
    def endpoint(
        pid: str, request: Request, services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
    ) -> JSONResponse:
        caller = _caller(services, authorization)
        message: Any = _read(request, body, expected)
        service = services.dataspace.service
        if role is Role.PROVIDER:
            return _json(service.negotiation_message(caller, pid, message))
        return _json(services.dataspace.callbacks.consumer_negotiation_message(caller, pid, message))

    return endpoint


def _transfer_endpoint(expected: type[Message], role: Role) -> Callable[..., JSONResponse]:
    def endpoint(
        pid: str, request: Request, services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
    ) -> JSONResponse:
        caller = _caller(services, authorization)
        message: Any = _read(request, body, expected)
        service = services.dataspace.service
        if role is Role.PROVIDER:
            return _json(service.transfer_message(caller, pid, message))
        return _json(services.dataspace.callbacks.consumer_transfer_message(caller, pid, message))

    return endpoint


_NEGOTIATION_ROUTES: tuple[tuple[str, type[Message], Role], ...] = (
    (f"{DSP_PATH}/negotiations/{{pid}}/request", ContractRequestMessage, Role.PROVIDER),
    (f"{DSP_PATH}/negotiations/{{pid}}/events", ContractNegotiationEventMessage, Role.PROVIDER),
    (f"{DSP_PATH}/negotiations/{{pid}}/agreement/verification", ContractAgreementVerificationMessage, Role.PROVIDER),
    (f"{DSP_PATH}/negotiations/{{pid}}/termination", ContractNegotiationTerminationMessage, Role.PROVIDER),
    (f"{CALLBACK_PATH}/negotiations/{{pid}}/offers", ContractOfferMessage, Role.CONSUMER),
    (f"{CALLBACK_PATH}/negotiations/{{pid}}/agreement", ContractAgreementMessage, Role.CONSUMER),
    (f"{CALLBACK_PATH}/negotiations/{{pid}}/events", ContractNegotiationEventMessage, Role.CONSUMER),
    (f"{CALLBACK_PATH}/negotiations/{{pid}}/termination", ContractNegotiationTerminationMessage, Role.CONSUMER),
)
_TRANSFER_ROUTES: tuple[tuple[str, type[Message], Role], ...] = (
    (f"{DSP_PATH}/transfers/{{pid}}/start", TransferStartMessage, Role.PROVIDER),
    (f"{DSP_PATH}/transfers/{{pid}}/completion", TransferCompletionMessage, Role.PROVIDER),
    (f"{DSP_PATH}/transfers/{{pid}}/suspension", TransferSuspensionMessage, Role.PROVIDER),
    (f"{DSP_PATH}/transfers/{{pid}}/termination", TransferTerminationMessage, Role.PROVIDER),
    (f"{CALLBACK_PATH}/transfers/{{pid}}/start", TransferStartMessage, Role.CONSUMER),
    (f"{CALLBACK_PATH}/transfers/{{pid}}/completion", TransferCompletionMessage, Role.CONSUMER),
    (f"{CALLBACK_PATH}/transfers/{{pid}}/suspension", TransferSuspensionMessage, Role.CONSUMER),
    (f"{CALLBACK_PATH}/transfers/{{pid}}/termination", TransferTerminationMessage, Role.CONSUMER),
)

for _path, _type, _role in _NEGOTIATION_ROUTES:
    router.add_api_route(
        _path,
        _negotiation_endpoint(_type, _role),
        methods=["POST"],
        summary=f"DSP {_type.__name__} ({_role.value})",
        name=f"{_role.value}_{_path.rsplit('}', 1)[1].strip('/').replace('/', '_')}_negotiation",
    )

# provider: transfers --------------------------------------------------------------------------------------------


@router.post(f"{DSP_PATH}/transfers/request", status_code=201, summary="DSP transfer request")
def transfer_request(
    request: Request, services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
) -> JSONResponse:
    """Start an HTTP-pull transfer under a finalized agreement; the start message (with the EDR) follows."""
    caller = _caller(services, authorization)
    message = _read(request, body, TransferRequestMessage)
    return _json(services.dataspace.service.request_transfer(caller, message), 201)


@router.get(f"{DSP_PATH}/transfers/{{pid}}", summary="DSP transfer process state (provider)")
def transfer_get(pid: str, services: ServicesDep, authorization: AuthorizationHeader = None) -> JSONResponse:
    """The transfer's pids and state."""
    caller = _caller(services, authorization)
    return _json(services.dataspace.service.transfer_state(caller, pid, Role.PROVIDER))


for _path, _type, _role in _TRANSFER_ROUTES:
    router.add_api_route(
        _path,
        _transfer_endpoint(_type, _role),
        methods=["POST"],
        summary=f"DSP {_type.__name__} ({_role.value})",
        name=f"{_role.value}_{_path.rsplit('/', 1)[1]}_transfer",
    )


__all__ = ["PAGE_SIZE", "VERSION_PATH", "DspRoute", "dsp_error", "router"]
