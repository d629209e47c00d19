"""The learned prompt labeller: a calibrated linear classifier on prompt embeddings and keyword evidence.

``LearnedLabeller`` labels a prompt's domain and art style with a multinomial logistic regression
trained on people's labels (tests/data/label_sets/train_*; never the evaluation set) by
``scripts/train_labeller.py``. The weights ship in ``genai_analyzer/data/labeller_weights.npz``;
run time is numpy only (no scikit-learn): one matrix product per field over a batch.

Features (``features``): the unit all-MiniLM-L6-v2 embedding of the prompt, followed by the
taxonomy keyword evidence per label of both fields (the same scan the complexity score uses:
the largest ``weight * DECAY ** rank`` over a label's keyword hits, so the first-named medium or
subject weighs most) and which label the first keyword (and the first weak keyword: artist
names, quality boosters) of each field names; then what the art-style cue reader
(``cues.StyleCueReader``: the label sets' ordered procedure, "the first medium named wins") reads
in the prompt, as indicators. The embedding carries what the prompt is about; the keyword
evidence and the cues let the classifier learn, from examples, which named medium, artist or
camera word decides the style. Then the prompt's own words (``WordFeatures``): tf-idf of the words
and word pairs seen in at least two training prompts, so that names and phrases the taxonomy does
not list (a character, a camera term, "portrait of") count too.

Confidence: ``softmax(logits / T)`` with a temperature ``T`` per field fitted on out-of-fold
predictions of the training set (temperature scaling), so that a label given with confidence 0.7
is right about 70% of the time on prompts like the training set. A label whose confidence is
below ``CONFIDENCE_THRESHOLD`` is stored as ``UNCERTAIN`` ("uncertain") instead of a forced
guess; its confidence is still stored (that of the best guess). docs/labels.md reports the
calibration and the uncertain share on the blind evaluation set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from genai_analyzer.models.labels.complexity import complexity_from_scan, complexity_score
from genai_analyzer.models.labels.cues import StyleCueReader, load_style_cues
from genai_analyzer.models.labels.taxonomy import (
    FIELDS,
    UNCERTAIN,
    KeywordMatcher,
    LabelError,
    Taxonomy,
    _default_taxonomy,
    checked_embeddings,
    keyword_evidence,
    load_taxonomy,
    normalise_prompt,
)

WEIGHTS_RESOURCE = "labeller_weights.npz"
# A label whose calibrated confidence is below this is stored as "uncertain": below it, the best
# guess was right less than about half of the time on held-out training prompts (docs/labels.md).
CONFIDENCE_THRESHOLD = 0.4
# Keyword evidence: later hits of a field weigh less (rank decay), as in the EmbeddingLabeller.
FEATURE_VERSION = 3  # bump when ``features`` changes: the weights must be retrained with it
TOKEN = re.compile(r"(?u)\b\w\w+\b")  # words of two or more characters, as scikit-learn's tf-idf


def weights_path() -> Path:
    from importlib.resources import files

    return Path(str(files("genai_analyzer") / "data" / WEIGHTS_RESOURCE))


def unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def first_hits(scans: list, taxonomy: Taxonomy) -> dict[str, np.ndarray]:
    """Per field, an (n, 2 * labels) 0/1 matrix: which label the field's first keyword hit names
    (first half) and which its first weak hit names (artist, booster, generic word; second half)."""
    sizes = [len(taxonomy.fields[f].labels) for f in FIELDS]
    mats = [np.zeros((len(scans), 2 * n), np.float32) for n in sizes]
    for i, hits in enumerate(scans):
        seen: set[tuple[int, bool]] = set()
        for hit in hits:
            for f, j, weight in hit:
                slot = (f, weight >= 1.0)
                if slot not in seen:
                    seen.add(slot)
                    mats[f][i, j if weight >= 1.0 else sizes[f] + j] = 1.0
    return dict(zip(FIELDS, mats, strict=True))


def dense_extra(taxonomy: Taxonomy) -> int:
    """How many dense columns follow the embedding in ``features``."""
    domain, style = (len(taxonomy.fields[f].labels) for f in FIELDS)
    return 3 * (domain + style) + StyleCueReader.width(style)


def features(
    embeddings: np.ndarray,
    prompts: list[str],
    scans: list,
    taxonomy: Taxonomy,
    reader: StyleCueReader,
    *,
    normalised: bool = False,
) -> np.ndarray:
    """(n, dim + ``dense_extra(taxonomy)``): the unit embedding, the keyword evidence per field
    (``keyword_evidence``), the first-hit indicators per field (``first_hits``), then the style
    cues (``StyleCueReader.features``: the deciding cue, and the first cue of each tier).
    ``normalised``: ``prompts`` have already been through ``normalise_prompt``."""
    evidence, first = keyword_evidence(scans, taxonomy), first_hits(scans, taxonomy)
    styles = [label.name for label in taxonomy.art_style.labels]
    cues = reader.features(prompts, styles, normalised=normalised)
    return np.hstack(
        [unit(embeddings), *(evidence[f] for f in FIELDS), *(first[f] for f in FIELDS), cues]
    ).astype(np.float32)


def terms(prompt: str) -> list[str]:
    """The prompt's words (lower case) and adjacent word pairs."""
    words = TOKEN.findall((prompt or "").lower())
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class WordFeatures:
    """tf-idf of a fixed vocabulary of words and word pairs (sublinear term frequency, smoothed idf,
    each row of unit length: scikit-learn's ``TfidfVectorizer(ngram_range=(1, 2),
    sublinear_tf=True)``), times ``weight``; computed with numpy and a dict at run time."""

    vocabulary: tuple[str, ...]
    idf: np.ndarray
    weight: float

    @property
    def index(self) -> dict[str, int]:
        return _vocabulary_index(self.vocabulary)

    def entries(self, prompts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of the non-zero features of ``prompts``: the terms are looked up in
        one pass, then counted, weighted and normalised for the whole batch at once."""
        index, rows, cols = self.index, [], []
        for i, prompt in enumerate(prompts):
            found = [j for j in map(index.get, terms(prompt)) if j is not None]
            rows.extend([i] * len(found))
            cols.extend(found)
        if not cols:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
        keys, counts = np.unique(np.asarray(rows, np.int64) * len(self.vocabulary) + cols, return_counts=True)
        r, c = np.divmod(keys, len(self.vocabulary))
        v = (1.0 + np.log(counts)) * self.idf[c]
        norms = np.sqrt(np.bincount(r, weights=v * v, minlength=len(prompts)))
        return r, c, (v / norms[r] * self.weight).astype(np.float32)

    def matrix(self, prompts: list[str]) -> np.ndarray:
        """The (n, vocabulary) dense matrix (for training)."""
        out = np.zeros((len(prompts), len(self.vocabulary)), np.float32)
        r, c, v = self.entries(prompts)
        out[r, c] = v
        return out

    def logits(self, prompts: list[str], coef: np.ndarray, entries=None) -> np.ndarray:
        """(n, classes): the words' share of each class's logit, ``coef`` (classes, vocabulary);
        ``entries``: ``self.entries(prompts)`` when already computed."""
        out = np.zeros((len(prompts), coef.shape[0]), np.float32)
        r, c, v = entries if entries is not None else self.entries(prompts)
        if len(r):  # entries come sorted by row: sum each row's run
            starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
            out[r[starts]] = np.add.reduceat(v[:, None] * coef[:, c].T, starts, axis=0)
        return out


@cache
def _vocabulary_index(vocabulary: tuple[str, ...]) -> dict[str, int]:
    return {t: j for j, t in enumerate(vocabulary)}


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def trained_model() -> str:
    """The embedding model the shipped weights were trained on."""
    return str(_load_weights(str(weights_path()))["model"])


@cache
def _load_weights(path: str) -> dict:
    try:
        with np.load(path, allow_pickle=False) as data:
            weights = {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        raise LabelError(f"cannot read the labeller weights {path}: {exc}") from exc
    if int(weights.get("feature_version", -1)) != FEATURE_VERSION:
        raise LabelError(
            f"{path} was trained for features v{int(weights.get('feature_version', -1))}, this code makes "
            f"v{FEATURE_VERSION}: run scripts/train_labeller.py"
        )
    return weights


class LearnedLabeller:
    """Domain and art style from the shipped linear classifier, each with a calibrated confidence.

    ``label`` returns ``Label``s whose ``domain``/``art_style`` is ``UNCERTAIN`` when the
    confidence is below ``CONFIDENCE_THRESHOLD``. ``probabilities`` gives the calibrated class
    probabilities (columns in ``classes[field]`` order) for analysis.
    """

    name = "learned"
    # label_source of its labels: "embedding" names the offline labeller (labels from the prompt
    # embedding), as before; the build's labeller key ("learned-<digest>:...") tells which one.
    source = "embedding"

    def __init__(self, embedder=None, weights: str | Path | None = None, taxonomy: Taxonomy | None = None):
        self.embedder = embedder
        self.taxonomy = taxonomy or load_taxonomy()
        self.matcher = KeywordMatcher(self.taxonomy)
        self.cues = StyleCueReader(load_style_cues(taxonomy=self.taxonomy))
        self.path = Path(weights) if weights is not None else weights_path()
        w = _load_weights(str(self.path))
        self.model = str(w["model"])
        self.classes = {f: [str(c) for c in w[f"{f}_classes"]] for f in FIELDS}
        self._coef = {f: w[f"{f}_coef"].astype(np.float32) for f in FIELDS}
        self._intercept = {f: w[f"{f}_intercept"].astype(np.float32) for f in FIELDS}
        self.temperature = {f: float(w[f"{f}_temperature"]) for f in FIELDS}
        for f in FIELDS:
            unknown = set(self.classes[f]) - set(self.taxonomy.fields[f].names)
            if unknown:
                raise LabelError(f"{self.path}: {f} classes {sorted(unknown)} are not in the taxonomy")
        self.words = WordFeatures(
            tuple(str(t) for t in w["words_vocabulary"]), w["words_idf"].astype(np.float64),
            float(w["words_weight"]),
        )  # fmt: skip
        self.dense = int(self._coef["domain"].shape[1]) - len(self.words.vocabulary)
        self.dim = self.dense - dense_extra(self.taxonomy)  # the embedding's width

    def probabilities(
        self,
        prompts: list[str],
        *,
        embeddings: np.ndarray | None = None,
        texts: list[str] | None = None,
        scans: list | None = None,
    ) -> dict[str, np.ndarray]:
        """Per field, the (n, classes) calibrated probabilities. ``texts`` (the prompts through
        ``normalise_prompt``) and ``scans`` (their keyword scans), when given, are not redone."""
        prompts = [p or "" for p in prompts]
        vectors = self._vectors(prompts, embeddings)
        if texts is None:
            texts = [normalise_prompt(p) for p in prompts]
        if scans is None:
            scans = [self.matcher.scan_normalised(t) for t in texts]
        x = features(vectors, texts, scans, self.taxonomy, self.cues, normalised=True)
        out, found = {}, self.words.entries(prompts)  # once for both fields
        for f in FIELDS:
            coef = self._coef[f]
            words = self.words.logits(prompts, coef[:, self.dense :], found)
            z = x @ coef[:, : self.dense].T + words + self._intercept[f]
            out[f] = softmax(z / self.temperature[f])
        return out

    def _vectors(self, prompts: list[str], embeddings: np.ndarray | None) -> np.ndarray:
        if embeddings is None:
            if self.embedder is None:
                raise LabelError("LearnedLabeller needs embeddings or an embedder")
            embeddings = self.embedder.embed(list(prompts))
        source = f"from {self.model!r}, the model the labeller was trained on"
        return checked_embeddings(embeddings, len(prompts), self.dim, source)

    def label(
        self,
        prompts: list[str],
        *,
        embeddings: np.ndarray | None = None,
        progress: bool = False,
        batch_size: int = 8192,
    ) -> list:
        """One Label per prompt, in order. ``embeddings`` (n, dim), when given, skips embedding."""
        from genai_analyzer.models.labels.labeller import Label

        prompts = [p or "" for p in prompts]
        if embeddings is None and prompts:
            if self.embedder is None:
                raise LabelError("LearnedLabeller needs embeddings or an embedder")
            embeddings = self.embedder.embed(prompts, progress=progress)
        same_styles = self.taxonomy is _default_taxonomy()
        labels = []
        for start in range(0, len(prompts), batch_size):
            chunk = prompts[start : start + batch_size]
            texts = [normalise_prompt(p) for p in chunk]  # once, for the keywords and the cues
            scans = [self.matcher.scan_normalised(t) for t in texts]
            vectors = embeddings[start : start + batch_size]
            probs = self.probabilities(chunk, embeddings=vectors, texts=texts, scans=scans)
            picked = {}
            for f in FIELDS:
                best = probs[f].argmax(axis=1)
                conf = probs[f][np.arange(len(chunk)), best]
                names = np.array(self.classes[f], dtype=object)[best]
                picked[f] = (np.where(conf < CONFIDENCE_THRESHOLD, UNCERTAIN, names), conf)
            labels.extend(
                Label(
                    domain=picked["domain"][0][i],
                    art_style=picked["art_style"][0][i],
                    complexity_score=complexity_from_scan(p, scans[i])
                    if same_styles
                    else complexity_score(p),
                    label_source=self.source,
                    domain_confidence=round(float(picked["domain"][1][i]), 4),
                    art_style_confidence=round(float(picked["art_style"][1][i]), 4),
                )
                for i, p in enumerate(chunk)
            )
        return labels
