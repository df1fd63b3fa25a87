"""The data-space repository on SQLite and PostgreSQL: processes and agreements round-trip exactly, lookups for
idempotency and warm fetches, token hashes and revocation, and the outbox (lease, retry, failure, next due)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from passbridge.bootstrap import Services
from passbridge.dataspace.messages import (
    ContractRequestMessage,
    DataAddress,
    EndpointProperty,
    NegotiationState,
    Role,
    TransferRequestMessage,
    TransferState,
)
from passbridge.dataspace.negotiation import ContractNegotiation, begin as begin_negotiation
from passbridge.dataspace.odrl import Constraint, LogicalConstraint, LogicalOperator, Operator, Policy, PolicyType, Rule
from passbridge.dataspace.ports import OutboxMessage, StoredAgreement, StoredToken, TokenKind
from passbridge.dataspace.transfer import begin as begin_transfer
from passbridge.storage.dataspace import SqlOutboxQueue

PROVIDER, CONSUMER = "did:web:provider.example", "did:web:consumer.example"
DATASET = "urn:uuid:3dd1add8-4d2d-569e-d634-8394a8836a88"


def _offer(offer_id: str = "b2Zm:ZGF0YQ==:dXVpZA==") -> Policy:
    constraint = LogicalConstraint(
        LogicalOperator.AND,
        (
            Constraint("Membership", Operator.EQ, "active"),
            Constraint("UsagePurpose", Operator.IS_ANY_OF, ["cx.circular.dpp:1"]),
        ),
    )
    return Policy(
        offer_id,
        PolicyType.OFFER,
        permissions=(Rule("use", (constraint,)),),
        target=DATASET,
        assigner=PROVIDER,
        profile=("https://w3id.org/catenax/2025/9/policy/",),
        extra={"x-extra": {"kept": [1, "two"]}},
    )


def _negotiation(consumer_pid: str = "urn:uuid:c1", provider_pid: str = "urn:uuid:p1") -> ContractNegotiation:
    message = ContractRequestMessage(consumer_pid, _offer(), callback_address="https://consumer.example/cb")
    return begin_negotiation(message, role=Role.PROVIDER, counterparty_id=CONSUMER, provider_pid=provider_pid)


def test_a_negotiation_round_trips_and_is_found_by_consumer_pid(services: Services) -> None:
    now = services.clock.now()
    process = _negotiation()
    agreement = replace(
        _offer(), id="urn:uuid:a1", type=PolicyType.AGREEMENT, assignee=CONSUMER, timestamp="2026-11-25T12:00:00Z"
    )
    agreed = replace(process, state=NegotiationState.AGREED, agreement=agreement)
    with services.uow() as uow:
        uow.dataspace.put_negotiation(process, now)
        uow.dataspace.put_negotiation(agreed, now + timedelta(seconds=1))
        uow.commit()
    with services.uow(write=False) as uow:
        assert uow.dataspace.negotiation(Role.PROVIDER, "urn:uuid:p1") == agreed
        assert uow.dataspace.negotiation(Role.CONSUMER, "urn:uuid:p1") is None
        assert uow.dataspace.negotiation_for(Role.PROVIDER, CONSUMER, "urn:uuid:c1") == agreed
        assert uow.dataspace.negotiation_for(Role.PROVIDER, "did:web:other", "urn:uuid:c1") is None


def test_a_consumer_negotiation_without_the_provider_pid_yet_is_stored(services: Services) -> None:
    message = ContractRequestMessage("urn:uuid:c9", _offer(), callback_address="https://consumer.example/cb")
    pending = begin_negotiation(
        message,
        role=Role.CONSUMER,
        counterparty_id=PROVIDER,
        provider_pid="x",
        counterparty_address="https://provider.example/dsp/2025-1",
    )
    process = replace(pending, provider_pid="")
    with services.uow() as uow:
        uow.dataspace.put_negotiation(process, services.clock.now())
        uow.commit()
    with services.uow(write=False) as uow:
        assert uow.dataspace.negotiation(Role.CONSUMER, "urn:uuid:c9") == process


def test_the_same_consumer_pid_twice_from_one_counterparty_is_refused_by_the_database(services: Services) -> None:
    with services.uow() as uow:
        uow.dataspace.put_negotiation(_negotiation(provider_pid="urn:uuid:p1"), services.clock.now())
        uow.commit()
    with pytest.raises(IntegrityError), services.uow() as uow:
        uow.dataspace.put_negotiation(_negotiation(provider_pid="urn:uuid:p2"), services.clock.now())
        uow.commit()


def test_agreements_of_finalized_negotiations_are_found_newest_first(services: Services) -> None:
    now = services.clock.now()
    with services.uow() as uow:
        for n, state in (
            (1, NegotiationState.FINALIZED),
            (2, NegotiationState.FINALIZED),
            (3, NegotiationState.AGREED),
        ):
            process = replace(_negotiation(f"urn:uuid:c{n}", f"urn:uuid:p{n}"), state=state)
            uow.dataspace.put_negotiation(process, now)
            agreement = replace(_offer(), id=f"urn:uuid:a{n}", type=PolicyType.AGREEMENT, assignee=CONSUMER)
            uow.dataspace.put_agreement(
                StoredAgreement(agreement, process.pid, Role.PROVIDER, now + timedelta(minutes=n))
            )
        uow.commit()
    with services.uow(write=False) as uow:
        found = uow.dataspace.agreements_for(Role.PROVIDER, PROVIDER, CONSUMER, DATASET)
        assert [a.id for a in found] == ["urn:uuid:a2", "urn:uuid:a1"]
        assert found[0].agreement.extra == {"x-extra": {"kept": [1, "two"]}}
        assert uow.dataspace.agreement("urn:uuid:a3") is not None
        assert uow.dataspace.agreements_for(Role.CONSUMER, PROVIDER, CONSUMER, DATASET) == []


def test_a_transfer_keeps_its_data_address_and_expiry(services: Services) -> None:
    now = services.clock.now()
    message = TransferRequestMessage("urn:uuid:tc", "urn:uuid:a1", "HttpData-PULL", "https://consumer.example/cb")
    process = begin_transfer(
        message,
        role=Role.CONSUMER,
        counterparty_id=PROVIDER,
        provider_pid="urn:uuid:tp",
        counterparty_address="https://provider.example/dsp/2025-1",
    )
    address = DataAddress(
        "https://w3id.org/idsa/v4.1/HTTP",
        "https://provider.example/data",
        (EndpointProperty("authorization", "t0k3n"), EndpointProperty("authType", "bearer")),
    )
    started = replace(process, state=TransferState.STARTED, data_address=address)
    with services.uow() as uow:
        uow.dataspace.put_transfer(process, now)
        uow.dataspace.put_transfer(started, now, now + timedelta(minutes=10))
        uow.commit()
    with services.uow(write=False) as uow:
        assert uow.dataspace.transfer(Role.CONSUMER, "urn:uuid:tc") == started
        assert uow.dataspace.transfer_for(Role.CONSUMER, PROVIDER, "urn:uuid:tc") == started
        assert uow.dataspace.started_transfers(Role.CONSUMER, "urn:uuid:a1") == [(started, now + timedelta(minutes=10))]


def test_token_hashes_are_revoked_per_transfer(services: Services) -> None:
    expires = services.clock.now() + timedelta(minutes=10)
    with services.uow() as uow:
        uow.dataspace.put_token(StoredToken("a" * 64, TokenKind.ACCESS, "urn:uuid:t1", expires))
        uow.dataspace.put_token(StoredToken("b" * 64, TokenKind.REFRESH, "urn:uuid:t1", expires))
        uow.dataspace.put_token(StoredToken("c" * 64, TokenKind.ACCESS, "urn:uuid:t2", expires))
        uow.dataspace.revoke_tokens("urn:uuid:t1")
        uow.commit()
    with services.uow(write=False) as uow:
        assert uow.dataspace.token("a" * 64) == StoredToken("a" * 64, TokenKind.ACCESS, "urn:uuid:t1", expires, True)
        assert uow.dataspace.token("b" * 64).revoked  # type: ignore[union-attr]
        assert not uow.dataspace.token("c" * 64).revoked  # type: ignore[union-attr]
        assert uow.dataspace.token("d" * 64) is None


def test_the_outbox_leases_retries_and_fails(services: Services) -> None:
    now = services.clock.now()
    queue = SqlOutboxQueue(services.uow)
    message = OutboxMessage(
        "urn:uuid:p1",
        "ContractAgreementMessage",
        "https://c.example/cb/negotiations/x/agreement",
        CONSUMER,
        {"@type": "ContractAgreementMessage", "n": 1.5},
    )
    with services.uow() as uow:
        uow.dataspace.enqueue(message, now)
        uow.dataspace.enqueue(replace(message, process_pid="urn:uuid:p2"), now)
        uow.commit()
    assert queue.next_due() == now
    (first, second) = queue.claim_due(now, now + timedelta(seconds=30), 10)
    assert first.body == message.body and first.attempts == 0 and first.id < second.id
    assert queue.claim_due(now, now + timedelta(seconds=30), 10) == []  # leased
    queue.mark_retry(first.id, 1, now + timedelta(seconds=1), "ConnectError")
    queue.mark_failed(second.id, 7, "refused")
    assert queue.next_due() == now + timedelta(seconds=1)
    assert queue.claim_due(now, now + timedelta(seconds=30), 10) == []
    (again,) = queue.claim_due(now + timedelta(seconds=1), now + timedelta(seconds=31), 10)
    assert again.id == first.id and again.attempts == 1
    queue.mark_sent(again.id, now + timedelta(seconds=1))
    assert queue.next_due() is None
    assert queue.claim_due(now + timedelta(hours=1), now + timedelta(hours=2), 10) == []
    # an expired lease (a worker that died mid-send) frees the message again
    with services.uow() as uow:
        uow.dataspace.enqueue(replace(message, process_pid="urn:uuid:p3"), now)
        uow.commit()
    (leased,) = queue.claim_due(now, now + timedelta(seconds=30), 10)
    (freed,) = queue.claim_due(now + timedelta(seconds=31), now + timedelta(seconds=61), 10)
    assert freed.id == leased.id
