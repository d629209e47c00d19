"""Benchmark thumbnail making on real DiffusionDB images.

    python scripts/bench_thumbnails.py [--copies 80]

Packs the real images from ../shared/data/diffusiondb/parts_000001-000005/images into a part zip
``--copies`` times over (distinct member names), then thumbnails them with 1 and with all cores,
printing images/s and the mean thumbnail size.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from genai_analyzer.core.images import zip_member_path
from genai_analyzer.pipeline.thumbnails import make_thumbnails

SHARED = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "diffusiondb"
    / "parts_000001-000005"
    / "images"
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--copies", type=int, default=80)
    args = parser.parse_args()
    images = sorted(SHARED.glob("*.png"))
    if not images:
        sys.exit(f"no real images at {SHARED}: this benchmark needs ../shared beside the checkout")
    work = Path(tempfile.mkdtemp(prefix="thumb-bench-"))
    archive = work / "part-000001.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for copy in range(args.copies):
            for image in images:
                zf.write(image, f"{copy:05d}-{image.name}")
    paths = [zip_member_path(archive, f"{c:05d}-{i.name}") for c in range(args.copies) for i in images]
    source_mb = archive.stat().st_size / 1e6
    print(f"{len(paths)} images ({source_mb / len(paths) * 1000:.0f} KB PNG each, 512-640 px)")
    print("| workers | images/s | mean thumbnail KB |")
    print("|---:|---:|---:|")
    for workers in (1, os.cpu_count() or 1):
        out = work / f"thumbs-{workers}"
        started = time.perf_counter()
        results = make_thumbnails(paths, out, size=256, workers=workers)
        seconds = time.perf_counter() - started
        sizes = [Path(r.thumb_path).stat().st_size for r in results if r.thumb_path]
        print(f"| {workers} | {len(paths) / seconds:.0f} | {sum(sizes) / len(sizes) / 1000:.1f} |")


if __name__ == "__main__":
    main()
