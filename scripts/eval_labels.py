"""Score a prompt labeller on the blind evaluation set in tests/data/label_sets/.

    python scripts/eval_labels.py [--labeller learned|current] [--shared ../shared/data/diffusiondb]
                                  [--top 10] [--bootstrap 2000] [--speed-rows 60000]

The label sets hold only (source, key) and the labels (CONVENTIONS.md there says how people
labelled them; scripts/draw_label_sets.py how the prompts were drawn). The prompt texts are read
from the real DiffusionDB rows beside the project (users_1k by row_in_source, parts 1-5 by
image_name), so this exits 1 when that folder is absent.

Printed, per field (domain, art_style):

* accuracy with a 95% Wilson interval (and a 95% bootstrap interval): a domain prediction is
  right when it equals the rater's ``domain`` or ``domain2``; an "uncertain" label counts wrong;
* the same on the prompts the rater marked ``clear=yes``;
* for labellers with a confidence: the uncertain share, the accuracy on the labels it did commit
  to, the forced-choice accuracy (its best guess, never "uncertain") and a reliability table of
  its confidence (with the expected calibration error);
* per-class precision and recall (with the class's count) and the most frequent confusions;
* Cohen's kappa and raw agreement between eval_labels.csv and second_rater_labels.csv on the
  100 prompts both people labelled: the ceiling a labeller can be expected to reach;
* labelling speed in prompts/s with the embeddings already computed (``--speed-rows`` prompts,
  the evaluation prompts repeated).

Embeddings of the label sets are cached in ~/.cache/genai_analyzer/label_sets/ (keyed by model and
prompt texts), so a second run does not embed again. Nothing is tuned here: this script only scores.
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
SETS = ROOT / "tests" / "data" / "label_sets"
SHARED = (ROOT / ".." / "shared" / "data" / "diffusiondb").resolve()
CACHE = Path.home() / ".cache" / "genai_analyzer" / "label_sets"
FIELDS = ("domain", "art_style")
UNCERTAIN = "uncertain"


# ---------------------------------------------------------------------------------------------
# Data


def shared_ok(shared: Path) -> bool:
    return (shared / "users_1k").is_dir() and (shared / "parts_000001-000005").is_dir()


def prompt_texts(shared: Path) -> dict[tuple[str, str], str]:
    """(source, key) -> prompt text for every real row (users_1k by row_in_source, parts by image_name)."""
    users = pd.read_parquet(shared / "users_1k" / "diffusiondb_sample_typed.parquet")
    parts = pd.read_parquet(shared / "parts_000001-000005" / "metadata.parquet")
    texts = {("users_1k", str(k)): p for k, p in zip(users["row_in_source"], users["prompt"], strict=True)}
    texts.update({("parts", str(k)): p for k, p in zip(parts["image_name"], parts["prompt"], strict=True)})
    return texts


def load_set(name: str, shared: Path, texts: dict | None = None) -> pd.DataFrame:
    """A label set ("eval", "second_rater", "train", "train2" or "train3") joined with its prompt texts.

    Columns source, key, domain, domain2 (None when empty), art_style, clear, prompt.
    """
    files = {
        "eval": ["eval_labels.csv"],
        "second_rater": ["second_rater_labels.csv"],
        "train": ["train_labels_a.csv", "train_labels_b.csv"],
        "train2": ["train2_labels_c.csv", "train2_labels_d.csv"],
        "train3": ["train3_labels_e.csv", "train3_labels_f.csv", "train3_labels_g.csv"],
    }[name]
    df = pd.concat(
        [pd.read_csv(SETS / f, dtype=str, keep_default_na=False) for f in files], ignore_index=True
    )
    keys = pd.read_csv(SETS / f"{name}_keys.csv", dtype=str)
    if list(zip(keys["source"], keys["key"], strict=True)) != list(zip(df["source"], df["key"], strict=True)):
        raise SystemExit(f"{name}: the label files do not follow {name}_keys.csv row for row")
    texts = texts if texts is not None else prompt_texts(shared)
    missing = [(s, k) for s, k in zip(df["source"], df["key"], strict=True) if (s, k) not in texts]
    if missing:
        raise SystemExit(f"{len(missing)} {name} keys are not in {shared}, e.g. {missing[:3]}")
    df["domain2"] = df["domain2"].replace("", None)
    df["prompt"] = [texts[(s, k)] or "" for s, k in zip(df["source"], df["key"], strict=True)]
    return df


def embed_cached(embedder, prompts: list[str]) -> np.ndarray:
    """The embedder's vectors for ``prompts``, cached on disk by model key and prompt texts."""
    digest = hashlib.sha1("\x00".join([embedder.model_name, *prompts]).encode()).hexdigest()[:16]
    path = CACHE / f"{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = np.asarray(embedder.embed(prompts), dtype=np.float32)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


