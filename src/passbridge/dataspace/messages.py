"""The messages of the Dataspace Protocol 2025-1, as frozen dataclasses named and shaped as in the spec.

Layout: the wire vocabulary (`Role`, `NegotiationState`, `TransferState`, `NegotiationEvent`); catalog messages
(`CatalogRequestMessage`, `DatasetRequestMessage`; `Catalog` and `Dataset` are in `passbridge.dataspace.catalog`);
contract negotiation messages; transfer process messages with `DataAddress` (the endpoint data reference of an HTTP
pull); the `NegotiationMessage`, `TransferMessage` and `Message` unions. The protocols' error objects and the HTTP
status answering a refused message are in `passbridge.dataspace.error_replies`, the version metadata
(`VersionResponse`, ``/.well-known/dspace-version``) in `passbridge.dataspace.versions`; `Message` includes both.

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
from passbridge.dataspace.error_replies import CatalogError, ContractNegotiationError, TransferError
from passbridge.dataspace.odrl import Policy
from passbridge.dataspace.versions import VersionResponse
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


__all__ = [
    "AUTHORIZATION",
    "AUTH_TYPE",
    "EDC_NS",
    "HTTP_ENDPOINT_TYPE",
    "TX_AUTH_NS",
    "CatalogRequestMessage",
    "ContractAgreementMessage",
    "ContractAgreementVerificationMessage",
    "ContractNegotiationAck",
    "ContractNegotiationEventMessage",
    "ContractNegotiationTerminationMessage",
    "ContractOfferMessage",
    "ContractRequestMessage",
    "DataAddress",
    "DatasetRequestMessage",
    "EndpointProperty",
    "Message",
    "NegotiationEvent",
    "NegotiationMessage",
    "NegotiationState",
    "Role",
    "TransferCompletionMessage",
    "TransferMessage",
    "TransferProcessAck",
    "TransferRequestMessage",
    "TransferStartMessage",
    "TransferState",
    "TransferSuspensionMessage",
    "TransferTerminationMessage",
    "endpoint_data_reference",
]
