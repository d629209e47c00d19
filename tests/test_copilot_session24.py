"""Rules found by blind set 23 (session 24), on a real sample warehouse, each phrased unlike the
set's items: an answer's rows equal those of SQL written here, and what must stay unanswered is
declined."""

from __future__ import annotations

import calendar
from datetime import timedelta

import pytest

from genai_analyzer.analysis.copilot.numbers import digits_for_spelled_numbers
from tests.test_copilot_grammar import GENS, check, declined, last_day

TIERS = "fact_generations g JOIN dim_users u USING (user_id)"
SUCCESS = "avg(CASE WHEN g.status = 'success' THEN 1.0 ELSE 0.0 END)"
ERROR = "avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END)"
BY_TIER = f"SELECT u.tier, {SUCCESS} FROM {TIERS} GROUP BY 1"


# --- how a question is said: greetings, politeness, chat shorthand --------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "hello team: success rate by tier",
        "hmm tbh what is the success rate by tier",
        "I was hoping you could show me the success rate by tier",
        "would it be possible for you to pull the success rate by tier?",
        "would u be able to show me the success rate per tier pls",
        "success rate by tier, when you get a chance. thanks so much!",
        "kindly give me the success rate for each tier",
        "random q 🙂 success rate by tier, if you could",
    ],
)
def test_greetings_and_politeness_change_nothing(copilot, wh, question):
    check(copilot, wh, question, BY_TIER)


def test_a_chart_said_to_look_wrong_is_left_out_but_a_value_before_the_question_is_not(copilot, wh):
    check(copilot, wh, "the graph seems weird today - what's the success rate by tier?", BY_TIER)
    # "free" would narrow the question: it is never left out as context, nor answered for everyone
    answer = declined(copilot, "free seems weird - what's the success rate?")
    assert "weird" in answer.unread or "seems" in answer.unread
    declined(copilot, "the chart for free users looks off, what is the success rate?")


def test_a_chit_chat_greeting_after_an_answer_is_small_talk_not_a_refinement(copilot):
    first = copilot.ask("average queue time per day")
    for message in ("hi there, how is the week going?", "yo, what's up", "hello folks"):
        answer = copilot.ask(message, first.context)
        assert answer.kind == "smalltalk" and answer.sql is None, message


# --- numbers, days and clock times written out in words -----------------------------------------


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("under two dozen steps", "under 24 steps"),
        ("the half dozen busiest", "the 6 busiest"),
        ("at least three hundred and fifty", "at least 350"),
        ("more than a thousand images", "more than 1000 images"),
        ("one thousand two hundred", "1200"),
        ("on the twenty-second of sept", "on the 22nd of sept"),
        ("oct the third", "oct 3rd"),
        ("the first half of september", "the first half of september"),  # no day named
        ("in one session", "in one session"),
    ],
)
def test_number_words_become_digits(text, digits):
    assert digits_for_spelled_numbers(text) == digits


def test_counts_and_cut_offs_written_in_words(copilot, wh):
    check(
        copilot,
        wh,
        "how many generations ran with fewer than two dozen sampling steps",
        f"SELECT count(*) FROM {GENS} WHERE g.step < 24",
    )
    check(
        copilot,
        wh,
        "art styles with at least a hundred generations",
        f"SELECT g.art_style, count(*) FROM {GENS} GROUP BY 1 HAVING count(*) >= 100",
    )
    check(
        copilot,
        wh,
        "the half dozen samplers with the most generations",
        f"SELECT g.sampler, count(*) FROM {GENS} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 6",
        ordered=True,
    )


def test_a_day_of_a_month_written_as_an_ordinal(copilot, wh):
    day = last_day(wh).replace(day=3)
    month = calendar.month_name[day.month].lower()
    gold = f"SELECT {ERROR} FROM {GENS} WHERE g.date_key = DATE '{day}'"
    check(copilot, wh, f"error rate on the third of {month}", gold)
    check(copilot, wh, f"error rate on {month} third", gold)


def test_clock_times_in_words(copilot, wh):
    hour = "extract(hour FROM timezone('UTC', g.created_at))"
    check(
        copilot,
        wh,
        "error rate between noon and 6 in the evening",
        f"SELECT {ERROR} FROM {GENS} WHERE {hour} BETWEEN 12 AND 17",
    )


