"""Benchmark prompt search (HNSW, BM25, hybrid) on warehouse-shaped tables of 10k to 1M prompts.

    python scripts/bench_search.py --sizes 10000 100000 1000000 [--workdir /tmp/bench-search]
        [--hnsw-m M] [--ef-construction N] [--ef-search N] [--noise 0.25] [--base 20000]
        [--keyword-backends fts bm25s] [--no-hnsw] [--reuse-tables]

What it measures, per size: the time to build the HNSW index (cosine) and the FTS (BM25) index with
the statements the build runs (``genai_analyzer.warehouse.indexes.create_search_indexes``); the latency
(p50/p95 over the query set, after a warm-up) of ``genai_analyzer.analysis.search.search`` in the semantic,
keyword and hybrid modes, run on a read-only ``Warehouse`` exactly as the app does (query vectors
are embedded once beforehand, so the latencies are the database's work; the embedding time of one
query is reported on its own line); the latency of the HNSW top-k statement alone; and recall@10
of the HNSW search against exact (brute-force, numpy) cosine search, at k=10 and at the depth
search() asks for (k=240 at limit=24), twice: by ids (the share of the exact top 10's ids
returned) and tie-aware (a returned prompt counts when its exact similarity is at least the 10th
exact result's, so that another of several equally near prompts is no miss), with the "cos
gap": how much lower the cosine similarity of the 10th HNSW result is than that of the true 10th
nearest. The HNSW parameters default to
the build's (``HNSW_M``, ``HNSW_EF_CONSTRUCTION``, ``HNSW_EF_SEARCH`` in
``genai_analyzer.pipeline.enrich``); ``--hnsw-m``, ``--ef-construction`` and ``--ef-search`` override
them.

With a filter (the pro tier, 20% of the generations): the three modes once more, "before" and
"after" side by side in the same run, query by query in turn. "before" is DuckDB's default
join-key pushdown (``dynamic_or_filter_threshold`` = 50, under which the page's 240 candidate
prompts scan every generation) with the bm25s backend finding the filter's documents for every
query; "after" is what the warehouse readers set (``contract.JOIN_PUSHDOWN_KEYS``) with the
documents kept per filters (``Bm25sKeyword.allowed``).

Keyword backends (``genai_analyzer/analysis/keyword.py``): the keyword and hybrid modes run once
per backend of ``--keyword-backends`` on the same open warehouse, one after the other, so that
DuckDB fts and bm25s are compared under the same load: ``fts`` is the statement over the fts
tables in the file, ``bm25s`` the index the build makes beside it
(``genai_analyzer.warehouse.keyword_index.build_bm25s_index``, timed as "bm25s build s"; "bm25s
open s" is the first search's choosing and loading it: the prompt-set key and the memory map).
The script also checks that both return the same keyword ranking for every query (depth 240).
``--no-hnsw`` skips the HNSW index and the modes that need it (recall, semantic, hybrid): the
keyword backends alone, for sizes whose HNSW build takes too long here (about 14 minutes at 1M).
``--reuse-tables`` keeps a size's file (tables and HNSW index) from an earlier run in the work
folder and makes only the FTS, lookup and bm25s indexes again ("HNSW build s" is then nan). The
lookup indexes on the prompt keys are the build's (``contract.LOOKUP_INDEXES``): without them the
join of a page to its generations scans both tables.

Where the vectors come from. Embedding a million prompts with all-MiniLM-L6-v2 takes hours on this
machine's two cores, so the corpus is built like this:

1. Base texts: the distinct non-empty real DiffusionDB prompts of 2M parts 1-5 (read in place from
   ``--diffusiondb``, never copied), minus 70 held out as queries, plus distinct synthetic prompts
   from ``genai_analyzer.pipeline.sample.generate_metadata`` up to ``--base`` (20,000) texts. They are
   embedded for real (cached in the work folder as ``base_vectors.npy``).
2. Sizes up to ``--base`` use the first N base vectors and texts as they are.
3. Larger sizes add copies: copy i has origin ``i mod base``, vector ``normalize(v_origin +
   (--noise / sqrt(384)) * N(0, I))`` (default noise 0.25: a copy's cosine to its origin is about
   0.97, so each origin becomes a tight cluster of near-duplicates, as DiffusionDB's refined
   prompts are), and text ``origin text + one random word`` drawn from the base texts' vocabulary,
   so that BM25 sees distinct documents.

Queries: the 30 query strings of ``tests/data/search_queries.json`` plus the 70 held-out real
prompts, embedded with the same model. Tables: ``dim_prompts`` (prompt_id, prompt, text_embedding
FLOAT[384], domain, art_style), ``fact_generations`` (about 1.2 generations per prompt, with the
columns search reads), ``dim_users`` (1,000 users with tiers) and ``build_info``, written directly
with DuckDB in the shape of the real warehouse. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.keyword import Bm25sKeyword, backend_named, keyword_choice
from genai_analyzer.analysis.search import _keyword_ranks, search
from genai_analyzer.analysis.vector_search import VectorChoice, vector_choice
from genai_analyzer.core import contract as steps
from genai_analyzer.core.contract import (
    JOIN_PUSHDOWN_KEYS,
    LOOKUP_INDEXES,
    keyword_index_root,
    vector_index_root,
)
from genai_analyzer.models.embeddings import DEFAULT_MODEL, Embedder
from genai_analyzer.warehouse import duck
from genai_analyzer.warehouse.indexes import BM25_POSTINGS_SQL, FTS_INDEX_SQL
from genai_analyzer.warehouse.keyword_index import build_bm25s_index, prune_keyword_indexes
from genai_analyzer.warehouse.reader import Warehouse
from genai_analyzer.warehouse.vector_index import build_vector_index, prune_vector_indexes

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIFFUSIONDB = (ROOT / ".." / "shared" / "data" / "diffusiondb" / "parts_000001-000005").resolve()
QUERY_SET = ROOT / "tests" / "data" / "search_queries.json"
DIM = 384
HELD_OUT = 70
HNSW_NAME = "dim_prompts_embedding_hnsw"
# the contract's names for the build's HNSW parameters, with vss's defaults where one is missing
BUILD_HNSW = {"HNSW_M": 16, "HNSW_EF_CONSTRUCTION": 128, "HNSW_EF_SEARCH": 64}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- corpus and queries ----------------------------------------------------------------------


def base_texts(diffusiondb: Path, base: int, seed: int) -> tuple[list[str], list[str]]:
    """(base corpus texts, held-out real prompts used as queries)."""
    from genai_analyzer.pipeline.sample import generate_metadata

    real = pd.read_parquet(diffusiondb / "metadata.parquet", columns=["prompt"])["prompt"]
    real = [p.strip() for p in real.dropna().drop_duplicates() if p and p.strip()]
    rng = np.random.default_rng(seed)
    rng.shuffle(real)
    held_out, real = real[:HELD_OUT], real[HELD_OUT:]
    seen = set(real) | set(held_out)
    texts = list(real)
    n_rows = 2 * base
    while len(texts) < base:
        synthetic = generate_metadata(n_generations=n_rows, n_users=max(1, n_rows // 20), seed=seed)
        for p in synthetic["prompt"]:
            p = (p or "").strip()
            if p and p not in seen:
                seen.add(p)
                texts.append(p)
                if len(texts) == base:
                    break
        n_rows *= 2
    return texts, held_out


def embed_cached(embedder: Embedder, texts: list[str], path: Path) -> np.ndarray:
    """Vectors for texts, cached at path (reused when the cached texts are the same)."""
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists() and json.loads(meta.read_text()) == texts:
        return np.load(path)
    started = time.perf_counter()
    vectors = embedder.embed(texts, progress=True)
    print(f"  embedded {len(texts):,} texts in {time.perf_counter() - started:.0f}s")
    np.save(path, vectors)
    meta.write_text(json.dumps(texts))
    return vectors


def corpus(base_vectors: np.ndarray, texts: list[str], size: int, noise: float, seed: int):
    """(vectors, texts) for ``size`` prompts: the base, then noisy copies of it (see the docstring)."""
    n_base = len(texts)
    if size <= n_base:
        return base_vectors[:size], texts[:size]
    vocab = sorted({w for t in texts for w in re.findall(r"[a-z]{4,}", t.lower())})
    rng = np.random.default_rng(seed)
    vectors = np.empty((size, DIM), dtype=np.float32)
    vectors[:n_base] = base_vectors
    out_texts = list(texts)
    chunk = 100_000
    for start in range(n_base, size, chunk):
        stop = min(size, start + chunk)
        origin = np.arange(start, stop) % n_base
        v = base_vectors[origin] + (noise / np.sqrt(DIM)) * rng.standard_normal((stop - start, DIM))
        vectors[start:stop] = v / np.linalg.norm(v, axis=1, keepdims=True)
        words = rng.integers(0, len(vocab), stop - start)
        out_texts.extend(f"{texts[o]} {vocab[w]}" for o, w in zip(origin, words, strict=True))
    return vectors, out_texts


# --- the warehouse-shaped file ---------------------------------------------------------------


def write_tables(path: Path, vectors: np.ndarray, texts: list[str], memory_limit: str) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
    con = duck.connect(path, memory_limit=memory_limit)
    con.execute(
        f"""
        CREATE TABLE dim_prompts (prompt_id VARCHAR, prompt VARCHAR, text_embedding FLOAT[{DIM}],
                                  domain VARCHAR, art_style VARCHAR);
        CREATE TABLE build_info (key VARCHAR PRIMARY KEY, value JSON);
        """
    )
    chunk = 50_000
    for start in range(0, len(texts), chunk):
        stop = min(len(texts), start + chunk)
        flat = pa.array(vectors[start:stop].ravel(), type=pa.float32())
        batch = pa.table(
            {
                "prompt_id": pa.array([f"p{i:08d}" for i in range(start, stop)]),
                "prompt": pa.array(texts[start:stop]),
                "embedding": pa.FixedSizeListArray.from_arrays(flat, DIM),
            }
        )
        con.register("batch", batch)
        con.execute(
            f"INSERT INTO dim_prompts "
            f"SELECT prompt_id, prompt, embedding::FLOAT[{DIM}], NULL, NULL FROM batch"
        )
        con.unregister("batch")
    con.execute(
        """
        CREATE TABLE dim_users AS
        SELECT 'u' || i AS user_id,
               CASE WHEN i % 20 = 0 THEN 'enterprise' WHEN i % 4 = 0 THEN 'pro' ELSE 'free' END AS tier
        FROM range(1000) t(i);
        CREATE TABLE fact_generations AS
        WITH g AS (
            SELECT prompt_id, unnest(range(CASE WHEN hash(prompt_id) % 5 = 0 THEN 2 ELSE 1 END)) AS k
            FROM dim_prompts
        ), h AS (SELECT *, hash(prompt_id || ':' || k) AS x FROM g)
        SELECT prompt_id || '-' || k AS generation_id, prompt_id,
               'u' || (x % 1000) AS user_id, 's' || (x % 50000) AS session_id,
               TIMESTAMP '2022-08-01' + to_seconds((x % (90 * 86400))::BIGINT) AS created_at,
               (TIMESTAMP '2022-08-01' + to_seconds((x % (90 * 86400))::BIGINT))::DATE AS date_key,
               CASE WHEN x % 100 < 2 THEN 'error' WHEN x % 100 < 3 THEN 'nsfw_blocked' ELSE 'success' END
                   AS status,
               (x % 20000)::INTEGER AS latency_ms, ((x // 7) % 1000) / 1000.0 AS image_nsfw,
               NULL::VARCHAR AS image_path, NULL::VARCHAR AS thumb_path,
               (x % 100000)::BIGINT AS seed, 50 AS step, 7.0 AS cfg, 'k_lms' AS sampler
        FROM h;
        """
    )
    info = {"source": "bench", "enrichment": {"embeddings": {"model": DEFAULT_MODEL, "dim": DIM}}}
    con.executemany("INSERT INTO build_info VALUES (?, ?)", [(k, json.dumps(v)) for k, v in info.items()])
    con.execute("CHECKPOINT")
    con.close()


def build_indexes(
    path: Path, m: int, ef_construction: int, ef_search: int, memory_limit: str, hnsw: bool = True
) -> dict[str, float]:
    """Time the index statements of create_search_indexes, with the given HNSW options: the HNSW
    index, then the FTS index with its BM25 postings table (together, "FTS build s"); then the
    bm25s index beside the file, as the build's indexes step makes it."""
    con = duck.connect(path, memory_limit=memory_limit)
    times = {"hnsw_s": float("nan")}
    started = time.perf_counter()
    if hnsw:
        con.execute(
            f"CREATE INDEX {HNSW_NAME} ON dim_prompts USING HNSW (text_embedding) "
            f"WITH (metric = 'cosine', M = {m}, ef_construction = {ef_construction}, "
            f"ef_search = {ef_search})"
        )
        times["hnsw_s"] = time.perf_counter() - started
    started = time.perf_counter()
    con.execute(FTS_INDEX_SQL)
    con.execute(BM25_POSTINGS_SQL)  # the BM25 weights search()'s keyword statement reads
    times["fts_s"] = time.perf_counter() - started
    for name, (table, column) in LOOKUP_INDEXES.items():  # the keys search fetches a page by
        con.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})")
    started = time.perf_counter()
    con.execute("CHECKPOINT")  # writes the HNSW graph into the file
    times["checkpoint_s"] = time.perf_counter() - started
    prune_keyword_indexes(path, keep=None)  # an index of an earlier run is timed again, not reused
    started = time.perf_counter()
    made = build_bm25s_index(con, path, progress=True)
    times["bm25s_s"] = time.perf_counter() - started
    folder = keyword_index_root(path) / made["key"]
    times["bm25s_mb"] = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
    times["bm25s_postings"] = made["postings"]
    prune_vector_indexes(path, keep=None)  # timed again, not reused
    started = time.perf_counter()
    made = build_vector_index(con, path, DEFAULT_MODEL, progress=True)
    times["vectors_s"] = time.perf_counter() - started
    folder = vector_index_root(path) / made["key"]
    times["vectors_mb"] = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
    # the build records the index's key in build_info, where a reader looks for it
    con.execute("DELETE FROM build_info WHERE key = 'vector_index'")
    con.execute("INSERT INTO build_info VALUES ('vector_index', $v)", {"v": json.dumps(made)})
    con.execute("CHECKPOINT")
    con.close()
    return times


