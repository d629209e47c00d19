"""Rules found by reading blind sets 32 and 33 (session 28), on a real sample warehouse, each phrased
unlike the sets' items: an answer's rows equal those of SQL written here, and what must stay
unanswered is declined."""

from __future__ import annotations

import pytest

from tests.test_copilot_grammar import GENS, check, declined
from tests.test_copilot_session24 import TIERS

RATE_ERROR = "avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END)"

# --- how long one generation or one session took, as a condition on its rows -----------------------


def test_generations_that_took_longer_than_a_time_keep_their_own_latency(copilot, wh):
    answer = check(
        copilot,
        wh,
        "number of renders which took more than 6.5 seconds to come back",
        f"SELECT count(*) FROM {GENS} WHERE g.latency_ms > 6500",
    )
    assert "6.50 s" in answer.reading  # the value in the unit said, shown back
    check(
        copilot,
        wh,
        "timeout rate per tier for images with a latency under 4000 ms",
        f"SELECT u.tier, avg(CASE WHEN g.status = 'timeout' THEN 1.0 ELSE 0.0 END) FROM {TIERS} "
        "WHERE g.latency_ms < 4000 GROUP BY 1",
    )


def test_generations_that_waited_in_the_queue_keep_their_own_queue_time(copilot, wh):
    check(
        copilot,
        wh,
        "what share of requests queued for over 1.5 s",
        f"SELECT avg(CASE WHEN g.queue_ms > 1500 THEN 1.0 ELSE 0.0 END) FROM {GENS}",
    )


def test_sessions_that_lasted_longer_than_a_time_are_counted_by_their_length(copilot, wh):
    check(
        copilot,
        wh,
        "how many sessions ran longer than 12 minutes",
        "SELECT count(*) FROM dim_sessions s WHERE s.duration_s / 60 > 12",
    )


@pytest.mark.parametrize(
    "question",
    [
        "generations with a p95 latency above 9 seconds",  # a statistic of many, not one generation's
        "how many images have a median generation time over 4 s",
        "how many users have sessions with more than 40 steps",  # steps belong to generations
        "error rate grouped by latency ms",  # one group per millisecond
    ],
)
def test_a_statistic_or_a_grouping_by_one_generations_time_is_declined(copilot, question):
    declined(copilot, question)


# --- a figure after "by" is no grouping ---------------------------------------------------------


@pytest.mark.parametrize("question", ["timeout rate by latency", "gpu hours by revenue per sampler"])
def test_a_figure_by_another_figure_is_declined_not_answered_side_by_side(copilot, question):
    answer = declined(copilot, question)
    assert "group by a figure" in answer.explanation


def test_an_order_in_the_figures_own_words_sorts_the_groups(copilot, wh):
    answer = check(
        copilot,
        wh,
        "median latency per art style, quickest first",
        f"SELECT g.art_style, quantile_cont(g.latency_ms, 0.5) FROM {GENS} GROUP BY 1 ORDER BY 2 ASC, 1",
        ordered=True,
    )
    assert "lowest first" in answer.reading


# --- a statistic said of another figure ------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["median of queue time by tier", "p95 wait time per sampler", "p50 and average queue time"]
)
def test_a_statistic_the_layer_lacks_for_a_figure_is_declined(copilot, question):
    declined(copilot, question)


def test_a_statistic_of_latency_said_with_of_is_that_statistic(copilot, wh):
    check(
        copilot,
        wh,
        "the p95 of the latency for each sampler",
        f"SELECT g.sampler, quantile_cont(g.latency_ms, 0.95) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "p99 latency per tier",
        f"SELECT u.tier, quantile_cont(g.latency_ms, 0.99) FROM {TIERS} GROUP BY 1",
    )


# --- a status rate over rows that have that status ---------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "timeout rate for generations with error code CUDA_OOM",  # 0 or 1 by definition
        "for each sampler, the share of its images that failed with the code CUDA_OOM",  # of which whole?
    ],
)
def test_a_status_rate_over_its_own_cases_is_declined(copilot, question):
    declined(copilot, question)


