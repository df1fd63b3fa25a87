"""`run_demo`: start the two data spaces on loopback, tell the story end to end, then serve the OEM's node (or
stop, with ``serve=False``).

The story, in order (each step in its module): the authorities certify their members, the trust lists recognise
each other (`identity_steps`); the OEM's passports with QR codes, the supply chain's answers and roll-up filling
them, what each reader sees (`passport_steps`, with the lead's CFP crossing in `link_steps`); end of life and the
second-generation cell (`loop_steps`); a revocation refused across the data spaces (`identity_steps`). What it
found is written to ``<workdir>/outcome.json``.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from passbridge.demo import identity_steps, loop_steps, passport_steps
from passbridge.demo.launcher import Launcher
from passbridge.demo.narration import Narrator
from passbridge.demo.world import World, start_cast
from passbridge.errors import ConfigurationError

MARKER = ".passbridge-demo"
"""Marks a directory of demo nodes: only such a directory is wiped when the demo starts again."""
TARGET_SECONDS = 60


def run_story(world: World, say: Narrator) -> None:
    """Every step of the story, in order."""
    identity_steps.certify_members(world, say)
    identity_steps.recognise_each_other(world, say)
    passport_steps.create_passports(world, say)
    passport_steps.supply_chain_story(world, say)
    passport_steps.reads_story(world, say)
    loop_steps.end_of_life_story(world, say)
    loop_steps.second_life_story(world, say)
    identity_steps.revoke_across(world, say)


def _fresh_nodes_dir(workdir: Path) -> Path:
    """``<workdir>/nodes``, emptied: each run starts new nodes (their DIDs name their ports, which change).

    Raises:
        ConfigurationError: the directory exists, is not empty and is not a demo directory.
    """
    nodes = workdir / "nodes"
    if nodes.exists():
        if not (nodes / MARKER).exists() and any(nodes.iterdir()):
            raise ConfigurationError(f"--workdir: {nodes} exists and is not a passbridge demo directory")
        shutil.rmtree(nodes)
    nodes.mkdir(parents=True)
    (nodes / MARKER).write_text("nodes of `passbridge demo`; deleted when the demo runs again\n", encoding="utf-8")
    return nodes


def _cast(world: World, say: Narrator) -> None:
    say.section("passbridge demo: two data spaces on this machine")
    for node in world.nodes.values():
        say.say(f"{node.title:<70} {node.url}  {node.did}")


def _serve(world: World, say: Narrator) -> None:
    oem = world.oem
    say.section("serving")
    say.say(f"OEM node: {oem.url}/p/{world.passports[0]}  (passport page)   {oem.url}/docs  (API)")
    say.say(
        f"owner or reader tokens: passbridge token --role notified_body --data-dir {oem.services.settings.data_dir}"
    )
    say.say("every node keeps running until Ctrl-C")
    try:
        while all(node.thread.is_alive() for node in world.nodes.values()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        say.say("stopping every node")


def run_demo(workdir: Path, *, port: int, serve: bool, say: Narrator | None = None) -> dict[str, Any]:
    """Build the demo's nodes under `workdir`, tell the story, then serve until Ctrl-C (unless `serve` is False,
    when every node stops at once). The OEM listens on `port` when serving, on a free port otherwise. Returns
    the outcome (also in ``outcome.json``).

    Raises:
        ConfigurationError: `workdir` holds something else than an earlier demo.
        StoryStepFailed: a step got an answer it should not have.
    """
    say = say or Narrator()
    started = time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    with Launcher(_fresh_nodes_dir(workdir)) as launcher:
        world = start_cast(launcher, workdir, oem_port=port if serve else 0)
        try:
            _cast(world, say)
            run_story(world, say)
            elapsed = time.perf_counter() - started
            world.outcome["elapsedSeconds"] = round(elapsed, 2)
            (workdir / "outcome.json").write_text(json.dumps(world.outcome, indent=2), encoding="utf-8")
            say.section("done")
            verdict = "within" if elapsed < TARGET_SECONDS else "OVER"
            say.say(
                f"the whole story took {elapsed:.1f} s ({verdict} the {TARGET_SECONDS} s target); "
                f"outcome in {workdir / 'outcome.json'}"
            )
            if serve:
                _serve(world, say)
        finally:
            world.http.close()
    return world.outcome


__all__ = ["MARKER", "TARGET_SECONDS", "run_demo", "run_story"]
