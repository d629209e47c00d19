"""The build's steps as Dagster assets: the same step functions as ``genai-analyzer build``.

Each asset opens a connection through ``build.step_context`` and runs ``build.STEPS[name]``, the
very functions a build runs, so no step's logic lives here; what is here is I/O between steps.

- Partitioned (one DiffusionDB part, or one log file, per partition): ``parts/generations`` (ingest),
  ``parts/embeddings``, ``parts/labels``, ``parts/thumbnails``. Each works on an in-memory DuckDB
  and writes one Parquet file under the storage root, so partitions run in parallel anywhere
  (ingest also writes the partition's rejected rows and ingest issues, so none is lost).
- Unpartitioned, in the staging DuckDB file under the storage root, one writer at a time:
  ``raw/generations`` (all parts), ``raw/sessionized`` (sessions need all of a user's rows, and users
  span parts), ``raw/users`` + ``raw/telemetry``, ``enrich/*`` (all parts' enrichment); then the dbt
  models (genai_analyzer/pipeline/orchestration/dbt.py) and ``warehouse`` (indexes, build_info, swap-in,
  under the warehouse's build lock, as a build).

The partitions' rows, rejected rows and ingest reports are merged as merge.py says: nothing is lost,
and a key seen in two partitions is rejected as a build over the whole source rejects it.
"""

import functools
import os
import shutil
import time
from pathlib import Path

import dagster as dg

from genai_analyzer.core.errors import SettingsError
from genai_analyzer.pipeline import build
from genai_analyzer.pipeline.build_lock import BuildLock, remove_leftovers
from genai_analyzer.pipeline.orchestration.layout import Pipeline
from genai_analyzer.pipeline.orchestration.merge import ROW_REPORTS, load_raw, merge_ingest, sum_counts

# Steps that write the staging DuckDB file carry this tag; the executor runs one of them at a time.
WRITES_STAGING = {"genai_analyzer/writes": "staging"}
PARTS = "parts"
STEP_COUNTS = ("done", "skipped", "failed")


class GenaiPipeline(dg.ConfigurableResource):
    """Where the assets write: the storage root (a local folder here; a shared volume when steps run
    in other pods or on Celery workers). Source and settings come from the GENAI_* environment."""

    storage_root: str = ""

    def pipeline(self) -> Pipeline:
        from dataclasses import replace

        from genai_analyzer.core.settings import Settings

        pipeline = Pipeline.from_settings(Settings.from_env())
        if self.storage_root:
            pipeline = replace(pipeline, storage=Path(self.storage_root).resolve())
        return pipeline


# --- small I/O helpers -----------------------------------------------------------------------


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _write_parquet(con, select_sql: str, path: Path, params: dict | None = None) -> int:
    """Write a query's rows to ``path`` atomically (a reader never sees half a file); return rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    con.execute(f"COPY ({select_sql}) TO {_quote(tmp)} (FORMAT parquet, COMPRESSION zstd)", params)
    os.replace(tmp, path)
    return con.execute(f"SELECT count(*) FROM read_parquet({_quote(path)})").fetchone()[0]


def _load(con, table: str, files: list[Path], *, distinct_on: str | None = None) -> None:
    """Insert the rows of Parquet ``files`` into an existing ``table`` (first row per key)."""
    if not files:
        return
    listed = "[" + ", ".join(_quote(f) for f in files) + "]"
    select = f"SELECT DISTINCT ON ({distinct_on}) *" if distinct_on else "SELECT *"
    con.execute(f"INSERT INTO {table} BY NAME {select} FROM read_parquet({listed})")


def _part_context(pipeline: Pipeline, partition: str):
    ctx = build.step_context(pipeline.settings, pipeline.request(partition), ":memory:")
    ctx.open()
    return ctx


def _with_generations(pipeline: Pipeline, partition: str):
    """An in-memory context holding this partition's ``raw.generations`` and empty enrich tables."""
    from genai_analyzer.pipeline.enrich import create_enrich_tables

    ctx = _part_context(pipeline, partition)
    ctx.con.execute(
        "CREATE SCHEMA raw; CREATE TABLE raw.generations AS SELECT * FROM read_parquet("
        + _quote(pipeline.part_files("generations", [partition])[0])
        + ")"
    )
    create_enrich_tables(ctx.con)
    return ctx


