"""Embedding backends (PyTorch, ONNX Runtime fp32 and int8) and resuming an interrupted embedding step.

The ONNX export of the offline model runs for real, once for this module, into a temporary cache.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from genai_analyzer.core.errors import BuildError, SettingsError
from genai_analyzer.core.settings import Settings
from genai_analyzer.models.embeddings import (
    DEFAULT_MODEL,
    Embedder,
    EmbeddingError,
    export_dir,
    export_onnx,
    model_key,
    split_key,
)
from genai_analyzer.pipeline import enrich as steps
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from tests.conftest import make_settings, shared_path

pytestmark = pytest.mark.slow  # the real model, exported to ONNX and quantized


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory):
    cache = tmp_path_factory.mktemp("models")
    export_onnx(DEFAULT_MODEL, cache)
    return cache


@pytest.fixture(scope="module")
def real_prompts() -> list[str]:
    path = shared_path("parts_000001-000005", "metadata.parquet")
    rows = duckdb.sql(
        f"SELECT DISTINCT prompt FROM read_parquet('{path}') WHERE length(trim(prompt)) > 0 "
        "ORDER BY md5(prompt) LIMIT 300"
    ).fetchall()
    return [r[0] for r in rows]


@pytest.fixture(scope="module")
def torch_vectors(real_prompts) -> np.ndarray:
    return Embedder(backend="torch").embed(real_prompts)


def test_the_export_writes_fp32_and_int8_graphs_once(model_cache):
    folder = export_dir(DEFAULT_MODEL, model_cache)
    written = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert {"model.onnx", "model-int8.onnx", "export.json", "tokenizer.json"} <= set(written)
    # int8 weights: about a quarter of the fp32 file
    assert (folder / "model-int8.onnx").stat().st_size < 0.35 * (folder / "model.onnx").stat().st_size
    assert export_onnx(DEFAULT_MODEL, model_cache) == folder
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == written  # not exported again
    assert not [p for p in folder.parent.iterdir() if ".tmp-" in p.name]


def test_onnx_fp32_gives_the_torch_vectors_on_real_prompts(model_cache, real_prompts, torch_vectors):
    vectors = Embedder(backend="onnx", cache_dir=model_cache).embed(real_prompts)
    assert vectors.shape == torch_vectors.shape == (len(real_prompts), 384)
    assert np.sum(vectors * torch_vectors, axis=1).min() > 0.9999


def test_onnx_int8_vectors_stay_within_cosine_0_99_of_torch(model_cache, real_prompts, torch_vectors):
    vectors = Embedder(backend="onnx-int8", cache_dir=model_cache).embed(real_prompts)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    cosine = np.sum(vectors * torch_vectors, axis=1)
    assert cosine.mean() >= 0.99
    assert cosine.min() >= 0.97


def test_vectors_come_back_in_input_order_whatever_the_lengths(model_cache):
    texts = ["a very long prompt about a castle on a hill at dawn, oil painting, detailed", "a cat", "fox"]
    fp32 = Embedder(backend="onnx", cache_dir=model_cache)
    together = fp32.embed(texts, batch_size=2)
    one_by_one = np.vstack([fp32.embed([t]) for t in texts])
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)
    # int8 activations are quantized per batch, so a text's vector moves a little with its batch
    # mates; each must still be its own text's (other texts' vectors are far below 0.98)
    int8 = Embedder(backend="onnx-int8", cache_dir=model_cache)
    cosine = np.sum(int8.embed(texts, batch_size=2) * one_by_one, axis=1)
    assert cosine.min() > 0.98


def test_batches_run_side_by_side_give_the_vectors_of_one_worker(model_cache, real_prompts):
    one = Embedder(backend="onnx", cache_dir=model_cache, threads=1).embed(real_prompts[:100])
    two = Embedder(backend="onnx", cache_dir=model_cache, threads=2).embed(real_prompts[:100])
    np.testing.assert_allclose(one, two, atol=1e-6)


def test_queries_are_embedded_the_way_the_stored_vectors_were(tmp_path):
    from genai_analyzer.models.embeddings import embedder_from_settings

    int8 = Settings.from_env(environ={"GENAI_EMBEDDING_BACKEND": "onnx-int8"})
    torch_settings = Settings.from_env(environ={"GENAI_EMBEDDING_BACKEND": "torch"})
    # int8 configured, fp32 vectors stored: queries in fp32 on ONNX Runtime
    assert embedder_from_settings(int8, DEFAULT_MODEL).backend == "onnx"
    assert embedder_from_settings(torch_settings, DEFAULT_MODEL).backend == "torch"
    # int8 vectors stored: queries in int8, whatever is configured now
    stored = embedder_from_settings(torch_settings, f"{DEFAULT_MODEL}@onnx-int8")
    assert (stored.backend, stored.model_name) == ("onnx-int8", f"{DEFAULT_MODEL}@onnx-int8")
    # the build's own embedder follows the settings
    assert embedder_from_settings(int8).model_name == f"{DEFAULT_MODEL}@onnx-int8"
    assert Settings.from_env(environ={}).embedding_backend == "onnx"


def test_int8_vectors_are_stored_under_their_own_key_and_fp32_ones_share_one():
    assert model_key(DEFAULT_MODEL, "torch") == model_key(DEFAULT_MODEL, "onnx") == DEFAULT_MODEL
    assert model_key(DEFAULT_MODEL, "onnx-int8") == f"{DEFAULT_MODEL}@onnx-int8"
    assert split_key(f"{DEFAULT_MODEL}@onnx-int8") == (DEFAULT_MODEL, "onnx-int8")
    assert split_key("org/model@v2") == ("org/model@v2", None)
    # a stored key is enough to embed queries the way the warehouse's prompts were
    embedder = Embedder(f"{DEFAULT_MODEL}@onnx-int8")
    assert (embedder.backend, embedder.model_name) == ("onnx-int8", f"{DEFAULT_MODEL}@onnx-int8")


def test_an_unknown_backend_is_refused_with_the_choices():
    with pytest.raises(SettingsError, match=r"GENAI_EMBEDDING_BACKEND='tensorrt'.*torch, onnx, onnx-int8"):
        Settings.from_env(environ={"GENAI_EMBEDDING_BACKEND": "tensorrt"})
    with pytest.raises(SettingsError, match="torch, onnx, onnx-int8"):
        Embedder(backend="int4")
    with pytest.raises(EmbeddingError, match="names backend 'onnx-int8'"):
        Embedder(f"{DEFAULT_MODEL}@onnx-int8", backend="torch")
    assert Settings.from_env(environ={"GENAI_EMBEDDING_BACKEND": "torch"}).embedding_backend == "torch"


def test_the_model_cache_setting_chooses_where_exports_go(tmp_path):
    settings = Settings.from_env(environ={"GENAI_MODEL_CACHE": str(tmp_path / "models")})
    assert settings.model_cache_dir == tmp_path / "models"
    assert Settings.from_env(environ={}).model_cache_dir.name == "genai-analyzer"


# --- resume ------------------------------------------------------------------------------------


class Interrupted(Exception):
    pass


class CountingEmbedder(Embedder):
    """The real ONNX int8 embedder, counting its batches; raises ``error`` after ``stop_after``."""

    def __init__(self, cache_dir, *, stop_after: int | None = None, error: BaseException | None = None):
        super().__init__(backend="onnx-int8", cache_dir=cache_dir)
        self.stop_after, self.error = stop_after, error
        self.batches = 0
        self.texts: list[str] = []
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts, *, batch_size=None, progress=False):
        if self.stop_after is not None and self.batches >= self.stop_after:
            raise self.error
        self.batches += 1
        self.texts.extend(texts)
        vectors = super().embed(texts, batch_size=batch_size, progress=progress)
        self.vectors.update(zip(texts, vectors, strict=True))
        return vectors


def _build(settings, embedder, monkeypatch):
    monkeypatch.setattr("genai_analyzer.models.embeddings.Embedder", lambda *a, **k: embedder)
    path = shared_path("users_1k", "diffusiondb_sample_typed.parquet")
    return build_warehouse(
        settings, BuildRequest(source="diffusiondb", path=path, enrich=("embeddings",)), progress=False
    )


def test_an_interrupted_embedding_step_resumes_without_redoing_finished_batches(
    tmp_path, model_cache, monkeypatch
):
    monkeypatch.setattr(steps, "BATCH", 100)
    settings = make_settings(tmp_path)
    key = f"{DEFAULT_MODEL}@onnx-int8"
    cache = steps.embedding_cache_dir(settings.db_path, key)

    first = CountingEmbedder(model_cache, stop_after=3, error=KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        _build(settings, first, monkeypatch)
    assert not settings.db_path.exists()  # nothing published, the building file removed
    assert len(list(cache.glob("*.parquet"))) == 3

    second = CountingEmbedder(model_cache, stop_after=2, error=EmbeddingError("the disk went away"))
    with pytest.raises(BuildError, match="embeddings"):
        _build(settings, second, monkeypatch)
    assert len(list(cache.glob("*.parquet"))) == 5

    third = CountingEmbedder(model_cache)
    summary = _build(settings, third, monkeypatch)
    done = summary.enrichment["embeddings"]
    distinct = done["done"] + done["skipped"]
    assert done["skipped"] == 500 and done["model"] == key
    assert len(third.texts) == distinct - 500  # only the unfinished batches were embedded
    assert len(set(first.texts) | set(second.texts) | set(third.texts)) == distinct
    assert not set(first.texts) & set(second.texts) and not set(second.texts) & set(third.texts)
    assert not cache.parent.exists()  # published: the cache is gone

    con = duckdb.connect(str(settings.db_path), read_only=True)
    try:
        stored = con.execute(
            "SELECT prompt, text_embedding FROM dim_prompts WHERE text_embedding IS NOT NULL"
        ).fetchall()
    finally:
        con.close()
    assert len(stored) == distinct
    # vectors that came from the cache are exactly the ones the interrupted runs made
    for text, vector in stored:
        made = first.vectors.get(text, second.vectors.get(text, third.vectors.get(text)))
        np.testing.assert_array_equal(np.asarray(vector, dtype=np.float32), made)


def test_a_corrupt_cached_batch_is_skipped_and_embedded_again(tmp_path, model_cache, monkeypatch):
    monkeypatch.setattr(steps, "BATCH", 400)
    settings = make_settings(tmp_path)
    cache = steps.embedding_cache_dir(settings.db_path, f"{DEFAULT_MODEL}@onnx-int8")
    with pytest.raises(KeyboardInterrupt):
        _build(settings, CountingEmbedder(model_cache, stop_after=1, error=KeyboardInterrupt()), monkeypatch)
    (cache / "batch-0-garbage.parquet").write_bytes(b"not parquet")
    resumed = CountingEmbedder(model_cache)
    summary = _build(settings, resumed, monkeypatch)
    assert summary.enrichment["embeddings"]["skipped"] == 400
    assert len(resumed.texts) == summary.enrichment["embeddings"]["done"]


# --- the benchmark script ----------------------------------------------------------------------


def test_the_benchmark_script_compares_the_backends_on_real_prompts(model_cache, capsys):
    from scripts.bench_embeddings import main

    data = shared_path()
    result = main(
        ["--data", str(data), "--limit", "60", "--queries", "5", "--rounds", "1", "--cache", str(model_cache)]
    )
    assert [r["backend"] for r in result["rows"]] == ["torch", "onnx", "onnx-int8"]
    torch_row, onnx_row, int8_row = result["rows"]
    assert torch_row["cos_min"] > 0.9999 and torch_row["same_top10"] == 1.0
    assert onnx_row["cos_min"] > 0.9999
    assert int8_row["cos_mean"] > 0.98
    out = capsys.readouterr().out
    assert "| onnx-int8 |" in out and "loadavg before" in out
