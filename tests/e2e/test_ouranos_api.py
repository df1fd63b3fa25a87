"""The `ouranos-platform` role as the data transaction system's clients use it: the tutorial replayed step by step
(with the ids this server issues), every response checked against the OpenAPI's schemas, and the documented
bad input refused in the documented error form."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema  # type: ignore[import-untyped]  # no stubs installed; Draft7Validator only
import pytest
import yaml  # type: ignore[import-untyped]  # no stubs installed
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from passbridge.api.app import create_asgi
from passbridge.bootstrap import Services, bootstrap
from passbridge.cli.app import app as cli
from passbridge.jsoncodec import dumps_exact
from passbridge.settings import NodeRole, load_settings
from tests.conftest import FixedClock
from tests.fixtures_path import FIXTURES

OURANOS = FIXTURES / "ouranos"
PASSWORD = "Passw0rd!"
A_TUTORIAL_ID, B_TUTORIAL_ID = "b39e6248-c888-56ca-d9d0-89de1b1adc8e", "15572d1c-ec13-0d78-7f92-dd4278871373"


# --- the OpenAPI's response schemas, as JSON Schema ------------------------------------------------------------


@cache
def _spec() -> dict[str, Any]:
    with (OURANOS / "data-transaction-system_openapi.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)  # type: ignore[no-any-return]


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema: `$ref`s inlined, ``nullable`` as a null alternative, examples dropped."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _json_schema(_spec()["components"]["schemas"][name])
    out = {k: _json_schema(v) for k, v in node.items() if k not in ("nullable", "example", "examples", "format")}
    if node.get("nullable"):
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _spec_path(method: str, url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.removeprefix("/ouranos")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    target = query.get("dataTarget")
    if target is None:
        return path
    extra = ""
    if path.endswith("authInfo") and "operatorIds" in query:
        extra = "&operatorIds={uuid}"
    elif target == "cfp" and method == "GET":
        extra = "&traceIds={uuid}"
    elif (target in ("cfpCertification", "partsStructure") and method == "GET") or method == "DELETE":
        extra = "&traceId={uuid}"
    elif target == "tradeResponse" and method == "PUT":
        extra = "&tradeId={uuid}&traceId={uuid}"
    return f"{path}?dataTarget={target}{extra}"


def check(response: Any, method: str, url: str, status: int) -> Any:
    """Assert the status and `X-Track`, validate the body against the documented schema, return the body."""
    assert response.status_code == status, response.text
    assert response.headers.get("X-Track")
    documented = _spec()["paths"][_spec_path(method, url)][method.lower()]["responses"][str(status)]
    schema = documented.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    body = response.json()
    jsonschema.Draft7Validator(_json_schema(schema)).validate(body)
    return body


# --- a platform with two operators --------------------------------------------------------------------------


@pytest.fixture
def platform(make_services: Callable[..., Services], database_url: str) -> Services:
    return make_services(database_url, roles=(NodeRole.OURANOS_PLATFORM,))


@pytest.fixture
def api(platform: Services) -> Iterator[TestClient]:
    with TestClient(create_asgi(platform), raise_server_exceptions=False) as test_client:
        yield test_client


class Operator:
    """One company on the platform: its ids, API key and (after `login`) its headers."""

    def __init__(self, platform: Services, name: str, open_id: str, email: str, **kwargs: Any) -> None:
        assert platform.ouranos is not None
        self.email = email
        self.operator_id, self.api_key = platform.ouranos.accounts.add_operator(
            name, open_id, email, PASSWORD, **kwargs
        )
        self.token = ""

    def login(self, api: TestClient) -> None:
        body = {"operatorAccountId": self.email, "accountPassword": PASSWORD}
        self.token = api.post("/ouranos/auth/login", json=body, headers={"apiKey": self.api_key}).json()["accessToken"]

    @property
    def headers(self) -> dict[str, str]:
        return {"apiKey": self.api_key, "Authorization": f"Bearer {self.token}"}


@pytest.fixture
def a(platform: Services) -> Operator:
    return Operator(platform, "A社", "1234567890123", "oem_a@example.com")


@pytest.fixture
def b(platform: Services) -> Operator:
    return Operator(platform, "B社", "1234567890124", "supplier_b@example.com", address="東京都渋谷区xx")


# --- the tutorial ------------------------------------------------------------------------------------------------


def _learn(tutorial: Any, served: Any, ids: dict[str, str]) -> None:
    """Map the tutorial's ids to the ones this server issued, walking both documents in parallel."""
    if isinstance(tutorial, dict) and isinstance(served, dict):
        for key, value in tutorial.items():
            if key in served:
                _learn(value, served[key], ids)
    elif isinstance(tutorial, list) and isinstance(served, list):
        for t, s in zip(tutorial, served, strict=False):
            _learn(t, s, ids)
    elif isinstance(tutorial, str) and isinstance(served, str) and len(tutorial) == 36 and tutorial.count("-") == 4:
        ids.setdefault(tutorial, served)


