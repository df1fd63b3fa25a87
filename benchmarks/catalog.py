"""DSP catalog requests per second with DCP verification, warm caches (issue #5: ≥ 3,000 / s).

    .venv/bin/python benchmarks/catalog.py                 # 6,000 requests, 4 client processes, 1 server worker
    .venv/bin/python benchmarks/catalog.py --workers 2     # the provider with two uvicorn worker processes
    .venv/bin/python benchmarks/catalog.py --quick         # 1,500 requests
    .venv/bin/python benchmarks/catalog.py --load wrk      # load from wrk (-t2 -c8, 8 s) instead of Python clients

Three real nodes on loopback, each `passbridge serve` (SQLite): a Catena-X authority (trust list, status list), a
provider company with a few passports, and a consumer company whose credential service answers the provider's
presentation queries; provider and consumer hold a MembershipCredential issued through DCP (README commands).

Every request is ``POST /dsp/2025-1/catalog/request`` on the provider with ``Authorization: Bearer <SI token>``: a
**fresh** self-issued ID token of the consumer each time (own ``jti``, so its signature and the replay guard run
per request), minted ahead of time in this process with the consumer's own keys (the consumer's `NodeIdentity`).
Warm caches: DID documents, trust list, status list and the verified presentation (cached per caller, as Tractus-X
EDC does) are filled by a warm-up phase that is not measured. The clients are separate processes (keep-alive
``http.client`` connections, one request at a time each); server and clients share the machine's cores.
With ``--load wrk`` the load comes from wrk instead (``-t2 -c8``, a Lua script giving each request the next unused
token: each thread takes every other line of the token file), whose own CPU per request is a fraction of a Python
client's, so more of the shared cores are left to the server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python benchmarks/catalog.py`

from benchmarks._common import (
    SHARED_CORES,
    WORK,
    WRK_DONE_LUA,
    Servers,
    machine,
    machine_line,
    run,
    run_wrk,
    table,
)
from benchmarks._dataspace import PASSBRIDGE, percentile, start_certified_nodes
from passbridge.bootstrap import bootstrap
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.samples import sample_passport
from passbridge.settings import load_settings

CATALOG_PATH = "/dsp/2025-1/catalog/request"
BODY = json.dumps({"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"})


def _client(port: int, tokens: list[str]) -> tuple[list[float], int, float, float]:
    """One client process: each token once, in order, on one keep-alive connection; latencies in ms."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, failures = [], 0
    started = time.perf_counter()
    for token in tokens:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        begin = time.perf_counter()
        connection.request("POST", CATALOG_PATH, body=BODY, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - begin) * 1000)
        failures += response.status != 200
    connection.close()
    return latencies, failures, started, time.perf_counter()


def _load(port: int, tokens: list[str], clients: int) -> tuple[list[float], int, float]:
    slices = [tokens[i::clients] for i in range(clients)]
    with ProcessPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(_client, [port] * clients, slices))
    latencies = [ms for result in results for ms in result[0]]
    wall = max(r[3] for r in results) - min(r[2] for r in results)
    return latencies, sum(r[1] for r in results), wall


WRK_TOKENS_LUA = """
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  local body = '%s'
  local lines, index = {}, 0
  for line in io.lines("%s") do
    if index %% %d == id then
      lines[#lines + 1] = wrk.format("POST", "%s", {["Authorization"] = "Bearer " .. line,
        ["Content-Type"] = "application/json"}, body)
    end
    index = index + 1
  end
  reqs, i = lines, 0
end
function request()
  i = i + 1
  if i > #reqs then i = 1 end  -- out of tokens: replays, refused and counted as errors
  return reqs[i]
end
"""
WRK_THREADS, WRK_CONNECTIONS, WRK_SECONDS, WRK_TOKENS = 2, 8, 8.0, 80_000


