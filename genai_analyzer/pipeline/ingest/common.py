"""The contract every source lands in: one ``raw.generations`` table.

All three sources (DiffusionDB, the embedded sample, a team's logs) produce the same columns, so
sessions, simulation and the dbt models never ask where a row came from. ``src_*`` columns hold
telemetry the source itself provided; the simulation fills only what is missing there.

Every row is checked on the way in, by one rule (docs/reliability.md):

- **rejected**: a value the generator cannot have produced (a width, height, step or cfg outside
  ``LIMITS``, NaN or infinity, text where a number is due, a fraction where a whole number is due,
  a status or tier outside the contract) or a second row with the same key (image name or
  generation id). The row does not reach ``raw.generations``; it is kept as read in
  ``raw.rejected_generations`` with its reasons.
- **flagged**: a timestamp that is missing or does not parse. The row is kept and gets a simulated
  timestamp, as rows of a source without timestamps do.
- **counted**: what is wrong outside the row's values: images not found, unreadable archives or
  archive members, unreadable log files. The row is kept without its image.

Nothing is altered silently: every rejected or flagged row is a line in ``raw.ingest_issues``, and
each kind of problem is one entry in ``IngestReport.issues`` with its count and first few
examples. ``--strict`` turns any entry into a failed build with the same message.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from genai_analyzer.core.errors import IngestError

# name -> DuckDB type; the order is the table's column order.
RAW_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",
    "source_row": "BIGINT",
    "generation_id": "VARCHAR",
    "image_name": "VARCHAR",
    "part_id": "INTEGER",
    "prompt": "VARCHAR",
    "prompt_id": "VARCHAR",
    "seed": "BIGINT",
    "step": "INTEGER",
    "cfg": "DOUBLE",
    "sampler": "VARCHAR",
    "width": "INTEGER",
    "height": "INTEGER",
    "user_name": "VARCHAR",
    "created_at": "TIMESTAMPTZ",
    "image_nsfw": "DOUBLE",
    "prompt_nsfw": "DOUBLE",
    "image_path": "VARCHAR",
    "model": "VARCHAR",
    "src_tier": "VARCHAR",
    "src_status": "VARCHAR",
    "src_error_code": "VARCHAR",
    "src_queue_ms": "DOUBLE",
    "src_latency_ms": "DOUBLE",
    "src_gpu_seconds": "DOUBLE",
    "src_cost_usd": "DOUBLE",
    "src_revenue_usd": "DOUBLE",
}

# DiffusionDB stores the sampler as an integer code in metadata.parquet.
SAMPLER_CODES = {
    1: "ddim",
    2: "plms",
    3: "k_euler",
    4: "k_euler_ancestral",
    5: "k_heun",
    6: "k_dpm_2",
    7: "k_dpm_2_ancestral",
    8: "k_lms",
    9: "others",
}

STATUSES = ("success", "error", "timeout", "nsfw_blocked")
TIERS = ("free", "pro", "enterprise")

# The widest values a text-to-image generator accepts (inclusive). DiffusionDB's real outliers
# (cfg -25 to 52, up to 150 steps, 1,600 px) lie well inside: unusual is not invalid, and the
# simulation already gives a cfg outside 1-30 a higher error rate.
LIMITS: dict[str, tuple[int, int]] = {
    "width": (1, 16384),
    "height": (1, 16384),
    "step": (1, 1000),
    "cfg": (-100, 100),
}
EXAMPLES = 5  # rows (or files) named per kind of problem
_INT_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"} | {
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}
_FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL"}
# What each action does to the row, as the report says it.
_CONSEQUENCE = {
    "rejected": "rejected (kept in raw.rejected_generations)",
    "flagged": "kept with a simulated timestamp",
    "counted": "counted",
}


@dataclass
class IngestReport:
    """What an ingest step read, and what it had to leave out or could not find."""

    source: str
    location: str
    rows: int = 0
    rows_without_user: int = 0
    deleted_accounts: int = 0
    empty_prompts: int = 0
    images_found: int = 0
    images_missing: int = 0
    provided_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0  # rows read from the source: rows + rows_rejected
    rows_rejected: int = 0  # kept in raw.rejected_generations with their reasons
    timestamps_simulated: int = 0  # flagged rows: timestamp missing or unparseable
    image_files: int = 0  # image files found under the source
    issues: list[dict] = field(default_factory=list)  # one entry per kind of problem

    def as_dict(self) -> dict:
        return asdict(self)

    def add_issue(
        self, kind: str, action: str, count: int, what: str, examples: list[str], unit: str = "row"
    ) -> None:
        self.issues.append(make_issue(kind, action, count, what, examples, unit))


def make_issue(kind: str, action: str, count: int, what: str, examples: list[str], unit: str = "row") -> dict:
    """One kind of problem in a build report: ``count`` of ``unit`` rejected, flagged or counted.

    Its ``message`` is what the build report, ``genai-analyzer status`` and ``--strict`` show.
    """
    noun = unit if count == 1 else f"{unit}s"
    message = f"{what}: {count:,} {noun} {_CONSEQUENCE.get(action, action)}"
    if examples:
        message += f" (e.g. {'; '.join(examples[:EXAMPLES])})"
    return {
        "kind": kind,
        "action": action,
        "count": int(count),
        "what": what,
        "unit": unit,
        "examples": list(examples[:EXAMPLES]),
        "message": message,
    }


def issues_message(issues: list[dict]) -> str:
    """Every problem of a report on one line, as ``--strict`` fails with them."""
    return "; ".join(issue["message"] for issue in issues)


def timestamp_sql(expr: str, duck_type: str) -> str:
    """SQL turning a source's timestamp column into TIMESTAMPTZ, NULL where it does not parse.

    Text without an offset is read as UTC (each ingest sets the session's time zone to UTC).
    """
    if duck_type.startswith("TIMESTAMP WITH"):
        return expr
    if duck_type.startswith("TIMESTAMP"):
        return f"timezone('UTC', {expr})"
    return f"TRY_CAST(CAST({expr} AS VARCHAR) AS TIMESTAMPTZ)"


def sampler_name_sql(column: str) -> str:
    """SQL turning an integer sampler code or a sampler name into the name."""
    cases = " ".join(f"WHEN '{code}' THEN '{name}'" for code, name in SAMPLER_CODES.items())
    return f"CASE CAST({column} AS VARCHAR) {cases} ELSE CAST({column} AS VARCHAR) END"


def generation_id_sql(source: str, key_sql: str) -> str:
    """A stable 16-hex id from the source name and a per-source unique key."""
    return f"substr(md5('{source}:' || {key_sql}), 1, 16)"


# The one definition of a prompt's id: a hash of its exact text (dbt and enrichment reuse it).
PROMPT_ID_SQL = "substr(md5(s.prompt), 1, 16)"


def create_raw_table(
    con: duckdb.DuckDBPyConnection, select_sql: str, report: IngestReport | None = None, params=None
) -> None:
    """Check every row of ``select_sql`` and create ``raw.generations`` from those that pass.

    The SELECT yields RAW_COLUMNS (but prompt_id) by name, as read (uncast), plus ``source_key``
    (how a person finds the row: image name, generation id, file and row) and ``created_at_raw``
    (the timestamp as read). Rows with a rejected value go to ``raw.rejected_generations`` as read,
    with their reasons; ``raw.ingest_issues`` holds one line per problem; ``report`` gets one
    entry per kind of problem (module docstring).
    """
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS SELECT * FROM ({select_sql}) s", params)
    types = {r[0]: r[1] for r in con.execute("DESCRIBE staged").fetchall()}
    timestamps = report is None or "created_at" in report.provided_columns
    checks = _row_checks(types, timestamps=timestamps)
    union = " UNION ALL ".join(
        f"SELECT s.source_row, CAST(s.source_key AS VARCHAR) AS source_key, '{kind}' AS kind, "
        f"'{action}' AS action, '{column}' AS column_name, CAST({value} AS VARCHAR) AS value "
        f"FROM {source} WHERE {condition}"
        for kind, action, column, value, source, condition, _ in checks
    )
    con.execute(f"CREATE OR REPLACE TABLE raw.ingest_issues AS {union} ORDER BY source_row, kind")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE rejected_rows AS
        SELECT source_row, string_agg(kind, ', ' ORDER BY kind) AS reasons
        FROM raw.ingest_issues WHERE action = 'rejected' GROUP BY source_row
        """
    )
    con.execute(
        "CREATE OR REPLACE TABLE raw.rejected_generations AS SELECT s.*, r.reasons "
        "FROM staged s JOIN rejected_rows r USING (source_row) ORDER BY s.source_row"
    )
    cols = ", ".join(
        f"{PROMPT_ID_SQL} AS prompt_id" if name == "prompt_id" else f"CAST(s.{name} AS {typ}) AS {name}"
        for name, typ in RAW_COLUMNS.items()
    )
    con.execute(
        f"CREATE OR REPLACE TABLE raw.generations AS SELECT {cols} FROM staged s "
        "WHERE s.source_row NOT IN (SELECT source_row FROM rejected_rows) ORDER BY s.source_row"
    )
    if report is not None:
        report.rows_read = con.execute("SELECT count(*) FROM staged").fetchone()[0]
        report.rows_rejected = con.execute("SELECT count(*) FROM rejected_rows").fetchone()[0]
        report.timestamps_simulated = con.execute(
            "SELECT count(DISTINCT source_row) FROM raw.ingest_issues WHERE action = 'flagged'"
        ).fetchone()[0]
        what = {check[0]: check[-1] for check in checks}
        for kind, action, n, examples in con.execute(
            f"""
            SELECT kind, any_value(action), count(*),
                   list('row ' || source_row || coalesce(' [' || source_key || ']', '') || ': '
                        || coalesce(value, 'NULL') ORDER BY source_row)[1:{EXAMPLES}]
            FROM raw.ingest_issues GROUP BY kind ORDER BY min(source_row), kind
            """
        ).fetchall():
            report.add_issue(kind, action, n, what[kind], examples)
    con.execute("DROP TABLE staged")
    con.execute("DROP TABLE rejected_rows")


