"""The contract every source lands in: one ``raw.generations`` table.

All three sources (DiffusionDB, the embedded sample, a team's logs) produce the same columns, so
sessions, simulation and the dbt models never ask where a row came from. ``src_*`` columns hold
telemetry the source itself provided; the simulation fills only what is missing there.
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

    def as_dict(self) -> dict:
        return asdict(self)


def sampler_name_sql(column: str) -> str:
    """SQL turning an integer sampler code or a sampler name into the name."""
    cases = " ".join(f"WHEN '{code}' THEN '{name}'" for code, name in SAMPLER_CODES.items())
    return f"CASE CAST({column} AS VARCHAR) {cases} ELSE CAST({column} AS VARCHAR) END"


def generation_id_sql(source: str, key_sql: str) -> str:
    """A stable 16-hex id from the source name and a per-source unique key."""
    return f"substr(md5('{source}:' || {key_sql}), 1, 16)"


# The one definition of a prompt's id: a hash of its exact text (dbt and enrichment reuse it).
PROMPT_ID_SQL = "substr(md5(s.prompt), 1, 16)"


def create_raw_table(con: duckdb.DuckDBPyConnection, select_sql: str, params=None) -> None:
    """Create ``raw.generations`` from a SELECT that yields RAW_COLUMNS (but prompt_id) by name."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    cols = ", ".join(
        f"{PROMPT_ID_SQL} AS prompt_id" if name == "prompt_id" else f"CAST(s.{name} AS {typ}) AS {name}"
        for name, typ in RAW_COLUMNS.items()
    )
    con.execute(f"CREATE OR REPLACE TABLE raw.generations AS SELECT {cols} FROM ({select_sql}) s", params)


def fill_report(con: duckdb.DuckDBPyConnection, report: IngestReport) -> IngestReport:
    """Count rows, missing users, empty prompts and images in ``raw.generations``."""
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
    if report.rows == 0:
        raise IngestError(f"{report.location} holds no generations (after filters and --limit).")
    return report


def require_file(path: Path, what: str) -> Path:
    path = Path(path)
    if not path.exists():
        raise IngestError(f"{what} not found: {path}")
    return path
