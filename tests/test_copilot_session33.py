"""Rules found by reading blind sets 39 and 40 (session 33), on a real sample warehouse, each phrased
unlike the sets' items: a figure taken per unit and then averaged or its median taken over the units,
the top N with the rest in one row and the top N's share of all, ranges on a generation's settings,
hallway words, "in dollars" said of a figure that is no money, and follow-ups that move a cut-off or
narrow the rows. An answer's rows equal those of SQL written here; what must stay unanswered is
declined."""

from __future__ import annotations

import re

from genai_analyzer.analysis.copilot import nested
from tests.test_copilot_grammar import GENS, check, declined, last_day

JOINED = "fact_generations g JOIN dim_users u USING (user_id)"

# --- a figure per unit, then over the units (nested.py) ----------------------------------------------


def test_the_median_of_each_users_rate_is_not_the_rate_of_all_generations(copilot, wh):
    per_user = (
        "SELECT median(r) FROM (SELECT g.user_id, avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END) "
        f"AS r FROM {GENS} GROUP BY 1)"
    )
    answer = check(copilot, wh, "give me the median, across users, of every user's error rate", per_user)
    assert "median, over users" in answer.reading
    overall = wh.scalar(f"SELECT avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END) FROM {GENS}")
    assert answer.rows[0][0] != overall
    # "the typical user's error rate" says no aggregate: which one is asked, never the overall rate
    asked = declined(copilot, "what is the error rate of the typical user")
    assert "median or the average" in asked.explanation


def test_an_average_over_days_counts_each_day_once_per_group(copilot, wh):
    gold = (
        "SELECT tier, avg(n) FROM (SELECT u.tier, g.date_key, count(DISTINCT g.user_id) AS n "
        f"FROM {JOINED} GROUP BY 1, 2) GROUP BY 1"
    )
    check(copilot, wh, "average daily active users for each tier", gold)
    weekly = (
        "SELECT avg(p) FROM (SELECT date_trunc('week', g.date_key), quantile_cont(g.latency_ms, 0.5) AS p "
        f"FROM {GENS} GROUP BY 1)"
    )
    check(copilot, wh, "work out each week's median latency, then take the mean of those", weekly)


def test_a_median_per_unit_and_a_follow_up_that_swaps_it_for_the_mean(copilot, wh):
    median = "SELECT median(n) FROM (SELECT g.session_id, count(*) AS n FROM fact_generations g GROUP BY 1)"
    first = check(copilot, wh, "how many generations does one session contain, median over sessions", median)
    mean = "SELECT avg(n) FROM (SELECT g.session_id, count(*) AS n FROM fact_generations g GROUP BY 1)"
    check(copilot, wh, "what about the average instead", mean, context=first.context)
    # "average session length" is the layer's own figure, never an average over a unit said
    assert "over sessions" not in copilot.ask("average session length").reading


def test_nested_phrases_compile_as_regexes():
    for name in dir(nested):
        value = getattr(nested, name)
        if name.isupper() and isinstance(value, str):
            re.compile(value)  # one named group per pattern: a repeated name fails here


# --- the top N with the rest in one row, and the top N's share (lumped.py) -----------------------


def test_the_rest_of_the_values_come_as_one_row_with_the_label_said(copilot, wh):
    gold = (
        "WITH top AS (SELECT g.art_style FROM fact_generations g WHERE g.art_style IS NOT NULL GROUP BY 1 "
        "ORDER BY count(*) DESC, 1 LIMIT 2) SELECT CASE WHEN g.art_style IN (SELECT * FROM top) "
        "THEN g.art_style ELSE 'Misc' END, count(*) FROM fact_generations g WHERE g.art_style IS NOT NULL "
        "GROUP BY 1"
    )
    answer = check(
        copilot, wh, "2 most common art styles and bundle everything else into a row called 'Misc'", gold
    )
    assert [row[0] for row in answer.rows][-1] == "Misc"  # the label kept as written, the rest last
    # a rate of the rest is the rate of its rows, not a sum of rates
    rate = check(
        copilot,
        wh,
        "top 2 samplers by success rate, with the others grouped together as one row",
        "WITH top AS (SELECT g.sampler FROM fact_generations g GROUP BY 1 ORDER BY "
        "avg(CASE WHEN g.status = 'success' THEN 1.0 ELSE 0.0 END) DESC, 1 LIMIT 2) "
        "SELECT CASE WHEN g.sampler IN (SELECT * FROM top) THEN g.sampler ELSE 'all others' END, "
        "avg(CASE WHEN g.status = 'success' THEN 1.0 ELSE 0.0 END) FROM fact_generations g GROUP BY 1",
    )
    assert len(rate.rows) == 3


