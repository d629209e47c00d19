"""Rules found by the four wrong answers left on blind set 12 (session 18), on a real sample
warehouse: each was a confident answer to another question. Each answer's rows equal those of SQL
written here, phrased unlike the set's items; a question the data cannot answer is declined."""

from __future__ import annotations

import re

import pytest

from tests.test_copilot_grammar import check, declined

# --- statuses as what a total was spent on: "what did timeouts cost" -----------------------------


@pytest.mark.parametrize(
    ("question", "statuses"),
    [
        ("how many gpu hours did the errors eat up", ("error",)),
        ("what did timeouts and errors cost us", ("timeout", "error")),
        ("total cost spent on failed generations", ("error", "timeout", "nsfw_blocked")),
        ("gpu hours lost to nsfw blocks", ("nsfw_blocked",)),
    ],
)
def test_statuses_a_total_went_on_filter_the_total(copilot, wh, question, statuses):
    metric = "sum(gpu_seconds) / 3600" if "gpu" in question else "sum(cost_usd)"
    listed = ", ".join(f"'{s}'" for s in statuses)
    answer = check(copilot, wh, question, f"SELECT {metric} FROM fact_generations WHERE status IN ({listed})")
    assert "rate" not in answer.sql  # the statuses' rates are not listed beside the total
    assert "only status" in answer.reading


def test_the_total_a_status_went_on_by_group(copilot, wh):
    check(
        copilot,
        wh,
        "which tier wasted the most gpu time on errors",
        "SELECT u.tier, sum(g.gpu_seconds) / 3600 AS h FROM fact_generations g JOIN dim_users u "
        "USING (user_id) WHERE g.status = 'error' GROUP BY 1 ORDER BY h DESC LIMIT 1",
    )


def test_a_rate_listed_beside_a_total_stays_a_rate(copilot, wh):
    answer = check(
        copilot,
        wh,
        "error rate and cost by tier",
        "SELECT u.tier, avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END), sum(g.cost_usd) "
        "FROM fact_generations g JOIN dim_users u USING (user_id) GROUP BY 1",
    )
    assert "only status" not in answer.reading


# --- "did sessions get longer": the sessions' length, not their number -----------------------------


def test_sessions_getting_longer_compares_their_length(copilot, wh):
    answer = copilot.ask("were sessions shorter last week than the week before?")
    assert not answer.refused, answer.explanation
    assert "Average session length" in answer.reading
    (a, b), (c, d) = re.findall(r"(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)", answer.reading)
    now, before = (
        wh.scalar(
            "SELECT avg(duration_s) / 60 FROM dim_sessions "
            f"WHERE CAST(timezone('UTC', started_at) AS DATE) BETWEEN DATE '{lo}' AND DATE '{hi}'"
        )
        for lo, hi in ((a, b), (c, d))
    )
    assert now is not None and before is not None
    row = answer.rows[0]
    assert pytest.approx(before) in row and pytest.approx(now) in row


def test_who_has_longer_sessions_groups_their_length(copilot, wh):
    check(
        copilot,
        wh,
        "do enterprise users have longer sessions than free users",
        "SELECT u.tier, avg(s.duration_s) / 60 FROM dim_sessions s JOIN dim_users u USING (user_id) "
        "WHERE u.tier IN ('enterprise', 'free') GROUP BY 1",
    )


# --- "only counting users with more than N": those users' rows, not a row per user ----------------


@pytest.mark.parametrize(
    "question",
    [
        "average latency per tier, counting only users with more than 40 generations",
        "average latency per tier, restricted to users with more than 40 generations",
        "average latency per tier, only users with more than 40 generations",
    ],
)
def test_only_the_users_over_a_threshold_keep_the_grouping(copilot, wh, question):
    answer = check(
        copilot,
        wh,
        question,
        "SELECT u.tier, avg(g.latency_ms) FROM fact_generations g JOIN dim_users u USING (user_id) "
        "WHERE g.user_id IN (SELECT user_id FROM fact_generations GROUP BY 1 HAVING count(*) > 40) "
        "GROUP BY 1",
    )
    assert "user_id AS user" not in answer.sql


