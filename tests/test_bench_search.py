"""The measures of scripts/bench_search.py and scripts/bench_search_backends.py: recall@10 by ids
and tie-aware, the exact top 10 it is measured against, the BM25 agreement with fts and the
exact re-ranking of an index's candidates (docs/benchmarks.md, Search)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.fixture(scope="module")
def scripts():
    sys.path.insert(0, str(SCRIPTS))
    try:
        import bench_search
        import bench_search_backends

        yield bench_search, bench_search_backends
    finally:
        sys.path.remove(str(SCRIPTS))


def unit(rows) -> np.ndarray:
    v = np.asarray(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_exact_top10_is_the_brute_force_order(scripts):
    bench_search, _ = scripts
    rng = np.random.default_rng(3)
    vectors = unit(rng.standard_normal((500, 16)))
    queries = unit(rng.standard_normal((4, 16)))
    got = bench_search.exact_top10(vectors, queries)
    want = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    assert got == want.tolist()


def test_tie_aware_recall_counts_an_equally_near_prompt_that_recall_by_ids_misses(scripts):
    bench_search, backends = scripts
    # prompts 9 and 10 are the same vector, the 10th nearest: the exact top 10 takes one of them
    vectors = unit([[1, 0.05 * i] for i in range(9)] + [[1, 0.5]] * 2 + [[0, 1]])
    q = np.asarray([1, 0], dtype=np.float32)
    want = bench_search.exact_top10(vectors, q[None])[0][:10]
    assert want[:9] == list(range(9))
    other = ({9, 10} - set(want)).pop()
    got = np.asarray(list(range(9)) + [other])
    by_ids, tie_aware = backends.tie_recall(got, np.asarray(want), vectors, q)
    assert (by_ids, tie_aware) == (0.9, 1.0)
    # a prompt strictly further than the 10th is a miss by both measures
    assert bench_search.tie_aware_recall(list(range(9)) + [11], want, vectors, q) == 0.9


def test_bm25_agreement_counts_a_prompt_scored_as_fts_10th(scripts):
    _, backends = scripts
    fts = [[d, 10.0 - d] for d in range(9)] + [[9, 1.0], [42, 1.0], [43, 0.5]]
    assert backends._agreement(list(range(9)) + [42], fts) == (0.9, 1.0)
    assert backends._agreement(list(range(9)) + [43], fts) == (0.9, 0.9)


def test_reranking_orders_candidates_by_exact_similarity(scripts):
    _, backends = scripts
    vectors = unit([[1, 0], [0.6, 0.8], [0.9, 0.1], [0, 1]])
    q = np.asarray([1, 0], dtype=np.float32)
    assert backends._reranked(np.asarray([3, 1, 2, 0]), vectors, q, 2).tolist() == [0, 2]


def test_the_exact_int8_scan_finds_the_exact_top_10(scripts, tmp_path):
    # the exact-i8 backend: no graph, every vector scanned; only the int8 rounding can cost recall
    pytest.importorskip("usearch", reason="usearch is in the bench-search extra")
    bench_search, backends = scripts
    rng = np.random.default_rng(5)
    vectors = unit(rng.standard_normal((3000, 384)))
    queries = unit(rng.standard_normal((20, 384)))
    want = bench_search.exact_top10(vectors, queries)
    out: dict = {}
    search_k, files, _ = backends._exact_i8_vectors(vectors, tmp_path, 1, out)
    assert files[0].exists() and out["build_s"] >= 0
    got = [search_k(q, 10).tolist() for q in queries]
    hits = np.mean([len(set(g) & set(w)) / 10 for g, w in zip(got, want, strict=True)])
    assert hits >= 0.85, hits  # random directions: similarities close together, the worst case
    # ordered by their float32 similarity, the 100 best int8 candidates give the exact top 10
    reranked = [backends._reranked(search_k(q, 100), vectors, q, 10).tolist() for q in queries]
    assert reranked == want
