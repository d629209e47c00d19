"""The search indexes inside the warehouse: BM25 full text, key lookups, HNSW over image vectors
(and over prompt vectors where no vector index is beside the warehouse).

The build makes them after dbt (and drops them before dbt replaces dim_prompts); the DuckLake read
side makes them in memory, since a lake cannot hold them. Their names are the contract's.
"""

from __future__ import annotations

import duckdb

from genai_analyzer.core.contract import (
    BM25_POSTINGS,
    FTS_SCHEMA,
    HNSW_EF_CONSTRUCTION,
    HNSW_EF_SEARCH,
    HNSW_INDEX,
    HNSW_M,
    IMAGE_AGREEMENT,
    IMAGE_EMBEDDINGS,
    IMAGE_HNSW_INDEX,
    LOOKUP_INDEXES,
)

# The images of the warehouse with their vector of one model (cast to a fixed size, as HNSW needs),
# the model that made it, pHash and near-duplicate group (null when in none): from the image step's
# tables (docs/images.md). One model per table: a warehouse never mixes two models' spaces.
IMAGE_EMBEDDINGS_SQL = f"""
    CREATE OR REPLACE TABLE {IMAGE_EMBEDDINGS} AS
    SELECT e.image_path, e.model, e.phash, d.duplicate_group, CAST(e.embedding AS FLOAT[{{dim}}]) AS embedding
    FROM enrich.image_embeddings AS e
    LEFT JOIN enrich.image_duplicates AS d USING (image_path)
    WHERE e.model = $m AND e.image_path IN (SELECT image_path FROM fact_generations)
    ORDER BY e.image_path
"""

# With a CLIP image model: each generation with an image vector of that model and the cosine of its
# image and its own prompt (the prompt-image agreement score, docs/images.md).
IMAGE_AGREEMENT_SQL = f"""
    CREATE TABLE {IMAGE_AGREEMENT} AS
    SELECT f.generation_id, a.model AS image_model, a.agreement
    FROM fact_generations AS f
    JOIN enrich.image_agreement AS a ON a.image_path = f.image_path AND a.prompt_id = f.prompt_id
    WHERE a.model = $m
    ORDER BY f.generation_id
"""

# The full-text index over the prompts: fts's tables (docs, dict, terms, stats) in FTS_SCHEMA.
FTS_INDEX_SQL = (
    "PRAGMA create_fts_index('dim_prompts', 'prompt_id', 'prompt', stemmer = 'porter', "
    "stopwords = 'english', lower = 1, strip_accents = 1, overwrite = 1)"
)

# The BM25 weight of every (term, prompt) pair of the full-text index, computed once: fts's
# match_bm25 formula (k 1.2, b 0.75) with the query-independent part done at build time, so a
# keyword search only sums its terms' weights (analysis/keyword.KEYWORD_SQL). Ordered by term, as it is read.
BM25_POSTINGS_SQL = f"""
    CREATE OR REPLACE TABLE {BM25_POSTINGS} AS
    WITH tf AS (
        SELECT termid, docid, count(*) AS tf FROM fts_main_dim_prompts.terms GROUP BY termid, docid
    ),
    stats AS (SELECT num_docs, avgdl FROM fts_main_dim_prompts.stats)
    SELECT tf.termid, tf.docid,
           log(((stats.num_docs - dict.df) + 0.5) / (dict.df + 0.5) + 1)
           * ((tf.tf * (1.2 + 1)) / (tf.tf + 1.2 * ((1 - 0.75) + 0.75 * (docs.len / stats.avgdl))))
           AS weight
    FROM tf
    JOIN fts_main_dim_prompts.dict AS dict ON dict.termid = tf.termid
    JOIN fts_main_dim_prompts.docs AS docs ON docs.docid = tf.docid
    CROSS JOIN stats
    ORDER BY tf.termid, tf.docid
"""


def create_search_indexes(
    con: duckdb.DuckDBPyConnection, *, image_model: str | None = None, prompt_hnsw: bool = True
) -> dict[str, bool]:
    """BM25 full text over dim_prompts.prompt and the lookup indexes search joins by (on the tables
    that are tables here, not views); with ``prompt_hnsw``, HNSW (cosine) over
    dim_prompts.text_embedding (the build leaves it out when the vector index beside the warehouse
    serves search by meaning: warehouse/vector_index.py); with ``image_model``, the
    ``image_embeddings`` table of its vectors and its HNSW index (cosine)."""
    made = {"hnsw": False, "fts": False}
    if image_model is not None:
        made["image_hnsw"] = _create_image_index(con, image_model)
    tables = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND database_name = current_database()"
        ).fetchall()
    }
    for name, (table, column) in LOOKUP_INDEXES.items():
        if table in tables:
            con.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})")
    n_vectors = con.execute("SELECT count(text_embedding) FROM dim_prompts").fetchone()[0]
    if n_vectors and prompt_hnsw:
        con.execute(
            f"CREATE INDEX {HNSW_INDEX} ON dim_prompts USING HNSW (text_embedding) "
            f"WITH (metric = 'cosine', M = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}, "
            f"ef_search = {HNSW_EF_SEARCH})"
        )
        made["hnsw"] = True
    con.execute(FTS_INDEX_SQL)
    con.execute(BM25_POSTINGS_SQL)
    made["fts"] = True
    return made


def _create_image_index(con: duckdb.DuckDBPyConnection, model: str) -> bool:
    dim = con.execute(
        "SELECT len(embedding) FROM enrich.image_embeddings WHERE model = $m LIMIT 1", {"m": model}
    ).fetchone()
    con.execute(IMAGE_EMBEDDINGS_SQL.format(dim=int(dim[0]) if dim else 1), {"m": model})
    con.execute(f"DROP TABLE IF EXISTS {IMAGE_AGREEMENT}")  # another model's scores must not linger
    scored = con.execute("SELECT count(*) FROM enrich.image_agreement WHERE model = $m", {"m": model})
    if scored.fetchone()[0]:
        con.execute(IMAGE_AGREEMENT_SQL, {"m": model})
    if not con.execute(f"SELECT count(*) FROM {IMAGE_EMBEDDINGS}").fetchone()[0]:
        return False
    con.execute(
        f"CREATE INDEX {IMAGE_HNSW_INDEX} ON {IMAGE_EMBEDDINGS} USING HNSW (embedding) "
        f"WITH (metric = 'cosine', M = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}, "
        f"ef_search = {HNSW_EF_SEARCH})"
    )
    return True


def drop_search_indexes(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the search indexes (they are rebuilt after dbt replaces dim_prompts)."""
    con.execute(f"DROP INDEX IF EXISTS {HNSW_INDEX}")
    con.execute(f"DROP INDEX IF EXISTS {IMAGE_HNSW_INDEX}")
    for name in LOOKUP_INDEXES:
        con.execute(f"DROP INDEX IF EXISTS {name}")
    if _has_schema(con, FTS_SCHEMA):
        con.execute(f"DROP TABLE IF EXISTS {BM25_POSTINGS}")
        con.execute("PRAGMA drop_fts_index('dim_prompts')")


def _has_schema(con, schema: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_schemas() "
            "WHERE schema_name = $s AND database_name = current_database()",
            {"s": schema},
        ).fetchone()[0]
    )
