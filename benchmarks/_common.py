"""Shared helpers of the benchmark scripts: the machine, server processes that always stop, wrk runs as numbers.

Benchmarks are scripts, not tests (DESIGN §7): each prints its figures and the machine they were taken on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK = BENCH_DIR / ".work"
VENV_BIN = Path(sys.prefix) / "bin"
SHARED_CORES = "server and load tool share the same {cores} cores (loopback)"


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPU model, cores, RAM, Python, kernel, date."""
    cpuinfo = _read("/proc/cpuinfo")
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    mhz = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("cpu MHz")), "")
    mem_kib = next(
        (int(line.split()[1]) for line in _read("/proc/meminfo").splitlines() if line.startswith("MemTotal")), 0
    )
    return {
        "cpu": model or platform.processor() or platform.machine(),
        "cpu_mhz": mhz,
        "cores": os.cpu_count() or 0,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadavg": " ".join(_read("/proc/loadavg").split()[:3]),
        "busy_before_percent": cpu_busy(),
    }


def cpu_busy(seconds: float = 2.0) -> float:
    """Percent of all cores busy over `seconds` (from /proc/stat): other work on the machine skews every figure."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in _read("/proc/stat").splitlines()[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return round(100 * (1 - (idle1 - idle0) / max(total1 - total0, 1)), 1)


def wait_quiet(threshold: float, timeout: float) -> bool:
    """Wait until other work uses at most `threshold` % of the CPU (2 s samples); False after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cpu_busy() <= threshold:
            return True
    return False


