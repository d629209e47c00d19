"""The enriched, filtered generations as one table, and that table written out for the hub.

``export_generations`` is the one query: one row per generation passing the filters, with its
prompt, labels, prompt clusters (when the warehouse has them), session, user tier and telemetry.
``genai-analyzer export`` writes it (``write_export``) as a ``datasets`` dataset (save_to_disk)
and/or Parquet, and a "download this filtered set" button can hand over the same rows.

Columns carry the logs column contract's names where it has one (prompt, user_id, timestamp,
status, latency_ms, ...; docs/data-sources.md), so an export builds a warehouse again with
``--source hf`` (or ``--source logs``) without a column mapping. ``user_id`` is the warehouse's
hashed id, never the source's user name, and null for rows without a known user.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from genai_analyzer.analysis.filters import FILTER_FIELDS, Filters
from genai_analyzer.analysis.queries import from_filtered
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.warehouse.reader import Warehouse

# (column, SQL over the generations grain's aliases f, u, p, its type), in the order written; the
# types are the warehouse's, kept in the files whatever the rows hold (a column of nulls included)
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("generation_id", "f.generation_id", "VARCHAR"),
    ("timestamp", "f.created_at", "TIMESTAMPTZ"),
    ("prompt", "p.prompt", "VARCHAR"),
    ("prompt_id", "f.prompt_id", "VARCHAR"),
    ("user_id", "CASE WHEN u.is_known THEN f.user_id END", "VARCHAR"),
    ("tier", "u.tier", "VARCHAR"),
    ("session_id", "f.session_id", "VARCHAR"),
    ("session_seq", "f.session_seq", "INTEGER"),
    ("status", "f.status", "VARCHAR"),
    ("error_code", "f.error_code", "VARCHAR"),
    ("queue_ms", "f.queue_ms", "BIGINT"),
    ("latency_ms", "f.latency_ms", "BIGINT"),
    ("gpu_seconds", "f.gpu_seconds", "DOUBLE"),
    ("cost_usd", "f.cost_usd", "DOUBLE"),
    ("revenue_usd", "f.revenue_usd", "DOUBLE"),
    ("domain", "f.domain", "VARCHAR"),
    ("art_style", "f.art_style", "VARCHAR"),
    ("domain_confidence", "f.domain_confidence", "DOUBLE"),
    ("art_style_confidence", "f.art_style_confidence", "DOUBLE"),
    ("complexity_score", "f.complexity_score", "INTEGER"),
    ("model", "f.model", "VARCHAR"),
    ("seed", "f.seed", "BIGINT"),
    ("step", "f.step", "INTEGER"),
    ("cfg", "f.cfg", "DOUBLE"),
    ("sampler", "f.sampler", "VARCHAR"),
    ("width", "f.width", "INTEGER"),
    ("height", "f.height", "INTEGER"),
    ("image_nsfw", "f.image_nsfw", "DOUBLE"),
    ("prompt_nsfw", "f.prompt_nsfw", "DOUBLE"),
    ("source", "f.source", "VARCHAR"),
    ("image_name", "f.image_name", "VARCHAR"),
    ("part_id", "f.part_id", "INTEGER"),
)
# dim_prompts columns exported after ``prompt_id`` when the warehouse has them: the clusters of
# prompts equal but for case and spacing, and any column named *cluster*.
CLUSTER_COLUMNS = ("prompt_normalized",)
FORMATS = ("parquet", "datasets", "both")
# DuckDB type -> the datasets feature dtype the files hold
ARROW_TYPES = {
    "VARCHAR": "string",
    "BIGINT": "int64",
    "INTEGER": "int32",
    "DOUBLE": "float64",
    "BOOLEAN": "bool",
    "TIMESTAMPTZ": "timestamp[us, tz=UTC]",
    "TIMESTAMP WITH TIME ZONE": "timestamp[us, tz=UTC]",
}
DATASET_DIR, PARQUET_FILE, CARD = "dataset", "parquet/generations.parquet", "README.md"
# the dataset card's front matter: the hub reads the Parquet file as the train split
HUB_CONFIG = "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: {path}\n---\n"


class ExportError(AnalyzerError):
    """An export that cannot be written as asked (nothing passes the filters, files in the way)."""


def cluster_columns(wh: Warehouse) -> list[tuple[str, str, str]]:
    """The prompt-cluster columns of this warehouse's dim_prompts, as EXPORT_COLUMNS entries
    (none in older builds; a type with no Arrow counterpart here is exported as text)."""
    found = wh.query(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = "
        "current_database() AND table_name = 'dim_prompts' ORDER BY ordinal_position"
    )
    return [
        (name, f'p."{name}"', kind if kind in ARROW_TYPES else "VARCHAR")
        for name, kind in found.itertuples(index=False)
        if name in CLUSTER_COLUMNS or "cluster" in name
    ]


def export_columns(wh: Warehouse) -> list[tuple[str, str, str]]:
    """EXPORT_COLUMNS with this warehouse's cluster columns right after prompt_id."""
    columns = list(EXPORT_COLUMNS)
    at = [name for name, _, _ in columns].index("prompt_id") + 1
    columns[at:at] = wh.memo("export:clusters", lambda: cluster_columns(wh))
    return columns


