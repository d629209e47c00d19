"""The bm25s keyword index: BM25 over the prompts, in a folder beside the warehouse.

DuckDB's fts answers a keyword search in time linear in the number of prompts (76 ms at 100k,
0.7 s at 1M; docs/benchmarks.md). bm25s keeps the BM25 weight of every (term, prompt) pair in a
sparse matrix and answers in a few milliseconds. The build makes this index from the fts index's
own terms (the tokenisation stays fts's: Porter stems, English stop words, lower case, accents
stripped) with fts's formula (k1 1.2, b 0.75, idf ln(1 + (N - df + 0.5) / (df + 0.5))), so both
rank the same prompts the same way. fts's idf is a base-10 logarithm: its scores are bm25s's
divided by ln 10, which ``Bm25sIndex.ranks`` applies, so a score means the same with either.

The warehouse is read-only and replaced whole by every build, so the index lives beside it, under
``contract.keyword_index_root``, in a folder named after the warehouse's prompt set
(``prompt_set_key``: the prompts, their ids and their fts document numbers). A reader computes the
key of the warehouse it opened and uses only the folder of that key: an index made for other
prompts (a stale one, left by an older build or copied in with another file) is never read.
Nothing here imports bm25s until an index is built or loaded.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np

from genai_analyzer.core.contract import FTS_SCHEMA, keyword_index_root
from genai_analyzer.warehouse.beside import prune_folders

FORMAT = 2  # the folder's layout, formula and key; a change makes every existing index stale
K1, B = 1.2, 0.75  # fts's match_bm25 defaults, which the build's BM25 weights use
LN10 = math.log(10)
MANIFEST = "manifest.json"
DOCS_FILE = "docs.npz"  # per fts document number: the prompt id and its place in prompt-id order

# The prompt set a keyword index belongs to: how many prompts, and an order-free hash of every
# prompt (id and text) and of every fts document (number and prompt id). Each pair is hashed as one
# text: DuckDB combines the hashes of several arguments with XOR, so hash(docid, name) XORed over
# the rows would not change when two prompts swap their document numbers (a later build on more
# threads may number them otherwise), and an index made for the old numbering would be read.
# DuckDB's hash() may change between DuckDB versions, so the version is part of the key.
PROMPT_SET_SQL = f"""
    SELECT (SELECT count(*) FROM {FTS_SCHEMA}.docs),
           (SELECT coalesce(bit_xor(hash(docid::VARCHAR || chr(0) || name)), 0) FROM {FTS_SCHEMA}.docs),
           (SELECT coalesce(bit_xor(hash(prompt_id || chr(0) || coalesce(prompt, ''))), 0) FROM dim_prompts)
