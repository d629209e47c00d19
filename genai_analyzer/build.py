"""``genai-analyzer build``: ingest, sessions, simulation and the dbt models, into a new file.

The build writes ``<warehouse stem>_building_<pid>.duckdb`` and moves it over the warehouse only when every
step and every dbt data test passed. A failed or interrupted build deletes its own file and leaves
the previous warehouse untouched.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from genai_analyzer import duck
from genai_analyzer.errors import AnalyzerError, BuildError
from genai_analyzer.ingest.common import IngestReport
from genai_analyzer.settings import Settings

SOURCES = ("sample", "diffusiondb", "logs")
TABLES = ("fact_generations", "dim_users", "dim_sessions", "dim_prompts", "dim_date")


@dataclass
class BuildSummary:
    """What a finished build produced."""

    db_path: Path
    source: str
    location: str
    step_seconds: dict[str, float] = field(default_factory=dict)
    table_rows: dict[str, int] = field(default_factory=dict)
    ingest: dict = field(default_factory=dict)
    simulated: dict[str, int] = field(default_factory=dict)
    dbt_models: int = 0
    dbt_tests: int = 0
    size_bytes: int = 0


@dataclass
class BuildRequest:
    """What to build from: the source kind and where it is."""

    source: str = "sample"
    path: Path | None = None
    limit: int | None = None
    parts: list[int] | None = None
    variant: str = "auto"
    images: bool = True

    def validate(self) -> None:
        if self.source not in SOURCES:
            raise BuildError("prepare", f"unknown source {self.source!r}; use one of {', '.join(SOURCES)}")
        if self.source == "logs" and self.path is None:
            raise BuildError("prepare", "--source logs needs --path to a log file or folder")
        if self.limit is not None and self.limit <= 0:
            raise BuildError("prepare", "--limit must be a positive number of rows")


def build_warehouse(
    settings: Settings,
    request: BuildRequest,
    *,
    progress: bool = True,
    downloader: Callable | None = None,
) -> BuildSummary:
    """Build the warehouse at ``settings.db_path`` from ``request``; return the summary."""
    from tqdm.auto import tqdm

    request.validate()
    target = Path(settings.db_path).resolve()
    building = _prepare_target(target)
    summary = BuildSummary(db_path=target, source=request.source, location="")
    steps = ["ingest", "sessions", "simulate", "dbt", "finalize"]
    bar = tqdm(total=len(steps), desc="build", unit="step", disable=not progress)
    step = "ingest"
    con = None
    try:
        con = duck.connect(
            building, threads=settings.threads, memory_limit=settings.memory_limit, extensions=()
        )
        con.execute("SET TimeZone = 'UTC'")
        for step in steps:
            bar.set_description(f"build: {step}")
            started = time.perf_counter()
            if step == "ingest":
                report = _ingest(con, settings, request, progress=progress, downloader=downloader)
                summary.location, summary.ingest = report.location, report.as_dict()
            elif step == "sessions":
                _sessions(con, settings, summary)
            elif step == "simulate":
                _simulate(con, settings, summary)
            elif step == "dbt":
                con.close()
                con = None
                _dbt(building, target, settings, summary, progress=progress)
                con = duck.connect(building, threads=settings.threads, extensions=())
            else:
                _finalize(con, settings, request, summary)
                con.close()
                con = None
            summary.step_seconds[step] = round(time.perf_counter() - started, 3)
            bar.update(1)
        _swap_in(building, target)
        summary.size_bytes = target.stat().st_size
        return summary
    except BuildError:
        raise
    except (AnalyzerError, duckdb.Error, OSError) as exc:
        raise BuildError(step, str(exc)) from exc
    finally:
        bar.close()
        if con is not None:
            con.close()
        _remove(building)


def _prepare_target(target: Path) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        probe = target.parent / f".write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise BuildError("prepare", f"cannot write the warehouse to {target.parent}: {exc}") from exc
    # dbt-duckdb names the catalog after the file stem, so keep a plain ".duckdb" suffix.
    building = target.with_name(f"{target.stem}_building_{os.getpid()}{target.suffix or '.duckdb'}")
    _remove(building)
    return building


def _ingest(con, settings: Settings, request: BuildRequest, *, progress: bool, downloader) -> IngestReport:
    from genai_analyzer.ingest.diffusiondb import fetch_diffusiondb, ingest_diffusiondb
    from genai_analyzer.ingest.logs import ingest_logs

    if request.source == "logs":
        return ingest_logs(con, request.path, limit=request.limit)
    if request.source == "sample":
        from genai_analyzer.sample_store import ensure_sample

        path = ensure_sample(settings, progress=progress)
        return ingest_diffusiondb(con, path, source="sample", limit=request.limit)
    path = request.path
    if path is None:
        parts = request.parts or list(range(1, 1 + max(1, -(-(request.limit or 1000) // 1000))))
        variant = "large" if request.variant == "large" else "2m"
        path = fetch_diffusiondb(
            Path(settings.data_dir) / "diffusiondb",
            parts,
            repo=settings.hf_repo,
            variant=variant,
            images=request.images,
            downloader=downloader,
            progress=progress,
        )
    return ingest_diffusiondb(con, path, limit=request.limit, parts=request.parts, variant=request.variant)


def _sessions(con, settings: Settings, summary: BuildSummary) -> None:
    from genai_analyzer.sessions import build_sessions
    from genai_analyzer.simulate import define_random_macros, fill_missing_timestamps

    define_random_macros(con, settings.seed)
    summary.simulated["created_at"] = fill_missing_timestamps(con)
    build_sessions(con, gap_minutes=settings.session_gap_minutes, max_hours=settings.session_max_hours)


def _simulate(con, settings: Settings, summary: BuildSummary) -> None:
    from genai_analyzer.simulate import simulate_telemetry, simulate_users, simulated_columns

    simulate_users(con)
    simulate_telemetry(con, nsfw_block_threshold=settings.nsfw_block_threshold)
    summary.simulated = simulated_columns(con, summary.simulated.get("created_at", 0))


def _dbt(building: Path, target: Path, settings: Settings, summary: BuildSummary, *, progress: bool) -> None:
    from tqdm.auto import tqdm

    from genai_analyzer.transform import count_nodes, run_dbt

    with tqdm(total=count_nodes(), desc="dbt build", unit="node", disable=not progress, leave=False) as bar:
        report = run_dbt(
            building,
            work_dir=target.parent / ".dbt",
            threads=max(1, settings.threads or 1),
            on_node_done=lambda: bar.update(1),
        )
    summary.dbt_models, summary.dbt_tests = report.models, report.tests


def _finalize(con, settings: Settings, request: BuildRequest, summary: BuildSummary) -> None:
    import duckdb as _duckdb

    from genai_analyzer import __version__

    for table in TABLES:
        summary.table_rows[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    info = {
        "source": summary.source,
        "location": summary.location,
        "synthetic": summary.source == "sample",
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": settings.seed,
        "session_gap_minutes": settings.session_gap_minutes,
        "session_max_hours": settings.session_max_hours,
        "nsfw_block_threshold": settings.nsfw_block_threshold,
        "limit": request.limit,
        "parts": request.parts,
        "ingest": summary.ingest,
        "simulated_columns": summary.simulated,
        "step_seconds": summary.step_seconds,
        "dbt": {"models": summary.dbt_models, "tests": summary.dbt_tests},
        "versions": {"genai_analyzer": __version__, "duckdb": _duckdb.__version__},
    }
    con.execute("CREATE OR REPLACE TABLE build_info (key VARCHAR PRIMARY KEY, value JSON)")
    con.executemany("INSERT INTO build_info VALUES (?, ?)", [(k, json.dumps(v)) for k, v in info.items()])
    con.execute("CHECKPOINT")


def _swap_in(building: Path, target: Path) -> None:
    # A WAL left beside an older warehouse would be replayed onto the new file: drop it first.
    _remove(target.with_name(target.name + ".wal"))
    os.replace(building, target)


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
