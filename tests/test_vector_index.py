"""The prompt vector index beside the warehouse (warehouse/vector_index.py): an exact int8 scan,
re-ranked in float32, that replaces DuckDB's HNSW index for search by meaning.

The index is checked against exact search done another way: numpy on random vectors, and DuckDB's
own full scan (``vector_search.semantic_sql`` without an index) on the sample warehouse, whose
build makes the index and no prompt HNSW index.
"""

from __future__ import annotations

import json
import shutil
import sys

import numpy as np
import pytest

from genai_analyzer.analysis import vector_search
from genai_analyzer.analysis.search import Filters, search
from genai_analyzer.analysis.vector_search import backend_line, semantic_sql, vector_choice, vector_ranks
from genai_analyzer.core.contract import HNSW_INDEX, vector_index_root
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse, enrich_warehouse
from genai_analyzer.warehouse.reader import Warehouse
from genai_analyzer.warehouse.vector_index import MANIFEST, VectorIndex
from tests.conftest import make_settings

pytest.importorskip("numkong")


def _exact(ids: list[str], vectors: np.ndarray, q: np.ndarray, k: int) -> list[tuple[str, float]]:
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit @ (q / np.linalg.norm(q))
    order = sorted(range(len(ids)), key=lambda i: (-sims[i], ids[i]))[:k]
    return [(ids[i], float(sims[i])) for i in order]


def _same(got: list[tuple[str, float]], want: list[tuple[str, float]]) -> None:
    """The same prompts in the same order, with the same similarities (float32 precision)."""
    assert [g[0] for g in got] == [w[0] for w in want]
    assert [g[1] for g in got] == pytest.approx([w[1] for w in want], abs=1e-5)


@pytest.fixture(scope="module")
def clustered():
    """2,000 vectors in 40 tight clusters (near-duplicates, where graphs lose recall) and 20 queries."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(40, 64)).astype(np.float32)
    vectors = centres[rng.integers(0, 40, 2000)] + 0.05 * rng.normal(size=(2000, 64)).astype(np.float32)
    ids = [f"p{i:05d}" for i in rng.permutation(2000)]  # not in row order
    queries = centres[:20] + 0.05 * rng.normal(size=(20, 64)).astype(np.float32)
    return ids, vectors, queries


@pytest.mark.parametrize("k", [1, 10, 240])
def test_the_index_returns_the_exact_nearest_prompts_with_their_cosine(clustered, k):
    ids, vectors, queries = clustered
    index = VectorIndex.from_vectors(ids, vectors)
    for q in queries:
        _same(index.ranks(q, k), _exact(ids, vectors, q, k))


def test_the_scan_split_across_threads_and_usearchs_scan_find_the_same_prompts():
    """Past 20,000 rows the codes are scanned in one slice per thread (the default kernel,
    numkong); usearch's exact search, the benchmark's baseline, scans them whole. Both return
    numpy's exact answer, also where the best rows straddle the slices' border."""
    rng = np.random.default_rng(11)
    vectors = rng.normal(size=(30_000, 48)).astype(np.float32)
    vectors[14_990:15_010] = vectors[0] + 0.01 * rng.normal(size=(20, 48)).astype(np.float32)
    ids = [f"p{i:05d}" for i in range(30_000)]
    index = VectorIndex.from_vectors(ids, vectors, threads=3)
    assert index.kernel == "numkong" and index._pool is not None
    baseline = index.with_kernel("usearch")
    for q in [vectors[0], *rng.normal(size=(4, 48)).astype(np.float32)]:
        want = _exact(ids, vectors, q, 30)
        _same(index.ranks(q, 30), want)
        _same(baseline.ranks(q, 30), want)
    with pytest.raises(ValueError, match="numkong, usearch"):
        index.with_kernel("faiss")


def test_ties_are_broken_by_prompt_id_and_edge_cases_are_answered(clustered):
    ids, vectors, _ = clustered
    same = np.tile(vectors[:1], (5, 1))  # five copies: one similarity, ordered by id
    index = VectorIndex.from_vectors(["e", "c", "a", "d", "b"], same)
    assert [pid for pid, _ in index.ranks(vectors[0], 5)] == ["a", "b", "c", "d", "e"]
    assert len(index.ranks(vectors[0], 50)) == 5  # deeper than the index: all of it
    assert index.ranks(vectors[0], 0) == []
    assert index.ranks(np.zeros(64, dtype=np.float32), 3) == []  # no direction: nothing is near
    with pytest.raises(ValueError, match="64"):
        index.ranks(np.ones(32, dtype=np.float32), 3)


# --- on a built warehouse --------------------------------------------------------------------


def _full_scan(wh: Warehouse, q, depth: int) -> list[tuple[str, float]]:
    """DuckDB's exact answer: the semantic statement on a warehouse without a prompt HNSW index."""
    rows = wh.rows(semantic_sql(384, depth), {"q": np.asarray(q, dtype=np.float32)})
    return sorted(rows, key=lambda r: (-round(r[1], 6), r[0]))


