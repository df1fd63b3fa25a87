"""A company node as an Ouranos participant (issue #6 item 2): real HTTP between in-process nodes.

One `ouranos-platform` node and two company nodes: a Japanese cell maker (tier 1) that buys cathode material CAM-811
from a Japanese cathode maker (tier 2), both on the platform. The cell maker's sync asks through the platform; the
cathode maker's sync answers from its roll-up (per kg of CAM-811: stage 1 = 0.5·4.0 + 0.25·2.0 + 0.1·15.0 = 4, all
from purchased materials; stage 2 = 5, its own; `test_dsp_pcf`'s numbers); the cell maker's sync collects the answer.

The cell (per unit): own main 6, distribution 0.5; graphite 1 kg · 2 (stage 1); CAM 2 kg · (4 | 5). Without the
answer its CFP cannot be rolled up; with it, stage 1 = 2 + 2·4 = 10, stage 2 = 6 + 2·5 = 16, distribution 0.5,
end of life 0 (Ouranos exchanges stages 1 and 2 only): total 26.5, of which 2·9 = 18 from the answer.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from passbridge.cli.app import app as cli
from passbridge.errors import MissingFigures
from passbridge.ouranos_wiring import build_participant
from passbridge.settings import NodeRole
from passbridge.supplychain.footprints import Stage
from passbridge.supplychain.ouranos_participant import OuranosParticipant
from passbridge.supplychain.rollups import FootprintRollup, carbon_footprint
from passbridge.supplychain.services import ImportFormat
from passbridge.supplychain.trades import TradeStatus
from tests.conftest import FixedClock
from tests.network import Network, Node
from tests.supplychain_scenario import (
    CAM,
    CAM_BOUGHT,
    CELL,
    PACK,
    TRADE_B_C,
    A,
    C,
    body,
    cathode_node,
    cell_node,
    pack_node,
)

PASSWORD = "Passw0rd!"
CELL_OPEN_ID = "4010001000007"
CELL_OPERATOR = {"id": "jp-cell", "name": "Nihon Cell K.K.", "country": "JP", "openOperatorId": CELL_OPEN_ID}
CAM_622 = "3f0a4c1e-2b7d-4e59-9a61-0c8d7e6f5a42"
OWNER_ONLY = ("NiSO4", "recycled lot", "Li2CO3", "0.25", "graphite")
"""The cathode maker's materials and a BOM quantity, and the cell maker's other part: never on the platform."""


def _jp_cell_document() -> dict[str, Any]:
    """`cell_node` with a Japanese cell maker on the platform (its plant named by an `openPlantId`)."""
    doc = copy.deepcopy(cell_node())
    doc["operators"] = [CELL_OPERATOR, C]
    doc["sites"] = [
        {"id": "sendai", "operator": "jp-cell", "name": "Sendai plant", "country": "JP", "openPlantId": "SENDAI000001"}
    ]
    for part in doc["parts"]:
        part["operator"], part["site"] = "jp-cell", "sendai"
    doc.pop("acl")
    return doc


def _cathode_document() -> dict[str, Any]:
    """`cathode_node`, its CAM-811 released to the Japanese cell maker (CFP and DQR) instead of Nordzelle."""
    doc = copy.deepcopy(cathode_node())
    doc["operators"] = [C, CELL_OPERATOR]
    doc["sites"] = [
        {"id": "osaka", "operator": "kansai-cathode", "name": "Osaka", "country": "JP", "openPlantId": "OSAKA000123"}
    ]
    for part in doc["parts"]:
        part["site"] = "osaka"
    doc["acl"] = [{"partner": "jp-cell", "traceId": CAM, "released": ["TOTALCFP", "TOTALDQR"]}]
    return doc


class World:
    """The platform, the cell maker and the cathode maker, each company with its supply chain imported."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.platform = network.node("platform", roles=(NodeRole.OURANOS_PLATFORM,))
        accounts = self.platform.services.ouranos.accounts  # type: ignore[union-attr]
        self.keys: dict[str, str] = {}
        for name, open_id in (("cell", CELL_OPEN_ID), ("cathode", C["openOperatorId"])):
            _, self.keys[name] = accounts.add_operator(f"{name} K.K.", open_id, f"{name}@example.jp", PASSWORD)
        self.cell = self.company("cell", _jp_cell_document())
        self.cathode = self.company("cathode", _cathode_document())

    @property
    def ouranos_url(self) -> str:
        return f"{self.platform.url}/ouranos"

    def company(self, name: str, document: dict[str, Any]) -> Node:
        node = self.network.node(
            name,
            ouranos_url=self.ouranos_url,
            ouranos_api_key=self.keys[name],
            ouranos_account=f"{name}@example.jp",
            ouranos_password=PASSWORD,
        )
        node.services.supplychain.import_file(body(document), ImportFormat.JSON)
        return node

    def cfp(self, node: Node, trace_id: str) -> FootprintRollup:
        """The CFP roll-up of a part as the node holds it now."""
        with node.services.uow(write=False) as uow:
            catalog = uow.supplychain.load()
        return carbon_footprint(catalog.graph(), uuid.UUID(trace_id))


