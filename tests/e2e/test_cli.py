"""The `passbridge` command as a user runs it, in a fresh node directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from passbridge.cli.app import app
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.passport.samples import sample_passport, sample_passport_id
from passbridge.settings import load_settings

runner = CliRunner()


@pytest.fixture
def node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PASSBRIDGE_DATABASE_URL", raising=False)
    return tmp_path


def _jsonl(path: Path, docs: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(docs) + b"\n")
    return path


def test_token_prints_a_jwt_the_node_accepts(node: Path) -> None:
    result = runner.invoke(app, ["token", "--role", "notified_body", "--subject", "TÜV"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.count(".") == 2
    from passbridge.bootstrap import bootstrap

    services = bootstrap(load_settings(data_dir=node))
    try:
        caller = services.tokens.verify(token, services.clock.now())
    finally:
        services.close()
    assert caller.role.value == "notified_body" and caller.subject == "TÜV"
    assert (node / "keys" / "node-token.pem").stat().st_mode & 0o777 == 0o600


def test_token_for_an_unknown_role_fails_with_a_message(node: Path) -> None:
    result = runner.invoke(app, ["token", "--role", "pirate"])
    assert result.exit_code == 2
    assert "unknown role 'pirate'" in result.stderr


def test_import_reports_bad_lines_and_stores_the_good_ones(node: Path) -> None:
    bad = sample_passport(3)
    bad["operation"]["intoServiceDate"] = "7172-75-08"
    source = _jsonl(
        node / "batch.jsonl",
        [dumps_exact(sample_passport(1)), b"{not json", dumps_exact(bad), dumps_exact(sample_passport(2))],
    )
    result = runner.invoke(app, ["passport", "import", str(source)])
    assert result.exit_code == 1
    assert "stored 2" in result.stderr and "failed 2" in result.stderr
    assert " s, " in result.stderr and "passports/s" in result.stderr  # how long it took, how fast
    assert "line 3: $.operation.intoServiceDate" in result.stderr
    assert "line 2: $: malformed JSON" in result.stderr
    again = runner.invoke(app, ["passport", "import", str(source)])
    assert "stored 0" in again.stderr and "resumed after line 4" in again.stderr


def test_import_resumes_after_a_crash_without_duplicates(node: Path) -> None:
    from passbridge.bootstrap import bootstrap
    from passbridge.passport.bulk import BulkImporter

    docs = [dumps_exact(sample_passport(n)) for n in range(1, 8)]
    source = _jsonl(node / "all.jsonl", docs)
    services = bootstrap(load_settings(data_dir=node))
    key = f"jsonl:{source.resolve()}"

    def crashing() -> object:
        for number, line in enumerate(docs, start=1):
            if number == 6:
                raise KeyboardInterrupt  # the process dies in the middle of the second batch
            yield line

    importer = BulkImporter(services.uow, services.clock, batch_size=2)
    with pytest.raises(KeyboardInterrupt):
        importer.run(key, crashing())  # type: ignore[arg-type]
    assert importer.resume_point(key) == 4
    services.close()
    result = runner.invoke(app, ["passport", "import", str(source)])
    assert result.exit_code == 0, result.stderr
    assert "stored 3" in result.stderr and "resumed after line 4" in result.stderr
    listing = runner.invoke(app, ["passport", "export", sample_passport_id(7)])
    assert listing.exit_code == 0


def test_import_of_a_directory_and_a_single_file(node: Path) -> None:
    folder = node / "passports"
    folder.mkdir()
    for n in (1, 2):
        (folder / f"p{n}.json").write_text(json.dumps(json.loads(dumps_exact(sample_passport(n))), indent=2))
    assert runner.invoke(app, ["passport", "import", str(folder)]).exit_code == 0
    single = node / "one.json"
    single.write_bytes(dumps_exact(sample_passport(3)))
    result = runner.invoke(app, ["passport", "import", str(single)])
    assert result.exit_code == 0 and "stored 1" in result.stderr


def test_export_as_roles_and_formats_and_show(node: Path) -> None:
    source = _jsonl(node / "one.jsonl", [dumps_exact(sample_passport(1, with_owner_data=True))])
    runner.invoke(app, ["passport", "import", str(source)])
    pid = sample_passport_id(1)
    owner = loads_exact(runner.invoke(app, ["passport", "export", pid]).stdout_bytes)
    public = loads_exact(runner.invoke(app, ["passport", "export", pid, "--role", "anonymous"]).stdout_bytes)
    assert isinstance(owner, dict) and isinstance(public, dict)
    assert "owner" in owner["x-passbridge"] and "owner" not in public["x-passbridge"]
    out = node / "aas.json"
    assert runner.invoke(app, ["passport", "export", pid, "--format", "aas", "-o", str(out)]).exit_code == 0
    assert "submodels" in json.loads(out.read_text())
    bad = runner.invoke(app, ["passport", "export", pid, "--format", "xml"])
    assert bad.exit_code == 2 and "unsupported format 'xml'" in bad.stderr
    missing = runner.invoke(app, ["passport", "export", sample_passport_id(9)])
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
    shown = runner.invoke(app, ["passport", "show", pid, "--role", "recycler"])
    assert shown.exit_code == 0 and "LAPBDEMO1EVB77000000001" in shown.stdout


def test_wrong_settings_fail_naming_the_key(node: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSBRIDGE_PORT", "not-a-port")
    result = runner.invoke(app, ["token", "--role", "owner"])
    assert result.exit_code == 2 and "port" in result.stderr
    monkeypatch.delenv("PASSBRIDGE_PORT")
    result = runner.invoke(app, ["token", "--role", "owner", "--database-url", "mysql://x"])
    assert result.exit_code == 2 and "PASSBRIDGE_DATABASE_URL" in result.stderr


def test_docs_access_levels_renders_the_table(node: Path) -> None:
    result = runner.invoke(app, ["docs", "access-levels"])
    assert result.exit_code == 0 and "| `conformity.resultOfTestReport.content` | authority | 3 |" in result.stdout
