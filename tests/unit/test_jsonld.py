"""`passbridge.jsonld`: expansion and compaction with bundled contexts only; nothing is ever fetched."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from passbridge import jsonld
from passbridge.errors import ProtocolError

POLICY_CONTEXT = "https://w3id.org/tractusx/policy/v1.0.0"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("jsonld tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_every_bundled_context_is_shipped_with_the_package() -> None:
    for filename in (*jsonld.BUNDLED.values(), jsonld.DSPACE_V0_8_CONTEXT_FILE, jsonld.DSPACE_V0_8_PLAIN_FILE):
        assert isinstance(jsonld.bundled_context(filename), dict)


@pytest.mark.usefixtures("no_network")
def test_a_bundled_remote_context_is_served_offline() -> None:
    (node,) = jsonld.expand({"@context": POLICY_CONTEXT, "cx-policy:UsagePurpose": "cx.pcf.base:1"})

    assert node == {"https://w3id.org/catenax/policy/UsagePurpose": [{"@value": "cx.pcf.base:1"}]}


@pytest.mark.usefixtures("no_network")
def test_an_unknown_context_url_is_refused_without_fetching() -> None:
    with pytest.raises(jsonld.ContextNotBundled) as caught:
        jsonld.expand({"@context": "https://attacker.example/ctx.jsonld", "name": "x"})

    assert caught.value.url == "https://attacker.example/ctx.jsonld"
    assert [v.path for v in caught.value.violations] == ["$.@context"]
    assert isinstance(caught.value, ProtocolError)


@pytest.mark.usefixtures("no_network")
def test_a_context_url_inside_a_compaction_context_is_refused_too() -> None:
    with pytest.raises(ProtocolError) as caught:
        jsonld.compact([{"http://purl.org/dc/terms/title": [{"@value": "t"}]}], "https://example.org/other")

    assert caught.value.violations[0].path == "$.@context"


def test_the_test_loader_serves_only_what_it_is_given() -> None:
    loader = jsonld.offline_loader({"https://example.org/ctx": {"@context": {"ex": "https://example.org/ns#"}}})

    (node,) = jsonld.expand({"@context": "https://example.org/ctx", "ex:a": 1}, loader=loader)

    assert node == {"https://example.org/ns#a": [{"@value": 1}]}
    with pytest.raises(jsonld.ContextNotBundled):
        jsonld.expand({"@context": POLICY_CONTEXT, "cx-policy:a": 1}, loader=loader)


def test_invalid_json_ld_is_a_protocol_error_at_the_context() -> None:
    with pytest.raises(ProtocolError) as caught:
        jsonld.expand({"@context": 42, "a": 1})

    assert caught.value.violations[0].path == "$.@context"


def test_compaction_uses_the_given_prefixes() -> None:
    context = jsonld.bundled_context(jsonld.DSPACE_V0_8_CONTEXT_FILE)

    out = jsonld.compact([{"https://w3id.org/dspace/v0.8/consumerPid": [{"@value": "c"}]}], context)

    assert out["dspace:consumerPid"] == "c"