@functools.cache
def _embedder(settings):
    """One embedding model per process, shared by the embeddings and labels steps it runs."""
    from genai_analyzer.models.embeddings import embedder_from_settings

    if settings.embedding_backend == "static":
        # Each partition would make its own static model from its own prompts: vectors of
        # different models in one index. Until the model is made once for all partitions:
        raise SettingsError(
            "GENAI_EMBEDDING_BACKEND=static is not supported by the Dagster assets yet (each partition "
            "would make its own static model); use genai-analyzer build, or another backend."
        )
    return embedder_from_settings(settings)


# --- the source ------------------------------------------------------------------------------


@dg.asset(key="source", group_name="ingest", kinds={"python"})
def source(genai: GenaiPipeline) -> dg.MaterializeResult:
    """The source folder: for the embedded sample, generated once (DiffusionDB layout); a local
    DiffusionDB copy or the logs are only checked. Materialize it before the partitions."""
    pipeline = genai.pipeline()
    if pipeline.source == "sample":
        from genai_analyzer.pipeline.sample_store import ensure_sample

        location = ensure_sample(pipeline.settings, progress=False)
    else:
        from genai_analyzer.pipeline.ingest.common import require_file

        location = require_file(pipeline.path, "GENAI_PIPELINE_PATH")
    return dg.MaterializeResult(
        metadata={"location": str(location), "partitions": len(pipeline.partition_keys())}
    )


# --- partitioned: one DiffusionDB part (or log file) each --------------------------------------


def partitioned_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    """parts/generations, parts/embeddings, parts/labels, parts/thumbnails over ``partitions``."""

    @dg.asset(
        key=[PARTS, "generations"],
        partitions_def=partitions,
        deps=["source"],
        group_name="ingest",
        kinds={"duckdb", "parquet"},
    )
    def generations(context: dg.AssetExecutionContext, genai: GenaiPipeline) -> dg.MaterializeResult:
        """This partition's rows of ``raw.generations``: the build's ingest step on one part."""
        pipeline, partition = genai.pipeline(), context.partition_key
        ctx = _part_context(pipeline, partition)
        try:
            build.STEPS["ingest"](ctx)
            rows = _write_parquet(
                ctx.con, "SELECT * FROM raw.generations", pipeline.part_file("generations", partition)
            )
            for dataset, table in ROW_REPORTS.items():  # nothing ingest left out is lost
                _write_parquet(
                    ctx.con,
                    f"SELECT *, $partition AS partition FROM {table}",
                    pipeline.part_file(dataset, partition),
                    {"partition": partition},
                )
        finally:
            ctx.close()
        pipeline.write_report(f"ingest/{Path(partition).name}", ctx.summary.ingest | {"partition": partition})
        return dg.MaterializeResult(
            metadata={
                "rows": rows,
                "images_found": ctx.summary.ingest["images_found"],
                "rows_rejected": ctx.summary.ingest["rows_rejected"],
            }
        )

    def enrichment(step: str, table: str, key_column: str | None, upstream: str, description: str):
        @dg.asset(
            key=[PARTS, step],
            partitions_def=partitions,
            deps=[dg.AssetKey([PARTS, upstream])],
            group_name="enrichment",
            kinds={"python", "parquet"},
            description=description,
        )
        def enrich_part(context: dg.AssetExecutionContext, genai: GenaiPipeline) -> dg.MaterializeResult:
            pipeline, partition = genai.pipeline(), context.partition_key
            out = pipeline.part_file(step, partition)
            ctx = _with_generations(pipeline, partition)
            ctx.embedder = _embedder(pipeline.settings)
            try:
                if step == "labels":  # labels are read from this partition's embeddings
                    _load(ctx.con, "enrich.prompt_embeddings", pipeline.part_files("embeddings", [partition]))
                if key_column and out.exists():  # a partition made before: its rows are reused
                    _load(ctx.con, table, [out])
                build.STEPS[step](ctx)
                report = ctx.summary.enrichment[step]
                key = {"embeddings": report.get("model"), "labels": report.get("labeller")}.get(step)
                where = f" WHERE {key_column} = $key" if key_column else ""
                rows = _write_parquet(
                    ctx.con, f"SELECT * FROM {table}{where}", out, {"key": key} if key else None
                )
            finally:
                ctx.close()
            pipeline.write_report(f"{step}/{Path(partition).name}", report)
            return dg.MaterializeResult(metadata={"rows": rows, **report})

        return enrich_part

    return [
        generations,
        enrichment(
            "embeddings",
            "enrich.prompt_embeddings",
            "model",
            "generations",
            "Sentence embeddings of this partition's distinct prompts (the build's embeddings step).",
        ),
        enrichment(
            "labels",
            "enrich.prompt_labels",
            "labeller",
            "embeddings",
            "Domain, art style and complexity of this partition's prompts (the build's labels step).",
        ),
        enrichment(
            "thumbnails",
            "enrich.thumbnails",
            None,
            "generations",
            "WebP thumbnails of this partition's images, beside the warehouse (the build's thumbnails step).",
        ),
    ]