# --- exclusions and negations -------------------------------------------------------------------


def test_generations_that_did_not_fail_are_the_successful_ones(copilot, wh):
    check(
        copilot,
        wh,
        "number of renders that didn't fail per sampler",
        f"SELECT g.sampler, count(*) FROM {GENS} WHERE g.status = 'success' GROUP BY 1",
    )


def test_non_a_value_is_everyone_but_it(copilot, wh):
    check(
        copilot,
        wh,
        "revenue from non-pro users",
        f"SELECT sum(g.revenue_usd) FROM {TIERS} WHERE u.tier <> 'pro'",
    )


def test_what_people_create_is_a_count_and_a_request_to_create_is_still_refused(copilot, wh):
    check(
        copilot,
        wh,
        "how many images did free users create",
        f"SELECT count(*) FROM {TIERS} WHERE u.tier = 'free'",
    )
    answer = declined(copilot, "users: create a new table of them")
    assert "only read" in answer.explanation


def test_other_excluded_from_the_dimension_grouped_by(copilot, wh):
    # 'other' is a domain (and an art style); the sample also has a sampler named 'others': before,
    # "excluding other" removed that sampler, whatever the question grouped by
    answer = check(
        copilot,
        wh,
        "generations by domain, leaving out other",
        f"SELECT g.domain, count(*) FROM {GENS} WHERE g.domain <> 'other' GROUP BY 1",
    )
    assert "sampler" not in answer.sql
    check(
        copilot,
        wh,
        "error rate per sampler excluding others",
        f"SELECT g.sampler, {ERROR} FROM {GENS} WHERE g.sampler <> 'others' GROUP BY 1",
    )
    declined(copilot, "generations excluding other")  # which dimension's 'other' is not said


def test_a_count_beside_a_rate_is_two_figures(copilot, wh):
    timeout = "avg(CASE WHEN g.status = 'timeout' THEN 1.0 ELSE 0.0 END)"
    check(
        copilot,
        wh,
        "the count of generations and the timeout rate per tier",
        f"SELECT u.tier, count(*), {timeout} FROM {TIERS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "for each tier, both the average latency and the error rate",
        f"SELECT u.tier, avg(g.latency_ms), {ERROR} FROM {TIERS} GROUP BY 1",
    )


def test_money_said_with_dollar_signs_and_brought_in(copilot, wh):
    check(
        copilot,
        wh,
        "how much $$ did pro users bring in",
        f"SELECT sum(g.revenue_usd) FROM {TIERS} WHERE u.tier = 'pro'",
    )


# --- follow-ups ----------------------------------------------------------------------------------


def test_a_threshold_on_the_groups_of_the_answer_before(copilot, wh):
    first = copilot.ask("success rate by sampler")
    check(
        copilot,
        wh,
        "just the samplers under 90%",
        f"SELECT g.sampler, {SUCCESS} FROM {GENS} GROUP BY 1 HAVING {SUCCESS} < 0.9",
        context=first.context,
    )
    declined(copilot, "only the tiers under 90%", first.context)  # not the answer's grouping


def test_the_rest_of_the_users_combined(copilot, wh):
    first = copilot.ask("error rate for free users")
    check(
        copilot,
        wh,
        "and the rest of the users combined?",
        f"SELECT {ERROR} FROM {TIERS} WHERE u.tier <> 'free'",
        context=first.context,
    )


# --- blind set 24: SQL written as a question -----------------------------------------------------


def test_operators_become_words_before_the_punctuation_goes():
    from genai_analyzer.analysis.copilot.text import QuestionText

    text = QuestionText("cost where step >= 30 and tier != 'free'").text
    assert "at least 30" in text and " except free " in text
    assert "minus" in QuestionText("sum(cost_usd) - sum(revenue_usd)").text


