"""``genai-analyzer build``: ingest, sessions, simulation, enrichment, dbt and indexes, into a new file.

The build writes ``<warehouse stem>_building_<pid>.duckdb`` and moves it over the warehouse only
when every step and every dbt data test passed. A failed or interrupted build deletes its own file
and leaves the previous warehouse untouched. ``genai-analyzer enrich`` reuses the same steps on a
copy of the current warehouse. One build at a time per warehouse, and leftovers of killed builds
removed: see build_lock.py.

The ingest's problems (docs/reliability.md) are in ``BuildSummary.ingest["issues"]`` and the
build_info record, and logged as warnings; with ``BuildRequest.strict`` any of them fails the build
with the same message.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from genai_analyzer.core.contract import MART_TABLES, thumb_dir
from genai_analyzer.core.errors import AnalyzerError, BuildError
from genai_analyzer.core.peak_memory import peak_mb, reset_peak
from genai_analyzer.core.settings import Settings
from genai_analyzer.pipeline.build_lock import BuildLock, remove_leftovers
from genai_analyzer.pipeline.ingest.common import issues_message, make_issue, short_image
from genai_analyzer.warehouse import duck

SOURCES = ("sample", "diffusiondb", "logs", "hf")
ENRICH_STEPS = ("embeddings", "labels", "thumbnails", "nsfw_scores", "image_embeddings", "clusters")
log = logging.getLogger(__name__)


@dataclass
class BuildSummary:
    """What a finished build produced."""

    db_path: Path
    source: str
    location: str
    step_seconds: dict[str, float] = field(default_factory=dict)
    step_peak_mb: dict[str, float] = field(default_factory=dict)  # peak resident memory per step
    table_rows: dict[str, int] = field(default_factory=dict)
    ingest: dict = field(default_factory=dict)
    simulated: dict[str, int] = field(default_factory=dict)
    enrichment: dict[str, dict] = field(default_factory=dict)
    indexes: dict[str, bool] = field(default_factory=dict)
    vector_index: dict = field(default_factory=dict)  # the vector index's manifest: key, prompts, ...
    dbt_models: int = 0
    dbt_tests: int = 0
    size_bytes: int = 0
    lake_snapshot: int | None = None  # the DuckLake snapshot published (GENAI_WAREHOUSE_TARGET=ducklake)
    leftovers_removed: list[str] = field(default_factory=list)  # files of killed builds, removed
    stale_lock: dict | None = None  # the lock of a dead build this one took over (pid, started_at)


@dataclass
class BuildRequest:
    """What to build from: the source kind and where it is, and which enrichment to run."""

    source: str = "sample"
    path: Path | None = None
    limit: int | None = None
    parts: list[int] | None = None
    variant: str = "auto"
    images: bool = True
    enrich: tuple[str, ...] = ENRICH_STEPS
    strict: bool = False  # fail on any rejected, flagged or counted input problem
    dataset: str | None = None  # --source hf: a hub id, or a save_to_disk / Parquet folder or file
    split: str | None = None  # --source hf: the split to read (default: train, or the only one)
    columns: dict[str, str] | None = None  # logs and hf: contract name -> the input's column

    def validate(self) -> None:
        if self.source not in SOURCES:
            raise BuildError("prepare", f"unknown source {self.source!r}; use one of {', '.join(SOURCES)}")
        if self.source == "logs" and self.path is None:
            raise BuildError("prepare", "--source logs needs --path to a log file or folder")
        if self.source == "hf" and not (self.dataset or self.path):
            raise BuildError("prepare", "--source hf needs --dataset: a hub id or a local dataset folder")
        if self.limit is not None and self.limit <= 0:
            raise BuildError("prepare", "--limit must be a positive number of rows")
        unknown = set(self.enrich) - set(ENRICH_STEPS)
        if unknown:
            raise BuildError("prepare", f"unknown enrichment step(s) {sorted(unknown)}; use {ENRICH_STEPS}")
        if "labels" in self.enrich and "embeddings" not in self.enrich:
            raise BuildError("prepare", "the labels step needs the embeddings step (labels are read from it)")


@dataclass
class _Context:
    settings: Settings
    request: BuildRequest
    summary: BuildSummary
    building: Path
    target: Path
    progress: bool
    downloader: Callable | None = None
    con: duckdb.DuckDBPyConnection | None = None
    reuse_prev: bool = False
    embedder: object | None = None
    info: dict = field(default_factory=dict)
    keyword_key: str | None = None  # the prompt set whose bm25s index the indexes step made

    def open(self) -> None:
        self.con = duck.connect(
            self.building, threads=self.settings.threads, memory_limit=self.settings.memory_limit
        )
        self.con.execute("SET TimeZone = 'UTC'")

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None


def build_warehouse(
    settings: Settings,
    request: BuildRequest,
    *,
    progress: bool = True,
    downloader: Callable | None = None,
) -> BuildSummary:
    """Build the warehouse at ``settings.db_path`` from ``request``; return the summary."""
    request.validate()
    target = Path(settings.db_path).resolve()
    steps = ["ingest", "sessions", "simulate", *request.enrich, "dbt", "indexes", "finalize"]
    _check_writable(target)
    with BuildLock(target) as lock:
        summary = BuildSummary(target, request.source, "", stale_lock=lock.stale)
        summary.leftovers_removed = remove_leftovers(target)
        ctx = _Context(settings, request, summary, _building_path(target), target, progress, downloader)
        return _run(ctx, steps, fresh=True)


def enrich_warehouse(settings: Settings, steps: tuple[str, ...], *, progress: bool = True) -> BuildSummary:
    """Run enrichment steps on a copy of the current warehouse and swap it in when all passed."""
    target = Path(settings.db_path).resolve()
    if not target.exists():
        raise BuildError("prepare", f"no warehouse at {target}; run genai-analyzer build first")
    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse(target) as wh:
        info = wh.build_info()
    request = BuildRequest(source=info["source"], path=Path(info["location"]), enrich=steps)  # as built
    request.validate()
    _check_writable(target)
    with BuildLock(target) as lock:
        summary = BuildSummary(
            target,
            info["source"],
            info["location"],
            ingest=info["ingest"],
            simulated=info["simulated_columns"],
            stale_lock=lock.stale,
        )
        summary.leftovers_removed = remove_leftovers(target)
        summary.enrichment = dict(info.get("enrichment", {}))
        building = _building_path(target)
        try:
            shutil.copyfile(target, building)
        except OSError:
            _remove(building)
            raise
        ctx = _Context(settings, request, summary, building, target, progress, info=info)
        return _run(ctx, [*steps, "dbt", "indexes", "finalize"], fresh=False)


def _run(ctx: _Context, steps: list[str], *, fresh: bool) -> BuildSummary:
    from tqdm.auto import tqdm

    if ctx.settings.warehouse_target == "ducklake":
        steps = [*steps, "publish"]  # into the lake before the local file is swapped in
    bar = tqdm(total=len(steps), desc="build", unit="step", disable=not ctx.progress)
    step = steps[0]
    try:
        ctx.open()
        from genai_analyzer.pipeline.enrich import attach_previous, create_enrich_tables

        create_enrich_tables(ctx.con)  # the dbt models join them, enriched or not
        if fresh and any(s in ENRICH_STEPS for s in steps):
            ctx.reuse_prev = attach_previous(ctx.con, ctx.target)
        for step in steps:
            bar.set_description(f"build: {step}")
            reset_peak()
            started = time.perf_counter()
            STEPS[step](ctx)
            ctx.summary.step_seconds[step] = round(time.perf_counter() - started, 3)
            ctx.summary.step_peak_mb[step] = round(peak_mb(), 1)
            bar.update(1)
        _swap_in(ctx.building, ctx.target)
        if "indexes" in steps:
            from genai_analyzer.pipeline.index_step import prune_beside

            prune_beside(ctx)
        if {"embeddings", "image_embeddings"} & set(steps):
            from genai_analyzer.pipeline.enrich import discard_embedding_cache

            discard_embedding_cache(ctx.target)  # the published warehouse holds those vectors now
        ctx.summary.size_bytes = ctx.target.stat().st_size
        return ctx.summary
    except BuildError:
        raise
    except (AnalyzerError, duckdb.Error, OSError) as exc:
        raise BuildError(step, str(exc)) from exc
    finally:
        bar.close()
        ctx.close()
        _remove(ctx.building)


def step_context(
    settings: Settings, request: BuildRequest, database: Path | str, *, progress: bool = False
) -> _Context:
    """A context for running single steps (``STEPS[name](ctx)``) on ``database``, as the Dagster
    assets do (genai_analyzer/pipeline/orchestration): the same functions as a build, one at a time.
    ``ctx.summary`` collects what the steps report; thumbnails go beside ``settings.db_path``."""
    target = Path(settings.db_path).resolve()
    summary = BuildSummary(target, request.source, "")
    return _Context(settings, request, summary, Path(database), target, progress)


def _check_writable(target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        probe = target.parent / f".write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise BuildError("prepare", f"cannot write the warehouse to {target.parent}: {exc}") from exc


def _prepare_target(target: Path) -> Path:
    """Check the folder is writable; the fresh building file's path (the Dagster assets use it)."""
    _check_writable(target)
    return _building_path(target)