# --- queries ---------------------------------------------------------------------------------


class FixedEmbedder:
    """Returns precomputed query vectors, so the timings leave the model out."""

    def __init__(self, vectors: dict[str, np.ndarray]):
        self.vectors = vectors

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def hnsw_sql(k: int) -> str:
    # The shape of vector_search.semantic_sql: the distance computed once, aliased, in an inner SELECT
    # ordered by it, which DuckDB rewrites into an HNSW_INDEX_SCAN (an ORDER BY on the raw
    # distance expression beside a score computed from it is a full scan; docs/benchmarks.md).
    return (
        f"SELECT prompt_id, 1 - distance AS score FROM ("
        f"SELECT prompt_id, array_cosine_distance(text_embedding, $q::FLOAT[{DIM}]) AS distance "
        f"FROM dim_prompts ORDER BY distance LIMIT {k})"
    )


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000, q))


def run_queries(
    path: Path,
    queries: list[str],
    qvecs: np.ndarray,
    vectors: np.ndarray,
    backends: list[str],
    hnsw: bool = True,
) -> dict:
    result: dict = {}
    exact = exact_top10(vectors, qvecs)  # the true top 10 of every query, for both recalls
    with Warehouse(path) as wh:
        started = time.perf_counter()
        choice = keyword_choice(wh)  # the prompt-set key, then the bm25s index memory-mapped
        result["bm25s_open_s"] = time.perf_counter() - started
        result["default_backend"] = choice.name
        started = time.perf_counter()
        vector_choice(wh)  # maps the vector index's codes and vectors
        result["vectors_open_s"] = time.perf_counter() - started
        keyword = {name: backend_named(wh, name) for name in backends}
        if len(keyword) > 1:  # the backends agree on every query's ranking
            first, *others = keyword.values()
            result["same_rankings"] = all(
                _keyword_ranks(wh, q, Filters(), 240, first) == _keyword_ranks(wh, q, Filters(), 240, b)
                for q in queries
                for b in others
            )
        if hnsw:
            result.update(_hnsw_figures(wh, qvecs, vectors, exact))
            # the same recall, under the names of the vector backends' table
            result["vec/vss/recall10"] = (result["recall10"], result["tie_recall10"])
            result["vec/vss/recall240"] = (result["recall10_deep"], result["tie_recall10_deep"])
        embedder = FixedEmbedder(dict(zip(queries, qvecs, strict=True)))
        # Per mode, each query runs with every backend in turn (the first one alternating), so that
        # the backends' figures are taken under the same load and the same warm caches.
        runs = {"semantic": [None]} if hnsw else {}
        runs.update({mode: list(backends) for mode in (("keyword", "hybrid") if hnsw else ("keyword",))})
        for mode, names in runs.items():
            lat: dict = {name: [] for name in names}
            for i, q in enumerate(queries[:3] + queries):  # the first 3: a warm-up, not counted
                for name in names[i % len(names) :] + names[: i % len(names)]:
                    started = time.perf_counter()
                    search(wh, q, mode=mode, embedder=embedder, keyword=keyword[name] if name else None)
                    if i >= 3:
                        lat[name].append(time.perf_counter() - started)
            for name, values in lat.items():
                result[f"{mode}/{name}" if name else mode] = (pct(values, 50), pct(values, 95))
        if hnsw:
            result.update(_filtered_figures(wh, queries, embedder, choice.backend))
        result.update(_vector_figures(wh, queries, qvecs, vectors, exact, embedder, hnsw))
    return result


