"""The import formats (JSON document, BOM CSV, answer JSON), the import planner and the passport filler, without I/O."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from passbridge.errors import InvalidInput, MalformedJson
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.passport.samples import sample_passport
from passbridge.supplychain.answer_json import decode_answer, encode_answer
from passbridge.supplychain.bom_csv import decode_bom_csv
from passbridge.supplychain.catalog import Catalog
from passbridge.supplychain.document import (
    decode_document,
    decode_footprint,
    decode_materials,
    encode_footprint,
    encode_materials,
)
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.importing import plan_import
from passbridge.supplychain.passport_link import PassportFigures, fill_passport
from tests.supplychain_scenario import CELLS, HOUSING, PACK, answer_of_b, body, cathode_node, pack_node

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _plan(catalog: Catalog, doc: bytes) -> Catalog:
    return plan_import(catalog, decode_document(doc), known_passports=set(), now=NOW).catalog


def test_a_document_reports_every_bad_item_at_once_by_json_path() -> None:
    doc = pack_node()
    doc["parts"][0]["declaredUnit"] = "bushel"
    doc["bomLines"][1]["amountRequired"] = "-1"
    doc["trades"][0]["colour"] = "red"
    with pytest.raises(InvalidInput) as caught:
        decode_document(body(doc))
    paths = {v.path for v in caught.value.violations}
    assert paths == {"$.parts[0].declaredUnit", "$.bomLines[1].amountRequired", "$.trades[0].colour"}


def test_a_document_must_be_json_and_an_object() -> None:
    with pytest.raises(MalformedJson):
        decode_document(b"{nope")
    with pytest.raises(InvalidInput, match="JSON object"):
        decode_document(b"[]")


def test_numbers_keep_their_digits_whether_strings_or_json_numbers() -> None:
    as_number = body(pack_node()).replace(b'"amountRequired":"100"', b'"amountRequired":100.000')
    lines = decode_document(as_number).bom_lines
    assert lines[0].item.amount_required == Decimal("100.000")


def test_footprints_and_materials_round_trip_through_their_item_format() -> None:
    batch = decode_document(body(cathode_node()))
    for sourced in batch.footprints:
        encoded = json.loads(json.dumps(encode_footprint(sourced.item)))
        assert decode_footprint(encoded, "$") == sourced.item
    for content in batch.materials:
        assert decode_materials(loads_exact(json.dumps(encode_materials(content.item))), "$") == content.item  # type: ignore[arg-type]


def test_answers_round_trip_and_withheld_figures_stay_null() -> None:
    raw = {k: v for k, v in answer_of_b().items() if k != "tradeId"}
    answer = decode_answer(raw)
    assert decode_answer(encode_answer(answer)) == answer
    closed = decode_answer({**raw, "cfp": None, "dqr": None, "materials": None})
    assert encode_answer(closed)["cfp"] is None and closed.emissions(Stage.MAIN_PRODUCTION) is None


def test_an_answer_must_state_every_stage() -> None:
    raw = {k: v for k, v in answer_of_b().items() if k != "tradeId"}
    raw["cfp"] = {"mainProduction": "1"}
    with pytest.raises(InvalidInput) as caught:
        decode_answer(raw, "$.answers[0]")
    assert caught.value.violations[0].path.startswith("$.answers[0].cfp.")


def test_csv_rows_are_numbered_like_a_spreadsheet_and_blank_lines_are_skipped() -> None:
    csv = (
        "\ufeffunit,amount_required,child_trace_id,parent_trace_id\n"
        f"unit,100,{CELLS},{PACK}\n\nkilogram,x,{HOUSING},{PACK}\n"
    )
    with pytest.raises(InvalidInput) as caught:
        decode_bom_csv(csv.encode("utf-8"), "bom.csv")
    assert [v.path for v in caught.value.violations] == ["row 4, column amount_required"]


def test_csv_needs_the_four_columns() -> None:
    with pytest.raises(InvalidInput, match="parent_trace_id,child_trace_id,amount_required,unit"):
        decode_bom_csv(b"parent,child,amount\n")


def test_importing_the_same_document_twice_changes_nothing() -> None:
    once = _plan(Catalog(), body(pack_node()))
    again = plan_import(once, decode_document(body(pack_node())), known_passports=set(), now=NOW)
    assert set(again.counts.values()) == {0} and not again.changed_parts


def test_a_changed_line_marks_its_parent_as_changed() -> None:
    once = _plan(Catalog(), body(pack_node()))
    doc = {
        "bomLines": [
            {"parentTraceId": PACK, "traceId": HOUSING, "amountRequired": "21", "amountRequiredUnit": "kilogram"}
        ]
    }
    plan = plan_import(once, decode_document(body(doc)), known_passports=set(), now=NOW)
    assert plan.counts["bomLines"] == 1 and plan.changed_parts == {uuid.UUID(PACK)}


def _figures() -> PassportFigures:
    return PassportFigures(
        uuid.uuid4(),
        "ab" * 32,
        NOW,
        ((Stage.MAIN_PRODUCTION, Decimal("0.04862")),),
        (("nickel", Decimal("50")),),
        (("nickel", (("ID", Decimal("50")), ("JP", Decimal("50")))),),
    )


def test_filling_a_passport_twice_gives_the_same_document_and_leaves_the_input_alone() -> None:
    passport: Any = loads_exact(dumps_exact(sample_passport(1)))
    figures = _figures()
    once: Any = fill_passport(passport, figures)
    assert fill_passport(once, figures) == once
    assert "computed" not in passport["x-passbridge"]
    main = [e for e in once["sustainability"]["carbonFootprint"] if e["lifecycle"] == "main product production"]
    assert len(main) == 1 and main[0]["value"] == Decimal("0.04862")
    assert main[0]["rulebook"]  # the entry's other members are kept
