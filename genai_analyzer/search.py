"""Prompt search over the warehouse: semantic (HNSW), keyword (BM25) or hybrid (rank fusion).

One function serves the UI, the API and the CLI. Search ranks distinct prompts, then expands each
to its generations that pass the filters (at most ``per_prompt`` each), so a result is a
generation with its prompt, score, thumbnail and ids.
"""

from __future__ import annotations

import functools
import threading

import numpy as np
import pandas as pd

from genai_analyzer.errors import AnalyzerError
from genai_analyzer.filters import Filters as SearchFilters
from genai_analyzer.warehouse import Warehouse

MODES = ("semantic", "keyword", "hybrid")
RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of the very top ranks


class SearchError(AnalyzerError):
    """A search request that cannot be answered as asked."""


RESULT_SQL = """
    SELECT r.rank, r.score, f.generation_id, f.prompt_id, p.prompt, f.thumb_path, f.image_path,
           f.created_at, f.user_id, f.session_id, u.tier, f.status, f.latency_ms,
           p.domain, p.art_style, f.seed, f.step, f.cfg, f.sampler
    FROM ranked r
    JOIN fact_generations f USING (prompt_id)
    JOIN dim_users u USING (user_id)
    JOIN dim_prompts p USING (prompt_id)
    WHERE {where}
    QUALIFY row_number() OVER (
        PARTITION BY f.prompt_id ORDER BY f.created_at, f.generation_id) <= {per_prompt}
    ORDER BY r.rank, f.created_at, f.generation_id
    LIMIT {limit}
"""


def search(
    wh: Warehouse,
    query: str,
    *,
    mode: str = "hybrid",
    filters: SearchFilters | None = None,
    limit: int = 24,
    per_prompt: int = 4,
    embedder=None,
) -> pd.DataFrame:
    """Generations whose prompts best match ``query``, best first (one row per generation)."""
    query = (query or "").strip()
    if not query:
        raise SearchError("Type something to search for.")
    if mode not in MODES:
        raise SearchError(f"Unknown search mode {mode!r}; use one of {', '.join(MODES)}.")
    filters = filters or SearchFilters()
    # Fusion and filters need deep candidate lists; a plain semantic search only its top ``limit``
    # prompts (each has at least one generation, so they fill the page), which the index finds
    # as well as the first ``limit`` of a deeper list and the result join reads 10x fewer prompts.
    depth = limit if mode == "semantic" and not filters.active else max(limit * 10, 200)
    ranked = []
    if mode in ("semantic", "hybrid"):
        vector = (embedder or query_embedder(wh)).embed([query])[0]
        ranked.append(_semantic_ranks(wh, vector, filters, depth))
    if mode in ("keyword", "hybrid"):
        ranked.append(_keyword_ranks(wh, query, filters, depth))
    return _results(wh, _fuse(ranked), filters, limit, per_prompt)


def more_like_this(
    wh: Warehouse,
    *,
    prompt_id: str | None = None,
    generation_id: str | None = None,
    filters: SearchFilters | None = None,
    limit: int = 24,
    per_prompt: int = 4,
) -> pd.DataFrame:
    """Generations with prompts closest in meaning to the given prompt or generation's prompt."""
    if generation_id:
        prompt_id = wh.scalar(
            "SELECT prompt_id FROM fact_generations WHERE generation_id = $g", {"g": generation_id}
        )
        if prompt_id is None:
            raise SearchError(f"No generation with id {generation_id!r}.")
    if not prompt_id:
        raise SearchError("Give a prompt_id or a generation_id.")
    vector = wh.scalar("SELECT text_embedding FROM dim_prompts WHERE prompt_id = $p", {"p": prompt_id})
    if vector is None:
        raise SearchError(
            f"Prompt {prompt_id!r} is unknown or has no embedding (run genai-analyzer enrich embeddings)."
        )
    filters = filters or SearchFilters()
    ranks = _semantic_ranks(wh, np.asarray(vector, dtype=np.float32), filters, max(limit * 10, 200) + 1)
    ranks = ranks[ranks["prompt_id"] != prompt_id]
    return _results(wh, _fuse([ranks]), filters, limit, per_prompt)


