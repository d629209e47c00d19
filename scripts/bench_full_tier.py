"""The full-quality tier's background job: its speed, and the app's search latency while it runs.

    python scripts/bench_full_tier.py                       # parts 1-5 of ../shared (4,314 prompts)
    python scripts/bench_full_tier.py --rounds 1 --small    # quicker: a smaller static model

Builds a warehouse with the static tier from the real DiffusionDB rows of ``--data`` (embeddings
only; ``--small`` makes the static model with a small recipe, as the tests do), then, in one
process as ``genai-analyzer serve`` would:

1. **before**: the 30 labelled queries of ``tests/data/search_queries.json``, hybrid search,
   ``--rounds`` times, on the static tier with no job running (the baseline);
2. **during**: the app's background worker (``app/background.py``: the job on one core fewer than
   the machine has) upgrades the warehouse while the same queries run in a loop; the job's
   prompts/s (its own measure, the model's load excluded), the time from its start to its swap,
   the re-open's pause, and the search latency while it embeds;
3. **after**: the same queries on the full tier.

Prints a Markdown table with p50/p95/max latency per phase and ``/proc/loadavg`` before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "diffusiondb")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the 30 queries before and after")
    parser.add_argument("--small", action="store_true", help="a small static model (seconds to make)")
    parser.add_argument("--workdir", type=Path, default=None, help="where to build (default: a temp dir)")
    args = parser.parse_args()

    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.app.background import BackgroundWorker
    from genai_analyzer.core.settings import Settings
    from genai_analyzer.models import static_embeddings as static
    from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
    from genai_analyzer.warehouse.reader import Warehouse

    queries = [
        q["query"] for q in json.loads((ROOT / "tests/data/search_queries.json").read_text())["queries"]
    ]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench_full_tier_"))
    work.mkdir(parents=True, exist_ok=True)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    settings = Settings.from_env(
        environ={},
        db_path=work / "warehouse.duckdb",
        data_dir=work / "data",
        embedding_backend="static",
        model_cache=str(work / "models"),
    )
    if args.small:
        static.DEFAULT_RECIPE = static.StaticRecipe(
            vocab_size=2_000, sample_size=300, fragments=1, mixes=300, epochs=20, all_pieces=False
        )
    started = time.perf_counter()
    build_warehouse(
        settings,
        BuildRequest(source="diffusiondb", path=args.data / "parts_000001-000005", enrich=("embeddings",)),
        progress=False,
    )
    build_s = time.perf_counter() - started
    os.environ["GENAI_MODEL_CACHE"] = settings.model_cache  # queries find the static model
    app_settings = replace(settings, embedding_backend="onnx")
    wh = Warehouse(settings.db_path)
    api = Api(wh)
    none = api.filters()

    def timed(query: str) -> tuple[float, str]:
        t = time.perf_counter()
        frame = api.search_frame(query, "hybrid", none, 24)
        return (time.perf_counter() - t) * 1000, str(frame["semantic_tier"].iloc[0])

    api.search_frame(queries[0], "hybrid", none, 24)  # load the query model once
    before = [timed(q)[0] for _ in range(args.rounds) for q in queries]

    worker = BackgroundWorker(app_settings, wh, poll_s=1.0)
    job_started = time.perf_counter()
    worker.start()
    by_state: dict[str, list[float]] = {"running": [], "publishing": [], "other": []}
    i = 0
    while True:
        state = api.embedding_progress()["state"]
        if state == "complete":
            break
        if worker.error:
            raise SystemExit(f"the job failed: {worker.error}")
        ms, _ = timed(queries[i % len(queries)])
        by_state[state if state in by_state else "other"].append(ms)
        i += 1
    swapped_s = time.perf_counter() - job_started
    after = [timed(q)[0] for _ in range(args.rounds) for q in queries]
    tiers_after = {timed(q)[1] for q in queries[:3]}
    worker.stop()
    report = worker.report
    wh.close()
    load_after = Path("/proc/loadavg").read_text().split()[:3]

    def row(name: str, values: list[float]) -> str:
        if not values:
            return f"| {name} | 0 | | | |"
        q = statistics.quantiles(values, n=20) if len(values) > 1 else [values[0]] * 19
        return (
            f"| {name} | {len(values)} | {statistics.median(values):.0f} | {q[18]:.0f} | {max(values):.0f} |"
        )

    print(f"\nprompts {report.total:,}; static build {build_s:.0f} s (embeddings only)")
    print(
        f"job: {report.embedded:,} prompts at {report.rate:,.0f} prompts/s "
        f"(embedding {report.seconds:.0f} s), "
        f"start to swap {swapped_s:.0f} s, re-open pause {worker.reopen_s * 1000:.0f} ms; "
        f"tier after: {sorted(tiers_after)}"
    )
    print("\n| hybrid search | searches | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    print(row("before (static, no job)", before))
    print(row("during (static, job embedding)", by_state["running"]))
    print(row("during (publishing: dbt, indexes)", by_state["publishing"]))
    print(row("during (job loading, or swapped and not yet re-opened)", by_state["other"]))
    print(row("after (full)", after))
    print(f"\nload average before {' '.join(load_before)}, after {' '.join(load_after)}")


if __name__ == "__main__":
    main()
