"""The copilot's readings of weekdays, hours of the day, quarters, thresholds and negations, on a
real sample warehouse: each answer's rows equal those of SQL written here independently of the
semantic layer (isodow instead of dayname, extract(hour) instead of the epoch arithmetic, a
quarter() filter instead of dates, <> instead of a list of the other values), its reading says
what it read, and a question only half understood is declined, naming what it could not read."""

from __future__ import annotations

import calendar
import math
from datetime import date

import pytest

from genai_analyzer.analysis.copilot.evaluate import same_result

GENS = "fact_generations g"
HOUR = "extract(hour FROM timezone('UTC', g.created_at))"


def _rows(wh, sql: str, params=None) -> list[list]:
    return wh.query(sql, params).values.tolist()


def check(copilot, wh, question: str, gold: str, *, ordered: bool = False, context=None, nonempty=True):
    """The answer to ``question`` equals ``gold``'s result; returns the answer."""
    answer = copilot.ask(question, context)
    assert not answer.refused, f"{question}: {answer.explanation}"
    expected = _rows(wh, gold)
    assert not nonempty or expected and any(v is not None for row in expected for v in row), gold
    assert same_result(answer.rows, expected, ordered=ordered), (question, answer.sql, answer.rows, expected)
    return answer


def last_day(wh):
    """The data's last day (a ``date``): what relative periods count back from."""
    return wh.scalar("SELECT max(date_key) FROM fact_generations")


def declined(copilot, question: str, context=None):
    answer = copilot.ask(question, context)
    assert answer.refused and answer.sql is None and not answer.rows, (question, answer.sql)
    return answer


# --- named weekdays and weekday / weekend splits --------------------------------------------


def test_named_weekdays_filter_every_such_day(copilot, wh):
    answer = check(
        copilot,
        wh,
        "how many generations happen on mondays",
        f"SELECT count(*) FROM {GENS} WHERE isodow(g.date_key) = 1",
    )
    assert "only day of week Monday" in answer.reading
    check(
        copilot,
        wh,
        "avg session length for sessions that start on a friday",
        "SELECT avg(duration_s) / 60 FROM dim_sessions WHERE isodow(timezone('UTC', started_at)) = 5",
    )
    check(
        copilot,
        wh,
        "error rate on mondays vs fridays",
        f"SELECT CASE isodow(g.date_key) WHEN 1 THEN 'Monday' ELSE 'Friday' END, "
        f"avg((g.status = 'error')::INT) FROM {GENS} WHERE isodow(g.date_key) IN (1, 5) GROUP BY 1",
    )


def test_weekends_against_weekdays_is_a_two_way_split(copilot, wh):
    answer = check(
        copilot,
        wh,
        "success rate on weekends vs weekdays",
        f"SELECT CASE WHEN isodow(g.date_key) >= 6 THEN 'weekend' ELSE 'weekday' END, "
        f"avg((g.status = 'success')::INT) FROM {GENS} GROUP BY 1",
    )
    assert "split into weekend (Saturday, Sunday) and weekday" in answer.reading
    check(
        copilot,
        wh,
        "generations by tier on weekends",
        f"SELECT u.tier, count(*) FROM {GENS} JOIN dim_users u USING (user_id) "
        "WHERE isodow(g.date_key) IN (6, 7) GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "generations except on weekends",
        f"SELECT count(*) FROM {GENS} WHERE isodow(g.date_key) BETWEEN 1 AND 5",
    )


def test_a_grouping_by_weekday_and_the_busiest_weekday(copilot, wh):
    check(
        copilot,
        wh,
        "generations by day of week",
        f"SELECT dayname(g.date_key), count(*) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "which weekday has the most generations",
        f"SELECT dayname(g.date_key) AS d, count(*) AS n FROM {GENS} GROUP BY 1 ORDER BY n DESC, d LIMIT 1",
        ordered=True,
    )


@pytest.mark.parametrize(
    "question, unread",
    [
        ("generations on monday", "monday"),  # one date, or every monday?
        ("error rate last weekend", "weekend"),
        ("revenue this friday", "friday"),
        ("friday error rate", "friday"),
    ],
)
def test_a_weekday_that_could_be_one_date_is_declined(copilot, question, unread):
    answer = declined(copilot, question)
    assert unread in answer.unread and "one date or every such day" in answer.explanation


