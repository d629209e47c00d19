"""Enrichment steps of the build: each fills an ``enrich.*`` table and reports its counts.

Work is keyed by content: embeddings and labels by ``prompt_id`` (a hash of the prompt text) plus
the model or labeller that made them, thumbnails by the image's address. Results already in the
previous warehouse (attached read-only as ``prev``) or on disk are reused, so a second build does
no repeated work. The dbt models join these tables into ``dim_prompts`` and ``fact_generations``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from genai_analyzer.core.contract import embedding_cache_root

BATCH = 2048  # prompts per embedding batch: one progress tick, one insert
# HNSW parameters, tuned with scripts/bench_search.py (docs/benchmarks.md): with vss's defaults
# (ef_construction 128, ef_search 64) recall@10 was 0.88 at 100k prompts; with these, 0.97.


@dataclass
class StepCounts:
    """What a step did: made now, reused from before, failed."""

    done: int = 0
    skipped: int = 0
    failed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def attach_previous(con: duckdb.DuckDBPyConnection, previous: Path) -> bool:
    """Attach the previous warehouse read-only as ``prev`` when it has enrichment to reuse."""
    if not previous.exists():
        return False
    try:
        con.execute(f"ATTACH '{previous}' AS prev (READ_ONLY)")
    except duckdb.Error:
        return False  # an unreadable old file only means nothing can be reused
    return has_table(con, "prev", "enrich", "prompt_embeddings")


def has_table(con, catalog: str, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = $c AND schema_name = $s "
            "AND table_name = $t",
            {"c": catalog, "s": schema, "t": table},
        ).fetchone()[0]
    )


def reuse_previous_run(con, run: dict, item_table: str, runs_table: str, also: tuple[str, ...] = ()) -> bool:
    """Copy a keyed run of the previous warehouse (a clustering, a map projection) when its
    ``enrich.<runs_table>`` holds one equal to ``run`` on every key of it: the rows of ``run``'s
    model in ``item_table``, and the rows of ``run``'s kind in the runs table and in each enrich
    table of ``also``. False, copying nothing, when there is no such run."""
    if not has_table(con, "prev", "enrich", runs_table):
        return False
    same = " AND ".join(f"{column} = ${column}" for column in run)
    if not con.execute(f"SELECT count(*) FROM prev.enrich.{runs_table} WHERE {same}", run).fetchone()[0]:
        return False
    model = {"m": run["model"]}
    con.execute(f"INSERT INTO {item_table} SELECT * FROM prev.{item_table} WHERE model = $m", model)
    for name in (*also, runs_table):
        con.execute(
            f"INSERT INTO enrich.{name} SELECT * FROM prev.enrich.{name} WHERE kind = $k", {"k": run["kind"]}
        )
    return True


def create_enrich_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE SCHEMA IF NOT EXISTS enrich;
        CREATE TABLE IF NOT EXISTS enrich.prompt_embeddings (
            prompt_id VARCHAR, model VARCHAR, embedding FLOAT[]);
        CREATE TABLE IF NOT EXISTS enrich.prompt_labels (
            prompt_id VARCHAR, labeller VARCHAR, domain VARCHAR, art_style VARCHAR,
            complexity_score INTEGER, label_source VARCHAR,
            domain_confidence DOUBLE, art_style_confidence DOUBLE);
        -- a table made before the confidences existed gains them (null for its older labels)
        ALTER TABLE enrich.prompt_labels ADD COLUMN IF NOT EXISTS domain_confidence DOUBLE;
        ALTER TABLE enrich.prompt_labels ADD COLUMN IF NOT EXISTS art_style_confidence DOUBLE;
        CREATE TABLE IF NOT EXISTS enrich.thumbnails (
            image_path VARCHAR, thumb_path VARCHAR, status VARCHAR);
        -- visual similarity (pipeline/image_enrich.py): a vector and a perceptual hash per image
        CREATE TABLE IF NOT EXISTS enrich.image_embeddings (
            image_path VARCHAR, model VARCHAR, embedding FLOAT[], phash UBIGINT);
        CREATE TABLE IF NOT EXISTS enrich.image_duplicates (image_path VARCHAR, duplicate_group INTEGER);
        -- with a CLIP image model: the cosine of each image and its prompt (image_enrich.score_agreement)
        CREATE TABLE IF NOT EXISTS enrich.image_agreement (
            image_path VARCHAR, prompt_id VARCHAR, model VARCHAR, agreement DOUBLE);
        -- NSFW scores made from the thumbnails where the source had none (pipeline/nsfw_scores.py)
        CREATE TABLE IF NOT EXISTS enrich.image_nsfw_scores (image_path VARCHAR, model VARCHAR, nsfw DOUBLE);
        -- prompt and visual clusters (pipeline/clusters.py): one fit per kind, replaced per build
        CREATE TABLE IF NOT EXISTS enrich.prompt_clusters (
            prompt_id VARCHAR, model VARCHAR, cluster_id INTEGER, distance FLOAT);
        CREATE TABLE IF NOT EXISTS enrich.visual_clusters (
            image_path VARCHAR, model VARCHAR, cluster_id INTEGER, distance FLOAT);
        CREATE TABLE IF NOT EXISTS enrich.clusters (
            kind VARCHAR, model VARCHAR, cluster_id INTEGER, name VARCHAR, label VARCHAR,
            terms VARCHAR[], n_items INTEGER, representatives VARCHAR[]);
        CREATE TABLE IF NOT EXISTS enrich.cluster_runs (
            kind VARCHAR, model VARCHAR, method VARCHAR, k INTEGER, seed INTEGER,
            fingerprint VARCHAR, n_items INTEGER, n_clusters INTEGER);
        -- the map's 2-D coordinates (pipeline/projection.py): one UMAP run per kind, replaced per build
        CREATE TABLE IF NOT EXISTS enrich.prompt_map (
            prompt_id VARCHAR, model VARCHAR, x FLOAT, y FLOAT, fitted BOOLEAN);
        CREATE TABLE IF NOT EXISTS enrich.visual_map (
            image_path VARCHAR, model VARCHAR, x FLOAT, y FLOAT, fitted BOOLEAN);
        CREATE TABLE IF NOT EXISTS enrich.map_runs (
            kind VARCHAR, model VARCHAR, method VARCHAR, fit_max INTEGER, seed INTEGER,
            fingerprint VARCHAR, n_items INTEGER, n_fitted INTEGER);
        """
    )


