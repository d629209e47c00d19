"""Benchmark the served app: start-up, the Analytics tab at 1M generations, search through the API
at 100k prompts, and concurrent API users (docs/benchmarks.md, App).

    python scripts/bench_app.py --workdir /tmp/bench-app                     # all four parts
    python scripts/bench_app.py --workdir /tmp/bench-app --only start,analytics
    python scripts/bench_app.py --workdir /tmp/bench-app --only search,load --users 20 --duration 60

Parts, each printed as Markdown tables with the machine's load average (other work moves them):

- start: ``python app.py`` on a free port, from launch to the first ``GET /`` answered 200; once
  cold (no warehouse: the embedded sample is built first), then ``--start-runs`` times warm.
- analytics: the Analytics tab's refresh callback, taken from the Blocks ``analytics.build``
  registers (KPI cards, every chart's query and figure), per filter change, in-process; the same
  work again part by part; then ``/kpis`` and ``/timeseries`` through ``gradio_client``.
- search: ``/search`` (limit 24), 100 queries per mode (bench_search.py's 30 written queries and
  70 held-out real DiffusionDB prompts) through ``gradio_client``, through plain HTTP, and as
  ``search()`` in this process; the app embeds each query itself.
- load: ``--users`` threads, one ``gradio_client.Client`` each, calling /search (half the calls),
  /kpis, /timeseries, /sessions and /session for ``--duration`` seconds. The clients run on the
  same machine as the app.

Warehouses, cached in ``--workdir``:

- ``analytics_1000000.duckdb``: ``write_sample`` (1M generations, 50,000 users, 90 days, no images)
  built as ``--source diffusiondb`` without enrichment (embedding 1M prompts takes hours here).
  Its labels are NULL, so **for this benchmark only** the copy ``..._labelled.duckdb`` gets
  ``dim_prompts.domain``, ``art_style`` and ``complexity_score`` (and their copies on
  ``fact_generations``) from a hash of ``prompt_id`` over
  the taxonomy's labels (see ``labelled_copy``): realistic cardinality, meaningless labels.
- ``search_175000.duckdb``: 175,000 generations (100,469 distinct prompts) built with real
  embeddings and labels and the HNSW and FTS indexes, as ``genai-analyzer build`` makes them
  (about 25 minutes here, nearly all of it embedding at 60-100 prompts/s).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import numpy as np

from genai_analyzer.analysis import queries
from genai_analyzer.core.settings import Settings
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.pipeline.sample import write_sample

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_search  # noqa: E402  (a sibling script: its query set and held-out prompts)

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("start", "analytics", "search", "load")
ANALYTICS_SIZE = 1_000_000
SEARCH_SIZE = 175_000  # generations; the sample generator gives 100,469 distinct prompts
MODES = ("semantic", "keyword", "hybrid")
BUILD_FIGURES = "figures: building (all charts)"
SERIALISE_FIGURES = "figures: gr.Plot serialisation, after the callback (all charts)"


def pct(values: list[float], q: float) -> float:
    """The q-th percentile of durations in seconds, in milliseconds."""
    return float(np.percentile(np.asarray(values) * 1000, q))


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    """(seconds taken, result) of one call."""
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def stats(times: list[float]) -> list[str]:
    """p50, p95 and max of durations in seconds, as millisecond cells."""
    return [f"{pct(times, 50):.0f}", f"{pct(times, 95):.0f}", f"{max(times) * 1000:.0f}"]


def table(header: str, rows: list[list]) -> None:
    """Print a Markdown table: the first column left-aligned, the others right-aligned."""
    print(f"\n| {header} |\n|:--|" + "---:|" * header.count(" | "))
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"(load average {one:.1f} / {five:.1f} over 1 / 5 min, {os.cpu_count()} cores)"


# --- the app as a subprocess -------------------------------------------------------------------


@contextlib.contextmanager
def running_app(db: Path, log: Path, timeout: float = 900):
    """Start ``python app.py`` on ``db``; yield (url, seconds until ``GET /`` answered 200, process)."""
    with socket.socket() as sock:  # a free port
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # PYTHONFAULTHANDLER: should the app crash, its log shows every thread's stack
    env = {**os.environ, "GENAI_DB": str(db), "GENAI_DATA_DIR": str(db.parent), "PYTHONFAULTHANDLER": "1"}
    env["GRADIO_SERVER_PORT"] = str(port)  # serve() leaves host and port to Gradio's variables
    url = f"http://127.0.0.1:{port}/"
    with open(log, "w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"the app exited with {proc.returncode}; see {log}")
                if time.perf_counter() - started > timeout:
                    raise TimeoutError(f"no page after {timeout:.0f} s; see {log}")
                with contextlib.suppress(OSError):
                    with urllib.request.urlopen(url, timeout=5) as response:
                        if response.status == 200:
                            break
                time.sleep(0.05)
            yield url, time.perf_counter() - started, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def bench_start(workdir: Path, runs: int) -> None:
    """Launch to first page: once cold (the sample is built first), then ``runs`` times warm."""
    folder = workdir / "start"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = folder / "warehouse.duckdb"
    with running_app(db, folder / "app_cold.log") as (_, cold, _):
        pass
    warm = []
    for i in range(runs):
        with running_app(db, folder / f"app_warm{i}.log") as (_, seconds, _):
            warm.append(seconds)
    print(f"\n### Start-up {load_note()}")
    warm_cells = [f"{x:.1f}" for x in (min(warm), np.median(warm), max(warm))]
    cold_cells = [f"{cold:.1f}"] * 3
    table(
        "case | runs | min s | median s | max s",
        [["warm: sample warehouse exists", runs, *warm_cells], ["cold: sample built first", 1, *cold_cells]],
    )


# --- warehouses ----------------------------------------------------------------------------------


def sample_warehouse(workdir: Path, size: int, name: str, enrich: tuple[str, ...]) -> Path:
    """A warehouse built from ``size`` synthetic DiffusionDB-layout generations (cached)."""
    db = workdir / f"{name}_{size}.duckdb"
    if db.exists():
        return db
    data = workdir / f"meta_{size}"
    if not (data / "metadata.parquet").exists():
        write_sample(data, n_generations=size, n_users=max(300, size // 20), days=90, images=False)
    settings = Settings.from_env(db_path=db, data_dir=workdir)
    started = time.perf_counter()
    request = BuildRequest(source="diffusiondb", path=data, enrich=enrich)
    build_warehouse(settings, request, progress=True)
    print(f"built {db} in {time.perf_counter() - started:.0f} s (enrichment: {', '.join(enrich) or 'none'})")
    return db


def labelled_copy(db: Path) -> Path:
    """A copy of ``db`` whose prompts get benchmark-only labels: a hash of prompt_id picks them.

    Skewed towards the taxonomy's first labels (index = floor(n * u^2), u uniform in [0, 1)), so
    breakdowns have a long tail as real labels do. They say nothing about the prompt texts.
    """
    from genai_analyzer.models.labels.taxonomy import load_taxonomy
    from genai_analyzer.warehouse import duck

    copy = db.with_name(db.stem + "_labelled.duckdb")
    if copy.exists():
        return copy
    tmp = copy.with_suffix(".tmp")
    shutil.copyfile(db, tmp)
    taxonomy = load_taxonomy()
    con = duck.connect(tmp)
    con.execute(
        """
        UPDATE dim_prompts SET
            domain = list_extract($domains, 1 + floor(len($domains) * pow((hash(prompt_id || 'd') % 1000000)
                / 1e6, 2))::BIGINT),
            art_style = list_extract($styles, 1 + floor(len($styles) * pow((hash(prompt_id || 's') % 1000000)
                / 1e6, 2))::BIGINT),
            complexity_score = 1 + (hash(prompt_id || 'c') % 10)::INTEGER,
            label_source = 'benchmark hash'
        """,
        {"domains": taxonomy.domain.names, "styles": taxonomy.art_style.names},
    )
    # fact_generations carries copies of the labels (the build's dbt test checks they agree)
    con.execute(
        "UPDATE fact_generations f SET domain = p.domain, art_style = p.art_style, "
        "complexity_score = p.complexity_score FROM dim_prompts p WHERE f.prompt_id = p.prompt_id"
    )
    con.execute("CHECKPOINT")
    con.close()
    tmp.rename(copy)
    return copy


# --- analytics -----------------------------------------------------------------------------------


def refresh_callback(wh):
    """The Analytics tab's view callback, as ``analytics.build`` registers it on the filter bar
    (``filterbar.on_shown``), taking the filter bar's values (start, end, tiers, statuses, domains,
    styles) as applied."""
    import gradio as gr

    from genai_analyzer.analysis.filters import FILTER_NAMES, TEXT_FIELDS
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.app import analytics, filterbar

    api = Api(wh)
    with gr.Blocks() as demo:
        bar = filterbar.build(api)
        analytics.build(demo, api, bar)
    found = [view.fn for view in bar.views if view.tab_id == "analytics"]
    if len(found) != 1:
        raise RuntimeError(f"expected one view of the Analytics tab, found {len(found)}")
    (refresh,) = found

    # It takes the applied filter state (a dict of the bar's fields: those this script sets come
    # first, see filter_changes; the rest empty), whether the tab is shown, the comparison inputs
    # (none) and the key of what is drawn (None: nothing yet, so it draws every time).
    def call(*values):
        given = dict(zip(FILTER_NAMES, values, strict=False))
        applied = {name: given.get(name, "" if name in TEXT_FIELDS else []) for name in FILTER_NAMES}
        return refresh(applied, True, False, "previous", "", "", None)

    return call


def filter_changes(wh) -> dict[str, tuple]:
    """Filter bar values (start, end, tiers, statuses, domains, styles) as the page sends them."""
    first, last = queries.data_range(wh)
    choices = queries.filter_choices(wh)
    page = (str(max(first, last - timedelta(days=20))), str(last))  # three weeks
    whole = (str(first), str(last))
    domain, style = choices["domains"][1], choices["art_styles"][2]
    return {
        "last 21 days": (*page, [], [], [], []),
        "whole range (90 days)": (*whole, [], [], [], []),
        "last 7 days": (str(last - timedelta(days=6)), str(last), [], [], [], []),
        "tier pro": (*page, ["pro"], [], [], []),
        "status error": (*page, [], ["error"], [], []),
        f"domain {domain}": (*page, [], [], [domain], []),
        f"art style {style}": (*page, [], [], [], [style]),
        "2 tiers + domain + style, whole range": (*whole, ["pro", "enterprise"], [], [domain], [style]),
    }


def bench_analytics(workdir: Path, rounds: int) -> None:
    """Time the refresh callback per filter change in-process, each part apart, then the API."""
    import gradio as gr

    from genai_analyzer.analysis.filters import Filters
    from genai_analyzer.app import analytics
    from genai_analyzer.warehouse.reader import Warehouse

    db = labelled_copy(sample_warehouse(workdir, ANALYTICS_SIZE, "analytics", enrich=()))
    plot = gr.Plot()
    with Warehouse(db) as wh:
        n = wh.scalar("SELECT count(*) FROM fact_generations")
        refresh, changes = refresh_callback(wh), filter_changes(wh)
        first_call, _ = timed(refresh, "", "", [], [], [], [])  # the page opens on everything
        per_change, parts = defaultdict(list), defaultdict(list)
        for _ in range(rounds):
            for name, values in changes.items():
                per_change[name].append(timed(refresh, *values)[0])
                # The same work again, each part timed apart: where the time goes.
                filters = Filters.from_inputs(*values)
                parts["KPIs (2 periods)"].append(timed(queries.kpis, wh, filters)[0])
                for chart, (query_fn, plot_fn) in analytics.CHARTS.items():
                    seconds, frame = timed(query_fn, wh, filters)
                    parts[f"{chart}: query"].append(seconds)
                    seconds, figure = timed(plot_fn, frame)
                    parts[BUILD_FIGURES].append(seconds)
                    # what Gradio does with each figure the callback returns, before sending it
                    parts[SERIALISE_FIGURES].append(timed(plot.postprocess, figure)[0])
    every = [t for times in per_change.values() for t in times]
    print(f"\n### Analytics refresh, {n:,} generations, {rounds} rounds {load_note()}\n")
    print(f"First call after opening the warehouse: {first_call * 1000:.0f} ms.")
    rows = [[name, *stats(times)] for name, times in per_change.items()]
    table("filter change | p50 ms | p95 ms | max ms", [*rows, ["**all changes**", *stats(every)]])
    summed, k = (BUILD_FIGURES, SERIALISE_FIGURES), len(analytics.CHARTS)
    rows = [[name, *stats(times)] for name, times in parts.items() if name not in summed]
    for name in summed:  # timed per chart: p50/p95 per chart times the number of charts
        rows.append([name, *(f"{pct(parts[name], q) * k:.0f}" for q in (50, 95)), ""])
    table("part of a refresh | p50 ms | p95 ms | max ms", rows)

    with running_app(db, workdir / "app_analytics.log") as (url, start_s, _):
        client = api_client(url)
        keys = ("start", "end", "tiers", "statuses", "domains", "art_styles")
        api = defaultdict(list)
        for _ in range(rounds):
            for values in changes.values():
                for endpoint in ("/kpis", "/timeseries"):
                    kwargs = dict(zip(keys, values, strict=True))
                    api[endpoint].append(timed(client.predict, **kwargs, api_name=endpoint)[0])
    print(f"\nThrough the API (app start-up on this warehouse: {start_s:.1f} s):")
    table("endpoint | calls | p50 ms | p95 ms | max ms", [[e, len(t), *stats(t)] for e, t in api.items()])


# --- search and load -----------------------------------------------------------------------------


def search_queries(seed: int = 7) -> list[str]:
    """bench_search's query set: 30 written queries and 70 held-out real DiffusionDB prompts."""
    written = [q["query"] for q in json.loads(bench_search.QUERY_SET.read_text())["queries"]]
    _, held_out = bench_search.base_texts(bench_search.DEFAULT_DIFFUSIONDB, 1, seed)
    return written + held_out


