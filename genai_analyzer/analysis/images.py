"""Visual similarity over the warehouse: the images nearest to a generation's image, and the groups
of near-duplicate images (docs/images.md).

Both read the ``image_embeddings`` table the build makes from the image step (one row per image:
its EfficientNet-Lite0 vector, its pHash and its near-duplicate group) joined to the generations
by ``image_path``; the shared filters apply to the generations, as everywhere else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genai_analyzer.analysis.explorer_queries import RESULT_COLUMNS, NotFoundError
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.queries import from_filtered
from genai_analyzer.analysis.search import HNSW_LOCK
from genai_analyzer.core.contract import DUPLICATE_MAX_BITS, IMAGE_EMBEDDINGS
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.warehouse.reader import Warehouse

MAX_PAGE_SIZE = 100
GROUP_THUMBS = 8  # generations shown per near-duplicate group


class NoImageEmbeddings(AnalyzerError):
    """The warehouse has no image embeddings (built without images, or before the image step)."""

    def __init__(self):
        super().__init__(
            "This warehouse has no image embeddings, so visual similarity and near-duplicates are "
            "unavailable: build with images, or run genai-analyzer enrich image_embeddings (it needs "
            "thumbnails; docs/images.md)."
        )


def image_embedding_count(wh: Warehouse) -> int:
    """Images with a vector in the warehouse (0 when it has no image_embeddings table); asked once
    per open warehouse (a re-open after a swap asks again)."""

    def count() -> int:
        exists = wh.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = $t AND table_schema = 'main'",
            {"t": IMAGE_EMBEDDINGS},
        )
        return int(wh.scalar(f"SELECT count(*) FROM {IMAGE_EMBEDDINGS}") or 0) if exists else 0

    return wh.memo("image_vectors", count)


def _require_vectors(wh: Warehouse) -> None:
    if not image_embedding_count(wh):
        raise NoImageEmbeddings()


def nearest_sql(dim: int, depth: int) -> str:
    """The nearest-images statement, shaped as search.semantic_sql is so DuckDB uses the HNSW index:
    the distance aliased in an inner SELECT ordered by it with a constant LIMIT."""
    return (
        f"SELECT image_path, 1 - distance AS similarity FROM ("
        f"SELECT image_path, array_cosine_distance(embedding, $q::FLOAT[{int(dim)}]) AS distance "
        f"FROM {IMAGE_EMBEDDINGS} ORDER BY distance LIMIT {int(depth)})"
    )


# Ranked images (paths, similarities) as generations, one per image (its first), in rank order,
# with the columns of a search result; rank and score are the image's position and similarity.
_RANKED_SQL = f"""
    SELECT * EXCLUDE (position, similarity) REPLACE (position AS rank, similarity AS score)
    FROM (
        SELECT {RESULT_COLUMNS}, ranked.position, ranked.similarity
        FROM (SELECT unnest($paths::VARCHAR[]) AS image_path, unnest($scores::DOUBLE[]) AS similarity,
                     generate_subscripts($paths::VARCHAR[], 1) AS position) AS ranked
        JOIN fact_generations f ON f.image_path = ranked.image_path
        JOIN dim_users u USING (user_id)
        LEFT JOIN dim_prompts p USING (prompt_id)
        WHERE f.generation_id <> $source {{restrict}}
        QUALIFY row_number() OVER (PARTITION BY f.image_path ORDER BY f.created_at, f.generation_id) = 1
    )
    ORDER BY rank
    LIMIT $limit
"""


def similar_images(
    wh: Warehouse, generation_id: str, filters: Filters | None = None, limit: int = 24
) -> pd.DataFrame:
    """The generation itself first, then the generations whose images look most like its image
    (cosine of the image vectors, the ``score``), best first, one per image, among the generations
    passing ``filters``; the columns of a search result. A NotFoundError for an unknown id or a
    generation without an image vector, NoImageEmbeddings for a warehouse without them."""
    from genai_analyzer.analysis.explorer_queries import generation_rows

    _require_vectors(wh)
    source = generation_rows(wh, [generation_id])
    if source.empty:
        raise NotFoundError(f"No generation with id {generation_id!r}.")
    vector = wh.scalar(
        f"SELECT i.embedding FROM fact_generations f JOIN {IMAGE_EMBEDDINGS} i USING (image_path) "
        "WHERE f.generation_id = $g",
        {"g": generation_id},
    )
    if vector is None:
        raise NotFoundError(
            f"Generation {generation_id!r} has no image embedding (its image is missing or unreadable)."
        )
    query = np.asarray(vector, dtype=np.float32)
    filters = filters or Filters()
    ranked = _nearest(wh, query, filters, depth=max(limit * 10, 200))
    restrict, params = _restrict(filters)
    similar = wh.query(
        _RANKED_SQL.format(restrict=restrict),
        {
            "paths": [path for path, _ in ranked],
            "scores": [score for _, score in ranked],
            "source": generation_id,
            "limit": int(limit),
            **params,
        },
    )
    similar["rank"] = range(1, len(similar) + 1)  # positions among what passed, not among all images
    first = source.assign(rank=0, score=1.0)
    return pd.concat([first, similar], ignore_index=True) if not similar.empty else first


def image_nsfw(wh: Warehouse, generation_ids: list[str]) -> list[float | None]:
    """image_nsfw of each generation, in the order given (None where unknown): the gallery's blur."""
    found = dict(
        wh.rows(
            "SELECT generation_id, image_nsfw FROM fact_generations "
            "WHERE generation_id IN (SELECT unnest($ids::VARCHAR[]))",
            {"ids": list(generation_ids)},
        )
    )
    return [found.get(g) for g in generation_ids]


