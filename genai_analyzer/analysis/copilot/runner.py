"""The SQL Copilot's safety layer: whatever SQL comes out (parser, LLM or a hand edit) only reads.

Three layers, each enough on its own for the worst cases:

1. ``check_sql`` reads the statement with sqlglot (DuckDB dialect) and refuses, with a message a
   user (or the LLM's repair step) can act on, anything but one SELECT / set operation / WITH ...
   SELECT over the warehouse's mart tables: writes and DDL anywhere in the tree, more than one
   statement, file, URL and catalog functions, other schemas and catalogs, unknown tables and the
   columns it can resolve. It returns the statement regenerated from the checked tree without
   comments, so what runs is what was checked (a ``-- */`` comment trick cannot reopen).
2. ``SafeRunner`` runs it on its own DuckDB instance: an in-memory database with the warehouse file
   ATTACHed ``READ_ONLY``; then ``enable_external_access = false`` (no files, URLs, ATTACH, COPY,
   INSTALL, LOAD) and ``lock_configuration = true`` (no SET / RESET / PRAGMA changes), with
   extension auto-install and auto-load, community and unsigned extensions, persistent secrets and
   Python replacement scans off; DuckDB's own parser must agree that it is exactly one SELECT.
3. A time limit (``cursor.interrupt()`` from a timer), a row cap (``max_rows + 1`` rows fetched
   from a streaming result, so a huge result is never built) and a look at DuckDB's plan (a join
   without a condition planned past ``max_cross_rows`` is refused) keep the app responsive.

Why a separate in-memory instance: DuckDB keeps one database instance per file per process, so a
second ``duckdb.connect`` to the file the app's ``Warehouse`` holds open fails when its config
differs ("Can't open a connection to same database file with a different configuration"), and a
``SET enable_external_access`` / ``lock_configuration`` on a cursor of the shared instance would
change the Warehouse too: its search needs the vss/fts extensions LOADed from files, and every
later ``Warehouse`` on that file would find the configuration locked. An in-memory instance is never
shared, so it can be locked down alone, and ATTACHing the file read-only next to the Warehouse's
instance works (verified in tests/test_copilot_safety.py, both open orders). The copilot needs no
extension: vss and fts are not loaded, and tables with HNSW indexes still read.

What the copilot may read, ``ALLOWED_TABLES``: the five mart tables. Not ``raw.*`` / ``enrich.*``
(the marts carry their content, typed and joined), not ``fts_main_*`` (index internals), not
``information_schema`` or ``duckdb_*()`` (the copilot's prompt already states the schema; the
catalog would only expose internals), and not ``build_info``: it records machine paths and build
settings, not activity, and the app's Overview tab already shows it. ``current_setting`` is refused
for the same reason (it reveals directories of the server).
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from genai_analyzer.analysis.copilot.guard import (
    ALLOWED_TABLES,
    QueryFailed,
    QueryTimeout,
    UnsafeQuery,
    check_sql,
    plain_error,
)
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.core.jsonable import plain

if TYPE_CHECKING:
    from genai_analyzer.warehouse.ducklake import LakeTarget

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_MAX_ROWS = 1000
DEFAULT_MEMORY_LIMIT = "1GB"
# A join without a condition whose planned size passes this is refused before it runs: it is
# nearly always a missing ON (a 1,000-row table crossed with itself three times is 10^9 rows).
DEFAULT_MAX_CROSS_ROWS = 10_000_000
# DuckDB errors that mean one of the engine's guards refused the statement (not a broken query).
_ENGINE_REFUSALS = ("read-only mode", "configuration has been locked", "disabled by configuration")
_ATTACHED_AS = "warehouse"  # catalog name of the attached file inside the runner's instance


# ---------------------------------------------------------------------------------------------
# Layers 2 and 3: the locked-down connection, the time limit and the row cap
# ---------------------------------------------------------------------------------------------


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


class SafeRunner:
    """Runs checked SQL on a private, read-only, locked-down DuckDB instance over the warehouse.

    ``timeout_s``: a query still running after this many seconds is interrupted (``QueryTimeout``).
    ``max_rows``: at most this many rows come back; ``QueryResult.truncated`` says when there were
    more. ``memory_limit``: DuckDB's limit for this instance, so a runaway query cannot take the
    app's memory. ``max_cross_rows``: a join without a condition planned to make more rows than
    this is refused. Safe to share between threads: each run takes its own cursor.

    ``lake``: read the DuckLake (at its pinned snapshot) instead of the file at ``db_path``. It is
    attached read-only like the file; as its Parquet files must stay readable, external access is
    then off except for exactly the files of that snapshot (``allowed_paths``), see docs/ducklake.md.
    """

    def __init__(
        self,
        db_path: Path | str,
        *,
        lake: LakeTarget | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_rows: int = DEFAULT_MAX_ROWS,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
        max_cross_rows: int = DEFAULT_MAX_CROSS_ROWS,
    ):
        if timeout_s <= 0 or max_rows < 1:
            raise ValueError("timeout_s must be positive and max_rows at least 1")
        self.path = Path(db_path)
        self.lake = lake
        self.timeout_s = float(timeout_s)
        self.max_rows = int(max_rows)
        self.max_cross_rows = int(max_cross_rows)
        if lake is None and not self.path.exists():
            raise UnsafeQuery(f"No warehouse at {self.path}; build one with: genai-analyzer build")
        self._lock = threading.Lock()
        self._secrets = ""  # the DuckLake runner's private, empty secret folder
        self._con = self._open(memory_limit)
        self.columns: dict[str, set[str]] = self._read_columns()

    def _open(self, memory_limit: str) -> duckdb.DuckDBPyConnection:
        config = {
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "allow_unsigned_extensions": False,
            "allow_persistent_secrets": False,
            "memory_limit": memory_limit,
            "temp_directory": "",  # never spill to disk: a runaway query fails instead
            # A table name must never resolve to a Python variable (a DataFrame) of the caller; set
            # here, not with SET, so that every cursor has it.
            "python_enable_replacements": False,
        }
        if self.lake is not None:
            # DuckLake's ATTACH looks secrets up in the persistent store, so that store must exist;
            # an empty folder of this runner's own keeps ~/.duckdb's secrets out of reach, and with
            # external access off nothing can be written to it.
            self._secrets = tempfile.mkdtemp(prefix="genai-copilot-secrets-")
            config.update(allow_persistent_secrets=True, secret_directory=self._secrets)
        con = duckdb.connect(":memory:", config=config)
        try:
            if self.lake is not None:
                self._attach_lake(con)
            else:
                path = str(self.path.resolve()).replace("'", "''")
                con.execute(f"ATTACH '{path}' AS {_ATTACHED_AS} (READ_ONLY)")
            con.execute(f"USE {_ATTACHED_AS}")
            # GLOBAL so that cursors have it too (a plain SET stays with this connection).
            con.execute("SET GLOBAL TimeZone = 'UTC'")
            # Order matters: the file is attached, then files go dark, then nothing can be changed.
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
        except (duckdb.Error, AnalyzerError) as exc:
            con.close()
            where = self.lake.describe() if self.lake is not None else self.path
            raise UnsafeQuery(f"Cannot open the warehouse at {where} for the copilot: {exc}") from exc
        return con

    def _attach_lake(self, con: duckdb.DuckDBPyConnection) -> None:
        """The DuckLake, read-only at its snapshot, with only that snapshot's Parquet files readable
        once external access is off. DuckDB's allow-list does not tell reads from writes: the
        statement check and DuckDB's one-SELECT check are what keep COPY out (docs/ducklake.md)."""
        from genai_analyzer.warehouse import ducklake

        lake = self.lake
        if lake.snapshot is None:
            probe = duckdb.connect(":memory:", config={"autoload_known_extensions": False})
            try:
                ducklake.attach(probe, lake, "lake")
                lake = replace(lake, snapshot=ducklake.current_snapshot(probe, "lake"))
            finally:
                probe.close()
            self.lake = lake
        ducklake.attach(con, lake, _ATTACHED_AS)
        files = ducklake.data_files(con, _ATTACHED_AS, lake.snapshot)
        con.execute("SET allowed_paths = $files", {"files": files})

    def _read_columns(self) -> dict[str, set[str]]:
        cur = self._cursor()
        try:
            rows = cur.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_catalog = $catalog AND table_schema = 'main' "
                "AND list_contains($tables, table_name)",
                {"catalog": _ATTACHED_AS, "tables": list(ALLOWED_TABLES)},
            ).fetchall()
        finally:
            cur.close()
        columns: dict[str, set[str]] = {}
        for table, column in rows:
            columns.setdefault(table, set()).add(column)
        return columns

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:  # cursor creation is not thread-safe on one connection
            cur = self._con.cursor()
        cur.execute(f"USE {_ATTACHED_AS}")  # a cursor starts in the default (in-memory) catalog
        return cur

    def check(self, sql: str) -> str:
        """``check_sql`` against this warehouse's tables."""
        return check_sql(sql, self.columns)

    def run(self, sql: str) -> QueryResult:
        """Check ``sql`` and run it: ``UnsafeQuery``, ``QueryTimeout`` or ``QueryFailed`` otherwise."""
        checked = self.check(sql)
        self._require_one_select(checked)
        return self._execute(checked, check_plan=True)

    def _require_one_select(self, sql: str) -> None:
        """DuckDB's own parser must see what sqlglot saw: one SELECT."""
        try:
            statements = self._con.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryFailed(f"DuckDB could not parse the query: {exc}") from exc
        if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
            kinds = ", ".join(s.type.name for s in statements)
            raise UnsafeQuery(f"Only one SELECT statement can run; DuckDB reads this as: {kinds}.")

    def _check_plan(self, cur: duckdb.DuckDBPyConnection, sql: str) -> None:
        """Refuse a cross product that DuckDB plans to be larger than ``max_cross_rows``."""
        try:
            plan = json.loads(cur.execute(f"EXPLAIN (FORMAT json) {sql}").fetchall()[0][1])
        except (ValueError, IndexError, TypeError):
            return  # an unexpected EXPLAIN shape: the time limit still holds
        for node in _plan_nodes(plan):
            if node.get("name") == "CROSS_PRODUCT" and _estimate(node) > self.max_cross_rows:
                raise UnsafeQuery(
                    f"The query joins tables without a join condition and would make about "
                    f"{_estimate(node):,} rows (the limit is {self.max_cross_rows:,}). Join on a key, "
                    "e.g. JOIN dim_users USING (user_id)."
                )

    def _execute(self, sql: str, *, check_plan: bool = False) -> QueryResult:
        """Run ``sql`` under the time limit and row cap, with no statement check of its own (the
        engine's guards still apply: tests call this directly to prove they hold)."""
        cur = self._cursor()
        timer = threading.Timer(self.timeout_s, cur.interrupt)
        started = time.perf_counter()
        timer.start()
        try:
            if check_plan:
                self._check_plan(cur, sql)
            cur.execute(sql)
            names = [d[0] for d in cur.description] if cur.description else []
            fetched = cur.fetchmany(self.max_rows + 1)
        except duckdb.InterruptException:
            raise QueryTimeout(self._timeout_message()) from None
        except duckdb.Error as exc:
            message = plain_error(exc)
            if isinstance(exc, duckdb.PermissionException) or any(m in message for m in _ENGINE_REFUSALS):
                raise UnsafeQuery(f"The database refused the query: {message}") from None
            if not timer.is_alive():  # the interrupt can surface as another error type
                raise QueryTimeout(self._timeout_message()) from None
            raise QueryFailed(f"DuckDB error: {message}") from exc
        finally:
            timer.cancel()
            cur.close()
        elapsed_ms = (time.perf_counter() - started) * 1000
        truncated = len(fetched) > self.max_rows
        rows = [[plain(v) for v in row] for row in fetched[: self.max_rows]]
        return QueryResult(sql=sql, columns=names, rows=rows, truncated=truncated, elapsed_ms=elapsed_ms)

    def _timeout_message(self) -> str:
        return (
            f"The query ran longer than {self.timeout_s:g} s and was stopped. Narrow it down: filter with "
            "WHERE, aggregate before joining, and join on keys (a join without a condition multiplies rows)."
        )

    def close(self) -> None:
        self._con.close()
        if self._secrets:
            shutil.rmtree(self._secrets, ignore_errors=True)

    def __enter__(self) -> SafeRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _plan_nodes(plan):
    for node in plan if isinstance(plan, list) else [plan]:
        yield node
        yield from _plan_nodes(node.get("children", []))


def _estimate(node) -> int:
    """A plan node's estimated rows; DuckDB leaves cross products (and some others) blank."""
    value = node.get("extra_info", {}).get("Estimated Cardinality")
    if value not in (None, ""):
        try:
            return int(value)
        except ValueError:
            pass
    children = [_estimate(child) for child in node.get("children", [])]
    if node.get("name") == "CROSS_PRODUCT":
        return math.prod(children)
    if node.get("name") == "UNGROUPED_AGGREGATE":
        return 1
    return max(children, default=1)
