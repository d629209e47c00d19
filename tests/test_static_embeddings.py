"""The static embedding backend: a static model made offline from the bundled MiniLM, for real.

The models here are small (the word pieces the corpus uses, a few hundred fitted texts, twenty
epochs) so that making one takes seconds; the benchmark makes the full one
(scripts/bench_static_embeddings.py).
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np
import pytest

from genai_analyzer.core.errors import SettingsError
from genai_analyzer.core.settings import Settings
from genai_analyzer.models import static_embeddings as static
from genai_analyzer.models.embeddings import (
    DEFAULT_MODEL,
    Embedder,
    EmbeddingError,
    embedder_from_settings,
    embedding_tier,
    split_key,
    static_model_from,
)
from genai_analyzer.models.static_embeddings import StaticModel, StaticRecipe, static_dir
from tests.conftest import make_settings, shared_path

pytestmark = pytest.mark.slow  # the real MiniLM distils and teaches the static model

SMALL = StaticRecipe(vocab_size=2_000, sample_size=300, fragments=1, mixes=300, epochs=20, all_pieces=False)
CAT, CAT_PARAPHRASE = "a cute kitten sleeping on a sofa", "a small cat napping on a couch"
UNRELATED = "a spaceship flying over a desert city at night"


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Nothing here may reach the network: the bundled model loads from its package."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    path = shared_path("parts_000001-000005", "metadata.parquet")
    rows = duckdb.sql(
        f"SELECT DISTINCT prompt FROM read_parquet('{path}') WHERE length(trim(prompt)) > 0 "
        "ORDER BY md5(prompt) LIMIT 600"
    ).fetchall()
    return [r[0] for r in rows] + [CAT, CAT_PARAPHRASE, UNRELATED]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def made(cache, corpus):
    """(Embedder of the static backend with its model made from ``corpus``, seconds it took)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(static, "DEFAULT_RECIPE", SMALL)
        embedder = Embedder(DEFAULT_MODEL, backend="static", cache_dir=cache)
        embedder.make_static(corpus)
    return embedder


def test_the_static_model_is_made_from_the_bundled_minilm_with_the_corpus_words(made, cache, corpus):
    folder = static_dir(cache, DEFAULT_MODEL, made.static_digest)
    assert {p.name for p in folder.iterdir()} == {"tokenizer.json", "vectors.npy", "head.npz", "static.json"}
    meta = made.static.meta
    assert meta["teacher"] == DEFAULT_MODEL and meta["digest"] == made.static_digest
    assert meta["corpus_words"] > 0 and meta["fitted_texts"] >= 300
    assert set(meta["timings"]) >= {"distil_s", "teacher_s", "fit_s", "total_s"}
    # corpus words that MiniLM splits into pieces are whole tokens of the static tokenizer
    added = [w for w in ("rutkowski", "artstation") if w in made.static.tokenizer.get_vocab()]
    assert added, "the corpus's frequent artist and site names were not added as tokens"
    assert all(len(made.static.token_ids([w])[0]) == 1 for w in added)


def test_the_vocabulary_read_by_one_expression_is_the_tokenizers_own_words():
    """The corpus words counted in one pass over the ASCII prompts (fast at a million prompts) are
    the words MiniLM's tokenizer sees, text by text: every real prompt of ../shared, and texts the
    fast pass leaves to the tokenizer (accents, CJK, a control character)."""
    from collections import Counter
    from pathlib import Path

    from genai_analyzer.models.embeddings import resolve_model

    texts = []
    for part in ("parts_000001-000005/metadata.parquet", "users_1k/diffusiondb_sample_typed.parquet"):
        path = shared_path(*part.split("/"))
        texts += [r[0] for r in duckdb.sql(f"SELECT DISTINCT prompt FROM read_parquet('{path}')").fetchall()]
    texts += [
        "Café crème brûlée, ÀNGEL über",
        "東京 at night, 東京 tower",
        "ctrl\x00char ctrl\x00char",
        "a_b a_b",
    ]
    texts += ["tab\tseparated\nlines, don't stop!! (8k, f/1.8)"] * 2
    tokenizer = static.teacher_tokenizer(Path(resolve_model(DEFAULT_MODEL)))
    counts = Counter(w for t in texts for w in static.words_of(tokenizer, t) if w.isalnum())
    known = tokenizer.get_vocab()
    want = [
        w for w, n in sorted(counts.items(), key=lambda i: (-i[1], i[0])) if w not in known and len(w) > 1
    ]
    assert len(want) > 1000
    assert static.corpus_vocabulary(tokenizer, texts, size=10**6, min_count=1) == want
    assert (
        static.corpus_vocabulary(tokenizer, texts, size=300, min_count=2)
        == [w for w in want if counts[w] >= 2][:300]
    )
    odd = static.corpus_vocabulary(tokenizer, texts[-6:], size=100, min_count=1)
    assert {"brulee", "ctrlchar"} <= set(odd)  # accents stripped, the \x00 removed


