"""The embedded sample through the real pipeline: loader, alignment, reuse, synthetic labelling."""

from __future__ import annotations

import numpy as np

from genai_analyzer.analysis.status import warehouse_status
from genai_analyzer.core.images import open_image
from genai_analyzer.pipeline.sample import render_image
from genai_analyzer.pipeline.sample_store import ensure_sample
from genai_analyzer.warehouse.reader import Warehouse


def test_sample_builds_through_the_diffusiondb_loader(sample_warehouse):
    status = warehouse_status(sample_warehouse)
    assert status["build"]["source"] == "sample"
    assert status["build"]["synthetic"] is True
    assert status["rows"]["fact_generations"] == 800
    assert status["build"]["ingest"]["images_found"] == 800
    assert status["build"]["dbt"]["tests"] >= 40


def test_every_stored_image_is_the_image_of_its_rows_prompt_and_seed(sample_warehouse):
    with Warehouse(sample_warehouse, extensions=()) as wh:
        rows = wh.query(
            "SELECT f.image_path, p.prompt, f.seed, f.width, f.height FROM fact_generations f "
            "JOIN dim_prompts p USING (prompt_id) USING SAMPLE 40 ROWS (reservoir, 1)"
        )
    assert len(rows) == 40
    for row in rows.itertuples():
        stored = np.asarray(open_image(row.image_path).convert("RGB"))
        drawn = np.asarray(
            render_image(row.prompt, int(row.seed), width=int(row.width), height=int(row.height))
        )
        assert np.array_equal(stored, drawn), row.image_path


def test_sample_users_have_real_looking_sessions(sample_warehouse):
    with Warehouse(sample_warehouse, extensions=()) as wh:
        sessions = wh.query("SELECT n_generations, n_unique_prompts FROM dim_sessions")
        refinements = wh.scalar(
            "SELECT count(*) FROM (SELECT session_id, prompt_id, lag(prompt_id) OVER "
            "(PARTITION BY session_id ORDER BY session_seq) AS prev FROM fact_generations) "
            "WHERE prev IS NOT NULL AND prev <> prompt_id"
        )
    assert sessions["n_generations"].max() >= 8
    assert (sessions["n_generations"] >= 3).mean() > 0.3
    assert refinements > 50  # prompts edited inside sessions


def test_the_sample_on_disk_is_reused_until_its_settings_change(sample_settings, sample_warehouse):
    metadata = sample_settings.sample_dir / "metadata.parquet"
    before = metadata.stat().st_mtime_ns
    ensure_sample(sample_settings, progress=False)
    assert metadata.stat().st_mtime_ns == before
