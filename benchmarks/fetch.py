"""Passport fetch through the data space (issue #5): cold (discovery → data) and warm (agreement and EDR reused).

    .venv/bin/python benchmarks/fetch.py              # 50 cold + 200 warm fetches
    .venv/bin/python benchmarks/fetch.py --quick      # 10 + 30

Three real nodes on loopback, each `passbridge serve` (one worker process, SQLite): a Catena-X authority, a provider
company with passports and a consumer company, both certified with MembershipCredential through DCP issuance (the
CLI commands of the README). Every DSP request between them is authenticated with DCP 1.0 (SI token → the caller's
credential service → presentation verified against the authority's trust list and status list).

A fetch is ``POST /api/v1/consumer/fetch`` on the consumer (what `passbridge fetch` does): the consumer resolves the
provider's DID document (DataService), reads its version metadata, asks for the dataset, negotiates (request →
agreement → verification → finalized, the provider's and consumer's follow-up messages sent by their outbox
workers), transfers (request → start with the EDR) and GETs the passport from the provider's data plane.

- **cold**: a passport this consumer has no agreement for (each run a different passport), after one warm-up fetch
  so that both nodes' identity caches (DID documents, trust list, status list) are filled as in a running system;
  the very first fetch (every cache cold) is reported separately;
- **warm**: the same passport again: the agreement and the EDR are reused, one data-plane request.

Times: "client" is the wall-clock time of the ``POST`` as the benchmark sees it; the steps are what the consumer
measured itself. Targets (issue #5): cold p50 ≤ 50 ms, warm p50 ≤ 5 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python benchmarks/fetch.py`

from benchmarks._common import WORK, Servers, machine, machine_line, run, table
from benchmarks._dataspace import PASSBRIDGE, percentile, start_certified_nodes
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.samples import sample_passport

STEPS = ("reuse", "discovery", "catalog", "negotiation", "transfer", "data")


def _post(url: str, body: bytes, token: str, timeout: float = 30.0) -> tuple[int, Any, float]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        status, raw = int(exc.code), exc.read()
    elapsed = (time.perf_counter() - start) * 1000
    return status, json.loads(raw), elapsed


def _stderr(cmd: list[Any], env: dict[str, str]) -> str:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed: {done.stdout}{done.stderr}")
    return done.stderr.strip()


def _summary(label: str, runs: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    client = [r["client_ms"] for r in runs]
    rows.append(
        [
            label,
            "client (POST /api/v1/consumer/fetch)",
            f"{statistics.median(client):.1f}",
            f"{percentile(client, 0.95):.1f}",
        ]
    )
    for step in STEPS:
        values = [r["timings"][step] for r in runs if step in r["timings"]]
        if values:
            rows.append([label, step, f"{statistics.median(values):.2f}", f"{percentile(values, 0.95):.2f}"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=50, help="cold fetches (each a different passport)")
    parser.add_argument("--warm", type=int, default=200, help="warm fetches")
    parser.add_argument("--quick", action="store_true", help="10 cold, 30 warm")
    parser.add_argument("--json", type=Path, help="write the raw runs here")
    args = parser.parse_args()
    cold_n, warm_n = (10, 30) if args.quick else (args.cold, args.warm)
    info = machine()
    root = WORK / f"fetch-{int(time.time())}"
    root.mkdir(parents=True, exist_ok=True)
    with Servers(root) as servers:
        nodes = start_certified_nodes(root, servers)
        urls, configs, env = nodes.urls, nodes.configs, nodes.env
        tokens = {
            name: run([PASSBRIDGE, "token", "--role", "owner", "--config", configs[name]], env=env).strip()
            for name in ("provider", "consumer")
        }
        passports = []
        for number in range(1, cold_n + 3):
            status, created, _ = _post(
                f"{urls['provider']}/api/v1/passports", dumps_exact(sample_passport(number)), tokens["provider"]
            )
            assert status == 201, created
            passports.append(created["id"])

        def fetch(passport: str) -> dict[str, Any]:
            body = json.dumps({"target": passport, "from": urls["provider"]}).encode()
            status, answer, elapsed = _post(f"{urls['consumer']}/api/v1/consumer/fetch", body, tokens["consumer"])
            if status != 200:
                raise RuntimeError(f"fetch failed ({status}): {answer}")
            return {"client_ms": elapsed, "timings": answer["timings"], "warm": answer["warm"]}

        first = fetch(passports[0])
        fetch(passports[1])  # warm-up: a second cold fetch fills the remaining caches
        cold = [fetch(p) for p in passports[2:]]
        warm = [fetch(passports[-1]) for _ in range(warm_n)]
        status, created, _ = _post(
            f"{urls['provider']}/api/v1/passports", dumps_exact(sample_passport(cold_n + 3)), tokens["provider"]
        )
        assert status == 201, created
        qr = f"{urls['provider']}/p/{created['id']}"
        cli = [PASSBRIDGE, "fetch", qr, "--config", configs["consumer"], "--out", root / "passport.json"]
        shown = [(" ".join(["passbridge", "fetch", qr, "--out", "passport.json"]), _stderr(cli, env)) for _ in range(2)]
    assert all(not r["warm"] for r in cold) and all(r["warm"] for r in warm)
    print(
        "\nPassport fetch through DSP 2025-1 + DCP 1.0, three `passbridge serve` nodes on loopback (SQLite, 1 worker)"
    )
    print(f"Machine: {machine_line(info)}\n")
    print(
        f"First fetch ever (all caches cold): {first['client_ms']:.1f} ms at the client; steps "
        + ", ".join(f"{k} {v:.1f}" for k, v in first["timings"].items())
    )
    print()
    rows = _summary(f"cold (n={len(cold)})", cold) + _summary(f"warm (n={len(warm)})", warm)
    print(table(["fetch", "step", "p50 ms", "p95 ms"], rows))
    cold_p50 = statistics.median(r["client_ms"] for r in cold)
    warm_p50 = statistics.median(r["client_ms"] for r in warm)
    print(
        f"\nTargets: cold p50 ≤ 50 ms: {cold_p50:.1f} ms {'met' if cold_p50 <= 50 else 'NOT met'}; "
        f"warm p50 ≤ 5 ms: {warm_p50:.1f} ms {'met' if warm_p50 <= 5 else 'NOT met'}"
    )
    print("\nThe same through the CLI (a new passport: cold, then warm):")
    for command, output in shown:
        print(f"$ {command}\n{output}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "first": first, "cold": cold, "warm": warm}, indent=1))


if __name__ == "__main__":
    main()
