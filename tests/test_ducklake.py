"""DuckLake as the warehouse target: the sample builds into a DuckLake on a local PostgreSQL server,
and the app (query layer, search, copilot, HTTP API, ``python app.py``) reads it as it reads the
file. Publishing is one transaction, older snapshots stay readable, and the copilot's runner stays
read-only on the lake."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from gradio_client import Client

from genai_analyzer.analysis import queries
from genai_analyzer.analysis.copilot.guard import QueryFailed, UnsafeQuery
from genai_analyzer.analysis.copilot.runner import SafeRunner
from genai_analyzer.analysis.search import search
from genai_analyzer.core.errors import SettingsError, WarehouseError
from genai_analyzer.core.settings import Settings
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.warehouse import ducklake
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings, serving
from tests.postgres_server import create_database, postgres  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow  # a throwaway PostgreSQL server and DuckLake builds

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def lake_settings(postgres, sample_settings, sample_warehouse, tmp_path_factory) -> Settings:  # noqa: F811
    """The embedded sample built into a fresh DuckLake. The build starts from a copy of the file
    warehouse built from the same sample, so that its embeddings are reused, not recomputed."""
    tmp = tmp_path_factory.mktemp("lake")
    settings = make_settings(
        tmp,
        data_dir=sample_settings.data_dir,
        warehouse_target="ducklake",
        ducklake_catalog=create_database(postgres, "genai_lake"),
        ducklake_data_path=str(tmp / "lake"),
    )
    settings.db_path.write_bytes(Path(sample_warehouse).read_bytes())
    summary = build_warehouse(settings, BuildRequest(source="sample"), progress=False)
    assert summary.lake_snapshot is not None
    return settings


@pytest.fixture(scope="module")
def lake_wh(lake_settings):
    with Warehouse.from_settings(lake_settings) as wh:
        yield wh


@pytest.fixture(scope="module")
def file_wh(sample_warehouse):
    with Warehouse(sample_warehouse) as wh:
        yield wh


def lake_state(settings: Settings) -> tuple[int, dict[str, str]]:
    """The lake's newest snapshot and the hash of every file under its data path."""
    lake = ducklake.LakeTarget.from_settings(settings)
    con = duckdb.connect()
    try:
        ducklake.attach(con, lake, "lake")
        snapshot = ducklake.current_snapshot(con, "lake")
    finally:
        con.close()
    files = {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(Path(lake.data_path).rglob("*"))
        if p.is_file()
    }
    return snapshot, files


# --- the build and the read side -------------------------------------------------------------


def test_the_sample_builds_into_a_ducklake_of_parquet_files(lake_settings, lake_wh):
    data = Path(lake_settings.ducklake_data_path)
    for table in ducklake.PUBLISHED_TABLES:
        assert list((data / "main" / table).glob("*.parquet")), f"no Parquet files for {table}"
    assert lake_wh.lake.snapshot >= 1
    assert lake_wh.build_info()["source"] == "sample"


def test_the_app_reads_the_same_figures_from_the_lake_as_from_the_file(lake_wh, file_wh):
    on_lake, on_file = queries.overview_figures(lake_wh), queries.overview_figures(file_wh)
    assert on_lake.pop("built_at") >= on_file.pop("built_at")  # two builds of the same sample
    assert on_lake == on_file
    assert queries.kpis(lake_wh) == queries.kpis(file_wh)
    for table in ducklake.MART_TABLES:
        count = f"SELECT count(*) FROM {table}"
        assert lake_wh.scalar(count) == file_wh.scalar(count) > 0


def test_search_on_the_lake_finds_what_it_finds_in_the_file(lake_wh, file_wh):
    for mode in ("semantic", "keyword", "hybrid"):
        on_lake = search(lake_wh, "a castle in the clouds", mode=mode, limit=10)
        on_file = search(file_wh, "a castle in the clouds", mode=mode, limit=10)
        assert len(on_lake) == 10
        assert on_lake["generation_id"].tolist() == on_file["generation_id"].tolist()
        assert on_lake["score"].tolist() == pytest.approx(on_file["score"].tolist(), rel=1e-5)


