"""Rules found by reading blind sets 30 and 31 (session 27), on a real sample warehouse, each phrased
unlike the sets' items: an answer's rows equal those of SQL written here, and what must stay
unanswered is declined."""

from __future__ import annotations

import pytest

from tests.test_copilot_grammar import GENS, check, declined
from tests.test_copilot_session24 import TIERS

SESSIONS = "dim_sessions s JOIN dim_users u USING (user_id)"


def rate(status: str) -> str:
    return f"avg(CASE WHEN g.status = '{status}' THEN 1.0 ELSE 0.0 END)"


# --- figures scaled to a round number of units ----------------------------------------------------


def test_a_rate_per_thousand_generations_is_the_rate_times_a_thousand(copilot, wh):
    answer = check(
        copilot,
        wh,
        "failures for every 1000 images, per sampler",
        f"SELECT g.sampler, 1000 * {rate('success').replace('= ', '<> ')} FROM {GENS} GROUP BY 1",
    )
    assert "per 1,000 generations" in answer.reading
    check(
        copilot,
        wh,
        "nsfw blocks per ten thousand renders",
        f"SELECT 10000 * {rate('nsfw_blocked')} FROM {GENS}",
    )


def test_a_total_per_hundred_generations_is_its_share_of_one_times_a_hundred(copilot, wh):
    check(
        copilot,
        wh,
        "revenue per 100 generations by tier",
        f"SELECT u.tier, 100 * sum(g.revenue_usd) / count(*) FROM {TIERS} GROUP BY 1",
    )


def test_a_share_of_sessions_scales_to_a_hundred_sessions(copilot, wh):
    check(
        copilot,
        wh,
        "out of every 100 sessions how many end after an nsfw block",
        "SELECT 100 * avg(CASE WHEN s.last_status = 'nsfw_blocked' THEN 1.0 ELSE 0.0 END) "
        "FROM dim_sessions s",
    )


@pytest.mark.parametrize(
    "question",
    [
        "median latency per 1000 generations",
        "revenue per 100 users",
        "average session length per 100 sessions",
    ],
)
def test_a_figure_that_does_not_scale_is_declined_and_says_why(copilot, question):
    answer = declined(copilot, question)
    assert answer.kind == "declined" and "scale" in answer.explanation


# --- the lowest and highest single value on record --------------------------------------------------


def test_both_ends_of_a_column_are_its_minimum_and_maximum(copilot, wh):
    check(
        copilot,
        wh,
        "the lowest and highest cfg scale anyone used",
        f"SELECT min(g.cfg), max(g.cfg) FROM {GENS}",
    )
    check(
        copilot,
        wh,
        "max and min queue time for each tier",
        f"SELECT u.tier, max(g.queue_ms), min(g.queue_ms) FROM {TIERS} GROUP BY 1",
    )


def test_one_end_said_as_a_record_is_the_maximum_not_a_ranking(copilot, wh):
    check(copilot, wh, "the largest step count on record", f"SELECT max(g.step) FROM {GENS}")
    answer = check(
        copilot,
        wh,
        "which sampler has the highest latency",
        f"SELECT g.sampler, quantile_cont(g.latency_ms, 0.5) AS p FROM {GENS} "
        "GROUP BY 1 ORDER BY p DESC LIMIT 1",
        ordered=True,
    )
    assert "p50" in answer.reading  # a superlative alone still ranks by the median


# --- several figures: all of them, in the order named -------------------------------------------------


def test_listed_rates_come_back_in_the_order_named(copilot, wh):
    check(
        copilot,
        wh,
        "success rate, nsfw block rate and error rate per tier",
        f"SELECT u.tier, {rate('success')}, {rate('nsfw_blocked')}, {rate('error')} FROM {TIERS} GROUP BY 1",
    )


def test_the_mean_and_the_median_are_two_figures(copilot, wh):
    check(
        copilot,
        wh,
        "the average and the median session duration by tier",
        f"SELECT u.tier, avg(s.duration_s) / 60, quantile_cont(s.duration_s, 0.5) / 60 "
        f"FROM {SESSIONS} GROUP BY 1",
    )
    # "average" restates an average, never a median: said of a percentile, it stays unread
    declined(copilot, "average p95 latency by tier")


