"""Tests for the synthetic DiffusionDB-layout sample generator."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from genai_analyzer.pipeline.sample import (
    SAMPLE_START,
    SampleSummary,
    generate_metadata,
    render_image,
    write_sample,
)

# More than one part (1,000 rows each) so part boundaries get exercised.
N_GEN, N_USERS, DAYS, SEED, SIZE = 1500, 60, 14, 7, 48

EXPECTED_SCHEMA = [
    ("image_name", pa.string()),
    ("prompt", pa.string()),
    ("part_id", pa.uint16()),
    ("seed", pa.uint32()),
    ("step", pa.uint16()),
    ("cfg", pa.float32()),
    ("sampler", pa.uint8()),
    ("width", pa.uint16()),
    ("height", pa.uint16()),
    ("user_name", pa.string()),
    ("timestamp", pa.timestamp("us", tz="UTC")),
    ("image_nsfw", pa.float32()),
    ("prompt_nsfw", pa.float32()),
]
SAMPLERS = ["ddim", "plms", "k_euler", "k_euler_ancestral", "k_heun", "k_dpm_2"]
SAMPLERS += ["k_dpm_2_ancestral", "k_lms", "others"]


def _write(root: Path, name: str, seed: int = SEED) -> tuple[Path, SampleSummary]:
    out = root / name
    summary = write_sample(out, n_generations=N_GEN, n_users=N_USERS, days=DAYS, seed=seed, image_size=SIZE)
    return out, summary


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, SampleSummary]:
    return _write(tmp_path_factory.mktemp("sample"), "a")


@pytest.fixture(scope="module")
def meta(written) -> pd.DataFrame:
    return pq.read_table(written[0] / "metadata.parquet").to_pandas()


def _zip_contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_schema_is_diffusiondb(written):
    schema = pq.read_schema(written[0] / "metadata.parquet")
    assert [(f.name, f.type) for f in schema] == EXPECTED_SCHEMA


def test_generate_metadata_columns_match_written_table(meta):
    df = generate_metadata(n_generations=N_GEN, n_users=N_USERS, days=DAYS, seed=SEED)
    assert list(df.columns) == [name for name, _ in EXPECTED_SCHEMA]
    assert len(df) == N_GEN
    pd.testing.assert_frame_equal(
        df.astype(object).where(df.notna(), None).reset_index(drop=True),
        meta.astype(object).where(meta.notna(), None),
    )


def test_summary(written, meta):
    out, summary = written
    assert summary.path == out
    assert summary.n_generations == summary.n_images == N_GEN
    assert summary.n_parts == 2 == meta["part_id"].max()
    assert summary.n_users == N_USERS
    assert summary.start == SAMPLE_START
    assert summary.end == SAMPLE_START + timedelta(days=DAYS)


def test_same_seed_is_byte_identical_and_other_seed_differs(written, tmp_path):
    out_a, _ = written
    out_b, _ = _write(tmp_path, "b")
    parquet_a = (out_a / "metadata.parquet").read_bytes()
    assert parquet_a == (out_b / "metadata.parquet").read_bytes()
    zips = sorted(p.name for p in (out_a / "images").iterdir())
    assert zips == ["part-000001.zip", "part-000002.zip"]
    assert zips == sorted(p.name for p in (out_b / "images").iterdir())
    for name in zips:
        assert (out_a / "images" / name).read_bytes() == (out_b / "images" / name).read_bytes()
        assert _zip_contents(out_a / "images" / name) == _zip_contents(out_b / "images" / name)

    other = generate_metadata(n_generations=N_GEN, n_users=N_USERS, days=DAYS, seed=SEED + 1)
    same = generate_metadata(n_generations=N_GEN, n_users=N_USERS, days=DAYS, seed=SEED)
    assert not other["prompt"].equals(same["prompt"])
    assert not np.array_equal(other["seed"].to_numpy(), same["seed"].to_numpy())
    assert set(other["image_name"]).isdisjoint(same["image_name"])


def test_each_zip_holds_its_part_and_json_matches_rows(written, meta):
    out, _ = written
    for part_id, rows in meta.groupby("part_id"):
        assert len(rows) == (1000 if part_id == 1 else N_GEN - 1000)
        json_name = f"part-{part_id:06d}.json"
        with zipfile.ZipFile(out / "images" / f"part-{part_id:06d}.zip") as zf:
            names = zf.namelist()
            params = json.loads(zf.read(json_name))
        assert names[:-1] == rows["image_name"].tolist()
        assert names[-1] == json_name
        assert list(params) == rows["image_name"].tolist()
        for row in rows.itertuples():
            p = params[row.image_name]
            assert p["p"] == row.prompt
            assert p["se"] == row.seed
            assert np.float32(p["c"]) == row.cfg
            assert p["st"] == row.step
            assert p["sa"] == SAMPLERS[row.sampler - 1]


def test_stored_png_is_render_image_of_row(written, meta):
    out, _ = written
    non_square = meta.index[meta["width"] != meta["height"]][:5].tolist()
    assert non_square, "the sample should contain some non-square sizes"
    picks = meta.loc[sorted(set(range(0, N_GEN, 97)) | set(non_square))]
    for row in picks.itertuples():
        with zipfile.ZipFile(out / "images" / f"part-{row.part_id:06d}.zip") as zf:
            stored = Image.open(io.BytesIO(zf.read(row.image_name)))
            stored.load()
        drawn = render_image(row.prompt, row.seed, SIZE, width=row.width, height=row.height)
        assert stored.format == "PNG"
        assert max(stored.size) == SIZE
        assert np.array_equal(np.asarray(stored.convert("RGB")), np.asarray(drawn))


def test_render_image_is_deterministic_and_prompt_driven():
    a = render_image("a misty mountain valley at sunset, oil painting", 1234)
    assert a.mode == "RGB" and a.size == (128, 128)
    again = render_image("a misty mountain valley at sunset, oil painting", 1234)
    assert np.array_equal(np.asarray(a), np.asarray(again))
    pixels = np.asarray(a, dtype=float)
    assert pixels.std() > 10, "not a blank tile"

    reseeded = np.asarray(render_image("a misty mountain valley at sunset, oil painting", 99))
    assert np.abs(reseeded.astype(float) - pixels).mean() > 2

    ocean = np.asarray(render_image("an ocean cliff during a storm, photograph", 1234), float)
    forest = np.asarray(render_image("an autumn forest path, watercolor painting", 1234), float)
    neon = np.asarray(render_image("a cyberpunk megacity with neon signs", 1234), float)
    means = [img.reshape(-1, 3).mean(axis=0) for img in (pixels, ocean, forest, neon)]
    for i in range(len(means)):
        for j in range(i + 1, len(means)):
            assert np.abs(means[i] - means[j]).sum() > 30
    assert means[1][2] > means[1][0], "ocean should be bluer than red"

    tall = render_image("portrait of a geisha", 5, 96, width=512, height=768)
    wide = render_image("portrait of a geisha", 5, 96, width=768, height=512)
    assert tall.size == (64, 96) and wide.size == (96, 64)


def test_timestamps_minute_resolution_in_window_and_ordered(meta):
    ts = meta["timestamp"]
    assert str(ts.dt.tz) == "UTC"
    assert (ts.dt.second == 0).all() and (ts.dt.microsecond == 0).all()
    assert ts.min() >= SAMPLE_START
    assert ts.max() <= SAMPLE_START + timedelta(days=DAYS)
    assert ts.is_monotonic_increasing
    assert meta["part_id"].is_monotonic_increasing
    # Activity follows the day: the evening (UTC) busier than the small hours.
    hours = ts.dt.hour
    assert hours.between(17, 22).mean() > 1.5 * hours.between(2, 7).mean()


def test_users_are_heavy_tailed_with_sessions(meta):
    real = meta[meta["user_name"].notna() & (meta["user_name"] != "deleted_account")]
    per_user = real.groupby("user_name").size()
    assert per_user.median() >= 3
    assert per_user.max() >= 30
    assert per_user.max() > 5 * per_user.median()

    gaps = real.groupby("user_name")["timestamp"].diff().dropna().dt.total_seconds()
    within = gaps[gaps <= 15 * 60]
    between = gaps[gaps > 15 * 60]
    assert len(within) > 0.6 * len(gaps), "most consecutive generations are within a session"
    assert len(between) >= N_USERS // 2, "users come back in later sessions"
    assert between.median() > 3600, "sessions are hours to days apart"


def test_users_refine_prompts(meta):
    real = meta[meta["user_name"].notna()].sort_values(["user_name", "timestamp"], kind="stable")
    prev = real.groupby("user_name")["prompt"].shift()
    prev_seed = real.groupby("user_name")["seed"].shift()
    has_prev = prev.notna()
    same = has_prev & (real["prompt"] == prev)
    assert (same & (real["seed"] != prev_seed)).sum() > 0.2 * has_prev.sum(), "re-rolls"

    def tokens(text: str) -> set[str]:
        return {t.strip() for t in text.split(",")}

    edited = 0
    for cur, before in zip(real["prompt"][has_prev & ~same], prev[has_prev & ~same], strict=True):
        a, b = tokens(cur), tokens(before)
        if len(a & b) >= 0.5 * len(a | b) and (a ^ b):
            edited += 1
    assert edited > 0.1 * has_prev.sum(), "small edits between consecutive prompts"


def test_value_distributions_look_like_diffusiondb(meta):
    assert meta["sampler"].between(1, 9).all()
    assert meta["sampler"].mode()[0] == 8
    assert meta["step"].mode()[0] == 50
    assert meta["cfg"].mode()[0] == 7.0
    assert meta["cfg"].between(0, 50).all()
    assert ((meta["width"] == 512) & (meta["height"] == 512)).mean() > 0.5
    assert (meta["width"] % 64 == 0).all() and (meta["height"] % 64 == 0).all()
    for col in ("image_nsfw", "prompt_nsfw"):
        v = meta[col]
        assert (v.between(0, 1) | (v == 2.0)).all()
        assert v[v <= 1].median() < 0.2
    assert (meta["prompt_nsfw"] > 0.5).any()


def test_names_users_and_prompt_quirks(meta):
    uuid4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.png$")
    assert meta["image_name"].map(lambda n: bool(uuid4.match(n))).all()
    assert meta["image_name"].is_unique

    users = meta["user_name"]
    assert users.isna().sum() >= 1
    assert (users == "deleted_account").any()
    hashed = users.dropna()[users.dropna() != "deleted_account"]
    assert hashed.str.fullmatch(r"[0-9a-f]{64}").all()

    prompts = meta["prompt"]
    assert 1 <= (prompts == "").sum() <= 2
    assert (prompts == prompts.str.lower()).all()
    users_per_prompt = meta.dropna(subset=["user_name"]).groupby("prompt")["user_name"].nunique()
    assert (users_per_prompt >= 2).any(), "popular prompts get copied between users"
    lengths = prompts[prompts != ""].str.split(",").str.len()
    assert lengths.min() <= 2 and lengths.max() >= 10, "short and long prompts"
    assert prompts.str.contains(" by | art by | in the style of ").any()


def test_metadata_only(tmp_path):
    summary = write_sample(tmp_path / "m", n_generations=200, n_users=20, images=False)
    assert (tmp_path / "m" / "metadata.parquet").exists()
    assert not (tmp_path / "m" / "images").exists()
    assert summary.n_images == 0 and summary.n_parts == 1
    assert pq.read_metadata(tmp_path / "m" / "metadata.parquet").num_rows == 200


def test_rejects_bad_arguments():
    with pytest.raises(ValueError):
        generate_metadata(n_generations=0)
