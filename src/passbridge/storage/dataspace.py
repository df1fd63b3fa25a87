"""`SqlDataspaceRepository`: the data-space port on one connection (Core statements over the `dsp_*` tables).

Policies are stored as their DSP 2025-1 JSON (`passbridge.dataspace.codec.policy_json`), so an agreement is read
back exactly as it was agreed. A pid not yet known (a consumer's process before the provider's ACK) is the empty
string in the model and NULL in the table.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.engine import RowMapping

from passbridge.dataspace.codec.policy_json import policy_from_json, policy_to_json
from passbridge.dataspace.messages import DataAddress, EndpointProperty, NegotiationState, Role, TransferState
from passbridge.dataspace.negotiation import ContractNegotiation
from passbridge.dataspace.ports import OutboxMessage, StoredAgreement, StoredToken, TokenKind
from passbridge.dataspace.transfer import TransferProcess

if TYPE_CHECKING:
    from passbridge.storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

from passbridge.storage.tables_dataspace import (
    dsp_agreements,
    dsp_edr_tokens,
    dsp_negotiations,
    dsp_outbox,
    dsp_transfers,
)

_PENDING, _SENT, _FAILED = "pending", "sent", "failed"


def _address_json(address: DataAddress | None) -> str | None:
    if address is None:
        return None
    properties = [[p.name, p.value] for p in address.endpoint_properties]
    return json.dumps({"endpointType": address.endpoint_type, "endpoint": address.endpoint, "properties": properties})


def _address(text: str | None) -> DataAddress | None:
    if text is None:
        return None
    doc = json.loads(text)
    properties = tuple(EndpointProperty(name, value) for name, value in doc["properties"])
    return DataAddress(doc["endpointType"], doc["endpoint"], properties)


def _negotiation(row: RowMapping) -> ContractNegotiation:
    offer = json.loads(row["offer"])
    return ContractNegotiation(
        role=Role(row["role"]),
        consumer_pid=row["consumer_pid"],
        provider_pid=row["provider_pid"] or "",
        state=NegotiationState(row["state"]),
        counterparty_id=row["counterparty"],
        counterparty_address=row["counterparty_address"],
        offer=policy_from_json(offer["policy"]),
        offered_by=Role(offer["by"]),
        agreement=policy_from_json(offer["agreement"]) if offer.get("agreement") else None,
    )


def _transfer(row: RowMapping) -> TransferProcess:
    return TransferProcess(
        role=Role(row["role"]),
        consumer_pid=row["consumer_pid"],
        provider_pid=row["provider_pid"] or "",
        state=TransferState(row["state"]),
        agreement_id=row["agreement_id"],
        format=row["format"],
        counterparty_id=row["counterparty"],
        counterparty_address=row["counterparty_address"],
        data_address=_address(row["data_address"]),
    )


def _agreement(row: RowMapping) -> StoredAgreement:
    return StoredAgreement(
        policy_from_json(json.loads(row["policy"])), row["negotiation_pid"], Role(row["role"]), row["signed_at"]
    )


def _outbox(row: RowMapping) -> OutboxMessage:
    return OutboxMessage(
        row["process_pid"],
        row["message_type"],
        row["url"],
        row["audience"],
        json.loads(row["body"]),
        row["id"],
        row["attempts"],
        row["dialect"],
    )


def _by(table: Any, *columns: str) -> Any:
    """``SELECT * FROM table WHERE c1 = :c1 AND …`` built once (building statements per call costs more than
    running them on SQLite)."""
    return select(table).where(*(table.c[name] == bindparam(name) for name in columns))


def _update_by(table: Any, key: str) -> Any:
    """``UPDATE table SET <the parameters given> WHERE key = :k_<key>``."""
    return update(table).where(table.c[key] == bindparam(f"k_{key}"))


_n, _a, _t, _k, _o = (t.c for t in (dsp_negotiations, dsp_agreements, dsp_transfers, dsp_edr_tokens, dsp_outbox))
_NEGOTIATION = _by(dsp_negotiations, "pid", "role")
_NEGOTIATION_FOR = _by(dsp_negotiations, "role", "counterparty", "consumer_pid")
_TRANSFER = _by(dsp_transfers, "pid", "role")
_TRANSFER_FOR = _by(dsp_transfers, "role", "counterparty", "consumer_pid")
_AGREEMENT = _by(dsp_agreements, "agreement_id")
_TOKEN = _by(dsp_edr_tokens, "token_hash")
_AGREEMENTS_FOR = (
    select(dsp_agreements)
    .join(dsp_negotiations, _n.pid == _a.negotiation_pid)
    .where(
        _a.role == bindparam("role"),
        _a.provider == bindparam("provider"),
        _a.consumer == bindparam("consumer"),
        _a.dataset_id == bindparam("dataset_id"),
        _n.state == NegotiationState.FINALIZED.value,
    )
    .order_by(_a.signed_at.desc())
)
_STARTED = (
    select(dsp_transfers)
    .where(_t.role == bindparam("role"), _t.agreement_id == bindparam("agreement_id"), _t.state == "STARTED")
    .order_by(_t.updated_at.desc())
)
_GRANT = (
    select(_k.token_hash, _k.kind, _k.transfer_pid, _k.expires_at, _k.revoked, _t.state, _t.agreement_id)
    .join(dsp_transfers, and_(_t.pid == _k.transfer_pid, _t.role == Role.PROVIDER.value))
    .where(_k.token_hash == bindparam("token_hash"))
)
_REVOKE = update(dsp_edr_tokens).where(_k.transfer_pid == bindparam("k_transfer_pid")).values(revoked=True)
_ENQUEUE = insert(dsp_outbox).returning(_o.id)
_FREE = or_(_o.lease_until.is_(None), _o.lease_until < bindparam("now"))
_DUE = and_(_o.status == _PENDING, _o.next_attempt_at <= bindparam("now"), _FREE)
_ANY_DUE = select(_o.id).where(_DUE).limit(1)
_CLAIMABLE = select(dsp_outbox).where(_DUE).order_by(_o.next_attempt_at, _o.id).limit(bindparam("limit"))
_LEASE = update(dsp_outbox).where(_o.id == bindparam("k_id"), _o.status == _PENDING, _FREE)
_OUTBOX_UPDATE = _update_by(dsp_outbox, "id")
_SENT_UPDATE = _OUTBOX_UPDATE.values(attempts=_o.attempts + 1)
_UPDATES = {t.name: _update_by(t, "pid") for t in (dsp_negotiations, dsp_transfers)}
_INSERTS = {t.name: insert(t) for t in (dsp_negotiations, dsp_transfers, dsp_agreements, dsp_edr_tokens)}
_NEXT_DUE = select(func.min(_o.next_attempt_at)).where(_o.status == _PENDING)


class SqlDataspaceRepository:
    """Data-space records (negotiations, agreements, transfers, token hashes, outbox)."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _one(self, statement: Any, **params: Any) -> RowMapping | None:
        row: RowMapping | None = self._c.execute(statement, params).mappings().first()
        return row

    def _put(self, table: Any, pid: str, values: dict[str, Any], now: datetime) -> None:
        changed = self._c.execute(_UPDATES[table.name], {"k_pid": pid, **values}).rowcount
        if not changed:
            self._c.execute(_INSERTS[table.name], {"pid": pid, "created_at": now, **values})

    # negotiations -------------------------------------------------------------------------------------------

    def negotiation(self, role: Role, pid: str) -> ContractNegotiation | None:
        row = self._one(_NEGOTIATION, pid=pid, role=role.value)
        return None if row is None else _negotiation(row)

    def negotiation_for(self, role: Role, counterparty: str, consumer_pid: str) -> ContractNegotiation | None:
        row = self._one(_NEGOTIATION_FOR, role=role.value, counterparty=counterparty, consumer_pid=consumer_pid)
        return None if row is None else _negotiation(row)

    def put_negotiation(self, negotiation: ContractNegotiation, now: datetime) -> None:
        offer: dict[str, Any] = {"policy": policy_to_json(negotiation.offer), "by": negotiation.offered_by.value}
        if negotiation.agreement is not None:
            offer["agreement"] = policy_to_json(negotiation.agreement)
        values = {
            "role": negotiation.role.value,
            "provider_pid": negotiation.provider_pid or None,
            "consumer_pid": negotiation.consumer_pid,
            "counterparty": negotiation.counterparty_id,
            "counterparty_address": negotiation.counterparty_address,
            "state": negotiation.state.value,
            "dataset_id": negotiation.dataset_id or "",
            "offer": json.dumps(offer),
            "agreement_id": negotiation.agreement.id if negotiation.agreement is not None else None,
            "updated_at": now,
        }
        self._put(dsp_negotiations, negotiation.pid, values, now)

    # agreements ---------------------------------------------------------------------------------------------

    def agreement(self, agreement_id: str) -> StoredAgreement | None:
        row = self._one(_AGREEMENT, agreement_id=agreement_id)
        return None if row is None else _agreement(row)

    def put_agreement(self, agreement: StoredAgreement) -> None:
        policy = agreement.agreement
        values = {
            "agreement_id": policy.id,
            "negotiation_pid": agreement.negotiation_pid,
            "role": agreement.role.value,
            "provider": policy.assigner or "",
            "consumer": policy.assignee or "",
            "dataset_id": policy.target or "",
            "policy": json.dumps(policy_to_json(policy)),
            "signed_at": agreement.signed_at,
        }
        self._c.execute(_INSERTS[dsp_agreements.name], values)

    def agreements_for(self, role: Role, provider: str, consumer: str, dataset_id: str) -> list[StoredAgreement]:
        params = {"role": role.value, "provider": provider, "consumer": consumer, "dataset_id": dataset_id}
        return [_agreement(row) for row in self._c.execute(_AGREEMENTS_FOR, params).mappings()]

    # transfers ----------------------------------------------------------------------------------------------

    def transfer(self, role: Role, pid: str) -> TransferProcess | None:
        row = self._one(_TRANSFER, pid=pid, role=role.value)
        return None if row is None else _transfer(row)

    def transfer_for(self, role: Role, counterparty: str, consumer_pid: str) -> TransferProcess | None:
        row = self._one(_TRANSFER_FOR, role=role.value, counterparty=counterparty, consumer_pid=consumer_pid)
        return None if row is None else _transfer(row)

    def put_transfer(self, transfer: TransferProcess, now: datetime, expires_at: datetime | None = None) -> None:
        values = {
            "role": transfer.role.value,
            "provider_pid": transfer.provider_pid or None,
            "consumer_pid": transfer.consumer_pid,
            "counterparty": transfer.counterparty_id,
            "counterparty_address": transfer.counterparty_address,
            "state": transfer.state.value,
            "agreement_id": transfer.agreement_id,
            "format": transfer.format,
            "data_address": _address_json(transfer.data_address),
            "updated_at": now,
        }
        if expires_at is not None:
            values["expires_at"] = expires_at
        self._put(dsp_transfers, transfer.pid, values, now)

    def started_transfers(self, role: Role, agreement_id: str) -> list[tuple[TransferProcess, datetime | None]]:
        rows = self._c.execute(_STARTED, {"role": role.value, "agreement_id": agreement_id}).mappings()
        return [(_transfer(row), row["expires_at"]) for row in rows]

    # data-plane tokens --------------------------------------------------------------------------------------

    def put_token(self, token: StoredToken) -> None:
        values = {
            "token_hash": token.token_hash,
            "kind": token.kind.value,
            "transfer_pid": token.transfer_pid,
            "expires_at": token.expires_at,
            "revoked": token.revoked,
        }
        self._c.execute(_INSERTS[dsp_edr_tokens.name], values)

    def token(self, token_hash: str) -> StoredToken | None:
        row = self._one(_TOKEN, token_hash=token_hash)
        if row is None:
            return None
        return StoredToken(
            row["token_hash"], TokenKind(row["kind"]), row["transfer_pid"], row["expires_at"], bool(row["revoked"])
        )

    def token_grant(self, token_hash: str) -> tuple[StoredToken, TransferState, str] | None:
        row = self._c.execute(_GRANT, {"token_hash": token_hash}).first()
        if row is None:
            return None
        token = StoredToken(row[0], TokenKind(row[1]), row[2], row[3], bool(row[4]))
        return token, TransferState(row[5]), row[6]

    def revoke_tokens(self, transfer_pid: str) -> None:
        self._c.execute(_REVOKE, {"k_transfer_pid": transfer_pid})

    # outbox -------------------------------------------------------------------------------------------------

    def enqueue(self, message: OutboxMessage, now: datetime, lease_until: datetime | None = None) -> int:
        values = {
            "process_pid": message.process_pid,
            "message_type": message.message_type,
            "url": message.url,
            "audience": message.audience,
            "body": json.dumps(message.body),
            "dialect": message.dialect,
            "status": _PENDING,
            "attempts": message.attempts,
            "next_attempt_at": now,
            "lease_until": lease_until,
            "created_at": now,
        }
        return int(self._c.execute(_ENQUEUE, values).scalar_one())

    def any_due(self, now: datetime) -> bool:
        """Whether a pending message is due and not leased."""
        return self._c.execute(_ANY_DUE, {"now": now}).first() is not None

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        claimed: list[OutboxMessage] = []
        for row in self._c.execute(_CLAIMABLE, {"now": now, "limit": limit}).mappings().all():
            # the lease is taken only if nobody took it since the select (another worker process)
            taken = self._c.execute(_LEASE, {"k_id": row["id"], "now": now, "lease_until": lease_until}).rowcount
            if taken:
                claimed.append(_outbox(row))
        return claimed

    def mark_sent(self, message_id: int, now: datetime) -> None:
        self._c.execute(_SENT_UPDATE, {"k_id": message_id, "status": _SENT, "sent_at": now, "lease_until": None})

    def mark_retry(self, message_id: int, attempts: int, next_attempt_at: datetime, error: str) -> None:
        values = {"attempts": attempts, "next_attempt_at": next_attempt_at, "last_error": error, "lease_until": None}
        self._c.execute(_OUTBOX_UPDATE, {"k_id": message_id, **values})

    def mark_failed(self, message_id: int, attempts: int, error: str) -> None:
        values = {"status": _FAILED, "attempts": attempts, "last_error": error, "lease_until": None}
        self._c.execute(_OUTBOX_UPDATE, {"k_id": message_id, **values})

    def next_due(self) -> datetime | None:
        due: datetime | None = self._c.execute(_NEXT_DUE).scalar()
        return due


