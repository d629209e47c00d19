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


# The colours a Space's card may take (Hugging Face's Spaces configuration reference).
SPACE_COLORS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}


def _front_matter() -> tuple[dict, int]:
    """The README's YAML front matter (what makes the repository a Space) and its lines."""
    import yaml

    readme = (ROOT / "README.md").read_text()
    assert readme.startswith("---\n"), "the Space's front matter must open README.md"
    block, sep, _ = readme.removeprefix("---\n").partition("\n---\n")
    assert sep, "the front matter closes with a line of ---"
    return yaml.safe_load(block), block.count("\n") + 1


def test_readme_front_matter_makes_the_repository_a_gradio_space_on_the_pinned_gradio():
    from packaging.specifiers import SpecifierSet

    meta, lines = _front_matter()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = _pins((ROOT / "requirements.txt").read_text().splitlines())
    assert meta["sdk"] == "gradio"
    assert isinstance(meta["sdk_version"], str) and meta["sdk_version"] == pins["gradio"]
    assert meta["app_file"] == "app.py" and (ROOT / meta["app_file"]).is_file()
    assert meta["pinned"] is False
    assert meta["title"] and meta["emoji"]
    assert {meta["colorFrom"], meta["colorTo"]} <= SPACE_COLORS
    # a Space runs Python 3.10 unless told: the one the project requires
    assert isinstance(meta["python_version"], str)
    assert meta["python_version"] in SpecifierSet(project["requires-python"])
    # GitHub draws the front matter as a one-row table above the title: kept that small, the two
    # set-up commands stay on the first screen (test above)
    assert lines <= 10 and all(len(str(v)) <= 30 for v in meta.values())
