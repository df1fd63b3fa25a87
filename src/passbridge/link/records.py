"""Who the link presents on each side, stored with the platform's records (`ouranos.model.Kind`).

- `Consent` (`Kind.LINK_CONSENT`, one per operator): the operator agreed to be a Catena-X participant through the
  platform — its DID (keys held by the platform), the BPNL Catena-X knows it by, optionally its BPNS and region.
- `Participant` (`Kind.LINK_PARTICIPANT`): a Catena-X participant (DID, BPNL) presented to Ouranos operators as an
  operator (`globalOperatorId` = BPNL), with one plant (`globalPlantId` = BPNS) for the parts the link registers.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from passbridge.errors import Conflict, InvalidInput, NotFound
from passbridge.jsontypes import JsonObject
from passbridge.ouranos import fields as f
from passbridge.ouranos.model import Kind, Record
from passbridge.ouranos.ports import OuranosRepository

BPNL: Final = re.compile(r"^BPNL[A-Z0-9]{12}$")
BPNS: Final = re.compile(r"^BPNS[A-Z0-9]{12}$")
_RULE: Final = "Catena-X business partner number (CX-0010)"


def _bpn(value: str | None, pattern: re.Pattern[str], path: str, *, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            raise InvalidInput.at(path, "is required", _RULE)
        return None
    if not pattern.match(value):
        raise InvalidInput.at(
            path, f"{value!r} is not a {pattern.pattern[1:5]} (4 letters + 12 upper-case alphanumerics)", _RULE
        )
    return value


@dataclass(frozen=True, slots=True)
class Consent:
    """An operator's consent to be presented on Catena-X."""

    operator_id: str
    did: str
    bpnl: str
    bpns: str | None
    region: str

    def doc(self) -> JsonObject:
        """As stored."""
        return {
            "operatorId": self.operator_id,
            "did": self.did,
            "bpnl": self.bpnl,
            "bpns": self.bpns,
            "region": self.region,
        }


@dataclass(frozen=True, slots=True)
class Participant:
    """A Catena-X participant presented as the Ouranos operator `operator_id`."""

    operator_id: str
    plant_id: str
    did: str
    bpnl: str
    name: str


def consent_of(repo: OuranosRepository, operator_id: str) -> Consent | None:
    """The operator's consent, if given."""
    record = repo.get(Kind.LINK_CONSENT, operator_id)
    if record is None:
        return None
    doc = f.obj(record.doc, "$")
    bpns = doc.get("bpns")
    return Consent(operator_id, str(doc["did"]), str(doc["bpnl"]), str(bpns) if bpns else None, str(doc["region"]))


def consents(repo: OuranosRepository) -> list[Consent]:
    """Every consent."""
    found = (consent_of(repo, r.record_id) for r in repo.find(Kind.LINK_CONSENT))
    return [c for c in found if c is not None]


def put_consent(
    repo: OuranosRepository, operator_id: str, did: str, bpnl: str, bpns: str | None, region: str
) -> Consent:
    """Record a consent (idempotent for the same operator and BPNL).

    Raises:
        NotFound: no such operator. InvalidInput: a bad BPNL/BPNS. Conflict: the BPNL is another's.
    """
    if repo.get(Kind.OPERATOR, operator_id) is None:
        raise NotFound(f"no operator {operator_id}")
    checked_bpnl = _bpn(bpnl, BPNL, "bpnl", required=True)
    assert checked_bpnl is not None
    consent = Consent(operator_id, did, checked_bpnl, _bpn(bpns, BPNS, "bpns", required=False), region)
    if any(c.bpnl == consent.bpnl and c.operator_id != operator_id for c in consents(repo)) or participant_by_bpnl(
        repo, consent.bpnl
    ):
        raise Conflict(f"BPNL {consent.bpnl} belongs to another participant")
    repo.put(Record(Kind.LINK_CONSENT, operator_id, operator_id, consent.doc(), ref=did))
    return consent


def withdraw_consent(repo: OuranosRepository, operator_id: str) -> None:
    """Remove a consent (the operator's presence stops answering).

    Raises:
        NotFound: no consent of that operator.
    """
    if repo.get(Kind.LINK_CONSENT, operator_id) is None:
        raise NotFound(f"operator {operator_id} has not consented to the link")
    repo.delete(Kind.LINK_CONSENT, operator_id)


def _participant(record: Record) -> Participant:
    doc = f.obj(record.doc, "$")
    return Participant(record.operator_id, str(doc["plantId"]), str(doc["did"]), str(doc["bpnl"]), str(doc["name"]))


def participant_by_did(repo: OuranosRepository, did: str) -> Participant | None:
    """The participant with DID `did`."""
    found = repo.find(Kind.LINK_PARTICIPANT, ref=did, limit=1)
    return _participant(found[0]) if found else None


def participant_by_operator(repo: OuranosRepository, operator_id: str) -> Participant | None:
    """The participant presented as `operator_id`."""
    record = repo.get(Kind.LINK_PARTICIPANT, operator_id)
    return _participant(record) if record is not None else None


