"""Which embedding tier a warehouse's search answers with, and the full-quality job's progress.

A warehouse built with the static tier (GENAI_EMBEDDING_BACKEND=static) is upgraded by a job
(``genai-analyzer enrich embeddings``, or the app's background worker; pipeline/full_embeddings.py)
that writes MiniLM's vectors to batch files beside the warehouse and publishes them all at once.
The figures here are counted, not remembered: ``done`` is the number of the warehouse's prompts
that have a vector in those files (or, once published, in ``dim_prompts``); only the rate, which
gives the ETA, comes from the job's record.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import duckdb

from genai_analyzer.core import job_lock
from genai_analyzer.core.contract import full_tier_job_path, full_tier_lock_path
from genai_analyzer.models.embeddings import embedding_tier
from genai_analyzer.warehouse.reader import Warehouse

# state: complete (searched with the full model), running (embedding), publishing (every prompt has
# its vector: the new warehouse is being made and swapped in), stopped (a run ended before the end:
# the next resumes), failed (publishing failed: the error says why), pending (no run yet),
# none (no prompt vectors at all)
STATES = ("complete", "running", "publishing", "stopped", "failed", "pending", "none")


def stored_model(wh: Warehouse) -> str:
    """The key of the model the warehouse's prompt vectors were made with ('' when none)."""
    return wh.build_info().get("enrichment", {}).get("embeddings", {}).get("model") or ""


def search_tier(wh: Warehouse) -> str | None:
    """``static`` or ``full``: which tier semantic search answers with (None: no vectors).
    Remembered per open warehouse, which a re-open after the job's swap forgets."""
    return wh.memo("search_tier", lambda: embedding_tier(m) if (m := stored_model(wh)) else None)


def full_tier_progress(wh: Warehouse) -> dict:
    """The full-quality tier's progress: state, done, total (distinct prompts), share, the rate
    the job measured (prompts/s), the ETA at that rate (seconds; None when unknown), the models."""
    model = stored_model(wh)
    total = int(wh.scalar("SELECT count(*) FROM dim_prompts") or 0)
    out = {
        "tier": embedding_tier(model) if model else None,
        "model": model,
        "full_model": model if model and embedding_tier(model) == "full" else "",
        "state": "none",
        "done": 0,
        "total": total,
        "share": None,
        "rate": None,
        "eta_s": None,
        "updated_at": None,
        "error": "",
    }
    if not model:
        return out
    if out["tier"] == "full":
        done = int(wh.scalar("SELECT count(*) FROM dim_prompts WHERE embedding_model = $m", {"m": model}))
        return {**out, "state": "complete", "done": done, "share": done / total if total else None}
    record = _record(wh.path)
    running = job_lock.is_held(full_tier_lock_path(wh.path))
    done = _done(wh, Path(record["cache_dir"])) if record.get("cache_dir") else 0
    if running:
        # every prompt embedded: publishing, even before the job has recorded it
        state = "publishing" if record.get("state") == "publishing" or done >= total else "running"
    elif record:
        state = "failed" if record.get("state") == "failed" else "stopped"
    else:
        state = "pending"
    rate = record.get("rate")
    return {
        **out,
        "full_model": record.get("model", ""),
        "state": state,
        "done": done,
        "share": done / total if total else None,
        "rate": rate,
        "eta_s": round((total - done) / rate, 1) if rate and state in ("running", "stopped") else None,
        "updated_at": record.get("updated_at"),
        "error": record.get("error", ""),
    }


def _record(warehouse: Path) -> dict:
    path = full_tier_job_path(warehouse)
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text())
    return {}


def _done(wh: Warehouse, cache: Path) -> int:
    """The warehouse's prompts that have a vector in the job's finished batch files.

    A finished file never changes and no prompt is in two of them (each run skips the prompts
    earlier files hold, and one run at a time holds the lock), so each file is counted once per
    open warehouse and the counts summed: asking again reads only the files that are new."""
    counted: dict[str, int] = wh.memo("full_tier_file_counts", dict)
    files = sorted(str(p) for p in cache.glob("*.parquet")) if cache.is_dir() else []
    sql = (
        "SELECT count(DISTINCT prompt_id) FROM read_parquet($files) "
        "WHERE prompt_id IN (SELECT prompt_id FROM dim_prompts)"
    )
    new = [f for f in files if f not in counted]
    if new:
        try:
            counts = wh.rows(
                "SELECT filename, count(DISTINCT prompt_id) FROM read_parquet($files, filename = true) "
                "WHERE prompt_id IN (SELECT prompt_id FROM dim_prompts) GROUP BY filename",
                {"files": new},
            )
            counted.update({f: 0 for f in new})
            counted.update(dict(counts))
        except duckdb.Error:  # an unreadable file: count the readable ones, one by one
            for file in new:
                with contextlib.suppress(duckdb.Error):
                    counted[file] = int(wh.scalar(sql, {"files": [file]}))
    return sum(counted.get(f, 0) for f in files)


def format_progress(progress: dict) -> str:
    """One line: which tier search answers with and, while static, how far the full tier is."""
    tier, state = progress["tier"], progress["state"]
    if tier is None:
        return "no prompt embeddings: semantic search is off (genai-analyzer enrich embeddings)"
    if tier == "full":
        return f"full quality ({progress['model']}) for all {progress['total']:,} prompts"
    done, total = progress["done"], progress["total"]
    share = f"{progress['share']:.0%}" if progress["share"] is not None else "-"
    line = f"static tier; full quality {done:,} of {total:,} prompts ({share}), {state}"
    if progress["rate"]:
        line += f", {progress['rate']:,.0f} prompts/s"
    if progress["eta_s"] is not None:
        line += f", ETA {_duration(progress['eta_s'])}" + (" once resumed" if state == "stopped" else "")
    if state == "publishing":
        line += " (making the new warehouse: dbt and indexes, then the swap)"
    if state == "pending":
        line += " (genai-analyzer enrich embeddings, or the app's background worker)"
    if progress["error"]:
        line += f": {progress['error']}"
    return line


def tier_line(progress: dict) -> str:
    """The sentence under a search by meaning: which tier ranked the results."""
    if progress["tier"] is None:
        return "No prompt embeddings: results are ranked by keywords only."
    if progress["tier"] == "full":
        return f"Ranked by meaning with the full-quality tier ({progress['model']})."
    return (
        "Ranked by meaning with the static tier (fast first embeddings, lower quality); "
        + format_progress(progress).removeprefix("static tier; ")
        + "."
    )


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
