"""Cohorts, lifecycle and activity per user (analysis/cohorts.py, /retention, /lifecycle): every
figure recomputed here independently, in plain Python over the raw generation rows (weeks from
``date.weekday()``, sets of active users) or in SQL written for the test, on a six-week sample
(users come and go over weeks) and on the real DiffusionDB users (7 hours: one week)."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from genai_analyzer.analysis import cohorts
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.api.endpoints import ENDPOINTS, Api, InputError
from genai_analyzer.pipeline.build import BuildRequest, build_warehouse
from genai_analyzer.warehouse.reader import Warehouse
from tests.conftest import make_settings


def build_six_weeks(tmp_path_factory):
    """The embedded sample over six weeks (1,200 generations, 100 users, no enrichment: quick)."""
    settings = make_settings(
        tmp_path_factory.mktemp("cohorts_six_weeks"),
        sample_generations=1200,
        sample_users=100,
        sample_days=42,
    )
    build_warehouse(settings, BuildRequest(source="sample", enrich=()), progress=False)
    return settings.db_path


@pytest.fixture(scope="module")
def six_weeks_path(tmp_path_factory):
    return build_six_weeks(tmp_path_factory)


@pytest.fixture(scope="module")
def six_weeks(six_weeks_path):
    with Warehouse(six_weeks_path, extensions=()) as wh:
        yield wh


@pytest.fixture(scope="module")
def real_wh(users_1k_warehouse):
    with Warehouse(users_1k_warehouse, extensions=()) as wh:
        yield wh


# --- the definitions, again, in plain Python -------------------------------------------------------


def monday(day) -> date:
    day = pd.Timestamp(day).date()
    return day - timedelta(days=day.weekday())


def raw_rows(wh: Warehouse) -> pd.DataFrame:
    """Every generation with its user's tier, known flag and signup time (no week arithmetic)."""
    frame = wh.query(
        "SELECT f.user_id, f.date_key, f.status, f.domain, f.art_style, u.tier, u.is_known, "
        "CAST(timezone('UTC', u.signup_at) AS DATE) AS signup_day "
        "FROM fact_generations f JOIN dim_users u ON u.user_id = f.user_id"
    )
    return frame.assign(
        week=[monday(d) for d in frame["date_key"]], signup_week=[monday(d) for d in frame["signup_day"]]
    )


class Expected:
    """Weeks, activity and first weeks as the docs define them, from the raw rows."""

    def __init__(self, rows: pd.DataFrame, *, tiers=(), statuses=(), start=None, end=None, by="none"):
        first_day, last_day = rows["date_key"].min(), rows["date_key"].max()
        all_weeks = sorted({monday(first_day) + timedelta(days=7 * i) for i in range(0, 60)})
        self.weeks = [
            w for w in all_weeks
            if w <= monday(last_day) and (start is None or w >= monday(start)) and (end is None or w <= end)
        ]  # fmt: skip
        people = rows[rows["is_known"] & (rows["tier"].isin(tiers) if tiers else True)]
        self.group_of = {
            r.user_id: (r.tier if by == "tier" else "all") for r in people.itertuples()
        }  # every user, active or not
        self.signup_of = {r.user_id: r.signup_week for r in people.itertuples()}
        counted = people[people["status"].isin(statuses)] if statuses else people
        self.generations = defaultdict(int)
        for r in counted.itertuples():
            self.generations[(r.user_id, r.week)] += 1
        self.active = set(self.generations)
        self.first = {}
        for user, week in sorted(self.active, key=lambda p: p[1]):
            self.first.setdefault(user, week)
        self.groups = sorted({self.group_of[u] for u, _ in self.active})

    def users_active(self, week) -> set:
        return {u for u, w in self.active if w == week}


