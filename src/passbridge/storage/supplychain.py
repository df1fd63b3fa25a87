"""`SqlSupplyChainRepository`: the supply-chain port on one connection (Core statements over the `sc_*` tables).

Rows ⇄ domain objects: decimals are text, nested figures are the import format's JSON items (decoded with the same
code that reads imports), answers are kept as received. Loading rebuilds every domain object, so stored data that
was tampered with into something invalid fails loudly (`InvalidInput`) instead of being used.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import Connection, Table, func, insert, select, text, update
from sqlalchemy.engine import RowMapping

from passbridge.errors import InvalidInput
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.passport.model import PassportId
from passbridge.storage.tables import (
    sc_acl_grants,
    sc_answers,
    sc_batteries,
    sc_battery_models,
    sc_bom_lines,
    sc_material_contents,
    sc_operators,
    sc_own_footprints,
    sc_parts,
    sc_rollups,
    sc_sites,
    sc_trades,
)
from passbridge.supplychain.answer_json import decode_answer
from passbridge.supplychain.battery import BatteryInstance, BatteryModel, VehicleCategory
from passbridge.supplychain.catalog import (
    AclEntry,
    Catalog,
    PartEntry,
    ReceivedAnswer,
    SiteEntry,
    StoredRollup,
    TradeEntry,
)
from passbridge.supplychain.commitments import AnswerRef, RollupRecord
from passbridge.supplychain.disclosure import AclItem
from passbridge.supplychain.document import decode_footprint, decode_materials, encode_footprint, encode_materials
from passbridge.supplychain.footprints import MaterialContent, OwnFootprint
from passbridge.supplychain.model import BomLine, Operator, Part, Site
from passbridge.supplychain.quantities import Unit
from passbridge.supplychain.trades import Trade, TradeStatus

_LOCK_KEY: Final = 0x5C_5C_0003
"""PostgreSQL advisory lock that serialises supply-chain writers (SQLite writers queue on BEGIN IMMEDIATE)."""


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


def _json(raw: str | bytes, path: str) -> Mapping[str, Any]:
    value = loads_exact(raw)
    if not isinstance(value, dict):  # pragma: no cover - only objects are written
        raise ValueError(f"{path} is not a JSON object")
    return value


def _rollup(row: RowMapping) -> StoredRollup:
    refs = tuple(
        AnswerRef(uuid.UUID(ref["answerId"]), uuid.UUID(ref["tradeId"]), ref["sha256"])
        for ref in json.loads(row["answers"])
    )
    record = RollupRecord(uuid.UUID(row["trace_id"]), refs, row["commitment"], row["result_sha256"])
    return StoredRollup(
        uuid.UUID(row["rollup_id"]),
        row["number"],
        record,
        bytes(row["salt"]),
        row["computed_at"],
        bytes(row["document"]),
    )


class SqlSupplyChainRepository:
    """`SupplyChainRepository` on one SQLAlchemy connection inside a unit of work."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def lock(self) -> None:
        if self._db.dialect.name == "postgresql":
            self._db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})

    def _rows(self, table: Table) -> list[RowMapping]:
        return list(self._db.execute(select(table)).mappings())

    def _upsert(self, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]) -> None:
        condition = [table.c[name] == value for name, value in key.items()]
        if not self._db.execute(update(table).where(*condition).values(**values)).rowcount:
            self._db.execute(insert(table).values(**key, **values))

    # --- reading -----------------------------------------------------------------------------------------------

    def load(self) -> Catalog:
        try:
            return self._load()
        except (ValueError, KeyError, ArithmeticError) as error:  # a row edited into something no object can be
            raise InvalidInput.at("stored data", f"unreadable: {type(error).__name__}: {error}", "storage") from None

    def _load(self) -> Catalog:
        operators = {
            r["operator_id"]: Operator(r["name"], r["country"], r["open_operator_id"], r["bpnl"], r["did"])
            for r in self._rows(sc_operators)
        }
        sites = {
            r["site_id"]: SiteEntry(
                r["site_id"], r["operator_id"], Site(r["name"], r["country"], r["bpns"], r["open_plant_id"])
            )
            for r in self._rows(sc_sites)
        }
        parts: dict[uuid.UUID, PartEntry] = {}
        for r in self._rows(sc_parts):
            site = sites[r["site_id"]].site if r["site_id"] else None
            part = Part(
                uuid.UUID(r["trace_id"]),
                operators[r["operator_id"]],
                r["parts_name"],
                Unit(r["declared_unit"]),
                bool(r["terminated"]),
                site,
            )
            parts[part.trace_id] = PartEntry(part, r["operator_id"], r["site_id"])
        answers = self._answers()
        return Catalog(
            operators=operators,
            sites=sites,
            parts=parts,
            bom_lines=self._bom_lines(),
            footprints=self._footprints(),
            materials=self._materials(),
            trades=self._trades(operators, parts, answers),
            answers=answers,
            acl=self._acl(),
            battery_models=(models := self._battery_models()),
            batteries=self._batteries(models),
        )

    def _bom_lines(self) -> dict[tuple[uuid.UUID, uuid.UUID], BomLine]:
        lines = (
            BomLine(
                uuid.UUID(r["parent_trace_id"]),
                uuid.UUID(r["child_trace_id"]),
                Decimal(r["amount_required"]),
                Unit(r["unit"]),
            )
            for r in self._rows(sc_bom_lines)
        )
        return {(line.parent, line.child): line for line in lines}

    def _footprints(self) -> dict[uuid.UUID, OwnFootprint]:
        items = (
            decode_footprint(_json(r["document"], "footprint"), "stored footprint")
            for r in self._rows(sc_own_footprints)
        )
        return {f.trace_id: f for f in items}

    def _materials(self) -> dict[uuid.UUID, MaterialContent]:
        items = (
            decode_materials(_json(r["document"], "materials"), "stored materials")
            for r in self._rows(sc_material_contents)
        )
        return {m.trace_id: m for m in items}

    def _answers(self) -> dict[uuid.UUID, ReceivedAnswer]:
        out: dict[uuid.UUID, ReceivedAnswer] = {}
        for r in self._rows(sc_answers):
            document = bytes(r["document"])
            answer = decode_answer(_json(document, "answer"), f"stored answer {r['answer_id']}")
            out[uuid.UUID(r["answer_id"])] = ReceivedAnswer(
                answer, uuid.UUID(r["trade_id"]), r["sha256"], r["received_at"], document
            )
        return out

    def _trades(
        self,
        operators: Mapping[str, Operator],
        parts: Mapping[uuid.UUID, PartEntry],
        answers: Mapping[uuid.UUID, ReceivedAnswer],
    ) -> dict[uuid.UUID, TradeEntry]:
        out: dict[uuid.UUID, TradeEntry] = {}
        for r in self._rows(sc_trades):
            downstream = uuid.UUID(r["downstream_trace_id"])
            current = answers[uuid.UUID(r["answer_id"])].answer if r["answer_id"] else None
            trade = Trade(
                uuid.UUID(r["trade_id"]),
                parts[downstream].part.operator,
                downstream,
                operators[r["upstream_operator_id"]],
                TradeStatus(r["status"]),
                uuid.UUID(r["upstream_trace_id"]) if r["upstream_trace_id"] else None,
                current,
                r["reply_message"],
            )
            out[trade.trade_id] = TradeEntry(trade, r["upstream_operator_id"])
        return out

    def _acl(self) -> dict[tuple[str, uuid.UUID], AclEntry]:
        entries = (
            AclEntry(
                r["partner_id"],
                uuid.UUID(r["trace_id"]),
                frozenset(AclItem(item) for item in r["released"].split(",") if item),
            )
            for r in self._rows(sc_acl_grants)
        )
        return {(e.partner_id, e.trace_id): e for e in entries}

    def _battery_models(self) -> dict[uuid.UUID, BatteryModel]:
        models = (
            BatteryModel(
                uuid.UUID(r["trace_id"]),
                r["name"],
                VehicleCategory(r["category"]),
                Decimal(r["usable_capacity_kwh"]),
                Decimal(r["service_life_years"]),
                Decimal(r["full_cycles_per_year"]) if r["full_cycles_per_year"] is not None else None,
            )
            for r in self._rows(sc_battery_models)
        )
        return {m.trace_id: m for m in models}

    def _batteries(self, models: Mapping[uuid.UUID, BatteryModel]) -> dict[str, BatteryInstance]:
        batteries = (
            BatteryInstance(
                r["battery_id"],
                models[uuid.UUID(r["model_trace_id"])],
                PassportId(r["passport_id"]) if r["passport_id"] else None,
                uuid.UUID(r["own_trace_id"]) if r["own_trace_id"] else None,
            )
            for r in self._rows(sc_batteries)
        )
        return {b.battery_id: b for b in batteries}

    # --- writing -----------------------------------------------------------------------------------------------

    def put_operator(self, operator_id: str, operator: Operator) -> None:
        values = {
            "name": operator.name,
            "country": operator.country,
            "open_operator_id": operator.open_operator_id,
            "bpnl": operator.bpnl,
            "did": operator.did,
        }
        self._upsert(sc_operators, {"operator_id": operator_id}, values)

    def put_site(self, entry: SiteEntry) -> None:
        site = entry.site
        values = {
            "operator_id": entry.operator_id,
            "name": site.name,
            "country": site.country,
            "bpns": site.bpns,
            "open_plant_id": site.open_plant_id,
        }
        self._upsert(sc_sites, {"site_id": entry.site_id}, values)

    def put_part(self, entry: PartEntry) -> None:
        part = entry.part
        values = {
            "operator_id": entry.operator_id,
            "site_id": entry.site_id,
            "parts_name": part.parts_name,
            "declared_unit": part.declared_unit.value,
            "terminated": part.terminated,
        }
        self._upsert(sc_parts, {"trace_id": str(part.trace_id)}, values)

    def put_bom_line(self, line: BomLine) -> None:
        key = {"parent_trace_id": str(line.parent), "child_trace_id": str(line.child)}
        values = {"amount_required": _decimal_text(line.amount_required), "unit": line.unit.value}
        self._upsert(sc_bom_lines, key, values)

    def put_footprint(self, footprint: OwnFootprint) -> None:
        document = dumps_exact(encode_footprint(footprint)).decode("utf-8")
        self._upsert(sc_own_footprints, {"trace_id": str(footprint.trace_id)}, {"document": document})

    def put_materials(self, content: MaterialContent) -> None:
        document = dumps_exact(encode_materials(content)).decode("utf-8")
        self._upsert(sc_material_contents, {"trace_id": str(content.trace_id)}, {"document": document})

    def put_trade(self, entry: TradeEntry) -> None:
        trade = entry.trade
        values = {
            "downstream_trace_id": str(trade.downstream_trace_id),
            "upstream_operator_id": entry.upstream_operator_id,
            "status": trade.status.value,
            "upstream_trace_id": str(trade.upstream_trace_id) if trade.upstream_trace_id else None,
            "reply_message": trade.reply_message,
            "answer_id": str(trade.answer.answer_id) if trade.answer else None,
        }
        self._upsert(sc_trades, {"trade_id": str(trade.trade_id)}, values)

    def add_answer(self, received: ReceivedAnswer) -> None:
        self._db.execute(
            insert(sc_answers).values(
                answer_id=str(received.answer.answer_id),
                trade_id=str(received.trade_id),
                sha256=received.sha256,
                document=received.document,
                received_at=received.received_at,
            )
        )

    def put_acl(self, entry: AclEntry) -> None:
        key = {"partner_id": entry.partner_id, "trace_id": str(entry.trace_id)}
        released = ",".join(sorted(item.value for item in entry.released))
        self._upsert(sc_acl_grants, key, {"released": released})

    def put_battery_model(self, model: BatteryModel) -> None:
        override = model.full_cycles_per_year_override
        values = {
            "name": model.name,
            "category": model.category.value,
            "usable_capacity_kwh": _decimal_text(model.usable_capacity_kwh),
            "service_life_years": _decimal_text(model.service_life_years),
            "full_cycles_per_year": _decimal_text(override) if override is not None else None,
        }
        self._upsert(sc_battery_models, {"trace_id": str(model.trace_id)}, values)

    def put_battery(self, battery: BatteryInstance) -> None:
        values = {
            "model_trace_id": str(battery.model.trace_id),
            "own_trace_id": str(battery.own_trace_id) if battery.own_trace_id else None,
            "passport_id": battery.passport_id.value if battery.passport_id else None,
        }
        self._upsert(sc_batteries, {"battery_id": battery.battery_id}, values)

    # --- roll-ups ----------------------------------------------------------------------------------------------

    def add_rollup(self, rollup: StoredRollup) -> None:
        record = rollup.record
        answers = [
            {"answerId": str(a.answer_id), "tradeId": str(a.trade_id), "sha256": a.sha256} for a in record.answers
        ]
        self._db.execute(
            insert(sc_rollups).values(
                rollup_id=str(rollup.rollup_id),
                trace_id=str(record.trace_id),
                number=rollup.number,
                computed_at=rollup.computed_at,
                commitment=record.commitment,
                salt=rollup.salt,
                result_sha256=record.result_sha256,
                answers=json.dumps(answers, separators=(",", ":")),
                document=rollup.document,
            )
        )

    def latest_rollup(self, trace_id: uuid.UUID) -> StoredRollup | None:
        stmt = select(sc_rollups).where(sc_rollups.c.trace_id == str(trace_id)).order_by(sc_rollups.c.number.desc())
        row = self._db.execute(stmt.limit(1)).mappings().first()
        return _rollup(row) if row is not None else None

    def latest_rollups(self, trace_ids: Iterable[uuid.UUID] | None = None) -> Mapping[uuid.UUID, StoredRollup]:
        newest = select(sc_rollups.c.trace_id, func.max(sc_rollups.c.number).label("number")).group_by(
            sc_rollups.c.trace_id
        )
        if trace_ids is not None:
            wanted = [str(t) for t in trace_ids]
            if not wanted:
                return {}
            newest = newest.where(sc_rollups.c.trace_id.in_(wanted))
        latest = newest.subquery()
        stmt = select(sc_rollups).join(
            latest, (sc_rollups.c.trace_id == latest.c.trace_id) & (sc_rollups.c.number == latest.c.number)
        )
        return {uuid.UUID(row["trace_id"]): _rollup(row) for row in self._db.execute(stmt).mappings()}


__all__ = ["SqlSupplyChainRepository"]
