"""API answers are JSON-friendly: what DuckDB hands pandas comes out as plain Python values."""

import json
from decimal import Decimal

from genai_analyzer.core.jsonable import plain, records
from genai_analyzer.warehouse.reader import Warehouse


def test_duckdb_types_come_out_as_plain_json_values(tmp_path):
    import duckdb

    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE build_info AS SELECT 'x' AS key, '1' AS value; "
            "CREATE TABLE t AS SELECT DATE '2022-08-13' + i::INT AS day, "
            "TIMESTAMP '2022-08-13 10:30:00' + to_minutes(i) AS at, i AS n, "
            "CASE WHEN i = 1 THEN NULL ELSE i / 2 END AS half, 12.5::DECIMAL(10, 2) AS money, "
            "[i, i + 1] AS pair FROM range(3) r(i)"
        )
    with Warehouse(path, extensions=()) as wh:
        rows = records(wh.query("SELECT * FROM t ORDER BY n"))
    assert rows[0] == {"day": "2022-08-13", "at": "2022-08-13T10:30:00", "n": 0, "half": 0.0,
                       "money": 12.5, "pair": [0, 1]}  # fmt: skip
    assert rows[1]["half"] is None and rows[2]["day"] == "2022-08-15"
    assert json.loads(json.dumps(rows)) == rows


def test_plain_walks_nested_values():
    assert plain({"a": [Decimal("1.5"), float("nan")], 2: None}) == {"a": [1.5, None], "2": None}


def test_every_cursor_reads_times_in_utc_whatever_the_machine_zone(tmp_path, monkeypatch):
    import time

    import duckdb

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        path = tmp_path / "tz.duckdb"
        with duckdb.connect(str(path)) as con:
            con.execute("CREATE TABLE t AS SELECT TIMESTAMPTZ '2022-08-14 01:30:00+00' AS ts")
        with Warehouse(path, extensions=()) as wh:
            assert wh.scalar("SELECT current_setting('TimeZone')") == "UTC"
            assert wh.scalar("SELECT hour(ts) FROM t") == 1  # 21 in New York
    finally:
        monkeypatch.undo()
        time.tzset()
