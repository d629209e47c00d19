"""The read side: one query object over the built warehouse, opened read-only.

Callers (CLI, app, copilot) reach data only through ``Warehouse.query``; values are always bound
parameters (``$name`` with a dict). Gradio runs callbacks on worker threads, so each call takes its
own cursor from the one read-only connection.

The warehouse is the single DuckDB file, or a DuckLake (``GENAI_WAREHOUSE_TARGET=ducklake``): then
the connection is an in-memory DuckDB over the lake, pinned to one snapshot, showing the same
tables (genai_analyzer/warehouse/ducklake.py).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from genai_analyzer.core.contract import MART_TABLES  # noqa: F401  (the tables this reads)
from genai_analyzer.core.errors import WarehouseError
from genai_analyzer.warehouse import duck

if TYPE_CHECKING:
    from genai_analyzer.core.settings import Settings
    from genai_analyzer.warehouse.ducklake import LakeTarget


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
        self._con.execute("SET GLOBAL TimeZone = 'UTC'")  # GLOBAL: the cursors queries run on see it
        self._lock = threading.Lock()
        self._memo: dict = {}

    @classmethod
    def from_settings(cls, settings: Settings, *, extensions: tuple[str, ...] = ("vss", "fts")) -> Warehouse:
        """The warehouse the settings select: the file at GENAI_DB, or the DuckLake."""
        from genai_analyzer.warehouse.ducklake import LakeTarget

        return cls(settings.db_path, extensions=extensions, lake=LakeTarget.from_settings(settings))

    def memo(self, key: str, compute):
        """``compute()`` once per open warehouse: it is read-only, so what it holds cannot change."""
        if key not in self._memo:
            value = compute()
            with self._lock:
                self._memo.setdefault(key, value)
        return self._memo[key]

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:  # cursor creation is not thread-safe on one connection
            return self._con.cursor()

    def query(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        """Run one statement with bound parameters; return the result as a DataFrame."""
        cur = self.cursor()
        try:
            return cur.execute(sql, params or {}).df()
        finally:
            cur.close()

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        """Run one statement; return its rows as tuples (cheaper than a DataFrame for a few rows)."""
        cur = self.cursor()
        try:
            return cur.execute(sql, params or {}).fetchall()
        finally:
            cur.close()

    def scalar(self, sql: str, params: dict | None = None):
        cur = self.cursor()
        try:
            row = cur.execute(sql, params or {}).fetchone()
            return None if row is None else row[0]
        finally:
            cur.close()

    def row(self, sql: str, params: dict | None = None) -> dict:
        """The first row as {column: Python value} (ints stay ints, dates stay dates)."""
        cur = self.cursor()
        try:
            cur.execute(sql, params or {})
            names = [d[0] for d in cur.description]
            values = cur.fetchone()
            return dict(zip(names, values, strict=True)) if values is not None else {}
        finally:
            cur.close()

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
