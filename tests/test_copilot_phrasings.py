"""Phrasings blind set 6 found misread or missing, on a real sample warehouse: each answer's rows
equal those of SQL written here independently of the semantic layer, and each half-understood
variant is declined or asked about, never answered."""

from __future__ import annotations

import pytest

from tests.test_copilot_grammar import GENS, check, declined, last_day

# --- shares, rankings and the rest of the values --------------------------------------------


@pytest.mark.parametrize(
    "question, status",
    [
        ("what % of generations get blocked by the nsfw filter?", "'nsfw_blocked'"),
        ("what share of generations get blocked", "'nsfw_blocked'"),
        ("what percentage of images errored", "'error'"),
    ],
)
def test_a_share_of_the_rows_is_the_status_rate_alone(copilot, wh, question, status):
    answer = check(copilot, wh, question, f"SELECT avg((g.status = {status})::INT) FROM {GENS}")
    assert len(answer.columns) == 1, answer.sql  # "of generations" is the base, not a second metric


def test_a_lone_percent_sign_is_never_dropped(copilot):
    declined(copilot, "what % generations by tier")


def test_the_most_common_value_is_a_value_not_the_rows_with_none(copilot, wh):
    check(
        copilot,
        wh,
        "whats the most common error code for pro users",
        f"SELECT g.error_code, count(*) AS n FROM {GENS} JOIN dim_users USING (user_id) "
        "WHERE tier = 'pro' AND g.error_code <> '' GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1",
        ordered=True,
    )


def test_one_value_against_all_the_others_is_a_two_way_split(copilot, wh):
    sampler = wh.scalar("SELECT sampler FROM fact_generations GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    answer = check(
        copilot,
        wh,
        f"error rate {sampler} vs all other samplers",
        f"SELECT CASE WHEN g.sampler = '{sampler}' THEN '{sampler}' ELSE 'other samplers' END, "
        f"avg((g.status = 'error')::INT) FROM {GENS} GROUP BY 1",
    )
    assert "other samplers" in answer.reading
    declined(copilot, f"error rate {sampler} vs all other styles")  # the rest of another dimension


def test_a_paying_side_is_labelled_paid_whatever_words_named_it(copilot, wh):
    gold = (
        "SELECT CASE WHEN tier = 'free' THEN 'free' ELSE 'paid' END, avg((g.status = 'success')::INT) "
        f"FROM {GENS} JOIN dim_users USING (user_id) GROUP BY 1"
    )
    check(copilot, wh, "success rate free vs paid users", gold)
    check(copilot, wh, "success rate for free users compared with subscribers", gold)


# --- week over week -----------------------------------------------------------------------


def test_week_over_week_across_a_window_is_a_weekly_series(copilot, wh):
    last = last_day(wh)
    gold = (
        "SELECT date_trunc('week', g.date_key)::DATE, avg((g.status = 'error')::INT) "
        f"FROM {GENS} WHERE g.date_key > DATE '{last}' - INTERVAL 28 DAY GROUP BY 1"
    )
    check(copilot, wh, "error rate week over week for the last 4 weeks", gold)
    check(copilot, wh, "error rate over the last 4 weeks, week over week", gold)


def test_week_over_week_change_compares_last_week_with_the_week_before(copilot, wh):
    last = last_day(wh)

    def rate(first: int, final: int) -> str:
        return (
            f"(SELECT avg((g.status = 'error')::INT) FROM {GENS} WHERE g.date_key BETWEEN "
            f"DATE '{last}' - INTERVAL {first} DAY AND DATE '{last}' - INTERVAL {final} DAY)"
        )

    gold = f"SELECT {rate(13, 7)}, {rate(6, 0)}, {rate(6, 0)} - {rate(13, 7)}"
    for question in (
        "error rate week over week change",
        "the week over week change in error rate",
        "error rate compared with the week before",
    ):
        check(copilot, wh, question, gold)


def test_week_over_week_alone_is_a_weekly_series_as_month_over_month_is(copilot, wh):
    # Blind writers read a bare "X week over week" as the weekly series (six sets of seven), as the
    # copilot already read "month over month" and "day over day"; "change" asks for the comparison.
    check(
        copilot,
        wh,
        "error rate week over week",
        f"SELECT date_trunc('week', g.date_key)::DATE, avg((g.status = 'error')::INT) FROM {GENS} GROUP BY 1",
    )


# --- questions with no subject --------------------------------------------------------------


