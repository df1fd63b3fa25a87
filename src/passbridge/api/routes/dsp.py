"""The Dataspace Protocol HTTPS binding: ``/.well-known/dspace-version`` and, per wire dialect, the catalog,
provider-side negotiation and transfer endpoints and the consumer callbacks — DSP 2025-1 under ``/dsp/2025-1``
(callbacks ``/dsp/2025-1/callback``, our ``callbackAddress``; a separate prefix because the provider and consumer
paths of the binding overlap, e.g. ``/negotiations/:pid/events``), and the same handlers in the v0.8 "Jupiter"
JSON-LD dialect of Tractus-X EDC ≤ 0.10 under ``/dsp/v0.8`` (callbacks ``/dsp/v0.8/callback``). `make_router` builds
one dialect's routes from its `Codec` (`passbridge.api.dsp_support`).

Every DSP request is authenticated with DCP: ``Authorization: Bearer <self-issued ID token>``, verified with the
caller's credential service (`CallerVerification.dataspace_caller`: a ``MembershipCredential`` from a trusted
issuer, or a foreign credential the trust list recognises as one; passport reader credentials when presented).
Errors are the protocol's own error objects (``CatalogError``, ``ContractNegotiationError``, ``TransferError``) in
the dialect of the path, with the status of `passbridge.dataspace.error_replies.error_status` (`DspRoute`), never
problem+json. Routes are plain ``def``: DCP verification calls out, so they run in the thread pool.

A v0.8 request is answered in v0.8, and what the node queues while handling it (the agreement, events, the transfer
start) is sent in v0.8 too (`DspRoute` handles each request `speaking` its dialect; the outbox stores the dialect per
message). As a consumer the node speaks the dialect the provider's version metadata offers (2025-1 preferred):
`passbridge.outbound.dsp_client`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from passbridge.api.deps import BodyDep, ServicesDep
from passbridge.api.dsp_support import (
    DSP_2025_1,
    DSP_V0_8,
    Codec,
    DspRoute,
    dsp_caller,
    dsp_error,
    dsp_route_class,
    next_page_link,
    read_body,
)
from passbridge.dataspace.codec import dsp_2025_1 as codec
from passbridge.dataspace.messages import (
    CatalogRequestMessage,
    ContractAgreementMessage,
    ContractAgreementVerificationMessage,
    ContractNegotiationEventMessage,
    ContractNegotiationTerminationMessage,
    ContractOfferMessage,
    ContractRequestMessage,
    Message,
    Role,
    TransferCompletionMessage,
    TransferRequestMessage,
    TransferStartMessage,
    TransferSuspensionMessage,
    TransferTerminationMessage,
)
from passbridge.dataspace.node import CALLBACK_PATH, DSP_PATH
from passbridge.dataspace.versions import VersionAuth, VersionEntry, VersionResponse

AuthorizationHeader = Annotated[str | None, Header(alias="authorization", include_in_schema=False)]
VERSION_PATH = "/.well-known/dspace-version"
PAGE_SIZE = 100
V0_8_PATH = "/dsp/v0.8"
V0_8_CALLBACK_PATH = V0_8_PATH + "/callback"
ADVERTISE_V0_8 = False
"""Whether ``/.well-known/dspace-version`` lists v0.8 next to 2025-1 (CX-0018 v4.2 §2.7 lists both). Off: CX-Neptune
(24 Nov 2026) removed v0.8, legacy partners address ``/dsp/v0.8`` directly, and the version metadata stays one entry."""

_NEGOTIATION_MESSAGES: tuple[tuple[str, type[Message], Role], ...] = (
    ("request", ContractRequestMessage, Role.PROVIDER),
    ("events", ContractNegotiationEventMessage, Role.PROVIDER),
    ("agreement/verification", ContractAgreementVerificationMessage, Role.PROVIDER),
    ("termination", ContractNegotiationTerminationMessage, Role.PROVIDER),
    ("offers", ContractOfferMessage, Role.CONSUMER),
    ("agreement", ContractAgreementMessage, Role.CONSUMER),
    ("events", ContractNegotiationEventMessage, Role.CONSUMER),
    ("termination", ContractNegotiationTerminationMessage, Role.CONSUMER),
)
_TRANSFER_MESSAGES: tuple[tuple[str, type[Message], Role], ...] = (
    ("start", TransferStartMessage, Role.PROVIDER),
    ("completion", TransferCompletionMessage, Role.PROVIDER),
    ("suspension", TransferSuspensionMessage, Role.PROVIDER),
    ("termination", TransferTerminationMessage, Role.PROVIDER),
    ("start", TransferStartMessage, Role.CONSUMER),
    ("completion", TransferCompletionMessage, Role.CONSUMER),
    ("suspension", TransferSuspensionMessage, Role.CONSUMER),
    ("termination", TransferTerminationMessage, Role.CONSUMER),
)


def version_entries(did: str, *, v0_8: bool = ADVERTISE_V0_8) -> tuple[VersionEntry, ...]:
    """What ``/.well-known/dspace-version`` lists: 2025-1 (DCP 1.0 authentication), and v0.8 when `v0_8`."""
    entry = VersionEntry(
        "2025-1",
        DSP_PATH,
        "HTTPS",
        service_id=f"{did}#dsp",
        identifier_type="did:web",
        auth=VersionAuth("DCP", "1.0", ("vc20-bssl/jwt",)),
    )
    return (entry, VersionEntry(DSP_V0_8.version, V0_8_PATH, "HTTPS")) if v0_8 else (entry,)


def version_router() -> APIRouter:
    """``GET /.well-known/dspace-version`` (unversioned, unauthenticated; the 2025-1 form for every dialect)."""
    router = APIRouter(tags=["dataspace"], route_class=DspRoute)

    @router.get(VERSION_PATH, summary="DSP version metadata (unauthenticated)")
    def dspace_version(services: ServicesDep) -> JSONResponse:
        """The protocol versions this node speaks and where (2025-1 at ``/dsp/2025-1``, DCP 1.0 authentication)."""
        return JSONResponse(codec.encode(VersionResponse(version_entries(services.identity.did))))

    return router


def make_router(prefix: str, callback_prefix: str, dialect: Codec) -> APIRouter:
    """The DSP endpoints of one wire dialect: provider endpoints under `prefix`, consumer callbacks under
    `callback_prefix`, bodies read and replies (errors too) written with `dialect`."""
    router = APIRouter(tags=["dataspace"], route_class=dsp_route_class(dialect, callback_prefix))
    suffix = "" if dialect is DSP_2025_1 else "_" + dialect.version.replace(".", "_").replace("-", "_")
    label = "DSP" if dialect is DSP_2025_1 else f"DSP {dialect.version}"

    def _json(message: Message, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse(dialect.encode(message), status_code=status, headers=headers)

    def route(path: str, method: str, endpoint: Callable[..., JSONResponse], summary: str, status: int = 200) -> None:
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            status_code=status if status != 200 else None,
            summary=f"{label} {summary}",
            name=endpoint.__name__ + suffix,
        )

    # catalog ----------------------------------------------------------------------------------------------------

    def catalog_request(
        request: Request,
        services: ServicesDep,
        body: BodyDep,
        authorization: AuthorizationHeader = None,
        after: Annotated[str | None, Query(description="page: the last dataset id of the previous page")] = None,
    ) -> JSONResponse:
        """The catalog the caller may see: the registry and a page of passports (``Link: rel="next"`` for more)."""
        caller = dsp_caller(services, authorization, request)  # verified by `dsp_fastpath` if it got that far
        message = read_body(request, body, dialect, CatalogRequestMessage)
        catalog, more = services.dataspace.service.catalogs.catalog(caller, message, after=after, limit=PAGE_SIZE)
        headers = None if more is None else {"Link": next_page_link(services, prefix, more)}
        return _json(catalog, headers=headers)

    def dataset_request(
        dataset_id: str, services: ServicesDep, authorization: AuthorizationHeader = None
    ) -> JSONResponse:
        """One dataset with the offers the caller may see (``CatalogError`` 404 otherwise)."""
        caller = dsp_caller(services, authorization)
        return _json(services.dataspace.service.dataset(caller, dataset_id))

    route(f"{prefix}/catalog/request", "POST", catalog_request, "catalog request")
    route(f"{prefix}/catalog/datasets/{{dataset_id}}", "GET", dataset_request, "dataset request")

    # negotiations -----------------------------------------------------------------------------------------------

    def negotiation_request(
        request: Request, services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
    ) -> JSONResponse:
        """Start a negotiation on a catalog offer; the agreement is sent to the callback address."""
        caller = dsp_caller(services, authorization)
        message = read_body(request, body, dialect, ContractRequestMessage)
        return _json(services.dataspace.service.request_negotiation(caller, message), 201)

    def negotiation_get(pid: str, services: ServicesDep, authorization: AuthorizationHeader = None) -> JSONResponse:
        """The negotiation's pids and state (404 for unknown pids and other parties' negotiations)."""
        caller = dsp_caller(services, authorization)
        return _json(services.dataspace.service.negotiation_state(caller, pid, Role.PROVIDER))

    def consumer_negotiation_get(
        pid: str, services: ServicesDep, authorization: AuthorizationHeader = None
    ) -> JSONResponse:
        """Our consumer negotiation's pids and state."""
        caller = dsp_caller(services, authorization)
        return _json(services.dataspace.service.negotiation_state(caller, pid, Role.CONSUMER))

    def consumer_initial_offer(
        request: Request, services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
    ) -> JSONResponse:
        """A provider-initiated offer: recorded as OFFERED (this node does not accept offers on its own)."""
        caller = dsp_caller(services, authorization)
        message = read_body(request, body, dialect, ContractOfferMessage)
        return _json(services.dataspace.callbacks.initial_offer(caller, message), 201)

    route(f"{prefix}/negotiations/request", "POST", negotiation_request, "contract request (initial)", 201)
    route(f"{prefix}/negotiations/{{pid}}", "GET", negotiation_get, "contract negotiation state (provider)")
    route(
        f"{callback_prefix}/negotiations/{{pid}}",
        "GET",
        consumer_negotiation_get,
        "contract negotiation state (consumer)",
    )
    route(f"{callback_prefix}/negotiations/offers", "POST", consumer_initial_offer, "contract offer (initial)", 201)

    def negotiation_endpoint(expected: type[Message], role: Role) -> Callable[..., JSONResponse]:
        def endpoint(
            pid: str, request: Request, services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
        ) -> JSONResponse:
            caller = dsp_caller(services, authorization)
            message: Any = read_body(request, body, dialect, expected)
            if role is Role.PROVIDER:
                return _json(services.dataspace.service.negotiation_message(caller, pid, message))
            return _json(services.dataspace.callbacks.consumer_negotiation_message(caller, pid, message))

        return endpoint

    def transfer_endpoint(expected: type[Message], role: Role) -> Callable[..., JSONResponse]:
        def endpoint(
            pid: str, request: Request, services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
        ) -> JSONResponse:
            caller = dsp_caller(services, authorization)
            message: Any = read_body(request, body, dialect, expected)
            if role is Role.PROVIDER:
                return _json(services.dataspace.service.transfer_message(caller, pid, message))
            return _json(services.dataspace.callbacks.consumer_transfer_message(caller, pid, message))

        return endpoint

    for tail, kind, role in _NEGOTIATION_MESSAGES:
        base = prefix if role is Role.PROVIDER else callback_prefix
        router.add_api_route(
            f"{base}/negotiations/{{pid}}/{tail}",
            negotiation_endpoint(kind, role),
            methods=["POST"],
            summary=f"{label} {kind.__name__} ({role.value})",
            name=f"{role.value}_{tail.replace('/', '_')}_negotiation{suffix}",
        )

    # transfers --------------------------------------------------------------------------------------------------

    def transfer_request(
        request: Request, services: ServicesDep, body: BodyDep, authorization: AuthorizationHeader = None
    ) -> JSONResponse:
        """Start an HTTP-pull transfer under a finalized agreement; the start message (with the EDR) follows."""
        caller = dsp_caller(services, authorization)
        message = read_body(request, body, dialect, TransferRequestMessage)
        return _json(services.dataspace.service.request_transfer(caller, message), 201)

    def transfer_get(pid: str, services: ServicesDep, authorization: AuthorizationHeader = None) -> JSONResponse:
        """The transfer's pids and state."""
        caller = dsp_caller(services, authorization)
        return _json(services.dataspace.service.transfer_state(caller, pid, Role.PROVIDER))

    route(f"{prefix}/transfers/request", "POST", transfer_request, "transfer request", 201)
    route(f"{prefix}/transfers/{{pid}}", "GET", transfer_get, "transfer process state (provider)")

    for tail, kind, role in _TRANSFER_MESSAGES:
        base = prefix if role is Role.PROVIDER else callback_prefix
        router.add_api_route(
            f"{base}/transfers/{{pid}}/{tail}",
            transfer_endpoint(kind, role),
            methods=["POST"],
            summary=f"{label} {kind.__name__} ({role.value})",
            name=f"{role.value}_{tail}_transfer{suffix}",
        )
    return router


router = APIRouter()
"""Everything DSP this node serves: the version metadata, DSP 2025-1 and the v0.8 dialect."""
router.include_router(version_router())
router.include_router(make_router(DSP_PATH, CALLBACK_PATH, DSP_2025_1))
router.include_router(make_router(V0_8_PATH, V0_8_CALLBACK_PATH, DSP_V0_8))


__all__ = [
    "ADVERTISE_V0_8",
    "PAGE_SIZE",
    "V0_8_CALLBACK_PATH",
    "V0_8_PATH",
    "VERSION_PATH",
    "Codec",
    "DspRoute",
    "dsp_error",
    "make_router",
    "router",
    "version_entries",
    "version_router",
]
