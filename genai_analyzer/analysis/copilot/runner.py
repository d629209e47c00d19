"""The SQL Copilot's safety layer: whatever SQL comes out (parser, LLM or a hand edit) only reads.

Three layers, each enough on its own for the worst cases:

1. ``check_sql`` reads the statement with sqlglot (DuckDB dialect) and refuses, with a message a
   user (or the LLM's repair step) can act on, anything but one SELECT / set operation / WITH ...
   SELECT over the warehouse's mart tables: writes and DDL anywhere in the tree, more than one
   statement, file, URL and catalog functions, other schemas and catalogs, unknown tables and the
   columns it can resolve. It returns the statement regenerated from the checked tree without
   comments, so what runs is what was checked (a ``-- */`` comment trick cannot reopen).
2. ``SafeRunner`` runs it on a DuckDB instance of its own, in a worker process: an in-memory
   database with the warehouse file ATTACHed ``READ_ONLY``; then ``enable_external_access =
   false`` (no files, URLs, ATTACH, COPY, INSTALL, LOAD) and ``lock_configuration = true`` (no
   SET / RESET / PRAGMA changes), with extension auto-install and auto-load, community and
   unsigned extensions, persistent secrets and Python replacement scans off; DuckDB's own parser
   must agree that it is exactly one SELECT.
3. Limits, in a worker process (worker.py): a wall-clock deadline that starts when the request
   arrives (DuckDB's ``interrupt()`` first; the worker is killed when it overruns), an address-space
   cap (``RLIMIT_AS``) that no allocation escapes, a row cap (``max_rows + 1`` rows fetched from a
   streaming result, so a huge result is never built) and a look at DuckDB's plan (a join without
   a condition planned past ``max_cross_rows`` is refused). A worker over a limit is replaced; the
   app's own process, and everyone else's queries, never carry the cost.

Why a separate in-memory instance: DuckDB keeps one database instance per file per process, so a
second ``duckdb.connect`` to the file the app's ``Warehouse`` holds open fails when its config
differs ("Can't open a connection to same database file with a different configuration"), and a
``SET enable_external_access`` / ``lock_configuration`` on a cursor of the shared instance would
change the Warehouse too: its search needs the vss/fts extensions LOADed from files, and every
later ``Warehouse`` on that file would find the configuration locked. An in-memory instance is never
shared, so it can be locked down alone, and ATTACHing the file read-only next to the Warehouse's
instance works (verified in tests/test_copilot_safety.py, both open orders). The copilot needs no
extension: vss and fts are not loaded, and tables with HNSW indexes still read. Since each
instance now lives in a worker process, the app's process holds none at all, only an empty
in-memory connection whose parser checks that DuckDB, too, reads exactly one SELECT.

What the copilot may read, ``ALLOWED_TABLES``: the five mart tables. Not ``raw.*`` / ``enrich.*``
(the marts carry their content, typed and joined), not ``fts_main_*`` (index internals), not
``information_schema`` or ``duckdb_*()`` (the copilot's prompt already states the schema; the
catalog would only expose internals), and not ``build_info``: it records machine paths and build
settings, not activity, and the app's Overview tab already shows it. ``current_setting`` is refused
for the same reason (it reveals directories of the server).
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from genai_analyzer.analysis.copilot.guard import (
    ALLOWED_TABLES,
    QueryFailed,
    QueryTimeout,
    UnsafeQuery,
    check_sql,
)
from genai_analyzer.analysis.copilot.worker import WorkerConfig, WorkerPool, WorkerStartError

if TYPE_CHECKING:
    from genai_analyzer.warehouse.ducklake import LakeTarget

__all__ = ["ALLOWED_TABLES", "QueryResult", "QueryTooLarge", "SafeRunner"]

DEFAULT_MAX_ROWS = 1000
# A join without a condition whose planned size passes this is refused before it runs: it is
# nearly always a missing ON (a 1,000-row table crossed with itself three times is 10^9 rows).
DEFAULT_MAX_CROSS_ROWS = 10_000_000
# The worker's reply (rows and all) may not pass this; a bigger result is refused in the worker.
DEFAULT_MAX_RESULT_BYTES = 64 << 20
# The parent kills a worker still running this long after the deadline (DuckDB's own interrupt
# comes at the deadline; a string function that ignores it is cut here).
GRACE_S = 0.5


class QueryTooLarge(QueryTimeout):
    """The query needed more memory than its limit and was stopped. A ``QueryTimeout``: like a
    query over time, it is not a broken query that a repair step could fix, and callers that handle
    the time limit handle this one too."""


@dataclass
class QueryResult:
    """A query's answer: JSON-friendly rows (ISO dates, floats for decimals, None for NaN)."""

    sql: str
    columns: list[str]
    rows: list[list]
    truncated: bool  # more rows existed than the runner's max_rows
    elapsed_ms: float

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)