def _reuse(con, table: str, key_column: str, key_value: str, reuse_prev: bool) -> None:
    """Copy rows for this model/labeller from ``prev`` for prompts of this build not yet done."""
    if not reuse_prev or not has_table(con, "prev", "enrich", table.split(".")[-1]):
        return
    con.execute(
        f"""
        INSERT INTO {table} BY NAME
        SELECT p.* FROM prev.{table} p
        WHERE p.{key_column} = $key
          AND p.prompt_id IN (SELECT prompt_id FROM raw.generations)
          AND p.prompt_id NOT IN (SELECT prompt_id FROM {table} WHERE {key_column} = $key)
        """,
        {"key": key_value},
    )


def _already_done(con, table: str, key_column: str, key_value: str) -> int:
    """Distinct prompts of this build that already have a row for this model/labeller."""
    return con.execute(
        f"SELECT count(DISTINCT prompt_id) FROM raw.generations WHERE prompt_id IN "
        f"(SELECT prompt_id FROM {table} WHERE {key_column} = $key)",
        {"key": key_value},
    ).fetchone()[0]


def embedding_cache_dir(warehouse: Path, model: str) -> Path:
    """Where finished embedding batches of ``model`` wait until a build publishes them.

    Beside the warehouse, like the thumbnails: ``<stem>_embedding_cache/<model key>/``. A failed
    or interrupted build deletes its building file, not this folder, so the next build resumes.
    """
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model).strip("-")
    digest = hashlib.sha1(model.encode()).hexdigest()[:8]
    return embedding_cache_root(warehouse) / f"{slug}-{digest}"


def discard_embedding_cache(warehouse: Path) -> None:
    """Remove every model's cached batches (once a build has published them into the warehouse)."""
    shutil.rmtree(embedding_cache_root(warehouse), ignore_errors=True)


def prepare_static_model(con, embedder, *, progress: bool = False) -> None:
    """With the ``static`` backend, make (or find in the model cache) the static model of this
    build's distinct prompts before anything is embedded; other backends need nothing."""
    if embedder.backend != "static" or embedder.static_digest not in (None, "unmade"):
        return
    corpus = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT prompt FROM raw.generations WHERE prompt IS NOT NULL"
        ).fetchall()
    ]
    embedder.make_static(corpus, progress=progress)


def corpus_embedder(settings, con, *, progress: bool = False):
    """The settings' embedder for this build, its static model made first when it needs one."""
    from genai_analyzer.models.embeddings import embedder_from_settings

    embedder = embedder_from_settings(settings)
    prepare_static_model(con, embedder, progress=progress)
    return embedder


