"""The build's step ``indexes``: the HNSW and full-text indexes inside the warehouse, and the bm25s
keyword index beside it (docs/enrichment.md).

The HNSW indexes (prompt vectors and, when built, image vectors) and DuckDB's fts index come from
``warehouse/indexes.py``; the bm25s index is a folder beside the warehouse keyed by its prompt set
(``warehouse/keyword_index.py``), so keyword search answers from it instead of fts. Without bm25s
installed the step says so and keyword search uses fts.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def indexes_step(ctx) -> None:
    """The build step ``indexes`` on a build's context: the indexes made, by name, in the summary."""
    from genai_analyzer.warehouse.indexes import create_search_indexes

    image_model = ctx.summary.enrichment.get("image_embeddings", {}).get("model")
    ctx.summary.indexes = create_search_indexes(ctx.con, image_model=image_model)
    ctx.summary.indexes["bm25s"] = _keyword_index(ctx)


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