@pytest.mark.parametrize("question", ["what's slow?", "what is so expensive", "whats failing"])
def test_an_adjective_with_no_subject_is_asked_about(copilot, question):
    answer = copilot.ask(question)
    assert answer.kind == "clarify" and answer.sql is None, (question, answer.sql)
    assert len(answer.clarify) == 3
    for reading in answer.clarify:
        assert not copilot.ask(reading).refused, reading


def test_how_big_is_not_read_as_a_count(copilot):
    declined(copilot, "how big are our sessions?")


# --- typos and chat spellings ---------------------------------------------------------------


def test_typos_of_four_letters_and_of_negations_are_read(copilot, wh):
    answer = check(
        copilot,
        wh,
        "eror rate by teir",
        f"SELECT tier, avg((g.status = 'error')::INT) FROM {GENS} JOIN dim_users USING (user_id) GROUP BY 1",
    )
    assert answer.corrections == {"eror": "error", "teir": "tier"}
    check(
        copilot,
        wh,
        "succes rate per samplr",  # "succes" is not the singular of "success"
        f"SELECT g.sampler, avg((g.status = 'success')::INT) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "error rate exluding the free tier",
        f"SELECT avg((g.status = 'error')::INT) FROM {GENS} JOIN dim_users USING (user_id) "
        "WHERE tier <> 'free'",
    )


def test_a_word_a_step_reads_is_never_taken_for_a_typo(copilot):
    for question in ("users with generations exceeding 5", "error rate in the evenings"):
        answer = copilot.ask(question)
        assert "excluding" not in answer.corrections.values(), question
        assert "earnings" not in answer.corrections.values(), question


def test_chat_spellings_and_everyday_words(copilot, wh):
    last = last_day(wh)
    check(
        copilot,
        wh,
        "how many ppl used it in the last 3 days",
        f"SELECT count(DISTINCT g.user_id) FROM {GENS} WHERE g.date_key > DATE '{last}' - INTERVAL 3 DAY",
    )
    check(
        copilot,
        wh,
        "whats the avg wait in line for enterprise ppl",
        f"SELECT avg(g.queue_ms) FROM {GENS} JOIN dim_users USING (user_id) WHERE tier = 'enterprise'",
    )
    check(
        copilot,
        wh,
        "how much money did we make so far this month",
        f"SELECT sum(g.revenue_usd) FROM {GENS} WHERE g.date_key >= date_trunc('month', DATE '{last}')",
    )


def test_sessions_that_end_after_a_failure_in_other_words(copilot, wh):
    check(
        copilot,
        wh,
        "per week, how often do sessions finish with a generation that didn't succeed?",
        "SELECT date_trunc('week', timezone('UTC', started_at))::DATE, avg(abandoned::INT) "
        "FROM dim_sessions GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "per plan, what part of sessions wrap up right after an nsfw block",
        "SELECT tier, avg((last_status = 'nsfw_blocked')::INT) FROM dim_sessions JOIN dim_users "
        "USING (user_id) GROUP BY 1",
    )


# --- orders, relationships, ratios, dates, hours ---------------------------------------------


def test_an_order_asked_for_follows_the_metric(copilot, wh):
    margin = f"SELECT g.art_style, sum(g.revenue_usd - g.cost_usd) AS m FROM {GENS} GROUP BY 1"
    check(copilot, wh, "profit by art style, worst first", f"{margin} ORDER BY m, 1", ordered=True)
    check(copilot, wh, "profit by art style, best first", f"{margin} ORDER BY m DESC, 1", ordered=True)
    errors = f"SELECT g.domain, avg((g.status = 'error')::INT) AS r FROM {GENS} GROUP BY 1"
    check(copilot, wh, "error rate by domain, worst first", f"{errors} ORDER BY r DESC, 1", ordered=True)
    first = copilot.ask("error rate by domain")
    check(
        copilot,
        wh,
        "sort it from lowest to highest",
        f"{errors} ORDER BY r, 1",
        ordered=True,
        context=first.context,
    )
    declined(copilot, "revenue, worst first")  # nothing to sort


def test_a_relationship_groups_by_the_figure_that_is_also_a_dimension(copilot, wh):
    check(
        copilot,
        wh,
        "how does step count relate to latency?",
        f"SELECT g.step, median(g.latency_ms) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "does the failure rate go up with prompt complexity?",
        f"SELECT g.complexity_score, avg((g.status <> 'success')::INT) FROM {GENS} GROUP BY 1",
    )
    declined(copilot, "how does revenue relate to cost")  # two figures, neither a dimension
    declined(copilot, "does latency go up by tier")


