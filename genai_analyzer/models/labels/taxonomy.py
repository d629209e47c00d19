"""The label taxonomy (``genai_analyzer/data/taxonomy.json``) and keyword matching over it.

``load_taxonomy()`` reads and validates the file; ``KeywordMatcher`` finds taxonomy keywords in
prompts (shared by the labeller's keyword boost and the complexity score). docs/labels.md
describes the taxonomy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from genai_analyzer.core.contract import TAXONOMY_FILE
from genai_analyzer.core.errors import AnalyzerError

FIELDS = ("domain", "art_style")
OTHER = "other"
# Not a label of the file: what the learned labeller stores when its calibrated confidence is
# below its threshold (docs/labels.md). ``TaxonomyField.names`` lists it last, so stored values
# validate against ``names``; nobody (person or LLM) chooses it, and ``normalise`` never maps to it.
UNCERTAIN = "uncertain"


class TaxonomyError(AnalyzerError):
    """The taxonomy file is missing, is not valid JSON, or breaks the expected structure."""


class LabelError(AnalyzerError):
    """Labels could not be made or validated (bad inputs, or an answer outside the taxonomy)."""


# ---------------------------------------------------------------------------------------------
# Taxonomy


@dataclass(frozen=True)
class TaxonomyLabel:
    """One label: what it means, phrasings to embed, and words that signal it in prompts."""

    name: str
    description: str
    prototypes: tuple[str, ...]
    keywords: tuple[str, ...]
    weak_keywords: tuple[str, ...]  # weaker evidence: artist names, quality boosters, generic words
    synonyms: tuple[str, ...]  # other names an LLM may answer with


@dataclass(frozen=True)
class TaxonomyField:
    """One labelled field ("domain" or "art_style") and its labels, "other" included."""

    name: str
    description: str
    rules: tuple[str, ...]
    labels: tuple[TaxonomyLabel, ...]

    @property
    def names(self) -> list[str]:
        """The label names in file order, then ``UNCERTAIN`` (a stored value, never a choice)."""
        return [label.name for label in self.labels] + [UNCERTAIN]

    def normalise(self, value: object) -> str | None:
        """The label ``value`` names (case, spaces, '-' and '_' ignored; synonyms mapped), or None."""
        if not isinstance(value, str):
            return None
        key = _name_key(value)
        lookup = _lookup(self)
        if key in lookup:
            return lookup[key]
        for suffix in (" style", " art", " genre"):  # "anime style", "surreal art"
            if key.endswith(suffix) and key[: -len(suffix)] in lookup:
                return lookup[key[: -len(suffix)]]
        return None


@dataclass(frozen=True)
class Taxonomy:
    """The label taxonomy: ``domain`` (what the image shows) and ``art_style`` (how it looks)."""

    version: int
    fields: dict[str, TaxonomyField]

    @property
    def domain(self) -> TaxonomyField:
        return self.fields["domain"]

    @property
    def art_style(self) -> TaxonomyField:
        return self.fields["art_style"]


def _name_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.strip().lower()).strip()


@cache
def _lookup(field: TaxonomyField) -> dict[str, str]:
    table: dict[str, str] = {}
    for label in field.labels:
        for alias in (*label.synonyms, label.name):  # the name itself wins over any synonym
            table[_name_key(alias)] = label.name
    return table


DEFAULT_TAXONOMY_PATH = TAXONOMY_FILE


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """The validated taxonomy from ``path`` (default: the packaged taxonomy.json).

    Raises TaxonomyError naming the file and what is wrong with it.
    """
    path = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
    if path == DEFAULT_TAXONOMY_PATH:
        return _default_taxonomy()
    return _read_taxonomy(path)


@cache
def _default_taxonomy() -> Taxonomy:
    return _read_taxonomy(DEFAULT_TAXONOMY_PATH)


def _read_taxonomy(path: Path) -> Taxonomy:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TaxonomyError(f"taxonomy file not found: {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TaxonomyError(f"taxonomy file {path} is not readable JSON: {exc}") from exc
    try:
        return _parse_taxonomy(data)
    except TaxonomyError as exc:
        raise TaxonomyError(f"taxonomy file {path}: {exc}") from None


def _strings(obj: dict, key: str, where: str, *, required: bool = False) -> tuple[str, ...]:
    value = obj.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where}.{key} must be a list of non-empty strings")
    if required and not value:
        raise TaxonomyError(f"{where}.{key} must not be empty")
    return tuple(value)


def _text(obj: dict, key: str, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{where}.{key} must be a non-empty string")
    return value.strip()


def _parse_taxonomy(data: object) -> Taxonomy:
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
        raise TaxonomyError('expected an object with a "fields" object')
    version = data.get("version", 1)
    if not isinstance(version, int):
        raise TaxonomyError('"version" must be an integer')
    fields = {}
    for field_name in FIELDS:
        raw = data["fields"].get(field_name)
        where = f"fields.{field_name}"
        if not isinstance(raw, dict) or not isinstance(raw.get("labels"), list) or not raw["labels"]:
            raise TaxonomyError(f'{where} must be an object with a non-empty "labels" list')
        labels = []
        for i, item in enumerate(raw["labels"]):
            at = f"{where}.labels[{i}]"
            if not isinstance(item, dict):
                raise TaxonomyError(f"{at} must be an object")
            labels.append(
                TaxonomyLabel(
                    name=_text(item, "name", at),
                    description=_text(item, "description", at),
                    prototypes=_strings(item, "prototypes", at),
                    keywords=_strings(item, "keywords", at),
                    weak_keywords=_strings(item, "weak_keywords", at),
                    synonyms=_strings(item, "synonyms", at),
                )
            )
        names = [label.name for label in labels]
        if len(set(map(_name_key, names))) != len(names):
            raise TaxonomyError(f"{where} has duplicate label names: {names}")
        if OTHER not in names:
            raise TaxonomyError(f'{where} must have an "{OTHER}" label')
        fields[field_name] = TaxonomyField(
            name=field_name,
            description=_text(raw, "description", where),
            rules=_strings(raw, "rules", where),
            labels=tuple(labels),
        )
    return Taxonomy(version=version, fields=fields)


# ---------------------------------------------------------------------------------------------
# Keyword matching (shared by the labeller's boost and the complexity score)


def normalise_prompt(text: str) -> str:
    """``text`` lower-cased with DiffusionDB's tokeniser spacing undone ("3 d" -> "3d",
    "sci - fi" -> "sci-fi", "1 9 7 0 s" -> "1970s"), so keywords match one spelling."""
    text = text.lower().replace("_", " ")
    text = re.sub(r"\s*-\s*", "-", text)
    text = re.sub(r"(?<=\d) (?=[\da-z]\b)", "", text)
    return re.sub(r"\s+", " ", text).strip()


class KeywordMatcher:
    """Finds taxonomy keywords in prompts with one compiled regex (the longest keyword wins, so
    "digital painting" is not also read as "painting")."""

    WEAK = 0.5  # weight of a weak keyword relative to a keyword
    NAME = 1.5  # the label's own name in the prompt ("interior", "watercolor") is the best evidence

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        # keyword -> [(field index, label index, weight)]; a keyword may signal one label per field
        table: dict[str, dict[tuple[int, int], float]] = {}
        for f, field_name in enumerate(FIELDS):
            for j, label in enumerate(taxonomy.fields[field_name].labels):
                for words, weight in ((label.weak_keywords, self.WEAK), (label.keywords, 1.0)):
                    for word in words:
                        key = normalise_prompt(word)
                        w = self.NAME if weight == 1.0 and key == normalise_prompt(label.name) else weight
                        slot = table.setdefault(key, {})
                        slot[(f, j)] = max(w, slot.get((f, j), 0.0))
        self.table = {k: [(f, j, w) for (f, j), w in v.items()] for k, v in table.items()}
        self.regex = re.compile(rf"(?<![a-z0-9]){_trie_regex(list(self.table))}(?![a-z0-9])")

    def scan(self, text: str) -> list[list[tuple[int, int, float]]]:
        """Per keyword hit in ``text``, in prompt order: its (field index, label index, weight)s."""
        return self.scan_normalised(normalise_prompt(text))

    def scan_normalised(self, text: str) -> list[list[tuple[int, int, float]]]:
        """``scan`` of a text already through ``normalise_prompt`` (shared with the style cues)."""
        return [self.table[m.group()] for m in self.regex.finditer(text)]


def _trie_regex(words: list[str]) -> str:
    """A regex matching any of ``words``, longest first, factored by common prefixes: ``re``
    tries alternatives one by one, so a plain 1,000-word alternation is several times slower."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # end of a word

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # greedy "?" tries the longer word first and backtracks to the shorter one
        return f"(?:{body})?" if ends else body

    return build(trie)


