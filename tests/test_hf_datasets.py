"""Hugging Face datasets in and out: --source hf reads a save_to_disk folder or Parquet through the
logs column contract; genai-analyzer export writes the enriched, filtered generations back out.

The hub itself cannot be reached from here: a hub id is tried against an address that refuses
connections, or with HF_HUB_OFFLINE set, and must fail at once with a message saying what to do.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import datasets
import pandas as pd
import pytest
from click.testing import CliRunner

from genai_analyzer.api.endpoints import Api
from genai_analyzer.cli import main
from genai_analyzer.core.errors import BuildError, IngestError
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.pipeline.ingest.hf import hub_unreachable, ingest_hf
from genai_analyzer.pipeline.ingest.logs import parse_columns
from genai_analyzer.warehouse.duck import connect
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings, shared_path

NO_ENRICH = "embeddings,labels,thumbnails"


def real_rows(n: int = 120) -> pd.DataFrame:
    return pd.read_parquet(shared_path("users_1k", "diffusiondb_sample_typed.parquet")).head(n)


def generation_dataset(n: int = 120) -> datasets.Dataset:
    """Real DiffusionDB prompts, users and times under a dataset's own column names, with an
    outcome as a ClassLabel (stored as integers, read as names)."""
    real = real_rows(n)
    features = datasets.Features(
        {
            "text": datasets.Value("string"),
            "author": datasets.Value("string"),
            "created": datasets.Value("timestamp[us, tz=UTC]"),
            "outcome": datasets.ClassLabel(names=["success", "error"]),
            "steps": datasets.Value("int32"),
        }
    )
    return datasets.Dataset.from_dict(
        {
            "text": list(real["prompt"]),
            "author": list(real["user_name"].str[:12]),
            "created": list(real["timestamp"]),
            "outcome": [1 if i % 10 == 0 else 0 for i in range(n)],
            "steps": [int(s) for s in real["step"]],
        },
        features=features,
    )


MAPPING = {"prompt": "text", "user_id": "author", "timestamp": "created", "status": "outcome"}


@pytest.fixture
def con():
    con = connect(":memory:", extensions=())
    yield con
    con.close()


def _build_from_export(runner, out, db, tmp_path):
    """`genai-analyzer build --source hf` from an export folder, without enrichment."""
    args = ["build", "--source", "hf", "--dataset", str(out), "--skip", NO_ENRICH, "--quiet", "--db", str(db)]
    return runner.invoke(main, args, env={"GENAI_DATA_DIR": str(tmp_path / "data")})


def test_save_to_disk_folder_is_read_through_the_contract_with_a_column_mapping(con, tmp_path):
    ds = generation_dataset()
    ds.save_to_disk(str(tmp_path / "gens"))
    report = ingest_hf(con, str(tmp_path / "gens"), columns=MAPPING)
    assert report.source == "hf" and report.rows == len(ds)
    assert {"prompt", "user_name", "created_at", "src_status", "step"} <= set(report.provided_columns)
    rows = con.execute("SELECT * FROM raw.generations ORDER BY source_row").df()
    assert list(rows["prompt"]) == ds["text"]
    assert list(rows["user_name"]) == ds["author"]
    assert list(rows["src_status"]) == ["error" if i % 10 == 0 else "success" for i in range(len(ds))]
    assert list(rows["step"]) == ds["steps"]  # `steps` is the contract's alias of step
    assert (rows["created_at"] == pd.Series(ds["created"])).all()
    assert set(rows["source"]) == {"hf"}


def test_parquet_file_folder_and_split_read_the_same_rows(con, tmp_path):
    ds = generation_dataset(60)
    ds.to_parquet(str(tmp_path / "one.parquet"))
    ds.to_parquet(str(tmp_path / "hub" / "data" / "train-00000-of-00001.parquet"))
    ds.select(range(25)).to_parquet(str(tmp_path / "hub" / "data" / "test-00000-of-00001.parquet"))
    for where, split, n in [("one.parquet", None, 60), ("hub", None, 60), ("hub", "test", 25)]:
        report = ingest_hf(con, str(tmp_path / where), split=split, columns=MAPPING)
        assert report.rows == n, where
        prompts = [
            r[0] for r in con.execute("SELECT prompt FROM raw.generations ORDER BY source_row").fetchall()
        ]
        assert prompts == ds["text"][:n]
    with pytest.raises(IngestError, match="no split 'validation'; its splits: .*train"):
        ingest_hf(con, str(tmp_path / "hub"), split="validation", columns=MAPPING)


def test_missing_required_columns_name_them_and_the_columns_found(con, tmp_path):
    generation_dataset(10).save_to_disk(str(tmp_path / "gens"))
    with pytest.raises(IngestError) as missing:
        ingest_hf(con, str(tmp_path / "gens"))
    message = str(missing.value)
    assert "required column(s) prompt" in message
    assert "found: author, created, outcome, step, text" in message  # steps read as its alias
    assert "--columns" in message
    with pytest.raises(
        IngestError, match="have no column body; found: author, created, outcome, steps, text"
    ):
        ingest_hf(con, str(tmp_path / "gens"), columns={"prompt": "body"})
    with pytest.raises(IngestError, match="promt, not in the column contract"):
        ingest_hf(con, str(tmp_path / "gens"), columns={"promt": "text"})
    with pytest.raises(IngestError, match="contract=column pairs"):
        parse_columns("prompt")


def test_logs_take_the_same_column_mapping(con, tmp_path):
    from genai_analyzer.pipeline.ingest.logs import ingest_logs

    real = real_rows(30)
    pd.DataFrame({"body": real["prompt"], "who": real["user_name"], "at": real["timestamp"]}).to_parquet(
        tmp_path / "logs.parquet"
    )
    report = ingest_logs(
        con, tmp_path / "logs.parquet", columns=parse_columns("prompt=body,user_id=who,timestamp=at")
    )
    assert report.rows == 30 and report.source == "logs"
    rows = con.execute("SELECT prompt, user_name FROM raw.generations ORDER BY source_row").df()
    assert list(rows["prompt"]) == list(real["prompt"]) and list(rows["user_name"]) == list(real["user_name"])


def test_a_mapped_column_replaces_a_contract_column_of_the_same_name(con, tmp_path):
    """prompt=caption while the dataset also has a `prompt` column: the mapping wins."""
    datasets.Dataset.from_dict(
        {"prompt": ["short", "tiny"], "caption": ["a long caption", "another"]}
    ).save_to_disk(str(tmp_path / "d"))
    ingest_hf(con, str(tmp_path / "d"), columns={"prompt": "caption"})
    assert [
        r[0] for r in con.execute("SELECT prompt FROM raw.generations ORDER BY source_row").fetchall()
    ] == [
        "a long caption",
        "another",
    ]


def test_a_prompts_only_dataset_is_simulated_like_any_source_without_telemetry_and_says_so(tmp_path):
    prompts = list(real_rows(80)["prompt"])
    datasets.Dataset.from_dict({"text": prompts}).save_to_disk(str(tmp_path / "prompts"))
    db = tmp_path / "w.duckdb"
    env_settings = make_settings(tmp_path)
    result = CliRunner().invoke(
        main,
        ["build", "--source", "hf", "--dataset", str(tmp_path / "prompts"), "--columns", "prompt=text"]
        + ["--skip", NO_ENRICH, "--quiet", "--db", str(db)],
        env={"GENAI_DATA_DIR": str(env_settings.data_dir)},
    )
    assert result.exit_code == 0, result.output
    assert "from hf:" in result.output
    assert "note: no user column: each generation is a session of the 'unknown' user" in result.output
    assert "note: no timestamp column: every timestamp simulated" in result.output
    assert "simulated (rows): created_at 80, tier 1, signup_at 1, status 80" in result.output
    with Warehouse(db) as wh:
        assert wh.scalar("SELECT count(*) FROM fact_generations") == 80
        assert wh.scalar("SELECT count(*) FROM dim_sessions") == 80  # one session per unknown row
        assert wh.build_info()["simulated_columns"]["created_at"] == 80
        assert sorted(wh.query("SELECT prompt FROM dim_prompts")["prompt"]) == sorted(set(prompts))


def test_build_options_are_checked_before_anything_runs(tmp_path):
    with pytest.raises(BuildError, match="--source hf needs --dataset"):
        build_warehouse(make_settings(tmp_path), BuildRequest(source="hf", enrich=()), progress=False)
    result = CliRunner().invoke(main, ["build", "--source", "sample", "--columns", "prompt=text"])
    assert result.exit_code == 2 and "--columns goes with --source logs or --source hf" in result.output
    result = CliRunner().invoke(main, ["build", "--dataset", "x/y"])
    assert result.exit_code == 2 and "--dataset and --split go with --source hf" in result.output
    with pytest.raises(IngestError, match="neither a local path nor a hub id"):
        ingest_hf(connect(":memory:", extensions=()), "./not/here")


def _cli(args: list[str], **env: str) -> tuple[subprocess.CompletedProcess, float]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "genai_analyzer.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**environ, **env},
    )
    return done, time.perf_counter() - started


@pytest.mark.parametrize(
    "env, says",
    [
        # the hub's address refuses connections: the probe answers at once
        (
            {"HF_ENDPOINT": "http://127.0.0.1:9"},
            "the Hugging Face Hub at http://127.0.0.1:9 cannot be reached",
        ),
        # offline mode: only datasets' cache is read, and it holds nothing
        pytest.param(
            {"HF_HUB_OFFLINE": "1"},
            "HF_HUB_OFFLINE is set: only a copy in the datasets cache is read",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_hub_id_offline_fails_at_once_with_what_to_do(tmp_path, env, says):
    args = ["build", "--source", "hf", "--dataset", "someone/prompts", "--quiet", "--skip", NO_ENRICH]
    done, seconds = _cli([*args, "--db", str(tmp_path / "w.duckdb")], HF_HOME=str(tmp_path / "hf"), **env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "error: build failed at step 'ingest': Cannot load the hub dataset someone/prompts" in done.stderr
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert seconds < 30  # no retries against an unreachable hub (datasets' own take 20 s and more)
    assert not (tmp_path / "w.duckdb").exists()


@pytest.fixture
def silent_hub():
    """An address that takes connections and never answers: a hub behind a dead proxy."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def test_the_hub_probe_gives_up_within_its_timeout(silent_hub):
    started = time.perf_counter()
    reason = hub_unreachable(silent_hub, timeout=0.5)
    assert reason and "Timeout" in reason
    assert time.perf_counter() - started < 1.5
    assert "Connection refused" in hub_unreachable("http://127.0.0.1:9", timeout=0.5)