def test_column_names_and_sql_keywords_read_as_the_layers_words(copilot, wh):
    check(
        copilot,
        wh,
        "count distinct user_id group by sampler",
        f"SELECT g.sampler, count(DISTINCT g.user_id) FROM {GENS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "avg(queue_ms) where sampler = 'k_lms'",
        f"SELECT avg(g.queue_ms) FROM {GENS} WHERE g.sampler = 'k_lms'",
    )
    check(
        copilot,
        wh,
        "sum(cost_usd) by domain order by cost desc limit 2",
        f"SELECT g.domain, sum(g.cost_usd) FROM {GENS} GROUP BY 1 ORDER BY 2 DESC LIMIT 2",
        ordered=True,
    )
    check(
        copilot,
        wh,
        "error rate by tier where tier <> 'enterprise'",
        f"SELECT u.tier, {ERROR} FROM {TIERS} WHERE u.tier <> 'enterprise' GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "count(*) where step < 30",
        f"SELECT count(*) FROM {GENS} WHERE g.step < 30",
    )
    day = last_day(wh) - timedelta(days=4)
    check(
        copilot,
        wh,
        f"count(*) group by status where date_key >= '{day}'",
        f"SELECT g.status, count(*) FROM {GENS} WHERE g.date_key >= DATE '{day}' GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "sum(cost_usd) / count(distinct user_id) by tier",
        f"SELECT u.tier, sum(g.cost_usd) / count(DISTINCT g.user_id) FROM {TIERS} GROUP BY 1",
    )


def test_a_value_named_after_its_column_is_a_filter_not_a_grouping(copilot, wh):
    # "for status error" grouped by status and added the error rate
    answer = check(
        copilot,
        wh,
        "p95 latency for status error",
        f"SELECT quantile_cont(g.latency_ms, 0.95) FROM {GENS} WHERE g.status = 'error'",
    )
    assert len(answer.columns) == 1


@pytest.mark.parametrize(
    "question",
    [
        # arithmetic on aggregates ("sum(revenue_usd) - sum(cost_usd)" is the layer's margin: read since
        # session 29, test_copilot_session29)
        "sum(cost_usd) - sum(revenue_usd) by tier",
        "revenue / cost by tier",  # a ratio of two figures
        # a having that compares two figures ("having count(*) > 50" keeps the groups with more than 50
        # generations since session 29)
        "tier having sum(cost_usd) > sum(revenue_usd)",
    ],
)
def test_sql_nothing_here_computes_is_declined_not_answered_in_part(copilot, question):
    declined(copilot, question)


def test_a_dash_in_a_sentence_is_no_minus(copilot, wh):
    check(
        copilot,
        wh,
        "pro users only - total revenue",
        f"SELECT sum(g.revenue_usd) FROM {TIERS} WHERE u.tier = 'pro'",
    )


# --- blind set 24: business shorthand and comparisons over time -----------------------------------


def test_the_product_is_the_generator_not_the_product_domain(copilot, wh):
    # it counted the users of 'product' images
    answer = check(
        copilot,
        wh,
        "how many people used our app yesterday",
        f"SELECT count(DISTINCT g.user_id) FROM {GENS} "
        f"WHERE g.date_key = DATE '{last_day(wh) - timedelta(days=1)}'",
    )
    assert "product" not in answer.sql


def test_each_figure_before_per_is_divided_but_the_units_own_count(copilot, wh):
    # "cost per image and revenue per image" divided only the revenue
    gold = f"SELECT u.tier, sum(g.cost_usd) / count(*), sum(g.revenue_usd) / count(*) FROM {TIERS} GROUP BY 1"
    check(copilot, wh, "cost per image and revenue per image by tier", gold)
    check(copilot, wh, "cost and revenue per image by tier", gold)
    check(
        copilot,
        wh,
        "active users and cost per user",
        f"SELECT count(DISTINCT g.user_id), sum(g.cost_usd) / count(DISTINCT g.user_id) FROM {GENS}",
    )


def test_arpu_and_money_making(copilot, wh):
    check(
        copilot,
        wh,
        "ARPU by tier",
        f"SELECT u.tier, sum(g.revenue_usd) / count(DISTINCT g.user_id) FROM {TIERS} GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "our top 2 money-making samplers",
        f"SELECT g.sampler, sum(g.revenue_usd) FROM {GENS} GROUP BY 1 ORDER BY 2 DESC LIMIT 2",
        ordered=True,
    )


def test_day_over_day_beside_two_named_days_is_those_two_days(copilot, wh):
    last = last_day(wh)
    answer = check(
        copilot,
        wh,
        "day over day: generations yesterday vs today",
        f"SELECT count(*) FILTER (WHERE g.date_key = DATE '{last - timedelta(days=1)}'), "
        f"count(*) FILTER (WHERE g.date_key = DATE '{last}') FROM {GENS}",
    )
    assert "day" not in answer.columns[0]  # no row per day