def _substitute(value: Any, ids: dict[str, str]) -> Any:
    text = json.dumps(value, ensure_ascii=False)
    for old, new in ids.items():
        text = text.replace(old, new)
    return json.loads(text, parse_float=Decimal)


def _timeless(value: Any) -> Any:
    """`value` without the ``*ModifiedAt`` times (the tutorial ran in 2024)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if not k.endswith("ModifiedAt")}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


EXACT = {"plant", "parts", "partsStructure", "operator", "tradeRequest#GET", "tradeResponse#PUT", "tradeResponse#GET"}
"""Steps whose answer must equal the tutorial's (ids substituted); the others are checked by schema and below."""


def test_the_tutorial_replays_with_every_response_as_documented(api: TestClient, a: Operator, b: Operator) -> None:
    steps = json.loads((OURANOS / "data-transaction-system_tutorial_payloads.json").read_text(encoding="utf-8"))
    ids = {A_TUTORIAL_ID: a.operator_id, B_TUTORIAL_ID: b.operator_id}
    actors = {"OperatorIdentification": a, "MakePartsStructureAndMakeTradeRequest": a, "MakeTradeResponse": b}
    actors |= {"ResponseCFP": b, "GetResponseAndMakeCFPReport": a}
    b.login(api)
    b_operator = {"operatorId": b.operator_id, "operatorName": "B社", "operatorAddress": "東京都渋谷区xx"}
    b_operator["operatorAttribute"] = {"globalOperatorId": "1234ABCD5678EFGH0124"}  # type: ignore[assignment]
    api.put("/ouranos/api/v1/authInfo?dataTarget=operator", json=b_operator, headers=b.headers).raise_for_status()
    replayed, bodies = 0, {}
    for tutorial, flow in steps.items():
        actor = actors[tutorial]
        for step in flow:
            url = (
                "/ouranos"
                + urlsplit(step["url"]).path
                + ("?" + urlsplit(step["url"]).query if "?" in step["url"] else "")
            )
            url = _substitute(url, ids)
            request = _substitute(step["requestBody"], ids)
            if url.endswith("/auth/login"):
                request["accountPassword"] = PASSWORD
            headers = {"apiKey": actor.api_key} if url.endswith("/auth/login") else actor.headers
            content = None if request is None else dumps_exact(request)
            response = api.request(step["method"], url, content=content, headers=headers)
            status = 200 if step["method"] == "GET" else 201
            body = check(response, step["method"], url, status)
            if url.endswith("/auth/login"):
                actor.token = body["accessToken"]
            _learn(step["responseBody"], body, ids)
            target = parse_qs(urlsplit(url).query).get("dataTarget", [""])[0]
            if target in EXACT or f"{target}#{step['method']}" in EXACT:
                assert _timeless(body) == _timeless(_substitute(step["responseBody"], ids)), (
                    f"{tutorial} {step['method']} {url}"
                )
            bodies[f"{tutorial}:{step['method']}:{target}"] = body
            replayed += 1
        if tutorial == "ResponseCFP":
            # The tutorial runs the dummy, where disclosure is automatic; in production B must grant it
            # (「本番環境では個別に開示の設定が必要」, ResponseCFP.md), so B releases both item groups to A here.
            _grant(api, b, a, bodies["ResponseCFP:PUT:cfp"][0]["traceId"], TOTALCFP=True, TOTALDQR=True)
    assert replayed == sum(len(flow) for flow in steps.values()) == 16
    received = bodies["MakeTradeResponse:GET:tradeResponse"][0]
    assert received["partsModel"]["amountRequired"] is None  # the downstream's quantity never goes upstream
    status = bodies["GetResponseAndMakeCFPReport:GET:status"][0]["requestStatus"]
    assert (
        status["cfpResponseStatus"],
        status["tradeTreeStatus"],
        status["completedCount"],
        status["tradesCount"],
    ) == (
        "COMPLETED",
        "TERMINATED",
        1,
        1,
    )
    answers = {r["cfpType"]: r for r in bodies["GetResponseAndMakeCFPReport:GET:cfp"]}
    assert answers["preProductionResponse"]["ghgEmission"] == 1.5  # B's total per kilogram: 1.5 own + 0 bought
    assert answers["mainProductionResponse"]["ghgEmission"] == 10
    assert answers["preProductionResponse"]["traceId"] == ids["40b77952-2c89-49be-8ce9-7c64a15e0ae7"]
    assert None not in answers["preProductionResponse"]["dqrValue"].values()  # TOTALDQR released too