def _building_path(target: Path) -> Path:
    # dbt-duckdb names the catalog after the file stem, so keep a plain ".duckdb" suffix.
    building = target.with_name(f"{target.stem}_building_{os.getpid()}{target.suffix or '.duckdb'}")
    _remove(building)
    return building


def _ingest(ctx: _Context) -> None:
    from genai_analyzer.pipeline.ingest.diffusiondb import fetch_diffusiondb, ingest_diffusiondb
    from genai_analyzer.pipeline.ingest.logs import ingest_logs

    request, settings = ctx.request, ctx.settings
    if request.source == "logs":
        report = ingest_logs(ctx.con, request.path, limit=request.limit, columns=request.columns)
    elif request.source == "hf":
        from genai_analyzer.pipeline.ingest.hf import ingest_hf

        dataset, split, columns = request.dataset or str(request.path), request.split, request.columns
        report = ingest_hf(
            ctx.con, dataset, split=split, columns=columns, limit=request.limit, progress=ctx.progress
        )
    elif request.source == "sample":
        from genai_analyzer.pipeline.sample_store import ensure_sample

        path = ensure_sample(settings, progress=ctx.progress)
        report = ingest_diffusiondb(ctx.con, path, source="sample", limit=request.limit, parts=request.parts)
    else:
        path = request.path
        if path is None:
            parts = request.parts or list(range(1, 1 + max(1, -(-(request.limit or 1000) // 1000))))
            path = fetch_diffusiondb(
                Path(settings.data_dir) / "diffusiondb",
                parts,
                repo=settings.hf_repo,
                variant="large" if request.variant == "large" else "2m",
                images=request.images,
                downloader=ctx.downloader,
                progress=ctx.progress,
            )
        report = ingest_diffusiondb(
            ctx.con, path, limit=request.limit, parts=request.parts, variant=request.variant
        )
    ctx.summary.location, ctx.summary.ingest = report.location, report.as_dict()
    _report_issues(ctx, "ingest", report.issues)


def _report_issues(ctx: _Context, step: str, issues: list[dict]) -> None:
    """Fail the build with the problems under ``--strict``; otherwise log each as a warning."""
    if not issues:
        return
    if ctx.request.strict:
        raise BuildError(step, f"--strict refuses this input: {issues_message(issues)}")
    for issue in issues:
        log.warning("%s: %s", step, issue["message"])


def _sessions(ctx: _Context) -> None:
    from genai_analyzer.pipeline.sessionize import build_sessions
    from genai_analyzer.pipeline.simulate import define_random_macros, fill_missing_timestamps

    define_random_macros(ctx.con, ctx.settings.seed)
    ctx.summary.simulated["created_at"] = fill_missing_timestamps(ctx.con)
    build_sessions(
        ctx.con, gap_minutes=ctx.settings.session_gap_minutes, max_hours=ctx.settings.session_max_hours
    )


def _simulate(ctx: _Context) -> None:
    from genai_analyzer.pipeline.simulate import simulate_telemetry, simulate_users, simulated_columns

    simulate_users(ctx.con)
    simulate_telemetry(ctx.con, nsfw_block_threshold=ctx.settings.nsfw_block_threshold)
    ctx.summary.simulated = simulated_columns(ctx.con, ctx.summary.simulated.get("created_at", 0))


def _get_embedder(ctx: _Context):
    if ctx.embedder is None:
        from genai_analyzer.pipeline.enrich import corpus_embedder

        ctx.embedder = corpus_embedder(ctx.settings, ctx.con, progress=ctx.progress)  # static: model first
    return ctx.embedder


def _embeddings(ctx: _Context) -> None:
    from genai_analyzer.pipeline.enrich import embed_prompts, embedding_cache_dir, stored_dim

    embedder = _get_embedder(ctx)
    counts = embed_prompts(
        ctx.con,
        embedder,
        reuse_prev=ctx.reuse_prev,
        cache_dir=embedding_cache_dir(ctx.target, embedder.model_name),  # resumes an interrupted build
        progress=ctx.progress,
    )
    dim = stored_dim(ctx.con, embedder.model_name) or embedder.dim  # no model load when all was reused
    ctx.summary.enrichment["embeddings"] = {**counts.as_dict(), "model": embedder.model_name, "dim": dim}


def _labels(ctx: _Context) -> None:
    from genai_analyzer.models.labels.factory import make_labeller
    from genai_analyzer.pipeline.enrich import label_prompts

    key, factory = make_labeller(ctx.settings, _get_embedder(ctx))
    counts = label_prompts(
        ctx.con, factory, key, _get_embedder(ctx).model_name, reuse_prev=ctx.reuse_prev, progress=ctx.progress
    )
    ctx.summary.enrichment["labels"] = {**counts.as_dict(), "labeller": key}


def _thumbnails(ctx: _Context) -> None:
    from genai_analyzer.pipeline.enrich import thumbnail_images

    counts = thumbnail_images(
        ctx.con, thumb_dir(ctx.target), size=ctx.settings.thumb_size, progress=ctx.progress
    )
    ctx.summary.enrichment["thumbnails"] = {**counts.as_dict(), "size": ctx.settings.thumb_size}
    # Images are read here, not at ingest: a member with a bad CRC or a truncated one shows now.
    what = {
        "corrupt": ("image_corrupt", "image unreadable (bad CRC, truncated or not an image), no thumbnail"),
        "missing": ("image_file_missing", "image file not found at its path, no thumbnail"),
    }
    issues = [i for i in ctx.summary.ingest.get("issues", []) if i["kind"] not in dict(what.values())]
    found = []
    for status, n, examples in ctx.con.execute(
        "SELECT status, count(*), list(image_path ORDER BY image_path)[1:5] FROM enrich.thumbnails "
        "WHERE status IN ('corrupt', 'missing') GROUP BY status ORDER BY status"
    ).fetchall():
        kind, text = what[status]
        found.append(make_issue(kind, "counted", n, text, [short_image(p) for p in examples], "image"))
        ctx.summary.ingest[f"images_{status}_at_thumbnails"] = n
    ctx.summary.ingest["issues"] = issues + found
    _report_issues(ctx, "thumbnails", found)


def _lazy(module: str, function: str) -> Callable[[_Context], None]:
    """A step whose module is imported only when the step runs."""
    return lambda ctx: getattr(importlib.import_module(module), function)(ctx)


def _dbt(ctx: _Context) -> None:
    from tqdm.auto import tqdm

    from genai_analyzer.pipeline.transform import count_nodes, run_dbt

    enrichment = ctx.summary.enrichment
    variables = {
        "embedding_model": enrichment.get("embeddings", {}).get("model", "none"),
        "embedding_dim": enrichment.get("embeddings", {}).get("dim", 384),
        "labeller_key": enrichment.get("labels", {}).get("labeller", "none"),
        "image_model": enrichment.get("image_embeddings", {}).get("model", "none"),
    }
    from genai_analyzer.warehouse.indexes import drop_search_indexes

    drop_search_indexes(ctx.con)  # dbt-duckdb runs without vss; `enrich` copies carry indexes
    ctx.close()  # dbt opens the file itself
    with tqdm(
        total=count_nodes(), desc="dbt build", unit="node", disable=not ctx.progress, leave=False
    ) as bar:
        report = run_dbt(
            ctx.building,
            work_dir=ctx.target.parent / ".dbt",
            threads=max(1, ctx.settings.threads or 1),
            memory_limit=ctx.settings.memory_limit,  # dbt's own DuckDB connection, as the build's
            variables=variables,
            on_node_done=lambda: bar.update(1),
        )
    ctx.summary.dbt_models, ctx.summary.dbt_tests = report.models, report.tests
    ctx.open()


def _finalize(ctx: _Context) -> None:
    from genai_analyzer import __version__

    summary, settings, request = ctx.summary, ctx.settings, ctx.request
    # dbt's staging views name the building file's catalog, gone once the file is renamed: dropped
    for schema, view in ctx.con.execute(
        "SELECT schema_name, view_name FROM duckdb_views() "
        "WHERE NOT internal AND database_name = current_database()"
    ).fetchall():
        ctx.con.execute(f'DROP VIEW "{schema}"."{view}"')
    for table in MART_TABLES:
        summary.table_rows[table] = ctx.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    info = dict(ctx.info)  # `enrich` keeps what the original build recorded
    info.update(
        {
            "source": summary.source,
            "location": summary.location,
            "synthetic": summary.source == "sample",
            "ingest": summary.ingest,
            "simulated_columns": summary.simulated,
            "enrichment": summary.enrichment,
            "indexes": summary.indexes,
            "vector_index": summary.vector_index,
            "dbt": {"models": summary.dbt_models, "tests": summary.dbt_tests},
            "versions": {"genai_analyzer": __version__, "duckdb": duckdb.__version__},
        }
    )
    if not ctx.info:
        info.update(
            {
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "seed": settings.seed,
                "session_gap_minutes": settings.session_gap_minutes,
                "session_max_hours": settings.session_max_hours,
                "nsfw_block_threshold": settings.nsfw_block_threshold,
                "limit": request.limit,
                "parts": request.parts,
                "step_seconds": summary.step_seconds,
            }
        )
    else:
        info["enriched_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    ctx.con.execute("CREATE OR REPLACE TABLE build_info (key VARCHAR PRIMARY KEY, value JSON)")
    ctx.con.executemany("INSERT INTO build_info VALUES (?, ?)", [(k, json.dumps(v)) for k, v in info.items()])
    ctx.con.execute("DETACH DATABASE IF EXISTS prev")
    ctx.con.execute("CHECKPOINT")
    ctx.close()


def _publish(ctx: _Context) -> None:
    """Copy the finished build's marts and build_info into the DuckLake in one transaction: one new
    snapshot, or none when it fails (docs/ducklake.md)."""
    from genai_analyzer.warehouse.ducklake import LakeTarget, publish

    ctx.summary.lake_snapshot = publish(ctx.building, LakeTarget.from_settings(ctx.settings))


STEPS: dict[str, Callable[[_Context], None]] = {
    "ingest": _ingest,
    "sessions": _sessions,
    "simulate": _simulate,
    "embeddings": _embeddings,
    "labels": _labels,
    "thumbnails": _thumbnails,
    # the image steps and clustering live in their modules, imported when they run
    "nsfw_scores": _lazy("genai_analyzer.pipeline.nsfw_scores", "nsfw_step"),  # docs/images.md
    # a vector and a perceptual hash per thumbnail, near-duplicate groups (docs/images.md)
    "image_embeddings": _lazy("genai_analyzer.pipeline.image_enrich", "image_step"),
    "clusters": _lazy("genai_analyzer.pipeline.projection", "cluster_and_map_step"),  # clusters.md, map.md
    "dbt": _dbt,
    "indexes": _lazy("genai_analyzer.pipeline.index_step", "indexes_step"),  # docs/enrichment.md
    "finalize": _finalize,
    "publish": _publish,
}


def _swap_in(building: Path, target: Path) -> None:
    # A WAL left beside an older warehouse would be replayed onto the new file: drop it first.
    _remove(target.with_name(target.name + ".wal"))
    os.replace(building, target)


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