def test_the_model_is_made_once_per_corpus_and_found_again(made, cache, corpus):
    folder = static_dir(cache, DEFAULT_MODEL, made.static_digest)
    written = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert static_model_from(DEFAULT_MODEL, corpus, cache, recipe=SMALL, teacher_embed=_no_teacher) == folder
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == written
    assert not [p for p in folder.parent.iterdir() if ".tmp-" in p.name]
    other = static.static_digest(DEFAULT_MODEL, SMALL, corpus[:-1], corpus[:-1])
    assert other != made.static_digest  # another corpus, another model


def _no_teacher(texts):
    raise AssertionError("a cached static model was made again")


def test_vectors_have_minilm_dimension_and_unit_length(made, corpus):
    vectors = made.embed(corpus[:50])
    assert vectors.shape == (50, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert made.dim == 384
    np.testing.assert_array_equal(made.embed(["", "a cat"])[0], np.zeros(384, dtype=np.float32))


def _by_hand(model: StaticModel, text: str) -> np.ndarray:
    """A text's vector computed one token at a time in float64, then the network in torch."""
    import torch

    total = np.zeros(model.dim, dtype=np.float64)
    for token in model.token_ids([text])[0]:  # a token said twice counted twice
        total += model.vectors[token]
    norm = np.linalg.norm(total)
    if not norm:
        return total
    x = torch.from_numpy(total / norm)
    h = model.head
    w1, b1, w2, b2 = (torch.from_numpy(h[k].astype(np.float64)) for k in ("w1", "b1", "w2", "b2"))
    y = (x + torch.nn.functional.gelu(x @ w1 + b1, approximate="tanh") @ w2 + b2).numpy()
    return y / np.linalg.norm(y)


def test_a_texts_vector_is_the_network_of_the_normalized_sum_of_its_token_vectors(made, corpus):
    # the sum is a sparse product in the model and the network runs in numpy, batch by batch; here
    # each text's token vectors are added one by one and the network runs in torch, as trained
    model = made.static
    assert model.head is not None and model.head["w1"].shape == (model.dim, SMALL.hidden)
    texts = [*corpus[:200], "cat cat cat", "", "a cat, a cat and a dog"]
    got = model.encode(texts, batch_size=64)
    for text, vector in zip(texts, got, strict=True):
        np.testing.assert_allclose(vector, _by_hand(model, text), atol=1e-5)
    # the network was trained: it moves the vectors away from the plain normalized sum
    plain = StaticModel(model.tokenizer, model.vectors).encode(texts[:200])
    assert np.mean(np.sum(plain * got[:200], axis=1)) < 0.999


def test_without_the_network_a_texts_vector_is_the_normalized_sum(cache, corpus):
    folder = static_model_from(DEFAULT_MODEL, corpus, cache, recipe=replace(SMALL, hidden=0, epochs=2))
    model = StaticModel.load(folder)
    assert model.head is None and not (folder / "head.npz").exists()
    for text, got in zip(corpus[:50], model.encode(corpus[:50]), strict=True):
        total = np.sum([model.vectors[t] for t in model.token_ids([text])[0]], axis=0, dtype=np.float64)
        np.testing.assert_allclose(got, total / np.linalg.norm(total), atol=1e-6)


def test_a_paraphrase_ranks_above_an_unrelated_prompt(made):
    cat, paraphrase, unrelated = made.embed([CAT, CAT_PARAPHRASE, UNRELATED])
    assert cat @ paraphrase > cat @ unrelated + 0.1


def test_fitting_brings_the_vectors_of_unseen_prompts_closer_to_minilm(made, cache, corpus):
    fitted_on = set(static.sample_of(corpus, SMALL.sample_size))
    held_out = [t for t in corpus if t not in fitted_on][:150]
    minilm = Embedder(DEFAULT_MODEL, backend="onnx", cache_dir=cache).embed(held_out)
    distilled = StaticModel.load(
        static_model_from(DEFAULT_MODEL, corpus, cache, recipe=replace(SMALL, epochs=0))
    )
    cos_fitted = np.sum(made.embed(held_out) * minilm, axis=1).mean()
    cos_distilled = np.sum(distilled.encode(held_out) * minilm, axis=1).mean()
    assert cos_fitted > cos_distilled + 0.05, (cos_fitted, cos_distilled)


def test_the_key_names_the_static_model_and_an_embedder_of_the_key_gives_the_same_vectors(made, cache):
    key = made.model_name
    assert key == f"{DEFAULT_MODEL}@static-{made.static_digest}"
    assert split_key(key) == (DEFAULT_MODEL, "static")
    assert embedding_tier(key) == "static" and embedding_tier(DEFAULT_MODEL) == "full"
    settings = Settings.from_env(environ={}, model_cache=str(cache))  # the configured backend is onnx
    again = embedder_from_settings(settings, key)
    assert again.backend == "static" and again.model_name == key
    np.testing.assert_allclose(again.embed([CAT]), made.embed([CAT]), atol=1e-6)


def test_a_key_whose_static_model_is_not_in_the_cache_is_an_actionable_error(tmp_path):
    embedder = Embedder(f"{DEFAULT_MODEL}@static-0123456789ab", cache_dir=tmp_path)
    with pytest.raises(EmbeddingError, match="not in the model cache"):
        embedder.embed(["a cat"])


def test_the_backend_is_chosen_through_the_settings(tmp_path):
    settings = Settings.from_env(
        environ={"GENAI_EMBEDDING_BACKEND": "static", "GENAI_MODEL_CACHE": str(tmp_path)}
    )
    embedder = embedder_from_settings(settings)
    assert embedder.backend == "static" and embedder.model_name.endswith("@static-unmade")
    with pytest.raises(EmbeddingError, match="made from the corpus first"):
        embedder.embed(["a cat"])
    assert Settings.from_env(environ={}).embedding_backend == "onnx"  # the default is unchanged
    with pytest.raises(SettingsError, match="static"):
        Settings.from_env(environ={"GENAI_EMBEDDING_BACKEND": "statik"})


def test_a_build_with_the_static_backend_records_the_tier_and_searches(tmp_path, monkeypatch, cache):
    from genai_analyzer.analysis.search import search
    from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
    from genai_analyzer.warehouse.reader import Warehouse

    path = shared_path("users_1k", "diffusiondb_sample_typed.parquet")
    monkeypatch.setattr(static, "DEFAULT_RECIPE", SMALL)
    monkeypatch.setenv("GENAI_MODEL_CACHE", str(cache))  # search embeds its queries from this cache
    settings = make_settings(tmp_path, embedding_backend="static", model_cache=str(cache))
    summary = build_warehouse(
        settings, BuildRequest(source="diffusiondb", path=path, enrich=("embeddings",)), progress=False
    )
    key = summary.enrichment["embeddings"]["model"]
    assert key.startswith(f"{DEFAULT_MODEL}@static-") and summary.enrichment["embeddings"]["dim"] == 384
    with Warehouse(settings.db_path) as wh:
        tiers = wh.query("SELECT DISTINCT embedding_model FROM dim_prompts WHERE text_embedding IS NOT NULL")
        assert tiers["embedding_model"].tolist() == [key]
        assert len(search(wh, "a portrait of a woman", mode="semantic", limit=5)) == 5