def _wrk(root: Path, port: int, tokens: list[str], servers: Servers) -> tuple[float, float, float, int, int, float]:
    """(requests/s, p50 ms, p99 ms, errors, requests, server CPU s) of one wrk run using each token once."""
    token_file = root / "tokens.txt"
    token_file.write_text("\n".join(tokens) + "\n")
    script = root / "catalog.lua"
    script.write_text(WRK_TOKENS_LUA % (BODY, token_file, WRK_THREADS, CATALOG_PATH) + WRK_DONE_LUA)
    ticks_before = servers.cpu_ticks()
    result = run_wrk(
        f"http://127.0.0.1:{port}{CATALOG_PATH}",
        script,
        threads=WRK_THREADS,
        connections=WRK_CONNECTIONS,
        seconds=WRK_SECONDS,
    )
    server_cpu = (servers.cpu_ticks() - ticks_before) / os.sysconf("SC_CLK_TCK")
    return result.rps, result.p50_ms, result.p99_ms, result.errors, result.requests, server_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the provider")
    parser.add_argument("--passports", type=int, default=5, help="passports in the provider's catalog")
    parser.add_argument("--quick", action="store_true", help="1,500 requests")
    parser.add_argument("--load", choices=("python", "wrk"), default="python", help="what sends the requests")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    total = 1500 if args.quick else args.requests
    info = machine()
    root = WORK / f"catalog-{int(time.time())}"
    root.mkdir(parents=True, exist_ok=True)
    with Servers(root) as servers:
        nodes = start_certified_nodes(root, servers, provider_workers=args.workers)
        ports, configs, env = nodes.ports, nodes.configs, nodes.env
        owner = run([PASSBRIDGE, "token", "--role", "owner", "--config", configs["provider"]], env=env).strip()
        for number in range(1, args.passports + 1):
            connection = http.client.HTTPConnection("127.0.0.1", ports["provider"], timeout=30)
            headers = {"Authorization": f"Bearer {owner}", "Content-Type": "application/json"}
            connection.request("POST", "/api/v1/passports", body=dumps_exact(sample_passport(number)), headers=headers)
            assert connection.getresponse().status == 201
            connection.close()
        provider = bootstrap(load_settings(configs["provider"]))
        provider_did = provider.identity.did
        provider.close()
        consumer = bootstrap(load_settings(configs["consumer"]))
        types = sorted({entry.credential_type for entry in consumer.identity.holder.wallet()})
        warmup = max(200, total // 10)
        if args.load == "wrk":
            total = WRK_TOKENS
        mint_start = time.perf_counter()
        tokens = [consumer.identity.holder.self_issued_token(provider_did, types) for _ in range(total + warmup)]
        mint_seconds = time.perf_counter() - mint_start
        consumer.close()
        _, warm_failures, _ = _load(ports["provider"], tokens[:warmup], args.clients)
        if warm_failures:
            raise RuntimeError(f"{warm_failures} warm-up catalog requests failed: see {root}/provider.log")
        if args.load == "wrk":
            rate, p50, p99, failures, count, server_cpu = _wrk(root, ports["provider"], tokens[warmup:], servers)
            load = f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS:g}s (each token once)"
        else:
            ticks_before = servers.cpu_ticks()
            latencies, failures, wall = _load(ports["provider"], tokens[warmup:], args.clients)
            server_cpu = (servers.cpu_ticks() - ticks_before) / os.sysconf("SC_CLK_TCK")
            rate, count = len(latencies) / wall, len(latencies)
            p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
            load = f"{args.clients} client processes"
    print(f"\nDSP catalog requests with DCP verification, warm caches, {count} requests (fresh SI tokens)")
    print(f"Machine: {machine_line(info)}")
    print(
        f"Provider: `passbridge serve`, {args.workers} worker(s), SQLite, catalog of {args.passports} passports + the "
        f"DTR; {load}; {SHARED_CORES.format(cores=info['cores'])}\n"
    )
    rows = [
        ["requests / s", f"{rate:,.0f}"],
        ["p50 ms", f"{p50:.2f}"],
        ["p99 ms", f"{p99:.2f}"],
        ["failures", str(failures)],
        ["server CPU s per request (ms)", f"{server_cpu / count * 1000:.2f}"],
        ["SI tokens minted ahead (per s, not counted)", f"{len(tokens) / mint_seconds:,.0f}"],
    ]
    print(table(["what", "value"], rows))
    print(f"\nTarget ≥ 3,000 / s: {'met' if rate >= 3000 else 'NOT met'}")
    if args.json:
        figures = {"rate": rate, "p50_ms": p50, "p99_ms": p99, "failures": failures, "server_cpu_s": server_cpu}
        args.json.write_text(json.dumps({"machine": info, "args": vars(args) | {"json": str(args.json)}, **figures}))


if __name__ == "__main__":
    main()
