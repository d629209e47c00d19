"""Train the learned prompt labeller on the blind TRAINING set and write its weights.

    python scripts/train_labeller.py [--shared ../shared/data/diffusiondb] [--seed 20261203]
                                     [--out genai_analyzer/data/labeller_weights.npz] [--limit N]
                                     [--no-compare --C DOMAIN STYLE --balanced DOMAIN STYLE]
                                     [--sets train train2 train3] [--cues style_cues.json]

Reads the training sets in tests/data/label_sets: train_keys.csv with train_labels_a.csv +
train_labels_b.csv (1,200 prompts), train2_keys.csv with train2_labels_c.csv +
train2_labels_d.csv (1,600 more) and train3_keys.csv with train3_labels_e/f/g.csv (1,829 more),
labelled by people who had not read the labeller; disjoint from the evaluation set, which this
script never opens. ``--sets train train2`` trains on the first two batches only.
Prompt texts come from the real DiffusionDB rows beside the project.

1. Compares alternatives by stratified 5-fold cross-validation on the training set: the current
   zero-shot EmbeddingLabeller; class prototypes (nearest class mean of the embeddings); logistic
   regression on the embedding alone; on the embedding plus the taxonomy keyword evidence
   (``learned.features``); with balanced class weights; with the zero-shot labeller's scores
   added as features; with the prompt's words; with the art-style cue reader's cues
   (``cues.StyleCueReader``) as features (shipped), and, for art style, the cue reader alone and
   the cue reader's medium deciding outright over the labeller without cues. The domain is
   counted right when it equals the rater's domain or domain2.
2. Picks, per field, the logistic regression setting (features, C, class weights) with the best
   cross-validated accuracy (within 0.01 of the best accuracy, the best macro recall wins, so
   that no class is left behind).
3. Calibrates: one temperature per field, fitted on the out-of-fold logits (least log loss).
4. Checks the calibration on a held-out fifth of the training set (model and temperature fitted on
   the other four fifths only) and prints a reliability table and the expected calibration error.
5. Fits on the whole training set and writes the weights (float32 npz, numpy-only inference).

Deterministic: lbfgs and a fixed seed for the folds, so the same inputs give the same file.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_labels import SHARED, embed_cached, load_set, prompt_texts, shared_ok  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "genai_analyzer" / "data" / "labeller_weights.npz"
FIELDS = ("domain", "art_style")
C_GRID = (0.01, 0.03, 0.1)
FOLDS = 5
# How much the words weigh against the standardised dense features (cross-validated on the
# training set, vocabulary fitted per fold: 10 -> 0.760 / 0.860, 30 -> 0.780 / 0.878, 100 -> 0.720 domain).
WORD_WEIGHT = 30.0
# Feature matrix width -> how many of its leading columns are dense (the rest are word columns).
DENSE: dict[int, int] = {}


# ---------------------------------------------------------------------------------------------
# Fitting (scikit-learn at training time only)


def fit_linear(
    x: np.ndarray, y: np.ndarray, c: float, balanced: bool
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Standardise the dense columns (the first DENSE; the word columns stay as they are: unit
    rows times their weight), fit a multinomial logistic regression, fold the scaling into
    (coef, intercept). The word columns go to the solver as a sparse matrix (the same model,
    several times faster than dense)."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    dense = DENSE.get(x.shape[1], x.shape[1])
    mean, scale = x[:, :dense].mean(axis=0), x[:, :dense].std(axis=0)
    scale = np.where(scale > 1e-8, scale, 1.0)
    z = (x[:, :dense] - mean) / scale
    if dense < x.shape[1]:
        z = sparse.hstack([sparse.csr_matrix(z), sparse.csr_matrix(x[:, dense:])]).tocsr()
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced" if balanced else None)
    model.fit(z, y)
    coef = model.coef_.copy()
    coef[:, :dense] /= scale
    intercept = model.intercept_ - (model.coef_[:, :dense] * (mean / scale)).sum(axis=1)
    return coef.astype(np.float32), intercept.astype(np.float32), [str(c) for c in model.classes_]


def logits(x: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    return x @ coef.T + intercept


def folds(y: np.ndarray, seed: int, k: int = FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    # classes rarer than k would break stratification: they are spread by the shuffle alone
    counts = {c: n for c, n in zip(*np.unique(y, return_counts=True), strict=True)}
    strata = np.array([c if counts[c] >= k else "_rare" for c in y])
    return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y)), strata))


def out_of_fold(x, y, splits, c, balanced) -> tuple[np.ndarray, list[str]]:
    """Out-of-fold logits (n, classes of the whole set) of the linear model."""
    classes = sorted(set(y))
    out = np.full((len(y), len(classes)), -1e4, np.float32)  # a class absent from a fold: never picked
    for train, test in splits:
        coef, intercept, seen = fit_linear(x[train], y[train], c, balanced)
        cols = [classes.index(s) for s in seen]
        out[np.ix_(test, cols)] = logits(x[test], coef, intercept)
    return out, classes


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(z: np.ndarray, y: np.ndarray, classes: list[str]) -> float:
    """The temperature T minimising the log loss of softmax(z / T) (a fine grid: deterministic)."""
    idx = np.array([classes.index(c) for c in y])
    grid = np.exp(np.linspace(np.log(0.2), np.log(5.0), 321))
    losses = [-np.log(softmax(z / t)[np.arange(len(y)), idx] + 1e-12).mean() for t in grid]
    return float(grid[int(np.argmin(losses))])


# ---------------------------------------------------------------------------------------------
# Scoring


def right(field: str, predicted: np.ndarray, df) -> np.ndarray:
    ok = predicted == df[field].to_numpy()
    if field == "domain":
        ok |= predicted == df["domain2"].to_numpy()
    return ok


def macro_recall(field: str, predicted: np.ndarray, df) -> float:
    truth = df[field].to_numpy()
    ok = right(field, predicted, df)
    return float(np.mean([ok[truth == c].mean() for c in np.unique(truth)]))


def reliability(conf: np.ndarray, ok: np.ndarray, bins: int = 10) -> tuple[list[tuple], float]:
    """(bin low, bin high, n, mean confidence, accuracy) per non-empty bin, and the ECE."""
    rows, ece = [], 0.0
    edges = np.linspace(0, 1, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (conf >= lo) & ((conf < hi) | (hi == 1.0))
        if inside.any():
            rows.append((lo, hi, int(inside.sum()), float(conf[inside].mean()), float(ok[inside].mean())))
            ece += inside.mean() * abs(conf[inside].mean() - ok[inside].mean())
    return rows, float(ece)


# ---------------------------------------------------------------------------------------------
# Training


def word_features(prompts: list[str], weight: float):
    """The vocabulary (words and word pairs in at least two training prompts) and its idf."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from genai_analyzer.models.labels.learned import TOKEN, WordFeatures

    fitted = TfidfVectorizer(min_df=2, ngram_range=(1, 2), sublinear_tf=True, token_pattern=TOKEN.pattern)
    fitted.fit(prompts)
    vocabulary = tuple(sorted(fitted.vocabulary_, key=fitted.vocabulary_.get))
    return WordFeatures(vocabulary, fitted.idf_.astype(np.float64), weight)


