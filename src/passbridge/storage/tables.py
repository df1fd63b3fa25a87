"""Table definitions on one `MetaData`; Alembic migrations create exactly these (a test compares them).

Passports (0001): `passports`, `passport_versions`, `passport_links`, `import_checkpoints`; their signed form
(0003): `passport_signatures`. Supply chain (0002):
`sc_*` — operators, sites, parts, BOM lines, own footprints, material contents, trades, answers as received, ACL
grants, battery models, batteries, recorded roll-ups. Decimals are stored as text (exact on every backend); nested
figures (stages, elements) as the JSON item of the import format. Identity (0004): `id_*` — certified members,
issued credentials, status lists, trust-list versions, wallet, DCP issuance requests, seen SI-token ids. The data space
and Ouranos platform tables (`dsp_*`, `ou_*`) are in `tables_dataspace`; the `MetaData` and column types in
`columns`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from passbridge.storage import tables_dataspace  # noqa: F401 - registers the dsp_* and ou_* tables on `metadata`
from passbridge.storage.columns import LZ4_TAG, JsonDocument, UtcDateTime, metadata

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


__all__ = [
    "DECIMAL",
    "LZ4_TAG",
    "PASSPORT_SEQ",
    "UNIT",
    "JsonDocument",
    "UtcDateTime",
    "id_issuance_requests",
    "id_issued",
    "id_members",
    "id_seen_tokens",
    "id_status_lists",
    "id_trust_lists",
    "id_wallet",
    "import_checkpoints",
    "metadata",
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
