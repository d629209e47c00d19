"""Visual similarity over the warehouse: the images nearest to a generation's image, and the groups
of near-duplicate images; with a CLIP image model, images found from words and the prompt-image
agreement score (docs/images.md).

All read the ``image_embeddings`` table the build makes from the image step (one row per image:
its vector from the model it records, EfficientNet-Lite0 by default, its pHash and its
near-duplicate group) joined to the generations by ``image_path``; the shared filters apply to the
generations, as everywhere else. Text queries are embedded only by the CLIP model whose key the
warehouse records, never by another: two models' spaces are not comparable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genai_analyzer.analysis.explorer_queries import RESULT_COLUMNS, NotFoundError
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.queries import from_filtered
from genai_analyzer.analysis.vector_search import HNSW_LOCK
from genai_analyzer.core.contract import DUPLICATE_MAX_BITS, IMAGE_AGREEMENT, IMAGE_EMBEDDINGS
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.models.clip_embeddings import is_clip_key
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


class NoClipModel(AnalyzerError):
    """Text-to-image search or agreement scores asked of a warehouse whose image vectors are not
    CLIP's, or whose CLIP model this process does not have (GENAI_IMAGE_MODEL)."""


def image_model(wh: Warehouse) -> dict:
    """The image model of the warehouse's vectors: {"model": its key (None without vectors),
    "kind": "clip" or "visual", "label": its name for people, "dim", "vectors": images with one}."""
    if getattr(wh, "_image_model", None) is None:
        vectors = image_embedding_count(wh)
        made = wh.build_info().get("enrichment", {}).get("image_embeddings", {}) if vectors else {}
        key = made.get("model") or (None if not vectors else "efficientnet-lite0")
        kind = "clip" if is_clip_key(key) else "visual"
        label = made.get("label") or ("EfficientNet-Lite0 (ImageNet)" if key == "efficientnet-lite0" else key)
        wh._image_model = {
            "model": key,
            "kind": kind if vectors else None,
            "label": label,
            "dim": made.get("dim"),
            "vectors": vectors,
        }
    return wh._image_model


def clip_query_embedder(wh: Warehouse):
    """The CLIP model the warehouse's image vectors were made with, to embed text in their space:
    the one GENAI_IMAGE_MODEL names, when its key is the warehouse's (loaded once per process).
    NoClipModel otherwise, saying what to set."""
    from genai_analyzer.core.settings import Settings
    from genai_analyzer.models.clip_embeddings import clip_embedder, model_key

    info = image_model(wh)
    if info["kind"] != "clip":
        _require_vectors(wh)
        raise NoClipModel(
            f"This warehouse's image embeddings come from {info['label']}, a visual similarity model "
            "that knows nothing of words: text-to-image search and prompt-image agreement need a CLIP "
            "model. Set GENAI_IMAGE_MODEL to a CLIP model's folder and rebuild (docs/images.md)."
        )
    source = Settings.from_env().image_model
    if not source:
        raise NoClipModel(
            f"This warehouse's images were embedded with the CLIP model {info['label']!r} ({info['model']}); "
            "set GENAI_IMAGE_MODEL to that model's folder to embed text queries with it."
        )
    if model_key(source) != info["model"]:
        raise NoClipModel(
            f"GENAI_IMAGE_MODEL={source!r} is not the model this warehouse's images were embedded with "
            f"({info['model']}): queries would land in another space. Set it to that model, or rebuild "
            "with this one."
        )
    return clip_embedder(source)


def text_to_image(
    wh: Warehouse, query: str, filters: Filters | None = None, limit: int = 24, *, embedder=None
) -> pd.DataFrame:
    """The generations whose images lie nearest to ``query`` in CLIP space (cosine of the image
    vector and the query's text vector, the ``score``), best first, one per image, among the
    generations passing ``filters``; the columns of a search result. NoClipModel unless the
    warehouse's vectors are a CLIP model's and this process has it; NoImageEmbeddings without any."""
    _require_vectors(wh)
    embedder = embedder or clip_query_embedder(wh)
    vector = embedder.embed_texts([query])[0]
    filters = filters or Filters()
    ranked = _nearest(wh, np.asarray(vector, dtype=np.float32), filters, depth=max(limit * 10, 200))
    restrict, params = _restrict(filters)
    found = wh.query(
        _RANKED_SQL.format(restrict=restrict),
        {
            "paths": [path for path, _ in ranked],
            "scores": [score for _, score in ranked],
            "source": "",
            "limit": int(limit),
            **params,
        },
    )
    found["rank"] = range(1, len(found) + 1)
    return found


