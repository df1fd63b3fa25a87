"""Several nodes in one test process, talking HTTP to each other through one `httpx.Client` whose transport
routes each ``http://127.0.0.1:<port>`` to that node's ASGI app (no sockets, no network)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from passbridge.api.app import create_asgi
from passbridge.bootstrap import Services, bootstrap
from passbridge.clock import Clock
from passbridge.identity.keys import MemoryKeyStore
from passbridge.settings import NodeRole, Settings


class RoutingTransport(httpx.BaseTransport):
    """Sends each request to the in-process node listening on its host:port; unknown hosts fail to connect."""

    def __init__(self) -> None:
        self.routes: dict[str, TestClient] = {}
        self.requests: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        netloc = request.url.netloc.decode()
        self.requests.append(f"{request.method} {request.url}")
        client = self.routes.get(netloc)
        if client is None:
            raise httpx.ConnectError(f"nothing listens on {netloc}", request=request)
        answer = client.request(
            request.method, str(request.url), headers=list(request.headers.multi_items()), content=request.read()
        )
        return httpx.Response(answer.status_code, headers=list(answer.headers.multi_items()), content=answer.content)


@dataclass
class Node:
    """One node: its services and a client for its API."""

    name: str
    services: Services
    client: TestClient

    @property
    def url(self) -> str:
        return self.services.settings.effective_public_url

    @property
    def did(self) -> str:
        return self.services.identity.did


@dataclass
class Network:
    """Nodes on ports 8100, 8101, … of 127.0.0.1, all sharing one clock."""

    root: Path
    clock: Clock
    transport: RoutingTransport = field(default_factory=RoutingTransport)
    nodes: list[Node] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.http = httpx.Client(transport=self.transport)

    def node(self, name: str, *, authority: bool = False, **settings: Any) -> Node:
        port = 8100 + len(self.nodes)
        data_dir = self.root / name
        roles = (NodeRole.AUTHORITY,) if authority else (NodeRole.COMPANY,)
        values: dict[str, Any] = {
            "data_dir": data_dir,
            "port": port,
            "roles": roles,
            "allow_http_loopback": True,
            "identity_cache_seconds": 0,
            "node_name": name,
        }
        services = bootstrap(
            Settings(**(values | settings)), clock=self.clock, key_store=MemoryKeyStore(), http_client=self.http
        )
        client = TestClient(create_asgi(services), raise_server_exceptions=False, base_url=f"http://127.0.0.1:{port}")
        client.__enter__()
        self.transport.routes[f"127.0.0.1:{port}"] = client
        node = Node(name, services, client)
        self.nodes.append(node)
        return node

    def close(self) -> None:
        for node in self.nodes:
            node.client.__exit__(None, None, None)
            node.services.engine.dispose()
        self.http.close()


__all__ = ["Network", "Node", "RoutingTransport"]