def _stages(footprint: FootprintRollup) -> dict[str, Decimal]:
    return {s.stage.value: s.total for s in footprint.stages}


@pytest.fixture
def world(network: Network) -> World:
    return World(network)


@pytest.fixture
def wire(network: Network, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """(request line, request body, response body) of every call that crosses the network."""
    seen: list[tuple[str, str, str]] = []
    original = network.transport.handle_request

    def spy(request: httpx.Request) -> httpx.Response:
        response = original(request)
        seen.append((f"{request.method} {request.url}", request.read().decode(), response.content.decode()))
        return response

    monkeypatch.setattr(network.transport, "handle_request", spy)
    return seen


def test_the_cell_maker_gets_the_cathode_answer_through_the_platform(world: World) -> None:
    with pytest.raises(MissingFigures, match="not answered yet"):
        world.cfp(world.cell, CELL)

    asked = build_participant(world.cell.services).sync()
    assert len(asked.asked) == 1 and "CAM purchased" in asked.asked[0]
    assert asked.waiting and not asked.collected

    answered = build_participant(world.cathode.services).sync()
    assert len(answered.answered) == 1 and "CAM-811" in answered.answered[0]
    assert not answered.left_open and not answered.notes  # the platform knows cfpAcl: the grant went through

    collected = build_participant(world.cell.services).sync()
    assert len(collected.collected) == 1 and not collected.asked and not collected.left_open

    footprint = world.cfp(world.cell, CELL)
    assert _stages(footprint) == {
        Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING.value: Decimal(10),
        Stage.MAIN_PRODUCTION.value: Decimal(16),
        Stage.DISTRIBUTION.value: Decimal("0.5"),
        Stage.END_OF_LIFE_AND_RECYCLING.value: Decimal(0),
    }
    assert footprint.total == Decimal("26.5")
    from_answer = [c.value for s in footprint.stages for c in s.contributions if c.source == _uuid(CAM_BOUGHT)]
    assert sum(from_answer) == Decimal(18)  # 2 kg CAM · 9 kg CO2e/kg; the rest is the cell maker's own data

    with world.cell.services.uow(write=False) as uow:
        trade = uow.supplychain.load().trades[_uuid(TRADE_B_C)].trade
    assert trade.status is TradeStatus.COMPLETED and trade.answer is not None
    assert trade.answer.stage_dqr(Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING) is not None
    raw_dqr = trade.answer.stage_dqr(Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING)
    main_dqr = trade.answer.stage_dqr(Stage.MAIN_PRODUCTION)
    assert raw_dqr is not None and main_dqr is not None
    assert (raw_dqr.ter, raw_dqr.ger, raw_dqr.tir) == (Decimal("2.25"), Decimal("2.375"), Decimal(2))
    assert (main_dqr.ter, main_dqr.ger, main_dqr.tir) == (Decimal(2), Decimal(1), Decimal(1))
    assert (trade.answer.trades_count, trade.answer.completed_count) == (0, 0)
    assert trade.answer.materials is None  # Ouranos carries no material data: withheld, never zero


def test_a_second_sync_changes_nothing(world: World, wire: list[tuple[str, str, str]]) -> None:
    for node in (world.cell, world.cathode, world.cell):
        build_participant(node.services).sync()
    wire.clear()
    for node in (world.cell, world.cathode):
        report = build_participant(node.services).sync()
        assert not report.changed, report
        assert not report.left_open and not report.waiting
    writes = [line for line, _, _ in wire if not line.startswith("GET") and "/auth/" not in line]
    assert writes == []


def test_a_revised_cathode_footprint_reaches_the_cell_roll_up(world: World) -> None:
    for node in (world.cell, world.cathode, world.cell):
        build_participant(node.services).sync()
    before = world.cfp(world.cell, CELL)
    revised = {
        "footprints": [
            {
                "traceId": CAM,
                "declaredUnit": "kilogram",
                "stages": {"mainProduction": {"ghgEmission": "5.5", "dqr": {"TeR": "2", "GeR": "1", "TiR": "1"}}},
            }
        ]
    }
    world.cathode.services.supplychain.import_file(body(revised), ImportFormat.JSON)
    assert build_participant(world.cathode.services).sync().answered
    report = build_participant(world.cell.services).sync()
    assert len(report.collected) == 1
    after = world.cfp(world.cell, CELL)
    assert after.total - before.total == Decimal(1)  # 2 kg CAM · 0.5 kg CO2e/kg more
    assert after.stage(Stage.MAIN_PRODUCTION).total == Decimal(17)
    assert not build_participant(world.cell.services).sync().changed


def test_what_crosses_the_platform_keeps_quantities_and_suppliers_private(
    world: World, wire: list[tuple[str, str, str]]
) -> None:
    for node in (world.cell, world.cathode, world.cell):
        build_participant(node.services).sync()
    cathode_views = [
        answer for line, _, answer in wire if "dataTarget=tradeResponse" in line and line.startswith("GET")
    ]
    assert cathode_views
    for view in cathode_views:
        for item in json.loads(view):
            assert item["partsModel"]["amountRequired"] is None
    for line, sent, _ in wire:
        if "/ouranos/" in line:
            assert not any(secret in sent for secret in OWNER_ONLY), (line, sent)
    cfp_sent = [
        json.loads(sent) for line, sent, _ in wire if line.startswith("PUT") and "dataTarget=cfp&" in line + "&"
    ]
    assert cfp_sent and {r["cfpType"] for r in cfp_sent[0]} == {
        "preProduction",
        "mainProduction",
        "preComponent",
        "mainComponent",
    }
    by_type = {r["cfpType"]: Decimal(str(r["ghgEmission"])) for r in cfp_sent[0]}
    assert by_type == {
        "preProduction": 0,
        "preComponent": 4,
        "mainProduction": 5,
        "mainComponent": 0,
    }


def test_the_access_token_is_refreshed_after_expiry(world: World, wire: list[tuple[str, str, str]]) -> None:
    participant: OuranosParticipant = build_participant(world.cell.services)
    participant.sync()
    logins = [line for line, _, _ in wire if "/auth/login" in line]
    assert len(logins) == 1
    clock = world.network.clock
    assert isinstance(clock, FixedClock)
    clock.current += timedelta(minutes=20)  # the access token (15 min) has expired, the refresh token (24 h) not
    wire.clear()
    participant.sync()
    assert [line for line, _, _ in wire if "/auth/" in line] == [f"POST {world.ouranos_url}/auth/refresh"]
    clock.current += timedelta(hours=25)  # both expired: the refresh is refused, the client logs in again
    wire.clear()
    participant.sync()
    auth = [line.rsplit("/", 1)[-1] for line, _, _ in wire if "/auth/" in line]
    assert auth == ["refresh", "login"]


def test_a_request_from_an_unknown_operator_stays_open(world: World) -> None:
    accounts = world.platform.services.ouranos.accounts  # type: ignore[union-attr]
    _, key = accounts.add_operator("Stranger K.K.", "1234567890123", "x@example.jp", PASSWORD)
    stranger = world.network.node(
        "stranger",
        ouranos_url=world.ouranos_url,
        ouranos_api_key=key,
        ouranos_account="x@example.jp",
        ouranos_password=PASSWORD,
    )
    doc = _jp_cell_document()
    doc["operators"] = [{**CELL_OPERATOR, "openOperatorId": "1234567890123"}, C]
    stranger.services.supplychain.import_file(body(doc), ImportFormat.JSON)
    assert build_participant(stranger.services).sync().asked
    report = build_participant(world.cathode.services).sync()
    assert not report.answered
    assert any("1234567890123 is not in our supply chain" in line for line in report.left_open)


def test_a_request_no_released_part_answers_stays_open(world: World) -> None:
    withdrawn = {"acl": [{"partner": "jp-cell", "traceId": CAM, "released": []}]}
    world.cathode.services.supplychain.import_file(body(withdrawn), ImportFormat.JSON)
    build_participant(world.cell.services).sync()
    report = build_participant(world.cathode.services).sync()
    assert not report.answered
    assert any("no part of ours is released (TOTALCFP) to jp-cell" in line for line in report.left_open)
    assert build_participant(world.cell.services).sync().waiting  # still unanswered on the platform


def _release_a_second_part(world: World) -> None:
    part = {"traceId": CAM_622, "operator": "kansai-cathode", "partsName": "CAM-622", "declaredUnit": "kilogram"}
    own = {"mainProduction": {"ghgEmission": "7", "dqr": {"TeR": "1", "GeR": "1", "TiR": "1"}}}
    other = {
        "parts": [{**part, "terminated": True, "site": "osaka"}],
        "footprints": [{"traceId": CAM_622, "declaredUnit": "kilogram", "stages": own}],
        "acl": [{"partner": "jp-cell", "traceId": CAM_622, "released": ["TOTALCFP"]}],
    }
    world.cathode.services.supplychain.import_file(body(other), ImportFormat.JSON)


def test_several_released_parts_and_no_name_to_choose_leave_the_request_open(world: World) -> None:
    _release_a_second_part(world)
    build_participant(world.cell.services).sync()
    report = build_participant(world.cathode.services).sync()
    assert not report.answered
    assert any("several parts of ours are released (TOTALCFP) to jp-cell" in line for line in report.left_open)


def test_the_request_s_parts_name_chooses_among_released_parts(world: World) -> None:
    _release_a_second_part(world)
    renamed = {"parts": [{"traceId": CAM_BOUGHT, "operator": "jp-cell", "partsName": "CAM-811",
                          "declaredUnit": "kilogram", "site": "sendai"}]}  # fmt: skip
    world.cell.services.supplychain.import_file(body(renamed), ImportFormat.JSON)
    build_participant(world.cell.services).sync()
    report = build_participant(world.cathode.services).sync()
    assert len(report.answered) == 1 and report.answered[0].startswith("CAM-811 ")
    assert build_participant(world.cell.services).sync().collected
    assert world.cfp(world.cell, CELL).total == Decimal("26.5")


def test_three_tiers_answer_up_the_chain_stage_1_and_2_only(world: World) -> None:
    """The pack maker asks the cell maker, which asks the cathode maker: the cell maker answers as soon as its CFP
    rolls up (its material content cannot: Ouranos carries none, so that roll-up stays incomplete)."""
    accounts = world.platform.services.ouranos.accounts  # type: ignore[union-attr]
    _, world.keys["pack"] = accounts.add_operator("Pack K.K.", A["openOperatorId"], "pack@example.jp", PASSWORD)
    pack_doc = pack_node(with_answer=False)
    pack_doc["operators"] = [A, CELL_OPERATOR]
    pack_doc["trades"][0]["upstreamOperator"] = "jp-cell"
    pack_doc["sites"] = [{"id": "nagoya", "operator": "pack-maker", "name": "Nagoya", "country": "JP"}]
    pack_doc["sites"][0]["openPlantId"] = "NAGOYA000042"
    for part in pack_doc["parts"]:
        part["site"] = "nagoya"
    pack = world.company("pack", pack_doc)
    grant = {
        "operators": [A],
        "acl": [{"partner": "pack-maker", "traceId": CELL, "released": ["TOTALCFP", "TOTALDQR"]}],
    }
    world.cell.services.supplychain.import_file(body(grant), ImportFormat.JSON)

    assert build_participant(pack.services).sync().asked
    early = build_participant(world.cell.services).sync()
    assert early.asked and not early.answered
    assert any("CFP missing" in line for line in early.left_open)  # the cell cannot roll up before its supplier
    assert build_participant(world.cathode.services).sync().answered
    late = build_participant(world.cell.services).sync()
    assert late.collected and late.answered and not late.left_open
    assert build_participant(pack.services).sync().collected

    footprint = world.cfp(pack, PACK)
    assert _stages(footprint) == {
        Stage.RAW_MATERIAL_ACQUISITION_AND_PRE_PROCESSING.value: Decimal(1030),  # 100 · 10 + 20 · 1.5
        Stage.MAIN_PRODUCTION.value: Decimal(1750),  # 150 + 100 · 16
        Stage.DISTRIBUTION.value: Decimal(50),  # the cell's 0.5 does not travel through Ouranos
        Stage.END_OF_LIFE_AND_RECYCLING.value: Decimal(25),
    }
    with pack.services.uow(write=False) as uow:
        answer = next(iter(uow.supplychain.load().answers.values())).answer
    assert (answer.trades_count, answer.completed_count) == (1, 1)  # the cell maker's request to the cathode maker
    with pytest.raises(MissingFigures, match="material content"):
        pack.services.supplychain.rollup(_uuid(PACK))


def test_a_supplier_the_platform_does_not_know_is_not_asked(world: World, network: Network) -> None:
    doc = _jp_cell_document()
    doc["operators"] = [CELL_OPERATOR, {**C, "openOperatorId": "9999999999999"}]
    world.cell.services.supplychain.import_file(body(doc), ImportFormat.JSON)
    report = build_participant(world.cell.services).sync()
    assert not report.asked
    assert report.notes == ("supplier kansai-cathode (9999999999999) is not on Ouranos",)


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


# --- the command --------------------------------------------------------------------------------------------


def _cli_node(tmp_path: Path, world: World, api_key: str, password: str) -> Path:
    config = tmp_path / "cell-cli.toml"
    config.write_text(
        f'port = 8190\ndata_dir = "{tmp_path / "cell-cli"}"\nallow_http_loopback = true\n'
        f'ouranos_url = "{world.ouranos_url}"\nouranos_api_key = "{api_key}"\n'
        f'ouranos_account = "cell@example.jp"\nouranos_password = "{password}"\n'
    )
    return config


@pytest.fixture
def routed(network: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command's HTTP client reaches the in-process nodes; its wall clock is the platform's."""
    assert isinstance(network.clock, FixedClock)
    network.clock.current = datetime.now(UTC)
    real_client = httpx.Client
    monkeypatch.setattr(httpx, "Client", lambda **_: real_client(transport=network.transport))
    monkeypatch.delenv("PASSBRIDGE_DATABASE_URL", raising=False)


@pytest.mark.usefixtures("routed")
def test_passbridge_ouranos_sync_asks_and_prints_a_summary(world: World, tmp_path: Path) -> None:
    config = _cli_node(tmp_path, world, world.keys["cell"], PASSWORD)
    document = tmp_path / "cell.json"
    document.write_bytes(body(_jp_cell_document()))
    imported = CliRunner().invoke(cli, ["supplychain", "import", str(document), "--config", str(config)])
    assert imported.exit_code == 0, imported.output
    result = CliRunner().invoke(cli, ["ouranos", "sync", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "1 asked" in result.output and "CAM purchased" in result.output
    again = CliRunner().invoke(cli, ["ouranos", "sync", "--config", str(config)])
    assert again.exit_code == 0 and "0 asked" in again.output and "nothing changed" in again.output


@pytest.mark.usefixtures("routed")
def test_a_wrong_api_key_is_a_clear_error(world: World, tmp_path: Path) -> None:
    config = _cli_node(tmp_path, world, "not-the-key", PASSWORD)
    result = CliRunner().invoke(cli, ["ouranos", "sync", "--config", str(config)])
    assert result.exit_code == 1
    assert "ouranos login" in result.output and "Invalid key" in result.output


@pytest.mark.usefixtures("routed")
def test_a_wrong_password_is_a_clear_error(world: World, tmp_path: Path) -> None:
    config = _cli_node(tmp_path, world, world.keys["cell"], "Wr0ngPass!")
    result = CliRunner().invoke(cli, ["ouranos", "sync", "--config", str(config)])
    assert result.exit_code == 1
    assert "operatorAccountId or accountPassword is wrong" in result.output


def test_missing_ouranos_settings_name_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PASSBRIDGE_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["ouranos", "sync", "--data-dir", str(tmp_path / "bare")])
    assert result.exit_code == 2
    assert "ouranos_url" in result.output and "PASSBRIDGE_OURANOS_URL" in result.output
