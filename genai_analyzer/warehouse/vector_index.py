"""The prompt vector index: an exact int8 scan over every prompt's embedding, beside the warehouse.

DuckDB's HNSW index (vss) took 903 s to build at a million prompts and found 0.671 of the true top
10 on a corpus of near-duplicates (docs/benchmarks.md). This index has no graph: every prompt's
vector, scaled to unit length, is kept as int8 (x 127) and scanned in full for each query
(numkong's int8 dot products, SIMD, one slice of the rows per core), and the best candidates are
ordered by their float32 similarity. Building it is reading and quantising the vectors (12.6 s at a
million prompts); its recall is that of an exact search, 1.000 at 100 candidates re-ranked
(``RERANK_MIN``). The scan costs about 15 ms at a million prompts on 2 cores; usearch's exact
search over the same codes (``kernel="usearch"``, the benchmark's baseline) costs 45-55 ms, most of
it a fixed cost per row rather than the reading of the codes.

The warehouse is read-only and replaced whole by every build, so the index lives beside it, under
``contract.vector_index_root``, in a folder named after its content (``key``: the model, the
prompt ids and the vectors). The build records that key in the warehouse's build_info
(``vector_index``), so a reader opens the folder of the warehouse it reads and nothing else: an
index made for other vectors (an older build, the static tier before the full one) is never read.
A DuckLake reader makes the same index in memory from the lake's vectors (``from_vectors``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np

from genai_analyzer.core.contract import VECTOR_BACKEND, vector_index_root
from genai_analyzer.warehouse.beside import prune_folders

FORMAT = 1  # the folder's layout; a change makes every existing index stale
MANIFEST = "manifest.json"
CODES_FILE = "codes_i8.npy"  # N x dim int8: the unit vectors x 127, rounded
VECTORS_FILE = "vectors_f32.npy"  # N x dim float32 unit vectors, memory-mapped, for the re-ranking
IDS_FILE = "prompt_ids.npy"  # the prompt id of each row, in prompt id order
RERANK_MIN = 100  # candidates of the int8 scan re-ranked by float32 similarity, at least
RERANK_FACTOR = 2  # ... and at least this many times the depth asked for
CHUNK = 50_000  # prompts read from the warehouse at a time while building

VECTORS_SQL = """
    SELECT prompt_id, text_embedding FROM dim_prompts
    WHERE text_embedding IS NOT NULL ORDER BY prompt_id
"""


KERNELS = ("numkong", "usearch")  # what scans the codes: the default first


def available() -> bool:
    """Whether numkong, which scans the index, is installed (else DuckDB ranks by meaning)."""
    try:
        import numkong  # noqa: F401
    except ImportError:
        return False
    return True


def _best_rows(scores: np.ndarray, wanted: int) -> np.ndarray:
    """The row numbers of the ``wanted`` highest scores, in no order."""
    if wanted >= len(scores):
        return np.arange(len(scores))
    return np.argpartition(scores, -wanted)[-wanted:]


def _numkong_scan(
    codes: np.ndarray, q8: np.ndarray, wanted: int, pool: ThreadPoolExecutor | None, parts: int
) -> np.ndarray:
    """Candidate rows: the int8 dot product of ``q8`` with every code, one slice of the rows per
    thread (numkong releases the GIL), each slice's best kept, their union returned."""
    import numkong

    def scan(bounds: tuple[int, int]) -> np.ndarray:
        lo, hi = bounds
        scores = np.asarray(numkong.cdist(q8[None, :], codes[lo:hi], metric="dot", out_dtype="float32"))
        return _best_rows(scores.ravel(), wanted) + lo

    n = len(codes)
    edges = np.linspace(0, n, parts + 1, dtype=np.int64)
    slices = [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
    parallel = pool is not None and len(slices) > 1
    found = list(pool.map(scan, slices)) if parallel else [scan(s) for s in slices]
    return np.concatenate(found)


def _usearch_scan(codes: np.ndarray, q8: np.ndarray, wanted: int, threads: int) -> np.ndarray:
    """Candidate rows by usearch's exact search (the scan before numkong's; kept to compare)."""
    from usearch.index import MetricKind
    from usearch.index import search as exact_search

    found = exact_search(codes, q8, wanted, MetricKind.IP, exact=True, threads=threads)
    return np.asarray(found.keys, dtype=np.int64).ravel()


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero: its similarity to anything is 0)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def _codes(unit: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(unit * 127), -127, 127).astype(np.int8)


