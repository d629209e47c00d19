"""The search indexes on dim_prompts: HNSW over the embeddings, BM25 full text, key lookups.

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
    LOOKUP_INDEXES,
)

# The BM25 weight of every (term, prompt) pair of the full-text index, computed once: fts's
# match_bm25 formula (k 1.2, b 0.75) with the query-independent part done at build time, so a
# keyword search only sums its terms' weights (search.KEYWORD_SQL). Ordered by term, as it is read.
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


def create_search_indexes(con: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    """HNSW (cosine) over dim_prompts.text_embedding, BM25 full text over dim_prompts.prompt, and
    the lookup indexes search joins by (on the tables that are tables here, not views)."""
    made = {"hnsw": False, "fts": False}
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
    if n_vectors:
        con.execute(
            f"CREATE INDEX {HNSW_INDEX} ON dim_prompts USING HNSW (text_embedding) "
            f"WITH (metric = 'cosine', M = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}, "
            f"ef_search = {HNSW_EF_SEARCH})"
        )
        made["hnsw"] = True
    con.execute(
        "PRAGMA create_fts_index('dim_prompts', 'prompt_id', 'prompt', stemmer = 'porter', "
        "stopwords = 'english', lower = 1, strip_accents = 1, overwrite = 1)"
    )
    con.execute(BM25_POSTINGS_SQL)
    made["fts"] = True
    return made


def drop_search_indexes(con: duckdb.DuckDBPyConnection) -> None:
    """Remove the search indexes (they are rebuilt after dbt replaces dim_prompts)."""
    con.execute(f"DROP INDEX IF EXISTS {HNSW_INDEX}")
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
