"""``POST /api/v1/consumer/fetch`` (owner only): this node fetches a passport from another node through the data
space — discovery, catalog, negotiation, transfer, data (`ConsumerService.fetch`) — and answers it with the timing
of each step. A plain ``def``: the fetch waits for the provider's callbacks, in the thread pool.
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter
from fastapi.responses import Response

from passbridge.api.deps import BodyDep, OwnerDep, ServicesDep
from passbridge.errors import InvalidInput
from passbridge.jsoncodec import dumps_exact, loads_fast
from passbridge.jsontypes import JsonValue

router = APIRouter(tags=["data space consumer"])


@router.post("/api/v1/consumer/fetch", summary="Fetch a passport from another node (DSP consumer)")
def fetch(services: ServicesDep, _owner: OwnerDep, body: BodyDep) -> Response:
    """Body ``{"target": QR URL | passport id, "from": DID | URL (optional), "format": … (optional)}`` →
    ``{"datasetId", "provider", "view", "agreementId", "transferPid", "warm", "mediaType", "timings": {step: ms},
    "totalMs", "passport"}`` (``passport`` is the JSON document, or the text of other formats)."""
    request = loads_fast(body) if body else {}
    if not isinstance(request, dict) or not isinstance(request.get("target"), str):
        raise InvalidInput.at("$.target", "a QR code URL or a passport id is required")
    for name in ("from", "format"):
        if request.get(name) is not None and not isinstance(request[name], str):
            raise InvalidInput.at(f"$.{name}", "must be a string")
    result = services.dataspace.consumer.fetch(request["target"], request.get("from"), request.get("format"))
    if "json" in result.media_type:
        loads_fast(result.body)  # the provider's bytes are embedded as they are, once they are known to be JSON
        passport = result.body
    else:
        passport = dumps_exact(result.body.decode("utf-8", "replace"))
    answer: dict[str, JsonValue] = {
        "datasetId": result.dataset_id,
        "provider": result.provider,
        "view": result.level,
        "agreementId": result.agreement_id,
        "transferPid": result.transfer_pid,
        "warm": result.warm,
        "mediaType": result.media_type,
        "timings": {step: Decimal(str(ms)) for step, ms in result.timings},
        "totalMs": Decimal(str(round(result.total_ms, 3))),
    }
    return Response(dumps_exact(answer)[:-1] + b',"passport":' + passport + b"}", media_type="application/json")


__all__ = ["router"]
