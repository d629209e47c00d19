"""The static embedding tier against MiniLM, side by side in one run: quality, speed, cost to make.

    python scripts/bench_static_embeddings.py                 # the figures of docs/benchmarks.md
    python scripts/bench_static_embeddings.py --mixes 2000 --epochs 4   # quicker, while developing

Reads the distinct, non-empty prompts of the real DiffusionDB rows under ``--data`` (parts 1-5 and
users_1k, read in place) and compares three embedders of them:

- **minilm**: all-MiniLM-L6-v2 on the default backend (ONNX Runtime fp32), the reference;
- **static-plain**: model2vec's recipe made here (MiniLM's word pieces plus the corpus's words
  distilled, PCA, Zipf/SIF weights), no fitting;
- **static-sum (no network)**: the same distilled vectors fitted on MiniLM's vectors of a sample
  of the prompts and fragments of them, a text's vector the normalized sum of its tokens' (the
  ``static`` backend before its network; the baseline of the network);
- **static-fitted**: the same, with the small residual network after the sum trained together with
  the token vectors (``genai_analyzer.models.static_embeddings``, the ``static`` backend).

Held out, so that no figure rewards memorising: the prompts are split in two halves by md5; the
static models are fitted on the first half only (``--sample`` caps how many), and every figure is
measured on the second half (the "unseen" prompts), where the vocabulary still comes from all
prompts, as it does in a build (counting words is cheap; fitting is not). Measured there:

- **nDCG@10** on the 30 labelled queries of ``tests/data/search_queries.json`` (the relevance rules
  and the formula of ``tests/test_search.py``: binary gains, the ideal ranking puts every relevant
  prompt first), semantic search by exact cosine among the unseen prompts of parts 1-5; queries
  with no relevant prompt there are left out. Also with MiniLM's query vectors over the static
  prompt vectors (``minilm->static``): what a search gets while both tiers share one index.
- **top-10 overlap**: for ``--queries`` unseen prompts used as queries, the share of MiniLM's 10
  nearest other unseen prompts that the static model also ranks in its 10 nearest.
- **speed**: prompts/s embedding all prompts, best of ``--rounds``, on ``--threads`` threads.
- **cost**: the seconds to make each static model (vocabulary, distillation, MiniLM's vectors of
  the fitting texts, fitting), from an empty cache folder.

Prints a Markdown table and ``/proc/loadavg`` before and after.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import loadavg  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "diffusiondb"
QUERY_SET = ROOT / "tests" / "data" / "search_queries.json"
PARTS = "parts_000001-000005/metadata.parquet"
USERS = "users_1k/diffusiondb_sample_typed.parquet"


def load_prompts(data: Path) -> tuple[list[str], set[str]]:
    """(distinct non-empty prompts of parts 1-5 and users_1k, the set of those of parts 1-5)."""
    import duckdb

    def read(files: list[Path]) -> list[str]:
        rows = duckdb.sql(
            f"SELECT DISTINCT prompt FROM read_parquet({[str(f) for f in files]!r}, union_by_name = true) "
            "WHERE prompt IS NOT NULL AND length(trim(prompt)) > 0 ORDER BY md5(prompt)"
        ).fetchall()
        return [r[0] for r in rows]

    if not (data / PARTS).exists():
        raise SystemExit(f"no DiffusionDB metadata under {data} (expected {PARTS})")
    files = [data / PARTS] + ([data / USERS] if (data / USERS).exists() else [])
    return read(files), set(read([data / PARTS]))


def halves(prompts: list[str]) -> tuple[list[str], list[str]]:
    """(fitting half, unseen half), split by each prompt's md5."""
    first = [p for p in prompts if hashlib.md5(p.encode()).digest()[0] % 2 == 0]
    second = [p for p in prompts if hashlib.md5(p.encode()).digest()[0] % 2 == 1]
    return first, second


def relevant(rule: dict, prompt: str) -> bool:
    text = (prompt or "").lower()
    return (
        (not rule["any"] or any(re.search(p, text) for p in rule["any"]))
        and all(re.search(p, text) for p in rule["all"])
        and not any(re.search(p, text) for p in rule["none"])
    )


