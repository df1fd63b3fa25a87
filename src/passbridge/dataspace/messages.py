"""The messages of the Dataspace Protocol 2025-1, as frozen dataclasses named and shaped as in the spec.

Layout: the wire vocabulary (`Role`, `NegotiationState`, `TransferState`, `NegotiationEvent`); catalog messages
(`CatalogRequestMessage`, `DatasetRequestMessage`, `CatalogError`; `Catalog` and `Dataset` are in
`passbridge.dataspace.catalog`); contract negotiation messages; transfer process messages with `DataAddress` (the
endpoint data reference of an HTTP pull); `VersionResponse` (``/.well-known/dspace-version``); the `Message` union;
`ERROR_STATUS` / `error_status` / `error_reply` (which HTTP status and error object answers a refused message).

Field names are the spec's in snake case (``consumerPid`` → `consumer_pid`). The ACK objects the spec calls
``ContractNegotiation`` and ``TransferProcess`` are `ContractNegotiationAck` and `TransferProcessAck` here, so that
the process models (`passbridge.dataspace.negotiation.ContractNegotiation`, `…transfer.TransferProcess`) keep the
spec's names. ``reason`` arrays are kept as JSON values (the schema allows any item). Only
`passbridge.dataspace.codec` turns these into JSON.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TypeAlias

from passbridge.dataspace.catalog import Catalog, Dataset
from passbridge.dataspace.odrl import Policy
from passbridge.errors import (
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PassbridgeError,
    Unauthenticated,
)
from passbridge.jsontypes import JsonValue


class Role(enum.StrEnum):
    """The two sides of a negotiation or transfer."""

    PROVIDER = "provider"
    CONSUMER = "consumer"

    @property
    def other(self) -> Role:
        """The counterparty's role."""
        return Role.CONSUMER if self is Role.PROVIDER else Role.PROVIDER


class NegotiationState(enum.StrEnum):
    """Contract negotiation states (DSP 2025-1 ``ContractNegotiation.state``)."""

    REQUESTED = "REQUESTED"
    OFFERED = "OFFERED"
    ACCEPTED = "ACCEPTED"
    AGREED = "AGREED"
    VERIFIED = "VERIFIED"
    FINALIZED = "FINALIZED"
    TERMINATED = "TERMINATED"


class TransferState(enum.StrEnum):
    """Transfer process states (DSP 2025-1 ``TransferProcess.state``)."""

    REQUESTED = "REQUESTED"
    STARTED = "STARTED"
    SUSPENDED = "SUSPENDED"
    COMPLETED = "COMPLETED"
    TERMINATED = "TERMINATED"


class NegotiationEvent(enum.StrEnum):
    """``ContractNegotiationEventMessage.eventType``."""

    ACCEPTED = "ACCEPTED"
    FINALIZED = "FINALIZED"


# Catalog protocol


@dataclass(frozen=True, slots=True)
class CatalogRequestMessage:
    """Asks a provider for its catalog; `filter` is implementation-specific (None = absent, ``()`` = ``[]``)."""

    filter: tuple[JsonValue, ...] | None = None


@dataclass(frozen=True, slots=True)
class DatasetRequestMessage:
    """Asks for one dataset (2025-1 sends it as ``GET /catalog/datasets/:id``; the body form is kept for 2024-1)."""

    dataset: str


@dataclass(frozen=True, slots=True)
class CatalogError:
    """The catalog protocol's error object."""

    code: str | None = None
    reason: tuple[JsonValue, ...] = ()


# Contract negotiation protocol


@dataclass(frozen=True, slots=True)
class ContractRequestMessage:
    """Consumer → provider: the initial request (`callback_address`, no `provider_pid`) or a counter-offer."""

    consumer_pid: str
    offer: Policy
    provider_pid: str | None = None
    callback_address: str | None = None


@dataclass(frozen=True, slots=True)
class ContractOfferMessage:
    """Provider → consumer: an initial offer (`callback_address`, no `consumer_pid`) or a (counter-)offer."""

    provider_pid: str
    offer: Policy
    consumer_pid: str | None = None
    callback_address: str | None = None


