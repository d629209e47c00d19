"""Cohorts and lifecycle: do people come back, week after week, and how much do they make?

Everything here is counted in weeks (ISO weeks, Monday to Sunday, UTC: the semantic layer's
``week``) over **people**: the ``unknown`` user, which collects the rows that belong to no one
(docs/sessions.md), is left out. What the shared ``Filters`` mean here (docs/cohorts.md):

- **tiers** choose the users (their tier);
- **statuses, domains, art styles** choose which generations count as activity: with
  ``statuses=["success"]`` a user is active in a week when they had a successful generation in it;
- **start and end** choose the weeks shown, whole: every week the range touches. A user's history
  (their first active week, whether they were active the week before) is read over the whole
  warehouse, so a range that starts mid-history does not make everyone look new.

The definitions, once:

- **Active** in a week: at least one generation that counts as activity in that week.
- **First-seen week**: the user's first active week (with no status, domain or style filter, the
  week of ``dim_users.first_seen_at``). **Signup week**: the week of ``dim_users.signup_at``.
- **Lifecycle** of an active user in week W: **new** (W is their first active week),
  **returning** (also active in W - 1), **resurrected** (not active in W - 1, active before).
  **Dormant** in W: active in W - 1, not in W; a separate, positive count (a chart draws it below
  zero). New + returning + resurrected = active users.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pandas as pd

from genai_analyzer.analysis import semantic
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.queries import GENERATIONS
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.warehouse.reader import Warehouse

GROUPS = ("none", "tier")  # what a figure can be broken down by: nothing, or the user's tier
COHORTS = ("first_seen", "signup")  # what puts a user in a cohort: their first active week, or signup
LIFECYCLE_STATES = ("new", "returning", "resurrected", "dormant")


class CohortError(AnalyzerError):
    """A cohort this warehouse cannot form (signup weeks without signup dates)."""

    field = "cohort"


def _group(by: str) -> str:
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(GROUPS)}")
    return "'all'" if by == "none" else semantic.load().dimensions["tier"].expression("generations")


def _named(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    frame = frame.drop(columns="grp") if by == "none" else frame.rename(columns={"grp": by})
    return frame.reset_index(drop=True)


def _shown(filters: Filters, column: str) -> tuple[str, dict]:
    """The condition keeping the weeks (Mondays in ``column``) that the date range touches."""
    clauses, params = [], {}
    if filters.start is not None:  # the Monday of the week holding the first day
        clauses.append(f"{column} >= $week_from")
        params["week_from"] = filters.start - timedelta(days=filters.start.weekday())
    if filters.end is not None:
        clauses.append(f"{column} <= $week_to")
        params["week_to"] = filters.end
    return " AND ".join(clauses) or "true", params


def _activity(filters: Filters | None, by: str) -> tuple[str, dict]:
    """The CTEs ``activity`` (one row per known user and week they were active in, over the whole
    warehouse: user_id, grp, week, generations), ``weeks`` (the weeks shown: every week of the data
    that the date range touches, with its days in the data) and ``groups``, with their parameters."""
    filters = filters or Filters()
    where, params = replace(filters, start=None, end=None).where()
    group = _group(by)
    week = semantic.load().dimensions["week"].expression("generations")
    source = GENERATIONS.from_reading(where, group, "u.is_known")
    shown, more = _shown(filters, "week_start")
    return (
        f"""activity AS (
            SELECT f.user_id, {group} AS grp, {week} AS week, count(*) AS generations
            FROM {source} WHERE {where} AND u.is_known GROUP BY ALL
        ),
        weeks AS (
            SELECT week_start AS week, count(*) AS days FROM dim_date WHERE {shown} GROUP BY week_start
        ),
        groups AS (SELECT DISTINCT grp FROM activity)""",
        {**params, **more},
    )


def _signup_members(wh: Warehouse, filters: Filters | None, by: str) -> tuple[str, dict]:
    """Known users (of the filtered tiers) by the week they signed up; an error naming why when
    the warehouse holds no signup dates."""
    has_column = wh.scalar(
        "SELECT count(*) FROM information_schema.columns "
        "WHERE table_name = 'dim_users' AND column_name = 'signup_at'"
    )
    if not has_column:
        raise CohortError(
            "Signup cohorts need signup dates, and this warehouse's dim_users has no signup_at "
            'column; use cohort="first_seen".'
        )
    if not wh.scalar("SELECT count(signup_at) FROM dim_users WHERE is_known"):
        raise CohortError(
            "Signup cohorts need signup dates, and no user in this warehouse has one "
            '(dim_users.signup_at is empty); use cohort="first_seen".'
        )
    where, params = Filters(tiers=(filters or Filters()).tiers).where()
    sql = f"""members AS (
        SELECT u.user_id, {_group(by)} AS grp,
               CAST(date_trunc('week', timezone('UTC', u.signup_at)) AS DATE) AS cohort
        FROM dim_users u WHERE u.is_known AND u.signup_at IS NOT NULL AND {where}
    )"""
    return sql, params


def retention_query(wh: Warehouse | None, filters: Filters | None = None, *, by: str = "none",
                    cohort: str = "first_seen") -> tuple[str, dict]:  # fmt: skip
    """The SQL of ``retention`` without its last column (retention, computed from the two counts),
    and its bound values: what ``retention`` runs, and what the copilot answers with
    (copilot/behaviour.py). ``wh`` is needed only for signup cohorts (their dates are checked)."""
    ctes, params = _activity(filters, by)
    if cohort == "signup":
        members, more = _signup_members(wh, filters, by)
        params.update(more)
    else:
        members = "members AS (SELECT user_id, grp, min(week) AS cohort FROM activity GROUP BY ALL)"
    shown, more = _shown(filters or Filters(), "cohort")
    params.update(more)
    sql = f"""
        WITH {ctes}, {members},
        cohorts AS (
            SELECT grp, cohort, count(*) AS cohort_users FROM members
            WHERE {shown} AND cohort <= (SELECT max(week) FROM weeks)
            GROUP BY ALL
        ),
        grid AS (
            SELECT c.*, w.week, (w.week - c.cohort) // 7 AS weeks_since
            FROM cohorts c JOIN weeks w ON w.week >= c.cohort
        ),
        active AS (
            SELECT m.grp, m.cohort, a.week, count(*) AS active_users
            FROM members m JOIN activity a USING (user_id)
            WHERE a.week >= m.cohort GROUP BY ALL
        )
        SELECT g.grp, g.cohort, g.cohort_users, g.weeks_since, g.week,
               coalesce(a.active_users, 0) AS active_users
        FROM grid g LEFT JOIN active a USING (grp, cohort, week)
        ORDER BY g.grp, g.cohort, g.weeks_since
        """
    return sql, params


def retention(
    wh: Warehouse, filters: Filters | None = None, *, by: str = "none", cohort: str = "first_seen"
) -> pd.DataFrame:
    """One row per (group, cohort week, weeks since): cohort (the Monday of the week its users
    were first seen, or signed up), cohort_users (the users in it), weeks_since (0 for the cohort's
    own week), week (the Monday of the week counted), active_users (of the cohort, active that
    week) and retention (active_users / cohort_users). A cohort has a row for every week shown
    from its own week on, 0 where no one was active, so first-seen cohorts make a triangle for a
    heatmap; a signup cohort from before the data begin has rows only for the weeks the data cover
    (its weeks_since start above 0: those weeks were not observed). Cohorts are those whose week
    the date range touches (without a start, every signup week up to the last week shown); users
    without a signup date are left out of signup cohorts. First-seen cohorts are 100% active in
    week 0 by definition."""
    if cohort not in COHORTS:
        raise ValueError(f"unknown cohort {cohort!r}; use one of {', '.join(COHORTS)}")
    sql, params = retention_query(wh, filters, by=by, cohort=cohort)
    frame = wh.query(sql, params)
    frame["retention"] = frame["active_users"] / frame["cohort_users"]
    return _named(frame, by)


def lifecycle_query(filters: Filters | None = None, *, by: str = "none") -> tuple[str, dict]:
    """The SQL of ``lifecycle`` and its bound values: what ``lifecycle`` runs, and what the copilot
    answers with (copilot/behaviour.py)."""
    ctes, params = _activity(filters, by)
    sql = f"""
        WITH {ctes},
        firsts AS (SELECT user_id, min(week) AS first_week FROM activity GROUP BY user_id),
        states AS (
            SELECT a.grp, a.week,
                   CASE WHEN a.week = fi.first_week THEN 'new'
                        WHEN p.user_id IS NOT NULL THEN 'returning'
                        ELSE 'resurrected' END AS state
            FROM activity a JOIN firsts fi USING (user_id)
            LEFT JOIN activity p ON p.user_id = a.user_id AND p.week = a.week - 7
            UNION ALL
            SELECT p.grp, CAST(p.week + 7 AS DATE) AS week, 'dormant' AS state
            FROM activity p ANTI JOIN activity a ON a.user_id = p.user_id AND a.week = p.week + 7
        )
        SELECT g.grp, w.week, w.days,
               count(*) FILTER (WHERE s.state IN ('new', 'returning', 'resurrected')) AS active_users,
               count(*) FILTER (WHERE s.state = 'new') AS new_users,
               count(*) FILTER (WHERE s.state = 'returning') AS returning_users,
               count(*) FILTER (WHERE s.state = 'resurrected') AS resurrected_users,
               count(*) FILTER (WHERE s.state = 'dormant') AS dormant_users
        FROM groups g CROSS JOIN weeks w LEFT JOIN states s ON s.grp = g.grp AND s.week = w.week
        GROUP BY ALL ORDER BY g.grp, w.week
        """
    return sql, params


def lifecycle(wh: Warehouse, filters: Filters | None = None, *, by: str = "none") -> pd.DataFrame:
    """One row per (group, week shown): week (its Monday), days (of the week inside the data: the
    first and last weeks may be partial), active_users, and their lifecycle: new_users,
    returning_users, resurrected_users (the three add up to active_users), and dormant_users
    (active the week before, not this one: a positive count, drawn below zero). The data's first
    week has only new users: nothing before it is known."""
    return _named(wh.query(*lifecycle_query(filters, by=by)), by)


def activity_query(filters: Filters | None = None, *, by: str = "none") -> tuple[str, dict]:
    """The SQL of ``activity_per_user`` without its ratio column, and its bound values (what the
    copilot answers with too)."""
    ctes, params = _activity(filters, by)
    sql = f"""
        WITH {ctes}
        SELECT g.grp, w.week, w.days,
               CAST(coalesce(sum(a.generations), 0) AS BIGINT) AS generations,
               count(a.user_id) AS active_users,
               median(a.generations) AS median_generations_per_user
        FROM groups g CROSS JOIN weeks w LEFT JOIN activity a ON a.grp = g.grp AND a.week = w.week
        GROUP BY ALL ORDER BY g.grp, w.week
        """
    return sql, params


def activity_per_user(wh: Warehouse, filters: Filters | None = None, *, by: str = "none") -> pd.DataFrame:
    """One row per (group, week shown): week (its Monday), days (of the week inside the data),
    generations (those that count as activity), active_users, generations_per_user (generations /
    active users; null in a week without any) and median_generations_per_user (the typical user's
    week, less swayed by a few heavy users)."""
    frame = wh.query(*activity_query(filters, by=by))
    frame.insert(
        5,
        "generations_per_user",
        frame["generations"] / frame["active_users"].where(frame["active_users"] > 0),
    )
    return _named(frame, by)


def lifetimes_query(filters: Filters | None = None, *, by: str = "none") -> tuple[str, dict]:
    """One row per known user over their whole history, and its bound values: user_id, grp,
    first_day and last_day (active), first_week and last_week (Mondays), active_days, active_weeks
    and generations. The copilot answers "new users per month", "what share of users came back after
    their first day", "how long do users stay" and "the median number of days a user was active"
    from it (copilot/lifetimes.py). Filters choose users (tiers) and the generations that count as
    activity; a date range does not cut a history."""
    filters = filters or Filters()
    where, params = replace(filters, start=None, end=None).where()
    dims = semantic.load().dimensions
    day, week = dims["day"].expression("generations"), dims["week"].expression("generations")
    source = GENERATIONS.from_reading(where, _group(by), "u.is_known")
    sql = f"""
        SELECT f.user_id, {_group(by)} AS grp, min({day}) AS first_day, max({day}) AS last_day,
               min({week}) AS first_week, max({week}) AS last_week,
               count(DISTINCT {day}) AS active_days, count(DISTINCT {week}) AS active_weeks,
               count(*) AS generations
        FROM {source} WHERE {where} AND u.is_known GROUP BY ALL
        """
    return sql, params