def ndcg_at_10(gains: list[bool], n_relevant: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, g in enumerate(gains[:10]) if g)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, n_relevant)))
    return dcg / ideal


def mean_ndcg(
    query_vectors: np.ndarray, doc_vectors: np.ndarray, docs: list[str], labelled: list[dict]
) -> float:
    """Mean nDCG@10 of exact cosine search for the labelled queries with a relevant doc."""
    scores = query_vectors @ doc_vectors.T
    values = []
    for q, row in zip(labelled, scores, strict=True):
        flags = [relevant(q["relevant"], d) for d in docs]
        if not any(flags):
            continue
        top = np.argsort(-row, kind="stable")[:10]
        values.append(ndcg_at_10([flags[i] for i in top], sum(flags)))
    return float(np.mean(values))


def top_k(vectors: np.ndarray, queries: np.ndarray, k: int = 10) -> np.ndarray:
    scores = vectors[queries] @ vectors.T
    scores[np.arange(len(queries)), queries] = -np.inf  # a prompt is not its own neighbour
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def overlap(reference: np.ndarray, other: np.ndarray, queries: np.ndarray, k: int = 10) -> float:
    a, b = top_k(reference, queries, k), top_k(other, queries, k)
    return float(np.mean([len(set(x) & set(y)) / k for x, y in zip(a, b, strict=True)]))


