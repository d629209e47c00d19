"""Keyword search's two backends on the embedded sample: bm25s (the index the build makes beside
the warehouse) and DuckDB fts. bm25s answers when it can, says so, and returns what fts returns:
the same prompts in the same order with the same scores, with and without filters; an index made
for other prompts, or a missing bm25s, leaves fts to answer."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.keyword import (
    Bm25sKeyword,
    FtsKeyword,
    backend_named,
    keyword_backend,
    keyword_choice,
)
from genai_analyzer.analysis.search import _keyword_ranks, search
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app.overview import enrichment_markdown
from genai_analyzer.core.contract import keyword_index_root
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.warehouse import duck
from genai_analyzer.warehouse.indexes import BM25_POSTINGS_SQL, FTS_INDEX_SQL
from genai_analyzer.warehouse.keyword_index import (
    MANIFEST,
    build_bm25s_index,
    load_bm25s_index,
    prompt_set_key,
    prune_keyword_indexes,
)
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings

QUERIES = [
    "portrait of a woman",
    "a floating island, octane render",
    "golden hour",
    "digital painting by greg rutkowski",
    "Art nouveau poster, ALPHONSE MUCHA",
    "Pàinting painting PAINTING",  # one term, repeated, an accent stripped by fts's tokenizer
    "the of and",  # stop words only: no term in either index
    "zzqxv",  # no such word
]


def _key(wh: Warehouse) -> str:
    with contextlib.closing(wh.cursor()) as cur:
        return prompt_set_key(cur)


@pytest.fixture(scope="module")
def filter_sets(wh):
    """Filter combinations over the sample's own values: dates, tier, status, domain, NSFW."""
    lo, hi = wh.query("SELECT min(date_key) AS lo, max(date_key) AS hi FROM fact_generations").iloc[0]
    lo, hi = pd.Timestamp(lo).date(), pd.Timestamp(hi).date()
    domains = wh.query("SELECT domain, count(*) AS n FROM dim_prompts GROUP BY 1 ORDER BY n DESC").domain
    return [
        Filters(),
        Filters(tiers=["pro"]),
        Filters(statuses=["error", "timeout"]),  # the rare statuses: a selective filter
        Filters(start=lo + timedelta(days=7), end=lo + timedelta(days=17)),
        Filters(domains=list(domains[:2]), tiers=["free"]),
        Filters(max_nsfw=0.2, statuses=["success"], end=hi - timedelta(days=3)),
    ]


# --- the build made the index, and search uses it ----------------------------------------------


def test_the_build_makes_a_bm25s_index_beside_the_warehouse_for_its_prompts(wh, sample_warehouse):
    root = keyword_index_root(sample_warehouse)
    assert root.parent == sample_warehouse.parent  # beside the read-only file, not in it
    (folder,) = [p for p in root.iterdir()]  # one prompt set, no leftovers
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["key"] == folder.name == _key(wh)
    assert manifest["prompts"] == wh.scalar("SELECT count(*) FROM dim_prompts")
    assert manifest["terms"] == wh.scalar("SELECT count(*) FROM fts_main_dim_prompts.dict") > 0
    assert wh.build_info()["indexes"]["bm25s"] is True


def test_keyword_and_hybrid_search_answer_with_bm25s_and_say_so(wh):
    assert keyword_choice(wh).name == "bm25s" and keyword_choice(wh).reason == ""
    assert keyword_backend(wh) is keyword_backend(wh)  # loaded once per open warehouse
    for mode in ("keyword", "hybrid"):
        found = search(wh, "portrait of a woman", mode=mode, limit=8)
        assert not found.empty and set(found.keyword_backend) == {"bm25s"}
    assert search(wh, "portrait of a woman", mode="semantic", limit=8).keyword_backend.isna().all()
    assert Api(wh).keyword_backend_line().startswith("Keywords ranked by bm25s")
    assert {r["keyword_backend"] for r in Api(wh).search("golden hour", mode="keyword", limit=5)} == {"bm25s"}
    assert "Keywords ranked by bm25s" in enrichment_markdown(wh, wh.build_info())  # the Overview


# --- bm25s returns what fts returns -------------------------------------------------------------


@pytest.mark.parametrize("query", QUERIES)
def test_bm25s_ranks_the_same_prompts_in_the_same_order_as_fts(wh, filter_sets, query):
    bm25s = backend_named(wh, "bm25s")
    for filters in filter_sets:
        for depth in (3, 24, 240, 5000):  # cuts inside runs of tied scores, and below every match
            ours = _keyword_ranks(wh, query, filters, depth, bm25s)
            theirs = _keyword_ranks(wh, query, filters, depth, FtsKeyword())
            assert ours == theirs, (query, filters, depth)
    everything = _keyword_ranks(wh, query, Filters(), 5000, bm25s)
    if query in ("the of and", "zzqxv"):
        assert everything == []
    else:  # the comparison compared something: matches, with ties among them
        assert len(everything) > 3
        assert len({score for _, score in everything}) < len(everything)


