"""Keyword search backends: who ranks the prompts by BM25 for ``search()``.

Two backends behind one interface, both with fts's tokenisation and scores, ties by prompt id:

- ``bm25s`` (the default when it is installed and its index matches the warehouse): the index the
  build made beside the warehouse (warehouse/keyword_index.py), loaded once per open warehouse;
  a few milliseconds a query at any size.
- ``fts``: DuckDB's fts tables inside the warehouse, summed by one statement (``KEYWORD_SQL``);
  time linear in the number of prompts. Every warehouse has them, so it is always there.

Filters restrict both to the prompts with a generation that passes them, before the ranking is
cut to its depth, so a filtered search ranks the same prompts in the same order with either.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.queries import from_filtered
from genai_analyzer.core.contract import BM25_POSTINGS, FTS_SCHEMA, KEYWORD_BACKENDS
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.warehouse.keyword_index import Bm25sIndex, load_bm25s_index, prompt_set_key
from genai_analyzer.warehouse.reader import Warehouse

# A ranking: (prompt_id, score) pairs, best first. Plain lists, not DataFrames: a search handles a
# few hundred at most, and building frames cost more than the statements that use them.
Ranking = list[tuple[str, float]]

# BM25 from the weights the build computed per (term, prompt) (core.contract.BM25_POSTINGS): the
# scores of fts's match_bm25 (a test compares them), summed over the query's distinct terms only,
# instead of the macro evaluated once per prompt of the table (100 ms and more at 100k prompts).
# Scores are rounded to 9 decimals: sums in another order differ in the last bits, which must not
# reorder prompts that tie (nor make two backends disagree).
KEYWORD_SQL = """
    WITH tokens AS (
        SELECT DISTINCT stem(unnest(fts_main_dim_prompts.tokenize($q)), 'porter') AS t
    ),
    scores AS (
        SELECT postings.docid, sum(postings.weight) AS score
        FROM {postings} AS postings
        WHERE postings.termid IN (
            SELECT dict.termid FROM fts_main_dim_prompts.dict AS dict JOIN tokens ON dict.term = tokens.t)
        GROUP BY postings.docid
    )
    SELECT docs.name AS prompt_id, round(scores.score, 9) AS score
    FROM scores JOIN fts_main_dim_prompts.docs AS docs ON docs.docid = scores.docid
    WHERE TRUE {restrict}
    ORDER BY round(scores.score, 9) DESC, prompt_id
    LIMIT {depth}
"""

# The query's terms as fts's index makes them (its tokenizer, then the Porter stemmer).
QUERY_TERMS_SQL = f"SELECT DISTINCT stem(unnest({FTS_SCHEMA}.tokenize($q)), 'porter') AS t"

# The fts document numbers of the prompts with a generation passing the filters (``{where}``).
ALLOWED_DOCS_SQL = f"""
    SELECT docs.docid FROM {FTS_SCHEMA}.docs AS docs
    WHERE docs.name IN (SELECT f.prompt_id {{filtered}})
"""


class KeywordBackend:
    """Ranks prompts by BM25 for a query: ``ranks(wh, query, filters, depth)``."""

    name: str = ""

    def ranks(self, wh: Warehouse, query: str, filters: Filters, depth: int) -> Ranking:
        raise NotImplementedError


class FtsKeyword(KeywordBackend):
    """DuckDB fts: the build's BM25 weights inside the warehouse, summed by ``KEYWORD_SQL``."""

    name = "fts"

    def ranks(self, wh: Warehouse, query: str, filters: Filters, depth: int) -> Ranking:
        where, params = filters.where()
        restrict = ""
        if filters.active:
            restrict = f"AND docs.name IN (SELECT f.prompt_id {from_filtered(where)})"
        sql = KEYWORD_SQL.format(postings=BM25_POSTINGS, restrict=restrict, depth=int(depth))
        return wh.rows(sql, {"q": query, **params})