def test_the_top_n_share_is_their_total_over_everyones(copilot, wh):
    gold = (
        "WITH top AS (SELECT g.user_id FROM fact_generations g GROUP BY 1 ORDER BY sum(g.cost_usd) DESC, 1 "
        "LIMIT 5) SELECT sum(g.cost_usd) FILTER (WHERE g.user_id IN (SELECT * FROM top)) / sum(g.cost_usd) "
        "FROM fact_generations g"
    )
    check(copilot, wh, "what fraction of the cost is accounted for by the top 5 users", gold)
    each = (
        "SELECT g.sampler, count(*) / sum(count(*)) OVER () AS s FROM fact_generations g GROUP BY 1 "
        "ORDER BY s DESC LIMIT 2"
    )
    check(copilot, wh, "each of the top 2 samplers' share of all generations", each, ordered=True)
    # "the most active users" says no number: a share of how many is not guessed
    declined(copilot, "what share of revenue comes from the biggest spenders")


# --- ranges on a generation's settings (bands.py) ----------------------------------------------------


def test_ranges_are_inclusive_unless_said_and_read_as_two_cut_offs(copilot, wh):
    gold = f"SELECT count(*) FROM {GENS} WHERE g.step BETWEEN 25 AND 50"
    check(copilot, wh, "number of generations whose sampling steps were from 25 to 50", gold)
    open_range = f"SELECT avg(g.latency_ms) FROM {GENS} WHERE g.cfg > 5 AND g.cfg < 10"
    check(copilot, wh, "average latency with cfg between 5 and 10 exclusive", open_range)
    sized = f"SELECT count(*) FROM {GENS} WHERE g.width > 512 AND g.height > 512"
    check(copilot, wh, "generations more than 512 px in both width and height", sized)
    tall = f"SELECT avg(g.cost_usd) FROM {GENS} WHERE g.height >= 640"
    check(copilot, wh, "average cost of images at least 640 pixels tall", tall)


def test_a_range_and_a_size_keep_the_figure_asked(copilot, wh):
    # the "and" of a range is no second figure: the success rate alone
    answer = copilot.ask("success rate of renders with 20 to 30 steps")
    assert answer.columns == ["success_rate"], answer.columns
    queued = f"SELECT sum(g.revenue_usd) FROM {GENS} WHERE g.queue_ms > 3000"
    check(copilot, wh, "revenue from generations that sat in the queue for over 3 seconds", queued)


# --- hallway words (slang.py) and "in dollars" -------------------------------------------------------


def test_hallway_words_are_read_as_the_layers(copilot, wh):
    failed = f"SELECT count(*) FROM {GENS} WHERE g.status <> 'success' AND g.date_key = DATE '{last_day(wh)}'"
    check(copilot, wh, f"how many generations went south on {last_day(wh)}", failed)
    flaky = (
        "SELECT g.sampler, avg(CASE WHEN g.status <> 'success' THEN 1.0 ELSE 0.0 END) AS r FROM "
        f"{GENS} GROUP BY 1 ORDER BY r DESC LIMIT 1"
    )
    check(copilot, wh, "the most flaky sampler", flaky, ordered=True)
    red = f"SELECT g.art_style, sum(g.revenue_usd) - sum(g.cost_usd) AS m FROM {GENS} GROUP BY 1 HAVING m < 0"
    check(copilot, wh, "which art styles are losing money", red)


def test_in_dollars_said_of_a_time_is_declined_not_dropped(copilot):
    # before: "GPU hours for pro users in dollars" answered the hours
    refused = declined(copilot, "how much gpu time did pro users use, in usd")
    assert "fits money" in refused.explanation


# --- follow-ups that move a cut-off or narrow the rows -----------------------------------------------


def test_a_follow_up_moves_a_cut_off_on_the_rows(copilot, wh):
    first = copilot.ask("how many generations had a queue time over 2 seconds")
    assert not first.refused
    moved = f"SELECT count(*) FROM {GENS} WHERE g.queue_ms > 4000"
    check(copilot, wh, "make it over 4 seconds", moved, context=first.context)


def test_a_follow_up_narrows_to_rows_of_a_size(copilot, wh):
    first = copilot.ask("p95 latency by tier")
    gold = (
        f"SELECT u.tier, quantile_cont(g.latency_ms, 0.95) FROM {JOINED} "
        "WHERE g.width = 768 AND g.height = 768 GROUP BY 1"
    )
    check(copilot, wh, "only 768x768 renders", gold, context=first.context)


def test_a_session_count_is_the_sessions_counted(copilot, wh):
    # before: "session count per user" answered sessions per user and generations per user
    gold = "SELECT count(*) / (SELECT count(DISTINCT user_id) FROM fact_generations) FROM dim_sessions s"
    answer = check(copilot, wh, "mean session count per user", gold)
    assert len(answer.columns) == 1, answer.columns
