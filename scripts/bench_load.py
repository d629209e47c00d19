"""Load benchmark: many concurrent API clients against the served app (docs/benchmarks.md, Load).

    python scripts/bench_load.py                                   # 100 clients, 60 s, a fresh sample
    python scripts/bench_load.py --db /tmp/wh/warehouse.duckdb --clients 100 --duration 60 \\
        --json /tmp/bench_load.json

What it does:

1. The warehouse: ``--db``, or ``<workdir>/warehouse.duckdb`` built with
   ``genai-analyzer build --db <that> --quiet`` (the embedded sample) when it does not exist.
2. The server: ``genai-analyzer serve --db <warehouse> --port <free port>`` in its own process
   group, exactly as an operator starts it; ready when ``GET /`` answers 200.
3. One warm-up call per endpoint (the first search loads the embedding model); not counted.
4. ``--clients`` asyncio clients, each with its own HTTP connection (httpx) and Gradio session,
   calling for ``--duration`` seconds, each call an endpoint drawn at random with equal weight:
   kpis, timeseries, chart, search, sessions, session, generation, ask, with varied arguments (a
   chart, query, mode, sort key, session or generation id, question, or filters). A call is
   Gradio's plain HTTP API: ``POST /gradio_api/call/<endpoint>``, then the event stream until its
   ``complete`` or ``error`` event; its latency runs from the POST to that event, queueing
   included. Calls under way at the end are waited for and counted.
5. The server's memory: resident set size of the server process and all its children (the
   copilot's query workers) summed, sampled every 0.25 s; the peak is reported, with the figure
   after the warm-up.

Errors are calls answered with an ``error`` event, an HTTP error, or no answer within
``--timeout`` seconds. The clients run on the same machine as the server, so on a small machine
they compete with it for the cores: the throughput is a lower bound. Prints a Markdown table;
``--json`` also writes every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
import numpy as np
import psutil

ENDPOINTS = ("kpis", "timeseries", "chart", "search", "sessions", "session", "generation", "ask")
CHARTS = (
    "daily activity",
    "outcomes",
    "latency by hour and tier",
    "friction by tier",
    "weekly performance",
    "domains",
    "art styles",
    "complexity",
)
QUERIES = ("cat", "portrait of a woman", "city at night", "dragon", "castle in the clouds", "robot", "forest")
MODES = ("hybrid", "semantic", "keyword")
SORT_KEYS = ("friction", "duration", "failures", "cost", "generations", "started")
QUESTIONS = (
    "generations by tier",
    "error rate by tier",
    "average latency by tier",
    "top 10 users by revenue",
    "sessions per day",
    "failure rate by art style",
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ensure_warehouse(db: Path) -> None:
    if db.exists():
        return
    log(f"building the sample warehouse at {db} ...")
    db.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "genai_analyzer.cli", "build", "--db", str(db), "--quiet"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def server(db: Path, port: int, log_path: Path, ready_timeout: float = 300.0):
    """``genai-analyzer serve`` in a process group of its own; yields (url, process)."""
    command = [sys.executable, "-m", "genai_analyzer.cli", "serve", "--db", str(db), "--port", str(port)]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    with open(log_path, "wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}; see {log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {ready_timeout:.0f} s; see {log_path}")
            time.sleep(0.5)
        yield url, process
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Stop the server's process group (the server and its query workers): SIGINT, then SIGKILL."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


class MemorySampler:
    """Peak RSS of a process and its children, summed, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.25):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = self.peak_server = self.peak_children = 0
        self.max_children = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        total = own = 0
        try:
            own = self.root.memory_info().rss
            children = self.root.children(recursive=True)
        except psutil.Error:
            return 0
        total = own
        for child in children:
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        self.peak = max(self.peak, total)
        self.peak_server = max(self.peak_server, own)
        self.peak_children = max(self.peak_children, total - own)
        self.max_children = max(self.max_children, len(children))
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- the clients ---------------------------------------------------------------------------------