def embed_prompts(
    con, embedder, *, reuse_prev: bool = False, cache_dir: Path | None = None, progress: bool = False
) -> StepCounts:
    """Fill ``enrich.prompt_embeddings`` for every distinct prompt of this build.

    Vectors come, in this order, from the previous warehouse (``reuse_prev``), from batches a
    failed or interrupted run left in ``cache_dir``, and from the model. Each batch the model makes
    is written to ``cache_dir`` (one Parquet file, renamed into place when complete) before it is
    inserted, so an interruption loses at most the batch in progress.
    """
    from tqdm.auto import tqdm

    prepare_static_model(con, embedder, progress=progress)
    model = embedder.model_name
    _reuse(con, "enrich.prompt_embeddings", "model", model, reuse_prev)
    if cache_dir is not None:
        _reuse_cached(con, Path(cache_dir), model)
    counts = StepCounts(skipped=_already_done(con, "enrich.prompt_embeddings", "model", model))
    todo = con.execute(
        """
        SELECT prompt_id, any_value(prompt) AS prompt FROM raw.generations
        WHERE prompt_id NOT IN (SELECT prompt_id FROM enrich.prompt_embeddings WHERE model = $m)
        GROUP BY prompt_id ORDER BY length(any_value(prompt)), prompt_id
        """,
        {"m": model},
    ).df()
    # Batches are cut from prompts sorted by length, so each holds similar lengths (less padding).
    with tqdm(total=len(todo), desc="embeddings", unit="prompt", disable=not progress, leave=False) as bar:
        for start in range(0, len(todo), BATCH):
            chunk = todo.iloc[start : start + BATCH]
            batch = vector_table(chunk["prompt_id"].tolist(), embedder.embed(chunk["prompt"].tolist()))
            if cache_dir is not None:
                write_cached(con, batch, Path(cache_dir))
            _insert_vectors(con, batch, model)
            counts.done += len(chunk)
            bar.update(len(chunk))
    return counts


def _reuse_cached(con, cache_dir: Path, model: str) -> int:
    """Insert vectors cached by an earlier, unfinished run for prompts of this build not yet done."""
    files = sorted(str(p) for p in cache_dir.glob("*.parquet")) if cache_dir.is_dir() else []
    sql = """
        INSERT INTO enrich.prompt_embeddings
        SELECT c.prompt_id, $m, CAST(any_value(c.embedding) AS FLOAT[])
        FROM read_parquet($files) c
        WHERE c.prompt_id IN (SELECT prompt_id FROM raw.generations)
          AND c.prompt_id NOT IN (SELECT prompt_id FROM enrich.prompt_embeddings WHERE model = $m)
        GROUP BY c.prompt_id
    """
    before = con.execute("SELECT count(*) FROM enrich.prompt_embeddings").fetchone()[0]
    try:
        if files:
            con.execute(sql, {"m": model, "files": files})
    except duckdb.Error:
        for file in files:  # one unreadable file costs its batch only, not the whole cache
            with contextlib.suppress(duckdb.Error):
                con.execute(sql, {"m": model, "files": [file]})
    return con.execute("SELECT count(*) FROM enrich.prompt_embeddings").fetchone()[0] - before


