"""Benchmark the build's image step: image embeddings and perceptual hashes of 256 px thumbnails.

    python scripts/bench_image_embeddings.py [--copies 60] [--threads 1 2] [--rounds 2]

Thumbnails the 5 real DiffusionDB images in ../shared/data/diffusiondb/parts_000001-000005/images
to 256 px WebP (as the build does) ``--copies`` times over, each copy cropped by a few pixels so
every file differs, then runs the build's image step (``pipeline.image_enrich.embed_images``: read
each thumbnail, pHash it, resize to 224 px, EfficientNet-Lite0 on ONNX Runtime, write the vectors to
DuckDB) on an in-memory DuckDB, and the model alone on the same images already decoded. The ONNX
export (once per model cache) and the model load are timed apart. Each thread count's best round is
reported as images/s, with /proc/loadavg before and after (docs/benchmarks.md, Image embeddings).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import duckdb
from PIL import Image

from genai_analyzer.models.image_embeddings import ImageEmbedder, preprocess
from genai_analyzer.pipeline.enrich import create_enrich_tables
from genai_analyzer.pipeline.image_enrich import embed_images, group_duplicates, read_thumbnail

SHARED = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "diffusiondb" / "parts_000001-000005"
)


def make_thumbnails(folder: Path, copies: int, size: int = 256) -> list[Path]:
    """``copies`` thumbnails of each real image, each cropped by a few pixels (distinct files)."""
    sources = sorted((SHARED / "images").glob("*.png"))
    if not sources:
        raise SystemExit(f"no real DiffusionDB images in {SHARED / 'images'}")
    paths = []
    for source in sources:
        with Image.open(source) as img:
            rgb = img.convert("RGB")
        for copy in range(copies):
            crop = copy % 9
            thumb = rgb.crop((crop, crop, rgb.width - crop, rgb.height - crop))
            thumb.thumbnail((size, size))
            path = folder / f"{source.stem}-{copy}.webp"
            thumb.save(path, "WEBP", quality=80, method=4)
            paths.append(path)
    return paths


def run_step(embedder: ImageEmbedder, paths: list[Path]) -> float:
    """Seconds for the image step over ``paths`` on a fresh in-memory DuckDB."""
    con = duckdb.connect()
    create_enrich_tables(con)
    con.execute(
        "INSERT INTO enrich.thumbnails SELECT p, p, 'done' FROM unnest($paths::VARCHAR[]) AS t(p)",
        {"paths": [str(p) for p in paths]},
    )
    started = time.perf_counter()
    counts = embed_images(con, embedder)
    group_duplicates(con, embedder.model_name)
    seconds = time.perf_counter() - started
    assert counts.done == len(paths) and counts.failed == 0, counts
    con.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--copies", type=int, default=60)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=None, help="model cache (default: GENAI_MODEL_CACHE)")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"loadavg before: {Path('/proc/loadavg').read_text().strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_thumbnails(Path(tmp), args.copies)
        with Image.open(paths[0]) as img:
            print(f"{len(paths)} thumbnails, {img.size[0]}x{img.size[1]} px WebP")
        started = time.perf_counter()
        warm = ImageEmbedder(cache_dir=args.cache, threads=1)
        warm.embed([preprocess(Image.new("RGB", (256, 256)))])
        print(f"export (first time only) and load: {time.perf_counter() - started:.1f}s")
        decoded = [read_thumbnail(str(p))[0] for p in paths]
        print("\n| threads | image step, images/s | model alone, images/s |\n|---:|---:|---:|")
        for threads in args.threads:
            embedder = ImageEmbedder(cache_dir=args.cache, threads=threads)
            embedder.embed(decoded[:32])  # load
            step = min(run_step(embedder, paths) for _ in range(args.rounds))
            model = min(_timed(lambda e=embedder: e.embed(decoded)) for _ in range(args.rounds))
            print(f"| {threads} | {len(paths) / step:.0f} | {len(paths) / model:.0f} |")
    print(f"\nloadavg after: {Path('/proc/loadavg').read_text().strip()}")


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