def _ids(names) -> np.ndarray:
    """Prompt ids as fixed-width bytes when they are ASCII (the build's are 16 hex digits), else text."""
    try:
        return np.asarray(names, dtype="S")
    except UnicodeEncodeError:
        return np.asarray(names, dtype=str)


def arrow_matrix(column) -> np.ndarray:
    """An Arrow column of fixed-size float lists (DuckDB's FLOAT[n]) as an N x n float32 matrix."""
    column = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    flat = column.flatten().to_numpy(zero_copy_only=False)
    return flat.astype(np.float32).reshape(-1, column.type.list_size)


def _read_chunks(con: duckdb.DuckDBPyConnection):
    """(prompt ids, float32 matrix) of the embedded prompts, ``CHUNK`` at a time, in id order: one
    statement read as a stream of record batches."""
    reader = con.execute(VECTORS_SQL).to_arrow_reader(CHUNK)
    for batch in reader:
        if not batch.num_rows:
            continue
        yield batch.column(0).to_pylist(), arrow_matrix(batch.column(1))


def build_vector_index(
    con: duckdb.DuckDBPyConnection, warehouse: Path, model: str, *, progress: bool = False
) -> dict | None:
    """The vector index of the prompt embeddings in ``con``'s warehouse, in its folder beside
    ``warehouse``: made, or reused when a folder of the same key is there. Returns the manifest
    ({key, prompts, dim, model, seconds, reused, ...}); None when no prompt has a vector."""
    from tqdm.auto import tqdm

    total = con.execute("SELECT count(text_embedding) FROM dim_prompts").fetchone()[0]
    if not total:
        return None
    started = time.perf_counter()
    root = vector_index_root(warehouse)
    root.mkdir(parents=True, exist_ok=True)
    partial = root / f".partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    # the ids and the vectors hashed apart, so that the key does not depend on how rows are batched
    ids_digest, vectors_digest = hashlib.sha256(), hashlib.sha256()
    names: list[str] = []
    codes = vectors = None
    row = 0
    with tqdm(total=total, desc="vector index", unit="prompt", disable=not progress) as bar:
        for chunk_ids, chunk in _read_chunks(con):
            if vectors is None:  # the files, sized once the width is known
                shape = (total, chunk.shape[1])
                vectors = np.lib.format.open_memmap(partial / VECTORS_FILE, "w+", np.float32, shape)
                codes = np.lib.format.open_memmap(partial / CODES_FILE, "w+", np.int8, shape)
            unit = _unit(chunk)
            vectors[row : row + len(unit)] = unit
            codes[row : row + len(unit)] = _codes(unit)
            ids_digest.update("".join(f"{pid}\0" for pid in chunk_ids).encode())
            vectors_digest.update(unit.tobytes())
            names.extend(chunk_ids)
            row += len(unit)
            bar.update(len(unit))
    vectors.flush()
    codes.flush()
    dim = vectors.shape[1]
    del vectors, codes
    whole = f"{FORMAT}|{model}|{row}|{dim}|{ids_digest.hexdigest()}|{vectors_digest.hexdigest()}"
    key = hashlib.sha256(whole.encode()).hexdigest()[:16]
    folder = root / key
    if (folder / MANIFEST).exists():
        shutil.rmtree(partial, ignore_errors=True)
        return {**json.loads((folder / MANIFEST).read_text()), "reused": True}
    np.save(partial / IDS_FILE, _ids(names))
    manifest = {
        "backend": VECTOR_BACKEND,
        "format": FORMAT,
        "key": key,
        "model": model,
        "prompts": row,
        "dim": int(dim),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 3),
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(partial, folder)  # renamed when complete: a reader never sees half an index
    return {**manifest, "reused": False}


def prune_vector_indexes(warehouse: Path, keep: str | None) -> list[str]:
    """Remove the index folders beside ``warehouse`` other than ``keep`` (the published
    warehouse's), and leftovers of interrupted builds; return their names. A reader that still has
    a removed index open keeps reading it (its codes are in memory, its vectors memory-mapped)."""
    return prune_folders(vector_index_root(warehouse), keep)


