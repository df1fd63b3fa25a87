"""`SqlIdentityRepository`: the identity port on one connection (Core statements over the `id_*` tables)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import RowMapping

from passbridge.identity.ports import IssuanceRequest, IssuedRecord, Member, StoredStatusList, WalletEntry
from passbridge.storage.tables import (
    id_issuance_requests,
    id_issued,
    id_members,
    id_seen_tokens,
    id_status_lists,
    id_trust_lists,
    id_wallet,
)

_FORGET_EXPIRED = delete(id_seen_tokens).where(id_seen_tokens.c.expires_at < bindparam("now"))
_FIRST_USE_PG = pg_insert(id_seen_tokens).on_conflict_do_nothing().returning(id_seen_tokens.c.jti)
_FIRST_USE_SQLITE = sqlite_insert(id_seen_tokens).on_conflict_do_nothing().returning(id_seen_tokens.c.jti)


def _issued(row: RowMapping) -> IssuedRecord:
    return IssuedRecord(**dict(row))


class SqlIdentityRepository:
    """Identity records (members, issued credentials, status lists, trust lists, wallet, requests, seen jtis)."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _upsert(self, table: Any, key: dict[str, Any], values: dict[str, Any]) -> None:
        where = [table.c[name] == value for name, value in key.items()]
        if self._c.execute(select(*[table.c[n] for n in key]).where(*where)).first() is None:
            self._c.execute(insert(table).values(**key, **values))
        else:
            self._c.execute(update(table).where(*where).values(**values))

    def put_member(self, member: Member) -> None:
        self._upsert(
            id_members,
            {"holder_did": member.holder_did, "credential_type": member.credential_type},
            {"claims": json.dumps(dict(member.claims)), "valid_days": member.valid_days, "added_at": member.added_at},
        )

    def _member(self, row: RowMapping) -> Member:
        return Member(
            row["holder_did"], row["credential_type"], json.loads(row["claims"]), row["valid_days"], row["added_at"]
        )

    def member(self, holder_did: str, credential_type: str) -> Member | None:
        row = (
            self._c.execute(
                select(id_members).where(
                    id_members.c.holder_did == holder_did, id_members.c.credential_type == credential_type
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else self._member(row)

    def members(self) -> list[Member]:
        rows = self._c.execute(select(id_members).order_by(id_members.c.added_at)).mappings()
        return [self._member(row) for row in rows]

    def status_list(self, list_id: str) -> StoredStatusList | None:
        query = select(id_status_lists).where(id_status_lists.c.list_id == list_id)
        if self._c.dialect.name == "postgresql":
            query = query.with_for_update()  # allocations and revocations serialise on the list row
        row = self._c.execute(query).mappings().first()
        if row is None:
            return None
        return StoredStatusList(
            row["list_id"], row["purpose"], row["next_index"], row["size"], bytes(row["bits"]).decode(), row["version"]
        )

    def put_status_list(self, status_list: StoredStatusList) -> None:
        self._upsert(
            id_status_lists,
            {"list_id": status_list.list_id},
            {
                "purpose": status_list.purpose,
                "next_index": status_list.next_index,
                "size": status_list.size,
                "bits": status_list.encoded.encode(),
                "version": status_list.version,
            },
        )

    def add_issued(self, record: IssuedRecord) -> None:
        self._c.execute(insert(id_issued).values(**_fields(record)))

    def issued(self, credential_id: str) -> IssuedRecord | None:
        row = self._c.execute(select(id_issued).where(id_issued.c.credential_id == credential_id)).mappings().first()
        return None if row is None else _issued(row)

    def issued_to(self, holder_did: str | None = None) -> list[IssuedRecord]:
        query = select(id_issued).order_by(id_issued.c.issued_at, id_issued.c.credential_id)
        if holder_did is not None:
            query = query.where(id_issued.c.holder_did == holder_did)
        return [_issued(row) for row in self._c.execute(query).mappings()]

    def mark_revoked(self, credential_id: str, at: datetime) -> None:
        self._c.execute(update(id_issued).where(id_issued.c.credential_id == credential_id).values(revoked_at=at))

    def latest_trust_list(self) -> tuple[int, str] | None:
        row = self._c.execute(
            select(id_trust_lists.c.version, id_trust_lists.c.document)
            .order_by(id_trust_lists.c.version.desc())
            .limit(1)
        ).first()
        return None if row is None else (int(row[0]), str(row[1]))

    def add_trust_list(self, version: int, document: str, issued_at: datetime) -> None:
        self._c.execute(insert(id_trust_lists).values(version=version, document=document, issued_at=issued_at))

    def put_wallet(self, entry: WalletEntry) -> None:
        values = _fields(entry)
        key = {"credential_id": values.pop("credential_id")}
        self._upsert(id_wallet, key, values)

    def wallet(self) -> list[WalletEntry]:
        rows = self._c.execute(select(id_wallet).order_by(id_wallet.c.received_at, id_wallet.c.credential_id))
        return [WalletEntry(**dict(row)) for row in rows.mappings()]

    def put_request(self, request: IssuanceRequest) -> None:
        values = _fields(request)
        values["credential_types"] = json.dumps(list(request.credential_types))
        key = {"issuer_pid": values.pop("issuer_pid")}
        self._upsert(id_issuance_requests, key, values)

    def request(self, issuer_pid: str) -> IssuanceRequest | None:
        row = (
            self._c.execute(select(id_issuance_requests).where(id_issuance_requests.c.issuer_pid == issuer_pid))
            .mappings()
            .first()
        )
        if row is None:
            return None
        values = dict(row)
        values["credential_types"] = tuple(json.loads(values["credential_types"]))
        return IssuanceRequest(**values)

    def first_use(self, jti: str, expires_at: int, now: int) -> bool:
        # statements built once: this runs on every DCP-authenticated request
        self._c.execute(_FORGET_EXPIRED, {"now": now})
        statement = _FIRST_USE_PG if self._c.dialect.name == "postgresql" else _FIRST_USE_SQLITE
        # RETURNING, not rowcount: psycopg reports rowcount -1 for INSERT … ON CONFLICT DO NOTHING
        return self._c.execute(statement, {"jti": jti, "expires_at": expires_at}).first() is not None


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


__all__ = ["SqlIdentityRepository"]
