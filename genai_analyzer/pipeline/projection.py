"""The map's coordinates: a 2-D UMAP projection of the prompts' text embeddings and of the images'
embeddings, made in the build's ``clusters`` step (docs/map.md).

UMAP does not scale to a million points on two cores, so it is fitted on a seeded sample of at
most ``FIT_MAX`` items (the rate is ``min(1, FIT_MAX / n)``: every item of the embedded sample,
1% of a million) and every other item is placed by the fitted model's ``transform``, in batches
under a progress bar. Before UMAP the L2-normalised vectors are reduced to ``PCA_DIMS`` dimensions
by a PCA fitted on the same sample: on normalised vectors Euclidean distance orders neighbours as
the cosine does, and 50 dimensions keep most of their variance while making UMAP's neighbour
search several times cheaper than on 384 or 1,280.

Like a clustering, a projection is one fit over the build's items, keyed by what it was fitted on
(kind, model, seed, ``FIT_MAX`` and a fingerprint of the item keys); a build with the key of the
previous warehouse's run copies its coordinates instead of fitting again.
"""

from __future__ import annotations

import numpy as np

from genai_analyzer.pipeline.enrich import create_enrich_tables, reuse_previous_run

FIT_MAX = 10_000  # items UMAP is fitted on; the rest are transformed (measured: docs/map.md)
PCA_DIMS = 50
N_NEIGHBORS = 15
MIN_DIST = 0.1
N_EPOCHS = 200  # of the fit; a transform runs a third of them (UMAP's own rule)
TRANSFORM_BATCH = 5_000
METHOD = f"pca{PCA_DIMS}+umap"
MAP_TABLES = {
    "prompt": ("enrich.prompt_map", "prompt_id"),
    "visual": ("enrich.visual_map", "image_path"),
}


def fit_sample(n: int, seed: int, fit_max: int = FIT_MAX) -> np.ndarray:
    """The sorted row indices (of ``n`` items) UMAP is fitted on: all of them up to ``fit_max``,
    else a seeded uniform sample of ``fit_max``."""
    if n <= fit_max:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=fit_max, replace=False))


