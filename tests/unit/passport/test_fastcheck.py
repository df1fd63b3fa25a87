"""The bulk import's fast route (`admission`, both ways, on `fastcheck`'s compiled types) is never more lenient than the
usual route: whatever it admits, `decode_document` accepts with the same facts; it admits the valid documents it was
built for; and the strict date patterns accept exactly the real calendar dates (from year 1000) and nothing the schema
refuses."""

from __future__ import annotations

import copy
import datetime
import json
import re
from decimal import Decimal
from typing import Any

import jsonschema_rs
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from passbridge.errors import InvalidInput
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.admission import FastRoute, admit
from passbridge.passport.battery_pass import BATTERY_PASS
from passbridge.passport.fastcheck import (
    SAMM_DATETIME,
    STRICT_DATE,
    STRICT_DATETIME,
    Member,
    compile_type,
    python_pattern,
)
from passbridge.passport.samples import sample_passport, sample_passport_id
from passbridge.passport.services import decode_document
from passbridge.passport.spec import Arr, Leaf, LeafKind, Obj, Prop, iter_leaves
from tests.fixtures_path import FIXTURES

_DATETIME_SCHEMA = jsonschema_rs.validator_for(
    {"type": "string", "format": "date-time", "pattern": SAMM_DATETIME}, validate_formats=True
)
_DATE_SCHEMA = jsonschema_rs.validator_for(
    {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}, validate_formats=True
)


def _raw(doc: dict[str, Any]) -> bytes:
    return dumps_exact(doc)


def _official() -> dict[str, Any]:
    text = (FIXTURES / "battery_passport" / "catenax_battery_pass_6.1.0_example.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return doc


@pytest.mark.parametrize("n", [1, 2, 17])
def test_a_valid_sample_is_admitted_with_the_facts_of_the_usual_route(n: int) -> None:
    raw = _raw(sample_passport(n))
    assert admit(raw) == decode_document(raw)


def test_a_successor_names_its_predecessor_on_both_routes() -> None:
    raw = _raw(sample_passport(4, status="repurposed", predecessor=sample_passport_id(3)))
    facts = admit(raw)
    assert facts is not None and facts == decode_document(raw)
    assert [p.value for p in facts.predecessors] == [sample_passport_id(3)]


def test_the_official_example_is_refused_for_its_impossible_date_and_admitted_with_a_real_one() -> None:
    doc = _official()
    assert doc["operation"]["intoServiceDate"] == "7172-75-08"
    assert admit(_raw(doc)) is None
    doc["operation"]["intoServiceDate"] = "2024-03-08"
    raw = _raw(doc)
    assert admit(raw) == decode_document(raw)


_SOC_TIME = ("performance", "dynamic", "stateOfCharge", "time")


def _with(path: tuple[str | int, ...], value: Any) -> bytes:
    doc = sample_passport(1)
    node: Any = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return _raw(doc)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (_SOC_TIME, "2024-01-01 10:00:00Z"),  # msgspec's own datetime would take these four
        (_SOC_TIME, "2024-01-01t10:00:00z"),
        (_SOC_TIME, "2024-01-01T10:00:00+0100"),
        (_SOC_TIME, "2024-01-01T10:00:00"),
        (_SOC_TIME, "2023-02-29T10:00:00Z"),
        (_SOC_TIME, "0000-01-01T10:00:00Z"),  # valid RFC 3339, but not for the fast route
        (_SOC_TIME, "2016-12-31T23:59:60Z"),  # a leap second: likewise
        (("metadata", "issueDate"), "2023-02-29"),
        (("metadata", "issueDate"), "2024-01-01T10:00:00Z"),
        (("operation", "intoServiceDate"), "2024-03-08\n"),
        (("metadata", "economicOperatorId"), "BPNL000000000001\n"),  # Python's `$` alone would let this through
        (("metadata", "economicOperatorId"), "BPNL00000000000\u0661"),  # an Arabic-Indic digit: not [a-zA-Z0-9]
        (("metadata", "passportIdentifier"), 7),
        (("metadata", "unknownMember"), "x"),
        (("sustainability", "status"), "Original"),
    ],
)
def test_what_the_fast_route_refuses_goes_the_usual_way(path: tuple[str, ...], value: Any) -> None:
    if path[-1] in {"time", "issueDate", "intoServiceDate"}:  # the same member with a good date is admitted
        assert admit(_with(path, "2024-01-01T10:00:00Z" if path == _SOC_TIME else "2030-01-01")) is not None
    assert admit(_with(path, value)) is None