# --- hour ranges (UTC) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, hours, shown",
    [
        ("success rate between 9am and 5pm utc", "BETWEEN 9 AND 16", "9-16"),
        ("success rate from midnight to 6am", "BETWEEN 0 AND 5", "0-5"),
        ("success rate in hours 3 through 7", "BETWEEN 3 AND 7", "3-7"),
        ("success rate from 10pm to 2am", "IN (22, 23, 0, 1)", "0-1, 22-23"),
        ("success rate after 6pm", ">= 18", "18-23"),
        ("success rate before 9 am", "< 9", "0-8"),
        ("success rate outside 9am to 5pm", "NOT BETWEEN 9 AND 16", "0-8, 17-23"),
    ],
)
def test_hour_ranges_keep_the_hours_they_name(copilot, wh, question, hours, shown):
    answer = check(
        copilot, wh, question, f"SELECT avg((g.status = 'success')::INT) FROM {GENS} WHERE {HOUR} {hours}"
    )
    assert f"only hour of day (UTC) {shown}" in answer.reading


def test_an_hour_range_with_a_grouping_and_a_unit_of_time(copilot, wh):
    check(
        copilot,
        wh,
        "median latency by tier for generations made between midnight and 6am UTC",
        f"SELECT u.tier, median(g.latency_ms) FROM {GENS} JOIN dim_users u USING (user_id) "
        f"WHERE {HOUR} < 6 GROUP BY 1",
    )


@pytest.mark.parametrize(
    "question, unread",
    [
        ("success rate in the evening", "evening"),  # not defined by the layer or the docs
        ("generations at night by tier", "night"),
        ("generations between 9 and 17", "9"),  # hours, days, or something else?
    ],
)
def test_parts_of_the_day_nobody_defined_are_declined_and_named(copilot, question, unread):
    answer = declined(copilot, question)
    assert unread in answer.unread


def test_hours_that_are_not_whole_or_cover_the_day_are_declined(copilot):
    assert "not on the hour" in declined(copilot, "generations between 9:30am and 5pm").explanation
    assert "whole day" in declined(copilot, "generations from 9am to 9am").explanation


# --- quarters --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quarters(wh):
    last = wh.scalar("SELECT max(date_key) FROM fact_generations")
    current = (last.month - 1) // 3 + 1
    if current == 1:
        pytest.skip("the sample's data must end after the year's first quarter")
    return last.year, current


def test_a_quarter_named_is_its_three_months(copilot, wh, quarters):
    year, q = quarters
    ordinal = ["first", "second", "third", "fourth"][q - 1]
    gold = (
        f"SELECT sum(g.revenue_usd) FROM {GENS} WHERE year(g.date_key) = {year} AND quarter(g.date_key) = {q}"
    )
    answer = check(copilot, wh, f"revenue in Q{q}", gold)
    assert f"from {year}-{3 * q - 2:02d}-01 to" in answer.reading
    check(copilot, wh, f"revenue in the {ordinal} quarter", gold)
    check(copilot, wh, f"revenue in q{q} {year}", gold)


def test_two_quarters_compared_give_the_earlier_the_later_and_the_change(copilot, wh, quarters):
    year, q = quarters

    def total(quarter: int) -> str:
        return (
            f"sum(g.revenue_usd) FILTER (WHERE year(g.date_key) = {year} AND quarter(g.date_key) = {quarter})"
        )

    gold = (
        f"SELECT coalesce({total(q - 1)}, 0), coalesce({total(q)}, 0), "
        f"coalesce({total(q)}, 0) - coalesce({total(q - 1)}, 0) FROM {GENS}"
    )
    first = wh.scalar("SELECT min(date_key) FROM fact_generations")
    for question in (f"q{q - 1} vs q{q} revenue", f"revenue in q{q} compared with q{q - 1}"):
        if date(year, 3 * (q - 1), calendar.monthrange(year, 3 * (q - 1))[1]) < first:
            # the earlier quarter is wholly before the data: refused, not shown as $0
            assert "starts on" in declined(copilot, question).explanation
            continue
        answer = check(copilot, wh, question, gold, ordered=True)
        assert answer.columns == ["revenue_usd_before", "revenue_usd", "change"]