def train(
    x: np.ndarray, df, settings: dict[str, tuple[float, bool]], seed: int, words
) -> dict[str, np.ndarray]:
    """The weights file's arrays: per field coef, intercept, classes and the out-of-fold temperature;
    the word features' vocabulary, idf and weight."""
    from genai_analyzer.models.embeddings import DEFAULT_MODEL
    from genai_analyzer.models.labels.learned import FEATURE_VERSION

    arrays: dict[str, np.ndarray] = {
        "model": np.array(DEFAULT_MODEL),
        "feature_version": np.array(FEATURE_VERSION),
        "seed": np.array(seed),
        "trained_on": np.array(len(df)),
        "words_vocabulary": np.array(words.vocabulary),
        "words_idf": words.idf.astype(np.float32),
        "words_weight": np.array(words.weight, dtype=np.float32),
    }
    for field in FIELDS:
        c, balanced = settings[field]
        y = df[field].to_numpy()
        z, classes = out_of_fold(x, y, folds(y, seed), c, balanced)
        coef, intercept, seen = fit_linear(x, y, c, balanced)
        assert seen == classes
        arrays[f"{field}_coef"] = coef
        arrays[f"{field}_intercept"] = intercept
        arrays[f"{field}_classes"] = np.array(classes)
        arrays[f"{field}_temperature"] = np.array(fit_temperature(z, y, classes), dtype=np.float32)
        arrays[f"{field}_C"] = np.array(c)
        arrays[f"{field}_balanced"] = np.array(balanced)
    return arrays


