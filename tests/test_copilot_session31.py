"""Rules found by reading blind set 38 (session 31), on a real sample warehouse, each phrased unlike
the set's items: the top within each group, running and rolling figures, figures against the overall
or the mean of the groups, histograms in buckets, a chart's words, and groupings listed after a cue.
An answer's rows equal those of SQL written here; what must stay unanswered is declined."""

from __future__ import annotations

from genai_analyzer.analysis.copilot.text import QuestionText
from tests.test_copilot_grammar import GENS, check, declined
from tests.test_copilot_session24 import TIERS

ERROR = "avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END)"
FAILED = "avg(CASE WHEN g.status <> 'success' THEN 1.0 ELSE 0.0 END)"

# --- the top within each group (within.py) --------------------------------------------------------


def test_the_top_within_each_group_ranks_inside_it_with_ties_kept(copilot, wh):
    ranked = (
        "SELECT tier, art_style, n FROM (SELECT u.tier, g.art_style, count(*) AS n, rank() OVER "
        f"(PARTITION BY u.tier ORDER BY count(*) DESC) AS r FROM {TIERS} WHERE g.art_style IS NOT NULL "
        "GROUP BY 1, 2) WHERE r <= 3"
    )
    answer = check(copilot, wh, "the 3 most popular art styles within every tier", ranked)
    assert "top 3 within each tier" in answer.reading
    # before: one row for the whole data (the busiest pair), a wrong answer
    assert len(answer.rows) > 3
    slowest_day = (
        "SELECT w, d, p FROM (SELECT date_trunc('week', g.date_key) AS w, g.date_key AS d, "
        "quantile_cont(g.latency_ms, 0.95) AS p, rank() OVER (PARTITION BY date_trunc('week', g.date_key) "
        f"ORDER BY quantile_cont(g.latency_ms, 0.95) DESC) AS r FROM {GENS} GROUP BY 1, 2) WHERE r = 1"
    )
    check(copilot, wh, "for every week, the day with the highest p95 latency", slowest_day)


def test_a_place_within_each_group_and_a_follow_up_keep_the_partition(copilot, wh):
    second = (
        "SELECT tier, sampler, c FROM (SELECT u.tier, g.sampler, sum(g.cost_usd) AS c, rank() OVER "
        f"(PARTITION BY u.tier ORDER BY sum(g.cost_usd) DESC) AS r FROM {TIERS} WHERE g.sampler IS NOT NULL "
        "{where}GROUP BY 1, 2) WHERE r = 2"
    )
    answer = check(
        copilot, wh, "the sampler with the second-highest cost in each tier", second.format(where="")
    )
    check(
        copilot,
        wh,
        "only for free users",
        second.format(where="AND u.tier = 'free' "),
        context=answer.context,
    )


# --- running and rolling figures (running.py) -------------------------------------------------------


def test_a_running_total_runs_along_the_days_and_keeps_days_without_rows(copilot, wh):
    timeouts = "count(*) FILTER (WHERE g.status IN ('error'))"
    gold = (
        f"SELECT g.date_key, {timeouts}, sum({timeouts}) OVER (ORDER BY g.date_key) FROM {GENS} "
        "WHERE g.date_key BETWEEN DATE '2025-09-01' AND DATE '2025-09-10' GROUP BY 1"
    )
    answer = check(copilot, wh, "cumulative number of errors per day from 2025-09-01 to 2025-09-10", gold)
    assert len(answer.rows) == 10  # a day with no error is a row at 0, not a missing day
    assert "cumulative" in answer.reading
    week = "date_trunc('week', g.date_key)"
    weekly = (
        f"SELECT u.tier, {week}, sum(sum(g.cost_usd)) OVER (PARTITION BY u.tier ORDER BY {week}) "
        f"FROM {TIERS} GROUP BY 1, 2"
    )
    check(copilot, wh, "running total of cost by week and tier", weekly)


def test_a_rolling_figure_averages_a_count_and_pools_a_rate(copilot, wh):
    window = "RANGE BETWEEN INTERVAL 2 DAYS PRECEDING AND CURRENT ROW"
    count = f"SELECT g.date_key, avg(count(*)) OVER (ORDER BY g.date_key {window}) FROM {GENS} GROUP BY 1"
    check(copilot, wh, "3-day moving average of generations by day", count)
    pooled = (
        f"SELECT g.date_key, sum(sum(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END)) OVER (ORDER BY "
        f"g.date_key {window}) / sum(count(*)) OVER (ORDER BY g.date_key {window}) FROM {GENS} GROUP BY 1"
    )
    answer = check(copilot, wh, "error rate by day, trailing 3-day", pooled)
    assert "over the 3 days ending that day" in answer.reading


def test_a_figure_that_does_not_add_up_is_not_run_along_the_days(copilot):
    answer = declined(copilot, "cumulative active users by day")
    assert "does not add up" in answer.explanation
    declined(copilot, "7-day rolling revenue by week")  # a 7-day window runs over days


# --- against the overall or the mean of the groups (against.py) --------------------------------------


