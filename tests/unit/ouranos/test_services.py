"""The Ouranos platform services over an in-memory fake of their repository port: a three-tier chain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

import pytest

from passbridge.errors import Forbidden, IllegalTradeTransition
from passbridge.identity.keys import generate
from passbridge.ouranos.accounts import Caller
from passbridge.ouranos.model import Account, ApiKey, Kind, Record
from passbridge.ouranos.services import OuranosPlatform


class FakeRepository:
    """`OuranosRepository` in dictionaries."""

    def __init__(self) -> None:
        self.records: dict[tuple[Kind, str], Record] = {}
        self.accounts: dict[str, Account] = {}
        self.keys: dict[str, ApiKey] = {}

    def get(self, kind: Kind, record_id: str) -> Record | None:
        return self.records.get((kind, record_id))

    def find(
        self,
        kind: Kind,
        *,
        operator_id: str | None = None,
        ref: str | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> Sequence[Record]:
        found = sorted(
            (
                r
                for (k, _), r in self.records.items()
                if k is kind
                and (operator_id is None or r.operator_id == operator_id)
                and (ref is None or r.ref == ref)
                and (after is None or r.record_id > after)
            ),
            key=lambda r: r.record_id,
        )
        return found[:limit] if limit is not None else found

    def get_many(self, kind: Kind, record_ids: Sequence[str]) -> dict[str, Record]:
        return {i: r for i in record_ids if (r := self.get(kind, i)) is not None}

    def find_refs(self, kind: Kind, refs: Sequence[str]) -> dict[str, list[Record]]:
        out: dict[str, list[Record]] = {}
        for ref in refs:
            found = list(self.find(kind, ref=ref))
            if found:
                out[ref] = found
        return out

    def put(self, record: Record) -> None:
        self.records[(record.kind, record.record_id)] = record

    def delete(self, kind: Kind, record_id: str) -> None:
        self.records.pop((kind, record_id), None)

    def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def put_account(self, account: Account) -> None:
        self.accounts[account.account_id] = account

    def api_key(self, key_hash: str) -> ApiKey | None:
        return self.keys.get(key_hash)

    def add_api_key(self, key: ApiKey) -> None:
        self.keys[key.key_hash] = key


class FakeUnitOfWork:
    def __init__(self, repo: FakeRepository) -> None:
        self.ouranos = repo

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        return None

    def commit(self) -> None:
        return None


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def platform() -> OuranosPlatform:
    repo = FakeRepository()
    return OuranosPlatform.build(lambda **_: FakeUnitOfWork(repo), Clock(), generate())


def _company(platform: OuranosPlatform, n: int) -> tuple[Caller, str]:
    operator_id, _ = platform.accounts.add_operator(f"社{n}", f"100000000000{n}", f"u{n}@example.com", "Passw0rd!")
    caller = Caller(operator_id, f"u{n}@example.com")
    plant = {"operatorId": operator_id, "plantName": "p", "plantAddress": "a", "openPlantId": "123456"}
    made: Any = platform.authinfo.put_plant(caller, {**plant, "plantId": None})
    return caller, str(made["plantId"])


def _part(caller: Caller, plant_id: str, name: str, amount: Any = None, *, end: bool = False) -> dict[str, Any]:
    return {
        "traceId": None, "operatorId": caller.operator_id, "plantId": plant_id, "partsName": name,
        "supportPartsName": None, "terminatedFlag": end, "amountRequired": amount, "amountRequiredUnit": "kilogram",
    }  # fmt: skip


def _cfp(trace_id: str, pre: str, main: str, pre_bought: str = "0", main_bought: str = "0") -> list[Any]:
    values = (
        ("preProduction", pre),
        ("mainProduction", main),
        ("preComponent", pre_bought),
        ("mainComponent", main_bought),
    )
    dqr = {"TeR": 1, "GeR": 1, "TiR": 1}
    return [
        {"cfpId": None, "traceId": trace_id, "ghgEmission": Decimal(v), "ghgDeclaredUnit": "kgCO2e/kilogram",
         "cfpType": t, "dqrType": "preProcessing" if t.startswith("pre") else "mainProcessing", "dqrValue": dqr}
        for t, v in values
    ]  # fmt: skip


def _ask(platform: OuranosPlatform, buyer: Caller, child: str, seller: Caller) -> str:
    trade = {
        "downstreamOperatorId": buyer.operator_id,
        "downstreamTraceId": child,
        "upstreamOperatorId": seller.operator_id,
    }
    status = {"requestType": "CFP", "message": None, "responseDueDate": None}
    sent = platform.trades.request(buyer, {"tradeModel": trade, "statusModel": status})
    return str(sent["tradeModel"]["tradeId"])  # type: ignore[index, call-overload]


def _structure(platform: OuranosPlatform, who: Caller, plant: str, name: str, amount: str) -> tuple[str, str]:
    body: Any = {
        "parentPartsModel": _part(who, plant, name),
        "childrenPartsModel": [_part(who, plant, f"{name}-1", Decimal(amount))],
    }
    made: Any = platform.parts.put_structure(who, body)
    return made["parentPartsModel"]["traceId"], made["childrenPartsModel"][0]["traceId"]


def test_counts_cover_the_upstream_tree_and_answers_are_totals(platform: OuranosPlatform) -> None:
    (a, pa), (b, pb), (c, pc) = (_company(platform, n) for n in (1, 2, 3))
    _, a_child = _structure(platform, a, pa, "pack", "5")
    b_product, b_child = _structure(platform, b, pb, "cell", "2")
    c_product = str(platform.parts.put_parts(c, _part(c, pc, "cathode", end=True))["traceId"])
    ab, bc = _ask(platform, a, a_child, b), _ask(platform, b, b_child, c)
    platform.trades.respond(b, ab, b_product)
    platform.trades.respond(c, bc, c_product)

    def a_status() -> tuple[Any, ...]:
        [status] = platform.trades.statuses(
            a, target="REQUEST", trace_id=None, status_id=None, size=10, after=None
        ).items
        request: Any = status["requestStatus"]  # type: ignore[index, call-overload]
        return (
            request["cfpResponseStatus"],
            request["tradesCount"],
            request["completedCount"],
            request["tradeTreeStatus"],
        )

    assert a_status() == ("NOT_COMPLETED", 2, 0, "UNTERMINATED")
    platform.cfp.put(c, _cfp(c_product, "1.5", "2"))
    assert a_status() == ("NOT_COMPLETED", 2, 1, "UNTERMINATED")  # the cathode maker answered; A sees only a count
    platform.cfp.put(b, _cfp(b_product, "1", "4", pre_bought="3", main_bought="4"))  # 2 kg x 1.5 and x 2
    assert a_status() == ("COMPLETED", 2, 2, "TERMINATED")
    assert platform.cfp.get(a, [a_child]) == []  # nothing is disclosed before B grants it
    acl: Any = [{"aclItemGroup": "TOTALCFP", "releasedFlag": True}]
    grant = {"operatorId": b.operator_id, "releasedToOperatorId": a.operator_id, "traceId": b_product, "acl": acl}
    platform.acl.put(b, grant)
    got: Any = {r["cfpType"]: r["ghgEmission"] for r in platform.cfp.get(a, [a_child])}  # type: ignore[index, call-overload]
    assert got == {"preProductionResponse": 4, "mainProductionResponse": 8}  # B's totals per kilogram of cell
    assert c.operator_id not in str(platform.cfp.get(a, [a_child])) + str(platform.trades.received(b, 10, None))


def test_only_the_parties_move_a_request_and_a_cancelled_one_stays_cancelled(platform: OuranosPlatform) -> None:
    (a, pa), (b, pb) = (_company(platform, n) for n in (1, 2))
    _, a_child = _structure(platform, a, pa, "pack", "5")
    trade_id = _ask(platform, a, a_child, b)
    with pytest.raises(Forbidden):
        platform.trades.set_status(b, {"tradeId": trade_id, "requestStatus": {"cfpResponseStatus": "CANCEL"}})
    platform.trades.set_status(a, {"tradeId": trade_id, "requestStatus": {"cfpResponseStatus": "CANCEL"}})
    b_part = str(platform.parts.put_parts(b, _part(b, pb, "cell", end=True))["traceId"])
    with pytest.raises(IllegalTradeTransition):
        platform.trades.respond(b, trade_id, b_part)
    with pytest.raises(IllegalTradeTransition):
        platform.trades.set_status(b, {"tradeId": trade_id, "requestStatus": {"cfpResponseStatus": "REJECT"}})
    assert platform.cfp.get(a, [a_child]) == []
