"""Supply chain: operators, sites, parts, BOM lines, own figures, trades, answers, ACL, batteries, roll-ups.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from passbridge.storage.tables import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_DECIMAL = sa.String(48)
_UNIT = sa.String(20)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=f"fk_{table}_{column}_{referred}")


def upgrade() -> None:
    op.create_table(
        "sc_operators",
        sa.Column("operator_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("open_operator_id", sa.String(13), nullable=True),
        sa.Column("bpnl", sa.String(16), nullable=True),
        sa.Column("did", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("operator_id", name="pk_sc_operators"),
    )
    op.create_table(
        "sc_sites",
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("operator_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("bpns", sa.String(16), nullable=True),
        sa.Column("open_plant_id", sa.String(26), nullable=True),
        _fk("sc_sites", "operator_id", "sc_operators.operator_id"),
        sa.PrimaryKeyConstraint("site_id", name="pk_sc_sites"),
    )
    op.create_table(
        "sc_parts",
        sa.Column("trace_id", sa.String(36), nullable=False),
        sa.Column("operator_id", sa.String(64), nullable=False),
        sa.Column("site_id", sa.String(64), nullable=True),
        sa.Column("parts_name", sa.String(256), nullable=False),
        sa.Column("declared_unit", _UNIT, nullable=False),
        sa.Column("terminated", sa.Boolean(), nullable=False),
        _fk("sc_parts", "operator_id", "sc_operators.operator_id"),
        _fk("sc_parts", "site_id", "sc_sites.site_id"),
        sa.PrimaryKeyConstraint("trace_id", name="pk_sc_parts"),
    )
    op.create_table(
        "sc_bom_lines",
        sa.Column("parent_trace_id", sa.String(36), nullable=False),
        sa.Column("child_trace_id", sa.String(36), nullable=False),
        sa.Column("amount_required", _DECIMAL, nullable=False),
        sa.Column("unit", _UNIT, nullable=False),
        _fk("sc_bom_lines", "parent_trace_id", "sc_parts.trace_id"),
        _fk("sc_bom_lines", "child_trace_id", "sc_parts.trace_id"),
        sa.PrimaryKeyConstraint("parent_trace_id", "child_trace_id", name="pk_sc_bom_lines"),
    )
    op.create_index("ix_sc_bom_lines_child_trace_id", "sc_bom_lines", ["child_trace_id"])
    for table in ("sc_own_footprints", "sc_material_contents"):
        op.create_table(
            table,
            sa.Column("trace_id", sa.String(36), nullable=False),
            sa.Column("document", sa.Text(), nullable=False),
            _fk(table, "trace_id", "sc_parts.trace_id"),
            sa.PrimaryKeyConstraint("trace_id", name=f"pk_{table}"),
        )
    op.create_table(
        "sc_trades",
        sa.Column("trade_id", sa.String(36), nullable=False),
        sa.Column("downstream_trace_id", sa.String(36), nullable=False),
        sa.Column("upstream_operator_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("upstream_trace_id", sa.String(36), nullable=True),
        sa.Column("reply_message", sa.Text(), nullable=False),
        sa.Column("answer_id", sa.String(36), nullable=True),
        _fk("sc_trades", "downstream_trace_id", "sc_parts.trace_id"),
        _fk("sc_trades", "upstream_operator_id", "sc_operators.operator_id"),
        sa.PrimaryKeyConstraint("trade_id", name="pk_sc_trades"),
    )
    op.create_index("ix_sc_trades_downstream_trace_id", "sc_trades", ["downstream_trace_id"])
    op.create_table(
        "sc_answers",
        sa.Column("answer_id", sa.String(36), nullable=False),
        sa.Column("trade_id", sa.String(36), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        _fk("sc_answers", "trade_id", "sc_trades.trade_id"),
        sa.PrimaryKeyConstraint("answer_id", name="pk_sc_answers"),
    )
    op.create_index("ix_sc_answers_trade_id", "sc_answers", ["trade_id"])
    op.create_table(
        "sc_acl_grants",
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("trace_id", sa.String(36), nullable=False),
        sa.Column("released", sa.String(200), nullable=False),
        _fk("sc_acl_grants", "partner_id", "sc_operators.operator_id"),
        _fk("sc_acl_grants", "trace_id", "sc_parts.trace_id"),
        sa.PrimaryKeyConstraint("partner_id", "trace_id", name="pk_sc_acl_grants"),
    )
    op.create_table(
        "sc_battery_models",
        sa.Column("trace_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("category", sa.String(4), nullable=False),
        sa.Column("usable_capacity_kwh", _DECIMAL, nullable=False),
        sa.Column("service_life_years", _DECIMAL, nullable=False),
        sa.Column("full_cycles_per_year", _DECIMAL, nullable=True),
        _fk("sc_battery_models", "trace_id", "sc_parts.trace_id"),
        sa.PrimaryKeyConstraint("trace_id", name="pk_sc_battery_models"),
    )
    op.create_table(
        "sc_batteries",
        sa.Column("battery_id", sa.String(256), nullable=False),
        sa.Column("model_trace_id", sa.String(36), nullable=False),
        sa.Column("own_trace_id", sa.String(36), nullable=True),
        sa.Column("passport_id", sa.String(36), nullable=True),
        _fk("sc_batteries", "model_trace_id", "sc_battery_models.trace_id"),
        _fk("sc_batteries", "own_trace_id", "sc_parts.trace_id"),
        _fk("sc_batteries", "passport_id", "passports.passport_id"),
        sa.PrimaryKeyConstraint("battery_id", name="pk_sc_batteries"),
        sa.UniqueConstraint("passport_id", name="uq_sc_batteries_passport_id"),
    )
    op.create_table(
        "sc_rollups",
        sa.Column("rollup_id", sa.String(36), nullable=False),
        sa.Column("trace_id", sa.String(36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("computed_at", UtcDateTime(), nullable=False),
        sa.Column("commitment", sa.String(64), nullable=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.Column("result_sha256", sa.String(64), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        _fk("sc_rollups", "trace_id", "sc_parts.trace_id"),
        sa.PrimaryKeyConstraint("rollup_id", name="pk_sc_rollups"),
        sa.UniqueConstraint("trace_id", "number", name="uq_sc_rollups_trace_id"),
    )


def downgrade() -> None:
    op.drop_table("sc_rollups")
    op.drop_table("sc_batteries")
    op.drop_table("sc_battery_models")
    op.drop_table("sc_acl_grants")
    op.drop_index("ix_sc_answers_trade_id", table_name="sc_answers")
    op.drop_table("sc_answers")
    op.drop_index("ix_sc_trades_downstream_trace_id", table_name="sc_trades")
    op.drop_table("sc_trades")
    op.drop_table("sc_material_contents")
    op.drop_table("sc_own_footprints")
    op.drop_index("ix_sc_bom_lines_child_trace_id", table_name="sc_bom_lines")
    op.drop_table("sc_bom_lines")
    op.drop_table("sc_parts")
    op.drop_table("sc_sites")
    op.drop_table("sc_operators")
