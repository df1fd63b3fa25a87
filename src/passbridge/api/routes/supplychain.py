"""`/api/v1/supplychain`: the import format's schema, imports (owner), and a part's roll-up, answer and audit.

A part's roll-up, the answer a partner would get and the audit are the owner's alone: every other caller —
anonymous or any role — gets the same 404 whether the part exists or not, so not even its existence leaks.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from passbridge.api.deps import BodyDep, CallerDep, OwnerDep, ServicesDep
from passbridge.errors import InvalidInput, PartNotFound
from passbridge.jsoncodec import dumps_exact
from passbridge.jsontypes import JsonValue
from passbridge.passport.access import Role
from passbridge.supplychain.document_schema import SCHEMA
from passbridge.supplychain.services import ImportFormat, ImportReport

router = APIRouter(prefix="/api/v1/supplychain", tags=["supply chain"])

_PRIVATE = {"Cache-Control": "private, no-store", "Vary": "Authorization"}


def _owners_part(trace_id: str, caller: CallerDep) -> uuid.UUID:
    """The part in the path, for the owner; a 404 for everyone else, before anything is looked up."""
    if caller.role is not Role.OWNER:
        raise PartNotFound(trace_id)
    try:
        return uuid.UUID(trace_id)
    except ValueError:
        raise InvalidInput.at("path.traceId", f"{trace_id!r} is not a UUID", "Ouranos traceId (UUID)") from None


OwnersPart = Annotated[uuid.UUID, Depends(_owners_part)]


def _report(report: ImportReport) -> dict[str, Any]:
    return {
        "source": report.source,
        "stored": dict(report.stored),
        "recomputed": [{"traceId": str(r.trace_id), "rollupId": str(r.rollup_id)} for r in report.recomputed],
        "pending": [{"traceId": str(p.trace_id), "reason": p.reason} for p in report.pending],
        "passports": [
            {"passportId": p.passport_id, "version": p.version, "reason": p.reason} for p in report.passports
        ],
    }


@router.get("/schema.json", summary="JSON Schema of the import document", response_class=Response)
def schema() -> Response:
    """The import document's JSON Schema (draft 2020-12); BOM lines may also come as CSV (see the README)."""
    return Response(json.dumps(SCHEMA, ensure_ascii=False, indent=2), media_type="application/schema+json")


@router.post("/import", summary="Import a supply-chain document or BOM CSV (owner)")
def import_file(request: Request, body: BodyDep, services: ServicesDep, _owner: OwnerDep) -> Response:
    """JSON import document (`schema.json`), or BOM lines as ``Content-Type: text/csv``; all or nothing. The roll-ups
    the file makes stale are recomputed, and linked passports get a new version when their figures change."""
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    fmt = ImportFormat.CSV if media == "text/csv" else ImportFormat.JSON
    report = services.supplychain.import_file(body, fmt, source="body")
    return Response(dumps_exact(_report(report)), media_type="application/json", headers=_PRIVATE)


@router.get("/parts/{trace_id}/rollup", summary="A part's roll-up (owner; 404 for everyone else)")
def rollup(trace_id: OwnersPart, services: ServicesDep) -> Response:
    """CFP per stage with DQR and per kWh of lifetime energy, material content, recycled content, origin, upstream
    counts and the salted commitment over the inputs; decimals as strings. Recomputed from the current inputs;
    recorded anew only when they changed (the roll-up id is in `X-Passbridge-Rollup-Id`)."""
    stored = services.supplychain.rollup(trace_id)
    headers = {**_PRIVATE, "X-Passbridge-Rollup-Id": str(stored.rollup_id)}
    return Response(stored.document, media_type="application/json", headers=headers)


@router.get("/parts/{trace_id}/answer", summary="The answer a partner would get (owner; 404 for everyone else)")
def answer(
    trace_id: OwnersPart,
    services: ServicesDep,
    partner: Annotated[str, Query(min_length=1, max_length=64, description="the customer's operator id")],
) -> Response:
    """What would be sent to `partner` under its disclosure ACL: per-unit figures of our part, as far as released,
    and the counts of our upstream tree — never suppliers, quantities or prices."""
    return Response(
        dumps_exact(services.supplychain.answer_for(trace_id, partner)), media_type="application/json", headers=_PRIVATE
    )


@router.get("/parts/{trace_id}/audit", summary="Re-check a part's roll-up (owner; 404 for everyone else)")
def audit(trace_id: OwnersPart, services: ServicesDep) -> Response:
    """Recomputes the current roll-up and checks the answers' hashes and the commitment: ``{"ok", "reasons"}``."""
    verification = services.supplychain.audit(trace_id)
    payload: dict[str, JsonValue] = {"ok": verification.ok, "reasons": list(verification.reasons)}
    return Response(dumps_exact(payload), media_type="application/json", headers=_PRIVATE)


__all__ = ["router"]
