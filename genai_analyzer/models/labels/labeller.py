"""Prompt labels: a domain and an art style from a fixed taxonomy, and a measured complexity score.

* ``load_taxonomy()`` reads and validates ``genai_analyzer/data/taxonomy.json``.
* ``complexity_score(prompt)`` is 1..10 from countable features (formula in its docstring).
* ``EmbeddingLabeller`` is offline zero-shot: cosine similarity between prompt embeddings and
  each label's embedded description and phrasings, plus a boost for taxonomy keywords found in
  the prompt (earlier mentions weigh more); a field is "other" when nothing beats a calibrated
  similarity.
* ``LLMLabeller`` asks an ``LLM`` for JSON, validates it against the taxonomy, retries once with
  the error stated, then falls back to the offline labeller for that prompt.
* The default offline labeller is ``learned.LearnedLabeller`` (a calibrated classifier trained on
  people's labels); ``EmbeddingLabeller`` is used when the embedding model does not fit its weights.

docs/labels.md describes the taxonomy, the method and the measured accuracy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from genai_analyzer.models.labels.complexity import (
    complexity_features,
    complexity_from_scan,
    complexity_score,
)
from genai_analyzer.models.labels.taxonomy import (
    FIELDS,
    KEYWORD_DECAY,
    OTHER,
    KeywordMatcher,
    LabelError,
    Taxonomy,
    TaxonomyError,
    _default_taxonomy,
    checked_embeddings,
    keyword_evidence,
    load_taxonomy,
    normalise_prompt,
)
from genai_analyzer.models.llm.base import LLM, LLMError, Message

__all__ = [
    "FIELDS",
    "OTHER",
    "EmbeddingLabeller",
    "KeywordMatcher",
    "LLMLabeller",
    "Label",
    "LabelError",
    "Taxonomy",
    "TaxonomyError",
    "complexity_features",
    "complexity_score",
    "load_taxonomy",
    "normalise_prompt",
]

# ---------------------------------------------------------------------------------------------
# Labellers


@dataclass
class Label:
    """The labels of one prompt; ``label_source`` is "embedding" (an offline labeller: the learned or
    the zero-shot one) or "llm:<backend name>".

    ``domain_confidence`` and ``art_style_confidence`` are calibrated probabilities in [0, 1] from
    the learned labeller (a label below its threshold is "uncertain"); None where the labeller
    has no calibrated confidence (the zero-shot EmbeddingLabeller, answers of an LLM).
    """

    domain: str
    art_style: str
    complexity_score: int
    label_source: str
    domain_confidence: float | None = None
    art_style_confidence: float | None = None


class EmbeddingLabeller:
    """Zero-shot labels from embedding similarity to label exemplars, with a keyword boost.

    Each label has exemplars: its description and its prototype phrasings from the taxonomy,
    embedded once. Per field and label:

        score = similarity + BOOST * keyword evidence

    * similarity: mean cosine of the prompt to the label's TOP_K most similar exemplars (labels
      like "character" are too varied for one mean vector). For domains, prompt and exemplars are
      first projected off the span of the art-style exemplars, because style words ("digital
      painting, trending on artstation") otherwise dominate a prompt's vector.
    * keyword evidence: the largest ``weight * DECAY ** rank`` over the label's keyword hits;
      rank is the hit's order among the field's hits, so the first-named subject or medium weighs
      most; weak keywords (artists, boosters) weigh 0.5 and the label's own name 1.5.
    * "other" scores THRESHOLD plus its own keyword evidence, so it wins when no label is
      similar enough.

    All of it is matrix products over a batch; only the keyword scan is per prompt.
    """

    name = "embedding"
    # Calibrated on half of tests/data/labelled_prompts.csv (see docs/labels.md).
    BOOST = {"domain": 0.3, "art_style": 0.5}
    DECAY = KEYWORD_DECAY
    THRESHOLD = {"domain": 0.25, "art_style": 0.4}
    TOP_K = 2

    def __init__(self, embedder, taxonomy: Taxonomy | None = None):
        self.embedder = embedder
        self.taxonomy = taxonomy or load_taxonomy()
        self.matcher = KeywordMatcher(self.taxonomy)
        self._exemplars: dict[str, np.ndarray] = {}  # field -> (exemplars, dim), unit rows
        self._owner: dict[str, np.ndarray] = {}  # field -> label index of each exemplar
        self._style_basis: np.ndarray | None = None

    # -- exemplars ----------------------------------------------------------------------------
    def _build(self) -> None:
        """Embed every label's description and phrasings once (one embedder call)."""
        texts: list[str] = []
        owners: list[tuple[int, int]] = []
        for f, field_name in enumerate(FIELDS):
            for j, label in enumerate(self.taxonomy.fields[field_name].labels):
                if label.name == OTHER:
                    continue  # "other" is scored by the threshold, not by similarity
                for text in (label.description, *label.prototypes):
                    texts.append(text)
                    owners.append((f, j))
        vectors = np.asarray(self.embedder.embed(texts), dtype=np.float32)
        owner = np.array(owners)
        # Orthonormal basis of the art-style exemplars, projected out of domain vectors.
        basis, _ = np.linalg.qr(vectors[owner[:, 0] == FIELDS.index("art_style")].T)
        self._style_basis = basis.astype(np.float32)
        for f, field_name in enumerate(FIELDS):
            rows = vectors[owner[:, 0] == f]
            self._exemplars[field_name] = _unit(self._remove_style(rows) if field_name == "domain" else rows)
            self._owner[field_name] = owner[owner[:, 0] == f, 1]

    @property
    def dim(self) -> int:
        """The embedding dimension of the model (and of precomputed embeddings)."""
        if not self._exemplars:
            self._build()
        return int(self._exemplars["domain"].shape[1])

    def _remove_style(self, vectors: np.ndarray) -> np.ndarray:
        return vectors - (vectors @ self._style_basis) @ self._style_basis.T

    def _similarity(self, field_name: str, vectors: np.ndarray) -> np.ndarray:
        """(n, labels): mean cosine of unit ``vectors`` to each label's TOP_K closest exemplars."""
        sims = vectors @ self._exemplars[field_name].T  # (n, exemplars)
        owner = self._owner[field_name]
        out = np.zeros((len(vectors), len(self.taxonomy.fields[field_name].labels)), dtype=np.float32)
        for j in np.unique(owner):
            mine = sims[:, owner == j]
            k = min(self.TOP_K, mine.shape[1])
            out[:, j] = np.partition(mine, mine.shape[1] - k, axis=1)[:, -k:].mean(axis=1)
        return out

    # -- scoring ------------------------------------------------------------------------------
    def keyword_evidence(self, scans: list[list[list[tuple[int, int, float]]]]) -> dict[str, np.ndarray]:
        """Per field, an (n, labels) matrix of keyword evidence from ``KeywordMatcher.scan`` results."""
        return keyword_evidence(scans, self.taxonomy)

    def scores(
        self, prompts: list[str], *, embeddings: np.ndarray | None = None, scans: list | None = None
    ) -> dict[str, np.ndarray]:
        """Per field, an (n, labels) score matrix (columns in taxonomy order); argmax is the label.

        ``scans`` are the prompts' ``self.matcher.scan`` results when the caller already has them.
        """
        if not self._exemplars:
            self._build()
        vectors = self._vectors(prompts, embeddings)
        if scans is None:
            scans = [self.matcher.scan(p or "") for p in prompts]
        evidence = self.keyword_evidence(scans)
        out = {}
        for field_name in FIELDS:
            field = self.taxonomy.fields[field_name]
            v = _unit(self._remove_style(vectors)) if field_name == "domain" else vectors
            sims = self._similarity(field_name, v)
            other = field.names.index(OTHER)
            sims[:, other] = self.THRESHOLD[field_name]
            out[field_name] = sims + self.BOOST[field_name] * evidence[field_name]
        return out

    def _vectors(self, prompts: list[str], embeddings: np.ndarray | None) -> np.ndarray:
        if embeddings is None:
            return np.asarray(self.embedder.embed(list(prompts)), dtype=np.float32)
        source = f"from the labeller's model {getattr(self.embedder, 'model_name', '?')!r}"
        vectors = checked_embeddings(embeddings, len(prompts), self.dim, source)
        return _unit(vectors)  # stored vectors may have lost their exact unit length

    def label(
        self,
        prompts: list[str],
        *,
        embeddings: np.ndarray | None = None,
        progress: bool = False,
        batch_size: int = 8192,
    ) -> list[Label]:
        """One Label per prompt, in order. ``embeddings`` (n, dim), when given, skips embedding."""
        prompts = list(prompts)
        if embeddings is None and prompts:
            embeddings = self.embedder.embed(prompts, progress=progress)
        labels: list[Label] = []
        names = {f: self.taxonomy.fields[f].names for f in FIELDS}
        # One keyword scan per prompt serves the boost and, with the packaged taxonomy, the
        # complexity score's style count too (the scan is most of the per-prompt cost).
        same_styles = self.taxonomy is _default_taxonomy()
        for start in range(0, len(prompts), batch_size):
            chunk = [p or "" for p in prompts[start : start + batch_size]]
            scans = [self.matcher.scan(p) for p in chunk]
            scores = self.scores(chunk, embeddings=embeddings[start : start + batch_size], scans=scans)
            best = {f: scores[f].argmax(axis=1) for f in FIELDS}
            labels.extend(
                Label(
                    domain=names["domain"][best["domain"][i]],
                    art_style=names["art_style"][best["art_style"][i]],
                    complexity_score=complexity_from_scan(p, scans[i])
                    if same_styles
                    else complexity_score(p),
                    label_source=self.name,
                )
                for i, p in enumerate(chunk)
            )
        return labels


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.where(norms > 0, norms, 1.0)).astype(np.float32)


