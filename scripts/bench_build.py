"""Benchmark `genai-analyzer build` on synthetic DiffusionDB-layout metadata of given sizes.

    python scripts/bench_build.py --sizes 100000 1000000 [--workdir /tmp/bench]

For each size: writes metadata.parquet with the sample generator (no images), builds the
warehouse from it as DiffusionDB, and prints a Markdown row with the time per step, the peak
memory of the process (VmHWM) and the warehouse size.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from genai_analyzer.build import BuildRequest, build_warehouse
from genai_analyzer.sample import write_sample
from genai_analyzer.settings import Settings


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(size: int, workdir: Path) -> dict:
    data = workdir / f"meta_{size}"
    if not (data / "metadata.parquet").exists():
        started = time.perf_counter()
        write_sample(data, n_generations=size, n_users=max(300, size // 20), days=90, images=False)
        print(f"  generated {size:,} rows in {time.perf_counter() - started:.1f}s")
    settings = Settings.from_env(db_path=workdir / f"warehouse_{size}.duckdb", data_dir=workdir)
    started = time.perf_counter()
    summary = build_warehouse(settings, BuildRequest(source="diffusiondb", path=data), progress=False)
    return {
        "size": size,
        "total_s": time.perf_counter() - started,
        "steps": summary.step_seconds,
        "peak_rss_mb": peak_rss_mb(),
        "db_mb": summary.size_bytes / 1e6,
        "rows": summary.table_rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="genai-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        "| generations | ingest s | sessions s | simulate s | dbt s | total s | peak RSS MB | warehouse MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        r = bench(size, workdir)
        s = r["steps"]
        print(
            f"| {size:,} | {s['ingest']:.1f} | {s['sessions']:.1f} | {s['simulate']:.1f} | {s['dbt']:.1f} "
            f"| {r['total_s']:.1f} | {r['peak_rss_mb']:.0f} | {r['db_mb']:.1f} |"
        )


if __name__ == "__main__":
    main()
