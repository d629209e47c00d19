"""DuckLake as the warehouse target: a PostgreSQL catalog plus Parquet files (docs/ducklake.md).

Many workers cannot write one DuckDB file; a DuckLake can take commits from many. The build still
builds its own local DuckDB file (dbt-duckdb and the enrichment steps need one), then ``publish``
copies the tables the app reads into the lake in one transaction: one new DuckLake snapshot, or
none when anything fails, so the snapshot the app reads stays current.

The read side (``open_warehouse``) is an in-memory DuckDB with the lake ATTACHed ``READ_ONLY`` and
pinned to one snapshot, so that every query of an app's life reads the same build. The mart tables
and ``build_info`` appear in its ``main`` schema under their usual names, and the query layer runs
unchanged. Search indexes cannot live in a DuckLake, so ``dim_prompts`` is copied into memory and
its BM25 index is built there when the warehouse opens; its vectors are indexed in memory at the
first search by meaning (analysis/vector_search.py; an HNSW index when numkong is missing).

DuckLake has no fixed-size ARRAY type: ``publish`` stores ``FLOAT[384]`` as ``FLOAT[]`` and the
read side casts it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from genai_analyzer.core.catalog import parse_catalog, redact
from genai_analyzer.core.contract import BUILD_INFO_TABLE, MART_TABLES, WAREHOUSE_TARGETS
from genai_analyzer.core.errors import WarehouseError
from genai_analyzer.warehouse import duck

LAKE_EXTENSIONS = ("ducklake", "postgres_scanner")
# What the app reads: the marts and the build's record. Not raw.*, enrich.* (the marts carry their
# content) nor the search indexes (rebuilt in memory by the read side).
PUBLISHED_TABLES = (*MART_TABLES, BUILD_INFO_TABLE)
TARGETS = WAREHOUSE_TARGETS
_ARRAY_SUFFIX = re.compile(r"\[\d+\]$")


@dataclass(frozen=True)
class LakeTarget:
    """Where a DuckLake lives: its PostgreSQL catalog, where writers put Parquet files, and the
    snapshot readers see (None: the latest)."""

    catalog: str
    data_path: str = ""
    snapshot: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "catalog", parse_catalog(self.catalog))

    @classmethod
    def from_settings(cls, settings) -> LakeTarget | None:
        """The lake the settings select, or None when the target is the single file."""
        if settings.warehouse_target != "ducklake":
            return None
        data_path = settings.ducklake_data_path
        if data_path and "://" not in data_path:  # a local folder: absolute, ending in a separator
            data_path = str(Path(data_path).resolve()) + "/"
        return cls(settings.ducklake_catalog, data_path, settings.ducklake_snapshot or None)

    @property
    def uri(self) -> str:
        """What ATTACH takes: ``ducklake:postgres:<libpq connection string or URI>``."""
        return f"ducklake:postgres:{self.catalog}"

    def describe(self) -> str:
        """The catalog for messages, with any password hidden."""
        return redact(self.catalog)


def attach(con: duckdb.DuckDBPyConnection, target: LakeTarget, alias: str, *, read_only: bool = True) -> None:
    """ATTACH the lake as ``alias``: read-only at the target's snapshot, or for writing (which
    creates the lake on first use, with its Parquet files under ``target.data_path``)."""
    for name in LAKE_EXTENSIONS:
        con.execute(f"LOAD '{duck.extension_path(name)}'")
    options = []
    if read_only:
        options.append("READ_ONLY")
        if target.snapshot is not None:
            options.append(f"SNAPSHOT_VERSION {int(target.snapshot)}")
    elif target.data_path:
        if "://" not in target.data_path:
            Path(target.data_path).mkdir(parents=True, exist_ok=True)
        options.append(f"DATA_PATH {_literal(target.data_path)}")
    sql = f"ATTACH {_literal(target.uri)} AS {alias}" + (f" ({', '.join(options)})" if options else "")
    try:
        con.execute(sql)
    except duckdb.Error as exc:
        raise WarehouseError(_attach_message(target, exc, read_only)) from None


def _attach_message(target: LakeTarget, exc: duckdb.Error, read_only: bool) -> str:
    text = redact(str(exc))
    where = f"the DuckLake catalog {target.describe()!r}"
    if "creating a new DuckLake is explicitly disabled" in text:
        return (
            f"{where} holds no warehouse yet. Build one into it with: "
            "GENAI_WAREHOUSE_TARGET=ducklake genai-analyzer build --source sample"
        )
    if "Unable to connect to Postgres" in text:
        return (
            f"Cannot reach {where}: {text.split('Unable to connect to Postgres', 1)[1].strip()} "
            "Check GENAI_DUCKLAKE_CATALOG (host, port, dbname, user; a password can come from "
            "PGPASSWORD or ~/.pgpass) and that the server is running."
        )
    if "No snapshot found" in text:
        return f"{where} has no snapshot {target.snapshot} (GENAI_DUCKLAKE_SNAPSHOT): {text}"
    verb = "read" if read_only else "write to"
    return f"Cannot {verb} {where}: {text}"


def current_snapshot(con: duckdb.DuckDBPyConnection, alias: str) -> int:
    """The id of the newest snapshot of the lake attached as ``alias``."""
    return int(con.execute(f"SELECT max(snapshot_id) FROM {alias}.snapshots()").fetchone()[0])


def publish(source: Path, target: LakeTarget, *, tables: tuple[str, ...] = PUBLISHED_TABLES) -> int:
    """Copy ``tables`` of the DuckDB file ``source`` into the lake in one transaction; return the
    new snapshot's id. On any failure nothing is committed and the lake's current snapshot stays."""
    con = duck.connect(":memory:", extensions=())
    try:
        attach(con, target, "lake", read_only=False)
        con.execute(f"ATTACH {_literal(str(Path(source).resolve()))} AS src (READ_ONLY)")
        con.execute("BEGIN")
        try:
            for table in tables:
                select = _select_for_lake(con, "src", table)
                con.execute(f"CREATE OR REPLACE TABLE lake.main.{table} AS {select}")
            con.execute("COMMIT")
        except (duckdb.Error, WarehouseError):
            con.execute("ROLLBACK")
            raise
        return current_snapshot(con, "lake")
    except (duckdb.Error, WarehouseError) as exc:
        raise WarehouseError(
            f"Publishing to the DuckLake catalog {target.describe()!r} failed, nothing was committed: "
            f"{redact(str(exc))}"
        ) from None
    finally:
        con.close()


def _select_for_lake(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> str:
    """SELECT over ``catalog.main.table`` with fixed-size arrays cast to lists (DuckLake has none)."""
    columns = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = $c AND table_schema = 'main' AND table_name = $t ORDER BY ordinal_position",
        {"c": catalog, "t": table},
    ).fetchall()
    if not columns:
        raise WarehouseError(f"The built warehouse has no table {table} to publish.")
    casts = [
        f'"{name}"::{_ARRAY_SUFFIX.sub("[]", kind)} AS "{name}"'
        for name, kind in columns
        if _ARRAY_SUFFIX.search(kind)
    ]
    replace_clause = f" REPLACE ({', '.join(casts)})" if casts else ""
    return f"SELECT *{replace_clause} FROM {catalog}.main.{table}"


def has_warehouse(target: LakeTarget) -> bool:
    """Whether the lake holds a published build (False for a catalog never written to).
    Raises ``WarehouseError`` when the catalog cannot be reached."""
    con = duck.connect(":memory:", extensions=())
    try:
        attach(con, replace(target, snapshot=None), "lake")
    except WarehouseError as exc:
        if "holds no warehouse yet" in str(exc):
            return False
        raise
    else:
        return _missing_tables(con, "lake") == []
    finally:
        con.close()


def _missing_tables(con: duckdb.DuckDBPyConnection, alias: str) -> list[str]:
    present = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = $a AND table_schema = 'main'",
            {"a": alias},
        ).fetchall()
    }
    return [t for t in PUBLISHED_TABLES if t not in present]


def open_warehouse(
    target: LakeTarget, extensions: tuple[str, ...] = ("vss", "fts")
) -> tuple[duckdb.DuckDBPyConnection, LakeTarget]:
    """The app's read side over the lake: an in-memory DuckDB whose ``main`` schema shows the
    published tables, pinned to one snapshot. Returns the connection and the target with its
    snapshot filled in. With vss and fts, ``dim_prompts`` is an in-memory copy with its search
    indexes; without them it is a view."""
    con = duck.connect(":memory:", extensions=extensions)
    try:
        if target.snapshot is None:  # pin the newest snapshot: a later publish must not mix in
            attach(con, target, "lake")
            target = replace(target, snapshot=current_snapshot(con, "lake"))
            con.execute("DETACH lake")
        attach(con, target, "lake")
        missing = _missing_tables(con, "lake")
        if missing:
            raise WarehouseError(
                f"The DuckLake catalog {target.describe()!r} (snapshot {target.snapshot}) lacks "
                f"{', '.join(missing)}; publish a build into it with: "
                "GENAI_WAREHOUSE_TARGET=ducklake genai-analyzer build"
            )
        for table in PUBLISHED_TABLES:
            if table != "dim_prompts":
                con.execute(f"CREATE VIEW main.{table} AS SELECT * FROM lake.main.{table}")
        select = _select_from_lake(con)
        searchable = "vss" in extensions and "fts" in extensions
        con.execute(f"CREATE {'TABLE' if searchable else 'VIEW'} main.dim_prompts AS {select}")
        if searchable:
            from genai_analyzer.warehouse.indexes import create_search_indexes
            from genai_analyzer.warehouse.vector_index import available

            # no HNSW graph over the prompt vectors when the reader can index them itself at its
            # first search by meaning (analysis/vector_search.py): 108 s of every start at 100k
            create_search_indexes(con, prompt_hnsw=not available())
        return con, target
    except WarehouseError:
        con.close()
        raise
    except duckdb.Error as exc:
        con.close()
        raise WarehouseError(
            f"Cannot open the DuckLake catalog {target.describe()!r}: {redact(str(exc))}"
        ) from None


def _select_from_lake(con: duckdb.DuckDBPyConnection) -> str:
    """dim_prompts with its embeddings cast back to the fixed-size array search expects."""
    dim = con.execute("SELECT max(len(text_embedding)) FROM lake.main.dim_prompts").fetchone()[0]
    if not dim:
        return "SELECT * FROM lake.main.dim_prompts"
    cast = f"text_embedding::FLOAT[{int(dim)}] AS text_embedding"
    return f"SELECT * REPLACE ({cast}) FROM lake.main.dim_prompts"


def data_files(con: duckdb.DuckDBPyConnection, alias: str, snapshot: int) -> list[str]:
    """Every Parquet file (data and deletes) the published tables read at ``snapshot``."""
    files: set[str] = set()
    for table in PUBLISHED_TABLES:
        for data_file, delete_file in con.execute(
            "SELECT data_file, delete_file FROM ducklake_list_files($a, $t, snapshot_version => $s)",
            {"a": alias, "t": table, "s": snapshot},
        ).fetchall():
            files.update(f for f in (data_file, delete_file) if f)
    return sorted(files)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