def compare(df, emb, x, xw, zero_shot, seed: int, cues: dict) -> dict[str, tuple[float, bool]]:
    """Cross-validated accuracy of each alternative; the chosen linear setting per field.

    ``cues``: "width" (the style cue columns at the end of ``x``), "words" (the word columns of
    ``xw``) and "read" (the cue reader's deciding cue per prompt, or None)."""
    chosen = {}
    plain = x[:, : x.shape[1] - cues["width"]]  # without the style cues: the labeller before them
    plain_words = np.hstack([plain, cues["words"]])
    DENSE[plain_words.shape[1]] = plain.shape[1]
    for field in FIELDS:
        y = df[field].to_numpy()
        splits = folds(y, seed)
        print(f"\n== {field}: {FOLDS}-fold cross-validation on the training set ({len(df)} prompts) ==")
        print(f"  {'alternative':<72} {'accuracy':>8} {'macro recall':>12}")

        def show(name, predicted, field=field):
            acc, mr = right(field, predicted, df).mean(), macro_recall(field, predicted, df)
            print(f"  {name:<72} {acc:>8.3f} {mr:>12.3f}")
            return acc, mr

        names = np.array(zero_shot["names"][field], dtype=object)
        show("zero-shot EmbeddingLabeller (no training)", names[zero_shot[field].argmax(axis=1)])
        proto = np.empty(len(y), dtype=object)
        for train_idx, test_idx in splits:
            classes = sorted(set(y[train_idx]))
            means = np.stack([emb[train_idx][y[train_idx] == c].mean(axis=0) for c in classes])
            means /= np.linalg.norm(means, axis=1, keepdims=True)
            proto[test_idx] = np.array(classes, dtype=object)[(emb[test_idx] @ means.T).argmax(axis=1)]
        show("class prototypes (nearest mean embedding)", proto)
        if field == "art_style":  # the procedure alone: "other" when it reads no cue
            alone = np.array([cue.style if cue else "other" for cue in cues["read"]])
            show("style cue reader alone (no training)", alone)
        candidates = []
        variants = {  # (features, settings tried): the shipped features get the full grid
            "embedding": (emb, [(0.03, True)]),
            "embedding+keywords": (plain, [(0.03, True)]),
            "embedding+keywords+zero-shot scores": (
                np.hstack([plain, zero_shot["domain"], zero_shot["art_style"]]),
                [(0.03, True)],
            ),
            "embedding+keywords+words (before the style cues)": (plain_words, [(0.03, True)]),
            "embedding+keywords+style cues+words": (xw, [(c, True) for c in C_GRID[1:]]),
        }
        for feat_name, (feats, grid) in variants.items():
            for c, balanced in grid:
                z, classes = out_of_fold(feats, y, splits, c, balanced)
                predicted = np.array(classes, dtype=object)[z.argmax(axis=1)]
                acc, mr = show(f"LR {feat_name}, C={c}{', balanced' if balanced else ''}", predicted)
                if feat_name == "embedding+keywords+style cues+words":  # what the shipped labeller computes
                    candidates.append((acc, mr, c, balanced, predicted))
                if field == "art_style" and feat_name.endswith("(before the style cues)"):
                    # the alternative to cues as features: the reader's medium decides outright
                    decided = np.array(
                        [cue.style if cue and cue.tier in ("media", "genres") else p
                         for cue, p in zip(cues["read"], predicted, strict=True)]
                    )  # fmt: skip
                    show("  the same, but a medium the cue reader reads decides", decided)
        best_acc = max(a for a, *_ in candidates)
        acc, mr, c, balanced, _ = max(
            (cand for cand in candidates if cand[0] >= best_acc - 0.01), key=lambda t: t[1]
        )
        print(
            f"  chosen: LR embedding+keywords+style cues+words, C={c}, balanced={balanced} "
            f"(accuracy {acc:.3f}, macro recall {mr:.3f})"
        )
        chosen[field] = (c, balanced)
    return chosen


