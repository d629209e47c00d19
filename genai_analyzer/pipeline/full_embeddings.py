"""The full-quality tier in the background: MiniLM's vectors for a warehouse built with the static
tier (GENAI_EMBEDDING_BACKEND=static), most-used prompts first, then published in one swap.

Two phases, neither of which writes the warehouse the app is reading:

1. **Embed**: the prompts come from the warehouse, opened read-only for a moment, ordered by
   their number of generations (most used first). Each batch of vectors is written as one Parquet
   file into ``<warehouse>_embedding_cache/<model key>/`` (renamed into place when complete), so a
   job that is killed or stopped loses at most the batch in progress and the next run resumes with
   the prompts no batch holds. ``full_tier_job.json`` beside them records the model, the total and
   the rate measured over this run, for the progress and ETA that ``status``, the Overview and the
   API report (``analysis/embedding_job.py``).
2. **Publish**, once every prompt has a vector: ``enrich_warehouse`` copies the warehouse, takes
   the vectors from the batch files, runs dbt and rebuilds the indexes on the copy, and swaps the
   copy in; the batch files are then deleted. An app reading the old file keeps it until it
   re-opens (``Warehouse.reopen_if_replaced``).

A warehouse is therefore always wholly static or wholly full: one query never mixes the two
spaces, and its HNSW index is built over one model's vectors.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from genai_analyzer.core import job_lock
from genai_analyzer.core.contract import full_tier_job_path, full_tier_lock_path
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.core.settings import Settings

log = logging.getLogger(__name__)

JOB_BATCH = 512  # prompts per batch file: about 4 s of MiniLM here, so a kill loses little

# The prompts to embed, most used first; ties in prompt id order so every run agrees.
TODO_SQL = """
    SELECT prompt_id, coalesce(prompt, '') AS prompt, n_generations FROM dim_prompts
    ORDER BY n_generations DESC, prompt_id
"""


class JobAlreadyRunning(AnalyzerError):
    """Another process or thread is running the full-tier job of this warehouse."""


@dataclass
class FullTierReport:
    """What one run of the job did. ``state``: ``published`` (the warehouse now has the full
    tier), ``stopped`` (asked to stop; the next run resumes), ``full`` (it already had it) or
    ``no_embeddings`` (it has no prompt vectors to upgrade)."""

    state: str
    model: str = ""
    from_model: str = ""
    total: int = 0
    cached_before: int = 0  # prompts whose vectors earlier, interrupted runs left
    embedded: int = 0  # prompts embedded by this run
    seconds: float = 0.0  # embedding time of this run
    enrichment: dict = field(default_factory=dict)  # the publishing enrich run's counts

    @property
    def rate(self) -> float | None:
        return self.embedded / self.seconds if self.seconds > 0 and self.embedded else None

    def as_dict(self) -> dict:
        return {**asdict(self), "rate": self.rate}


def full_tier_settings(settings: Settings) -> Settings:
    """The settings with a full-quality backend: the configured one, or ``onnx`` instead of static."""
    if settings.embedding_backend == "static":
        return replace(settings, embedding_backend="onnx")
    return settings


def stored_model(target: Path) -> str:
    """The model key the warehouse's prompt vectors were made with ('' when it has none)."""
    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse(target, extensions=()) as wh:
        return wh.build_info().get("enrichment", {}).get("embeddings", {}).get("model") or ""


def needs_full_tier(settings: Settings) -> bool:
    """Whether the warehouse at ``settings.db_path`` holds static vectors awaiting the full tier."""
    from genai_analyzer.models.embeddings import embedding_tier

    target = Path(settings.db_path)
    if not target.exists():
        return False
    model = stored_model(target)
    return bool(model) and embedding_tier(model) == "static"


