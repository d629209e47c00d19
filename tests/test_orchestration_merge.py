"""Merging the partitions' ingest output (pipeline/orchestration/merge.py) on real DuckDB and
Parquet: nothing a partition rejected is lost, and a key two partitions hold is rejected once."""

from __future__ import annotations

import duckdb
import pytest

pytest.importorskip("dagster", reason="the orchestration extra is not installed: pip install -e .[dev]")

from genai_analyzer.pipeline.ingest.common import RAW_COLUMNS, create_raw_table  # noqa: E402
from genai_analyzer.pipeline.orchestration.merge import ROW_REPORTS, load_raw, merge_ingest  # noqa: E402


def _partition(tmp_path, name: str, rows: list[tuple]) -> tuple[dict, dict]:
    """Ingest ``rows`` (image name, width) as one partition does; its files and its report."""
    from genai_analyzer.pipeline.ingest.common import IngestReport

    con = duckdb.connect()
    values = ", ".join(f"({i}, '{image}', {width})" for i, (image, width) in enumerate(rows))
    report = IngestReport("diffusiondb", name)
    given = {
        "source": "'diffusiondb'",
        "source_row": "source_row",
        "generation_id": "substr(md5('diffusiondb:' || image), 1, 16)",
        "image_name": "image",
        "part_id": "1",
        "prompt": "'a cat'",
        "width": "width",
        "height": "512",
        "user_name": "'u1'",
        "created_at": "TIMESTAMPTZ '2025-10-01 10:00:00+00'",
    }
    columns = ", ".join(
        f"{given.get(name, f'NULL::{kind}')} AS {name}"
        for name, kind in RAW_COLUMNS.items()
        if name != "prompt_id"
    )
    create_raw_table(
        con,
        f"SELECT {columns}, image AS source_key, '2025-10-01 10:00:00' AS created_at_raw "
        f"FROM (VALUES {values}) t(source_row, image, width)",
        report,
    )
    report.rows = con.execute("SELECT count(*) FROM raw.generations").fetchone()[0]
    files = {}
    for dataset, table in {"generations": "raw.generations", **ROW_REPORTS}.items():
        files[dataset] = tmp_path / f"{dataset}-{name}.parquet"
        extra = "" if dataset == "generations" else f", '{name}' AS partition"
        con.execute(f"COPY (SELECT *{extra} FROM {table}) TO '{files[dataset]}' (FORMAT parquet)")
    return files, report.as_dict() | {"partition": name}


def test_rejected_rows_and_keys_found_again_across_partitions_are_kept_and_reported(tmp_path):
    first, report1 = _partition(tmp_path, "part-000001", [("a.png", 512), ("b.png", -512), ("c.png", 512)])
    second, report2 = _partition(tmp_path, "part-000002", [("d.png", 0), ("a.png", 512), ("e.png", 512)])
    partitions = ["part-000001", "part-000002"]
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    files = {d: [first[d], second[d]] for d in first}
    loaded = load_raw(con, partitions, files)
    kept = [r[0] for r in con.execute("SELECT image_name FROM raw.generations").fetchall()]
    assert kept == ["a.png", "c.png", "e.png"]  # a.png's second copy is out, the first kept
    rejected = con.execute(
        "SELECT partition, source_row, reasons FROM raw.rejected_generations ORDER BY 1, 2"
    ).fetchall()
    assert rejected == [
        ("part-000001", 1, "width_out_of_range"),
        ("part-000002", 0, "width_out_of_range"),
        ("part-000002", 1, "duplicate_key"),
    ]
    issue = con.execute(
        "SELECT value FROM raw.ingest_issues WHERE kind = 'duplicate_key' AND partition = 'part-000002'"
    ).fetchall()
    assert issue == [("first at part-000001 row 0",)]
    report = merge_ingest([report1, report2], loaded["duplicates"])
    assert (report["rows_read"], report["rows"], report["rows_rejected"]) == (6, 3, 3)
    assert report["rows_read"] == report["rows"] + report["rows_rejected"] == loaded["rows"] + 3
    by_kind = {i["kind"]: i for i in report["issues"]}
    assert {k: i["count"] for k, i in by_kind.items()} == {"width_out_of_range": 2, "duplicate_key": 1}
    assert by_kind["width_out_of_range"]["partitions"] == partitions
    assert "part-000001: row 1 [b.png]: -512" in by_kind["width_out_of_range"]["message"]
    assert "part-000002: row 1 [a.png]: first at part-000001 row 0" in by_kind["duplicate_key"]["message"]