VECTOR_RUNS = (  # (label, mode, filters) of the vector backends' side-by-side table
    ("semantic", "semantic", Filters()),
    ("hybrid (bm25s)", "hybrid", Filters()),
    ("semantic, tier pro", "semantic", Filters(tiers=("pro",))),
    ("hybrid (bm25s), tier pro", "hybrid", Filters(tiers=("pro",))),
)


def _vector_figures(wh: Warehouse, queries: list[str], qvecs, vectors, exact, embedder, hnsw: bool) -> dict:
    """The vector index beside the file (``exact-i8``) against DuckDB's HNSW statement (``vss``,
    when the file has the index): recall@10 of each (ids and tie-aware, at k=10 and at k=240), and
    search() latency per run of ``VECTOR_RUNS``, query by query in turn (the first alternating)."""
    out: dict = {}
    index_choice = vector_choice(wh)  # loaded by run_queries before any search
    out["vector_backend"] = index_choice.name
    choices = {"exact-i8": index_choice}
    if index_choice.index is not None:  # the same codes scanned by the kernel before numkong's
        choices["exact-i8 (usearch scan)"] = VectorChoice(index_choice.index.with_kernel("usearch"))
    if hnsw:
        choices["vss"] = VectorChoice(None, "the HNSW index, for comparison")
    for name, choice in choices.items():  # the HNSW statement's recall is _hnsw_figures'
        if choice.index is None:
            continue
        for k in (10, 240):
            hits, ties = [], []
            for q, want in zip(qvecs, exact, strict=True):
                got = [int(pid[1:]) for pid, _ in choice.index.ranks(q, k)[:10]]
                hits.append(len(set(got) & set(want)) / 10)
                ties.append(tie_aware_recall(got, want, vectors, q))
            out[f"vec/{name}/recall{k}"] = (float(np.mean(hits)), float(np.mean(ties)))
    names = list(choices)
    keyword = keyword_choice(wh).backend
    for label, mode, filters in VECTOR_RUNS:
        lat: dict = {name: [] for name in names}
        for i, q in enumerate(queries[:3] + queries):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                started = time.perf_counter()
                search(
                    wh,
                    q,
                    mode=mode,
                    filters=filters,
                    embedder=embedder,
                    keyword=keyword,
                    vectors=choices[name],
                )
                if i >= 3:
                    lat[name].append(time.perf_counter() - started)
        for name, values in lat.items():
            out[f"vec/{name}/{label}"] = (pct(values, 50), pct(values, 95))
    return out


