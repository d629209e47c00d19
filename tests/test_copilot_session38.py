"""Rules found by reading blind set 45 (session 38), on a real sample warehouse, each phrased unlike
the set's items: prompt edits as figures of the semantic layer (counted, timed and compared with
filters, periods and groupings), a count divided per unit when a filter keeps only some of each
unit's rows, a rate's cases as the rows a figure is over, the days before a named period, a split
asked in a follow-up, and the words of an engineer on call, an executive and a second-language
speaker. An answer's rows equal those of SQL written here; what must stay unanswered is declined."""

from __future__ import annotations

from datetime import timedelta

from tests.test_copilot_grammar import check, declined, last_day

EDITS = "fact_generations g JOIN dim_users u USING (user_id) JOIN fct_prompt_edits e USING (generation_id)"
SESSIONS = "dim_sessions s JOIN dim_users u USING (user_id)"


# --- prompt edits over the generations grain (the layer's edit figures) ---------------------------


def test_prompt_edits_are_counted_with_filters_periods_and_groupings(copilot, wh):
    september = f"SELECT count(*) FROM {EDITS} WHERE g.date_key BETWEEN '2025-09-01' AND '2025-09-30'"
    check(copilot, wh, "how many prompt edits did people make in September", september)
    rerolls = f"SELECT u.tier, count(*) FROM {EDITS} WHERE e.edit_type = 're_roll' GROUP BY 1"
    answer = check(copilot, wh, "number of rerolls for each plan", rerolls)
    assert "Prompt edits" in answer.reading and "re_roll" in answer.reading  # counted as edits
    weekly = f"SELECT date_trunc('week', g.date_key), count(*) FROM {EDITS} WHERE u.tier = 'pro' GROUP BY 1"
    check(copilot, wh, "prompt edits by pro users per week", weekly)
    # declined before (the edits' own grammar read neither): the layer's figures now
    check(copilot, wh, "edits per day", f"SELECT g.date_key, count(*) FROM {EDITS} GROUP BY 1")
    day = last_day(wh)
    top = (
        f"SELECT e.edit_type, count(*) AS n FROM {EDITS} WHERE g.date_key BETWEEN "
        f"'{day - timedelta(days=6)}' AND '{day}' GROUP BY 1 ORDER BY n DESC LIMIT 1"
    )
    answer = check(copilot, wh, "most common edit type last week", top)
    assert answer.columns[-1] == "prompt_edits"


def test_an_edit_figure_by_edit_type_names_only_the_edited_generations(copilot, wh):
    gap = f"SELECT e.edit_type, quantile_cont(e.seconds_since_previous, 0.5) FROM {EDITS} GROUP BY 1"
    check(copilot, wh, "median time between generations for each type of edit", gap)
    rate = (
        "SELECT e.edit_type, avg(CASE WHEN g.status = 'success' THEN 1.0 ELSE 0.0 END) "
        f"FROM {EDITS} WHERE u.tier = 'pro' AND g.date_key BETWEEN '2025-09-01' AND '2025-09-30' GROUP BY 1"
    )
    answer = check(copilot, wh, "success rate by edit type for pro users in september", rate)
    assert "follow a prompt edit" in answer.reading  # the first generation of a session has no edit
    similar = f"SELECT avg(e.similarity) FROM {EDITS} WHERE e.edit_type = 'subject_changed'"
    check(copilot, wh, "mean word similarity of subject changes", similar)
    per_session = f"SELECT u.tier, count(e.generation_id) / count(DISTINCT g.session_id) FROM {EDITS.replace(' JOIN fct', ' LEFT JOIN fct')} GROUP BY 1"  # noqa: E501
    check(copilot, wh, "edits per session for each tier", per_session)


def test_a_count_of_some_rows_per_unit_asks_over_which_units_and_each_reading_answers(copilot, wh):
    # "errors per session" divided by the sessions that had an error, unsaid; "re-rolls per session"
    # gave "sessions per session" = 1: now asked, with both readings, each answered as written
    answer = copilot.ask("how many timeouts per session on average")
    assert answer.kind == "clarify" and answer.sql is None, answer.sql
    every, having = answer.clarify
    all_sessions = (
        "SELECT count(*) FILTER (WHERE g.status = 'timeout') / count(DISTINCT g.session_id) "
        "FROM fact_generations g"
    )
    assert "with none as zero" in every
    check(copilot, wh, every, all_sessions)
    some = "SELECT count(*) / count(DISTINCT g.session_id) FROM fact_generations g WHERE g.status = 'timeout'"
    check(copilot, wh, having, some)
    per_user = (
        f"SELECT u.tier, count(e.generation_id) FILTER (WHERE e.edit_type = 'new_idea') / "
        f"count(DISTINCT g.user_id) FROM {EDITS.replace(' JOIN fct', ' LEFT JOIN fct')} GROUP BY 1"
    )
    check(
        copilot, wh, "number of new-idea edits per user by tier, counting users with none as zero", per_user
    )
    declined(copilot, "users per user")
    # a total moves its filter into FILTER too: it was divided over every session with the filter
    # dropped from the SQL while the reading still said "only status timeout"
    cost = (
        "SELECT sum(g.cost_usd) FILTER (WHERE g.status = 'timeout') / count(DISTINCT g.session_id) "
        "FROM fact_generations g"
    )
    check(copilot, wh, "cost of timeouts per session, counting sessions with none as zero", cost)
    declined(copilot, "margin of timeouts per session, counting sessions with none as zero")


