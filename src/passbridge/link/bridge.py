"""The link gateway's service (`LinkService`): consents, Catena-X participants as operators, and the Ouranos →
Catena-X direction of CFP requests.

An Ouranos operator asks a Catena-X participant the ordinary way (``PUT tradeRequest`` to the operator that
presents it). The platform's `REQUEST_NEW` notification wakes the bridge, which — acting as the *requesting*
operator's presence, with that operator's DID and Ouranos credential — asks the participant's connector for the PCF
it releases to that DID (DSP catalog, negotiation, transfer, pull of the 1.0.0 battery-component PCF), registers
it as the participant's part and CFP (stage 1 → ``preProduction``, stage 2 → ``mainProduction``), grants the
requester ``TOTALCFP``/``TOTALDQR`` (the supplier released them on its side) and links the trade; the requester then
reads ``preProductionResponse``/``mainProductionResponse`` as from any Ouranos supplier.

What never crosses: the trade request's quantity (Ouranos hides it from the upstream already), the requester's
part structure and suppliers — the DSP messages carry only dataset ids and the requester's DID.

Refusals are answers: a requester who has not consented, a Catena-X side that refuses the requester (revoked,
not recognised), no PCF offered for the part, or a unit with no Ouranos counterpart → the trade is rejected with a
`replyMessage` naming the reason (nothing registered). A request cancelled while the bridge worked → what the
bridge registered is removed again.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from passbridge.dataspace.offers import pcf_trace_id
from passbridge.ecosystems.catenax.pcf_read import read_component_pcf
from passbridge.errors import CounterpartyError, InvalidInput, NotFound, PassbridgeError
from passbridge.jsoncodec import loads_exact
from passbridge.jsontypes import JsonObject, JsonValue
from passbridge.link import records
from passbridge.link.cfp_mapping import TOTALCFP, TOTALDQR, registration
from passbridge.ouranos import fields as f
from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.model import Kind
from passbridge.ouranos.ports import UnitOfWorkFactory
from passbridge.ouranos.services import OuranosPlatform
from passbridge.ouranos.trades import status_of
from passbridge.supplychain.trades import TradeStatus

logger = logging.getLogger(__name__)

GATEWAY_ACCOUNT = "link-gateway"
"""The `account_id` the bridge acts under when it answers for a Catena-X participant."""
RESULTS_KEPT = 1_000
"""How many of the bridge's latest answers `LinkService.results` keeps."""


class Presence(Protocol):
    """An operator's Catena-X presence, as the bridge uses it."""

    @property
    def did(self) -> str:
        """The operator's DID on Catena-X."""

    def pcf_datasets(self, provider: str) -> list[str]:
        """The PCF dataset ids `provider` (a DID) offers this presence."""

    def fetch_pcf(self, dataset_id: str, provider: str) -> bytes:
        """The battery-component 1.0.0 PCF of `dataset_id` from `provider`."""


class Presences(Protocol):
    """The presences the platform hosts (`passbridge.link_wiring.PresenceHost`)."""

    def did_of(self, operator_id: str) -> str:
        """The DID an operator's presence has (whether or not it exists)."""

    def presence(self, operator_id: str) -> Presence | None:
        """The presence of a consenting operator, started if needed; None without consent."""

    def open(self, consent: records.Consent) -> Presence:
        """Start the presence of a new consent and have it certified (its Ouranos operator credential)."""

    def close_one(self, operator_id: str) -> None:
        """Stop an operator's presence (consent withdrawn)."""


class Outcome(enum.Enum):
    """What the bridge did with a trade request."""

    ANSWERED = "answered"
    REJECTED = "rejected"
    SKIPPED = "skipped"
    """Not for a Catena-X participant, or not open any more."""


@dataclass(frozen=True, slots=True)
class BridgeResult:
    """The bridge's answer to one trade request."""

    trade_id: str
    outcome: Outcome
    detail: str