def test_the_lake_shows_its_tables_under_their_usual_names(lake_wh):
    tables = lake_wh.tables()
    assert {f"main.{t}" for t in ducklake.PUBLISHED_TABLES} <= set(tables)
    assert tables["main.dim_prompts"].count("text_embedding") == 1
    assert lake_wh.scalar("SELECT typeof(text_embedding) FROM dim_prompts LIMIT 1") == "FLOAT[384]"


def test_the_app_is_served_over_the_lake(lake_settings):
    lake = ducklake.LakeTarget.from_settings(lake_settings)
    with serving(lake_settings.db_path, lake=lake) as (wh, url):
        client = Client(url, verbose=False)
        assert client.predict(api_name="/overview")["generations"] == wh.scalar(
            "SELECT count(*) FROM fact_generations"
        )
        found = client.predict(query="portrait", mode="keyword", limit=5, api_name="/search")
        assert found and len(found) <= 5


def test_python_app_py_serves_the_lake_from_the_settings(lake_settings, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "GENAI_WAREHOUSE_TARGET": "ducklake",
        "GENAI_DUCKLAKE_CATALOG": lake_settings.ducklake_catalog,
        "GENAI_DB": str(tmp_path / "not-built-here.duckdb"),  # the lake holds a build: none is made
        "GRADIO_SERVER_PORT": str(port),
        "DO_NOT_TRACK": "1",
    }
    log = tmp_path / "app.log"
    with log.open("w") as out:
        app = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        url, deadline = f"http://127.0.0.1:{port}/", time.monotonic() + 180
        while True:
            try:
                client = Client(url, verbose=False)
                break
            except Exception:
                assert app.poll() is None, f"app.py exited:\n{log.read_text()[-3000:]}"
                assert time.monotonic() < deadline, f"app.py did not answer:\n{log.read_text()[-3000:]}"
                time.sleep(1)
        assert client.predict(api_name="/overview")["generations"] == 800
        assert "building the embedded sample" not in log.read_text()
        assert not (tmp_path / "not-built-here.duckdb").exists()
    finally:
        app.terminate()
        app.wait(timeout=30)


def test_the_cli_searches_the_lake(lake_settings, monkeypatch):
    from click.testing import CliRunner

    from genai_analyzer.cli import main

    monkeypatch.setenv("GENAI_WAREHOUSE_TARGET", "ducklake")
    monkeypatch.setenv("GENAI_DUCKLAKE_CATALOG", lake_settings.ducklake_catalog)
    result = CliRunner().invoke(
        main, ["search", "portrait", "--mode", "keyword", "--db", str(lake_settings.db_path)]
    )
    assert result.exit_code == 0, result.output
    assert "  1. " in result.output


# --- publishing: one transaction, snapshots, time travel -------------------------------------


@pytest.fixture
def empty_lake(postgres, tmp_path, request):  # noqa: F811
    name = "lake_" + hashlib.sha1(request.node.name.encode()).hexdigest()[:10]
    return ducklake.LakeTarget(create_database(postgres, name), str(tmp_path / "data") + "/")


def test_a_failed_publish_commits_nothing_and_the_previous_snapshot_stays(
    empty_lake, sample_warehouse, tmp_path
):
    first = ducklake.publish(sample_warehouse, empty_lake)
    broken = tmp_path / "broken.duckdb"  # a build without dim_date: publishing stops half-way
    broken.write_bytes(Path(sample_warehouse).read_bytes())
    con = duckdb.connect(str(broken))
    con.execute("DROP TABLE dim_date")
    con.execute("DELETE FROM dim_users")
    con.close()
    with pytest.raises(WarehouseError, match="nothing was committed.*no table dim_date"):
        ducklake.publish(broken, empty_lake)
    with Warehouse(tmp_path / "unused.duckdb", lake=empty_lake, extensions=()) as wh:
        assert wh.lake.snapshot == first
        assert wh.scalar("SELECT count(*) FROM dim_users") == 60