# A filter a user sets before searching: the pro tier (20% of the bench's users and generations).
BENCH_FILTER = Filters(tiers=("pro",))


def _filtered_figures(wh: Warehouse, queries: list[str], embedder, backend) -> dict:
    """The three modes under ``BENCH_FILTER``, before and after the filtered-search changes, query
    by query in turn (the first alternating) in one run: "before" is DuckDB's default join-key
    pushdown (50 keys, so the page's 240 candidates scan every generation) and the bm25s backend
    finding the filter's documents anew for every query; "after" is what the readers set
    (``JOIN_PUSHDOWN_KEYS``) and the documents kept per filters (``Bm25sKeyword.allowed``)."""
    lat: dict = {(v, m): [] for v in ("before", "after") for m in MODES_FILTERED}
    for i, q in enumerate(queries[:3] + queries):
        for variant in ("before", "after") if i % 2 else ("after", "before"):
            threshold = 50 if variant == "before" else JOIN_PUSHDOWN_KEYS
            wh.query(f"SET GLOBAL dynamic_or_filter_threshold = {threshold}")
            for mode in MODES_FILTERED:
                if variant == "before" and isinstance(backend, Bm25sKeyword):
                    backend.forget()
                started = time.perf_counter()
                search(wh, q, mode=mode, filters=BENCH_FILTER, embedder=embedder, keyword=backend)
                if i >= 3:
                    lat[(variant, mode)].append(time.perf_counter() - started)
    wh.query(f"SET GLOBAL dynamic_or_filter_threshold = {JOIN_PUSHDOWN_KEYS}")
    return {f"filtered/{v}/{m}": (pct(x, 50), pct(x, 95)) for (v, m), x in lat.items()}