def test_the_noun_before_a_value_is_that_values_noun_not_a_figure(copilot, wh):
    answer = check(
        copilot,
        wh,
        "number of generations with error code MODEL_ERROR per day",
        f"SELECT g.date_key, count(*) FROM {GENS} WHERE g.error_code = 'MODEL_ERROR' GROUP BY 1",
    )
    assert "rror rate" not in answer.reading  # "error" of "error code" was read as the error rate


def test_a_share_within_each_group_said_with_its_own_whole(copilot, wh):
    check(
        copilot,
        wh,
        "for every art style, what share of its generations came from free users",
        f"SELECT g.art_style, count(*) FILTER (WHERE u.tier = 'free') / count(*) FROM {TIERS} GROUP BY 1",
    )


def test_the_dates_between_do_not_split_the_values_named_with_and(copilot, wh):
    check(
        copilot,
        wh,
        "error rate of images by free and pro users between 2025-09-03 and 2025-09-10",
        f"SELECT {'avg(CASE WHEN g.status = ' + chr(39) + 'error' + chr(39) + ' THEN 1.0 ELSE 0.0 END)'} "
        f"FROM {TIERS} WHERE u.tier IN ('free', 'pro') AND g.date_key BETWEEN DATE '2025-09-03' AND "
        f"DATE '2025-09-10'",
    )


# --- a second-language speaker's phrasings -------------------------------------------------------------


def test_second_language_orders_and_superlatives(copilot, wh):
    answer = check(
        copilot,
        wh,
        "which sampler have the most little error rate",
        f"SELECT g.sampler, avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END) FROM {GENS} "
        "WHERE g.sampler IS NOT NULL GROUP BY 1 ORDER BY 2 ASC, 1 LIMIT 1",
        ordered=True,
    )
    assert "bottom 1" in answer.reading
    check(
        copilot,
        wh,
        "the revenue for every domain, from the less big to the more big",
        f"SELECT g.domain, sum(g.revenue_usd) FROM {GENS} WHERE g.domain IS NOT NULL GROUP BY 1 "
        f"ORDER BY 2 ASC, 1",
        ordered=True,
    )


def test_second_language_words_for_periods_sessions_and_blocks(copilot, wh):
    check(
        copilot,
        wh,
        "how long is lasting the sessions of the pro users, in average",
        "SELECT avg(s.duration_s) / 60 FROM dim_sessions s JOIN dim_users u USING (user_id) WHERE "
        "u.tier = 'pro'",
    )
    check(
        copilot,
        wh,
        "how many images was blocked because of nsfw in september",
        f"SELECT count(*) FROM {GENS} WHERE g.status = 'nsfw_blocked' AND g.date_key < DATE '2025-10-01'",
    )
    answer = check(
        copilot,
        wh,
        "generations of the users of tier enterprise, weekdays against weekends",
        f"SELECT CASE WHEN dayname(g.date_key) IN ('Saturday', 'Sunday') THEN 'weekend' ELSE 'weekday' END, "
        f"count(*) FROM {TIERS} WHERE u.tier = 'enterprise' GROUP BY 1",
    )
    assert "enterprise" in answer.reading


def test_a_follow_up_naming_the_users_of_another_tier_refines(copilot, wh):
    first = copilot.ask("how much revenue did the users of tier free bring in september")
    assert not first.refused, first.explanation
    check(
        copilot,
        wh,
        "and the users of tier pro, how much?",
        f"SELECT sum(g.revenue_usd) FROM {TIERS} WHERE u.tier = 'pro' AND g.date_key < DATE '2025-10-01'",
        context=first.context,
    )


# --- an on-call engineer's and a growth PM's words -------------------------------------------------------


def test_on_call_words(copilot, wh):
    check(
        copilot,
        wh,
        "which error code popped up the least often between 2025-09-08 and 2025-09-14",
        f"SELECT g.error_code, count(*) FROM {GENS} WHERE g.error_code IS NOT NULL AND g.date_key "
        "BETWEEN DATE '2025-09-08' AND DATE '2025-09-14' GROUP BY 1 ORDER BY 2 ASC LIMIT 1",
        ordered=True,
    )
    check(
        copilot,
        wh,
        "min single queue time ever recorded, by tier, for the entire period",
        f"SELECT u.tier, min(g.queue_ms) FROM {TIERS} GROUP BY 1",
    )