class Calls:
    """Gradio's plain HTTP API for the app's named endpoints, arguments by name."""

    def __init__(self, info: dict):
        self.params = {
            name.lstrip("/"): [p["parameter_name"] for p in spec["parameters"]]
            for name, spec in info["named_endpoints"].items()
        }
        missing = [e for e in ENDPOINTS if e not in self.params]
        if missing:
            raise RuntimeError(f"the server has no endpoint {', '.join(missing)}")

    async def call(self, client: httpx.AsyncClient, name: str, arguments: dict, session: str, timeout: float):
        """(ok, result, error text) of one call, waiting for its complete or error event."""
        data = [arguments.get(p) for p in self.params[name]]
        response = await client.post(
            f"gradio_api/call/{name}", json={"data": data, "session_hash": session}, timeout=timeout
        )
        if response.status_code != 200:
            return False, None, f"HTTP {response.status_code}: {response.text[:200]}"
        event_id = response.json()["event_id"]
        event = None
        async with client.stream("GET", f"gradio_api/call/{name}/{event_id}", timeout=timeout) as stream:
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event == "complete":
                    return True, json.loads(line[len("data: ") :]), None
                elif line.startswith("data: ") and event == "error":
                    return False, None, f"error event: {line[len('data: ') :][:300]}"
        return False, None, f"the stream ended without an answer (last event {event})"


def arguments(name: str, rng: random.Random, ids: dict, choices: dict) -> dict:
    """Varied, valid arguments for one call of ``name``."""
    filters = {}
    if name in ("kpis", "timeseries", "chart", "search", "sessions") and rng.random() < 0.5:
        filters = {"tiers": rng.sample(choices["tiers"], k=rng.randint(1, len(choices["tiers"])))}
    if name == "chart":
        return {"chart": rng.choice(CHARTS), **filters}
    if name == "search":
        return {"query": rng.choice(QUERIES), "mode": rng.choice(MODES), "limit": 24, **filters}
    if name == "sessions":
        return {"sort_by": rng.choice(SORT_KEYS), "descending": rng.random() < 0.8, "limit": 20, **filters}
    if name == "session":
        return {"session_id": rng.choice(ids["sessions"])}
    if name == "generation":
        return {"generation_id": rng.choice(ids["generations"])}
    if name == "ask":
        return {"question": rng.choice(QUESTIONS)}
    return filters


async def warm_up(url: str, calls: Calls, timeout: float) -> tuple[dict, dict, dict]:
    """The ids and filter values the clients draw from (from the API itself: sessions, and the
    generations some searches find), then one call of each endpoint, timed but not counted."""
    async with httpx.AsyncClient(base_url=url) as client:

        async def result(name: str, **arguments):
            ok, payload, error = await calls.call(client, name, arguments, "warm-up", timeout)
            if not ok:
                raise RuntimeError(f"warm-up /{name} failed: {error}")
            return payload[0]

        sessions = await result("sessions", limit=200, min_generations=1)
        generations = set()
        for query in QUERIES:
            generations |= {g["generation_id"] for g in await result("search", query=query, limit=50)}
        ids = {"sessions": [s["session_id"] for s in sessions], "generations": sorted(generations)}
        choices = {"tiers": sorted({s["tier"] for s in sessions})}
        rng = random.Random(0)
        first = {}
        for name in ENDPOINTS:
            started = time.perf_counter()
            ok, _, error = await calls.call(
                client, name, arguments(name, rng, ids, choices), "warm-up", timeout
            )
            first[name] = {"ms": (time.perf_counter() - started) * 1000, "ok": ok, "error": error}
        return ids, choices, first


async def run_clients(url: str, calls: Calls, n_clients: int, duration: float, timeout: float, ids, choices):
    results: list[tuple[str, float, bool, str | None]] = []
    deadline = time.monotonic() + duration

    async def client_loop(index: int):
        rng = random.Random(index)
        session = f"bench-{index}-{os.getpid()}"
        limits = httpx.Limits(max_connections=2, max_keepalive_connections=2)
        async with httpx.AsyncClient(base_url=url, limits=limits) as client:
            while time.monotonic() < deadline:
                name = rng.choice(ENDPOINTS)
                started = time.perf_counter()
                try:
                    ok, _, error = await calls.call(
                        client, name, arguments(name, rng, ids, choices), session, timeout
                    )
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    ok, error = False, f"{type(exc).__name__}: {exc}"[:300]
                results.append((name, time.perf_counter() - started, ok, error))

    await asyncio.gather(*(client_loop(i) for i in range(n_clients)))
    return results


# --- the report ----------------------------------------------------------------------------------


