"""The consumer use case: fetch a passport from another node through the data space (`ConsumerService.fetch`).

Steps (each timed): **discovery** (the provider's DID document names its ``DataService``, the version metadata
names the DSP base and dialect: 2025-1 if offered, else the v0.8 of Tractus-X EDC ≤ 0.10), **catalog** (the dataset
with the offers this node may see; the one granting the strongest passport view is taken), **negotiation** (request
→ the provider's agreement → our verification → FINALIZED), **transfer** (request → the provider's start with the
endpoint data reference), **data** (GET with the EDR token).

DSP is asynchronous: the provider answers a request with an ACK and sends the agreement, the FINALIZED event and the
transfer start to our callback address later. Every message to a provider is written in its dialect, and the callback
address we give it is the one reading that dialect (`NodeProfile.callback_for`), so its callbacks and our follow-ups
(the agreement verification) stay in it too. `fetch` registers an in-process event for its process id before it
sends the request and the callback handler (`DataspaceService.consumer_negotiation_message`, …) sets it once its
transaction committed; the waiting re-reads the state from the database, and does so again every `RECHECK_SECONDS`
in case the callback was handled by another worker process of this node (a fallback, not the normal path).

Warm fetch: a FINALIZED agreement for the same provider and dataset is reused, and so is the EDR of a STARTED
transfer under it while its token has more than `EDR_MARGIN_SECONDS` left; a warm fetch is then one data request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from passbridge.clock import Clock
from passbridge.dataspace import negotiation, transfer
from passbridge.dataspace.catalog import HTTP_PULL, Dataset
from passbridge.dataspace.dataplane import access_level
from passbridge.dataspace.messages import (
    CatalogRequestMessage,
    ContractRequestMessage,
    DataAddress,
    NegotiationState,
    Role,
    TransferRequestMessage,
    TransferState,
)
from passbridge.dataspace.node import NodeProfile, Waiters, new_pid
from passbridge.dataspace.odrl import Policy
from passbridge.dataspace.offers import LEVELS
from passbridge.dataspace.ports import Counterparty, DataspaceUnitOfWorkFactory, DspEndpoint, StoredAgreement
from passbridge.errors import CounterpartyError, InvalidInput
from passbridge.identity.did import did_web
from passbridge.jsoncodec import loads_exact
from passbridge.passport.model import PassportId

RECHECK_SECONDS = 0.5
EDR_MARGIN_SECONDS = 5
VERSION_PATH = "/.well-known/dspace-version"
_C = Role.CONSUMER
_PENDING = "pending"
_MARGIN = timedelta(seconds=EDR_MARGIN_SECONDS)


@dataclass(frozen=True, slots=True)
class Target:
    """What to fetch and from whom: the dataset id and the provider's DID and, when known, its base URL."""

    dataset_id: str
    provider: str | None = None
    root_url: str | None = None


