"""The app served over HTTP for real, called through gradio_client."""

from __future__ import annotations

import urllib.request

import pytest
from gradio_client import Client

from genai_analyzer import queries
from genai_analyzer.app import create_app, launch_kwargs
from genai_analyzer.errors import SettingsError
from genai_analyzer.serve import parse_auth
from genai_analyzer.warehouse import Warehouse


@pytest.fixture(scope="module")
def served(users_1k_warehouse):
    wh = Warehouse(users_1k_warehouse)
    demo = create_app(wh)
    demo.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs())
    yield wh, demo.local_url
    demo.close()
    wh.close()


def test_the_page_is_served(served):
    _, url = served
    with urllib.request.urlopen(url) as response:
        assert response.status == 200
        assert "GenAI Session Analyzer" in response.read().decode()


def test_overview_endpoint_returns_the_query_layer_figures(served):
    wh, url = served
    result = Client(url, verbose=False).predict(api_name="/overview")
    expected = queries.overview_figures(wh)
    assert result["generations"] == 1000 == expected["generations"]
    assert result["active_users"] == 173
    assert result["sessions"] == wh.scalar("SELECT count(*) FROM dim_sessions")
    assert result["success_rate"] == pytest.approx(expected["success_rate"])
    assert result["p95_latency_ms"] == pytest.approx(
        wh.scalar("SELECT quantile_cont(latency_ms, 0.95) FROM fact_generations")
    )
    assert "latency_ms" in result["simulated_columns"]
    assert result["synthetic"] is False


def test_ui_glue_is_not_in_the_public_api(served):
    _, url = served
    api = Client(url, verbose=False).view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/overview"}


def test_auth_must_be_user_colon_password():
    assert parse_auth("ana:s3cret") == ("ana", "s3cret")
    assert parse_auth("") is None
    with pytest.raises(SettingsError, match="user:password"):
        parse_auth("just-a-password")