@pytest.mark.slow
def test_a_hub_that_does_not_answer_fails_the_build_after_the_probe(tmp_path, silent_hub):
    args = ["build", "--source", "hf", "--dataset", "someone/prompts", "--quiet", "--skip", NO_ENRICH]
    done, seconds = _cli([*args, "--db", str(tmp_path / "w.duckdb")], HF_ENDPOINT=silent_hub)
    assert done.returncode == 1 and f"the Hugging Face Hub at {silent_hub} cannot be reached" in done.stderr
    assert seconds < 30


def test_export_frame_is_the_enriched_filtered_generations(sample_warehouse):
    with Warehouse(sample_warehouse) as wh:
        api = Api(wh)
        everything = api.export_frame(api.filters())
        pro = api.export_frame(api.filters(tiers=["pro"], statuses=["success"]))
        assert len(everything) == wh.scalar("SELECT count(*) FROM fact_generations")
        assert len(pro) == wh.scalar(
            "SELECT count(*) FROM fact_generations JOIN dim_users USING (user_id) "
            "WHERE tier = 'pro' AND status = 'success'"
        )
    assert set(pro["tier"]) == {"pro"} and set(pro["status"]) == {"success"}
    assert everything["timestamp"].is_monotonic_increasing
    for column in ("prompt", "session_id", "tier", "status", "latency_ms", "cost_usd", "domain", "art_style"):
        assert everything[column].notna().all(), column
    assert everything["generation_id"].is_unique
    assert everything.attrs["types"]["latency_ms"] == "BIGINT"


