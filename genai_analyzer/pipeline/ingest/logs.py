"""A team's own generation logs: Parquet, CSV or JSONL files with a documented column contract.

Required columns: ``user_id``, ``timestamp``, ``prompt``. Optional ones are used as given, and the
simulation fills in only what is absent (see docs/data-sources.md for the contract).

Rows are checked as ``common`` describes (bad values rejected, bad timestamps flagged, both named
in the report); a file of a folder that cannot be read is counted and named, and the other files
are built. Any other column is carried along unused, whatever its name (``filename``, ``rowid``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from genai_analyzer.core.errors import IngestError
from genai_analyzer.pipeline.ingest.common import (
    IngestReport,
    create_raw_table,
    fill_report,
    generation_id_sql,
    require_file,
    sampler_name_sql,
    timestamp_sql,
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
# The column the readers add with each row's file; a name no log uses, so a column of the logs
# called ``filename`` stays the logs' own.
FILE_COLUMN = "__genai_source_file"
READERS = {
    ".parquet": f"read_parquet($files, union_by_name = true, filename = '{FILE_COLUMN}')",
    ".csv": f"read_csv($files, union_by_name = true, filename = '{FILE_COLUMN}', header = true)",
    ".jsonl": (
        f"read_json($files, format = 'newline_delimited', union_by_name = true, filename = '{FILE_COLUMN}')"
    ),
    ".json": f"read_json($files, format = 'auto', union_by_name = true, filename = '{FILE_COLUMN}')",
}
# A column of the logs named like DuckDB's row number would hide it: it is renamed to this.
ROWID_RENAMED = "rowid_in_logs"


def ingest_logs(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    limit: int | None = None,
    columns: dict[str, str] | None = None,
) -> IngestReport:
    """Load log files at ``path`` (one file or a folder of them) into ``raw.generations``.

    ``columns`` maps contract names to the logs' own (``{"prompt": "text"}``), see ``map_columns``.
    """
    path = require_file(Path(path), "Logs path").resolve()
    files = _log_files(path)
    report = IngestReport(source="logs", location=str(path))
    con.execute("SET TimeZone = 'UTC'")  # timestamps without an offset are UTC
    reader = READERS[files[0].suffix.lower()]
    if len(files) > 1:
        files = _readable(con, reader, files, path, report)
    lim = f"LIMIT {int(limit)}" if limit is not None else ""
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE logs AS SELECT * FROM {reader} {lim}",
            {"files": [str(f) for f in files]},
        )
    except duckdb.Error as exc:
        raise IngestError(f"Cannot read the logs at {path}: {exc}") from exc
    return land_logs(con, report, f"The logs at {path}", columns=columns)


def land_logs(
    con: duckdb.DuckDBPyConnection,
    report: IngestReport,
    what: str,
    *,
    required: tuple[str, ...] = REQUIRED,
    columns: dict[str, str] | None = None,
) -> IngestReport:
    """Land the temp table ``logs`` (the rows as read, FILE_COLUMN naming each row's file) in
    ``raw.generations`` through the column contract; ``what`` names the input in errors.

    A contract column outside ``required`` that is absent is NULL, and simulated later as for any
    source that lacks it (no user: each row is a session of the ``unknown`` user; no timestamp:
    one is simulated, docs/simulation.md)."""
    if columns:
        map_columns(con, columns, what)
    names = _normalise_columns(con)
    missing = [c for c in required if c not in names]
    if missing:
        raise IngestError(
            f"{what} lack the required column(s) {', '.join(missing)}; "
            f"found: {', '.join(sorted(names - {FILE_COLUMN})) or 'none'}. "
            "Name yours with --columns, e.g. prompt=text,user_id=author; see docs/data-sources.md."
        )
    report.provided_columns = _provided(names)
    create_raw_table(con, _select_sql(con, names, report.source), report)
    return fill_report(con, report)


def parse_columns(text: str | None) -> dict[str, str]:
    """'prompt=text,user_id=author' -> {'prompt': 'text', 'user_id': 'author'} (contract name ->
    the input's own column name); None or '' -> {}."""
    mapping: dict[str, str] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        target, sep, column = (part.strip() for part in pair.partition("="))
        if not sep or not target or not column:
            raise IngestError(
                f"--columns {text!r}: use contract=column pairs, e.g. prompt=text,user_id=author"
            )
        mapping[target] = column
    return mapping


def map_columns(con: duckdb.DuckDBPyConnection, columns: dict[str, str], what: str) -> None:
    """Rename the input's columns to contract names in the temp table ``logs``: ``columns`` maps a
    contract name to the input's column. An input column already called by a mapped contract name
    is left out (the mapping wins); an unknown name on either side is an error naming the choices."""
    contract = set(REQUIRED) | set(OPTIONAL) | set(ALIASES)
    unknown = sorted(set(columns) - contract)
    if unknown:
        raise IngestError(
            f"--columns names {', '.join(unknown)}, not in the column contract; "
            f"use {', '.join(sorted(contract))} (docs/data-sources.md)."
        )
    present = {name.lower(): name for name, _ in _describe(con) if name != FILE_COLUMN}
    absent = sorted(c for c in columns.values() if c.lower() not in present)
    if absent:
        raise IngestError(
            f"--columns: {what} have no column {', '.join(absent)}; "
            f"found: {', '.join(sorted(present.values())) or 'none'}."
        )
    renamed = {present[c.lower()]: target for target, c in columns.items()}
    superseded = {present[t.lower()] for t in columns if t.lower() in present} - set(renamed)
    select = ", ".join(
        f'"{name}" AS "{renamed.get(name, name)}"' for name, _ in _describe(con) if name not in superseded
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE logs AS SELECT {select} FROM logs")


def _readable(con, reader: str, files: list[Path], path: Path, report: IngestReport) -> list[Path]:
    """The files of a folder that can be read; the others are counted and named in ``report``."""
    readable, unreadable = [], []
    for file in files:
        try:
            con.execute(f"SELECT * FROM {reader} LIMIT 0", {"files": [str(file)]}).fetchall()
            readable.append(file)
        except duckdb.Error as exc:
            unreadable.append(f"{file.relative_to(path)}: {str(exc).splitlines()[0]}")
    if not readable:
        raise IngestError(f"Cannot read any of the logs at {path}: {'; '.join(unreadable[:5])}")
    if unreadable:
        report.add_issue(
            "file_unreadable", "counted", len(unreadable), "log file unreadable, left out", unreadable, "file"
        )
    return readable


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
        if target == "rowid":
            target = ROWID_RENAMED
        if target != name:
            if target in {n for n, _ in _describe(con)}:
                continue  # the canonical column is there too: keep it, ignore the alias
            con.execute(f'ALTER TABLE logs RENAME COLUMN "{name}" TO {target}')
    return {n for n, _ in _describe(con)}


def _describe(con) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute("DESCRIBE logs").fetchall()]


def _provided(columns: set[str]) -> list[str]:
    given = (("user_id", "user_name"), ("timestamp", "created_at"), ("prompt", "prompt"))
    provided = [target for name, target in given if name in columns]
    for name, target in OPTIONAL.items():
        if name in columns and target:
            provided.append(target)
    if "parameters" in columns:
        provided += [k for k in PARAMETER_KEYS if k not in provided]
    return provided


def _select_sql(con, columns: set[str], source: str = "logs") -> str:
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

    file = f"m.{FILE_COLUMN}"
    key, source_key = f"{file} || ':' || m.rowid", f"parse_filename({file})"
    if "generation_id" in columns:
        key = f"coalesce(CAST(m.generation_id AS VARCHAR), {key})"
        source_key = f"coalesce(CAST(m.generation_id AS VARCHAR), {source_key})"
    image_path = "NULL"
    if "image_path" in columns:
        # Relative image paths are relative to the log file that names them.
        image_path = (
            "CASE WHEN m.image_path IS NULL THEN NULL "
            "WHEN starts_with(m.image_path, '/') THEN m.image_path "
            f"ELSE parse_dirpath({file}) || '/' || m.image_path END"
        )
    sampler = value("sampler")
    created_at = "NULL"
    if "timestamp" in columns:
        created_at = timestamp_sql("m.timestamp", types["timestamp"])
    return f"""
        SELECT '{source}' AS source,
               m.rowid AS source_row,
               {generation_id_sql(source, key)} AS generation_id,
               {source_key} AS source_key,
               NULL AS image_name, NULL AS part_id,
               coalesce(CAST(m.prompt AS VARCHAR), '') AS prompt,
               {value("seed")} AS seed,
               {value("step")} AS step,
               {value("cfg")} AS cfg,
               {sampler_name_sql(sampler) if sampler != "NULL" else "NULL"} AS sampler,
               {value("width")} AS width,
               {value("height")} AS height,
               CAST({opt("user_id")} AS VARCHAR) AS user_name,
               {created_at} AS created_at,
               CAST({opt("timestamp")} AS VARCHAR) AS created_at_raw,
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
