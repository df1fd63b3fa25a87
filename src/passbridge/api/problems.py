"""The one place errors become HTTP: `PassbridgeError` subclasses → RFC 9457 ``application/problem+json``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from passbridge.errors import (
    Conflict,
    CounterpartyError,
    DuplicateIdentifier,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    MalformedJson,
    NotFound,
    PassbridgeError,
    PayloadTooLarge,
    Unauthenticated,
    UnsupportedFormat,
    VerificationFailed,
)
from passbridge.jsoncodec import dumps_exact

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

# Most specific first: the first class an error is an instance of decides.
STATUS: tuple[tuple[type[PassbridgeError], int, str, str], ...] = (
    (PayloadTooLarge, 413, "payload-too-large", "Request body too large"),
    (UnsupportedFormat, 400, "unsupported-format", "Unsupported format"),
    (MalformedJson, 400, "malformed-json", "Malformed JSON"),
    (InvalidInput, 422, "invalid-input", "Invalid input"),
    (VerificationFailed, 401, "verification-failed", "Verification failed"),
    (Unauthenticated, 401, "unauthenticated", "Authentication failed"),
    (Forbidden, 403, "forbidden", "Not allowed"),
    (NotFound, 404, "not-found", "Not found"),
    (IllegalTransition, 409, "illegal-transition", "Illegal lifecycle transition"),
    (DuplicateIdentifier, 409, "duplicate-identifier", "Identifier already in use"),
    (Conflict, 409, "conflict", "Conflict"),
    (CounterpartyError, 502, "counterparty", "A counterparty failed"),
    (PassbridgeError, 500, "internal", "Internal error"),
)


def problem(status: int, slug: str, title: str, detail: str, instance: str, **extra: Any) -> Response:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": f"urn:passbridge:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    headers = {"WWW-Authenticate": 'Bearer realm="passbridge"'} if status == 401 else None
    return Response(dumps_exact(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _extra(error: PassbridgeError) -> Mapping[str, Any]:
    if isinstance(error, InvalidInput):
        return {"errors": [{"path": v.path, "message": v.message, "rule": v.rule} for v in error.violations]}
    if isinstance(error, IllegalTransition):
        return {"current": error.current, "requested": error.requested, "allowed": list(error.allowed)}
    if isinstance(error, VerificationFailed):
        return {"refusal": error.refusal, "checked": error.subject}
    if isinstance(error, DuplicateIdentifier):
        return {"errors": [{"path": error.path, "message": "already in use", "rule": "identifiers unique"}]}
    return {}


def passbridge_problem(request: Request, error: PassbridgeError) -> Response:
    """Map one of our errors."""
    for cls, status, slug, title in STATUS:
        if isinstance(error, cls):
            if status >= 500 and status != 502:
                logger.error("unhandled %s on %s", type(error).__name__, request.url.path)
                return problem(status, slug, title, "internal error", request.url.path)
            return problem(status, slug, title, str(error), request.url.path, **_extra(error))
    raise AssertionError("PassbridgeError is the last row")  # pragma: no cover


def install(app: FastAPI) -> None:
    """Register the handlers on `app`."""

    async def on_passbridge(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PassbridgeError)
        return passbridge_problem(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"path": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "rule": "request"} for e in exc.errors()
        ]
        first = errors[0] if errors else {"path": "$", "message": "invalid request"}
        return problem(
            400,
            "invalid-request",
            "Invalid request",
            f"{first['path']}: {first['message']}",
            request.url.path,
            errors=errors,
        )

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return problem(exc.status_code, "http", str(exc.detail), str(exc.detail), request.url.path)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unexpected error on %s", request.url.path)
        return problem(500, "internal", "Internal error", "internal error", request.url.path)

    app.add_exception_handler(PassbridgeError, on_passbridge)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


__all__ = ["PROBLEM_JSON", "STATUS", "install", "passbridge_problem", "problem"]
