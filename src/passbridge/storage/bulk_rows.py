"""Rows for driver-level bulk inserts: encode passport versions once, outside any transaction; insert them inside one.

Layout: `encode_rows` (dict rows → column names + tuples, each value through its column's dialect `bind_processor`)
· `SqlEncodedVersions` (the `passport.ports.EncodedVersions` of this backend: head, version and link rows of a batch
of new passports, all but their `passports.seq`) · `encode_versions` · `insert_rows` (one executemany) · the row
builders `head_values`, `version_values`, `link_values` (also used by single-passport writes).

Why: bulk import commits its batches in turn, one writer at a time, so whatever a commit does is work no other
worker can do meanwhile. Compressing the documents (lz4), hashing them (SHA-256, the version digest) and building the
rows took ~25 µs a passport; encoded before the turn, the turn only draws the numbers and inserts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect

from passbridge.passport.model import PassportId, PassportVersion
from passbridge.storage.tables import passport_links, passport_versions, passports

Rows = tuple[tuple[str, ...], list[tuple[Any, ...]]]
"""Column names and one tuple of bound values per row."""


def encode_rows(table: Table, rows: Sequence[Mapping[str, Any]], dialect: Dialect) -> Rows:
    """`rows` (all with the same keys) as tuples of the values the driver binds. Types still go through each
    column's (dialect) `bind_processor`, so stored values are exactly what `insert()` would store."""
    columns = tuple(rows[0])
    params = [tuple(row.values()) for row in rows]
    for index, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            continue
        if isinstance(params[0][index], bytes):  # documents: each distinct, and hashing ~9 KB costs ~2 µs
            params = [(*row[:index], process(row[index]), *row[index + 1 :]) for row in params]
        else:  # e.g. timestamps: a batch shares few distinct values, so each is processed once
            done = {value: process(value) for value in {row[index] for row in params}}
            params = [(*row[:index], done[row[index]], *row[index + 1 :]) for row in params]
    return columns, params


def insert_rows(connection: Connection, table: Table, rows: Rows, *, skip_existing: bool = False) -> int:
    """One driver-level executemany; returns the rows inserted. Why: SQLAlchemy's per-row parameter compilation costs
    ~35 µs a row, more than SQLite's own insert.

    `skip_existing`: a row whose key is taken is left out (``ON CONFLICT DO NOTHING``, SQLite and PostgreSQL alike)
    instead of failing the statement.
    """
    columns, params = rows
    if not params:
        return 0
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"
    result = connection.exec_driver_sql(sql + (" ON CONFLICT DO NOTHING" if skip_existing else ""), params)
    return int(result.rowcount)


@dataclass(frozen=True, slots=True)
class SqlEncodedVersions:
    """Version 1 of new passports, encoded for one dialect; the rows lack their `passports.seq` (drawn when they are
    inserted), which `with_seqs` appends as the last column."""

    passport_ids: tuple[PassportId, ...]
    dialect_name: str
    heads: Rows
    bodies: Rows
    links: Rows

    def __reduce__(self) -> tuple[type[SqlEncodedVersions], tuple[object, ...]]:
        # sqlite3 binds BLOBs as memoryviews, which do not pickle: bulk import encodes in worker processes and
        # stores in the importing one (one copy of each document, ~3.5 KB)
        columns, rows = self.bodies
        if rows and any(isinstance(value, memoryview) for value in rows[0]):
            rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]
        return SqlEncodedVersions, (self.passport_ids, self.dialect_name, self.heads, (columns, rows), self.links)

    def with_seqs(self, seqs: Sequence[int]) -> tuple[Rows, Rows]:
        """The head and version rows numbered with `seqs` (one per version, in order)."""
        (head_columns, heads), (body_columns, bodies) = self.heads, self.bodies
        return (
            ((*head_columns, "seq"), [(*row, seq) for row, seq in zip(heads, seqs, strict=True)]),
            ((*body_columns, "passport_seq"), [(*row, seq) for row, seq in zip(bodies, seqs, strict=True)]),
        )


def encode_versions(versions: Sequence[PassportVersion], dialect: Dialect) -> SqlEncodedVersions:
    """Encode `versions` (new passports' version 1) for `dialect`."""
    heads = [head_values(v) for v in versions]
    bodies = [version_values(v) for v in versions]
    links = [link for v in versions for link in link_values(v)]
    return SqlEncodedVersions(
        tuple(v.passport_id for v in versions),
        dialect.name,
        encode_rows(passports, heads, dialect) if heads else ((), []),
        encode_rows(passport_versions, bodies, dialect) if bodies else ((), []),
        encode_rows(passport_links, links, dialect) if links else ((), []),
    )


def head_values(version: PassportVersion) -> dict[str, Any]:
    """The `passports` row of a passport at `version`, but its `seq`."""
    facts = version.facts
    return {
        "passport_id": facts.passport_id.value,
        "battery_id": facts.battery_id,
        "status": facts.status.value,
        "current_version": version.number,
        "economic_operator": facts.economic_operator,
        "manufacturer_part_id": facts.manufacturer_part_id,
        "part_instance_id": facts.part_instance_id,
        "category": facts.category,
        "created_at": version.recorded_at,
        "updated_at": version.recorded_at,
    }


def version_values(version: PassportVersion) -> dict[str, Any]:
    """The `passport_versions` row of `version`, but its `passport_seq`."""
    return {
        "number": version.number,
        "status": version.facts.status.value,
        "digest": version.digest,
        "document": version.document,
        "recorded_at": version.recorded_at,
    }


def link_values(version: PassportVersion) -> list[dict[str, str]]:
    """The `passport_links` rows of `version`: one per predecessor."""
    return [{"passport_id": version.passport_id.value, "predecessor_id": p.value} for p in version.facts.predecessors]


__all__ = [
    "Rows",
    "SqlEncodedVersions",
    "encode_rows",
    "encode_versions",
    "head_values",
    "insert_rows",
    "link_values",
    "version_values",
]
