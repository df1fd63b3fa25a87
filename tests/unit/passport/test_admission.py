"""How the fast route admits by members: a member remembered as checked vouches only for the same bytes, the facts are
every document's own, memory stays bounded, and documents that share nothing go whole."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from passbridge.errors import InvalidInput
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.admission import FastRoute
from passbridge.passport.samples import sample_passport
from passbridge.passport.services import decode_document


def _raw(doc: dict[str, Any]) -> bytes:
    return dumps_exact(doc)


def _unlike(n: int) -> bytes:
    """Sample passport `n` with its object members spaced by `n` (valid JSON, the same values): no two `_unlike`
    documents share the bytes of any member but the constant `specVersion`."""
    doc = sample_passport(1)
    parts = [f"{dumps_exact(name).decode()}:{_spaced(dumps_exact(value).decode(), n)}" for name, value in doc.items()]
    return ("{" + ",".join(parts) + "}").encode()


def _spaced(text: str, n: int) -> str:
    return text[0] + " " * n + text[1:] if text[0] in "{[" else text


def test_documents_that_repeat_members_still_get_their_own_facts() -> None:
    route = FastRoute()
    first, second = sample_passport(31), sample_passport(32)
    assert first["materials"] == second["materials"] and first["metadata"] != second["metadata"]
    assert route.by_members(_raw(first)) == decode_document(_raw(first))
    decoded = route.decoded
    facts = route.by_members(_raw(second))
    assert route.decoded - decoded == 2  # metadata and identification; the rest was remembered …
    assert facts == decode_document(_raw(second)) and facts != route.by_members(_raw(first))  # … the facts were not


@pytest.mark.parametrize(
    ("member", "path", "value"),
    [
        ("materials", ("hazardous", "lead", "concentration"), Decimal("1000001")),  # a rule beyond the schema
        ("materials", ("hazardous", "lead", "materialUnit"), "unit:gram"),  # the schema
        ("operation", ("intoServiceDate",), "2001-01-01"),  # before manufacturing: a rule
        ("sustainability", ("carbonFootprint", 0, "unit"), "kg CO2e / battery"),  # a rule
        ("identification", ("category",), "Spaceship"),  # the schema
    ],
)
def test_a_member_remembered_as_checked_does_not_vouch_for_a_changed_one(
    member: str, path: tuple[str | int, ...], value: Any
) -> None:
    route = FastRoute()
    doc = sample_passport(33)
    assert route.by_members(_raw(doc)) is not None
    node: Any = doc[member]
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    assert route.by_members(_raw(doc)) is None
    assert route.by_members(_raw(doc)) is None  # a refused member is not remembered as admitted either
    assert route.whole(_raw(doc)) is None
    with pytest.raises(InvalidInput):
        decode_document(_raw(doc))


def test_a_number_binary64_cannot_hold_is_caught_in_its_member() -> None:
    route = FastRoute()
    doc = sample_passport(34)
    assert route.by_members(_raw(doc)) is not None
    doc["materials"]["hazardous"]["lead"]["concentration"] = Decimal("99.99999999999999999")
    assert route.by_members(_raw(doc)) is None
    assert route.whole(_raw(doc)) is None
    assert decode_document(_raw(doc)) == route.by_members(_raw(sample_passport(34)))


def test_what_is_remembered_stays_bounded_in_values_and_bytes() -> None:
    route = FastRoute(cache_size=8)
    for n in range(40):  # each document brings two members of its own
        assert route.by_members(_raw(sample_passport(100 + n))) is not None
    values, held = route.remembered()
    assert values <= 8 + 8 + 11  # metadata's table, identification's, one value of every other member
    assert held < 11 * 1_000 + 16 * 2_000
    small = FastRoute(cache_bytes=20_000)  # fits one document's members (~8.4 KB), not three
    for n in range(1, 4):
        assert small.by_members(_unlike(n)) == decode_document(_unlike(n))
        assert small.remembered()[1] <= 20_000
    assert small.by_members(_raw(sample_passport(31))) == decode_document(_raw(sample_passport(31)))


def test_documents_that_share_nothing_go_whole_with_a_probe_now_and_then() -> None:
    route = FastRoute(probe_every=4)
    assert route.admit(_unlike(1)) == decode_document(_unlike(1))
    assert not route.going_by_members and route.decoded == 13
    for n in range(2, 10):
        assert route.admit(_unlike(n)) == decode_document(_unlike(n))
    assert (route.decoded, route.repeated) == (13 + 2 * 12, 2)  # probes by members at documents 5 and 9 (only the
    # constant `specVersion` repeated); the rest went whole
    for _ in range(8):  # repeating documents: the first probe remembers their members, the next finds them
        assert route.admit(_raw(sample_passport(1))) == decode_document(_raw(sample_passport(1)))
    assert route.going_by_members
