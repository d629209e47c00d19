"""Rules found by reading blind set 43 (session 36), on a real sample warehouse, each phrased unlike
the set's items: figures listed with commas, a count said beside another figure, each period's
change from the one before, the gap or the ratio between two sides, the data's first days, a
division said for each figure, sessions in the words of their docs, a manager's KPI shorthand, and
the follow-ups of such answers. An answer's rows equal those of SQL written here; what must stay
unanswered is declined."""

from __future__ import annotations

from datetime import timedelta

from tests.test_copilot_grammar import GENS, check, declined, last_day

JOINED = "fact_generations g JOIN dim_users u USING (user_id)"
SESSIONS = "dim_sessions s JOIN dim_users u USING (user_id)"


def _between(first, last) -> str:
    return f"g.date_key BETWEEN DATE '{first}' AND DATE '{last}'"


# --- several figures at once (parser._metrics, accounting._counted_beside) -------------------------


def test_figures_listed_with_commas_are_all_answered(copilot, wh):
    end = last_day(wh)
    week = _between(end - timedelta(days=6), end)
    gold = (
        "SELECT count(*), count(DISTINCT g.user_id), "
        f"avg(CASE WHEN g.status = 'success' THEN 1.0 ELSE 0.0 END) FROM {GENS} WHERE {week}"
    )  # the generations and the users were dropped without a word: only the last figure came back
    answer = check(copilot, wh, "headline numbers for the past week: images, users, success rate", gold)
    assert "Generations" in answer.reading and "Active users" in answer.reading


def test_a_count_said_beside_another_figure_is_answered_with_it(copilot, wh):
    gold = f"SELECT count(DISTINCT g.user_id), sum(g.cost_usd) FROM {JOINED} WHERE u.tier = 'enterprise'"
    check(copilot, wh, "how many enterprise customers are there and what did they cost us", gold)
    check(copilot, wh, "enterprise users - how many, and their total cost", gold)


# --- each period's change from the one before (running.py, periods_over.py) -----------------------


def test_each_periods_change_from_the_one_before(copilot, wh):
    end = last_day(wh)
    daily = f"SELECT g.date_key AS d, sum(g.cost_usd) AS v FROM {GENS} GROUP BY 1"
    # the window's first day has its change too: from the day before the window
    start = end - timedelta(days=4)
    gold = f"SELECT d, v, v - lag(v) OVER (ORDER BY d) FROM ({daily}) QUALIFY d >= DATE '{start}'"
    question = "cost per day over the past 5 days, with the change from the previous day"
    answer = check(copilot, wh, question, gold)
    assert "change from the day before" in answer.reading
    weekly = f"SELECT CAST(date_trunc('week', g.date_key) AS DATE) AS w, count(*) AS v FROM {GENS} GROUP BY 1"
    pct = f"SELECT w, v, 100.0 * (v - lag(v) OVER (ORDER BY w)) / lag(v) OVER (ORDER BY w) FROM ({weekly})"
    check(copilot, wh, "weekly image counts and their percent change versus the prior week", pct)
    # said of one figure, the same words still compare two periods
    two = copilot.ask("what was the change in cost from the week before")
    assert not two.refused and "compared with" in two.reading, two.explanation


# --- the gap or the ratio between two sides (gaps.py) ---------------------------------------------


def test_the_gap_and_the_ratio_between_two_sides(copilot, wh):
    rate = "avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END)"
    free, pro = (f"(SELECT {rate} FROM {JOINED} WHERE u.tier = '{t}')" for t in ("free", "pro"))
    gold = f"SELECT {free}, {pro}, {free} - {pro}"
    question = "error rate of free and of pro users, and the difference (free minus pro)"
    answer = check(copilot, wh, question, gold)
    assert "free minus pro" in answer.reading  # it answered the two rows, the difference dropped
    count = "SELECT count(*) FROM fact_generations g JOIN dim_users u USING (user_id) WHERE u.tier = '{}'"
    free_n, ent_n = (f"({count.format(t)})" for t in ("free", "enterprise"))
    ratio = f"SELECT {ent_n}, {free_n}, {free_n} / {ent_n}"  # columns as named, the ratio as asked
    question = "enterprise vs free: how many times more images do free users make than enterprise"
    check(copilot, wh, question, ratio)
    # with no two sides to divide, "how many times" is still declined
    declined(copilot, "is the p95 latency 4 times as long as the median")


# --- the data's first days (time_phrases.py, date_windows.from_start) -----------------------------


def test_the_first_days_of_the_data(copilot, wh):
    start = wh.scalar("SELECT min(date_key) FROM fact_generations")
    days = _between(start, start + timedelta(days=3))
    gold = f"SELECT g.date_key, count(*) FROM {GENS} WHERE {days} GROUP BY 1"
    answer = check(copilot, wh, "generations per day across the first 4 days of the data", gold)
    assert f"from {start}" in answer.reading
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    full = f"SELECT count(*) FROM {GENS} WHERE {_between(monday, monday + timedelta(days=6))}"
    check(copilot, wh, "how many images in our first full week on record", full)


# --- figures divided per unit (scaling.py) --------------------------------------------------------


