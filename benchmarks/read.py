"""Public passport read over HTTP: `passbridge serve` against the Eclipse BaSyx Python AAS server, measured with wrk.

Target (DESIGN §7, issue #2): ``wrk -t2 -c32 -d10s --latency`` on loopback, public passport GET ≥ 13,000 req/s with
p99 ≤ 10 ms, i.e. ≥ 10x BaSyx (basyx-python-sdk 1.2.1 ``WSGIApp`` under gunicorn, 2 sync workers) serving a
submodel of the same passport's AAS export, in the same run. Also per role and per format, over a pool of passports.
The machine's cores are shared by the servers and wrk; every row says how (servers, wrk, other work).

    .venv/bin/python benchmarks/read.py            # full run: 3 interleaved rounds, ~8 min (+1 min to install BaSyx)
    .venv/bin/python benchmarks/read.py --quick    # smoke run (~1 min)
    .venv/bin/python benchmarks/read.py --json benchmarks/.work/read.json

Needs wrk (``apt-get install -y wrk``). BaSyx is installed into ``benchmarks/.work/basyx-venv`` from PyPI.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python benchmarks/read.py`

import passbridge
from benchmarks._common import (
    SHARED_CORES,
    VENV_BIN,
    WORK,
    Servers,
    WrkResult,
    fmt_bytes,
    free_port,
    http_get,
    machine,
    machine_line,
    run,
    run_wrk,
    table,
    timed,
    wait_quiet,
    warm_wrk,
    write_lua,
    wrk_binary,
    wrk_version,
)
from passbridge.jsoncodec import dumps_exact
from passbridge.passport.samples import sample_passport, sample_passport_id

BASYX_VERSION = "1.2.1"
BASYX_VENV = WORK / "basyx-venv"
TARGET_RPS = 13_000
TARGET_P99_MS = 10.0
TARGET_RATIO = 10.0
DISTURBED = 5.0  # percent of the CPU used by other work above which a run is taken again
RETRIES, QUIET_WAIT_S = 3, 180.0
WARM_PASSES = 16  # reads of each pool URL before measuring, over connections spread across both workers
ROLES = ("anonymous", "legitimate_interest", "notified_body", "owner")
FORMATS = ("catenax-6.1.0", "idta", "aas")
BASYX_SUBMODELS = ("TechnicalData", "HandoverDocumentation")  # the one issue #2 names; the largest by bytes

# basyx-python-sdk 1.2.1 maps `UnsignedInt` to "xs:unsignedByte" and has no entry for "xs:unsignedInt" (a valid AAS
# V3.0 DataTypeDefXsd), so it cannot load an environment using xs:unsignedInt (KeyError in the JSON reader). The
# module below corrects those two table entries, in both directions, before loading; nothing else is changed.
BASYX_WSGI = '''"""gunicorn entry point: BaSyx {version} WSGIApp over one passport's AAS environment (from read.py)."""
import os

from basyx.aas import model
from basyx.aas.adapter.aasx import DictSupplementaryFileContainer
from basyx.aas.adapter.http import WSGIApp
from basyx.aas.adapter.json.json_deserialization import read_aas_json_file_into
from basyx.aas.model import datatypes

datatypes.XSD_TYPE_NAMES[datatypes.UnsignedInt] = "xs:unsignedInt"
datatypes.XSD_TYPE_NAMES[datatypes.UnsignedByte] = "xs:unsignedByte"
datatypes.XSD_TYPE_CLASSES.update({{name: cls for cls, name in datatypes.XSD_TYPE_NAMES.items()}})

