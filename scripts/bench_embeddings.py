"""Embedding backends side by side on real DiffusionDB prompts: speed, agreement, search results.

    python scripts/bench_embeddings.py                       # all distinct prompts, 200 queries
    python scripts/bench_embeddings.py --limit 1000 --rounds 1   # quicker, while developing

Reads the distinct, non-empty prompts of ``parts_000001-000005/metadata.parquet`` and
``users_1k/diffusiondb_sample_typed.parquet`` under ``--data`` (default ../shared/data/diffusiondb)
and embeds them with each backend in the same process, on the same threads (``--threads``, used
by both PyTorch and ONNX Runtime). Timed rounds alternate between backends so that load from
other processes falls on all of them alike; each backend's best round is reported. Model load
and the one-off ONNX export are timed apart from throughput.

Agreement with ``torch`` (fp32): the mean, 1st percentile and minimum cosine between the two
vectors of each prompt, and, for ``--queries`` prompts drawn with ``--seed``, whether the 10
nearest other prompts by cosine are the same set with both backends (and the mean overlap).
Prints a Markdown table and ``/proc/loadavg`` before and after (docs/benchmarks.md, Embeddings).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import loadavg  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "diffusiondb"
FILES = ("parts_000001-000005/metadata.parquet", "users_1k/diffusiondb_sample_typed.parquet")


def load_prompts(data: Path, limit: int | None = None) -> list[str]:
    """Distinct, non-empty prompts of the real DiffusionDB files under ``data``, in a fixed order."""
    import duckdb

    files = [str(data / f) for f in FILES if (data / f).exists()]
    if not files:
        raise SystemExit(f"no DiffusionDB metadata under {data} (expected {', '.join(FILES)})")
    rows = duckdb.sql(
        f"""
        SELECT DISTINCT prompt FROM read_parquet({files!r}, union_by_name = true)
        WHERE prompt IS NOT NULL AND length(trim(prompt)) > 0
        ORDER BY md5(prompt)
        {"LIMIT " + str(int(limit)) if limit else ""}
        """
    ).fetchall()
    return [r[0] for r in rows]


def top_k(vectors: np.ndarray, queries: np.ndarray, k: int = 10) -> np.ndarray:
    """Indices of the ``k`` nearest other prompts (cosine) of each query, nearest first."""
    scores = vectors[queries] @ vectors.T
    scores[np.arange(len(queries)), queries] = -np.inf  # a prompt is not its own neighbour
    best = np.argpartition(-scores, k, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, best, axis=1), axis=1)
    return np.take_along_axis(best, order, axis=1)


def agreement(reference: np.ndarray, other: np.ndarray, queries: np.ndarray, k: int = 10) -> dict:
    """Cosine between the two vectors of each prompt, and top-k agreement over ``queries``."""
    cosine = np.sum(reference * other, axis=1)
    a, b = top_k(reference, queries, k), top_k(other, queries, k)
    same = [set(x) == set(y) for x, y in zip(a, b, strict=True)]
    overlap = [len(set(x) & set(y)) / k for x, y in zip(a, b, strict=True)]
    return {
        "cos_mean": float(cosine.mean()),
        "cos_p1": float(np.percentile(cosine, 1)),
        "cos_min": float(cosine.min()),
        "same_top10": float(np.mean(same)),
        "overlap_top10": float(np.mean(overlap)),
    }


def run(args: argparse.Namespace) -> dict:
    import torch

    from genai_analyzer.models.embeddings import Embedder, check_backend

    backends = [check_backend(b.strip()) for b in args.backends.split(",") if b.strip()]
    if backends[0] != "torch":
        backends = ["torch", *[b for b in backends if b != "torch"]]  # the reference comes first
    torch.set_num_threads(args.threads)
    prompts = load_prompts(Path(args.data), args.limit)
    rng = np.random.default_rng(args.seed)
    queries = rng.choice(len(prompts), size=min(args.queries, len(prompts) - 1), replace=False)
    load_before = loadavg()
    print(f"{len(prompts)} distinct prompts, {len(queries)} queries, {args.threads} threads")
    print(f"loadavg before: {load_before}")

    embedders, load_s = {}, {}
    for backend in backends:
        started = time.perf_counter()
        embedder = Embedder(backend=backend, cache_dir=args.cache, threads=args.threads)
        embedder.embed(prompts[:32], batch_size=args.batch_size)  # loads (and exports) the model
        embedders[backend], load_s[backend] = embedder, time.perf_counter() - started

    best: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    for round_no in range(args.rounds):
        for backend in backends if round_no % 2 == 0 else backends[::-1]:
            started = time.perf_counter()
            vectors[backend] = embedders[backend].embed(prompts, batch_size=args.batch_size)
            seconds = time.perf_counter() - started
            best[backend] = min(best.get(backend, np.inf), seconds)
            print(f"round {round_no + 1} {backend}: {len(prompts) / seconds:.1f} texts/s", flush=True)

    rows = []
    for backend in backends:
        row = {
            "backend": backend,
            "texts_per_s": len(prompts) / best[backend],
            "speedup": best["torch"] / best[backend],
            "load_s": load_s[backend],
        }
        row.update(agreement(vectors["torch"], vectors[backend], queries))
        rows.append(row)
    result = {
        "prompts": len(prompts),
        "queries": len(queries),
        "threads": args.threads,
        "rounds": args.rounds,
        "batch_size": args.batch_size,
        "rows": rows,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
    }
    print(markdown(result))
    return result


def markdown(result: dict) -> str:
    lines = [
        "| backend | texts/s | speedup vs torch | load + export (s) | cosine to torch: mean / p1 / min "
        "| same top-10 set | top-10 overlap |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['backend']} | {r['texts_per_s']:.1f} | {r['speedup']:.2f}x | {r['load_s']:.1f} "
            f"| {r['cos_mean']:.4f} / {r['cos_p1']:.4f} / {r['cos_min']:.4f} "
            f"| {r['same_top10']:.1%} | {r['overlap_top10']:.1%} |"
        )
    lines.append("")
    lines.append(
        f"{result['prompts']} distinct prompts, {result['queries']} queries, {result['threads']} threads, "
        f"batch {result['batch_size'] or 'default'}, best of {result['rounds']} round(s); loadavg before "
        f"`{result['loadavg_before']}`, after `{result['loadavg_after']}`"
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the DiffusionDB folder of ../shared")
    parser.add_argument("--limit", type=int, default=None, help="at most this many prompts")
    parser.add_argument("--queries", type=int, default=200, help="prompts used as search queries")
    parser.add_argument("--backends", default="torch,onnx,onnx-int8")
    parser.add_argument("--threads", type=int, default=2, help="for PyTorch and ONNX Runtime alike")
    parser.add_argument(
        "--batch-size", type=int, default=None, help="texts per model call (default: each backend's own)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds per backend (best kept)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", default=None, help="model cache for the ONNX export (GENAI_MODEL_CACHE)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