# --- unpartitioned: the staging warehouse ------------------------------------------------------


def _staging_context(pipeline: Pipeline, database: Path | None = None):
    ctx = build.step_context(pipeline.settings, pipeline.request(), database or pipeline.staging)
    ctx.open()
    return ctx


def staging_assets(partition_keys: list[str]) -> list[dg.AssetsDefinition]:
    """raw/generations, raw/sessionized, raw/users + raw/telemetry and enrich/* in the staging file."""
    part = {
        name: dg.AssetKey([PARTS, name]) for name in ("generations", "embeddings", "labels", "thumbnails")
    }

    @dg.asset(
        key=["raw", "generations"],
        deps=[part["generations"]],
        group_name="warehouse",
        op_tags=WRITES_STAGING,
        kinds={"duckdb"},
    )
    def raw_generations(genai: GenaiPipeline) -> dg.MaterializeResult:
        """Every partition's rows in a new staging DuckDB file (any earlier staging file is replaced)."""
        pipeline = genai.pipeline()
        files = pipeline.part_files("generations", partition_keys)
        build._remove(pipeline.staging)
        pipeline.staging.parent.mkdir(parents=True, exist_ok=True)
        ctx = _staging_context(pipeline)
        try:
            ctx.con.execute("CREATE SCHEMA raw")
            datasets = ("generations", *ROW_REPORTS)
            loaded = load_raw(
                ctx.con, partition_keys, {d: pipeline.part_files(d, partition_keys) for d in datasets}
            )
        finally:
            ctx.close()
        reports = [pipeline.read_report(f"ingest/{Path(p).name}") for p in partition_keys]
        ingest = merge_ingest(reports, loaded["duplicates"])
        ingest["location"] = str(pipeline.path or reports[0]["location"])
        pipeline.write_report("ingest", ingest)
        rows, rejected = loaded["rows"], loaded["rows_rejected"]
        return dg.MaterializeResult(
            metadata={"rows": rows, "partitions": len(files), "rows_rejected": rejected}
        )

    @dg.asset(
        key=["raw", "sessionized"],
        deps=[raw_generations],
        group_name="warehouse",
        op_tags=WRITES_STAGING,
        kinds={"duckdb"},
    )
    def raw_sessionized(genai: GenaiPipeline) -> dg.MaterializeResult:
        """user_id, session_id and position per generation: the build's sessions step, over all parts
        at once (a user's generations span parts). Fills missing timestamps first."""
        pipeline = genai.pipeline()
        ctx = _staging_context(pipeline)
        try:
            build.STEPS["sessions"](ctx)
            sessions, users = ctx.con.execute(
                "SELECT count(DISTINCT session_id), count(DISTINCT user_id) FROM raw.sessionized"
            ).fetchone()
        finally:
            ctx.close()
        pipeline.write_report("sessions", {"created_at": ctx.summary.simulated["created_at"]})
        return dg.MaterializeResult(metadata={"sessions": sessions, "users": users})

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(["raw", "users"], deps=[raw_sessionized], group_name="warehouse", kinds={"duckdb"}),
            dg.AssetSpec(
                ["raw", "telemetry"], deps=[raw_sessionized], group_name="warehouse", kinds={"duckdb"}
            ),
        ],
        op_tags=WRITES_STAGING,
    )
    def telemetry(genai: GenaiPipeline):
        """Tier and signup per user, then status, latency, GPU time, cost and revenue per generation:
        the build's simulate step (seeded, so the same rows get the same values)."""
        from genai_analyzer.pipeline.simulate import define_random_macros

        pipeline = genai.pipeline()
        ctx = _staging_context(pipeline)
        try:
            define_random_macros(ctx.con, pipeline.settings.seed)  # per connection (a TEMP macro)
            ctx.summary.simulated = pipeline.read_report("sessions")
            build.STEPS["simulate"](ctx)
        finally:
            ctx.close()
        pipeline.write_report("simulate", ctx.summary.simulated)
        yield dg.MaterializeResult(asset_key=["raw", "users"], metadata={"simulated": ctx.summary.simulated})
        yield dg.MaterializeResult(asset_key=["raw", "telemetry"])

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                ["enrich", name],
                # after the telemetry: every writer of the staging file follows the one before it,
                # so no two ever run at once, on any executor
                deps=[raw_generations, dg.AssetKey(["raw", "telemetry"]), part[step]],
                group_name="warehouse",
                kinds={"duckdb"},
            )
            for name, step in (
                ("prompt_embeddings", "embeddings"),
                ("prompt_labels", "labels"),
                ("thumbnails", "thumbnails"),
            )
        ],
        op_tags=WRITES_STAGING,
    )
    def enrichment_tables(genai: GenaiPipeline):
        """Every partition's enrichment in the staging file's enrich tables, one row per prompt and
        model (a prompt in several parts was embedded in each) and one per image."""
        from genai_analyzer.pipeline.enrich import create_enrich_tables

        pipeline = genai.pipeline()
        ctx = _staging_context(pipeline)
        counts = {}
        try:
            create_enrich_tables(ctx.con)
            for table, step, key in (
                ("prompt_embeddings", "embeddings", "prompt_id, model"),
                ("prompt_labels", "labels", "prompt_id, labeller"),
                ("thumbnails", "thumbnails", "image_path"),
            ):
                ctx.con.execute(f"DELETE FROM enrich.{table}")
                _load(ctx.con, f"enrich.{table}", pipeline.part_files(step, partition_keys), distinct_on=key)
                counts[table] = ctx.con.execute(f"SELECT count(*) FROM enrich.{table}").fetchone()[0]
        finally:
            ctx.close()
        enrichment = {
            step: sum_counts(
                [pipeline.read_report(f"{step}/{Path(p).name}") for p in partition_keys], STEP_COUNTS
            )
            for step in ("embeddings", "labels", "thumbnails")
        }
        pipeline.write_report("enrichment", enrichment)
        for table, rows in counts.items():
            yield dg.MaterializeResult(asset_key=["enrich", table], metadata={"rows": rows})

    return [raw_generations, raw_sessionized, telemetry, enrichment_tables]


