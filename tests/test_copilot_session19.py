"""Rules found by blind set 15 (session 19), on a real sample warehouse, each phrased unlike the
set's items: an answer's rows equal those of SQL written here; a question whose words are not all
read is declined."""

from __future__ import annotations

import pytest

from genai_analyzer.analysis.copilot.text import QuestionText
from tests.test_copilot_grammar import GENS, check, declined

HOUR = "CAST((epoch_ms(g.created_at) // 3600000) % 24 AS INTEGER)"
TIER = "fact_generations g JOIN dim_users u USING (user_id)"

# --- a lone letter is a word: never dropped unread ---------------------------------------------


@pytest.mark.parametrize("question", ["error rate by tier for plan b", "cost by tier n sampler"])
def test_a_lone_letter_nothing_reads_stops_the_answer(copilot, question):
    answer = declined(copilot, question)
    letter = question.split()[-1] if question.endswith(" b") else "n"
    assert letter in answer.unread, answer.unread


# --- "hourly" with an hour range groups the hours the range keeps ---------------------------------


def test_hourly_within_an_hour_range_groups_by_hour(copilot, wh):
    answer = check(
        copilot,
        wh,
        "hourly error rate between 8am and noon",
        f"SELECT {HOUR}, avg((g.status = 'error')::INT) FROM {GENS} WHERE {HOUR} BETWEEN 8 AND 11 GROUP BY 1",
    )
    assert "by hour of day" in answer.reading


# --- a ranked time and a filter's noun: "the quietest hour for free users" -----------------------


def test_the_users_of_a_filter_are_not_what_a_ranked_hour_ranks(copilot, wh):
    answer = check(
        copilot,
        wh,
        "the quietest hour for free users",
        f"SELECT {HOUR} AS h, count(*) AS n FROM {TIER} WHERE u.tier = 'free' "
        "GROUP BY 1 ORDER BY n, h LIMIT 1",
    )
    assert "user" not in answer.reading.split(";")[1], answer.reading


def test_a_one_row_answer_names_what_its_value_is(copilot, wh):
    # "Generations for 22" said nothing of what 22 is: the sentence names the dimension
    answer = copilot.ask("the busiest hour for pro users")
    hour = answer.rows[0][0]
    assert f"for hour of day (UTC) {hour} " in answer.explanation, answer.explanation


def test_users_ranked_within_a_tier_are_still_ranked(copilot, wh):
    check(
        copilot,
        wh,
        "top 3 pro users by cost",
        f"SELECT g.user_id, sum(g.cost_usd) AS c FROM {TIER} WHERE u.tier = 'pro' "
        "GROUP BY 1 ORDER BY c DESC, 1 LIMIT 3",
        ordered=True,
    )


# --- everyday words ---------------------------------------------------------------------------------


def test_the_peak_weekday_is_the_busiest(copilot, wh):
    check(
        copilot,
        wh,
        "what's the peak weekday for pro users",
        f"SELECT dayname(g.date_key) AS d, count(*) AS n FROM {TIER} WHERE u.tier = 'pro' "
        "GROUP BY 1 ORDER BY n DESC, d LIMIT 1",
    )


def test_what_brings_in_the_most_money_is_the_most_revenue(copilot, wh):
    check(
        copilot,
        wh,
        "which sampler brings in the most money",
        f"SELECT g.sampler, sum(g.revenue_usd) AS r FROM {GENS} GROUP BY 1 ORDER BY r DESC, 1 LIMIT 1",
    )


def test_cents_are_hundredths_of_a_dollar(copilot, wh):
    check(
        copilot,
        wh,
        "which users have cost us more than 20 cents",
        f"SELECT g.user_id, sum(g.cost_usd) FROM {GENS} GROUP BY 1 HAVING sum(g.cost_usd) > 0.2",
    )


def test_chat_spellings_of_what_and_week(copilot, wh):
    check(
        copilot,
        wh,
        "wat is the p95 latency per wk",
        f"SELECT date_trunc('week', g.date_key)::DATE, quantile_cont(g.latency_ms, 0.95) "
        f"FROM {GENS} GROUP BY 1",
    )


def test_quarters_by_ordinal_are_quarters(copilot, wh):
    check(
        copilot,
        wh,
        "how many generations in the third quarter",
        f"SELECT count(*) FROM {GENS} WHERE g.date_key BETWEEN DATE '2025-07-01' AND DATE '2025-09-30'",
    )
    # the quarter named after a comparison's word without its noun ("... with the fourth")
    assert " q4 " in QuestionText("revenue in the third quarter compared with the fourth? show both").text


def test_day_ranges_written_with_a_hyphen_before_the_month(copilot, wh):
    def count(first: str, last: str) -> str:
        return f"(SELECT count(*) FROM {GENS} WHERE g.date_key BETWEEN DATE '{first}' AND DATE '{last}')"

    first, last = wh.rows("SELECT min(date_key), max(date_key) FROM fact_generations")[0]
    assert str(first) <= "2025-09-02" and str(last) >= "2025-09-13", (first, last)
    before, after = count("2025-09-02", "2025-09-06"), count("2025-09-09", "2025-09-13")
    gold = f"SELECT {before}, {after}, {after} - {before}"
    check(copilot, wh, "images for 9-13 september vs 2-6 september", gold)


def test_what_a_tier_goes_for_the_most_is_used_most_by_it(copilot, wh):
    check(
        copilot,
        wh,
        "which domain do free users go for the most",
        f"SELECT p.domain, count(*) AS n FROM {TIER} JOIN dim_prompts p USING (prompt_id) "
        "WHERE u.tier = 'free' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1",
    )


def test_an_order_said_with_an_adjective_of_its_figure(copilot, wh):
    check(
        copilot,
        wh,
        "rank the plans by profit, least profitable first",
        f"SELECT u.tier, sum(g.revenue_usd - g.cost_usd) AS m FROM {TIER} GROUP BY 1 ORDER BY m",
        ordered=True,
    )
    # "most reliable first" by error rate would be the lowest first: such words stay unread
    declined(copilot, "order samplers by error rate, most reliable first")


def test_waiting_in_the_queue_is_queue_time(copilot, wh):
    check(
        copilot,
        wh,
        "which tier waits in the queue the shortest",
        f"SELECT u.tier, avg(g.queue_ms) AS q FROM {TIER} GROUP BY 1 ORDER BY q, 1 LIMIT 1",
    )


def test_renders_that_worked_are_the_successful_ones(copilot, wh):
    last = wh.scalar("SELECT max(date_key) FROM fact_generations")
    check(
        copilot,
        wh,
        "how many renders that worked last week",
        f"SELECT count(*) FROM {GENS} WHERE g.status = 'success' "
        f"AND g.date_key BETWEEN DATE '{last}' - INTERVAL 6 DAY AND DATE '{last}'",
    )


def test_rather_than_replaces_the_grouping_in_a_follow_up(copilot, wh):
    first = copilot.ask("p95 latency by sampler")
    check(
        copilot,
        wh,
        "monthly rather than by sampler",
        f"SELECT date_trunc('month', g.date_key)::DATE, quantile_cont(g.latency_ms, 0.95) "
        f"FROM {GENS} GROUP BY 1",
        context=first.context,
    )
