"""Enrichment in the build: coverage, no repeated work on re-runs, failures counted not fatal."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from genai_analyzer.analysis.status import warehouse_status
from genai_analyzer.cli import main
from genai_analyzer.core.contract import thumb_dir
from genai_analyzer.models.labels.labeller import load_taxonomy
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse, enrich_warehouse
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings, shared_path


def test_the_sample_build_embeds_labels_and_thumbnails_everything(sample_warehouse):
    status = warehouse_status(sample_warehouse)
    enr = status["enrichment"]
    assert enr["text_embedding"] == enr["prompts"] == status["rows"]["dim_prompts"]
    assert enr["domain"] == enr["art_style"] == enr["complexity_score"] == enr["prompts"]
    assert enr["thumbnails"] == enr["images"] == status["rows"]["fact_generations"]
    # prompt vectors in the exact index beside the warehouse, not in an HNSW index (test_vector_index.py)
    assert enr["indexes"] == {"hnsw": False, "fts": True, "image_hnsw": True, "vectors": True, "bm25s": True}
    with Warehouse(sample_warehouse) as wh:
        norms = wh.query(
            "SELECT list_dot_product(text_embedding::FLOAT[], text_embedding::FLOAT[]) AS n FROM dim_prompts"
        )
        assert norms["n"].between(0.999, 1.001).all()  # stored normalized
        taxonomy = load_taxonomy()
        domains = set(wh.query("SELECT DISTINCT domain FROM dim_prompts")["domain"])
        styles = set(wh.query("SELECT DISTINCT art_style FROM dim_prompts")["art_style"])
        assert domains <= set(taxonomy.domain.names) and len(domains) >= 5
        assert styles <= set(taxonomy.art_style.names) and len(styles) >= 5
        assert set(wh.query("SELECT DISTINCT label_source FROM dim_prompts")["label_source"]) == {"embedding"}


def test_thumbnails_are_webp_about_256px_on_the_long_side(sample_warehouse):
    with Warehouse(sample_warehouse) as wh:
        paths = wh.query("SELECT thumb_path FROM fact_generations USING SAMPLE 10 ROWS (reservoir, 2)")[
            "thumb_path"
        ]
    for path in paths:
        with Image.open(path) as img:
            assert img.format == "WEBP"
            assert max(img.size) <= 256


def test_a_second_build_reuses_every_embedding_label_and_thumbnail(sample_settings, sample_warehouse):
    summary = build_warehouse(sample_settings, BuildRequest(source="sample"), progress=False)
    for step in ("embeddings", "labels", "thumbnails", "image_embeddings", "clusters"):
        counts = summary.enrichment[step]
        assert counts["done"] == 0, step
        assert counts["skipped"] > 0 and counts["failed"] == 0, step
    status = warehouse_status(sample_settings.db_path)
    assert status["enrichment"]["text_embedding"] == status["rows"]["dim_prompts"]


@pytest.mark.slow  # several builds: in the full suite only
def test_enrich_command_redoes_only_missing_thumbnails(tmp_path):
    settings = make_settings(tmp_path, sample_generations=300, sample_users=20, sample_days=5)
    build_warehouse(settings, BuildRequest(source="sample", enrich=("thumbnails",)), progress=False)
    thumbs = sorted(thumb_dir(settings.db_path).rglob("*.webp"))
    assert len(thumbs) == 300
    for path in thumbs[:7]:
        path.unlink()
    summary = enrich_warehouse(settings, ("thumbnails",), progress=False)
    assert summary.enrichment["thumbnails"]["done"] == 7
    assert summary.enrichment["thumbnails"]["skipped"] == 293
    result = CliRunner().invoke(main, ["enrich", "thumbnails", "--db", str(settings.db_path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "thumbnails: 0 made, 300 reused, 0 failed" in result.output


def test_missing_and_corrupt_images_are_counted_and_skipped(tmp_path):
    src = shared_path("parts_000001-000005")
    folder = tmp_path / "ddb"
    (folder / "images").mkdir(parents=True)
    meta = pd.read_parquet(src / "metadata.parquet").query("part_id == 2").head(50)
    meta.to_parquet(folder / "metadata.parquet")
    index = pd.read_csv(src / "images" / "images_index.csv").query("part_id == 2")
    with zipfile.ZipFile(folder / "images" / "part-000002.zip", "w") as zf:
        names = list(index["image_name"])
        for name, file in zip(index["image_name"], index["file"], strict=True):
            zf.write(src / "images" / file, name)
        zf.writestr("not-in-metadata.png", b"")  # an extra file is ignored
    # Point one metadata row at a corrupt image: replace its bytes in a second archive layout.
    corrupt_row = meta[~meta["image_name"].isin(names)].iloc[0]["image_name"]
    (folder / "images" / "part-000002").mkdir()
    (folder / "images" / "part-000002" / corrupt_row).write_bytes(b"\x89PNG but not really")
    settings = make_settings(tmp_path)
    summary = build_warehouse(
        settings, BuildRequest(source="diffusiondb", path=folder, enrich=("thumbnails",)), progress=False
    )
    in_meta = [n for n in names if n in set(meta["image_name"])]
    assert summary.ingest["images_found"] == len(in_meta) + 1
    assert summary.enrichment["thumbnails"] == {"done": len(in_meta), "skipped": 0, "failed": 1, "size": 256}
    with Warehouse(settings.db_path) as wh:
        assert wh.scalar("SELECT count(thumb_path) FROM fact_generations") == len(in_meta)


def test_labels_step_without_embeddings_is_refused(tmp_path):
    from genai_analyzer.core.errors import BuildError

    with pytest.raises(BuildError, match="needs the embeddings"):
        build_warehouse(
            make_settings(tmp_path), BuildRequest(source="sample", enrich=("labels",)), progress=False
        )


def test_enrich_without_a_warehouse_says_to_build_first(tmp_path):
    result = CliRunner().invoke(main, ["enrich", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "genai-analyzer build" in result.output
