"""Accuracy of the EmbeddingLabeller on the hand-labelled prompts in tests/data/labelled_prompts.csv.

    python scripts/eval_labeller.py [--shared ../shared/data/diffusiondb] [--top 12] [--ablation]

The CSV holds only (source, key, domain, art_style); the prompt texts are read from the real
DiffusionDB rows beside the project (users_1k by row_in_source, parts 1-5 by image_name), so
this exits 1 when that folder is absent. Prints accuracy per field overall, on the calibration
half and the held-out half (the labeller's constants were tuned on the calibration half only),
the most frequent confusions, and the time taken to embed and to label.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "labelled_prompts.csv"
SHARED = (ROOT / ".." / "shared" / "data" / "diffusiondb").resolve()
FIELDS = ("domain", "art_style")


def calibration_half(key: str) -> bool:
    """True for the half of the set the labeller's constants were tuned on (by key hash)."""
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % 2 == 0


def load_labelled(shared: Path) -> pd.DataFrame:
    """The labelled set joined with its prompt texts; columns source, key, domain, art_style, prompt."""
    users = pd.read_parquet(shared / "users_1k" / "diffusiondb_sample_typed.parquet")
    parts = pd.read_parquet(shared / "parts_000001-000005" / "metadata.parquet")
    texts = {("users_1k", str(k)): p for k, p in zip(users["row_in_source"], users["prompt"], strict=True)}
    texts.update({("parts", k): p for k, p in zip(parts["image_name"], parts["prompt"], strict=True)})
    df = pd.read_csv(LABELLED, dtype=str)
    missing = [(s, k) for s, k in zip(df["source"], df["key"], strict=True) if (s, k) not in texts]
    if missing:
        raise SystemExit(f"{len(missing)} labelled keys are not in {shared}, e.g. {missing[:3]}")
    df["prompt"] = [texts[(s, k)] for s, k in zip(df["source"], df["key"], strict=True)]
    return df


def accuracy(df: pd.DataFrame, predicted: dict[str, list[str]], mask: np.ndarray) -> str:
    return "  ".join(
        f"{f} {np.mean(np.asarray(predicted[f])[mask] == df[f].to_numpy()[mask]):.3f}" for f in FIELDS
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder of the real DiffusionDB rows")
    parser.add_argument("--top", type=int, default=12, help="confusions to list per field")
    parser.add_argument("--ablation", action="store_true", help="also score embedding-only / keyword-only")
    args = parser.parse_args()
    if not (args.shared / "users_1k").is_dir() or not (args.shared / "parts_000001-000005").is_dir():
        print(
            f"error: the real DiffusionDB rows are not at {args.shared} (expected users_1k/ and "
            "parts_000001-000005/ there; they live in ../shared/data/diffusiondb beside the checkout). "
            "Pass --shared PATH.",
            file=sys.stderr,
        )
        return 1

    from genai_analyzer.models.embeddings import Embedder
    from genai_analyzer.models.labels.labeller import EmbeddingLabeller

    df = load_labelled(args.shared)
    prompts = df["prompt"].tolist()
    embedder = Embedder()
    labeller = EmbeddingLabeller(embedder)
    started = time.perf_counter()
    dim = labeller.dim  # loads the model and embeds the label exemplars
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    embeddings = embedder.embed(prompts)
    embed_s = time.perf_counter() - started
    started = time.perf_counter()
    labels = labeller.label(prompts, embeddings=embeddings)
    label_s = time.perf_counter() - started
    predicted = {f: [getattr(lab, f) for lab in labels] for f in FIELDS}

    calib = np.array([calibration_half(k) for k in df["key"]])
    print(f"{len(df)} hand-labelled prompts ({Counter(df['source'])})")
    print(f"accuracy  all ({len(df)}):          {accuracy(df, predicted, np.ones(len(df), bool))}")
    print(f"accuracy  calibration half ({calib.sum()}): {accuracy(df, predicted, calib)}")
    print(f"accuracy  held-out half ({(~calib).sum()}):    {accuracy(df, predicted, ~calib)}")
    for f in FIELDS:
        wrong = Counter(
            (truth, guess) for truth, guess in zip(df[f], predicted[f], strict=True) if truth != guess
        )
        print(f"\ntop confusions, {f} (true -> predicted: count)")
        for (truth, guess), n in wrong.most_common(args.top):
            print(f"  {truth:>15} -> {guess:<15} {n}")
    if args.ablation:
        print("\nablation (all prompts)")
        names = {f: labeller.taxonomy.fields[f].names for f in FIELDS}
        ablated = EmbeddingLabeller(embedder)
        ablated.BOOST = dict.fromkeys(FIELDS, 0.0)
        embedding_only = ablated.scores(prompts, embeddings=embeddings)
        keywords_only = labeller.keyword_evidence([labeller.matcher.scan(p) for p in prompts])
        for f in FIELDS:  # no keyword at all -> "other"
            keywords_only[f][:, names[f].index("other")] += 1e-6
        for name, scores in (("embedding only", embedding_only), ("keywords only", keywords_only)):
            pred = {f: [names[f][i] for i in scores[f].argmax(axis=1)] for f in FIELDS}
            print(f"  {name:<15} {accuracy(df, pred, np.ones(len(df), bool))}")
    print(
        f"\ntime: model load + label exemplars ({dim}-d) {load_s:.1f}s; embedding {embed_s:.1f}s "
        f"({len(df) / embed_s:.0f} prompts/s); labelling with precomputed embeddings {label_s:.2f}s "
        f"({len(df) / label_s:.0f} prompts/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