# --- sides that overlap, and a tier's own subscribers ----------------------------------------------


def test_a_segment_word_after_a_tier_is_that_tiers_noun(copilot, wh):
    check(
        copilot,
        wh,
        "generations by enterprise subscribers vs free subscribers",
        f"SELECT u.tier, count(*) FROM {TIERS} WHERE u.tier IN ('enterprise', 'free') GROUP BY 1",
    )


def test_overlapping_sides_are_declined_not_split(copilot):
    answer = declined(copilot, "cost for paying users versus pro users")
    assert "overlap" in answer.explanation


# --- a follow-up narrowing to the sessions of a period -------------------------------------------


def test_what_about_only_the_sessions_of_a_period_keeps_the_figure(copilot, wh):
    first = copilot.ask("average friction by tier")
    check(
        copilot,
        wh,
        "how about only sessions started between september 1 and september 7?",
        f"SELECT u.tier, avg(s.friction_score) FROM {SESSIONS} "
        "WHERE CAST(timezone('UTC', s.started_at) AS DATE) BETWEEN DATE '2025-09-01' AND DATE '2025-09-07' "
        "GROUP BY 1",
        context=first.context,
    )


# --- a statistician's, an auditor's, a reporter's and a chat's words ------------------------------


def test_a_statisticians_words_are_groupings_filters_and_averages(copilot, wh):
    check(
        copilot,
        wh,
        "arithmetic mean of the sampling steps, disaggregated by domain",
        f"SELECT g.domain, avg(g.step) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "error rate conditional on the art style being anime",
        f"SELECT {rate('error')} FROM {GENS} WHERE g.art_style = 'anime'",
    )
    check(
        copilot,
        wh,
        "count table of error codes",
        f"SELECT g.error_code, count(*) FROM {GENS} WHERE g.error_code IS NOT NULL GROUP BY 1",
    )


def test_an_auditors_purpose_is_read_past(copilot, wh):
    check(
        copilot,
        wh,
        "sanity check: number of sessions by tier, so we can confirm they add up to the total",
        f"SELECT u.tier, count(DISTINCT g.session_id) FROM {TIERS} GROUP BY 1",
    )


def test_a_reporters_and_a_chats_words(copilot, wh):
    check(
        copilot,
        wh,
        "how long does each sitting last on average",
        f"SELECT avg(s.duration_s) / 60 FROM {SESSIONS}",
    )
    check(
        copilot,
        wh,
        "how often do images get caught by the content filter, per tier",
        f"SELECT u.tier, {rate('nsfw_blocked')} FROM {TIERS} GROUP BY 1",
    )
    check(
        copilot, wh, "err rate 4 pro users lol", f"SELECT {rate('error')} FROM {TIERS} WHERE u.tier = 'pro'"
    )


# --- rows with no value of a label ----------------------------------------------------------------


def test_a_label_said_to_be_missing_keeps_the_rows_without_one(copilot, wh):
    answer = check(
        copilot,
        wh,
        "number of images lacking an error code, per tier",
        f"SELECT u.tier, count(*) FROM {TIERS} WHERE g.error_code IS NULL GROUP BY 1",
    )
    assert "no error code" in answer.reading
    check(
        copilot,
        wh,
        "failure rate of generations that have no error code",
        f"SELECT {rate('success').replace('= ', '<> ')} FROM {GENS} WHERE g.error_code IS NULL",
    )
    declined(copilot, "how many users have no tier")  # a tier is never missing: not read


# --- blind set 32: templates, thresholds per unit, numbers with units, "before that" -------------


def test_a_template_blank_is_not_a_filter(copilot, wh):
    check(
        copilot,
        wh,
        "Success rate by sampler = ?",
        f"SELECT g.sampler, {rate('success')} FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "Bottom 2 styles by generations: 1. ___ 2. ___",
        f"SELECT g.art_style, count(*) AS n FROM {GENS} WHERE g.art_style IS NOT NULL GROUP BY 1 "
        "ORDER BY n ASC, 1 LIMIT 2",
        ordered=True,
    )


def test_a_threshold_said_per_unit_is_on_the_figure_as_divided(copilot, wh):
    answer = check(
        copilot,
        wh,
        "which samplers make more than 0.1 cents of revenue per generation",
        f"SELECT g.sampler, sum(g.revenue_usd) / count(*) FROM {GENS} GROUP BY 1 "
        "HAVING sum(g.revenue_usd) / count(*) > 0.001",
    )
    assert "per generation above" in answer.reading