MODES_FILTERED = ("semantic", "keyword", "hybrid")


def _hnsw_figures(wh: Warehouse, qvecs: np.ndarray, vectors: np.ndarray, exact: list[list[int]]) -> dict:
    """Recall of the HNSW statement against the exact top 10 (``exact``), and its latency."""
    result: dict = {}
    cur = wh.cursor()
    plan = cur.execute("EXPLAIN " + hnsw_sql(10), {"q": qvecs[0].tolist()}).fetchall()[0][1]
    result["hnsw_plan"] = "HNSW_INDEX_SCAN" in plan
    started = time.perf_counter()
    cur.execute(hnsw_sql(10), {"q": qvecs[0].tolist()}).fetchall()
    result["first_query_s"] = time.perf_counter() - started  # loads the index from the file
    hits10, hits_deep, ties10, ties_deep, gaps, lat_hnsw = [], [], [], [], [], []
    for q, want in zip(qvecs, exact, strict=True):
        started = time.perf_counter()
        got = [int(r[0][1:]) for r in cur.execute(hnsw_sql(10), {"q": q.tolist()}).fetchall()]
        lat_hnsw.append(time.perf_counter() - started)
        hits10.append(len(set(got) & set(want)) / 10)
        ties10.append(tie_aware_recall(got, want, vectors, q))
        deep = [int(r[0][1:]) for r in cur.execute(hnsw_sql(240), {"q": q.tolist()}).fetchall()[:10]]
        hits_deep.append(len(set(deep) & set(want)) / 10)
        ties_deep.append(tie_aware_recall(deep, want, vectors, q))
        # How much worse the 10th result is than the true 10th (cosine similarity).
        gaps.append(float(np.min(vectors[want] @ q) - np.min(vectors[deep] @ q)))
    cur.close()
    result["recall10"] = float(np.mean(hits10))
    result["recall10_deep"] = float(np.mean(hits_deep))
    result["tie_recall10"] = float(np.mean(ties10))
    result["tie_recall10_deep"] = float(np.mean(ties_deep))
    result["cos_gap10"] = float(np.mean(gaps))
    result["hnsw_ms"] = (pct(lat_hnsw, 50), pct(lat_hnsw, 95))
    return result