def _limits() -> tuple[float, int, int]:
    from genai_analyzer.core.settings import Settings

    settings = Settings.from_env()
    return settings.query_timeout_s, settings.query_memory_mb, settings.query_workers


class SafeRunner:
    """Checks SQL here, runs it in worker processes on private, read-only, locked-down DuckDB
    instances over the warehouse.

    ``timeout_s``: the request's wall-clock limit, from its arrival (``QueryTimeout``).
    ``memory_mb``: what one query may allocate in its worker (``QueryTooLarge``). ``workers``: how
    many queries run at once; more wait for a free worker, within their deadline. The three default
    to ``GENAI_QUERY_TIMEOUT_S``, ``GENAI_QUERY_MEMORY_MB`` and ``GENAI_QUERY_WORKERS``.
    ``max_rows``: at most this many rows come back; ``QueryResult.truncated`` says when there were
    more. ``max_cross_rows``: a join without a condition planned to make more rows than this is
    refused. Safe to share between threads.

    ``lake``: read the DuckLake (at its pinned snapshot) instead of the file at ``db_path``. It is
    attached read-only like the file; as its Parquet files must stay readable, external access is
    then off except for exactly the files of that snapshot (``allowed_paths``), see docs/ducklake.md.
    """

    def __init__(
        self,
        db_path: Path | str,
        *,
        lake: LakeTarget | None = None,
        timeout_s: float | None = None,
        max_rows: int = DEFAULT_MAX_ROWS,
        memory_mb: int | None = None,
        workers: int | None = None,
        max_cross_rows: int = DEFAULT_MAX_CROSS_ROWS,
        max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
    ):
        if None in (timeout_s, memory_mb, workers):
            default_timeout, default_memory, default_workers = _limits()
            timeout_s = default_timeout if timeout_s is None else timeout_s
            memory_mb = default_memory if memory_mb is None else memory_mb
            workers = default_workers if workers is None else workers
        if timeout_s <= 0 or max_rows < 1 or memory_mb < 1 or workers < 1:
            raise ValueError("timeout_s, memory_mb and workers must be positive and max_rows at least 1")
        self.path = Path(db_path)
        self.timeout_s = float(timeout_s)
        self.max_rows = int(max_rows)
        self.memory_mb = int(memory_mb)
        self.max_cross_rows = int(max_cross_rows)
        if lake is None and not self.path.exists():
            raise UnsafeQuery(f"No warehouse at {self.path}; build one with: genai-analyzer build")
        # DuckLake's ATTACH needs a persistent secret store: an empty folder of this runner's own
        self._secrets = tempfile.mkdtemp(prefix="genai-copilot-secrets-") if lake is not None else ""
        # only parses (extract_statements): no data, no files
        self._parser = duckdb.connect(":memory:", config={"autoload_known_extensions": False})
        config = WorkerConfig(
            path=str(self.path.resolve()),
            lake=lake,
            secret_dir=self._secrets,
            memory_mb=self.memory_mb,
            max_rows=self.max_rows,
            max_cross_rows=self.max_cross_rows,
            max_result_bytes=int(max_result_bytes),
        )
        try:
            self._pool = WorkerPool(config, size=int(workers), grace_s=GRACE_S)
        except WorkerStartError as exc:
            self._cleanup()
            where = lake.describe() if lake is not None else self.path
            raise UnsafeQuery(f"Cannot open the warehouse at {where} for the copilot: {exc}") from None
        self.lake = self._pool.config.lake  # pinned to the snapshot the first worker saw
        self.columns: dict[str, set[str]] = self._pool.columns

    def check(self, sql: str) -> str:
        """``check_sql`` against this warehouse's tables."""
        return check_sql(sql, self.columns)

    def run(self, sql: str) -> QueryResult:
        """Check ``sql`` and run it: ``UnsafeQuery``, ``QueryTimeout`` (``QueryTooLarge`` for the
        memory limit) or ``QueryFailed`` otherwise. The deadline starts now."""
        deadline = time.monotonic() + self.timeout_s
        checked = self.check(sql)
        self._require_one_select(checked)
        return self._execute(checked, check_plan=True, deadline=deadline)

    def _require_one_select(self, sql: str) -> None:
        """DuckDB's own parser must see what sqlglot saw: one SELECT."""
        try:
            statements = self._parser.cursor().extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryFailed(f"DuckDB could not parse the query: {exc}") from exc
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            kinds = ", ".join(s.type.name for s in statements)
            raise UnsafeQuery(f"Only one SELECT statement can run; DuckDB reads this as: {kinds}.")

    def _execute(self, sql: str, *, check_plan: bool = False, deadline: float | None = None) -> QueryResult:
        """Run ``sql`` in a worker under the limits, with no statement check of its own (the
        engine's guards still apply: tests call this directly to prove they hold)."""
        started = time.monotonic()
        if deadline is None:
            deadline = started + self.timeout_s
        try:
            reply = self._pool.execute(sql, check_plan=check_plan, deadline=deadline)
        except WorkerStartError as exc:
            raise QueryFailed(f"The query could not run: {exc}") from None
        kind = reply[0]
        if kind == "ok":
            _, names, rows, truncated = reply
            elapsed_ms = (time.monotonic() - started) * 1000
            return QueryResult(sql=sql, columns=names, rows=rows, truncated=truncated, elapsed_ms=elapsed_ms)
        if kind == "timeout":
            raise QueryTimeout(self._timeout_message(busy=reply[1] == "busy"))
        if kind in ("memory", "died"):
            raise QueryTooLarge(self._memory_message(reply[1] if kind == "died" else None))
        if kind == "unsafe":
            message = reply[1]
            if message.startswith("The query joins tables"):
                raise UnsafeQuery(message)
            raise UnsafeQuery(f"The database refused the query: {message}")
        raise QueryFailed(
            reply[1] if reply[1].startswith("The result is larger") else f"DuckDB error: {reply[1]}"
        )

    def _timeout_message(self, *, busy: bool = False) -> str:
        if busy:
            return (
                f"The query could not start within {self.timeout_s:g} s: every query worker was busy "
                "with other queries. Try again in a moment."
            )
        return (
            f"The query ran longer than {self.timeout_s:g} s and was stopped. Narrow it down: filter with "
            "WHERE, aggregate before joining, and join on keys (a join without a condition multiplies rows)."
        )

    def _memory_message(self, exitcode: int | None) -> str:
        size = f"{self.memory_mb / 1024:g} GB" if self.memory_mb % 1024 == 0 else f"{self.memory_mb} MB"
        how = ""
        if exitcode is not None and exitcode < 0:
            try:
                how = f" (its worker process was ended by {signal.Signals(-exitcode).name})"
            except ValueError:
                how = f" (its worker process was ended by signal {-exitcode})"
        return (
            f"The query needed more than {size} of memory and was stopped{how}. Narrow it down: "
            "filter with WHERE, aggregate, and avoid building huge strings or lists."
        )

    def worker_pids(self) -> list[int]:
        """The process ids of the idle workers."""
        return self._pool.pids()

    def _cleanup(self) -> None:
        self._parser.close()
        if self._secrets:
            shutil.rmtree(self._secrets, ignore_errors=True)

    def close(self) -> None:
        self._pool.close()
        self._cleanup()

    def __enter__(self) -> SafeRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