def test_export_then_build_again_from_the_folder_gives_the_same_counts(sample_warehouse, tmp_path):
    out = tmp_path / "export"
    runner = CliRunner()
    exported = runner.invoke(main, ["export", "--db", str(sample_warehouse), "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    with Warehouse(sample_warehouse) as wh:
        n = wh.scalar("SELECT count(*) FROM fact_generations")
        counts = _counts(wh)
    assert f"exported {n:,} generations (all generations) to {out}" in exported.output
    assert (out / "dataset" / "state.json").exists() and (out / "parquet" / "generations.parquet").exists()
    assert "path: parquet/generations.parquet" in (out / "README.md").read_text()  # the hub's split
    assert datasets.load_from_disk(str(out / "dataset")).num_rows == n
    assert pd.read_parquet(out / "parquet" / "generations.parquet").shape[0] == n

    again = runner.invoke(main, ["export", "--db", str(sample_warehouse), "--out", str(out)])
    assert again.exit_code == 1 and "add --overwrite" in again.output

    rebuilt = tmp_path / "rebuilt.duckdb"
    built = _build_from_export(runner, out, rebuilt, tmp_path)
    assert built.exit_code == 0, built.output
    simulated = next(line for line in built.output.splitlines() if "simulated (rows)" in line)
    for column in ("created_at", "status", "latency_ms", "cost_usd"):  # came with the export
        assert column not in simulated, simulated
    with Warehouse(rebuilt) as wh:
        assert _counts(wh) == counts


@pytest.mark.slow
def test_a_filtered_export_in_datasets_format_builds_the_filtered_rows(sample_warehouse, tmp_path):
    out = tmp_path / "pro"
    runner = CliRunner()
    args = [
        "export",
        "--db",
        str(sample_warehouse),
        "--out",
        str(out),
        "--format",
        "datasets",
        "--tier",
        "pro",
    ]
    exported = runner.invoke(main, args)
    assert exported.exit_code == 0, exported.output
    assert not (out / "parquet").exists() and (out / "dataset" / "state.json").exists()
    with Warehouse(sample_warehouse) as wh:
        n = wh.scalar(
            "SELECT count(*) FROM fact_generations JOIN dim_users USING (user_id) WHERE tier = 'pro'"
        )
    assert f"exported {n:,} generations (tier pro)" in exported.output
    rebuilt = tmp_path / "pro.duckdb"
    built = _build_from_export(runner, out, rebuilt, tmp_path)
    assert built.exit_code == 0, built.output
    with Warehouse(rebuilt) as wh:
        assert wh.scalar("SELECT count(*) FROM fact_generations") == n
        assert wh.scalar("SELECT string_agg(DISTINCT tier) FROM dim_users") == "pro"


def _counts(wh: Warehouse) -> dict:
    return {
        "generations": wh.scalar("SELECT count(*) FROM fact_generations"),
        "users": wh.scalar("SELECT count(*) FROM dim_users"),
        "sessions": wh.scalar("SELECT count(*) FROM dim_sessions"),
        "prompts": wh.scalar("SELECT count(*) FROM dim_prompts"),
        "statuses": wh.rows("SELECT status, count(*) FROM fact_generations GROUP BY 1 ORDER BY 1"),
        "tiers": wh.rows("SELECT tier, count(*) FROM dim_users GROUP BY 1 ORDER BY 1"),
        "cost": round(wh.scalar("SELECT sum(cost_usd) FROM fact_generations"), 6),
    }


@pytest.mark.slow
def test_app_py_builds_with_genai_first_build_then_serves(tmp_path):
    """What a Space does with GENAI_FIRST_BUILD: the first start builds with those options (here a
    local dataset; on a Space, the hub's DiffusionDB), then serves that warehouse."""
    from pathlib import Path

    from gradio_client import Client

    datasets.Dataset.from_dict({"text": list(real_rows(50)["prompt"])}).save_to_disk(
        str(tmp_path / "prompts")
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    first_build = (
        f"--source hf --dataset {tmp_path / 'prompts'} --columns prompt=text --skip {NO_ENRICH} --quiet"
    )
    env = {
        **os.environ,
        "GENAI_FIRST_BUILD": first_build,
        "GENAI_DB": str(tmp_path / "space.duckdb"),
        "GENAI_DATA_DIR": str(tmp_path / "data"),
        "GRADIO_SERVER_PORT": str(port),
        "DO_NOT_TRACK": "1",
    }
    log = tmp_path / "app.log"
    root = Path(__file__).resolve().parents[1]
    with log.open("w") as out:
        app = subprocess.Popen([sys.executable, "app.py"], cwd=root, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                break
            except Exception:
                assert app.poll() is None, f"app.py exited:\n{log.read_text()[-3000:]}"
                assert time.monotonic() < deadline, f"app.py did not answer:\n{log.read_text()[-3000:]}"
                time.sleep(1)
        overview = client.predict(api_name="/overview")
        assert overview["generations"] == 50 and overview["source"] == "hf"
        assert "building with GENAI_FIRST_BUILD" in log.read_text()
        assert "building the embedded sample" not in log.read_text()
    finally:
        app.terminate()
        app.wait(timeout=30)