class LLMLabeller:
    """Labels from an LLM's JSON answer, validated against the taxonomy; the embedding labeller
    labels every prompt the LLM cannot (two invalid answers, or LLMError twice).

    After ``max_consecutive_failures`` prompts in a row fell back, the backend is taken to be
    down: later ``label`` calls ask the LLM only for their first prompt (a probe) and send the
    rest straight to the fallback until a probe succeeds, so a dead server does not cost two
    timeouts per prompt. Complexity is always measured, never asked.
    """

    def __init__(
        self,
        llm: LLM,
        fallback: EmbeddingLabeller,
        taxonomy: Taxonomy | None = None,
        *,
        max_tokens: int = 64,
        max_consecutive_failures: int = 20,
    ):
        self.llm = llm
        self.fallback = fallback
        self.taxonomy = taxonomy or fallback.taxonomy
        self.max_tokens = max_tokens
        self.max_consecutive_failures = max_consecutive_failures
        self.source = f"llm:{llm.name}"
        self._system = self.system_prompt()
        self._failures = 0  # prompts in a row that fell back, across calls

    def system_prompt(self) -> str:
        """The instructions: the task, both label lists with meanings, the rules, the format."""
        parts = [
            "You label prompts written for a text-to-image generator. Choose exactly one label per field "
            "from the lists below and answer with only a JSON object: "
            '{"domain": "<label>", "art_style": "<label>"}.'
        ]
        for field_name in FIELDS:
            field = self.taxonomy.fields[field_name]
            parts.append(f"\n{field_name}: {field.description}")
            parts.extend(f"- {label.name}: {label.description}" for label in field.labels)
            parts.extend(f"Rule: {rule}" for rule in field.rules)
        return "\n".join(parts)

    def validate(self, answer: dict) -> tuple[str, str]:
        """(domain, art_style) from the parsed answer; LabelError says what is wrong."""
        values, problems = [], []
        for field_name in FIELDS:
            field = self.taxonomy.fields[field_name]
            raw = answer.get(field_name)
            value = field.normalise(raw)
            if value is None:
                problems.append(
                    f'"{field_name}" is {raw!r}, not one of: {", ".join(lab.name for lab in field.labels)}'
                )
            values.append(value)
        if problems:
            raise LabelError("; ".join(problems))
        return values[0], values[1]

    def ask(self, prompt: str) -> tuple[str, str] | None:
        """(domain, art_style) from the LLM for one prompt, or None after two failed answers."""
        messages: list[Message] = [
            {"role": "system", "content": self._system},
            {"role": "user", "content": f"Prompt: {prompt.strip()[:2000]}"},
        ]
        for attempt in range(2):
            answer = None
            try:
                answer = self.llm.complete_json(messages, max_tokens=self.max_tokens)
                return self.validate(answer)
            except (LLMError, LabelError) as exc:
                if attempt == 0:
                    if answer is not None:  # it parsed but broke the taxonomy: show it back
                        messages.append({"role": "assistant", "content": json.dumps(answer)})
                    messages.append(
                        {
                            "role": "user",
                            "content": f"That answer cannot be used: {exc}. Answer again with only the "
                            'JSON object {"domain": ..., "art_style": ...}, one listed label each.',
                        }
                    )
        return None

    def label(
        self, prompts: list[str], *, embeddings: np.ndarray | None = None, progress: bool = False
    ) -> list[Label]:
        """One Label per prompt, in order; ``embeddings`` are passed on to the fallback."""
        from tqdm.auto import tqdm

        prompts = list(prompts)
        answers: list[tuple[str, str] | None] = []
        down = self._failures >= self.max_consecutive_failures
        for i, prompt in enumerate(
            tqdm(prompts, desc="llm labels", unit="prompt", disable=not progress, leave=False)
        ):
            answer = self.ask(prompt) if not down or i == 0 else None
            if answer is not None:
                self._failures, down = 0, False
            elif not down:
                self._failures += 1
                down = self._failures >= self.max_consecutive_failures
            answers.append(answer)
        missing = [i for i, a in enumerate(answers) if a is None]
        fallback = {}
        if missing:
            sub = None if embeddings is None else np.asarray(embeddings)[missing]
            made = self.fallback.label([prompts[i] for i in missing], embeddings=sub)
            fallback = dict(zip(missing, made, strict=True))
        return [
            fallback[i]
            if answer is None
            else Label(answer[0], answer[1], complexity_score(prompt), self.source)
            for i, (prompt, answer) in enumerate(zip(prompts, answers, strict=True))
        ]