def test_the_groups_above_or_below_the_overall_figure(copilot, wh):
    overall = f"(SELECT {ERROR} FROM {GENS})"
    gold = f"SELECT g.sampler, {ERROR}, {overall} FROM {GENS} GROUP BY 1 HAVING {ERROR} > {overall}"
    answer = check(copilot, wh, "samplers whose error rate is above the company-wide error rate", gold)
    assert "only the groups above the overall figure" in answer.reading
    # "worse" follows the figure: a worse success rate is a lower one
    success = "avg(CASE WHEN g.status = 'success' THEN 1.0 ELSE 0.0 END)"
    base = f"(SELECT {success} FROM {GENS})"
    worse = f"SELECT g.art_style, {success}, {base} FROM {GENS} GROUP BY 1 HAVING {success} < {base}"
    check(copilot, wh, "art styles with a worse success rate than the whole product", worse)
    overall = f"(SELECT {FAILED} FROM {GENS})"
    twice = f"SELECT g.domain, {FAILED} FROM {GENS} GROUP BY 1 HAVING {FAILED} >= 2 * {overall}"
    check(copilot, wh, "domains failing at least twice as often as the overall failure rate", twice)


def test_the_mean_of_the_groups_for_a_count_and_the_difference_or_multiple(copilot, wh):
    days = f"SELECT g.date_key, count(*) FROM {GENS} GROUP BY 1 QUALIFY count(*) < avg(count(*)) OVER ()"
    answer = check(copilot, wh, "which days had fewer generations than the average day", days)
    assert "the mean of the groups" in answer.reading
    latency = "avg(g.latency_ms)"
    minus = f"SELECT u.tier, {latency} - (SELECT {latency} FROM {GENS}) FROM {TIERS} GROUP BY 1"
    check(copilot, wh, "each tier's average latency minus the overall average latency", minus)
    k_lms = f"SELECT avg(g.latency_ms) FILTER (WHERE g.sampler = 'k_lms') / (SELECT {latency} FROM {GENS})"
    k_lms += f" FROM {GENS}"
    check(copilot, wh, "k_lms average latency relative to the overall", k_lms)


def test_a_baseline_the_question_does_not_compare_with_is_no_baseline(copilot, wh):
    # "overall" and "average" said of the figure itself, with no comparison: the plain figure
    check(
        copilot,
        wh,
        "what is the overall error rate by tier",
        f"SELECT u.tier, {ERROR} FROM {TIERS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "average sampling steps by sampler",
        f"SELECT g.sampler, avg(g.step) FROM {GENS} GROUP BY 1",
    )
    declined(copilot, "which countries fail more often than the overall")


# --- histograms in buckets (buckets.py) -----------------------------------------------------------


def test_a_histogram_in_buckets_of_a_time_or_a_number(copilot, wh):
    seconds = f"SELECT floor(g.latency_ms / 2000) * 2, count(*) FROM {GENS} GROUP BY 1"
    answer = check(copilot, wh, "how many generations fall in each 2-second latency bin", seconds)
    assert "in buckets of 2 s" in answer.reading
    steps = f"SELECT floor(g.step / 25) * 25, {ERROR} FROM {GENS} GROUP BY 1"
    check(copilot, wh, "error rate by sampling steps in buckets of 25", steps)
    declined(copilot, "latency histogram please")  # a time needs a bucket size


# --- a chart's words, listed groupings, smaller readings ------------------------------------------


def test_a_chart_asked_for_is_the_data_it_draws(copilot, wh):
    gold = f"SELECT u.tier, g.status, count(*) FROM {TIERS} GROUP BY 1, 2"
    check(copilot, wh, "stacked column chart of generations per tier, coloured by status", gold)
    check(copilot, wh, "plot the error rate with one line per sampler, by week",
          f"SELECT date_trunc('week', g.date_key), g.sampler, {ERROR} FROM {GENS} GROUP BY 1, 2")  # fmt: skip


def test_groupings_listed_after_a_cue_are_read_before_the_figures(copilot, wh):
    answer = check(
        copilot, wh, "cost split by image height and image width",
        f"SELECT g.height, g.width, sum(g.cost_usd) FROM {GENS} GROUP BY 1, 2",
    )  # fmt: skip
    assert answer.reading.startswith("Cost (USD); by image height and image width")  # no Generations column


def test_statuses_per_100_generations_ask_which_reading(copilot):
    answer = declined(copilot, "how many errors or timeouts per 100 generations")
    assert "error rate and timeout rate per 100 generations" in answer.explanation


def test_a_follow_up_with_nothing_before_it_is_not_answered_alone(copilot):
    answer = declined(copilot, "only failed generations")
    assert "no answer before it" in answer.explanation


def test_rewordings_of_distributions():
    assert "p95 latency" in QuestionText("what does the slowest 5% look like by tier").text
    assert "median latency and p99 latency" in QuestionText("the median and the p99 latency by tier").text
    half_an_hour = QuestionText("sessions that went on for more than half an hour").text
    assert "session length more than 30 minutes" in half_an_hour