ACL = "/ouranos/api/v1/datatransport?dataTarget=cfpAcl"


def _grant(api: TestClient, owner: Operator, to: Operator, trace_id: str, **groups: bool) -> Any:
    """``PUT cfpAcl`` (our extension): `owner` releases the named item groups of `trace_id` to `to`."""
    acl = [{"aclItemGroup": group, "releasedFlag": flag} for group, flag in groups.items()]
    body = {"operatorId": owner.operator_id, "releasedToOperatorId": to.operator_id, "traceId": trace_id, "acl": acl}
    response = api.put(ACL, json=body, headers=owner.headers)
    assert response.status_code == 201 and response.headers["X-Track"], response.text
    return response.json()


# --- bad input, in the documented error form ---------------------------------------------------------------------

PLANT = "/ouranos/api/v1/authInfo?dataTarget=plant"
PARTS = "/ouranos/api/v1/datatransport?dataTarget=parts"
STRUCTURE = "/ouranos/api/v1/datatransport?dataTarget=partsStructure"
CFP = "/ouranos/api/v1/datatransport?dataTarget=cfp"


def _plant(api: TestClient, who: Operator) -> str:
    body: dict[str, Any] = {
        "operatorId": who.operator_id,
        "plantId": None,
        "plantName": "工場",
        "plantAddress": "x",
        "openPlantId": "1234567890123012345",
        "plantAttribute": {},
    }
    return str(check(api.put(PLANT, json=body, headers=who.headers), "PUT", PLANT, 201)["plantId"])


def _part(who: Operator, plant_id: str, name: str = "部品A", **extra: Any) -> dict[str, Any]:
    part = {
        "traceId": None,
        "operatorId": who.operator_id,
        "plantId": plant_id,
        "partsName": name,
        "supportPartsName": "m",
        "terminatedFlag": False,
        "amountRequired": None,
        "amountRequiredUnit": "kilogram",
    }
    return part | extra


def _cfp(trace_id: str, pre: Any = 1, main: Any = 2) -> list[dict[str, Any]]:
    kinds = (
        ("preProduction", "preProcessing", pre),
        ("mainProduction", "mainProcessing", main),
        ("preComponent", "preProcessing", 0),
        ("mainComponent", "mainProcessing", 0),
    )
    dqr = {"TeR": 1, "GeR": 2, "TiR": 3}
    return [
        {
            "cfpId": None,
            "traceId": trace_id,
            "ghgEmission": e,
            "ghgDeclaredUnit": "kgCO2e/kilogram",
            "cfpType": t,
            "dqrType": d,
            "dqrValue": dqr,
        }
        for t, d, e in kinds
    ]


def refused(response: Any, method: str, url: str, status: int) -> str:
    """Assert a documented error (`common.HTTP4xxError`) and return its message."""
    body = check(response, method, url, status)
    assert body["code"].endswith({400: "BadRequest", 401: "Unauthorized", 403: "AccessDenied", 404: "NotFound"}[status])
    assert body["detail"].startswith("id: " + response.headers["X-Track"])
    return str(body["message"])


@pytest.fixture
def logged_in(api: TestClient, a: Operator, b: Operator) -> tuple[Operator, Operator]:
    a.login(api)
    b.login(api)
    return a, b