def parse_target(target: str, source: str | None = None) -> Target:
    """Read a QR code's content (``https://node/p/<id>``), a passport URL or a passport id, and ``--from`` (a DID or
    the provider's URL).

    Raises:
        InvalidInput: neither a passport id nor a URL ending in one; a `source` that is neither a DID nor a URL.
    """
    root: str | None = None
    text = target.strip()
    if text.startswith(("http://", "https://")):
        parts = urlsplit(text)
        root = f"{parts.scheme}://{parts.netloc}"
        text = parts.path.rstrip("/").rsplit("/", 1)[-1]
    passport = PassportId.parse(text, path="$.target")
    provider = did_web(root) if root else None
    if source:
        if source.startswith("did:"):
            provider, root = source, None
        elif source.startswith(("http://", "https://")):
            root = source.rstrip("/")
            provider = did_web(root)
        else:
            raise InvalidInput.at("$.from", f"{source!r} is neither a DID nor an http(s) URL")
    return Target(passport.urn, provider, root)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A fetched dataset, how it was obtained and how long each step took (milliseconds)."""

    dataset_id: str
    provider: str
    level: str
    agreement_id: str
    transfer_pid: str
    warm: bool
    media_type: str
    body: bytes
    timings: tuple[tuple[str, float], ...] = field(default=())

    @property
    def total_ms(self) -> float:
        """The sum of the steps."""
        return sum(ms for _, ms in self.timings)


@dataclass(frozen=True, slots=True)
class _Edr:
    agreement: StoredAgreement
    address: DataAddress
    transfer_pid: str
    expires: datetime | None


class _Timer:
    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.steps.append((name, round((time.perf_counter() - start) * 1000, 3)))


def best_offer(dataset: Dataset) -> Policy:
    """The offer granting the strongest passport view (`LEVELS` order), the first of equals.

    Raises:
        CounterpartyError: the dataset has no offer for us.
    """
    if not dataset.offers:
        raise CounterpartyError("catalog", f"dataset {dataset.id} has no offer for this participant")
    return max(dataset.offers, key=lambda offer: LEVELS.index(access_level(offer, LEVELS)))


def _said(media_type: str, body: bytes) -> tuple[str, ...]:
    """The ``detail`` of a problem+json refusal (how our data plane says why), else nothing."""
    if "json" not in media_type:
        return ()
    try:
        doc = loads_exact(body)
    except Exception:  # a body that is not JSON: nothing to quote
        return ()
    detail = doc.get("detail") if isinstance(doc, dict) else None
    return (detail[:500],) if isinstance(detail, str) else ()


class ConsumerService:
    """Fetches datasets from providers through DSP."""

    def __init__(
        self,
        uow: DataspaceUnitOfWorkFactory,
        clock: Clock,
        node: NodeProfile,
        counterparty: Counterparty,
        waiters: Waiters,
        *,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._uow, self._clock, self._node, self._remote, self._waiters = uow, clock, node, counterparty, waiters
        self._timeout = timeout_seconds
        self._bases: dict[str, DspEndpoint] = {}
        self._edrs: dict[tuple[str, str], _Edr] = {}
        self._edr_keys: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        waiters.listen(self._forget)

    def fetch(self, target: str, source: str | None = None, fmt: str | None = None) -> FetchResult:
        """Fetch a passport (see the module docstring).

        Raises:
            InvalidInput: an unreadable target, or no provider named.
            CounterpartyError: the provider refused a step, failed, or did not answer in time (names the step).
        """
        wanted = parse_target(target, source)
        if wanted.provider is None:
            raise InvalidInput.at("$.from", "name the provider (a DID or URL), or give the QR code's URL")
        provider, timer = wanted.provider, _Timer()
        query = {"format": fmt} if fmt else {}
        key = (provider, wanted.dataset_id)
        with timer.step("reuse"):
            agreement, address, transfer_pid = self._remembered(key) or self._reusable(provider, wanted.dataset_id)
        if agreement is not None and address is not None:
            with timer.step("data"):
                status, media_type, body = self._remote.pull(address, query)
            if status != 200:
                self._forget(transfer_pid)
            else:
                self._remember(key, agreement, address, transfer_pid)
                level = access_level(agreement.agreement, LEVELS)
                return FetchResult(
                    wanted.dataset_id,
                    provider,
                    level,
                    agreement.id,
                    transfer_pid,
                    True,
                    media_type,
                    body,
                    tuple(timer.steps),
                )
        endpoint = self._bases.get(provider)
        if endpoint is None:
            with timer.step("discovery"):
                endpoint = self._discover(provider, wanted.root_url)
        if agreement is None:
            with timer.step("catalog"):
                offer = best_offer(self._remote.dataset(endpoint, provider, wanted.dataset_id))
            with timer.step("negotiation"):
                agreement = self._negotiate(endpoint, provider, replace(offer, target=wanted.dataset_id))
        with timer.step("transfer"):
            transfer_pid, address = self._transfer(endpoint, provider, agreement.id)
        with timer.step("data"):
            status, media_type, body = self._remote.pull(address, query)
        if status != 200:
            raise CounterpartyError("data", f"the data plane answered {status}", status, _said(media_type, body))
        self._remember(key, agreement, address, transfer_pid)
        level = access_level(agreement.agreement, LEVELS)
        return FetchResult(
            wanted.dataset_id, provider, level, agreement.id, transfer_pid, False, media_type, body, tuple(timer.steps)
        )

    def datasets(self, provider: str) -> list[Dataset]:
        """The datasets `provider` (a DID) offers us: discovery, then one catalog request.

        Raises:
            CounterpartyError: the provider refused or failed (names the step).
        """
        endpoint = self._bases.get(provider) or self._discover(provider, None)
        return list(self._remote.catalog(endpoint, provider, CatalogRequestMessage()).all_datasets())

    def _remembered(self, key: tuple[str, str]) -> tuple[StoredAgreement, DataAddress, str] | None:
        """The EDR this process last used for (provider, dataset), while its token has time left (no database
        read: the warm path is one data request)."""
        with self._lock:
            edr = self._edrs.get(key)
        if edr is None or (edr.expires is not None and edr.expires <= self._clock.now() + _MARGIN):
            return None
        return edr.agreement, edr.address, edr.transfer_pid

    def _remember(self, key: tuple[str, str], agreement: StoredAgreement, address: DataAddress, pid: str) -> None:
        seconds = address.value_of("expiresIn")
        expires = self._clock.now() + timedelta(seconds=int(seconds)) if seconds and seconds.isdigit() else None
        with self._lock:
            if key not in self._edrs or self._edrs[key].transfer_pid != pid:
                self._edrs[key] = _Edr(agreement, address, pid, expires)
                self._edr_keys[pid] = key

    def _forget(self, pid: str) -> None:
        """Drop the remembered EDR of transfer `pid` (a callback changed it, or the data plane refused it)."""
        with self._lock:
            key = self._edr_keys.pop(pid, None)
            if key is not None and key in self._edrs and self._edrs[key].transfer_pid == pid:
                del self._edrs[key]

    def _reusable(self, provider: str, dataset_id: str) -> tuple[StoredAgreement | None, DataAddress | None, str]:
        now = self._clock.now()
        with self._uow(write=False) as uow:
            agreements = uow.dataspace.agreements_for(_C, provider, self._node.did, dataset_id)
            if not agreements:
                return None, None, ""
            for process, expires in uow.dataspace.started_transfers(_C, agreements[0].id):
                if process.data_address is not None and (
                    expires is None or expires > now + timedelta(seconds=EDR_MARGIN_SECONDS)
                ):
                    return agreements[0], process.data_address, process.pid
        return agreements[0], None, ""

    def _discover(self, provider: str, root_url: str | None) -> DspEndpoint:
        try:
            version_url = root_url + VERSION_PATH if root_url else self._remote.data_service(provider)
            endpoint = self._remote.dsp_base(version_url)
        except CounterpartyError:
            raise
        except Exception as exc:  # a DID that does not resolve, version metadata without 2025-1 or v0.8, …
            raise CounterpartyError("discovery", str(exc)) from exc
        self._bases[provider] = endpoint
        return endpoint

    def _wait(self, step: str, pid: str, event: threading.Event, done: Callable[[], bool]) -> None:
        deadline = time.monotonic() + self._timeout
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CounterpartyError(step, f"no answer from the provider within {self._timeout:g} s")
            event.wait(min(remaining, RECHECK_SECONDS))
            event.clear()

    def _negotiate(self, endpoint: DspEndpoint, provider: str, offer: Policy) -> StoredAgreement:
        callback = self._node.callback_for(endpoint.dialect)
        message = ContractRequestMessage(new_pid(), offer, callback_address=callback)
        # stored before the request is sent (the agreement may overtake the ACK); the provider's pid is not known
        # yet: "" until the ACK or the first callback brings it
        pending = negotiation.begin(
            message, role=_C, counterparty_id=provider, provider_pid=_PENDING, counterparty_address=endpoint.base
        )
        process = replace(pending, provider_pid="")
        with self._uow() as uow:
            uow.dataspace.put_negotiation(process, self._clock.now())
            uow.commit()
        event = self._waiters.expect(process.pid)
        try:
            ack = self._remote.request_negotiation(endpoint, provider, message)
            self._record_provider_pid(process.pid, ack.provider_pid, negotiation=True)
            state: list[NegotiationState] = []

            def finished() -> bool:
                with self._uow(write=False) as uow:
                    current = uow.dataspace.negotiation(_C, process.pid)
                state[:] = [current.state] if current is not None else []
                return bool(state) and state[0] in (*negotiation.TERMINAL_STATES, NegotiationState.OFFERED)

            self._wait("negotiation", process.pid, event, finished)
        finally:
            self._waiters.forget(process.pid)
        with self._uow(write=False) as uow:
            current = uow.dataspace.negotiation(_C, process.pid)
            stored = (
                None if current is None or current.agreement is None else uow.dataspace.agreement(current.agreement.id)
            )
        if current is None or current.state is not NegotiationState.FINALIZED or stored is None:
            got = current.state.value if current is not None else "missing"
            raise CounterpartyError("negotiation", f"negotiation {process.pid} ended {got}, not FINALIZED")
        return stored

    def _record_provider_pid(self, pid: str, provider_pid: str, *, negotiation: bool) -> None:
        """Store the provider's pid from its ACK, unless its first callback (usually faster) already did."""
        with self._uow(write=False) as uow:
            known = uow.dataspace.negotiation(_C, pid) if negotiation else uow.dataspace.transfer(_C, pid)
        if known is None or known.provider_pid:
            return
        with self._uow() as uow:
            repo = uow.dataspace
            if negotiation:
                current_n = repo.negotiation(_C, pid)
                if current_n is not None and not current_n.provider_pid:
                    repo.put_negotiation(replace(current_n, provider_pid=provider_pid), self._clock.now())
            else:
                current_t = repo.transfer(_C, pid)
                if current_t is not None and not current_t.provider_pid:
                    repo.put_transfer(replace(current_t, provider_pid=provider_pid), self._clock.now())
            uow.commit()

    def _transfer(self, endpoint: DspEndpoint, provider: str, agreement_id: str) -> tuple[str, DataAddress]:
        message = TransferRequestMessage(new_pid(), agreement_id, HTTP_PULL, self._node.callback_for(endpoint.dialect))
        pending = transfer.begin(
            message, role=_C, counterparty_id=provider, provider_pid=_PENDING, counterparty_address=endpoint.base
        )
        process = replace(pending, provider_pid="")
        with self._uow() as uow:
            uow.dataspace.put_transfer(process, self._clock.now())
            uow.commit()
        event = self._waiters.expect(process.pid)
        try:
            ack = self._remote.request_transfer(endpoint, provider, message)
            self._record_provider_pid(process.pid, ack.provider_pid, negotiation=False)

            def started() -> bool:
                with self._uow(write=False) as uow:
                    current = uow.dataspace.transfer(_C, process.pid)
                return current is not None and current.state is not TransferState.REQUESTED

            self._wait("transfer", process.pid, event, started)
        finally:
            self._waiters.forget(process.pid)
        with self._uow(write=False) as uow:
            current = uow.dataspace.transfer(_C, process.pid)
        if current is None or current.state is not TransferState.STARTED or current.data_address is None:
            got = current.state.value if current is not None else "missing"
            raise CounterpartyError("transfer", f"transfer {process.pid} is {got}, without an endpoint data reference")
        return current.pid, current.data_address


__all__ = [
    "EDR_MARGIN_SECONDS",
    "RECHECK_SECONDS",
    "ConsumerService",
    "FetchResult",
    "Target",
    "best_offer",
    "parse_target",
]
