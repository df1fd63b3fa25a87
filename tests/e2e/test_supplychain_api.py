"""The supply-chain API as a battery maker uses it: import, roll up, recompute, audit, answer, fill the passport."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs installed; Draft202012Validator only
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from passbridge.api.app import create_asgi
from passbridge.bootstrap import Services
from passbridge.jsoncodec import loads_exact
from passbridge.passport.access import Role
from passbridge.passport.samples import sample_passport
from passbridge.storage.tables import sc_answers, sc_bom_lines, sc_rollups
from tests.conftest import auth, body as passport_body
from tests.supplychain_scenario import (
    ANSWER_B,
    CAM,
    CELL,
    CELLS,
    HOUSING,
    PACK,
    PACK_ROLLUP,
    TRADE_A_B,
    TRADE_B_C,
    answer_of_b,
    body,
    cathode_node,
    cell_node,
    pack_node,
    tid,
)

IMPORT = "/api/v1/supplychain/import"


def rollup_url(trace_id: str) -> str:
    return f"/api/v1/supplychain/parts/{trace_id}/rollup"


def do_import(client: TestClient, services: Services, doc: dict[str, Any]) -> Any:
    response = client.post(IMPORT, content=body(doc), headers=auth(services, Role.OWNER))
    assert response.status_code == 200, response.text
    return response.json()


def the_rollup(client: TestClient, services: Services, trace_id: str = PACK) -> dict[str, Any]:
    response = client.get(rollup_url(trace_id), headers=auth(services, Role.OWNER))
    assert response.status_code == 200, response.text
    value: dict[str, Any] = response.json()
    assert re.fullmatch(r"[0-9a-f]{64}", value.pop("commitment"))
    value["rollupId"] = response.headers["x-passbridge-rollup-id"]
    return value


def without_id(rollup: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rollup.items() if k != "rollupId"}


def test_import_then_rollup_gives_the_hand_computed_pack_figures(client: TestClient, services: Services) -> None:
    report = do_import(client, services, pack_node())
    assert report["stored"]["parts"] == 3 and report["stored"]["answers"] == 1
    assert without_id(the_rollup(client, services)) == PACK_ROLLUP


def test_the_served_schema_accepts_the_documents_it_describes(client: TestClient) -> None:
    response = client.get("/api/v1/supplychain/schema.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/schema+json"
    schema = response.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    for doc in (pack_node(), cathode_node(), cell_node()):
        jsonschema.Draft202012Validator(schema).validate(json.loads(body(doc)))


@pytest.fixture
def node(make_services: Callable[..., Services], tmp_path: Path) -> Callable[[str], tuple[TestClient, Services]]:
    """Further nodes (SQLite) for the tiers above this one."""
    clients: list[TestClient] = []

    def make(name: str) -> tuple[TestClient, Services]:
        services = make_services(f"sqlite:///{tmp_path / name}.db")
        client = TestClient(create_asgi(services), raise_server_exceptions=False)
        clients.append(client)
        return client, services

    return make


def test_three_operators_three_nodes_answers_pass_down_without_suppliers_or_quantities(
    client: TestClient, services: Services, node: Callable[[str], tuple[TestClient, Services]]
) -> None:
    cathode, cathode_services = node("cathode")
    do_import(cathode, cathode_services, cathode_node())
    to_cell_maker = cathode.get(
        f"/api/v1/supplychain/parts/{CAM}/answer",
        params={"partner": "nordzelle"},
        headers=auth(cathode_services, Role.OWNER),
    )
    assert to_cell_maker.status_code == 200, to_cell_maker.text
    for secret in ("NiSO4", "recycled lot", "Li2CO3", "Kansai", "0.25", "kansai-cathode", "7000012050002"):
        assert secret not in to_cell_maker.text
    answer_c = to_cell_maker.json()
    assert answer_c["cfp"]["rawMaterialAcquisitionAndPreProcessing"] == "4"
    assert answer_c["dqr"]["rawMaterialAcquisitionAndPreProcessing"] == {
        "TeR": "2.25",
        "GeR": "2.375",
        "TiR": "2",
    }
    assert (answer_c["tradesCount"], answer_c["completedCount"]) == (0, 0)

    cell, cell_services = node("cell")
    do_import(cell, cell_services, {**cell_node(), "answers": [{"tradeId": TRADE_B_C, **answer_c}]})
    to_pack_maker = cell.get(
        f"/api/v1/supplychain/parts/{CELL}/answer",
        params={"partner": "pack-maker"},
        headers=auth(cell_services, Role.OWNER),
    )
    assert to_pack_maker.status_code == 200, to_pack_maker.text
    for secret in ("CAM purchased", "graphite", "Kansai", "Nordzelle", "kansai-cathode"):
        assert secret not in to_pack_maker.text
    answer_b = to_pack_maker.json()
    assert (answer_b["tradesCount"], answer_b["completedCount"]) == (1, 1)

    do_import(client, services, {**pack_node(with_answer=False), "answers": [{"tradeId": TRADE_A_B, **answer_b}]})
    assert without_id(the_rollup(client, services)) == PACK_ROLLUP


def test_answers_are_default_closed_and_release_only_what_the_acl_grants(
    client: TestClient, services: Services
) -> None:
    doc = pack_node()
    doc["operators"].append({"id": "oem", "name": "OEM AG", "country": "DE", "bpnl": "BPNL00000000OEM1"})
    do_import(client, services, doc)
    owner = auth(services, Role.OWNER)
    closed = client.get(f"/api/v1/supplychain/parts/{PACK}/answer", params={"partner": "oem"}, headers=owner).json()
    assert (closed["cfp"], closed["dqr"], closed["materials"]) == (None, None, None)
    assert (closed["tradesCount"], closed["completedCount"]) == (2, 2)
    do_import(client, services, {"acl": [{"partner": "oem", "traceId": PACK, "released": ["TOTALCFP"]}]})
    open_cfp = client.get(f"/api/v1/supplychain/parts/{PACK}/answer", params={"partner": "oem"}, headers=owner).json()
    assert open_cfp["cfp"]["mainProduction"] == "1750" and open_cfp["dqr"] is None
    assert open_cfp["answerId"] == closed["answerId"]  # same roll-up, same partner: the same answer
    unknown = client.get(f"/api/v1/supplychain/parts/{PACK}/answer", params={"partner": "nobody"}, headers=owner)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["path"] == "query.partner"


def test_a_changed_answer_recomputes_only_the_parts_above_it(client: TestClient, services: Services) -> None:
    spare = tid("spare module")
    doc = pack_node()
    doc["parts"].append(
        {"traceId": spare, "operator": "pack-maker", "partsName": "spare", "declaredUnit": "unit", "terminated": True}
    )
    doc["footprints"].append(
        {
            "traceId": spare,
            "declaredUnit": "unit",
            "stages": {"mainProduction": {"ghgEmission": "7", "dqr": {"TeR": "1", "GeR": "1", "TiR": "1"}}},
        }
    )
    do_import(client, services, doc)
    first_pack, first_spare = the_rollup(client, services), the_rollup(client, services, spare)

    again = do_import(client, services, doc)  # nothing changed: nothing recomputed
    assert again["recomputed"] == [] and set(again["stored"].values()) == {0}

    revised = {**answer_of_b(), "answerId": tid("answer of B, revised"), "revision": True}
    revised["cfp"] = {**revised["cfp"], "rawMaterialAcquisitionAndPreProcessing": "12"}
    report = do_import(client, services, {"answers": [revised]})
    assert [r["traceId"] for r in report["recomputed"]] == [PACK]
    pack, spare_now = the_rollup(client, services), the_rollup(client, services, spare)
    assert spare_now == first_spare  # untouched: same roll-up id
    assert pack["rollupId"] == report["recomputed"][0]["rollupId"] != first_pack["rollupId"]
    assert pack["cfp"]["stages"]["rawMaterialAcquisitionAndPreProcessing"] == "1230"  # 100 · 12 + 20 · 1.5
    assert pack["cfp"]["total"] == "3105"


def test_audit_verifies_and_names_what_was_tampered_with(client: TestClient, services: Services) -> None:
    do_import(client, services, pack_node())
    the_rollup(client, services)
    audit_url = f"/api/v1/supplychain/parts/{PACK}/audit"
    owner = auth(services, Role.OWNER)
    assert client.get(audit_url, headers=owner).json() == {"ok": True, "reasons": []}

    with services.engine.begin() as connection:  # someone edits the database behind the node's back
        connection.execute(
            update(sc_bom_lines)
            .where(sc_bom_lines.c.parent_trace_id == PACK)
            .where(sc_bom_lines.c.amount_required == "100")
            .values(amount_required="90")
        )
    tampered = client.get(audit_url, headers=owner).json()
    assert tampered["ok"] is False
    assert any("commitment" in reason for reason in tampered["reasons"])
    assert any("figures differ" in reason for reason in tampered["reasons"])

    with services.engine.begin() as connection:
        connection.execute(
            update(sc_bom_lines)
            .where(sc_bom_lines.c.parent_trace_id == PACK)
            .where(sc_bom_lines.c.amount_required == "90")
            .values(amount_required="100")
        )
        document = connection.execute(
            select(sc_answers.c.document).where(sc_answers.c.answer_id == ANSWER_B)
        ).scalar_one()
        forged = bytes(document).replace(b'"mainProduction":"16"', b'"mainProduction":"6"')
        assert forged != bytes(document)
        connection.execute(update(sc_answers).where(sc_answers.c.answer_id == ANSWER_B).values(document=forged))
    forged_answer = client.get(audit_url, headers=owner).json()
    assert forged_answer["ok"] is False
    assert any(ANSWER_B in reason for reason in forged_answer["reasons"])


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.OWNER])
def test_rollup_answer_and_audit_are_404_for_everyone_but_the_owner(
    client: TestClient, services: Services, role: Role
) -> None:
    do_import(client, services, pack_node())
    missing = tid("no such part")
    for suffix in ("rollup", "answer?partner=nordzelle", "audit"):
        existing = client.get(f"/api/v1/supplychain/parts/{PACK}/{suffix}", headers=auth(services, role))
        absent = client.get(f"/api/v1/supplychain/parts/{missing}/{suffix}", headers=auth(services, role))
        assert existing.status_code == absent.status_code == 404
        assert existing.json()["detail"].replace(PACK, "X") == absent.json()["detail"].replace(missing, "X")
        assert existing.headers["content-type"] == "application/problem+json"
    refused = client.post(IMPORT, content=body(pack_node()), headers=auth(services, role))
    assert refused.status_code == (401 if role is Role.ANONYMOUS else 403)


def _passport(client: TestClient, services: Services) -> str:
    created = client.post(
        "/api/v1/passports", content=passport_body(sample_passport(1)), headers=auth(services, Role.OWNER)
    )
    assert created.status_code == 201, created.text
    pid: str = created.json()["id"]
    return pid


def test_linking_a_battery_fills_its_passport_in_a_new_version_only_when_inputs_change(
    client: TestClient, services: Services
) -> None:
    pid = _passport(client, services)
    owner = auth(services, Role.OWNER)
    report = do_import(client, services, pack_node(passport_id=pid))
    assert report["passports"] == [{"passportId": pid, "version": 2, "reason": None}]
    rollup = the_rollup(client, services)
    doc = loads_exact(client.get(f"/api/v1/passports/{pid}", headers=owner).content)
    assert isinstance(doc, dict)
    footprint = {e["lifecycle"]: str(e["value"]) for e in doc["sustainability"]["carbonFootprint"]}
    assert footprint == {  # stage total / 36000 kWh, 5 decimals rounded up at the 6th
        "raw material acquisition and pre-processing": "0.02862",  # 1030 / 36000 = 0.028611…
        "main product production": "0.04862",  # 1750 / 36000 = 0.048611…
        "distribution": "0.00278",  # 100 / 36000 = 0.002777…
        "end of life and recycling": "0.00070",  # 25 / 36000 = 0.000694…
    }
    active = doc["materials"]["active"]
    assert (
        str(active["nickel"]["recycled"]),
        str(active["cobalt"]["recycled"]),
        str(active["lithium"]["recycled"]),
    ) == ("50", "100", "0")
    assert str(active["lead"]["recycled"]) == "0"  # no lead in the pack: left as it was
    origin = {
        o["material"]: {c["country"]: str(c["share"]) for c in o["origin"]}
        for o in doc["x-passbridge"]["annexXIII"]["countriesOfOrigin"]
    }
    assert origin == {"cobalt": {"JP": "100"}, "lithium": {"CL": "100"}, "nickel": {"ID": "50", "JP": "50"}}
    computed = doc["x-passbridge"]["computed"]
    assert computed["rollupId"] == rollup["rollupId"]
    assert "materials.active.nickel.recycled" in computed["fields"]

    public = client.get(f"/api/v1/passports/{pid}").json()
    assert public["x-passbridge"]["computed"]["rollupId"] == rollup["rollupId"]  # Annex XIII 1(c),(e): public

    assert do_import(client, services, pack_node(passport_id=pid))["passports"] == []  # nothing changed
    versions = client.get(f"/api/v1/passports/{pid}/versions").json()["versions"]
    assert [v["version"] for v in versions] == [1, 2]

    revised = {**answer_of_b(), "answerId": tid("answer of B, revised"), "revision": True}
    revised["cfp"] = {**revised["cfp"], "mainProduction": "17"}
    report = do_import(client, services, {"answers": [revised]})
    assert report["passports"] == [{"passportId": pid, "version": 3, "reason": None}]
    v3 = client.get(f"/api/v1/passports/{pid}", headers=owner).json()
    main = next(e for e in v3["sustainability"]["carbonFootprint"] if e["lifecycle"] == "main product production")
    assert str(main["value"]) == "0.05139"  # (150 + 100 · 17) / 36000 = 1850 / 36000 = 0.051388…
    with services.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(sc_rollups)).scalar_one() == 2


# --- bad input ---------------------------------------------------------------------------------------------------


def _with(change: Callable[[dict[str, Any]], None]) -> bytes:
    doc = copy.deepcopy(pack_node())
    change(doc)
    return body(doc)


def _line(doc: dict[str, Any], field: str, value: Any) -> None:
    doc["bomLines"][0][field] = value


def _children(doc: dict[str, Any], count: int) -> None:
    for n in range(count):
        child = tid(f"screw {n}")
        doc["parts"].append(
            {
                "traceId": child,
                "operator": "pack-maker",
                "partsName": f"screw {n}",
                "declaredUnit": "unit",
                "terminated": True,
            }
        )
        doc["bomLines"].append(
            {"parentTraceId": PACK, "traceId": child, "amountRequired": "1", "amountRequiredUnit": "unit"}
        )


def _second_answer(doc: dict[str, Any]) -> None:
    doc["answers"].append({**answer_of_b(), "answerId": tid("another answer")})


def _cancelled(doc: dict[str, Any]) -> None:
    doc["trades"][0]["status"] = "CANCEL"


BAD_JSON: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "cycle",
        lambda d: d["bomLines"].append(
            {
                "parentTraceId": d["bomLines"][1]["traceId"],
                "traceId": PACK,
                "amountRequired": "1",
                "amountRequiredUnit": "unit",
            }
        ),
        "$.bomLines[2]",
        "cycle",
    ),
    ("unknown part", lambda d: _line(d, "traceId", tid("ghost")), "$.bomLines[0].traceId", "unknown part"),
    ("negative quantity", lambda d: _line(d, "amountRequired", "-100"), "$.bomLines[0].amountRequired", "non-negative"),
    ("negative number", lambda d: _line(d, "amountRequired", -100), "$.bomLines[0].amountRequired", "negative"),
    ("non-numeric quantity", lambda d: _line(d, "amountRequired", "lots"), "$.bomLines[0].amountRequired", "decimal"),
    (
        "unknown unit",
        lambda d: _line(d, "amountRequiredUnit", "furlong"),
        "$.bomLines[0].amountRequiredUnit",
        "furlong",
    ),
    (
        "mismatched unit",
        lambda d: _line(d, "amountRequiredUnit", "kilogram"),
        "$.bomLines[0].amountRequiredUnit",
        "kilogram",
    ),
    ("51 children (Ouranos)", lambda d: _children(d, 49), "$.bomLines[50]", "at most 50"),
    (
        "share above 1",
        lambda d: d["answers"][0]["materials"]["nickel"]["origin"].update(ID="1.5"),
        "$.answers[0].materials.nickel.origin.ID",
        "[0, 1]",
    ),
    ("answered twice", _second_answer, "$.answers[1]", "cannot answer"),
    ("answer to a cancelled request", _cancelled, "$.answers[0]", "CANCEL"),
    (
        "unknown supplier",
        lambda d: d["trades"][0].update(upstreamOperator="ghost"),
        "$.trades[0].upstreamOperator",
        "unknown operator",
    ),
]


@pytest.mark.parametrize(("case", "change", "path", "words"), BAD_JSON, ids=[c[0] for c in BAD_JSON])
def test_bad_json_is_refused_naming_the_item_and_nothing_is_stored(
    client: TestClient, services: Services, case: str, change: Callable[[dict[str, Any]], None], path: str, words: str
) -> None:
    response = client.post(IMPORT, content=_with(change), headers=auth(services, Role.OWNER))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(e["path"] == path and words in e["message"] for e in errors), errors
    assert client.get(rollup_url(PACK), headers=auth(services, Role.OWNER)).status_code == 404  # nothing stored


BAD_CSV: list[tuple[str, str, str]] = [
    ("negative", f"{PACK},{CELLS},-3,unit", "row 2, column amount_required"),
    ("non-numeric", f"{PACK},{HOUSING},abc,kilogram", "row 2, column amount_required"),
    ("unknown unit", f"{PACK},{HOUSING},3,stone", "row 2, column unit"),
    ("unknown part", f"{PACK},{tid('ghost')},3,unit", "row 2, column child_trace_id"),
    ("not a uuid", f"PACK,{HOUSING},3,kilogram", "row 2, column parent_trace_id"),
]


@pytest.mark.parametrize(("case", "line", "path"), BAD_CSV, ids=[c[0] for c in BAD_CSV])
def test_bad_csv_is_refused_naming_row_and_column(
    client: TestClient, services: Services, case: str, line: str, path: str
) -> None:
    do_import(client, services, pack_node())
    before = the_rollup(client, services)
    csv = f"parent_trace_id,child_trace_id,amount_required,unit\n{line}\n"
    headers = {**auth(services, Role.OWNER), "Content-Type": "text/csv"}
    response = client.post(IMPORT, content=csv.encode(), headers=headers)
    assert response.status_code == 422, response.text
    assert [e["path"] for e in response.json()["errors"]] == [path]
    assert the_rollup(client, services) == before


def test_a_csv_bom_update_recomputes_the_pack(client: TestClient, services: Services) -> None:
    do_import(client, services, pack_node())
    the_rollup(client, services)
    csv = f"parent_trace_id,child_trace_id,amount_required,unit\n{PACK},{HOUSING},20000,gram\n{PACK},{CELLS},96,unit\n"
    headers = {**auth(services, Role.OWNER), "Content-Type": "text/csv"}
    response = client.post(IMPORT, content=csv.encode(), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["stored"]["bomLines"] == 2
    rollup = the_rollup(client, services)
    assert rollup["cfp"]["stages"]["rawMaterialAcquisitionAndPreProcessing"] == "990"  # 96 · 10 + 20 kg · 1.5
    assert rollup["upstream"] == {"tradesCount": 2, "completedCount": 2}