@pytest.mark.parametrize("query", QUERIES[:5])
def test_hybrid_search_with_bm25s_equals_hybrid_search_with_fts(wh, filter_sets, query):
    for filters in filter_sets:
        for mode in ("hybrid", "keyword"):
            ours = search(wh, query, mode=mode, filters=filters)
            theirs = search(wh, query, mode=mode, filters=filters, keyword=FtsKeyword())
            assert set(ours.keyword_backend) <= {"bm25s"} and set(theirs.keyword_backend) <= {"fts"}
            pd.testing.assert_frame_equal(
                ours.drop(columns="keyword_backend"), theirs.drop(columns="keyword_backend")
            )
    assert not search(wh, query, mode="hybrid", filters=filter_sets[1]).empty


def test_a_filter_no_generation_passes_gives_no_keyword_ranking(wh):
    nothing = Filters(start=date(2100, 1, 1))
    assert _keyword_ranks(wh, "portrait", nothing, 240, backend_named(wh, "bm25s")) == []
    assert _keyword_ranks(wh, "portrait", nothing, 240, FtsKeyword()) == []


def test_the_documents_a_filter_allows_are_found_once_per_filters(wh, filter_sets, monkeypatch):
    # At 1M prompts finding them scans every generation (about 100 ms); a user searches several
    # times under one filter bar. The kept documents are those the statement returns, for the
    # filters asked, and only the last ALLOWED_KEPT filters are kept.
    from genai_analyzer.analysis import keyword

    backend = Bm25sKeyword(backend_named(wh, "bm25s").index)  # a fresh one: nothing kept yet
    asked = []
    real = Warehouse.arrays

    def counted(self, sql, params=None):
        asked.append(sql)
        return real(self, sql, params)

    monkeypatch.setattr(Warehouse, "arrays", counted)
    active = [f for f in filter_sets if f.active]
    assert len(active) > keyword.ALLOWED_KEPT
    first = [backend.ranks(wh, "portrait of a woman", f, 240) for f in active]
    assert len(asked) == len(active)
    again = [backend.ranks(wh, "portrait of a woman", f, 240) for f in active[-keyword.ALLOWED_KEPT :]]
    assert len(asked) == len(active)  # the last ALLOWED_KEPT filters: none asked again
    assert again == first[-keyword.ALLOWED_KEPT :]
    backend.ranks(wh, "portrait of a woman", active[0], 240)  # the oldest was forgotten
    assert len(asked) == len(active) + 1
    for f in active:  # what is kept is what the statement gives for those filters
        where, params = f.where()
        expected = real(wh, keyword.ALLOWED_DOCS_SQL.format(filtered=keyword.from_filtered(where)), params)
        assert sorted(backend.allowed(wh, f).tolist()) == sorted(expected["docid"].tolist())
    assert sorted(backend.allowed(wh, active[1]).tolist()) != sorted(backend.allowed(wh, active[2]).tolist())


# --- a stale or missing index, a missing bm25s: fts answers --------------------------------------


