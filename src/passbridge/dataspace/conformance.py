"""Conformance mode: what the Eclipse DSP TCK (``eclipse-dataspacetck/dsp-tck``, DSP 2025-1) needs to drive a node.

The TCK seeds nothing: it expects the connector under test (CUT) to know its magic ids (``dsp-tck-sample.tck.
properties``) and to act on its own per id. This engine provides exactly that, in memory, behind the routes of
`passbridge.api.routes.tck` (mounted only with the ``dsp_conformance`` setting):

* datasets ``CAT0101``/``CAT0102`` and ``ACN0101`` … ``ACN0304`` (offer ``CD123:<id>:456``), each ``HttpData-PULL``;
  ``CAT0103`` is deliberately unknown (``CatalogError`` 404);
* agreements ``ATP0101`` … ``ATP0306`` for provider transfers;
* a scripted provider per dataset / agreement (`PROVIDER_NEGOTIATIONS`, `PROVIDER_TRANSFERS`: offer, agree,
  finalize, terminate, start, suspend, complete) and a scripted consumer per dataset / agreement
  (`CONSUMER_NEGOTIATIONS`, `CONSUMER_TRANSFERS`), started by the TCK's two "initiate" webhooks.

It reuses the node's wire codec and the pure state machines (`negotiation.apply`, `transfer.apply`), so every
illegal transition the TCK's negative cases probe is refused by the same code as in production. It does not use
the node's store, DCP, policies or outbox: processes live in memory (one worker process), the counterparty is the
TCK (``TCK_PARTICIPANT``), and the consumer side takes the TCK's agreement as the policy it agreed to.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

from passbridge.dataspace import negotiation, transfer
from passbridge.dataspace.catalog import HTTP_PULL, Catalog, DataService, Dataset, Distribution
from passbridge.dataspace.messages import (
    HTTP_ENDPOINT_TYPE,
    ContractAgreementMessage,
    ContractAgreementVerificationMessage,
    ContractNegotiationAck,
    ContractNegotiationEventMessage,
    ContractNegotiationTerminationMessage,
    ContractOfferMessage,
    ContractRequestMessage,
    DataAddress,
    EndpointProperty,
    Message,
    NegotiationEvent,
    NegotiationMessage,
    Role,
    TransferCompletionMessage,
    TransferMessage,
    TransferProcessAck,
    TransferRequestMessage,
    TransferStartMessage,
    TransferSuspensionMessage,
    TransferTerminationMessage,
)
from passbridge.dataspace.negotiation import ContractNegotiation
from passbridge.dataspace.node import encode, new_pid
from passbridge.dataspace.odrl import Policy, Rule
from passbridge.dataspace.transfer import TransferProcess
from passbridge.errors import ProtocolError, UnknownProcess

logger = logging.getLogger(__name__)

TCK_PARTICIPANT = "urn:tck:participant"
"""Who the counterparty is in conformance mode (the TCK sends a static ``Authorization`` value, no DCP)."""
AWAIT_SECONDS = 2.0  # how long a consumer callback waits for the process its pid names to be stored
_P, _C = Role.PROVIDER, Role.CONSUMER
_RULE = "DSP TCK conformance mode"

Send = Callable[[str, Mapping[str, Any]], tuple[int, Any]]  # POST JSON to a URL → status, parsed answer or None

# -- the seeds --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Script:
    """What our side does by itself: on the initial request / ACK, and after each message of the counterparty."""

    on_start: tuple[str, ...] = ()
    on_counter: tuple[str, ...] = ()  # provider: the consumer's counter-offer
    on_accepted: tuple[str, ...] = ()  # provider: event ACCEPTED
    on_verified: tuple[str, ...] = ()  # provider: the verification
    on_offer: tuple[str, ...] = ()  # consumer: the provider's offer
    on_agreement: tuple[str, ...] = ()  # consumer: the provider's agreement
    on_started: tuple[str, ...] = ()  # transfer consumer: the provider's start


_OFFER, _AGREE, _FINAL, _TERM = "offer", "agree", "finalize", "terminate"
PROVIDER_NEGOTIATIONS: Mapping[str, Script] = {
    "ACN0101": Script(on_start=(_OFFER,)),
    "ACN0102": Script(on_start=(_OFFER,), on_counter=(_TERM,)),
    "ACN0103": Script(on_start=(_OFFER,), on_accepted=(_AGREE,), on_verified=(_FINAL,)),
    "ACN0104": Script(on_start=(_AGREE,), on_verified=(_FINAL,)),
    "ACN0201": Script(on_start=(_TERM,)),
    "ACN0202": Script(),
    "ACN0203": Script(on_start=(_AGREE,)),
    "ACN0204": Script(on_start=(_OFFER,)),
    "ACN0205": Script(on_start=(_OFFER, _TERM)),
    "ACN0206": Script(on_start=(_OFFER,), on_accepted=(_TERM,)),
    "ACN0207": Script(on_start=(_AGREE,), on_verified=(_TERM,)),
    "ACN0301": Script(on_start=(_AGREE,), on_verified=(_FINAL,)),
    "ACN0302": Script(on_start=(_OFFER,)),
    "ACN0303": Script(on_start=(_OFFER,)),
    "ACN0304": Script(on_start=(_OFFER,)),
}
"""CN:* (CUT = provider): dataset id → the provider's own moves (after EDC's ``DataAssembly`` for the TCK)."""

_ACC, _CTR, _VER = "accept", "counter", "verify"
CONSUMER_NEGOTIATIONS: Mapping[str, Script] = {
    "ACNC0101": Script(on_offer=(_ACC,), on_agreement=(_VER,)),
    "ACNC0102": Script(on_offer=(_CTR,)),
    "ACNC0103": Script(on_offer=(_TERM,)),
    "ACNC0104": Script(on_agreement=(_VER,)),
    "ACNC0202": Script(on_start=(_TERM,)),
    "ACNC0203": Script(on_agreement=(_TERM,)),
    "ACNC0205": Script(on_offer=(_ACC,)),
    "ACNC0206": Script(on_agreement=(_VER,)),
    "ACNC0304": Script(on_offer=(_ACC,)),
    "ACNC0305": Script(on_offer=(_ACC,)),
    "ACNC0306": Script(on_offer=(_ACC,)),
}
"""CN_C:* (CUT = consumer): dataset id → the consumer's own moves (ids not listed: the consumer only answers)."""

