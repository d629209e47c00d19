"""Approved answers: questions a person marked right, kept with their reading and SQL and reused.

They live in the app-state DuckDB file beside the warehouse (``contract.app_state_path``), never in
the read-only warehouse. An equal question (same words, case and spacing aside) or a near-equal one
(embedding cosine at least ``threshold``) reuses the approved SQL, which still runs through the
same guard, and the answer says which approved question it reused. The same store gives the LLM
backend its few-shot examples.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import duckdb
import numpy as np

NEAR_EQUAL = 0.8  # cosine of all-MiniLM-L6-v2 vectors, on top of the same words that matter

SCHEMA = """
CREATE TABLE IF NOT EXISTS approved_answers (
    id INTEGER PRIMARY KEY,
    question VARCHAR NOT NULL,
    normalized VARCHAR NOT NULL,
    reading VARCHAR NOT NULL,
    sql VARCHAR NOT NULL,
    spec JSON,
    embedding FLOAT[],
    approved_at TIMESTAMP DEFAULT current_timestamp
)
"""


def normalize(question: str) -> str:
    """The question's words, lower case, single-spaced, without punctuation."""
    return " ".join(re.findall(r"[a-z0-9%']+", question.lower()))


def content_words(question: str) -> frozenset[str]:
    """The words that can change what is asked: not stop or filler words, plurals folded."""
    from genai_analyzer.analysis.copilot.vocabulary import FILLER, STOP

    words = normalize(question).split()
    return frozenset(w.removesuffix("s") for w in words if w not in STOP and w not in FILLER)


class ApprovedAnswers:
    """The approved answers in one app-state file; safe to share between threads (one writer at a
    time, a short connection per call)."""

    def __init__(self, path: Path, *, embed=None, threshold: float = NEAR_EQUAL):
        self.path = Path(path)
        self.embed = embed
        self.threshold = threshold
        self._lock = threading.Lock()

    def _connect(self, *, write: bool) -> duckdb.DuckDBPyConnection | None:
        if not write and not self.path.exists():
            return None
        con = duckdb.connect(str(self.path))
        con.execute(SCHEMA)
        return con

    def approve(self, question: str, reading: str, sql: str, spec: dict | None = None) -> int:
        """Store an approved answer (an equal question replaces the older one); its id."""
        vector = self.embed([question])[0].tolist() if self.embed is not None else None
        with self._lock:
            con = self._connect(write=True)
            try:
                con.execute("DELETE FROM approved_answers WHERE normalized = $n", {"n": normalize(question)})
                new_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM approved_answers").fetchone()[0]
                con.execute(
                    "INSERT INTO approved_answers (id, question, normalized, reading, sql, spec, embedding) "
                    "VALUES ($id, $q, $n, $r, $s, $spec, $e)",
                    {
                        "id": new_id,
                        "q": question,
                        "n": normalize(question),
                        "r": reading,
                        "s": sql,
                        "spec": json.dumps(spec) if spec is not None else None,
                        "e": vector,
                    },
                )
            finally:
                con.close()
        return new_id

    def all(self) -> list[dict]:
        """Every approved answer, newest first: id, question, reading, sql, spec, approved_at, and
        the question's stored ``embedding`` (None when it was approved without a model)."""
        with self._lock:
            con = self._connect(write=False)
            if con is None:
                return []
            try:
                rows = con.execute(
                    "SELECT id, question, reading, sql, spec, approved_at, embedding FROM approved_answers "
                    "ORDER BY approved_at DESC, id DESC"
                ).fetchall()
            finally:
                con.close()
        keys = ("id", "question", "reading", "sql", "spec", "approved_at", "embedding")
        out = [dict(zip(keys, row, strict=True)) for row in rows]
        for item in out:
            item["spec"] = json.loads(item["spec"]) if item["spec"] else None
            item["approved_at"] = item["approved_at"].isoformat()
        return out

    def match(self, question: str) -> dict | None:
        """The approved answer to an equal or near-equal question, with its ``similarity``; None.

        Near-equal means the same words that matter (stop and filler words and plurals aside) and
        an embedding cosine of at least ``threshold``: "what is the error rate for each tier" reuses
        "error rate by tier", but "error rate by tier last week" never does."""
        items = self.all()
        if not items:
            return None
        wanted = normalize(question)
        for item in items:
            if normalize(item["question"]) == wanted:
                return {**item, "similarity": 1.0}
        words = content_words(question)
        items = [item for item in items if content_words(item["question"]) == words]
        if not items or self.embed is None:
            return None
        scores = self.vectors(items) @ np.asarray(self.embed([question])[0], dtype=np.float32)
        best = int(np.argmax(scores))
        if float(scores[best]) < self.threshold:
            return None
        return {**items[best], "similarity": float(scores[best])}

    def vectors(self, items: list[dict]) -> np.ndarray:
        """The approved questions' vectors, as stored when approved (embedded now only where none
        was stored)."""
        missing = [i for i, item in enumerate(items) if item["embedding"] is None]
        fresh = self.embed([items[i]["question"] for i in missing]) if missing else []
        filled = dict(zip(missing, fresh, strict=True))
        return np.asarray(
            [filled.get(i, item["embedding"]) for i, item in enumerate(items)], dtype=np.float32
        )

    def forget(self, approved_id: int) -> None:
        with self._lock:
            con = self._connect(write=True)
            try:
                con.execute("DELETE FROM approved_answers WHERE id = $i", {"i": int(approved_id)})
            finally:
                con.close()
