"""Rules found by reading blind set 37 (session 30), on a real sample warehouse, each phrased unlike
the set's items: a question written as a form, units and rounding asked for, places in a ranking and
leaderboard words. An answer's rows equal those of SQL written here; what must stay unanswered is
declined."""

from __future__ import annotations

from genai_analyzer.analysis.copilot.forms import as_sentence
from tests.test_copilot_grammar import GENS, check, declined
from tests.test_copilot_session24 import TIERS

FIRST_WEEK = "g.date_key BETWEEN DATE '2025-09-01' AND DATE '2025-09-07'"

# --- a question written as a form or a config ------------------------------------------------------


def test_a_form_is_read_as_the_sentence_it_stands_for():
    assert as_sentence("Measure = failure rate; Group by = sampler") == "failure rate by sampler"
    assert as_sentence('{"kpi": "gpu hours", "dimension": "tier", "month": "2025-09"}') == (
        "gpu hours by tier in september 2025"
    )
    assert as_sentence("* metric: cost\n* filter: none\n* split: domain, art style") == (
        "cost by domain and art style"
    )
    # not a form: a key it does not know, or a sentence with a colon, is left as written
    for question in ("action=delete; table=fact_generations", "Quick one: what is the error rate?"):
        assert as_sentence(question) == question


def test_a_form_is_answered_and_refined_like_the_sentence(copilot, wh):
    form = "Metric = failure rate | Group by = sampler | Period = 2025-09-01 to 2025-09-07"
    failure = "avg(CASE WHEN g.status <> 'success' THEN 1.0 ELSE 0.0 END)"
    gold = f"SELECT g.sampler, {failure} FROM {GENS} WHERE {FIRST_WEEK} GROUP BY 1"
    answer = check(copilot, wh, form, gold)
    second = "g.date_key BETWEEN DATE '2025-09-08' AND DATE '2025-09-14'"
    check(
        copilot,
        wh,
        "Period = 2025-09-08 to 2025-09-14",
        f"SELECT g.sampler, {failure} FROM {GENS} WHERE {second} GROUP BY 1",
        context=answer.context,
    )
    check(
        copilot,
        wh,
        '{"kpi": "revenue", "by": "art style", "segment": "enterprise users"}',
        f"SELECT g.art_style, sum(g.revenue_usd) FROM {TIERS} WHERE u.tier = 'enterprise' GROUP BY 1",
    )


def test_a_form_with_a_field_the_data_lacks_or_a_change_is_declined(copilot):
    declined(copilot, "metric: error rate | split: device type")
    declined(copilot, "action=delete; table=fact_generations; where=status is error")


# --- units and rounding --------------------------------------------------------------------------


def test_money_in_cents_or_thousands_and_rounding_in_the_sql(copilot, wh):
    answer = check(
        copilot,
        wh,
        "total cost per tier in cents, rounded to 1 decimal place",
        f"SELECT u.tier, round(sum(g.cost_usd) * 100, 1) FROM {TIERS} GROUP BY 1",
    )
    assert "round(" in answer.sql and "(in cents), rounded to 1 decimal" in answer.reading
    check(
        copilot,
        wh,
        "weekly revenue in thousands of dollars",
        f"SELECT date_trunc('week', g.date_key), sum(g.revenue_usd) / 1000 FROM {GENS} GROUP BY 1",
    )
    margin = f"SELECT round(sum(revenue_usd - cost_usd), 2) FROM {GENS}"
    check(copilot, wh, "the margin to the nearest cent", margin)


def test_times_to_the_nearest_unit_and_rates_as_percentages(copilot, wh):
    check(
        copilot,
        wh,
        "mean queue time by sampler in seconds to the nearest second",
        f"SELECT g.sampler, round(avg(g.queue_ms) / 1000, 0) FROM {GENS} GROUP BY 1",
    )
    answer = check(
        copilot,
        wh,
        "timeout rate per art style as a percentage with 3 decimal places",
        f"SELECT g.art_style, round(100 * avg(CASE WHEN g.status = 'timeout' THEN 1.0 ELSE 0.0 END), 3) "
        f"FROM {GENS} GROUP BY 1",
    )
    assert "(as a percentage)" in answer.reading


def test_a_unit_or_percentage_that_fits_no_figure_is_declined(copilot):
    declined(copilot, "how many active users are there as a percentage")
    declined(copilot, "number of generations by tier in cents")


def test_a_rounding_can_be_changed_or_dropped_by_a_follow_up(copilot, wh):
    first = check(
        copilot,
        wh,
        "p50 latency by tier in seconds, 2 decimals",
        f"SELECT u.tier, round(quantile_cont(g.latency_ms, 0.5) / 1000, 2) FROM {TIERS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "not rounded please",
        f"SELECT u.tier, quantile_cont(g.latency_ms, 0.5) / 1000 FROM {TIERS} GROUP BY 1",
        context=first.context,
    )


def test_a_rounding_kept_by_a_follow_up_is_never_dropped_by_a_comparison(copilot):
    first = copilot.ask("error rate by tier as a percentage, 2 decimals")
    assert first.columns[-1].endswith("_pct")
    answer = declined(copilot, "compare September 8 to 14 with the week before", first.context)
    assert "as a percentage and rounded" in answer.explanation