def machine_line(info: Mapping[str, Any]) -> str:
    """One line for the report."""
    mhz = f" @ {float(info['cpu_mhz']):.0f} MHz" if info.get("cpu_mhz") else ""
    return (
        f"{info['cpu']}{mhz}, {info['cores']} cores, {info['ram_gib']} GiB RAM, Python {info['python']}, "
        f"Linux {info['kernel']}, {info['date']}; before the run: load average {info['loadavg']}, "
        f"{info['busy_before_percent']} % of the CPU busy with other work"
    )


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run(cmd: Sequence[object], *, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run a command to completion and return its stdout; on failure show its output and raise."""
    done = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, env=dict(env) if env else None, cwd=cwd, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"command failed ({done.returncode}): {' '.join(str(c) for c in cmd)}")
    return done.stdout


def http_get(url: str, headers: Mapping[str, str] | None = None, timeout: float = 10.0) -> tuple[int, bytes]:
    """Status and body of one GET (no exceptions for HTTP errors)."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read()


class Servers:
    """Server processes started in their own process groups, all stopped on exit, Ctrl-C or SIGTERM."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._procs: list[tuple[str, subprocess.Popen[bytes]]] = []

    def __enter__(self) -> Servers:
        signal.signal(signal.SIGTERM, _raise_exit)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()

    def start(
        self, name: str, cmd: Sequence[object], ready_url: str, *, env: Mapping[str, str], timeout: float = 60.0
    ) -> None:
        """Start `cmd` and wait until `ready_url` answers 200 (or raise, showing the server's log)."""
        log_path = self._log_dir / f"{name}.log"
        log = log_path.open("wb")
        proc = subprocess.Popen(
            [str(c) for c in cmd], stdout=log, stderr=subprocess.STDOUT, env=dict(env), start_new_session=True
        )
        log.close()
        self._procs.append((name, proc))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited ({proc.returncode}):\n{log_path.read_text()}")
            with contextlib.suppress(OSError):
                if http_get(ready_url, timeout=2)[0] == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready at {ready_url} after {timeout:.0f} s:\n{log_path.read_text()}")

    def cpu_ticks(self) -> int:
        """CPU time (clock ticks) used so far by every live process of every server's process group."""
        groups = {proc.pid for _name, proc in self._procs}
        return sum(ticks for pgid, ticks in _process_ticks() if pgid in groups)

    def stop_all(self) -> None:
        """SIGTERM each process group, then SIGKILL what is still alive after 10 s."""
        for _name, proc in self._procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for _name, proc in self._procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self._procs.clear()


def _raise_exit(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def _process_ticks() -> Iterator[tuple[int, int]]:
    """(process group, utime + stime ticks) of every process."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _read(f"/proc/{entry}/stat").rpartition(")")[2].split()
            if len(fields) > 12:
                yield int(fields[2]), int(fields[11]) + int(fields[12])


def _busy_ticks() -> int:
    """Ticks all cores spent not idle (steal included: the hypervisor gave them to someone else)."""
    fields = [int(x) for x in _read("/proc/stat").splitlines()[0].split()[1:9]]
    return sum(fields) - fields[3] - fields[4]


def _own_seconds() -> float:
    """CPU seconds of this process and its waited-for children (wrk)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# --- wrk -------------------------------------------------------------------------------------------------------

WRK_DONE_LUA = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,' ..
    '"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""

WRK_CYCLE_LUA = """
local paths = {%s}
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
function init(args)
  reqs = {}
  for k, p in ipairs(paths) do reqs[k] = wrk.format(nil, p) end
  n = #reqs
  i = ((offset or 0) * 997) %% n
end
function request()
  i = i + 1
  if i > n then i = 1 end
  return reqs[i]
end
"""

WRK_STOP_LUA = """
local answered = 0
function response(status, headers, body)
  answered = answered + 1
  if answered == %d then
    io.open(%s .. (offset or 0), "w"):close()
    wrk.thread:stop()
  end
end
"""


def wrk_binary() -> str:
    """Path of wrk, or exit telling how to install it."""
    found = shutil.which("wrk")
    if found is None:
        sys.exit("wrk not found; install it with: apt-get install -y wrk")
    return found


def wrk_version() -> str:
    """``wrk -v`` first line."""
    out = subprocess.run([wrk_binary(), "-v"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0].strip()


def write_lua(path: Path, request_paths: Sequence[str] | None = None, stop_after: int = 0) -> Path:
    """A wrk script: JSON summary in `done()`, cycling `request_paths` when given (pre-formatted, so cheap), each
    thread stopping after `stop_after` responses when > 0 (a `response()` hook slows wrk: warm-ups only)."""
    text = WRK_DONE_LUA
    if request_paths:
        text = WRK_CYCLE_LUA % ", ".join(json.dumps(p) for p in request_paths) + text
    if stop_after > 0:
        text += WRK_STOP_LUA % (stop_after, json.dumps(f"{path}.done-"))
    path.write_text(text)
    return path


@dataclass(frozen=True, slots=True)
class WrkResult:
    """One wrk run, in numbers."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    bytes_per_response: float
    errors: int
    command: str
    server_cpu: float = 0.0
    """Share of all cores the servers used during the run, percent; likewise wrk (+ this script) and the rest."""
    wrk_cpu: float = 0.0
    other_cpu: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return asdict(self)


def run_wrk(
    url: str,
    script: Path,
    *,
    threads: int = 2,
    connections: int = 32,
    seconds: float = 10.0,
    headers: Mapping[str, str] | None = None,
    servers: Servers | None = None,
) -> WrkResult:
    """Run wrk against `url` and read the JSON its `done()` hook prints (errors = socket errors + non-2xx/3xx),
    with how the cores were shared: `servers`, wrk, and other work on the machine."""
    cmd = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(script)]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    cmd.append(url)
    start = (time.monotonic(), _busy_ticks(), servers.cpu_ticks() if servers else 0, _own_seconds())
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    end = (time.monotonic(), _busy_ticks(), servers.cpu_ticks() if servers else 0, _own_seconds())
    capacity = (end[0] - start[0]) * CLK_TCK * (os.cpu_count() or 1) / 100  # ticks per percent
    server_cpu = (end[2] - start[2]) / capacity if servers else 0.0
    wrk_cpu = (end[3] - start[3]) * CLK_TCK / capacity
    other_cpu = max(0.0, (end[1] - start[1]) / capacity - server_cpu - wrk_cpu) if servers else 0.0
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout}{out.stderr}")
    raw = json.loads(line.removeprefix("WRKJSON "))
    secs = raw["duration_us"] / 1e6
    shown = " ".join(c if not c.startswith("Authorization") else "'Authorization: Bearer …'" for c in cmd[1:])
    return WrkResult(
        requests=raw["requests"],
        seconds=round(secs, 2),
        rps=round(raw["requests"] / secs, 1) if secs else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        bytes_per_response=round(raw["bytes"] / raw["requests"], 1) if raw["requests"] else 0.0,
        errors=sum(raw[k] for k in ("connect", "read", "write", "status", "timeout")),
        command="wrk " + shown,
        server_cpu=round(server_cpu, 1),
        wrk_cpu=round(wrk_cpu, 1),
        other_cpu=round(other_cpu, 1),
    )


def warm_wrk(url: str, script: Path, *, threads: int = 2, connections: int = 32, headers: Mapping[str, str]) -> None:
    """Run a `write_lua(..., stop_after=N)` script until every wrk thread has had its N responses.

    A thread that calls ``wrk.thread:stop()`` stops, but wrk itself waits out ``-d``; each thread leaves a marker
    file instead, and wrk is interrupted once all are there.
    """
    markers = [Path(f"{script}.done-{t}") for t in range(threads)]
    for marker in markers:
        marker.unlink(missing_ok=True)
    cmd = [wrk_binary(), f"-t{threads}", f"-c{connections}", "-d3600s", "-s", str(script)]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    with subprocess.Popen([*cmd, url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        try:
            while not all(m.exists() for m in markers):
                if proc.poll() is not None:
                    raise RuntimeError(f"wrk warm-up exited early ({proc.returncode}): {' '.join(cmd)}")
                time.sleep(0.1)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait()


def fmt_bytes(n: float) -> str:
    """1234 → '1.2 KB' (decimal units)."""
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    if n >= 1e3:
        return f"{n / 1e3:.1f} KB"
    return f"{n:.0f} B"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-markdown table, columns padded."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in [header, *rows]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


@contextlib.contextmanager
def timed(label: str) -> Iterator[None]:
    """Print how long a setup step took (stderr)."""
    start = time.perf_counter()
    yield
    sys.stderr.write(f"  {label}: {time.perf_counter() - start:.1f} s\n")


__all__ = [
    "BENCH_DIR",
    "REPO",
    "SHARED_CORES",
    "VENV_BIN",
    "WORK",
    "Servers",
    "WrkResult",
    "cpu_busy",
    "fmt_bytes",
    "free_port",
    "http_get",
    "machine",
    "machine_line",
    "run",
    "run_wrk",
    "table",
    "timed",
    "wait_quiet",
    "warm_wrk",
    "write_lua",
    "wrk_binary",
    "wrk_version",
]
