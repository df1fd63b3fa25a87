"""The consumer side of DSP: the callbacks a provider sends to our ``callbackAddress`` (offers, the agreement,
events, termination; transfer start with the endpoint data reference, suspension, completion, termination).

An agreement is checked against the offer we requested (`negotiation.apply`: EDC PolicyEquality), stored, and the
verification queued in the same transaction — the state is VERIFIED at once, so the provider's FINALIZED can never
overtake it. The verification goes out in the dialect the provider called us in (`passbridge.dataspace.node.enqueue`:
a v0.8 provider calls our ``/dsp/v0.8/callback``, the address our request gave it). Once a callback's transaction
committed, the `Waiters` of its process are signalled, waking a
`passbridge.dataspace.consumer.ConsumerService.fetch` waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from passbridge.clock import Clock
from passbridge.dataspace import negotiation, transfer
from passbridge.dataspace.messages import (
    ContractAgreementVerificationMessage,
    ContractNegotiationAck,
    ContractOfferMessage,
    NegotiationMessage,
    NegotiationState,
    Role,
    TransferMessage,
    TransferProcessAck,
    TransferStartMessage,
)
from passbridge.dataspace.node import Waiters, enqueue, new_pid, own_negotiation, own_transfer
from passbridge.dataspace.ports import DataspaceUnitOfWorkFactory, StoredAgreement, Wakeup
from passbridge.errors import ProtocolError
from passbridge.identity.acceptance import VerifiedPresentation

_P, _C = Role.PROVIDER, Role.CONSUMER
_RULE = "DSP 2025-1"


class ConsumerCallbacks:
    """Handles a provider's messages to our consumer processes."""

    def __init__(
        self,
        uow: DataspaceUnitOfWorkFactory,
        clock: Clock,
        wakeup: Wakeup,
        waiters: Waiters,
        check_callback: Callable[[str | None], None],
    ) -> None:
        self._uow, self._clock, self._wakeup, self.waiters = uow, clock, wakeup, waiters
        self._check_callback = check_callback

    def initial_offer(self, caller: VerifiedPresentation, message: ContractOfferMessage) -> ContractNegotiationAck:
        """``POST /:callback/negotiations/offers``: a provider-initiated offer is recorded (OFFERED); this consumer
        never accepts one on its own."""
        if message.consumer_pid is not None:
            raise ProtocolError.at("$.consumerPid", "an initial offer carries no consumerPid", _RULE)
        self._check_callback(message.callback_address)
        now = self._clock.now()
        process = negotiation.begin(message, role=_C, counterparty_id=caller.holder, consumer_pid=new_pid())
        with self._uow() as uow:
            uow.dataspace.put_negotiation(process, now)
            uow.commit()
        return process.ack()

    def consumer_negotiation_message(
        self, caller: VerifiedPresentation, pid: str, message: NegotiationMessage
    ) -> ContractNegotiationAck:
        """A provider's message to one of our consumer negotiations; an agreement is verified at once."""
        now = self._clock.now()
        queued = None
        with self._uow() as uow:
            process = own_negotiation(uow.dataspace, _C, pid, caller.holder)
            if not process.provider_pid and message.provider_pid:  # the callback overtook the provider's ACK
                process = replace(process, provider_pid=message.provider_pid)
            after = negotiation.apply(process, message, _P)
            if after.state is NegotiationState.AGREED and after.agreement is not None:
                uow.dataspace.put_agreement(StoredAgreement(after.agreement, after.pid, _C, now))
                verification = ContractAgreementVerificationMessage(after.provider_pid, after.consumer_pid)
                after = negotiation.apply(after, verification, _C)
                queued = enqueue(uow.dataspace, after, "agreement/verification", verification, now)
            uow.dataspace.put_negotiation(after, now)
            uow.commit()
        if queued is not None:
            self._wakeup.dispatch([queued])
        if after.state in (NegotiationState.FINALIZED, NegotiationState.TERMINATED, NegotiationState.OFFERED):
            self.waiters.signal(pid)
        return after.ack()

    def consumer_transfer_message(
        self, caller: VerifiedPresentation, pid: str, message: TransferMessage
    ) -> TransferProcessAck:
        """A provider's message to one of our consumer transfers (start with the EDR, suspension, completion,
        termination)."""
        now = self._clock.now()
        with self._uow() as uow:
            process = own_transfer(uow.dataspace, _C, pid, caller.holder)
            theirs = getattr(message, "provider_pid", None)
            if not process.provider_pid and theirs:
                process = replace(process, provider_pid=theirs)
            after = transfer.apply(process, message, _P)
            expires = None
            if isinstance(message, TransferStartMessage) and message.data_address is not None:
                seconds = message.data_address.value_of("expiresIn")
                expires = now + timedelta(seconds=int(seconds)) if seconds and seconds.isdigit() else None
            uow.dataspace.put_transfer(after, now, expires)
            uow.commit()
        self.waiters.signal(pid)
        return after.ack()


__all__ = ["ConsumerCallbacks"]