def test_an_older_snapshot_still_reads_the_earlier_build(empty_lake, sample_warehouse, tmp_path):
    first = ducklake.publish(sample_warehouse, empty_lake)
    smaller = tmp_path / "smaller.duckdb"
    smaller.write_bytes(Path(sample_warehouse).read_bytes())
    con = duckdb.connect(str(smaller))
    con.execute("DELETE FROM dim_users WHERE tier = 'free'")
    con.close()
    second = ducklake.publish(smaller, empty_lake)
    assert second > first
    with Warehouse(smaller, lake=empty_lake, extensions=()) as newest:
        assert newest.lake.snapshot == second
        assert newest.scalar("SELECT count(*) FROM dim_users WHERE tier = 'free'") == 0
    with Warehouse(smaller, lake=replace(empty_lake, snapshot=first), extensions=()) as earlier:
        assert earlier.scalar("SELECT count(*) FROM dim_users WHERE tier = 'free'") > 0


def test_an_open_warehouse_keeps_reading_its_snapshot_while_a_new_build_is_published(
    empty_lake, sample_warehouse, tmp_path
):
    ducklake.publish(sample_warehouse, empty_lake)
    with Warehouse(tmp_path / "unused.duckdb", lake=empty_lake, extensions=()) as wh:
        before = wh.scalar("SELECT count(*) FROM dim_users")
        smaller = tmp_path / "smaller.duckdb"
        smaller.write_bytes(Path(sample_warehouse).read_bytes())
        con = duckdb.connect(str(smaller))
        con.execute("DELETE FROM dim_users WHERE tier = 'free'")
        con.close()
        ducklake.publish(smaller, empty_lake)
        assert wh.scalar("SELECT count(*) FROM dim_users") == before


# --- the copilot's runner on the lake ----------------------------------------------------------


@pytest.fixture(scope="module")
def lake_runner(lake_settings, lake_wh):
    with SafeRunner(lake_settings.db_path, lake=lake_wh.lake, timeout_s=2.0, max_rows=50) as runner:
        yield runner


def test_the_copilot_answers_on_the_lake(lake_wh, file_wh):
    from genai_analyzer.analysis.copilot.core import Copilot

    on_lake, on_file = Copilot(lake_wh), Copilot(file_wh)
    try:
        lake_answer, file_answer = on_lake.ask("generations by tier"), on_file.ask("generations by tier")
    finally:
        on_lake.close()
        on_file.close()
    assert not lake_answer.refused
    assert lake_answer.rows == file_answer.rows


LAKE_ENGINE_REFUSES = [
    ("read-csv", "SELECT * FROM read_csv('/etc/passwd')", "disabled by configuration"),
    ("copy-to", "COPY (SELECT 1) TO '/tmp/genai-leak.csv'", "disabled by configuration"),
    ("attach-postgres", "ATTACH 'dbname=postgres' AS pg (TYPE postgres)", "disabled through configuration"),
    ("set", "SET enable_external_access = true", "configuration has been locked"),
    ("delete", "DELETE FROM dim_users", "read-only mode"),
    ("create-table", "CREATE TABLE evil AS SELECT 1", "read-only mode"),
    (
        "catalog-write",
        "DELETE FROM __ducklake_metadata_warehouse.public.ducklake_snapshot",
        "read-only mode",
    ),
    ("expire-snapshots", "CALL ducklake_expire_snapshots('warehouse', older_than => now())", "read-only"),
    ("persistent-secret", "CREATE PERSISTENT SECRET s (TYPE postgres, HOST 'x')", "disabled by"),
]