def test_a_quarter_that_does_not_exist_is_declined(copilot):
    assert "q5" in declined(copilot, "revenue in q5").explanation


# --- thresholds on groups (HAVING) and on rows (WHERE) ----------------------------------------


def test_thresholds_on_the_groups_named(copilot, wh):
    per_tier = sorted(
        r[0]
        for r in _rows(
            wh, f"SELECT count(DISTINCT session_id) FROM {GENS} JOIN dim_users USING (user_id) GROUP BY tier"
        )
    )
    n = per_tier[len(per_tier) // 2] - 1  # some tiers pass, some may not
    answer = check(
        copilot,
        wh,
        f"tiers with more than {n} sessions",
        f"SELECT u.tier, count(DISTINCT g.session_id) FROM {GENS} JOIN dim_users u USING (user_id) "
        f"GROUP BY 1 HAVING count(DISTINCT g.session_id) > {n}",
    )
    assert f"only tiers with Sessions above {n}" in answer.reading and "HAVING" in answer.sql
    check(
        copilot,
        wh,
        "prompts used more than 2 times",
        f"SELECT p.prompt, count(*) FROM {GENS} JOIN dim_prompts p USING (prompt_id) "
        "GROUP BY 1 HAVING count(*) > 2",
    )
    check(
        copilot,
        wh,
        "users whose error rate is above 10%",
        f"SELECT g.user_id, avg((g.status = 'error')::INT) FROM {GENS} GROUP BY 1 "
        "HAVING avg((g.status = 'error')::INT) > 0.1",
    )
    check(
        copilot,
        wh,
        "which domains have an error rate above 3%",
        f"SELECT g.domain, avg((g.status = 'error')::INT) FROM {GENS} GROUP BY 1 "
        "HAVING avg((g.status = 'error')::INT) > 0.03",
    )
    check(
        copilot,
        wh,
        "art styles with 20 or more generations",
        f"SELECT g.art_style, count(*) FROM {GENS} GROUP BY 1 HAVING count(*) >= 20",
    )


def test_a_threshold_in_seconds_compares_milliseconds(copilot, wh):
    p95 = sorted(
        r[0] for r in _rows(wh, f"SELECT quantile_cont(latency_ms, 0.95) FROM {GENS} GROUP BY sampler")
    )
    seconds = math.ceil(p95[len(p95) // 2] / 1000)
    answer = check(
        copilot,
        wh,
        f"samplers with a p95 latency under {seconds} seconds",
        f"SELECT g.sampler, quantile_cont(g.latency_ms, 0.95) FROM {GENS} GROUP BY 1 "
        f"HAVING quantile_cont(g.latency_ms, 0.95) < {seconds * 1000}",
    )
    assert f"< {seconds * 1000}" in answer.sql


def test_how_many_groups_pass_a_threshold(copilot, wh):
    answer = check(
        copilot,
        wh,
        "how many prompts were used more than 2 times?",
        f"SELECT count(*) FROM (SELECT prompt_id FROM {GENS} GROUP BY 1 HAVING count(*) > 2)",
    )
    assert answer.reading.startswith("Number of prompts")
    check(
        copilot,
        wh,
        "how many users have over 10 generations",
        f"SELECT count(*) FROM (SELECT user_id FROM {GENS} GROUP BY 1 HAVING count(*) > 10)",
    )
    check(
        copilot,
        wh,
        "count the sessions with more than 5 generations in them",
        "SELECT count(*) FROM dim_sessions WHERE n_generations > 5",
    )
    check(
        copilot,
        wh,
        "and more than 1 times?",
        f"SELECT count(*) FROM (SELECT prompt_id FROM {GENS} GROUP BY 1 HAVING count(*) > 1)",
        context=answer.context,
    )


def test_a_threshold_on_rows_uses_the_column_the_layer_defines(copilot, wh):
    answer = check(
        copilot, wh, "generations with more than 50 steps", f"SELECT count(*) FROM {GENS} WHERE g.step > 50"
    )
    assert "only generations with sampling steps above 50" in answer.reading
    check(
        copilot,
        wh,
        "error rate by sampler for generations with more than 50 steps",
        f"SELECT g.sampler, avg((g.status = 'error')::INT) FROM {GENS} WHERE g.step > 50 GROUP BY 1",
    )


def test_the_rows_of_the_groups_that_pass(copilot, wh):
    check(
        copilot,
        wh,
        "how many generations did users with more than 3 sessions make",
        f"SELECT count(*) FROM {GENS} WHERE g.user_id IN "
        f"(SELECT user_id FROM {GENS} GROUP BY 1 HAVING count(DISTINCT session_id) > 3)",
    )
    check(
        copilot,
        wh,
        "error rate by tier for users with more than 10 generations",
        f"SELECT u.tier, avg((g.status = 'error')::INT) FROM {GENS} JOIN dim_users u USING (user_id) "
        f"WHERE g.user_id IN (SELECT user_id FROM {GENS} GROUP BY 1 HAVING count(*) > 10) GROUP BY 1",
    )


@pytest.mark.parametrize(
    "question, reason",
    [
        ("error rate above 3%", "compares groups"),  # above 3% for which groups?
        ("domains with an error rate above 3", "percentage"),  # 3% or 0.03?
        ("samplers with p95 latency under 8000", "say the unit"),
        ("samplers with more than 50 steps", "could be an average per group"),
        ("generations with p95 latency above 8 seconds", "not a column of each generation"),
        ("revenue for users with more than 10 generations last week", "over which data"),
        ("how many users per tier have more than 10 generations", "per"),
        ("prompts used more than 3", "more than 3"),
        ("users with more than 1 error", "as a rate"),  # a count of errors, not an error rate above 1
    ],
)
def test_a_threshold_half_understood_is_declined(copilot, question, reason):
    answer = declined(copilot, question)
    assert reason in answer.explanation or reason in " ".join(answer.unread), answer.explanation


# --- negations: the opposite filter, never the literal one ----------------------------------


@pytest.mark.parametrize(
    "question, where",
    [
        ("generations that did not use the euler sampler", "g.sampler <> 'k_euler'"),
        ("generations excluding the euler ancestral sampler", "g.sampler <> 'k_euler_ancestral'"),
        ("generations excluding free users", "u.tier <> 'free'"),
        ("generations for everyone except enterprise", "u.tier <> 'enterprise'"),
        ("generations from everyone but free users", "u.tier <> 'free'"),
        ("generations except free and pro users", "u.tier = 'enterprise'"),
        ("generations excluding paying users", "u.tier = 'free'"),
        ("generations that aren't photorealistic", "g.art_style <> 'photorealistic'"),
        ("generations except portraits and anime", "g.domain <> 'portrait' AND g.art_style <> 'anime'"),
        ("generations except the other domain", "g.domain <> 'other'"),
    ],
)
def test_a_negation_keeps_everything_else(copilot, wh, question, where):
    answer = check(
        copilot, wh, question, f"SELECT count(*) FROM {GENS} JOIN dim_users u USING (user_id) WHERE {where}"
    )
    assert " not " in answer.reading or "only tier free" in answer.reading or "enterprise" in answer.reading


def test_a_negation_with_a_grouping_and_a_rate(copilot, wh):
    answer = check(
        copilot,
        wh,
        "error rate by tier excluding the k_lms sampler",
        f"SELECT u.tier, avg((g.status = 'error')::INT) FROM {GENS} JOIN dim_users u USING (user_id) "
        "WHERE g.sampler <> 'k_lms' GROUP BY 1",
    )
    assert "sampler not k_lms" in answer.reading


@pytest.mark.parametrize(
    "question",
    [
        "error rate for users who never used the euler sampler",
        "active users except on mondays",
        "how many users not using k_lms",
        "which samplers were never used by free users",  # samplers with no such generation
        "which samplers are not used by free users",
        "tiers that never used k_lms",
    ],
)
def test_a_negation_about_units_it_cannot_read_is_declined(copilot, question):
    answer = declined(copilot, question)
    assert "no such generation at all" in answer.explanation