def test_growth_words_that_restate_a_figure(copilot, wh):
    check(
        copilot,
        wh,
        "the top 3 power users by revenue",
        f"SELECT g.user_id, sum(g.revenue_usd) FROM {GENS} GROUP BY 1 ORDER BY 2 DESC LIMIT 3",
        ordered=True,
    )
    check(
        copilot,
        wh,
        "unique users with one or more images, by month",
        f"SELECT date_trunc('month', g.date_key), count(DISTINCT g.user_id) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "cost divided by the number of distinct sessions, per tier",
        f"SELECT u.tier, sum(g.cost_usd) / count(DISTINCT g.session_id) FROM {TIERS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "generations for images 512 px tall",
        f"SELECT count(*) FROM {GENS} WHERE g.height = 512",
    )


@pytest.mark.parametrize("question", ["how many power users are there", "power users by tier"])
def test_power_users_without_a_definition_are_declined(copilot, question):
    declined(copilot, question)


# --- one figure over another ---------------------------------------------------------------------------


def test_a_ratio_of_two_figures_is_one_column_the_first_over_the_second(copilot, wh):
    answer = check(
        copilot,
        wh,
        "the cost-to-revenue ratio for each art style",
        f"SELECT g.art_style, sum(g.cost_usd) / nullif(sum(g.revenue_usd), 0) FROM {GENS} GROUP BY 1",
    )
    assert "(a ratio)" in answer.reading and len(answer.columns) == 2
    check(
        copilot,
        wh,
        "ratio of sessions to active users by day",
        f"SELECT g.date_key, count(DISTINCT g.session_id) / count(DISTINCT g.user_id) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "average latency as a multiple of the p50 latency, per sampler",
        f"SELECT g.sampler, avg(g.latency_ms) / quantile_cont(g.latency_ms, 0.5) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "gpu hours divided by generations for pro users",
        f"SELECT sum(g.gpu_seconds) / 3600 / count(*) FROM {TIERS} WHERE u.tier = 'pro'",
    )


@pytest.mark.parametrize(
    "question",
    [
        "revenue to cost ratio, this week vs last week",  # which period's ratio against which
        "ratio of revenue to session length",  # figures over different rows
        "tiers with a revenue to cost ratio above 2",  # a threshold on which figure
    ],
)
def test_a_ratio_with_what_it_cannot_carry_is_declined(copilot, question):
    declined(copilot, question)


def test_a_follow_up_naming_another_figure_drops_the_ratio(copilot, wh):
    first = copilot.ask("revenue to cost ratio by tier")
    assert not first.refused, first.explanation
    answer = check(
        copilot,
        wh,
        "now the margin instead",
        f"SELECT u.tier, sum(g.revenue_usd) - sum(g.cost_usd) FROM {TIERS} GROUP BY 1",
        context=first.context,
    )
    assert "ratio" not in answer.reading


# --- restatements -----------------------------------------------------------------------------------------


def test_a_status_restated_in_brackets_is_no_second_figure(copilot, wh):
    answer = check(
        copilot,
        wh,
        "number of errors (status error) for free users per day",
        f"SELECT g.date_key, count(*) FROM {TIERS} WHERE g.status = 'error' AND u.tier = 'free' GROUP BY 1",
    )
    assert len(answer.columns) == 2  # the day and the count: no error rate of 100%


def test_a_segment_followed_by_its_own_values_is_that_segment(copilot, wh):
    check(
        copilot,
        wh,
        "what share of active users are on a paid tier (enterprise or pro)?",
        f"SELECT count(DISTINCT g.user_id) FILTER (WHERE u.tier IN ('pro', 'enterprise')) "
        f"/ count(DISTINCT g.user_id) FROM {TIERS}",
    )


def test_a_midnight_after_a_date_is_the_day_and_another_time_is_unread(copilot, wh):
    check(
        copilot,
        wh,
        "p95 and p99 latency by hour since 2025-09-10 00:00 UTC",
        "SELECT CAST((epoch_ms(g.created_at) // 3600000) % 24 AS INTEGER), "
        "quantile_cont(g.latency_ms, 0.95), quantile_cont(g.latency_ms, 0.99) "
        f"FROM {GENS} WHERE g.date_key >= DATE '2025-09-10' GROUP BY 1",
    )
    declined(copilot, "error rate since 2025-09-10 15:30")