def _restrict(filters: Filters) -> tuple[str, dict]:
    """A condition keeping the generations (alias ``f``) that pass ``filters``, and its values."""
    if not filters.active:
        return "", {}
    where, params = filters.where()
    return f"AND f.generation_id IN (SELECT f.generation_id {from_filtered(where)})", params


def _groups_sql(restrict: str, *, paged: bool = True) -> str:
    sql = _GROUPS_SQL.format(restrict=restrict)
    return sql if paged else sql.replace("LIMIT $limit OFFSET $offset", "")


def _nearest(wh: Warehouse, query: np.ndarray, filters: Filters, depth: int) -> list[tuple[str, float]]:
    """(image_path, similarity) of the ``depth`` images nearest to ``query``: from the HNSW index,
    or, when selective filters leave few of those, exactly among the images passing them."""
    dim = len(query)
    with HNSW_LOCK:  # vss crashes on concurrent index scans (analysis/search.py)
        ranked = wh.rows(nearest_sql(dim, depth), {"q": query})
    if not filters.active:
        return ranked
    where, params = filters.where()
    passing = wh.scalar(
        f"SELECT count(DISTINCT f.image_path) {from_filtered(where)} "
        "AND f.image_path IN (SELECT unnest($paths::VARCHAR[]))",
        {"paths": [path for path, _ in ranked], **params},
    )
    if passing >= depth // 10:
        return ranked
    return wh.rows(
        f"""
        SELECT i.image_path, 1 - array_cosine_distance(i.embedding, $q::FLOAT[{dim}]) AS similarity
        FROM {IMAGE_EMBEDDINGS} i
        WHERE i.image_path IN (SELECT f.image_path {from_filtered(where)})
        ORDER BY similarity DESC, i.image_path LIMIT {int(depth)}
        """,
        {"q": query, **params},
    )


# The near-duplicate groups with a generation passing the filters, counted over those generations.
_GROUPS_SQL = f"""
    WITH members AS (
        SELECT i.duplicate_group, f.generation_id, f.image_path, f.thumb_path, f.prompt_id, f.user_id,
               f.seed, f.created_at
        FROM {IMAGE_EMBEDDINGS} i JOIN fact_generations f USING (image_path)
        WHERE i.duplicate_group IS NOT NULL {{restrict}}
    ),
    groups AS (
        SELECT duplicate_group, count(*) AS n_generations, count(DISTINCT image_path) AS n_images,
               count(DISTINCT prompt_id) AS n_prompts, count(DISTINCT user_id) AS n_users,
               count(DISTINCT seed) AS n_seeds, min(created_at) AS first_at, max(created_at) AS last_at,
               list(generation_id ORDER BY created_at, generation_id)[1:{GROUP_THUMBS}] AS generation_ids,
               list(thumb_path ORDER BY created_at, generation_id)[1:{GROUP_THUMBS}] AS thumb_paths,
               arg_min(prompt_id, (created_at, generation_id)) AS prompt_id
        FROM members GROUP BY duplicate_group HAVING count(*) >= 2
    )
    SELECT g.*, p.prompt, count(*) OVER () AS total_groups
    FROM groups g LEFT JOIN dim_prompts p USING (prompt_id)
    ORDER BY g.n_generations DESC, g.duplicate_group
    LIMIT $limit OFFSET $offset
"""


def near_duplicate_groups(
    wh: Warehouse, filters: Filters | None = None, *, page: int = 1, page_size: int = 20
) -> tuple[pd.DataFrame, int]:
    """One page of near-duplicate groups (images whose pHash differ in at most DUPLICATE_MAX_BITS
    bits, linked), the largest first, counted over the generations passing ``filters`` (a group
    needs two of them); and how many groups pass in all. Grain: one row per group."""
    _require_vectors(wh)
    restrict, params = _restrict(filters or Filters())
    frame = wh.query(
        _groups_sql(restrict),
        {"limit": int(page_size), "offset": (int(page) - 1) * int(page_size), **params},
    )
    total = int(frame["total_groups"].iloc[0]) if not frame.empty else _count_groups(wh, restrict, params)
    return frame.drop(columns="total_groups"), total


def _count_groups(wh: Warehouse, restrict: str, params: dict) -> int:
    """How many groups pass (asked when a page past the last one comes back empty)."""
    return int(wh.scalar(f"SELECT count(*) FROM ({_groups_sql(restrict, paged=False)})", params) or 0)


def near_duplicate_summary(wh: Warehouse, filters: Filters | None = None) -> dict:
    """{"groups", "images", "generations", "max_bits", "vectors"}: how many near-duplicate groups,
    images in them and their generations pass ``filters`` (zeros without image embeddings), and how
    many images have a vector, for the Overview."""
    vectors = image_embedding_count(wh)
    if not vectors:
        return {"groups": 0, "images": 0, "generations": 0, "max_bits": DUPLICATE_MAX_BITS, "vectors": 0}
    restrict, params = _restrict(filters or Filters())
    sql = _groups_sql(restrict, paged=False)
    row = wh.rows(
        f"SELECT count(*), coalesce(sum(n_images), 0), coalesce(sum(n_generations), 0) FROM ({sql})", params
    )[0]
    return {
        "groups": int(row[0]),
        "images": int(row[1]),
        "generations": int(row[2]),
        "max_bits": DUPLICATE_MAX_BITS,
        "vectors": vectors,
    }
