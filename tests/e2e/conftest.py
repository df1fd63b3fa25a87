"""Fixtures of the end-to-end tests that run several in-process nodes (`tests.network`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import FixedClock
from tests.network import Network


@pytest.fixture
def network(tmp_path: Path, clock: FixedClock) -> Iterator[Network]:
    """Nodes on 127.0.0.1:8100, 8101, … sharing the test's clock; closed after the test."""
    net = Network(tmp_path, clock)
    yield net
    net.close()


@pytest.fixture
def wire(network: Network, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request that crosses the network between nodes: ``<url> <request body> <status> <response body>``."""
    seen: list[str] = []
    original = network.transport.handle_request

    def spy(request: httpx.Request) -> httpx.Response:
        response = original(request)
        request_body = request.read().decode("utf-8", "replace")
        seen.append(
            f"{request.url} {request_body} {response.status_code} {response.content.decode('utf-8', 'replace')}"
        )
        return response

    monkeypatch.setattr(network.transport, "handle_request", spy)
    return seen
