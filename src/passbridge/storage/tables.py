"""Table definitions on one `MetaData`; Alembic migrations create exactly these (a test compares them).

Passports (0001): `passports`, `passport_versions`, `passport_links`, `import_checkpoints`; their signed form
(0003): `passport_signatures`. Supply chain (0002):
`sc_*` — operators, sites, parts, BOM lines, own footprints, material contents, trades, answers as received, ACL
grants, battery models, batteries, recorded roll-ups. Decimals are stored as text (exact on every backend); nested
figures (stages, elements) as the JSON item of the import format. Identity (0004): `id_*` — certified members,
issued credentials, status lists, trust-list versions, wallet, DCP issuance requests, seen SI-token ids. Data space
(0005): `dsp_*` — contract negotiations and transfer processes (both roles), agreements, data-plane tokens (hashes
only) and the outbox of DSP messages still to send. Ouranos platform (0006): `ou_*` — accounts (scrypt hashes),
API keys (SHA-256 only) and the records of the data transaction API (operators, plants, parts, trades, CFP), each
the JSON of its OpenAPI model.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import lz4.block
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone; we store UTC and restore it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)


LZ4_TAG = b"\x01"
"""First byte of a document stored lz4-compressed; JSON text never starts with it, so older rows read as they are."""


class JsonDocument(TypeDecorator[bytes]):
    """Exact JSON document bytes; SQLite stores them lz4-compressed (`LZ4_TAG` + an lz4 block with its size).

    Why: a BatteryPass document is ~8.6 KB of repetitive JSON; lz4 makes it ~3.5 KB in ~7 µs, so a row fits in one
    SQLite page instead of three, which halves the database and makes bulk import's writes cheaper. PostgreSQL
    compresses large values itself (TOAST, lz4 since migration 0009), so values go there as they are.
    """

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if value is None or dialect.name != "sqlite":
            return value
        compressed: bytes = lz4.block.compress(value, store_size=True)
        return LZ4_TAG + compressed

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        stored = bytes(value)
        if stored[:1] != LZ4_TAG:  # stored before migration 0010, or on PostgreSQL
            return stored
        document: bytes = lz4.block.decompress(stored[1:])
        return document


PASSPORT_SEQ = Sequence("passport_seq", metadata=metadata)
"""Where PostgreSQL draws `passports.seq`; SQLite numbers on from the highest (its writers are serialised)."""

passports = Table(
    "passports",
    metadata,
    Column("passport_id", String(36), primary_key=True),
    # Versions and signatures are keyed by this number, given in the order passports are stored, not by the random
    # UUID: a bulk import then appends to their primary keys instead of dirtying a random index page per passport
    # (1,000,000 passports into SQLite: 6,900 -> 8,200 per second at 500,000 stored).
    Column("seq", BigInteger, nullable=False),
    Column("battery_id", String(200), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("economic_operator", String(16), nullable=False),
    Column("manufacturer_part_id", String(200), nullable=False),
    Column("part_instance_id", String(200), nullable=True, index=True),
    Column("category", String(20), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Index("ix_passports_seq", "seq", unique=True),
)

passport_versions = Table(
    "passport_versions",
    metadata,
    Column("passport_seq", BigInteger, ForeignKey("passports.seq"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("status", String(20), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("document", JsonDocument(), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
)

passport_links = Table(
    "passport_links",
    metadata,
    Column("passport_id", String(36), ForeignKey("passports.passport_id"), primary_key=True),
    Column("predecessor_id", String(36), ForeignKey("passports.passport_id"), primary_key=True),
    Index("ix_passport_links_predecessor_id", "predecessor_id"),
)

import_checkpoints = Table(
    "import_checkpoints",
    metadata,
    Column("source", String(500), primary_key=True),
    Column("lines_done", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

passport_signatures = Table(
    "passport_signatures",
    metadata,
    Column("passport_seq", BigInteger, primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("signed_at", UtcDateTime(), nullable=False),
    Column("jwt", Text, nullable=False),  # the issuer-signed JWT of the SD-JWT (RFC 9901)
    Column("disclosures", Text, nullable=False),  # JSON [[path, parent index or null, encoded disclosure], …]
    ForeignKeyConstraint(["passport_seq", "number"], ["passport_versions.passport_seq", "passport_versions.number"]),
)

# --- supply chain (issue #3) ---------------------------------------------------------------------------------
DECIMAL = String(48)
"""A decimal number as text: exact on SQLite and PostgreSQL alike."""
UNIT = String(20)

sc_operators = Table(
    "sc_operators",
    metadata,
    Column("operator_id", String(64), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("country", String(2), nullable=False),
    Column("open_operator_id", String(13), nullable=True),
    Column("bpnl", String(16), nullable=True),
    Column("did", String(500), nullable=True),
)

sc_sites = Table(
    "sc_sites",
    metadata,
    Column("site_id", String(64), primary_key=True),
    Column("operator_id", String(64), ForeignKey("sc_operators.operator_id"), nullable=False),
    Column("name", String(256), nullable=False),
    Column("country", String(2), nullable=False),
    Column("bpns", String(16), nullable=True),
    Column("open_plant_id", String(26), nullable=True),
)

sc_parts = Table(
    "sc_parts",
    metadata,
    Column("trace_id", String(36), primary_key=True),
    Column("operator_id", String(64), ForeignKey("sc_operators.operator_id"), nullable=False),
    Column("site_id", String(64), ForeignKey("sc_sites.site_id"), nullable=True),
    Column("parts_name", String(256), nullable=False),
    Column("declared_unit", UNIT, nullable=False),
    Column("terminated", Boolean, nullable=False),
)

sc_bom_lines = Table(
    "sc_bom_lines",
    metadata,
    Column("parent_trace_id", String(36), ForeignKey("sc_parts.trace_id"), primary_key=True),
    Column("child_trace_id", String(36), ForeignKey("sc_parts.trace_id"), primary_key=True),
    Column("amount_required", DECIMAL, nullable=False),
    Column("unit", UNIT, nullable=False),
    Index("ix_sc_bom_lines_child_trace_id", "child_trace_id"),
)

sc_own_footprints = Table(
    "sc_own_footprints",
    metadata,
    Column("trace_id", String(36), ForeignKey("sc_parts.trace_id"), primary_key=True),
    Column("document", Text, nullable=False),  # the `footprints[]` item
)

sc_material_contents = Table(
    "sc_material_contents",
    metadata,
    Column("trace_id", String(36), ForeignKey("sc_parts.trace_id"), primary_key=True),
    Column("document", Text, nullable=False),  # the `materials[]` item
)

sc_trades = Table(
    "sc_trades",
    metadata,
    Column("trade_id", String(36), primary_key=True),
    Column("downstream_trace_id", String(36), ForeignKey("sc_parts.trace_id"), nullable=False, index=True),
    Column("upstream_operator_id", String(64), ForeignKey("sc_operators.operator_id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("upstream_trace_id", String(36), nullable=True),
    Column("reply_message", Text, nullable=False),
    Column("answer_id", String(36), nullable=True),  # the current answer (sc_answers)
)

sc_answers = Table(
    "sc_answers",
    metadata,
    Column("answer_id", String(36), primary_key=True),
    Column("trade_id", String(36), ForeignKey("sc_trades.trade_id"), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),
    Column("document", LargeBinary, nullable=False),  # as received
    Column("received_at", UtcDateTime(), nullable=False),
)

sc_acl_grants = Table(
    "sc_acl_grants",
    metadata,
    Column("partner_id", String(64), ForeignKey("sc_operators.operator_id"), primary_key=True),
    Column("trace_id", String(36), ForeignKey("sc_parts.trace_id"), primary_key=True),
    Column("released", String(200), nullable=False),  # ACL items, comma separated
)

sc_battery_models = Table(
    "sc_battery_models",
    metadata,
    Column("trace_id", String(36), ForeignKey("sc_parts.trace_id"), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("category", String(4), nullable=False),
    Column("usable_capacity_kwh", DECIMAL, nullable=False),
    Column("service_life_years", DECIMAL, nullable=False),
    Column("full_cycles_per_year", DECIMAL, nullable=True),
)

sc_batteries = Table(
    "sc_batteries",
    metadata,
    Column("battery_id", String(256), primary_key=True),
    Column("model_trace_id", String(36), ForeignKey("sc_battery_models.trace_id"), nullable=False),
    Column("own_trace_id", String(36), ForeignKey("sc_parts.trace_id"), nullable=True),
    Column("passport_id", String(36), ForeignKey("passports.passport_id"), nullable=True, unique=True),
)

sc_rollups = Table(
    "sc_rollups",
    metadata,
    Column("rollup_id", String(36), primary_key=True),
    Column("trace_id", String(36), ForeignKey("sc_parts.trace_id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("computed_at", UtcDateTime(), nullable=False),
    Column("commitment", String(64), nullable=False),
    Column("salt", LargeBinary, nullable=False),  # owner-side only: never served
    Column("result_sha256", String(64), nullable=False),
    Column("answers", Text, nullable=False),  # JSON [{answerId, tradeId, sha256}]
    Column("document", LargeBinary, nullable=False),  # the roll-up as served
    UniqueConstraint("trace_id", "number", name="uq_sc_rollups_trace_id"),
)

# Identity (0004): what an authority issued, its status lists and trust-list versions, the members it certifies;
# a holder's wallet; DCP issuance requests; seen SI-token jtis (replay, shared by all workers).
id_members = Table(
    "id_members",
    metadata,
    Column("holder_did", String(512), primary_key=True),
    Column("credential_type", String(64), primary_key=True),
    Column("claims", Text, nullable=False),  # JSON credentialSubject claims (without id)
    Column("valid_days", Integer, nullable=False),
    Column("added_at", UtcDateTime(), nullable=False),
)

id_issued = Table(
    "id_issued",
    metadata,
    Column("credential_id", String(64), primary_key=True),
    Column("holder_did", String(512), nullable=False, index=True),
    Column("credential_type", String(64), nullable=False),
    Column("status_list", String(64), nullable=False),
    Column("status_index", Integer, nullable=False),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("valid_until", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("token", Text, nullable=False),
    UniqueConstraint("status_list", "status_index", name="uq_id_issued_status_list"),
)

id_status_lists = Table(
    "id_status_lists",
    metadata,
    Column("list_id", String(64), primary_key=True),
    Column("purpose", String(32), nullable=False),
    Column("next_index", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("bits", LargeBinary, nullable=False),
    Column("version", Integer, nullable=False),
)

id_trust_lists = Table(
    "id_trust_lists",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("document", Text, nullable=False),  # JSON TrustList
    Column("issued_at", UtcDateTime(), nullable=False),
)

id_wallet = Table(
    "id_wallet",
    metadata,
    Column("credential_id", String(512), primary_key=True),
    Column("credential_type", String(64), nullable=False, index=True),
    Column("issuer", String(512), nullable=False),
    Column("valid_until", UtcDateTime(), nullable=True),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("token", Text, nullable=False),
)

id_issuance_requests = Table(
    "id_issuance_requests",
    metadata,
    Column("issuer_pid", String(64), primary_key=True),
    Column("holder_pid", String(256), nullable=False),
    Column("holder_did", String(512), nullable=False),
    Column("credential_types", Text, nullable=False),  # JSON list
    Column("status", String(16), nullable=False),  # RECEIVED | ISSUED | REJECTED
    Column("reason", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

id_seen_tokens = Table(
    "id_seen_tokens",
    metadata,
    Column("jti", String(256), primary_key=True),
    Column("expires_at", Integer, nullable=False, index=True),
)

# --- data space (issue #5) -----------------------------------------------------------------------------------
PID = String(256)
"""A DSP process id (``urn:uuid:…`` here; any string up to this length from a counterparty)."""
DID = String(512)

dsp_negotiations = Table(
    "dsp_negotiations",
    metadata,
    Column("pid", PID, primary_key=True),  # our pid: providerPid as provider, consumerPid as consumer
    Column("role", String(8), nullable=False),  # provider | consumer
    Column("provider_pid", PID, nullable=True),  # unknown to a consumer until the provider acknowledges
    Column("consumer_pid", PID, nullable=False),
    Column("counterparty", DID, nullable=False),
    Column("counterparty_address", Text, nullable=False),  # consumer callbackAddress / provider DSP base
    Column("state", String(16), nullable=False),
    Column("dataset_id", PID, nullable=False),
    Column("offer", Text, nullable=False),  # JSON: the offer as in the catalog (the agreement must equal it)
    Column("agreement_id", PID, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("role", "counterparty", "consumer_pid", name="uq_dsp_negotiations_role"),
    Index("ix_dsp_negotiations_dataset_id", "dataset_id", "counterparty"),
)

dsp_agreements = Table(
    "dsp_agreements",
    metadata,
    Column("agreement_id", PID, primary_key=True),
    Column("negotiation_pid", PID, nullable=False),
    Column("role", String(8), nullable=False),
    Column("provider", DID, nullable=False),  # assigner
    Column("consumer", DID, nullable=False),  # assignee
    Column("dataset_id", PID, nullable=False),
    Column("policy", Text, nullable=False),  # JSON: the ODRL Agreement as sent
    Column("signed_at", UtcDateTime(), nullable=False),
    Index("ix_dsp_agreements_dataset_id", "dataset_id", "provider"),
)

dsp_transfers = Table(
    "dsp_transfers",
    metadata,
    Column("pid", PID, primary_key=True),
    Column("role", String(8), nullable=False),
    Column("provider_pid", PID, nullable=True),
    Column("consumer_pid", PID, nullable=False),
    Column("counterparty", DID, nullable=False),
    Column("counterparty_address", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("agreement_id", PID, nullable=False, index=True),
    Column("format", String(64), nullable=False),
    Column("data_address", Text, nullable=True),  # consumer: the endpoint data reference received (JSON)
    Column("expires_at", UtcDateTime(), nullable=True),  # consumer: when the EDR's access token expires
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("role", "counterparty", "consumer_pid", name="uq_dsp_transfers_role"),
)

dsp_edr_tokens = Table(
    "dsp_edr_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 hex; the token itself is never stored
    Column("kind", String(8), nullable=False),  # access | refresh
    Column("transfer_pid", PID, nullable=False, index=True),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked", Boolean, nullable=False),
)

dsp_outbox = Table(
    "dsp_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("process_pid", PID, nullable=False),
    Column("message_type", String(64), nullable=False),
    Column("url", Text, nullable=False),
    Column("audience", DID, nullable=False),
    Column("body", Text, nullable=False),  # JSON message, encoded by the DSP 2025-1 codec
    Column("dialect", String(16), nullable=False, server_default="2025-1"),  # sent in: 2025-1 | v0.8
    Column("status", String(8), nullable=False),  # pending | sent | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("lease_until", UtcDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    Index("ix_dsp_outbox_status", "status", "next_attempt_at"),
)

__all__ = [
    "dsp_agreements",
    "dsp_edr_tokens",
    "dsp_negotiations",
    "dsp_outbox",
    "dsp_transfers",
    "id_issuance_requests",
    "id_issued",
    "id_members",
    "id_seen_tokens",
    "id_status_lists",
    "id_trust_lists",
    "id_wallet",
    "import_checkpoints",
    "metadata",
    "ou_accounts",
    "ou_api_keys",
    "ou_records",
    "passport_links",
    "passport_signatures",
    "passport_versions",
    "passports",
    "sc_acl_grants",
    "sc_answers",
    "sc_batteries",
    "sc_battery_models",
    "sc_bom_lines",
    "sc_material_contents",
    "sc_operators",
    "sc_own_footprints",
    "sc_parts",
    "sc_rollups",
    "sc_sites",
    "sc_trades",
]

ou_records = Table(
    "ou_records",
    metadata,
    Column("kind", String(16), primary_key=True),  # ouranos.model.Kind
    Column("record_id", String(128), primary_key=True),  # a UUID, or a composite key (ACL grants)
    Column("operator_id", String(36), nullable=False),
    Column("ref", String(512), nullable=True),  # openOperatorId, parent traceId, upstream operatorId, traceId, DID
    Column("doc", Text, nullable=False),  # the OpenAPI model's JSON, decimals digit for digit
    Index("ix_ou_records_kind", "kind", "operator_id"),
    Index("ix_ou_records_ref", "kind", "ref"),
)

ou_accounts = Table(
    "ou_accounts",
    metadata,
    Column("account_id", String(256), primary_key=True),
    Column("operator_id", String(36), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("locked", Boolean, nullable=False),
)

ou_api_keys = Table(
    "ou_api_keys",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("operator_id", String(36), nullable=False),
    Column("application_name", String(256), nullable=False),
    Column("cidrs", Text, nullable=False),  # space-separated; empty: any address
)
