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