# The filters whose allowed documents a bm25s backend keeps: a user searches several times under
# the same filter bar, and at 1M prompts finding them scans every generation (about 100 ms).
ALLOWED_KEPT = 4


class Bm25sKeyword(KeywordBackend):
    """bm25s over the index beside the warehouse; the query's terms and the filters' prompts come
    from the warehouse (two small statements), the ranking from the index. One backend serves one
    open warehouse (``keyword_choice``), which is read-only, so the documents a filter allows are
    kept for the last ``ALLOWED_KEPT`` filters."""

    name = "bm25s"

    def __init__(self, index: Bm25sIndex):
        self.index = index
        self._allowed: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def ranks(self, wh: Warehouse, query: str, filters: Filters, depth: int) -> Ranking:
        terms = [row[0] for row in wh.rows(QUERY_TERMS_SQL, {"q": query})]
        if not self.index.term_ids(terms):
            return []  # stop words or words no prompt has: no statement for the filters
        return self.index.ranks(terms, int(depth), self.allowed(wh, filters) if filters.active else None)

    def forget(self) -> None:
        """Drop the kept documents (the benchmark times a first search under a filter)."""
        with self._lock:
            self._allowed.clear()

    def allowed(self, wh: Warehouse, filters: Filters) -> np.ndarray:
        """The fts document numbers of the prompts with a generation passing ``filters``."""
        where, params = filters.where()
        key = (where, repr(sorted(params.items())))
        with self._lock:
            if key in self._allowed:
                self._allowed.move_to_end(key)
                return self._allowed[key]
        docs = wh.arrays(ALLOWED_DOCS_SQL.format(filtered=from_filtered(where)), params)["docid"]
        with self._lock:
            self._allowed[key] = docs
            while len(self._allowed) > ALLOWED_KEPT:
                self._allowed.popitem(last=False)
        return docs


@dataclass(frozen=True)
class KeywordChoice:
    """The backend a warehouse's keyword searches use, and why not bm25s when it is fts."""

    backend: KeywordBackend
    reason: str = ""

    @property
    def name(self) -> str:
        return self.backend.name


def keyword_choice(wh: Warehouse) -> KeywordChoice:
    """bm25s when it is installed and an index of this warehouse's prompt set is beside it, else
    fts with the reason. Decided and loaded once per open warehouse (a re-open decides again)."""
    return wh.memo("keyword_backend", lambda: _choose(wh))


def keyword_backend(wh: Warehouse) -> KeywordBackend:
    return keyword_choice(wh).backend


def _choose(wh: Warehouse) -> KeywordChoice:
    with contextlib.closing(wh.cursor()) as cur:
        key = prompt_set_key(cur)
    index, reason = load_bm25s_index(wh.path, key)
    if index is None:
        return KeywordChoice(FtsKeyword(), reason)
    return KeywordChoice(Bm25sKeyword(index))


def backend_named(wh: Warehouse, name: str) -> KeywordBackend:
    """A backend by name (``bm25s`` or ``fts``), for comparing them; an error saying why when the
    bm25s index cannot be used."""
    if name not in KEYWORD_BACKENDS:
        raise AnalyzerError(f"Unknown keyword backend {name!r}; use one of {', '.join(KEYWORD_BACKENDS)}.")
    if name == "fts":
        return FtsKeyword()
    choice = keyword_choice(wh)
    if choice.name != "bm25s":
        raise AnalyzerError(f"No bm25s keyword backend for this warehouse: {choice.reason}.")
    return choice.backend


def backend_line(wh: Warehouse) -> str:
    """One sentence for people: which backend ranks keywords, and why not bm25s."""
    choice = keyword_choice(wh)
    if choice.name == "bm25s":
        return "Keywords ranked by bm25s (BM25, the index beside the warehouse)."
    return f"Keywords ranked by DuckDB fts (BM25; {choice.reason})."
