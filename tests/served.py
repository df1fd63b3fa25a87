"""A real `passbridge serve` in a subprocess on a free loopback port, for tests that drive a node with an external
tool or over real sockets (aas-test-engines, the DSP TCK cases): started in its own process group, stopped with
everything it started, its log shown when it does not come up."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port nothing listens on (now) on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ready(url: str) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
        return int(response.status) == 200
    return False


@contextlib.contextmanager
def served_node(
    data_dir: Path,
    ready_path: str,
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    port: int | None = None,
) -> Iterator[str]:
    """`passbridge serve --port <port or a free one> --data-dir data_dir [args]` until the block ends; yields its
    base URL once `ready_path` answers 200. The server's output is in ``data_dir/server.log``."""
    port = port or free_port()
    log_path = data_dir / "server.log"
    log = log_path.open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "passbridge", "serve", "--port", str(port), "--data-dir", str(data_dir), *args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(env) if env is not None else None,
        start_new_session=True,  # its own process group: stopped with everything it started
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _ready(url + ready_path):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the node did not start:\n" + log_path.read_text(errors="replace"))
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


__all__ = ["free_port", "served_node"]