@dataclass(frozen=True, slots=True)
class ContractAgreementMessage:
    """Provider → consumer: the agreement (an ODRL ``Agreement`` with target, assigner, assignee, timestamp)."""

    provider_pid: str
    consumer_pid: str
    agreement: Policy


@dataclass(frozen=True, slots=True)
class ContractAgreementVerificationMessage:
    """Consumer → provider: the consumer verified the agreement."""

    provider_pid: str
    consumer_pid: str


@dataclass(frozen=True, slots=True)
class ContractNegotiationEventMessage:
    """``ACCEPTED`` (consumer → provider) or ``FINALIZED`` (provider → consumer)."""

    provider_pid: str
    consumer_pid: str
    event_type: NegotiationEvent


@dataclass(frozen=True, slots=True)
class ContractNegotiationTerminationMessage:
    """Either side ends the negotiation."""

    provider_pid: str
    consumer_pid: str
    code: str | None = None
    reason: tuple[JsonValue, ...] = ()


@dataclass(frozen=True, slots=True)
class ContractNegotiationAck:
    """The ``ContractNegotiation`` object: a negotiation's pids and state (the ACK of every negotiation message)."""

    provider_pid: str
    consumer_pid: str
    state: NegotiationState


@dataclass(frozen=True, slots=True)
class ContractNegotiationError:
    """The negotiation protocol's error object."""

    provider_pid: str
    consumer_pid: str
    code: str | None = None
    reason: tuple[JsonValue, ...] = ()


# Transfer process protocol


@dataclass(frozen=True, slots=True)
class EndpointProperty:
    """One ``endpointProperties`` entry (``authorization``, ``authType``, refresh data, …)."""

    name: str
    value: str


AUTHORIZATION = "authorization"
AUTH_TYPE = "authType"
EDC_NS = "https://w3id.org/edc/v0.0.1/ns/"
TX_AUTH_NS = "https://w3id.org/tractusx/auth/"
"""Tractus-X EDR properties (CX-0018 v4.2 §2.2.1): ``refreshEndpoint``, ``refreshToken``, ``expiresIn``, …"""
HTTP_ENDPOINT_TYPE = "https://w3id.org/idsa/v4.1/HTTP"


@dataclass(frozen=True, slots=True)
class DataAddress:
    """Where data is (pull: the provider's data plane endpoint and token) or goes (push: the consumer's sink)."""

    endpoint_type: str
    endpoint: str | None = None
    endpoint_properties: tuple[EndpointProperty, ...] = ()

    def value_of(self, name: str) -> str | None:
        """An endpoint property's value by name, also under the EDC / Tractus-X namespaces."""
        for candidate in (name, EDC_NS + name, TX_AUTH_NS + name):
            for prop in self.endpoint_properties:
                if prop.name == candidate:
                    return prop.value
        return None

    @property
    def authorization(self) -> str | None:
        """The token to send verbatim as the ``Authorization`` header."""
        return self.value_of(AUTHORIZATION)


def endpoint_data_reference(
    endpoint: str,
    authorization: str,
    *,
    expires_in: int | None = None,
    refresh_endpoint: str | None = None,
    refresh_token: str | None = None,
    auth_type: str = "bearer",
) -> DataAddress:
    """The ``dataAddress`` of a TransferStartMessage for an HTTP pull: endpoint plus a short-lived token, with the
    Tractus-X refresh properties when given (``expiresIn`` in seconds)."""
    props = [EndpointProperty(AUTHORIZATION, authorization), EndpointProperty(AUTH_TYPE, auth_type)]
    if expires_in is not None:
        props.append(EndpointProperty(TX_AUTH_NS + "expiresIn", str(expires_in)))
    if refresh_endpoint is not None:
        props.append(EndpointProperty(TX_AUTH_NS + "refreshEndpoint", refresh_endpoint))
    if refresh_token is not None:
        props.append(EndpointProperty(TX_AUTH_NS + "refreshToken", refresh_token))
    return DataAddress(HTTP_ENDPOINT_TYPE, endpoint, tuple(props))


@dataclass(frozen=True, slots=True)
class TransferRequestMessage:
    """Consumer → provider: start a transfer under an agreement; `data_address` only for push formats."""

    consumer_pid: str
    agreement_id: str
    format: str
    callback_address: str
    data_address: DataAddress | None = None