def _dim(wh: Warehouse) -> int:
    """Length of the stored prompt vectors (0 when there are none); asked once per warehouse,
    since a read-only warehouse cannot change under us."""
    if getattr(wh, "_embedding_dim", None) is None:
        wh._embedding_dim = _stored_dim(wh)
    return wh._embedding_dim


def _stored_dim(wh: Warehouse) -> int:
    return int(
        wh.scalar(
            "SELECT array_length(text_embedding) FROM dim_prompts WHERE text_embedding IS NOT NULL LIMIT 1"
        )
        or 0
    )


def semantic_sql(dim: int, depth: int) -> str:
    """The nearest-prompts statement. Its shape matters: the distance is computed once, aliased,
    in an inner SELECT ordered by it with a constant LIMIT, which DuckDB rewrites into an
    HNSW_INDEX_SCAN; computing the score beside an ORDER BY on the raw expression is a full scan."""
    return (
        f"SELECT prompt_id, 1 - distance AS score FROM ("
        f"SELECT prompt_id, array_cosine_distance(text_embedding, $q::FLOAT[{int(dim)}]) AS distance "
        f"FROM dim_prompts ORDER BY distance LIMIT {int(depth)})"
    )


# DuckDB's vss 1.5.5 crashes the process when HNSW index scans run on several threads at once
# (reproduced on a plain in-memory table with 4 cursors; docs/benchmarks.md, App). One scan at a
# time: the scan itself takes 12-20 ms at 100k prompts, the rest of a search runs in parallel.
_HNSW_LOCK = threading.Lock()


def _semantic_ranks(wh: Warehouse, vector: np.ndarray, filters: SearchFilters, depth: int) -> pd.DataFrame:
    dim = _dim(wh)
    if not dim:
        raise SearchError("This warehouse has no prompt embeddings: run genai-analyzer enrich embeddings.")
    with _HNSW_LOCK:
        ranks = wh.query(semantic_sql(dim, depth), {"q": vector.tolist()})
    if filters.active and len(_filtered(wh, ranks, filters)) < depth // 10:
        # Selective filters can leave the approximate candidates nearly empty: search exactly
        # among the prompts that pass them instead.
        where, params = filters.where()
        ranks = wh.query(
            f"""
            SELECT p.prompt_id, 1 - array_cosine_distance(p.text_embedding, $q::FLOAT[{dim}]) AS score
            FROM dim_prompts p
            WHERE p.prompt_id IN (
                SELECT f.prompt_id FROM fact_generations f JOIN dim_users u USING (user_id)
                JOIN dim_prompts p USING (prompt_id) WHERE {where})
            ORDER BY score DESC LIMIT {int(depth)}
            """,
            {"q": vector.tolist(), **params},
        )
    return ranks


