"""`SqlOuranosRepository`: the Ouranos platform port on one connection (Core statements over the `ou_*` tables).

Records keep their OpenAPI model JSON as text, decimals digit for digit (`jsoncodec`); API keys only as hashes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update
from sqlalchemy.engine import RowMapping

from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.ouranos.model import Account, ApiKey, Kind, Record
from passbridge.storage.tables_dataspace import ou_accounts, ou_api_keys, ou_records

_r = ou_records.c


def _record(row: RowMapping) -> Record:
    return Record(Kind(row["kind"]), row["record_id"], row["operator_id"], loads_exact(row["doc"]), row["ref"])


class SqlOuranosRepository:
    """Implements `ouranos.ports.OuranosRepository`."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def _upsert(self, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]) -> None:
        where = [table.c[name] == value for name, value in key.items()]
        if self._c.execute(select(*[table.c[n] for n in key]).where(*where)).first() is None:
            self._c.execute(insert(table).values(**key, **values))
        else:
            self._c.execute(update(table).where(*where).values(**values))

    def get(self, kind: Kind, record_id: str) -> Record | None:
        """The record, or None."""
        row = self._c.execute(select(ou_records).where(_r.kind == kind.value, _r.record_id == record_id)).mappings()
        first = row.first()
        return _record(first) if first is not None else None

    def find(
        self,
        kind: Kind,
        *,
        operator_id: str | None = None,
        ref: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> Sequence[Record]:
        """Records of `kind` matching the given columns, by `record_id`, after `after`, at most `limit`."""
        query = select(ou_records).where(_r.kind == kind.value).order_by(_r.record_id)
        if operator_id is not None:
            query = query.where(_r.operator_id == operator_id)
        if ref is not None:
            query = query.where(_r.ref == ref)
        if after is not None:
            query = query.where(_r.record_id > after)
        if limit is not None:
            query = query.limit(limit)
        return [_record(row) for row in self._c.execute(query).mappings()]

    def get_many(self, kind: Kind, record_ids: Sequence[str]) -> dict[str, Record]:
        """The records of `kind` among `record_ids` (one query), by `record_id`; absent ones are left out."""
        if not record_ids:
            return {}
        query = select(ou_records).where(_r.kind == kind.value, _r.record_id.in_(list(record_ids)))
        return {row["record_id"]: _record(row) for row in self._c.execute(query).mappings()}

    def find_refs(self, kind: Kind, refs: Sequence[str]) -> dict[str, list[Record]]:
        """The records of `kind` whose `ref` is one of `refs` (one query), grouped by `ref`, in `record_id` order."""
        out: dict[str, list[Record]] = {}
        if not refs:
            return out
        query = select(ou_records).where(_r.kind == kind.value, _r.ref.in_(list(refs))).order_by(_r.record_id)
        for row in self._c.execute(query).mappings():
            out.setdefault(row["ref"], []).append(_record(row))
        return out

    def put(self, record: Record) -> None:
        """Insert or replace a record."""
        values = {"operator_id": record.operator_id, "ref": record.ref, "doc": dumps_exact(record.doc).decode()}
        self._upsert(ou_records, {"kind": record.kind.value, "record_id": record.record_id}, values)

    def delete(self, kind: Kind, record_id: str) -> None:
        """Remove a record (nothing if it is absent)."""
        self._c.execute(delete(ou_records).where(_r.kind == kind.value, _r.record_id == record_id))

    def account(self, account_id: str) -> Account | None:
        """The account, or None."""
        row = self._c.execute(select(ou_accounts).where(ou_accounts.c.account_id == account_id)).mappings().first()
        if row is None:
            return None
        return Account(row["account_id"], row["operator_id"], row["password_hash"], row["failures"], row["locked"])

    def put_account(self, account: Account) -> None:
        """Insert or replace an account."""
        values = {
            "operator_id": account.operator_id,
            "password_hash": account.password_hash,
            "failures": account.failures,
            "locked": account.locked,
        }
        self._upsert(ou_accounts, {"account_id": account.account_id}, values)

    def api_key(self, key_hash: str) -> ApiKey | None:
        """The API key with this hash, or None."""
        row = self._c.execute(select(ou_api_keys).where(ou_api_keys.c.key_hash == key_hash)).mappings().first()
        if row is None:
            return None
        cidrs = tuple(row["cidrs"].split())
        return ApiKey(row["key_hash"], row["operator_id"], row["application_name"], cidrs)

    def add_api_key(self, key: ApiKey) -> None:
        """Store a new API key."""
        values = {
            "operator_id": key.operator_id,
            "application_name": key.application_name,
            "cidrs": " ".join(key.cidrs),
        }
        self._c.execute(insert(ou_api_keys).values(key_hash=key.key_hash, **values))


__all__ = ["SqlOuranosRepository"]
