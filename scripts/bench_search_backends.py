"""Search backends side by side: the vector index (DuckDB vss HNSW vs usearch) and BM25 (DuckDB fts
vs bm25s vs tantivy), on the synthetic corpus of ``scripts/bench_search.py``.

    python scripts/bench_search_backends.py --sizes 100000 [--workdir /tmp/bench-backends]
        [--vector duckdb usearch-f32 usearch-f16 usearch-i8] [--keyword fts bm25s tantivy]
        [--threads 2]

The corpus (base texts embedded for real, then noisy near-duplicate copies) and the 100 queries
are those of ``bench_search.py``; its embeddings are cached in the work folder, so running both
scripts on the same ``--workdir`` embeds once. Every backend runs in a fresh child process, so
that its peak RSS is its own (the child first loads the corpus: the N x 384 float32 vectors, 154
MB at 100k, are counted in "base RSS" and in the peak).

Vector backends, all cosine with the build's HNSW parameters (``M``/connectivity 16,
``ef_construction``/expansion_add 256, ``ef_search``/expansion_search 200, from
``genai_analyzer.core.contract``):

- ``duckdb``: ``CREATE INDEX ... USING HNSW`` on a table (prompt_id, text_embedding FLOAT[384]),
  as the build runs it, then the top-k statement ``vector_search.semantic_sql`` on the file reopened
  read-only (as the app does).
- ``exact-i8``: no graph: the vectors quantised to int8 and scanned in full for every query
  (usearch's exact search, SIMD, ``--threads`` threads); its build is the quantisation.
- ``usearch-f32`` / ``-f16`` / ``-i8``: ``usearch.index.Index`` with the vectors stored in that
  type, ``add`` on ``--threads`` threads, saved to a file and reopened memory-mapped (``view``).
  ``usearch-i8-64`` and the like set another expansion_add (ef_construction) than the build's.
  ``--rerank N`` adds rows where the index is asked for N candidates that are then ordered by
  their exact float32 similarity (numpy; an app would read the vectors from a memory-mapped
  file), so that a quantised graph finds the neighbourhood and full precision orders it.

Figures: build seconds; file MB; open + first query seconds; recall@10 against the exact top 10
(brute force, numpy), by ids and tie-aware (a returned prompt counts when its exact similarity
is at least the 10th exact result's); latency p50/p95 in ms of one query at k=10 and at k=240 (the
depth ``search()`` asks for in hybrid mode or with filters), one query at a time on one thread.

Keyword backends share one tokenisation, DuckDB fts's (``PRAGMA create_fts_index`` with porter
stemming, English stopwords, lower-casing and accents stripped, as the build runs it): the
other two index the fts index's own terms per prompt and are asked the query's distinct stemmed
terms, so their rankings can be compared with fts's. BM25 with k1 = 1.2 and b = 0.75 everywhere.

- ``fts``: the build's two statements (``create_fts_index`` and the BM25 postings table), timed
  apart, then the keyword statement of ``search()`` (``keyword.KEYWORD_SQL``) on the file reopened
  read-only.
- ``bm25s``: ``bm25s.BM25(method="lucene", k1=1.2, b=0.75)``, saved and reloaded memory-mapped.
- ``tantivy``: an index on disk with a whitespace analyser over the shared terms; a query is a
  boolean OR of term queries; the prompt number is read back from a fast field.

Figures: index seconds (for bm25s and tantivy, from the shared token lists: the tokenising itself
is DuckDB's, timed once as "tokens s"); folder/file MB; latency p50/p95 at k=10 and k=240 of one
query (the query's terms given, not counting their tokenising); top-10 agreement with fts, by ids
and tie-aware (a prompt counts when its fts BM25 score is at least fts's 10th score).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_search  # noqa: E402  (a script beside this one, not a package)

from genai_analyzer.core import contract  # noqa: E402

DIM = bench_search.DIM
DEEP = 240  # search()'s depth at limit=24: max(24 * 10, 200)
VECTOR_BACKENDS = ("duckdb", "usearch-f32", "usearch-f16", "usearch-i8")
KEYWORD_BACKENDS = ("fts", "bm25s", "tantivy")
TIE_TOLERANCE = bench_search.TIE_TOLERANCE


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_rss_mb() -> float:
    """The process's peak resident memory (VmHWM: since its exec, unlike ru_maxrss, which a child
    inherits from the parent that forked it)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6  # kB, in MB like rss_mb
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def size_mb(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
    return path.stat().st_size / 1e6 if path.exists() else 0.0


def pcts(latencies: list[float]) -> tuple[float, float]:
    a = np.asarray(latencies) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


# --- the corpus, written once per size by the parent ------------------------------------------


def prepare(workdir: Path, size: int, args) -> Path:
    """Writes vectors, texts, query vectors and the exact top 10 for ``size`` into a folder."""
    folder = workdir / f"backends_{size}"
    if (folder / "done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    texts, held_out = bench_search.base_texts(args.diffusiondb, args.base, args.seed)
    labelled = [q["query"] for q in json.loads(bench_search.QUERY_SET.read_text())["queries"]]
    queries = labelled + held_out
    embedder = None
    if not all((workdir / n).exists() for n in ("base_vectors.npy", "query_vectors.npy")):
        from genai_analyzer.models.embeddings import DEFAULT_MODEL, Embedder

        embedder = Embedder(DEFAULT_MODEL)
    base = bench_search.embed_cached(embedder, texts, workdir / "base_vectors.npy")
    qvecs = bench_search.embed_cached(embedder, queries, workdir / "query_vectors.npy")
    vectors, corpus_texts = bench_search.corpus(base, texts, size, args.noise, args.seed)
    exact = np.asarray(bench_search.exact_top10(vectors, qvecs), dtype=np.int64)
    np.save(folder / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32))
    np.save(folder / "queries.npy", qvecs.astype(np.float32))
    np.save(folder / "exact.npy", exact)
    (folder / "texts.json").write_text(json.dumps({"texts": corpus_texts, "queries": queries}))
    (folder / "done").write_text("")
    return folder


def tie_recall(got: np.ndarray, want: np.ndarray, vectors: np.ndarray, q: np.ndarray) -> tuple[float, float]:
    """(recall@10 by ids, tie-aware recall@10) of one query's returned ids."""
    got = [int(g) for g in got[:10] if g >= 0]
    by_ids = len(set(got) & set(want.tolist())) / 10
    return by_ids, bench_search.tie_aware_recall(got, want.tolist(), vectors, q)


# --- vector backends (each in its own child process) -----------------------------------------


def run_vector(backend: str, folder: Path, threads: int, ef_searches: list[int], reranks: list[int]) -> dict:
    vectors = np.load(folder / "vectors.npy")
    qvecs = np.load(folder / "queries.npy")
    exact = np.load(folder / "exact.npy")
    out = {"backend": backend, "base_rss": rss_mb()}
    if backend == "duckdb":
        search_k, files, set_ef = _duckdb_vectors(vectors, folder, threads, out)
    elif backend == "exact-i8":
        search_k, files, set_ef = _exact_i8_vectors(vectors, folder, threads, out)
    else:
        parts = backend.split("-")  # usearch-DTYPE[-EXPANSION_ADD]
        expansion_add = int(parts[2]) if len(parts) > 2 else contract.HNSW_EF_CONSTRUCTION
        search_k, files, set_ef = _usearch_vectors(parts[1], expansion_add, vectors, folder, threads, out)
    out["by_ef"] = {}
    graph = backend != "exact-i8"  # ef_search means nothing to an exact scan: one row
    breadths = ef_searches if graph else ["-"]
    modes = [(ef, n) for ef in breadths for n in (reranks if backend != "duckdb" else [0])]
    for ef, rerank in modes:
        set_ef(ef)
        figures = out["by_ef"][f"{ef}" + (f", rerank {rerank}" if rerank else "")] = {}
        for k in (10, DEEP):
            lat, by_ids, ties = [], [], []
            for q, want in zip(qvecs, exact, strict=True):
                started = time.perf_counter()
                got = search_k(q, k) if not rerank else _reranked(search_k(q, max(k, rerank)), vectors, q, k)
                lat.append(time.perf_counter() - started)
                r = tie_recall(got, want, vectors, q)
                by_ids.append(r[0])
                ties.append(r[1])
            figures[f"lat{k}"] = pcts(lat)
            figures[f"recall{k}"] = (float(np.mean(by_ids)), float(np.mean(ties)))
    out["file_mb"] = sum(size_mb(f) for f in files)
    out["peak_rss"] = peak_rss_mb()
    return out


def _reranked(candidates: np.ndarray, vectors: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    """The k best of an approximate index's candidates by their exact (float32) similarity: the
    index's quantised vectors find the neighbourhood, the full vectors (a memory-mapped file
    beside it, in an app) order it."""
    candidates = candidates[candidates < len(vectors)]
    sims = vectors[candidates] @ q
    return candidates[np.argsort(-sims, kind="stable")[:k]]


def _duckdb_vectors(vectors: np.ndarray, folder: Path, threads: int, out: dict):
    import pyarrow as pa

    from genai_analyzer.analysis.vector_search import semantic_sql
    from genai_analyzer.warehouse import duck

    path = folder / "vectors.duckdb"
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
    con = duck.connect(path, threads=threads)
    con.execute(f"CREATE TABLE dim_prompts (prompt_id VARCHAR, text_embedding FLOAT[{DIM}])")
    chunk = 100_000
    for start in range(0, len(vectors), chunk):
        stop = min(len(vectors), start + chunk)
        flat = pa.array(vectors[start:stop].ravel(), type=pa.float32())
        batch = pa.table(
            {
                "prompt_id": pa.array([f"p{i:08d}" for i in range(start, stop)]),
                "embedding": pa.FixedSizeListArray.from_arrays(flat, DIM),
            }
        )
        con.register("batch", batch)
        con.execute(f"INSERT INTO dim_prompts SELECT prompt_id, embedding::FLOAT[{DIM}] FROM batch")
        con.unregister("batch")
    con.execute("CHECKPOINT")
    out["rss_before_build"] = rss_mb()
    started = time.perf_counter()
    con.execute(
        f"CREATE INDEX {contract.HNSW_INDEX} ON dim_prompts USING HNSW (text_embedding) "
        f"WITH (metric = 'cosine', M = {contract.HNSW_M}, ef_construction = {contract.HNSW_EF_CONSTRUCTION}, "
        f"ef_search = {contract.HNSW_EF_SEARCH})"
    )
    con.execute("CHECKPOINT")
    out["build_s"] = time.perf_counter() - started
    out["rss_after_build"] = rss_mb()
    con.close()
    started = time.perf_counter()
    ro = duck.connect(path, read_only=True, threads=threads)
    ro.execute(semantic_sql(DIM, 10), {"q": vectors[0]}).fetchall()
    out["open_s"] = time.perf_counter() - started

    def search_k(q: np.ndarray, k: int) -> np.ndarray:
        rows = ro.execute(semantic_sql(DIM, k), {"q": q}).fetchall()
        return np.asarray([int(r[0][1:]) for r in rows], dtype=np.int64)

    def set_ef(ef: int) -> None:
        ro.execute(f"SET GLOBAL hnsw_ef_search = {int(ef)}")

    return search_k, [path], set_ef


def _exact_i8_vectors(vectors: np.ndarray, folder: Path, threads: int, out: dict):
    """No graph: every vector quantised to int8 (x 127, the vectors being unit length) and saved;
    a query scans them all (usearch's exact search, SIMD inner products on ``threads`` threads).
    Building is the quantisation; recall is lost only to the rounding (``--rerank`` orders the
    candidates by their float32 similarity)."""
    from usearch.index import MetricKind
    from usearch.index import search as exact_search

    path = folder / "vectors-i8.npy"
    out["rss_before_build"] = rss_mb()
    started = time.perf_counter()
    np.save(path, np.clip(np.rint(vectors * 127), -127, 127).astype(np.int8))
    out["build_s"] = time.perf_counter() - started
    out["rss_after_build"] = rss_mb()
    started = time.perf_counter()
    quantised = np.load(path, mmap_mode="r")  # memory-mapped, as an app would open it
    quantised = np.ascontiguousarray(quantised)  # read into memory once: the scan reads all of it
    out["open_s"] = time.perf_counter() - started

    def search_k(q: np.ndarray, k: int) -> np.ndarray:
        code = np.clip(np.rint(q * 127), -127, 127).astype(np.int8)
        found = exact_search(quantised, code, k, MetricKind.IP, exact=True, threads=threads)
        return np.asarray(found.keys, dtype=np.int64).ravel()

    return search_k, [path], lambda ef: None


def _usearch_vectors(
    dtype: str, expansion_add: int, vectors: np.ndarray, folder: Path, threads: int, out: dict
):
    from usearch.index import Index

    def new_index(**kw) -> Index:
        return Index(
            ndim=DIM,
            metric="cos",
            dtype=dtype,
            connectivity=contract.HNSW_M,
            expansion_add=expansion_add,
            expansion_search=contract.HNSW_EF_SEARCH,
            **kw,
        )

    path = folder / f"vectors-{dtype}-{expansion_add}.usearch"
    out["rss_before_build"] = rss_mb()
    started = time.perf_counter()
    index = new_index()
    index.add(np.arange(len(vectors), dtype=np.uint64), vectors, threads=threads)
    index.save(str(path))
    out["build_s"] = time.perf_counter() - started
    out["rss_after_build"] = rss_mb()
    out["index_memory_mb"] = index.memory_usage / 1e6
    del index
    started = time.perf_counter()
    view = new_index()
    view.view(str(path))  # memory-mapped: the app's start costs no build and no copy
    view.search(vectors[0], 10, threads=1)
    out["open_s"] = time.perf_counter() - started

    def search_k(q: np.ndarray, k: int) -> np.ndarray:
        return np.asarray(view.search(q, k, threads=1).keys, dtype=np.int64)

    def set_ef(ef: int) -> None:
        view.expansion_search = int(ef)

    return search_k, [path], set_ef


# --- keyword backends ------------------------------------------------------------------------


def run_keyword(backend: str, folder: Path, threads: int) -> dict:
    out = {"backend": backend, "base_rss": rss_mb()}
    if backend == "fts":
        search_k, files = _fts(folder, threads, out)
    else:
        tokens = json.loads((folder / "tokens.json").read_text())
        docs, query_terms = tokens["docs"], tokens["queries"]
        out["base_rss"] = rss_mb()
        make = _bm25s if backend == "bm25s" else _tantivy
        search_k, files = make(docs, folder, threads, out)
    fts_ranks = json.loads((folder / "fts_ranks.json").read_text()) if backend != "fts" else None
    query_terms = json.loads((folder / "tokens.json").read_text())["queries"]
    for k in (10, DEEP):
        lat, by_ids, ties = [], [], []
        for i, terms in enumerate(query_terms):
            started = time.perf_counter()
            got = search_k(terms, k)
            lat.append(time.perf_counter() - started)
            if fts_ranks is not None and k == DEEP:
                a, t = _agreement(got[:10], fts_ranks[i])
                by_ids.append(a)
                ties.append(t)
        out[f"lat{k}"] = pcts(lat)
        if by_ids:
            out["agreement"] = (float(np.mean(by_ids)), float(np.mean(ties)))
    out["file_mb"] = sum(size_mb(f) for f in files)
    out["peak_rss"] = peak_rss_mb()
    return out


def _agreement(got: list[int], fts: list[list]) -> tuple[float, float]:
    """(shared ids with fts's top 10, tie-aware share) for one query; ``fts`` is fts's ranking to
    depth 1000 as [docno, score] pairs. A prompt outside it has a score at most the last one's."""
    want = [d for d, _ in fts[:10]]
    if not want:
        return (1.0, 1.0) if not got else (0.0, 0.0)
    score = {d: s for d, s in fts}
    floor = fts[-1][1] if len(fts) >= 1000 else 0.0
    tenth = fts[min(10, len(fts)) - 1][1]
    n = min(10, len(want))
    by_ids = len(set(got) & set(want)) / n
    ties = min(n, sum(1 for d in got if score.get(d, floor) >= tenth - TIE_TOLERANCE)) / n
    return by_ids, ties


def _fts(folder: Path, threads: int, out: dict):
    import pyarrow as pa

    from genai_analyzer.analysis.keyword import KEYWORD_SQL
    from genai_analyzer.warehouse import duck
    from genai_analyzer.warehouse.indexes import BM25_POSTINGS_SQL

    data = json.loads((folder / "texts.json").read_text())
    texts, queries = data["texts"], data["queries"]
    path = folder / "keyword.duckdb"
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
    con = duck.connect(path, threads=threads)
    con.register("t", pa.table({"prompt_id": [f"p{i:08d}" for i in range(len(texts))], "prompt": texts}))
    con.execute("CREATE TABLE dim_prompts AS SELECT * FROM t")
    con.unregister("t")
    del texts, data
    out["base_rss"] = rss_mb()
    started = time.perf_counter()
    con.execute(
        "PRAGMA create_fts_index('dim_prompts', 'prompt_id', 'prompt', stemmer = 'porter', "
        "stopwords = 'english', lower = 1, strip_accents = 1, overwrite = 1)"
    )
    out["fts_s"] = time.perf_counter() - started
    started = time.perf_counter()
    con.execute(BM25_POSTINGS_SQL)
    con.execute("CHECKPOINT")
    out["postings_s"] = time.perf_counter() - started
    out["build_s"] = out["fts_s"] + out["postings_s"]
    out["rss_after_build"] = rss_mb()
    # The shared tokenisation: each prompt's fts terms (its docid order is the prompt number), and
    # each query's distinct stemmed terms, as KEYWORD_SQL makes them.
    started = time.perf_counter()
    rows = con.execute(
        """
        SELECT d.name, list(dict.term ORDER BY t.termid) FROM fts_main_dim_prompts.terms t
        JOIN fts_main_dim_prompts.dict dict USING (termid)
        JOIN fts_main_dim_prompts.docs d USING (docid)
        GROUP BY d.name
        """
    ).fetchall()
    n = con.execute("SELECT count(*) FROM dim_prompts").fetchone()[0]
    docs: list[list[str]] = [[] for _ in range(n)]
    for name, terms in rows:
        docs[int(name[1:])] = terms
    del rows
    query_terms = [
        [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT t FROM ("
                "SELECT stem(unnest(fts_main_dim_prompts.tokenize($q)), 'porter') AS t) "
                "WHERE t IN (SELECT term FROM fts_main_dim_prompts.dict) ORDER BY t",
                {"q": q},
            ).fetchall()
        ]
        for q in queries
    ]
    out["tokens_s"] = time.perf_counter() - started
    (folder / "tokens.json").write_text(json.dumps({"docs": docs, "queries": query_terms}))
    del docs
    con.close()
    started = time.perf_counter()
    ro = duck.connect(path, read_only=True, threads=threads)

    def run(q: str, k: int):
        sql = KEYWORD_SQL.format(postings=contract.BM25_POSTINGS, restrict="", depth=int(k))
        return ro.execute(sql, {"q": q}).fetchall()

    run(queries[0], 10)
    out["open_s"] = time.perf_counter() - started
    ranks = [[[int(pid[1:]), float(s)] for pid, s in run(q, 1000)] for q in queries]
    (folder / "fts_ranks.json").write_text(json.dumps(ranks))
    by_terms = {" ".join(t): q for t, q in zip(query_terms, queries, strict=True)}

    def search_k(terms: list[str], k: int) -> list[int]:
        # fts's statement tokenises the query text itself: timed as search() runs it.
        return [int(pid[1:]) for pid, _ in run(by_terms[" ".join(terms)], k)]

    return search_k, [path]


def _bm25s(docs: list[list[str]], folder: Path, threads: int, out: dict):
    import bm25s

    path = folder / "bm25s"
    shutil.rmtree(path, ignore_errors=True)
    started = time.perf_counter()
    model = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    # create_empty_token=False: bm25s would add a token "" to every vocabulary
    model.index(docs, show_progress=False, create_empty_token=False)
    model.save(str(path))
    out["build_s"] = time.perf_counter() - started
    out["rss_after_build"] = rss_mb()
    del model
    started = time.perf_counter()
    loaded = bm25s.BM25.load(str(path), mmap=True)
    vocab = loaded.vocab_dict
    out["open_s"] = time.perf_counter() - started

    def search_k(terms: list[str], k: int) -> list[int]:
        ids = [[vocab[t] for t in terms if t in vocab]]
        if not ids[0]:
            return []
        docs_, scores = loaded.retrieve(ids, k=k, show_progress=False, n_threads=1)
        return [int(d) for d, s in zip(docs_[0], scores[0], strict=True) if s > 0]

    return search_k, [path]


def _tantivy(docs: list[list[str]], folder: Path, threads: int, out: dict):
    import tantivy

    path = folder / "tantivy"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir()
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("n", stored=True, indexed=False)
    builder.add_text_field("body", stored=False, tokenizer_name="ws", index_option="freq")
    schema = builder.build()
    analyser = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    started = time.perf_counter()
    index = tantivy.Index(schema, path=str(path))
    index.register_tokenizer("ws", analyser)
    writer = index.writer(heap_size=256_000_000, num_threads=max(1, threads))
    for n, terms in enumerate(docs):
        writer.add_document(tantivy.Document(n=n, body=" ".join(terms)))
    writer.commit()
    writer.wait_merging_threads()
    out["build_s"] = time.perf_counter() - started
    out["rss_after_build"] = rss_mb()
    started = time.perf_counter()
    index = tantivy.Index.open(str(path))
    index.register_tokenizer("ws", analyser)
    searcher = index.searcher()
    out["open_s"] = time.perf_counter() - started

    def search_k(terms: list[str], k: int) -> list[int]:
        if not terms:
            return []
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", t)) for t in terms]
        )
        hits = searcher.search(query, k, count=False).hits
        # the prompt number, stored with each document
        return [int(searcher.doc(addr)["n"][0]) for _, addr in hits]

    return search_k, [path]


# --- the parent: one child per backend, one table per kind ------------------------------------


def child(kind: str, backend: str, folder: Path, args) -> dict | None:
    threads, timeout = args.threads, args.timeout
    cmd = [sys.executable, __file__, "--child", kind, backend, str(folder), "--threads", str(threads)]
    cmd += ["--ef-search", *map(str, args.ef_search), "--rerank", *map(str, args.rerank)]
    started = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  {backend}: stopped after {timeout:.0f} s (--timeout)", flush=True)
        return None
    if done.returncode != 0:
        print(f"  {backend}: FAILED\n{done.stderr[-3000:]}", flush=True)
        return None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - started
    print(f"  {backend}: {json.dumps(result)}", flush=True)
    return result


def ms(pair) -> str:
    return f"{pair[0]:.1f} / {pair[1]:.1f}" if pair[0] < 10 else f"{pair[0]:.0f} / {pair[1]:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument(
        "--vector",
        nargs="*",
        default=list(VECTOR_BACKENDS),
        help="duckdb, exact-i8, or usearch-DTYPE[-EXPANSION_ADD] (DTYPE f32, f16 or i8; EXPANSION_ADD, the "
        f"ef_construction of the graph, defaults to the build's {contract.HNSW_EF_CONSTRUCTION}).",
    )
    parser.add_argument("--keyword", nargs="*", default=list(KEYWORD_BACKENDS), choices=KEYWORD_BACKENDS)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="Threads to build with.")
    parser.add_argument(
        "--ef-search",
        type=int,
        nargs="+",
        default=[contract.HNSW_EF_SEARCH],
        help="Query-time search breadth(s) of the vector indexes (hnsw_ef_search, expansion_search); "
        f"one row each (the build's: {contract.HNSW_EF_SEARCH}).",
    )
    parser.add_argument(
        "--rerank",
        type=int,
        nargs="+",
        default=[0],
        help="usearch and exact-i8: also ask for this many candidates and order them by their exact "
        "similarity (0: the index's own order); one row each.",
    )
    parser.add_argument("--timeout", type=float, default=900, help="Seconds one backend may take.")
    parser.add_argument("--diffusiondb", type=Path, default=bench_search.DEFAULT_DIFFUSIONDB)
    parser.add_argument("--base", type=int, default=20_000)
    parser.add_argument("--noise", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "BACKEND", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, backend, folder = args.child
        if kind == "vector":
            print(json.dumps(run_vector(backend, Path(folder), args.threads, args.ef_search, args.rerank)))
        else:
            print(json.dumps(run_keyword(backend, Path(folder), args.threads)))
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="genai-bench-backends-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"workdir {workdir}; threads {args.threads}", flush=True)
    vec_rows, kw_rows = [], []
    for size in args.sizes:
        folder = prepare(workdir, size, args)
        print(f"{size:,} prompts ({folder})", flush=True)
        for backend in args.vector:
            r = child("vector", backend, folder, args)
            if r:
                vec_rows.append((size, r))
        if args.keyword and "fts" not in args.keyword and not (folder / "tokens.json").exists():
            args.keyword.insert(0, "fts")  # the shared tokens and the reference ranking
        for backend in args.keyword:
            r = child("keyword", backend, folder, args)
            if r:
                kw_rows.append((size, r))
    print()
    if vec_rows:
        print(
            "| prompts | vector index | build s | file MB | open + 1st query s | ef_search, rerank "
            f"| recall@10, k=10 (ids / tie-aware) | recall@10, k={DEEP} (ids / tie-aware) "
            f"| k=10 ms p50 / p95 | k={DEEP} ms p50 / p95 "
            "| RSS MB: base / after build / peak |"
        )
        print("|---:|:--|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size, r in vec_rows:
            for ef, e in r["by_ef"].items():
                print(
                    f"| {size:,} | {r['backend']} | {r['build_s']:.1f} | {r['file_mb']:.0f} "
                    f"| {r['open_s']:.2f} | {ef} "
                    f"| {e['recall10'][0]:.3f} / {e['recall10'][1]:.3f} "
                    f"| {e[f'recall{DEEP}'][0]:.3f} / {e[f'recall{DEEP}'][1]:.3f} "
                    f"| {ms(e['lat10'])} | {ms(e[f'lat{DEEP}'])} "
                    f"| {r['base_rss']:.0f} / {r['rss_after_build']:.0f} / {r['peak_rss']:.0f} |"
                )
        print()
    if kw_rows:
        print(
            "| prompts | BM25 | index s | file MB | open + 1st query s | top-10 agreement with fts "
            f"(ids / tie-aware) | k=10 ms p50 / p95 | k={DEEP} ms p50 / p95 "
            "| RSS MB: base / after build / peak |"
        )
        print("|---:|:--|---:|---:|---:|---:|---:|---:|---:|")
        for size, r in kw_rows:
            build = (
                f"{r['build_s']:.1f} (fts {r['fts_s']:.1f} + postings {r['postings_s']:.1f}; "
                f"tokens {r['tokens_s']:.1f})"
                if r["backend"] == "fts"
                else f"{r['build_s']:.1f}"
            )
            agree = r.get("agreement")
            agree = f"{agree[0]:.3f} / {agree[1]:.3f}" if agree else "(reference)"
            print(
                f"| {size:,} | {r['backend']} | {build} | {r['file_mb']:.0f} | {r['open_s']:.2f} | {agree} "
                f"| {ms(r['lat10'])} | {ms(r[f'lat{DEEP}'])} "
                f"| {r['base_rss']:.0f} / {r['rss_after_build']:.0f} / {r['peak_rss']:.0f} |"
            )


if __name__ == "__main__":
    main()
