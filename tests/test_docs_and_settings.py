"""Settings are documented once and validated; the simulation doc matches the code's constants."""

from __future__ import annotations

from pathlib import Path

import pytest

from genai_analyzer.core.errors import SettingsError
from genai_analyzer.core.settings import ENV_VARS, Settings
from genai_analyzer.pipeline.simulate import PARAMS

ROOT = Path(__file__).resolve().parents[1]


def test_every_environment_variable_is_documented_with_its_default():
    table = (ROOT / "docs" / "settings.md").read_text()
    for var in ENV_VARS:
        assert f"`{var.name}`" in table, f"{var.name} is missing from docs/settings.md"
        shown = f"`{var.default}`" if var.default else "(empty)"
        assert f"| `{var.name}` | {shown} |" in table, f"{var.name}'s default differs in docs/settings.md"


def test_every_settings_field_has_exactly_one_variable():
    fields = [var.field for var in ENV_VARS]
    assert len(fields) == len(set(fields))
    assert set(fields) <= set(Settings.__dataclass_fields__)


def test_environment_values_are_read_and_typed():
    settings = Settings.from_env(environ={"GENAI_SEED": "7", "GENAI_SESSION_GAP_MINUTES": "45"})
    assert (settings.seed, settings.session_gap_minutes) == (7, 45)
    assert Settings.from_env(environ={"GENAI_SEED": "7"}, seed=9).seed == 9


def test_bad_values_name_the_variable_and_its_meaning():
    with pytest.raises(SettingsError, match="GENAI_SEED='abc'.*default '42'"):
        Settings.from_env(environ={"GENAI_SEED": "abc"})
    with pytest.raises(SettingsError, match="GENAI_SESSION_GAP_MINUTES"):
        Settings.from_env(environ={"GENAI_SESSION_GAP_MINUTES": "-5"})


def test_every_simulation_constant_is_written_in_the_docs_with_its_value():
    doc = (ROOT / "docs" / "simulation.md").read_text()
    for name, value in PARAMS.items():
        assert f"`{name}` = {value}" in doc, f"docs/simulation.md lacks `{name}` = {value}"


def test_data_model_doc_is_rendered_from_the_dbt_schema():
    from genai_analyzer.warehouse.datamodel import render_markdown

    assert (ROOT / "docs" / "data-model.md").read_text() == render_markdown(), (
        "docs/data-model.md is stale: python -m genai_analyzer.warehouse.datamodel > docs/data-model.md"
    )
