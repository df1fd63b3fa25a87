"""Our roll-ups as Ouranos CFP records and the platform's answers as ours (`supplychain.ouranos_wire`)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest

from passbridge.errors import InvalidInput
from passbridge.supplychain.answer_json import decode_answer
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.graph import SupplyGraph
from passbridge.supplychain.ouranos_wire import answer_document, cfp_records, ouranos_unit, parts_model, same_cfp
from passbridge.supplychain.quantities import Unit
from passbridge.supplychain.rollups import FootprintRollup, carbon_footprint
from tests.unit.supplychain.builders import a_line, a_part, an_operator, dqr, own

D = Decimal
TRACE = "6f1c2d3e-4a5b-4c6d-8e7f-901234567890"


def _cam_footprint(main: str = "5.0000001") -> FootprintRollup:
    """CAM per kg: 0.5 kg NiSO4 at 4.0 (stage 1) below it, own stage 2 `main`."""
    kcm = an_operator()
    cam, niso4 = a_part(kcm, "CAM-811"), a_part(kcm, "NiSO4", terminated=True)
    graph = SupplyGraph.build(
        [cam, niso4],
        [a_line(cam, niso4, "0.5")],
        footprints=[own(niso4, raw=("4.0", dqr("2", "3", "2"))), own(cam, main=(main, dqr("2", "1", "1")))],
    )
    return carbon_footprint(graph, cam.trace_id)


def test_cfp_records_split_own_and_component_per_stage_in_the_ouranos_format() -> None:
    records: list[dict[str, Any]] = cfp_records(TRACE, None, _cam_footprint())
    by_type = {r["cfpType"]: r for r in records}
    assert {t: by_type[t]["ghgEmission"] for t in by_type} == {
        "preProduction": D(0),
        "mainProduction": D("5.00001"),  # 5.0000001 rounded up at the 6th decimal (openapi #15)
        "preComponent": D(2),
        "mainComponent": D(0),
    }
    assert {r["ghgDeclaredUnit"] for r in by_type.values()} == {"kgCO2e/kilogram"}
    assert (
        by_type["preComponent"]["dqrValue"]
        == by_type["preProduction"]["dqrValue"]
        == {
            "TeR": D(2),
            "GeR": D(3),
            "TiR": D(2),
        }
    )
    assert by_type["mainProduction"]["dqrType"] == "mainProcessing"


def test_same_cfp_compares_numbers_not_spelling() -> None:
    wanted: list[dict[str, Any]] = cfp_records(TRACE, None, _cam_footprint())
    stored = [{**r, "cfpId": "x", "ghgEmission": f"{r['ghgEmission']:.5f}"} for r in wanted]
    assert same_cfp(stored, wanted)
    changed = cfp_records(TRACE, None, _cam_footprint("6"))
    assert not same_cfp(stored, changed)


def _responses(pre: str = "4", main: str = "5") -> list[dict[str, Any]]:
    dqr_value = {"TeR": D("2.25"), "GeR": D("2.375"), "TiR": D(2)}
    return [
        {"traceId": TRACE, "ghgEmission": D(pre), "ghgDeclaredUnit": "kgCO2e/kilogram",
         "cfpType": "preProductionResponse", "dqrValue": dqr_value},
        {"traceId": TRACE, "ghgEmission": D(main), "ghgDeclaredUnit": "kgCO2e/kilogram",
         "cfpType": "mainProductionResponse", "dqrValue": {"TeR": None, "GeR": None, "TiR": None}},
    ]  # fmt: skip


def test_an_answer_read_back_is_a_supplier_answer_for_our_trade() -> None:
    trade = uuid.uuid4()
    document = answer_document(trade, TRACE, _responses(), (3, 2))
    answer = decode_answer(document)
    assert document["tradeId"] == str(trade) and "revision" not in document
    assert answer.emissions(Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING) == D(4)
    assert answer.emissions(Stage.MAIN_PRODUCTION) == D(5)
    assert answer.emissions(Stage.DISTRIBUTION) == answer.emissions(Stage.END_OF_LIFE_AND_RECYCLING) == 0
    assert answer.stage_dqr(Stage.MAIN_PRODUCTION) is None  # null DQR from the platform: unknown, not zero
    assert answer.materials is None and answer.declared_unit is Unit.KILOGRAM
    assert (answer.trades_count, answer.completed_count) == (2, 1)  # our own request is not in the supplier's tree


def test_answer_ids_are_stable_and_a_revision_gets_a_new_one() -> None:
    trade = uuid.uuid4()
    first = answer_document(trade, TRACE, _responses(), (1, 1))
    assert answer_document(trade, TRACE, _responses(), (1, 1))["answerId"] == first["answerId"]
    revised = answer_document(trade, TRACE, _responses(main="6"), (1, 1), previous=uuid.UUID(str(first["answerId"])))
    assert revised["revision"] is True and revised["answerId"] != first["answerId"]
    back = answer_document(trade, TRACE, _responses(), (1, 1), previous=uuid.UUID(str(revised["answerId"])))
    assert back["answerId"] != first["answerId"]  # the old figures again are a new answer, not the old one


def test_a_malformed_answer_names_the_field() -> None:
    with pytest.raises(InvalidInput) as missing:
        answer_document(uuid.uuid4(), TRACE, _responses()[:1], (1, 1))
    assert missing.value.violations[0].path == "cfp.mainProductionResponse"
    bad = _responses()
    bad[0]["ghgEmission"] = "lots"
    with pytest.raises(InvalidInput) as wrong:
        answer_document(uuid.uuid4(), TRACE, bad, (1, 1))
    assert wrong.value.violations[0].path == "cfp.preProductionResponse.ghgEmission"


def test_units_and_names_outside_the_ouranos_model_are_refused_by_path() -> None:
    with pytest.raises(InvalidInput) as gram:
        ouranos_unit(Unit.GRAM, "parts[x].declaredUnit")
    assert gram.value.violations[0].path == "parts[x].declaredUnit"
    long_name = a_part(an_operator(), "N" * 51)
    with pytest.raises(InvalidInput) as name:
        parts_model("op", "plant", long_name)
    assert name.value.violations[0].path == f"parts[{long_name.trace_id}].partsName"


def test_a_child_line_goes_out_with_its_amount_a_parent_without() -> None:
    part = a_part(an_operator(), "CAM purchased")
    assert parts_model("op", "plant", part)["amountRequired"] is None
    child = parts_model("op", "plant", part, amount=D("2.0000001"), unit=Unit.KILOGRAM)
    assert child["amountRequired"] == D("2.00001") and child["amountRequiredUnit"] == "kilogram"
