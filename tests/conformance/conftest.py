"""A real `passbridge serve` in conformance mode on a free loopback port, and a stand-in for the DSP TCK: an HTTP
server that records every message the node sends it and answers as the TCK does (201 + ACK for initial requests,
200 otherwise)."""

from __future__ import annotations

import json
import os
import queue
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.served import free_port, served_node

CONTEXT = "https://w3id.org/dspace/2025/1/context.jsonld"


@dataclass
class FakeTck:
    """What the node sent to the TCK: (path, body) in arrival order."""

    url: str
    received: queue.Queue[tuple[str, dict[str, Any]]] = field(default_factory=queue.Queue)


def _handler(tck: FakeTck) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            """Silent: the tests read what arrived (`FakeTck.received`), not the server's access log."""

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))) or b"{}")
            tck.received.put((self.path, body))
            status, answer = 200, {}
            if self.path.endswith(("/negotiations/request", "/transfers/request")):
                kind = "ContractNegotiation" if "negotiations" in self.path else "TransferProcess"
                status = 201
                answer = {
                    "@context": [CONTEXT],
                    "@type": kind,
                    "providerPid": f"urn:uuid:{uuid.uuid4()}",
                    "consumerPid": body.get("consumerPid"),
                    "state": "REQUESTED",
                }
            raw = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    return Handler


@pytest.fixture(scope="module")
def tck() -> Iterator[FakeTck]:
    port = free_port()
    fake = FakeTck(f"http://127.0.0.1:{port}")
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def node_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`passbridge serve` with ``PASSBRIDGE_DSP_CONFORMANCE=true`` on a free loopback port."""
    data_dir: Path = tmp_path_factory.mktemp("tck-node")
    env = {**os.environ, "PASSBRIDGE_DSP_CONFORMANCE": "true"}
    with served_node(data_dir, "/tck/.well-known/dspace-version", env=env) as url:
        yield url
    assert "DSP CONFORMANCE MODE IS ON" in (data_dir / "server.log").read_text(errors="replace")