def test_a_missing_or_wrong_api_key_is_403_invalid_key(api: TestClient, logged_in: tuple[Operator, Operator]) -> None:
    """The OpenAPI documents a bad ``apiKey`` as ``403 [auth] AccessDenied "Invalid key"`` (not 401)."""
    a, _ = logged_in
    bearer = {"Authorization": f"Bearer {a.token}"}
    assert "Invalid key" in refused(api.get(PLANT, headers=bearer), "GET", PLANT, 403)
    response = api.get(PLANT, headers={**a.headers, "apiKey": "nope"})
    assert "Invalid key" in refused(response, "GET", PLANT, 403)
    assert response.json()["code"] == "[auth] AccessDenied"
    url = "/ouranos/auth/refresh"
    refused(api.post(url, json={"refreshToken": "x"}, headers={"apiKey": "nope"}), "POST", url, 403)


def test_a_missing_or_bad_token_or_password_is_401(api: TestClient, logged_in: tuple[Operator, Operator]) -> None:
    a, _ = logged_in
    response = api.get(PLANT, headers={"apiKey": a.api_key})
    refused(response, "GET", PLANT, 401)
    assert response.json()["code"] == "[auth] Unauthorized"
    refused(api.get(PLANT, headers={**a.headers, "Authorization": "Bearer x.y.z"}), "GET", PLANT, 401)
    login = "/ouranos/auth/login"
    wrong = {"operatorAccountId": a.email, "accountPassword": "wrong-password"}
    refused(api.post(login, json=wrong, headers={"apiKey": a.api_key}), "POST", login, 401)


def test_an_expired_token_is_401_and_refresh_gives_a_new_one(
    api: TestClient, logged_in: tuple[Operator, Operator], clock: FixedClock
) -> None:
    a, _ = logged_in
    refresh = api.post(
        "/ouranos/auth/login",
        json={"operatorAccountId": a.email, "accountPassword": PASSWORD},
        headers={"apiKey": a.api_key},
    ).json()["refreshToken"]
    clock.current += timedelta(hours=1)
    assert "expired" in refused(api.get(PLANT, headers=a.headers), "GET", PLANT, 401)
    url = "/ouranos/auth/refresh"
    a.token = check(api.post(url, json={"refreshToken": refresh}, headers={"apiKey": a.api_key}), "POST", url, 201)[
        "accessToken"
    ]
    check(api.get(PLANT, headers=a.headers), "GET", PLANT, 200)
    refused(api.post(url, json={"refreshToken": a.token}, headers={"apiKey": a.api_key}), "POST", url, 403)


def test_the_account_locks_after_repeated_failures_and_passwords_change(
    api: TestClient, logged_in: tuple[Operator, Operator]
) -> None:
    a, _ = logged_in
    url = "/ouranos/auth/change"
    check(api.post(url, json={"newPassword": "NewPassw0rd"}, headers=a.headers), "POST", url, 201)
    refused(api.post(url, json={"newPassword": "short"}, headers=a.headers), "POST", url, 400)
    login = "/ouranos/auth/login"
    good = {"operatorAccountId": a.email, "accountPassword": "NewPassw0rd"}
    check(api.post(login, json=good, headers={"apiKey": a.api_key}), "POST", login, 201)
    for _ in range(5):
        refused(
            api.post(login, json={**good, "accountPassword": PASSWORD}, headers={"apiKey": a.api_key}),
            "POST",
            login,
            401,
        )
    assert "locked" in refused(api.post(login, json=good, headers={"apiKey": a.api_key}), "POST", login, 401)


def test_an_api_key_from_a_disallowed_address_is_403(api: TestClient, platform: Services) -> None:
    fenced = Operator(platform, "C社", "1234567890125", "c@example.com", cidrs=("10.0.0.0/8",))
    login = "/ouranos/auth/login"
    body = {"operatorAccountId": fenced.email, "accountPassword": PASSWORD}
    assert "may not be used" in refused(
        api.post(login, json=body, headers={"apiKey": fenced.api_key}), "POST", login, 403
    )


def test_a_body_naming_another_operator_is_403(api: TestClient, logged_in: tuple[Operator, Operator]) -> None:
    a, b = logged_in
    plant: dict[str, Any] = {
        "operatorId": b.operator_id,
        "plantId": None,
        "plantName": "x",
        "plantAddress": "x",
        "openPlantId": "123456",
        "plantAttribute": {},
    }
    refused(api.put(PLANT, json=plant, headers=a.headers), "PUT", PLANT, 403)
    plant_id = _plant(api, a)
    refused(api.put(PARTS, json=_part(b, plant_id), headers=a.headers), "PUT", PARTS, 403)


