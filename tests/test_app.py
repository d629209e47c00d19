"""The app served over HTTP for real, called through gradio_client."""

from __future__ import annotations

import urllib.request
from datetime import date

import pytest
from gradio_client import Client

from genai_analyzer.analysis import leaderboards, queries
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.app.server import parse_auth
from genai_analyzer.core.errors import SettingsError
from tests.conftest import serving


@pytest.fixture(scope="module")
def served(users_1k_warehouse):
    with serving(users_1k_warehouse) as served_app:
        yield served_app


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
    assert set(api["named_endpoints"]) == {
        "/overview", "/embedding_progress",  # Overview
        "/kpis", "/timeseries", "/chart", "/leaderboard",  # Analytics, Leaderboards
        "/edits", "/edit_terms", "/edit_flow",  # prompt refinement
        "/retention", "/lifecycle", "/funnel",  # cohorts, lifecycle and funnels
        "/alerts", "/anomalies",  # monitoring
        "/search", "/generation", "/more_like_this", "/session", "/sessions",  # Session Explorer
        "/similar_images", "/near_duplicates",  # visual similarity
        "/image_model", "/images_from_text", "/image_agreement",  # CLIP (unavailable without one)
        "/clusters",  # outcomes by prompt or visual cluster
        "/map_points",  # the Map tab's points
        "/ask",  # SQL Copilot
        "/views", "/view",  # saved views (read-only: saving and pinning are the page's)
    }  # fmt: skip


def test_embedding_progress_endpoint_counts_the_warehouse(served):
    wh, url = served
    result = Client(url, verbose=False).predict(api_name="/embedding_progress")
    # this warehouse was built without embeddings: no tier, nothing to upgrade
    assert result["tier"] is None and result["state"] == "none" and result["done"] == 0
    assert result["total"] == wh.scalar("SELECT count(*) FROM dim_prompts") > 0
    assert "semantic search is off" in result["line"]


def test_kpis_endpoint_applies_filters_like_the_query_layer(served):
    wh, url = served
    client = Client(url, verbose=False)
    result = client.predict(start="2022-08-14", end="2022-08-14", tiers=["pro"], api_name="/kpis")
    expected = queries.kpis(wh, Filters(start=date(2022, 8, 14), end=date(2022, 8, 14), tiers=["pro"]))
    assert result["generations"]["value"] == expected["generations"]["value"] > 0
    assert result["p95_latency_ms"]["value"] == pytest.approx(expected["p95_latency_ms"]["value"])
    assert result["generations"]["previous"] == expected["generations"]["previous"]


def test_kpis_endpoint_compares_with_the_previous_period_only_when_asked(served):
    wh, url = served
    client = Client(url, verbose=False)
    day2 = {"start": "2022-08-14", "end": "2022-08-14"}
    alone = client.predict(**day2, compare="none", api_name="/kpis")
    compared = client.predict(**day2, compare="previous", api_name="/kpis")
    assert alone["generations"] == {"value": compared["generations"]["value"]}
    # the previous period of one day is the day before, under the same filters
    assert compared["generations"]["previous"] == wh.scalar(
        "SELECT count(*) FROM fact_generations WHERE date_key = '2022-08-13'"
    )
    with pytest.raises(Exception, match="comparison") as caught:
        client.predict(**day2, compare="last year", api_name="/kpis")
    assert caught.value.message["field"] == "compare"
    assert caught.value.message["valid"] == ["none", "previous", "period"]


def test_kpis_and_time_charts_compare_with_a_chosen_period_through_the_api(served):
    wh, url = served
    client = Client(url, verbose=False)
    day2 = {"start": "2022-08-14", "end": "2022-08-14"}
    chosen = {"compare": "period", "compare_start": "2022-08-13", "compare_end": "2022-08-13"}
    kpis = client.predict(**day2, tiers=["pro"], **chosen, api_name="/kpis")
    count = (
        "SELECT count(*) FROM fact_generations f JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'pro' AND f.date_key = "
    )
    assert kpis["generations"]["value"] == wh.scalar(count + "'2022-08-14'")
    assert kpis["generations"]["previous"] == wh.scalar(count + "'2022-08-13'") > 0
    # the hours of the chosen day land on the shown day's axis, labelled as compared, not previous
    series = client.predict(**day2, **chosen, api_name="/timeseries")
    compared = [r for r in series if r["period"] == "compared"]
    hours = wh.rows(
        "SELECT hour(created_at), count(*) FROM fact_generations WHERE date_key = '2022-08-13' "
        "GROUP BY 1 ORDER BY 1"
    )
    assert [(int(r["bucket"][11:13]), r["generations"]) for r in compared] == [tuple(h) for h in hours]
    assert {r["bucket"][:10] for r in compared} == {"2022-08-14"}
    assert {(r["period_start"], r["period_end"]) for r in compared} == {("2022-08-13", "2022-08-13")}
    # a chosen period needs both dates, in order, and its dates are never ignored silently
    for bad, field in (
        ({"compare": "period", "compare_start": "2022-08-13"}, "compare_end"),
        ({"compare": "period", "compare_start": "2022-08-14", "compare_end": "2022-08-13"}, "compare_start"),
        ({"compare": "period", "compare_start": "13/08/2022", "compare_end": "2022-08-13"}, "compare_start"),
        ({"compare": "previous", "compare_start": "2022-08-13"}, "compare_start"),
    ):
        with pytest.raises(Exception, match="compare") as caught:
            client.predict(**day2, **bad, api_name="/kpis")
        assert (caught.value.message["code"], caught.value.message["field"]) == ("invalid_value", field)


