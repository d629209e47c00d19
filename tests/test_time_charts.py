"""Charts over time fit their data: the grain follows the filtered span, the ticks follow the grain
(also for a single point), lines break over empty buckets, and the previous period overlays the
shown one. Real warehouses (a 6-week sample, the 7-hour DiffusionDB rows, a single day), real
DuckDB queries, real plotly figures."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from genai_analyzer.analysis import plotting, queries, timegrain
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.api.endpoints import Api, InputError
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings

HOUR, DAY, WEEK = pd.Timedelta(hours=1), pd.Timedelta(days=1), pd.Timedelta(days=7)


@pytest.fixture(scope="module")
def six_weeks_path(tmp_path_factory):
    """The embedded sample over its default 6 weeks (fewer generations, no enrichment: quick)."""
    settings = make_settings(
        tmp_path_factory.mktemp("six_weeks"), sample_generations=1200, sample_users=100, sample_days=42
    )
    build_warehouse(settings, BuildRequest(source="sample", enrich=()), progress=False)
    return settings.db_path


@pytest.fixture(scope="module")
def six_weeks(six_weeks_path):
    with Warehouse(six_weeks_path) as wh:
        yield wh


@pytest.fixture(scope="module")
def seven_hours(users_1k_warehouse):
    """The 1,000 real DiffusionDB rows: 7 hours across midnight (skips when the rows are absent)."""
    with Warehouse(users_1k_warehouse) as wh:
        yield wh


def facts(wh: Warehouse) -> pd.DataFrame:
    frame = wh.query(
        "SELECT f.*, u.tier, epoch_ms(f.created_at) AS at_ms FROM fact_generations f JOIN dim_users u "
        "USING (user_id)"
    )
    return frame.assign(at=pd.to_datetime(frame["at_ms"], unit="ms"))


def scatter(fig, name: str):
    return next(t for t in fig.data if t.type == "scatter" and t.name == name)


def assert_breaks_exactly_at_empty_buckets(trace, buckets: list, after) -> None:
    """The line holds the frame's buckets in order, with one None point wherever a bucket is
    skipped, and nowhere else."""
    xs, ys = list(trace.x), list(trace.y)
    points = [x for x, y in zip(xs, ys, strict=True) if y is not None]
    assert [pd.Timestamp(x) if not isinstance(x, int) else x for x in points] == list(buckets)
    expected_gaps = sum(1 for a, b in zip(buckets, buckets[1:], strict=False) if b > after(a))
    assert sum(y is None for y in ys) == expected_gaps
    for i, y in enumerate(ys):
        if y is None:  # between two buckets that are not neighbours
            assert 0 < i < len(ys) - 1 and xs[i + 1] > after(xs[i - 1])


# --- the thresholds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "span, grain",
    [
        (timedelta(0), "hour"),
        (timedelta(hours=7), "hour"),
        (timedelta(days=3), "hour"),
        (timedelta(days=3, minutes=1), "day"),
        (timedelta(days=42), "day"),
        (timedelta(days=92), "day"),
        (timedelta(days=93), "week"),
        (timedelta(days=731), "week"),
        (timedelta(days=732), "month"),
    ],
)
def test_the_grain_follows_the_documented_thresholds(span, grain):
    assert timegrain.grain_for_span(span) == grain


def test_a_roll_up_is_one_grain_coarser_only_when_it_fills_three_buckets():
    monday = pd.Timestamp("2025-09-01")
    assert timegrain.rolled_up("day", monday, monday + pd.Timedelta(days=41)) == "week"  # 6 weeks
    assert timegrain.rolled_up("day", monday, monday + pd.Timedelta(days=13)) == "day"  # 2 weeks
    # 10 days from a Sunday touch three ISO weeks
    assert timegrain.rolled_up("day", monday - DAY, monday + pd.Timedelta(days=8)) == "week"
    assert (
        timegrain.rolled_up("hour", pd.Timestamp("2022-08-13 20:04"), pd.Timestamp("2022-08-14 02:47"))
        == "hour"
    )
    assert timegrain.rolled_up("week", monday, monday + pd.Timedelta(days=120)) == "month"
    assert timegrain.rolled_up("month", monday, monday + pd.Timedelta(days=900)) == "month"


# --- the sample: 6 weeks --------------------------------------------------------------------------


def test_six_weeks_draw_days_and_weeks_that_add_up(six_weeks):
    rows = facts(six_weeks)
    activity = queries.activity_over_time(six_weeks)
    assert activity.attrs["grain"] == "day" and set(activity["grain"]) == {"day"}
    by_day = rows.groupby(rows["at"].dt.floor("D")).size()
    assert activity["bucket"].tolist() == by_day.index.tolist()
    assert activity["generations"].tolist() == by_day.tolist()

    performance = queries.performance_over_time(six_weeks)
    assert performance.attrs["grain"] == "week" and set(performance["grain"]) == {"week"}
    assert (performance["bucket"].dt.day_of_week == 0).all()  # ISO weeks start on Monday
    by_week = rows.groupby(rows["at"].dt.floor("D") - pd.to_timedelta(rows["at"].dt.day_of_week, "D")).size()
    assert performance["generations"].tolist() == by_week.tolist()
    assert performance["generations"].sum() == len(rows)


def test_six_weeks_figures_tick_per_day_and_per_week(six_weeks):
    activity = queries.activity_over_time(six_weeks)
    fig = plotting.daily_activity(activity)
    assert fig.layout.title.text == "Daily activity"
    axis = fig.layout.xaxis
    assert axis.tickformat == "%b %-d" and axis.hoverformat == "%a %b %-d, %Y"
    assert axis.dtick == 7 * 86_400_000  # ~40 days: a tick a week, not one a day
    first, last = activity["bucket"].iloc[0], activity["bucket"].iloc[-1]
    assert [pd.Timestamp(v) for v in axis.range] == [first - DAY / 2, last + DAY / 2]
    assert_breaks_exactly_at_empty_buckets(
        scatter(fig, "active users"), activity["bucket"].tolist(), lambda t: t + DAY
    )

    performance = plotting.weekly_performance(queries.performance_over_time(six_weeks))
    assert performance.layout.title.text == "Weekly performance"
    assert performance.layout.xaxis.tickformat == "%b %-d"
    assert performance.layout.xaxis.hoverformat == "week of %b %-d, %Y"
    assert performance.layout.xaxis.dtick == 7 * 86_400_000


def test_a_tier_with_quiet_days_breaks_its_line_instead_of_joining_them(six_weeks):
    rows = facts(six_weeks)
    days_per_tier = rows.groupby("tier")["date_key"].nunique()
    tier = days_per_tier.idxmin()  # the rarest tier: some days without any generation
    filters = Filters(tiers=(tier,))
    frame = queries.activity_over_time(six_weeks, filters)
    assert frame["grain"].iloc[0] == "day"
    days = frame["bucket"].tolist()
    assert len(days) == days_per_tier[tier]
    skipped = sum(1 for a, b in zip(days, days[1:], strict=False) if b - a > DAY)
    assert skipped > 0, "the sample's rarest tier should have quiet days"
    trace = scatter(plotting.daily_activity(frame), "active users")
    assert_breaks_exactly_at_empty_buckets(trace, days, lambda t: t + DAY)


# --- one day, one point ---------------------------------------------------------------------------


def test_a_single_day_is_drawn_by_the_hour_with_gaps_for_quiet_hours(six_weeks):
    rows = facts(six_weeks)
    per_day = rows.groupby("date_key")["at"].agg(lambda s: s.dt.hour.nunique())
    day = pd.Timestamp(per_day[(per_day > 3) & (per_day < 20)].index[0]).date()  # some quiet hours
    one_day = Filters(start=day, end=day)
    frame = queries.activity_over_time(six_weeks, one_day)
    assert set(frame["grain"]) == {"hour"}
    hours = rows[rows["date_key"].dt.date == day].groupby(lambda i: rows.at[i, "at"].floor("h")).size()
    assert frame["bucket"].tolist() == hours.index.tolist()
    assert frame["generations"].tolist() == hours.tolist()

    fig = plotting.daily_activity(frame)
    assert fig.layout.title.text == "Hourly activity"
    assert fig.layout.xaxis.tickformat == "%H:%M<br>%b %-d"
    assert fig.layout.xaxis.dtick in (3_600_000, 2 * 3_600_000, 3 * 3_600_000)
    assert_breaks_exactly_at_empty_buckets(
        scatter(fig, "active users"), frame["bucket"].tolist(), lambda t: t + HOUR
    )
    # the roll-up chart has no coarser grain to use for one day: hours too
    assert set(queries.performance_over_time(six_weeks, one_day)["grain"]) == {"hour"}


@pytest.mark.parametrize(
    "grain, width, dtick, tickformat",
    [
        ("hour", HOUR, 3_600_000, "%H:%M<br>%b %-d"),
        ("day", DAY, 86_400_000, "%b %-d"),
        ("week", WEEK, 7 * 86_400_000, "%b %-d"),
        ("month", pd.Timedelta(days=30), "M1", "%b %Y"),
    ],
)
def test_a_single_point_gets_one_bucket_of_axis_and_one_tick_at_its_grain(
    six_weeks, grain, width, dtick, tickformat
):
    rows = facts(six_weeks)
    lone = rows.groupby(["date_key", "status"]).size()
    day, status = lone[lone == 1].index[0]  # a day with one generation of this status
    one = Filters(start=day.date(), end=day.date(), statuses=(status,))
    if grain == "hour":
        frame = queries.performance_over_time(six_weeks, one)  # the grain it picks for one point
    else:
        frame = queries.performance_over_time(six_weeks, one, grain=grain)
    assert len(frame) == 1 and frame["grain"].iloc[0] == grain and frame["generations"].iloc[0] == 1
    axis = plotting.weekly_performance(frame).layout.xaxis
    point = frame["bucket"].iloc[0]
    low, high = (pd.Timestamp(v) for v in axis.range)
    assert low < point < high and high - low == pytest.approx(width, rel=0.04)  # never a blur of ms
    assert axis.dtick == dtick and axis.tickformat == tickformat
    assert pd.Timestamp(axis.tick0) == point


# --- the real DiffusionDB rows: 7 hours ---------------------------------------------------------------


def test_seven_real_hours_are_drawn_by_the_hour(seven_hours):
    rows = facts(seven_hours)
    by_hour = rows.groupby(rows["at"].dt.floor("h")).size()
    for query in (queries.activity_over_time, queries.performance_over_time):
        frame = query(seven_hours)
        assert set(frame["grain"]) == {"hour"} and frame.attrs["grain"] == "hour"
        assert frame["bucket"].tolist() == by_hour.index.tolist()
        assert len(frame) == 7 and frame["generations"].sum() == 1000
    fig = plotting.daily_activity(queries.activity_over_time(seven_hours))
    assert fig.layout.title.text == "Hourly activity"
    assert fig.layout.xaxis.tickformat == "%H:%M<br>%b %-d" and fig.layout.xaxis.dtick == 3_600_000
    weekly = plotting.weekly_performance(queries.performance_over_time(seven_hours))
    assert weekly.layout.title.text == "Hourly performance"
    assert [pd.Timestamp(v) for v in weekly.layout.xaxis.range] == [
        by_hour.index[0] - HOUR / 2,
        by_hour.index[-1] + HOUR / 2,
    ]


def test_latency_by_hour_of_day_breaks_over_the_hours_without_data(seven_hours):
    frame = queries.latency_by_hour_and_tier(seven_hours)
    fig = plotting.latency_by_hour(frame)
    assert tuple(fig.layout.xaxis.range) == (-0.5, 23.5)
    for tier, rows in frame.groupby("tier"):
        hours = rows["hour"].tolist()
        assert 2 in hours and 20 in hours  # the log runs from 20:04 to 02:47 UTC
        trace = scatter(fig, tier)
        assert_breaks_exactly_at_empty_buckets(trace, hours, lambda h: h + 1)
        # 02:00 and 20:00 are not joined: a None point sits between them
        i = list(trace.x).index(2)
        assert trace.y[i + 1] is None and trace.x[i + 2] == 20


# --- compare two periods --------------------------------------------------------------------------------


def test_the_previous_period_overlays_the_shown_one_on_its_own_axis(six_weeks):
    first, last = queries.data_range(six_weeks)
    shown = Filters(start=last - timedelta(days=20), end=last)  # 3 weeks
    frame = queries.with_previous_period(six_weeks, shown, queries.activity_over_time)
    current, previous = frame[frame["period"] == "current"], frame[frame["period"] == "previous"]
    alone = queries.activity_over_time(six_weeks, shown)
    assert current.drop(columns=["period", "period_start", "period_end"]).reset_index(drop=True).equals(alone)
    before = Filters(start=last - timedelta(days=41), end=last - timedelta(days=21))
    assert set(previous["period_start"]) == {before.start} and set(previous["period_end"]) == {before.end}
    unshifted = queries.activity_over_time(six_weeks, before, grain="day")
    assert previous["bucket"].tolist() == (unshifted["bucket"] + pd.Timedelta(days=21)).tolist()
    assert previous["generations"].tolist() == unshifted["generations"].tolist()
    assert previous["bucket"].between(pd.Timestamp(shown.start), pd.Timestamp(shown.end)).all()
    assert set(frame["grain"]) == {"day"} and frame.attrs["grain"] == "day"

    fig = plotting.daily_activity(frame)
    overlay = scatter(fig, f"previous period: {before.start} to {before.end}")
    assert overlay.line.dash == "dash"
    assert_breaks_exactly_at_empty_buckets(overlay, previous["bucket"].tolist(), lambda t: t + DAY)


def test_weekly_buckets_of_the_previous_period_land_on_the_shown_weeks(six_weeks):
    first, last = queries.data_range(six_weeks)
    shown = Filters(start=last - timedelta(days=24), end=last)  # 25 days: not whole weeks
    frame = queries.with_previous_period(six_weeks, shown, queries.performance_over_time)
    assert set(frame["grain"]) == {"week"}
    previous = frame[frame["period"] == "previous"]
    assert (previous["bucket"].dt.day_of_week == 0).all()
    rows = facts(six_weeks)
    in_previous = rows["date_key"].dt.date.between(
        shown.start - timedelta(days=25), shown.start - timedelta(days=1)
    )
    assert previous["generations"].sum() == in_previous.sum() > 0


def test_a_previous_period_without_data_is_said_on_the_chart(seven_hours):
    frame = queries.with_previous_period(seven_hours, None, queries.activity_over_time)
    assert set(frame["period"]) == {"current"}  # nothing before 2022-08-13
    assert frame.attrs["periods"]["previous"] == (date(2022, 8, 11), date(2022, 8, 12))
    fig = plotting.daily_activity(frame)
    assert [a.text for a in fig.layout.annotations] == [
        "previous period: 2022-08-11 to 2022-08-12: no generations"
    ]
    one_day = Filters(start=date(2022, 8, 14), end=date(2022, 8, 14))
    latency = queries.with_previous_period(seven_hours, one_day, queries.latency_by_hour_and_tier)
    previous = latency[latency["period"] == "previous"]
    assert sorted(set(previous["hour"])) == [20, 21, 22, 23]  # the evening before, hour for hour
    fig = plotting.latency_by_hour(latency)
    assert {t.legendgrouptitle.text for t in fig.data if t.legendgroup == "previous"} == {
        "previous period: 2022-08-13"
    }


def test_the_api_checks_compare_and_returns_the_overlay_rows(seven_hours):
    api = Api(seven_hours)
    one_day = api.filters(start="2022-08-14", end="2022-08-14")
    frame = api.chart_frame("daily activity", one_day, "previous")
    assert frame.groupby("period").size().to_dict() == {"current": 3, "previous": 4}
    records = api.timeseries(one_day, compare="previous")
    assert [r["period"] for r in records] == ["current"] * 3 + ["previous"] * 4
    assert {r["grain"] for r in records} == {"hour"}
    assert records[-1]["bucket"] == "2022-08-14T23:00:00"  # 23:00 the day before, on this day's axis
    assert records[-1]["period_start"] == "2022-08-13"
    assert api.chart("weekly performance", one_day) == api.chart("weekly performance", one_day, "none")

    with pytest.raises(InputError) as caught:
        api.chart_frame("daily activity", one_day, "last year")
    assert (caught.value.code, caught.value.field, caught.value.valid) == (
        "unknown_value",
        "compare",
        ["none", "previous", "period"],
    )
    assert "none, previous, period" in str(caught.value)
    with pytest.raises(InputError) as caught:
        api.chart_frame("outcomes", one_day, "previous")
    assert (caught.value.field, caught.value.valid) == ("compare", ["none"])


def test_an_anomalous_day_is_flagged_on_the_daily_chart_its_export_and_the_api(six_weeks_path, tmp_path):
    """A day with ten times its generations, in a copy of the six weeks: its robust z-score against
    the 28 days before, computed here, is past 3.5; the chart's frame flags it (and only the days
    /anomalies flags), and the figure draws a badge there."""
    import shutil

    import duckdb
    import numpy as np

    copy = tmp_path / "warehouse.duckdb"
    shutil.copy2(six_weeks_path, copy)
    with duckdb.connect(str(copy)) as con:
        # the busiest of the last 7 days (29 days or more into the data), its generations ten-fold
        last = con.execute(
            "SELECT date_key FROM fact_generations WHERE date_key > (SELECT max(date_key) - 7 "
            "FROM fact_generations) GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        ).fetchone()[0]
        con.execute(
            "INSERT INTO fact_generations SELECT f.* REPLACE "
            "(f.generation_id || '-copy' || i AS generation_id) "
            "FROM fact_generations f, range(9) AS copies(i) WHERE f.date_key = ?",
            [last],
        )
        counts = dict(con.execute("SELECT date_key, count(*) FROM fact_generations GROUP BY 1").fetchall())
    history = np.array([counts.get(last - timedelta(days=d), 0) for d in range(1, 29)], dtype=float)
    median = np.median(history)
    z = (counts[last] - median) / (1.4826 * np.median(np.abs(history - median)))
    assert z > 3.5
    with Warehouse(copy) as wh:
        api = Api(wh)
        frame = api.chart_frame("daily activity", api.filters())
        flagged = frame[frame["anomalous"]]
        assert pd.Timestamp(last) in set(flagged["bucket"])
        assert frame.set_index("bucket").loc[pd.Timestamp(last), "anomaly_z"] == pytest.approx(z)
        expected = api.anomalies_frame("generations", api.filters(), 28, 3.5, "both")
        assert set(flagged["bucket"]) == set(pd.to_datetime(expected[expected["anomalous"]]["day"]))
        badge = [t for t in plotting.daily_activity(frame).data if t.name == "anomalous day"]
        assert len(badge) == 1 and set(pd.to_datetime(badge[0].x)) == set(flagged["bucket"])
        # the records of /timeseries carry the same flag
        assert {r["bucket"][:10] for r in api.timeseries(api.filters()) if r["anomalous"]} == {
            b.strftime("%Y-%m-%d") for b in flagged["bucket"]
        }


def test_the_span_is_asked_once_per_filters_and_each_filters_gets_its_own(six_weeks_path, monkeypatch):
    """Every chart over time needs the filtered span: it is read once per filters while the
    warehouse is open (not once per chart), and a narrower filter still gets its own, narrower one."""
    statements = []
    original = Warehouse.rows

    def counted(wh, sql, params=None):
        statements.append(sql)
        return original(wh, sql, params)

    monkeypatch.setattr(Warehouse, "rows", counted)
    with Warehouse(six_weeks_path) as wh:  # a fresh one: nothing remembered yet
        first, last = queries.data_range(wh)
        narrow = Filters(start=last - timedelta(days=1), end=last)
        whole_span = queries.time_span(wh, Filters())
        for _ in range(3):
            assert queries.time_span(wh, Filters()) == whole_span
            assert queries.time_grain(wh, narrow) == "hour"
        assert len(statements) == 2  # one per distinct filters
        expected = wh.rows("SELECT min(created_at), max(created_at) FROM fact_generations")[0]
        assert whole_span == tuple(pd.Timestamp(t).tz_convert(None) for t in expected)
        assert queries.time_span(wh, narrow)[0] >= pd.Timestamp(last - timedelta(days=1))


def test_what_a_warehouse_remembers_is_bounded(six_weeks, monkeypatch):
    """A long-running app sees many filters: the oldest remembered values are forgotten past the
    limit, and a forgotten one is computed again when asked for."""
    from genai_analyzer.warehouse import reader

    monkeypatch.setattr(reader, "MEMO_LIMIT", 3)
    calls = []
    for key in range(5):
        six_weeks.memo(("test", key), lambda key=key: calls.append(key) or key)
    assert six_weeks.memo(("test", 4), lambda: calls.append("again")) == 4  # still remembered
    assert six_weeks.memo(("test", 0), lambda: calls.append("again") or 0) == 0  # forgotten, recomputed
    assert calls == [0, 1, 2, 3, 4, "again"]


def test_a_remembered_value_in_use_outlives_newer_ones(six_weeks, monkeypatch):
    """The least recently used value is forgotten, not the oldest: a loaded search index, asked for
    by every search, stays while filters come and go."""
    from genai_analyzer.warehouse import reader

    monkeypatch.setattr(reader, "MEMO_LIMIT", 3)
    calls = []
    six_weeks.memo(("lru", "index"), lambda: calls.append("index") or "index")
    for key in range(6):
        six_weeks.memo(("lru", key), lambda key=key: calls.append(key) or key)
        assert six_weeks.memo(("lru", "index"), lambda: calls.append("again")) == "index"
    assert calls == ["index", 0, 1, 2, 3, 4, 5]