# --- a rate's cases as the rows of another figure (rate_rows.py) ----------------------------------


def test_a_figure_over_the_sessions_a_rate_counts(copilot, wh):
    friction = f"SELECT u.tier, avg(s.friction_score) FROM {SESSIONS} WHERE s.abandoned GROUP BY 1"
    answer = check(copilot, wh, "mean friction for sessions ending in failure, by tier", friction)
    assert "only sessions ending on a failure" in answer.reading
    assert "abandon" not in ",".join(answer.columns)  # the rate is the rows, not a second figure
    length = "SELECT median(s.duration_s) / 60 FROM dim_sessions s WHERE s.last_status = 'success'"
    check(copilot, wh, "median session length of the sessions that ended on a success", length)


# --- periods and follow-ups ------------------------------------------------------------------------


def test_the_days_before_a_named_period_end_the_day_before_it(copilot, wh):
    day = last_day(wh)
    yesterday, start = day - timedelta(days=1), day - timedelta(days=4)
    gold = (
        f"SELECT count(*) FILTER (WHERE g.date_key BETWEEN '{start}' AND '{yesterday - timedelta(days=1)}'), "
        f"count(*) FILTER (WHERE g.date_key = '{yesterday}') FROM fact_generations g"
    )
    answer = copilot.ask("generations yesterday versus the 3 days before it")
    assert not answer.refused, answer.explanation
    assert f"compared with {start} to {yesterday - timedelta(days=1)}" in answer.reading
    before, now = wh.query(gold).values.tolist()[0]
    assert [answer.rows[0][0], answer.rows[0][1]] == [before, now]


def test_a_split_asked_in_a_follow_up_replaces_every_value(copilot, wh):
    first = copilot.ask("median latency per weekday")
    weekend = "CASE WHEN dayname(g.date_key) IN ('Saturday', 'Sunday') THEN 'weekend' ELSE 'weekday' END"
    gold = f"SELECT {weekend}, median(g.latency_ms) FROM fact_generations g GROUP BY 1"
    check(copilot, wh, "only weekends vs weekdays instead", gold, context=first.context)


# --- the words of blind set 45's voices --------------------------------------------------------------


def test_on_call_executive_and_second_language_words(copilot, wh):
    day = last_day(wh)
    week = f"g.date_key BETWEEN '{day - timedelta(days=6)}' AND '{day}'"
    queue = f"SELECT g.date_key, avg(g.queue_ms) FROM fact_generations g WHERE {week} GROUP BY 1"
    check(copilot, wh, "got paged, queue looking backed up? mean queue time by day over the last 7d", queue)
    slice_ = (
        "SELECT sum(g.cost_usd) FILTER (WHERE u.tier = 'pro') / sum(g.cost_usd) "
        "FROM fact_generations g JOIN dim_users u USING (user_id)"
    )
    check(copilot, wh, "what slice of our cost goes to pro customers", slice_)
    money = (
        "SELECT sum(g.revenue_usd) FROM fact_generations g JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'pro' AND g.date_key BETWEEN '2025-09-01' AND '2025-09-30'"
    )
    check(copilot, wh, "how much money we gain from the pro clients in september", money)
    least = (
        "SELECT g.sampler, avg(CASE WHEN g.status = 'success' THEN 1.0 ELSE 0.0 END) AS r "
        "FROM fact_generations g GROUP BY 1 ORDER BY r LIMIT 1"
    )
    check(copilot, wh, "which is the sampler with less success rate", least)
    # a word with no reading is still declined, naming it
    declined(copilot, "is anything on fire with the moon phase")


# --- sessions: their size as rows, a follow-up that narrows them, the median depth ------------------