_FIRST_OF_KEY = "(SELECT *, min(source_row) OVER (PARTITION BY generation_id) AS first_row FROM staged) s"
DUPLICATE_KEY_WHAT = "duplicate image name or generation id (the first row is kept)"


def _row_checks(types: dict[str, str], *, timestamps: bool) -> list[tuple[str, ...]]:
    """(kind, action, column, value SQL, FROM, condition, what) for each check of ``staged``."""
    checks: list[tuple[str, ...]] = []

    def check(kind, action, column, value, condition, what, source="staged s"):
        checks.append((kind, action, column, value, source, condition, what))

    for name, target in RAW_COLUMNS.items():
        if target not in ("BIGINT", "INTEGER", "DOUBLE") or name == "source_row" or name not in types:
            continue
        typ = types[name]
        numeric = typ in _INT_TYPES or typ in _FLOAT_TYPES or typ.startswith("DECIMAL")
        num = f"CAST(s.{name} AS DOUBLE)" if numeric else f"TRY_CAST(CAST(s.{name} AS VARCHAR) AS DOUBLE)"
        value = f"s.{name}"
        if not numeric:
            check(f"{name}_not_a_number", "rejected", name, value,
                  f"s.{name} IS NOT NULL AND {num} IS NULL", f"{name} is not a number")  # fmt: skip
        if typ not in _INT_TYPES:
            check(f"{name}_nan", "rejected", name, value,
                  f"(isnan({num}) OR isinf({num}))", f"{name} is NaN or infinite")  # fmt: skip
            if target != "DOUBLE":
                check(f"{name}_not_whole", "rejected", name, value,
                      f"isfinite({num}) AND ({num} <> trunc({num}) OR TRY_CAST({num} AS {target}) IS NULL)",
                      f"{name} is not a whole number that fits {target}")  # fmt: skip
        elif typ != target:  # a wider or unsigned integer type
            check(f"{name}_not_whole", "rejected", name, value,
                  f"s.{name} IS NOT NULL AND TRY_CAST(s.{name} AS {target}) IS NULL",
                  f"{name} is not a whole number that fits {target}")  # fmt: skip
        if name in LIMITS:
            lo, hi = LIMITS[name]
            check(f"{name}_out_of_range", "rejected", name, value,
                  f"isfinite({num}) AND ({num} < {lo} OR {num} > {hi})",
                  f"{name} outside {lo}..{hi}")  # fmt: skip
    for name, allowed in (("src_status", STATUSES), ("src_tier", TIERS)):
        if name in types:
            listed = ", ".join(f"'{v}'" for v in allowed)
            check(f"{name[4:]}_unknown", "rejected", name[4:], f"s.{name}",
                  f"s.{name} IS NOT NULL AND s.{name} NOT IN ({listed})",
                  f"{name[4:]} not one of {', '.join(allowed)}")  # fmt: skip
    check("duplicate_key", "rejected", "source_key", "'first at row ' || s.first_row",
          "s.source_row > s.first_row", DUPLICATE_KEY_WHAT, _FIRST_OF_KEY)  # fmt: skip
    if timestamps and "created_at_raw" in types:
        raw_text = "nullif(trim(CAST(s.created_at_raw AS VARCHAR)), '')"
        check("timestamp_unparseable", "flagged", "timestamp", "s.created_at_raw",
              f"s.created_at IS NULL AND {raw_text} IS NOT NULL", "timestamp does not parse")  # fmt: skip
        check("timestamp_missing", "flagged", "timestamp", "s.created_at_raw",
              f"s.created_at IS NULL AND {raw_text} IS NULL", "timestamp missing")  # fmt: skip
    return checks


