"""`passbridge demo`: the thin entry to `passbridge.demo.run_demo` (the two data spaces and their story)."""

from __future__ import annotations

from pathlib import Path

from passbridge.demo import run_demo as _run


def run_demo(workdir: Path, *, port: int, serve: bool) -> None:
    """Start the demo's nodes under `workdir`, tell the story, then serve the OEM's node (unless `serve` is False)."""
    _run(workdir, port=port, serve=serve)


__all__ = ["run_demo"]
