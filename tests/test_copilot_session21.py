"""Rules found by blind set 17 (session 21), on a real sample warehouse, each phrased unlike the
set's items: an answer's rows equal those of SQL written here."""

from __future__ import annotations

import pytest

from tests.test_copilot_grammar import GENS, check, declined

TIERS = "fact_generations g JOIN dim_users u USING (user_id)"

# --- a share among a status rate's cases --------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "status", "part"),
    [
        (
            "what fraction of errors had WORKER_UNAVAILABLE as their code?",
            "error",
            "g.error_code = 'WORKER_UNAVAILABLE'",
        ),
        (
            "what percentage of the errors had code WORKER_UNAVAILABLE",
            "error",
            "g.error_code = 'WORKER_UNAVAILABLE'",
        ),
        (
            "looking at generations whose status is error: what share had the WORKER_UNAVAILABLE code",
            "error",
            "g.error_code = 'WORKER_UNAVAILABLE'",
        ),
    ],
)
def test_a_share_of_a_status_rates_cases_with_a_code_is_taken_among_those_cases(
    copilot, wh, question, status, part
):
    # over the rows with that code the rate would be 0 or 1 by definition: the question asks how
    # the cases divide
    answer = check(
        copilot,
        wh,
        question,
        f"SELECT avg(CASE WHEN {part} THEN 1.0 ELSE 0.0 END) FROM {GENS} WHERE g.status = '{status}'",
    )
    assert "among the cases of the" in answer.reading


def test_a_share_of_cases_that_came_from_a_tier_is_taken_among_the_cases(copilot, wh):
    answer = check(
        copilot,
        wh,
        "what percentage of errors were from free users",
        f"SELECT avg(CASE WHEN u.tier = 'free' THEN 1.0 ELSE 0.0 END) FROM {TIERS} WHERE g.status = 'error'",
    )
    assert 0 < answer.rows[0][0] < 1


def test_a_rate_of_a_filtered_group_stays_a_rate(copilot, wh):
    # the part named before the status ("of pro generations ... errored") is the group the rate is of
    check(
        copilot,
        wh,
        "what percentage of enterprise generations timed out",
        f"SELECT avg(CASE WHEN g.status = 'timeout' THEN 1.0 ELSE 0.0 END) FROM {TIERS} "
        "WHERE u.tier = 'enterprise'",
    )


@pytest.mark.parametrize(
    "question",
    [
        "how many pictures did people like in september",
        "which styles do customers like",
        "what prompts do they like",
    ],
)
def test_liking_is_data_the_warehouse_does_not_hold(copilot, question):
    answer = declined(copilot, question)
    assert "ratings" in answer.explanation


# --- a session length asked in another unit ------------------------------------------------------


def test_a_session_length_asked_in_seconds_is_converted_from_minutes(copilot, wh):
    answer = check(
        copilot,
        wh,
        "for pro accounts, what's the typical session duration in seconds (mean)?",
        "SELECT avg(s.duration_s) FROM dim_sessions s JOIN dim_users u USING (user_id) WHERE u.tier = 'pro'",
    )
    assert answer.columns == ["avg_session_seconds"]
    assert "(in seconds)" in answer.reading


def test_a_session_length_in_hours_by_tier_is_converted(copilot, wh):
    answer = check(
        copilot,
        wh,
        "average session length by tier, in hours",
        "SELECT u.tier, avg(s.duration_s) / 3600 FROM dim_sessions s JOIN dim_users u USING (user_id) "
        "GROUP BY 1",
    )
    assert "(in hours)" in answer.reading


# --- "new question:" starts afresh ----------------------------------------------------------------


def test_a_message_saying_new_question_is_not_a_follow_up(copilot, wh):
    first = copilot.ask("error rate by tier")
    answer = check(
        copilot,
        wh,
        "Another question - how many sessions were there?",
        "SELECT count(*) FROM dim_sessions",
        context=first.context,
    )
    assert "tier" not in answer.reading