store = model.DictObjectStore()
read_aas_json_file_into(store, os.environ["BASYX_ENV_JSON"], failsafe=False)
app = WSGIApp(store, DictSupplementaryFileContainer())
'''


@dataclass(frozen=True, slots=True)
class Scenario:
    """One measured wrk run."""

    group: str
    name: str
    url: str
    seconds: float
    lua: Path
    warm_lua: Path | None = None  # pools: read every URL WARM_PASSES times first
    headers: dict[str, str] = field(default_factory=dict)
    server: str = "passbridge"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short smoke run (2 s runs, 100 passports)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--pool", type=int, default=None, help="passports in the pool (default 1000; quick 100)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of each server (default 2)")
    parser.add_argument("--repeat", type=int, default=None, help="rounds over all scenarios (default 3; quick 1)")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory under benchmarks/.work/")
    return parser.parse_args()


def load_passports(data_dir: Path, count: int) -> list[str]:
    """Import `count` sample passports through the CLI; their ids."""
    jsonl = data_dir.parent / "passports.jsonl"
    with jsonl.open("wb") as out:
        for n in range(count):
            out.write(dumps_exact(sample_passport(n)) + b"\n")
    run([VENV_BIN / "passbridge", "passport", "import", jsonl, "--data-dir", data_dir, "--jobs", "0"])
    return [sample_passport_id(n) for n in range(count)]


def basyx_python() -> Path:
    """The throwaway BaSyx venv's python, installing basyx-python-sdk + gunicorn on first use."""
    python = BASYX_VENV / "bin" / "python"
    check = [
        python,
        "-c",
        f"import importlib.metadata as m, gunicorn; assert m.version('basyx-python-sdk') == '{BASYX_VERSION}'",
    ]
    if python.exists():
        try:
            run(check)
            return python
        except RuntimeError:
            shutil.rmtree(BASYX_VENV)
    with timed(f"installing basyx-python-sdk=={BASYX_VERSION} + gunicorn into {BASYX_VENV}"):
        run([shutil.which("python3") or sys.executable, "-m", "venv", BASYX_VENV])
        run([python, "-m", "pip", "install", "--quiet", f"basyx-python-sdk=={BASYX_VERSION}", "gunicorn"])
        run(check)
    return python


def b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def count_leaves(node: Any) -> int:
    """Data elements (Property, MultiLanguageProperty, Range, File, …) below `node`."""
    if isinstance(node, dict):
        if node.get("modelType") in {"Property", "MultiLanguageProperty", "Range", "File", "Blob", "ReferenceElement"}:
            return 1
        return sum(count_leaves(v) for v in node.values())
    if isinstance(node, list):
        return sum(count_leaves(v) for v in node)
    return 0


def measure(scenario: Scenario, warmup: float, warmed: set[str], servers: Servers) -> WrkResult:
    """Warm up (once per scenario), then measure. Views are cached per worker process and rendered on first read
    (an AAS view takes ~15 ms), so a pool is first read WARM_PASSES times over per (role, format), which renders
    every view in every worker with near certainty; a single URL gets one short warm-up run."""
    key = json.dumps([scenario.url, str(scenario.warm_lua or scenario.lua), scenario.headers])
    if key not in warmed and scenario.warm_lua is None:
        run_wrk(scenario.url, scenario.lua, seconds=warmup, headers=scenario.headers)
    elif key not in warmed and scenario.warm_lua is not None:
        warm_wrk(scenario.url, scenario.warm_lua, headers=scenario.headers)
    warmed.add(key)
    for attempt in range(1 + RETRIES):  # a run that other work disturbed is taken again once the machine is quiet
        result = run_wrk(
            scenario.url, scenario.lua, seconds=scenario.seconds, headers=scenario.headers, servers=servers
        )
        if result.other_cpu <= DISTURBED or attempt == RETRIES:
            break
        sys.stderr.write(f"  (other work took {result.other_cpu:.0f} % of the CPU: waiting for quiet, then again)\n")
        wait_quiet(DISTURBED, QUIET_WAIT_S)
    flag = f"  ({result.errors} errors!)" if result.errors else ""
    sys.stderr.write(
        f"  {scenario.group:<9} {scenario.name:<44} {result.rps:>9,.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
        f"p99 {result.p99_ms:6.2f} ms  CPU {cpu_text(result)}{flag}\n"
    )
    return result


@dataclass(frozen=True, slots=True)
class Fixture:
    """The node's data, its tokens and the AAS export BaSyx serves."""

    work: Path
    data_dir: Path
    ids: list[str]
    tokens: dict[str, str]
    env: dict[str, str]
    env_json: Path
    submodels: dict[str, dict[str, Any]]


def prepare(work: Path, pool_size: int, pb_url: str) -> Fixture:
    """A fresh node with `pool_size` passports, role tokens, and the first passport's public AAS export."""
    data_dir = work / "data"
    data_dir.mkdir(parents=True)
    with timed(f"imported {pool_size} passports"):
        ids = load_passports(data_dir, pool_size)
    env = {**os.environ, "PASSBRIDGE_PUBLIC_URL": pb_url}
    cli = VENV_BIN / "passbridge"
    tokens = {r: run([cli, "token", "--role", r, "--data-dir", data_dir], env=env).strip() for r in ROLES[1:]}
    env_json = work / "aas-environment.json"
    export = ["passport", "export", ids[0], "--format", "aas", "--role", "anonymous", "--data-dir", data_dir]
    run([cli, *export, "-o", env_json], env=env)
    submodels = {sm["idShort"]: sm for sm in json.loads(env_json.read_text())["submodels"]}
    return Fixture(work, data_dir, ids, tokens, env, env_json, submodels)


def check_bodies(fx: Fixture, pb_url: str, bx_urls: dict[str, str]) -> dict[str, dict[str, int]]:
    """Body sizes; BaSyx must serve exactly the data elements our export holds, passbridge must answer 200."""
    probes: dict[str, dict[str, int]] = {}
    for name, url in bx_urls.items():
        status, body = http_get(url)
        served = json.loads(body) if status == 200 else {}
        expected = count_leaves(fx.submodels[name].get("submodelElements", []))
        if status != 200 or count_leaves(served.get("submodelElements", [])) != expected:
            raise RuntimeError(f"BaSyx {name}: HTTP {status}, not the {expected} data elements exported")
        probes[f"basyx {name}"] = {"body_bytes": len(body), "data_elements": expected}
    for fmt in FORMATS:
        status, body = http_get(f"{pb_url}/api/v1/passports/{fx.ids[0]}?format={fmt}")
        if status != 200:
            raise RuntimeError(f"passbridge {fmt}: HTTP {status}: {body[:300]!r}")
        probes[f"passbridge {fmt}"] = {"body_bytes": len(body), "data_elements": count_leaves(json.loads(body))}
    return probes


def plan(fx: Fixture, pb_url: str, bx_urls: dict[str, str], quick: bool) -> list[Scenario]:
    """What to measure, in order: BaSyx and passbridge on one passport (10 s), the pool, then roles and formats."""
    long_s, short_s = (2.0, 2.0) if quick else (10.0, 5.0)
    single = write_lua(fx.work / "single.lua")
    paths = {f: [f"/api/v1/passports/{i}?format={f}" for i in fx.ids] for f in FORMATS}
    pool = {f: write_lua(fx.work / f"pool-{f}.lua", paths[f]) for f in FORMATS}
    per_thread = WARM_PASSES * len(fx.ids) // 2  # wrk -t2
    warm = {f: write_lua(fx.work / f"warm-{f}.lua", paths[f], stop_after=per_thread) for f in FORMATS}
    one, cx = f"{pb_url}/api/v1/passports/{fx.ids[0]}", FORMATS[0]
    submodels = BASYX_SUBMODELS[:1] if quick else BASYX_SUBMODELS
    vs = [
        Scenario("vs BaSyx", f"BaSyx {BASYX_VERSION} GET submodel {n}", bx_urls[n], long_s, single, server="basyx")
        for n in submodels
    ]
    vs.append(Scenario("vs BaSyx", "passbridge GET passport (public, catenax-6.1.0)", one, long_s, single))
    vs.append(Scenario("vs BaSyx", "passbridge GET passport ?format=aas (public)", f"{one}?format=aas", long_s, single))
    name = f"passbridge public, {len(fx.ids)} passports cycled"
    pools = [Scenario("pool", name, pb_url, long_s, pool[cx], warm[cx])]
    for role in ROLES:
        auth = {"Authorization": f"Bearer {fx.tokens[role]}"} if role in fx.tokens else {}
        pools.append(Scenario("role", f"{role} ({cx}, pool)", pb_url, short_s, pool[cx], warm[cx], auth))
    pools += [Scenario("format", f"{f} (anonymous, pool)", pb_url, short_s, pool[f], warm[f]) for f in FORMATS]
    return vs + pools


def main() -> int:
    args = parse_args()
    wrk_binary()
    info = machine()
    sys.stderr.write(f"read benchmark on {machine_line(info)}\n")
    if info["busy_before_percent"] > 10:
        sys.stderr.write("WARNING: other work is using the CPU; the figures will be low (see 'other' per row)\n")
    WORK.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="read-", dir=WORK))  # one per run: concurrent runs must not collide
    try:
        text, data = measure_all(args, info, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    sys.stdout.write(text + "\n")
    if args.json:
        args.json.write_text(json.dumps(data, indent=2, default=str) + "\n")
        sys.stderr.write(f"wrote {args.json}\n")
    return 0


def measure_all(args: argparse.Namespace, info: dict[str, Any], work: Path) -> tuple[str, dict[str, Any]]:
    """Prepare the node and BaSyx, start both, run every scenario in rounds; the report."""
    pool_size: int = args.pool or (100 if args.quick else 1000)
    cores_note = SHARED_CORES.format(cores=info["cores"])
    pb_port, bx_port = free_port(), free_port()
    pb_url = f"http://127.0.0.1:{pb_port}"
    fx = prepare(work, pool_size, pb_url)
    python = basyx_python()
    (work / "basyx_wsgi.py").write_text(BASYX_WSGI.format(version=BASYX_VERSION))
    bx = f"http://127.0.0.1:{bx_port}/api/v3.0/submodels/"
    bx_urls = {name: bx + b64url(fx.submodels[name]["id"]) for name in BASYX_SUBMODELS}
    workers = str(args.workers)

    with Servers(work) as servers:
        serve = [VENV_BIN / "passbridge", "serve", "--data-dir", fx.data_dir, "--port", pb_port, "--workers", workers]
        servers.start("passbridge", serve, f"{pb_url}/healthz", env=fx.env)
        gunicorn = [python.parent / "gunicorn", "-w", workers, "-k", "sync", "-b", f"127.0.0.1:{bx_port}"]
        gunicorn += ["--chdir", work, "--log-level", "warning", "basyx_wsgi:app"]
        basyx_env = {**os.environ, "BASYX_ENV_JSON": str(fx.env_json)}
        servers.start("basyx", gunicorn, bx_urls["TechnicalData"], env=basyx_env)
        probes = check_bodies(fx, pb_url, bx_urls)
        sys.stderr.write(f"measuring ({cores_note}; {args.workers} workers per server):\n")
        warmup, warmed = (1.0 if args.quick else 2.0), set[str]()
        scenarios = plan(fx, pb_url, bx_urls, args.quick)
        runs: list[list[WrkResult]] = [[] for _ in scenarios]
        for round_ in range(args.repeat or (1 if args.quick else 3)):  # rounds, so slow spells hit every scenario
            sys.stderr.write(f" round {round_ + 1}\n")
            for scenario, done in zip(scenarios, runs, strict=True):
                done.append(measure(scenario, warmup, warmed, servers))
    results = [(s, median(done), done) for s, done in zip(scenarios, runs, strict=True)]
    return render(info, cores_note, results, probes, args, pool_size)


def stack() -> str:
    """passbridge's version and where it was imported from (a scratch copy on PYTHONPATH shows here), and its
    HTTP stack."""
    versions = ", ".join(
        f"{d} {metadata.version(d)}" for d in ("fastapi", "starlette", "uvicorn", "httptools", "uvloop")
    )
    return f"{passbridge.__version__} from {Path(passbridge.__file__).parent}; {versions}"


def body_text(probe: dict[str, int]) -> str:
    size = fmt_bytes(probe["body_bytes"])
    return f"{size} ({probe['data_elements']} AAS data elements)" if probe["data_elements"] else size


def median(runs: list[WrkResult]) -> WrkResult:
    """The run with the median req/s (the lower one of the middle two for an even count)."""
    return sorted(runs, key=lambda r: r.rps)[(len(runs) - 1) // 2]


def row(s: Scenario, r: WrkResult, runs: list[WrkResult], cores: int) -> list[str]:
    """One table row: the median run's figures, the range over all runs, and the shared cores."""
    spread = f"{min(x.rps for x in runs):,.0f} to {max(x.rps for x in runs):,.0f}"
    mbps = f"{r.rps * r.bytes_per_response / 1e6:.0f}"
    errors = str(sum(x.errors for x in runs))
    p50, p99, size = f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", fmt_bytes(r.bytes_per_response)
    return [s.group, s.name, f"{r.rps:,.0f}", spread, p50, p99, size, mbps, errors, f"{cores} cores: {cpu_text(r)}"]


def cpu_text(r: WrkResult) -> str:
    """How the cores were shared during a run, in percent of all of them."""
    return f"server {r.server_cpu:.0f} %, wrk {r.wrk_cpu:.0f} %, other {r.other_cpu:.0f} %"


def render(
    info: dict[str, Any],
    cores_note: str,
    results: list[tuple[Scenario, WrkResult, list[WrkResult]]],
    probes: dict[str, dict[str, int]],
    args: argparse.Namespace,
    pool_size: int,
) -> tuple[str, dict[str, Any]]:
    """The printed report and the JSON document (median run of each scenario by req/s, and every run)."""
    rounds = len(results[0][2])
    header = ["group", "what", "req/s", f"req/s range ({rounds} runs)", "p50 ms", "p99 ms", "bytes/resp", "MB/s"]
    header += ["errors", "CPU shared (median run)"]
    rows = [row(s, r, runs, info["cores"]) for s, r, runs in results]
    basyx = next(r for s, r, _ in results if s.server == "basyx")
    public = next(r for s, r, _ in results if s.server == "passbridge")
    aas = next(r for s, r, _ in results if "format=aas" in s.name)
    pool = next(r for s, r, _ in results if s.group == "pool")
    ratio, ratio_aas = public.rps / basyx.rps, aas.rps / basyx.rps
    disturbed = sum(x.other_cpu > DISTURBED for _, _, runs in results for x in runs)
    total = sum(len(runs) for _, _, runs in results)

    def verdict(r: WrkResult) -> str:
        ok = r.rps >= TARGET_RPS and r.p99_ms <= TARGET_P99_MS
        return f"{'met' if ok else 'MISSED'} ({r.rps:,.0f} req/s, p99 {r.p99_ms:.2f} ms)"

    lines = [
        f"Machine: {machine_line(info)}; wrk: {wrk_version()}",
        f"passbridge {stack()}",
        f"passbridge: `passbridge serve --workers {args.workers}` (uvicorn); BaSyx: basyx-python-sdk {BASYX_VERSION} "
        f"WSGIApp under gunicorn -w {args.workers} -k sync (no keep-alive in sync workers).",
        f"Load: wrk -t2 -c32 --latency, {cores_note}. Each row: the median of {rounds} run(s) by req/s, taken in "
        "interleaved rounds; p50/p99 are from that run.",
        "",
        f"All figures: {cores_note}.",
        "",
        table(header, rows),
        "",
        "Bodies: " + ", ".join(f"{k} {body_text(v)}" for k, v in probes.items()),
        f"Ratio passbridge public / BaSyx TechnicalData: {ratio:.1f}x (catenax-6.1.0), {ratio_aas:.1f}x (?format=aas); "
        f"target ≥ {TARGET_RATIO:.0f}x: {'met' if ratio >= TARGET_RATIO else 'MISSED'}",
        f"Target ≥ {TARGET_RPS:,} req/s with p99 ≤ {TARGET_P99_MS:.0f} ms — single passport: {verdict(public)}; "
        f"pool of {pool_size}: {verdict(pool)}",
        f"Runs still disturbed by other work (> {DISTURBED:.0f} % of the CPU after {RETRIES} retries): {disturbed} of "
        f"{total}.",
    ]
    data = {
        "benchmark": "read",
        "machine": info,
        "wrk": wrk_version(),
        "passbridge": stack(),
        "note": cores_note,
        "workers_per_server": args.workers,
        "rounds": rounds,
        "quick": bool(args.quick),
        "pool_size": pool_size,
        "bodies": probes,
        "results": [
            {"scenario": asdict(s), "median": r.as_dict(), "runs": [x.as_dict() for x in runs]}
            for s, r, runs in results
        ],
        "ratio_public_vs_basyx": round(ratio, 2),
        "ratio_aas_vs_basyx": round(ratio_aas, 2),
        "targets": {"rps": TARGET_RPS, "p99_ms": TARGET_P99_MS, "ratio": TARGET_RATIO},
    }
    return "\n".join(lines), data


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
