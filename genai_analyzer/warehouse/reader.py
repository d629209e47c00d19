"""The read side: one query object over the built warehouse, opened read-only.

Callers (CLI, app, copilot) reach data only through ``Warehouse.query``; values are always bound
parameters (``$name`` with a dict). Gradio runs callbacks on worker threads, so each call takes its
own cursor from the one read-only connection.

The warehouse is the single DuckDB file, or a DuckLake (``GENAI_WAREHOUSE_TARGET=ducklake``): then
the connection is an in-memory DuckDB over the lake, pinned to one snapshot, showing the same
tables (genai_analyzer/warehouse/ducklake.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Hashable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from genai_analyzer.core.contract import JOIN_PUSHDOWN_KEYS, MART_TABLES  # noqa: F401  (MART_TABLES: the tables this reads)
from genai_analyzer.core.errors import WarehouseError
from genai_analyzer.warehouse import duck

if TYPE_CHECKING:
    from genai_analyzer.core.settings import Settings
    from genai_analyzer.warehouse.ducklake import LakeTarget

MEMO_LIMIT = 256  # values Warehouse.memo keeps, the oldest forgotten first


class Warehouse:
    """A read-only DuckDB warehouse built by ``genai-analyzer build``: the file at ``path``, or the
    DuckLake ``lake`` (``path`` is then the build's local file, beside which thumbnails live)."""

    def __init__(
        self,
        path: Path | str,
        *,
        extensions: tuple[str, ...] = ("vss", "fts"),
        lake: LakeTarget | None = None,
    ):
        self.path = Path(path)
        self.lake = lake  # with its snapshot pinned once open
        if lake is not None:
            from genai_analyzer.warehouse import ducklake

            self._con, self.lake = ducklake.open_warehouse(lake, extensions)
        elif not self.path.exists():
            raise WarehouseError(
                f"No warehouse at {self.path}. Build one with: genai-analyzer build --source sample"
            )
        else:
            self._con = duck.connect(self.path, read_only=True, extensions=extensions)
        self._configure()
        self._extensions = extensions
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)  # signalled when a query ends or a re-open does
        self._active = 0  # queries running now
        self._reopening = False
        self._inode = _inode(self.path) if lake is None else None
        self._memo: dict = {}

    def _configure(self) -> None:
        """Settings of every read connection; GLOBAL so that the cursors queries run on see them."""
        self._con.execute("SET GLOBAL TimeZone = 'UTC'")
        self._con.execute(f"SET GLOBAL dynamic_or_filter_threshold = {JOIN_PUSHDOWN_KEYS}")

    @classmethod
    def from_settings(cls, settings: Settings, *, extensions: tuple[str, ...] = ("vss", "fts")) -> Warehouse:
        """The warehouse the settings select: the file at GENAI_DB, or the DuckLake. A file built by
        an older version is refused, naming what it lacks (``datamodel.check_current``): the app and
        the commands would otherwise fail query by query with a database error."""
        from genai_analyzer.warehouse.datamodel import check_current
        from genai_analyzer.warehouse.ducklake import LakeTarget

        lake = LakeTarget.from_settings(settings)
        wh = cls(settings.db_path, extensions=extensions, lake=lake)
        if lake is None:
            try:
                check_current(str(settings.db_path), wh.tables())
            except Exception:
                wh.close()
                raise
        return wh

    def memo(self, key: Hashable, compute):
        """``compute()`` once per open warehouse: it is read-only, so what it holds cannot change.
        The least recently used of more than ``MEMO_LIMIT`` remembered values is forgotten (keys
        may hold filters, of which a long-running app sees many; the loaded search indexes, used by
        every search, stay)."""
        with self._lock:
            if key in self._memo:
                self._memo[key] = self._memo.pop(key)  # now the most recently used
                return self._memo[key]
        value = compute()
        with self._lock:
            value = self._memo.setdefault(key, value)
            while len(self._memo) > MEMO_LIMIT:
                del self._memo[next(iter(self._memo))]
        return value

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of its own (the caller closes it). Queries should use ``query``/``rows``/...,
        which a re-open waits for; a cursor taken here is not waited for."""
        with self._lock:  # cursor creation is not thread-safe on one connection
            self._idle.wait_for(lambda: not self._reopening)
            return self._con.cursor()

    @contextlib.contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            self._idle.wait_for(lambda: not self._reopening)
            cur = self._con.cursor()
            self._active += 1
        try:
            yield cur
        finally:
            cur.close()
            with self._lock:
                self._active -= 1
                self._idle.notify_all()

    def query(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        """Run one statement with bound parameters; return the result as a DataFrame."""
        with self._cursor() as cur:
            return cur.execute(sql, params or {}).df()

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        """Run one statement; return its rows as tuples (cheaper than a DataFrame for a few rows)."""
        with self._cursor() as cur:
            return cur.execute(sql, params or {}).fetchall()

    def arrays(self, sql: str, params: dict | None = None) -> dict:
        """Run one statement; return its columns as numpy arrays (for many rows of few columns)."""
        with self._cursor() as cur:
            return cur.execute(sql, params or {}).fetchnumpy()

    def scalar(self, sql: str, params: dict | None = None):
        with self._cursor() as cur:
            row = cur.execute(sql, params or {}).fetchone()
            return None if row is None else row[0]

    def row(self, sql: str, params: dict | None = None) -> dict:
        """The first row as {column: Python value} (ints stay ints, dates stay dates)."""
        with self._cursor() as cur:
            cur.execute(sql, params or {})
            names = [d[0] for d in cur.description]
            values = cur.fetchone()
            return dict(zip(names, values, strict=True)) if values is not None else {}

    def replaced(self) -> bool:
        """Whether the file at ``path`` is no longer the one this warehouse opened (a build,
        ``enrich`` or the full-tier job swapped a new one in)."""
        return self._inode is not None and _inode(self.path) not in (None, self._inode)

    def reopen_if_replaced(self, *, timeout_s: float = 30.0) -> bool:
        """Re-open the file when it was replaced; True when this re-opened it."""
        return self.replaced() and self.reopen(timeout_s=timeout_s)

    def reopen(self, *, timeout_s: float = 30.0) -> bool:
        """Open the file at ``path`` again, forgetting what was remembered of the old one.

        New queries wait while the running ones finish (at most ``timeout_s``: then nothing is
        re-opened and False returned, to try again later), the old connection is closed and the new
        file opened. DuckDB shares one open database per path within a process, so the old one has
        to be closed before the new file can be seen. Not for a DuckLake warehouse."""
        if self.lake is not None:
            return False
        with self._lock:
            if self._reopening:
                return False
            self._reopening = True
            try:
                if not self._idle.wait_for(lambda: self._active == 0, timeout=timeout_s):
                    return False
                self._con.close()
                self._con = duck.connect(self.path, read_only=True, extensions=self._extensions)
                self._configure()
                self._inode = _inode(self.path)
                self._memo = {}  # what was remembered of the old file
                return True
            finally:
                self._reopening = False
                self._idle.notify_all()

    def tables(self) -> dict[str, list[str]]:
        """schema.table -> column names, for every table and view in the warehouse."""
        frame = self.query(
            "SELECT table_schema || '.' || table_name AS t, list(column_name ORDER BY ordinal_position) AS c "
            "FROM information_schema.columns WHERE table_catalog = current_database() GROUP BY 1 ORDER BY 1"
        )
        return {row.t: list(row.c) for row in frame.itertuples()}

    def build_info(self) -> dict:
        """The build's record: source, settings, simulated columns, step timings."""
        frame = self.query("SELECT key, value FROM build_info")
        return {row.key: json.loads(row.value) for row in frame.itertuples()}

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None
