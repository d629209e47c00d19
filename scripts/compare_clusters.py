"""Compare k-means and HDBSCAN on a built warehouse's prompt and image embeddings (docs/clusters.md).

For each kind and method: the clusters made, the share of items left unclustered (HDBSCAN's noise),
the silhouette (cosine) on a seeded sample of up to 2,000 clustered items, and the stability: the
adjusted Rand index between fits on three seeded 90% subsamples, over the items they share (and,
for k-means, between three seeds on all items). The fit time is the mean of the fits.

    python scripts/compare_clusters.py /tmp/w/warehouse.duckdb [--kinds prompt,visual]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

import duckdb
import numpy as np
from sklearn.metrics import adjusted_rand_score, silhouette_score

from genai_analyzer.pipeline.clusters import METHODS, choose_k, fit_clusters, load_items, normalised

SEEDS = (0, 1, 2)


def measure(x: np.ndarray, method: str, k: int) -> dict:
    fits, seconds = [], []
    for seed in SEEDS:
        started = time.perf_counter()
        fits.append(fit_clusters(x, method=method, k=k, seed=seed))
        seconds.append(time.perf_counter() - started)
    labels = fits[0]
    clustered = labels >= 0
    rng = np.random.default_rng(0)
    sample = rng.choice(np.flatnonzero(clustered), size=min(2000, int(clustered.sum())), replace=False)
    n_clusters = len(set(labels[clustered].tolist()))
    silhouette = float("nan")
    if n_clusters > 1:
        silhouette = float(silhouette_score(x[sample], labels[sample], metric="cosine"))
    seed_ari = [adjusted_rand_score(a, b) for a, b in itertools.combinations(fits, 2)]
    subsets = [np.sort(rng.choice(len(x), size=int(0.9 * len(x)), replace=False)) for _ in SEEDS]
    sub_fits = [fit_clusters(x[s], method=method, k=k, seed=i) for i, s in enumerate(subsets)]
    sub_ari = []
    for (sa, fa), (sb, fb) in itertools.combinations(zip(subsets, sub_fits, strict=True), 2):
        shared, ia, ib = np.intersect1d(sa, sb, return_indices=True)
        sub_ari.append(adjusted_rand_score(fa[ia], fb[ib]))
    return {
        "clusters": n_clusters,
        "unclustered": round(float((~clustered).mean()), 3),
        "silhouette": round(silhouette, 3),
        "ari_seeds": round(float(np.mean(seed_ari)), 3),
        "ari_subsamples": round(float(np.mean(sub_ari)), 3),
        "fit_s": round(float(np.mean(seconds)), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("warehouse")
    parser.add_argument("--kinds", default="prompt,visual")
    args = parser.parse_args()
    con = duckdb.connect(args.warehouse, read_only=True)
    info = dict(con.execute("SELECT key, value FROM build_info").fetchall())
    enrichment = json.loads(info["enrichment"])
    models = {
        "prompt": enrichment.get("embeddings", {}).get("model"),
        "visual": enrichment.get("image_embeddings", {}).get("model"),
    }
    for kind in args.kinds.split(","):
        keys, vectors, _ = load_items(con, kind, models[kind]) if models[kind] else ([], None, None)
        if len(keys) < 50:
            print(f"{kind}: {len(keys)} items, too few to compare")
            continue
        x, k = normalised(vectors), choose_k(len(keys))
        for method in METHODS:
            row = {"kind": kind, "items": len(keys), "dim": x.shape[1], "method": method}
            row["k"] = k if method == "kmeans" else None
            print(json.dumps({**row, **measure(x, method, k)}), flush=True)


if __name__ == "__main__":
    main()
