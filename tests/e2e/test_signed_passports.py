"""Signed passports end to end: ``?format=sd-jwt`` per role on both databases, `passbridge verify`, bulk import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from passbridge.bootstrap import Services, renderers
from passbridge.cli.app import app
from passbridge.errors import VerificationFailed
from passbridge.identity.did import StaticDidResolver
from passbridge.identity.passport_signing import verify_passport
from passbridge.jsoncodec import dumps_exact, loads_exact
from passbridge.passport.access import Role
from passbridge.passport.samples import sample_passport, sample_passport_id
from passbridge.passport.services import PassportService
from tests.conftest import auth, official_example

runner = CliRunner()
SD_JWT = "application/sd-jwt"


def resolver_of(services: Services) -> StaticDidResolver:
    return StaticDidResolver([services.identity.document()])


def catenax_view(client: TestClient, services: Services, pid: str, role: Role) -> Any:
    """The role's catenax-6.1.0 view; for the owner without owner-only data, which is never signed."""
    view = loads_exact(client.get(f"/api/v1/passports/{pid}", headers=auth(services, role)).content)
    assert isinstance(view, dict)
    extension = view.get("x-passbridge", {})
    if role is Role.OWNER and extension.pop("owner", None) is not None and not extension:
        del view["x-passbridge"]
    return view


@pytest.mark.parametrize(
    "doc", [sample_passport(1, with_owner_data=True), official_example()], ids=["sample", "official"]
)
def test_each_role_receives_the_disclosures_of_its_level_and_no_others(
    client: TestClient, services: Services, doc: dict[str, Any]
) -> None:
    owner = auth(services, Role.OWNER)
    pid = client.post("/api/v1/passports", content=dumps_exact(doc), headers=owner).json()["id"]
    counts = {}
    for role in Role:
        response = client.get(f"/api/v1/passports/{pid}?format=sd-jwt", headers=auth(services, role))
        assert response.status_code == 200 and response.headers["content-type"] == SD_JWT
        assert response.headers["x-passport-version"] == "1"
        verified = verify_passport(response.text, resolver_of(services))
        assert verified.content == catenax_view(client, services, pid, role), role
        assert (verified.passport_id, verified.version, verified.issuer) == (
            f"urn:uuid:{pid}",
            1,
            services.identity.did,
        )
        counts[role] = len(verified.disclosed)
    assert counts[Role.ANONYMOUS] == 0 < counts[Role.NOTIFIED_BODY] < counts[Role.LEGITIMATE_INTEREST]
    assert counts[Role.LEGITIMATE_INTEREST] < counts[Role.COMMISSION] == counts[Role.OWNER]


def test_every_version_is_signed_once_and_old_versions_keep_their_signature(
    client: TestClient, services: Services
) -> None:
    owner = auth(services, Role.OWNER)
    doc = sample_passport(1)
    pid = client.post("/api/v1/passports", content=dumps_exact(doc), headers=owner).json()["id"]
    first = client.get(f"/api/v1/passports/{pid}?format=sd-jwt", headers=owner).text
    doc["operation"]["intoServiceDate"] = "2026-12-01"
    assert client.put(f"/api/v1/passports/{pid}", content=dumps_exact(doc), headers=owner).status_code == 200
    second = verify_passport(
        client.get(f"/api/v1/passports/{pid}?format=sd-jwt", headers=owner).text, resolver_of(services)
    )
    operation: Any = second.content["operation"]
    assert second.version == 2 and operation["intoServiceDate"] == "2026-12-01"
    again = client.get(f"/api/v1/passports/{pid}?format=sd-jwt&version=1", headers=owner).text
    assert again == first  # stored at write time, never re-signed
    assert verify_passport(again, resolver_of(services)).version == 1


def test_a_version_stored_before_signing_has_no_signed_form(
    sqlite_client: TestClient, sqlite_services: Services
) -> None:
    unsigned = PassportService(sqlite_services.uow, sqlite_services.clock, renderers())
    version = unsigned.create(dumps_exact(sample_passport(5)))
    response = sqlite_client.get(f"/api/v1/passports/{version.passport_id}?format=sd-jwt")
    assert response.status_code == 404
    assert "is not signed yet" in response.json()["detail"]
    assert sqlite_client.get(f"/api/v1/passports/{version.passport_id}").status_code == 200
    missing = sqlite_client.get(f"/api/v1/passports/{version.passport_id}?format=sd-jwt&version=7")
    assert missing.status_code == 404 and "does not exist" in missing.json()["detail"]


