"""Rules found by reading blind sets 34 and 35 (session 29), on a real sample warehouse, each phrased
unlike the sets' items: an answer's rows equal those of SQL written here, and what must stay
unanswered is declined. The ids asked about are picked from the warehouse by the test."""

from __future__ import annotations

import pytest

from tests.test_copilot_grammar import GENS, check, declined
from tests.test_copilot_session24 import TIERS


@pytest.fixture(scope="module")
def ids(wh) -> dict[str, str]:
    """A busy user, one of their sessions and a prompt used by several users."""
    (user,) = wh.rows("SELECT user_id FROM fact_generations GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")[0]
    (session,) = wh.rows(
        "SELECT session_id FROM fact_generations WHERE user_id = $u "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
        {"u": user},
    )[0]
    (prompt,) = wh.rows(
        "SELECT prompt_id FROM fact_generations GROUP BY 1 ORDER BY count(DISTINCT user_id) DESC, 1 LIMIT 1"
    )[0]
    return {"user": user, "session": session, "prompt": prompt}


# --- one user, session or prompt named by its id ------------------------------------------------------


def test_a_user_named_by_id_is_a_filter_on_that_user(copilot, wh, ids):
    u = ids["user"]
    answer = check(
        copilot,
        wh,
        f"failure rate by sampler for customer {u}",
        f"SELECT g.sampler, avg(CASE WHEN g.status <> 'success' THEN 1.0 ELSE 0.0 END) FROM {GENS} "
        f"WHERE g.user_id = '{u}' GROUP BY 1",
    )
    assert f"only user {u}" in answer.reading
    revenue = f"SELECT sum(revenue_usd) FROM {GENS} WHERE user_id = '{u}'"
    check(copilot, wh, f"total revenue of account {u.upper()}", revenue)


def test_a_session_and_a_prompt_named_by_id(copilot, wh, ids):
    s, p = ids["session"], ids["prompt"]
    latency = f"SELECT median(latency_ms) FROM {GENS} WHERE session_id = '{s}'"
    check(copilot, wh, f"median latency in session id {s}", latency)
    users = f"SELECT count(DISTINCT user_id) FROM {GENS} WHERE prompt_id = '{p}'"
    check(copilot, wh, f"number of distinct users of prompt {p}", users)


def test_an_id_alone_is_read_as_the_only_unit_holding_it(copilot, wh, ids):
    u = ids["user"]
    weekly = f"SELECT date_trunc('week', date_key), sum(gpu_seconds) / 3600 FROM {GENS} WHERE user_id = '{u}'"
    check(copilot, wh, f"gpu hours for {u} per week", weekly + " GROUP BY 1")


def test_an_id_the_warehouse_lacks_is_declined_by_name_never_answered_zero(copilot, ids):
    answer = declined(copilot, "how many generations did user 0123456789abcdef make")
    assert "0123456789abcdef" in answer.explanation and "no user" in answer.explanation
    assert "0123456789abcdef" in answer.unread
    # a session's id called a user's: not read as the session, nor as no one
    answer = declined(copilot, f"cost for user {ids['session']}")
    assert "session" in answer.explanation
    declined(copilot, "error rate for deadbeef00112233")  # no noun, held by nothing


def test_a_ticket_background_naming_an_id_is_what_their_points_back_to(copilot, wh, ids):
    u = ids["user"]
    answer = check(
        copilot,
        wh,
        f"Escalation from account {u}, who says the app is slow for them. "
        "What was their p95 latency in September?",
        f"SELECT quantile_cont(latency_ms, 0.95) FROM {GENS} WHERE user_id = '{u}' AND date_key BETWEEN "
        "'2025-09-01' AND '2025-09-30'",
    )
    assert f"only user {u}" in answer.reading
    # the background asks a question of its own; the one after it is about the same user
    check(
        copilot,
        wh,
        f"Is user {u} seeing failures? How many of their generations failed?",
        f"SELECT count(*) FROM {GENS} WHERE user_id = '{u}' AND status <> 'success'",
        nonempty=False,
    )


def test_what_grouping_a_named_user_falls_in_is_answered_with_their_rows(copilot, wh, ids):
    u = ids["user"]
    tier = f"SELECT u.tier, count(*) FROM {TIERS} WHERE user_id = '{u}' GROUP BY 1"
    check(copilot, wh, f"which plan is customer {u} on", tier)


# --- a count and the failed ones among them: two figures -------------------------------------------


def test_a_count_and_how_many_of_those_failed_are_two_columns(copilot, wh):
    answer = check(
        copilot,
        wh,
        "how many renders did enterprise users request in September and how many of them failed",
        f"SELECT count(*), count(*) FILTER (WHERE g.status <> 'success') FROM {TIERS} "
        "WHERE u.tier = 'enterprise' "
        "AND g.date_key BETWEEN '2025-09-01' AND '2025-09-30'",
    )
    assert answer.columns[:2] == ["generations", "failed_generations"]
    # another status after a count is a second count the layer has no figure for: declined, not a filter
    declined(copilot, "how many images were made on mondays and how many of those got nsfw blocked")


# --- requests to change data, however long the object -------------------------------------------------


def test_a_change_request_with_a_long_object_is_refused(copilot):
    answer = declined(copilot, "set the plan of the three users with the highest revenue in october to free")
    assert "only read" in answer.explanation


# --- a team chat's shorthand ------------------------------------------------------------------------------


def test_chat_abbreviations_for_rates_latency_and_units(copilot, wh):
    failed = "avg(CASE WHEN status <> 'success' THEN 1.0 ELSE 0.0 END)"
    check(copilot, wh, "fail% by domain", f"SELECT domain, {failed} FROM {GENS} GROUP BY 1")
    succeeded = "avg(CASE WHEN g.status = 'success' THEN 1.0 ELSE 0.0 END)"
    check(copilot, wh, "SR for ent", f"SELECT {succeeded} FROM {TIERS} WHERE u.tier = 'enterprise'")
    check(copilot, wh, "max lat by sampler", f"SELECT sampler, max(latency_ms) FROM {GENS} GROUP BY 1")
    users = f"SELECT art_style, count(DISTINCT user_id) FROM {GENS} GROUP BY 1"
    check(copilot, wh, "uniq users by art style", users)
    check(copilot, wh, "# gens by weekday", f"SELECT dayname(date_key), count(*) FROM {GENS} GROUP BY 1")


def test_week_over_week_is_last_week_against_the_one_before(copilot, wh):
    answer = copilot.ask("cost w/w")
    assert not answer.refused, answer.explanation
    assert "compared with" in answer.reading


# --- the dates' own column named before its range ------------------------------------------------------


def test_a_date_column_before_its_range_is_no_grouping(copilot, wh):
    answer = check(
        copilot,
        wh,
        "avg(step) where the date is between 2025-09-03 and 2025-09-05",
        f"SELECT avg(step) FROM {GENS} WHERE date_key BETWEEN '2025-09-03' AND '2025-09-05'",
    )
    assert "by day" not in answer.reading


# --- a follow-up ranking something else ------------------------------------------------------------------


def test_a_follow_up_ranking_another_grouping_ranks_it_alone(copilot, wh):
    first = copilot.ask("average cost by hour of the day")
    check(
        copilot,
        wh,
        "and the quietest weekday?",
        f"SELECT dayname(date_key), count(*) FROM {GENS} GROUP BY 1 ORDER BY 2 LIMIT 1",
        context=first.context,
        ordered=True,
    )
