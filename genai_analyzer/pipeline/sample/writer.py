"""Assemble the synthetic metadata table and write it in the DiffusionDB 2M layout.

Layout written under ``out_dir``::

    metadata.parquet                 one row per image, the 13 DiffusionDB columns
    images/part-000001.zip           that part's PNGs + part-000001.json
    images/part-000002.zip           ...

Rows are in timestamp order and parts hold 1,000 rows each, as in DiffusionDB. Sample images are
drawn at reduced resolution (``image_size`` px on the long side) to keep the sample small; the
metadata keeps the nominal width/height. Every random choice comes from
``numpy.random.default_rng(seed)`` and generators spawned from it, so the same arguments give
byte-identical files.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image
from tqdm import tqdm

from genai_analyzer.pipeline.sample import behaviour, prompts, vocab
from genai_analyzer.pipeline.sample.images import render_image

SAMPLE_START = datetime(2025, 9, 1, tzinfo=UTC)  # fixed so the sample is reproducible
ROWS_PER_PART = 1000

METADATA_SCHEMA = pa.schema(
    [
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
)

# zipfile stamps members with the current time unless told otherwise; a fixed stamp keeps the
# archives byte-identical between runs.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class SampleSummary:
    """What write_sample wrote. start/end is the generation window [start, start + days]."""

    path: Path
    n_generations: int
    n_users: int
    n_parts: int
    n_images: int
    start: datetime
    end: datetime


def _uuid4_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return n "<uuid4>.png" names (object array) built from rng bytes, vectorised."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    hexdigits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    chars = np.empty((n, 32), dtype=np.uint8)
    chars[:, 0::2] = hexdigits[raw >> 4]
    chars[:, 1::2] = hexdigits[raw & 0x0F]
    dash = np.full((n, 1), ord("-"), dtype=np.uint8)
    suffix = np.tile(np.frombuffer(b".png", dtype=np.uint8), (n, 1))
    parts = (chars[:, :8], dash, chars[:, 8:12], dash, chars[:, 12:16], dash, chars[:, 16:20])
    full = np.hstack([*parts, dash, chars[:, 20:], suffix])
    return full.view("S40").ravel().astype(str).astype(object)


def _user_names(rng: np.random.Generator, n_users: int) -> np.ndarray:
    """Return one user_name per user: SHA-256 hex of a handle, ~1.5% "deleted_account"."""
    words = vocab.HANDLE_WORDS
    first = rng.integers(0, len(words), n_users)
    second = rng.integers(0, len(words), n_users)
    # Distinct numbers keep handles (and so hashes) distinct even when the words collide.
    number = rng.choice(10 * max(n_users, 1000), size=n_users, replace=False)
    names = np.array(
        [
            hashlib.sha256(f"{words[a]}_{words[b]}#{k}".encode()).hexdigest()
            for a, b, k in zip(first.tolist(), second.tolist(), number.tolist(), strict=True)
        ],
        dtype=object,
    )
    n_deleted = max(1, round(0.015 * n_users)) if n_users >= 20 else 0
    names[rng.choice(n_users, size=n_deleted, replace=False)] = "deleted_account"
    return names


def default_users(n_generations: int) -> int:
    """Users in a generated dataset when none are asked for: one per 20 generations, at least 300."""
    return max(300, n_generations // 20)


def generate_metadata(
    *,
    n_generations: int = 4000,
    n_users: int = 300,
    days: int = 42,
    seed: int = 42,
    start: datetime = SAMPLE_START,
) -> pd.DataFrame:
    """Return the metadata table (one row per generation) with exactly the 13 DiffusionDB columns.

    Rows are sorted by timestamp and numbered into 1,000-row parts. n_users is capped at
    n_generations (every user makes at least one generation).
    """
    if n_generations < 1 or n_users < 1 or days < 1:
        raise ValueError("n_generations, n_users and days must all be >= 1")
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    n_users = min(n_users, n_generations)
    root = np.random.default_rng(seed)
    r_users, r_sessions, r_times, r_moves, r_settings, r_prompts, r_nsfw, r_misc = root.spawn(8)

    counts = behaviour.plan_users(n_generations, n_users, r_users)
    user, session_start = behaviour.plan_sessions(counts, r_sessions)
    offsets = behaviour.row_offsets(user, session_start, days, r_times)
    moves = behaviour.draw_moves(user, session_start, r_moves)
    settings = behaviour.draw_settings(user, session_start, moves, r_settings)
    texts, categories = prompts.walk_prompts(moves, r_prompts)

    text_arr = np.array(texts, dtype=object)
    # DiffusionDB's quirks (empty prompts, rows without a user) show up in anything but a toy run.
    quirky = n_generations >= 500
    n_empty = max(int(quirky), round(n_generations / 100_000))
    text_arr[r_misc.choice(n_generations, size=n_empty, replace=False)] = ""
    prompt_nsfw, image_nsfw = prompts.nsfw_scores(text_arr.tolist(), categories, r_nsfw)
    user_name = _user_names(r_misc, n_users)[user]
    n_null = max(int(quirky), n_generations // 2000)
    user_name[r_misc.choice(n_generations, size=n_null, replace=False)] = None
    names = _uuid4_names(r_misc, n_generations)

    # Stable sort: rows made in the same second keep each user's own order.
    order = np.argsort(offsets, kind="stable")
    # Floor to the minute like DiffusionDB, without slipping before a start that is not on one.
    start_s = start.timestamp()
    minutes = np.maximum(np.floor((start_s + offsets[order]) / 60.0), np.ceil(start_s / 60.0))
    stamps = pd.to_datetime(minutes.astype(np.int64) * 60_000_000, unit="us", utc=True).as_unit("us")
    columns = {
        "image_name": pd.array(names, dtype="string"),
        "prompt": pd.array(text_arr[order], dtype="string"),
        "part_id": (np.arange(n_generations) // ROWS_PER_PART + 1).astype(np.uint16),
        "seed": settings["seed"][order],
        "step": settings["step"][order],
        "cfg": settings["cfg"][order],
        "sampler": settings["sampler"][order],
        "width": settings["width"][order],
        "height": settings["height"][order],
        "user_name": pd.array(user_name[order], dtype="string"),
        "timestamp": stamps,
        "image_nsfw": image_nsfw[order],
        "prompt_nsfw": prompt_nsfw[order],
    }
    return pd.DataFrame(columns)


def _metadata_table(df: pd.DataFrame) -> pa.Table:
    """Return df as an Arrow table with METADATA_SCHEMA and no pandas-specific metadata."""
    table = pa.Table.from_pandas(df, schema=METADATA_SCHEMA, preserve_index=False)
    return table.replace_schema_metadata(None)


def _png_bytes(prompt: str, seed: int, size: int, width: int, height: int) -> bytes:
    """Return the rendered image as PNG bytes, palette-indexed (exactly, not re-quantised)."""
    img = render_image(prompt, seed, size, width=width, height=height)
    rgb = np.asarray(img, dtype=np.uint32)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    colours, index = np.unique(packed, return_inverse=True)
    if len(colours) <= 256:
        img = Image.fromarray(index.reshape(packed.shape).astype(np.uint8), "P")
        palette = np.stack([colours >> 16, (colours >> 8) & 0xFF, colours & 0xFF], axis=1)
        img.putpalette(palette.astype(np.uint8).ravel().tolist())
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def _write_part(path: Path, part: pd.DataFrame, image_size: int, bar: tqdm) -> None:
    """Write one part-NNNNNN.zip: the part's PNGs, then its JSON parameter sidecar."""
    sidecar: dict[str, dict[str, object]] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        rows = zip(
            *(part[c].tolist() for c in ("image_name", "prompt", "seed", "cfg", "step")),
            *(part[c].tolist() for c in ("sampler", "width", "height")),
            strict=True,
        )
        for name, prompt, seed, cfg, step, sampler, width, height in rows:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            zf.writestr(info, _png_bytes(prompt, seed, image_size, width, height))
            sidecar[name] = {
                "p": prompt,
                "se": seed,
                "c": cfg,
                "st": step,
                "sa": behaviour.SAMPLER_NAMES[sampler - 1],
            }
            bar.update()
        info = zipfile.ZipInfo(path.with_suffix(".json").name, date_time=_ZIP_DATE)
        zf.writestr(info, json.dumps(sidecar))


