"""The partitions' ingest output merged into one build's: the staging file's raw tables and the
ingest report, with nothing lost on the way (docs/reliability.md).

Each partition's ingest checks its own rows, so it writes, beside its rows, the rows it rejected
(as read, with their reasons) and its ingest issues. Merging them:

- ``raw.generations``: every partition's rows, but a key (image name or generation id) seen in an
  earlier partition: the first is kept and the later copies are rejected as duplicates, exactly as
  a build over the whole source rejects them (no partition could see them, each seeing its own).
- ``raw.rejected_generations`` and ``raw.ingest_issues``: every partition's, and those duplicates,
  each row with its ``partition``.
- the ingest report: counts added up (less the duplicates), one entry per kind of problem, its
  count the sum over the partitions and its examples naming their partition (row numbers count
  within a partition).

Plain DuckDB and Python, no Dagster: the assets call it (assets.py).
"""

from __future__ import annotations

from pathlib import Path

from genai_analyzer.pipeline.ingest.common import DUPLICATE_KEY_WHAT, EXAMPLES, make_issue

INGEST_COUNTS = (
    "rows",
    "rows_without_user",
    "deleted_accounts",
    "empty_prompts",
    "images_found",
    "images_missing",
    # the ingest checks (docs/reliability.md): every partition reads, rejects and flags its own rows
    "rows_read",
    "rows_rejected",
    "timestamps_simulated",
)
# What ingest leaves beside raw.generations, per partition (dataset -> table): the rejected rows as
# read with their reasons, and one line per rejected or flagged value. (A duplicate found across
# partitions is named by its image name, or, for logs, by its partition and row: the key as read
# stays with the partition that read it.)
ROW_REPORTS = {"rejected": "raw.rejected_generations", "ingest_issues": "raw.ingest_issues"}
_HELPER_COLUMNS = ("filename", "__partition", "__ord", "__n", "__first_partition", "__first_row")


def quote(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def listed(files: list[Path]) -> str:
    return "[" + ", ".join(quote(f) for f in files) + "]"


def sum_counts(reports: list[dict], counted: tuple[str, ...]) -> dict:
    """Merge per-partition reports: ``counted`` numbers add up, lists join, the rest is the first's."""
    merged: dict = {}
    for report in reports:
        for key, value in report.items():
            if key not in merged:
                merged[key] = list(value) if isinstance(value, list) else value
            elif key in counted:
                merged[key] += value
            elif isinstance(value, list):
                merged[key] += [v for v in value if v not in merged[key]]
    return merged


def load_raw(con, partitions: list[str], files: dict[str, list[Path]]) -> dict:
    """Create raw.generations, raw.rejected_generations and raw.ingest_issues in ``con`` from the
    partitions' files (``files[dataset]`` in the order of ``partitions``); return the rows kept and
    a report of the keys found again in a later partition (rows rejected as duplicates)."""
    order = ", ".join(
        f"({quote(f)}, {i}, {quote(p)})"
        for i, (f, p) in enumerate(zip(files["generations"], partitions, strict=True))
    )
    con.execute(
        f"""
        CREATE TEMP TABLE merged AS
        SELECT *, row_number() OVER w AS __n, first_value(__partition) OVER w AS __first_partition,
               first_value(source_row) OVER w AS __first_row
        FROM (SELECT g.*, p.partition AS __partition, p.ord AS __ord
              FROM read_parquet({listed(files["generations"])}, filename = true) g
              JOIN (VALUES {order}) p(file, ord, partition) ON g.filename = p.file)
        WINDOW w AS (PARTITION BY generation_id ORDER BY __ord, source_row)
        """
    )
    helpers = ", ".join(_HELPER_COLUMNS)
    con.execute(
        f"CREATE TABLE raw.generations AS SELECT * EXCLUDE ({helpers}) FROM merged WHERE __n = 1 "
        "ORDER BY __ord, source_row"
    )
    for dataset, table in ROW_REPORTS.items():  # as read: types that differ meet as text
        source = f"read_parquet({listed(files[dataset])}, union_by_name = true)"
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM {source}")
    duplicates = con.execute(
        "SELECT __partition, source_row, image_name, __first_partition, __first_row "
        "FROM merged WHERE __n > 1 ORDER BY __ord, source_row"
    ).fetchall()
    if duplicates:
        con.execute(
            f"INSERT INTO raw.rejected_generations BY NAME SELECT * EXCLUDE ({helpers}, prompt_id), "
            "image_name AS source_key, 'duplicate_key' AS reasons, "
            "__partition AS partition FROM merged WHERE __n > 1"
        )
        con.execute(
            "INSERT INTO raw.ingest_issues BY NAME SELECT source_row, image_name AS source_key, "
            "'duplicate_key' AS kind, 'rejected' AS action, 'source_key' AS column_name, "
            "'first at ' || __first_partition || ' row ' || __first_row AS value, __partition AS partition "
            "FROM merged WHERE __n > 1"
        )
    con.execute("DROP TABLE merged")
    examples = [
        f"{p}: row {row}{f' [{key}]' if key else ''}: first at {first} row {first_row}"
        for p, row, key, first, first_row in duplicates
    ]
    issue = make_issue("duplicate_key", "rejected", len(duplicates), DUPLICATE_KEY_WHAT, examples)
    return {
        "rows": con.execute("SELECT count(*) FROM raw.generations").fetchone()[0],
        "rows_rejected": con.execute("SELECT count(*) FROM raw.rejected_generations").fetchone()[0],
        "duplicates": {"partition": "across partitions", "issues": [issue] if duplicates else []},
    }


def merge_ingest(reports: list[dict], duplicates: dict | None = None) -> dict:
    """The partitions' ingest reports (each with its ``partition``) as one build's report; with
    ``duplicates`` (``load_raw``'s), the keys found again across partitions rejected too."""
    merged = sum_counts(
        [{k: v for k, v in r.items() if k not in ("partition", "issues")} for r in reports], INGEST_COUNTS
    )
    kinds: dict[str, dict] = {}
    for report in [*reports, duplicates or {"issues": []}]:
        for issue in report.get("issues", []):
            entry = kinds.setdefault(issue["kind"], {**issue, "count": 0, "examples": [], "partitions": []})
            entry["count"] += issue["count"]
            prefix = "" if report is duplicates else f"{report['partition']}: "
            entry["examples"] += [prefix + e for e in issue["examples"]]
            entry["partitions"].append(report["partition"])
    if duplicates and duplicates["issues"]:
        n = duplicates["issues"][0]["count"]
        merged["rows"] -= n
        merged["rows_rejected"] += n
    merged["issues"] = [
        make_issue(
            e["kind"], e["action"], e["count"], e["what"], e["examples"][:EXAMPLES], e.get("unit", "row")
        )
        | {"partitions": e["partitions"]}
        for e in kinds.values()
    ]
    return merged