# How the agreement score is grouped: model settings (the generator's model, sampler, steps and
# guidance), or one of them, or the user.
AGREEMENT_GROUPS = {
    "settings": ("model", "sampler", "step", "cfg"),
    "model": ("model",),
    "sampler": ("sampler",),
    "step": ("step",),
    "cfg": ("cfg",),
    "user": ("user_id",),
}


def has_agreement(wh: Warehouse) -> bool:
    """Whether the warehouse holds prompt-image agreement scores (a CLIP build)."""
    return bool(
        wh.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = $t AND table_schema = 'main'",
            {"t": IMAGE_AGREEMENT},
        )
    )


def agreement_by(
    wh: Warehouse, group: str, filters: Filters | None = None, *, min_generations: int = 1, limit: int = 50
) -> pd.DataFrame:
    """The prompt-image agreement (cosine of each image with its own prompt in CLIP space) of the
    generations passing ``filters``, by ``group`` (a key of AGREEMENT_GROUPS). Grain: one row per
    group value with at least ``min_generations`` scored generations: its columns, generations,
    mean, p25, median and p75 agreement; lowest mean first (the settings or users whose images
    match their prompts least). NoClipModel when the warehouse has no agreement scores."""
    columns = AGREEMENT_GROUPS[group]
    if not has_agreement(wh):
        _require_vectors(wh)
        raise NoClipModel(
            "This warehouse has no prompt-image agreement scores: they need a CLIP image model "
            f"(its image embeddings come from {image_model(wh)['label']}). Set GENAI_IMAGE_MODEL to "
            "a CLIP model's folder and rebuild (docs/images.md)."
        )
    where, params = (filters or Filters()).where()
    passing = ", ".join(f"f.{c}" for c in columns)
    keys = ", ".join(f"f.{c} AS {c}" for c in columns)
    return wh.query(
        f"""
        SELECT {keys}, count(*) AS generations, avg(a.agreement) AS mean_agreement,
               quantile_cont(a.agreement, 0.25) AS p25_agreement,
               median(a.agreement) AS median_agreement,
               quantile_cont(a.agreement, 0.75) AS p75_agreement
        FROM (SELECT f.generation_id, {passing} {from_filtered(where, passing)}) AS f
        JOIN {IMAGE_AGREEMENT} AS a USING (generation_id)
        GROUP BY {passing}
        HAVING count(*) >= $min_n
        ORDER BY mean_agreement, {passing}
        LIMIT $limit
        """,
        {"min_n": int(min_generations), "limit": int(limit), **params},
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
    """The nearest-images statement, shaped as vector_search.semantic_sql is so DuckDB uses the HNSW index:
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


def has_image_embedding(wh: Warehouse, generation_id: str) -> bool:
    """Whether the generation's image has a vector ("Images like this" can start from it)."""
    if image_embedding_count(wh) == 0:
        return False
    return bool(
        wh.scalar(
            f"SELECT count(*) FROM fact_generations f JOIN {IMAGE_EMBEDDINGS} i USING (image_path) "
            "WHERE f.generation_id = $g",
            {"g": generation_id},
        )
    )


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


def generation_of(wh: Warehouse, ident: str) -> str:
    """The generation ``ident`` names: a generation id, else an image's name (DiffusionDB's file
    name) or address, whose first generation it is. NotFoundError when it names none."""
    found = wh.scalar(
        """
        SELECT generation_id FROM fact_generations
        WHERE generation_id = $i OR image_name = $i OR image_path = $i
        ORDER BY generation_id <> $i, created_at, generation_id LIMIT 1
        """,
        {"i": ident},
    )
    if found is None:
        raise NotFoundError(
            f"No generation or image with id {ident!r} (a generation id, or an image's file name)."
        )
    return found


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
    bits and whose colours match, linked), the largest first, counted over the generations passing
    ``filters`` (a group needs two of them); and how many groups pass in all. Grain: one row per
    group."""
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
    """{"groups", "images", "generations", "max_bits", "vectors", "kind", "label"}: how many
    near-duplicate groups, images in them and their generations pass ``filters`` (zeros without
    image embeddings), how many images have a vector, and the image model's kind and name, for the
    Overview."""
    vectors = image_embedding_count(wh)
    if not vectors:
        return {"groups": 0, "images": 0, "generations": 0, "max_bits": DUPLICATE_MAX_BITS, "vectors": 0}
    restrict, params = _restrict(filters or Filters())
    sql = _groups_sql(restrict, paged=False)
    row = wh.rows(
        f"SELECT count(*), coalesce(sum(n_images), 0), coalesce(sum(n_generations), 0) FROM ({sql})", params
    )[0]
    model = image_model(wh)
    return {
        "groups": int(row[0]),
        "images": int(row[1]),
        "generations": int(row[2]),
        "max_bits": DUPLICATE_MAX_BITS,
        "vectors": vectors,
        "kind": model["kind"],
        "label": model["label"],
    }
