"""Prompt search over the warehouse: semantic (vectors), keyword (BM25) or hybrid (rank fusion).

One function serves the UI, the API and the CLI. Search ranks distinct prompts, then expands each
to its generations that pass the filters (at most ``per_prompt`` each), so a result is a
generation with its prompt, score, thumbnail and ids.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from genai_analyzer.analysis.embedding_job import search_tier
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.keyword import KeywordBackend, Ranking, keyword_backend
from genai_analyzer.analysis.queries import from_filtered
from genai_analyzer.analysis.vector_search import VectorChoice, vector_ranks
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.warehouse.reader import Warehouse

MODES = ("semantic", "keyword", "hybrid")
RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of the very top ranks
# Keyword rankings of hybrid searches run here, beside their semantic half (threads start on use).
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="search-keyword")


class SearchError(AnalyzerError):
    """A search request that cannot be answered as asked."""


# The ranked prompts come in as list parameters; with the build's indexes on the prompt keys
# (enrich.steps.LOOKUP_INDEXES) DuckDB fetches their rows by key instead of scanning the tables.
RESULT_SQL = """
    SELECT r.rank, r.score, f.generation_id, f.prompt_id, p.prompt, f.thumb_path, f.image_path,
           f.created_at, f.user_id, f.session_id, u.tier, f.status, f.latency_ms,
           p.domain, p.art_style, f.seed, f.step, f.cfg, f.sampler
    FROM (
        SELECT unnest($ids::VARCHAR[]) AS prompt_id, unnest($scores::DOUBLE[]) AS score,
               unnest($ranks::BIGINT[]) AS rank
    ) AS r
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
    filters: Filters | None = None,
    limit: int = 24,
    per_prompt: int = 4,
    embedder=None,
    keyword: KeywordBackend | None = None,
    vectors: VectorChoice | None = None,
) -> pd.DataFrame:
    """Generations whose prompts best match ``query``, best first (one row per generation).
    ``keyword``: the backend that ranks by BM25, by default the warehouse's (bm25s when its index
    is there, else fts: analysis/keyword.py); the results say which in ``keyword_backend``.
    ``vectors``: what ranks by meaning, by default the warehouse's (analysis/vector_search.py)."""
    query = (query or "").strip()
    if not query:
        raise SearchError("Type something to search for.")
    if mode not in MODES:
        raise SearchError(f"Unknown search mode {mode!r}; use one of {', '.join(MODES)}.")
    filters = filters or Filters()
    # Fusion and filters need deep candidate lists; a plain semantic search only its top ``limit``
    # prompts, which the index finds as well as the first ``limit`` of a deeper list.
    depth = limit if mode == "semantic" and not filters.active else max(limit * 10, 200)
    # In hybrid mode the BM25 ranking runs on another thread while the query is embedded and
    # looked up in the vector index (both release the GIL): the two take about as long.
    backend = (keyword or keyword_backend(wh)) if mode != "semantic" else None
    ranking = _POOL.submit(_keyword_ranks, wh, query, filters, depth, backend) if backend else None
    rankings = []
    if mode in ("semantic", "hybrid"):
        vector = (embedder or query_embedder(wh)).embed([query])[0]
        rankings.append(_semantic_ranks(wh, vector, filters, depth, vectors))
    if ranking is not None:
        rankings.append(ranking.result())
    results = _results(wh, _page_candidates(_fuse(rankings), filters, limit), filters, limit, per_prompt)
    return _with_tier(wh, results, mode != "keyword", backend)


def _with_tier(
    wh: Warehouse, results: pd.DataFrame, semantic: bool, keyword: KeywordBackend | None = None
) -> pd.DataFrame:
    """``semantic_tier``: which embedding tier ranked by meaning (``static``, the fast first tier,
    or ``full``, the model itself; docs/enrichment.md), None for a keyword search. A warehouse
    holds one tier at a time, so every result of a search has the same one. ``keyword_backend``:
    which backend ranked by BM25 (``bm25s`` or ``fts``), None for a search by meaning only."""
    results["semantic_tier"] = search_tier(wh) if semantic else None
    results["keyword_backend"] = keyword.name if keyword is not None else None
    return results


def _page_candidates(ranked: Ranking, filters: Filters, limit: int) -> Ranking:
    """The ranked prompts a page can draw from. Without filters every prompt has at least one
    generation to show, so the first ``limit`` prompts fill the page; with filters some may have
    none that pass, so all candidates stay."""
    return ranked if filters.active else ranked[:limit]


