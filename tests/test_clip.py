"""A CLIP image model (GENAI_IMAGE_MODEL): image embeddings in CLIP space, text-to-image search, the
prompt-image agreement score, and no mixing of two models' vectors.

Real code path end to end: transformers' own CLIPModel, CLIPTokenizer and CLIPImageProcessor, a
tiny randomly initialised model saved to a temp folder (tests/tiny_clip.py), the real build on a
small embedded sample, real DuckDB. Random weights: these tests check that the right vectors are
made, stored, compared and ranked, never that the results are good.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from genai_analyzer.analysis import images
from genai_analyzer.api.endpoints import Api, InputError
from genai_analyzer.core.contract import IMAGE_AGREEMENT, IMAGE_EMBEDDINGS
from genai_analyzer.models.clip_embeddings import ClipEmbedder, model_key
from genai_analyzer.models.embeddings import EmbeddingError
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse, enrich_warehouse
from genai_analyzer.pipeline.enrich import create_enrich_tables
from genai_analyzer.pipeline.image_enrich import embed_images
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings
from tests.tiny_clip import save_tiny_clip

N = 300  # generations of the small sample (one image each)


@pytest.fixture(scope="module")
def clip_a(tmp_path_factory) -> Path:
    return save_tiny_clip(tmp_path_factory.mktemp("clip") / "tiny-clip-a", seed=0)


@pytest.fixture(scope="module")
def clip_b(tmp_path_factory) -> Path:
    return save_tiny_clip(tmp_path_factory.mktemp("clip") / "tiny-clip-b", seed=1)


@pytest.fixture(scope="module")
def built(tmp_path_factory, clip_a):
    """A small sample warehouse whose images were embedded with the tiny CLIP: (settings, summary)."""
    settings = make_settings(
        tmp_path_factory.mktemp("clip-wh"),
        sample_generations=N, sample_users=20, sample_days=5, image_model=str(clip_a),
    )  # fmt: skip
    request = BuildRequest(source="sample", enrich=("thumbnails", "image_embeddings"))
    summary = build_warehouse(settings, request, progress=False)
    return settings, summary


@pytest.fixture()
def wh(built, clip_a, monkeypatch):
    monkeypatch.setenv("GENAI_IMAGE_MODEL", str(clip_a))  # the app's process has the model
    with Warehouse(built[0].db_path) as warehouse:
        yield warehouse


def _raw(folder: Path):
    """The saved model and processor, loaded with transformers directly (not through the app)."""
    from transformers import CLIPModel, CLIPProcessor

    return CLIPModel.from_pretrained(folder).eval(), CLIPProcessor.from_pretrained(folder)


def _unit(tensor_or_output) -> np.ndarray:
    out = tensor_or_output if isinstance(tensor_or_output, torch.Tensor) else tensor_or_output.pooler_output
    v = out.detach().numpy().astype(np.float64)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


# --- the build ---------------------------------------------------------------------------------


def test_the_build_embeds_every_image_in_clip_space_and_records_the_model(built, clip_a):
    settings, summary = built
    made = summary.enrichment["image_embeddings"]
    assert made["model"] == model_key(str(clip_a)) and made["kind"] == "clip"
    assert (made["done"], made["failed"], made["dim"]) == (N, 0, 16)
    assert (made["agreement_pairs"], made["agreement_reused"]) == (N, 0)
    with Warehouse(settings.db_path) as wh:
        rows = wh.rows(f"SELECT DISTINCT model, len(embedding) FROM {IMAGE_EMBEDDINGS}")
        assert rows == [(model_key(str(clip_a)), 16)]
        norms = wh.scalar(
            f"SELECT max(abs(list_dot_product(embedding, embedding) - 1)) FROM {IMAGE_EMBEDDINGS}"
        )
        assert norms < 1e-4
        info = images.image_model(wh)
        assert (info["kind"], info["label"], info["vectors"]) == ("clip", "tiny-clip-a", N)


def test_a_second_build_with_the_same_model_reuses_every_vector_and_score(built):
    settings, _ = built
    request = BuildRequest(source="sample", enrich=("thumbnails", "image_embeddings"))
    made = build_warehouse(settings, request, progress=False).enrichment["image_embeddings"]
    assert (made["done"], made["skipped"], made["agreement_pairs"], made["agreement_reused"]) == (0, N, N, N)
    with Warehouse(settings.db_path) as wh:
        assert wh.scalar(f"SELECT count(*) FROM {IMAGE_AGREEMENT}") == N


def test_a_stored_vector_is_the_models_own_image_features_of_the_thumbnail(wh, clip_a):
    model, processor = _raw(clip_a)
    thumb, stored = wh.rows(
        f"SELECT f.thumb_path, i.embedding FROM fact_generations f "
        f"JOIN {IMAGE_EMBEDDINGS} i USING (image_path) ORDER BY f.generation_id LIMIT 1"
    )[0]
    with Image.open(thumb) as img:
        pixels = processor(images=[img.convert("RGB")], return_tensors="pt")["pixel_values"]
    with torch.inference_mode():
        expected = _unit(model.get_image_features(pixel_values=pixels))[0]
    assert np.allclose(np.asarray(stored), expected, atol=1e-5)


def test_each_generations_agreement_is_the_cosine_of_its_image_and_its_own_prompt(wh, clip_a):
    model, processor = _raw(clip_a)
    sample = wh.rows(
        f"""SELECT a.agreement, f.thumb_path, p.prompt FROM {IMAGE_AGREEMENT} a
        JOIN fact_generations f USING (generation_id) JOIN dim_prompts p USING (prompt_id)
        ORDER BY a.generation_id LIMIT 3"""
    )
    assert wh.scalar(f"SELECT count(*) FROM {IMAGE_AGREEMENT}") == N
    for agreement, thumb, prompt in sample:
        with Image.open(thumb) as img:
            pixels = processor(images=[img.convert("RGB")], return_tensors="pt")["pixel_values"]
        tokens = processor.tokenizer(
            [prompt], padding=True, truncation=True, max_length=77, return_tensors="pt"
        )
        with torch.inference_mode():
            image = _unit(model.get_image_features(pixel_values=pixels))[0]
            text = _unit(model.get_text_features(**tokens))[0]
        assert agreement == pytest.approx(float(image @ text), abs=1e-4)


# --- text-to-image -----------------------------------------------------------------------------


def test_text_to_image_ranks_images_by_cosine_with_the_querys_text_vector(wh, clip_a):
    model, processor = _raw(clip_a)
    tokens = processor.tokenizer(["red sunset over water"], padding=True, return_tensors="pt")
    with torch.inference_mode():
        query = _unit(model.get_text_features(**tokens))[0]
    stored = wh.rows(f"SELECT image_path, embedding FROM {IMAGE_EMBEDDINGS}")
    scores = {path: float(np.asarray(vec) @ query) for path, vec in stored}
    found = Api(wh).images_from_text("red sunset over water", limit=10)
    assert len(found) == 10 and [r["rank"] for r in found] == list(range(1, 11))
    paths = wh.rows(
        "SELECT generation_id, image_path FROM fact_generations "
        "WHERE generation_id IN (SELECT unnest($g::VARCHAR[]))",
        {"g": [r["generation_id"] for r in found]},
    )
    by_id = dict(paths)
    assert len({by_id[r["generation_id"]] for r in found}) == 10  # one record per image
    for record in found:
        assert record["score"] == pytest.approx(scores[by_id[record["generation_id"]]], abs=1e-4)
    best = sorted(scores.values(), reverse=True)[:10]
    assert [r["score"] for r in found] == pytest.approx(best, abs=1e-4)  # the HNSW found the exact top 10
    assert all("thumb_url" in r and "thumb_path" not in r for r in found)


def test_text_to_image_honours_the_filters(wh):
    api = Api(wh)
    pro = api.images_from_text("a portrait", limit=8, filters=api.filters(tiers=["pro"]))
    assert pro and all(r["tier"] == "pro" for r in pro)


def test_the_explorer_tiles_of_a_text_query_show_one_image_each(wh):
    api = Api(wh)
    assert api.has_text_to_image()
    tiles = api.images_from_text_gallery_frame("cat", api.filters(), 6)
    assert len(tiles) == 6 and set(tiles["n_generations"]) == {1} and not tiles["pinned"].any()


def test_an_empty_query_is_an_error_naming_it(wh):
    with pytest.raises(InputError) as err:
        Api(wh).images_from_text("  ")
    assert err.value.field == "query"


# --- agreement by group ------------------------------------------------------------------------


@pytest.mark.parametrize("group", list(images.AGREEMENT_GROUPS))
def test_agreement_groups_cover_every_scored_generation_lowest_mean_first(wh, group):
    rows = Api(wh).image_agreement(group, min_generations=1, limit=500)  # N generations: at most N groups
    means = [r["mean_agreement"] for r in rows]
    assert means == sorted(means)
    assert all(r["p25_agreement"] <= r["median_agreement"] <= r["p75_agreement"] for r in rows)
    assert sum(r["generations"] for r in rows) == N
    columns = images.AGREEMENT_GROUPS[group]
    assert all(set(columns) <= set(r) for r in rows)


def test_agreement_honours_filters_and_min_generations(wh):
    api = Api(wh)
    pro = api.image_agreement("model", min_generations=1, filters=api.filters(tiers=["pro"]))
    n_pro = wh.scalar(
        "SELECT count(*) FROM fact_generations JOIN dim_users USING (user_id) WHERE tier = 'pro'"
    )
    assert sum(r["generations"] for r in pro) == n_pro
    assert all(r["generations"] >= 5 for r in api.image_agreement("settings", min_generations=5))


# --- one model's space at a time -----------------------------------------------------------------


def test_another_clip_model_in_the_app_is_refused_not_mixed(built, clip_b, monkeypatch):
    monkeypatch.setenv("GENAI_IMAGE_MODEL", str(clip_b))
    with Warehouse(built[0].db_path) as wh:
        api = Api(wh)
        assert not api.has_text_to_image() and api.image_model()["text_search"] is False
        with pytest.raises(InputError) as err:
            api.images_from_text("a cat")
        assert err.value.code == "unavailable"
        assert str(clip_b) in str(err.value) and model_key(str(clip_b)) != api.image_model()["model"]
    monkeypatch.setenv("GENAI_IMAGE_MODEL", "")
    with Warehouse(built[0].db_path) as wh:
        with pytest.raises(InputError, match="set GENAI_IMAGE_MODEL to that model"):
            Api(wh).images_from_text("a cat")


def test_switching_models_embeds_every_image_again_and_keeps_each_models_rows(built, clip_b, wh):
    thumbs = [r[0] for r in wh.rows("SELECT DISTINCT thumb_path FROM fact_generations ORDER BY 1 LIMIT 12")]
    import duckdb

    con = duckdb.connect()
    create_enrich_tables(con)
    con.execute(
        "INSERT INTO enrich.thumbnails SELECT p, p, 'done' FROM unnest($p::VARCHAR[]) t(p)", {"p": thumbs}
    )
    a = ClipEmbedder(built[0].image_model, threads=1)
    b = ClipEmbedder(str(clip_b), threads=1)
    assert embed_images(con, a).as_dict() == {"done": 12, "skipped": 0, "failed": 0}
    assert embed_images(con, b).as_dict() == {"done": 12, "skipped": 0, "failed": 0}  # nothing reused
    assert embed_images(con, a).as_dict() == {"done": 0, "skipped": 12, "failed": 0}
    per_model = dict(
        con.execute("SELECT model, count(*) FROM enrich.image_embeddings GROUP BY model").fetchall()
    )
    assert per_model == {a.model_name: 12, b.model_name: 12}


def test_rebuilding_with_the_default_model_re_embeds_and_drops_the_clip_features(
    built, tmp_path, monkeypatch
):
    settings = built[0]
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(settings.db_path, copy)  # thumbnails stay where the build wrote them
    visual = make_settings(tmp_path, image_model="", db_path=copy)
    made = enrich_warehouse(visual, ("image_embeddings",), progress=False).enrichment["image_embeddings"]
    assert (made["model"], made["kind"], made["done"], made["skipped"]) == (
        "efficientnet-lite0",
        "visual",
        N,
        0,
    )
    monkeypatch.setenv("GENAI_IMAGE_MODEL", settings.image_model)
    with Warehouse(copy) as wh:
        assert wh.rows(f"SELECT DISTINCT model FROM {IMAGE_EMBEDDINGS}") == [("efficientnet-lite0",)]
        assert not images.has_agreement(wh)
        api = Api(wh)
        assert api.image_model()["kind"] == "visual" and not api.has_text_to_image()
        for call in (lambda: api.images_from_text("a cat"), lambda: api.image_agreement("user")):
            with pytest.raises(InputError, match="CLIP") as err:
                call()
            assert err.value.code == "unavailable"


def test_a_folder_that_is_not_a_clip_model_is_a_clear_error(tmp_path):
    with pytest.raises(EmbeddingError, match="GENAI_IMAGE_MODEL"):
        ClipEmbedder(str(tmp_path)).load()


# --- the app -----------------------------------------------------------------------------------


def _mode_choices(wh) -> list:
    from genai_analyzer.app import create_app

    demo = create_app(wh)
    radios = [c for c in demo.config["components"] if c.get("props", {}).get("label") == "Mode"]
    choices = radios[0]["props"]["choices"]
    return [choice[1] if isinstance(choice, list | tuple) else choice for choice in choices]


def test_the_app_serves_text_to_image_and_offers_the_images_mode_only_with_its_model(
    built, clip_b, monkeypatch
):
    from gradio_client import Client

    from tests.conftest import serving

    monkeypatch.setenv("GENAI_IMAGE_MODEL", built[0].image_model)
    with serving(built[0].db_path) as (wh, url):
        assert "images" in _mode_choices(wh)
        client = Client(url, verbose=False)
        info = client.predict(api_name="/image_model")
        assert (info["kind"], info["label"], info["text_search"]) == ("clip", "tiny-clip-a", True)
        found = client.predict(query="red sunset over water", limit=5, api_name="/images_from_text")
        assert [r["rank"] for r in found] == [1, 2, 3, 4, 5]
        rows = client.predict(group="user", min_generations=1, limit=3, api_name="/image_agreement")
        assert len(rows) == 3 and rows[0]["mean_agreement"] <= rows[-1]["mean_agreement"]
    monkeypatch.setenv("GENAI_IMAGE_MODEL", str(clip_b))  # not the warehouse's model: no images mode
    with Warehouse(built[0].db_path) as wh:
        assert _mode_choices(wh) == ["hybrid", "semantic", "keyword"]


# --- the CLI -----------------------------------------------------------------------------------


def test_the_cli_finds_images_from_words_and_like_an_image_naming_the_model(built, wh):
    from click.testing import CliRunner

    from genai_analyzer.cli import main

    db = str(built[0].db_path)
    env = {"GENAI_IMAGE_MODEL": built[0].image_model}
    found = CliRunner().invoke(
        main, ["similar", "--text", "red sunset over water", "--limit", "3", "--db", db], env=env
    )
    assert found.exit_code == 0, found.output
    assert "images nearest to 'red sunset over water' (CLIP model tiny-clip-a)" in found.output
    assert [line.split(".")[0].strip() for line in found.output.splitlines()[1::2]] == ["1", "2", "3"]
    generation, image_name = wh.rows(
        "SELECT generation_id, image_name FROM fact_generations ORDER BY created_at, generation_id LIMIT 1"
    )[0]
    like = CliRunner().invoke(main, ["similar", image_name, "--limit", "2", "--db", db], env=env)
    assert like.exit_code == 0, like.output
    assert f"images like generation {generation} (CLIP model tiny-clip-a), itself first" in like.output
    status = CliRunner().invoke(main, ["status", "--db", db])
    assert "image model       tiny-clip-a (CLIP)" in status.output, status.output
    both = CliRunner().invoke(main, ["similar", generation, "--text", "cat", "--db", db], env=env)
    assert both.exit_code == 2 and "one of them" in both.output


# --- the Explorer in a browser -----------------------------------------------------------------


def test_the_explorer_finds_images_from_words_and_names_the_clip_model(built, monkeypatch):
    """Headless Chromium (skipped without one, as tests/test_browser.py): the "images" mode, its
    tiles, and "Images like this" naming the CLIP model; screenshots in artifacts/screenshots."""
    from tests.conftest import serving
    from tests.test_browser import LAUNCH_ARGS, _browser_path, _panel, _shot

    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    path = _browser_path()
    if path is None:
        pytest.skip("no Chromium on PATH: apt-get install chromium, or set GENAI_BROWSER")
    monkeypatch.setenv("GENAI_IMAGE_MODEL", built[0].image_model)
    with serving(built[0].db_path) as (_, url), sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url, wait_until="load")
        page.get_by_role("tab", name="Session Explorer").click()
        panel = _panel(page)
        panel.locator(".ex-tile").first.wait_for()
        panel.get_by_label("images", exact=True).check()
        panel.get_by_label("Search prompts").fill("red sunset over water")
        panel.get_by_role("button", name="Search", exact=True).click()
        page.wait_for_function(
            "() => document.querySelector('.ex-status')?.textContent.includes('CLIP model tiny-clip-a')"
        )
        status = panel.locator(".ex-status").first.text_content()
        assert "images nearest to red sunset over water (text to image, CLIP model tiny-clip-a)" in status
        tiles = panel.locator(".ex-tile")
        assert tiles.count() == 24 and not panel.locator(".ex-tile.pinned").count()
        page.wait_for_timeout(1500)  # the gallery fades in: shoot it settled
        _shot(page, "clip-explorer-text-to-image")
        tiles.first.click()
        panel.locator(".ex-detail").wait_for()
        source = tiles.first.get_attribute("data-id")
        panel.get_by_role("button", name="Images like this").click()
        page.wait_for_function(
            "id => document.querySelector('.ex-tile.pinned')?.dataset.id === id"
            " && document.querySelector('.ex-status')?.textContent.includes('(CLIP model tiny-clip-a)')",
            arg=source,
        )
        page.wait_for_timeout(1500)
        _shot(page, "clip-explorer-images-like-this")
        chromium.close()
        assert not errors, errors


def test_the_overview_names_the_clip_model_and_never_calls_the_default_one_clip(wh):
    from genai_analyzer.app.overview import visual_markdown

    line = visual_markdown(Api(wh).near_duplicate_summary())
    assert f"{N:,} images embedded with the CLIP model **tiny-clip-a**" in line and "EfficientNet" not in line
    default = visual_markdown({"vectors": 5, "groups": 0, "images": 0, "max_bits": 4, "kind": "visual"})
    assert "visual similarity" in default.lower() and "CLIP" not in default


def test_the_warehouses_model_that_fails_to_load_is_unavailable_not_a_crash(
    built, clip_a, tmp_path, monkeypatch
):
    broken = tmp_path / "tiny-clip-a"  # the same weights (the same key), without its processor files
    broken.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copyfile(clip_a / name, broken / name)
    assert model_key(str(broken)) == model_key(str(clip_a))
    monkeypatch.setenv("GENAI_IMAGE_MODEL", str(broken))
    with Warehouse(built[0].db_path) as wh:
        with pytest.raises(InputError, match="could not be loaded as a CLIP model") as err:
            Api(wh).images_from_text("a cat")
        assert err.value.code == "unavailable"
