"""Saved views: the store in the app-state file, its YAML, and the API over a real warehouse."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest
import yaml
from gradio_client import Client
from gradio_client.exceptions import AppError

from genai_analyzer.analysis import queries
from genai_analyzer.analysis.filters import FILTER_NAMES, TEXT_FIELDS
from genai_analyzer.analysis.views import SavedView, SavedViews, ViewError, link, parse_yaml
from genai_analyzer.api.checks import InputError
from genai_analyzer.api.endpoints import Api
from genai_analyzer.core.contract import app_state_path
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import serving

# The filter bar's applied state with every filter (FILTER_NAMES), only the tier chosen.
PRO = {**{name: "" if name in TEXT_FIELDS else [] for name in FILTER_NAMES}, "tiers": ["pro"]}


def chart_view(name="Pro outcomes", **changes) -> SavedView:
    values = {"name": name, "kind": "chart", "filters": PRO, "chart": "outcomes"} | changes
    return SavedView(**values)


@pytest.fixture
def store(tmp_path) -> SavedViews:
    return SavedViews(tmp_path / "w_app_state.duckdb")


def test_a_saved_view_comes_back_as_it_was_saved(store):
    store.save(chart_view())
    store.save(SavedView("Errors by tier", "copilot", question="error rate by tier", sql="SELECT 1"))
    first, second = store.all()
    assert (first.name, first.kind, first.filters, first.chart) == ("Pro outcomes", "chart", PRO, "outcomes")
    assert (second.question, second.sql) == ("error rate by tier", "SELECT 1")
    assert first.created_at and second.created_at >= first.created_at
    assert store.get("  pro   OUTCOMES ").name == "Pro outcomes"


def test_a_name_is_unique_case_and_spacing_aside(store):
    store.save(chart_view())
    with pytest.raises(ViewError, match="already exists") as caught:
        store.save(chart_view(name="pro  outcomes"))
    assert caught.value.code == "exists"
    assert store.names() == ["Pro outcomes"]


@pytest.mark.parametrize("name, words", [("", "Give the view a name"), ("x" * 81, "at most 80"), (3, "text")])
def test_a_bad_name_is_named(store, name, words):
    with pytest.raises(ViewError, match=words):
        store.save(chart_view(name=name))


def test_delete_and_rename_find_the_view_or_say_which_exist(store):
    store.save(chart_view())
    store.save(chart_view(name="Other"))
    store.rename("pro outcomes", "Pro tier outcomes")
    with pytest.raises(ViewError, match="already exists"):
        store.rename("Other", "PRO TIER OUTCOMES")
    store.delete("other")
    assert store.names() == ["Pro tier outcomes"]
    with pytest.raises(ViewError, match="No saved view named 'Other'; saved: 'Pro tier outcomes'"):
        store.delete("Other")


def test_the_store_writes_only_its_own_file(store, tmp_path):
    store.save(chart_view())
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".duckdb"] == ["w_app_state.duckdb"]
    with duckdb.connect(str(store.path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM saved_views").fetchone() == (1,)


def test_yaml_export_imports_into_another_file_unchanged(store, tmp_path):
    store.save(chart_view(compare="period", compare_start="2025-09-01", compare_end="2025-09-07"))
    store.save(SavedView("Q", "copilot", question="generations by tier", sql="SELECT 1"))
    text = store.export_yaml()
    body = yaml.safe_load(text)
    assert body["version"] == 1 and [v["name"] for v in body["views"]] == ["Pro outcomes", "Q"]
    assert "sql" not in body["views"][0] and "filters" not in body["views"][1]
    other = SavedViews(tmp_path / "other.duckdb")
    report = other.import_yaml(text)
    assert report.added == ["Pro outcomes", "Q"] and report.skipped == []
    assert [v.to_dict() for v in other.all()] == [v.to_dict() for v in store.all()]


def test_importing_a_name_already_saved_reports_it_and_keeps_the_saved_one(store):
    store.save(chart_view(chart="domains"))
    text = yaml.safe_dump({"views": [chart_view().to_dict(), chart_view(name="New").to_dict()]})
    report = store.import_yaml(text)
    assert report.added == ["New"] and report.skipped == ["Pro outcomes"]
    assert "skipped 1 already saved under the same name (Pro outcomes)" in report.message()
    assert store.get("Pro outcomes").chart == "domains"
    again = store.import_yaml(text)  # nothing new at all: reported, not an error
    assert again.added == [] and again.skipped == ["Pro outcomes", "New"]
    assert again.message().startswith("Imported 0 views; skipped 2")


@pytest.mark.parametrize(
    "text, field, words",
    [
        ("views: [unclosed", "yaml", "not valid YAML"),
        ("just text", "yaml", "a 'views' list"),
        ("views:\n- name: A\n  kind: table\n", "kind", "use chart or copilot"),
        ("views:\n- name: A\n  kind: chart\n", "chart", "names no chart"),
        ("views:\n- {name: A, kind: chart, chart: outcomes, filters: {tier: [pro]}}\n", "filters", "tier"),
        ("views:\n- name: A\n  kind: chart\n  chart: outcomes\n  filters: {tiers: 3}\n", "filters", "list"),
        ("views:\n- name: A\n  kind: copilot\n  question: q\n", "sql", "holds no SQL"),
        ("views:\n- {name: A, kind: copilot, sql: S}\n- {name: a, kind: copilot, sql: S}\n", "yaml", "twice"),
    ],
)
def test_bad_yaml_is_refused_naming_the_view_and_what_is_wrong(store, text, field, words):
    with pytest.raises(ViewError, match=words) as caught:
        store.import_yaml(text)
    assert caught.value.field == field
    assert store.all() == []  # nothing of a bad file is written


def test_a_yaml_date_is_read_as_the_filter_bar_writes_it():
    (view,) = parse_yaml("views:\n- {name: A, kind: chart, chart: outcomes, filters: {start: 2025-09-01}}\n")
    assert view.filters["start"] == "2025-09-01" and view.filters["tiers"] == []


def test_a_chart_link_is_the_filter_bars_query_string_and_a_copilot_link_opens_the_dashboard():
    view = chart_view(filters=PRO | {"start": "2025-09-01", "statuses": ["failed", "blocked"]})
    assert link(view) == "?start=2025-09-01&tiers=pro&statuses=failed&statuses=blocked&tab=analytics"
    pinned = SavedView("Errors & tiers", "copilot", question="q", sql="SELECT 1")
    assert link(pinned) == "?tab=dashboard&view=Errors+%26+tiers"


# --- the API over a real warehouse -------------------------------------------------------------


def forget_views(warehouse) -> None:
    """Delete the saved views beside ``warehouse`` (the copilot's approved answers stay)."""
    store = SavedViews(app_state_path(warehouse))
    for name in store.names():
        store.delete(name)


@pytest.fixture
def api(sample_warehouse):
    wh = Warehouse(sample_warehouse)
    forget_views(sample_warehouse)
    yield Api(wh)
    wh.close()
    forget_views(sample_warehouse)


def test_a_chart_views_records_are_the_charts_under_its_filters(api):
    api.save_chart_view("Pro outcomes", "outcomes", PRO)
    got = api.view("pro outcomes")
    assert got["view"]["link"] == "?tiers=pro&tab=analytics"
    assert got["records"] == api.chart("outcomes", api.filters(tiers=["pro"]))
    assert got["truncated"] is False
    assert [v["name"] for v in api.views()] == ["Pro outcomes"]


def test_a_pinned_answer_runs_again_through_the_copilots_guard(api):
    answer = api.ask("generations by tier")
    api.pin_answer("By tier", answer["question"], answer["sql"])
    got = api.view("By tier")
    assert got["records"] == [dict(zip(answer["columns"], r, strict=True)) for r in answer["rows"]]
    with pytest.raises(ViewError, match="(?i)select"):
        api.pin_answer("Drop", "q", "DROP TABLE fact_generations")


@pytest.mark.parametrize(
    "view, field",
    [
        ({"chart": "pie"}, "chart"),
        ({"filters": PRO | {"tiers": ["platinum"]}}, "filters"),
        ({"compare": "previous"}, "compare"),  # outcomes is not a chart over time
        ({"chart": "daily activity", "compare": "period", "compare_start": "2025-09-01"}, "compare"),
    ],
)
def test_what_the_warehouse_cannot_draw_is_refused_before_saving(api, view, field):
    values = {"name": "V", "chart": "outcomes", "applied": PRO} | {
        ("applied" if k == "filters" else k): v for k, v in view.items()
    }
    with pytest.raises(ViewError) as caught:
        api.save_chart_view(**values)
    assert caught.value.field == field
    assert api.views() == []


def test_an_import_naming_an_unknown_chart_writes_nothing(api):
    text = yaml.safe_dump({"views": [chart_view(name="ok").to_dict(), chart_view(chart="pie").to_dict()]})
    with pytest.raises(ViewError, match="In view 2 .*Unknown chart 'pie'"):
        api.import_views(text)
    assert api.views() == []


def test_an_unknown_view_is_an_input_error_on_name(api):
    with pytest.raises(InputError) as caught:
        api.view("nothing")
    assert (caught.value.code, caught.value.field) == ("not_found", "name")


# --- over HTTP ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(sample_warehouse):
    forget_views(sample_warehouse)
    with serving(sample_warehouse) as (wh, url):
        yield Api(wh), Client(url, verbose=False)
    forget_views(sample_warehouse)


def test_views_and_view_over_http_give_what_the_page_saved(served):
    api, client = served
    _, last = queries.data_range(api.wh)
    week = PRO | {"start": str(last - timedelta(days=6)), "end": str(last)}
    api.save_chart_view("Pro days", "daily activity", week, "previous")
    answer = api.ask("error rate by tier")
    api.pin_answer("Errors", answer["question"], answer["sql"])
    listed = client.predict(api_name="/views")
    assert [(v["name"], v["kind"]) for v in listed] == [("Pro days", "chart"), ("Errors", "copilot")]
    assert listed[1]["link"] == "?tab=dashboard&view=Errors" and listed[1]["sql"] == answer["sql"]
    chart = client.predict(name="pro days", api_name="/view")
    assert chart["records"] == client.predict(
        chart="daily activity",
        tiers=["pro"],
        start=week["start"],
        end=week["end"],
        compare="previous",
        api_name="/chart",
    )
    assert {r["period"] for r in chart["records"]} == {"current", "previous"}
    pinned = client.predict(name="Errors", api_name="/view")
    assert pinned["records"] == [dict(zip(answer["columns"], r, strict=True)) for r in answer["rows"]]


def test_an_unknown_view_over_http_is_an_error_object_naming_the_saved_ones(served):
    api, client = served
    with pytest.raises(AppError) as caught:
        client.predict(name="Nothing", api_name="/view")
    error = caught.value.message  # the error object: {"code", "message", "field"}
    assert (error["code"], error["field"]) == ("not_found", "name")
    assert "No saved view named 'Nothing'" in error["message"]
