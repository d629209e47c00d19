"""The build as partitioned Dagster assets: the graph loads, and materializing it for the sample gives
the warehouse `genai-analyzer build` gives (same rows, sessions, telemetry, labels)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from genai_analyzer.core.errors import BuildError
from genai_analyzer.core.settings import Settings
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from tests.postgres_server import postgres  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow  # Dagster materializations in subprocesses and `dagster dev`

dg = pytest.importorskip("dagster", reason="the orchestration extra is not installed: pip install -e .[dev]")

SAMPLE = {"GENAI_SAMPLE_GENERATIONS": "1500", "GENAI_SAMPLE_USERS": "60", "GENAI_SAMPLE_DAYS": "10"}


@pytest.fixture(scope="module")
def pipeline_env(tmp_path_factory):
    """GENAI_* variables naming a 1,500-generation sample (two DiffusionDB parts) and a storage root."""
    tmp = tmp_path_factory.mktemp("dagster")
    env = {
        **SAMPLE,
        "GENAI_DATA_DIR": str(tmp / "data"),
        "GENAI_DB": str(tmp / "dagster" / "warehouse.duckdb"),
        "GENAI_PIPELINE_STORAGE": str(tmp / "pipeline"),
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the multiprocess executor's step processes inherit them
    yield tmp
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def materialized(pipeline_env):
    """Every asset materialized: one partition on the multiprocess executor (as `dagster dev` runs
    it), the other in-process, then the warehouse job; returns (definitions, step process ids)."""
    from genai_analyzer.pipeline.orchestration.definitions import WAREHOUSE_JOB, defs, partitions_job

    definitions = defs()
    (pipeline_env / "dagster_home").mkdir()
    with dg.instance_for_test(temp_dir=str(pipeline_env / "dagster_home")) as instance:
        source = definitions.resolve_implicit_global_asset_job_def().get_subset(
            asset_selection={dg.AssetKey("source")}
        )
        assert source.execute_in_process(instance=instance).success
        first, second = definitions.resolve_job_def("build_partitions").partitions_def.get_partition_keys()
        with dg.execute_job(
            dg.reconstructable(partitions_job), instance=instance, tags={"dagster/partition": first}
        ) as result:
            assert result.success
            pids = {
                e.step_key: e.pid for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_START
            }
        assert partitions_job().execute_in_process(partition_key=second, instance=instance).success
        assert definitions.resolve_job_def(WAREHOUSE_JOB).execute_in_process(instance=instance).success
    return definitions, pids


@pytest.fixture(scope="module")
def reference(pipeline_env):
    """The same sample built by `genai-analyzer build`, with the enrichment steps the asset graph
    has (not yet the image embeddings: docs/images.md)."""
    settings = Settings.from_env(
        environ=SAMPLE, data_dir=pipeline_env / "data", db_path=pipeline_env / "ref.duckdb"
    )
    steps = ("embeddings", "labels", "thumbnails")
    build_warehouse(settings, BuildRequest(source="sample", enrich=steps), progress=False)
    return settings.db_path


def test_the_asset_graph_has_every_step_and_dbt_model_partitioned_by_diffusiondb_part(pipeline_env):
    from genai_analyzer.pipeline.orchestration.definitions import defs

    definitions = defs()
    graph = definitions.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    steps = {"parts/generations", "parts/embeddings", "parts/labels", "parts/thumbnails"}
    staging = {"raw/generations", "raw/sessionized", "raw/users", "raw/telemetry", "enrich/prompt_embeddings"}
    models = {"stg_generations", "fact_generations", "dim_users", "dim_sessions", "dim_prompts", "dim_date"}
    assert steps | staging | models | {"source", "warehouse"} <= keys
    for step in steps:
        partitions = graph.get(dg.AssetKey.from_user_string(step)).partitions_def
        assert partitions.get_partition_keys() == ["part-000001", "part-000002"]
    assert graph.get(dg.AssetKey(["raw", "sessionized"])).partitions_def is None  # users span parts
    # dbt models read the staging assets: the lineage runs from the parts to the marts
    assert dg.AssetKey(["raw", "telemetry"]) in graph.get(dg.AssetKey("stg_generations")).parent_keys
    assert graph.get(dg.AssetKey("fact_generations")).check_keys  # dbt data tests as asset checks


def test_the_warehouse_needs_every_partition_first(tmp_path):
    from genai_analyzer.pipeline.orchestration.layout import Pipeline

    pipeline = Pipeline.from_settings(Settings.from_env(environ={"GENAI_PIPELINE_STORAGE": str(tmp_path)}))
    with pytest.raises(BuildError, match="2 partition\\(s\\) of parts/generations are not materialized"):
        pipeline.part_files("generations", ["part-000001", "part-000002"])


def test_an_unknown_pipeline_source_is_refused_with_the_variable_named():
    from genai_analyzer.pipeline.orchestration.layout import Pipeline

    with pytest.raises(BuildError, match="GENAI_PIPELINE_SOURCE='hub'"):
        Pipeline.from_settings(Settings.from_env(environ={"GENAI_PIPELINE_SOURCE": "hub"}))
    with pytest.raises(BuildError, match="needs GENAI_PIPELINE_PATH"):
        Pipeline.from_settings(Settings.from_env(environ={"GENAI_PIPELINE_SOURCE": "diffusiondb"}))


def test_a_partition_runs_its_steps_in_separate_processes_on_the_multiprocess_executor(materialized):
    _, pids = materialized
    assert {"parts__generations", "parts__embeddings", "parts__labels", "parts__thumbnails"} <= set(pids)
    assert os.getpid() not in pids.values()
    assert len(set(pids.values())) == len(pids)  # each step in its own process


def test_materializing_the_graph_gives_the_warehouse_the_build_gives(materialized, reference):
    built = Path(os.environ["GENAI_DB"])
    with (
        duckdb.connect(str(reference), read_only=True) as ref,
        duckdb.connect(str(built), read_only=True) as dag,
    ):
        for table in ("fact_generations", "dim_users", "dim_sessions", "dim_prompts", "dim_date"):
            count = f"SELECT count(*) FROM {table}"
            assert dag.execute(count).fetchone() == ref.execute(count).fetchone(), table
        for sql in (
            # sessions need all of a user's rows, across parts: the same sessions
            "SELECT session_id, user_id, count(*) FROM fact_generations GROUP BY ALL ORDER BY ALL",
            # the same simulated telemetry, seeded per row
            "SELECT generation_id, status, error_code, latency_ms, cost_usd FROM fact_generations ORDER BY 1",
            "SELECT * FROM dim_users ORDER BY user_id",
            # labels made per part from per-part embeddings match those made in one go
            "SELECT prompt_id, domain, art_style, complexity_score FROM dim_prompts ORDER BY 1",
        ):
            assert dag.execute(sql).fetchall() == ref.execute(sql).fetchall(), sql
        info = (
            "SELECT key, value FROM build_info WHERE key IN ('ingest', 'simulated_columns', 'dbt', 'indexes')"
        )
        assert dict(dag.execute(info).fetchall()) == dict(ref.execute(info).fetchall())
        vectors = "SELECT text_embedding FROM dim_prompts ORDER BY prompt_id"
        drift = np.abs(np.array(dag.execute(vectors).fetchall()) - np.array(ref.execute(vectors).fetchall()))
        assert drift.max() < 1e-5  # embedded per part, in other batches: the same vectors to float noise
        thumbs = "SELECT count(thumb_path) FROM fact_generations"
        assert dag.execute(thumbs).fetchone() == ref.execute(thumbs).fetchone()


def test_the_steps_that_write_the_staging_file_follow_one_another_in_the_graph(pipeline_env):
    """On executors with no concurrency limits (Celery), the graph alone must keep two writers of
    the staging DuckDB file from running at once: each pair must be ordered by lineage."""
    from genai_analyzer.pipeline.orchestration.assets import WRITES_STAGING
    from genai_analyzer.pipeline.orchestration.definitions import defs

    definitions = defs()
    graph = definitions.resolve_asset_graph()
    writers: dict[str, set] = {}  # op -> its asset keys (a multi-asset op runs as one step)
    for key in graph.get_all_asset_keys():
        assets_def = definitions.resolve_assets_def(key)
        if not assets_def.is_executable:  # a dbt source no asset makes here (clusters, NSFW scores)
            continue
        op = assets_def.op
        if all(op.tags.get(k) == v for k, v in WRITES_STAGING.items()):
            writers.setdefault(op.name, set()).add(key)
    assert len(writers) >= 5  # raw generations, sessions, telemetry, enrichment tables, dbt
    # a step starts once everything upstream of any of its assets is done
    upstream = {
        op: set().union(*(graph.get_ancestor_asset_keys(k) for k in keys)) for op, keys in writers.items()
    }
    ops = sorted(writers)
    for i, a in enumerate(ops):
        for b in ops[i + 1 :]:
            ordered = writers[a] & upstream[b] or writers[b] & upstream[a]
            assert ordered, f"{a} and {b} could run at once"


def test_the_executor_setting_picks_an_executor_or_says_what_to_install(monkeypatch):
    import sys

    from genai_analyzer.core.errors import SettingsError
    from genai_analyzer.pipeline.orchestration.definitions import executor

    assert executor("multiprocess").name == "multiprocess"
    monkeypatch.setitem(sys.modules, "dagster_k8s", None)  # not installed
    with pytest.raises(BuildError, match="GENAI_PIPELINE_EXECUTOR=k8s needs dagster-k8s.*pip install"):
        executor("k8s")
    with pytest.raises(SettingsError, match="GENAI_PIPELINE_EXECUTOR='ray'"):
        Settings.from_env(environ={"GENAI_PIPELINE_EXECUTOR": "ray"})


def test_dagster_dev_serves_the_asset_graph(pipeline_env, tmp_path):
    """`dagster dev -m genai_analyzer.pipeline.orchestration`, as docs/orchestration.md says to run it: its
    GraphQL API lists the assets, the partitioned ones with the sample's parts."""
    import json
    import signal
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    command = [
        "dagster",
        "dev",
        "-m",
        "genai_analyzer.pipeline.orchestration",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    proc = subprocess.Popen(
        command,
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    query = "{ assetNodes { assetKey { path } isPartitioned partitionKeys } }"
    try:
        deadline, nodes = time.monotonic() + 180, None
        while nodes is None:
            assert proc.poll() is None, "dagster dev exited"
            assert time.monotonic() < deadline, "dagster dev did not answer in 3 minutes"
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=json.dumps({"query": query}).encode(),
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=10) as response:
                    nodes = json.load(response)["data"]["assetNodes"]
            except (OSError, KeyError, TypeError):
                time.sleep(2)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes}
    assert {"source", "parts/generations", "raw/sessionized", "fact_generations", "warehouse"} <= set(by_key)
    assert by_key["parts/embeddings"]["partitionKeys"] == ["part-000001", "part-000002"]
    assert not by_key["raw/sessionized"]["isPartitioned"]


