"""DuckDB connections: offline extension loading and build-time settings.

The vss and fts extensions come from their PyPI packages (``duckdb-extension-vss``,
``duckdb-extension-fts``) and are LOADed from the package folder; nothing is ever INSTALLed from
the network, which these machines cannot reach. The DuckLake target (docs/ducklake.md) loads
ducklake and postgres_scanner the same way, from the ``ducklake`` extra.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

from genai_analyzer.core.errors import WarehouseError

EXTENSION_PACKAGES = {
    "vss": "duckdb_extension_vss",
    "fts": "duckdb_extension_fts",
    "ducklake": "duckdb_extension_ducklake",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
}
# HNSW candidates explored per query. The index option of the same name is not applied by vss 1.5.5
# at query time, so every connection sets it; 200 takes recall@10 at 100k prompts from 0.90 to 0.97.
from genai_analyzer.core.contract import HNSW_EF_SEARCH  # noqa: E402


def extension_path(name: str) -> Path:
    """Path of the extension binary shipped by its PyPI package, for the running DuckDB."""
    try:
        package = importlib.import_module(EXTENSION_PACKAGES[name])
    except ModuleNotFoundError:
        raise WarehouseError(
            f"The {name} extension is not installed: pip install "
            f"{EXTENSION_PACKAGES[name].replace('_', '-')}=={duckdb.__version__}"
            + (' (or pip install ".[ducklake]")' if name in ("ducklake", "postgres_scanner") else "")
        ) from None
    root = Path(package.__file__).parent / "extensions"
    candidates = sorted(root.glob(f"v{duckdb.__version__}/**/{name}.duckdb_extension"))
    if not candidates:
        raise WarehouseError(
            f"The {name} extension for DuckDB {duckdb.__version__} is not in {root}; "
            f"install {EXTENSION_PACKAGES[name].replace('_', '-')}=={duckdb.__version__}."
        )
    return candidates[0]


def load_extensions(con: duckdb.DuckDBPyConnection, names=("vss", "fts")) -> None:
    """LOAD the named extensions from their package paths (never from the network)."""
    for name in names:
        con.execute(f"LOAD '{extension_path(name)}'")
    if "vss" in names:
        # HNSW indexes in a file database are only kept with this flag.
        con.execute("SET hnsw_enable_experimental_persistence = true")
        con.execute(f"SET GLOBAL hnsw_ef_search = {HNSW_EF_SEARCH}")  # GLOBAL: cursors too


def connect(
    path: Path | str,
    *,
    read_only: bool = False,
    threads: int = 0,
    memory_limit: str = "",
    extensions: tuple[str, ...] = ("vss", "fts"),
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database with the project's extensions loaded."""
    config = {"autoload_known_extensions": False, "autoinstall_known_extensions": False}
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    try:
        con = duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.Error as exc:
        raise WarehouseError(f"Cannot open the DuckDB database at {path}: {exc}") from exc
    load_extensions(con, extensions)
    return con
