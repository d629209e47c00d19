"""What a warehouse holds: rows per table, date range, sources, what was simulated and enriched."""

from __future__ import annotations

from pathlib import Path

from genai_analyzer.warehouse import MART_TABLES, Warehouse


def warehouse_status(path: Path) -> dict:
    """A summary of the warehouse at ``path`` (raises WarehouseError when there is none)."""
    with Warehouse(path, extensions=()) as wh:
        info = wh.build_info()
        tables = wh.tables()
        rows = {t: wh.scalar(f"SELECT count(*) FROM {t}") for t in MART_TABLES}
        first, last, sources = wh.query(
            "SELECT min(created_at) AS first, max(created_at) AS last, "
            "string_agg(DISTINCT source, ', ') AS sources FROM fact_generations"
        ).iloc[0]
        images, thumbs = wh.query(
            "SELECT count(image_path) AS images, count(thumb_path) AS thumbs FROM fact_generations"
        ).iloc[0]
        enrichment = {
            "images": int(images),
            "thumbnails": int(thumbs),
            "generations": rows["fact_generations"],
        }
        for column in ("text_embedding", "domain", "art_style", "complexity_score"):
            if column in tables.get("main.dim_prompts", []):
                enrichment[column] = int(wh.scalar(f"SELECT count({column}) FROM dim_prompts"))
        return {
            "path": str(Path(path).resolve()),
            "size_bytes": Path(path).stat().st_size,
            "rows": rows,
            "first_generation": str(first),
            "last_generation": str(last),
            "sources": sources,
            "build": info,
            "enrichment": enrichment,
        }


def format_status(status: dict) -> str:
    """The status as lines of text for the terminal."""
    build = status["build"]
    lines = [
        f"warehouse   {status['path']} ({status['size_bytes'] / 1e6:.1f} MB)",
        f"source      {build['source']} from {build['location']}"
        + ("  [synthetic sample data]" if build.get("synthetic") else ""),
        f"built       {build['built_at']} (seed {build['seed']}, "
        f"session gap {build['session_gap_minutes']} min)",
        f"time range  {status['first_generation']} .. {status['last_generation']}",
        "rows",
    ]
    lines += [f"  {table:<18}{n:>12,}" for table, n in status["rows"].items()]
    ingest = build["ingest"]
    lines += [
        "ingest",
        f"  rows without user   {ingest['rows_without_user']:,} "
        f"(deleted accounts {ingest['deleted_accounts']:,})",
        f"  empty prompts       {ingest['empty_prompts']:,}",
        f"  images found        {ingest['images_found']:,} (missing {ingest['images_missing']:,})",
        "simulated (rows; 0 = from the source)",
    ]
    lines += [f"  {col:<18}{n:>12,}" for col, n in build["simulated_columns"].items()]
    enr = status["enrichment"]
    total = enr["generations"] or 1
    lines += ["enrichment"]
    lines += [
        f"  {key:<18}{n:>12,}  ({100 * n / total:.0f}% of generations)"
        for key, n in enr.items()
        if key in ("images", "thumbnails")
    ]
    lines += [
        f"  {key:<18}{n:>12,} prompts"
        for key, n in enr.items()
        if key not in ("images", "thumbnails", "generations")
    ]
    return "\n".join(lines)
