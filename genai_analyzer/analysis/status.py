"""What a warehouse holds: rows per table, date range, sources, what was simulated and enriched."""

from __future__ import annotations

from pathlib import Path

from genai_analyzer.analysis.embedding_job import format_progress, full_tier_progress
from genai_analyzer.analysis.formatting import format_share
from genai_analyzer.core.contract import IMAGE_EMBEDDINGS, MART_TABLES
from genai_analyzer.warehouse.datamodel import missing_columns
from genai_analyzer.warehouse.reader import Warehouse


def warehouse_status(path: Path) -> dict:
    """A summary of the warehouse at ``path`` (raises WarehouseError when there is none)."""
    with Warehouse(path, extensions=()) as wh:
        info = wh.build_info()
        tables = wh.tables()
        # a mart an older build lacks has no count: its None says so, and "outdated" what to add
        held = {name.rpartition(".")[2] for name in tables}
        rows = {t: wh.scalar(f"SELECT count(*) FROM {t}") if t in held else None for t in MART_TABLES}
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
        enrichment["prompts"] = rows["dim_prompts"]
        for column in ("text_embedding", "domain", "art_style", "complexity_score"):
            if column in tables.get("main.dim_prompts", []):
                enrichment[column] = int(wh.scalar(f"SELECT count({column}) FROM dim_prompts"))
        if f"main.{IMAGE_EMBEDDINGS}" in tables:  # the image step's vectors (docs/images.md)
            enrichment["image_embeddings"] = int(wh.scalar(f"SELECT count(*) FROM {IMAGE_EMBEDDINGS}"))
            made = info.get("enrichment", {}).get("image_embeddings", {})
            enrichment["image_model"] = made.get("label") or made.get("model") or "efficientnet-lite0"
            enrichment["image_model_kind"] = made.get("kind") or "visual"
        if "image_nsfw_source" in tables.get("main.fact_generations", []):  # NSFW scored by the build
            enrichment["nsfw_scored"] = int(
                wh.scalar("SELECT count(*) FROM fact_generations WHERE image_nsfw_source = 'scored'")
            )
        enrichment["indexes"] = info.get("indexes", {})
        if "embedding_model" in tables.get("main.dim_prompts", []):  # the search tier and the full tier's job
            enrichment["embedding_tier"] = full_tier_progress(wh)
        return {
            "path": str(Path(path).resolve()),
            "size_bytes": Path(path).stat().st_size,
            "rows": rows,
            "first_generation": str(first),
            "last_generation": str(last),
            "sources": sources,
            "build": info,
            "enrichment": enrichment,
            "outdated": missing_columns(tables),  # table -> documented columns it lacks
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
    lines += [
        f"  {table:<18}{n:>12,}" if n is not None else f"  {table:<18}{'missing':>12}"
        for table, n in status["rows"].items()
    ]
    if status.get("outdated"):
        lacks = "; ".join(f"{t}: {', '.join(c)}" for t, c in status["outdated"].items())
        lines += [
            "outdated    built by an older version; `genai-analyzer enrich` adds what it lacks",
            f"  lacks     {lacks}",
        ]
    ingest = build["ingest"]
    lines += [
        "ingest",
        f"  rows without user   {ingest['rows_without_user']:,} "
        f"(deleted accounts {ingest['deleted_accounts']:,})",
        f"  empty prompts       {ingest['empty_prompts']:,}",
        f"  images found        {ingest['images_found']:,} (missing {ingest['images_missing']:,})",
    ]
    if "rows_read" in ingest:  # builds before the row checks did not record these
        lines.append(
            f"  rows read           {ingest['rows_read']:,} (rejected {ingest['rows_rejected']:,}, "
            f"simulated timestamps {ingest['timestamps_simulated']:,})"
        )
    issues = ingest.get("issues", [])
    lines.append(
        f"  problems            {len(issues) or 'none'}" + (" (docs/reliability.md)" if issues else "")
    )
    lines += [f"    - {issue['message']}" for issue in issues]
    lines += [
        "simulated (rows; 0 = from the source)",
    ]
    lines += [f"  {col:<18}{n:>12,}" for col, n in build["simulated_columns"].items()]
    enr = status["enrichment"]
    lines += ["enrichment"]
    for key in ("images", "thumbnails"):
        share = format_share(enr[key], enr["generations"])
        lines.append(f"  {key:<18}{enr[key]:>12,}  ({share} of generations)")
    for key in ("text_embedding", "domain", "art_style", "complexity_score"):
        if key in enr:
            share = format_share(enr[key], enr["prompts"])
            lines.append(f"  {key:<18}{enr[key]:>12,}  ({share} of prompts)")
    if "image_embeddings" in enr:
        share = format_share(enr["image_embeddings"], enr["thumbnails"])
        lines.append(f"  {'image_embeddings':<18}{enr['image_embeddings']:>12,}  ({share} of thumbnails)")
        what = "CLIP" if enr.get("image_model_kind") == "clip" else "visual similarity"
        lines.append(f"  {'image model':<18}{enr.get('image_model')} ({what})")
    if enr.get("nsfw_scored"):
        lines.append(
            f"  {'nsfw scored':<18}{enr['nsfw_scored']:>12,}  (generations whose image_nsfw the build made)"
        )
    for step, counts in build.get("enrichment", {}).items():
        done, reused, failed = counts["done"], counts["skipped"], counts["failed"]
        lines.append(f"  last run: {step}: {done:,} made, {reused:,} reused, {failed:,} failed")
    if "embedding_tier" in enr:
        lines.append(f"  search tier       {format_progress(enr['embedding_tier'])}")
    indexes = [name for name, ok in enr.get("indexes", {}).items() if ok]
    lines.append(f"  search indexes    {', '.join(indexes) or 'none'}")
    return "\n".join(lines)
