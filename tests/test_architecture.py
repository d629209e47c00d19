"""The floor plan (docs/architecture.md) holds: layers point one way, each definition exists once."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "genai_analyzer"


def _sources() -> dict[Path, str]:
    return {p: p.read_text() for p in PACKAGE.rglob("*.py")}


def test_import_linter_contracts_pass_with_no_exceptions():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert "ignore_imports" not in pyproject, "the contracts must hold without listed exceptions"
    result = subprocess.run(
        ["lint-imports", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The contract is not vacuous: a copy of the package with the warehouse importing the app fails."""
    copy = tmp_path / "genai_analyzer"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "data", "dbt_project"))
    (copy / "warehouse" / "upward.py").write_text("from genai_analyzer.app import routes  # noqa\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        ["lint-imports", "--no-cache"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert result.returncode == 1
    assert "genai_analyzer.warehouse is not allowed to import genai_analyzer.app" in result.stdout


@pytest.mark.parametrize(
    "pattern, home",
    [
        # the mart tables are listed once, in the warehouse contract
        (r'"fact_generations",\s*"dim_users"', "core/contract.py"),
        # the filter fields are named once
        (r'FilterField\("art_styles"', "analysis/filters.py"),
        # metric labels live in the semantic layer only; the UI asks the formatter for them
        (r'"Success rate"', None),
        # number formats for rates and money are the formatter's
        (r"\{100 \* [a-z_]+:\.1f\}%", "analysis/formatting.py"),
        # the dimension values are queried in one place
        (r"SELECT DISTINCT \{expr\}", "analysis/queries.py"),
    ],
)
def test_each_definition_exists_once(pattern, home):
    found = [p.relative_to(PACKAGE).as_posix() for p, text in _sources().items() if re.search(pattern, text)]
    assert found == ([home] if home else []), found


def test_no_module_is_over_500_lines():
    long = {p.relative_to(PACKAGE).as_posix(): n for p, t in _sources().items() if (n := t.count("\n")) > 500}
    assert not long, long


def test_ui_modules_hold_no_sql():
    sql = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b\s+[\w*(]")
    offenders = [
        p.relative_to(PACKAGE).as_posix()
        for p, text in _sources().items()
        if p.parent.name == "app" and sql.search(text)
    ]
    assert not offenders, offenders
