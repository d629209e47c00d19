"""The full-quality tier in the background, for real: a warehouse embedded with the static tier
(a small static model made here from the bundled MiniLM), then MiniLM's vectors computed by the
job, stopped, killed, resumed and published; the tier search reports; the progress figures
against counts of the files and the warehouse; the app's worker while searches run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pytest

from genai_analyzer.analysis.embedding_job import full_tier_progress
from genai_analyzer.analysis.search import search
from genai_analyzer.analysis.status import format_status, warehouse_status
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app.overview import tier_outputs
from genai_analyzer.core import job_lock
from genai_analyzer.core.contract import embedding_cache_root, full_tier_lock_path
from genai_analyzer.models import static_embeddings as static
from genai_analyzer.models.embeddings import DEFAULT_MODEL
from genai_analyzer.models.static_embeddings import StaticRecipe
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.pipeline.full_embeddings import JobAlreadyRunning, run_full_tier
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings, shared_path

pytestmark = pytest.mark.slow  # the real MiniLM embeds a thousand real prompts several times

SMALL = StaticRecipe(vocab_size=2_000, sample_size=300, fragments=1, mixes=300, epochs=20, all_pieces=False)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="module")
def static_build(tmp_path_factory):
    """(settings, path) of a warehouse of the 1,000 real users_1k rows, embedded with the static tier."""
    tmp = tmp_path_factory.mktemp("static_tier")
    path = shared_path("users_1k", "diffusiondb_sample_typed.parquet")
    settings = make_settings(tmp, embedding_backend="static", model_cache=str(tmp / "models"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(static, "DEFAULT_RECIPE", SMALL)
        build_warehouse(
            settings, BuildRequest(source="diffusiondb", path=path, enrich=("embeddings",)), progress=False
        )
    return settings


@pytest.fixture
def copy(static_build, tmp_path, monkeypatch):
    """Settings of a fresh copy of the static warehouse (the app's backend setting: onnx)."""
    target = tmp_path / "warehouse.duckdb"
    shutil.copyfile(static_build.db_path, target)
    monkeypatch.setenv("GENAI_MODEL_CACHE", static_build.model_cache)  # queries find the static model
    return replace(static_build, db_path=target, embedding_backend="onnx")


@pytest.fixture(scope="module")
def uninterrupted(static_build, tmp_path_factory):
    """dim_prompts of a copy upgraded by one uninterrupted run of the job."""
    target = tmp_path_factory.mktemp("uninterrupted") / "warehouse.duckdb"
    shutil.copyfile(static_build.db_path, target)
    report = run_full_tier(replace(static_build, db_path=target, embedding_backend="onnx"), batch_size=256)
    assert report.state == "published" and report.cached_before == 0 and report.embedded == report.total
    return _prompts(target)


class StopAfter:
    """A stop signal that is set after ``n`` batches (the job asks before each one)."""

    def __init__(self, n: int):
        self.n, self.asked = n, 0

    def is_set(self) -> bool:
        self.asked += 1
        return self.asked > self.n


def _prompts(path: Path):
    with Warehouse(path) as wh:
        return wh.query(
            "SELECT prompt_id, n_generations, embedding_model, text_embedding FROM dim_prompts "
            "ORDER BY prompt_id"
        )


def _cached_ids(settings) -> set[str]:
    files = [str(p) for p in embedding_cache_root(settings.db_path).rglob("*.parquet")]
    if not files:
        return set()
    return {r[0] for r in duckdb.execute("SELECT prompt_id FROM read_parquet($f)", {"f": files}).fetchall()}


def _usage_order(path: Path) -> list[str]:
    """Prompt ids by generations (most first), counted from the fact table, ties by id."""
    with Warehouse(path, extensions=()) as wh:
        return [
            r[0]
            for r in wh.rows(
                "SELECT prompt_id FROM fact_generations GROUP BY prompt_id ORDER BY count(*) DESC, prompt_id"
            )
        ]


def test_a_static_warehouse_searches_with_the_static_tier_and_its_job_is_pending(copy):
    with Warehouse(copy.db_path) as wh:
        progress = full_tier_progress(wh)
        total = wh.scalar("SELECT count(*) FROM dim_prompts")
        assert progress["tier"] == "static" and progress["state"] == "pending"
        assert (progress["done"], progress["total"]) == (0, total) and progress["eta_s"] is None
        semantic = search(wh, "a portrait of a woman", mode="semantic", limit=5)
        assert semantic["semantic_tier"].tolist() == ["static"] * 5
        assert set(search(wh, "a portrait of a woman", mode="hybrid", limit=5)["semantic_tier"]) == {"static"}
        assert search(wh, "portrait", mode="keyword", limit=5)["semantic_tier"].isna().all()
        endpoint = Api(wh).embedding_progress()
        assert endpoint["state"] == "pending" and "static tier" in endpoint["line"]
        assert Api(wh).search_tier_line().startswith("Ranked by meaning with the static tier")
        line, timer = tier_outputs(Api(wh))  # the Overview's line refreshes while the static tier answers
        assert "static tier; full quality 0 of" in line and timer.active is True


def test_the_job_embeds_the_most_used_prompts_first_and_stops_between_batches(copy):
    report = run_full_tier(copy, batch_size=64, stop=StopAfter(3))
    assert report.state == "stopped" and report.embedded == 3 * 64 and report.rate > 0
    cached = _cached_ids(copy)
    assert cached == set(_usage_order(copy.db_path)[: 3 * 64])  # most generations first
    with Warehouse(copy.db_path) as wh:
        progress = full_tier_progress(wh)
        total = wh.scalar("SELECT count(*) FROM dim_prompts")
        assert progress["tier"] == "static"  # nothing is published before every prompt has its vector
        assert progress["state"] == "stopped" and progress["full_model"] == DEFAULT_MODEL
        assert progress["done"] == len(cached) == 3 * 64 and progress["total"] == total
        assert progress["rate"] == pytest.approx(report.rate)
        assert progress["eta_s"] == pytest.approx((total - len(cached)) / report.rate, abs=0.1)
        assert wh.scalar("SELECT count(DISTINCT embedding_model) FROM dim_prompts") == 1


def test_a_killed_job_resumes_and_ends_as_an_uninterrupted_run(copy, uninterrupted):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GENAI_DB": str(copy.db_path),
        "GENAI_MODEL_CACHE": copy.model_cache,
        "GENAI_EMBEDDING_BACKEND": "onnx",
    }
    job = subprocess.Popen(
        [sys.executable, "-m", "genai_analyzer.cli", "enrich", "embeddings", "--batch-size", "32", "--quiet"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while len(_cached_ids(copy)) < 64 and time.monotonic() < deadline and job.poll() is None:
            time.sleep(0.2)
        job.send_signal(signal.SIGKILL)
        job.wait(30)
    finally:
        if job.poll() is None:
            job.kill()
    killed_with = _cached_ids(copy)
    status = warehouse_status(copy.db_path)
    assert f"full quality {len(killed_with):,} of {status['rows']['dim_prompts']:,} prompts" in format_status(
        status
    )
    with Warehouse(copy.db_path) as wh:
        progress = full_tier_progress(wh)
        assert progress["state"] == "stopped", "a killed job's lock must not look held"
        assert 64 <= progress["done"] == len(killed_with) < progress["total"]
        assert progress["eta_s"] > 0 and "ETA" in Api(wh).search_tier_line()
        assert (
            wh.scalar("SELECT count(*) FROM dim_prompts WHERE embedding_model = $m", {"m": DEFAULT_MODEL})
            == 0
        )

    report = run_full_tier(copy, batch_size=256)
    assert report.state == "published"
    assert report.cached_before == len(killed_with) and report.embedded == report.total - len(killed_with)
    resumed = _prompts(copy.db_path)
    assert resumed["prompt_id"].tolist() == uninterrupted["prompt_id"].tolist()
    assert resumed["n_generations"].tolist() == uninterrupted["n_generations"].tolist()
    assert set(resumed["embedding_model"]) == set(uninterrupted["embedding_model"]) == {DEFAULT_MODEL}
    a, b = np.stack(resumed["text_embedding"]), np.stack(uninterrupted["text_embedding"])
    np.testing.assert_allclose(a, b, atol=2e-5)  # fp32 MiniLM: equal but for batch padding
    assert not embedding_cache_root(copy.db_path).exists()  # the batches were published, then removed
    with Warehouse(copy.db_path) as wh:
        progress = full_tier_progress(wh)
        total = wh.scalar("SELECT count(*) FROM dim_prompts")
        assert progress["state"] == "complete" and progress["tier"] == "full"
        assert progress["done"] == progress["total"] == total
        assert (
            Api(wh).search_tier_line() == f"Ranked by meaning with the full-quality tier ({DEFAULT_MODEL})."
        )
        assert (
            search(wh, "a portrait of a woman", mode="semantic", limit=3)["semantic_tier"].tolist()
            == ["full"] * 3
        )
    assert run_full_tier(copy).state == "full"  # a second run has nothing to do


def test_a_second_job_on_the_same_warehouse_is_refused_and_the_first_shows_as_running(copy):
    with job_lock.hold(full_tier_lock_path(copy.db_path)):
        with pytest.raises(JobAlreadyRunning, match="already running"):
            run_full_tier(copy)
        with Warehouse(copy.db_path) as wh:
            assert full_tier_progress(wh)["state"] == "running"


def test_the_apps_worker_upgrades_while_searches_run_and_the_app_reopens_the_new_file(copy):
    from genai_analyzer.app.background import BackgroundWorker

    wh = Warehouse(copy.db_path)
    api = Api(wh)
    worker = BackgroundWorker(copy, wh, poll_s=0.5, batch_size=128).start()
    seen, running, slowest = [], [], 0.0
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            started = time.perf_counter()
            tiers = set(
                api.search_frame("a castle on a hill at sunset", "semantic", api.filters(), 5)[
                    "semantic_tier"
                ]
            )
            slowest = max(slowest, time.perf_counter() - started)
            assert len(tiers) == 1, f"one search mixed tiers: {tiers}"
            seen.append(tiers.pop())
            progress = api.embedding_progress()
            if progress["state"] == "running":
                running.append((progress["done"], progress["total"]))
            if seen[-1] == "full" or worker.error or not worker._thread.is_alive() and worker.report is None:
                break
            time.sleep(0.2)
        assert not worker.error
        assert seen[0] == "static" and seen[-1] == "full"
        assert seen == sorted(seen, key=["static", "full"].index)  # static, then full, never back
        assert running and all(0 <= d < t for d, t in running)  # "publishing" once all are done
        assert [d for d, _ in running] == sorted(d for d, _ in running)
        done = api.embedding_progress()
        assert done["state"] == "complete" and done["done"] == done["total"]
        line, timer = tier_outputs(api)
        assert f"full quality ({DEFAULT_MODEL}) for all {done['total']:,} prompts" in line
        assert timer.active is False
        assert (
            wh.scalar("SELECT count(*) FROM dim_prompts WHERE embedding_model = $m", {"m": DEFAULT_MODEL})
            == (done["total"])
        )
    finally:
        worker.stop()
        wh.close()


def test_a_replaced_file_is_reopened_only_when_no_query_runs(copy, tmp_path):
    other = tmp_path / "other.duckdb"
    shutil.copyfile(copy.db_path, other)
    with duckdb.connect(str(other)) as con:
        con.execute("UPDATE build_info SET value = '\"marked\"' WHERE key = 'source'")
    wh = Warehouse(copy.db_path, extensions=())
    try:
        assert not wh.replaced() and not wh.reopen_if_replaced()
        os.replace(other, copy.db_path)
        assert wh.replaced() and wh.build_info()["source"] != "marked"  # still the old file
        holding = threading.Event()
        release = threading.Event()

        def long_query():
            with wh._cursor():
                holding.set()
                release.wait(10)

        t = threading.Thread(target=long_query)
        t.start()
        holding.wait(5)
        assert not wh.reopen(timeout_s=0.2)  # a query runs: not now
        release.set()
        t.join()
        assert wh.reopen_if_replaced() and wh.build_info()["source"] == "marked"
        assert not wh.replaced()
    finally:
        wh.close()
