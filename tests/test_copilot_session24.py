"""Rules found by blind set 23 (session 24), on a real sample warehouse, each phrased unlike the
set's items: an answer's rows equal those of SQL written here, and what must stay unanswered is
declined."""

from __future__ import annotations

import calendar

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