_START, _SUSP, _DONE = "start", "suspend", "complete"
PROVIDER_TRANSFERS: Mapping[str, Script] = {
    "ATP0101": Script(on_start=(_START, _TERM)),
    "ATP0102": Script(on_start=(_START, _DONE)),
    "ATP0103": Script(on_start=(_START, _SUSP, _TERM)),
    "ATP0104": Script(on_start=(_START, _SUSP, _START, _DONE)),
    "ATP0105": Script(on_start=(_TERM,)),
    **{f"ATP020{n}": Script(on_start=(_START,)) for n in (1, 2, 3, 4)},
    **{f"ATP0{n}": Script() for n in (205, 301, 302)},
    **{f"ATP030{n}": Script(on_start=(_START,)) for n in (3, 4, 5, 6)},
}
"""TP:* (CUT = provider): seeded agreement id → the provider's own moves."""

CONSUMER_TRANSFERS: Mapping[str, Script] = {
    "ATPC0201": Script(on_started=(_TERM,)),
    "ATPC0202": Script(on_started=(_DONE,)),
    "ATPC0203": Script(on_started=(_SUSP, _TERM)),
    "ATPC0204": Script(on_started=(_SUSP, _START, _DONE)),
    "ATPC0205": Script(on_start=(_TERM,)),
}
"""TP_C:* (CUT = consumer): agreement id → the consumer's own moves."""

CATALOG_DATASETS: tuple[str, ...] = ("CAT0101", "CAT0102", *PROVIDER_NEGOTIATIONS)


def offer_id(dataset_id: str) -> str:
    """The TCK's offer id for a seeded dataset (``CD123:<dataset>:456``)."""
    return f"CD123:{dataset_id}:456"