def test_a_periods_possessive_before_a_figure_is_its_period(copilot, wh):
    check(
        copilot,
        wh,
        "what fraction of this month's revenue came from enterprise users",
        f"SELECT sum(g.revenue_usd) FILTER (WHERE u.tier = 'enterprise') / sum(g.revenue_usd) FROM {TIERS}",
    )


def test_sessions_that_contain_exactly_one_generation(copilot, wh):
    check(
        copilot,
        wh,
        "how many sessions contain exactly one image",
        "SELECT count(*) FROM (SELECT session_id FROM fact_generations GROUP BY 1 HAVING count(*) = 1)",
    )


# --- the evaluation itself -------------------------------------------------------------------------------


def test_a_crash_on_one_item_is_counted_and_the_run_goes_on(copilot, wh, monkeypatch):
    from genai_analyzer.analysis.copilot.evaluate import evaluate, summary

    items = [
        {"id": "a", "category": "c", "question": "generations per tier", "gold": None},
        {"id": "b", "category": "c", "question": "error rate", "gold": f"SELECT {RATE_ERROR} FROM {GENS}"},
    ]
    real = copilot.ask

    def ask(question, context=None, **kw):
        if question == "generations per tier":
            raise ZeroDivisionError("injected")  # a bug of the copilot's, in one item
        return real(question, context, **kw)

    monkeypatch.setattr(copilot, "ask", ask)
    outcomes = evaluate(copilot, wh, items)
    s = summary(outcomes)
    assert s["crashes"] == 1 and s["wrong_answers"] == 0 and len(outcomes) == 2
    assert not outcomes[0].correct and outcomes[0].note == "crashed: ZeroDivisionError: injected"
    assert outcomes[1].correct


# --- blind set 34 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        # the id names whose figures are asked ("their"): answering everyone's was a wrong answer
        "Ticket from user 4c70b07124537b1a about the bill: what revenue did their images bring in?",
        "Customer ab12cd34ef56 says the queue is slow. Average queue time by day, please.",
    ],
)
def test_a_background_naming_an_id_or_pointed_back_to_is_declined(copilot, question):
    declined(copilot, question)


def test_on_or_after_a_day_keeps_that_day(copilot, wh):
    answer = check(
        copilot,
        wh,
        "generations by tier on or after Sep 9",
        f"SELECT u.tier, count(*) FROM {TIERS} WHERE g.date_key >= DATE '2025-09-09' GROUP BY 1",
    )
    assert "2025-09-09" in answer.reading
    check(
        copilot,
        wh,
        "revenue no later than September 5",
        f"SELECT sum(g.revenue_usd) FROM {GENS} WHERE g.date_key <= DATE '2025-09-05'",
    )


def test_sessions_dated_by_their_start_are_not_grouped_by_session(copilot, wh):
    answer = check(
        copilot,
        wh,
        "average session length per tier per week (by session start)",
        "SELECT u.tier, CAST(date_trunc('week', timezone('UTC', s.started_at)) AS DATE), "
        "avg(s.duration_s) / 60 FROM dim_sessions s JOIN dim_users u USING (user_id) GROUP BY 1, 2",
    )
    assert "session" not in answer.columns


def test_a_figure_named_twice_is_one_column(copilot, wh):
    answer = check(
        copilot,
        wh,
        "which sampler had the most failed generations? show the number of failures",
        f"SELECT g.sampler, count(*) FROM {GENS} WHERE g.status <> 'success' AND g.sampler IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
        ordered=True,
    )
    assert len(answer.columns) == 2


def test_the_whole_warehouse_said_in_words_is_all_the_data(copilot, wh):
    check(copilot, wh, "how many images are in the database overall", f"SELECT count(*) FROM {GENS}")
    check(
        copilot,
        wh,
        "the p99 latency across all generations, per tier",
        f"SELECT u.tier, quantile_cont(g.latency_ms, 0.99) FROM {TIERS} GROUP BY 1",
    )
