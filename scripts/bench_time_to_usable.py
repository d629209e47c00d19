"""Time to usable: from `genai-analyzer build` on DiffusionDB-shaped metadata to an app that answers
analytics, keyword search and search by meaning, with the static embedding tier.

    python scripts/bench_time_to_usable.py --size 2000000 --workdir /tmp/ttu
    python scripts/bench_time_to_usable.py --size 20000             # a smoke run, a few minutes

1. Writes ``--size`` generations of metadata with the scale generator (`genai-analyzer generate`'s
   code, no images) unless the work folder has them; not timed as part of the build.
2. Runs ``genai-analyzer build --source diffusiondb`` in a child process, as a user would, with
   ``GENAI_EMBEDDING_BACKEND=static`` and an empty model cache (the static model is made from the
   bundled MiniLM for this corpus, then every distinct prompt is embedded with it). The steps
   that do not serve those three are skipped (``--skip``, default labels and clusters: each runs
   later with ``genai-analyzer enrich``). Wall time, and the child's peak resident memory (its
   ``VmHWM`` in /proc, read every 0.5 s until it exits).
3. Opens the warehouse as the app does (``Api`` over a read-only ``Warehouse``) and times the first
   answer of each: the Overview's figures, the KPIs, the daily series, a keyword search and a
   search by meaning (the static model loaded for the query: the first search's cost).
4. **The baseline, in the same run**: the full tier (MiniLM, the default ``onnx`` backend) embeds
   ``--sample`` distinct prompts of the same metadata; its rate gives the time the same build
   would take before search by meaning works with that backend (the build's other steps, as
   measured, plus every distinct prompt at that rate).

Prints one Markdown table and /proc/loadavg before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from benchlib import generated_metadata, loadavg  # noqa: E402


def metadata(workdir: Path, size: int) -> Path:
    data, seconds = generated_metadata(workdir, size)
    if seconds is not None:
        print(f"metadata: {size:,} generations written in {seconds:.1f} s", flush=True)
    return data


def build(data: Path, db: Path, cache: Path, skip: str, memory_limit: str) -> tuple[float, float]:
    """The build in a child process: (wall seconds, the child's peak resident MB)."""
    env = {
        **({"GENAI_MEMORY_LIMIT": memory_limit} if memory_limit else {}),
        **os.environ,
        "GENAI_DB": str(db),
        "GENAI_DATA_DIR": str(db.parent),
        "GENAI_MODEL_CACHE": str(cache),
        "GENAI_EMBEDDING_BACKEND": "static",
        "DO_NOT_TRACK": "1",
    }
    command = [sys.executable, "-m", "genai_analyzer.cli", "build", "--source", "diffusiondb"]
    command += ["--path", str(data), "--quiet"] + (["--skip", skip] if skip else [])
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env)
    peak_kb = 0
    while child.poll() is None:  # the child's high-water mark (VmHWM), read until it exits
        peak_kb = max(peak_kb, _high_water_kb(child.pid))
        time.sleep(0.5)
    if child.returncode:
        raise SystemExit(f"the build failed (exit {child.returncode})")
    seconds = time.perf_counter() - started
    peak_kb = max(peak_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # KB on Linux
    return seconds, peak_kb / 1024


def _high_water_kb(pid: int) -> int:
    """The peak resident memory of a running process so far, in KB (0 where /proc cannot say)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def first_answers(db: Path, cache: Path) -> dict[str, float]:
    """Seconds to the first answer of each surface, on a freshly opened warehouse."""
    os.environ["GENAI_MODEL_CACHE"] = str(cache)
    from genai_analyzer.analysis.filters import NO_FILTERS
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.warehouse.reader import Warehouse

    out: dict[str, float] = {}
    started = time.perf_counter()
    wh = Warehouse(db)
    api = Api(wh)
    out["open"] = time.perf_counter() - started
    calls = {
        "overview": lambda: api.overview(),
        "kpis": lambda: api.kpis(NO_FILTERS),
        "daily series": lambda: api.timeseries(NO_FILTERS),
        "keyword search": lambda: api.search("castle on a hill at sunset", mode="keyword"),
        "search by meaning": lambda: api.search("a lonely lighthouse in a storm", mode="semantic"),
        "search by meaning, again": lambda: api.search("portrait of an old sailor", mode="semantic"),
    }
    for name, call in calls.items():
        started = time.perf_counter()
        result = call()
        out[name] = time.perf_counter() - started
        if name.startswith("search") or name == "keyword search":
            assert result, f"{name} returned nothing"
            out.setdefault("tier", result[0].get("semantic_tier") or "")
    out["tier"] = api.embedding_progress().get("tier") or ""
    wh.close()
    return out


def baseline_rate(data: Path, sample: int, cache: Path) -> tuple[float, int]:
    """MiniLM's prompts/s (default backend) on ``sample`` distinct prompts of the metadata, and the
    number of distinct prompts."""
    import duckdb

    from genai_analyzer.models.embeddings import DEFAULT_MODEL, Embedder

    con = duckdb.connect()
    source = str(data / "metadata.parquet")
    distinct = con.execute(f"SELECT count(DISTINCT prompt) FROM read_parquet('{source}')").fetchone()[0]
    texts = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT prompt FROM read_parquet('{source}') WHERE prompt <> '' "
            f"ORDER BY hash(prompt) LIMIT {int(sample)}"
        ).fetchall()
    ]
    embedder = Embedder(DEFAULT_MODEL, backend="onnx", cache_dir=cache)
    embedder.embed(["warm up"])  # the export and the load, not counted in the rate
    started = time.perf_counter()
    embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started), distinct


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=2_000_000, help="Generations of metadata.")
    parser.add_argument("--workdir", type=Path, default=None, help="Keeps the metadata between runs.")
    parser.add_argument("--skip", default="labels,clusters", help="Build steps left for later.")
    parser.add_argument("--sample", type=int, default=2000, help="Prompts the baseline embeds.")
    parser.add_argument(
        "--memory-limit", default="", help="GENAI_MEMORY_LIMIT for the build (DuckDB's, e.g. 5GB)."
    )
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="genai-ttu-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"workdir {workdir}; load {loadavg()}", flush=True)
    data = metadata(workdir, args.size)
    run = Path(tempfile.mkdtemp(prefix="run-", dir=workdir))  # a fresh warehouse and model cache
    db, cache = run / "warehouse.duckdb", run / "models"

    build_s, peak_mb = build(data, db, cache, args.skip, args.memory_limit)
    answers = first_answers(db, cache)
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        steps = json.loads(
            con.execute("SELECT value FROM build_info WHERE key = 'step_seconds'").fetchone()[0]
        )
    usable_s = build_s + sum(v for k, v in answers.items() if k not in ("tier", "search by meaning, again"))
    rate, distinct = baseline_rate(data, args.sample, run / "baseline-models")
    embed_s = steps.get("embeddings", 0.0)
    baseline_s = build_s - embed_s + distinct / rate

    print()
    print(f"{args.size:,} generations, {distinct:,} distinct prompts; skipped: {args.skip or 'nothing'}; "
          f"GENAI_MEMORY_LIMIT: {args.memory_limit or 'unset (DuckDB: 80% of the memory)'}")  # fmt: skip
    print(f"steps (s): {json.dumps({k: round(v, 1) for k, v in steps.items()})}")
    print()
    print("| | seconds |")
    print("|---|---:|")
    print(f"| build, `GENAI_EMBEDDING_BACKEND=static` (child process, wall) | {build_s:.1f} |")
    print(f"| of which embeddings (making the static model, then every prompt) | {embed_s:.1f} |")
    for name, value in answers.items():
        if name != "tier":
            print(f"| first answer: {name} | {value:.2f} |")
    print(f"| **time to usable** (build + open + the first answer of each) | **{usable_s:.1f}** |")
    said = f"MiniLM (`onnx`, {rate:.0f} prompts/s on {args.sample:,})"
    print(f"| baseline: the same build with {said}, until search by meaning works | {baseline_s:.0f} |")
    print(f"| ratio, baseline / static | {baseline_s / usable_s:.1f}x |")
    print()
    print(f"peak resident memory of the build: {peak_mb:,.0f} MB; search by meaning answered with the "
          f"{answers['tier'] or '?'} tier; load {loadavg()}")  # fmt: skip


if __name__ == "__main__":
    main()
