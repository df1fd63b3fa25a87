"""`passbridge supplychain …` as a user runs it, in a fresh node directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from passbridge.cli.app import app
from passbridge.settings import load_settings
from passbridge.storage.engine import make_engine
from passbridge.storage.tables import sc_bom_lines
from tests.supplychain_scenario import CELLS, HOUSING, PACK, PACK_ROLLUP, body, pack_node

runner = CliRunner()


@pytest.fixture
def node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PASSBRIDGE_DATABASE_URL", raising=False)
    return tmp_path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_import_rollup_and_audit(node: Path) -> None:
    source = _write(node / "pack.json", body(pack_node()))
    imported = runner.invoke(app, ["supplychain", "import", str(source)])
    assert imported.exit_code == 0, imported.output
    assert "imported pack.json: operators 2, parts 3" in imported.stderr
    rolled = runner.invoke(app, ["supplychain", "rollup", PACK])
    assert rolled.exit_code == 0, rolled.output
    printed = json.loads(rolled.stdout)
    assert len(printed.pop("commitment")) == 64
    assert printed == PACK_ROLLUP
    audited = runner.invoke(app, ["supplychain", "audit", PACK])
    assert audited.exit_code == 0 and audited.stdout.startswith("ok")


def test_audit_fails_after_tampering(node: Path) -> None:
    runner.invoke(app, ["supplychain", "import", str(_write(node / "pack.json", body(pack_node())))])
    assert runner.invoke(app, ["supplychain", "rollup", PACK]).exit_code == 0
    engine = make_engine(load_settings(data_dir=node).effective_database_url)
    with engine.begin() as connection:
        connection.execute(
            update(sc_bom_lines).where(sc_bom_lines.c.child_trace_id == HOUSING).values(amount_required="19")
        )
    engine.dispose()
    audited = runner.invoke(app, ["supplychain", "audit", PACK])
    assert audited.exit_code == 1
    assert "FAILED" in audited.stdout and "commitment" in audited.stdout


def test_a_csv_bom_imports_and_the_rollup_follows(node: Path) -> None:
    runner.invoke(app, ["supplychain", "import", str(_write(node / "pack.json", body(pack_node())))])
    csv = f"parent_trace_id,child_trace_id,amount_required,unit\n{PACK},{CELLS},96,unit\n"
    imported = runner.invoke(app, ["supplychain", "import", str(_write(node / "bom.csv", csv.encode()))])
    assert imported.exit_code == 0, imported.output
    rolled = json.loads(runner.invoke(app, ["supplychain", "rollup", PACK]).stdout)
    assert rolled["cfp"]["stages"]["rawMaterialAcquisitionAndPreProcessing"] == "990"


def test_bad_csv_exits_2_naming_file_row_and_column_and_stores_nothing(node: Path) -> None:
    runner.invoke(app, ["supplychain", "import", str(_write(node / "pack.json", body(pack_node())))])
    csv = (
        "parent_trace_id,child_trace_id,amount_required,unit\n"
        f"{PACK},{CELLS},90,unit\n"
        f"{PACK},{HOUSING},-2,kilogram\n"
        f"{PACK},{HOUSING},2,stone\n"
    )
    result = runner.invoke(app, ["supplychain", "import", str(_write(node / "bom.csv", csv.encode()))])
    assert result.exit_code == 2
    assert "bom.csv: row 3, column amount_required: must not be negative" in result.stderr
    assert "bom.csv: row 4, column unit: unknown unit 'stone'" in result.stderr
    assert "nothing was imported from bom.csv" in result.stderr
    rolled = json.loads(runner.invoke(app, ["supplychain", "rollup", PACK]).stdout)
    assert rolled["cfp"]["stages"]["rawMaterialAcquisitionAndPreProcessing"] == "1030"  # row 2 was not applied


def test_bad_json_exits_2_naming_the_json_path(node: Path) -> None:
    doc = pack_node()
    doc["bomLines"][1]["amountRequired"] = "twenty"
    result = runner.invoke(app, ["supplychain", "import", str(_write(node / "pack.json", body(doc)))])
    assert result.exit_code == 2
    assert "pack.json: $.bomLines[1].amountRequired: must be a non-negative decimal" in result.stderr
    missing = runner.invoke(app, ["supplychain", "rollup", PACK])
    assert missing.exit_code == 1 and "is not in the supply graph" in missing.stderr


def test_rollup_of_a_part_still_waiting_for_its_supplier_names_the_trade(node: Path) -> None:
    runner.invoke(app, ["supplychain", "import", str(_write(node / "pack.json", body(pack_node(with_answer=False))))])
    result = runner.invoke(app, ["supplychain", "rollup", PACK])
    assert result.exit_code == 1
    assert "not answered yet" in result.stderr


def test_schema_prints_the_served_schema(node: Path) -> None:
    result = runner.invoke(app, ["supplychain", "schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["$id"] == "urn:passbridge:supplychain:import:1"
