"""The Ouranos-Catena-X link (issue #6): a Catena-X node's CFP request answered by an Ouranos operator through the
link, end to end; and the Ouranos API's throughput for ``GET …dataTarget=cfp`` with 50 trace ids.

    .venv/bin/python benchmarks/link.py              # 50 cold + 200 warm link fetches, 2,000 cfp reads
    .venv/bin/python benchmarks/link.py --quick      # 10 + 30, 300

Three real nodes on loopback, each `passbridge serve` (one worker process, SQLite): a Catena-X authority, the
Ouranos platform (its own authority) and a European OEM. Set up as a user would, with the CLI and the APIs: the
OEM certified by Catena-X over DCP; the authorities recognise each other (`passbridge authority recognise`); a
Japanese cathode maker added on the platform (`passbridge ouranos operator-add`), consenting to the link
(`passbridge link consent`: its presence, DID and Ouranos operator credential); the OEM presented as an operator
(`passbridge link participant-add`); through the Ouranos API the cathode maker registers its plant, its parts
(each with one child), their CFP, and grants the OEM's operator TOTALCFP and TOTALDQR (`dataTarget=cfpAcl`).

- **link, cold**: ``POST /api/v1/consumer/fetch`` on the OEM for a part it has no agreement for, from the
  operator's DID: discovery (the presence's DID document under the platform), catalog, negotiation, transfer and
  pull of the battery-component PCF 1.0.0 mapped from the Ouranos CFP — every DSP request DCP-authenticated, the
  OEM's Catena-X membership verified by the presence against the Ouranos trust list (recognition).
- **link, warm**: the same part again (agreement and EDR reused: one data-plane request).
- **Ouranos cfp read**: ``GET /ouranos/api/v1/datatransport?dataTarget=cfp&traceIds=<50 ids>`` by the cathode
  maker (API key + JWT; 50 parts x 4 records), 4 client threads.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python benchmarks/link.py`

from benchmarks._common import WORK, Servers, free_port, machine, machine_line, run, table
from benchmarks._dataspace import PASSBRIDGE, node_config, percentile

PASSWORD = "Passw0rd!"
ACCOUNT = "ops@kansai-cathode.example"
OEM_BPNL = "BPNL00000000EOEM"


def _call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any, float]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        status, raw = int(exc.code), exc.read()
    elapsed = (time.perf_counter() - start) * 1000
    return status, json.loads(raw) if raw else None, elapsed


def _ok(result: tuple[int, Any, float], what: str) -> Any:
    status, body, _ = result
    if status not in (200, 201):
        raise RuntimeError(f"{what} failed ({status}): {body}")
    return body


def _cfp(trace_id: str) -> list[dict[str, Any]]:
    rows = (
        ("preProduction", "preProcessing", 1.5, [2, 1, 1]),
        ("mainProduction", "mainProcessing", 2.5, [1, 1, 2]),
        ("preComponent", "preProcessing", 2.5, [3, 2, 1]),
        ("mainComponent", "mainProcessing", 0.5, [2, 2, 2]),
    )
    return [
        {
            "cfpId": None,
            "traceId": trace_id,
            "ghgEmission": value,
            "ghgDeclaredUnit": "kgCO2e/kilogram",
            "cfpType": kind,
            "dqrType": dqr_type,
            "dqrValue": dict(zip(("TeR", "GeR", "TiR"), dqr, strict=True)),
        }
        for kind, dqr_type, value, dqr in rows
    ]


def _setup(root: Path, servers: Servers, parts: int) -> dict[str, Any]:
    ports = {name: free_port() for name in ("cx", "ou", "oem")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    configs = {
        "cx": node_config(root, "cx", ports["cx"], roles=["authority"], data_space="catena-x"),
        "ou": node_config(root, "ou", ports["ou"], roles=["ouranos-platform", "authority"], data_space="ouranos"),
        "oem": node_config(root, "oem", ports["oem"], authority_url=urls["cx"]),
    }
    env = {"PYTHONUNBUFFERED": "1", **dict(__import__("os").environ)}
    for name, config in configs.items():
        servers.start(name, [PASSBRIDGE, "serve", "--config", str(config)], f"{urls[name]}/healthz", env=env)
    cx, ou, oem = (["--config", str(configs[n])] for n in ("cx", "ou", "oem"))
    claims = ["--claim", f"holderIdentifier={OEM_BPNL}", "--claim", "memberOf=Catena-X"]
    run(
        [PASSBRIDGE, "authority", "member-add", *cx, "--holder", urls["oem"], "--type", "MembershipCredential", *claims]
    )
    run([PASSBRIDGE, "credentials", "request", *oem, "--issuer", urls["cx"], "--type", "MembershipCredential"])
    run(
        [
            PASSBRIDGE,
            "authority",
            "recognise",
            *cx,
            "--issuer",
            urls["ou"],
            "--data-space",
            "ouranos",
            "--map",
            "OuranosOperatorCredential[certificationStatus=certified]=MembershipCredential",
            "--scope",
            "dataspace",
        ]
    )
    run(
        [
            PASSBRIDGE,
            "authority",
            "recognise",
            *ou,
            "--issuer",
            urls["cx"],
            "--data-space",
            "catena-x",
            "--map",
            "MembershipCredential[memberOf=Catena-X]=MembershipCredential",
            "--scope",
            "dataspace",
        ]
    )
    added = json.loads(
        run(
            [
                PASSBRIDGE,
                "ouranos",
                "operator-add",
                *ou,
                "--name",
                "Kansai Cathode K.K.",
                "--open-operator-id",
                "5120001000001",
                "--account",
                ACCOUNT,
                "--password",
                PASSWORD,
            ]
        )
    )
    operator_id, api_key = added["operatorId"], added["apiKey"]
    presence = json.loads(run([PASSBRIDGE, "link", "consent", operator_id, "--bpnl", "BPNL00000000KCJP", *ou]))
    oem_did = json.loads(run([PASSBRIDGE, "identity", "did", *oem]))["id"]
    participant = json.loads(
        run([PASSBRIDGE, "link", "participant-add", oem_did, "--bpnl", OEM_BPNL, "--name", "EU OEM GmbH", *ou])
    )
    api = f"{urls['ou']}/ouranos"
    login = _ok(
        _call(
            "POST",
            f"{api}/auth/login",
            {"operatorAccountId": ACCOUNT, "accountPassword": PASSWORD},
            {"apiKey": api_key},
        ),
        "login",
    )
    headers = {"apiKey": api_key, "Authorization": f"Bearer {login['accessToken']}"}
    plant = _ok(
        _call(
            "PUT",
            f"{api}/api/v1/authInfo?dataTarget=plant",
            {
                "operatorId": operator_id,
                "plantId": None,
                "plantName": "Osaka",
                "plantAddress": "Osaka",
                "openPlantId": "kansai000001",
                "plantAttribute": {"globalPlantId": None},
            },
            headers,
        ),
        "plant",
    )
    trace_ids: list[str] = []
    for n in range(parts):
        part = {
            "operatorId": operator_id,
            "traceId": None,
            "plantId": plant["plantId"],
            "supportPartsName": None,
            "terminatedFlag": False,
            "amountRequiredUnit": "kilogram",
        }
        structure = _ok(
            _call(
                "PUT",
                f"{api}/api/v1/datatransport?dataTarget=partsStructure",
                {
                    "parentPartsModel": {**part, "partsName": f"JP-CAM-{n}", "amountRequired": None},
                    "childrenPartsModel": [{**part, "partsName": f"NiSO4-{n}", "amountRequired": 0.42}],
                },
                headers,
            ),
            "partsStructure",
        )
        trace_id = structure["parentPartsModel"]["traceId"]
        _ok(_call("PUT", f"{api}/api/v1/datatransport?dataTarget=cfp", _cfp(trace_id), headers), "cfp")
        grant = {
            "operatorId": operator_id,
            "releasedToOperatorId": participant["operatorId"],
            "traceId": trace_id,
            "acl": [{"aclItemGroup": g, "releasedFlag": True} for g in ("TOTALCFP", "TOTALDQR")],
        }
        _ok(_call("PUT", f"{api}/api/v1/datatransport?dataTarget=cfpAcl", grant, headers), "cfpAcl")
        trace_ids.append(trace_id)
    token = run([PASSBRIDGE, "token", "--role", "owner", *oem]).strip()
    return {"urls": urls, "presence": presence["did"], "trace_ids": trace_ids, "headers": headers, "oem_token": token}


def _fetch(world: dict[str, Any], trace_id: str) -> dict[str, Any]:
    body = {"target": f"urn:uuid:{trace_id}", "from": world["presence"], "format": "battery-component-1.0.0"}
    headers = {"Authorization": f"Bearer {world['oem_token']}"}
    status, answer, elapsed = _call("POST", f"{world['urls']['oem']}/api/v1/consumer/fetch", body, headers)
    if status != 200:
        raise RuntimeError(f"link fetch failed ({status}): {answer}")
    stages = answer["passport"]["pcfValues"]["sharesPerStage"]
    assert stages["absPcfValue"]["stageValue"] == 7, stages  # 4 + 3 per kg: the operator's totals
    return {"client_ms": elapsed, "timings": answer["timings"], "warm": answer["warm"]}


def _cfp_reads(world: dict[str, Any], total: int, threads: int = 4) -> tuple[float, list[float]]:
    url = f"{world['urls']['ou']}/ouranos/api/v1/datatransport?dataTarget=cfp&traceIds=" + ",".join(
        world["trace_ids"][:50]
    )
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for _ in range(n):
            status, body, elapsed = _call("GET", url, headers=world["headers"])
            if status != 200 or len(body) != 200:
                raise RuntimeError(f"cfp read failed ({status})")
            with lock:
                latencies.append(elapsed)

    _call("GET", url, headers=world["headers"])
    start = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(total // threads,)) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies) / (time.perf_counter() - start), latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=50)
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--reads", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="10 cold, 30 warm, 300 reads")
    args = parser.parse_args()
    cold_n, warm_n, reads = (10, 30, 300) if args.quick else (args.cold, args.warm, args.reads)
    info = machine()
    root = WORK / f"link-{int(time.time())}"
    root.mkdir(parents=True, exist_ok=True)
    with Servers(root) as servers:
        world = _setup(root, servers, max(50, cold_n + 2))
        ids = world["trace_ids"]
        first = _fetch(world, ids[0])
        _fetch(world, ids[1])  # warm-up: fills the remaining identity caches
        cold = [_fetch(world, trace_id) for trace_id in ids[2 : 2 + cold_n]]
        _fetch(world, ids[-1])  # its agreement and EDR, reused by every warm fetch
        warm = [_fetch(world, ids[-1]) for _ in range(warm_n)]
        per_second, latencies = _cfp_reads(world, reads)
    assert all(not r["warm"] for r in cold) and all(r["warm"] for r in warm)
    print("\nOuranos-Catena-X link: three `passbridge serve` nodes on loopback (SQLite, 1 worker each)")
    print(f"Machine: {machine_line(info)}\n")
    print(f"First link fetch ever (all caches cold): {first['client_ms']:.1f} ms")
    rows = []
    for label, runs in ((f"cold (n={len(cold)})", cold), (f"warm (n={len(warm)})", warm)):
        client = [r["client_ms"] for r in runs]
        rows.append([label, "client", f"{statistics.median(client):.1f}", f"{percentile(client, 0.99):.1f}"])
        for step in ("discovery", "catalog", "negotiation", "transfer", "data"):
            values = [r["timings"][step] for r in runs if step in r["timings"]]
            if values:
                rows.append([label, step, f"{statistics.median(values):.2f}", f"{percentile(values, 0.99):.2f}"])
    print(table(["link fetch (Catena-X OEM ← Ouranos operator)", "step", "p50 ms", "p99 ms"], rows))
    print(
        f"\nOuranos GET dataTarget=cfp, 50 traceIds (200 records), 4 client threads: {per_second:,.0f} req/s, "
        f"p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms (n={len(latencies)})"
    )


if __name__ == "__main__":
    main()
