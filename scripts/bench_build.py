"""Benchmark `genai-analyzer build` on synthetic DiffusionDB-layout metadata of given sizes.

    python scripts/bench_build.py --sizes 100000 1000000 2000000 [--workdir /tmp/bench]
    python scripts/bench_build.py --sizes 20000          # a smoke run, well under a minute

For each size: writes metadata.parquet with the scale generator (`genai-analyzer generate`, no
images) unless the work folder already has it, builds the warehouse from it as DiffusionDB without
enrichment, and records each step's time and peak resident memory (BuildSummary.step_peak_mb:
DuckDB and dbt run in-process, so their memory is counted). Prints one Markdown table: a row per
step, time and peak memory per size, and how the time grew from the second largest size to the
largest. /proc/loadavg is printed before and after, since other work on the machine slows a run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from genai_analyzer.core.settings import Settings
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import generated_metadata, loadavg  # noqa: E402

STEPS = ("ingest", "sessions", "simulate", "dbt", "indexes", "finalize")


def bench(size: int, workdir: Path) -> dict:
    """Build from `size` generated rows; return seconds and peak MB per step, total and warehouse MB."""
    data, generate_s = generated_metadata(workdir, size)
    settings = Settings.from_env(db_path=workdir / f"warehouse_{size}.duckdb", data_dir=workdir)
    request = BuildRequest(source="diffusiondb", path=data, enrich=())
    started = time.perf_counter()
    summary = build_warehouse(settings, request, progress=False)
    return {
        "size": size,
        "generate_s": generate_s,
        "total_s": time.perf_counter() - started,
        "seconds": summary.step_seconds,
        "peak_mb": summary.step_peak_mb,
        "db_mb": summary.size_bytes / 2**20,
        "rows": summary.table_rows,
    }


def _size_label(size: int) -> str:
    for unit, name in ((1_000_000, "M"), (1_000, "k")):
        if size >= unit and size % (unit // 10) == 0:
            return f"{size / unit:g}{name}"
    return f"{size:,}"


def table(results: list[dict]) -> str:
    """The Markdown table: a row per step, then total and warehouse size; growth of the largest size."""
    labels = [_size_label(r["size"]) for r in results]
    head = ["step", *(f"{label} {what}" for label in labels for what in ("s", "peak MB"))]
    growth = len(results) > 1
    if growth:
        head.append(f"time {labels[-1]}/{labels[-2]}")
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]

    def row(name: str, cells: list[str], ratio: str = "") -> None:
        lines.append("| " + " | ".join([name, *cells, *([ratio] if growth else [])]) + " |")

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}" if b > 0 else ""

    for step in STEPS:
        cells = [
            f"{r[k][step]:.1f}" if k == "seconds" else f"{r[k][step]:,.0f}"
            for r in results
            for k in ("seconds", "peak_mb")
        ]
        row(step, cells, ratio(results[-1]["seconds"][step], results[-2]["seconds"][step]) if growth else "")
    cells = [
        c for r in results for c in (f"**{r['total_s']:.1f}**", f"**{max(r['peak_mb'].values()):,.0f}**")
    ]
    row("**total**", cells, ratio(results[-1]["total_s"], results[-2]["total_s"]) if growth else "")
    cells = [c for r in results for c in (f"{r['db_mb']:,.0f} MB", "")]
    row("warehouse file", cells, ratio(results[-1]["db_mb"], results[-2]["db_mb"]) if growth else "")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000], help="Generations per build.")
    parser.add_argument("--workdir", type=Path, default=None, help="Keeps generated data between runs.")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="genai-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"loadavg before: {loadavg()}", flush=True)
    results = []
    for size in sorted(args.sizes):  # smallest first: memory a larger build left behind stays out
        result = bench(size, workdir)
        generated = f", generated in {result['generate_s']:.1f}s" if result["generate_s"] else ""
        print(f"  {size:,}: built in {result['total_s']:.1f}s{generated}", flush=True)
        results.append(result)
    print(f"loadavg after: {loadavg()}")
    out = table(results)
    print(out)
    return out


if __name__ == "__main__":
    main()
