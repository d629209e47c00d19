"""The build's cluster step: prompt clusters (on the prompts' text embeddings) and visual clusters
(on the images' embeddings), each labelled from its prompts' distinctive terms (docs/clusters.md).

A clustering is one fit over every item of the build, so it is not made item by item like the
embeddings: a run is keyed by what it was fitted on (the kind, the embedding model, the method,
k, the seed and a fingerprint of the item keys), and a build whose run key equals the previous
warehouse's copies that run instead of fitting again. Anything else (one prompt more, another
model) fits again; on the sample that costs about a second, at 100k items tens of seconds
(docs/benchmarks.md).

- **Method**: k-means (scikit-learn ``MiniBatchKMeans``) on L2-normalised vectors, chosen over
  HDBSCAN by silhouette and stability across seeds (``scripts/compare_clusters.py``, the figures
  in docs/clusters.md). ``method="hdbscan"`` is kept for that comparison; its noise points form
  cluster 0, "unclustered".
- **k** (``choose_k``): the square root of half the items, between 2 and ``MAX_K``.
- **Numbering**: clusters are numbered 1, 2, ... from the largest (ties by their first key).
- **Labels** (``distinctive_terms``): class-based TF-IDF over the prompts of each cluster (for a
  visual cluster, the prompts of its images); the label is its top ``LABEL_TERMS`` terms, and
  the name people pick in a filter is ``"#<number> <label>"``, unique per kind.
- **Representatives**: the ``REPRESENTATIVES`` items nearest the cluster's centroid (cosine),
  nearest first: prompt ids for prompt clusters, image addresses for visual ones.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import duckdb
import numpy as np

from genai_analyzer.pipeline.enrich import create_enrich_tables, reuse_previous_run

KINDS = ("prompt", "visual")
METHODS = ("kmeans", "hdbscan")
DEFAULT_METHOD = "kmeans"  # measured: docs/clusters.md
MAX_K = 60  # more clusters than this do not fit a filter list or a chart
MIN_ITEMS = 20  # fewer items than this make no clusters (nothing to tell apart)
LABEL_TERMS = 3
REPRESENTATIVES = 6
# Threads of a fit unless GENAI_THREADS says otherwise: scikit-learn's k-means spins its OpenMP
# threads, and on a machine whose cores are busy that made a fit of 20k vectors take 87 s on 2
# threads against 1.2 s on one (docs/benchmarks.md).
FIT_THREADS = 1
UNCLUSTERED = "unclustered"  # HDBSCAN's noise, cluster 0
# Words that name no subject or look in image prompts (on top of scikit-learn's English list).
PROMPT_STOP_WORDS = frozenset(
    ("highly", "detailed", "detail", "details", "quality", "high", "resolution", "intricate", "hd",
     "4k", "8k", "uhd", "hq", "best", "masterpiece", "trending", "artstation", "cgsociety", "style",
     "art", "artwork", "illustration", "image", "picture", "photo", "render", "digital", "painting",
     "concept", "sharp", "focus", "smooth", "octane", "unreal", "engine")
)  # fmt: skip


def choose_k(n: int) -> int:
    """The number of k-means clusters for ``n`` items: round(sqrt(n / 2)) between 2 and MAX_K (800
    prompts -> 20, 4,000 -> 45, 100k -> 60), and never more than n // 2; 0 below MIN_ITEMS."""
    if n < MIN_ITEMS:
        return 0
    return int(min(MAX_K, max(2, round(math.sqrt(n / 2))), n // 2))


def fit_clusters(
    vectors: np.ndarray,
    *,
    method: str = DEFAULT_METHOD,
    k: int | None = None,
    seed: int = 42,
    threads: int | None = None,
) -> np.ndarray:
    """One cluster index per row of ``vectors`` (L2-normalised here): 0..k-1 for k-means; for
    HDBSCAN 0..m-1, and -1 for noise. ``threads``: the OpenMP and BLAS threads of the fit (None:
    ``FIT_THREADS``)."""
    if method not in METHODS:
        raise ValueError(f"unknown clustering method {method!r}; use one of {', '.join(METHODS)}")
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads or FIT_THREADS):
        return _fit(normalised(vectors), method, k, seed)


def _fit(x: np.ndarray, method: str, k: int | None, seed: int) -> np.ndarray:
    if method == "hdbscan":
        from sklearn.cluster import HDBSCAN

        size = max(5, int(round(math.sqrt(len(x)) / 2)))
        return HDBSCAN(min_cluster_size=size, min_samples=5, copy=True).fit_predict(x)
    from sklearn.cluster import MiniBatchKMeans

    k = k or choose_k(len(x))
    model = MiniBatchKMeans(
        n_clusters=k, random_state=seed, n_init=3, batch_size=min(4096, max(1024, len(x) // 20))
    )
    return model.fit_predict(x)


def normalised(vectors: np.ndarray) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


def number_clusters(raw: np.ndarray, keys: list[str]) -> np.ndarray:
    """The fit's indices renumbered 1, 2, ... from the largest cluster (ties: the cluster whose
    first key comes first; ``keys`` are in order); noise (-1) becomes 0."""
    out = np.zeros(len(raw), dtype=np.int32)
    found, first, sizes = np.unique(raw, return_index=True, return_counts=True)
    size = {int(c): int(n) for c, n in zip(found, sizes, strict=True)}
    first_key = {int(c): keys[i] for c, i in zip(found, first, strict=True)}
    order = sorted((c for c in size if c >= 0), key=lambda c: (-size[c], first_key[c]))
    remap = np.zeros(int(found.max()) + 2, dtype=np.int32)  # index c + 1: noise (-1) maps to 0
    for number, c in enumerate(order, start=1):
        remap[c + 1] = number
    out[:] = remap[raw + 1]
    return out


def distinctive_terms(texts_by_cluster: dict[int, list[str]], top: int = LABEL_TERMS) -> dict[int, list[str]]:
    """Class-based TF-IDF: each cluster's texts are one document; a term's weight in a cluster is
    its frequency there (out of the cluster's words) times log(1 + A / f), A the mean words per
    cluster and f the term's frequency over every cluster. The ``top`` heaviest terms of each."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    clusters = sorted(texts_by_cluster)
    documents = [" ".join(texts_by_cluster[c]) for c in clusters]
    vectorizer = CountVectorizer(
        lowercase=True,
        token_pattern=r"(?u)\b[^\W\d_]{3,}\b",
        stop_words=sorted(ENGLISH_STOP_WORDS | PROMPT_STOP_WORDS),
    )
    try:
        counts = vectorizer.fit_transform(documents).toarray().astype(float)
    except ValueError:  # no words at all (empty prompts)
        return {c: [] for c in clusters}
    terms = vectorizer.get_feature_names_out()
    words = counts.sum(axis=1, keepdims=True)
    tf = counts / np.where(words == 0, 1, words)
    idf = np.log(1 + counts.sum(axis=1).mean() / np.maximum(counts.sum(axis=0), 1))
    weight = tf * idf
    out = {}
    for row, c in enumerate(clusters):
        best = [i for i in np.lexsort((terms, -weight[row])) if counts[row, i] > 0][:top]
        out[c] = [str(terms[i]) for i in best]
    return out


@dataclass
class Clustering:
    """One kind's clusters: per item its number and cosine distance to its centroid; per cluster
    its label terms and representatives."""

    kind: str
    keys: list[str]
    numbers: np.ndarray
    distances: np.ndarray
    terms: dict[int, list[str]]
    representatives: dict[int, list[str]]


def cluster_items(
    kind: str,
    keys: list[str],
    vectors: np.ndarray,
    texts: list[list[str]],
    *,
    method: str = DEFAULT_METHOD,
    k: int | None = None,
    seed: int = 42,
    threads: int | None = None,
) -> Clustering:
    """Cluster ``vectors`` (one row per key, ``keys`` in sorted order, as ``load_items`` gives them)
    and label each cluster from ``texts`` (the prompts of each key)."""
    x = normalised(vectors)
    numbers = number_clusters(fit_clusters(x, method=method, k=k, seed=seed, threads=threads), keys)
    distances = np.zeros(len(keys), dtype=np.float32)
    representatives: dict[int, list[str]] = {}
    for c in np.unique(numbers):
        members = np.flatnonzero(numbers == c)
        centroid = normalised(x[members].mean(axis=0, keepdims=True))[0]
        distances[members] = 1 - x[members] @ centroid
        if c > 0:
            # nearest first; ties by key (keys are in order, so by position)
            nearest = members[np.lexsort((members, distances[members]))]
            representatives[int(c)] = [keys[i] for i in nearest[:REPRESENTATIVES]]
    grouped: dict[int, list[str]] = {}
    for number, item_texts in zip(numbers, texts, strict=True):
        if number > 0:
            grouped.setdefault(int(number), []).extend(item_texts)
    terms = distinctive_terms(grouped)
    return Clustering(kind, keys, numbers, distances, terms, representatives)


def cluster_name(number: int, terms: list[str]) -> str:
    """What a filter, a chart and the copilot call a cluster: '#3 castle, dragon, fantasy'."""
    if number == 0:
        return UNCLUSTERED
    return f"#{number} {', '.join(terms) if terms else '(no words)'}"


# What each kind clusters: its items of this build with a vector of the model, and their prompts.
_ITEMS = {
    "prompt": """
        SELECT e.prompt_id AS key, any_value(e.embedding) AS embedding, list(DISTINCT g.prompt) AS texts
        FROM enrich.prompt_embeddings e JOIN raw.generations g USING (prompt_id)
        WHERE e.model = $m GROUP BY e.prompt_id ORDER BY e.prompt_id
    """,
    "visual": """
        SELECT e.image_path AS key, any_value(e.embedding) AS embedding, list(DISTINCT g.prompt) AS texts
        FROM enrich.image_embeddings e JOIN raw.generations g USING (image_path)
        WHERE e.model = $m
          AND e.image_path IN (SELECT image_path FROM enrich.thumbnails WHERE thumb_path IS NOT NULL)
        GROUP BY e.image_path ORDER BY e.image_path
    """,
}
_ITEM_TABLE = {
    "prompt": ("enrich.prompt_clusters", "prompt_id"),
    "visual": ("enrich.visual_clusters", "image_path"),
}


def load_items(con, kind: str, model: str) -> tuple[list[str], np.ndarray, list[list[str]]]:
    """(keys, vectors, prompts per key) of ``kind`` for ``model``, ordered by key."""
    table = con.execute(_ITEMS[kind], {"m": model}).to_arrow_table()
    keys = table["key"].to_pylist()
    if not keys:
        return [], np.zeros((0, 0), dtype=np.float32), []
    column = table["embedding"].combine_chunks()
    flat = np.asarray(column.values.to_numpy(zero_copy_only=False), dtype=np.float32)
    vectors = flat.reshape(len(keys), -1)
    return keys, vectors, table["texts"].to_pylist()


def fingerprint(keys: list[str]) -> str:
    digest = hashlib.sha256()
    for key in keys:
        digest.update(key.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def cluster_kind(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    model: str,
    *,
    method: str = DEFAULT_METHOD,
    seed: int = 42,
    reuse_prev: bool = False,
    threads: int | None = None,
) -> dict:
    """Fill the cluster tables for ``kind`` (replacing its rows): reused from the previous warehouse
    when its run had the same key, else fitted. Returns the step's report for this kind."""
    create_enrich_tables(con)
    table, key_column = _ITEM_TABLE[kind]
    con.execute(f"DELETE FROM {table}")
    con.execute("DELETE FROM enrich.clusters WHERE kind = $k", {"k": kind})
    con.execute("DELETE FROM enrich.cluster_runs WHERE kind = $k", {"k": kind})
    keys, vectors, texts = load_items(con, kind, model)
    k = choose_k(len(keys)) if method == "kmeans" else 0
    run = {"kind": kind, "model": model, "method": method, "k": k, "seed": seed}
    run["fingerprint"] = fingerprint(keys)
    report = {"items": len(keys), "method": method, "k": k, "reused": False}
    if len(keys) < MIN_ITEMS:
        report["note"] = f"{len(keys)} {kind} item(s) with a vector of {model}: too few to cluster"
        return {**report, "clusters": 0}
    if reuse_prev and reuse_previous_run(con, run, table, "cluster_runs", also=("clusters",)):
        report["reused"] = True
    else:
        result = cluster_items(
            kind, keys, vectors, texts, method=method, k=k or None, seed=seed, threads=threads
        )
        _store(con, result, model, table, key_column)
        n_clusters = int(len(result.terms))
        con.execute(
            "INSERT INTO enrich.cluster_runs "
            "VALUES ($kind, $model, $method, $k, $seed, $fingerprint, $n, $c)",
            {**run, "n": len(keys), "c": n_clusters},
        )
    report["clusters"] = con.execute(
        "SELECT count(*) FROM enrich.clusters WHERE kind = $k AND cluster_id > 0", {"k": kind}
    ).fetchone()[0]
    report["unclustered"] = con.execute(f"SELECT count(*) FROM {table} WHERE cluster_id = 0").fetchone()[0]
    return report


def _store(con, result: Clustering, model: str, table: str, key_column: str) -> None:
    import pandas as pd

    items = pd.DataFrame(
        {key_column: result.keys, "model": model, "cluster_id": result.numbers, "distance": result.distances}
    )
    sizes = pd.Series(result.numbers).value_counts()
    rows = [
        {
            "kind": result.kind,
            "model": model,
            "cluster_id": int(number),
            "name": cluster_name(int(number), result.terms.get(int(number), [])),
            "label": ", ".join(result.terms.get(int(number), [])) if number else UNCLUSTERED,
            "terms": result.terms.get(int(number), []),
            "n_items": int(sizes[number]),
            "representatives": result.representatives.get(int(number), []),
        }
        for number in sorted(sizes.index)
    ]
    clusters = pd.DataFrame(rows)
    con.register("new_cluster_items", items)
    con.register("new_clusters", clusters)
    try:
        con.execute(
            f"INSERT INTO {table} SELECT {key_column}, model, cluster_id, distance FROM new_cluster_items"
        )
        con.execute(
            "INSERT INTO enrich.clusters SELECT kind, model, cluster_id, name, label, "
            "CAST(terms AS VARCHAR[]), n_items, CAST(representatives AS VARCHAR[]) FROM new_clusters"
        )
    finally:
        con.unregister("new_cluster_items")
        con.unregister("new_clusters")


def cluster_step(ctx) -> None:
    """The build step ``clusters`` on a build's context: prompt clusters on the text embeddings of
    the build's model, visual clusters on the image embeddings (the build runs it through
    ``projection.cluster_and_map_step``, which adds each kind's map). The build summary gets the items
    clustered now (done) or copied from the previous warehouse (skipped), each kind's report, and a
    note for a kind that has nothing to cluster."""
    from tqdm.auto import tqdm

    enrichment = ctx.summary.enrichment
    models = {
        "prompt": enrichment.get("embeddings", {}).get("model"),
        "visual": enrichment.get("image_embeddings", {}).get("model"),
    }
    report: dict = {"done": 0, "skipped": 0, "failed": 0}
    with tqdm(total=len(KINDS), desc="clusters", unit="kind", disable=not ctx.progress, leave=False) as bar:
        for kind in KINDS:
            if models[kind]:
                found = cluster_kind(
                    ctx.con, kind, models[kind], seed=ctx.settings.seed, reuse_prev=ctx.reuse_prev,
                    threads=ctx.settings.threads or None,
                )  # fmt: skip
                report["skipped" if found["reused"] else "done"] += found["items"] if found["clusters"] else 0
            else:
                create_enrich_tables(ctx.con)
                found = {"items": 0, "clusters": 0, "note": f"no {kind} embeddings in this build"}
            report[kind] = found
            bar.update(1)
    notes = [found["note"] for kind in KINDS if (found := report[kind]).get("note")]
    if notes:
        report["note"] = "; ".join(notes)
    ctx.summary.enrichment["clusters"] = report
