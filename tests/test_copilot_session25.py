"""Rules found by blind set 26 (session 25), on a real sample warehouse, each phrased unlike the
set's items: an answer's rows equal those of SQL written here, and what must stay unanswered is
declined."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.test_copilot_grammar import GENS, check, declined, last_day
from tests.test_copilot_session24 import TIERS

WEEKEND = "CASE WHEN dayname(g.date_key) IN ('Saturday', 'Sunday') THEN 'weekend' ELSE 'weekday' END"


def rate(status: str) -> str:
    return f"avg(CASE WHEN g.status = '{status}' THEN 1.0 ELSE 0.0 END)"


FAILURE = "avg(CASE WHEN g.status <> 'success' THEN 1.0 ELSE 0.0 END)"
P50 = "quantile_cont(g.latency_ms, 0.5)"


def count_where(condition: str) -> str:
    return f"SELECT count(*) FROM {GENS} WHERE {condition}"


# --- hypotheses and yes/no checks: the figures that settle them ------------------------------------


@pytest.mark.parametrize(
    ("question", "gold"),
    [
        (
            "is it the case that enterprise users error out more often than free users?",
            f"SELECT u.tier, {rate('error')} FROM {TIERS} WHERE u.tier IN ('enterprise', 'free') GROUP BY 1",
        ),
        (
            "I suspect ddim runs faster than k_heun, right?",
            f"SELECT g.sampler, {P50} FROM {GENS} WHERE g.sampler IN ('ddim', 'k_heun') GROUP BY 1",
        ),
        (
            "true or false: photorealistic prompts get flagged more often than anime ones",
            f"SELECT g.art_style, {rate('nsfw_blocked')} FROM {GENS} "
            "WHERE g.art_style IN ('photorealistic', 'anime') GROUP BY 1",
        ),
        (
            "do pro users see more timeouts than free users?",
            f"SELECT u.tier, {rate('timeout')} FROM {TIERS} WHERE u.tier IN ('pro', 'free') GROUP BY 1",
        ),
        (
            "does enterprise make more revenue than pro?",
            f"SELECT u.tier, sum(g.revenue_usd) FROM {TIERS} "
            "WHERE u.tier IN ('enterprise', 'pro') GROUP BY 1",
        ),
        (
            "am I wrong to think that weekdays are quieter than weekends?",
            f"SELECT {WEEKEND}, count(*) FROM {GENS} GROUP BY 1",
        ),
        ("is the error rate lower on weekends", f"SELECT {WEEKEND}, {rate('error')} FROM {GENS} GROUP BY 1"),
        # "take longer" is the latency of a sampler, the length of a session; "stay longer" a session's
        (
            "does k_euler take longer than k_lms?",
            f"SELECT g.sampler, {P50} FROM {GENS} WHERE g.sampler IN ('k_euler', 'k_lms') GROUP BY 1",
        ),
        (
            "do pro users stick around longer than free users?",
            "SELECT u.tier, avg(s.duration_s) / 60 FROM dim_sessions s JOIN dim_users u USING (user_id) "
            "WHERE u.tier IN ('pro', 'free') GROUP BY 1",
        ),
    ],
)
def test_a_hypothesis_comparing_two_groups_is_answered_with_both_figures(copilot, wh, question, gold):
    check(copilot, wh, question, gold)


def test_a_hypothesis_about_one_figure_or_a_trend_is_answered_with_the_figure(copilot, wh):
    check(
        copilot,
        wh,
        "my hunch is that the p95 latency is above 9 seconds. correct?",
        f"SELECT quantile_cont(g.latency_ms, 0.95) FROM {GENS}",
    )
    check(
        copilot,
        wh,
        "is over half of the revenue coming from enterprise users?",
        f"SELECT sum(g.revenue_usd) FILTER (WHERE u.tier = 'enterprise') / sum(g.revenue_usd) FROM {TIERS}",
    )
    check(
        copilot,
        wh,
        "do free users cost more than they earn?",
        f"SELECT sum(g.cost_usd), sum(g.revenue_usd) FROM {TIERS} WHERE u.tier = 'free'",
    )
    check(
        copilot,
        wh,
        "does using a larger guidance scale lead to more failures?",
        f"SELECT g.cfg, {FAILURE} FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "has the error rate stayed under 5% in every month?",
        f"SELECT date_trunc('month', g.date_key), {rate('error')} FROM {GENS} GROUP BY 1",
    )


def test_a_comparison_with_another_row_outside_a_yes_no_question_is_not_read_as_two_groups(copilot):
    # "which samplers are slower than k_lms" asks for other rows, never k_lms beside the rest
    declined(copilot, "which samplers are slower than k_lms?")


@pytest.mark.parametrize(
    "question",
    [
        "is our p95 latency too high?",
        "are the error rates ok right now?",
        "is it true that revenue is poor lately?",
        "is the queue time a problem?",
    ],
)
def test_a_verdict_asked_of_the_data_is_declined_never_answered_with_the_bare_figure(copilot, question):
    answer = declined(copilot, question)
    assert "judgement" in answer.explanation


# --- generation parameters in an ML researcher's words -------------------------------------------


def test_parameters_in_ml_jargon(copilot, wh):
    check(
        copilot,
        wh,
        "average step count per noise scheduler",
        f"SELECT g.sampler, avg(g.step) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "error rate as a function of diffusion steps",
        f"SELECT g.step, {rate('error')} FROM {GENS} GROUP BY 1",
    )
    check(copilot, wh, "mean guidance scale by tier", f"SELECT u.tier, avg(g.cfg) FROM {TIERS} GROUP BY 1")
    check(copilot, wh, "end-to-end latency by sampler", f"SELECT g.sampler, {P50} FROM {GENS} GROUP BY 1")


def test_a_size_and_a_parameter_value_are_exact_filters(copilot, wh):
    check(copilot, wh, "how many 768 x 512 images", count_where("g.width = 768 AND g.height = 512"))
    check(copilot, wh, "median latency at 30 steps", f"SELECT {P50} FROM {GENS} WHERE g.step = 30")
    check(copilot, wh, "how many generations with guidance set to 12", count_where("g.cfg = 12"))
    # "a cfg of 7 or more" is no exact value: left to the thresholds, never read as exactly 7
    check(copilot, wh, "how many generations with a cfg of 7 or more", count_where("g.cfg >= 7"))


# --- values spelt with other spaces or hyphens ---------------------------------------------------


def test_a_value_spelt_with_other_spaces_or_hyphens_is_read_and_the_reading_shown(copilot, wh):
    answer = check(
        copilot,
        wh,
        "error rate in the 'Sci Fi' domain",
        f"SELECT {rate('error')} FROM {GENS} WHERE g.domain = 'sci-fi'",
    )
    assert answer.corrections == {"Sci Fi": "sci-fi"}
    check(copilot, wh, "generations in OIL-PAINTING style", count_where("g.art_style = 'oil painting'"))
    check(copilot, wh, "how many photo realistic images", count_where("g.art_style = 'photorealistic'"))
    # the data's own spelling of a sampler is no correction to show
    assert copilot.ask("error rate for k_dpm_2").corrections == {}


# --- smaller rules -------------------------------------------------------------------------------


def test_a_threshold_on_the_timeout_rate_is_on_that_rate_not_on_a_count(copilot, wh):
    # (before, "timeout rate" was read as "times", a count of generations, and declined)
    check(
        copilot,
        wh,
        "which samplers have a timeout rate above 0%",
        f"SELECT g.sampler, {rate('timeout')} FROM {GENS} GROUP BY 1 HAVING {rate('timeout')} > 0",
        nonempty=False,
    )  # the small sample may hold no timeout
    check(
        copilot,
        wh,
        "which samplers had no timeouts",
        f"SELECT g.sampler, {rate('timeout')} FROM {GENS} GROUP BY 1 HAVING {rate('timeout')} = 0",
    )


def test_drop_as_a_change_is_read_and_drop_as_a_statement_is_refused(copilot, wh):
    answer = copilot.ask("did the cost drop in the last 14 days compared to the 14 days before?")
    assert not answer.refused and "compared with" in answer.reading
    for question in ("drop the dim_users table", "drop fact_generations please"):
        assert "only read data" in declined(copilot, question).explanation


def test_what_a_question_says_about_itself_changes_nothing(copilot, wh):
    check(
        copilot,
        wh,
        "error rate by tier across the entire dataset",
        f"SELECT u.tier, {rate('error')} FROM {TIERS} GROUP BY 1",
    )
    check(copilot, wh, "p50 latency, not broken down", f"SELECT {P50} FROM {GENS}")
    check(copilot, wh, "status counts", f"SELECT g.status, count(*) FROM {GENS} GROUP BY 1")
    check(
        copilot,
        wh,
        "how many images did each sampler produce",
        f"SELECT g.sampler, count(*) FROM {GENS} GROUP BY 1",
    )
    day = last_day(wh)
    check(
        copilot,
        wh,
        f"revenue on the last day of the data ({day.isoformat()})",
        f"SELECT sum(g.revenue_usd) FROM {GENS} WHERE g.date_key = DATE '{day}'",
    )
    before = day - timedelta(days=1)
    check(
        copilot,
        wh,
        f"active users on {before:%b} {before.day} {before.year}, yep just that day",
        f"SELECT count(DISTINCT g.user_id) FROM {GENS} WHERE g.date_key = DATE '{before}'",
    )


# --- blind set 27: a verdict before the question, stated hypotheses, screens, tables, follow-ups ------


@pytest.mark.parametrize(
    "question",
    ["is it a problem that error rates are so high?", "is it normal that latency spikes on mondays"],
)
def test_a_verdict_asked_about_what_follows_is_declined(copilot, question):
    assert "judgement" in declined(copilot, question).explanation


def test_those_with_no_answer_before_is_a_follow_up_with_nothing_to_refine(copilot):
    # (it counted every free user's sessions, as if "those" meant all of them)
    assert "no answer before it" in declined(copilot, "how many of them were free users?").explanation


@pytest.mark.parametrize(
    ("question", "gold"),
    [
        (
            "I'd wager pro fails less than free",
            f"SELECT u.tier, {FAILURE} FROM {TIERS} WHERE u.tier IN ('pro', 'free') GROUP BY 1",
        ),
        (
            "presumably enterprise errors out less than free users",
            f"SELECT u.tier, {rate('error')} FROM {TIERS} WHERE u.tier IN ('enterprise', 'free') GROUP BY 1",
        ),
        (
            "do weekdays earn more than weekends?",
            f"SELECT {WEEKEND}, sum(g.revenue_usd) FROM {GENS} GROUP BY 1",
        ),
        (
            "is anime more expensive per image than sketch?",
            f"SELECT g.art_style, sum(g.cost_usd) / count(*) FROM {GENS} "
            "WHERE g.art_style IN ('anime', 'sketch') GROUP BY 1",
        ),
    ],
)
def test_a_hypothesis_in_fresh_wording_is_answered_with_the_figures_that_settle_it(
    copilot, wh, question, gold
):
    check(copilot, wh, question, gold)


def test_sessions_abandoned_more_often_compares_the_abandon_rate(copilot, wh):
    check(
        copilot,
        wh,
        "do pro sessions get abandoned more often than free ones?",
        "SELECT u.tier, avg(CASE WHEN s.abandoned THEN 1.0 ELSE 0.0 END) FROM dim_sessions s "
        "JOIN dim_users u USING (user_id) WHERE u.tier IN ('pro', 'free') GROUP BY 1",
    )


def test_the_screen_and_chart_a_figure_was_seen_on_change_nothing(copilot, wh):
    check(
        copilot,
        wh,
        "the line chart of revenue by week on the Analytics tab - what are the numbers behind it?",
        f"SELECT date_trunc('week', g.date_key), sum(g.revenue_usd) FROM {GENS} GROUP BY 1",
    )
    day = last_day(wh)
    check(
        copilot,
        wh,
        "the active users KPI card for the last 14 days",
        f"SELECT count(DISTINCT g.user_id) FROM {GENS} WHERE g.date_key > DATE '{day}' - INTERVAL 14 DAY",
    )
    # "with the style filter set to anime" is that style, not a write ("set ... to")
    check(
        copilot,
        wh,
        "with the style filter set to anime, what are the counts per status?",
        f"SELECT g.status, count(*) FROM {GENS} WHERE g.art_style = 'anime' GROUP BY 1",
    )


def test_table_words_of_a_data_engineer(copilot, wh):
    check(
        copilot,
        wh,
        "row counts by sampler in the fact table",
        f"SELECT g.sampler, count(*) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "select count distinct session_id where tier = 'pro'",
        f"SELECT count(DISTINCT g.session_id) FROM {TIERS} WHERE u.tier = 'pro'",
    )
    check(copilot, wh, "how many distinct samplers exist?", f"SELECT count(DISTINCT g.sampler) FROM {GENS}")
    check(
        copilot,
        wh,
        "daily rollup of revenue",
        f"SELECT g.date_key, sum(g.revenue_usd) FROM {GENS} GROUP BY 1",
    )
    check(copilot, wh, "generation counts by tier", f"SELECT u.tier, count(*) FROM {TIERS} GROUP BY 1")
    check(
        copilot,
        wh,
        "which tier's members generate the most revenue?",
        f"SELECT u.tier, sum(g.revenue_usd) FROM {TIERS} GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
    )


def test_a_follow_up_adding_a_value_keeps_the_values_before(copilot, wh):
    first = check(
        copilot,
        wh,
        "error rate for free users, by tier",
        f"SELECT u.tier, {rate('error')} FROM {TIERS} WHERE u.tier = 'free' GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "include enterprise too",
        context=first.context,
        gold=f"SELECT u.tier, {rate('error')} FROM {TIERS} WHERE u.tier IN ('free', 'enterprise') GROUP BY 1",
    )
    # "now only pro" still puts pro in the place of free
    check(
        copilot,
        wh,
        "now only pro",
        context=first.context,
        gold=f"SELECT u.tier, {rate('error')} FROM {TIERS} WHERE u.tier = 'pro' GROUP BY 1",
    )


def test_same_thing_but_by_another_dimension_swaps_the_grouping(copilot, wh):
    first = copilot.ask("p95 latency by tier")
    check(
        copilot,
        wh,
        "same numbers but by sampler",
        context=first.context,
        gold=f"SELECT g.sampler, quantile_cont(g.latency_ms, 0.95) FROM {GENS} GROUP BY 1",
    )