def test_the_share_of_sessions_of_a_size_and_a_follow_up_on_their_size(copilot, wh):
    share = "SELECT avg(CASE WHEN s.n_generations >= 4 THEN 1.0 ELSE 0.0 END) FROM dim_sessions s"
    check(copilot, wh, "what proportion of sessions made it to 4 or more generations", share)
    length = "SELECT avg(s.duration_s) / 60 FROM dim_sessions s WHERE s.n_generations >= 3"
    check(copilot, wh, "mean session length, counting only sessions with 3+ generations", length)
    first = copilot.ask("share of sessions ending on a success by tier")
    kept = (
        "SELECT u.tier, avg(CASE WHEN s.last_status = 'success' THEN 1.0 ELSE 0.0 END) "
        f"FROM {SESSIONS} WHERE s.n_generations >= 6 GROUP BY 1"
    )
    check(copilot, wh, "only the sessions with 6 or more generations", kept, context=first.context)
    depth = copilot.ask("average generations per session for each plan")
    median = f"SELECT u.tier, median(s.n_generations) FROM {SESSIONS} GROUP BY 1"
    check(copilot, wh, "the median instead", median, context=depth.context)
    success = "SELECT count(DISTINCT g.session_id) FROM fact_generations g WHERE g.status = 'success'"
    check(copilot, wh, "how many sessions had at least one successful generation", success)


def test_a_grouping_added_to_each_period_keeps_the_periods(copilot, wh):
    first = copilot.ask("revenue per month")
    gold = (
        "SELECT date_trunc('month', g.date_key), u.tier, sum(g.revenue_usd) "
        "FROM fact_generations g JOIN dim_users u USING (user_id) GROUP BY 1, 2"
    )
    check(copilot, wh, "break each month down by tier as well", gold, context=first.context)


def test_as_a_fraction_of_all_names_a_share_and_alone_the_form(copilot, wh):
    # "pro users as a fraction of all users" answered the pro users alone (read as the form)
    share = (
        "SELECT count(DISTINCT g.user_id) FILTER (WHERE u.tier = 'free') / count(DISTINCT g.user_id) "
        "FROM fact_generations g JOIN dim_users u USING (user_id)"
    )
    answer = check(copilot, wh, "free users as a fraction of all users", share)
    assert "Share" in answer.reading
    rate = "SELECT avg(CASE WHEN g.status = 'timeout' THEN 1.0 ELSE 0.0 END) FROM fact_generations g"
    check(copilot, wh, "timeout rate as a fraction", rate)


def test_edit_questions_the_layer_cannot_read_whole_stay_declined(copilot, wh):
    # answered before with the prompts ranked by their edits, or the cost ("mostly" read as "costly");
    # since session 41 the first is read whole: the most common edit type (research_words.py)
    gold = "SELECT edit_type, count(*) FROM fct_prompt_edits GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
    answer = check(copilot, wh, "which edit do users make most often to their prompts", gold, ordered=True)
    assert "by type" in answer.reading and "prompt" not in answer.columns
    declined(copilot, "what do free users mostly do when they edit their prompt, which kind is on top?")


def test_a_definition_after_a_colon_and_on_call_words(copilot, wh):
    arppu = (
        "SELECT sum(g.revenue_usd) / count(DISTINCT g.user_id) FROM fact_generations g "
        "JOIN dim_users u USING (user_id) WHERE u.tier IN ('pro', 'enterprise')"
    )
    check(copilot, wh, "ARPU for paying users: their revenue divided by the number of paying users", arppu)
    once = "SELECT avg(CASE WHEN s.n_generations = 1 THEN 1.0 ELSE 0.0 END) FROM dim_sessions s"
    check(copilot, wh, "what share of sessions are one-and-done, that is a single generation", once)
    answer = copilot.ask("is the error rate creeping up? last 3 days vs the 3 days before")
    assert not answer.refused and "compared with" in answer.reading, answer.explanation


def test_the_all_sets_run_s_regressions_stay_fixed(copilot, wh):
    # found by scoring every set again on this session's rules: each was answered wrongly or lost
    declined(copilot, "how many images would we have had yesterday without the timeouts?")  # counterfactual
    declined(copilot, "how many prompt edits does it take to get a kept image?")  # one count per the other
    # a share said in the definition after the question is not read past (it listed the counts only)
    declined(copilot, "How do edits divide among the edit types? The count of each type and its share.")
    style = (
        "SELECT avg(g.cost_usd) FROM fact_generations g WHERE g.art_style = '3d render' "
        "AND g.date_key BETWEEN '2025-09-01' AND '2025-09-30'"
    )
    check(copilot, wh, "average cost per generation for the 3d render style in September", style)
    similar = f"SELECT e.edit_type, avg(e.similarity) FROM {EDITS} GROUP BY 1"
    first = check(
        copilot, wh, "mean similarity between a prompt and the one before it, per edit type", similar
    )
    pro = f"SELECT e.edit_type, avg(e.similarity) FROM {EDITS} WHERE u.tier = 'pro' GROUP BY 1"
    check(copilot, wh, "only for edits made by pro users", pro, context=first.context)


def test_a_follow_up_swaps_a_p99_for_another_statistic(copilot, wh):
    first = copilot.ask("p99 latency by tier")
    gold = (
        "SELECT u.tier, median(g.latency_ms) FROM fact_generations g JOIN dim_users u USING (user_id) "
        "GROUP BY 1"
    )
    check(copilot, wh, "same but p50", gold, context=first.context)