def summarize(results, wall_s: float) -> dict:
    by_endpoint: dict = defaultdict(list)
    for name, seconds, ok, error in results:
        by_endpoint[name].append((seconds, ok, error))
    rows = {}
    for name in ENDPOINTS:
        calls = by_endpoint.get(name, [])
        ms = np.array([s * 1000 for s, _, _ in calls]) if calls else np.array([np.nan])
        errors = [e for _, ok, e in calls if not ok]
        rows[name] = {
            "calls": len(calls),
            "errors": len(errors),
            "p50_ms": float(np.percentile(ms, 50)),
            "p95_ms": float(np.percentile(ms, 95)),
            "max_ms": float(np.max(ms)),
            "error_examples": sorted(set(errors))[:3],
        }
    total = len(results)
    return {
        "endpoints": rows,
        "calls": total,
        "errors": sum(r["errors"] for r in rows.values()),
        "calls_per_s": total / wall_s if wall_s else 0.0,
        "wall_s": wall_s,
    }


def markdown(report: dict) -> str:
    lines = [
        "| endpoint | calls | errors | p50 ms | p95 ms | max ms |",
        "|:--|---:|---:|---:|---:|---:|",
    ]
    for name, row in report["summary"]["endpoints"].items():
        lines.append(
            f"| /{name} | {row['calls']:,} | {row['errors']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} "
            f"| {row['max_ms']:.0f} |"
        )
    s, m = report["summary"], report["memory"]
    lines += [
        "",
        f"{s['calls']:,} calls in {s['wall_s']:.1f} s from {report['clients']} clients: "
        f"{s['calls_per_s']:.1f} calls/s, {s['errors']} errors.",
        f"Server memory (RSS, server + {m['max_children']} child processes): {m['after_warmup_mb']:.0f} MB "
        f"after the warm-up, peak {m['peak_mb']:.0f} MB (server {m['peak_server_mb']:.0f} MB, "
        f"children {m['peak_children_mb']:.0f} MB).",
        f"Machine: {report['machine']['cpus']} CPUs, load average {report['machine']['load_before']} before "
        f"and {report['machine']['load_after']} after; this client process used "
        f"{report['machine']['client_cpu_s']:.1f} CPU-seconds.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="Warehouse to serve (default: <workdir>/warehouse.duckdb).")
    parser.add_argument("--workdir", type=Path, help="Where to build the sample and keep the server log.")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60.0, help="Seconds of load.")
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="Seconds a call may take before it is an error."
    )
    parser.add_argument("--port", type=int, help="Server port (default: a free one).")
    parser.add_argument("--json", type=Path, help="Also write every figure here.")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = (args.db or workdir / "warehouse.duckdb").resolve()
    ensure_warehouse(db)
    port = args.port or free_port()
    log_path = workdir / "server.log"
    load_before = [round(x, 2) for x in os.getloadavg()]
    log(f"serving {db} on port {port} (log: {log_path}) ...")
    with server(db, port, log_path) as (url, process), MemorySampler(process.pid) as memory:
        info = httpx.get(f"{url}gradio_api/info", timeout=60).json()
        calls = Calls(info)
        ids, choices, first = asyncio.run(warm_up(url, calls, args.timeout))
        after_warmup = memory.sample()
        log(f"{args.clients} clients for {args.duration:.0f} s ...")
        cpu_before = time.process_time()
        started = time.monotonic()
        results = asyncio.run(
            run_clients(url, calls, args.clients, args.duration, args.timeout, ids, choices)
        )
        wall = time.monotonic() - started
        client_cpu = time.process_time() - cpu_before
        memory.sample()
    mb = 1024 * 1024
    report = {
        "warehouse": str(db),
        "clients": args.clients,
        "duration_s": args.duration,
        "warm_up": first,
        "summary": summarize(results, wall),
        "memory": {
            "after_warmup_mb": after_warmup / mb,
            "peak_mb": memory.peak / mb,
            "peak_server_mb": memory.peak_server / mb,
            "peak_children_mb": memory.peak_children / mb,
            "max_children": memory.max_children,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_after": [round(x, 2) for x in os.getloadavg()],
            "client_cpu_s": client_cpu,
        },
    }
    print(markdown(report))
    for name, row in report["summary"]["endpoints"].items():
        for example in row["error_examples"]:
            print(f"  /{name} error: {example}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
