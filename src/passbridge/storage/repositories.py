"""SQLAlchemy implementations of the passport ports (Core statements over `tables.py`; rows ⇄ domain objects)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, delete, func, insert, literal, select, tuple_, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from passbridge.errors import PassportNotFound
from passbridge.jsoncodec import loads_exact
from passbridge.passport.lifecycle import BatteryStatus
from passbridge.passport.model import Passport, PassportId, PassportVersion, VersionInfo
from passbridge.passport.ports import EncodedVersions, PassportListing
from passbridge.passport.signatures import SignedDisclosure, SignedPassport
from passbridge.passport.validation import extract_facts
from passbridge.storage.bulk_rows import (
    SqlEncodedVersions,
    encode_rows,
    encode_versions,
    head_values,
    insert_rows,
    link_values,
    version_values,
)
from passbridge.storage.tables import (
    PASSPORT_SEQ,
    import_checkpoints,
    passport_links,
    passport_signatures,
    passport_versions,
    passports,
)

_CHUNK = 500  # keep IN (...) lists well under every backend's parameter limit

_VERSIONS_BY_ID = passport_versions.join(passports, passports.c.seq == passport_versions.c.passport_seq)
_WITH_SIGNATURES = _VERSIONS_BY_ID.outerjoin(
    passport_signatures,
    (passport_signatures.c.passport_seq == passport_versions.c.passport_seq)
    & (passport_signatures.c.number == passport_versions.c.number),
)
_UNSIGNED = passport_signatures.c.passport_seq.is_(None)


def _head(row: RowMapping) -> Passport:
    return Passport(
        passport_id=PassportId(row["passport_id"]),
        battery_id=row["battery_id"],
        status=BatteryStatus(row["status"]),
        current_version=row["current_version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _head_values(version: PassportVersion, seq: int) -> dict[str, Any]:
    return {**head_values(version), "seq": seq}


def _version_values(version: PassportVersion, seq: int) -> dict[str, Any]:
    return {**version_values(version), "passport_seq": seq}


def _signature_values(signature: SignedPassport, seq: int) -> dict[str, Any]:
    return {
        "passport_seq": seq,
        "number": signature.number,
        "signed_at": signature.signed_at,
        "jwt": signature.jwt,
        "disclosures": orjson.dumps([[d.path, d.parent, d.encoded] for d in signature.disclosures]).decode("utf-8"),
    }


class SqlPassportRepository:
    """`PassportRepository` on one SQLAlchemy connection inside a unit of work."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection
        self._seq_of: dict[PassportId, int] = {}  # `passports.seq` of the passports this transaction has met

    def find(self, passport_id: PassportId) -> Passport | None:
        row = self._db.execute(select(passports).where(passports.c.passport_id == passport_id.value)).mappings().first()
        return _head(row) if row is not None else None

    def get(self, passport_id: PassportId) -> Passport:
        head = self.find(passport_id)
        if head is None:
            raise PassportNotFound(passport_id.value)
        return head

    def current_version_number(self, passport_id: PassportId) -> int | None:
        stmt = select(passports.c.current_version).where(passports.c.passport_id == passport_id.value)
        number: int | None = self._db.execute(stmt).scalar()
        return number

    def documents(self, keys: Sequence[tuple[PassportId, int]]) -> dict[tuple[PassportId, int], bytes]:
        key = tuple_(passports.c.passport_id, passport_versions.c.number)
        found: dict[tuple[str, int], bytes] = {}
        for start in range(0, len(keys), _CHUNK):
            wanted = [(pid.value, number) for pid, number in keys[start : start + _CHUNK]]
            stmt = (
                select(*key.clauses, passport_versions.c.document).select_from(_VERSIONS_BY_ID).where(key.in_(wanted))
            )
            found.update(((row.passport_id, row.number), bytes(row.document)) for row in self._db.execute(stmt))
        for pid, number in keys:
            if (pid.value, number) not in found:
                raise PassportNotFound(pid.value, number)
        return {(pid, number): found[pid.value, number] for pid, number in keys}

    def count_unsigned(self) -> int:
        stmt = select(func.count()).select_from(_WITH_SIGNATURES).where(_UNSIGNED)
        count: int = self._db.execute(stmt).scalar_one()
        return count

    def unsigned_versions(self, after: tuple[PassportId, int] | None, limit: int) -> Sequence[tuple[PassportId, int]]:
        key = tuple_(passports.c.passport_id, passport_versions.c.number)
        stmt = (
            select(passports.c.passport_id, passport_versions.c.number).select_from(_WITH_SIGNATURES).where(_UNSIGNED)
        )
        if after is not None:
            stmt = stmt.where(key > tuple_(literal(after[0].value), literal(after[1])))
        rows = self._db.execute(stmt.order_by(passports.c.passport_id, passport_versions.c.number).limit(limit))
        return [(PassportId(row.passport_id), row.number) for row in rows]

    def version(self, passport_id: PassportId, number: int) -> PassportVersion:
        t = passport_versions
        stmt = (
            select(t.c.document, t.c.recorded_at)
            .select_from(_VERSIONS_BY_ID)
            .where(passports.c.passport_id == passport_id.value, t.c.number == number)
        )
        row = self._db.execute(stmt).first()
        if row is None:
            raise PassportNotFound(passport_id.value, number)
        document = bytes(row.document)
        content = loads_exact(document)
        if not isinstance(content, dict):  # pragma: no cover - only validated objects are stored
            raise PassportNotFound(passport_id.value, number)
        # Facts are re-read from the exact document, so they can never disagree with it.
        return PassportVersion(extract_facts(content), number, document, row.recorded_at)

    def versions(self, passport_id: PassportId) -> Sequence[VersionInfo]:
        t = passport_versions
        stmt = (
            select(t.c.number, t.c.status, t.c.digest, t.c.recorded_at)
            .select_from(_VERSIONS_BY_ID)
            .where(passports.c.passport_id == passport_id.value)
            .order_by(t.c.number)
        )
        return [
            VersionInfo(row.number, BatteryStatus(row.status), row.digest, row.recorded_at)
            for row in self._db.execute(stmt)
        ]

    def holder_of_battery_id(self, battery_id: str) -> PassportId | None:
        stmt = select(passports.c.passport_id).where(passports.c.battery_id == battery_id)
        found: str | None = self._db.execute(stmt).scalar()
        return PassportId(found) if found is not None else None

    def battery_id_holders(self, battery_ids: Iterable[str]) -> dict[str, PassportId]:
        wanted = list(battery_ids)
        out: dict[str, PassportId] = {}
        for start in range(0, len(wanted), _CHUNK):
            stmt = select(passports.c.battery_id, passports.c.passport_id).where(
                passports.c.battery_id.in_(wanted[start : start + _CHUNK])
            )
            out.update({row.battery_id: PassportId(row.passport_id) for row in self._db.execute(stmt)})
        return out

    def existing(self, passport_ids: Iterable[PassportId]) -> dict[PassportId, Passport]:
        wanted = [p.value for p in passport_ids]
        out: dict[PassportId, Passport] = {}
        for start in range(0, len(wanted), _CHUNK):
            stmt = select(passports).where(passports.c.passport_id.in_(wanted[start : start + _CHUNK]))
            for row in self._db.execute(stmt).mappings():
                head = _head(row)
                out[head.passport_id] = head
        return out

    def successors(self, passport_id: PassportId) -> Sequence[PassportId]:
        stmt = (
            select(passport_links.c.passport_id)
            .where(passport_links.c.predecessor_id == passport_id.value)
            .order_by(passport_links.c.passport_id)
        )
        return [PassportId(value) for value in self._db.execute(stmt).scalars()]

    def listing(
        self,
        *,
        after: PassportId | None,
        limit: int,
        passport_id: PassportId | None = None,
        manufacturer_part_id: str | None = None,
        part_instance_id: str | None = None,
    ) -> Sequence[PassportListing]:
        t = passports
        stmt = select(t.c.passport_id, t.c.manufacturer_part_id, t.c.part_instance_id, t.c.current_version)
        if after is not None:
            stmt = stmt.where(t.c.passport_id > after.value)
        if passport_id is not None:
            stmt = stmt.where(t.c.passport_id == passport_id.value)
        if manufacturer_part_id is not None:
            stmt = stmt.where(t.c.manufacturer_part_id == manufacturer_part_id)
        if part_instance_id is not None:
            stmt = stmt.where(t.c.part_instance_id == part_instance_id)
        rows = self._db.execute(stmt.order_by(t.c.passport_id).limit(limit))
        return [
            PassportListing(PassportId(r.passport_id), r.manufacturer_part_id, r.part_instance_id, r.current_version)
            for r in rows
        ]

    def add(self, version: PassportVersion) -> None:
        self.add_many([version])

    def add_many(self, versions: Sequence[PassportVersion] | EncodedVersions) -> None:
        encoded = self._encoded(versions)
        if not encoded.passport_ids:
            return
        seqs = self._new_seqs(len(encoded.passport_ids))
        heads, bodies = encoded.with_seqs(seqs)
        insert_rows(self._db, passports, heads)
        insert_rows(self._db, passport_versions, bodies)
        self._seq_of.update(zip(encoded.passport_ids, seqs, strict=True))
        insert_rows(self._db, passport_links, encoded.links)

    def add_many_if_new(self, versions: Sequence[PassportVersion] | EncodedVersions) -> bool:
        # The constraints check it (unique passport and battery ids, foreign keys of the links), at no extra cost:
        # the inserts probe those indexes anyway.
        encoded = self._encoded(versions)
        savepoint = self._db.begin_nested()
        try:
            self.add_many(encoded)
        except IntegrityError:
            savepoint.rollback()
            for passport_id in encoded.passport_ids:
                self._seq_of.pop(passport_id, None)
            return False
        savepoint.commit()
        return True

    def _encoded(self, versions: Sequence[PassportVersion] | EncodedVersions) -> SqlEncodedVersions:
        if isinstance(versions, SqlEncodedVersions):
            if versions.dialect_name != self._db.dialect.name:
                raise ValueError(f"versions encoded for {versions.dialect_name}, stored into {self._db.dialect.name}")
            return versions
        if not isinstance(versions, Sequence):
            raise TypeError(f"not encoded by this storage: {type(versions).__name__}")
        return encode_versions(versions, self._db.dialect)

    def add_signatures(self, signatures: Sequence[SignedPassport]) -> None:
        self._insert_signatures(signatures, skip_existing=False)

    def add_missing_signatures(self, signatures: Sequence[SignedPassport]) -> int:
        return self._insert_signatures(signatures, skip_existing=True)

    def _insert_signatures(self, signatures: Sequence[SignedPassport], *, skip_existing: bool) -> int:
        if not signatures:
            return 0
        seqs = self._seqs(s.passport_id for s in signatures)
        rows = [_signature_values(s, seqs[s.passport_id]) for s in signatures]
        encoded = encode_rows(passport_signatures, rows, self._db.dialect)
        return insert_rows(self._db, passport_signatures, encoded, skip_existing=skip_existing)

    def signature(self, passport_id: PassportId, number: int) -> SignedPassport | None:
        t = passport_signatures
        stmt = (
            select(t.c.signed_at, t.c.jwt, t.c.disclosures)
            .join(passports, passports.c.seq == t.c.passport_seq)
            .where(passports.c.passport_id == passport_id.value, t.c.number == number)
        )
        row = self._db.execute(stmt).first()
        if row is None:
            return None
        items: Any = orjson.loads(row.disclosures)  # strings and indexes only: no numbers to keep exact
        disclosures = tuple(SignedDisclosure(path, encoded, parent) for path, parent, encoded in items)
        return SignedPassport(passport_id, number, row.signed_at, row.jwt, disclosures)

    def _new_seqs(self, count: int) -> list[int]:
        """`count` unused `passports.seq` numbers (PostgreSQL: from its sequence; SQLite: on from the highest, safe
        because a writing transaction holds SQLite's write lock from its start)."""
        if self._db.dialect.name == "postgresql":
            drawn = select(PASSPORT_SEQ.next_value()).select_from(func.generate_series(1, count))
            return list(self._db.execute(drawn).scalars())
        top: int = self._db.execute(select(func.coalesce(func.max(passports.c.seq), 0))).scalar_one()
        return list(range(top + 1, top + 1 + count))

    def _seqs(self, passport_ids: Iterable[PassportId]) -> dict[PassportId, int]:
        """`passports.seq` of stored passports among `passport_ids` (and of others met before)."""
        wanted = [p.value for p in set(passport_ids) if p not in self._seq_of]
        for start in range(0, len(wanted), _CHUNK):
            stmt = select(passports.c.passport_id, passports.c.seq).where(
                passports.c.passport_id.in_(wanted[start : start + _CHUNK])
            )
            self._seq_of.update((PassportId(row.passport_id), row.seq) for row in self._db.execute(stmt))
        return self._seq_of

    def add_version(self, version: PassportVersion) -> None:
        facts = version.facts
        seq = self._seqs([facts.passport_id]).get(facts.passport_id)
        if seq is None:
            raise PassportNotFound(facts.passport_id.value)
        values = _head_values(version, seq)
        del values["passport_id"], values["seq"], values["created_at"]
        self._db.execute(update(passports).where(passports.c.passport_id == facts.passport_id.value).values(values))
        self._db.execute(insert(passport_versions), [_version_values(version, seq)])
        self._db.execute(delete(passport_links).where(passport_links.c.passport_id == facts.passport_id.value))
        links = link_values(version)
        if links:
            self._db.execute(insert(passport_links), links)


class SqlImportCheckpoints:
    """`ImportCheckpoints` on one connection."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def lines_done(self, source: str) -> int:
        stmt = select(import_checkpoints.c.lines_done).where(import_checkpoints.c.source == source)
        done: int | None = self._db.execute(stmt).scalar()
        return done or 0

    def record(self, source: str, lines_done: int) -> None:
        now = datetime.now(UTC)
        changed = self._db.execute(
            update(import_checkpoints)
            .where(import_checkpoints.c.source == source)
            .values(lines_done=lines_done, updated_at=now)
        ).rowcount
        if not changed:
            self._db.execute(insert(import_checkpoints).values(source=source, lines_done=lines_done, updated_at=now))


__all__ = ["SqlImportCheckpoints", "SqlPassportRepository"]
