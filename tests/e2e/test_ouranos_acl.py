"""CFP disclosure grants (``dataTarget=cfpAcl``) and notifications (``dataTarget=notification``) on the
`ouranos-platform` role, through the API on SQLite and PostgreSQL: what a downstream sees under each grant, who may
grant, which change notifies whom and in which order, and answers to closed requests refused with nothing written."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs installed; Draft7Validator only
import pytest
from fastapi.testclient import TestClient

from passbridge.api.app import create_asgi
from passbridge.bootstrap import Services
from passbridge.ouranos.accounts import Caller
from passbridge.settings import NodeRole
from tests.conftest import FixedClock
from tests.e2e.test_ouranos_api import (
    ACL,
    CFP,
    PARTS,
    PLANT,
    STRUCTURE,
    Operator,
    _cfp,
    _grant,
    _json_schema,
    _part,
    _plant,
    _spec,
    check,
    refused,
)

REQUEST = "/ouranos/api/v1/datatransport?dataTarget=tradeRequest"
STATUS = "/ouranos/api/v1/datatransport?dataTarget=status"
NOTES = "/ouranos/api/v1/datatransport?dataTarget=notification"
RESPONSE = "/ouranos/api/v1/datatransport?dataTarget=tradeResponse"

GRANT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["operatorId", "releasedToOperatorId", "traceId", "acl"],
    "additionalProperties": False,
    "properties": {
        "operatorId": {"type": "string"},
        "releasedToOperatorId": {"type": "string"},
        "traceId": {"type": "string"},
        "acl": {
            "type": "array",
            "minItems": 2,
            "maxItems": 2,
            "items": {
                "type": "object",
                "required": ["aclItemGroup", "releasedFlag"],
                "additionalProperties": False,
                "properties": {
                    "aclItemGroup": {"enum": ["TOTALCFP", "TOTALDQR"]},
                    "releasedFlag": {"type": "boolean"},
                },
            },
        },
    },
}
"""Our documented ``cfpAcl`` grant (the traceability API's ``POST /cfpAcl`` body)."""
_ID = {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}
NOTE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["notificationId", "notificationType", "notifiedAt", "tradeRelation"],
    "additionalProperties": False,
    "properties": {
        "notificationId": _ID,
        "notificationType": {
            "enum": ["REQUEST_NEW", "REQUEST_CANCELED", "REQUEST_REJECTED", "CFP_RESPONSED", "CFP_UPDATED"]
        },
        "notifiedAt": {"type": "string", "pattern": "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$"},
        "tradeRelation": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "tradeId",
                "requestId",
                "downstreamOperatorId",
                "upstreamOperatorId",
                "downstreamTraceId",
                "upstreamTraceId",
            ],
            "properties": {
                "tradeId": _ID,
                "requestId": _ID,
                "downstreamOperatorId": _ID,
                "upstreamOperatorId": _ID,
                "downstreamTraceId": _ID,
                "upstreamTraceId": {"anyOf": [_ID, {"type": "null"}]},
            },
        },
    },
}
"""A notification (the traceability API's ``GET /notifications`` item)."""


# --- a platform with a supplier B and two customers A and C ------------------------------------------------------


@pytest.fixture
def platform(make_services: Callable[..., Services], database_url: str) -> Services:
    return make_services(database_url, roles=(NodeRole.OURANOS_PLATFORM,))