# --- how many users never ...: the units with no such generation, counted ------------------------


def test_the_users_who_never_used_a_sampler_are_counted(copilot, wh):
    answer = check(
        copilot,
        wh,
        "how many enterprise users have never used k_euler_ancestral?",
        "SELECT count(*) FROM (SELECT g.user_id FROM fact_generations g JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'enterprise' GROUP BY 1 "
        "HAVING count(*) FILTER (WHERE g.sampler = 'k_euler_ancestral') = 0)",
    )
    assert "with no generation of sampler k_euler_ancestral" in answer.reading
    # the users with one, and those without, make all the enterprise users
    users = wh.scalar(
        "SELECT count(DISTINCT g.user_id) FROM fact_generations g JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'enterprise'"
    )
    used = wh.scalar(
        "SELECT count(DISTINCT g.user_id) FROM fact_generations g JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'enterprise' AND g.sampler = 'k_euler_ancestral'"
    )
    assert 0 < answer.rows[0][0] == users - used


def test_the_users_who_did_not_use_a_sampler_are_counted(copilot, wh):
    # declined before session 21 ("users with no such generation at all")
    check(
        copilot,
        wh,
        "how many users did not use the euler sampler",
        "SELECT count(*) FROM (SELECT g.user_id FROM fact_generations g GROUP BY 1 "
        "HAVING count(*) FILTER (WHERE g.sampler = 'k_euler') = 0)",
    )


def test_the_sessions_without_a_style_in_a_period_are_counted(copilot, wh):
    check(
        copilot,
        wh,
        "number of sessions that never generated anime in september",
        "SELECT count(*) FROM (SELECT g.session_id FROM fact_generations g "
        "WHERE g.date_key BETWEEN DATE '2025-09-01' AND DATE '2025-09-30' GROUP BY 1 "
        "HAVING count(*) FILTER (WHERE g.art_style = 'anime') = 0)",
    )


@pytest.mark.parametrize(
    "question",
    [
        "how many users never used k_lms, by tier",  # a grouping with it
        "users who never generated an anime image",  # a list, not a count
        "how many users never used k_lms and their revenue",
    ],
)
def test_users_who_never_did_something_are_declined_beyond_a_count(copilot, question):
    declined(copilot, question)


# --- "the N most used ...": ranked by the count of generations -----------------------------------


def test_the_most_used_values_are_ranked_by_their_generations(copilot, wh):
    answer = check(
        copilot,
        wh,
        "the 3 most frequently used samplers",
        f"SELECT g.sampler, count(*) AS n FROM {GENS} GROUP BY 1 ORDER BY n DESC, g.sampler LIMIT 3",
        ordered=True,
    )
    assert answer.reading.endswith("top 3")
    check(
        copilot,
        wh,
        "top 2 least popular domains",
        f"SELECT g.domain, count(*) AS n FROM {GENS} WHERE g.domain IS NOT NULL GROUP BY 1 "
        "ORDER BY n, g.domain LIMIT 2",
        ordered=True,
    )


def test_the_most_used_values_ranked_by_another_figure_are_declined(copilot):
    answer = declined(copilot, "the 4 most common art styles by p95 latency")
    assert "two rankings" in answer.explanation


def test_the_median_session_length_is_a_figure_of_its_own(copilot, wh):
    answer = check(
        copilot,
        wh,
        "what's the median duration of a session for free users",
        "SELECT quantile_cont(s.duration_s, 0.5) / 60 FROM dim_sessions s JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'free'",
    )
    assert answer.reading.startswith("Median session length")
    assert not copilot.ask("average session length").reading.startswith("Median")


def test_a_share_of_a_narrowed_status_with_a_code_is_declined(copilot):
    # over the code the rate is 0 or 1, and which filter is the part and which the whole is not said
    answer = declined(copilot, "what share of enterprise errors had code WORKER_UNAVAILABLE")
    assert "which part of which whole" in answer.explanation
