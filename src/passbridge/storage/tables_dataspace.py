"""Data space (0005): `dsp_*` — contract negotiations and transfer processes (both roles), agreements, data-plane
tokens (hashes only) and the outbox of DSP messages still to send. Ouranos platform (0006): `ou_*` — accounts
(scrypt hashes), API keys (SHA-256 only) and the records of the data transaction API (operators, plants, parts,
trades, CFP), each the JSON of its OpenAPI model. (On the `MetaData` of `tables`, which imports this module.)
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint

from passbridge.storage.columns import UtcDateTime, metadata

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


__all__ = [
    "dsp_agreements",
    "dsp_edr_tokens",
    "dsp_negotiations",
    "dsp_outbox",
    "dsp_transfers",
    "ou_accounts",
    "ou_api_keys",
    "ou_records",
]
