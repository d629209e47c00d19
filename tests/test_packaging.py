"""What a newcomer runs: the README's two commands, CI running the same, pins that agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pins(lines) -> dict[str, str]:
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_requirements_and_pyproject_pin_the_same_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    from_pyproject = _pins(project["dependencies"])
    from_requirements = _pins((ROOT / "requirements.txt").read_text().splitlines())
    assert from_pyproject == from_requirements
    assert all(from_pyproject.values()), "every dependency is pinned with =="


def test_readme_first_screen_has_exactly_two_setup_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    first_screen = readme.split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", first_screen, re.S)
    commands = [line for block in blocks for line in block.strip().splitlines() if not line.startswith("#")]
    assert len(commands) == 2, commands
    app_command, test_command = commands
    assert "requirements.txt" in app_command and "app.py" in app_command
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_console_script_points_at_the_cli():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["genai-analyzer"] == "genai_analyzer.cli:main"
