"""Every roll-up records its answers and a salted commitment; an auditor recomputes and catches tampering."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from passbridge.errors import InvalidInput
from passbridge.supplychain.answers import StageEmission, SupplierAnswer
from passbridge.supplychain.canonical import canonical_bytes, canonical_decimal, sha256_hex
from passbridge.supplychain.commitments import (
    RecordedRollup,
    RollupInputs,
    answer_digest,
    commit,
    new_salt,
    record_rollup,
    verify,
)
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.quantities import Unit
from passbridge.supplychain.trades import answer
from tests.unit.supplychain.builders import MAIN, D, a_line, a_part, a_trade, an_operator, content, dqr, element, own

OP = an_operator("Pack Maker K.K.")
SUPPLIER = an_operator("Nordzelle GmbH", country="DE", open_operator_id=None, bpnl="BPNL000000000B01")
SALT = bytes(range(32))


def cell_answer(main: str = "16") -> SupplierAnswer:
    cfp = tuple(StageEmission(s, D(main) if s is MAIN else D(0)) for s in Stage)
    return SupplierAnswer(uuid.uuid4(), uuid.uuid4(), Unit.UNIT, cfp, None, (), 1, 1)


def a_recorded_pack() -> RecordedRollup:
    pack, cells = a_part(OP, "PACK", Unit.UNIT), a_part(OP, "cells", Unit.UNIT)
    housing = a_part(OP, "housing", terminated=True)
    graph = SupplyGraph.build(
        [pack, cells, housing],
        [a_line(pack, cells, "100"), a_line(pack, housing, "20")],
        [answer(a_trade(cells, SUPPLIER), cell_answer())],
        [own(housing, main=("1.5", dqr("3", "3", "3"))), own(pack, main=("150", dqr("1", "1", "1")))],
        [content(housing, element("Pb", "0.001", origin={"AU": "0.001"}))],
    )
    return record_rollup(graph, pack.trace_id, SALT)


def test_a_record_names_the_answers_used_by_id_and_hash() -> None:
    recorded = a_recorded_pack()
    (ref,) = recorded.record.answers
    (trade,) = recorded.inputs.trades
    assert trade.answer is not None
    assert (ref.answer_id, ref.trade_id, ref.sha256) == (
        trade.answer.answer_id,
        trade.trade_id,
        answer_digest(trade.answer),
    )
    assert len(recorded.record.commitment) == 64 and recorded.record.result_sha256 == sha256_hex(recorded.rollup)


def test_an_untouched_record_verifies() -> None:
    recorded = a_recorded_pack()
    assert verify(recorded.record, recorded.inputs, SALT).ok


def test_a_changed_own_input_breaks_the_commitment_and_the_figures() -> None:
    recorded = a_recorded_pack()
    lines = list(recorded.inputs.bom_lines)
    lines[0] = dataclasses.replace(lines[0], amount_required=D("101"))
    outcome = verify(recorded.record, dataclasses.replace(recorded.inputs, bom_lines=tuple(lines)), SALT)
    assert not outcome.ok
    assert "the own inputs (or the salt) do not match the commitment" in outcome.reasons
    assert "the recomputed figures differ from the recorded ones" in outcome.reasons


def test_a_changed_answer_is_caught_by_its_hash() -> None:
    recorded = a_recorded_pack()
    (trade,) = recorded.inputs.trades
    assert trade.answer is not None
    forged = dataclasses.replace(trade, answer=dataclasses.replace(trade.answer, trades_count=9, completed_count=9))
    outcome = verify(recorded.record, dataclasses.replace(recorded.inputs, trades=(forged,)), SALT)
    assert not outcome.ok
    assert any(f"answer {trade.answer.answer_id}" in r and "differs" in r for r in outcome.reasons)


def test_a_wrong_salt_fails_and_a_short_salt_is_refused() -> None:
    recorded = a_recorded_pack()
    assert verify(recorded.record, recorded.inputs, new_salt()).reasons == (
        "the own inputs (or the salt) do not match the commitment",
    )
    with pytest.raises(InvalidInput) as caught:
        commit(recorded.inputs, b"short")
    assert caught.value.violations[0].path == "salt"


def test_inputs_that_no_longer_make_a_graph_are_reported_not_raised() -> None:
    recorded = a_recorded_pack()
    outcome = verify(recorded.record, dataclasses.replace(recorded.inputs, parts=recorded.inputs.parts[:1]), SALT)
    assert not outcome.ok and any("cannot be recomputed" in r for r in outcome.reasons)


def test_the_commitment_does_not_depend_on_the_order_of_the_inputs() -> None:
    inputs = a_recorded_pack().inputs
    shuffled = RollupInputs(
        inputs.trace_id,
        inputs.parts[::-1],
        inputs.bom_lines[::-1],
        inputs.footprints[::-1],
        inputs.materials,
        inputs.trades,
    )
    assert commit(shuffled, SALT) == commit(inputs, SALT)
    assert commit(inputs, SALT) != commit(inputs, bytes(32))


def test_numbers_are_encoded_by_value() -> None:
    assert canonical_decimal(D("1.50")) == canonical_decimal(D("1.5")) == "15e-1"
    assert canonical_decimal(D("1500")) == canonical_decimal(D("1.5E+3")) == "15e2"
    assert canonical_decimal(D("-0.00")) == canonical_decimal(D("0")) == "0"
    assert canonical_bytes((D("2.0"), D("1"))) == canonical_bytes((D("1.00"), D("2")))
    with pytest.raises(TypeError):
        canonical_bytes(0.1)