def run_full_tier(
    settings: Settings,
    *,
    batch_size: int = JOB_BATCH,
    stop: threading.Event | None = None,
    publish: bool = True,
    threads: int | None = None,
    progress: bool = False,
) -> FullTierReport:
    """Embed the warehouse's prompts with the full-quality model, most used first, resuming what
    earlier runs left; then (``publish``) swap in a warehouse that holds only those vectors.

    ``stop`` ends the run between two batches (state ``stopped``); ``threads``: cores the model
    may use (the app's worker leaves one to the app). JobAlreadyRunning when another run holds the
    job's lock."""
    from genai_analyzer.models.embeddings import embedder_from_settings, embedding_tier
    from genai_analyzer.pipeline.enrich import embedding_cache_dir

    target = Path(settings.db_path).resolve()
    current = stored_model(target)
    if not current:
        return FullTierReport("no_embeddings")
    if embedding_tier(current) == "full":
        return FullTierReport("full", model=current)
    full = full_tier_settings(settings)
    embedder = embedder_from_settings(full)
    embedder.threads = threads
    try:
        with job_lock.hold(full_tier_lock_path(target)):
            cache = embedding_cache_dir(target, embedder.model_name)
            report = _embed(target, embedder, cache, current, batch_size, stop, progress)
            if report.state == "stopped" or not publish:
                return report
            from genai_analyzer.pipeline.build import enrich_warehouse

            _write_record(target, report, "publishing", cache)
            try:
                summary = enrich_warehouse(full, ("embeddings",), progress=progress)
            except Exception as exc:
                _write_record(target, report, "failed", cache, error=str(exc))
                raise
            report.state, report.enrichment = "published", summary.enrichment.get("embeddings", {})
            return report
    except job_lock.JobRunning:
        raise JobAlreadyRunning(
            f"The full-quality embedding job of {target} is already running (in the app or another "
            "genai-analyzer enrich); genai-analyzer status shows its progress."
        ) from None


def _embed(target, embedder, cache: Path, current: str, batch_size: int, stop, progress) -> FullTierReport:
    from tqdm.auto import tqdm

    from genai_analyzer.pipeline.enrich import vector_table, write_cached
    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse(target, extensions=()) as wh:
        todo = wh.query(TODO_SQL)
    con = duckdb.connect()  # in memory: reads and writes the batch files, never the warehouse
    try:
        cached = cached_prompt_ids(con, cache)
        report = FullTierReport(
            "embedding",
            model=embedder.model_name,
            from_model=current,
            total=len(todo),
            cached_before=int(todo["prompt_id"].isin(cached).sum()),
        )
        todo = todo[~todo["prompt_id"].isin(cached)]
        _write_record(target, report, "embedding", cache)
        if len(todo):
            embedder.embed(["warm-up"])  # load the model first: the rate (and ETA) is of embedding alone
        started = time.perf_counter()
        with tqdm(
            total=report.total,
            initial=report.cached_before,
            desc="full-quality embeddings",
            unit="prompt",
            disable=not progress,
        ) as bar:
            for start in range(0, len(todo), batch_size):
                if stop is not None and stop.is_set():
                    report.state = "stopped"
                    break
                chunk = todo.iloc[start : start + batch_size]
                vectors = embedder.embed(chunk["prompt"].tolist())
                write_cached(con, vector_table(chunk["prompt_id"].tolist(), vectors), cache)
                report.embedded += len(chunk)
                report.seconds = round(time.perf_counter() - started, 3)
                _write_record(target, report, "embedding", cache)
                bar.update(len(chunk))
        if report.state == "stopped":
            _write_record(target, report, "stopped", cache)
        return report
    finally:
        con.close()


def cached_prompt_ids(con: duckdb.DuckDBPyConnection, cache: Path) -> set[str]:
    """Prompt ids whose vectors are in the finished batch files of ``cache`` (an unreadable file
    counts as not done: its prompts are embedded again)."""
    ids: set[str] = set()
    for file in sorted(cache.glob("*.parquet")) if cache.is_dir() else []:
        with contextlib.suppress(duckdb.Error):
            rows = con.execute("SELECT prompt_id FROM read_parquet($f)", {"f": str(file)}).fetchall()
            ids.update(r[0] for r in rows)
    return ids


def _write_record(target: Path, report: FullTierReport, state: str, cache: Path, *, error: str = "") -> None:
    """The job's record, written whole under a temporary name and renamed (a reader never sees
    half of it)."""
    path = full_tier_job_path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "state": state,
        "model": report.model,
        "from_model": report.from_model,
        "cache_dir": str(cache),
        "total": report.total,
        "cached_before": report.cached_before,
        "embedded_this_run": report.embedded,
        "seconds_this_run": report.seconds,
        "rate": report.rate,
        "pid": os.getpid(),
        "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "error": error,
    }
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    partial.write_text(json.dumps(record, indent=2))
    os.replace(partial, path)