def http_call(url: str, endpoint: str, data: list, session: str | None = None):
    """One call by Gradio's plain HTTP protocol: POST the inputs, then read the result's event stream.

    Without ``session`` every call is a new Gradio session (as a bare ``curl`` is), which costs the
    server about 30 ms to set up; with it the calls share one, as gradio_client's do."""
    body = json.dumps({"data": data, **({"session_hash": session} if session else {})}).encode()
    post = urllib.request.Request(
        f"{url}gradio_api/call{endpoint}", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(post) as response:
        event = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call{endpoint}/{event}") as response:
        stream = response.read().decode()
    if not stream.startswith("event: complete"):
        raise RuntimeError(f"{endpoint} failed: {stream[:200]}")
    return json.loads(stream.split("data: ", 1)[1])[0]


def api_client(url: str):
    """A ``gradio_client.Client`` as the README advises: one TLS context made once and reused.

    gradio_client opens new HTTP clients for every call, and with ``ssl_verify=True`` each one
    loads the CA bundle again (about 90 ms a call on this machine, even for http:// URLs); given an
    ``ssl.SSLContext`` it reuses that, and still verifies certificates on https:// links."""
    import ssl

    from gradio_client import Client

    return Client(url, verbose=False, ssl_verify=ssl.create_default_context())


def bench_search_api(url: str, db: Path, texts: list[str]) -> None:
    """``/search`` with its defaults (limit 24), each query once per mode after 3 warm-ups, through
    ``gradio_client`` (as it comes, and with a reused TLS context), through plain HTTP, and as
    ``search()`` in this process (the library's share)."""
    from gradio_client import Client

    from genai_analyzer.analysis.search import search
    from genai_analyzer.warehouse.reader import Warehouse

    plain_client, client, rows = Client(url, verbose=False), api_client(url), []
    with Warehouse(db) as wh:
        ways = [  # the columns of the table, in order
            lambda text, mode: plain_client.predict(text, mode, api_name="/search"),
            lambda text, mode: client.predict(text, mode, api_name="/search"),
            # the endpoint's inputs in order: query, mode, start, end, tiers, statuses, domains, styles, limit
            lambda text, mode: http_call(url, "/search", [text, mode, "", "", [], [], [], [], 24]),
            lambda text, mode: http_call(url, "/search", [text, mode, "", "", [], [], [], [], 24], "bench"),
            lambda text, mode: search(wh, text, mode=mode),
        ]
        for mode in MODES:
            row = [mode]
            for call in ways:
                for text in texts[:3]:
                    call(text, mode)
                times, found = zip(*(timed(call, text, mode) for text in texts), strict=True)
                row.append(" / ".join(stats(list(times))[:2]))
            rows.append([*row, f"{np.mean([len(r) for r in found]):.1f}"])
    print(f"\n### Search, {len(texts)} queries per mode, p50 / p95 ms {load_note()}")
    table(
        "mode | gradio_client, default | gradio_client, TLS context reused | plain HTTP, new session "
        "each call | plain HTTP, one session | search() in-process | mean results",
        rows,
    )


def user_calls(client, rng: random.Random, texts: list[str], sessions: list[str], first: str, last: str):
    """One call a user makes: (endpoint, thunk). Searches half the time, the rest analytics/sessions."""
    start = rng.choice([first, last[:8] + "01", ""])
    tiers = rng.choice([[], ["pro"], ["free", "enterprise"]])
    calls = [
        (0.5, "/search", lambda: client.predict(rng.choice(texts), rng.choice(MODES), api_name="/search")),
        (0.125, "/kpis", lambda: client.predict(start=start, end=last, tiers=tiers, api_name="/kpis")),
        (0.125, "/timeseries", lambda: client.predict(start=start, end=last, api_name="/timeseries")),
        (0.125, "/sessions", lambda: client.predict(tiers=tiers, api_name="/sessions")),
        (0.125, "/session", lambda: client.predict(rng.choice(sessions), api_name="/session")),
    ]
    _, endpoint, thunk = rng.choices(calls, weights=[c[0] for c in calls])[0]
    return endpoint, thunk


def bench_load(url: str, texts: list[str], users: int, duration: float) -> None:
    """``users`` threads, one Client each, calling the mix of ``user_calls`` for ``duration`` s."""

    setup = api_client(url)
    sessions = [r["session_id"] for r in setup.predict(limit=200, api_name="/sessions")]
    days = setup.predict(api_name="/timeseries")  # one record per bucket: an hour, day, week or month
    first, last = days[0]["bucket"][:10], days[-1]["bucket"][:10]
    results, errors, lock = defaultdict(list), [], threading.Lock()
    clients = [api_client(url) for _ in range(users)]
    deadline = time.perf_counter() + duration

    def user(i: int) -> None:
        rng = random.Random(i)
        while time.perf_counter() < deadline:
            endpoint, call = user_calls(clients[i], rng, texts, sessions, first, last)
            started, ok = time.perf_counter(), True
            try:
                call()
            except Exception as exc:  # any failure is what we count
                ok = False
                errors.append(f"{endpoint}: {type(exc).__name__}: {exc}"[:200])
            with lock:
                results[endpoint].append((time.perf_counter() - started, ok))

    with ThreadPoolExecutor(users) as pool:
        wall, _ = timed(lambda: list(pool.map(user, range(users))))
    total = sum(len(v) for v in results.values())
    print(f"\n### {users} concurrent API users for {duration:.0f} s {load_note()}\n")
    print(f"{total:,} calls in {wall:.0f} s: {total / wall:.1f} calls/s, {len(errors)} errors.")
    rows = []
    for endpoint, calls in sorted(results.items()):
        times = [t for t, _ in calls]
        rows.append([endpoint, len(calls), sum(not ok for _, ok in calls), *stats(times)])
    table("endpoint | calls | errors | p50 ms | p95 ms | max ms", rows)
    for message in errors[:5]:
        print(f"- error: {message}")


def report_crash(proc: subprocess.Popen, log: Path) -> None:
    """Say so when the app died during a run (every call after that fails), with its fatal lines."""
    if proc.poll() is None:
        return
    fatal = [
        line for line in log.read_text().splitlines() if line.startswith(("Fatal", "free(", "double free"))
    ]
    print(f"\n**The app died during the run** (exit code {proc.returncode}: {'; '.join(fatal)}). See {log}.")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--workdir", type=Path, default=Path("/tmp/bench-app"), help="Warehouses are cached here."
    )
    parser.add_argument("--only", default=",".join(PARTS), help=f"Comma-separated parts: {', '.join(PARTS)}.")
    parser.add_argument("--duration", type=float, default=60, help="Seconds of the load test.")
    parser.add_argument("--users", type=int, default=20, help="Concurrent users in the load test.")
    parser.add_argument("--start-runs", type=int, default=5, help="Warm start-ups to time.")
    parser.add_argument("--rounds", type=int, default=5, help="Times each analytics filter change is timed.")
    args = parser.parse_args()
    parts = {p.strip() for p in args.only.split(",") if p.strip()}
    if parts - set(PARTS):
        parser.error(f"--only takes {', '.join(PARTS)}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    if "start" in parts:
        bench_start(args.workdir, args.start_runs)
    if "analytics" in parts:
        bench_analytics(args.workdir, args.rounds)
    if parts & {"search", "load"}:
        db = sample_warehouse(args.workdir, SEARCH_SIZE, "search", enrich=("embeddings", "labels"))
        texts = search_queries()
        log = args.workdir / "app_search.log"
        with running_app(db, log) as (url, start_s, proc):
            print(f"\nApp on {db.name} up in {start_s:.1f} s.")
            if "search" in parts:
                bench_search_api(url, db, texts)
            if "load" in parts:
                bench_load(url, texts, args.users, args.duration)
            report_crash(proc, log)


if __name__ == "__main__":
    main()