# Similarities closer than this count as equal: the same dot product summed in another order (a
# matrix product against a gathered row) differs in the last bits of a float32.
TIE_TOLERANCE = 1e-6


def tie_aware_recall(got: list[int], want: list[int], vectors: np.ndarray, q: np.ndarray) -> float:
    """Recall@10 that counts ties: a returned prompt is a hit when its exact similarity to the
    query is at least that of the 10th exact nearest prompt. On a corpus of near-duplicates several
    prompts can share the 10th similarity, and an index that returns another of them is not wrong;
    the id-based recall (shares of ``want``'s ids) counts it as a miss."""
    if not want:
        return 1.0
    threshold = float(np.min(vectors[want] @ q))
    sims = vectors[got[:10]] @ q if got else np.zeros(0, dtype=np.float32)
    return min(10, int(np.sum(sims >= threshold - TIE_TOLERANCE))) / min(10, len(want))


def exact_top10(vectors: np.ndarray, qvecs: np.ndarray) -> list[list[int]]:
    """Brute-force cosine top 10 (the vectors are unit length, so a dot product)."""
    scores = np.zeros((len(qvecs), 0), dtype=np.float32)
    best_ids = np.zeros((len(qvecs), 0), dtype=np.int64)
    chunk = 200_000
    for start in range(0, len(vectors), chunk):
        s = qvecs @ vectors[start : start + chunk].T
        top = np.argpartition(-s, 10, axis=1)[:, :10] if s.shape[1] > 10 else np.argsort(-s, axis=1)
        scores = np.concatenate([scores, np.take_along_axis(s, top, axis=1)], axis=1)
        best_ids = np.concatenate([best_ids, top + start], axis=1)
        keep = np.argsort(-scores, axis=1)[:, :10]
        scores, best_ids = (
            np.take_along_axis(scores, keep, axis=1),
            np.take_along_axis(best_ids, keep, axis=1),
        )
    return [list(map(int, row)) for row in best_ids]