class SqlOutboxQueue:
    """The outbox as the worker sees it (`OutboxQueue`): each call one short transaction of its own."""

    def __init__(self, uow: SqlAlchemyUnitOfWorkFactory) -> None:
        self._uow = uow

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[OutboxMessage]:
        with self._uow(write=False) as uow:  # most wake-ups find nothing due: no write transaction for them
            if not uow.dataspace.any_due(now):
                return []
        with self._uow() as uow:
            claimed = uow.dataspace.claim_due(now, lease_until, limit)
            uow.commit()
        return claimed

    def mark_sent(self, message_id: int, now: datetime) -> None:
        with self._uow() as uow:
            uow.dataspace.mark_sent(message_id, now)
            uow.commit()

    def mark_retry(self, message_id: int, attempts: int, next_attempt_at: datetime, error: str) -> None:
        with self._uow() as uow:
            uow.dataspace.mark_retry(message_id, attempts, next_attempt_at, error)
            uow.commit()

    def mark_failed(self, message_id: int, attempts: int, error: str) -> None:
        with self._uow() as uow:
            uow.dataspace.mark_failed(message_id, attempts, error)
            uow.commit()

    def next_due(self) -> datetime | None:
        with self._uow(write=False) as uow:
            return uow.dataspace.next_due()


__all__ = ["SqlDataspaceRepository", "SqlOutboxQueue"]