@pytest.mark.parametrize(
    ("sql", "reason"), [c[1:] for c in LAKE_ENGINE_REFUSES], ids=[c[0] for c in LAKE_ENGINE_REFUSES]
)
def test_the_lake_runner_refuses_what_slips_past_the_check(sql, reason, lake_runner, lake_settings):
    before = lake_state(lake_settings)
    with pytest.raises((UnsafeQuery, QueryFailed)) as refused:
        lake_runner._execute(sql)
    assert reason in str(refused.value)
    assert lake_state(lake_settings) == before


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM __ducklake_metadata_warehouse.public.ducklake_data_file",
        "SELECT * FROM warehouse.snapshots()",
        "SELECT * FROM ducklake_list_files('warehouse', 'dim_users')",
        "SELECT * FROM postgres_query('__ducklake_metadata_warehouse', 'SELECT 1')",
        "COPY (SELECT 1) TO '/tmp/genai-leak.csv'",
    ],
)
def test_the_statement_check_refuses_the_lakes_internals(sql, lake_runner):
    with pytest.raises(UnsafeQuery):
        lake_runner.run(sql)


def test_the_lake_runner_reads_only_its_snapshots_files(lake_runner, lake_settings):
    assert lake_runner.run("SELECT count(*) FROM fact_generations").rows == [[800]]
    allowed = lake_runner._execute(
        "SELECT current_setting('allowed_paths'), current_setting('allowed_directories')"
    ).rows[0]
    data = ducklake.LakeTarget.from_settings(lake_settings).data_path
    lake_files = sorted(p for p in allowed[0] if p.startswith(data))
    assert lake_files == sorted(str(p) for p in Path(data).rglob("*.parquet"))  # one snapshot: all of them
    assert allowed[1] == []  # no folder is open, not even the lake's
    settings = lake_runner._execute(
        "SELECT current_setting('enable_external_access'), current_setting('lock_configuration')"
    )
    assert settings.rows == [[False, True]]


# --- settings and errors ---------------------------------------------------------------------


def test_the_target_settings_are_checked_with_an_actionable_message():
    with pytest.raises(SettingsError, match="use 'file'.*or 'ducklake'"):
        Settings.from_env(environ={"GENAI_WAREHOUSE_TARGET": "lakehouse"})
    with pytest.raises(SettingsError, match="needs GENAI_DUCKLAKE_CATALOG"):
        Settings.from_env(environ={"GENAI_WAREHOUSE_TARGET": "ducklake"})
    with pytest.raises(SettingsError, match="must be PostgreSQL"):
        Settings.from_env(
            environ={"GENAI_WAREHOUSE_TARGET": "ducklake", "GENAI_DUCKLAKE_CATALOG": "sqlite:lake.db"}
        )
    settings = Settings.from_env(
        environ={"GENAI_WAREHOUSE_TARGET": "ducklake", "GENAI_DUCKLAKE_CATALOG": "postgres:dbname=genai"}
    )
    lake = ducklake.LakeTarget.from_settings(settings)
    assert lake.uri == "ducklake:postgres:dbname=genai"
    assert lake.data_path.endswith("/data/lake/") and Path(lake.data_path).is_absolute()
    assert ducklake.LakeTarget.from_settings(Settings.from_env(environ={})) is None


def test_an_unreachable_catalog_says_so_without_its_password(tmp_path):
    lake = ducklake.LakeTarget(f"host={tmp_path} port=5999 dbname=genai user=genai password=hunter2")
    with pytest.raises(WarehouseError, match="Cannot reach the DuckLake catalog") as failed:
        Warehouse(tmp_path / "unused.duckdb", lake=lake)
    assert "hunter2" not in str(failed.value) and "password=***" in str(failed.value)


def test_a_catalog_without_a_build_says_how_to_make_one(postgres, tmp_path):  # noqa: F811
    lake = ducklake.LakeTarget(create_database(postgres, "never_built"))
    assert ducklake.has_warehouse(lake) is False
    with pytest.raises(WarehouseError, match="holds no warehouse yet.*genai-analyzer build"):
        Warehouse(tmp_path / "unused.duckdb", lake=lake)
