"""Run the dbt project (models and data tests) in-process on a DuckDB file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from genai_analyzer.core.contract import DBT_PROJECT_DIR  # noqa: E402  (re-exported for the build)
from genai_analyzer.core.errors import BuildError


@dataclass
class DbtReport:
    """Counts of the models built and data tests passed, and the failures with their messages."""

    models: int = 0
    tests: int = 0
    failures: list[str] = field(default_factory=list)


def run_dbt(
    database: Path,
    *,
    work_dir: Path,
    command: str = "build",
    threads: int = 1,
    memory_limit: str = "",
    variables: dict | None = None,
    on_node_done=None,
) -> DbtReport:
    """``dbt build`` (models then tests) against ``database``; raise BuildError on any failure.

    ``work_dir`` holds dbt's target and log folders, so the installed package stays untouched.
    ``memory_limit``: DuckDB's for dbt's connection, as for the build's own (GENAI_MEMORY_LIMIT).
    ``on_node_done`` is called once per finished model or test (for a progress bar).
    """
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ["GENAI_DBT_DATABASE"] = str(database)
    os.environ["GENAI_DBT_THREADS"] = str(threads)
    os.environ["GENAI_DBT_MEMORY_LIMIT"] = dbt_memory_limit(memory_limit)
    from dbt.cli.main import dbtRunner

    def callback(event) -> None:
        if on_node_done is not None and event.info.name == "NodeFinished":
            on_node_done()

    args = [
        command,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
        "--quiet",
    ]  # fmt: skip
    if variables:
        import json

        args += ["--vars", json.dumps(variables)]
    try:
        result = dbtRunner(callbacks=[callback]).invoke(args)
    finally:
        _release_database()
    report = DbtReport()
    if result.exception is not None:
        raise BuildError("dbt", f"dbt could not run: {result.exception}")
    for node_result in result.result or []:
        kind = node_result.node.resource_type
        status = str(node_result.status)
        if status in ("error", "fail", "runtime error"):
            report.failures.append(f"{node_result.node.name}: {status}: {node_result.message}")
        elif kind == "model":
            report.models += 1
        elif kind == "test":
            report.tests += 1
    if report.failures or not result.success:
        shown = "; ".join(report.failures[:5]) or "dbt reported failure"
        raise BuildError("dbt", f"{len(report.failures)} model(s)/test(s) failed: {shown}")
    return report


def dbt_memory_limit(memory_limit: str) -> str:
    """The memory limit dbt's DuckDB connection gets: the one given (GENAI_MEMORY_LIMIT), else
    DuckDB's own default (80% of the machine's memory), which the profile cannot leave empty.
    Without it dbt ignored GENAI_MEMORY_LIMIT: at 2M generations with prompt vectors its models
    took the build's process to 9.7 GB."""
    if memory_limit:
        return memory_limit
    import duckdb

    with duckdb.connect() as con:
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0].replace(" ", "")


def _release_database() -> None:
    """Close dbt-duckdb's handle on the file, so the build can reopen it with its own settings.

    dbt-duckdb keeps one DuckDB instance per process in a class attribute; DuckDB refuses a second
    connection to the same file with a different configuration while that instance lives.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.adapters.factory import reset_adapters

    env = DuckDBConnectionManager._ENV
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()
    reset_adapters()


def count_nodes() -> int:
    """Models plus data tests in the project, for the progress bar's total (a rough count)."""
    import re

    models = list((DBT_PROJECT_DIR / "models").rglob("*.sql"))
    tests = 0
    for yml in (DBT_PROJECT_DIR / "models").rglob("schema.yml"):
        text = yml.read_text()
        tests += len(
            re.findall(r"^\s*- (unique|not_null|relationships|accepted_values|value_between)\b", text, re.M)
        )
        tests += sum(len(m.split(",")) for m in re.findall(r"data_tests: \[([^\]]*)\]", text))
    return len(models) + tests