def embed_time(embedder: Embedder, queries: list[str]) -> tuple[float, float]:
    lat = []
    for q in queries[:50]:
        started = time.perf_counter()
        embedder.embed([q])
        lat.append(time.perf_counter() - started)
    return pct(lat, 50), pct(lat, 95)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--diffusiondb", type=Path, default=DEFAULT_DIFFUSIONDB)
    parser.add_argument("--base", type=int, default=20_000, help="Distinct texts embedded for real.")
    parser.add_argument("--noise", type=float, default=0.25, help="Norm of the noise added to copies.")
    # The build's HNSW parameters (vss's own defaults are M 16, ef_construction 128, ef_search 64).
    m, ef_c, ef_s = (getattr(steps, n, d) for n, d in BUILD_HNSW.items())
    parser.add_argument("--hnsw-m", type=int, default=m, help=f"HNSW M (the build's: {m}).")
    parser.add_argument("--ef-construction", type=int, default=ef_c, help=f"(the build's: {ef_c}).")
    parser.add_argument("--ef-search", type=int, default=ef_s, help=f"(the build's: {ef_s}).")
    parser.add_argument("--memory-limit", default="8GB", help="DuckDB memory limit while writing.")
    parser.add_argument(
        "--keyword-backends",
        nargs="+",
        default=["fts", "bm25s"],
        choices=["fts", "bm25s"],
        help="Keyword backends to run the keyword and hybrid modes with, side by side.",
    )
    parser.add_argument(
        "--reuse-tables",
        action="store_true",
        help="Keep the work folder's file of a size (its tables and HNSW index) from an earlier run; "
        "the FTS, lookup and bm25s indexes are made again.",
    )
    parser.add_argument(
        "--no-hnsw",
        action="store_true",
        help="No HNSW index: the keyword backends only (no recall, semantic or hybrid figures).",
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="genai-bench-search-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"workdir {workdir}")

    texts, held_out = base_texts(args.diffusiondb, args.base, args.seed)
    labelled = [q["query"] for q in json.loads(QUERY_SET.read_text())["queries"]]
    queries = labelled + held_out
    embedder = Embedder(DEFAULT_MODEL)
    base_vectors = embed_cached(embedder, texts, workdir / "base_vectors.npy")
    qvecs = embed_cached(embedder, queries, workdir / "query_vectors.npy")
    emb_p50, emb_p95 = embed_time(embedder, queries)
    print(
        f"  base: {len(texts):,} texts; queries: {len(labelled)} labelled + {len(held_out)} held-out prompts"
    )

    rows = []
    for size in args.sizes:
        started = time.perf_counter()
        vectors, corpus_texts = corpus(base_vectors, texts, size, args.noise, args.seed)
        path = workdir / f"search_{size}.duckdb"
        reuse = args.reuse_tables and path.exists()
        if not reuse:
            write_tables(path, vectors, corpus_texts, args.memory_limit)
        del corpus_texts
        load_s = time.perf_counter() - started
        hnsw = not args.no_hnsw
        times = build_indexes(
            path, args.hnsw_m, args.ef_construction, args.ef_search, args.memory_limit, hnsw and not reuse
        )
        r = run_queries(path, queries, qvecs, vectors, args.keyword_backends, hnsw)
        del vectors
        r.update(times, size=size, load_s=load_s, db_mb=path.stat().st_size / 1e6, rss=peak_rss_mb())
        rows.append(r)
        print(f"  {size:,}: {json.dumps(r)}", flush=True)

    params = f"M={args.hnsw_m}, ef_c={args.ef_construction}, ef_s={args.ef_search}"
    print()
    print(
        f"Query embedding (all-MiniLM-L6-v2, CPU, one query): p50 {emb_p50:.0f} ms, "
        f"p95 {emb_p95:.0f} ms (not included below). Latencies are p50 / p95 in ms over "
        f"{len(queries)} queries; search() is called with limit=24, per_prompt=4, no filters."
    )
    print()

    def ms(pair):
        if pair is None:
            return "-"
        return f"{pair[0]:.0f} / {pair[1]:.0f}" if pair[0] >= 10 else f"{pair[0]:.1f} / {pair[1]:.1f}"

    if not args.no_hnsw:
        print(
            "| prompts | HNSW params | HNSW build s | FTS build s | recall@10, k=10 (ids / tie-aware) "
            "| recall@10, k=240 (ids / tie-aware) | cos gap "
            "| HNSW statement, k=10 | search() semantic | file MB | peak RSS MB |"
        )
        print("|---:|:--|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(
                f"| {r['size']:,} | {params} | {r['hnsw_s']:.1f} | {r['fts_s']:.1f} "
                f"| {r['recall10']:.3f} / {r['tie_recall10']:.3f} "
                f"| {r['recall10_deep']:.3f} / {r['tie_recall10_deep']:.3f} | {r['cos_gap10']:.4f} "
                f"| {ms(r['hnsw_ms'])} | {ms(r['semantic'])} | {r['db_mb']:.0f} | {r['rss']:.0f} |"
            )
        print()
    if not args.no_hnsw:
        print(
            f"With a filter (tier pro: 20% of the generations), {rows[0]['default_backend']} ranking "
            "by keyword; before = DuckDB's default join-key pushdown (50) and the filter's documents "
            f"found for every query, after = {JOIN_PUSHDOWN_KEYS} and the documents kept per "
            "filters; both in the same run, query by query in turn:"
        )
        print()
        print("| prompts | mode | before p50 / p95 | after p50 / p95 | p50 after / before |")
        print("|---:|:--|---:|---:|---:|")
        for r in rows:
            for mode in MODES_FILTERED:
                before, after = r[f"filtered/before/{mode}"], r[f"filtered/after/{mode}"]
                print(f"| {r['size']:,} | {mode} | {ms(before)} | {ms(after)} | {after[0] / before[0]:.2f} |")
        print()
    print(
        "| prompts | keyword backend | index build s | index MB | first search: choose + load s "
        "| same ranking as fts | search() keyword | search() hybrid |"
    )
    print("|---:|:--|---:|---:|---:|:--|---:|---:|")
    for r in rows:
        for name in args.keyword_backends:
            build = f"{r['fts_s']:.1f}" if name == "fts" else f"{r['bm25s_s']:.1f}"
            size = "(in the file)" if name == "fts" else f"{r['bm25s_mb']:.0f}"
            opened = "-" if name == "fts" else f"{r['bm25s_open_s']:.2f}"
            same = "(reference)" if name == "fts" else str(r.get("same_rankings", "-")).lower()
            print(
                f"| {r['size']:,} | {name} | {build} | {size} | {opened} | {same} "
                f"| {ms(r.get(f'keyword/{name}'))} | {ms(r.get(f'hybrid/{name}'))} |"
            )
    print()
    print(
        "Search by meaning: the vector index beside the file (exact-i8: int8 codes scanned exactly by "
        "numkong, one slice per core, the best re-ranked in float32; the same codes scanned by "
        "usearch's exact search before it) against DuckDB's HNSW statement (vss), in the same run, "
        "query by query in turn; recall@10 by ids / tie-aware; search() p50 / p95 ms:"
    )
    print()
    print(
        "| prompts | backend | build s | files MB | open s | recall@10 k=10 | recall@10 k=240 | "
        + " | ".join(label for label, _, _ in VECTOR_RUNS)
        + " |"
    )
    print("|---:|:--|---:|---:|---:|---:|---:|" + "---:|" * len(VECTOR_RUNS))
    for r in rows:
        for name in ("vss", "exact-i8 (usearch scan)", "exact-i8"):
            if f"vec/{name}/recall10" not in r:
                continue
            build = r["hnsw_s"] if name == "vss" else r["vectors_s"]
            files = "(in the file)" if name == "vss" else f"{r['vectors_mb']:.0f}"
            opened = "-" if name == "vss" else f"{r['vectors_open_s']:.2f}"
            recall = [r[f"vec/{name}/recall{k}"] for k in (10, 240)]
            cells = [f"{a:.3f} / {b:.3f}" for a, b in recall]
            cells += [ms(r.get(f"vec/{name}/{label}")) for label, _, _ in VECTOR_RUNS]
            print(
                f"| {r['size']:,} | {name} | {build:.1f} | {files} | {opened} | " + " | ".join(cells) + " |"
            )


if __name__ == "__main__":
    main()
