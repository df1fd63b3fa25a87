"""`passbridge verify` on a credential (vc+jwt): the signature against the issuer's DID document."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from passbridge.cli.app import app
from passbridge.identity.did import build_document
from tests.unit.identity.conftest import World


def test_a_credential_verifies_against_its_issuers_did_document_and_a_changed_byte_fails(
    ed_world: World, tmp_path: Path
) -> None:
    issuer = ed_world.issuer
    (tmp_path / "did.json").write_text(json.dumps(build_document(issuer.did, [issuer.key]).to_json()))
    token = ed_world.credential(valid_until=None)
    (tmp_path / "vc.jwt").write_text(token + "\n")
    runner = CliRunner()
    args = ["verify", str(tmp_path / "vc.jwt"), "--did-document", str(tmp_path / "did.json"), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["issuer"] == issuer.did and report["kind"] == "credential (vc+jwt)"
    middle = len(token) // 2
    (tmp_path / "vc.jwt").write_text(token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :])
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and json.loads(refused.stdout)["valid"] is False
