"""How a refused Dataspace Protocol 2025-1 message is answered: the protocols' error objects and their HTTP status.

Layout: the error objects of the catalog (`CatalogError`), contract negotiation (`ContractNegotiationError`) and
transfer process (`TransferError`) protocols, united as `ErrorReply`; `ERROR_STATUS` / `error_status` / `error_reply`
(which HTTP status and error object answers a refused message).

Field names are the spec's in snake case (``consumerPid`` → `consumer_pid`); ``reason`` arrays are kept as JSON
values (the schema allows any item). The error objects are members of the `Message` union of
`passbridge.dataspace.messages`; only `passbridge.dataspace.codec` turns them into JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from passbridge.errors import (
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PassbridgeError,
    Unauthenticated,
)
from passbridge.jsontypes import JsonValue


@dataclass(frozen=True, slots=True)
class CatalogError:
    """The catalog protocol's error object."""

    code: str | None = None
    reason: tuple[JsonValue, ...] = ()


@dataclass(frozen=True, slots=True)
class ContractNegotiationError:
    """The negotiation protocol's error object."""

    provider_pid: str
    consumer_pid: str
    code: str | None = None
    reason: tuple[JsonValue, ...] = ()


@dataclass(frozen=True, slots=True)
class TransferError:
    """The transfer protocol's error object."""

    provider_pid: str
    consumer_pid: str
    code: str | None = None
    reason: tuple[JsonValue, ...] = ()


ERROR_STATUS: tuple[tuple[type[PassbridgeError], int, str], ...] = (
    (InvalidInput, 400, "bad-request"),
    (IllegalTransition, 400, "invalid-state-transition"),
    (NotFound, 404, "not-found"),
    (Unauthenticated, 401, "unauthenticated"),
    (Forbidden, 403, "forbidden"),
    (PassbridgeError, 500, "internal-error"),
)
"""Refusal → HTTP status and error ``code`` for the DSP endpoints (DSP 2025-1 HTTPS bindings): malformed messages
(`ProtocolError`, `PolicyMismatch`) and illegal state transitions (`IllegalMessage`) are 400; unknown pids and pids
of another counterparty's process (`UnknownProcess`) are 404, so ids cannot be probed; an unsatisfied policy
(`PolicyDenied`) is 403. The first class the error is an instance of decides. These differ from `api/problems.py`
(409 for transitions) on purpose: DSP prescribes them."""


def error_status(error: PassbridgeError) -> tuple[int, str]:
    """The HTTP status and the DSP error ``code`` for a refusal (see `ERROR_STATUS`)."""
    for cls, status, code in ERROR_STATUS:
        if isinstance(error, cls):
            return status, code
    return 500, "internal-error"  # pragma: no cover - PassbridgeError closes the table


def _reasons(error: PassbridgeError) -> tuple[JsonValue, ...]:
    if isinstance(error, InvalidInput):
        return tuple(f"{v.path}: {v.message}" for v in error.violations)
    reasons = getattr(error, "reasons", None)
    if isinstance(reasons, tuple) and reasons:
        return tuple(str(r) for r in reasons)
    return (str(error),)


ErrorReply: TypeAlias = CatalogError | ContractNegotiationError | TransferError


def error_reply(
    error: PassbridgeError,
    kind: type[ErrorReply],
    *,
    provider_pid: str | None = None,
    consumer_pid: str | None = None,
) -> tuple[int, ErrorReply]:
    """The HTTP status and error object answering a refused message: `kind` is the protocol's error type; the pids
    are those the request named (an empty string for one not known yet, as the schema needs a string)."""
    status, code = error_status(error)
    reasons = _reasons(error)
    if kind is CatalogError:
        return status, CatalogError(code, reasons)
    if kind is ContractNegotiationError:
        return status, ContractNegotiationError(provider_pid or "", consumer_pid or "", code, reasons)
    return status, TransferError(provider_pid or "", consumer_pid or "", code, reasons)


__all__ = [
    "ERROR_STATUS",
    "CatalogError",
    "ContractNegotiationError",
    "ErrorReply",
    "TransferError",
    "error_reply",
    "error_status",
]