def warehouse_asset(model_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(key="warehouse", deps=model_keys, group_name="warehouse", kinds={"duckdb"})
    def warehouse(genai: GenaiPipeline) -> dg.MaterializeResult:
        """The app's warehouse: a copy of the staging file with the search indexes and build_info,
        swapped in only when complete (the build's indexes and finalize steps), as a build does;
        with GENAI_WAREHOUSE_TARGET=ducklake also published into the lake (the publish step)."""
        pipeline = genai.pipeline()
        started = time.perf_counter()
        target = Path(pipeline.settings.db_path).resolve()
        build._prepare_target(target)  # the folder exists and is writable: the lock file goes there
        with BuildLock(target) as lock:  # one build at a time, this one or `genai-analyzer build`
            leftovers = remove_leftovers(target)
            summary = _publish(pipeline, target)
        return dg.MaterializeResult(
            metadata={
                "path": str(target),
                "table_rows": summary.table_rows,
                "indexes": summary.indexes,
                "size_mb": round(target.stat().st_size / 2**20, 1),
                "lake_snapshot": summary.lake_snapshot,
                "seconds": round(time.perf_counter() - started, 2),
                "rows_rejected": summary.ingest.get("rows_rejected", 0),
                "leftovers_removed": leftovers,
                "stale_lock": lock.stale,
            }
        )

    return warehouse


def _publish(pipeline: Pipeline, target: Path):
    """Copy the staging file, index and finalize it, and swap it in (holding the build lock)."""
    building = build._prepare_target(target)
    try:
        shutil.copyfile(pipeline.staging, building)
        ctx = _staging_context(pipeline, building)
        summary = ctx.summary
        summary.ingest = pipeline.read_report("ingest")
        summary.location = summary.ingest["location"]
        summary.simulated = pipeline.read_report("simulate")
        summary.enrichment = pipeline.read_report("enrichment")
        dbt = pipeline.read_report("dbt")
        summary.dbt_models, summary.dbt_tests = dbt["models"], dbt["tests"]
        try:
            build.STEPS["indexes"](ctx)
            build.STEPS["finalize"](ctx)  # writes build_info and closes the connection
            if pipeline.settings.warehouse_target == "ducklake":
                build.STEPS["publish"](ctx)  # one DuckLake snapshot, or none (docs/ducklake.md)
        finally:
            ctx.close()
        build._swap_in(building, target)
    finally:
        build._remove(building)
    return summary