def test_a_division_said_for_each_figure_divides_each(copilot, wh):
    per = "count(DISTINCT g.session_id)"
    gold = f"SELECT sum(g.revenue_usd) / {per}, sum(g.cost_usd) / {per} FROM {GENS}"
    check(copilot, wh, "revenue per session and cost per session", gold)  # the cost was a total
    check(copilot, wh, "rev/session, cost/session", gold)
    declined(copilot, "revenue per user and cost per session")  # two divisions: one at a time


# --- sessions (session_words.py, followup.check_grain) --------------------------------------------


def test_sessions_in_the_words_of_their_docs(copilot, wh):
    one = f"SELECT count(*) FROM {SESSIONS} WHERE s.n_generations = 1"
    check(copilot, wh, "number of one-and-done sessions", one)
    friction = f"SELECT avg(s.friction_score) FROM {SESSIONS} WHERE s.n_generations > 4"
    answer = check(copilot, wh, "mean friction of sessions with more than 4 images", friction)
    assert "only sessions with" in answer.reading
    sizes = f"SELECT s.n_generations, count(*) FROM {SESSIONS} GROUP BY 1"
    check(copilot, wh, "sessions with 1 image, 2 images, 3 and so on", sizes)


# --- a manager's shorthand (shorthand.py, sql_words.py) ------------------------------------------


def test_kpi_shorthand(copilot, wh):
    margin = (
        f"SELECT u.tier, 100 * (sum(g.revenue_usd) - sum(g.cost_usd)) / sum(g.revenue_usd) FROM {JOINED} "
        "WHERE u.tier IN ('pro', 'enterprise') GROUP BY 1"
    )
    answer = check(copilot, wh, "gross margin % per tier for paying users", margin)
    assert "in percent" in answer.reading
    latency = f"SELECT quantile_cont(g.latency_ms, 0.5), quantile_cont(g.latency_ms, 0.99) FROM {GENS}"
    check(copilot, wh, "p50 / p99 latency", latency)
    distinct = f"SELECT count(DISTINCT g.art_style) FROM {GENS}"
    check(copilot, wh, "how many different art styles have people used", distinct)


# --- follow-ups of such answers (followup.py) -----------------------------------------------------


def test_follow_ups_of_a_yes_or_no_change_and_of_a_top_n(copilot, wh):
    end = last_day(wh)
    change = copilot.ask("did the timeout rate go up in the last 7 days compared with the 7 days before?")
    assert not change.refused, change.explanation
    split = copilot.ask("split that by sampler", change.context)
    assert not split.refused, split.explanation
    fortnight = _between(end - timedelta(days=13), end)
    every = wh.scalar(f"SELECT count(DISTINCT g.sampler) FROM {GENS} WHERE {fortnight}")
    assert len(split.rows) == every  # every sampler's change, not only those that went up
    top = copilot.ask("top 3 styles by generations")
    more = copilot.ask("show me 5", top.context)
    assert not more.refused and len(more.rows) == 5 and "top 5" in more.reading


# --- beside set 43: named sides with none of the rows, cut-offs on distinct values -----------------


def test_a_side_named_with_none_of_the_rows_is_shown_at_zero(copilot, wh):
    answer = copilot.ask("how many timeouts did free vs enterprise users have")
    assert not answer.refused, answer.explanation
    counts = dict(answer.rows)
    for tier in ("free", "enterprise"):
        gold = wh.scalar(f"SELECT count(*) FROM {JOINED} WHERE u.tier = '{tier}' AND g.status = 'timeout'")
        assert counts.get(tier) == gold  # a tier without a timeout was missing, not shown at 0


def test_a_cut_off_on_how_many_different_values_each_unit_used(copilot, wh):
    users = "SELECT g.user_id FROM fact_generations g GROUP BY 1 HAVING count(DISTINCT g.sampler) > 1"
    check(copilot, wh, "how many users have tried more than one sampler", f"SELECT count(*) FROM ({users})")
    top = (
        "SELECT g.user_id, count(DISTINCT p.prompt) FROM fact_generations g JOIN dim_prompts p "
        "USING (prompt_id) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3"
    )  # the reading said "top 3", and every user was listed
    check(copilot, wh, "top 3 users by number of distinct prompts", top, ordered=True)
    # "different samplers" is each sampler, not the new figure (the layer names it "distinct" only)
    by = f"SELECT g.sampler, avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END) FROM {GENS} GROUP BY 1"
    check(copilot, wh, "error rate for different samplers", by)


def test_all_of_a_grouping_is_asked_back_and_one_and_done_is_said_of_sessions(copilot, wh):
    # "..., all tiers": each tier, or every tier together? Asked (it was read as by tier)
    asked = copilot.ask("total cost per user in the last 7 days, all tiers")
    assert asked.refused and asked.kind == "clarify", asked.explanation
    for reading in asked.clarify:  # each reading offered is answered as written
        assert not copilot.ask(reading).refused, reading
    # "one-and-done users" are no sessions of one generation: not read as such
    users = copilot.ask("how many one-and-done users are there")
    assert users.refused or "Generations exactly 1" not in users.reading