def expected_retention(e: Expected, cohort: str, start=None) -> list[tuple]:
    member_week = e.first if cohort == "first_seen" else e.signup_of
    cohorts_ = defaultdict(set)
    for user, week in member_week.items():
        if (start is None or week >= monday(start)) and week <= e.weeks[-1]:
            cohorts_[(e.group_of[user], week)].add(user)
    rows = []
    for (group, week0), users in sorted(cohorts_.items()):
        for week in e.weeks:
            if week >= week0:
                active = len(users & e.users_active(week))
                rows.append(
                    (group, week0, len(users), (week - week0).days // 7, week, active, active / len(users))
                )
    return rows


def plain(value):
    if isinstance(value, pd.Timestamp):
        return value.date()
    return round(value, 9) if isinstance(value, float) else value


def as_rows(frame: pd.DataFrame | list[tuple], columns: list[str] | None = None) -> list[tuple]:
    """Rows as tuples of dates, ints and floats rounded to 9 places, to compare with ==."""
    rows = frame if columns is None else frame[columns].itertuples(index=False)
    return [tuple(plain(v) for v in row) for row in rows]


def expected_lifecycle(e: Expected) -> list[tuple]:
    rows = []
    for group in e.groups:
        mine = {u for u, g in e.group_of.items() if g == group}
        for week in e.weeks:
            now, before = e.users_active(week) & mine, e.users_active(week - timedelta(days=7)) & mine
            new = {u for u in now if e.first[u] == week}
            returning = (now - new) & before
            resurrected = now - new - returning
            rows.append(
                (group, week, len(now), len(new), len(returning), len(resurrected), len(before - now))
            )
    return rows


LIFECYCLE_COLUMNS = [
    "week",
    "active_users",
    "new_users",
    "returning_users",
    "resurrected_users",
    "dormant_users",
]
RETENTION_COLUMNS = ["cohort", "cohort_users", "weeks_since", "week", "active_users", "retention"]


# --- the six-week sample -----------------------------------------------------------------------------


def test_first_seen_retention_is_what_the_definition_gives_on_six_weeks(six_weeks):
    filters = Filters(tiers=("free", "pro"), statuses=("success",), start=date(2025, 9, 10))  # a Wednesday
    got = cohorts.retention(six_weeks, filters, by="tier")
    expected = Expected(raw_rows(six_weeks), tiers=("free", "pro"), statuses=("success",),
                        start=date(2025, 9, 10), by="tier")  # fmt: skip
    assert as_rows(got, ["tier", *RETENTION_COLUMNS]) == as_rows(
        expected_retention(expected, "first_seen", start=date(2025, 9, 10))
    )
    assert got["cohort"].min() == pd.Timestamp("2025-09-08")  # the week the start touches, whole
    assert (got.loc[got["weeks_since"] == 0, "retention"] == 1).all()  # first seen: all active in week 0
    assert got["weeks_since"].max() == 4 and len(got) > 20


def test_signup_retention_is_what_the_definition_gives_on_six_weeks(six_weeks):
    got = cohorts.retention(six_weeks, cohort="signup")
    expected = Expected(raw_rows(six_weeks))
    assert as_rows(got, RETENTION_COLUMNS) == as_rows(r[1:] for r in expected_retention(expected, "signup"))
    # signups reach months before the data: those cohorts have rows only for the weeks observed
    assert got["cohort"].min() < pd.Timestamp("2025-09-01")
    assert got.groupby("cohort")["week"].min().eq(pd.Timestamp("2025-09-01")).sum() > 10


def test_the_lifecycle_is_what_the_definition_gives_on_six_weeks(six_weeks):
    rows = raw_rows(six_weeks)
    for kwargs in ({}, {"by": "tier", "statuses": ("success",), "start": date(2025, 9, 17)}):
        filters = Filters(statuses=kwargs.get("statuses", ()), start=kwargs.get("start"))
        got = cohorts.lifecycle(six_weeks, filters, by=kwargs.get("by", "none"))
        expected = expected_lifecycle(Expected(rows, **kwargs))
        group = ["tier"] if "by" in kwargs else []
        got_rows = as_rows(got, group + LIFECYCLE_COLUMNS)
        assert got_rows == (expected if group else [r[1:] for r in expected]), kwargs


def test_the_lifecycle_adds_up_week_to_week(six_weeks):
    weeks = cohorts.lifecycle(six_weeks)
    assert (
        (weeks["new_users"] + weeks["returning_users"] + weeks["resurrected_users"])
        .eq(weeks["active_users"])
        .all()
    )
    # last week's active users either came back (returning) or went dormant
    assert (
        weeks["active_users"].shift(1).iloc[1:]
        == (weeks["returning_users"] + weeks["dormant_users"]).iloc[1:]
    ).all()
    assert weeks.iloc[0][["returning_users", "resurrected_users", "dormant_users"]].tolist() == [0, 0, 0]
    assert weeks["resurrected_users"].sum() > 0 and weeks["days"].tolist() == [6, 7, 7, 7, 7, 6]


def test_generations_per_active_user_match_independent_sql(six_weeks):
    got = cohorts.activity_per_user(six_weeks, Filters(tiers=("pro", "enterprise")), by="tier")
    expected = six_weeks.query(
        """
        SELECT u.tier, f.date_key - CAST(isodow(f.date_key) - 1 AS INTEGER) AS week, count(*) AS generations,
               count(DISTINCT f.user_id) AS active_users
        FROM fact_generations f JOIN dim_users u ON u.user_id = f.user_id
        WHERE u.is_known AND u.tier IN ('pro', 'enterprise') GROUP BY ALL ORDER BY ALL
        """
    )
    assert as_rows(got, ["tier", "week", "generations", "active_users"]) == as_rows(
        expected, ["tier", "week", "generations", "active_users"]
    )
    assert got["generations_per_user"].to_numpy() == pytest.approx(
        (expected["generations"] / expected["active_users"]).to_numpy()
    )
    lifecycle = cohorts.lifecycle(six_weeks, Filters(tiers=("pro", "enterprise")), by="tier")
    assert got["active_users"].tolist() == lifecycle["active_users"].tolist()  # one notion of active


def test_lifetimes_are_each_known_users_history_and_agree_with_the_lifecycle(six_weeks):
    sql, params = cohorts.lifetimes_query(Filters(statuses=("success",)), by="tier")
    lives = six_weeks.query(sql, params)
    rows = raw_rows(six_weeks)
    people = rows[rows["is_known"] & rows["status"].eq("success")]  # activity: successful generations
    expected = people.groupby("user_id").agg(
        first_day=("date_key", "min"), last_day=("date_key", "max"), active_days=("date_key", "nunique"),
        active_weeks=("week", "nunique"), generations=("date_key", "size"), tier=("tier", "first"),
    )  # fmt: skip
    got = lives.set_index("user_id").sort_index()
    assert got.index.tolist() == expected.index.tolist()  # the unknown user is no person: left out
    for column in ("active_days", "active_weeks", "generations"):
        assert got[column].tolist() == expected[column].tolist(), column
    assert [plain(d) for d in got["first_day"]] == [plain(d) for d in expected["first_day"]]
    assert got["grp"].tolist() == expected["tier"].tolist()
    assert [plain(w) for w in got["first_week"]] == [monday(d) for d in expected["first_day"]]
    # new users per week, from the lifetimes, are the lifecycle's new users
    lifecycle = cohorts.lifecycle(six_weeks, Filters(statuses=("success",)))
    new = pd.Series([monday(d) for d in got["first_day"]]).value_counts()
    assert [new.get(plain(w), 0) for w in lifecycle["week"]] == lifecycle["new_users"].tolist()


def test_a_range_without_data_gives_empty_answers_not_errors(six_weeks):
    nothing = Filters(start=date(2030, 1, 1))
    for frame in (
        cohorts.retention(six_weeks, nothing),
        cohorts.retention(six_weeks, nothing, cohort="signup"),
        cohorts.lifecycle(six_weeks, nothing),
        cohorts.activity_per_user(six_weeks, nothing),
    ):
        assert frame.empty


# --- the real DiffusionDB users: seven hours, one week -------------------------------------------------


def test_on_the_real_users_everyone_is_new_in_the_one_week(real_wh):
    users, per_tier = real_wh.row("SELECT count(*) AS n FROM dim_users WHERE is_known")["n"], {}
    retention = cohorts.retention(real_wh)
    assert as_rows(retention, RETENTION_COLUMNS) == [
        (date(2022, 8, 8), users, 0, date(2022, 8, 8), users, 1.0)
    ]
    lifecycle = cohorts.lifecycle(real_wh, by="tier")
    for row in real_wh.rows("SELECT tier, count(*) FROM dim_users WHERE is_known GROUP BY tier"):
        per_tier[row[0]] = row[1]
    assert dict(zip(lifecycle["tier"], lifecycle["new_users"], strict=True)) == per_tier
    assert lifecycle[["returning_users", "resurrected_users", "dormant_users"]].eq(0).all().all()
    activity = cohorts.activity_per_user(real_wh, by="tier").set_index("tier")
    generations = dict(real_wh.rows(
        "SELECT u.tier, count(*) FROM fact_generations f JOIN dim_users u ON u.user_id = f.user_id "
        "WHERE u.is_known GROUP BY 1"
    ))  # fmt: skip
    assert activity["generations"].to_dict() == generations
    assert activity["generations_per_user"].to_dict() == pytest.approx(
        {t: generations[t] / per_tier[t] for t in per_tier}
    )


def test_signup_cohorts_on_the_real_users_are_the_signup_weeks(real_wh):
    got = cohorts.retention(real_wh, by="tier", cohort="signup")
    expected = Expected(raw_rows(real_wh), by="tier")
    assert as_rows(got, ["tier", *RETENTION_COLUMNS]) == as_rows(expected_retention(expected, "signup"))
    assert got["cohort_users"].sum() == len(expected.signup_of) and got["retention"].eq(1).all()


# --- signup dates, and the endpoints -------------------------------------------------------------------


def test_signup_cohorts_without_signup_dates_are_an_error_that_says_why(six_weeks_path, tmp_path):
    for name, change in (("empty", "UPDATE dim_users SET signup_at = NULL"),
                         ("no_column", "ALTER TABLE dim_users DROP COLUMN signup_at")):  # fmt: skip
        path = tmp_path / f"{name}.duckdb"
        shutil.copy(six_weeks_path, path)
        with duckdb.connect(str(path)) as con:
            con.execute(change)
        with Warehouse(path, extensions=()) as wh:
            with pytest.raises(cohorts.CohortError, match="signup_at") as caught:
                cohorts.retention(wh, cohort="signup")
            assert "first_seen" in str(caught.value)
            assert not cohorts.retention(wh).empty  # first-seen cohorts need no signup date
            with pytest.raises(InputError, match="signup dates") as caught:
                Api(wh).retention(cohort="signup")
            assert caught.value.field == "cohort"


def test_the_cohort_endpoints_are_public_and_refuse_bad_arguments_by_name(six_weeks):
    assert {"retention", "lifecycle"} <= set(ENDPOINTS)
    api = Api(six_weeks)
    bad_calls = (
        (lambda: api.retention(by="domain"), "by"),
        (lambda: api.retention(cohort="month"), "cohort"),
        (lambda: api.lifecycle(by=3), "by"),
    )
    for call, field in bad_calls:
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.field == field and caught.value.valid
    answer = api.lifecycle(by="tier", filters=api.filters(start="2025-09-15", tiers=["pro"]))
    assert set(answer) == {"lifecycle", "activity"}
    assert {r["tier"] for r in answer["lifecycle"]} == {"pro"}
    assert answer["lifecycle"][0]["week"].startswith("2025-09-15")
    records = api.retention(cohort="signup", filters=api.filters(end="2025-09-07"))
    assert records and all(r["week"].startswith("2025-09-01") for r in records)
