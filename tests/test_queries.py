"""The query layer against independent pandas computations on the real-rows warehouse."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from genai_analyzer.analysis import queries
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.warehouse.reader import Warehouse


@pytest.fixture(scope="module")
def wh(users_1k_warehouse):
    with Warehouse(users_1k_warehouse) as wh:
        yield wh


@pytest.fixture(scope="module")
def facts(wh) -> pd.DataFrame:
    return wh.query("SELECT f.*, u.tier FROM fact_generations f JOIN dim_users u USING (user_id)")


def test_kpis_match_pandas_and_compare_with_the_period_before(wh, facts):
    kpis = queries.kpis(wh)
    assert kpis["generations"]["value"] == len(facts) == 1000
    assert kpis["active_users"]["value"] == facts["user_id"].nunique()
    assert kpis["success_rate"]["value"] == pytest.approx((facts["status"] == "success").mean())
    assert kpis["p95_latency_ms"]["value"] == pytest.approx(np.quantile(facts["latency_ms"], 0.95))
    assert kpis["margin_usd"]["value"] == pytest.approx(facts["revenue_usd"].sum() - facts["cost_usd"].sum())
    # the rows span two days; the "period before" them holds nothing, so there is no change to show
    assert kpis["generations"]["previous"] == 0
    assert kpis["generations"]["change"] is None


def test_kpi_change_is_relative_to_the_previous_period_of_equal_length(wh, facts):
    day2 = date(2022, 8, 14)
    kpis = queries.kpis(wh, Filters(start=day2, end=day2))
    by_day = facts.groupby(facts["date_key"].dt.date).size()
    assert kpis["generations"]["value"] == by_day[day2]
    assert kpis["generations"]["previous"] == by_day[date(2022, 8, 13)]
    expected = (by_day[day2] - by_day[date(2022, 8, 13)]) / by_day[date(2022, 8, 13)]
    assert kpis["generations"]["change"] == pytest.approx(expected)


def test_the_previous_period_has_the_same_length_and_ends_the_day_before():
    two_weeks = Filters(start=date(2025, 9, 29), end=date(2025, 10, 12), tiers=("pro",))
    before = two_weeks.previous_period(date(2025, 9, 1), date(2025, 10, 12))
    assert (before.start, before.end, before.tiers) == (date(2025, 9, 15), date(2025, 9, 28), ("pro",))
    # open ends stand for the data's first and last day: 3 days -> the 3 days before them
    everything = Filters().previous_period(date(2025, 9, 10), date(2025, 9, 12))
    assert (everything.start, everything.end) == (date(2025, 9, 7), date(2025, 9, 9))


def test_kpis_without_a_comparison_hold_only_the_values(wh):
    day2 = Filters(start=date(2022, 8, 14), end=date(2022, 8, 14))
    alone, compared = queries.kpis(wh, day2, compare="none"), queries.kpis(wh, day2)
    assert set(alone) == set(compared) == set(queries.KPI_METRICS)
    assert all(set(entry) == {"value"} for entry in alone.values())
    assert {k: v["value"] for k, v in alone.items()} == {k: v["value"] for k, v in compared.items()}


def test_daily_rows_add_up_and_their_percentiles_are_exact(wh, facts):
    daily = queries.activity_over_time(wh, grain="day")  # 7 hours: "hour" unless asked
    assert daily["generations"].sum() == len(facts)
    for row in daily.itertuples():
        day = facts[facts["date_key"] == row.bucket]
        assert row.p95_latency_ms == pytest.approx(np.quantile(day["latency_ms"], 0.95))


def test_the_tier_filter_applies_to_every_query(wh, facts):
    pro = Filters(tiers=["pro"])
    n_pro = (facts["tier"] == "pro").sum()
    assert queries.kpis(wh, pro)["generations"]["value"] == n_pro
    assert queries.activity_over_time(wh, pro)["generations"].sum() == n_pro
    assert queries.status_breakdown(wh, pro)["generations"].sum() == n_pro
    assert set(queries.latency_by_hour_and_tier(wh, pro)["tier"]) == {"pro"}
    assert queries.performance_over_time(wh, pro)["generations"].sum() == n_pro
    assert set(queries.friction_by_tier(wh, pro)["tier"]) == {"pro"}


def test_status_shares_sum_to_one(wh):
    frame = queries.status_breakdown(wh)
    assert frame["share"].sum() == pytest.approx(1.0)


def test_friction_counts_each_session_once(wh):
    frame = queries.friction_by_tier(wh)
    assert frame["sessions"].sum() == wh.scalar("SELECT count(*) FROM dim_sessions")
    assert frame["friction"].between(0, 1).all()


def test_a_filter_matching_nothing_gives_empty_frames_not_errors(wh):
    none = Filters(start=date(2030, 1, 1), end=date(2030, 1, 2))
    assert queries.activity_over_time(wh, none).empty
    assert queries.kpis(wh, none)["generations"]["value"] == 0


def test_label_breakdown_takes_only_known_fields(wh):
    assert queries.label_breakdown(wh, "domain")["generations"].sum() == 1000
    with pytest.raises(ValueError):
        queries.label_breakdown(wh, "prompt; DROP TABLE x")


def test_a_statement_joins_only_the_dimension_tables_it_reads():
    from genai_analyzer.analysis import semantic

    grain = semantic.load().grains["generations"]
    assert grain.from_reading("count(*)", "f.date_key BETWEEN $start AND $end") == "fact_generations f"
    assert grain.from_reading("u.tier", "TRUE") == "fact_generations f JOIN dim_users u USING (user_id)"
    both = grain.from_reading("p.prompt", "u.tier IN ($t0)", "e.edit_type")
    assert both == grain.from_sql  # every join kept, in the layer's own spelling
    sessions = semantic.load().grains["sessions"]
    assert sessions.from_reading("avg(s.friction_score)") == "dim_sessions s"


def test_pruned_and_full_joins_give_the_same_rows(wh):
    """The layer's joins add columns, never rows: leaving unread ones out changes no figure."""
    from genai_analyzer.analysis import semantic

    grain = semantic.load().grains["generations"]
    select = "count(*) AS n, sum(f.cost_usd) AS cost, count(DISTINCT f.user_id) AS users"
    full = wh.row(f"SELECT {select} FROM {grain.from_sql}")
    pruned = wh.row(f"SELECT {select} FROM {grain.from_reading(select)}")
    assert pruned == full and full["n"] > 0