@pytest.fixture
def changed_copy(sample_warehouse, tmp_path):
    """A copy of the sample warehouse with its index, then one prompt's text changed in the copy
    and its full-text index made again: the bm25s index beside it was made for other prompts."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(sample_warehouse, copy)
    shutil.copytree(keyword_index_root(sample_warehouse), keyword_index_root(copy))
    con = duck.connect(copy)
    try:
        con.execute(
            "UPDATE dim_prompts SET prompt = prompt || ' zebra' "
            "WHERE prompt_id = (SELECT min(prompt_id) FROM dim_prompts)"
        )
        con.execute(FTS_INDEX_SQL)  # as a build does after dbt: the full-text index of the new text
        con.execute(BM25_POSTINGS_SQL)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return copy


def test_an_index_made_for_other_prompts_is_not_read_and_fts_answers(wh, changed_copy):
    with Warehouse(changed_copy) as changed:
        assert _key(changed) != _key(wh)
        choice = keyword_choice(changed)
        assert choice.name == "fts" and "stale" in choice.reason
        assert "DuckDB fts" in Api(changed).keyword_backend_line()
        found = search(changed, "portrait", mode="keyword", limit=5)
        assert set(found.keyword_backend) == {"fts"} and len(found) == 5
        with pytest.raises(AnalyzerError, match="stale"):
            backend_named(changed, "bm25s")


def test_the_index_is_rebuilt_for_new_prompts_reused_for_the_same_and_old_ones_pruned(changed_copy):
    con = duck.connect(changed_copy)
    try:
        made = build_bm25s_index(con, changed_copy)
        again = build_bm25s_index(con, changed_copy)
    finally:
        con.close()
    assert made["reused"] is False and again["reused"] is True and made["key"] == again["key"]
    root = keyword_index_root(changed_copy)
    assert len(list(root.iterdir())) == 2  # the stale one is still there until pruned
    assert len(prune_keyword_indexes(changed_copy, keep=made["key"])) == 1
    assert [p.name for p in root.iterdir()] == [made["key"]]
    with Warehouse(changed_copy) as changed:
        assert keyword_choice(changed).name == "bm25s"
        zebra = search(changed, "zebra", mode="keyword", limit=5)  # the changed prompt's new word
        assert not zebra.empty and set(zebra.keyword_backend) == {"bm25s"}


def _fts_tables(pairs: list[tuple[int, str]], texts: dict[str, str]):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA fts_main_dim_prompts")
    con.execute("CREATE TABLE fts_main_dim_prompts.docs (docid BIGINT, name VARCHAR)")
    con.executemany("INSERT INTO fts_main_dim_prompts.docs VALUES (?, ?)", pairs)
    con.execute("CREATE TABLE dim_prompts (prompt_id VARCHAR, prompt VARCHAR)")
    con.executemany("INSERT INTO dim_prompts VALUES (?, ?)", list(texts.items()))
    return con


def test_the_key_changes_when_prompts_swap_document_numbers_or_texts():
    """A build on more threads may number the same prompts otherwise: the index made for the old
    numbering must not be read (DuckDB XORs the hashes of hash()'s arguments, so hashing the pairs
    as two arguments could not tell)."""
    texts = {"a1": "a red fox", "b2": "a blue owl", "c3": "a green frog"}
    key = prompt_set_key(_fts_tables([(0, "a1"), (1, "b2"), (2, "c3")], texts))
    assert key == prompt_set_key(_fts_tables([(2, "c3"), (0, "a1"), (1, "b2")], texts))  # row order
    assert key != prompt_set_key(_fts_tables([(0, "b2"), (1, "a1"), (2, "c3")], texts))  # numbers
    swapped = {"a1": "a blue owl", "b2": "a red fox", "c3": "a green frog"}
    assert key != prompt_set_key(_fts_tables([(0, "a1"), (1, "b2"), (2, "c3")], swapped))  # texts


def test_a_warehouse_without_an_index_beside_it_uses_fts(sample_warehouse, tmp_path):
    copy = tmp_path / "alone.duckdb"
    shutil.copyfile(sample_warehouse, copy)
    assert load_bm25s_index(copy, "any")[0] is None
    with Warehouse(copy) as alone:
        assert keyword_choice(alone).name == "fts"
        assert "no bm25s index" in keyword_choice(alone).reason


def test_without_bm25s_the_build_makes_no_index_and_fts_answers(tmp_path, monkeypatch):
    """bm25s absent (its import fails, as when it is not installed): the build still passes with
    the fts index alone, and keyword search answers from it."""
    monkeypatch.setitem(sys.modules, "bm25s", None)  # `import bm25s` raises ImportError
    settings = make_settings(tmp_path, sample_generations=300, sample_users=20)
    build_warehouse(settings, BuildRequest(source="sample", enrich=()), progress=False)
    assert not keyword_index_root(settings.db_path).exists()
    with Warehouse(settings.db_path) as wh:
        assert wh.build_info()["indexes"]["bm25s"] is False
        choice = keyword_choice(wh)
        assert isinstance(choice.backend, FtsKeyword) and choice.reason == "bm25s is not installed"
        found = search(wh, "portrait", mode="keyword", limit=5)
        assert len(found) == 5 and set(found.keyword_backend) == {"fts"}
        assert Api(wh).keyword_backend_line() == (
            "Keywords ranked by DuckDB fts (BM25; bm25s is not installed)."
        )
        assert Api(wh).keyword_backend_line() in enrichment_markdown(wh, wh.build_info())


def test_a_stale_folder_left_by_a_build_is_pruned_when_the_next_build_swaps_in(tmp_path):
    settings = make_settings(tmp_path, sample_generations=300, sample_users=20)
    stale = keyword_index_root(settings.db_path) / "0123456789abcdef"
    stale.mkdir(parents=True)
    (stale / MANIFEST).write_text("{}")
    build_warehouse(settings, BuildRequest(source="sample", enrich=()), progress=False)
    with Warehouse(settings.db_path) as wh:
        assert [p.name for p in keyword_index_root(settings.db_path).iterdir()] == [_key(wh)]
        assert isinstance(keyword_backend(wh), Bm25sKeyword)


def test_an_unknown_backend_name_is_an_error(wh):
    with pytest.raises(AnalyzerError, match="Unknown keyword backend"):
        backend_named(wh, "lucene")