def participant_by_bpnl(repo: OuranosRepository, bpnl: str) -> Participant | None:
    """The participant with BPNL `bpnl`."""
    return next((p for p in map(_participant, repo.find(Kind.LINK_PARTICIPANT)) if p.bpnl == bpnl), None)


def put_participant(repo: OuranosRepository, did: str, bpnl: str, name: str, bpns: str | None = None) -> Participant:
    """Present a Catena-X participant as an Ouranos operator (idempotent for the same DID and BPNL): an operator
    record (`openOperatorId` and `globalOperatorId` = the BPNL) and one plant (`globalPlantId` = the BPNS).

    Raises:
        InvalidInput: a bad DID, BPNL, BPNS or name. Conflict: the DID or BPNL is presented already otherwise.
    """
    if not did.startswith("did:web:") or len(did) > 500:
        raise InvalidInput.at("did", "must be a did:web DID", "DID Core 1.0")
    checked = _bpn(bpnl, BPNL, "bpnl", required=True)
    site = _bpn(bpns, BPNS, "bpns", required=False)
    if not name.strip() or len(name) > 256:
        raise InvalidInput.at("name", "must be 1 to 256 characters", f.RULE)
    known = participant_by_did(repo, did)
    if known is not None:
        if known.bpnl != checked:
            raise Conflict(f"{did} is presented with BPNL {known.bpnl}")
        return known
    if participant_by_bpnl(repo, str(checked)) or any(c.bpnl == checked for c in consents(repo)):
        raise Conflict(f"BPNL {checked} belongs to another participant")
    if repo.find(Kind.OPERATOR, ref=checked):
        raise Conflict(f"an Ouranos operator with openOperatorId {checked} exists already")
    operator_id = str(uuid.uuid4())
    plant_id = str(uuid.uuid4())
    digits = int(hashlib.sha256(did.encode()).hexdigest(), 16) % 10**6
    repo.put(
        Record(
            Kind.OPERATOR,
            operator_id,
            operator_id,
            {
                "operatorId": operator_id,
                "operatorName": name,
                "operatorAddress": "Catena-X (through the Ouranos link)",
                "openOperatorId": checked,
                "operatorAttribute": {"globalOperatorId": checked},
            },
            ref=checked,
        )
    )
    repo.put(
        Record(
            Kind.PLANT,
            plant_id,
            operator_id,
            {
                "plantId": plant_id,
                "operatorId": operator_id,
                "plantName": f"{name} (Catena-X site)",
                "plantAddress": "Catena-X (through the Ouranos link)",
                "openPlantId": f"CX{digits:06d}",
                "plantAttribute": {"globalPlantId": site},
            },
        )
    )
    participant = Participant(operator_id, plant_id, did, str(checked), name)
    doc: JsonObject = {"did": did, "bpnl": checked, "name": name, "plantId": plant_id}
    repo.put(Record(Kind.LINK_PARTICIPANT, operator_id, operator_id, doc, ref=did))
    return participant


_PART_TEXTS: Final = ("partsLabelName", "partsAddInfo1", "partsAddInfo2", "partsAddInfo3")


def _part(participant: Participant, trace_id: str, name: str, amount: Decimal | None, unit: str | None) -> JsonObject:
    """A `traceability.PartsModel` of the participant's operator at its plant."""
    return {
        "traceId": trace_id,
        "operatorId": participant.operator_id,
        "plantId": participant.plant_id,
        "partsName": name[:50],
        "supportPartsName": None,
        "terminatedFlag": False,
        "amountRequired": amount,
        "amountRequiredUnit": unit,
        **dict.fromkeys(_PART_TEXTS),
    }


def put_requested_part(repo: OuranosRepository, participant: Participant, parts_name: str, unit: str) -> str:
    """The child part a participant's request is about (under its one "Catena-X purchases" parent; quantity a
    placeholder 1 — the real one stays in Catena-X); its `traceId`, the same for the same name."""
    parent_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"link-purchases:{participant.operator_id}"))
    child_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"link-part:{participant.operator_id}:{parts_name}"))
    if repo.get(Kind.PARTS, parent_id) is None:
        parent = _part(participant, parent_id, "Catena-X purchases", None, None)
        repo.put(Record(Kind.PARTS, parent_id, participant.operator_id, parent))
    child = _part(participant, child_id, parts_name, Decimal(1), unit)
    repo.put(Record(Kind.PARTS, child_id, participant.operator_id, child, ref=parent_id))
    return child_id


def put_supplied_part(repo: OuranosRepository, participant: Participant, trace_id: str, name: str, unit: str) -> None:
    """The participant's own part (its Catena-X trace id) whose CFP the link registers."""
    repo.put(Record(Kind.PARTS, trace_id, participant.operator_id, _part(participant, trace_id, name, None, unit)))


__all__ = [
    "BPNL",
    "BPNS",
    "Consent",
    "Participant",
    "consent_of",
    "consents",
    "participant_by_bpnl",
    "participant_by_did",
    "participant_by_operator",
    "put_consent",
    "put_participant",
    "put_requested_part",
    "put_supplied_part",
    "withdraw_consent",
]