def speed(embed, texts: list[str], rounds: int) -> float:
    best = math.inf
    for _ in range(rounds):
        started = time.perf_counter()
        embed(texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def _load_teacher(path: str | None) -> dict:
    """MiniLM vectors kept from an earlier run (``--teacher-cache``): for developing only, since
    reused vectors make the fitted model's "time to make" too small."""
    if not path or not Path(path).with_suffix(".json").exists():
        return {}
    texts = json.loads(Path(path).with_suffix(".json").read_text())
    return dict(zip(texts, np.load(Path(path).with_suffix(".npy")), strict=True))


def _save_teacher(path: str | None, teacher: dict) -> None:
    if path:
        Path(path).with_suffix(".json").write_text(json.dumps(list(teacher)))
        np.save(Path(path).with_suffix(".npy"), np.stack(list(teacher.values())))


def run(args: argparse.Namespace) -> dict:
    import torch

    from genai_analyzer.models.embeddings import DEFAULT_MODEL, Embedder, static_model_from
    from genai_analyzer.models.static_embeddings import StaticModel, StaticRecipe

    torch.set_num_threads(args.threads)
    prompts, parts = load_prompts(Path(args.data))
    fitting, unseen = halves(prompts)
    labelled = json.loads(QUERY_SET.read_text())["queries"]
    query_texts = [q["query"] for q in labelled]
    docs = [p for p in unseen if p in parts]
    rng = np.random.default_rng(args.seed)
    queries = rng.choice(len(unseen), size=min(args.queries, len(unseen) - 1), replace=False)
    print(
        f"{len(prompts)} distinct prompts: {len(fitting)} to fit on, {len(unseen)} unseen "
        f"({len(docs)} of parts 1-5)"
    )
    load_before = loadavg()

    cache = Path(args.cache or tempfile.mkdtemp(prefix="bench-static-"))
    minilm = Embedder(DEFAULT_MODEL, backend="onnx", cache_dir=cache, threads=args.threads)
    minilm.embed(["warm up"])  # the ONNX export, once
    teacher = _load_teacher(args.teacher_cache)

    def teacher_embed(texts: list[str]) -> np.ndarray:  # MiniLM's vectors, each text embedded once
        todo = [t for t in dict.fromkeys(texts) if t not in teacher]
        if todo:
            teacher.update(zip(todo, minilm.embed(todo), strict=True))
        return np.stack([teacher[t] for t in texts])

    reference = {
        "unseen": teacher_embed(unseen),
        "docs": teacher_embed(docs),
        "queries": teacher_embed(query_texts),
    }
    fitted = StaticRecipe(
        vocab_size=args.vocab,
        sample_size=args.sample,
        epochs=args.epochs,
        fragments=args.fragments,
        mixes=args.mixes,
        hidden=args.hidden,
    )
    recipes = {
        "static-plain": StaticRecipe(plain=True, vocab_size=args.vocab),
        "static-sum (no network)": replace(fitted, hidden=0),
        "static-fitted": fitted,
    }
    rows = [
        {
            "model": "minilm (onnx fp32)",
            "ndcg": mean_ndcg(reference["queries"], reference["docs"], docs, labelled),
            "ndcg_cross": math.nan,
            "overlap": 1.0,
            "per_s": speed(minilm.embed, unseen, args.rounds),
            "make_s": math.nan,
            "vocab": None,
        }
    ]
    for name, recipe in recipes.items():
        folder = static_model_from(
            DEFAULT_MODEL, prompts, cache, recipe=recipe, fit_on=fitting, teacher_embed=teacher_embed
        )
        model = StaticModel.load(folder)
        meta = model.meta
        make_s = meta["timings"]["total_s"]
        docs_v, queries_v = model.encode(docs), model.encode(query_texts)
        rows.append(
            {
                "model": name,
                "ndcg": mean_ndcg(queries_v, docs_v, docs, labelled),
                "ndcg_cross": mean_ndcg(reference["queries"], docs_v, docs, labelled)
                if not recipe.plain
                else math.nan,
                "overlap": overlap(reference["unseen"], model.encode(unseen), queries),
                "per_s": speed(model.encode, unseen, args.rounds),
                "make_s": make_s,
                "timings": meta["timings"],
                "vocab": f"{meta['base_tokens']:,} + {meta['corpus_words']:,}",
                "fitted": meta.get("fitted_texts", 0),
            }
        )
    _save_teacher(args.teacher_cache, teacher)
    result = {"rows": rows, "loadavg_before": load_before, "loadavg_after": loadavg(), "args": vars(args)}
    print(markdown(result, len(unseen), len(docs), len(queries)))
    return result


def markdown(result: dict, n_unseen: int, n_docs: int, n_queries: int) -> str:
    base = result["rows"][0]
    lines = [
        "| model | nDCG@10 | vs MiniLM | nDCG@10 MiniLM query -> static prompts | top-10 overlap "
        "| prompts/s | speed vs MiniLM | tokens (MiniLM + corpus words) | time to make (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in result["rows"]:
        cross = "" if math.isnan(r["ndcg_cross"]) else f"{r['ndcg_cross']:.3f}"
        make = "" if math.isnan(r["make_s"]) else f"{r['make_s']:.0f}"
        lines.append(
            f"| {r['model']} | {r['ndcg']:.3f} | {r['ndcg'] - base['ndcg']:+.3f} | {cross} "
            f"| {r['overlap']:.1%} "
            f"| {r['per_s']:,.0f} | {r['per_s'] / base['per_s']:.0f}x | {r['vocab'] or ''} | {make} |"
        )
    lines.append("")
    lines.append(
        f"{n_unseen} unseen prompts ({n_docs} of parts 1-5 for nDCG), {n_queries} prompts as queries for "
        f"the overlap; loadavg before `{result['loadavg_before']}`, after `{result['loadavg_after']}`"
    )
    for r in result["rows"][1:]:
        lines.append(f"{r['model']}: {json.dumps(r['timings'])}, {r['fitted']} texts fitted on")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from genai_analyzer.models.static_embeddings import StaticRecipe

    recipe = StaticRecipe()  # the static backend's own recipe, unless an option changes it
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the DiffusionDB folder of ../shared")
    parser.add_argument("--vocab", type=int, default=recipe.vocab_size, help="corpus words added, at most")
    parser.add_argument("--sample", type=int, default=recipe.sample_size, help="prompts fitted on, at most")
    parser.add_argument("--fragments", type=int, default=recipe.fragments, help="fragments of each one")
    parser.add_argument("--mixes", type=int, default=recipe.mixes, help="recombined prompts fitted on")
    parser.add_argument("--epochs", type=int, default=recipe.epochs)
    parser.add_argument("--hidden", type=int, default=recipe.hidden, help="the network's width")
    parser.add_argument("--queries", type=int, default=200, help="unseen prompts used as queries (overlap)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds per model (best kept)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--teacher-cache", default=None, help="keep MiniLM's vectors here between runs (developing)"
    )
    parser.add_argument("--cache", default=None, help="model cache folder (default: a fresh temporary one)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