# ---------------------------------------------------------------------------------------------
# Statistics


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval for k successes out of n."""
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def bootstrap(right: np.ndarray, rounds: int, seed: int = 0) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean of a 0/1 vector."""
    if len(right) == 0 or rounds <= 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = right[rng.integers(0, len(right), size=(rounds, len(right)))].mean(axis=1)
    return (float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975)))


def cohen_kappa(a: list[str], b: list[str]) -> float:
    a, b = np.asarray(a), np.asarray(b)
    observed = float(np.mean(a == b))
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[c] * cb[c] for c in set(ca) | set(cb)) / len(a) ** 2
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def effective_truth(df: pd.DataFrame, field: str, predicted: np.ndarray) -> np.ndarray:
    """The rater's label a prediction is judged against: domain2 when the prediction picked it."""
    truth = df[field].to_numpy().astype(object)
    if field == "domain":
        second = df["domain2"].to_numpy()
        truth = np.where((second != None) & (predicted == second), second, truth)  # noqa: E711
    return truth


def per_class(truth: np.ndarray, predicted: np.ndarray) -> list[tuple[str, int, float, float]]:
    """(class, count in truth, precision, recall) for each class in truth or predictions."""
    rows = []
    for c in sorted(set(truth) | set(predicted)):
        tp = int(np.sum((truth == c) & (predicted == c)))
        n_true, n_pred = int(np.sum(truth == c)), int(np.sum(predicted == c))
        rows.append(
            (c, n_true, tp / n_pred if n_pred else float("nan"), tp / n_true if n_true else float("nan"))
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Labellers


def make(kind: str, embedder):
    """The labeller to score, by name: ``current`` (EmbeddingLabeller) or ``learned`` (LearnedLabeller)."""
    if kind == "current":
        from genai_analyzer.models.labels.labeller import EmbeddingLabeller

        return EmbeddingLabeller(embedder)
    if kind == "learned":
        from genai_analyzer.models.labels.learned import LearnedLabeller

        return LearnedLabeller()
    raise SystemExit(f"unknown labeller {kind!r}")


LABELLERS = ("learned", "current")


def report_field(df, field, predicted, confidences, args) -> None:
    truth = effective_truth(df, field, predicted)
    right = (predicted == truth).astype(float)
    clear = (df["clear"] == "yes").to_numpy()
    lo, hi = wilson(int(right.sum()), len(right))
    blo, bhi = bootstrap(right, args.bootstrap)
    print(f"\n== {field} ==")
    print(
        f"accuracy            {right.mean():.3f}  (n={len(right)}; 95% Wilson {lo:.3f}-{hi:.3f}; "
        f"bootstrap {blo:.3f}-{bhi:.3f})"
    )
    lo, hi = wilson(int(right[clear].sum()), int(clear.sum()))
    print(f"accuracy clear=yes  {right[clear].mean():.3f}  (n={clear.sum()}; 95% Wilson {lo:.3f}-{hi:.3f})")
    unsure = predicted == UNCERTAIN
    if unsure.any() or confidences is not None:
        committed = ~unsure
        lo, hi = wilson(int(right[committed].sum()), int(committed.sum()))
        print(
            f"uncertain share     {unsure.mean():.3f}  ({unsure.sum()} prompts); accuracy where it "
            f"committed {right[committed].mean():.3f} (n={committed.sum()}; 95% Wilson {lo:.3f}-{hi:.3f})"
        )
    print(f"per class (n = rater's count): {'class':>15} {'n':>4} {'precision':>9} {'recall':>7}")
    for c, n, p, r in per_class(truth, predicted):
        if c == UNCERTAIN:  # not a class: it counts as a miss in the recall of the rater's class
            continue
        flag = "  <0.6" if n and r < 0.6 else ""
        print(f"{'':32}{c:>15} {n:>4} {p:>9.2f} {r:>7.2f}{flag}")
    wrong = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t != p)
    print("top confusions (rater -> labeller: count)")
    for (t, p), n in wrong.most_common(args.top):
        print(f"  {t:>15} -> {p:<15} {n}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labeller", default="learned", choices=LABELLERS, help="which labeller to score")
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder of the real DiffusionDB rows")
    parser.add_argument("--top", type=int, default=10, help="confusions to list per field")
    parser.add_argument("--bootstrap", type=int, default=2000, help="bootstrap rounds (0: none)")
    parser.add_argument("--speed-rows", type=int, default=60000, help="prompts labelled for the speed figure")
    args = parser.parse_args()
    if not shared_ok(args.shared):
        print(
            f"error: the real DiffusionDB rows are not at {args.shared} (expected users_1k/ and "
            "parts_000001-000005/ there; they live in ../shared/data/diffusiondb beside the checkout). "
            "Pass --shared PATH.",
            file=sys.stderr,
        )
        return 1

    from genai_analyzer.models.embeddings import Embedder

    texts = prompt_texts(args.shared)
    df = load_set("eval", args.shared, texts)
    second = load_set("second_rater", args.shared, texts)
    prompts = df["prompt"].tolist()
    embedder = Embedder()
    embeddings = embed_cached(embedder, prompts)
    labeller = make(args.labeller, embedder)
    labeller.label(prompts[:2], embeddings=embeddings[:2])  # loads what it needs, outside the timing
    labels = labeller.label(prompts, embeddings=embeddings)

    print(
        f"labeller {args.labeller!r} on the blind evaluation set: {len(df)} prompts "
        f"{dict(Counter(df['source']))}"
    )
    print(
        f"rater marked clear=yes: {(df['clear'] == 'yes').sum()}; "
        f"with a domain2: {df['domain2'].notna().sum()}"
    )
    for field in FIELDS:
        predicted = np.array([getattr(lab, field) for lab in labels], dtype=object)
        conf = [getattr(lab, f"{field}_confidence", None) for lab in labels]
        conf = None if any(c is None for c in conf) else np.asarray(conf, float)
        report_field(df, field, predicted, conf, args)
        if hasattr(labeller, "probabilities"):
            probs = labeller.probabilities(prompts, embeddings=embeddings)[field]
            names = np.array(labeller.classes[field], dtype=object)
            forced = names[probs.argmax(axis=1)]
            right = forced == effective_truth(df, field, forced)
            lo, hi = wilson(int(right.sum()), len(right))
            print(
                f"forced-choice accuracy (never uncertain) {right.mean():.3f} (95% Wilson {lo:.3f}-{hi:.3f})"
            )
            conf = probs.max(axis=1)
            print("reliability of the confidence (bin: n, mean confidence, accuracy of the best guess)")
            ece = 0.0
            for low in np.arange(0.0, 1.0, 0.2):
                inside = (conf >= low) & ((conf < low + 0.2) if low < 0.7 else (conf <= 1.0))
                if inside.any():
                    ece += inside.mean() * abs(conf[inside].mean() - right[inside].mean())
                    print(
                        f"  {low:.1f}-{low + 0.2:.1f}: {inside.sum():>4}  {conf[inside].mean():.2f}  "
                        f"{right[inside].mean():.2f}"
                    )
            print(f"  expected calibration error (5 bins) {ece:.3f}")

    # Agreement between people on the 100 prompts both labelled.
    first = df.set_index(["source", "key"]).loc[list(zip(second["source"], second["key"], strict=True))]
    print(f"\n== agreement between two people ({len(second)} prompts, the ceiling) ==")
    for field in FIELDS:
        a, b = first[field].tolist(), second[field].tolist()
        raw = float(np.mean(np.asarray(a) == np.asarray(b)))
        line = f"{field:<10} Cohen's kappa {cohen_kappa(a, b):.3f}; raw agreement {raw:.3f}"
        if field == "domain":  # as the labeller is scored: either of one rater's domains
            lenient = np.mean(
                [
                    y in (x1, x2) or x1 in (y, y2)
                    for x1, x2, y, y2 in zip(a, first["domain2"], b, second["domain2"], strict=True)
                ]
            )
            line += f" (counting domain2 either way {lenient:.3f})"
        print(line)

    # Speed with embeddings already computed.
    reps = max(1, -(-args.speed_rows // len(prompts)))
    big_prompts, big_emb = prompts * reps, np.tile(embeddings, (reps, 1))
    started = time.perf_counter()
    labeller.label(big_prompts, embeddings=big_emb)
    took = time.perf_counter() - started
    print(
        f"\nspeed: {len(big_prompts):,} prompts labelled from precomputed embeddings in {took:.2f}s "
        f"= {len(big_prompts) / took:,.0f} prompts/s (labels + complexity score)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