# BM25 over the fts index's own tables, for the query's terms only. fts's match_bm25 macro is the
# same formula (k 1.2, b 0.75, its log), but evaluated once per prompt of the table; this reads
# just the posting lists of the query's terms: about 100 ms less per search at 100k prompts, same
# scores (a test compares them).
KEYWORD_SQL = """
    WITH tokens AS (
        SELECT DISTINCT stem(unnest(fts_main_dim_prompts.tokenize($q)), 'porter') AS t
    ),
    qterms AS (
        SELECT terms.termid, terms.docid
        FROM fts_main_dim_prompts.terms AS terms
        WHERE terms.termid IN (
            SELECT dict.termid FROM fts_main_dim_prompts.dict AS dict JOIN tokens ON dict.term = tokens.t)
    ),
    term_tf AS (SELECT termid, docid, count(*) AS tf FROM qterms GROUP BY docid, termid),
    stats AS (SELECT num_docs, avgdl FROM fts_main_dim_prompts.stats),
    scores AS (
        SELECT term_tf.docid,
               sum(log(((stats.num_docs - dict.df) + 0.5) / (dict.df + 0.5) + 1)
                   * ((term_tf.tf * (1.2 + 1))
                      / (term_tf.tf + 1.2 * ((1 - 0.75) + 0.75 * (docs.len / stats.avgdl))))) AS score
        FROM term_tf
        JOIN fts_main_dim_prompts.docs AS docs ON docs.docid = term_tf.docid
        JOIN fts_main_dim_prompts.dict AS dict ON dict.termid = term_tf.termid
        CROSS JOIN stats
        GROUP BY term_tf.docid
    )
    SELECT docs.name AS prompt_id, scores.score
    FROM scores JOIN fts_main_dim_prompts.docs AS docs ON docs.docid = scores.docid
    WHERE TRUE {restrict}
    ORDER BY scores.score DESC, prompt_id
    LIMIT {depth}
"""


def _keyword_ranks(wh: Warehouse, query: str, filters: SearchFilters, depth: int) -> pd.DataFrame:
    where, params = filters.where()
    restrict = (
        ""
        if not filters.active
        else f"AND docs.name IN (SELECT f.prompt_id FROM fact_generations f JOIN dim_users u USING (user_id) "
        f"JOIN dim_prompts p USING (prompt_id) WHERE {where})"
    )
    return wh.query(KEYWORD_SQL.format(restrict=restrict, depth=int(depth)), {"q": query, **params})


def _filtered(wh: Warehouse, ranks: pd.DataFrame, filters: SearchFilters) -> pd.DataFrame:
    where, params = filters.where()
    cur = wh.cursor()
    try:
        cur.register("candidates", ranks[["prompt_id"]])
        return cur.execute(
            f"SELECT DISTINCT f.prompt_id FROM candidates c JOIN fact_generations f USING (prompt_id) "
            f"JOIN dim_users u USING (user_id) JOIN dim_prompts p USING (prompt_id) WHERE {where}",
            params,
        ).df()
    finally:
        cur.close()


def _fuse(rankings: list[pd.DataFrame]) -> pd.DataFrame:
    """One ranking: the single one as is, or reciprocal rank fusion of several (score = sum 1/(k+rank))."""
    if len(rankings) == 1:
        fused = rankings[0].copy()
    else:
        scores: dict[str, float] = {}
        for ranking in rankings:
            for position, pid in enumerate(ranking["prompt_id"], start=1):
                scores[pid] = scores.get(pid, 0.0) + 1.0 / (RRF_K + position)
        fused = pd.DataFrame({"prompt_id": list(scores), "score": list(scores.values())})
    fused = fused.sort_values(["score", "prompt_id"], ascending=[False, True]).reset_index(drop=True)
    fused["rank"] = np.arange(1, len(fused) + 1)
    return fused


def _results(
    wh: Warehouse, ranked: pd.DataFrame, filters: SearchFilters, limit: int, per_prompt: int
) -> pd.DataFrame:
    where, params = filters.where()
    cur = wh.cursor()
    try:
        cur.register("ranked", ranked[["prompt_id", "score", "rank"]])
        sql = RESULT_SQL.format(where=where, per_prompt=int(per_prompt), limit=int(limit))
        return cur.execute(sql, params).df()
    finally:
        cur.close()


@functools.cache
def _embedder_for(model: str):
    from genai_analyzer.enrich.embeddings import embedder_from_settings
    from genai_analyzer.settings import Settings

    return embedder_from_settings(Settings.from_env(), model)


def query_embedder(wh: Warehouse):
    """The embedder of the model the warehouse's prompts were embedded with (loaded once)."""
    model = wh.build_info().get("enrichment", {}).get("embeddings", {}).get("model")
    if not model:
        raise SearchError("This warehouse has no prompt embeddings: run genai-analyzer enrich embeddings.")
    return _embedder_for(model)
