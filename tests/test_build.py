"""The build command: star schema contract, reproducibility, and never losing the old warehouse."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from genai_analyzer.analysis.status import format_status, warehouse_status
from genai_analyzer.cli import main
from genai_analyzer.core.errors import BuildError
from genai_analyzer.pipeline import build as build_module
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings, shared_path

CONTRACT = {
    "fact_generations": [
        "generation_id", "prompt_id", "user_id", "session_id", "created_at", "date_key", "image_name",
        "part_id", "seed", "step", "cfg", "sampler", "width", "height", "image_nsfw", "prompt_nsfw",
        "status", "error_code", "queue_ms", "latency_ms", "gpu_seconds", "cost_usd", "revenue_usd",
        "image_path", "thumb_path",
    ],
    "dim_users": ["user_id", "user_name", "tier", "signup_at", "first_seen_at", "last_seen_at",
                  "n_sessions", "n_generations"],
    "dim_sessions": ["session_id", "user_id", "started_at", "ended_at", "duration_s", "n_generations",
                     "n_success", "n_failed", "n_unique_prompts", "friction_score", "abandoned"],
    "dim_prompts": ["prompt_id", "prompt", "n_words", "n_generations"],
    "dim_date": ["date_key", "day_of_week", "week_start", "month", "is_weekend"],
}  # fmt: skip


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_the_star_schema_has_the_contract_columns(users_1k_warehouse):
    with Warehouse(users_1k_warehouse, extensions=()) as wh:
        tables = wh.tables()
    for table, columns in CONTRACT.items():
        assert set(columns) <= set(tables[f"main.{table}"]), table


def test_every_table_and_view_of_a_published_warehouse_can_be_read(users_1k_warehouse):
    """The file is built under another name and renamed into place: nothing in it may still
    refer to the building file's catalog (dbt's staging views did)."""
    with duckdb.connect(str(users_1k_warehouse), read_only=True) as con:
        relations = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
        assert len(relations) >= 10
        for schema, name in relations:
            con.execute(f'SELECT * FROM "{schema}"."{name}" LIMIT 1').fetchall()


def test_marts_agree_with_each_other_on_real_rows(users_1k_warehouse):
    with Warehouse(users_1k_warehouse, extensions=()) as wh:
        n = wh.scalar("SELECT count(*) FROM fact_generations")
        assert n == 1000
        assert wh.scalar("SELECT sum(n_generations) FROM dim_sessions") == n
        assert wh.scalar("SELECT sum(n_generations) FROM dim_users") == n
        assert wh.scalar("SELECT sum(n_generations) FROM dim_prompts") == n
        assert wh.scalar("SELECT count(*) FROM dim_users") == 173
        assert wh.scalar("SELECT count(*) FROM dim_prompts") == wh.scalar(
            "SELECT count(DISTINCT prompt) FROM raw.generations"
        )
        # n_success + n_failed covers every generation, and friction stays in [0, 1]
        assert wh.scalar("SELECT bool_and(n_success + n_failed = n_generations) FROM dim_sessions")
        lo, hi = wh.query("SELECT min(friction_score) lo, max(friction_score) hi FROM dim_sessions").iloc[0]
        assert 0 <= lo <= hi <= 1
        # signup never after the first generation
        assert wh.scalar("SELECT bool_and(signup_at <= first_seen_at) FROM dim_users")
        # a session that ended on a failure is abandoned
        assert wh.scalar("SELECT bool_and(abandoned = (last_status <> 'success')) FROM dim_sessions")


@pytest.mark.slow  # several builds: in the full suite only
def test_same_seed_same_warehouse_other_seed_other_telemetry(tmp_path):
    path = shared_path("users_1k", "diffusiondb_sample_typed.parquet")
    frames = []
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        settings = make_settings(tmp_path / name, seed=seed)
        build_warehouse(settings, BuildRequest(source="diffusiondb", path=path, enrich=()), progress=False)
        with Warehouse(settings.db_path, extensions=()) as wh:
            frames.append(wh.query("SELECT * FROM fact_generations ORDER BY generation_id"))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    assert not frames[0]["latency_ms"].equals(frames[2]["latency_ms"])
    assert frames[0]["session_id"].equals(frames[2]["session_id"])  # sessions are real, not simulated


def _build_ok(tmp_path) -> tuple:
    settings = make_settings(tmp_path)
    path = shared_path("users_1k", "diffusiondb_sample_typed.parquet")
    build_warehouse(settings, BuildRequest(source="diffusiondb", path=path, enrich=()), progress=False)
    return settings, digest(settings.db_path)


def _no_leftovers(settings) -> None:
    leftovers = [p.name for p in Path(settings.db_path).parent.iterdir() if "_building_" in p.name]
    assert leftovers == []


def _corrupt_parquet(folder: Path) -> BuildRequest:
    (folder / "metadata.parquet").write_bytes(b"not a parquet file at all")
    return BuildRequest(source="diffusiondb", path=folder, enrich=())


def _no_prompt_column(folder: Path) -> BuildRequest:
    pd.DataFrame({"seed": [1, 2], "user_name": ["a", "b"]}).to_parquet(folder / "metadata.parquet")
    return BuildRequest(source="diffusiondb", path=folder, enrich=())


def _empty_metadata(folder: Path) -> BuildRequest:
    pd.DataFrame({"prompt": pd.Series([], dtype=str)}).to_parquet(folder / "metadata.parquet")
    return BuildRequest(source="diffusiondb", path=folder, enrich=())


def _logs_missing_columns(folder: Path) -> BuildRequest:
    pd.DataFrame({"prompt": ["a cat"]}).to_csv(folder / "logs.csv", index=False)
    return BuildRequest(source="logs", path=folder / "logs.csv", enrich=())


def _missing_path(folder: Path) -> BuildRequest:
    return BuildRequest(source="diffusiondb", path=folder / "does-not-exist", enrich=())


@pytest.mark.slow  # a failed build per bad input: in the full suite (tests/test_faults.py has more)
@pytest.mark.parametrize(
    "make_request, message",
    [
        (_corrupt_parquet, "Cannot read"),
        (_no_prompt_column, "no 'prompt' column"),
        (_empty_metadata, "no generations"),
        (_logs_missing_columns, "user_id, timestamp"),
        (_missing_path, "not found"),
    ],
)
def test_bad_input_fails_at_ingest_with_a_clear_error_and_keeps_the_old_warehouse(
    tmp_path, make_request, message
):
    settings, before = _build_ok(tmp_path)
    bad = tmp_path / "bad"
    bad.mkdir()
    with pytest.raises(BuildError, match=message) as err:
        build_warehouse(settings, make_request(bad), progress=False)
    assert err.value.step == "ingest"
    assert digest(settings.db_path) == before
    _no_leftovers(settings)


def test_a_failing_dbt_test_keeps_the_old_warehouse(tmp_path):
    settings, before = _build_ok(tmp_path)
    logs = pd.DataFrame(
        {"user_id": ["a", "a"], "timestamp": ["2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z"],
         "prompt": ["x", "y"], "latency_ms": [1200, -5]}  # a negative latency breaks a data test
    )  # fmt: skip
    logs.to_csv(tmp_path / "logs.csv", index=False)
    with pytest.raises(BuildError) as err:
        build_warehouse(
            settings, BuildRequest(source="logs", path=tmp_path / "logs.csv", enrich=()), progress=False
        )
    assert err.value.step == "dbt"
    assert "latency_ms" in str(err.value)
    assert digest(settings.db_path) == before
    _no_leftovers(settings)


def test_an_interrupted_build_keeps_the_old_warehouse(tmp_path, monkeypatch):
    settings, before = _build_ok(tmp_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setitem(build_module.STEPS, "simulate", interrupted)
    path = shared_path("users_1k", "diffusiondb_sample_typed.parquet")
    with pytest.raises(KeyboardInterrupt):
        build_warehouse(settings, BuildRequest(source="diffusiondb", path=path, enrich=()), progress=False)
    assert digest(settings.db_path) == before
    _no_leftovers(settings)


def test_an_unwritable_warehouse_path_fails_before_reading_anything(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = make_settings(tmp_path, db_path=blocker / "warehouse.duckdb")
    with pytest.raises(BuildError) as err:
        build_warehouse(settings, BuildRequest(source="sample"), progress=False)
    assert err.value.step == "prepare"
    assert "cannot write" in str(err.value)


def test_status_reports_rows_range_sources_and_simulation(users_1k_warehouse):
    status = warehouse_status(users_1k_warehouse)
    assert status["rows"]["fact_generations"] == 1000
    assert status["sources"] == "diffusiondb"
    assert status["first_generation"].startswith("2022-08-13 20:04")
    assert status["build"]["simulated_columns"]["latency_ms"] == 1000
    assert status["build"]["simulated_columns"]["created_at"] == 0
    text = format_status(status)
    assert "fact_generations" in text and "1,000" in text and "simulated" in text


def test_cli_build_errors_are_one_line_and_exit_1(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--source",
            "diffusiondb",
            "--path",
            str(tmp_path / "nope"),
            "--db",
            str(tmp_path / "w.duckdb"),
            "--quiet",
        ],
    )
    assert result.exit_code == 1
    assert "build failed at step 'ingest'" in result.output
    assert "Traceback" not in result.output


def test_cli_status_without_warehouse_says_how_to_build(tmp_path):
    result = CliRunner().invoke(main, ["status", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "genai-analyzer build" in result.output


def test_cli_build_and_status_on_real_rows(tmp_path):
    path = shared_path("users_1k", "diffusiondb_sample.csv")
    db = tmp_path / "w.duckdb"
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--source",
            "diffusiondb",
            "--path",
            str(path),
            "--db",
            str(db),
            "--quiet",
            "--skip",
            "embeddings,labels,thumbnails",
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    assert "fact_generations" in result.output and "data tests passed" in result.output
    result = CliRunner().invoke(main, ["status", "--db", str(db), "--json"])
    assert result.exit_code == 0
    assert '"fact_generations": 1000' in result.output


def test_cli_strict_fails_on_a_rejected_row_with_the_reports_message(tmp_path):
    frame = pd.read_parquet(shared_path("users_1k", "diffusiondb_sample_typed.parquet")).head(50)
    frame.loc[7, "width"] = -512
    frame.to_parquet(tmp_path / "meta.parquet")
    args = ["build", "--source", "diffusiondb", "--path", str(tmp_path / "meta.parquet"), "--quiet",
            "--skip", "embeddings,labels,thumbnails"]  # fmt: skip
    message = "width outside 1..16384: 1 row rejected (kept in raw.rejected_generations) (e.g. row 7: -512)"
    strict = CliRunner().invoke(main, [*args, "--strict", "--db", str(tmp_path / "s.duckdb")])
    assert strict.exit_code == 1
    assert "build failed at step 'ingest': --strict refuses this input: " + message in strict.output
    assert "Traceback" not in strict.output and not (tmp_path / "s.duckdb").exists()
    built = CliRunner().invoke(main, [*args, "--db", str(tmp_path / "w.duckdb")])
    assert built.exit_code == 0, built.output
    status = CliRunner().invoke(main, ["status", "--db", str(tmp_path / "w.duckdb")])
    assert message in status.output and "50 (rejected 1, simulated timestamps 0)" in status.output
