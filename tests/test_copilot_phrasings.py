"""Phrasings blind set 6 found misread or missing, on a real sample warehouse: each answer's rows
equal those of SQL written here independently of the semantic layer, and each half-understood
variant is declined or asked about, never answered."""

from __future__ import annotations

import pytest

from genai_analyzer.analysis.copilot.core import Copilot
from genai_analyzer.warehouse.reader import Warehouse
from tests.test_copilot_grammar import GENS, check, declined


@pytest.fixture(scope="module")
def wh(sample_warehouse):
    with Warehouse(sample_warehouse) as warehouse:
        yield warehouse


@pytest.fixture(scope="module")
def copilot(wh):
    c = Copilot(wh)
    yield c
    c.close()


def _last_day(wh):
    return wh.scalar("SELECT max(date_key) FROM fact_generations")


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
    last = _last_day(wh)
    gold = (
        "SELECT date_trunc('week', g.date_key)::DATE, avg((g.status = 'error')::INT) "
        f"FROM {GENS} WHERE g.date_key > DATE '{last}' - INTERVAL 28 DAY GROUP BY 1"
    )
    check(copilot, wh, "error rate week over week for the last 4 weeks", gold)
    check(copilot, wh, "error rate over the last 4 weeks, week over week", gold)


def test_week_over_week_alone_compares_last_week_with_the_week_before(copilot, wh):
    last = _last_day(wh)

    def rate(first: int, final: int) -> str:
        return (
            f"(SELECT avg((g.status = 'error')::INT) FROM {GENS} WHERE g.date_key BETWEEN "
            f"DATE '{last}' - INTERVAL {first} DAY AND DATE '{last}' - INTERVAL {final} DAY)"
        )

    gold = f"SELECT {rate(13, 7)}, {rate(6, 0)}, {rate(6, 0)} - {rate(13, 7)}"
    for question in ("error rate week over week", "error rate compared with the week before"):
        check(copilot, wh, question, gold)


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
