"""Benchmark the build's NSFW scoring step on 256 px thumbnails (docs/images.md, NSFW scores).

    python scripts/bench_nsfw.py [--copies 40] [--threads 1 2] [--rounds 2]

Makes 256 px WebP thumbnails of the 5 real DiffusionDB images in
../shared/data/diffusiondb/parts_000001-000005/images, ``--copies`` times over (each cropped by a
few pixels, so every file differs), then runs the step's scoring (``pipeline.nsfw_scores.score_nsfw``
in mode ``on``: read each thumbnail, the package's preprocessing with its JPEG round trip, Open-NSFW
on ONNX Runtime, write the scores to DuckDB) on an in-memory DuckDB. Reports each thread count's
best round as images/s, with /proc/loadavg before and after.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import duckdb
from bench_image_embeddings import (
    make_thumbnails,
)  # the sibling script's thumbnails (scripts/ is on the path)

from genai_analyzer.models.nsfw import NsfwScorer
from genai_analyzer.pipeline.enrich import create_enrich_tables
from genai_analyzer.pipeline.nsfw_scores import score_nsfw


def _con(thumbs: list[Path]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    create_enrich_tables(con)
    paths = [str(p) for p in thumbs]
    con.execute("CREATE SCHEMA raw")
    con.execute(
        "CREATE TABLE raw.generations AS "
        "SELECT unnest($p::VARCHAR[]) AS image_path, NULL::DOUBLE AS image_nsfw",
        {"p": paths},
    )
    con.execute(
        "INSERT INTO enrich.thumbnails SELECT p, p, 'done' FROM unnest($p::VARCHAR[]) t(p)", {"p": paths}
    )
    return con


def _load() -> str:
    return Path("/proc/loadavg").read_text().split(" ")[0] if Path("/proc/loadavg").exists() else "?"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        thumbs = make_thumbnails(Path(tmp), args.copies)
        print(f"{len(thumbs)} thumbnails (256 px WebP), {os.cpu_count()} CPUs, load {_load()}")
        for threads in args.threads:
            scorer = NsfwScorer(threads=threads)
            started = time.perf_counter()
            scorer.score([])  # nothing: the session opens on the first real batch, timed in round 1
            best = 0.0
            for _ in range(args.rounds):
                con = _con(thumbs)
                started = time.perf_counter()
                counts = score_nsfw(con, scorer, mode="on")
                seconds = time.perf_counter() - started
                assert counts["done"] == len(thumbs), counts
                best = max(best, len(thumbs) / seconds)
            print(f"threads {threads}: {best:.1f} images/s (best of {args.rounds}), load after {_load()}")


if __name__ == "__main__":
    main()