def test_the_warehouse_asset_publishes_into_a_ducklake_when_that_is_the_target(
    materialized,
    postgres,  # noqa: F811
    pipeline_env,
    monkeypatch,
):
    from genai_analyzer.warehouse.reader import Warehouse
    from tests.postgres_server import create_database

    definitions, _ = materialized
    lake_env = {
        "GENAI_WAREHOUSE_TARGET": "ducklake",
        "GENAI_DUCKLAKE_CATALOG": create_database(postgres, "dagster_lake"),
        "GENAI_DUCKLAKE_DATA_PATH": str(pipeline_env / "lake"),
        "GENAI_DB": str(pipeline_env / "lake_build" / "warehouse.duckdb"),
    }
    for key, value in lake_env.items():
        monkeypatch.setenv(key, value)
    job = definitions.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection={dg.AssetKey("warehouse")}
    )
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
    snapshot = result.asset_materializations_for_node("warehouse")[0].metadata["lake_snapshot"].value
    assert snapshot is not None and snapshot >= 1
    file_db = duckdb.connect(str(pipeline_env / "dagster" / "warehouse.duckdb"), read_only=True)
    with Warehouse.from_settings(Settings.from_env()) as lake, file_db:
        assert lake.lake.snapshot == snapshot
        for table in ("fact_generations", "dim_sessions", "dim_prompts"):
            count = f"SELECT count(*) FROM {table}"
            assert lake.scalar(count) == file_db.execute(count).fetchone()[0] > 0, table