"""


def _bm25s():
    """bm25s, imported on first use. It sets its own logger to DEBUG, which would print a line per
    index built under any handler the app or the CLI set up: warnings only."""
    import logging

    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def prompt_set_key(con: duckdb.DuckDBPyConnection) -> str:
    """The key of the prompt set of the warehouse ``con`` reads (a connection or a cursor)."""
    n, docs_hash, prompts_hash = con.execute(PROMPT_SET_SQL).fetchone()
    text = f"{FORMAT}|{duckdb.__version__}|{n}|{docs_hash}|{prompts_hash}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def index_dir(warehouse: Path, key: str) -> Path:
    return keyword_index_root(warehouse) / key


def build_bm25s_index(con: duckdb.DuckDBPyConnection, warehouse: Path, *, progress: bool = False) -> dict:
    """The bm25s index of the prompts in ``con``'s warehouse (its fts index made), in its folder
    beside ``warehouse``: made, or reused when a folder of the same key is there. Returns the
    manifest ({key, prompts, terms, postings, reused, seconds, ...}). Raises ImportError when
    bm25s is not installed."""
    from tqdm.auto import tqdm

    bm25s = _bm25s()

    key = prompt_set_key(con)
    folder = index_dir(warehouse, key)
    if (folder / MANIFEST).exists():
        return {**json.loads((folder / MANIFEST).read_text()), "reused": True}
    started = time.perf_counter()
    n_docs = con.execute(f"SELECT count(*) FROM {FTS_SCHEMA}.docs").fetchone()[0]
    dictionary = con.execute(f"SELECT term, termid FROM {FTS_SCHEMA}.dict ORDER BY termid").fetchall()
    vocab = {term: i for i, (term, _) in enumerate(dictionary)}
    dense = {termid: i for i, (_, termid) in enumerate(dictionary)}  # fts's ids, numbered 0..V-1
    postings = con.execute(
        f"SELECT docid, termid FROM {FTS_SCHEMA}.terms ORDER BY docid, termid"
    ).fetchnumpy()
    docids = np.asarray(postings["docid"], dtype=np.int64)
    termids = np.asarray(postings["termid"], dtype=np.int64)
    if dictionary and any(termid != i for i, (_, termid) in enumerate(dictionary)):
        termids = np.fromiter((dense[t] for t in termids.tolist()), dtype=np.int64, count=len(termids))
    bounds = np.cumsum(np.bincount(docids, minlength=n_docs))[:-1] if n_docs else []
    # Every prompt is a document, those without a term too (fts counts them in N and the mean length).
    corpus = [
        part.tolist()
        for part in tqdm(
            np.split(termids, bounds), desc="keyword index: terms", unit="prompt", disable=not progress
        )
    ]
    model = bm25s.BM25(k1=K1, b=B, method="atire", idf_method="lucene", dtype="float64")
    model.index(
        bm25s.tokenization.Tokenized(ids=corpus, vocab=vocab),
        create_empty_token=False,  # else bm25s adds a term "" to every vocabulary
        show_progress=progress,
        leave_progress=False,
    )
    del corpus
    # fts's keyword statement breaks ties by prompt id: each document's place in that order.
    docs = con.execute(
        f"SELECT name, (row_number() OVER (ORDER BY name) - 1)::INTEGER AS place "
        f"FROM {FTS_SCHEMA}.docs ORDER BY docid"
    ).fetchnumpy()
    manifest = {
        "backend": "bm25s",
        "format": FORMAT,
        "key": key,
        "prompts": int(n_docs),
        "terms": len(vocab),
        "postings": len(termids),
        "bm25s": bm25s.__version__,
        "duckdb": duckdb.__version__,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    # Written under a temporary name and renamed when complete: a reader never sees half an index.
    partial = folder.with_name(f".{key}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    model.save(str(partial), show_progress=False)
    np.savez(partial / DOCS_FILE, prompt_id=_compact(docs["name"]), place=docs["place"].astype(np.int32))
    manifest["seconds"] = round(time.perf_counter() - started, 3)
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(partial, folder)
    return {**manifest, "reused": False}


def _compact(names: np.ndarray) -> np.ndarray:
    """Prompt ids as fixed-width bytes when they are ASCII (the build's are 16 hex digits: 16
    bytes each instead of 64 as text), else as text."""
    try:
        return np.asarray(names, dtype="S")
    except UnicodeEncodeError:
        return np.asarray(names, dtype=str)


def prune_keyword_indexes(warehouse: Path, keep: str | None) -> list[str]:
    """Remove the index folders beside ``warehouse`` other than ``keep`` (the published
    warehouse's), and leftovers of interrupted builds; return their names."""
    return prune_folders(keyword_index_root(warehouse), keep)


class Bm25sIndex:
    """One loaded bm25s index: its arrays memory-mapped, the documents' prompt ids in memory."""

    def __init__(self, folder: Path):
        bm25s = _bm25s()
        self.folder = folder
        self.manifest = json.loads((folder / MANIFEST).read_text())
        self.model = bm25s.BM25.load(str(folder), mmap=True)
        with np.load(folder / DOCS_FILE) as docs:
            self.prompt_ids = docs["prompt_id"]
            self.place = docs["place"]
        self.n_docs = len(self.prompt_ids)

    def term_ids(self, terms: list[str]) -> list[int]:
        """The index's numbers of the distinct ``terms`` it knows (stop words and unknown words
        have none, as in fts's dictionary)."""
        vocab = self.model.vocab_dict
        return sorted({vocab[t] for t in terms if t in vocab})

    def ranks(
        self, terms: list[str], depth: int, allowed: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """The ``depth`` best prompts for the query's stemmed ``terms``: (prompt_id, score) with
        fts's scores rounded to 9 decimals, best first, ties by prompt id, as fts's keyword
        statement orders them. ``allowed``: the fts document numbers that may be returned (the
        prompts passing the filters); None for all."""
        ids = self.term_ids(terms)
        if not ids or depth <= 0:
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(self.n_docs, dtype=np.float64)
            mask[np.asarray(allowed, dtype=np.int64)] = 1.0
        scores = self.model.get_scores_from_ids(ids, weight_mask=mask)
        docs = np.flatnonzero(scores > 0)  # every weight is positive: a document with a term scores
        rounded = np.round(scores[docs] / LN10, 9)
        if len(docs) > depth:
            # The depth-th best score, and every document tied with it: the tie is broken below.
            cut = np.partition(rounded, len(rounded) - depth)[len(rounded) - depth]
            keep = rounded >= cut
            docs, rounded = docs[keep], rounded[keep]
        best = np.lexsort((self.place[docs], -rounded))[:depth]
        ids_out = self.prompt_ids[docs[best]]
        names = [i.decode() if isinstance(i, bytes) else str(i) for i in ids_out.tolist()]
        return list(zip(names, rounded[best].tolist(), strict=True))


def load_bm25s_index(warehouse: Path, key: str) -> tuple[Bm25sIndex | None, str]:
    """The index of prompt set ``key`` beside ``warehouse``, or None and why not."""
    try:
        _bm25s()
    except ImportError:
        return None, "bm25s is not installed"
    folder = index_dir(warehouse, key)
    if not (folder / MANIFEST).exists():
        root = keyword_index_root(warehouse)
        others = [p.name for p in root.iterdir() if not p.name.startswith(".")] if root.is_dir() else []
        if others:
            return None, (
                f"the bm25s index beside the warehouse is stale (made for other prompts: "
                f"{', '.join(others)}); genai-analyzer enrich rebuilds it"
            )
        return None, "no bm25s index beside the warehouse; genai-analyzer enrich builds it"
    return Bm25sIndex(folder), ""