def _parts(compact: str) -> dict[str, list[int]]:
    """The positions of the header, payload, signature, each disclosure and the separators in `compact`."""
    jwt, *disclosures = compact.split("~")
    header, payload, _ = jwt.split(".")
    spans = {
        "header": list(range(len(header))),
        "payload": list(range(len(header) + 1, len(header) + 1 + len(payload))),
        "signature": list(range(len(header) + len(payload) + 2, len(jwt))),
        "separators": [i for i, c in enumerate(compact) if c in ".~"],
    }
    start = len(jwt) + 1
    for number, item in enumerate(disclosures[:-1], start=1):
        spans[f"disclosure {number}"] = list(range(start, start + len(item)))
        start += len(item) + 1
    return spans


def _flip(text: str, position: int) -> str:
    changed = chr(ord(text[position]) ^ 1) if text[position] not in "-_" else "A"
    return text[:position] + changed + text[position + 1 :]


def test_a_changed_byte_anywhere_is_refused(sqlite_client: TestClient, sqlite_services: Services) -> None:
    owner = auth(sqlite_services, Role.OWNER)
    pid = sqlite_client.post("/api/v1/passports", content=dumps_exact(sample_passport(1)), headers=owner).json()["id"]
    compact = sqlite_client.get(f"/api/v1/passports/{pid}?format=sd-jwt", headers=owner).text
    resolver = resolver_of(sqlite_services)
    spans = _parts(compact)
    assert len(spans) > 10  # header, payload, signature, separators and every disclosure
    positions = {p for span in spans.values() for p in (span[0], span[len(span) // 2], span[-1])}
    positions |= set(range(len(compact) - 120, len(compact)))  # the whole last disclosure and final '~'
    for position in sorted(positions):
        with pytest.raises(VerificationFailed):
            verify_passport(_flip(compact, position), resolver)


@pytest.fixture
def node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PASSBRIDGE_DATABASE_URL", raising=False)
    return tmp_path


def test_passbridge_verify_checks_a_bulk_imported_passport_against_the_did_document(node: Path) -> None:
    source = node / "two.jsonl"
    source.write_bytes(dumps_exact(sample_passport(1)) + b"\n" + dumps_exact(sample_passport(2)) + b"\n")
    imported = runner.invoke(app, ["passport", "import", str(source), "--jobs", "1"])  # signed in a worker process
    assert imported.exit_code == 0, imported.stderr
    did = runner.invoke(app, ["identity", "did"])
    assert did.exit_code == 0, did.stderr
    (node / "did.json").write_text(did.stdout)
    pid = sample_passport_id(2)
    exported = runner.invoke(
        app, ["passport", "export", pid, "--format", "sd-jwt", "--role", "recycler", "-o", str(node / "p.sd-jwt")]
    )
    assert exported.exit_code == 0, exported.stderr
    result = runner.invoke(app, ["verify", str(node / "p.sd-jwt"), "--did-document", str(node / "did.json")])
    assert result.exit_code == 0, result.output
    assert f"urn:uuid:{pid}" in result.stdout and "disclosedCount: 9" in result.stdout
    assert "accessLevel: legitimate_interest\n" in result.stdout and "operation.intoServiceDate" in result.stdout
    report = runner.invoke(app, ["verify", str(node / "p.sd-jwt"), "--did-document", str(node / "did.json"), "--json"])
    parsed = json.loads(report.stdout)
    assert parsed["valid"] is True and parsed["version"] == 1 and parsed["readableBy"][0] == "legitimate_interest"

    compact = (node / "p.sd-jwt").read_text()
    for name, span in _parts(compact).items():
        (node / "bad.sd-jwt").write_text(_flip(compact, span[len(span) // 2]))
        refused = runner.invoke(app, ["verify", str(node / "bad.sd-jwt"), "--did-document", str(node / "did.json")])
        assert refused.exit_code == 1, name
        assert "refused" in refused.stderr, name
        assert refused.exception is None or isinstance(refused.exception, SystemExit), name


def test_passbridge_verify_explains_bad_input_without_a_traceback(node: Path) -> None:
    (node / "did.json").write_text(json.dumps({"id": "did:web:other.example"}))
    (node / "junk.txt").write_bytes(b"\xff\xfe not a token")
    cases = [
        (["verify", "missing.sd-jwt", "--did-document", "did.json"], 2, "cannot read"),
        (["verify", "junk.txt", "--did-document", "did.json"], 1, "malformed"),
        (["verify", "junk.txt", "--did-document", "junk.txt"], 2, "--did-document"),
        (["verify", "did.json", "--did-document", "did.json"], 1, "refused"),
    ]
    for args, code, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == code, (args, result.output)
        assert message in result.stderr, (args, result.stderr)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
