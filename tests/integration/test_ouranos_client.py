"""`OuranosClient` against a fake platform (`httpx.MockTransport`): tokens, paging, error mapping, the cfpAcl
tolerance. The full exchange with our own platform is in `tests/e2e/test_ouranos_client.py`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from passbridge.errors import CounterpartyError, Forbidden, InvalidInput, NotFound, Unauthenticated
from passbridge.outbound.ouranos_client import OuranosClient
from tests.conftest import FixedClock

BASE = "https://platform.example/ouranos"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _jwt(exp: datetime, name: str) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part({'exp': int(exp.timestamp()), 'name': name})}.sig"


def _error(status: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"code": "[dataspace] BadRequest", "message": message, "detail": "id: x"})


class FakePlatform:
    """Just enough of the platform: login, refresh, one operator, paged parts, cfpAcl as configured."""

    def __init__(self, clock: FixedClock, *, acl: bool = True) -> None:
        self.clock, self.acl = clock, acl
        self.calls: list[str] = []
        self.issued = 0
        self.reject_next = 0
        self.parts = [{"traceId": f"00000000-0000-0000-0000-00000000000{i}", "partsName": f"P{i}"} for i in range(5)]

    def _access(self) -> str:
        self.issued += 1
        return _jwt(self.clock.now() + timedelta(minutes=15), f"access-{self.issued}")

    def handle(self, request: httpx.Request) -> httpx.Response:
        path, query = request.url.path.removeprefix("/ouranos"), dict(request.url.params)
        self.calls.append(f"{request.method} {path}?{request.url.query.decode()}")
        if request.headers.get("apiKey") != "key":
            return _error(403, "Invalid key: unknown apiKey")
        if path == "/auth/login":
            return httpx.Response(201, json={"accessToken": self._access(), "refreshToken": "refresh"})
        if path == "/auth/refresh":
            return httpx.Response(201, json={"accessToken": self._access()})
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return _error(401, "Authorization: Bearer <accessToken> is required")
        if self.reject_next:
            self.reject_next -= 1
            return _error(401, "access token expired")
        target = query.get("dataTarget")
        if target == "operator":
            return httpx.Response(200, json={"operatorId": "me", "openOperatorId": "1"})
        if target == "parts":
            limit, after = int(query["limit"]), query.get("after", "")
            rest = [p for p in self.parts if p["traceId"] > after]
            response = httpx.Response(200, json=rest[:limit])
            if len(rest) > limit:
                response.headers["Link"] = (
                    f'<{request.url.copy_merge_params({"after": rest[limit - 1]["traceId"]})}>; rel="next"'
                )
            return response
        if target == "cfpAcl" and not self.acl:
            return _error(400, "dataTarget: unsupported dataTarget 'cfpAcl' for this method")
        if target == "cfpAcl":
            return httpx.Response(201, json={})
        if target == "cfp":
            return httpx.Response(200, json=[{"ghgEmission": 1.000001}])
        if target == "tradeRequest":
            return _error(400, "$.tradeModel.upstreamOperatorId: must be another operator")
        if target == "plant":
            return httpx.Response(500, text="boom")
        return _error(404, "Endpoint Not Found")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def make_client(clock: FixedClock) -> Callable[..., tuple[OuranosClient, FakePlatform]]:
    def make(
        *, api_key: str = "key", acl: bool = True, page_size: int | None = None
    ) -> tuple[OuranosClient, FakePlatform]:
        platform = FakePlatform(clock, acl=acl)
        http = httpx.Client(transport=httpx.MockTransport(platform.handle))
        return OuranosClient(http, BASE, api_key, "me@example.jp", "Passw0rd!", clock), platform

    return make


def test_logs_in_once_and_sends_the_api_key_and_bearer(make_client: Callable[..., Any]) -> None:
    client, platform = make_client()
    assert client.own_operator()["operatorId"] == "me"
    assert client.own_operator()["operatorId"] == "me"
    assert [c.split("?")[0] for c in platform.calls] == [
        "POST /auth/login",
        "GET /api/v1/authInfo",
        "GET /api/v1/authInfo",
    ]


def test_refreshes_shortly_before_the_access_token_expires(make_client: Callable[..., Any], clock: FixedClock) -> None:
    client, platform = make_client()
    client.own_operator()
    clock.current += timedelta(minutes=14, seconds=30)  # within the refresh margin
    client.own_operator()
    assert [c.split("?")[0] for c in platform.calls][-2:] == ["POST /auth/refresh", "GET /api/v1/authInfo"]


def test_a_401_renews_the_token_and_repeats_the_call_once(make_client: Callable[..., Any]) -> None:
    client, platform = make_client()
    client.own_operator()
    platform.reject_next = 1
    assert client.own_operator()["operatorId"] == "me"
    assert [c.split("?")[0] for c in platform.calls][-3:] == [
        "GET /api/v1/authInfo",
        "POST /auth/refresh",
        "GET /api/v1/authInfo",
    ]
    platform.reject_next = 2  # still refused after the renewal: the platform's message, no loop
    with pytest.raises(Unauthenticated, match="access token expired"):
        client.own_operator()


def test_follows_the_link_header_to_the_last_page(
    make_client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("passbridge.outbound.ouranos_client.PAGE_SIZE", 2)
    client, platform = make_client()
    assert [p["partsName"] for p in client.parts()] == ["P0", "P1", "P2", "P3", "P4"]
    pages = [c for c in platform.calls if "dataTarget=parts" in c]
    assert len(pages) == 3 and "after=00000000-0000-0000-0000-000000000003" in pages[-1]


def test_numbers_stay_exact_decimals(make_client: Callable[..., Any]) -> None:
    client, _ = make_client()
    assert client.cfp(["t"])[0]["ghgEmission"] == Decimal("1.000001")


def test_a_wrong_api_key_is_forbidden_with_the_platform_message(make_client: Callable[..., Any]) -> None:
    client, _ = make_client(api_key="wrong")
    with pytest.raises(Forbidden, match="ouranos login: Invalid key: unknown apiKey"):
        client.own_operator()


def test_errors_map_to_the_error_tree_with_the_platform_message(make_client: Callable[..., Any]) -> None:
    client, _ = make_client()
    with pytest.raises(InvalidInput) as bad:
        client.put_trade_request({"tradeModel": {}})
    assert bad.value.violations[0].message == "$.tradeModel.upstreamOperatorId: must be another operator"
    assert "tradeRequest" in bad.value.violations[0].path
    with pytest.raises(NotFound, match="Endpoint Not Found"):
        client.structure("t")
    with pytest.raises(CounterpartyError) as failed:
        client.plants()
    assert failed.value.status == 500 and failed.value.step == "ouranos"


def test_an_unreachable_platform_is_a_counterparty_error(clock: FixedClock) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = OuranosClient(httpx.Client(transport=httpx.MockTransport(refuse)), BASE, "key", "a", "b", clock)
    with pytest.raises(CounterpartyError, match="connection refused"):
        client.own_operator()


def test_a_platform_without_cfp_acl_is_tolerated_only_for_that_refusal(make_client: Callable[..., Any]) -> None:
    client, _ = make_client(acl=False)
    assert client.put_cfp_acl({"traceId": "t"}) is False
    assert client.cfp_acl("t") is None
    client, _ = make_client(acl=True)
    assert client.put_cfp_acl({"traceId": "t"}) is True
    with pytest.raises(InvalidInput):  # any other 400 is an error as usual
        client.put_trade_request({})