def fill_report(con: duckdb.DuckDBPyConnection, report: IngestReport) -> IngestReport:
    """Count rows, missing users, empty prompts and images in ``raw.generations``; when the source
    holds images at all, name the rows whose image was not found."""
    row = con.execute(
        """
        SELECT count(*),
               count(*) FILTER (WHERE user_name IS NULL OR trim(user_name) = ''),
               count(*) FILTER (WHERE user_name = 'deleted_account'),
               count(*) FILTER (WHERE trim(prompt) = ''),
               count(image_path),
               count(*) FILTER (WHERE image_name IS NOT NULL AND image_path IS NULL)
        FROM raw.generations
        """
    ).fetchone()
    (
        report.rows,
        report.rows_without_user,
        report.deleted_accounts,
        report.empty_prompts,
        report.images_found,
        report.images_missing,
    ) = row
    if report.images_missing and (
        report.image_files or any(i["kind"] == "archive_unreadable" for i in report.issues)
    ):
        examples = [
            f"row {r} [{name}]"
            for r, name in con.execute(
                "SELECT source_row, image_name FROM raw.generations WHERE image_name IS NOT NULL "
                f"AND image_path IS NULL ORDER BY source_row LIMIT {EXAMPLES}"
            ).fetchall()
        ]
        report.add_issue("image_missing", "counted", report.images_missing, "image not found", examples)
    if report.rows == 0:
        problems = f" ({issues_message(report.issues)})" if report.issues else ""
        raise IngestError(f"{report.location} holds no generations (after filters and --limit){problems}.")
    return report


def require_file(path: Path, what: str) -> Path:
    path = Path(path)
    if not path.exists():
        raise IngestError(f"{what} not found: {path}")
    return path


def short_image(image_path: str) -> str:
    """An image's address as an issue's example names it: 'archive.zip::member' or the file name."""
    archive, sep, member = image_path.rpartition("::")
    return f"{Path(archive).name}::{member}" if sep else Path(image_path).name
