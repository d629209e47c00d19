"""Time the cluster step's work (pipeline/clusters.py: the k-means fit, the distances and
representatives, the class-based TF-IDF labels) at 100k and 1M items (docs/benchmarks.md).

The vectors are synthetic, shaped like the real ones: prompt vectors 384-d (all-MiniLM-L6-v2),
image vectors 1280-d (EfficientNet-Lite0, non-negative like its ReLU features), drawn around 200
random centres with noise so that neighbouring groups overlap as real embeddings do, and
L2-normalised. Each item gets a 12-word prompt drawn from its centre's own words and common ones,
so the labels have real work to do. No warehouse is read: this measures the clustering, not I/O.

    python scripts/bench_clusters.py --items 100000 --kind prompt
    python scripts/bench_clusters.py --items 1000000 --kind prompt
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

import numpy as np

from genai_analyzer.pipeline.clusters import choose_k, cluster_items

DIMS = {"prompt": 384, "visual": 1280}
CENTRES = 200
CHUNK = 50_000


def synthetic(n: int, kind: str, seed: int = 0) -> tuple[list[str], np.ndarray, list[list[str]]]:
    rng = np.random.default_rng(seed)
    dim = DIMS[kind]
    centres = rng.normal(size=(CENTRES, dim)).astype(np.float32)
    if kind == "visual":
        centres = np.abs(centres)
    which = rng.integers(0, CENTRES, size=n)
    # drawn in float32 chunks: 1M visual vectors are 5 GB, and float64 noise at once would be 10 more
    vectors = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        noise = rng.standard_normal(size=(stop - start, dim), dtype=np.float32)
        vectors[start:stop] = centres[which[start:stop]] + noise * np.float32(1.2)
    if kind == "visual":
        np.maximum(vectors, 0, out=vectors)
    vocabulary = np.array([f"w{i:04d}" for i in range(4000)])
    own = rng.integers(0, len(vocabulary), size=(CENTRES, 8))
    common = rng.integers(0, 200, size=(n, 6))
    picked = rng.integers(0, 8, size=(n, 6))
    words = np.concatenate(
        [vocabulary[own[which][np.arange(n)[:, None], picked]], vocabulary[common]], axis=1
    )
    texts = [[" ".join(row)] for row in words]
    keys = [f"k{i:08d}" for i in range(n)]
    return keys, vectors, texts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--kind", choices=sorted(DIMS), default="prompt")
    args = parser.parse_args()
    started = time.perf_counter()
    keys, vectors, texts = synthetic(args.items, args.kind)
    made = time.perf_counter() - started
    started = time.perf_counter()
    result = cluster_items(args.kind, keys, vectors, texts, k=choose_k(args.items), seed=42)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "kind": args.kind, "items": args.items, "dim": DIMS[args.kind], "k": choose_k(args.items),
        "clusters": len(result.terms), "cluster_seconds": round(seconds, 1),
        "items_per_second": round(args.items / seconds), "data_seconds": round(made, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "cores": os.cpu_count(), "load": os.getloadavg()[0],
    }))  # fmt: skip


if __name__ == "__main__":
    main()