def test_a_status_counted_per_hundred_generations_is_its_rate(copilot, wh):
    check(
        copilot,
        wh,
        "how many errors do we get per 100 images, split by tier",
        f"SELECT u.tier, 100 * avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END) "
        f"FROM {TIERS} GROUP BY 1",
    )
    # two statuses listed, not all the failures: no one rate; declined, never a crash
    declined(copilot, "how many errors and timeouts per 100 generations")


# --- places in a ranking and leaderboard words ---------------------------------------------------


def test_a_place_in_a_ranking_is_one_row_after_the_ones_before_it(copilot, wh):
    by_use = f"SELECT g.art_style, count(*) AS n FROM {GENS} WHERE g.art_style IS NOT NULL GROUP BY 1"
    answer = check(
        copilot,
        wh,
        "which art style is the runner-up by number of generations",
        by_use + " ORDER BY n DESC, 1 LIMIT 1 OFFSET 1",
        ordered=True,
    )
    assert "place 2" in answer.reading
    check(
        copilot,
        wh,
        "and which one is fourth?",
        by_use + " ORDER BY n DESC, 1 LIMIT 1 OFFSET 3",
        ordered=True,
        context=answer.context,
    )
    samplers = f"SELECT g.sampler, count(*) AS n FROM {GENS} GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1 OFFSET 2"
    check(copilot, wh, "what is the third-most common sampler", samplers, ordered=True)


def test_leaderboard_words_rank_by_the_figure(copilot, wh):
    p95 = f"SELECT g.sampler, quantile_cont(g.latency_ms, 0.95) AS x FROM {GENS} GROUP BY 1"
    check(copilot, wh, "which sampler leads on p95 latency", p95 + " ORDER BY x DESC LIMIT 1", ordered=True)
    domains = f"SELECT g.domain, count(*) AS n FROM {GENS} WHERE g.domain IS NOT NULL GROUP BY 1"
    last = domains + " ORDER BY n, 1 LIMIT 1"
    check(copilot, wh, "which domain comes last in generations", last, ordered=True)
    check(
        copilot,
        wh,
        "rank the samplers from busiest to quietest",
        f"SELECT g.sampler, count(*) AS n FROM {GENS} GROUP BY 1 ORDER BY n DESC, 1",
        ordered=True,
    )


def test_same_ranking_is_a_follow_up_word_not_a_word_cut_short(copilot, wh):
    first = copilot.ask("rank the tiers from best to worst success rate")
    success = "avg(CASE WHEN g.status = 'success' THEN 1.0 ELSE 0.0 END)"
    check(
        copilot,
        wh,
        "same ranking, but only September 1 to 7",
        f"SELECT u.tier, {success} AS x FROM {TIERS} WHERE {FIRST_WEEK} GROUP BY 1 ORDER BY x DESC",
        ordered=True,
        context=first.context,
    )


def test_sessions_that_consist_of_generations(copilot, wh):
    check(
        copilot,
        wh,
        "how many sessions consist of more than 3 generations",
        f"SELECT count(*) FROM (SELECT g.session_id FROM {GENS} GROUP BY 1 HAVING count(*) > 3)",
    )


def test_how_many_sessions_ended_a_way_counts_them_a_share_stays_a_share(copilot, wh):
    sessions = "dim_sessions s JOIN dim_users u USING (user_id)"
    answer = check(
        copilot,
        wh,
        "how many sessions ended on a failure, by tier",
        f"SELECT u.tier, count(*) FILTER (WHERE s.abandoned) FROM {sessions} GROUP BY 1",
    )
    assert "Number of sessions ending on a failure" in answer.reading
    check(
        copilot,
        wh,
        "in what share of sessions was the last generation a success?",
        f"SELECT avg(CASE WHEN s.last_status = 'success' THEN 1.0 ELSE 0.0 END) FROM {sessions}",
    )
    check(
        copilot,
        wh,
        "how often do sessions end after an nsfw block",
        f"SELECT avg(CASE WHEN s.last_status = 'nsfw_blocked' THEN 1.0 ELSE 0.0 END) FROM {sessions}",
    )


def test_an_everyday_verb_left_over_asks_no_guess_at_a_figure(copilot, wh):
    check(
        copilot,
        wh,
        "how many distinct prompts did free users use",
        f"SELECT count(DISTINCT g.prompt_id) FROM {TIERS} WHERE u.tier = 'free'",
    )


def test_words_the_new_rules_must_leave_alone(copilot, wh):
    # "lead to" is no ranking, and a bare "k" (a sampler's name) is no unit
    check(
        copilot,
        wh,
        "does a higher cfg lead to more timeouts?",
        f"SELECT g.cfg, avg(CASE WHEN g.status = 'timeout' THEN 1.0 ELSE 0.0 END) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "avg(steps) where sampler in ('k_lms', 'k_euler') group by sampler",
        f"SELECT g.sampler, avg(g.step) FROM {GENS} WHERE g.sampler IN ('k_lms', 'k_euler') GROUP BY 1",
    )
