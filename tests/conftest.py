"""Shared fixtures: real DiffusionDB rows from ../shared, and small real warehouses."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from genai_analyzer.core.settings import Settings
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from tests.fake_llm_server import server  # noqa: F401  (a fixture: a local chat-completions server)

os.environ.setdefault("DO_NOT_TRACK", "1")

SHARED_DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "diffusiondb").resolve()


def shared_path(*parts: str) -> Path:
    """A path in the real DiffusionDB rows beside the project; skip the test when absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"real DiffusionDB rows not found at {path} "
            "(they live in ../shared/data/diffusiondb beside the project checkout)"
        )
    return path


@contextlib.contextmanager
def serving(path: Path, *, lake=None):
    """The whole app over the warehouse at ``path`` (or the DuckLake ``lake``), served over HTTP:
    yields (warehouse, url)."""
    from genai_analyzer.app import create_app, launch_kwargs
    from genai_analyzer.warehouse.reader import Warehouse

    wh = Warehouse(path, lake=lake)
    demo = create_app(wh)
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs(wh))
    try:
        yield wh, demo.local_url
    finally:
        demo.close()
        wh.close()


def make_settings(tmp: Path, **overrides) -> Settings:
    values = {
        "db_path": tmp / "warehouse.duckdb",
        "data_dir": tmp / "data",
        "sample_generations": 800,
        "sample_users": 60,
        "sample_days": 14,
    }
    values.update(overrides)
    return Settings.from_env(environ={}, **values)


@pytest.fixture(scope="session")
def users_1k_warehouse(tmp_path_factory) -> Path:
    """A warehouse built from the 1,000 real DiffusionDB rows with users and timestamps."""
    path = shared_path("users_1k", "diffusiondb_sample_typed.parquet")
    settings = make_settings(tmp_path_factory.mktemp("users_1k"))
    build_warehouse(settings, BuildRequest(source="diffusiondb", path=path, enrich=()), progress=False)
    return settings.db_path


@pytest.fixture(scope="session")
def sample_settings(tmp_path_factory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def sample_warehouse(sample_settings) -> Path:
    """A warehouse built from a small embedded sample (800 generations, 60 users)."""
    build_warehouse(sample_settings, BuildRequest(source="sample"), progress=False)
    return sample_settings.db_path


# The copilot tests' warehouse and offline copilot (a module may define its own ``wh``).
@pytest.fixture(scope="module")
def wh(sample_warehouse):
    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse(sample_warehouse) as warehouse:
        yield warehouse


@pytest.fixture(scope="module")
def copilot(wh):
    from genai_analyzer.analysis.copilot.core import Copilot

    c = Copilot(wh)
    yield c
    c.close()
