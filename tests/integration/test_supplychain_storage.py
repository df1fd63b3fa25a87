"""Supply-chain storage on SQLite and PostgreSQL: what is written is what is read; a transaction is all or nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from passbridge.bootstrap import Services
from passbridge.storage.tables import sc_answers, sc_parts
from passbridge.supplychain.catalog import PartEntry
from passbridge.supplychain.model import Part
from passbridge.supplychain.quantities import Unit
from passbridge.supplychain.services import ImportFormat
from tests.supplychain_scenario import ANSWER_B, PACK, answer_of_b, body, pack_node


def test_an_import_reads_back_exactly(services: Services) -> None:
    services.supplychain.import_file(body(pack_node()), ImportFormat.JSON)
    with services.uow(write=False) as uow:
        first = uow.supplychain.load()
    with services.uow(write=False) as uow:
        assert uow.supplychain.load() == first
    assert len(first.parts) == 3 and len(first.bom_lines) == 2 and len(first.trades) == 1
    received = first.answers[uuid.UUID(ANSWER_B)]
    assert b'"distribution":"0.5"' in received.document  # kept as given
    trade = next(iter(first.trades.values())).trade
    assert trade.answer == received.answer and trade.status.value == "COMPLETED"
    graph = first.graph()
    assert set(graph.upstream(uuid.UUID(PACK))) == {e.part.trace_id for e in first.parts.values()}


def test_roll_ups_are_numbered_per_part_and_the_latest_is_current(services: Services) -> None:
    services.supplychain.import_file(body(pack_node()), ImportFormat.JSON)
    first = services.supplychain.rollup(uuid.UUID(PACK))
    assert services.supplychain.rollup(uuid.UUID(PACK)) == first  # nothing changed: nothing recorded
    revised = {**answer_of_b(), "answerId": str(uuid.uuid4()), "revision": True}
    services.supplychain.import_file(body({"answers": [revised]}), ImportFormat.JSON)
    with services.uow(write=False) as uow:
        latest = uow.supplychain.latest_rollups()
        assert uow.supplychain.latest_rollup(uuid.UUID(PACK)) == latest[uuid.UUID(PACK)]
    assert latest[uuid.UUID(PACK)].number == 2 and latest[uuid.UUID(PACK)].salt != first.salt


def test_a_failing_write_leaves_nothing_behind(services: Services) -> None:
    services.supplychain.import_file(body(pack_node()), ImportFormat.JSON)
    with services.uow(write=False) as uow:
        catalog = uow.supplychain.load()
    entry = next(iter(catalog.parts.values()))
    fresh = PartEntry(replace(entry.part, trace_id=uuid.uuid4(), parts_name="fresh"), entry.operator_id)
    orphan = PartEntry(Part(uuid.uuid4(), entry.part.operator, "orphan", Unit.UNIT), "no-such-operator")
    with pytest.raises(IntegrityError), services.uow() as uow:
        uow.supplychain.put_part(fresh)
        uow.supplychain.put_part(orphan)  # foreign key: no such operator
        uow.commit()
    with services.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(sc_parts)).scalar_one() == 3


def test_answers_are_never_overwritten(services: Services) -> None:
    services.supplychain.import_file(body(pack_node()), ImportFormat.JSON)
    with services.uow(write=False) as uow:
        received = uow.supplychain.load().answers[uuid.UUID(ANSWER_B)]
    with pytest.raises(IntegrityError), services.uow() as uow:
        uow.supplychain.add_answer(replace(received, document=b"{}"))
        uow.commit()
    with services.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(sc_answers)).scalar_one() == 1
