"""Rules found by blind set 16 (session 20), on a real sample warehouse, each phrased unlike the
set's items: an answer's rows equal those of SQL written here."""

from __future__ import annotations

import pytest

from tests.test_copilot_grammar import GENS, check, declined


@pytest.mark.parametrize(
    ("question", "status", "where"),
    [
        ("errors: how many were there in september?", "error", "AND g.date_key < DATE '2025-10-01'"),
        ("nsfw blocks - how many did we have", "nsfw_blocked", ""),
        ("timeouts, how many of them", "timeout", ""),
    ],
)
def test_a_status_named_before_a_bare_how_many_is_counted(copilot, wh, question, status, where):
    # The status first, then "how many": its generations counted, not its rate.
    answer = check(copilot, wh, question, f"SELECT count(*) FROM {GENS} WHERE g.status = '{status}' {where}")
    assert "only status" in answer.reading


# --- a unit asked for a time: converted, or declined when it fits no figure ----------------------

TIERS = "fact_generations g JOIN dim_users u USING (user_id)"


def test_a_time_asked_in_seconds_is_converted(copilot, wh):
    answer = check(
        copilot,
        wh,
        "mean queue wait for pro users, in seconds",
        f"SELECT avg(g.queue_ms) / 1000.0 FROM {TIERS} WHERE u.tier = 'pro'",
    )
    assert "(in seconds)" in answer.reading
    assert "(seconds)" in answer.explanation


def test_a_time_by_group_asked_in_minutes_is_converted(copilot, wh):
    check(
        copilot,
        wh,
        "p95 latency per tier in minutes",
        f"SELECT u.tier, quantile_cont(g.latency_ms, 0.95) / 60000.0 FROM {TIERS} GROUP BY 1",
    )


def test_a_unit_the_figure_already_has_changes_nothing(copilot):
    plain = copilot.ask("average session length by tier")
    said = copilot.ask("average session length in minutes by tier")
    assert not said.refused and said.sql == plain.sql


@pytest.mark.parametrize("question", ["revenue by tier in seconds", "margin per tier in hours"])
def test_a_unit_that_fits_no_figure_is_declined_and_named(copilot, question):
    answer = declined(copilot, question)
    assert f"'in {question.split()[-1]}' fits a time" in answer.explanation, answer.explanation


# --- a narrowing follow-up keeps the figure before, or is declined -------------------------------


@pytest.mark.parametrize(
    ("first", "follow_up"),
    [
        # ("average friction by tier" then "only the sessions that had at least 3 generations" keeps the
        # friction of those sessions since session 38: test_copilot_session38)
        ("average friction by tier", "only the users who had at least 3 sessions"),
    ],
)
def test_a_narrowing_follow_up_that_would_change_the_figure_is_declined(copilot, first, follow_up):
    # ("revenue by art style" then "just the styles with over 200 generations" keeps the revenue of the
    # styles with more than 200 generations since session 29: test_copilot_session29)
    before = copilot.ask(first)
    assert not before.refused
    answer = declined(copilot, follow_up, before.context)
    assert "narrowing the answer before" in answer.explanation or "different grains" in answer.explanation


def test_a_narrowing_follow_up_that_keeps_the_figure_is_answered(copilot, wh):
    before = copilot.ask("error rate by tier")
    check(
        copilot,
        wh,
        "now only free users",
        f"SELECT avg((g.status = 'error')::INT) FROM {TIERS} WHERE u.tier = 'free'",
        context=before.context,
    )
