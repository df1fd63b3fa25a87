"""Conformance mode routes (``dsp_conformance = true`` only): what the Eclipse DSP TCK drives.

Everything lives under ``/tck`` and is separate from the node's real DSP endpoints (``/dsp/2025-1``, which keep
DCP): ``/tck/.well-known/dspace-version`` (TCK ``…http.base.url`` = ``<node>/tck``), the DSP 2025-1 binding at
``/tck/dsp/2025-1`` (TCK ``…http.url``; consumer callbacks at ``/tck/dsp/2025-1/callback``) and the two consumer
webhooks ``POST /tck/negotiations/requests`` and ``POST /tck/transfers/requests`` (also as ``…/initiate``).

What the mode relaxes: **no authentication** on these routes — any ``Authorization`` value, or none, is accepted
(the TCK sends a static header, not a DCP token); no policy evaluation; no address policy for the TCK's callback
address; processes are kept in memory. See `passbridge.dataspace.conformance`.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from passbridge.api.deps import BodyDep
from passbridge.api.routes.dsp import DspRoute
from passbridge.bootstrap import Services
from passbridge.dataspace.codec import dsp_2025_1 as codec
from passbridge.dataspace.conformance import ConformanceEngine
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
from passbridge.dataspace.node import encode
from passbridge.dataspace.versions import VersionEntry, VersionResponse
from passbridge.errors import ConfigurationError, ProtocolError
from passbridge.jsoncodec import loads_fast

logger = logging.getLogger(__name__)

TCK_ROOT = "/tck"
TCK_DSP_PATH = TCK_ROOT + "/dsp/2025-1"
TCK_CALLBACK_PATH = TCK_DSP_PATH + "/callback"
SCRIPT_DELAY_SECONDS = 0.05
"""How long a scripted move waits (so that our ACK reaches the TCK before our next message)."""


def _json(message: Message, status: int = 200) -> JSONResponse:
    return JSONResponse(encode(message), status_code=status)


def _read(request: Request, body: bytes) -> Any:
    raw = loads_fast(body)
    request.state.dsp_body = raw
    return raw


def _fields(raw: Any, *names: str) -> list[str]:
    if not isinstance(raw, dict):
        raise ProtocolError.at("$", "a JSON object is expected", "DSP TCK initiate webhook")
    values = [raw.get(name) for name in names]
    for name, value in zip(names, values, strict=True):
        if not isinstance(value, str) or not value:
            raise ProtocolError.at(f"$.{name}", "a non-empty string is required", "DSP TCK initiate webhook")
    return [str(v) for v in values]


def check_conformance_host(host: str, allowed_hosts: Sequence[str], workers: int) -> None:
    """Refuse conformance mode on a non-loopback host (unless the host is in ``allowed_hosts``) or with several
    worker processes (the processes live in one process's memory).

    Raises:
        ConfigurationError: naming ``dsp_conformance``.
    """
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback and host not in allowed_hosts:
        message = f"dsp_conformance relaxes authentication: refused on host {host!r} (not loopback, not allowed_hosts)"
        raise ConfigurationError(message)
    if workers != 1:
        raise ConfigurationError("dsp_conformance keeps its processes in memory: it needs workers = 1")


def _sender(http: httpx.Client) -> Callable[[str, Mapping[str, Any]], tuple[int, Any]]:
    def send(url: str, body: Mapping[str, Any]) -> tuple[int, Any]:
        answer = http.post(url, json=dict(body), headers={"Authorization": "Bearer conformance-mode"})
        try:
            return answer.status_code, answer.json()
        except ValueError:
            return answer.status_code, None

    return send


def build_router(services: Services) -> APIRouter:
    """The conformance routes of one node (refused on a non-loopback host unless allowed: `check_conformance_host`).

    Raises:
        ConfigurationError: the host or worker count does not allow conformance mode.
    """
    settings = services.settings
    check_conformance_host(settings.host, settings.allowed_hosts, settings.workers)
    base = settings.effective_public_url
    logger.warning(
        "DSP CONFORMANCE MODE IS ON: %s%s accepts unauthenticated DSP messages (no DCP, no policies) — "
        "for the DSP TCK only, never in a data space",
        base,
        TCK_ROOT,
    )
    engine = ConformanceEngine(
        services.identity.did,
        base + TCK_DSP_PATH,
        base + TCK_CALLBACK_PATH,
        _sender(httpx.Client(timeout=10.0)),
        services.clock.now,
        SCRIPT_DELAY_SECONDS,
    )
    router = APIRouter(tags=["dsp-conformance"], route_class=DspRoute)

    @router.get(TCK_ROOT + "/.well-known/dspace-version", summary="DSP version metadata (conformance mode)")
    def version() -> JSONResponse:
        return JSONResponse(codec.encode(VersionResponse((VersionEntry("2025-1", TCK_DSP_PATH, "HTTPS"),))))

    @router.post(TCK_DSP_PATH + "/catalog/request", summary="TCK catalog request")
    def catalog(request: Request, body: BodyDep) -> JSONResponse:
        codec.decode(_read(request, body), CatalogRequestMessage)
        return _json(engine.catalog())

    @router.get(TCK_DSP_PATH + "/catalog/datasets/{dataset_id}", summary="TCK dataset request")
    def dataset(dataset_id: str) -> JSONResponse:
        return _json(engine.dataset(dataset_id))

    @router.post(TCK_DSP_PATH + "/negotiations/request", status_code=201, summary="TCK contract request")
    def negotiation_request(request: Request, body: BodyDep) -> JSONResponse:
        return _json(engine.request_negotiation(codec.decode(_read(request, body), ContractRequestMessage)), 201)

    @router.post(TCK_DSP_PATH + "/transfers/request", status_code=201, summary="TCK transfer request")
    def transfer_request(request: Request, body: BodyDep) -> JSONResponse:
        return _json(engine.request_transfer(codec.decode(_read(request, body), TransferRequestMessage)), 201)

    @router.get(TCK_DSP_PATH + "/negotiations/{pid}", summary="TCK negotiation state (provider)")
    def negotiation_get(pid: str) -> JSONResponse:
        return _json(engine.state(Role.PROVIDER, pid))

    @router.get(TCK_CALLBACK_PATH + "/negotiations/{pid}", summary="TCK negotiation state (consumer)")
    def consumer_negotiation_get(pid: str) -> JSONResponse:
        return _json(engine.state(Role.CONSUMER, pid))

    @router.get(TCK_DSP_PATH + "/transfers/{pid}", summary="TCK transfer state (provider)")
    def transfer_get(pid: str) -> JSONResponse:
        return _json(engine.state(Role.PROVIDER, pid))

    def negotiation_endpoint(expected: type[Any], role: Role) -> Callable[..., JSONResponse]:
        def endpoint(pid: str, request: Request, body: BodyDep) -> JSONResponse:
            return _json(engine.negotiation_message(role, pid, codec.decode(_read(request, body), expected)))

        return endpoint

    def transfer_endpoint(expected: type[Any], role: Role) -> Callable[..., JSONResponse]:
        def endpoint(pid: str, request: Request, body: BodyDep) -> JSONResponse:
            return _json(engine.transfer_message(role, pid, codec.decode(_read(request, body), expected)))

        return endpoint

    negotiation_routes: tuple[tuple[str, type[Any], Role], ...] = (
        ("request", ContractRequestMessage, Role.PROVIDER),
        ("events", ContractNegotiationEventMessage, Role.PROVIDER),
        ("agreement/verification", ContractAgreementVerificationMessage, Role.PROVIDER),
        ("termination", ContractNegotiationTerminationMessage, Role.PROVIDER),
        ("offers", ContractOfferMessage, Role.CONSUMER),
        ("agreement", ContractAgreementMessage, Role.CONSUMER),
        ("events", ContractNegotiationEventMessage, Role.CONSUMER),
        ("termination", ContractNegotiationTerminationMessage, Role.CONSUMER),
    )
    for tail, kind, role in negotiation_routes:
        prefix = TCK_DSP_PATH if role is Role.PROVIDER else TCK_CALLBACK_PATH
        router.add_api_route(
            f"{prefix}/negotiations/{{pid}}/{tail}",
            negotiation_endpoint(kind, role),
            methods=["POST"],
            name=f"tck_{role.value}_{tail.replace('/', '_')}_negotiation",
        )
    transfer_routes = (
        ("start", TransferStartMessage),
        ("completion", TransferCompletionMessage),
        ("suspension", TransferSuspensionMessage),
        ("termination", TransferTerminationMessage),
    )
    for role in (Role.PROVIDER, Role.CONSUMER):
        prefix = TCK_DSP_PATH if role is Role.PROVIDER else TCK_CALLBACK_PATH
        for tail, transfer_kind in transfer_routes:
            router.add_api_route(
                f"{prefix}/transfers/{{pid}}/{tail}",
                transfer_endpoint(transfer_kind, role),
                methods=["POST"],
                name=f"tck_{role.value}_{tail}_transfer",
            )

    def initiate_negotiation(request: Request, body: BodyDep) -> JSONResponse:
        raw = _read(request, body)
        dataset_id, offer, provider, address = _fields(raw, "datasetId", "offerId", "providerId", "connectorAddress")
        return _json(engine.initiate_negotiation(dataset_id, offer, provider, address))

    def initiate_transfer(request: Request, body: BodyDep) -> JSONResponse:
        raw = _read(request, body)
        agreement, fmt, provider, address = _fields(raw, "agreementId", "format", "providerId", "connectorAddress")
        return _json(engine.initiate_transfer(agreement, fmt, provider, address))

    for tail in ("requests", "initiate"):
        router.add_api_route(
            f"{TCK_ROOT}/negotiations/{tail}",
            initiate_negotiation,
            methods=["POST"],
            name=f"tck_negotiation_{tail}",
            summary="TCK: start a negotiation as consumer",
        )
        router.add_api_route(
            f"{TCK_ROOT}/transfers/{tail}",
            initiate_transfer,
            methods=["POST"],
            name=f"tck_transfer_{tail}",
            summary="TCK: start a transfer as consumer",
        )
    return router


__all__ = [
    "SCRIPT_DELAY_SECONDS",
    "TCK_CALLBACK_PATH",
    "TCK_DSP_PATH",
    "TCK_ROOT",
    "build_router",
    "check_conformance_host",
]