def test_a_total_per_session(copilot, wh):
    check(
        copilot,
        wh,
        "revenue per session for each tier",
        f"SELECT tier, sum(g.revenue_usd) / count(DISTINCT g.session_id) FROM {GENS} "
        "JOIN dim_users USING (user_id) GROUP BY 1",
    )
    answer = copilot.ask("generations per session by tier")  # a metric of its own, not a division
    assert "per session" not in answer.reading.split(";")[0].removeprefix("Generations per session")


def test_a_day_named_without_a_year_is_in_the_data_year(copilot, wh):
    last = last_day(wh)
    day = f"make_date({last.year}, {last.month}, 1)"
    month = last.strftime("%b").lower()
    gold = f"SELECT avg((g.status = 'error')::INT) FROM {GENS} WHERE g.date_key = {day}"
    check(copilot, wh, f"error rate on {month} 1st", gold)
    check(copilot, wh, f"error rate on the 1st of {last.strftime('%B').lower()}", gold)
    declined(copilot, "error rate on feb 30")


def test_bare_hour_numbers_right_after_the_word_hour(copilot, wh):
    from tests.test_copilot_grammar import HOUR

    check(
        copilot,
        wh,
        "median latency for each hour from 18 through 22 UTC",
        f"SELECT {HOUR}, median(g.latency_ms) FROM {GENS} WHERE {HOUR} BETWEEN 18 AND 22 GROUP BY 1",
    )
    declined(copilot, "error rate between 9 and 17")  # no "hour": numbers of what?


def test_counts_asked_with_a_verb_or_a_ranking_of_prompts(copilot, wh):
    check(
        copilot,
        wh,
        "the 4 most used prompts",
        "SELECT p.prompt, count(*) AS n FROM fact_generations g JOIN dim_prompts p USING (prompt_id) "
        "GROUP BY 1 ORDER BY n DESC, 1 LIMIT 4",
        ordered=True,
    )
    from tests.test_copilot_grammar import HOUR

    check(
        copilot,
        wh,
        "at what hour do enterprise users generate the most?",
        f"SELECT {HOUR} AS h, count(*) AS n FROM {GENS} JOIN dim_users USING (user_id) "
        "WHERE tier = 'enterprise' GROUP BY 1 ORDER BY n DESC, h LIMIT 1",
        ordered=True,
    )
    declined(copilot, "what do pro users generate")  # which kinds of images? not a count


def test_prompts_with_a_number_the_prompt_carries(copilot, wh):
    check(
        copilot,
        wh,
        "average number of steps for prompts with complexity above 7",
        f"SELECT avg(g.step) FROM {GENS} WHERE g.complexity_score > 7",
    )
    declined(copilot, "tiers with complexity above 7")  # a tier carries no complexity


# --- shares of a total ----------------------------------------------------------------------


def test_a_share_of_a_total_is_the_part_over_the_whole(copilot, wh):
    users = f"{GENS} JOIN dim_users USING (user_id)"
    check(
        copilot,
        wh,
        "what fraction of revenue comes from pro?",
        f"SELECT sum(CASE WHEN tier = 'pro' THEN g.revenue_usd ELSE 0 END) / sum(g.revenue_usd) FROM {users}",
    )
    check(
        copilot,
        wh,
        "what share of revenue does each tier bring in",
        f"SELECT tier, sum(g.revenue_usd) / (SELECT sum(revenue_usd) FROM fact_generations) "
        f"FROM {users} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "what fraction of generations use more than 50 steps",
        f"SELECT avg((g.step > 50)::INT) FROM {GENS}",
    )
    check(
        copilot,
        wh,
        "what share of users are pro",
        f"SELECT count(DISTINCT user_id) FILTER (tier = 'pro') / count(DISTINCT user_id) FROM {users}",
    )


@pytest.mark.parametrize(
    "question",
    [
        "what share of revenue",  # no part
        "what share of pro revenue comes from anime",  # which is the part, which the whole?
        "what share of active users does each sampler have",  # a user uses several samplers
        "what share of error rate comes from pro",
        "what share of margin comes from pro",  # a difference of totals
    ],
)
def test_a_share_not_said_fully_is_declined(copilot, question):
    declined(copilot, question)


# --- blind set 7's wrong answers --------------------------------------------------------------