def test_users_over_a_threshold_asked_alone_are_listed(copilot, wh):
    check(
        copilot,
        wh,
        "only users with more than 40 generations",
        "SELECT user_id, count(*) FROM fact_generations GROUP BY 1 HAVING count(*) > 40",
    )


# --- likes and favourites: the warehouse holds none ------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "which prompts do people like the most",
        "which sampler did users like best",
        "what did people love most, anime or photos?",
    ],
)
def test_what_people_like_is_declined(copilot, question):
    answer = declined(copilot, question)
    assert "no ratings" in answer.explanation


def test_like_in_everyday_phrasing_is_not_a_rating(copilot, wh):
    check(
        copilot,
        wh,
        "what does the error rate look like by tier",
        "SELECT u.tier, avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END) "
        "FROM fact_generations g JOIN dim_users u USING (user_id) GROUP BY 1",
    )


# --- blind set 13's wrong answers (the set was tuned on after it was scored) -----------------------


def test_an_average_asked_of_a_median_phrase_is_the_average(copilot, wh):
    # the layer's "generation time" is the median latency; "mean" asks for the average
    answer = check(
        copilot,
        wh,
        "mean generation time for pro users",
        "SELECT avg(g.latency_ms) FROM fact_generations g JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'pro'",
    )
    assert "Average latency" in answer.reading
    median = check(
        copilot,
        wh,
        "generation time by tier",
        "SELECT u.tier, quantile_cont(g.latency_ms, 0.5) "
        "FROM fact_generations g JOIN dim_users u USING (user_id) GROUP BY 1",
    )
    assert "p50" in median.reading


def test_saturdays_and_sundays_against_workdays_is_the_weekend_against_the_week(copilot, wh):
    check(
        copilot,
        wh,
        "p95 latency on sat and sun versus weekdays",
        "SELECT CASE WHEN isodow(date_key) >= 6 THEN 'weekend' ELSE 'weekday' END, "
        "quantile_cont(latency_ms, 0.95) FROM fact_generations GROUP BY 1",
    )


def test_what_about_another_grouping_replaces_the_grouping(copilot, wh):
    first = copilot.ask("average queue time by sampler")
    check(
        copilot,
        wh,
        "how about per domain?",
        "SELECT domain, avg(queue_ms) FROM fact_generations GROUP BY 1",
        context=first.context,
    )
    # "and by ..." still adds a grouping
    check(
        copilot,
        wh,
        "and by tier too",
        "SELECT g.sampler, u.tier, avg(g.queue_ms) FROM fact_generations g JOIN dim_users u USING (user_id) "
        "GROUP BY 1, 2",
        context=first.context,
    )


def test_compared_with_a_named_period_after_a_period_compares_the_two(copilot, wh):
    first = copilot.ask("revenue of pro users last week")
    assert not first.refused, first.explanation
    answer = copilot.ask("and how does it compare to the first week of september?", first.context)
    assert not answer.refused, answer.explanation
    (lo, hi), (blo, bhi) = re.findall(r"(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)", answer.reading)
    assert (lo, hi) == re.findall(r"(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)", first.reading)[0]
    assert (blo, bhi) == ("2025-09-01", "2025-09-07")
    now, before = (
        wh.scalar(
            "SELECT coalesce(sum(g.revenue_usd), 0) FROM fact_generations g JOIN dim_users u USING (user_id) "
            f"WHERE u.tier = 'pro' AND g.date_key BETWEEN DATE '{a}' AND DATE '{b}'"
        )
        for a, b in ((lo, hi), (blo, bhi))
    )
    row = answer.rows[0]
    assert pytest.approx(before) in row and pytest.approx(now) in row
    assert pytest.approx(now - before) in row


def test_only_a_kind_of_the_rows_before_keeps_the_figure_before(copilot, wh):
    first = copilot.ask("average sampling steps by sampler")
    answer = copilot.ask("only failed generations", first.context)
    assert not answer.refused, answer.explanation
    check(
        copilot,
        wh,
        "only failed generations",
        "SELECT sampler, avg(step) FROM fact_generations WHERE status <> 'success' GROUP BY 1",
        context=first.context,
    )


def test_how_much_names_what_is_counted_and_a_plural_of_people_is_still_weak(copilot, wh):
    check(
        copilot,
        wh,
        "how much images pro peoples make on saturday and sunday?",
        "SELECT count(*) FROM fact_generations g JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'pro' AND isodow(g.date_key) >= 6",
    )


