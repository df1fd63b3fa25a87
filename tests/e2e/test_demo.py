"""`passbridge demo --no-serve` as a user runs it: seven nodes on loopback, the story end to end, exit 0.

Checked from what it printed, from its ``outcome.json`` and from the nodes' own databases afterwards: the
recognition both ways, the fields each reader saw, the passports filled from the roll-up, `waste` recorded by the
OEM, the recycled content of the second-generation cell (50.000 % cobalt, 35.714 % lithium, worked out by hand in
`passbridge.demo.scenario`), and the revoked operator's refusal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from passbridge.bootstrap import Services, bootstrap
from passbridge.cli.app import app
from passbridge.demo.scenario import EXPECTED_G2_RECYCLED_PERCENT
from passbridge.demo.story import MARKER
from passbridge.passport.model import PassportId
from passbridge.settings import Settings

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    workdir = tmp_path_factory.mktemp("demo")
    result = runner.invoke(app, ["demo", "--no-serve", "--workdir", str(workdir)])
    assert result.exit_code == 0, result.output
    return workdir, result.stdout


@pytest.fixture(scope="module")
def outcome(demo: tuple[Path, str]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((demo[0] / "outcome.json").read_text(encoding="utf-8"))
    return loaded


def _content(services: Services, passport_id: str) -> Any:
    """The current content of a passport on a node, untyped (the test reads a few members)."""
    return services.passports.current(PassportId(passport_id)).content()


@contextmanager
def _node(workdir: Path, name: str) -> Iterator[Services]:
    services = bootstrap(Settings(data_dir=workdir / "nodes" / name, auto_migrate=False))
    try:
        yield services
    finally:
        services.close()


def test_the_demo_tells_every_chapter_and_stays_under_a_minute(demo: tuple[Path, str], outcome: dict[str, Any]) -> None:
    _, out = demo
    for chapter in ("certifies its members", "Mutual recognition", "QR codes", "roll-ups", "Who sees what",
                    "End of life", "Second life", "revocation"):  # fmt: skip
        assert chapter in out, chapter
    assert outcome["elapsedSeconds"] < 60
    assert "the whole story took" in out and "within the 60 s target" in out


def test_each_side_recognises_the_other(outcome: dict[str, Any]) -> None:
    assert outcome["credentials"] == {"ouranos": 2, "catena-x": 4}
    recognition = outcome["recognition"]
    assert recognition["before"] == "refused"
    assert recognition["jp→eu"] == "OuranosOperatorCredential as MembershipCredential (recognition:ouranos)"
    assert recognition["eu→jp"] == "MembershipCredential as MembershipCredential (recognition:catena-x)"


def test_each_reader_sees_what_its_access_level_allows(demo: tuple[Path, str], outcome: dict[str, Any]) -> None:
    seen = outcome["fieldsVisible"]
    assert seen["public"] < seen["legitimate_interest"] and seen["public"] < seen["notified_body"]
    assert seen["legitimate_interest"] != seen["notified_body"]  # Annex XIII points 2+4 against 2+3
    workdir, out = demo
    for n, passport_id in enumerate(outcome["passports"], start=1):
        assert f"/p/{passport_id}" in out
        assert (workdir / f"qr-evb77-{n}.svg").read_bytes().startswith(b"<")


def test_the_roll_up_fills_the_oem_passports(demo: tuple[Path, str], outcome: dict[str, Any]) -> None:
    rollup = outcome["rollup"]
    # 104 cells x 1.2 kg CAM: cobalt 0.25 kg CoSO4 x 0.2 = 0.05 kg/kg CAM; lithium 0.5 x 0.18 = 0.09 kg/kg CAM
    assert rollup["materials"]["cobalt"] == "6.24" and rollup["materials"]["lithium"] == "11.232"
    assert rollup["passportsFilled"] == 2
    with _node(demo[0], "eu-oem") as services:
        first = _content(services, outcome["passports"][0])
        footprints = first["sustainability"]["carbonFootprint"]
        assert any(f["value"] > 0 and f["unit"] == "kg CO2e / kWh" for f in footprints)
        assert first["x-passbridge"]["computed"]["fields"]


def test_end_of_life_is_recorded_by_the_oem(demo: tuple[Path, str], outcome: dict[str, Any]) -> None:
    end = outcome["endOfLife"]
    assert end["status"] == "waste" and end["recordedBy"] == "eu-oem"
    with _node(demo[0], "eu-oem") as services:
        assert services.passports.head(PassportId(end["passport"])).status.value == "waste"


def test_the_second_generation_cell_shows_the_recycled_content(demo: tuple[Path, str], outcome: dict[str, Any]) -> None:
    second = outcome["secondLife"]
    assert second["recycledPercent"] == {"cobalt": "50.000", "lithium": "35.714"}
    assert second["lotPcfKgCo2ePerKg"] == "1.5"  # 0.4 + 1.1 kg CO2e per kg, offered from the recycler's PCF settings
    with _node(demo[0], "jp-cell-maker") as services:
        active = _content(services, second["passport"])["materials"]["active"]
        for element, percent in EXPECTED_G2_RECYCLED_PERCENT.items():
            assert Decimal(str(active[element]["recycled"])) == percent


def test_a_revoked_operator_is_refused_across_the_data_spaces(demo: tuple[Path, str], outcome: dict[str, Any]) -> None:
    assert outcome["revocation"] == {"status": 401, "refusal": "revoked", "othersStillAccepted": True}
    assert "refusal 'revoked'" in demo[1]


def test_cfp_requests_cross_the_link_in_both_directions(demo: tuple[Path, str], outcome: dict[str, Any]) -> None:
    link = outcome["link"]
    to_ouranos = link["catenaxToOuranos"]
    assert ":link:" in to_ouranos["presence"] and to_ouranos["matchesRollup"] is True
    # per cell: stage 1 = 1.2 kg CAM x 10.8 + 0.6 kg graphite x 2.0 = 14.16; stage 2 = 1.2 kg CAM x 5.0 + 6.0 own = 12
    assert (Decimal(to_ouranos["stage1"]), Decimal(to_ouranos["stage2"])) == (Decimal("14.16"), Decimal(12))
    back = link["ouranosToCatenax"]
    assert (Decimal(back["pre"]), Decimal(back["main"])) == (Decimal("0.4"), Decimal("1.1"))  # the recycler's figures
    assert back["afterRevocation"] == "rejected"
    _, out = demo
    assert "arrives as Ouranos trade request" in out and "passbridge ouranos sync" in out
    assert "the trade request is rejected" in out and "revoked" in out


def test_the_demo_runs_again_in_the_same_workdir(demo: tuple[Path, str]) -> None:
    workdir, _ = demo
    assert (workdir / "nodes" / MARKER).exists()
    again = runner.invoke(app, ["demo", "--no-serve", "--workdir", str(workdir)])
    assert again.exit_code == 0, again.output


def test_a_workdir_holding_something_else_is_refused(tmp_path: Path) -> None:
    (tmp_path / "nodes").mkdir()
    (tmp_path / "nodes" / "precious.txt").write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["demo", "--no-serve", "--workdir", str(tmp_path)])
    assert result.exit_code != 0
    assert "not a passbridge demo directory" in result.output
    assert (tmp_path / "nodes" / "precious.txt").read_text(encoding="utf-8") == "keep me"
