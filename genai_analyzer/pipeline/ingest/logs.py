"""A team's own generation logs: Parquet, CSV or JSONL files with a documented column contract.

Required columns: ``user_id``, ``timestamp``, ``prompt``. Optional ones are used as given, and the
simulation fills in only what is absent (see docs/data-sources.md for the contract).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from genai_analyzer.core.errors import IngestError
from genai_analyzer.pipeline.ingest.common import (
    STATUSES,
    IngestReport,
    create_raw_table,
    fill_report,
    generation_id_sql,
    require_file,
    sampler_name_sql,
)

REQUIRED = ("user_id", "timestamp", "prompt")
# contract column -> raw.generations column (telemetry goes to the src_* columns)
OPTIONAL = {
    "generation_id": None,
    "status": "src_status",
    "error_code": "src_error_code",
    "queue_ms": "src_queue_ms",
    "latency_ms": "src_latency_ms",
    "gpu_seconds": "src_gpu_seconds",
    "cost_usd": "src_cost_usd",
    "revenue_usd": "src_revenue_usd",
    "tier": "src_tier",
    "image_path": "image_path",
    "model": "model",
    "seed": "seed",
    "step": "step",
    "cfg": "cfg",
    "sampler": "sampler",
    "width": "width",
    "height": "height",
    "image_nsfw": "image_nsfw",
    "prompt_nsfw": "prompt_nsfw",
    "parameters": None,
}
# Other spellings teams use for the same thing.
ALIASES = {"steps": "step", "guidance_scale": "cfg", "nsfw_score": "image_nsfw", "user": "user_id"}
PARAMETER_KEYS = {
    "seed": ("seed",),
    "step": ("step", "steps"),
    "cfg": ("cfg", "guidance_scale"),
    "sampler": ("sampler",),
    "width": ("width",),
    "height": ("height",),
}
READERS = {
    ".parquet": "read_parquet($files, union_by_name = true, filename = true)",
    ".csv": "read_csv($files, union_by_name = true, filename = true, header = true)",
    ".jsonl": "read_json($files, format = 'newline_delimited', union_by_name = true, filename = true)",
    ".json": "read_json($files, format = 'auto', union_by_name = true, filename = true)",
}


def ingest_logs(con: duckdb.DuckDBPyConnection, path: Path, *, limit: int | None = None) -> IngestReport:
    """Load log files at ``path`` (one file or a folder of them) into ``raw.generations``."""
    path = require_file(Path(path), "Logs path").resolve()
    files = _log_files(path)
    report = IngestReport(source="logs", location=str(path))
    suffix = files[0].suffix.lower()
    lim = f"LIMIT {int(limit)}" if limit is not None else ""
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE logs AS SELECT * FROM {READERS[suffix]} {lim}",
            {"files": [str(f) for f in files]},
        )
    except duckdb.Error as exc:
        raise IngestError(f"Cannot read the logs at {path}: {exc}") from exc

    columns = _normalise_columns(con)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise IngestError(
            f"The logs at {path} lack the required column(s) {', '.join(missing)}; "
            f"found: {', '.join(sorted(columns)) or 'none'}. See docs/data-sources.md."
        )
    _check_values(con, columns)
    report.provided_columns = _provided(columns)
    create_raw_table(con, _select_sql(con, columns))
    return fill_report(con, report)


def _log_files(path: Path) -> list[Path]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix.lower() in READERS)
    if not files:
        raise IngestError(f"No .parquet, .csv, .jsonl or .json files under {path}.")
    suffixes = {f.suffix.lower() for f in files}
    if len(suffixes) > 1 or not suffixes <= set(READERS):
        raise IngestError(
            f"Log files must all be one of {', '.join(READERS)}; found {', '.join(sorted(suffixes))}."
        )
    return files


def _normalise_columns(con) -> set[str]:
    """Lower-case the column names and apply ALIASES; return the resulting names."""
    for name, _ in _describe(con):
        target = ALIASES.get(name.lower(), name.lower())
        if target != name:
            if target in {n for n, _ in _describe(con)}:
                continue  # the canonical column is there too: keep it, ignore the alias
            con.execute(f'ALTER TABLE logs RENAME COLUMN "{name}" TO {target}')
    return {n for n, _ in _describe(con)}


def _describe(con) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute("DESCRIBE logs").fetchall()]


def _check_values(con, columns: set[str]) -> None:
    bad_ts = con.execute(
        "SELECT count(*) FROM logs WHERE timestamp IS NULL "
        "OR TRY_CAST(CAST(timestamp AS VARCHAR) AS TIMESTAMPTZ) IS NULL"
    ).fetchone()[0]
    if bad_ts:
        raise IngestError(f"{bad_ts} log row(s) have a missing or unreadable timestamp (use ISO 8601).")
    if "status" in columns:
        bad = con.execute(
            "SELECT lower(trim(status)) AS s, count(*) FROM logs "
            "WHERE status IS NOT NULL AND lower(trim(status)) NOT IN (SELECT unnest($ok)) "
            "GROUP BY s ORDER BY 2 DESC LIMIT 5",
            {"ok": list(STATUSES)},
        ).fetchall()
        if bad:
            shown = ", ".join(f"{s!r} ({n} rows)" for s, n in bad)
            raise IngestError(f"Unknown status value(s) {shown}; allowed: {', '.join(STATUSES)}.")
    if "tier" in columns:
        bad = con.execute(
            "SELECT DISTINCT lower(trim(tier)) FROM logs WHERE tier IS NOT NULL "
            "AND lower(trim(tier)) NOT IN ('free', 'pro', 'enterprise') LIMIT 5"
        ).fetchall()
        if bad:
            shown = ", ".join(repr(r[0]) for r in bad)
            raise IngestError(f"Unknown tier value(s) {shown}; allowed: free, pro, enterprise.")
    if "generation_id" in columns:
        dupes = con.execute(
            "SELECT count(*) - count(DISTINCT generation_id) FROM logs WHERE generation_id IS NOT NULL"
        ).fetchone()[0]
        if dupes:
            raise IngestError(f"generation_id must be unique; {dupes} duplicate(s) found.")


def _provided(columns: set[str]) -> list[str]:
    provided = ["user_name", "created_at", "prompt"]
    for name, target in OPTIONAL.items():
        if name in columns and target:
            provided.append(target)
    if "parameters" in columns:
        provided += [k for k in PARAMETER_KEYS if k not in provided]
    return provided


def _select_sql(con, columns: set[str]) -> str:
    types = dict(_describe(con))
    params = None
    if "parameters" in columns:
        params = "m.parameters" if types["parameters"] == "JSON" else "to_json(m.parameters)"
        if types["parameters"] == "VARCHAR":
            params = "TRY_CAST(m.parameters AS JSON)"

    def value(name: str) -> str:
        direct = f"m.{name}" if name in columns else "NULL"
        if params is None or name not in PARAMETER_KEYS:
            return direct
        from_params = ", ".join(f"json_extract_string({params}, '$.{k}')" for k in PARAMETER_KEYS[name])
        return f"coalesce(CAST({direct} AS VARCHAR), {from_params})"

    def opt(name: str) -> str:
        return f"m.{name}" if name in columns else "NULL"

    key = (
        "coalesce(CAST(m.generation_id AS VARCHAR), m.filename || ':' || m.rowid)"
        if "generation_id" in columns
        else "m.filename || ':' || m.rowid"
    )
    image_path = "NULL"
    if "image_path" in columns:
        # Relative image paths are relative to the log file that names them.
        image_path = (
            "CASE WHEN m.image_path IS NULL THEN NULL "
            "WHEN starts_with(m.image_path, '/') THEN m.image_path "
            "ELSE parse_dirpath(m.filename) || '/' || m.image_path END"
        )
    sampler = value("sampler")
    return f"""
        SELECT 'logs' AS source,
               m.rowid AS source_row,
               {generation_id_sql("logs", key)} AS generation_id,
               NULL AS image_name, NULL AS part_id,
               coalesce(CAST(m.prompt AS VARCHAR), '') AS prompt,
               TRY_CAST({value("seed")} AS BIGINT) AS seed,
               TRY_CAST({value("step")} AS INTEGER) AS step,
               TRY_CAST({value("cfg")} AS DOUBLE) AS cfg,
               {sampler_name_sql(sampler) if sampler != "NULL" else "NULL"} AS sampler,
               TRY_CAST({value("width")} AS INTEGER) AS width,
               TRY_CAST({value("height")} AS INTEGER) AS height,
               CAST(m.user_id AS VARCHAR) AS user_name,
               CAST(CAST(m.timestamp AS VARCHAR) AS TIMESTAMPTZ) AS created_at,
               {opt("image_nsfw")} AS image_nsfw,
               {opt("prompt_nsfw")} AS prompt_nsfw,
               {image_path} AS image_path,
               {opt("model")} AS model,
               lower(trim({opt("tier")})) AS src_tier,
               lower(trim({opt("status")})) AS src_status,
               {opt("error_code")} AS src_error_code,
               {opt("queue_ms")} AS src_queue_ms,
               {opt("latency_ms")} AS src_latency_ms,
               {opt("gpu_seconds")} AS src_gpu_seconds,
               {opt("cost_usd")} AS src_cost_usd,
               {opt("revenue_usd")} AS src_revenue_usd
        FROM logs m
        ORDER BY m.rowid
    """