def test_statuses_a_tier_hit_are_counted_and_something_else_starts_afresh(copilot, wh):
    # every status listed is counted ("or" too), none of them read as a rate beside the count
    check(
        copilot,
        wh,
        "how many errors or nsfw blocks did pro users run into",
        "SELECT count(*) FROM fact_generations g JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'pro' AND g.status IN ('error', 'nsfw_blocked')",
    )
    check(
        copilot,
        wh,
        "how many timeouts and errors did enterprise hit",
        "SELECT count(*) FROM fact_generations g JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'enterprise' AND g.status IN ('timeout', 'error')",
    )
    first = copilot.ask("error rate by tier")
    check(
        copilot,
        wh,
        "something else: how many generations used ddim",
        "SELECT count(*) FROM fact_generations WHERE sampler = 'ddim'",
        context=first.context,
    )


# --- blind set 14's wrong answers (scored once on abd2807, then tuned on) --------------------------


def test_w_slash_o_is_a_negation_never_dropped(copilot, wh):
    answer = check(
        copilot,
        wh,
        "avg queue time per sampler w/o enterprise users",
        "SELECT g.sampler, avg(g.queue_ms) FROM fact_generations g JOIN dim_users u USING (user_id) "
        "WHERE u.tier <> 'enterprise' GROUP BY 1",
    )
    assert "not enterprise" in answer.reading


def test_the_most_of_a_status_ranks_by_its_count(copilot, wh):
    check(
        copilot,
        wh,
        "which 2 samplers had the most failures",
        "SELECT sampler, count(*) AS n FROM fact_generations WHERE status <> 'success' "
        "GROUP BY 1 ORDER BY n DESC, sampler LIMIT 2",
        ordered=True,
    )


def test_per_hour_of_gpu_is_per_gpu_hour(copilot, wh):
    check(
        copilot,
        wh,
        "revenue per hour of gpu time by tier",
        "SELECT u.tier, sum(g.revenue_usd) / (sum(g.gpu_seconds) / 3600) FROM fact_generations g "
        "JOIN dim_users u USING (user_id) GROUP BY 1",
    )


def test_the_other_values_are_the_rest_not_a_value_named_other(copilot, wh):
    answer = check(
        copilot,
        wh,
        "error rate for anime compared with all the other styles",
        "SELECT CASE WHEN art_style = 'anime' THEN 'anime' ELSE 'other styles' END, "
        "avg(CASE WHEN status = 'error' THEN 1.0 ELSE 0.0 END) FROM fact_generations GROUP BY 1",
    )
    assert "other styles" in answer.reading
    declined(copilot, "error rate for anime compared with all the other samplers")  # another dimension


@pytest.mark.parametrize("message", ["ok cool, have a good weekend", "have a nice day!", "talk to you later"])
def test_goodbyes_are_small_talk_never_a_query(copilot, wh, message):
    first = copilot.ask("error rate by tier")
    answer = copilot.ask(message, first.context)
    assert answer.refused and answer.sql is None and "Happy to help" in answer.explanation


def test_everyday_wordings_of_blind_set_14(copilot, wh):
    check(
        copilot,
        wh,
        "how many generations with under 20 steps didn't succeed",
        "SELECT count(*) FROM fact_generations WHERE step < 20 AND status <> 'success'",
    )
    check(
        copilot,
        wh,
        "how many users who've made more than 25 generations",
        "SELECT count(*) FROM (SELECT user_id FROM fact_generations GROUP BY 1 HAVING count(*) > 25)",
    )
    first = copilot.ask("p50 latency by sampler")
    both = check(
        copilot,
        wh,
        "could you show the p95 next to it",
        "SELECT sampler, quantile_cont(latency_ms, 0.5), quantile_cont(latency_ms, 0.95) "
        "FROM fact_generations GROUP BY 1",
        context=first.context,
    )
    assert "p50" in both.reading and "p95" in both.reading
    check(
        copilot,
        wh,
        "separately: how many generations used plms",
        "SELECT count(*) FROM fact_generations WHERE sampler = 'plms'",
        context=first.context,
    )