def test_unknown_ids_are_404(api: TestClient, logged_in: tuple[Operator, Operator]) -> None:
    a, b = logged_in
    unknown = "00000000-0000-4000-8000-000000000000"
    url = f"{STRUCTURE}&traceId={unknown}"
    refused(api.get(url, headers=a.headers), "GET", url, 404)
    url = "/ouranos/api/v1/authInfo?dataTarget=operator&openOperatorId=999"
    refused(api.get(url, headers=a.headers), "GET", url, 404)
    refused(api.put(PARTS, json=_part(a, unknown), headers=a.headers), "PUT", PARTS, 404)
    b_part = check(api.put(PARTS, json=_part(b, _plant(api, b)), headers=b.headers), "PUT", PARTS, 201)
    url = f"{CFP}&traceIds={b_part['traceId']}"
    refused(api.get(url, headers=a.headers), "GET", url, 404)  # another operator's part is not visible


def test_the_documented_limits_and_formats_are_400(api: TestClient, logged_in: tuple[Operator, Operator]) -> None:
    a, _ = logged_in
    plant_id = _plant(api, a)
    refused(api.put(PARTS, json=_part(a, plant_id, amountRequiredUnit="gallon"), headers=a.headers), "PUT", PARTS, 400)
    refused(api.put(PARTS, content=b"{not json", headers=a.headers), "PUT", PARTS, 400)
    parent = check(api.put(PARTS, json=_part(a, plant_id), headers=a.headers), "PUT", PARTS, 201)
    children = [_part(a, plant_id, f"子{i}", amountRequired=1) for i in range(51)]
    too_many = {"parentPartsModel": parent, "childrenPartsModel": children}
    assert "50" in refused(api.put(STRUCTURE, json=too_many, headers=a.headers), "PUT", STRUCTURE, 400)
    refused(api.put(CFP, json=_cfp(parent["traceId"])[:3], headers=a.headers), "PUT", CFP, 400)
    refused(api.put(CFP, json=_cfp(parent["traceId"], pre=100000), headers=a.headers), "PUT", CFP, 400)
    refused(api.put(CFP, json=_cfp(parent["traceId"], pre=-1), headers=a.headers), "PUT", CFP, 400)
    url = f"{CFP}&traceIds=" + ",".join([parent["traceId"]] * 51)
    refused(api.get(url, headers=a.headers), "GET", url, 400)
    url = "/ouranos/api/v1/datatransport?dataTarget=nothing"
    refused(api.get(url, headers=a.headers), "GET", "/ouranos/api/v1/datatransport?dataTarget=parts", 400)


def test_numbers_keep_5_decimals_rounded_up_at_the_6th(api: TestClient, logged_in: tuple[Operator, Operator]) -> None:
    a, _ = logged_in
    part = check(api.put(PARTS, json=_part(a, _plant(api, a)), headers=a.headers), "PUT", PARTS, 201)
    records = _cfp(part["traceId"], pre=Decimal("1.0000001"), main=Decimal("2.5"))
    stored = check(api.put(CFP, content=dumps_exact(records), headers=a.headers), "PUT", CFP, 201)
    assert api.put(CFP, content=dumps_exact(records), headers=a.headers).text.count('"ghgEmission":1.00001,') == 1
    assert [r["ghgEmission"] for r in stored][:2] == [1.00001, 2.5]


def test_parts_are_paged_with_limit_after_and_a_link(api: TestClient, logged_in: tuple[Operator, Operator]) -> None:
    a, _ = logged_in
    plant_id = _plant(api, a)
    made = {
        check(api.put(PARTS, json=_part(a, plant_id, f"P{i}"), headers=a.headers), "PUT", PARTS, 201)["traceId"]
        for i in range(3)
    }
    first = api.get(f"{PARTS}&limit=2", headers=a.headers)
    assert len(check(first, "GET", PARTS, 200)) == 2 and 'rel="next"' in first.headers["Link"]
    following = first.headers["Link"].split(">")[0].removeprefix("<")
    second = api.get(following, headers=a.headers)
    assert len(check(second, "GET", PARTS, 200)) == 1 and "Link" not in second.headers
    assert {p["traceId"] for p in [*first.json(), *second.json()]} == made


