"""`NotificationService` over the in-memory fake port: ids ordered oldest first whatever the clock does, the
recipient of each type, listeners isolated from each other."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.model import Kind, Record
from passbridge.ouranos.notifications import NotificationService, NotificationType
from tests.conftest import FixedClock
from tests.unit.ouranos.test_services import FakeRepository, FakeUnitOfWork

DOWN, UP = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


def _trade(trade_id: str = "33333333-3333-4333-8333-333333333333") -> Record:
    model = {
        "tradeId": trade_id,
        "downstreamOperatorId": DOWN,
        "upstreamOperatorId": UP,
        "downstreamTraceId": "44444444-4444-4444-8444-444444444444",
        "upstreamTraceId": None,
    }
    status = {"statusId": "55555555-5555-4555-8555-555555555555", "tradeId": trade_id}
    return Record(Kind.TRADE, trade_id, DOWN, {"tradeModel": model, "statusModel": status}, UP)


@pytest.fixture
def repo() -> FakeRepository:
    return FakeRepository()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))


@pytest.fixture
def service(repo: FakeRepository, clock: FixedClock) -> NotificationService:
    return NotificationService(lambda **_: FakeUnitOfWork(repo), clock)


def test_ids_are_time_ordered_uuids_even_when_the_clock_stands_still_or_goes_back(
    service: NotificationService, repo: FakeRepository, clock: FixedClock
) -> None:
    written: list[str] = []
    for step in range(5000):  # more than the 4096 sequence numbers of one millisecond
        if step == 4500:
            clock.current -= timedelta(hours=1)
        written.append(str(service.write(repo, NotificationType.REQUEST_NEW, _trade())["notificationId"]))
    assert written == sorted(written) and len(set(written)) == len(written)
    assert all(uuid.UUID(str(i)).version == 7 for i in written)
    first = uuid.UUID(str(written[0])).int >> 80
    assert first == int(datetime(2026, 11, 25, 12, 0, tzinfo=UTC).timestamp() * 1000)
    listed = service.list(Caller(UP, "u"), limit=100)
    assert [n["notificationId"] for n in listed.items] == written[:100]  # type: ignore[index, call-overload]
    assert listed.after == written[99]


@pytest.mark.parametrize(
    ("kind", "recipient"),
    [
        (NotificationType.REQUEST_NEW, UP),
        (NotificationType.REQUEST_CANCELED, UP),
        (NotificationType.REQUEST_REJECTED, DOWN),
        (NotificationType.CFP_RESPONSED, DOWN),
        (NotificationType.CFP_UPDATED, DOWN),
    ],
)
def test_each_type_goes_to_its_party(
    service: NotificationService, repo: FakeRepository, kind: NotificationType, recipient: str
) -> None:
    note = service.write(repo, kind, _trade())
    [stored] = repo.find(Kind.NOTIFICATION)
    assert (stored.operator_id, stored.ref, stored.doc) == (recipient, _trade().record_id, note)
    assert note["notifiedAt"] == "2026-11-25T12:00:00Z" and note["notificationType"] == kind.value
    other = DOWN if recipient == UP else UP
    assert service.list(Caller(other, "u")).items == []


def test_listeners_get_their_own_copy_and_one_failing_does_not_stop_the_others(
    service: NotificationService, repo: FakeRepository, caplog: pytest.LogCaptureFixture
) -> None:
    heard: list[dict[str, Any]] = []

    def spoiling(note: dict[str, Any]) -> None:
        note["tradeRelation"]["tradeId"] = "spoilt"
        raise ValueError("spoilt")

    service.subscribe(spoiling)
    service.subscribe(heard.append)
    note = service.write(repo, NotificationType.REQUEST_NEW, _trade())
    service.publish([note])
    assert heard == [note] and heard[0] is not note
    assert note["tradeRelation"]["tradeId"] == _trade().record_id  # type: ignore[call-overload, index]
    assert "spoilt" in caplog.text and "REQUEST_NEW" in caplog.text