def test_kpi_cards_show_each_change_and_name_the_period_compared_with():
    from genai_analyzer.app.analytics import kpi_cards_html

    kpis = {name: {"value": 1041, "previous": 1000, "change": 0.041} for name in queries.KPI_METRICS}
    kpis["margin_usd"] = {"value": 3.0, "previous": None, "change": None}
    cards = kpi_cards_html(kpis, Filters(start=date(2025, 9, 15), end=date(2025, 9, 28)))
    assert cards.count("▲ +4.1%") == len(queries.KPI_METRICS) - 1 and "no earlier data" in cards
    assert "Change vs previous 14 days (2025-09-15 to 2025-09-28), same filters" in cards
    assert '<div class="kpi-delta down" title="previous period: 1.0 s">▲ +4.1%</div>' in cards  # latency up
    assert '<div class="kpi-delta up" title="previous period: 1,000">▲ +4.1%</div>' in cards  # volume up
    alone = kpi_cards_html({name: {"value": 1} for name in queries.KPI_METRICS}, None)
    assert "kpi-delta" not in alone and "Change vs" not in alone


def test_leaderboard_endpoint_ranks_prompts_like_the_query_layer(served):
    wh, url = served
    client = Client(url, verbose=False)
    arguments = {"metric": "reroll_rate", "group": "cluster", "min_sample": 2, "limit": 10}
    rows = client.predict(**arguments, tiers=["pro"], api_name="/leaderboard")
    expected = leaderboards.prompt_leaderboard(wh, Filters(tiers=("pro",)), **arguments)
    assert [r["key"] for r in rows] == expected["key"].tolist() and len(rows) == 10
    assert [r["rank"] for r in rows] == list(range(1, 11))
    top, first = rows[0], expected.iloc[0]
    assert (top["rerolls"], top["generations"]) == (first["rerolls"], first["generations"])
    assert (top["reroll_rate_low"], top["reroll_rate_high"]) == pytest.approx(
        leaderboards.wilson_interval(top["rerolls"], top["generations"])
    )
    assert all(r["generations"] >= 2 for r in rows)
    # worst re-roll rate: sorted by the lower bound, highest first
    lows = [r["reroll_rate_low"] for r in rows]
    assert lows == sorted(lows, reverse=True)
    with pytest.raises(Exception, match="leaderboard metric") as caught:
        client.predict(metric="fun", api_name="/leaderboard")
    error = caught.value.message
    assert (error["code"], error["field"]) == ("unknown_value", "metric")
    assert error["valid"] == list(leaderboards.LEADERBOARD_METRICS)


def test_chart_endpoint_returns_the_rows_the_chart_and_its_export_draw(served):
    wh, url = served
    rows = Client(url, verbose=False).predict(chart="outcomes", tiers=["free"], api_name="/chart")
    expected = queries.status_breakdown(wh, Filters(tiers=("free",)))
    assert [r["status"] for r in rows] == expected["status"].tolist()
    assert [r["generations"] for r in rows] == expected["generations"].tolist()
    assert sum(r["generations"] for r in rows) == wh.scalar(
        "SELECT count(*) FROM fact_generations JOIN dim_users USING (user_id) WHERE tier = 'free'"
    )


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"tiers": ["platinum"]}, "tiers: 'platinum' is not in this warehouse; valid values: "),
        ({"start": "2022-13-01"}, "start '2022-13-01' is not a date; use YYYY-MM-DD."),
        ({"start": "2022-08-14", "end": "2022-08-13"}, "is after the end"),
        ({"statuses": "success"}, None),  # one value where a list is due is read as that value
    ],
)
def test_bad_filters_are_errors_that_say_what_is_wrong(served, arguments, message):
    _, url = served
    client = Client(url, verbose=False)
    if message is None:
        assert client.predict(**arguments, api_name="/kpis")["generations"]["value"] > 0
        return
    with pytest.raises(Exception, match="platinum|not a date|after the end") as caught:
        client.predict(**arguments, api_name="/kpis")
    error = caught.value.message  # the error object: {"code", "message", "field"} (and "valid")
    assert message in error["message"]
    assert error["field"] in ("tiers", "start")
    if "valid values" in message:
        assert error["code"] == "unknown_value"
        assert {"free", "pro", "enterprise"} <= set(error["valid"])
        assert {"free", "pro", "enterprise"} <= set(
            error["message"].rsplit(": ", 1)[1].rstrip(".").split(", ")
        )