def test_a_cancelled_request_takes_no_answer(api: TestClient, logged_in: tuple[Operator, Operator]) -> None:
    a, b = logged_in
    parent = check(api.put(PARTS, json=_part(a, _plant(api, a)), headers=a.headers), "PUT", PARTS, 201)
    child = _part(a, parent["plantId"], "子", amountRequired=5)
    structure = check(
        api.put(STRUCTURE, json={"parentPartsModel": parent, "childrenPartsModel": [child]}, headers=a.headers),
        "PUT",
        STRUCTURE,
        201,
    )
    trade = {
        "downstreamOperatorId": a.operator_id,
        "downstreamTraceId": structure["childrenPartsModel"][0]["traceId"],
        "upstreamOperatorId": b.operator_id,
        "tradeId": None,
        "upstreamTraceId": None,
    }
    status: dict[str, Any] = {
        "message": None,
        "replyMessage": None,
        "requestStatus": {},
        "requestType": "CFP",
        "statusId": None,
        "tradeId": None,
        "responseDueDate": None,
    }
    url = "/ouranos/api/v1/datatransport?dataTarget=tradeRequest"
    sent = check(api.put(url, json={"tradeModel": trade, "statusModel": status}, headers=a.headers), "PUT", url, 201)
    trade_id = sent["tradeModel"]["tradeId"]
    url = "/ouranos/api/v1/datatransport?dataTarget=status"
    cancel = {**sent["statusModel"], "requestStatus": {"cfpResponseStatus": "CANCEL"}}
    refused(api.put(url, json=cancel, headers=b.headers), "PUT", url, 403)  # only the downstream cancels
    check(api.put(url, json=cancel, headers=a.headers), "PUT", url, 201)
    b_part = check(api.put(PARTS, json=_part(b, _plant(api, b)), headers=b.headers), "PUT", PARTS, 201)
    url = f"/ouranos/api/v1/datatransport?dataTarget=tradeResponse&tradeId={trade_id}&traceId={b_part['traceId']}"
    assert "CANCEL" in refused(api.put(url, headers=b.headers), "PUT", url, 400)
    url = f"/ouranos/api/v1/datatransport?dataTarget=status&statusTarget=REQUEST&traceId={trade['downstreamTraceId']}"
    assert check(api.get(url, headers=a.headers), "GET", url, 200)[0]["requestStatus"]["cfpResponseStatus"] == "CANCEL"


# --- the platform operator's command -----------------------------------------------------------------------------