def more_like_this(
    wh: Warehouse,
    *,
    prompt_id: str | None = None,
    generation_id: str | None = None,
    filters: Filters | None = None,
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
    filters = filters or Filters()
    ranks = _semantic_ranks(wh, np.asarray(vector, dtype=np.float32), filters, max(limit * 10, 200) + 1)
    ranks = [(pid, score) for pid, score in ranks if pid != prompt_id]
    results = _results(wh, _page_candidates(_fuse([ranks]), filters, limit), filters, limit, per_prompt)
    return _with_tier(wh, results, True)


def _dim(wh: Warehouse) -> int:
    """Length of the stored prompt vectors (0 when there are none); asked once per open
    warehouse (a re-open after a swap asks again)."""
    return wh.memo("embedding_dim", lambda: _stored_dim(wh))


def _stored_dim(wh: Warehouse) -> int:
    return int(
        wh.scalar(
            "SELECT array_length(text_embedding) FROM dim_prompts WHERE text_embedding IS NOT NULL LIMIT 1"
        )
        or 0
    )


def _semantic_ranks(
    wh: Warehouse, vector: np.ndarray, filters: Filters, depth: int, choice: VectorChoice | None = None
) -> Ranking:
    dim = _dim(wh)
    if not dim:
        raise SearchError("This warehouse has no prompt embeddings: run genai-analyzer enrich embeddings.")
    query = np.asarray(vector, dtype=np.float32)
    ranks = vector_ranks(wh, query, depth, dim, choice)
    if filters.active and _n_passing(wh, ranks, filters) < depth // 10:
        # Selective filters can leave the approximate candidates nearly empty: search exactly
        # among the prompts that pass them instead.
        where, params = filters.where()
        ranks = wh.rows(
            f"""
            SELECT p.prompt_id, 1 - array_cosine_distance(p.text_embedding, $q::FLOAT[{dim}]) AS score
            FROM dim_prompts p
            WHERE p.prompt_id IN (SELECT f.prompt_id {from_filtered(where)})
            ORDER BY score DESC LIMIT {int(depth)}
            """,
            {"q": query, **params},
        )
    return ranks


def _keyword_ranks(
    wh: Warehouse, query: str, filters: Filters, depth: int, backend: KeywordBackend | None = None
) -> Ranking:
    """The keyword ranking of ``backend``, by default the warehouse's (analysis/keyword.py)."""
    return (backend or keyword_backend(wh)).ranks(wh, query, filters, depth)


def _n_passing(wh: Warehouse, ranks: Ranking, filters: Filters) -> int:
    """How many of the ranked prompts have a generation that passes the filters."""
    where, params = filters.where()
    ranked = f"f.prompt_id IN (SELECT unnest($ids::VARCHAR[])) AND ({where})"
    return wh.scalar(
        f"SELECT count(DISTINCT f.prompt_id) {from_filtered(ranked)}",
        {"ids": [pid for pid, _ in ranks], **params},
    )


def _fuse(rankings: list[Ranking]) -> Ranking:
    """One ranking: the single one as is, or reciprocal rank fusion of several (score = sum
    1/(k+rank)); best first, ties by prompt_id."""
    if len(rankings) == 1:
        fused = [(pid, float(score)) for pid, score in rankings[0]]
    else:
        scores: dict[str, float] = {}
        for ranking in rankings:
            for position, (pid, _) in enumerate(ranking, start=1):
                scores[pid] = scores.get(pid, 0.0) + 1.0 / (RRF_K + position)
        fused = list(scores.items())
    return sorted(fused, key=lambda item: (-item[1], item[0]))


def _results(wh: Warehouse, ranked: Ranking, filters: Filters, limit: int, per_prompt: int) -> pd.DataFrame:
    where, params = filters.where()
    ranking = {
        "ids": [pid for pid, _ in ranked],
        "scores": [score for _, score in ranked],
        "ranks": list(range(1, len(ranked) + 1)),
    }
    sql = RESULT_SQL.format(where=where, per_prompt=int(per_prompt), limit=int(limit))
    return wh.query(sql, {**ranking, **params})


@functools.cache
def _embedder_for(model: str):
    from genai_analyzer.core.settings import Settings
    from genai_analyzer.models.embeddings import embedder_from_settings

    return embedder_from_settings(Settings.from_env(), model)


def query_embedder(wh: Warehouse):
    """The embedder of the model the warehouse's prompts were embedded with (loaded once; the model
    is read from build_info once per warehouse)."""
    model = wh.memo(
        "embedding_model",
        lambda: wh.build_info().get("enrichment", {}).get("embeddings", {}).get("model") or "",
    )
    if not model:
        raise SearchError("This warehouse has no prompt embeddings: run genai-analyzer enrich embeddings.")
    return _embedder_for(model)