def test_the_build_makes_the_index_beside_the_warehouse_instead_of_an_hnsw_index(sample_warehouse):
    with Warehouse(sample_warehouse) as wh:
        info = wh.build_info()
        assert info["indexes"]["vectors"] is True and info["indexes"]["hnsw"] is False
        assert (
            wh.scalar("SELECT count(*) FROM duckdb_indexes() WHERE index_name = $i", {"i": HNSW_INDEX}) == 0
        )
        key = info["vector_index"]["key"]
        folder = vector_index_root(sample_warehouse) / key
        manifest = json.loads((folder / MANIFEST).read_text())
        assert manifest["prompts"] == wh.scalar("SELECT count(text_embedding) FROM dim_prompts") > 0
        assert manifest["model"] == info["enrichment"]["embeddings"]["model"]
        assert [p.name for p in vector_index_root(sample_warehouse).iterdir()] == [key]
        choice = vector_choice(wh)
        assert choice.name == "exact-i8" and len(choice.index) == manifest["prompts"]
        assert backend_line(wh).startswith("Meaning ranked by an exact scan of")


def test_search_by_meaning_equals_duckdbs_exact_scan(sample_warehouse):
    with Warehouse(sample_warehouse) as wh:
        vectors = wh.query("SELECT prompt_id, text_embedding FROM dim_prompts ORDER BY prompt_id LIMIT 12")
        for vector in vectors["text_embedding"]:
            q = np.asarray(vector, dtype=np.float32) + 0.01
            _same(vector_ranks(wh, q, 30, 384), _full_scan(wh, q, 30))


def test_a_warehouse_without_its_index_searches_with_duckdb_and_says_why(sample_warehouse, tmp_path):
    # A byte copy of the file alone (its index folder not copied beside it): the same results from
    # DuckDB's full scan, and the reason in the backend line.
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(sample_warehouse, copy)
    with Warehouse(sample_warehouse) as original, Warehouse(copy) as alone:
        assert vector_choice(alone).name == "duckdb"
        assert "is not beside the warehouse" in backend_line(alone)
        for query in ("a castle", "portrait of a cat"):
            vector = np.asarray(
                original.scalar("SELECT text_embedding FROM dim_prompts ORDER BY prompt_id LIMIT 1"),
                np.float32,
            )
            fixed = _Fixed(vector + len(query) * 0.001)
            for filters in (Filters(), Filters(tiers=("pro",))):
                a = search(original, query, mode="semantic", filters=filters, embedder=fixed)
                b = search(alone, query, mode="semantic", filters=filters, embedder=fixed)
                assert list(a["generation_id"]) == list(b["generation_id"])
                assert list(a["score"]) == pytest.approx(list(b["score"]), abs=1e-5)


def test_an_index_of_other_vectors_is_never_read(sample_warehouse, tmp_path):
    # The copy's build_info names its key; a folder under another name (another build's) is not used.
    copy = tmp_path / "other.duckdb"
    shutil.copyfile(sample_warehouse, copy)
    with Warehouse(sample_warehouse) as wh:
        key = wh.build_info()["vector_index"]["key"]
    shutil.copytree(vector_index_root(sample_warehouse) / key, vector_index_root(copy) / "0123456789abcdef")
    with Warehouse(copy) as other:
        assert vector_choice(other).name == "duckdb"
    shutil.copytree(vector_index_root(sample_warehouse) / key, vector_index_root(copy) / key)
    with Warehouse(copy) as same:
        assert vector_choice(same).name == "exact-i8"


def test_a_damaged_index_is_not_read_and_search_says_why(sample_warehouse, tmp_path):
    from genai_analyzer.warehouse.vector_index import CODES_FILE

    copy = tmp_path / "damaged.duckdb"
    shutil.copyfile(sample_warehouse, copy)
    shutil.copytree(vector_index_root(sample_warehouse), vector_index_root(copy))
    with Warehouse(copy) as wh:
        codes = vector_index_root(copy) / wh.build_info()["vector_index"]["key"] / CODES_FILE
        codes.write_bytes(codes.read_bytes()[:1000])  # cut short, as by a full disk
        assert vector_choice(wh).name == "duckdb"
        assert "cannot be read" in backend_line(wh)
        assert not search(wh, "a castle", mode="semantic").empty