def export_generations(wh: Warehouse, filters: Filters | None = None) -> pd.DataFrame:
    """One row per generation passing ``filters``, oldest first: ``export_columns``, each of its
    type; ``attrs["types"]`` maps each column to it (``write_export`` writes the files with them)."""
    where, params = (filters or Filters()).where()
    columns = export_columns(wh)
    select = ", ".join(f'CAST({sql} AS {kind}) AS "{name}"' for name, sql, kind in columns)
    frame = wh.query(
        f"SELECT {select} {from_filtered(where, select)} ORDER BY f.created_at, f.generation_id", params
    )
    frame.attrs["types"] = {name: kind for name, _, kind in columns}
    return frame


def scope_text(filters: Filters) -> str:
    """The filters as one line ('tiers: pro; from 2025-09-01'), or 'all generations'."""
    parts = []
    for spec in FILTER_FIELDS:
        value = getattr(filters, spec.name)
        if value:
            shown = ", ".join(value) if isinstance(value, tuple) else str(value)
            parts.append(f"{spec.label.lower()} {shown}")
    return "; ".join(parts) or "all generations"


def dataset_card(wh: Warehouse, filters: Filters, rows: int) -> str:
    """What the export holds, for its README.md and the dataset's description: where the rows come
    from, the filters, what was simulated, what the columns are."""
    info = wh.build_info()
    simulated = ", ".join(f"{c} ({n:,} rows)" for c, n in info.get("simulated_columns", {}).items() if n)
    synthetic = " It is synthetic: no real user made these generations." if info.get("synthetic") else ""
    return (
        "# Generations exported by GenAI Session Analyzer\n\n"
        f"{rows:,} generations ({scope_text(filters)}), exported "
        f"{datetime.now(UTC).isoformat(timespec='seconds')} from a warehouse built from "
        f"{info.get('source')} ({info.get('location')}).{synthetic}\n\n"
        f"Simulated where the source lacked them: {simulated or 'nothing'}.\n\n"
        "One row per generation. Columns follow the logs column contract of GenAI Session Analyzer "
        "(prompt, user_id, timestamp, status, latency_ms, cost_usd, ...), plus the session "
        "(session_id, session_seq), the user's tier, the prompt's labels (domain, art_style, "
        "complexity_score) and, where built, its cluster. user_id is a hash, null for rows without "
        "a known user.\n"
    )


def write_export(
    frame: pd.DataFrame, out: Path, fmt: str = "both", *, card: str = "", overwrite: bool = False
) -> dict[str, Path]:
    """Write ``frame`` under ``out``: ``dataset/`` (datasets' save_to_disk), ``parquet/
    generations.parquet``, and ``README.md`` (``card``, with the hub's data_files for the Parquet
    file, so that uploading the folder gives one train split); return {what: path} as written."""
    import datasets

    if fmt not in FORMATS:
        raise ExportError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if frame.empty:
        raise ExportError("No generations pass these filters; nothing was written.")
    out = Path(out)
    targets = {"datasets": out / DATASET_DIR, "parquet": out / PARQUET_FILE}
    targets = {kind: path for kind, path in targets.items() if fmt in (kind, "both")}
    if card:
        targets["card"] = out / CARD
    in_the_way = [str(p) for p in targets.values() if p.exists()]
    if in_the_way and not overwrite:
        raise ExportError(f"{', '.join(in_the_way)} already exist(s); add --overwrite to replace.")
    for path in map(Path, in_the_way):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    types = frame.attrs.get("types", {})
    features = datasets.Features(
        {c: datasets.Value(ARROW_TYPES[types[c]]) for c in frame.columns if types.get(c) in ARROW_TYPES}
    )
    features = features if len(features) == len(frame.columns) else None  # else as pandas infers
    info = datasets.DatasetInfo(description=card, features=features)
    ds = datasets.Dataset.from_pandas(frame, preserve_index=False, features=features, info=info)
    was = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        if "datasets" in targets:
            ds.save_to_disk(str(targets["datasets"]))
        if "parquet" in targets:
            targets["parquet"].parent.mkdir(parents=True, exist_ok=True)
            ds.to_parquet(str(targets["parquet"]))
    finally:
        if was:
            datasets.enable_progress_bars()
    if card:
        front = HUB_CONFIG.format(path=PARQUET_FILE) if "parquet" in targets else ""
        targets["card"].write_text(front + card)
    return targets
