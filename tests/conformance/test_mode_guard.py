"""Conformance mode is off by default and cannot be switched on by accident on a reachable host."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from passbridge.api.app import create_app
from passbridge.api.routes.tck import check_conformance_host
from passbridge.bootstrap import Services
from passbridge.errors import ConfigurationError
from passbridge.settings import Settings


def test_off_by_default(make_services: Callable[..., Services]) -> None:
    assert Settings().dsp_conformance is False
    client = TestClient(create_app(make_services()))
    assert client.get("/tck/.well-known/dspace-version").status_code == 404
    assert client.post("/tck/negotiations/requests", json={}).status_code == 404


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_loopback_is_allowed(host: str) -> None:
    check_conformance_host(host, (), 1)


def test_refused_on_a_reachable_host_unless_allowed() -> None:
    with pytest.raises(ConfigurationError, match="dsp_conformance"):
        check_conformance_host("0.0.0.0", (), 1)
    with pytest.raises(ConfigurationError, match="dsp_conformance"):
        check_conformance_host("10.1.2.3", ("other",), 1)
    check_conformance_host("10.1.2.3", ("10.1.2.3",), 1)


def test_refused_with_several_workers() -> None:
    with pytest.raises(ConfigurationError, match="workers"):
        check_conformance_host("127.0.0.1", (), 2)


def test_app_refuses_a_reachable_host(make_services: Callable[..., Services]) -> None:
    with pytest.raises(ConfigurationError):
        create_app(make_services(host="0.0.0.0", dsp_conformance=True))