def test_without_numkong_the_build_makes_the_hnsw_index_and_search_uses_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "numkong", None)  # import numkong raises ImportError
    settings = make_settings(tmp_path)
    summary = build_warehouse(settings, BuildRequest(source="sample", enrich=("embeddings",)), progress=False)
    assert summary.indexes["vectors"] is False and summary.indexes["hnsw"] is True
    assert not vector_index_root(settings.db_path).exists()
    with Warehouse(settings.db_path) as wh:
        plan = wh.query(f"EXPLAIN {semantic_sql(384, 240)}", {"q": [0.05] * 384}).iloc[0, 1]
        assert "HNSW_INDEX_SCAN" in plan
        assert vector_choice(wh).name == "duckdb"
        assert not search(wh, "a castle", mode="semantic").empty


def _prompts_table(vectors: np.ndarray):
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE dim_prompts (prompt_id VARCHAR, text_embedding FLOAT[{vectors.shape[1]}])")
    rows = [(f"p{i}", v.tolist()) for i, v in enumerate(vectors)]
    if rows:
        con.executemany("INSERT INTO dim_prompts VALUES (?, ?)", rows)
    return con


def test_the_key_follows_the_vectors_and_a_build_removes_other_keys(tmp_path, monkeypatch):
    from genai_analyzer.warehouse.vector_index import build_vector_index, prune_vector_indexes

    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    warehouse = tmp_path / "w.duckdb"
    first = build_vector_index(_prompts_table(vectors), warehouse, "model-a")
    again = build_vector_index(_prompts_table(vectors), warehouse, "model-a")
    assert again["key"] == first["key"] and again["reused"] and not first["reused"]
    monkeypatch.setattr("genai_analyzer.warehouse.vector_index.CHUNK", 7)  # read in other batches
    assert build_vector_index(_prompts_table(vectors), warehouse, "model-a")["key"] == first["key"]
    moved = vectors.copy()
    moved[17, 3] += 0.1  # one coordinate of one prompt
    other = build_vector_index(_prompts_table(moved), warehouse, "model-a")
    renamed = build_vector_index(_prompts_table(vectors), warehouse, "model-b")
    assert len({first["key"], other["key"], renamed["key"]}) == 3
    (vector_index_root(warehouse) / ".partial-99").mkdir()  # an interrupted build's leftover
    removed = prune_vector_indexes(warehouse, keep=other["key"])
    assert sorted(removed) == sorted([".partial-99", first["key"], renamed["key"]])
    assert [p.name for p in vector_index_root(warehouse).iterdir()] == [other["key"]]
    index = VectorIndex.load(vector_index_root(warehouse) / other["key"])
    ids = [f"p{i}" for i in range(300)]
    _same(index.ranks(moved[17], 5), _exact(ids, moved, moved[17], 5))
    assert build_vector_index(_prompts_table(vectors[:0]), warehouse, "m") is None  # no vectors


def test_enrich_rebuilds_the_index_of_the_published_copy(tmp_path):
    settings = make_settings(tmp_path)
    build_warehouse(settings, BuildRequest(source="sample", enrich=("embeddings",)), progress=False)
    with Warehouse(settings.db_path) as wh:
        key = wh.build_info()["vector_index"]["key"]
    enrich_warehouse(settings, ("embeddings",), progress=False)
    with Warehouse(settings.db_path) as wh:
        info = wh.build_info()["vector_index"]
        assert info["key"] == key and info["reused"] is True  # the same vectors: the same folder
        assert vector_choice(wh).name == "exact-i8"


class _Fixed:
    def __init__(self, vector):
        self.vector = vector

    def embed(self, texts):
        return [self.vector for _ in texts]


def test_the_lake_reader_makes_the_index_in_memory(sample_warehouse, monkeypatch):
    # A DuckLake has no folder beside a file: the reader reads the vectors and indexes them itself.
    # Exercised on the file warehouse by pretending it is a lake (the lake's own tests cover the lake).
    with Warehouse(sample_warehouse) as wh:
        monkeypatch.setattr(wh, "lake", object())
        choice = vector_search._choose(wh)
        assert choice.name == "exact-i8"
        n = wh.scalar("SELECT count(text_embedding) FROM dim_prompts")
        assert len(choice.index) == n
        q = np.asarray(
            wh.scalar("SELECT text_embedding FROM dim_prompts ORDER BY prompt_id LIMIT 1"), np.float32
        )
        _same(choice.index.ranks(q, 10), _full_scan(wh, q, 10))