class LinkService:
    """Consents, participants, and the Ouranos → Catena-X bridge (a worker thread fed by notifications)."""

    def __init__(self, uow: UnitOfWorkFactory, platform: OuranosPlatform, presences: Presences) -> None:
        self._uow, self._platform, self._presences = uow, platform, presences
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.results: deque[BridgeResult] = deque(maxlen=RESULTS_KEPT)
        """The latest answers (tests, the demo, `passbridge link sync` read them); older ones are dropped."""
        platform.notifications.subscribe(self._notified)

    # consents and participants --------------------------------------------------------------------------------

    def consent(
        self, operator_id: str, bpnl: str, bpns: str | None = None, region: str = "Eastern Asia"
    ) -> records.Consent:
        """Present `operator_id` on Catena-X: its presence (DID, keys held here), certified with its Ouranos operator
        credential. Nothing stays recorded if the presence cannot be opened.

        Raises:
            NotFound, InvalidInput, Conflict: see `records.put_consent`; whatever opening the presence raises.
        """
        with self._uow() as uow:
            consent = records.put_consent(
                uow.ouranos, operator_id, self._presences.did_of(operator_id), bpnl, bpns, region
            )
            uow.commit()
        try:
            self._presences.open(consent)
        except Exception:
            with self._uow() as uow:
                records.withdraw_consent(uow.ouranos, operator_id)
                uow.commit()
            raise
        return consent

    def withdraw(self, operator_id: str) -> None:
        """Withdraw a consent: the presence stops and its DID no longer resolves."""
        with self._uow() as uow:
            records.withdraw_consent(uow.ouranos, operator_id)
            uow.commit()
        self._presences.close_one(operator_id)

    def consents(self) -> list[records.Consent]:
        """Every consent."""
        with self._uow(write=False) as uow:
            return records.consents(uow.ouranos)

    def add_participant(self, did: str, bpnl: str, name: str, bpns: str | None = None) -> records.Participant:
        """Present a Catena-X participant to Ouranos operators as an operator (see `records.put_participant`)."""
        with self._uow() as uow:
            participant = records.put_participant(uow.ouranos, did, bpnl, name, bpns)
            uow.commit()
        return participant

    def participants(self) -> list[records.Participant]:
        """Every Catena-X participant presented as an operator."""
        with self._uow(write=False) as uow:
            found = (
                records.participant_by_operator(uow.ouranos, r.record_id)
                for r in uow.ouranos.find(Kind.LINK_PARTICIPANT)
            )
            return [p for p in found if p is not None]

    def ask(self, participant_did: str, upstream_operator_id: str, parts_name: str, unit: str = "unit") -> str:
        """A Catena-X participant's CFP request to an Ouranos operator, as the operator sees every request: an
        ordinary trade request (``REQUEST_NEW``) from the operator that presents the participant, for a child part
        `parts_name` of its "Catena-X purchases". The quantity is a placeholder 1 — the real one never leaves
        Catena-X, and Ouranos shows none upstream anyway. Once the operator answers and grants the participant
        ``TOTALCFP``, the answer is in its presence's catalog. Returns the ``tradeId``.

        Raises:
            NotFound: no participant with that DID, no such operator. InvalidInput: a bad part name or unit; the
                operator has not consented (its answer could not reach Catena-X).
        """
        caller_name = f.required_text({"partsName": parts_name}, "partsName", "$", high=50)
        if unit not in f.UNITS:
            raise InvalidInput.at("amountRequiredUnit", f"must be one of {', '.join(f.UNITS)}", f.RULE)
        with self._uow() as uow:
            repo = uow.ouranos
            participant = records.participant_by_did(repo, participant_did)
            if participant is None:
                raise NotFound(f"{participant_did} is not presented on Ouranos (passbridge link participant-add)")
            if repo.get(Kind.OPERATOR, upstream_operator_id) is None:
                raise NotFound(f"no operator {upstream_operator_id}")
            if records.consent_of(repo, upstream_operator_id) is None:
                raise InvalidInput.at(
                    "upstreamOperatorId", "has not consented to the link: its answer could not reach Catena-X", f.RULE
                )
            child_id = records.put_requested_part(repo, participant, caller_name, unit)
            uow.commit()
        request: JsonObject = {
            "tradeModel": {
                "downstreamOperatorId": participant.operator_id,
                "upstreamOperatorId": upstream_operator_id,
                "downstreamTraceId": child_id,
            },
            "statusModel": {
                "requestType": "CFP",
                "message": f"CFP request from {participant.name} (Catena-X, {participant.bpnl}) through the link",
                "responseDueDate": None,
            },
        }
        trade = self._platform.trades.request(Caller(participant.operator_id, GATEWAY_ACCOUNT), request)
        return str(f.obj(trade["tradeModel"], "$")["tradeId"])

    # the bridge ------------------------------------------------------------------------------------------------

    def _notified(self, note: JsonObject) -> None:
        if note.get("notificationType") != "REQUEST_NEW":
            return
        relation = f.obj(note.get("tradeRelation"), "$.tradeRelation")
        with self._uow(write=False) as uow:
            if records.participant_by_operator(uow.ouranos, str(relation["upstreamOperatorId"])) is None:
                return
        self._queue.put(str(relation["tradeId"]))

    def queue_open(self) -> int:
        """Queue every open request to a Catena-X participant (after a restart, notifications of the downtime
        are not replayed); returns how many."""
        with self._uow(write=False) as uow:
            repo = uow.ouranos
            queued = 0
            for participant in repo.find(Kind.LINK_PARTICIPANT):
                for trade in repo.find(Kind.TRADE, ref=participant.record_id):
                    if status_of(repo, trade) is TradeStatus.NOT_COMPLETED:
                        self._queue.put(trade.record_id)
                        queued += 1
        return queued

    def start(self) -> None:
        """Answer queued requests — and the requests left open while the platform was down — in a background
        thread (what a served platform does)."""
        if self._thread is None:
            self.queue_open()
            self._thread = threading.Thread(target=self._run, name="ouranos-link-bridge", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the background thread (queued requests stay queued)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while (trade_id := self._queue.get()) is not None:
            try:
                self.results.append(self.answer(trade_id))
            except Exception:
                logger.exception("the link bridge failed on trade %s", trade_id)

    def run_pending(self) -> list[BridgeResult]:
        """Answer every queued request now, in this thread (tests, `passbridge link sync`)."""
        done: list[BridgeResult] = []
        while True:
            try:
                trade_id = self._queue.get_nowait()
            except queue.Empty:
                return done
            if trade_id is not None:
                done.append(self.answer(trade_id))
                self.results.append(done[-1])

    def answer(self, trade_id: str) -> BridgeResult:
        """Answer one trade request addressed to a Catena-X participant (see the module docstring)."""
        with self._uow(write=False) as uow:
            repo = uow.ouranos
            trade = repo.get(Kind.TRADE, trade_id)
            if trade is None:
                raise NotFound(f"no trade {trade_id}")
            participant = records.participant_by_operator(repo, str(trade.ref))
            model = f.obj(f.obj(trade.doc, "$")["tradeModel"], "$")
            if (
                participant is None
                or status_of(repo, trade) is not TradeStatus.NOT_COMPLETED
                or model.get("upstreamTraceId")
            ):
                return BridgeResult(trade_id, Outcome.SKIPPED, "not an open request to a Catena-X participant")
            downstream = repo.get(Kind.PARTS, str(model["downstreamTraceId"]))
            wanted = str(f.obj(downstream.doc, "$")["partsName"]) if downstream is not None else ""
        requester = str(model["downstreamOperatorId"])
        presence = self._presences.presence(requester)
        if presence is None:
            return self._reject(
                trade_id, participant, "the requesting operator has not consented to the Ouranos-Catena-X link"
            )
        try:
            trace_id, payload = self._fetch(presence, participant, wanted)
            pcf = read_component_pcf(loads_exact(payload))
        except CounterpartyError as exc:
            return self._reject(trade_id, participant, f"Catena-X refused: {exc}")
        except (InvalidInput, LookupError) as exc:
            return self._reject(trade_id, participant, str(exc))
        cfp = registration(pcf, trace_id)
        return self._register(trade_id, participant, requester, trace_id, pcf.manufacturer_part_id, cfp)

    @staticmethod
    def _fetch(presence: Presence, participant: records.Participant, wanted: str) -> tuple[str, bytes]:
        """(traceId, payload) of the PCF the participant offers for the requested part: the only one offered, else
        the one whose ``manufacturerPartId`` or ``customerPartId`` is the requester's part name. Only datasets named
        ``urn:uuid:<traceId>`` count: the id becomes the part's ``traceId`` on the platform."""
        offered = {d: t for d in presence.pcf_datasets(participant.did) if (t := pcf_trace_id(d)) is not None}
        if not offered:
            raise LookupError(f"{participant.name} offers no carbon footprint to this operator")
        for dataset_id, trace_id in offered.items():
            payload = presence.fetch_pcf(dataset_id, participant.did)
            if len(offered) == 1:
                return str(trace_id), payload
            doc = loads_exact(payload)
            if isinstance(doc, dict) and wanted in (doc.get("manufacturerPartId"), doc.get("customerPartId")):
                return str(trace_id), payload
        raise LookupError(f"{participant.name} offers several footprints and none names the part {wanted!r}")

    def _reject(self, trade_id: str, participant: records.Participant, reason: str) -> BridgeResult:
        caller = Caller(participant.operator_id, GATEWAY_ACCOUNT)
        body: JsonObject = {
            "tradeId": trade_id,
            "requestStatus": {"cfpResponseStatus": "REJECT"},
            "replyMessage": reason[:1000],
        }
        try:
            self._platform.trades.set_status(caller, body)
        except PassbridgeError as exc:  # cancelled meanwhile: nothing to answer
            return BridgeResult(trade_id, Outcome.SKIPPED, str(exc))
        logger.info("link: trade %s rejected: %s", trade_id, reason)
        return BridgeResult(trade_id, Outcome.REJECTED, reason)

    def _register(
        self,
        trade_id: str,
        participant: records.Participant,
        requester: str,
        trace_id: str,
        parts_name: str,
        cfp: Sequence[JsonValue],
    ) -> BridgeResult:
        caller = Caller(participant.operator_id, GATEWAY_ACCOUNT)
        created = False
        with self._uow() as uow:
            repo = uow.ouranos
            existing = repo.get(Kind.PARTS, trace_id)
            if existing is not None and existing.operator_id != participant.operator_id:
                raise InvalidInput.at("traceId", f"{trace_id} is another operator's part", f.RULE)
            if existing is None:
                unit = str(f.obj(cfp[0], "$")["ghgDeclaredUnit"]).removeprefix("kgCO2e/")
                records.put_supplied_part(repo, participant, trace_id, parts_name, unit)
                created = True
            uow.commit()
        grant: JsonObject = {
            "operatorId": participant.operator_id,
            "releasedToOperatorId": requester,
            "traceId": trace_id,
            "acl": [{"aclItemGroup": group, "releasedFlag": True} for group in (TOTALCFP, TOTALDQR)],
        }
        self._platform.cfp.put(caller, list(cfp))
        self._platform.acl.put(caller, grant)
        try:
            self._platform.trades.respond(caller, trade_id, trace_id)
        except PassbridgeError as exc:  # the request was cancelled or rejected meanwhile
            if created:
                self._undo(participant.operator_id, trace_id)
            return BridgeResult(trade_id, Outcome.SKIPPED, str(exc))
        logger.info("link: trade %s answered from Catena-X part %s", trade_id, trace_id)
        return BridgeResult(trade_id, Outcome.ANSWERED, f"answered with {participant.name}'s PCF of {parts_name}")

    def _undo(self, operator_id: str, trace_id: str) -> None:
        with self._uow() as uow:
            repo = uow.ouranos
            for kind in (Kind.CFP, Kind.ACL):
                for record in repo.find(kind, operator_id=operator_id):
                    if record.ref == trace_id:
                        repo.delete(kind, record.record_id)
            repo.delete(Kind.PARTS, trace_id)
            uow.commit()


__all__ = ["GATEWAY_ACCOUNT", "RESULTS_KEPT", "BridgeResult", "LinkService", "Outcome", "Presence", "Presences"]