def project(
    vectors: np.ndarray,
    *,
    seed: int = 42,
    fit_max: int = FIT_MAX,
    progress: bool = False,
    threads: int | None = None,
    timings: dict | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(coordinates, fitted): an (n, 2) float32 array of map coordinates for the rows of ``vectors``
    and a boolean mask of the rows UMAP was fitted on (the others were transformed). The same
    vectors and seed give the same coordinates. ``timings``, when given, receives the seconds of
    each part: pca_s, fit_s, transform_s."""
    import time

    from threadpoolctl import threadpool_limits
    from tqdm.auto import tqdm

    from genai_analyzer.pipeline.clusters import FIT_THREADS, normalised

    x = normalised(vectors)
    n = len(x)
    fitted = np.zeros(n, dtype=bool)
    coords = np.zeros((n, 2), dtype=np.float32)
    if n == 0:
        return coords, fitted
    sample = fit_sample(n, seed, fit_max)
    fitted[sample] = True
    spent = timings if timings is not None else {}
    with threadpool_limits(limits=threads or FIT_THREADS):
        started = time.perf_counter()
        reduced = _reduce(x, sample, seed)
        spent["pca_s"] = time.perf_counter() - started
        model = _umap(len(sample), seed)
        with tqdm(total=n, desc="map", unit="item", disable=not progress, leave=False) as bar:
            started = time.perf_counter()
            coords[sample] = model.fit_transform(reduced[sample])
            spent["fit_s"] = time.perf_counter() - started
            bar.update(len(sample))
            rest = np.flatnonzero(~fitted)
            started = time.perf_counter()
            for start in range(0, len(rest), TRANSFORM_BATCH):
                rows = rest[start : start + TRANSFORM_BATCH]
                coords[rows] = model.transform(reduced[rows])
                bar.update(len(rows))
            spent["transform_s"] = time.perf_counter() - started
    return coords, fitted


def _reduce(x: np.ndarray, sample: np.ndarray, seed: int) -> np.ndarray:
    """``x`` in the PCA_DIMS principal directions of the sample (unchanged when it has fewer)."""
    if x.shape[1] <= PCA_DIMS or len(sample) <= PCA_DIMS:
        return x
    from sklearn.decomposition import PCA

    pca = PCA(n_components=PCA_DIMS, random_state=seed).fit(x[sample])
    return pca.transform(x).astype(np.float32)


def _umap(n_fit: int, seed: int):
    import warnings

    import umap

    warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)  # seeded: 1 job
    return umap.UMAP(
        n_neighbors=min(N_NEIGHBORS, max(2, n_fit - 1)),
        min_dist=MIN_DIST,
        n_components=2,
        n_epochs=N_EPOCHS,
        random_state=seed,
        init="spectral" if n_fit > N_NEIGHBORS + 2 else "random",
    )


def project_kind(
    con,
    kind: str,
    model: str,
    *,
    seed: int = 42,
    reuse_prev: bool = False,
    progress: bool = False,
    threads: int | None = None,
) -> dict:
    """Fill the map table of ``kind`` (replacing its rows) for the items ``clusters.load_items``
    gives: copied from the previous warehouse when its run had the same key, else projected.
    Returns the report: items placed, fitted and transformed, the sample rate, reused or not."""
    from genai_analyzer.pipeline.clusters import MIN_ITEMS, fingerprint, load_items

    create_enrich_tables(con)
    table, key_column = MAP_TABLES[kind]
    con.execute(f"DELETE FROM {table}")
    con.execute("DELETE FROM enrich.map_runs WHERE kind = $k", {"k": kind})
    keys, vectors, _ = load_items(con, kind, model)
    run = {"kind": kind, "model": model, "method": METHOD, "fit_max": FIT_MAX, "seed": seed}
    run["fingerprint"] = fingerprint(keys)
    n_fit = min(len(keys), FIT_MAX)
    report = {
        "items": len(keys),
        "fitted": n_fit,
        "transformed": len(keys) - n_fit,
        "sample_rate": round(n_fit / len(keys), 4) if keys else 0.0,
        "reused": False,
    }
    if len(keys) < MIN_ITEMS:
        report["note"] = f"{len(keys)} {kind} item(s) with a vector of {model}: too few to map"
        return {**report, "placed": 0}
    if reuse_prev and reuse_previous_run(con, run, table, "map_runs"):
        report["reused"] = True
    else:
        coords, fitted = project(vectors, seed=seed, progress=progress, threads=threads)
        _store(con, table, key_column, keys, model, coords, fitted)
        con.execute(
            "INSERT INTO enrich.map_runs "
            "VALUES ($kind, $model, $method, $fit_max, $seed, $fingerprint, $n, $f)",
            {**run, "n": len(keys), "f": int(fitted.sum())},
        )
    report["placed"] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return report


def _store(con, table: str, key_column: str, keys, model: str, coords, fitted) -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {key_column: keys, "model": model, "x": coords[:, 0], "y": coords[:, 1], "fitted": fitted}
    )
    con.register("new_map", frame)
    try:
        con.execute(f"INSERT INTO {table} SELECT {key_column}, model, x, y, fitted FROM new_map")
    finally:
        con.unregister("new_map")


def cluster_and_map_step(ctx) -> None:
    """The build step ``clusters``: ``clusters.cluster_step`` (prompt and visual clusters), then
    each clustered kind's map on the same items; its report goes in the kind's report under
    ``map`` (the build summary's "prompt map: ... items placed" line)."""
    from genai_analyzer.pipeline.clusters import cluster_step

    cluster_step(ctx)
    report = ctx.summary.enrichment["clusters"]
    models = {
        "prompt": ctx.summary.enrichment.get("embeddings", {}).get("model"),
        "visual": ctx.summary.enrichment.get("image_embeddings", {}).get("model"),
    }
    for kind, model in models.items():
        if model and report.get(kind, {}).get("clusters"):
            report[kind]["map"] = project_kind(
                ctx.con, kind, model, seed=ctx.settings.seed, reuse_prev=ctx.reuse_prev,
                progress=ctx.progress, threads=ctx.settings.threads or None,
            )  # fmt: skip
