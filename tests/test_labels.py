"""Prompt labels: the taxonomy, the complexity score, the zero-shot labeller on real prompts, and
the LLM labeller's validation, retry and fallback (with a scripted fake LLM)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.models.embeddings import Embedder
from genai_analyzer.models.labels.labeller import (
    FIELDS,
    EmbeddingLabeller,
    Label,
    LabelError,
    LLMLabeller,
    TaxonomyError,
    complexity_features,
    complexity_score,
    load_taxonomy,
)
from genai_analyzer.models.llm.base import LLM, LLMError

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "labelled_prompts.csv"
SHARED = (ROOT / ".." / "shared" / "data" / "diffusiondb").resolve()

TAXONOMY = load_taxonomy()
NAMES = {f: set(TAXONOMY.fields[f].names) for f in FIELDS}


# --- taxonomy ---------------------------------------------------------------------------------


def test_taxonomy_has_the_required_labels_each_described_with_keywords():
    required = {
        "domain": "portrait character landscape cityscape architecture interior animal fantasy sci-fi "
        "horror abstract food product vehicle nature-closeup other",
        "art_style": "photorealistic|digital art|oil painting|watercolor|anime|concept art|3d render|"
        "pixel art|illustration|sketch|surreal|fantasy art|other",
    }
    assert set(required["domain"].split()) <= NAMES["domain"]
    assert set(required["art_style"].split("|")) <= NAMES["art_style"]
    for field in FIELDS:
        for label in TAXONOMY.fields[field].labels:
            assert len(label.description) > 20, label.name
            if label.name != "other":
                assert label.keywords and label.prototypes, label.name


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / "taxonomy.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_a_bad_taxonomy_file_raises_a_typed_error_naming_the_file_and_the_problem(tmp_path):
    good = json.loads((ROOT / "genai_analyzer" / "data" / "taxonomy.json").read_text())
    assert load_taxonomy(_write(tmp_path, good)).domain.names == TAXONOMY.domain.names

    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "missing.json")
    with pytest.raises(TaxonomyError, match="not readable JSON"):
        load_taxonomy(_write(tmp_path, "{not json"))
    no_other = json.loads(json.dumps(good))
    no_other["fields"]["domain"]["labels"] = [
        lab for lab in no_other["fields"]["domain"]["labels"] if lab["name"] != "other"
    ]
    with pytest.raises(TaxonomyError, match='"other" label') as info:
        load_taxonomy(_write(tmp_path, no_other))
    assert str(tmp_path / "taxonomy.json") in str(info.value)
    duplicate = json.loads(json.dumps(good))
    duplicate["fields"]["art_style"]["labels"].append(duplicate["fields"]["art_style"]["labels"][0])
    with pytest.raises(TaxonomyError, match="duplicate"):
        load_taxonomy(_write(tmp_path, duplicate))
    bad_keywords = json.loads(json.dumps(good))
    bad_keywords["fields"]["domain"]["labels"][0]["keywords"] = "portrait"
    with pytest.raises(TaxonomyError, match=r"labels\[0\]\.keywords"):
        load_taxonomy(_write(tmp_path, bad_keywords))
    with pytest.raises(TaxonomyError, match="art_style"):
        load_taxonomy(_write(tmp_path, {"fields": {"domain": good["fields"]["domain"]}}))
    assert issubclass(TaxonomyError, AnalyzerError)


@pytest.mark.parametrize(
    ("field", "answer", "expected"),
    [
        ("domain", " Sci Fi ", "sci-fi"),
        ("domain", "science fiction", "sci-fi"),
        ("domain", "NATURE_CLOSEUP", "nature-closeup"),
        ("domain", "animals", "animal"),
        ("art_style", "3D Render", "3d render"),
        ("art_style", "watercolour", "watercolor"),
        ("art_style", "anime style", "anime"),
        ("art_style", "photograph", "photorealistic"),
        ("art_style", "cubism", None),
        ("domain", 3, None),
    ],
)
def test_answers_are_matched_to_labels_ignoring_case_spacing_and_synonyms(field, answer, expected):
    assert TAXONOMY.fields[field].normalise(answer) == expected


def test_the_docs_list_every_label_with_its_taxonomy_description():
    docs = (ROOT / "docs" / "labels.md").read_text()
    for field in FIELDS:
        for label in TAXONOMY.fields[field].labels:
            assert f"`{label.name}`" in docs and label.description in docs, label.name


def test_the_labelled_set_holds_keys_and_labels_only_within_the_taxonomy():
    with LABELLED.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["source", "key", "domain", "art_style"]  # no prompt text in the repo
    assert len(rows) >= 150
    assert len({(r["source"], r["key"]) for r in rows}) == len(rows)
    assert {r["source"] for r in rows} == {"users_1k", "parts"}
    for field in FIELDS:
        used = {r[field] for r in rows}
        assert used <= NAMES[field]
        assert len(used) >= len(NAMES[field]) - 1  # spread across (nearly) every label


# --- complexity -------------------------------------------------------------------------------


def test_complexity_of_an_empty_prompt_is_1_and_every_score_is_in_1_to_10():
    assert complexity_score("") == 1
    assert complexity_score("   ") == 1
    assert complexity_score(None) == 1
    assert complexity_score("cat") == 1
    huge = ", ".join(f"((detail {i}:1.3)) by artist{i} and artist{i}b, oil painting!!!" for i in range(40))
    assert complexity_score(huge) == 10


def test_complexity_rises_with_modifiers_artists_styles_and_emphasis():
    base = "a castle on a hill"
    modifiers = base + ", at dusk, misty, dramatic lighting, highly detailed, intricate, cinematic, 8k"
    artists = base + ", by greg rutkowski and alphonse mucha and james jean"
    styles = base + ", oil painting, watercolor, pixel art"
    emphasis = "a ((castle:1.4)) on a [hill]!!, (fog:1.2)!!"
    for richer in (modifiers, artists, styles, emphasis):
        assert complexity_score(richer) > complexity_score(base), richer
    assert complexity_score(modifiers + ", by greg rutkowski and alphonse mucha") > complexity_score(
        modifiers
    )
    assert complexity_score(artists + ", oil painting, (glow:1.3)!!") > complexity_score(artists)


def test_complexity_features_count_what_the_formula_says():
    f = complexity_features(
        "portrait of a knight, (glowing:1.2), art by artgerm and greg rutkowski, octane render!!"
    )
    assert f["modifiers"] == 3
    assert f["artists"] == 2
    assert f["styles"] == 1  # octane render -> 3d render
    assert f["emphasis"] == 3  # "(", ":1.2", "!!"
    assert f["words"] == 15


# --- embedding labeller (real model, loaded once) ---------------------------------------------


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def labeller(embedder) -> EmbeddingLabeller:
    return EmbeddingLabeller(embedder)


CLEAR_CASES = [
    ("a watercolor painting of a fox in a forest", "animal", "watercolor"),
    ("portrait of an old fisherman with a grey beard, 85mm photograph, dslr", "portrait", "photorealistic"),
    ("a red sports car on a mountain road, octane render, unreal engine", "vehicle", "3d render"),
    ("a bowl of ramen with egg and noodles, food photography", "food", "photorealistic"),
    ("cyberpunk city street at night with neon signs, digital painting", "cityscape", "digital art"),
    ("a fire-breathing dragon over a castle, epic fantasy art", "fantasy", "fantasy art"),
    ("pixel art of a knight standing in a dungeon, 16-bit", "character", "pixel art"),
    ("cozy living room interior with a fireplace, 3d render", "interior", "3d render"),
    ("a spaceship orbiting an alien planet, concept art", "sci-fi", "concept art"),
    ("a pencil sketch of a rose", "nature-closeup", "sketch"),
    ("mountain lake at sunrise, oil painting on canvas", "landscape", "oil painting"),
    ("a zombie with rotting flesh in a dark hallway, horror", "horror", "other"),
    ("abstract painting of colorful geometric shapes, acrylic on canvas", "abstract", "oil painting"),
    ("anime girl with long blue hair, studio ghibli", "character", "anime"),
    ("a gothic cathedral, architecture photography", "architecture", "photorealistic"),
    ("surreal portrait of a woman with a birdcage for a head, surrealism", "portrait", "surreal"),
    ("a funny meme with text", "other", "other"),
    ("logo of a coffee shop, flat vector illustration", "product", "illustration"),
]


@pytest.mark.slow
def test_clear_cases_get_the_obvious_labels(labeller):
    labels = labeller.label([prompt for prompt, _, _ in CLEAR_CASES])
    got = [(lab.domain, lab.art_style) for lab in labels]
    want = [(domain, style) for _, domain, style in CLEAR_CASES]
    assert got == want
    assert {lab.label_source for lab in labels} == {"embedding"}
    assert [lab.complexity_score for lab in labels] == [complexity_score(p) for p, _, _ in CLEAR_CASES]


@pytest.mark.slow
def test_precomputed_embeddings_give_the_same_labels_and_a_wrong_shape_is_refused(labeller, embedder):
    prompts = [prompt for prompt, _, _ in CLEAR_CASES[:5]] + ["", "   "]
    vectors = embedder.embed(prompts)
    assert labeller.label(prompts, embeddings=vectors) == labeller.label(prompts)
    # stored vectors come back as float32 lists that may not be exactly unit length
    assert labeller.label(prompts, embeddings=(vectors * 3).astype(np.float64)) == labeller.label(prompts)
    empty = labeller.label([""], embeddings=vectors[-1:])[0]
    assert (empty.domain, empty.art_style, empty.complexity_score) == ("other", "other", 1)
    assert labeller.label([], embeddings=np.zeros((0, 384), np.float32)) == []
    with pytest.raises(LabelError, match="expected"):
        labeller.label(prompts, embeddings=vectors[:, :100])
    with pytest.raises(LabelError):
        labeller.label(prompts, embeddings=vectors[:3])


def _labelled_set() -> pd.DataFrame:
    users_path = SHARED / "users_1k" / "diffusiondb_sample_typed.parquet"
    parts_path = SHARED / "parts_000001-000005" / "metadata.parquet"
    if not users_path.exists() or not parts_path.exists():
        pytest.skip(
            f"real DiffusionDB rows not found under {SHARED} (the hand-labelled prompts are read from "
            "../shared/data/diffusiondb beside the project checkout)"
        )
    users = pd.read_parquet(users_path, columns=["row_in_source", "prompt"])
    parts = pd.read_parquet(parts_path, columns=["image_name", "prompt"])
    texts = {("users_1k", str(k)): p for k, p in zip(users["row_in_source"], users["prompt"], strict=True)}
    texts.update({("parts", k): p for k, p in zip(parts["image_name"], parts["prompt"], strict=True)})
    df = pd.read_csv(LABELLED, dtype=str)
    df["prompt"] = [texts[(s, k)] for s, k in zip(df["source"], df["key"], strict=True)]
    return df


@pytest.fixture(scope="session")
def labelled(labeller) -> tuple[pd.DataFrame, list[Label]]:
    df = _labelled_set()
    return df, labeller.label(df["prompt"].tolist())


@pytest.mark.slow
def test_accuracy_on_the_hand_labelled_real_prompts_stays_above_the_floor(labelled):
    # Measured with `python scripts/eval_labeller.py` (264 prompts): domain 0.739, art_style 0.909;
    # on the held-out half the constants were not tuned on: domain 0.766, art_style 0.922.
    df, labels = labelled
    domain = np.mean([lab.domain == d for lab, d in zip(labels, df["domain"], strict=True)])
    style = np.mean([lab.art_style == s for lab, s in zip(labels, df["art_style"], strict=True)])
    assert domain >= 0.68, domain
    assert style >= 0.85, style
    held_out = [int(hashlib.sha1(k.encode()).hexdigest(), 16) % 2 == 1 for k in df["key"]]
    pairs = zip(labels, df["domain"], held_out, strict=True)
    held_domain = np.mean([lab.domain == d for lab, d, h in pairs if h])
    assert held_domain >= 0.68, held_domain


@pytest.mark.slow
def test_real_prompts_get_labels_within_the_taxonomy_and_a_measured_complexity(labelled):
    df, labels = labelled
    for prompt, lab in zip(df["prompt"], labels, strict=True):
        assert lab.domain in NAMES["domain"] and lab.art_style in NAMES["art_style"]
        assert lab.complexity_score == complexity_score(prompt)
        assert 1 <= lab.complexity_score <= 10
    assert len({lab.complexity_score for lab in labels}) >= 7  # the score spreads, not one bucket


# --- LLM labeller (scripted fake LLM, fake embedder: fast and deterministic) ------------------


class FakeLLM(LLM):
    """Answers with scripted replies in order; an exception in the script is raised instead."""

    name = "fake"

    def __init__(self, replies):
        self.replies = list(replies)
        self.calls: list[list[dict]] = []

    def chat(self, messages, *, max_tokens=256, temperature=0.0):
        self.calls.append([dict(m) for m in messages])
        reply = self.replies.pop(0) if self.replies else LLMError("script exhausted")
        if isinstance(reply, Exception):
            raise reply
        return reply


class HashEmbedder:
    """A deterministic stand-in for the model: hashed bag of words, unit length, 64 dims."""

    model_name = "hash-64"

    def embed(self, texts, *, batch_size=64, progress=False):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


@pytest.fixture
def fallback() -> EmbeddingLabeller:
    return EmbeddingLabeller(HashEmbedder())


PROMPT = "a watercolor painting of a fox in a forest, by beatrix potter"


def test_a_valid_llm_answer_is_used_with_the_measured_complexity(fallback):
    llm = FakeLLM(['{"domain": "animal", "art_style": "watercolor"}'])
    [label] = LLMLabeller(llm, fallback).label([PROMPT])
    assert label == Label("animal", "watercolor", complexity_score(PROMPT), "llm:fake")
    assert len(llm.calls) == 1
    system = llm.calls[0][0]["content"]
    # every taxonomy label is listed ("uncertain", a stored value only, is not offered)
    assert all(lab.name in system for field in FIELDS for lab in TAXONOMY.fields[field].labels)
    assert "uncertain" not in system
    assert PROMPT in llm.calls[0][1]["content"]


def test_answers_in_other_spellings_and_fenced_json_are_accepted(fallback):
    llm = FakeLLM(['Sure!\n```json\n{"domain": "Sci Fi", "art_style": "3D render"}\n```'])
    [label] = LLMLabeller(llm, fallback).label(["a robot"])
    assert (label.domain, label.art_style, label.label_source) == ("sci-fi", "3d render", "llm:fake")


def test_an_invalid_label_is_retried_once_with_the_error_stated(fallback):
    llm = FakeLLM(
        [
            '{"domain": "dinosaurs", "art_style": "watercolor"}',
            '{"domain": "animal", "art_style": "watercolor"}',
        ]
    )
    [label] = LLMLabeller(llm, fallback).label([PROMPT])
    assert (label.domain, label.art_style, label.label_source) == ("animal", "watercolor", "llm:fake")
    assert len(llm.calls) == 2
    retry = llm.calls[1][-1]["content"]
    assert "dinosaurs" in retry and "nature-closeup" in retry  # says what was wrong and what is allowed
    assert llm.calls[1][-2]["role"] == "assistant"


def test_no_json_then_valid_is_accepted_on_the_retry(fallback):
    llm = FakeLLM(["I think it is an animal.", '{"domain": "animal", "art_style": "watercolor"}'])
    [label] = LLMLabeller(llm, fallback).label([PROMPT])
    assert label.label_source == "llm:fake"
    assert "no JSON object" in llm.calls[1][-1]["content"]


def test_two_invalid_answers_fall_back_to_the_embedding_labeller(fallback):
    llm = FakeLLM(['{"domain": "dinosaurs"}', '{"domain": "animal", "art_style": "cubism"}'])
    [label] = LLMLabeller(llm, fallback).label([PROMPT])
    assert label == fallback.label([PROMPT])[0]
    assert label.label_source == "embedding"
    assert len(llm.calls) == 2


def test_llm_errors_fall_back_and_a_dead_backend_is_not_asked_for_every_prompt(fallback):
    llm = FakeLLM([LLMError("connection refused")] * 100)
    labeller = LLMLabeller(llm, fallback, max_consecutive_failures=2)
    prompts = [PROMPT, "a castle", "a cat", "a car", ""]
    embeddings = HashEmbedder().embed(prompts)
    labels = labeller.label(prompts, embeddings=embeddings)
    assert [lab.label_source for lab in labels] == ["embedding"] * 5
    assert labels == fallback.label(prompts, embeddings=embeddings)
    assert len(llm.calls) == 4  # two prompts, each tried twice; then the backend counts as down
    labeller.label(["a dog", "a tree"])
    assert len(llm.calls) == 6  # a later call probes once with its first prompt


def test_the_backend_comes_back_after_a_successful_probe(fallback):
    llm = FakeLLM([LLMError("down")] * 2 + ['{"domain": "animal", "art_style": "other"}'] * 3)
    labeller = LLMLabeller(llm, fallback, max_consecutive_failures=1)
    assert labeller.label(["a dog", "a cat"])[0].label_source == "embedding"
    labels = labeller.label(["a dog", "a cat", "a cow"])
    assert [lab.label_source for lab in labels] == ["llm:fake"] * 3


def test_mixed_results_keep_prompt_order_and_stay_within_the_taxonomy(fallback):
    llm = FakeLLM(
        [
            '{"domain": "food", "art_style": "photorealistic"}',
            LLMError("timeout"),
            LLMError("timeout"),
            '{"domain": "landscape", "art_style": "oil painting"}',
        ]
    )
    prompts = ["a pizza, food photo", "a dragon", "a mountain lake, oil painting"]
    labels = LLMLabeller(llm, fallback).label(prompts)
    assert [lab.label_source for lab in labels] == ["llm:fake", "embedding", "llm:fake"]
    assert (labels[2].domain, labels[2].art_style) == ("landscape", "oil painting")
    for lab, prompt in zip(labels, prompts, strict=True):
        assert lab.domain in NAMES["domain"] and lab.art_style in NAMES["art_style"]
        assert lab.complexity_score == complexity_score(prompt)


# --- learned labeller (shipped weights; issue 19) ---------------------------------------------

from genai_analyzer.models.labels import learned  # noqa: E402
from genai_analyzer.models.labels.learned import CONFIDENCE_THRESHOLD, LearnedLabeller  # noqa: E402
from genai_analyzer.models.labels.taxonomy import UNCERTAIN  # noqa: E402


def _real_prompts(n: int) -> list[str]:
    from tests.conftest import shared_path

    rows = pd.read_parquet(shared_path("users_1k", "diffusiondb_sample_typed.parquet"), columns=["prompt"])
    prompts = [p for p in rows["prompt"].dropna().drop_duplicates() if p.strip()]
    return prompts[:n]


def test_the_shipped_weights_fit_the_taxonomy_and_the_features():
    w = learned._load_weights(str(learned.weights_path()))
    assert learned.weights_path().stat().st_size < 2_000_000  # a small file
    n_words = len(w["words_vocabulary"])
    assert 1_000 < n_words == len(w["words_idf"]) and float(w["words_weight"]) > 0
    n_features = 384 + learned.dense_extra(TAXONOMY) + n_words
    for field in FIELDS:
        classes = [str(c) for c in w[f"{field}_classes"]]
        # every taxonomy label the people used; never "uncertain", which is not a choice
        assert set(classes) <= {lab.name for lab in TAXONOMY.fields[field].labels}
        assert len(classes) >= (14 if field == "domain" else 12)
        assert w[f"{field}_coef"].shape == (len(classes), n_features)
        assert w[f"{field}_intercept"].shape == (len(classes),)
        assert w[f"{field}_coef"].dtype == np.float32
        assert 0.1 < float(w[f"{field}_temperature"]) < 10
    assert str(w["model"]) == "all-MiniLM-L6-v2"
    assert int(w["feature_version"]) == learned.FEATURE_VERSION


def test_the_word_features_are_scikit_learns_tf_idf_computed_with_numpy():
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [
        "A portrait of an old man, oil painting by Rembrandt",
        "portrait of a cat in a spacesuit, digital art, trending on artstation",
        "Ünïcode café déjà vu: cat cat cat",
        "a",
        "",
        "oil painting of a cat, 8k",
    ]
    fitted = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=learned.TOKEN.pattern)
    fitted.fit(docs)
    vocabulary = tuple(sorted(fitted.vocabulary_, key=fitted.vocabulary_.get))
    words = learned.WordFeatures(vocabulary, fitted.idf_, 3.0)
    expected = fitted.transform(docs).toarray() * 3.0
    assert np.allclose(words.matrix(docs), expected, atol=1e-6)
    coef = np.random.default_rng(0).normal(size=(4, len(vocabulary))).astype(np.float32)
    assert np.allclose(words.logits(docs, coef), expected @ coef.T, atol=1e-4)
    assert not words.matrix(["nothing known here"]).any()  # unseen words add nothing


@pytest.mark.slow
def test_the_learned_labeller_labels_real_prompts_with_calibrated_confidence(embedder):
    prompts = _real_prompts(200)
    vectors = embedder.embed(prompts)
    labeller = LearnedLabeller(embedder)
    labels = labeller.label(prompts, embeddings=vectors)
    assert len(labels) == len(prompts)
    probs = labeller.probabilities(prompts, embeddings=vectors)
    for field in FIELDS:
        assert np.allclose(probs[field].sum(axis=1), 1.0, atol=1e-4)
        values = [getattr(lab, field) for lab in labels]
        conf = np.array([getattr(lab, f"{field}_confidence") for lab in labels])
        assert ((conf >= 0) & (conf <= 1)).all()
        assert np.allclose(conf, probs[field].max(axis=1), atol=1e-3)  # the best guess's probability
        assert set(values) <= NAMES[field]  # taxonomy names, "uncertain" included
        # "uncertain" exactly where the confidence is below the threshold, a label everywhere else
        assert [v == UNCERTAIN for v in values] == list(conf < CONFIDENCE_THRESHOLD)
        assert len(set(values) - {UNCERTAIN}) >= 4  # real prompts are varied
    assert {lab.label_source for lab in labels} == {"embedding"}
    assert [lab.complexity_score for lab in labels] == [complexity_score(p) for p in prompts]
    # embedding here gives the same labels as precomputed vectors
    again = labeller.label(prompts[:10])
    assert [(a.domain, a.art_style) for a in again] == [(b.domain, b.art_style) for b in labels[:10]]
    with pytest.raises(LabelError, match="shape"):
        labeller.label(prompts[:3], embeddings=vectors[:2])


@pytest.mark.slow
def test_the_threshold_turns_low_confidence_into_uncertain(embedder, monkeypatch):
    prompts = _real_prompts(60)
    vectors = embedder.embed(prompts)
    labeller = LearnedLabeller(embedder)
    monkeypatch.setattr(learned, "CONFIDENCE_THRESHOLD", 1.01)
    assert {lab.domain for lab in labeller.label(prompts, embeddings=vectors)} == {UNCERTAIN}
    monkeypatch.setattr(learned, "CONFIDENCE_THRESHOLD", 0.0)
    labels = labeller.label(prompts, embeddings=vectors)
    assert UNCERTAIN not in {lab.domain for lab in labels} | {lab.art_style for lab in labels}


def test_the_default_labeller_is_the_learned_one_and_the_llm_falls_back_to_it(tmp_path):
    from genai_analyzer.models.labels.factory import make_labeller
    from tests.conftest import make_settings

    class Named:  # only the model name is read until the factory is called
        model_name = "all-MiniLM-L6-v2"

    key, factory = make_labeller(make_settings(tmp_path), Named())
    assert key.startswith("learned-")
    assert isinstance(factory(), LearnedLabeller)
    settings = make_settings(tmp_path, labeller="llm", llm_backend="openai", llm_model="m")
    key, factory = make_labeller(settings, Named())
    made = factory()
    assert isinstance(made, LLMLabeller) and isinstance(made.fallback, LearnedLabeller)
    assert "+learned-" in key
    Named.model_name = "some/other-model"  # the weights do not fit another model's vectors
    key, factory = make_labeller(make_settings(tmp_path), Named())
    assert key.startswith("embedding:") and isinstance(factory(), EmbeddingLabeller)


@pytest.mark.slow
def test_the_weights_are_reproducible_from_the_training_script(tmp_path):
    """scripts/train_labeller.py on a small subset of the training set: the same arrays twice, of
    the shape the shipped file has."""
    import sys

    from tests.conftest import shared_path

    shared_path("parts_000001-000005", "metadata.parquet")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import train_labeller
        from eval_labels import SHARED as SETS_SHARED
        from eval_labels import load_set
    finally:
        sys.path.pop(0)
    from genai_analyzer.models.labels.cues import StyleCueReader
    from genai_analyzer.models.labels.taxonomy import KeywordMatcher

    df = load_set("train", SETS_SHARED).iloc[:150].reset_index(drop=True)
    emb = learned.unit(Embedder().embed(df["prompt"].tolist()))
    prompts = df["prompt"].tolist()
    scans = [KeywordMatcher(TAXONOMY).scan(p) for p in prompts]
    x = learned.features(emb, prompts, scans, TAXONOMY, StyleCueReader())
    words = train_labeller.word_features(df["prompt"].tolist(), train_labeller.WORD_WEIGHT)
    x = np.hstack([x, words.matrix(df["prompt"].tolist())])
    train_labeller.DENSE[x.shape[1]] = x.shape[1] - len(words.vocabulary)
    settings = {"domain": (0.03, True), "art_style": (0.03, True)}
    first = train_labeller.train(x, df, settings, seed=7, words=words)
    second = train_labeller.train(x, df, settings, seed=7, words=words)
    assert first.keys() == second.keys()
    for key in first:
        assert np.array_equal(first[key], second[key]), key
    shipped = learned._load_weights(str(learned.weights_path()))
    dense = shipped["domain_coef"].shape[1] - len(shipped["words_vocabulary"])
    for field in FIELDS:
        assert first[f"{field}_coef"].shape[1] == dense + len(words.vocabulary)
        assert set(first[f"{field}_classes"]) == set(df[field])
    out = tmp_path / "w.npz"
    np.savez_compressed(out, **first)
    small = LearnedLabeller(weights=out)  # the file the script writes loads as a labeller
    labels = small.label(df["prompt"].tolist()[:5], embeddings=emb[:5])
    assert all(0 <= lab.domain_confidence <= 1 for lab in labels)


def test_the_sample_warehouse_carries_the_label_confidences(sample_warehouse):
    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse(sample_warehouse) as wh:
        dim = wh.query("SELECT domain, art_style, domain_confidence, art_style_confidence FROM dim_prompts")
        fact = wh.query(
            "SELECT count(*) AS n FROM fact_generations f JOIN dim_prompts p USING (prompt_id) "
            "WHERE f.domain_confidence IS DISTINCT FROM p.domain_confidence "
            "OR f.art_style_confidence IS DISTINCT FROM p.art_style_confidence"
        )
    assert len(dim) and fact["n"][0] == 0
    for field in FIELDS:
        conf = dim[f"{field}_confidence"]
        assert conf.notna().all() and conf.between(0, 1).all()
        assert ((dim[field] == UNCERTAIN) == (conf < CONFIDENCE_THRESHOLD)).all()
        assert set(dim[field]) <= NAMES[field]


def test_the_training_label_files_follow_their_keys_and_the_taxonomy():
    """Every training batch's label files, concatenated, follow its keys row for row with taxonomy
    names only (never "uncertain"), and no training prompt is in the evaluation set (keys only:
    the evaluation labels are not read here)."""
    sets = ROOT / "tests" / "data" / "label_sets"
    batches = {
        "train": ["train_labels_a.csv", "train_labels_b.csv"],
        "train2": ["train2_labels_c.csv", "train2_labels_d.csv"],
        "train3": ["train3_labels_e.csv", "train3_labels_f.csv", "train3_labels_g.csv"],
    }
    evaluation = set(map(tuple, pd.read_csv(sets / "eval_keys.csv", dtype=str).to_numpy()))
    seen: set[tuple[str, str]] = set()
    for name, files in batches.items():
        keys = pd.read_csv(sets / f"{name}_keys.csv", dtype=str)
        labels = pd.concat(
            [pd.read_csv(sets / f, dtype=str, keep_default_na=False) for f in files], ignore_index=True
        )
        assert list(labels.columns) == ["source", "key", "domain", "domain2", "art_style", "clear"]
        assert labels[["source", "key"]].equals(keys[["source", "key"]]), name
        assert set(labels["domain"]) <= NAMES["domain"] - {UNCERTAIN}, name
        assert set(labels["domain2"]) <= (NAMES["domain"] - {UNCERTAIN}) | {""}, name
        assert set(labels["art_style"]) <= NAMES["art_style"] - {UNCERTAIN}, name
        assert set(labels["clear"]) <= {"yes", "no"}, name
        pairs = set(zip(keys["source"], keys["key"], strict=True))
        assert len(pairs) == len(keys) and not pairs & evaluation and not pairs & seen, name
        seen |= pairs
    assert len(seen) == 4629
