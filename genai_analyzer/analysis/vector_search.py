"""Who ranks prompts by meaning for ``search()``: the vector index beside the warehouse, or DuckDB.

- ``exact-i8`` (``contract.VECTOR_BACKEND``): the exact int8 scan of the vector index the build made
  beside the warehouse (warehouse/vector_index.py), loaded once per open warehouse; on a DuckLake,
  where nothing lies beside a file, the same index is made in memory from the lake's vectors at
  the first search. Exact: it finds the true nearest prompts (0.67 of them for vss's HNSW at a
  million near-duplicate prompts), and needs no graph build (12.6 s at a million instead of 15 min).
- ``duckdb``: one statement over ``dim_prompts`` (``semantic_sql``), which vss's HNSW index answers
  where the build made one (numkong not installed), and a full scan of the vectors otherwise:
  exact, slower; the reason is said (``backend_line``).
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass

import numpy as np

from genai_analyzer.core.contract import VECTOR_BACKEND
from genai_analyzer.warehouse.reader import Warehouse
from genai_analyzer.warehouse.vector_index import VectorIndex, arrow_matrix, available, load_vector_index

Ranking = list[tuple[str, float]]

# DuckDB's vss 1.5.5 crashes the process when HNSW index scans run on several threads at once
# (reproduced on a plain in-memory table with 4 cursors; docs/benchmarks.md, App). One scan at a
# time: the scan itself takes 12-20 ms at 100k prompts, the rest of a search runs in parallel.
HNSW_LOCK = threading.Lock()


def semantic_sql(dim: int, depth: int) -> str:
    """The nearest-prompts statement. Its shape matters: the distance is computed once, aliased,
    in an inner SELECT ordered by it with a constant LIMIT, which DuckDB rewrites into an
    HNSW_INDEX_SCAN; computing the score beside an ORDER BY on the raw expression is a full scan."""
    return (
        f"SELECT prompt_id, 1 - distance AS score FROM ("
        f"SELECT prompt_id, array_cosine_distance(text_embedding, $q::FLOAT[{int(dim)}]) AS distance "
        f"FROM dim_prompts ORDER BY distance LIMIT {int(depth)})"
    )


@dataclass(frozen=True)
class VectorChoice:
    """The index a warehouse's searches by meaning use (None: DuckDB), and why not the index."""

    index: VectorIndex | None
    reason: str = ""

    @property
    def name(self) -> str:
        return VECTOR_BACKEND if self.index is not None else "duckdb"


def vector_choice(wh: Warehouse) -> VectorChoice:
    """Decided and loaded once per open warehouse (a re-open after a swap decides again)."""
    return wh.memo("vector_backend", lambda: _choose(wh))


def _choose(wh: Warehouse) -> VectorChoice:
    if wh.lake is None:
        index, reason = load_vector_index(wh.path, wh.build_info())
        return VectorChoice(index, reason)
    if not available():
        return VectorChoice(None, "numkong is not installed")
    with contextlib.closing(wh.cursor()) as cur:
        table = cur.execute(
            "SELECT prompt_id, text_embedding FROM dim_prompts WHERE text_embedding IS NOT NULL"
        ).to_arrow_table()
    if not table.num_rows:
        return VectorChoice(None, "no prompt has a vector")
    vectors = arrow_matrix(table.column("text_embedding"))
    return VectorChoice(VectorIndex.from_vectors(table.column("prompt_id").to_pylist(), vectors))


def vector_ranks(
    wh: Warehouse, query: np.ndarray, depth: int, dim: int, choice: VectorChoice | None = None
) -> Ranking:
    """The ``depth`` prompts nearest to ``query`` (prompt_id, cosine similarity), best first, by
    ``choice`` (by default the warehouse's: ``vector_choice``)."""
    choice = choice or vector_choice(wh)
    if choice.index is not None:
        return choice.index.ranks(query, depth)
    with HNSW_LOCK:
        return wh.rows(semantic_sql(dim, depth), {"q": np.asarray(query, dtype=np.float32)})


def backend_line(wh: Warehouse) -> str:
    """One sentence for people: what ranks prompts by meaning, and why not the vector index."""
    choice = vector_choice(wh)
    if choice.index is not None:
        n = len(choice.index)
        return f"Meaning ranked by an exact scan of {n:,} prompt vectors (int8, best re-ranked in float32)."
    return f"Meaning ranked by DuckDB over dim_prompts ({choice.reason})."