def write_cached(con, batch, cache_dir: Path) -> None:
    """Write one batch as a Parquet file: under a temporary name, then renamed, so a file with a
    ``.parquet`` name is always complete."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    name = f"batch-{time.time_ns()}-{os.getpid()}"
    partial, final = cache_dir / f"{name}.partial", cache_dir / f"{name}.parquet"
    con.register("batch_to_cache", batch)
    try:
        quoted = str(partial).replace("'", "''")
        con.execute(f"COPY batch_to_cache TO '{quoted}' (FORMAT parquet)")
    finally:
        con.unregister("batch_to_cache")
    os.replace(partial, final)


def vector_table(ids: list[str], vectors: np.ndarray, *, key: str = "prompt_id", **columns):
    """An Arrow table of ``key`` (the ids), ``embedding`` (fixed-size float32 lists) and ``columns``."""
    import pyarrow as pa

    flat = pa.array(vectors.astype(np.float32).ravel(), type=pa.float32())
    return pa.table(
        {
            key: pa.array(ids, type=pa.string()),
            "embedding": pa.FixedSizeListArray.from_arrays(flat, vectors.shape[1]),
            **columns,
        }
    )


def _insert_vectors(con, batch, model: str) -> None:
    con.register("new_vectors", batch)
    try:
        con.execute(
            "INSERT INTO enrich.prompt_embeddings "
            "SELECT prompt_id, $m, CAST(embedding AS FLOAT[]) FROM new_vectors",
            {"m": model},
        )
    finally:
        con.unregister("new_vectors")


def _append(con, table: str, frame: pd.DataFrame) -> None:
    """Insert a DataFrame in one statement (executemany would go row by row)."""
    con.register("rows_to_append", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows_to_append")
    finally:
        con.unregister("rows_to_append")


def stored_dim(con, model: str) -> int | None:
    """Dimension of the vectors stored for ``model`` (None when there are none)."""
    row = con.execute(
        "SELECT len(embedding) FROM enrich.prompt_embeddings WHERE model = $m LIMIT 1", {"m": model}
    ).fetchone()
    return row[0] if row else None


def label_prompts(
    con, make_labeller, key: str, model: str, *, reuse_prev: bool = False, progress: bool = False
) -> StepCounts:
    """Fill ``enrich.prompt_labels`` for every distinct prompt, from its stored embedding.

    ``make_labeller()`` is called only when some prompt still needs labels. Each row carries the
    labeller's calibrated ``domain_confidence`` and ``art_style_confidence`` (null where the
    labeller has none: an LLM's answers, the zero-shot labeller); a label below the learned
    labeller's threshold is stored as "uncertain".
    """
    from tqdm.auto import tqdm

    _reuse(con, "enrich.prompt_labels", "labeller", key, reuse_prev)
    counts = StepCounts(skipped=_already_done(con, "enrich.prompt_labels", "labeller", key))
    todo = con.execute(
        """
        SELECT g.prompt_id, any_value(g.prompt) AS prompt, any_value(e.embedding) AS embedding
        FROM raw.generations g
        LEFT JOIN enrich.prompt_embeddings e ON e.prompt_id = g.prompt_id AND e.model = $m
        WHERE g.prompt_id NOT IN (SELECT prompt_id FROM enrich.prompt_labels WHERE labeller = $k)
        GROUP BY g.prompt_id ORDER BY g.prompt_id
        """,
        {"m": model, "k": key},
    ).df()
    labeller = make_labeller() if len(todo) else None
    with tqdm(total=len(todo), desc="labels", unit="prompt", disable=not progress, leave=False) as bar:
        for start in range(0, len(todo), BATCH):
            chunk = todo.iloc[start : start + BATCH]
            have = chunk["embedding"].notna().all()
            embeddings = np.stack(chunk["embedding"].to_numpy()).astype(np.float32) if have else None
            labels = labeller.label(chunk["prompt"].tolist(), embeddings=embeddings)
            frame = pd.DataFrame(
                {
                    "prompt_id": chunk["prompt_id"].to_numpy(),
                    "labeller": key,
                    "domain": [lab.domain for lab in labels],
                    "art_style": [lab.art_style for lab in labels],
                    "complexity_score": [lab.complexity_score for lab in labels],
                    "label_source": [lab.label_source for lab in labels],
                    "domain_confidence": pd.array(
                        [getattr(lab, "domain_confidence", None) for lab in labels], dtype="Float64"
                    ),
                    "art_style_confidence": pd.array(
                        [getattr(lab, "art_style_confidence", None) for lab in labels], dtype="Float64"
                    ),
                }
            )
            _append(con, "enrich.prompt_labels", frame)
            counts.done += len(frame)
            bar.update(len(frame))
    return counts


def thumbnail_images(con, thumb_dir: Path, *, size: int = 256, progress: bool = False) -> StepCounts:
    """Fill ``enrich.thumbnails`` with a WebP thumbnail per distinct image of this build."""
    from tqdm.auto import tqdm

    from genai_analyzer.pipeline.thumbnails import make_thumbnails

    paths = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT image_path FROM raw.generations WHERE image_path IS NOT NULL"
        ).fetchall()
    ]
    with tqdm(total=len(paths), desc="thumbnails", unit="image", disable=not progress, leave=False) as bar:
        results = make_thumbnails(paths, thumb_dir, size=size, progress=bar.update)
    con.execute("DELETE FROM enrich.thumbnails")
    frame = pd.DataFrame(
        {
            "image_path": [r.image_path for r in results],
            "thumb_path": pd.Series([r.thumb_path for r in results], dtype="object"),
            "status": [r.status for r in results],
        }
    )
    _append(con, "enrich.thumbnails", frame)
    by_status = {s: sum(r.status == s for r in results) for s in ("done", "skipped", "missing", "corrupt")}
    return StepCounts(
        done=by_status["done"],
        skipped=by_status["skipped"],
        failed=by_status["missing"] + by_status["corrupt"],
    )
