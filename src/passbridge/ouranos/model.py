"""Stored things of the Ouranos platform: a `Record` (one OpenAPI model document), an `Account`, an `ApiKey`."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from passbridge.jsontypes import JsonValue


class Kind(enum.Enum):
    """What a `Record` holds, by the OpenAPI model it is stored as."""

    OPERATOR = "operator"
    """`traceability.OperatorModel`; `ref` is the `openOperatorId`."""
    PLANT = "plant"
    """`traceability.PlantModel`."""
    PARTS = "parts"
    """`traceability.PartsModel`; `ref` is the parent `traceId` when the part is a child in a structure."""
    TRADE = "trade"
    """`traceability.TradeRequestModel` (trade + status); `operator_id` downstream, `ref` the upstream operator."""
    CFP = "cfp"
    """The 4 `traceability.CfpModel` records of one `cfpId`; `ref` is the `traceId`."""
    ACL = "acl"
    """A CFP disclosure grant (traceability API `cfpAcl`): `operator_id` the owner, `ref` the `traceId`."""
    NOTIFICATION = "notification"
    """A notification to `operator_id` (`REQUEST_NEW`, `CFP_RESPONSED`, …); `ref` the `tradeId`."""
    LINK_CONSENT = "link-consent"
    """An operator's consent to be presented as a Catena-X participant (`ref` its DID)."""
    LINK_PARTICIPANT = "link-participant"
    """A Catena-X participant presented to Ouranos operators as an operator (`ref` its DID)."""


@dataclass(frozen=True, slots=True)
class Record:
    """One stored document, owned by `operator_id`; `record_id` is its UUID (`traceId`, `plantId`, …)."""

    kind: Kind
    record_id: str
    operator_id: str
    doc: JsonValue
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """A user account (`operatorAccountId`, an e-mail) of one operator; the password only as a KDF hash."""

    account_id: str
    operator_id: str
    password_hash: str
    failures: int = 0
    locked: bool = False


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An application's API key, stored as its SHA-256; `cidrs` empty means any address."""

    key_hash: str
    operator_id: str
    application_name: str
    cidrs: tuple[str, ...] = ()


__all__ = ["Account", "ApiKey", "Kind", "Record"]