@pytest.fixture
def api(platform: Services) -> Iterator[TestClient]:
    with TestClient(create_asgi(platform), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def abc(api: TestClient, platform: Services) -> tuple[Operator, Operator, Operator]:
    """A (customer), B (supplier), C (another customer), logged in."""
    made = (
        Operator(platform, "A社", "1234567890123", "oem_a@example.com"),
        Operator(platform, "B社", "1234567890124", "supplier_b@example.com"),
        Operator(platform, "C社", "1234567890125", "oem_c@example.com"),
    )
    for who in made:
        who.login(api)
    return made


def _plant_of(api: TestClient, who: Operator) -> str:
    """`who`'s plant, registered on first use."""
    plants = check(api.get(PLANT, headers=who.headers), "GET", PLANT, 200)
    return str(plants[0]["plantId"]) if plants else _plant(api, who)


def _children(api: TestClient, who: Operator, count: int, name: str = "パック") -> list[str]:
    """`who` registers a parent part `name` with `count` child parts (5 kg each); their `traceId`s."""
    parent = check(api.put(PARTS, json=_part(who, _plant_of(api, who), name), headers=who.headers), "PUT", PARTS, 201)
    kids = [_part(who, parent["plantId"], f"{name}-{i}", amountRequired=5) for i in range(count)]
    body = {"parentPartsModel": parent, "childrenPartsModel": kids}
    made = check(api.put(STRUCTURE, json=body, headers=who.headers), "PUT", STRUCTURE, 201)
    return [child["traceId"] for child in made["childrenPartsModel"]]


def _product(api: TestClient, who: Operator, name: str = "セル") -> str:
    """`who` registers a leaf product `name` (the same `traceId` again for the same name); its `traceId`."""
    part = _part(who, _plant_of(api, who), name, terminatedFlag=True)
    return str(check(api.put(PARTS, json=part, headers=who.headers), "PUT", PARTS, 201)["traceId"])


def _ask(api: TestClient, downstream: Operator, child: str, upstream: Operator) -> dict[str, Any]:
    """``PUT tradeRequest``: the sent `{tradeModel, statusModel}`."""
    trade = {
        "downstreamOperatorId": downstream.operator_id,
        "downstreamTraceId": child,
        "upstreamOperatorId": upstream.operator_id,
        "tradeId": None,
        "upstreamTraceId": None,
    }
    status: dict[str, Any] = {
        "message": "CFPをください",
        "replyMessage": None,
        "requestStatus": {},
        "requestType": "CFP",
    }
    body = {"tradeModel": trade, "statusModel": {**status, "statusId": None, "tradeId": None, "responseDueDate": None}}
    return dict(check(api.put(REQUEST, json=body, headers=downstream.headers), "PUT", REQUEST, 201))


def _link_url(sent: dict[str, Any], trace_id: str) -> str:
    return f"{RESPONSE}&tradeId={sent['tradeModel']['tradeId']}&traceId={trace_id}"


def _link(api: TestClient, upstream: Operator, sent: dict[str, Any], trace_id: str) -> None:
    url = _link_url(sent, trace_id)
    check(api.put(url, headers=upstream.headers), "PUT", url, 201)


def _set(api: TestClient, who: Operator, sent: dict[str, Any], status: str) -> None:
    body = {**sent["statusModel"], "requestStatus": {"cfpResponseStatus": status}, "replyMessage": "対応不可"}
    check(api.put(STATUS, json=body, headers=who.headers), "PUT", STATUS, 201)


def _register(api: TestClient, who: Operator, trace_id: str, pre: Any = 1, main: Any = 2) -> None:
    check(api.put(CFP, json=_cfp(trace_id, pre, main), headers=who.headers), "PUT", CFP, 201)


def _answers(api: TestClient, who: Operator, child: str) -> dict[str, Any]:
    """The `*Response` records `who` reads for its child part, by `cfpType` (each checked against CfpModel)."""
    url = f"{CFP}&traceIds={child}"
    return {r["cfpType"]: r for r in check(api.get(url, headers=who.headers), "GET", url, 200)}


def _notes(api: TestClient, who: Operator, query: str = "") -> list[dict[str, Any]]:
    response = api.get(NOTES + query, headers=who.headers)
    assert response.status_code == 200 and response.headers["X-Track"], response.text
    body: list[dict[str, Any]] = response.json()
    for note in body:
        jsonschema.Draft7Validator(NOTE_SCHEMA).validate(note)
    return body


def _types(api: TestClient, who: Operator) -> list[str]:
    return [note["notificationType"] for note in _notes(api, who)]


def _refused(response: Any, status: int) -> str:
    """A documented error (`common.HTTP4xxError`, ``X-Track``) on an extension route; its message."""
    assert response.status_code == status, response.text
    schema = _json_schema(_spec()["components"]["schemas"][f"common.HTTP{status}Error"])
    body = response.json()
    jsonschema.Draft7Validator(schema).validate(body)
    assert body["code"].endswith({400: "BadRequest", 403: "AccessDenied", 404: "NotFound"}[status])
    assert body["detail"].startswith("id: " + response.headers["X-Track"])
    return str(body["message"])


def _grants(api: TestClient, who: Operator, trace_id: str) -> list[dict[str, Any]]:
    response = api.get(f"{ACL}&traceId={trace_id}", headers=who.headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    for grant in body:
        jsonschema.Draft7Validator(GRANT_SCHEMA).validate(grant)
    return body


@pytest.fixture
def answered(api: TestClient, abc: tuple[Operator, Operator, Operator]) -> tuple[str, str]:
    """A asked B about A's child; B linked its product and registered its CFP: (A's child, B's product)."""
    a, b, _ = abc
    [child] = _children(api, a, 1)
    product = _product(api, b)
    _link(api, b, _ask(api, a, child, b), product)
    _register(api, b, product, pre=1, main=2)
    return child, product


# --- disclosure ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "emissions", "dqr"),
    [
        ({}, None, None),
        ({"TOTALCFP": True}, (1, 2), False),
        ({"TOTALDQR": True}, None, None),
        ({"TOTALCFP": True, "TOTALDQR": True}, (1, 2), True),
        ({"TOTALCFP": False, "TOTALDQR": True}, None, None),
    ],
    ids=["neither", "cfp-only", "dqr-only", "both", "cfp-withheld"],
)
def test_a_downstream_sees_exactly_the_groups_released_to_it(
    api: TestClient,
    abc: tuple[Operator, Operator, Operator],
    answered: tuple[str, str],
    groups: dict[str, bool],
    emissions: tuple[int, int] | None,
    dqr: bool | None,
) -> None:
    a, b, _ = abc
    child, product = answered
    if groups:
        grant = _grant(api, b, a, product, **groups)
        jsonschema.Draft7Validator(GRANT_SCHEMA).validate(grant)
        assert {i["aclItemGroup"]: i["releasedFlag"] for i in grant["acl"]} == {
            "TOTALCFP": groups.get("TOTALCFP", False),
            "TOTALDQR": groups.get("TOTALDQR", False),
        }
    seen = _answers(api, a, child)
    if emissions is None:
        assert seen == {}  # without TOTALCFP no answer record at all
        return
    assert set(seen) == {"preProductionResponse", "mainProductionResponse"}
    assert (seen["preProductionResponse"]["ghgEmission"], seen["mainProductionResponse"]["ghgEmission"]) == emissions
    expected = {"TeR": 1, "GeR": 2, "TiR": 3} if dqr else {"TeR": None, "GeR": None, "TiR": None}
    assert all(record["dqrValue"] == expected for record in seen.values())


def test_grants_change_what_is_seen_and_revoking_withdraws_it(
    api: TestClient, abc: tuple[Operator, Operator, Operator], answered: tuple[str, str]
) -> None:
    a, b, c = abc
    child, product = answered
    assert _answers(api, a, child) == {}
    _grant(api, b, a, product, TOTALCFP=True)
    assert _answers(api, a, child)["preProductionResponse"]["dqrValue"]["TeR"] is None
    _grant(api, b, a, product, TOTALDQR=True)  # naming one group leaves the other as it was
    assert _answers(api, a, child)["preProductionResponse"]["dqrValue"]["TeR"] == 1
    [grant] = _grants(api, b, product)
    assert (grant["operatorId"], grant["releasedToOperatorId"], grant["traceId"]) == (
        b.operator_id,
        a.operator_id,
        product,
    )
    assert [i["releasedFlag"] for i in grant["acl"]] == [True, True]
    # a grant is per downstream: C, answered from the same product, sees nothing until B grants it too
    [c_child] = _children(api, c, 1, "モジュール")
    _link(api, b, _ask(api, c, c_child, b), product)
    assert _answers(api, c, c_child) == {}
    _grant(api, b, c, product, TOTALCFP=True)
    assert _answers(api, c, c_child)["mainProductionResponse"]["ghgEmission"] == 2
    assert len(_grants(api, b, product)) == 2
    _grant(api, b, a, product, TOTALCFP=False)
    assert _answers(api, a, child) == {}
    assert _answers(api, c, c_child)["mainProductionResponse"]["ghgEmission"] == 2


def test_only_the_owner_of_the_part_grants_and_bad_grants_write_nothing(
    api: TestClient, abc: tuple[Operator, Operator, Operator], answered: tuple[str, str]
) -> None:
    a, b, c = abc
    child, product = answered
    good = {
        "operatorId": b.operator_id,
        "releasedToOperatorId": a.operator_id,
        "traceId": product,
        "acl": [{"aclItemGroup": "TOTALCFP", "releasedFlag": True}],
    }
    assert "operatorId" in _refused(api.put(ACL, json=good, headers=c.headers), 403)  # C names B as the owner
    assert "operatorId" in _refused(api.put(ACL, json=good, headers=a.headers), 403)  # so does the downstream
    as_c = {**good, "operatorId": c.operator_id}
    assert product in _refused(api.put(ACL, json=as_c, headers=c.headers), 404)  # not C's part (nor shown to exist)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert unknown in _refused(api.put(ACL, json={**good, "traceId": unknown}, headers=b.headers), 404)
    to_nobody = {**good, "releasedToOperatorId": unknown}
    assert "releasedToOperatorId" in _refused(api.put(ACL, json=to_nobody, headers=b.headers), 404)
    to_self = {**good, "releasedToOperatorId": b.operator_id}
    assert "$.releasedToOperatorId" in _refused(api.put(ACL, json=to_self, headers=b.headers), 400)
    bad_group = {**good, "acl": [{"aclItemGroup": "TOTALPCF", "releasedFlag": True}]}
    assert "$.acl[0].aclItemGroup" in _refused(api.put(ACL, json=bad_group, headers=b.headers), 400)
    bad_flag = {**good, "acl": [{"aclItemGroup": "TOTALDQR", "releasedFlag": "yes"}]}
    assert "$.acl[0].releasedFlag" in _refused(api.put(ACL, json=bad_flag, headers=b.headers), 400)
    twice = {**good, "acl": [good["acl"][0], good["acl"][0]]}
    assert "$.acl[1].aclItemGroup" in _refused(api.put(ACL, json=twice, headers=b.headers), 400)
    assert "$.acl" in _refused(api.put(ACL, json={**good, "acl": []}, headers=b.headers), 400)
    assert "$.traceId" in _refused(api.put(ACL, json={**good, "traceId": "x"}, headers=b.headers), 400)
    assert _grants(api, b, product) == []  # nothing was written
    assert _answers(api, a, child) == {}
    assert "traceId" in _refused(api.get(ACL, headers=b.headers), 400)
    assert product in _refused(api.get(f"{ACL}&traceId={product}", headers=a.headers), 404)


def test_deleting_a_part_deletes_its_grants(api: TestClient, abc: tuple[Operator, Operator, Operator]) -> None:
    a, b, _ = abc
    product = _product(api, b)
    _grant(api, b, a, product, TOTALCFP=True)
    url = f"{PARTS}&traceId={product}"
    check(api.delete(url, headers=b.headers), "DELETE", url, 204)
    _register(api, b, again := _product(api, b))  # the same identity gets a new traceId, ungranted
    assert again != product and _grants(api, b, again) == []
    assert product in _refused(api.get(f"{ACL}&traceId={product}", headers=b.headers), 404)


# --- notifications ---------------------------------------------------------------------------------------------------


def test_each_change_notifies_its_party_in_order(api: TestClient, abc: tuple[Operator, Operator, Operator]) -> None:
    a, b, _ = abc
    first, cancelled, rejected, late = _children(api, a, 4)
    product = _product(api, b)
    sent = _ask(api, a, first, b)
    assert _types(api, b) == ["REQUEST_NEW"] and _types(api, a) == []
    _link(api, b, sent, product)  # linked, but B has no CFP yet: not answered
    assert _types(api, a) == []
    _register(api, b, product)
    assert _types(api, a) == ["CFP_RESPONSED"]
    _register(api, b, product, pre=3)
    assert _types(api, a) == ["CFP_RESPONSED", "CFP_UPDATED"]
    _set(api, a, _ask(api, a, cancelled, b), "CANCEL")
    _set(api, b, _ask(api, a, rejected, b), "REJECT")
    _link(api, b, _ask(api, a, late, b), product)  # a product with a CFP answers at once
    assert _types(api, a) == ["CFP_RESPONSED", "CFP_UPDATED", "REQUEST_REJECTED", "CFP_RESPONSED"]
    assert _types(api, b) == ["REQUEST_NEW", "REQUEST_NEW", "REQUEST_CANCELED", "REQUEST_NEW", "REQUEST_NEW"]
    note = _notes(api, a)[0]
    assert note["tradeRelation"] == {
        "tradeId": sent["tradeModel"]["tradeId"],
        "requestId": sent["statusModel"]["statusId"],
        "downstreamOperatorId": a.operator_id,
        "upstreamOperatorId": b.operator_id,
        "downstreamTraceId": first,
        "upstreamTraceId": product,
    }
    assert note["notifiedAt"] == "2026-11-25T12:00:00Z"
    assert _notes(api, b)[0]["tradeRelation"]["upstreamTraceId"] is None  # REQUEST_NEW: nothing linked yet


def test_notifications_are_paged_oldest_first_with_a_link(
    api: TestClient, abc: tuple[Operator, Operator, Operator]
) -> None:
    a, b, _ = abc
    # the clock stands still: the order comes from the ids alone
    trade_ids = [_ask(api, a, child, b)["tradeModel"]["tradeId"] for child in _children(api, a, 3)]
    first = api.get(f"{NOTES}&limit=2", headers=b.headers)
    assert first.status_code == 200 and 'rel="next"' in first.headers["Link"]
    following = first.headers["Link"].split(">")[0].removeprefix("<")
    second = api.get(following, headers=b.headers)
    assert second.status_code == 200 and "Link" not in second.headers
    assert [n["tradeRelation"]["tradeId"] for n in [*first.json(), *second.json()]] == trade_ids
    assert _notes(api, b, f"&after={first.json()[-1]['notificationId']}") == second.json()
    assert "limit" in _refused(api.get(f"{NOTES}&limit=0", headers=b.headers), 400)
    assert _notes(api, a) == []  # only the caller's own


def test_listeners_hear_each_notification_after_commit_and_one_failing_breaks_nothing(
    api: TestClient, abc: tuple[Operator, Operator, Operator], platform: Services, caplog: pytest.LogCaptureFixture
) -> None:
    a, b, _ = abc
    assert platform.ouranos is not None
    service = platform.ouranos.notifications
    heard: list[tuple[dict[str, Any], list[Any]]] = []

    def failing(note: dict[str, Any]) -> None:
        note["notificationType"] = "MANGLED"  # each listener gets its own copy
        raise RuntimeError("listener down")

    def recording(note: dict[str, Any]) -> None:
        # called after the commit: a new transaction sees the notification already
        stored = service.list(Caller(b.operator_id, b.email)).items
        heard.append((note, list(stored)))

    service.subscribe(failing)
    service.subscribe(recording)
    [child] = _children(api, a, 1)
    with caplog.at_level(logging.ERROR, logger="passbridge.ouranos.notifications"):
        sent = _ask(api, a, child, b)
    [(note, stored)] = heard
    assert note["notificationType"] == "REQUEST_NEW"
    assert note["tradeRelation"]["tradeId"] == sent["tradeModel"]["tradeId"]
    assert stored == [note]
    assert "listener down" in caplog.text and note["notificationId"] in caplog.text
    assert _types(api, b) == ["REQUEST_NEW"]


def test_an_expired_token_reads_no_notifications(
    api: TestClient, abc: tuple[Operator, Operator, Operator], clock: FixedClock
) -> None:
    a, _, _ = abc
    clock.current += timedelta(hours=1)
    response = api.get(NOTES, headers=a.headers)
    assert response.status_code == 401 and "expired" in response.json()["message"]
    assert response.json()["code"] == "[auth] Unauthorized"
    wrong_key = api.get(NOTES, headers={**a.headers, "apiKey": "nope"})
    assert wrong_key.status_code == 403 and "Invalid key" in wrong_key.json()["message"]


# --- answers to closed requests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("closing", ["CANCEL", "REJECT"])
def test_an_answer_to_a_closed_request_is_refused_with_nothing_written(
    api: TestClient, abc: tuple[Operator, Operator, Operator], closing: str
) -> None:
    a, b, _ = abc
    linked_child, unlinked_child = _children(api, a, 2)
    product = _product(api, b)
    linked = _ask(api, a, linked_child, b)
    _link(api, b, linked, product)
    unlinked = _ask(api, a, unlinked_child, b)
    closer = a if closing == "CANCEL" else b
    _set(api, closer, linked, closing)
    _set(api, closer, unlinked, closing)
    before_a, before_b = _types(api, a), _types(api, b)
    message = refused(api.put(CFP, json=_cfp(product), headers=b.headers), "PUT", CFP, 400)
    assert closing in message and linked["tradeModel"]["tradeId"] in message and "answer" in message
    url = f"{CFP}&traceIds={product}"
    assert check(api.get(url, headers=b.headers), "GET", url, 200) == []  # B's CFP was not stored
    other = _product(api, b, "別セル")
    url = _link_url(unlinked, other)
    assert closing in refused(api.put(url, headers=b.headers), "PUT", url, 400)
    assert (_types(api, a), _types(api, b)) == (before_a, before_b)  # and nobody was notified
    status_url = f"{STATUS}&statusTarget=REQUEST&traceId={linked_child}"
    [status] = check(api.get(status_url, headers=a.headers), "GET", status_url, 200)
    assert status["requestStatus"]["cfpResponseStatus"] == closing
    # once an open request links the same product, registering answers that one only
    [fresh_child] = _children(api, a, 1, "別パック")
    _link(api, b, fresh := _ask(api, a, fresh_child, b), product)
    _register(api, b, product)
    notes = _notes(api, a)
    assert notes[-1]["notificationType"] == "CFP_RESPONSED"
    assert notes[-1]["tradeRelation"]["tradeId"] == fresh["tradeModel"]["tradeId"]
    assert [n["notificationType"] for n in notes].count("CFP_RESPONSED") == 1