def test_operator_add_prints_an_operator_id_and_an_api_key_that_logs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PASSBRIDGE_DATABASE_URL", raising=False)
    args = ["ouranos", "operator-add", "--name", "B社", "--open-operator-id", "1234567890124"]
    result = CliRunner().invoke(cli, [*args, "--account", "supplier_b@example.com", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    issued = json.loads(result.stdout)
    assert set(issued) == {"operatorId", "apiKey"}
    again = CliRunner().invoke(cli, [*args, "--account", "other@example.com", "--password", PASSWORD])
    assert again.exit_code == 1 and "exists already" in again.output
    bad = CliRunner().invoke(cli, [*args[:-1], "12-34", "--account", "x@example.com", "--password", PASSWORD])
    assert bad.exit_code == 2 and "openOperatorId" in bad.output
    services = bootstrap(load_settings(data_dir=tmp_path, roles=(NodeRole.OURANOS_PLATFORM,)))
    try:
        with TestClient(create_asgi(services)) as api:
            body = {"operatorAccountId": "supplier_b@example.com", "accountPassword": PASSWORD}
            login = api.post("/ouranos/auth/login", json=body, headers={"apiKey": issued["apiKey"]})
            token = check(login, "POST", "/ouranos/auth/login", 201)["accessToken"]
            headers = {"apiKey": issued["apiKey"], "Authorization": f"Bearer {token}"}
            url = "/ouranos/api/v1/authInfo?dataTarget=operator"
            own = check(api.get(url, headers=headers), "GET", url, 200)
    finally:
        services.close()
    assert (own["operatorId"], own["openOperatorId"], own["operatorName"]) == (
        issued["operatorId"],
        "1234567890124",
        "B社",
    )


def test_operators_are_looked_up_in_bulk_and_plants_listed(
    api: TestClient, logged_in: tuple[Operator, Operator]
) -> None:
    a, b = logged_in
    url = f"/ouranos/api/v1/authInfo?dataTarget=operator&operatorIds={a.operator_id},{b.operator_id}"
    found = check(api.get(url, headers=a.headers), "GET", url, 200)
    assert {o["operatorId"] for o in found} == {a.operator_id, b.operator_id}
    url = "/ouranos/api/v1/authInfo?dataTarget=operator&operatorIds=" + ",".join([a.operator_id] * 101)
    assert "100" in refused(api.get(url, headers=a.headers), "GET", url, 400)
    plant_id = _plant(api, a)
    assert [p["plantId"] for p in check(api.get(PLANT, headers=a.headers), "GET", PLANT, 200)] == [plant_id]
    assert check(api.get(PLANT, headers=b.headers), "GET", PLANT, 200) == []


def test_a_part_is_deleted_only_when_nothing_uses_it(api: TestClient, logged_in: tuple[Operator, Operator]) -> None:
    a, _ = logged_in
    parent = check(api.put(PARTS, json=_part(a, _plant(api, a)), headers=a.headers), "PUT", PARTS, 201)
    child = _part(a, parent["plantId"], "子", amountRequired=1)
    body = {"parentPartsModel": parent, "childrenPartsModel": [child]}
    check(api.put(STRUCTURE, json=body, headers=a.headers), "PUT", STRUCTURE, 201)
    url = f"{PARTS}&traceId={parent['traceId']}"
    assert "structure" in refused(api.delete(url, headers=a.headers), "DELETE", url, 400)
    lone = check(api.put(PARTS, json=_part(a, parent["plantId"], "単品"), headers=a.headers), "PUT", PARTS, 201)
    check(api.put(CFP, json=_cfp(lone["traceId"]), headers=a.headers), "PUT", CFP, 201)
    url = f"{PARTS}&traceId={lone['traceId']}"
    check(api.delete(url, headers=a.headers), "DELETE", url, 204)
    refused(api.delete(url, headers=a.headers), "DELETE", url, 404)


def test_an_unknown_endpoint_is_404_in_the_ouranos_form(api: TestClient) -> None:
    response = api.get("/ouranos/api/v1/nothing")
    assert response.status_code == 404 and response.headers["X-Track"]
    assert response.json()["code"] == "[auth] NotFound" and "Endpoint Not Found" in response.json()["message"]


def test_a_node_without_the_role_serves_no_ouranos_api(sqlite_client: TestClient) -> None:
    response = sqlite_client.post("/ouranos/auth/login", json={})
    assert response.status_code in (404, 405) and "X-Track" not in response.headers


def test_operator_and_plant_ids_follow_the_documented_rules(
    api: TestClient, logged_in: tuple[Operator, Operator]
) -> None:
    a, b = logged_in
    url = "/ouranos/api/v1/authInfo?dataTarget=operator"
    own = {
        "operatorId": a.operator_id,
        "operatorName": "A社",
        "operatorAddress": "x",
        "openOperatorId": "1234567890123",
    }
    updated = check(
        api.put(url, json={**own, "operatorAttribute": {"globalOperatorId": "BPNL000000000A01"}}, headers=a.headers),
        "PUT",
        url,
        201,
    )
    assert updated["operatorAttribute"]["globalOperatorId"] == "BPNL000000000A01"
    assert "immutable" in refused(api.put(url, json={**own, "openOperatorId": "9"}, headers=a.headers), "PUT", url, 400)
    other = {**own, "operatorId": b.operator_id, "openOperatorId": "1234567890124"}
    taken = api.put(
        url, json={**other, "operatorAttribute": {"globalOperatorId": "BPNL000000000A01"}}, headers=b.headers
    )
    assert "already exists" in refused(taken, "PUT", url, 400)
    _plant(api, a)
    body: dict[str, Any] = {
        "operatorId": a.operator_id,
        "plantId": None,
        "plantName": "2",
        "plantAddress": "x",
        "openPlantId": "1234567890123012345",
        "plantAttribute": {},
    }
    assert "already exists" in refused(api.put(PLANT, json=body, headers=a.headers), "PUT", PLANT, 400)
    refused(api.put(PLANT, json={**body, "openPlantId": "12345X"}, headers=a.headers), "PUT", PLANT, 400)