def test_a_currency_symbol_is_read_as_money_never_dropped(copilot, wh):
    pro = f"FROM {GENS} JOIN dim_users USING (user_id) WHERE tier = 'pro'"
    check(copilot, wh, "$ made per generation from pro users", f"SELECT sum(g.revenue_usd) / count(*) {pro}")
    check(copilot, wh, "$ spent by pro users", f"SELECT sum(g.cost_usd) {pro}")
    check(
        copilot, wh, "users with revenue above $1",
        f"SELECT user_id, sum(revenue_usd) FROM {GENS} GROUP BY 1 HAVING sum(revenue_usd) > 1",
    )  # fmt: skip
    for question in ("$ per generation from pro users", "$ by tier", "generations per $"):
        declined(copilot, question)


def test_a_count_asked_after_its_subject(copilot, wh):
    sessions = "SELECT count(*) FROM (SELECT session_id FROM fact_generations GROUP BY 1 "
    sessions += "HAVING count(*) > 20)"
    check(copilot, wh, "sessions with more than 20 generations - how many are there?", sessions)
    check(
        copilot, wh, "errors last week, how many were there?",
        f"SELECT count(*) FROM {GENS} WHERE g.status = 'error' AND g.date_key > DATE '{last_day(wh)}' - 7",
    )  # fmt: skip


def test_which_value_gets_a_status_most_often_ranks_by_its_rate(copilot, wh):
    rate = "avg((g.status = 'nsfw_blocked')::INT)"
    answer = check(
        copilot, wh, "Can you tell me which style of image gets NSFW-blocked most often?",
        f"SELECT g.art_style, {rate} AS r FROM {GENS} WHERE g.art_style IS NOT NULL "
        "GROUP BY 1 ORDER BY r DESC, 1 LIMIT 1",
        ordered=True,
    )  # fmt: skip
    assert len(answer.columns) == 2, answer.sql  # "image" names the rows, not a second metric
    check(
        copilot, wh, "which sampler errors the least often",
        f"SELECT g.sampler, avg((g.status = 'error')::INT) AS r FROM {GENS} WHERE g.sampler IS NOT NULL "
        "GROUP BY 1 ORDER BY r, 1 LIMIT 1",
        ordered=True,
    )  # fmt: skip


def test_only_the_rows_of_a_period_keeps_the_metric(copilot, wh):
    first = copilot.ask("average friction by tier")
    check(
        copilot, wh, "only sessions last week",
        "SELECT u.tier, avg(s.friction_score) FROM dim_sessions s JOIN dim_users u USING (user_id) "
        f"WHERE CAST(timezone('UTC', s.started_at) AS DATE) > DATE '{last_day(wh)}' - 7 GROUP BY 1",
        context=first.context,
    )  # fmt: skip
    rate = copilot.ask("error rate by tier")
    answer = copilot.ask("only generations last week", rate.context)
    assert answer.columns == ["tier", "error_rate"], answer.sql
    # sessions are not the rows of a generation rate: a count of sessions, as before
    assert copilot.ask("only sessions last week", rate.context).columns == ["tier", "session_count"]


def test_decimal_percentages_fortnights_gen_counts_and_rankings_named_with_an_order(copilot, wh):
    rate = "avg((g.status = 'error')::INT)"
    check(copilot, wh, "which domains have an error rate above 3.5%?",
          f"SELECT g.domain, {rate} FROM {GENS} GROUP BY 1 HAVING {rate} > 0.035")  # fmt: skip
    check(copilot, wh, "daily active users over the past fortnight",
          f"SELECT g.date_key, count(DISTINCT g.user_id) FROM {GENS} "
          f"WHERE g.date_key > DATE '{last_day(wh)}' - 14 GROUP BY 1")  # fmt: skip
    check(copilot, wh, "gen count by status", f"SELECT g.status, count(*) FROM {GENS} GROUP BY 1")
    check(
        copilot, wh, "domains ranked by p95 latency, worst first",
        f"SELECT g.domain, quantile_cont(g.latency_ms, 0.95) AS p FROM {GENS} GROUP BY 1 ORDER BY p DESC, 1",
        ordered=True,
    )  # fmt: skip
    declined(copilot, "users ranked by revenue")  # ranked how, and users as rows or a count?


@pytest.mark.parametrize("question", ["users by revenue", "sessions by cost", "people by revenue"])
def test_units_by_a_metric_are_asked_about_never_answered_as_the_total(copilot, question):
    answer = copilot.ask(question)
    assert answer.kind == "clarify" and answer.sql is None, (question, answer.sql)
    assert any(c.startswith("top 10 ") for c in answer.clarify), answer.clarify
