"""The provider's DSP use cases: catalog, negotiation and transfer endpoints, and the outbox hooks. Talks to ports
only. The consumer's callbacks are `passbridge.dataspace.callbacks`, the data plane `passbridge.dataspace.edr`, the
consumer's fetch `passbridge.dataspace.consumer`.

How a negotiation runs here (each step one transaction, acknowledged at once; what the counterparty is owed goes to
the outbox in the same transaction and is sent by the worker, `passbridge.outbound.worker`):

1. provider, ContractRequestMessage: the offer must be one of the catalog's (EDC offer id, `check_offer` equality),
   the counterparty must satisfy its access and contract policy, the callback address must pass the address policy;
   the negotiation is stored REQUESTED and at once AGREED with the offered policy copied unchanged into the
   agreement; the ContractAgreementMessage is queued; the ACK says REQUESTED.
2. consumer, agreement callback (`callbacks`): checked against the offer it requested (`negotiation.apply`: EDC
   PolicyEquality), stored, and the verification queued (VERIFIED at once: the provider's FINALIZED cannot overtake).
3. provider, verification: VERIFIED, then FINALIZED with the event queued.
4. transfer: the provider checks the agreement is the caller's and finalized, evaluates its policy again, stores
   the transfer STARTED and queues the TransferStartMessage; its endpoint data reference is minted only when the
   message is sent (`outgoing_body`), so the database never holds a usable token — only hashes.

Every refusal leaves the state as it was (nothing is written before all checks pass).

Carbon-footprint answers (`offers.PcfSource`, set with `offer_pcf`) are datasets of their own: listed on the first
catalog page for the callers whose DID the supply-chain ACL releases them to, and offered only to those (another
member gets no such dataset, so it cannot negotiate for it: the offer is "not an offer of this provider").

The catalog itself (listing, offers per caller, caching) is `passbridge.dataspace.catalog_service`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from passbridge.clock import Clock
from passbridge.dataspace import negotiation, transfer
from passbridge.dataspace.catalog import (
    HTTP_PULL,
    Dataset,
    OfferId,
    check_offer,
    offer_of,
)
from passbridge.dataspace.catalog_service import CatalogService
from passbridge.dataspace.edr import mint_edr
from passbridge.dataspace.messages import (
    ContractAgreementMessage,
    ContractNegotiationAck,
    ContractNegotiationEventMessage,
    ContractRequestMessage,
    NegotiationEvent,
    NegotiationMessage,
    NegotiationState,
    Role,
    TransferMessage,
    TransferProcessAck,
    TransferRequestMessage,
    TransferStartMessage,
    TransferState,
)
from passbridge.dataspace.node import (
    NodeProfile,
    Waiters,
    encode,
    enqueue,
    new_pid,
    own_negotiation,
    own_transfer,
)
from passbridge.dataspace.odrl import Policy
from passbridge.dataspace.offers import (
    DEFINITIONS,
    DTR_ASSET,
    PCF_DEFINITION,
    PcfSource,
    covers,
)
from passbridge.dataspace.policies import context_from, evaluate_cx
from passbridge.dataspace.ports import (
    AssetSource,
    DataspaceUnitOfWorkFactory,
    OutboxMessage,
    StoredAgreement,
    Wakeup,
)
from passbridge.errors import ProtocolError, UnknownProcess
from passbridge.identity.acceptance import VerifiedPresentation
from passbridge.passport.ports import ChangeWatch

logger = logging.getLogger(__name__)

_P, _C = Role.PROVIDER, Role.CONSUMER
_RULE = "DSP 2025-1"


class DataspaceService:
    """The provider side of DSP: catalog, negotiation and transfer endpoints, and the outbox hooks."""

    def __init__(
        self,
        uow: DataspaceUnitOfWorkFactory,
        clock: Clock,
        node: NodeProfile,
        assets: AssetSource,
        wakeup: Wakeup,
        check_address: Callable[[str, str], None],
        waiters: Waiters | None = None,
        *,
        changes: ChangeWatch | None = None,
    ) -> None:
        self._uow, self._clock, self.node, self._assets = uow, clock, node, assets
        self._wakeup, self._check_address = wakeup, check_address
        self.waiters = waiters or Waiters()
        self.catalogs = CatalogService(clock, node, assets, changes=changes)

    def offer_pcf(self, source: PcfSource) -> None:
        """Offer the carbon-footprint answers of `source` as datasets (`CatalogService.offer_pcf`)."""
        self.catalogs.offer_pcf(source)

    def dataset(self, caller: VerifiedPresentation, dataset_id: str) -> Dataset:
        """`CatalogService.dataset`."""
        return self.catalogs.dataset(caller, dataset_id)

    # -- provider: negotiation -----------------------------------------------------------------------------------

    def _offered(self, requested: Policy, caller: VerifiedPresentation) -> Policy:
        """The catalog's offer (with ``target``) that `requested` must equal, after the caller passed its policies.

        Raises:
            ProtocolError: not an offer id of ours, or for another dataset. PolicyMismatch: not the offered policy.
            PolicyDenied: the caller does not satisfy the access or contract policy.
        """
        offer_id = OfferId.parse(requested.id)
        definition = DEFINITIONS.get(offer_id.definition_id)
        dataset_id = offer_id.asset_id
        if definition is None or not covers(definition.id, dataset_id):
            raise ProtocolError.at("$.offer.@id", f"{requested.id!r} is not an offer of this provider", _RULE)
        if requested.target != dataset_id:
            raise ProtocolError.at("$.offer.target", f"offer {requested.id!r} is for {dataset_id!r}", _RULE)
        if definition.id == PCF_DEFINITION.id:
            if not self.catalogs.pcf_for(caller, dataset_id):
                raise ProtocolError.at("$.offer.@id", f"{requested.id!r} is not an offer of this provider", _RULE)
        elif dataset_id != DTR_ASSET.id and not self._assets.exists(dataset_id):
            raise ProtocolError.at("$.offer.target", f"no dataset {dataset_id!r}", _RULE)
        offered = offer_of(definition, dataset_id, offer_id.uuid, self.node.did)
        check_offer(requested, offered)
        context = context_from(caller, now=self._clock.now())
        evaluate_cx(definition.access_policy, context).require(definition.access_policy.id)
        evaluate_cx(definition.contract_policy, context).require(definition.contract_policy.id)
        return replace(offered, target=dataset_id)

    def check_callback(self, address: str | None) -> None:
        """Refuse a callback address that is not an absolute http(s) URL or that the address policy refuses.

        Raises:
            ProtocolError: naming ``$.callbackAddress``.
        """
        if address is not None:
            negotiation.check_callback_address(address, allow_private=True)
            self._check_address(address, "$.callbackAddress")

    def request_negotiation(
        self, caller: VerifiedPresentation, message: ContractRequestMessage
    ) -> ContractNegotiationAck:
        """``POST /negotiations/request``: start (or, for the same ``consumerPid``, repeat) a negotiation; the
        agreement follows through the outbox."""
        if message.provider_pid is not None:
            raise ProtocolError.at("$.providerPid", "a counter-offer goes to /negotiations/:providerPid/request", _RULE)
        with self._uow(write=False) as uow:
            existing = uow.dataspace.negotiation_for(_P, caller.holder, message.consumer_pid)
        if existing is not None:
            negotiation.apply(existing, message, _C)  # the same request again, or refused
            return existing.ack()
        offered = self._offered(message.offer, caller)
        self.check_callback(message.callback_address)
        now = self._clock.now()
        started = replace(
            negotiation.begin(message, role=_P, counterparty_id=caller.holder, provider_pid=new_pid()), offer=offered
        )
        agreement = negotiation.agreement_for(
            started, agreement_id=new_pid(), assigner=self.node.did, assignee=caller.holder, now=now, offer=offered
        )
        agreed_message = ContractAgreementMessage(started.provider_pid, started.consumer_pid, agreement)
        agreed = negotiation.apply(started, agreed_message, _P)
        with self._uow() as uow:
            uow.dataspace.put_negotiation(agreed, now)
            uow.dataspace.put_agreement(StoredAgreement(agreement, agreed.pid, _P, now))
            queued = enqueue(uow.dataspace, agreed, "agreement", agreed_message, now)
            uow.commit()
        self._wakeup.dispatch([queued])
        logger.info("negotiation %s with %s: REQUESTED → AGREED (%s)", agreed.pid, caller.holder, agreement.id)
        return started.ack()

    def negotiation_message(
        self, caller: VerifiedPresentation, pid: str, message: NegotiationMessage
    ) -> ContractNegotiationAck:
        """A consumer's message to one of our provider negotiations (counter-offer, event, verification,
        termination); a verification finalizes at once."""
        now = self._clock.now()
        queued = None
        with self._uow() as uow:
            process = own_negotiation(uow.dataspace, _P, pid, caller.holder)
            after = negotiation.apply(process, message, _C)
            if after.state is NegotiationState.VERIFIED:
                event = ContractNegotiationEventMessage(
                    after.provider_pid, after.consumer_pid, NegotiationEvent.FINALIZED
                )
                after = negotiation.apply(after, event, _P)
                queued = enqueue(uow.dataspace, after, "events", event, now)
            uow.dataspace.put_negotiation(after, now)
            uow.commit()
        if queued is not None:
            self._wakeup.dispatch([queued])
        return after.ack()

    def negotiation_state(self, caller: VerifiedPresentation, pid: str, role: Role) -> ContractNegotiationAck:
        """``GET /negotiations/:pid`` (provider) or ``GET /:callback/negotiations/:pid`` (consumer)."""
        with self._uow(write=False) as uow:
            return own_negotiation(uow.dataspace, role, pid, caller.holder).ack()

    # -- provider: transfer --------------------------------------------------------------------------------------

    def request_transfer(self, caller: VerifiedPresentation, message: TransferRequestMessage) -> TransferProcessAck:
        """``POST /transfers/request``: start (or repeat) an HTTP-pull transfer under a finalized agreement of the
        caller's; the TransferStartMessage with the endpoint data reference follows through the outbox.

        Raises:
            UnknownProcess: no agreement with this id for this caller. ProtocolError: not finalized, another format,
            a refused callback address. PolicyDenied: the caller no longer satisfies the agreement's policy.
        """
        with self._uow(write=False) as uow:
            existing = uow.dataspace.transfer_for(_P, caller.holder, message.consumer_pid)
            stored = uow.dataspace.agreement(message.agreement_id)
            origin = None if stored is None else uow.dataspace.negotiation(_P, stored.negotiation_pid)
        if existing is not None:
            transfer.apply(existing, message, _C)
            return existing.ack()
        if stored is None or stored.role is not _P or stored.agreement.assignee != caller.holder:
            raise UnknownProcess("agreement", message.agreement_id)
        if origin is None or origin.state is not NegotiationState.FINALIZED:
            raise ProtocolError.at("$.agreementId", "the agreement's negotiation is not FINALIZED", _RULE)
        if message.format != HTTP_PULL:
            raise ProtocolError.at("$.format", f"{message.format!r} is not offered; use {HTTP_PULL}", _RULE)
        evaluate_cx(stored.agreement, context_from(caller, now=self._clock.now())).require(stored.id)
        self.check_callback(message.callback_address)
        now = self._clock.now()
        process = transfer.begin(message, role=_P, counterparty_id=caller.holder, provider_pid=new_pid())
        start = TransferStartMessage(process.provider_pid, process.consumer_pid)
        started = transfer.apply(process, start, _P)
        with self._uow() as uow:
            uow.dataspace.put_transfer(started, now)
            queued = enqueue(uow.dataspace, started, "start", start, now)
            uow.commit()
        self._wakeup.dispatch([queued])
        return process.ack()

    def transfer_message(self, caller: VerifiedPresentation, pid: str, message: TransferMessage) -> TransferProcessAck:
        """A consumer's message to one of our provider transfers; leaving STARTED revokes its tokens."""
        now = self._clock.now()
        with self._uow() as uow:
            process = own_transfer(uow.dataspace, _P, pid, caller.holder)
            after = transfer.apply(process, message, _C)
            if after.state is not TransferState.STARTED:
                uow.dataspace.revoke_tokens(pid)
            uow.dataspace.put_transfer(after, now)
            uow.commit()
        return after.ack()

    def transfer_state(self, caller: VerifiedPresentation, pid: str, role: Role) -> TransferProcessAck:
        """``GET /transfers/:pid``."""
        with self._uow(write=False) as uow:
            return own_transfer(uow.dataspace, role, pid, caller.holder).ack()

    # -- outbox hooks --------------------------------------------------------------------------------------------

    def outgoing_body(self, message: OutboxMessage) -> dict[str, Any]:
        """The body to send for a queued message: a provider's TransferStartMessage gets its endpoint data
        reference now (fresh tokens; their hashes stored), every other message is sent as queued."""
        if message.message_type != "TransferStartMessage":
            return dict(message.body)
        now = self._clock.now()
        with self._uow() as uow:
            process = uow.dataspace.transfer(_P, message.process_pid)
            stored = None if process is None else uow.dataspace.agreement(process.agreement_id)
            if process is None or stored is None or process.state is not TransferState.STARTED:
                raise UnknownProcess("transfer", message.process_pid)  # terminated meanwhile: give up
            address = mint_edr(uow.dataspace, self.node, process, stored.agreement, now)
            uow.commit()
        return encode(TransferStartMessage(process.provider_pid, process.consumer_pid, address))

    def abandon(self, message: OutboxMessage, reason: str) -> None:
        """A message could not be delivered: terminate its process here (DSP: diverged processes end)."""
        now = self._clock.now()
        with self._uow() as uow:
            repo = uow.dataspace
            for role in (_P, _C):
                n = repo.negotiation(role, message.process_pid)
                if n is not None and n.state not in negotiation.TERMINAL_STATES:
                    repo.put_negotiation(replace(n, state=NegotiationState.TERMINATED), now)
                t = repo.transfer(role, message.process_pid)
                if t is not None and t.state not in transfer.TERMINAL_STATES:
                    repo.revoke_tokens(t.pid)
                    repo.put_transfer(replace(t, state=TransferState.TERMINATED), now)
            uow.commit()
        logger.warning(
            "process %s terminated locally: %s undeliverable (%s)", message.process_pid, message.message_type, reason
        )
        self.waiters.signal(message.process_pid)


__all__ = ["DataspaceService"]
