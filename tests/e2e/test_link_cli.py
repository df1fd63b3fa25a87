"""`passbridge link …` against a served platform (a real `passbridge serve` subprocess): an operator consents, its
presence gets the Ouranos operator credential over DCP from the served platform, its DID resolves under
``/link/<operatorId>``; a Catena-X participant is presented as an operator; bad input exits non-zero."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from typer.testing import CliRunner

from passbridge.cli.app import app
from tests.served import free_port, served_node

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_consent_and_participants_through_the_cli(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "platform.toml"
    config.write_text(
        f'port = {port}\nroles = ["ouranos-platform", "authority"]\ndata_space = "ouranos"\n'
        "allow_http_loopback = true\nidentity_cache_seconds = 0\n"
    )
    common = ("--config", str(config), "--data-dir", str(tmp_path))
    code, out = _run(
        "ouranos", "operator-add", "--name", "Kansai Cathode K.K.", "--open-operator-id", "5120001000001",
        "--account", "ops@kansai-cathode.example", "--password", "Passw0rd!", *common,
    )  # fmt: skip
    assert code == 0, out
    operator_id = json.loads(out)["operatorId"]
    with served_node(tmp_path, "/.well-known/did.json", args=("--config", str(config)), port=port) as url:
        code, out = _run("link", "consent", operator_id, "--bpnl", "BPNL00000000KCJP", *common)
        assert code == 0, out
        did = json.loads(out)["did"]
        assert did.endswith(f":link:{operator_id}")
        document = httpx.get(f"{url}/link/{operator_id}/did.json")
        assert document.status_code == 200 and document.json()["id"] == did

        code, out = _run("link", "consent", operator_id, "--bpnl", "not-a-bpnl", *common)
        assert code == 2 and "bpnl" in out
        code, out = _run(
            "link", "participant-add", "did:web:oem.example", "--bpnl", "BPNL00000000EOEM", "--name", "EU OEM", *common
        )
        assert code == 0, out
        participant = json.loads(out)
        assert participant["globalOperatorId"] == "BPNL00000000EOEM"
        code, out = _run(
            "link",
            "ask",
            "did:web:oem.example",
            "--to",
            operator_id,
            "--part",
            "JP-CAM-9",
            "--unit",
            "furlong",
            *common,
        )
        assert code == 2 and "amountRequiredUnit" in out
        code, out = _run("link", "ask", "did:web:oem.example", "--to", operator_id, "--part", "JP-CAM-9", *common)
        assert code == 0, out
        assert json.loads(out)["tradeId"]
        code, out = _run("link", "list", *common)
        assert code == 0, out
        listed = json.loads(out)
        assert [c["operatorId"] for c in listed["consents"]] == [operator_id]
        assert [p["operatorId"] for p in listed["participants"]] == [participant["operatorId"]]
        code, out = _run("link", "withdraw", operator_id, *common)
        assert code == 0, out
        assert httpx.get(f"{url}/link/{operator_id}/did.json").status_code == 404


def test_link_commands_need_a_platform_node(tmp_path: Path) -> None:
    code, out = _run("link", "list", "--data-dir", str(tmp_path))
    assert code == 2 and "ouranos-platform" in out