# --- the warehouse asset under the build lock; the partitions' rejected rows kept -----------------


@contextlib.contextmanager
def environment(values: dict):
    """``values`` in os.environ for the duration (the multiprocess executor's steps inherit them)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _faulty_logs(folder: Path) -> Path:
    """Two daily log files (two partitions), each with faults: an unknown status in both, a text
    latency and an unparseable timestamp in the first, an unknown tier in the second, and a
    generation id of the first file again in the second (no partition alone can see it)."""
    folder.mkdir(parents=True)
    prompts = ["a red fox in the snow", "city at night, neon", "portrait of an old sailor", "a bowl of ramen"]
    for day, faults in (
        (1, {5: ("status", "exploded"), 7: ("latency_ms", "fast"), 9: ("timestamp", "yesterday-ish")}),
        (2, {3: ("status", "exploded"), 4: ("tier", "platinum"), 10: ("generation_id", "g1-2")}),
    ):
        logs = pd.DataFrame(
            {
                "generation_id": [f"g{day}-{i}" for i in range(60)],
                "user_id": [f"user{i % 7}" for i in range(60)],
                "timestamp": [f"2025-10-0{day}T{8 + i // 6:02d}:{(i % 6) * 9:02d}:00Z" for i in range(60)],
                "prompt": [prompts[i % 4] for i in range(60)],
                "status": "success",
                "tier": "pro",
                "latency_ms": [str(1500 + i) for i in range(60)],
            }
        ).astype(object)
        for row, (column, value) in faults.items():
            logs.loc[row, column] = value
        logs.to_csv(folder / f"day{day}.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def faulty_pipeline(tmp_path_factory):
    """The faulty logs materialized through every asset (one run per partition, then the warehouse
    job, in-process); returns the GENAI_* environment it ran under."""
    tmp = tmp_path_factory.mktemp("dagster_faults")
    env = {
        "GENAI_PIPELINE_SOURCE": "logs",
        "GENAI_PIPELINE_PATH": str(_faulty_logs(tmp / "logs")),
        "GENAI_PIPELINE_STORAGE": str(tmp / "pipeline"),
        "GENAI_DATA_DIR": str(tmp / "data"),
        "GENAI_DB": str(tmp / "dagster" / "warehouse.duckdb"),
    }
    with environment(env):
        from genai_analyzer.pipeline.orchestration.definitions import WAREHOUSE_JOB, defs, partitions_job

        definitions = defs()
        (tmp / "home").mkdir()
        with dg.instance_for_test(temp_dir=str(tmp / "home")) as instance:
            source = definitions.resolve_implicit_global_asset_job_def().get_subset(
                asset_selection={dg.AssetKey("source")}
            )
            assert source.execute_in_process(instance=instance).success
            keys = definitions.resolve_job_def("build_partitions").partitions_def.get_partition_keys()
            assert keys == ["day1.csv", "day2.csv"]
            for key in keys:
                assert partitions_job().execute_in_process(partition_key=key, instance=instance).success
            assert definitions.resolve_job_def(WAREHOUSE_JOB).execute_in_process(instance=instance).success
    return env


def test_partitions_rejected_rows_reach_the_warehouse_and_its_report_as_a_build_reports_them(
    faulty_pipeline, tmp_path
):
    from genai_analyzer.analysis.status import format_status, warehouse_status
    from genai_analyzer.warehouse.reader import Warehouse

    target = Path(faulty_pipeline["GENAI_DB"])
    with Warehouse(target, extensions=()) as wh:
        ingest = wh.build_info()["ingest"]
        rejected = wh.query(
            "SELECT partition, source_row, reasons FROM raw.rejected_generations ORDER BY 1, 2"
        )
        issues = wh.query("SELECT partition, kind, action FROM raw.ingest_issues ORDER BY 1, 2")
        built = wh.scalar("SELECT count(*) FROM fact_generations")
    # every rejected row, as read with its reasons and the partition it came from
    assert list(rejected.itertuples(index=False, name=None)) == [
        ("day1.csv", 5, "status_unknown"),
        ("day1.csv", 7, "src_latency_ms_not_a_number"),
        ("day2.csv", 3, "status_unknown"),
        ("day2.csv", 4, "tier_unknown"),
        ("day2.csv", 10, "duplicate_key"),  # found when the partitions met
    ]
    assert ("day1.csv", "timestamp_unparseable", "flagged") in set(issues.itertuples(index=False, name=None))
    # the merged report: the counts add up, one entry per kind, its examples naming the partition
    assert ingest["rows_read"] == 120 == built + ingest["rows_rejected"]
    assert ingest["rows_rejected"] == 5 and ingest["timestamps_simulated"] == 1
    by_kind = {issue["kind"]: issue for issue in ingest["issues"]}
    assert {kind: issue["count"] for kind, issue in by_kind.items()} == {
        "status_unknown": 2,
        "src_latency_ms_not_a_number": 1,
        "timestamp_unparseable": 1,
        "tier_unknown": 1,
        "duplicate_key": 1,
    }
    assert "day2.csv: row 10: first at day1.csv row 2" in by_kind["duplicate_key"]["message"]
    status = by_kind["status_unknown"]
    assert status["partitions"] == ["day1.csv", "day2.csv"]
    assert status["message"].startswith(
        "status not one of success, error, timeout, nsfw_blocked: 2 rows rejected"
    )
    assert "day1.csv: row 5" in status["message"] and "day2.csv: row 3" in status["message"]
    # `genai-analyzer status` shows them, as after a build
    shown = format_status(warehouse_status(target))
    assert all(issue["message"] in shown for issue in ingest["issues"])
    # and `genai-analyzer build` of the same folder reports the same problems with the same counts
    settings = Settings.from_env(environ={}, db_path=tmp_path / "ref.duckdb", data_dir=tmp_path / "data")
    summary = build_warehouse(
        settings,
        BuildRequest(source="logs", path=Path(faulty_pipeline["GENAI_PIPELINE_PATH"]), enrich=()),
        progress=False,
    )
    reference = {issue["kind"]: issue["count"] for issue in summary.ingest["issues"]}
    assert reference == {kind: issue["count"] for kind, issue in by_kind.items()}
    for key in ("rows_read", "rows_rejected", "timestamps_simulated"):
        assert summary.ingest[key] == ingest[key], key


def test_the_warehouse_asset_takes_the_build_lock_and_removes_dead_builds_leftovers(faulty_pipeline):
    from genai_analyzer.pipeline.build_lock import BuildLock
    from genai_analyzer.pipeline.orchestration.definitions import defs

    target = Path(faulty_pipeline["GENAI_DB"])
    with environment(faulty_pipeline):
        warehouse_only = (
            defs()
            .resolve_implicit_global_asset_job_def()
            .get_subset(asset_selection={dg.AssetKey("warehouse")})
        )
        before = target.stat().st_mtime_ns
        # a build holding the lock: the asset stops at once, naming it, and leaves the warehouse be
        with BuildLock(target):
            started = time.monotonic()
            result = warehouse_only.execute_in_process(raise_on_error=False)
            assert not result.success
            failure = next(e for e in result.all_events if e.is_step_failure)
            message = failure.event_specific_data.error.to_string()
            assert "another build is writing" in message and f"pid {os.getpid()}" in message, message
        assert target.stat().st_mtime_ns == before
        assert time.monotonic() - started < 60
        # a dead build's leftovers: removed by the next run, which reports them
        dead = subprocess.run(
            [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
        )
        leftover = target.with_name(f"{target.stem}_building_{int(dead.stdout)}.duckdb")
        leftover.write_bytes(b"half a build")
        result = warehouse_only.execute_in_process()
        assert result.success
        metadata = result.get_asset_materialization_events()[0].materialization.metadata
        assert metadata["leftovers_removed"].value == [leftover.name]
        assert not leftover.exists()
        assert sorted(p.name for p in target.parent.iterdir() if p.name.endswith(".lock")) == []