def test_a_trend_asked_with_a_direction_is_the_series(copilot, wh):
    check(
        copilot,
        wh,
        "is the timeout rate trending down week over week",
        "SELECT date_trunc('week', g.date_key), avg(CASE WHEN g.status = 'timeout' THEN 1.0 ELSE 0.0 END) "
        f"FROM {GENS} GROUP BY 1",
    )


def test_how_a_figure_changed_from_one_period_to_another_is_no_write(copilot):
    # "change ... to" was refused as a request to change the data
    asked = ("how did the error rate change from september to october", "revenue change from q3 to q4")
    for question in asked:
        answer = copilot.ask(question)
        assert "only read data" not in answer.explanation, question
    assert "only read data" in declined(copilot, "change their tier to pro").explanation


def test_groups_with_none_of_a_status(copilot, wh):
    gold = f"SELECT g.sampler FROM {GENS} GROUP BY 1 HAVING count(*) FILTER (WHERE g.status = 'error') = 0"
    check(copilot, wh, "which samplers never had an error", gold, nonempty=False)
    check(copilot, wh, "what samplers had zero errors", gold, nonempty=False)


def test_a_threshold_on_the_groups_said_with_the_layers_synonym(copilot, wh):
    first = copilot.ask("success rate by art style")
    check(
        copilot,
        wh,
        "only the styles above 95%",
        f"SELECT g.art_style, {SUCCESS} FROM {GENS} GROUP BY 1 HAVING {SUCCESS} > 0.95",
        context=first.context,
    )


# --- blind set 25: content questions, stacked constraints, typed on a phone ------------------------


def test_images_of_a_kind_made_by_each_groups_users_are_counted_as_images(copilot, wh):
    # it counted the users ("sci-fi images" took the noun, "users" was left)
    check(
        copilot,
        wh,
        "how many anime images did the users of each tier make",
        f"SELECT u.tier, count(*) FROM {TIERS} WHERE g.art_style = 'anime' GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "how many folks made pictures",  # the people who made something are still counted
        f"SELECT count(DISTINCT g.user_id) FROM {GENS}",
    )


def test_people_under_a_number_is_no_count_of_people(copilot):
    # "enterprise users under 30" read as groups with fewer than 30 users; it may be an age
    answer = declined(copilot, "pro customers over 40, average latency by sampler")
    assert "age" in answer.explanation


@pytest.mark.parametrize(
    ("question", "gold"),
    [
        ("wat is teh error rate by tier", f"SELECT u.tier, {ERROR} FROM {TIERS} GROUP BY 1"),
        ("q time by sampler", f"SELECT g.sampler, avg(g.queue_ms) FROM {GENS} GROUP BY 1"),
        ("wich sampler has the most generations", f"SELECT g.sampler, count(*) FROM {GENS} GROUP BY 1"),
    ],
)
def test_phone_spellings(copilot, wh, question, gold):
    if "most" in question:
        answer = copilot.ask(question)
        expected = wh.query(gold + " ORDER BY 2 DESC, 1 LIMIT 1").values.tolist()
        assert answer.rows[:1] == expected, (answer.sql, expected)
    else:
        check(copilot, wh, question, gold)


def test_an_order_said_with_first_sorts_and_worst_first_keeps_its_figures_sense(copilot, wh):
    answer = check(
        copilot,
        wh,
        "revenue by sampler, biggest earner first",
        f"SELECT g.sampler, sum(g.revenue_usd) FROM {GENS} GROUP BY 1 ORDER BY 2 DESC, 1",
        ordered=True,
    )
    assert "LIMIT" not in answer.sql
    check(
        copilot,
        wh,
        "p95 latency by sampler, worst first",  # worst latency is the highest
        f"SELECT g.sampler, quantile_cont(g.latency_ms, 0.95) FROM {GENS} GROUP BY 1 ORDER BY 2 DESC, 1",
        ordered=True,
    )


def test_what_they_create_is_no_write(copilot, wh):
    answer = copilot.ask("among pro users, which domain do they create the most")
    assert not answer.refused, answer.explanation