class ConformanceEngine:
    """The TCK-facing connector: catalog, provider and consumer sides, scripted moves sent through `send`."""

    def __init__(
        self, did: str, dsp_base: str, callback_address: str, send: Send, now: Callable[[], datetime], delay: float
    ) -> None:
        self.did, self.dsp_base, self.callback_address = did, dsp_base, callback_address
        self._send, self._now, self._delay = send, now, delay
        self._negotiations: dict[tuple[Role, str], ContractNegotiation] = {}
        self._transfers: dict[tuple[Role, str], TransferProcess] = {}
        self._scripts: dict[str, Script] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dsp-tck")

    # catalog

    def _dataset(self, dataset_id: str) -> Dataset:
        policy = Policy(offer_id(dataset_id), permissions=(Rule("use"),), assigner=self.did)
        service = DataService(f"{self.did}#dsp", self.dsp_base)
        return Dataset(dataset_id, (policy,), (Distribution(HTTP_PULL, service),))

    def catalog(self) -> Catalog:
        """Every seeded dataset."""
        datasets = tuple(self._dataset(i) for i in CATALOG_DATASETS)
        return Catalog(f"urn:passbridge:tck-catalog:{new_pid()}", self.did, datasets)

    def dataset(self, dataset_id: str) -> Dataset:
        """One seeded dataset.

        Raises:
            UnknownProcess: not seeded (404 ``CatalogError``).
        """
        if dataset_id not in CATALOG_DATASETS:
            raise UnknownProcess("dataset", dataset_id)
        return self._dataset(dataset_id)

    # provider

    def request_negotiation(self, message: ContractRequestMessage) -> ContractNegotiationAck:
        """The TCK's initial contract request for a seeded dataset; its script runs after the ACK."""
        if message.provider_pid is not None:
            raise ProtocolError.at("$.providerPid", "a counter-offer goes to /negotiations/:providerPid/request", _RULE)
        dataset_id = message.offer.target or ""
        if dataset_id not in PROVIDER_NEGOTIATIONS or message.offer.id != offer_id(dataset_id):
            raise ProtocolError.at("$.offer.@id", f"{message.offer.id!r} is not a seeded offer", _RULE)
        process = negotiation.begin(message, role=_P, counterparty_id=TCK_PARTICIPANT, provider_pid=new_pid())
        process = replace(process, offer=replace(process.offer, assigner=process.offer.assigner or self.did))
        self._store(process, PROVIDER_NEGOTIATIONS[dataset_id])
        return process.ack()

    def negotiation_message(self, role: Role, pid: str, message: NegotiationMessage) -> ContractNegotiationAck:
        """A TCK message to one of our negotiations (as provider or consumer); the script's reply follows."""
        self._await(self._negotiations, role, pid)
        with self._lock:
            process = self._negotiations.get((role, pid))
            if process is None:
                raise UnknownProcess("negotiation", pid)
            if isinstance(message, ContractAgreementMessage) and role is _C:  # the TCK's policy is what we agree to
                process = replace(process, offer=replace(message.agreement, target=process.offer.target))
            after = negotiation.apply(process, message, role.other)
            self._negotiations[(role, pid)] = after
        script = self._scripts.get(pid, Script())
        trigger = {
            ContractRequestMessage: script.on_counter,
            ContractOfferMessage: script.on_offer,
            ContractAgreementMessage: script.on_agreement,
            ContractAgreementVerificationMessage: script.on_verified,
        }.get(type(message), ())
        if isinstance(message, ContractNegotiationEventMessage) and message.event_type is NegotiationEvent.ACCEPTED:
            trigger = script.on_accepted
        self._later(pid, role, trigger)
        return after.ack()

    def state(self, role: Role, pid: str) -> ContractNegotiationAck | TransferProcessAck:
        """``GET`` of one of our negotiations or transfers.

        Raises:
            UnknownProcess: no such process (404).
        """
        with self._lock:
            process = self._negotiations.get((role, pid)) or self._transfers.get((role, pid))
        if process is None:
            raise UnknownProcess("process", pid)
        return process.ack()

    def request_transfer(self, message: TransferRequestMessage) -> TransferProcessAck:
        """The TCK's transfer request under a seeded agreement (or one it finalized with us)."""
        with self._lock:
            existing = next(
                (p for (r, _), p in self._transfers.items() if r is _P and p.consumer_pid == message.consumer_pid), None
            )
            agreed = any(
                n.agreement is not None and n.agreement.id == message.agreement_id for n in self._negotiations.values()
            )
        if existing is not None:
            return transfer.apply(existing, message, _C).ack()
        if message.agreement_id not in PROVIDER_TRANSFERS and not agreed:
            raise UnknownProcess("agreement", message.agreement_id)
        if message.format != HTTP_PULL:
            raise ProtocolError.at("$.format", f"{message.format!r} is not offered; use {HTTP_PULL}", _RULE)
        process = transfer.begin(message, role=_P, counterparty_id=TCK_PARTICIPANT, provider_pid=new_pid())
        script = PROVIDER_TRANSFERS.get(message.agreement_id, Script(on_start=(_START,)))
        self._store(process, script)
        return process.ack()

    def transfer_message(self, role: Role, pid: str, message: TransferMessage) -> TransferProcessAck:
        """A TCK message to one of our transfers (as provider or consumer)."""
        self._await(self._transfers, role, pid)
        with self._lock:
            process = self._transfers.get((role, pid))
            if process is None:
                raise UnknownProcess("transfer", pid)
            before = process.state
            after = transfer.apply(process, message, role.other)
            self._transfers[(role, pid)] = after
        if role is _C and isinstance(message, TransferStartMessage) and before.value == "REQUESTED":
            self._later(pid, role, self._scripts.get(pid, Script()).on_started)
        return after.ack()

    # consumer (the TCK's "initiate" webhooks)

    def initiate_negotiation(
        self, dataset_id: str, offer: str, provider_id: str, address: str
    ) -> ContractNegotiationAck:
        """Send a ContractRequestMessage for `offer` to the TCK at `address`; the negotiation starts on its ACK."""
        policy = Policy(offer, permissions=(Rule("use"),), target=dataset_id, assigner=provider_id)
        request = ContractRequestMessage(new_pid(), policy, callback_address=self.callback_address)
        provider_pid = self._initial(f"{address.rstrip('/')}/negotiations/request", request)
        process = negotiation.begin(
            request, role=_C, counterparty_id=provider_id, provider_pid=provider_pid, counterparty_address=address
        )
        script = CONSUMER_NEGOTIATIONS.get(dataset_id, Script())
        self._store(process, script)
        return process.ack()

    def initiate_transfer(self, agreement_id: str, fmt: str, provider_id: str, address: str) -> TransferProcessAck:
        """Send a TransferRequestMessage under `agreement_id` to the TCK at `address`."""
        request = TransferRequestMessage(new_pid(), agreement_id, fmt, self.callback_address)
        provider_pid = self._initial(f"{address.rstrip('/')}/transfers/request", request)
        process = transfer.begin(
            request, role=_C, counterparty_id=provider_id, provider_pid=provider_pid, counterparty_address=address
        )
        script = CONSUMER_TRANSFERS.get(agreement_id, Script())
        self._store(process, script)
        return process.ack()

    # scripted moves

    def _initial(self, url: str, request: Message) -> str:
        status, ack = self._send(url, encode(request))
        provider_pid = ack.get("providerPid") if isinstance(ack, dict) else None
        if status // 100 != 2 or not isinstance(provider_pid, str):
            raise ProtocolError.at("$", f"the provider answered {status} without a providerPid", _RULE)
        return provider_pid

    def _await(self, table: Mapping[tuple[Role, str], object], role: Role, pid: str) -> None:
        """As consumer, wait briefly for a process whose ACK is on its way back (the TCK may be faster)."""
        deadline = time.monotonic() + (AWAIT_SECONDS if role is _C else 0)
        while (role, pid) not in table and time.monotonic() < deadline:
            time.sleep(0.01)

    def _store(self, process: ContractNegotiation | TransferProcess, script: Script) -> None:
        """Keep a new process and run its script's first moves."""
        with self._lock:
            if isinstance(process, ContractNegotiation):
                self._negotiations[(process.role, process.pid)] = process
            else:
                self._transfers[(process.role, process.pid)] = process
            self._scripts[process.pid] = script
        self._later(process.pid, process.role, script.on_start)

    def _later(self, pid: str, role: Role, actions: Sequence[str]) -> None:
        if actions:
            self._pool.submit(self._run, pid, role, tuple(actions))

    def _run(self, pid: str, role: Role, actions: tuple[str, ...]) -> None:
        for action in actions:
            time.sleep(self._delay)  # after our ACK has reached the TCK
            try:
                if not self._step(pid, role, action):
                    return
            except Exception:  # a script step must not kill the pool; the TCK sees the missing message
                logger.exception("conformance: %s on %s failed", action, pid)
                return

    def _step(self, pid: str, role: Role, action: str) -> bool:
        with self._lock:
            process: ContractNegotiation | TransferProcess | None
            process = self._negotiations.get((role, pid)) or self._transfers.get((role, pid))
        if process is None:
            return False
        message, path = self._message(process, action)
        kind = "negotiations" if isinstance(process, ContractNegotiation) else "transfers"
        theirs = process.consumer_pid if role is _P else process.provider_pid
        url = f"{process.counterparty_address.rstrip('/')}/{kind}/{quote(theirs, safe=':')}/{path}"
        # the state moves before the send (restored if refused): the TCK may answer our message at once
        table: dict[tuple[Role, str], Any] = self._negotiations if kind == "negotiations" else self._transfers
        machine: Any = negotiation if kind == "negotiations" else transfer
        with self._lock:
            before = table[(role, pid)]
            table[(role, pid)] = after = machine.apply(before, message, role)
        status, _ = self._send(url, encode(message))
        if status // 100 != 2:
            logger.warning("conformance: %s %s answered %s", type(message).__name__, url, status)
            with self._lock:
                if table.get((role, pid)) is after:
                    table[(role, pid)] = before
            return False
        return True

    def _message(self, process: ContractNegotiation | TransferProcess, action: str) -> tuple[Message, str]:
        p, c = process.provider_pid, process.consumer_pid
        if isinstance(process, TransferProcess):
            if action == _START:
                address = None
                if process.role is _P and process.state.value == "REQUESTED":
                    address = DataAddress(
                        HTTP_ENDPOINT_TYPE,
                        f"{self.dsp_base}/tck-data/{p}",
                        (EndpointProperty("authorization", f"tck-{p}"),),
                    )
                return TransferStartMessage(p, c, address), "start"
            table: dict[str, tuple[Message, str]] = {
                _SUSP: (TransferSuspensionMessage(p, c), "suspension"),
                _DONE: (TransferCompletionMessage(p, c), "completion"),
                _TERM: (TransferTerminationMessage(p, c, "tck", ("scripted",)), "termination"),
            }
            return table[action]
        if action == _AGREE:
            agreement = negotiation.agreement_for(
                process, agreement_id=new_pid(), assigner=self.did, assignee=TCK_PARTICIPANT, now=self._now()
            )
            return ContractAgreementMessage(p, c, agreement), "agreement"
        moves: dict[str, tuple[Message, str]] = {
            _OFFER: (ContractOfferMessage(p, process.offer, c), "offers"),
            _FINAL: (ContractNegotiationEventMessage(p, c, NegotiationEvent.FINALIZED), "events"),
            _ACC: (ContractNegotiationEventMessage(p, c, NegotiationEvent.ACCEPTED), "events"),
            _CTR: (ContractRequestMessage(c, process.offer, p), "request"),
            _VER: (ContractAgreementVerificationMessage(p, c), "agreement/verification"),
            _TERM: (ContractNegotiationTerminationMessage(p, c, "tck", ("scripted",)), "termination"),
        }
        return moves[action]


__all__ = ["TCK_PARTICIPANT", "ConformanceEngine", "Script", "Send", "offer_id"]
