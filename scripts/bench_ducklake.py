"""Benchmark the DuckLake target against the single file (docs/ducklake.md, What it costs).

    python scripts/bench_ducklake.py --warehouse data/warehouse.duckdb
    python scripts/bench_ducklake.py --warehouse /tmp/bench-app/search_175000.duckdb --runs 3

Publishes the built warehouse ``--warehouse`` into a fresh DuckLake (a throwaway local PostgreSQL
server, as the tests start one, unless ``--catalog`` names one), then measures, each ``--runs``
times (median shown):

- publish: ``ducklake.publish`` of the marts and build_info (one transaction, one snapshot);
- open: ``Warehouse`` on the file, on the lake without search (views only), and on the lake with
  search (dim_prompts copied into memory, its lookup and BM25 indexes built), with the process's
  resident memory before and after; then the open and the first search by meaning together (on
  the lake the vector index is made in memory from the lake's vectors at that search);
- search: ``search()`` per mode over ``QUERIES`` (the query embedding is computed once beforehand,
  so this is the warehouse's part of a search), file against lake;
- copilot runner: ``SafeRunner`` open and one aggregate query, file against lake.

Prints Markdown tables with the load average (other work on the machine moves the figures).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.postgres_server

QUERIES = [
    "a castle in the clouds",
    "portrait of an old man, oil painting",
    "cyberpunk city at night",
    "a cat wearing a space suit",
    "forest landscape in autumn",
    "dragon breathing fire",
    "a robot reading a book",
    "underwater city with fish",
]
AGGREGATE = (
    "SELECT u.tier, count(*), avg(f.latency_ms) FROM fact_generations f JOIN dim_users u USING (user_id) "
    "GROUP BY 1"
)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def median_ms(values: list[float]) -> str:
    return f"{1000 * statistics.median(values):,.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--warehouse", type=Path, default=ROOT / "data" / "warehouse.duckdb")
    parser.add_argument("--catalog", help="libpq string of an existing, empty PostgreSQL database")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not Path(args.warehouse).is_file():
        parser.error(f"no built warehouse at {args.warehouse}: build one first (genai-analyzer build)")

    from genai_analyzer.analysis.copilot.runner import SafeRunner
    from genai_analyzer.analysis.search import query_embedder, search
    from genai_analyzer.warehouse import ducklake
    from genai_analyzer.warehouse.reader import Warehouse

    with contextlib.ExitStack() as stack:
        if args.catalog:
            catalog = args.catalog
        else:
            from tests.postgres_server import create_database, local_postgres

            catalog = create_database(stack.enter_context(local_postgres()), "bench_lake")
        data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-lake-")))
        lake = ducklake.LakeTarget(catalog, str(data) + "/")

        publish = [timed(lambda: ducklake.publish(args.warehouse, lake))[0] for _ in range(args.runs)]
        lake_bytes = sum(p.stat().st_size for p in data.rglob("*.parquet"))

        opened: dict[str, list[float]] = {"file": [], "lake, no search": [], "lake, with search": []}
        memory: dict[str, float] = {}
        for _ in range(args.runs):
            for name, make in (
                ("file", lambda: Warehouse(args.warehouse)),
                ("lake, no search", lambda: Warehouse(args.warehouse, lake=lake, extensions=())),
                ("lake, with search", lambda: Warehouse(args.warehouse, lake=lake)),
            ):
                before = rss_mb()
                seconds, wh = timed(make)
                wh.query("SELECT count(*) FROM dim_prompts")
                memory[name] = rss_mb() - before
                opened[name].append(seconds)
                wh.close()

        file_wh, lake_wh = Warehouse(args.warehouse), Warehouse(args.warehouse, lake=lake)
        stack.callback(file_wh.close)
        stack.callback(lake_wh.close)
        prompts = file_wh.scalar("SELECT count(*) FROM dim_prompts")
        generations = file_wh.scalar("SELECT count(*) FROM fact_generations")
        embedder = query_embedder(file_wh)
        vectors = {q: embedder.embed([q])[0] for q in QUERIES}

        class Fixed:  # the query's vector, computed once: only the warehouse's work is timed
            def embed(self, texts):
                return [vectors[t] for t in texts]

        # what an app's first search by meaning costs after it starts: the open and that search
        # (on a lake, the vector index is made in memory from the lake's vectors at this search)
        first: dict[str, list[float]] = {"file": [], "lake": []}
        for _ in range(args.runs):
            for name, make in (
                ("file", lambda: Warehouse(args.warehouse)),
                ("lake", lambda: Warehouse(args.warehouse, lake=lake)),
            ):
                started = time.perf_counter()
                fresh = make()
                search(fresh, QUERIES[0], mode="semantic", embedder=Fixed())
                first[name].append(time.perf_counter() - started)
                fresh.close()

        searches: dict[tuple[str, str], list[float]] = {}
        for mode in ("semantic", "keyword", "hybrid"):
            for name, wh in (("file", file_wh), ("lake", lake_wh)):
                search(wh, QUERIES[0], mode=mode, embedder=Fixed())  # warm
                searches[(mode, name)] = [
                    timed(lambda q=q, wh=wh, mode=mode: search(wh, q, mode=mode, embedder=Fixed()))[0]
                    for q in QUERIES * args.runs
                ]

        runners: dict[str, tuple[list[float], list[float]]] = {}
        for name, kwargs in (("file", {}), ("lake", {"lake": lake_wh.lake})):
            opens, queries = [], []
            for _ in range(args.runs):
                seconds, runner = timed(lambda kwargs=kwargs: SafeRunner(args.warehouse, **kwargs))
                opens.append(seconds)
                queries.append(timed(lambda runner=runner: runner.run(AGGREGATE))[0])
                runner.close()
            runners[name] = (opens, queries)

    load = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"warehouse {args.warehouse}: {generations:,} generations, {prompts:,} prompts; lake "
        f"{lake_bytes / 1e6:.1f} MB of Parquet; median of {args.runs} runs; loadavg {' '.join(load)}\n"
    )
    print("| step | time | resident memory added |\n|---|---|---|")
    print(f"| publish (file to lake, one snapshot) | {median_ms(publish)} | |")
    for name, values in opened.items():
        print(f"| open: {name} | {median_ms(values)} | {memory[name]:,.0f} MB |")
    print(
        f"| open, then the first search by meaning | file {median_ms(first['file'])} | "
        f"lake {median_ms(first['lake'])} |"
    )
    print("\n| search mode | file | lake |\n|---|---|---|")
    for mode in ("semantic", "keyword", "hybrid"):
        print(f"| {mode} | {median_ms(searches[(mode, 'file')])} | {median_ms(searches[(mode, 'lake')])} |")
    print("\n| copilot runner | file | lake |\n|---|---|---|")
    print(f"| open | {median_ms(runners['file'][0])} | {median_ms(runners['lake'][0])} |")
    print(f"| aggregate query | {median_ms(runners['file'][1])} | {median_ms(runners['lake'][1])} |")


if __name__ == "__main__":
    main()
