"""The warehouse's physical contract: what the build writes and every reader relies on.

Table names, the search indexes, where files live beside a warehouse, and the names of the
interchangeable backends. This module is the ground floor: it imports nothing of the package, so
the build, the query layer, the app and the settings can all read the same names.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = PACKAGE_DIR / "data"
SEMANTIC_LAYER_FILE = DATA_DIR / "semantic_layer.yaml"
TAXONOMY_FILE = DATA_DIR / "taxonomy.json"
STYLE_CUES_FILE = DATA_DIR / "style_cues.json"  # the art-style cue reader's phrases (docs/labels.md)
ALERTS_FILE = DATA_DIR / "alerts.yaml"  # the default alert rules (docs/alerts.md)
DBT_PROJECT_DIR = PACKAGE_DIR / "dbt_project"

# The star schema the app reads (dbt's marts), fact first, then the prompt edits and the ideas
# (kept images) derived from it, and the prompt and visual clusters; every reader takes the list
# from here.
MART_TABLES = (
    "fact_generations",
    "dim_users",
    "dim_sessions",
    "dim_prompts",
    "dim_date",
    "fct_prompt_edits",
    "fct_generation_ideas",
    "dim_clusters",
)
BUILD_INFO_TABLE = "build_info"

# Search indexes on dim_prompts (built by warehouse.indexes, read by analysis.search).
HNSW_INDEX = "dim_prompts_embedding_hnsw"
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 256
HNSW_EF_SEARCH = 200
FTS_SCHEMA = "fts_main_dim_prompts"
# The BM25 weight of every (term, prompt) pair of the full-text index, computed once at build time.
BM25_POSTINGS = f"{FTS_SCHEMA}.bm25_postings"
# Who ranks a keyword search (analysis/keyword.py): bm25s, from an index folder beside the warehouse
# (warehouse/keyword_index.py), when it is installed and its index matches the warehouse's prompts;
# else DuckDB fts, which every warehouse holds. First the preferred one.
KEYWORD_BACKENDS = ("bm25s", "fts")
# Who ranks a search by meaning (analysis/search.py): the exact int8 scan of the vector index beside
# the warehouse (warehouse/vector_index.py), whose key the build records in build_info; else DuckDB
# over dim_prompts' vectors (vss's HNSW index where the build made one, a full scan otherwise).
VECTOR_BACKEND = "exact-i8"
# ART indexes on the keys search joins by: with them DuckDB fetches a page's 24 prompts and their
# generations by key instead of scanning both tables (45 to 16 ms a search at 175k generations).
LOOKUP_INDEXES = {
    "dim_prompts_prompt_id": ("dim_prompts", "prompt_id"),
    "fact_generations_prompt_id": ("fact_generations", "prompt_id"),
}
# DuckDB pushes the keys of a join's small side into the other table's scan, where those indexes
# find them, only up to this many keys (its dynamic_or_filter_threshold, 50 by default). A filtered
# or hybrid search joins its 200-240 candidate prompts to their generations: at 50 that scanned all
# 1.2M generations (120-150 ms at 1M prompts), with 1024 they are looked up (33-45 ms); the readers
# set it on open (docs/benchmarks.md, "Join keys pushed into the scan").
JOIN_PUSHDOWN_KEYS = 1024

# Visual similarity (docs/images.md): one row per image of the warehouse with its image embedding,
# its perceptual hash and its near-duplicate group; built after dbt with an HNSW index (cosine).
IMAGE_EMBEDDINGS = "image_embeddings"
IMAGE_HNSW_INDEX = "image_embeddings_hnsw"
# Two images are near-duplicates when their 64-bit perceptual hashes (pHash of the thumbnail)
# differ in at most this many bits and their colours match (below); a group is the images linked
# by such pairs.
DUPLICATE_MAX_BITS = 4
# pHash sees only grey levels, so one shape in two palettes hashes alike: two images' colours match
# when the mean colours of the cells of a 4 x 4 grid differ by at most this much on average (0-255
# per channel). A resized JPEG copy differs by under 1, the same picture at another size by under 2,
# one shape in another palette by 28 or more (docs/images.md).
DUPLICATE_MAX_COLOUR = 16.0
# With a CLIP image model (GENAI_IMAGE_MODEL): one row per generation with an image, the cosine of
# its image and its own prompt in CLIP space (docs/images.md, the prompt-image agreement score).
IMAGE_AGREEMENT = "image_prompt_agreement"
# NSFW scoring of images the source left unscored (GENAI_NSFW_SCORING, docs/images.md).
NSFW_SCORING = ("auto", "on", "off")

# Interchangeable backends, named once for the settings' checks and the code that uses them.
EMBEDDING_BACKENDS = ("torch", "onnx", "onnx-int8", "static")
WAREHOUSE_TARGETS = ("file", "ducklake")
LLM_BACKENDS = ("none", "openai", "transformers", "mlx")
LABELLERS = ("embedding", "llm")


def thumb_dir(warehouse: Path) -> Path:
    """Thumbnails live next to the warehouse they belong to."""
    return warehouse.parent / f"{warehouse.stem}_thumbs"


def app_state_path(warehouse: Path) -> Path:
    """The app's own state (approved copilot answers, saved views) lives in a file of its own beside
    the warehouse: the warehouse is read-only and replaced whole by every build."""
    return warehouse.parent / f"{warehouse.stem}_app_state.duckdb"


def embedding_cache_root(warehouse: Path) -> Path:
    """Finished embedding batches wait here, one folder per model key, until a build or enrich run
    publishes them into the warehouse (which then deletes the folder)."""
    warehouse = Path(warehouse)
    return warehouse.parent / f"{warehouse.stem}_embedding_cache"


def keyword_index_root(warehouse: Path) -> Path:
    """The bm25s keyword indexes of a warehouse, one folder per prompt set (its key,
    warehouse/keyword_index.py): beside the read-only file, which a build replaces whole."""
    warehouse = Path(warehouse)
    return warehouse.parent / f"{warehouse.stem}_keyword_index"


def vector_index_root(warehouse: Path) -> Path:
    """The prompt vector indexes of a warehouse, one folder per content key
    (warehouse/vector_index.py): beside the read-only file, which a build replaces whole."""
    warehouse = Path(warehouse)
    return warehouse.parent / f"{warehouse.stem}_vector_index"


def full_tier_job_path(warehouse: Path) -> Path:
    """The full-quality embedding job's record (docs/enrichment.md, the full tier in the
    background): which model, how many prompts, its measured rate, its state, its process."""
    return embedding_cache_root(warehouse) / "full_tier_job.json"


def full_tier_lock_path(warehouse: Path) -> Path:
    """Held (an OS lock, core/job_lock.py) while the full-quality embedding job runs."""
    return embedding_cache_root(warehouse) / "full_tier_job.lock"