class VectorIndex:
    """Prompt vectors searched exactly: int8 codes scanned in full, float32 to order the best."""

    def __init__(
        self,
        prompt_ids: np.ndarray,
        codes: np.ndarray,
        vectors: np.ndarray,
        threads: int | None = None,
        kernel: str = KERNELS[0],
    ):
        self.prompt_ids = prompt_ids
        # From a folder both are memory-mapped: opening costs nothing; every query scans all the
        # codes, so after the first the operating system keeps them in its page cache, while a query
        # reads a few hundred rows of the vectors.
        self.codes = codes
        self.vectors = vectors
        self.dim = int(codes.shape[1]) if codes.ndim == 2 else 0
        self.threads = threads or os.cpu_count() or 1
        if kernel not in KERNELS:
            raise ValueError(f"unknown scan kernel {kernel!r}; one of {', '.join(KERNELS)}")
        self.kernel = kernel
        # Rows fewer than this are scanned on one thread: splitting costs more than it saves.
        parallel = self.threads > 1 and len(codes) >= 20_000
        self._pool = ThreadPoolExecutor(self.threads, "vector-scan") if parallel else None

    def __len__(self) -> int:
        return len(self.prompt_ids)

    @classmethod
    def load(cls, folder: Path, kernel: str = KERNELS[0]) -> VectorIndex:
        return cls(
            np.load(folder / IDS_FILE),
            np.load(folder / CODES_FILE, mmap_mode="r"),
            np.load(folder / VECTORS_FILE, mmap_mode="r"),
            kernel=kernel,
        )

    def with_kernel(self, kernel: str) -> VectorIndex:
        """The same codes and vectors scanned by another kernel (for a side-by-side benchmark)."""
        return VectorIndex(self.prompt_ids, self.codes, self.vectors, self.threads, kernel)

    @classmethod
    def from_vectors(cls, prompt_ids, vectors: np.ndarray, threads: int | None = None) -> VectorIndex:
        """An index in memory (a DuckLake reader, which has no folder beside a file)."""
        names = np.asarray(prompt_ids, dtype=str)
        order = np.argsort(names, kind="stable")
        unit = _unit(vectors)[order]
        return cls(_ids(names[order]), _codes(unit), unit, threads)

    def ranks(self, query: np.ndarray, depth: int) -> list[tuple[str, float]]:
        """The ``depth`` prompts most similar to ``query``: (prompt_id, cosine similarity), best
        first, ties by prompt id. The int8 scan finds ``max(RERANK_MIN, RERANK_FACTOR * depth)``
        candidates; their float32 similarity orders them."""
        n = len(self)
        if depth <= 0 or not n:
            return []
        q = np.asarray(query, dtype=np.float32).ravel()
        norm = float(np.linalg.norm(q))
        if q.shape[0] != self.dim:
            raise ValueError(f"query has {q.shape[0]} dimensions, the index {self.dim}")
        if norm == 0:
            return []
        q = q / norm
        wanted = min(n, max(RERANK_MIN, RERANK_FACTOR * depth))
        q8 = _codes(q[None, :])[0]
        if self.kernel == "usearch":
            rows = _usearch_scan(self.codes, q8, wanted, self.threads)
        else:
            rows = _numkong_scan(self.codes, q8, wanted, self._pool, self.threads if self._pool else 1)
        rows = np.unique(rows[(rows >= 0) & (rows < n)])  # ascending: prompt id order
        sims = np.asarray(self.vectors[rows], dtype=np.float32) @ q
        best = np.lexsort((rows, -sims))[:depth]
        ids = self.prompt_ids[rows[best]]
        names = [i.decode() if isinstance(i, bytes) else str(i) for i in ids.tolist()]
        return list(zip(names, sims[best].astype(float).tolist(), strict=True))


def load_vector_index(warehouse: Path, info: dict) -> tuple[VectorIndex | None, str]:
    """The index recorded in the build_info ``info`` of the warehouse at ``warehouse``, or None
    and why not."""
    key = (info.get("vector_index") or {}).get("key")
    if not key:
        return None, "the warehouse was built without a vector index; genai-analyzer enrich makes it"
    if not available():
        return None, "numkong is not installed"
    folder = vector_index_root(warehouse) / key
    if not (folder / MANIFEST).exists():
        return None, f"its vector index ({key}) is not beside the warehouse; genai-analyzer enrich makes it"
    try:
        return VectorIndex.load(folder), ""
    except (OSError, ValueError) as exc:  # a truncated or damaged file: DuckDB answers instead
        return None, f"its vector index ({key}) cannot be read ({exc}); genai-analyzer enrich makes it again"
