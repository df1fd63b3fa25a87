"""`passbridge identity|authority|credentials` on a node directory, as a user runs them (no servers needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from passbridge.cli.app import app
from passbridge.identity.credentials import read_credential
from passbridge.identity.did import DidDocument

runner = CliRunner()
CONFIG = 'port = 8101\nroles = ["authority"]\ndata_space = "catena-x"\nallow_http_loopback = true\n'
MEMBER = "did:web:127.0.0.1%3A8201"


@pytest.fixture
def authority(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PASSBRIDGE_DATABASE_URL", raising=False)
    config = tmp_path / "cx.toml"
    config.write_text(CONFIG)
    return config


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_an_authority_certifies_issues_lists_and_revokes(authority: Path) -> None:
    code, out = run(
        "authority",
        "member-add",
        "--config",
        str(authority),
        "--holder",
        "http://127.0.0.1:8201",
        "--type",
        "MembershipCredential",
        "--claim",
        "holderIdentifier=BPNL000000000001",
        "--claim",
        "memberOf=Catena-X",
    )
    assert code == 0, out
    assert MEMBER in out
    code, token = run(
        "authority", "issue", "--config", str(authority), "--holder", MEMBER, "--type", "MembershipCredential"
    )
    assert code == 0, token
    credential = read_credential(token.strip())
    assert credential.issuer == "did:web:127.0.0.1%3A8101" and credential.subject["id"] == MEMBER
    assert credential.status is not None and credential.status.index == 0
    code, out = run("authority", "list", "--config", str(authority))
    listing = json.loads(out)
    assert [m["holder"] for m in listing["members"]] == [MEMBER]
    assert listing["issued"][0]["id"] == credential.id and listing["issued"][0]["revokedAt"] is None
    code, out = run("authority", "revoke", "--config", str(authority), credential.id)
    assert code == 0 and "revoked" in out
    code, out = run("authority", "list", "--config", str(authority))
    assert json.loads(out)["issued"][0]["revokedAt"] is not None


def test_bad_authority_input_names_the_field_and_exits_2(authority: Path) -> None:
    code, out = run(
        "authority", "member-add", "--config", str(authority), "--holder", MEMBER, "--type", "OuranosOperatorCredential"
    )
    assert code == 2 and "credentialType" in out  # a Catena-X authority does not issue Ouranos credentials
    code, out = run(
        "authority", "member-add", "--config", str(authority), "--holder", MEMBER, "--type", "MembershipCredential"
    )
    assert code == 2 and "holderIdentifier" in out  # required subject claims
    code, out = run(
        "authority",
        "member-add",
        "--config",
        str(authority),
        "--holder",
        MEMBER,
        "--type",
        "MembershipCredential",
        "--claim",
        "no-equals-sign",
    )
    assert code == 2 and "--claim" in out
    code, out = run(
        "authority",
        "recognise",
        "--config",
        str(authority),
        "--issuer",
        "did:web:ouranos.example",
        "--data-space",
        "ouranos",
        "--map",
        "nonsense",
        "--scope",
        "dataspace",
    )
    assert code == 2 and "--map" in out
    code, out = run(
        "authority",
        "recognise",
        "--config",
        str(authority),
        "--issuer",
        "did:web:ouranos.example",
        "--data-space",
        "ouranos",
        "--map",
        "A=B",
        "--scope",
        "everything",
    )
    assert code == 2 and "--scope" in out
    code, out = run("authority", "revoke", "--config", str(authority), "urn:uuid:nope")
    assert code == 1 and "urn:uuid:nope" in out
    code, out = run("authority", "withdraw", "--config", str(authority), "--issuer", "did:web:ouranos.example")
    assert code == 1 and "not recognised" in out


def test_recognition_and_withdrawal_make_new_trust_list_versions(authority: Path) -> None:
    code, out = run("authority", "trust-list", "--config", str(authority))
    assert json.loads(out)["version"] == 1
    code, out = run(
        "authority",
        "recognise",
        "--config",
        str(authority),
        "--issuer",
        "did:web:ouranos.example",
        "--data-space",
        "ouranos",
        "--map",
        "OuranosOperatorCredential[certificationStatus=certified]=MembershipCredential",
        "--scope",
        "dataspace",
    )
    assert code == 0, out
    trust = json.loads(run("authority", "trust-list", "--config", str(authority))[1])
    assert trust["version"] == 2
    (recognition,) = trust["recognitions"]
    assert recognition["issuer"] == "did:web:ouranos.example"
    assert recognition["mappings"][0]["conditions"] == {"certificationStatus": "certified"}
    code, out = run("authority", "withdraw", "--config", str(authority), "--issuer", "did:web:ouranos.example")
    assert code == 0, out
    trust = json.loads(run("authority", "trust-list", "--config", str(authority))[1])
    assert trust["version"] == 3 and trust["recognitions"] == []


def test_key_rotation_keeps_the_old_key_published(authority: Path) -> None:
    before = DidDocument.from_json(json.loads(run("identity", "did", "--config", str(authority))[1]))
    code, out = run("identity", "rotate-key", "--config", str(authority), "--algorithm", "ES256")
    assert code == 0, out
    after = DidDocument.from_json(json.loads(run("identity", "did", "--config", str(authority))[1]))
    assert len(after.methods) == 2
    assert after.methods[1].id == before.methods[0].id  # the old key, still an assertion key
    assert after.methods[0].jwk["kty"] == "EC" and after.methods[0].jwk["crv"] == "P-256"
    assert after.key(after.methods[1].id, "assertionMethod") == before.methods[0].jwk
    code, out = run("identity", "rotate-key", "--config", str(authority), "--algorithm", "RS256")
    assert code == 2 and "--algorithm" in out
