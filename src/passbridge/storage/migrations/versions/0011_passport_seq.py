"""Passport versions and signatures keyed by `passports.seq`, a number given in storing order, instead of the random
passport UUID: a bulk import then appends to their primary keys instead of dirtying a random index page per
passport (SQLite at 500,000 stored passports: 6,900 -> 8,200 imported per second).

`passports.seq` is numbered in row order here; PostgreSQL draws later numbers from the sequence `passport_seq`.
PostgreSQL changes the tables in place (the lz4 compression of 0009 stays with the columns); SQLite, which cannot
change a primary key, copies them into new tables (its foreign keys stay on: the tables are renamed first, so no
row ever lacks its parent).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from passbridge.storage.tables import JsonDocument, UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

VERSION_COLUMNS = "number, status, digest, document, recorded_at"
SIGNATURE_COLUMNS = "number, signed_at, jwt, disclosures"


def _key(to_seq: bool) -> sa.Column[object]:
    if to_seq:
        return sa.Column("passport_seq", sa.BigInteger(), nullable=False)
    return sa.Column("passport_id", sa.String(36), nullable=False)


def _versions(key: sa.Column[object]) -> None:
    parent = "passports.seq" if key.name == "passport_seq" else "passports.passport_id"
    op.create_table(
        "passport_versions",
        key,
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("document", JsonDocument(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint([key.name], [parent], name=f"fk_passport_versions_{key.name}_passports"),
        sa.PrimaryKeyConstraint(key.name, "number", name="pk_passport_versions"),
    )


def _signatures(key: sa.Column[object]) -> None:
    op.create_table(
        "passport_signatures",
        key,
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("signed_at", UtcDateTime(), nullable=False),
        sa.Column("jwt", sa.Text(), nullable=False),
        sa.Column("disclosures", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            [key.name, "number"],
            [f"passport_versions.{key.name}", "passport_versions.number"],
            name=f"fk_passport_signatures_{key.name}_passport_versions",
        ),
        sa.PrimaryKeyConstraint(key.name, "number", name="pk_passport_signatures"),
    )


def _sqlite_rekey(to_seq: bool) -> None:
    """Rename both tables aside, create them keyed anew, copy the rows across through `passports`, drop the old."""
    op.rename_table("passport_signatures", "passport_signatures_old")
    op.rename_table("passport_versions", "passport_versions_old")  # (the old signatures follow the rename)
    key = _key(to_seq)
    source, join = (
        ("p.seq", "p.passport_id = old.passport_id") if to_seq else ("p.passport_id", "p.seq = old.passport_seq")
    )
    _versions(_key(to_seq))
    _signatures(_key(to_seq))
    op.execute(
        f"INSERT INTO passport_versions ({key.name}, {VERSION_COLUMNS}) SELECT {source}, "
        f"{', '.join('old.' + c for c in VERSION_COLUMNS.split(', '))} "
        f"FROM passport_versions_old AS old JOIN passports AS p ON {join}"
    )
    op.execute(
        f"INSERT INTO passport_signatures ({key.name}, {SIGNATURE_COLUMNS}) SELECT {source}, "
        f"{', '.join('old.' + c for c in SIGNATURE_COLUMNS.split(', '))} "
        f"FROM passport_signatures_old AS old JOIN passports AS p ON {join}"
    )
    op.drop_table("passport_signatures_old")
    op.drop_table("passport_versions_old")


def _postgresql_to_seq() -> None:
    op.execute("ALTER TABLE passport_signatures DROP CONSTRAINT fk_passport_signatures_passport_id_passport_versions")
    op.execute("ALTER TABLE passport_signatures DROP CONSTRAINT pk_passport_signatures")
    op.execute("ALTER TABLE passport_versions DROP CONSTRAINT fk_passport_versions_passport_id_passports")
    op.execute("ALTER TABLE passport_versions DROP CONSTRAINT pk_passport_versions")
    for table in ("passport_versions", "passport_signatures"):
        op.execute(f"ALTER TABLE {table} ADD COLUMN passport_seq BIGINT")
        op.execute(
            f"UPDATE {table} AS t SET passport_seq = p.seq FROM passports AS p WHERE p.passport_id = t.passport_id"
        )
        op.execute(f"ALTER TABLE {table} ALTER COLUMN passport_seq SET NOT NULL")
        op.execute(f"ALTER TABLE {table} DROP COLUMN passport_id")
    op.execute("ALTER TABLE passport_versions ADD CONSTRAINT pk_passport_versions PRIMARY KEY (passport_seq, number)")
    op.execute(
        "ALTER TABLE passport_versions ADD CONSTRAINT fk_passport_versions_passport_seq_passports "
        "FOREIGN KEY (passport_seq) REFERENCES passports (seq)"
    )
    op.execute(
        "ALTER TABLE passport_signatures ADD CONSTRAINT pk_passport_signatures PRIMARY KEY (passport_seq, number)"
    )
    op.execute(
        "ALTER TABLE passport_signatures ADD CONSTRAINT fk_passport_signatures_passport_seq_passport_versions "
        "FOREIGN KEY (passport_seq, number) REFERENCES passport_versions (passport_seq, number)"
    )


def _postgresql_to_id() -> None:
    op.execute("ALTER TABLE passport_signatures DROP CONSTRAINT fk_passport_signatures_passport_seq_passport_versions")
    op.execute("ALTER TABLE passport_signatures DROP CONSTRAINT pk_passport_signatures")
    op.execute("ALTER TABLE passport_versions DROP CONSTRAINT fk_passport_versions_passport_seq_passports")
    op.execute("ALTER TABLE passport_versions DROP CONSTRAINT pk_passport_versions")
    for table in ("passport_versions", "passport_signatures"):
        op.execute(f"ALTER TABLE {table} ADD COLUMN passport_id VARCHAR(36)")
        op.execute(
            f"UPDATE {table} AS t SET passport_id = p.passport_id FROM passports AS p WHERE p.seq = t.passport_seq"
        )
        op.execute(f"ALTER TABLE {table} ALTER COLUMN passport_id SET NOT NULL")
        op.execute(f"ALTER TABLE {table} DROP COLUMN passport_seq")
    op.execute("ALTER TABLE passport_versions ADD CONSTRAINT pk_passport_versions PRIMARY KEY (passport_id, number)")
    op.execute(
        "ALTER TABLE passport_versions ADD CONSTRAINT fk_passport_versions_passport_id_passports "
        "FOREIGN KEY (passport_id) REFERENCES passports (passport_id)"
    )
    op.execute(
        "ALTER TABLE passport_signatures ADD CONSTRAINT pk_passport_signatures PRIMARY KEY (passport_id, number)"
    )
    op.execute(
        "ALTER TABLE passport_signatures ADD CONSTRAINT fk_passport_signatures_passport_id_passport_versions "
        "FOREIGN KEY (passport_id, number) REFERENCES passport_versions (passport_id, number)"
    )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column("passports", sa.Column("seq", sa.BigInteger(), nullable=False, server_default="0"))
    if postgresql:
        op.execute("CREATE SEQUENCE passport_seq")
        op.execute("UPDATE passports SET seq = nextval('passport_seq')")
        op.alter_column("passports", "seq", server_default=None)
    else:
        op.execute("UPDATE passports SET seq = rowid")  # (SQLite cannot drop a column default without a copy)
    op.create_index("ix_passports_seq", "passports", ["seq"], unique=True)
    if postgresql:
        _postgresql_to_seq()
    else:
        _sqlite_rekey(to_seq=True)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        _postgresql_to_id()
    else:
        _sqlite_rekey(to_seq=False)
    op.drop_index("ix_passports_seq", table_name="passports")
    if postgresql:
        op.drop_column("passports", "seq")
        op.execute("DROP SEQUENCE passport_seq")
    else:  # in place (SQLite ≥ 3.35); a batch copy of `passports` would break its children's foreign keys
        op.execute("ALTER TABLE passports DROP COLUMN seq")