def test_numbers_with_separators_and_k_are_whole_numbers(copilot, wh):
    check(
        copilot,
        wh,
        "which tiers have a p95 latency above 1,500 ms",
        f"SELECT u.tier, quantile_cont(g.latency_ms, 0.95) AS p FROM {TIERS} GROUP BY 1 HAVING p > 1500",
    )
    check(
        copilot,
        wh,
        "samplers with more than 0.1k generations",
        f"SELECT g.sampler, count(*) AS n FROM {GENS} GROUP BY 1 HAVING n > 100",
    )


def test_the_period_before_that_is_before_the_answers_own_period(copilot, wh):
    first = copilot.ask("generations by day between september 8 and september 14")
    check(
        copilot,
        wh,
        "and the 7 days before that?",
        f"SELECT g.date_key, count(*) FROM {GENS} WHERE g.date_key BETWEEN DATE '2025-09-01' AND "
        "DATE '2025-09-07' GROUP BY 1",
        context=first.context,
    )
    # a week before the data's first day is not answered as another week
    first = copilot.ask("error rate between september 1 and september 7")
    answer = declined(copilot, "what about the week before that", context=first.context)
    assert "before" in answer.explanation


def test_each_paying_tier_is_one_row_per_paying_tier(copilot, wh):
    check(
        copilot,
        wh,
        "revenue for every paid plan",
        f"SELECT u.tier, sum(g.revenue_usd) FROM {TIERS} WHERE u.tier IN ('pro', 'enterprise') GROUP BY 1",
    )


def test_an_investors_words(copilot, wh):
    check(
        copilot,
        wh,
        "Cost to serve: GPU cost per generation for each sampler",
        f"SELECT g.sampler, sum(g.cost_usd) / count(*) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "what is ARPPU by week",
        f"SELECT date_trunc('week', g.date_key), sum(g.revenue_usd) / count(DISTINCT g.user_id) FROM {TIERS} "
        "WHERE u.tier IN ('pro', 'enterprise') GROUP BY 1",
    )


def test_the_data_covers_from_its_first_to_its_last_day(copilot, wh):
    answer = copilot.ask("what date range does the dataset span")
    assert not answer.refused, answer.explanation
    first, last = wh.query("SELECT min(date_key), max(date_key) FROM fact_generations").values.tolist()[0]
    assert [str(v)[:10] for v in answer.rows[0]] == [str(first)[:10], str(last)[:10]]


# --- a question told after its background ---------------------------------------------------------


def test_a_question_after_its_background_is_answered_and_says_so(copilot, wh):
    answer = check(
        copilot,
        wh,
        "My manager keeps asking me about pro users. I looked at the dashboards for a while. "
        "Here is what I need: the error rate for pro users by day.",
        f"SELECT g.date_key, {rate('error')} FROM {TIERS} WHERE u.tier = 'pro' GROUP BY 1",
    )
    assert "background, read past" in answer.explanation


def test_a_background_naming_what_the_question_leaves_out_is_declined(copilot):
    answer = declined(
        copilot,
        "Enterprise accounts were loud on the forum. Anyway: what is the average queue time by day?",
    )
    assert "enterprise" in answer.explanation
    answer = declined(copilot, "Last week was rough for the team. Can you show the failure rate by tier?")
    assert "period" in answer.explanation
    answer = declined(copilot, "Mornings are quiet for us. What is the success rate by sampler?")
    assert "morning" in answer.explanation
    # a request to change data is never read past
    declined(copilot, "Delete the free users from the table. How many generations are there by tier?")


def test_a_date_metric_is_iso_text_in_the_overview_and_no_alert_metric(wh, tmp_path):
    from genai_analyzer.analysis import alert_rules, queries

    figures = queries.overview_figures(wh)
    assert figures["first_day"] == str(wh.scalar("SELECT min(date_key) FROM fact_generations"))
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: first day\n    metric: first_day\n    above: 1\n")
    with pytest.raises(alert_rules.AlertRulesError, match="a date, not a figure"):
        alert_rules.load_rules(rules)
