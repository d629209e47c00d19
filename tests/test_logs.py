"""A team's own logs: the column contract, provided vs simulated columns, bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from genai_analyzer.core.errors import BuildError, IngestError
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.pipeline.ingest.logs import ingest_logs
from genai_analyzer.warehouse.duck import connect
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings, shared_path


def team_logs() -> pd.DataFrame:
    """Real prompts, users and times from DiffusionDB, shaped as a team's log export."""
    real = pd.read_parquet(shared_path("users_1k", "diffusiondb_sample_typed.parquet")).head(300)
    return pd.DataFrame(
        {
            "user_id": real["user_name"].str[:12],
            "timestamp": real["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "prompt": real["prompt"],
            "status": ["error" if i % 25 == 0 else "success" for i in range(len(real))],
            "latency_ms": [1500 + 10 * i for i in range(len(real))],
            "model": "sdxl-turbo",
            "parameters": [
                json.dumps({"seed": int(r.seed), "steps": int(r.step), "guidance_scale": r.cfg})
                for r in real.itertuples()
            ],
        }
    )


@pytest.fixture
def con():
    con = connect(":memory:", extensions=())
    con.execute("SET TimeZone = 'UTC'")
    yield con
    con.close()


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_each_format_loads_the_same_rows(con, tmp_path, fmt):
    logs = team_logs()
    path = tmp_path / f"logs.{fmt}"
    if fmt == "parquet":
        logs.to_parquet(path)
    elif fmt == "csv":
        logs.to_csv(path, index=False)
    else:
        logs.to_json(path, orient="records", lines=True)
    report = ingest_logs(con, path)
    assert report.rows == 300
    rows = con.execute("SELECT * FROM raw.generations ORDER BY source_row").df()
    assert list(rows["prompt"]) == list(logs["prompt"])
    assert list(rows["src_status"]) == list(logs["status"])
    assert list(rows["step"]) == [json.loads(p)["steps"] for p in logs["parameters"]]


def test_missing_required_columns_are_named(con, tmp_path):
    team_logs().drop(columns=["user_id", "prompt"]).to_parquet(tmp_path / "logs.parquet")
    with pytest.raises(IngestError, match="user_id, prompt"):
        ingest_logs(con, tmp_path / "logs.parquet")


def test_unknown_status_values_are_rejected_row_by_row_and_named(con, tmp_path):
    logs = team_logs()
    logs.loc[3, "status"] = "exploded"
    logs.to_parquet(tmp_path / "logs.parquet")
    report = ingest_logs(con, tmp_path / "logs.parquet")
    assert (report.rows_read, report.rows, report.rows_rejected) == (300, 299, 1)
    [issue] = report.issues
    assert issue["kind"] == "status_unknown" and issue["action"] == "rejected"
    assert "row 3" in issue["message"] and "exploded" in issue["message"]
    rejected = con.execute("SELECT source_row, src_status, reasons FROM raw.rejected_generations").fetchall()
    assert rejected == [(3, "exploded", "status_unknown")]


def test_unreadable_timestamps_are_flagged_and_named_not_silently_simulated(con, tmp_path):
    logs = team_logs()
    logs.loc[5, "timestamp"] = "yesterday-ish"
    logs.loc[9, "timestamp"] = None
    logs.to_csv(tmp_path / "logs.csv", index=False)
    report = ingest_logs(con, tmp_path / "logs.csv")
    assert (report.rows, report.rows_rejected, report.timestamps_simulated) == (300, 0, 2)
    by_kind = {i["kind"]: i for i in report.issues}
    assert by_kind["timestamp_unparseable"]["count"] == 1
    assert "row 5" in by_kind["timestamp_unparseable"]["message"]
    assert "yesterday-ish" in by_kind["timestamp_unparseable"]["message"]
    assert by_kind["timestamp_missing"]["examples"][0].startswith("row 9")
    # the others keep their own time, to the second
    times = con.execute("SELECT source_row, created_at FROM raw.generations ORDER BY source_row").df()
    parsed = pd.to_datetime(logs["timestamp"], errors="coerce", utc=True)
    kept = times["created_at"].notna()
    assert kept.sum() == 298
    assert list(times.loc[kept, "created_at"]) == list(parsed[parsed.notna()])


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_columns_named_filename_or_rowid_are_the_logs_own(con, tmp_path, fmt):
    logs = team_logs().head(50)
    logs["filename"] = [f"img_{i}.png" for i in range(50)]
    logs["rowid"] = list(range(1000, 1050))
    logs["ROWID2"] = 1
    path = tmp_path / f"logs.{fmt}"
    if fmt == "parquet":
        logs.to_parquet(path)
    elif fmt == "csv":
        logs.to_csv(path, index=False)
    else:
        logs.to_json(path, orient="records", lines=True)
    report = ingest_logs(con, path)
    assert (report.rows, report.rows_rejected) == (50, 0)
    rows = con.execute("SELECT source_row, prompt, generation_id FROM raw.generations ORDER BY 1").df()
    assert list(rows["source_row"]) == list(range(50))  # DuckDB's row numbers, not the column
    assert list(rows["prompt"]) == list(logs["prompt"])
    assert rows["generation_id"].is_unique


def test_mixed_formats_in_one_folder_are_refused(con, tmp_path):
    team_logs().to_parquet(tmp_path / "a.parquet")
    team_logs().to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(IngestError, match="one of"):
        ingest_logs(con, tmp_path)


def test_provided_columns_are_kept_and_only_missing_ones_simulated(tmp_path):
    logs = team_logs()
    logs.to_parquet(tmp_path / "logs.parquet")
    settings = make_settings(tmp_path)
    summary = build_warehouse(
        settings, BuildRequest(source="logs", path=tmp_path / "logs.parquet", enrich=()), progress=False
    )
    assert summary.simulated["status"] == 0
    assert summary.simulated["latency_ms"] == 0
    assert summary.simulated["cost_usd"] == 300
    with Warehouse(settings.db_path, extensions=()) as wh:
        fact = wh.query("SELECT status, latency_ms, model, step FROM fact_generations ORDER BY created_at")
        info = wh.build_info()
    assert sorted(fact["latency_ms"]) == sorted(logs["latency_ms"])
    assert (fact["status"] == "error").sum() == (logs["status"] == "error").sum()
    assert set(fact["model"]) == {"sdxl-turbo"}
    assert info["simulated_columns"]["status"] == 0 and info["simulated_columns"]["queue_ms"] == 300


def test_logs_without_path_are_refused_before_anything_runs(tmp_path):
    with pytest.raises(BuildError, match="needs --path"):
        build_warehouse(make_settings(tmp_path), BuildRequest(source="logs"), progress=False)


def test_prompts_with_odd_whitespace_count_words_and_match_resubmissions_as_a_regexp_would(tmp_path):
    """The dbt models skip regexp_replace for prompts with single spaces only (macro
    collapse_whitespace); tabs, newlines, runs of spaces and padding must give the same words and
    normalized text as collapsing every run of whitespace."""
    import re

    logs = team_logs().head(8).copy()
    odd = [
        "a  red\tcar",
        "a red car ",
        "\na red\r\ncar",
        "A RED CAR",
        "sun\x0cset  glow",
        "   ",
        "one",
        "x \t y",
    ]
    logs["prompt"] = odd
    logs["status"] = ["error", "error", "error", "success", "success", "success", "success", "success"]
    logs["user_id"] = "u1"
    logs["timestamp"] = pd.date_range("2025-01-01 10:00", periods=8, freq="1min").strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    path = tmp_path / "logs.parquet"
    logs.to_parquet(path)
    settings = make_settings(tmp_path)
    build_warehouse(settings, BuildRequest(source="logs", path=path, enrich=()), progress=False)
    with Warehouse(settings.db_path) as wh:
        words = dict(wh.query("SELECT prompt, n_words FROM dim_prompts").itertuples(index=False))
        retries = wh.query("SELECT n_generations, n_retries FROM dim_sessions")
    for prompt in odd:
        collapsed = re.sub(r"[ \t\n\f\r]+", " ", prompt.strip(" \t\n\f\r"))
        assert words[prompt] == (len(collapsed.split(" ")) if collapsed else 0), repr(prompt)
    # one session; "a red car" typed four ways, the last three each right after a failure: retries
    assert retries.to_dict("records") == [{"n_generations": 8, "n_retries": 3}]
