"""The build's step ``indexes``: the vector and bm25s indexes beside the warehouse, and the
full-text, lookup and image HNSW indexes inside it (docs/enrichment.md).

The vector index (``warehouse/vector_index.py``: every prompt vector as int8, scanned exactly) and
the bm25s keyword index (``warehouse/keyword_index.py``) are folders beside the warehouse named
after their content; the vector index's key goes into build_info, so a reader finds the folder of
the warehouse it reads. DuckDB's fts index and the image HNSW index come from
``warehouse/indexes.py``; an HNSW index over the prompt vectors only where no vector index was made
(numkong missing). Without bm25s installed the step says so and keyword search uses fts.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def indexes_step(ctx) -> None:
    """The build step ``indexes`` on a build's context: the indexes made, by name, in the summary."""
    from genai_analyzer.warehouse.indexes import create_search_indexes

    image_model = ctx.summary.enrichment.get("image_embeddings", {}).get("model")
    vectors = _vector_index(ctx)
    ctx.summary.indexes = create_search_indexes(ctx.con, image_model=image_model, prompt_hnsw=not vectors)
    ctx.summary.indexes["vectors"] = vectors
    ctx.summary.indexes["bm25s"] = _keyword_index(ctx)


def _vector_index(ctx) -> bool:
    """The prompt vector index beside the warehouse, when numkong (its scan) is installed and prompts have
    vectors; records its manifest in the summary (build_info's ``vector_index``; the build prunes
    the folders of other keys)."""
    from genai_analyzer.warehouse.vector_index import available, build_vector_index

    ctx.summary.vector_index = {}
    model = ctx.summary.enrichment.get("embeddings", {}).get("model") or ""
    if not available():
        log.warning("indexes: numkong is not installed; search by meaning will use DuckDB's HNSW index")
        return False
    made = build_vector_index(ctx.con, ctx.target, model, progress=ctx.progress)
    if made is None:
        return False
    ctx.summary.vector_index = {k: made[k] for k in ("key", "model", "prompts", "dim", "seconds", "reused")}
    return True


def _keyword_index(ctx) -> bool:
    """The bm25s keyword index beside the warehouse, when bm25s is installed; records its prompt
    set's key on the context so the build prunes the indexes of other prompt sets."""
    from genai_analyzer.warehouse.keyword_index import build_bm25s_index

    try:
        made = build_bm25s_index(ctx.con, ctx.target, progress=ctx.progress)
    except ImportError:
        log.warning("indexes: bm25s is not installed; keyword search will use DuckDB fts")
        ctx.keyword_key = None
        return False
    ctx.keyword_key = made["key"]
    return True


def prune_beside(ctx) -> None:
    """Once the build's file is swapped in: the keyword and vector index folders of other keys
    removed (a build that fails leaves them, and the previous warehouse keeps its own)."""
    from genai_analyzer.warehouse.keyword_index import prune_keyword_indexes
    from genai_analyzer.warehouse.vector_index import prune_vector_indexes

    for name in prune_keyword_indexes(ctx.target, keep=ctx.keyword_key):
        log.info("indexes: removed the keyword index of another prompt set (%s)", name)
    for name in prune_vector_indexes(ctx.target, keep=ctx.summary.vector_index.get("key")):
        log.info("indexes: removed the vector index of other vectors (%s)", name)
