"""Start demo nodes as real servers on loopback: each node its own `bootstrap` (own data dir, SQLite file, keys) and
its own uvicorn server in a thread on a 127.0.0.1 port, so the nodes talk real HTTP to each other.

Layout: `RunningNode` (a node's services, URL and DID, and its server), `Launcher` (starts nodes, stops them all).

The listening socket is bound before the node is built: the port is part of the node's identity (its ``did:web``
is ``did:web:127.0.0.1%3A<port>``), so it must be known first and must stay ours until the server takes it.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from passbridge.api.app import create_asgi
from passbridge.bootstrap import Services, bootstrap
from passbridge.errors import PassbridgeError
from passbridge.settings import Settings

logger = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 30.0
LOOPBACK = "127.0.0.1"


class NodeDidNotStart(PassbridgeError):
    """A demo node's server did not come up in time."""


@dataclass
class RunningNode:
    """One demo node: its services (call them directly, as its operator would on its own machine), its URL and
    DID (for what other nodes do over HTTP), and the server serving it."""

    name: str
    title: str
    services: Services
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def url(self) -> str:
        """The node's base URL (``http://127.0.0.1:<port>``)."""
        return self.services.settings.effective_public_url

    @property
    def did(self) -> str:
        """The node's ``did:web``."""
        return self.services.identity.did

    def stop(self) -> None:
        """Stop the server (its lifespan stops the DSP worker) and release the node's resources."""
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.services.close()


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError:
        sock.close()
        raise
    return sock


@dataclass
class Launcher:
    """Starts demo nodes under `root` (one data directory each) and stops them all (`stop`, or leaving the
    ``with`` block)."""

    root: Path
    nodes: dict[str, RunningNode] = field(default_factory=dict)

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, name: str, title: str, *, port: int = 0, **settings: Any) -> RunningNode:
        """Build node `name` from `settings` (plus its data dir, loopback address and HTTP on loopback) and serve
        it; returns once it answers ``/healthz``. Port 0 takes a free port.

        Raises:
            OSError: `port` is taken.
            NodeDidNotStart: the server did not come up within `START_TIMEOUT_SECONDS`.
        """
        sock = _bind(port)
        chosen: int = sock.getsockname()[1]
        values: dict[str, Any] = {
            "data_dir": self.root / name,
            "host": LOOPBACK,
            "port": chosen,
            "allow_http_loopback": True,
            "identity_cache_seconds": 0,  # the demo shows a revocation taking effect at the next request
            "node_name": title,
        }
        try:
            services = bootstrap(Settings(**(values | settings)))
        except BaseException:
            sock.close()
            raise
        config = uvicorn.Config(create_asgi(services), log_level="warning", lifespan="on", access_log=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"node-{name}", daemon=True)
        thread.start()
        node = RunningNode(name, title, services, server, thread)
        self.nodes[name] = node
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                raise NodeDidNotStart(f"node {name} did not start on {node.url}")
            time.sleep(0.02)
        logger.info("demo node %s serving on %s", name, node.url)
        return node

    def stop(self) -> None:
        """Stop every node, last started first."""
        for node in reversed(list(self.nodes.values())):
            node.stop()
        self.nodes.clear()


__all__ = ["LOOPBACK", "START_TIMEOUT_SECONDS", "Launcher", "NodeDidNotStart", "RunningNode"]