def test_numbers_that_binary64_cannot_hold_exactly_go_the_usual_way() -> None:
    doc = sample_passport(1)
    doc["materials"]["hazardous"]["lead"]["concentration"] = Decimal("99.99999999999999999")
    assert admit(_raw(doc)) is None
    assert decode_document(_raw(doc)).passport_id.value == sample_passport_id(1)


def test_a_rule_beyond_the_schema_is_left_to_the_usual_route() -> None:
    doc = sample_passport(1)
    doc["metadata"]["expirationDate"], doc["metadata"]["issueDate"] = (
        doc["metadata"]["issueDate"],
        doc["metadata"]["expirationDate"],
    )
    assert admit(_raw(doc)) is None
    with pytest.raises(InvalidInput):
        decode_document(_raw(doc))


# --- the differential property: admitted ⇒ accepted by the usual route with the same facts -------------------------


def _paths(node: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(node, dict):
        return [prefix] + [p for key, value in node.items() for p in _paths(value, (*prefix, key))]
    if isinstance(node, list):
        return [prefix] + [p for i, value in enumerate(node) for p in _paths(value, (*prefix, i))]
    return [prefix]


_SAMPLE = sample_passport(1)
_PATHS = [p for p in _paths(_SAMPLE) if p]
_NEAR_DATES = st.from_regex(
    r"\A[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(\.[0-9]{0,3})?"
    r"([Zz]|[+-][0-9]{2}:?[0-9]{2})?)?\n?\Z"
)
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**17),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=10**6),
    st.text(max_size=24),
    _NEAR_DATES,
    st.sampled_from(["BPNL000000000001", "BPNA00000000000Z", "original", "unit:percent", "kg CO2e / kWh", ""]),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["key", "value", "x"]), st.text(max_size=3), max_size=2),
)
_MUTATION = st.tuples(st.sampled_from(["set", "delete", "add"]), st.sampled_from(_PATHS), _VALUES)


def _mutate(doc: dict[str, Any], kind: str, path: tuple[str | int, ...], value: Any) -> None:
    node: Any = doc
    for part in path[:-1]:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return  # an earlier mutation removed or replaced the way there
    last = path[-1]
    if isinstance(node, dict):
        if kind == "delete":
            node.pop(last, None)
        elif kind == "add":
            node[f"{last}X"] = value
        else:
            node[last] = value
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        if kind == "delete":
            del node[last]
        else:
            node[last] = value


def _like(current: Any) -> st.SearchStrategy[Any]:
    """Values near `current`: of its type and around the edges the schema draws, so many mutants stay valid."""
    if isinstance(current, bool):
        return st.booleans()
    if isinstance(current, int | float | Decimal):
        edges = st.sampled_from([0, -0.0, 100, 100.0, -1, 0.5, 99.99, 100.01, 1e-7, 10**6, 10**12 + 1])
        return st.one_of(edges, st.integers(-2, 10**13), st.decimals(-1, 10**6, places=4))
    if isinstance(current, str):
        text = st.sampled_from([current])
        return st.one_of(
            text,
            _NEAR_DATES,
            text.map(str.lower),
            text.map(lambda s: s + "\n"),
            text.map(lambda s: s.replace("T", " ")),
            st.tuples(text, st.integers(0, 40), st.characters()).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + 1 :]),
            st.text(max_size=12),
        )
    return _VALUES


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_whatever_the_fast_route_admits_the_usual_route_accepts_with_the_same_facts(data: st.DataObject) -> None:
    doc = copy.deepcopy(_SAMPLE)
    for _ in range(data.draw(st.integers(1, 3))):
        kind, path = (
            data.draw(st.sampled_from(["set", "set", "set", "delete", "add"])),
            data.draw(st.sampled_from(_PATHS)),
        )
        current: Any = doc
        for part in path:
            if isinstance(current, dict):
                current = current.get(part)
            elif isinstance(current, list) and isinstance(part, int) and part < len(current):
                current = current[part]
            else:
                current = None
        value = data.draw(_like(current) if kind == "set" and current is not None else _VALUES)
        _mutate(doc, kind, path, value)
    raw = _raw(doc)
    route = FastRoute()  # both ways, each from a cold start and (on the second document) warm
    for facts in (route.whole(raw), route.by_members(_raw(_SAMPLE)) and route.by_members(raw)):
        if facts is not None:
            assert decode_document(raw) == facts


# --- the strict date patterns ---------------------------------------------------------------------------------------