@dataclass(frozen=True, slots=True)
class TransferStartMessage:
    """Provider → consumer (start, with the pull `data_address`), or either side resuming after a suspension."""

    provider_pid: str
    consumer_pid: str
    data_address: DataAddress | None = None


@dataclass(frozen=True, slots=True)
class TransferSuspensionMessage:
    """Either side suspends the transfer."""

    provider_pid: str
    consumer_pid: str
    code: str | None = None
    reason: tuple[JsonValue, ...] = ()


@dataclass(frozen=True, slots=True)
class TransferCompletionMessage:
    """Either side completes the transfer."""

    provider_pid: str
    consumer_pid: str


@dataclass(frozen=True, slots=True)
class TransferTerminationMessage:
    """Either side ends the transfer."""

    provider_pid: str
    consumer_pid: str
    code: str | None = None
    reason: tuple[JsonValue, ...] = ()


@dataclass(frozen=True, slots=True)
class TransferProcessAck:
    """The ``TransferProcess`` object: a transfer's pids and state (the ACK of every transfer message)."""

    provider_pid: str
    consumer_pid: str
    state: TransferState


@dataclass(frozen=True, slots=True)
class TransferError:
    """The transfer protocol's error object."""

    provider_pid: str
    consumer_pid: str
    code: str | None = None
    reason: tuple[JsonValue, ...] = ()


# Version metadata


@dataclass(frozen=True, slots=True)
class VersionAuth:
    """How a version's endpoints authenticate (``{"protocol": "DCP", "version": "1.0", "profile": [...]}``)."""

    protocol: str
    version: str
    profile: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class VersionEntry:
    """One supported protocol version: `path` appended to the root gives the DSP base."""

    version: str
    path: str
    binding: str = "HTTPS"
    service_id: str | None = None
    identifier_type: str | None = None
    auth: VersionAuth | None = None


@dataclass(frozen=True, slots=True)
class VersionResponse:
    """The body of ``/.well-known/dspace-version`` (no ``@context``)."""

    protocol_versions: tuple[VersionEntry, ...]


NegotiationMessage: TypeAlias = (
    ContractRequestMessage
    | ContractOfferMessage
    | ContractAgreementMessage
    | ContractAgreementVerificationMessage
    | ContractNegotiationEventMessage
    | ContractNegotiationTerminationMessage
)
"""The messages that move a contract negotiation."""

TransferMessage: TypeAlias = (
    TransferRequestMessage
    | TransferStartMessage
    | TransferSuspensionMessage
    | TransferCompletionMessage
    | TransferTerminationMessage
)
"""The messages that move a transfer process."""

Message: TypeAlias = (
    CatalogRequestMessage
    | DatasetRequestMessage
    | Catalog
    | Dataset
    | CatalogError
    | NegotiationMessage
    | ContractNegotiationAck
    | ContractNegotiationError
    | TransferMessage
    | TransferProcessAck
    | TransferError
    | VersionResponse
)
"""Everything the 2025-1 codec reads and writes."""


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
    "AUTHORIZATION",
    "AUTH_TYPE",
    "EDC_NS",
    "ERROR_STATUS",
    "HTTP_ENDPOINT_TYPE",
    "TX_AUTH_NS",
    "CatalogError",
    "CatalogRequestMessage",
    "ContractAgreementMessage",
    "ContractAgreementVerificationMessage",
    "ContractNegotiationAck",
    "ContractNegotiationError",
    "ContractNegotiationEventMessage",
    "ContractNegotiationTerminationMessage",
    "ContractOfferMessage",
    "ContractRequestMessage",
    "DataAddress",
    "DatasetRequestMessage",
    "EndpointProperty",
    "ErrorReply",
    "Message",
    "NegotiationEvent",
    "NegotiationMessage",
    "NegotiationState",
    "Role",
    "TransferCompletionMessage",
    "TransferError",
    "TransferMessage",
    "TransferProcessAck",
    "TransferRequestMessage",
    "TransferStartMessage",
    "TransferState",
    "TransferSuspensionMessage",
    "TransferTerminationMessage",
    "VersionAuth",
    "VersionEntry",
    "VersionResponse",
    "endpoint_data_reference",
    "error_reply",
    "error_status",
]
