"""The passport aggregate: identifiers, the facts we index, and immutable versions.

Layout: `PassportId` (the BatteryPass `metadata.passportIdentifier`, a UUID); `PassportFacts` (what the node needs
to know about a document without re-reading it: battery identifier, status, predecessors, operator);
`PassportVersion` (one immutable, exact document); `Passport` (the aggregate's head: current version and status).

The document itself stays the exact JSON bytes the economic operator sent (Art. 77(4): accurate, complete and up to
date — we never rewrite it); `content()` decodes it with `Decimal` numbers when a reader needs it.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from passbridge.errors import InvalidInput
from passbridge.jsoncodec import loads_exact
from passbridge.jsontypes import JsonObject
from passbridge.passport.lifecycle import BatteryStatus

_URN_UUID = "urn:uuid:"
_UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
_CANONICAL = re.compile(rf"^(?:urn:uuid:)?{_UUID}$", re.IGNORECASE)
_LOWER = re.compile(rf"(?:urn:uuid:)?{_UUID}\Z")
"""The usual, lower-case spelling: half the cost of the case-blind match (bulk import parses two ids a line)."""


@dataclass(frozen=True, slots=True, order=True)
class PassportId:
    """A passport identifier: a UUID, kept in canonical lower-case form without the ``urn:uuid:`` prefix."""

    value: str

    @classmethod
    def parse(cls, text: str, path: str = "$.metadata.passportIdentifier") -> PassportId:
        """Accept ``<uuid>`` or ``urn:uuid:<uuid>``.

        Raises:
            InvalidInput: naming `path` if `text` is not a UUID.
        """
        if isinstance(text, str):  # the canonical forms need no uuid.UUID
            if (match := _LOWER.match(text)) is not None:
                return cls(match.group(1))
            if (match := _CANONICAL.match(text)) is not None:
                return cls(match.group(1).lower())
        raw = text[len(_URN_UUID) :] if text.lower().startswith(_URN_UUID) else text
        try:
            return cls(str(uuid.UUID(raw)))
        except (ValueError, AttributeError):
            raise InvalidInput.at(
                path, f"{text!r} is not a UUID or urn:uuid:<UUID>", rule="BatteryPass 6.1.0"
            ) from None

    @classmethod
    def new(cls) -> PassportId:
        """A fresh random identifier (UUID v4)."""
        return cls(str(uuid.uuid4()))

    @property
    def urn(self) -> str:
        """The ``urn:uuid:`` form used inside documents."""
        return _URN_UUID + self.value

    @property
    def is_nil(self) -> bool:
        """True for the all-zero UUID that BatteryPass uses as 'no predecessor'."""
        return self.value == NIL_UUID

    def __str__(self) -> str:
        return self.value

    def __reduce__(self) -> tuple[type[PassportId], tuple[str]]:
        return PassportId, (self.value,)  # bulk import pickles one per line; the default slots path is ~3x slower


NIL_UUID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True, slots=True)
class PassportFacts:
    """Facts read from a validated document that the node indexes and enforces rules on.

    Attributes:
        passport_id: `metadata.passportIdentifier`.
        battery_id: `identification.idDmc`, the unique battery identifier behind the QR code (Art. 77(3)).
        status: `sustainability.status` (Annex XIII 4(c)).
        predecessors: passports of the original battery or batteries (Art. 77(7)); empty for none.
        economic_operator: `metadata.economicOperatorId` (BPNL).
        manufacturer_part_id: `identification.identification.type.manufacturerPartId`.
        part_instance_id: the serial with key ``partInstanceId``, if any.
        category: `identification.category` (EV, LMT, industrial, …).
    """

    passport_id: PassportId
    battery_id: str
    status: BatteryStatus
    predecessors: tuple[PassportId, ...]
    economic_operator: str
    manufacturer_part_id: str
    part_instance_id: str | None
    category: str

    def __reduce__(self) -> tuple[type[PassportFacts], tuple[object, ...]]:
        return PassportFacts, (  # plain positional state: bulk import sends a batch of these between processes
            self.passport_id,
            self.battery_id,
            self.status,
            self.predecessors,
            self.economic_operator,
            self.manufacturer_part_id,
            self.part_instance_id,
            self.category,
        )


@dataclass(frozen=True, slots=True)
class PassportVersion:
    """One immutable version of a passport: the exact document and when the node recorded it."""

    facts: PassportFacts
    number: int
    document: bytes
    recorded_at: datetime

    @property
    def passport_id(self) -> PassportId:
        """The passport this version belongs to."""
        return self.facts.passport_id

    @property
    def digest(self) -> str:
        """SHA-256 of the exact document bytes (the ETag of this version)."""
        return hashlib.sha256(self.document).hexdigest()

    def content(self) -> JsonObject:
        """The document as a tree with `Decimal` numbers."""
        value = loads_exact(self.document)
        if not isinstance(value, dict):  # pragma: no cover - documents are validated objects
            raise InvalidInput.at("$", "document is not a JSON object")
        return value


@dataclass(frozen=True, slots=True)
class Passport:
    """The head of a passport: its current version and lifecycle status."""

    passport_id: PassportId
    battery_id: str
    status: BatteryStatus
    current_version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """A line of `GET …/versions`."""

    number: int
    status: BatteryStatus
    digest: str
    recorded_at: datetime


__all__ = ["NIL_UUID", "Passport", "PassportFacts", "PassportId", "PassportVersion", "VersionInfo"]