def _real(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("year", [1000, 1582, 1900, 1999, 2000, 2023, 2024, 2100, 2400, 9999])
def test_the_strict_date_accepts_exactly_the_real_calendar_days(year: int) -> None:
    for month in range(14):
        for day in range(33):
            text = f"{year:04d}-{month:02d}-{day:02d}"
            assert bool(re.search(STRICT_DATE, text)) == _real(year, month, day), text
            assert bool(re.search(STRICT_DATETIME, f"{text}T00:00:00Z")) == _real(year, month, day), text


@given(_NEAR_DATES)
def test_a_strict_date_time_is_one_the_schema_accepts(text: str) -> None:
    if re.search(STRICT_DATETIME, text):
        assert _DATETIME_SCHEMA.is_valid(text), text
    if re.search(STRICT_DATE, text):
        assert _DATE_SCHEMA.is_valid(text), text


@settings(max_examples=500)
@given(st.one_of(_NEAR_DATES, st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}.?\Z"), st.text(max_size=12)))
def test_a_date_msgspec_parses_is_one_the_schema_accepts(text: str) -> None:
    try:
        msgspec.json.decode(msgspec.json.encode(text), type=datetime.date)
    except msgspec.ValidationError:
        return
    assert _DATE_SCHEMA.is_valid(text), text


@given(st.from_regex(STRICT_DATETIME))
def test_every_strict_date_time_meets_the_samm_pattern_it_replaces(text: str) -> None:
    assert re.search(python_pattern(SAMM_DATETIME), text) and _DATETIME_SCHEMA.is_valid(text)


def test_the_strict_patterns_stand_in_for_every_date_pattern_of_the_model() -> None:
    patterns = {(leaf.kind, leaf.pattern) for _, leaf in iter_leaves(BATTERY_PASS)}
    assert {p for kind, p in patterns if kind is LeafKind.DATETIME} <= {SAMM_DATETIME, None}
    assert {p for kind, p in patterns if kind is LeafKind.DATE} <= {r"^\d{4}-\d{2}-\d{2}$", None}


# --- compiling ------------------------------------------------------------------------------------------------------


def test_python_pattern_anchors_at_the_very_end_and_keeps_ascii_classes() -> None:
    assert python_pattern(r"^a[$]\$b$") == r"(?a)^a[$]\$b\Z"
    assert re.search(python_pattern(r"^\d+$"), "12\n") is None
    assert re.search(python_pattern(r"^\d+$"), "\u0661\u0662") is None
    assert re.search(python_pattern(r"^\d+$"), "12")


def test_members_read_like_the_dict_they_stand_for() -> None:
    node = Obj((Prop("a-b", Leaf(LeafKind.STRING)), Prop("get", Leaf(LeafKind.INTEGER), required=False)))
    decoded = msgspec.json.decode(b'{"a-b": "x"}', type=compile_type(node))
    assert isinstance(decoded, Member)
    assert decoded["a-b"] == "x" and decoded.get("get", 5) == 5 and decoded.get("nope") is None
    with pytest.raises(KeyError):
        decoded["get"]
    assert msgspec.json.decode(b'{"a-b": "x", "get": 2}', type=compile_type(node)).get("get") == 2


@pytest.mark.parametrize(
    ("node", "raw"),
    [
        (Arr(Leaf(LeafKind.STRING), min_items=1), b"[]"),
        (Leaf(LeafKind.NUMBER, minimum=Decimal(0), maximum=Decimal(100)), b"100.5"),
        (Leaf(LeafKind.INTEGER), b"1.0"),
        (Leaf(LeafKind.STRING, max_length=2), b'"abc"'),
        (Leaf(LeafKind.STRING, enum=("a", "bb"), max_length=1), b'"bb"'),
        (Obj((Prop("a", Leaf(LeafKind.STRING)),)), b"{}"),
        (Obj((Prop("a", Leaf(LeafKind.STRING), required=False),)), b'{"a": null}'),
        (Obj((Prop("a", Leaf(LeafKind.STRING), required=False),)), b'{"b": "x"}'),
    ],
)
def test_compiled_types_refuse_what_the_schema_refuses(node: Any, raw: bytes) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(raw, type=compile_type(node))


def test_a_date_time_leaf_with_a_pattern_of_its_own_must_meet_both() -> None:
    decoder = msgspec.json.Decoder(compile_type(Leaf(LeafKind.DATETIME, pattern="^2024")))
    assert decoder.decode(b'"2024-02-29T00:00:00Z"') == "2024-02-29T00:00:00Z"
    for text in (b'"2025-01-01T00:00:00Z"', b'"2024-01-01 00:00:00Z"', b'"2024-02-30T00:00:00Z"'):
        with pytest.raises(msgspec.ValidationError):
            decoder.decode(text)


def test_a_bound_binary64_cannot_hold_is_a_compile_error() -> None:
    with pytest.raises(ValueError, match="not exact"):
        compile_type(Leaf(LeafKind.NUMBER, maximum=Decimal("0.1")))