def check_calibration(df, x, settings, seed: int, words) -> None:
    """Fit on 4/5 of the training set (temperature from its own out-of-fold logits), report on 1/5."""
    from genai_analyzer.models.labels.learned import CONFIDENCE_THRESHOLD

    train_idx, hold_idx = folds(df["domain"].to_numpy(), seed + 1)[0]
    print(f"\n== calibration on a held-out fifth of the training set ({len(hold_idx)} prompts) ==")
    sub = df.iloc[train_idx].reset_index(drop=True)
    held = df.iloc[hold_idx].reset_index(drop=True)
    weights = train(x[train_idx], sub, settings, seed, words)
    for field in FIELDS:
        classes = [str(c) for c in weights[f"{field}_classes"]]
        z = logits(x[hold_idx], weights[f"{field}_coef"], weights[f"{field}_intercept"])
        t = float(weights[f"{field}_temperature"])
        for name, temp in (("uncalibrated (T=1)", 1.0), (f"temperature T={t:.2f}", t)):
            p = softmax(z / temp)
            conf = p.max(axis=1)
            ok = right(field, np.array(classes, dtype=object)[p.argmax(axis=1)], held)
            rows, ece = reliability(conf, ok)
            print(f"{field}, {name}: accuracy {ok.mean():.3f}, expected calibration error {ece:.3f}")
            if temp != 1.0:
                print(f"  {'confidence bin':<15} {'n':>4} {'mean conf':>9} {'accuracy':>8}")
                for lo, hi, n, mc, acc in rows:
                    print(f"  {lo:.1f}-{hi:.1f}{'':8} {n:>4} {mc:>9.2f} {acc:>8.2f}")
                low = conf < CONFIDENCE_THRESHOLD
                print(
                    f"  below the threshold {CONFIDENCE_THRESHOLD}: {low.mean():.3f} of prompts, "
                    f"best guess right {ok[low].mean() if low.any() else float('nan'):.3f}; "
                    f"at or above: right {ok[~low].mean():.3f}"
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder of the real DiffusionDB rows")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the weights")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N prompts only (tests)")
    parser.add_argument("--word-weight", type=float, default=WORD_WEIGHT, help="the words' weight")
    parser.add_argument(
        "--sets", nargs="+", default=["train", "train2", "train3"], choices=["train", "train2", "train3"]
    )
    parser.add_argument(
        "--cues", type=Path, default=None,
        help="read the style cues from this file instead of the packaged one (comparisons only: the "
        "labeller always reads the packaged file, so write such weights elsewhere with --out)",
    )  # fmt: skip
    parser.add_argument("--no-compare", action="store_true", help="skip the comparison; use --C/--balanced")
    parser.add_argument("--C", type=float, nargs=2, default=None, metavar=("DOMAIN", "STYLE"))
    parser.add_argument("--balanced", type=int, nargs=2, default=(0, 0), metavar=("DOMAIN", "STYLE"))
    args = parser.parse_args()
    if not shared_ok(args.shared):
        print(
            f"error: the real DiffusionDB rows are not at {args.shared}; pass --shared PATH",
            file=sys.stderr,
        )
        return 1

    from genai_analyzer.models.embeddings import Embedder
    from genai_analyzer.models.labels.cues import StyleCueReader, load_style_cues
    from genai_analyzer.models.labels.learned import features, unit
    from genai_analyzer.models.labels.taxonomy import KeywordMatcher, load_taxonomy

    started = time.perf_counter()
    texts = prompt_texts(args.shared)
    df = pd.concat([load_set(name, args.shared, texts) for name in args.sets], ignore_index=True)
    if args.limit:
        df = df.iloc[: args.limit].reset_index(drop=True)
    embedder = Embedder()
    emb = unit(embed_cached(embedder, df["prompt"].tolist()))
    taxonomy = load_taxonomy()
    matcher = KeywordMatcher(taxonomy)
    reader = StyleCueReader(load_style_cues(args.cues) if args.cues else None)
    x = features(emb, df["prompt"].tolist(), [matcher.scan(p) for p in df["prompt"]], taxonomy, reader)
    words = word_features(df["prompt"].tolist(), args.word_weight)
    word_matrix = words.matrix(df["prompt"].tolist())
    xw = np.hstack([x, word_matrix])
    DENSE[xw.shape[1]] = x.shape[1]
    print(f"training set: {len(df)} prompts, {x.shape[1]} dense features, {len(words.vocabulary)} words")

    if args.no_compare or args.C:
        c = args.C or (0.1, 0.1)
        settings = {f: (c[i], bool(args.balanced[i])) for i, f in enumerate(FIELDS)}
    else:
        from genai_analyzer.models.labels.labeller import EmbeddingLabeller

        zl = EmbeddingLabeller(embedder)
        zero_shot = zl.scores(df["prompt"].tolist(), embeddings=emb)
        zero_shot["names"] = {f: zl.taxonomy.fields[f].names for f in FIELDS}
        cues = {
            "width": StyleCueReader.width(len(taxonomy.art_style.labels)),
            "words": word_matrix,
            "read": [reader.read(p) for p in df["prompt"]],
        }
        settings = compare(df, emb, x, xw, zero_shot, args.seed, cues)
        check_calibration(df, xw, settings, args.seed, words)

    weights = train(xw, df, settings, args.seed, words)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **weights)
    print(
        f"\nwrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB): "
        + "; ".join(
            f"{f} {len(weights[f'{f}_classes'])} classes, C={settings[f][0]}, balanced={settings[f][1]}, "
            f"T={float(weights[f'{f}_temperature']):.2f}"
            for f in FIELDS
        )
        + f" ({time.perf_counter() - started:.0f}s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