def write_sample(
    out_dir: Path,
    *,
    n_generations: int = 4000,
    n_users: int = 300,
    days: int = 42,
    seed: int = 42,
    start: datetime = SAMPLE_START,
    image_size: int = 128,
    images: bool = True,
    progress: bool = False,
) -> SampleSummary:
    """Write the dataset under out_dir in the DiffusionDB layout and return what was written.

    With images=False only metadata.parquet is written (no images folder).
    """
    out_dir = Path(out_dir)
    df = generate_metadata(n_generations=n_generations, n_users=n_users, days=days, seed=seed, start=start)
    out_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(_metadata_table(df), out_dir / "metadata.parquet", compression="zstd")
    n_parts = int(df["part_id"].max())
    if images:
        image_dir = out_dir / "images"
        image_dir.mkdir(exist_ok=True)
        # Python ints and floats: what json.dumps writes cleanly.
        part_df = df.astype({"seed": "int64", "step": "int64", "sampler": "int64"})
        part_df = part_df.astype({"cfg": "float64", "width": "int64", "height": "int64"})
        with tqdm(total=len(df), desc="sample images", unit="img", disable=not progress) as bar:
            for part_id, part in part_df.groupby("part_id", sort=True):
                _write_part(image_dir / f"part-{part_id:06d}.zip", part, image_size, bar)
    return SampleSummary(
        path=out_dir,
        n_generations=len(df),
        n_users=int(min(n_users, n_generations)),
        n_parts=n_parts,
        n_images=len(df) if images else 0,
        start=start,
        end=start + timedelta(days=days),
    )