@cache
def _default_matcher() -> KeywordMatcher:
    return KeywordMatcher(_default_taxonomy())


# How much a later keyword hit of a field counts against the first: the first-named medium or
# subject weighs most (used by both labellers).
KEYWORD_DECAY = {"domain": 0.5, "art_style": 0.7}


def keyword_evidence(scans: list, taxonomy: Taxonomy) -> dict[str, np.ndarray]:
    """Per field, an (n, labels) matrix: the largest ``weight * KEYWORD_DECAY ** rank`` per label
    over the prompt's keyword hits (``KeywordMatcher.scan`` results; rank = earlier hits of that
    field)."""
    out = {f: np.zeros((len(scans), len(taxonomy.fields[f].labels)), np.float32) for f in FIELDS}
    mats = [out[f] for f in FIELDS]
    decay = [KEYWORD_DECAY[f] for f in FIELDS]
    for i, hits in enumerate(scans):
        ranks = [0] * len(FIELDS)
        for hit in hits:
            for f, j, weight in hit:
                value = weight * decay[f] ** ranks[f]
                if value > mats[f][i, j]:
                    mats[f][i, j] = value
            for f in {f for f, _, _ in hit}:
                ranks[f] += 1
    return out


def checked_embeddings(embeddings, n: int, dim: int, source: str) -> np.ndarray:
    """``embeddings`` as an (n, dim) float32 matrix, or a LabelError naming both shapes and where
    the expected dimension comes from (``source``)."""
    vectors = np.asarray(embeddings, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[0] != n or vectors.shape[1] != dim:
        raise LabelError(f"embeddings have shape {vectors.shape}; expected ({n}, {dim}) {source}")
    return vectors