def test_timeseries_endpoint_returns_one_record_per_bucket_at_the_grain_that_fits(served):
    wh, url = served
    records = Client(url, verbose=False).predict(api_name="/timeseries")
    # 7 hours of real rows: one record an hour, not two days
    assert [r["bucket"] for r in records] == [
        "2022-08-13T20:00:00", "2022-08-13T21:00:00", "2022-08-13T22:00:00", "2022-08-13T23:00:00",
        "2022-08-14T00:00:00", "2022-08-14T01:00:00", "2022-08-14T02:00:00",
    ]  # fmt: skip
    assert {r["grain"] for r in records} == {"hour"}
    assert sum(r["generations"] for r in records) == 1000
    assert records[0]["success_rate"] == pytest.approx(
        wh.scalar(
            "SELECT avg((status = 'success')::INT) FROM fact_generations "
            "WHERE created_at >= '2022-08-13 20:00:00+00' AND created_at < '2022-08-13 21:00:00+00'"
        )
    )


def test_time_charts_compare_with_the_previous_period_through_the_api(served):
    wh, url = served
    client = Client(url, verbose=False)
    day = {"start": "2022-08-14", "end": "2022-08-14"}
    rows = client.predict(chart="latency by hour and tier", compare="previous", **day, api_name="/chart")
    expected = queries.with_previous_period(
        wh, Filters(start=date(2022, 8, 14), end=date(2022, 8, 14)), queries.latency_by_hour_and_tier
    )
    assert [(r["period"], r["hour"], r["tier"]) for r in rows] == list(
        zip(expected["period"], expected["hour"], expected["tier"], strict=True)
    )
    assert {r["period_start"] for r in rows if r["period"] == "previous"} == {"2022-08-13"}
    series = client.predict(compare="previous", **day, api_name="/timeseries")
    assert [r["period"] for r in series] == ["current"] * 3 + ["previous"] * 4
    with pytest.raises(Exception, match="comparison") as caught:
        client.predict(compare="yesterday", api_name="/timeseries")
    error = caught.value.message
    assert (error["code"], error["field"], error["valid"]) == (
        "unknown_value",
        "compare",
        ["none", "previous", "period"],
    )
    with pytest.raises(Exception, match="compare applies") as caught:
        client.predict(chart="outcomes", compare="previous", api_name="/chart")
    assert (caught.value.message["field"], caught.value.message["valid"]) == ("compare", ["none"])


def test_a_malformed_date_is_a_clear_error_through_the_api(served):
    _, url = served
    with pytest.raises(Exception, match="not a date"):
        Client(url, verbose=False).predict(start="14/08/2022", api_name="/kpis")


def test_auth_must_be_user_colon_password():
    assert parse_auth("ana:s3cret") == ("ana", "s3cret")
    assert parse_auth("") is None
    with pytest.raises(SettingsError, match="user:password"):
        parse_auth("just-a-password")


def test_ask_endpoint_answers_with_sql_rows_and_a_follow_up_context(served):
    wh, url = served
    client = Client(url, verbose=False)
    first = client.predict(question="generations by tier", api_name="/ask")
    assert first["backend"] == "semantic" and not first["refused"]
    expected = wh.query(
        "SELECT u.tier, count(*) AS n FROM fact_generations f JOIN dim_users u USING (user_id) GROUP BY 1"
    )
    assert {r[0]: r[1] for r in first["rows"]} == dict(zip(expected["tier"], expected["n"], strict=True))
    follow = client.predict(question="now only for pro users", context=first["context"], api_name="/ask")
    assert follow["rows"] == [["pro", int(expected.set_index("tier").loc["pro", "n"])]]
    refused = client.predict(question="drop table dim_users", api_name="/ask")
    assert refused["refused"] and refused["sql"] is None and "only read" in refused["explanation"]


def test_a_warehouse_built_by_an_older_version_is_refused_naming_what_it_lacks(sample_warehouse, tmp_path):
    """The app would otherwise open and fail query by query with a database error."""
    import shutil

    import duckdb

    from genai_analyzer.app.server import serve
    from genai_analyzer.core.errors import WarehouseError
    from tests.conftest import make_settings

    old = tmp_path / "old.duckdb"
    shutil.copyfile(sample_warehouse, old)
    with duckdb.connect(str(old)) as con:  # as a build of the version before the clusters
        for (index,) in con.execute(
            "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'fact_generations'"
        ).fetchall():
            con.execute(f'DROP INDEX "{index}"')
        con.execute("ALTER TABLE fact_generations DROP COLUMN prompt_cluster")
        con.execute("DROP TABLE dim_clusters")
    with pytest.raises(WarehouseError) as info:
        serve(make_settings(tmp_path, db_path=old), port=None)
    message = str(info.value)
    assert "older version" in message and "fact_generations lacks prompt_cluster" in message
    assert "no table dim_clusters" in message and "genai-analyzer enrich" in message
    # status still describes it, and says what it lacks
    from genai_analyzer.analysis.status import format_status, warehouse_status

    status = warehouse_status(old)
    assert status["rows"]["dim_clusters"] is None
    assert "prompt_cluster" in status["outdated"]["fact_generations"]
    assert "outdated    built by an older version" in format_status(status)
