"""Session 41: a status's rate split by status (1 or 0) is asked back, or loses the status grouping
when a follow-up asks it after a split by status; "top N <unit>" with no figure is asked back, and
"top N <noun> by users / sessions" counts those units. An answer's rows equal those of SQL written
here."""

from __future__ import annotations

import pytest

from tests.test_copilot_grammar import check, declined

GENS = "fact_generations g"
USERS = f"{GENS} JOIN dim_users u USING (user_id)"


@pytest.mark.parametrize("question", ["error rate by status", "the success rate for each outcome"])
def test_a_status_rate_split_by_status_is_asked_back(copilot, question):
    answer = declined(copilot, question)
    assert answer.clarify and "share of generations by status" in answer.clarify
    assert any(reading.endswith("rate") for reading in answer.clarify)


def test_a_status_rate_after_a_split_by_status_is_over_all_generations(copilot, wh):
    before = copilot.ask("generations by status and tier")
    gold = f"SELECT u.tier, avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END) FROM {USERS} GROUP BY 1"
    answer = check(copilot, wh, "and what share were errors?", gold, context=before.context)
    assert "by status" not in answer.reading
    only = copilot.ask("generations by status")
    gold = f"SELECT avg(CASE WHEN g.status <> 'success' THEN 1.0 ELSE 0.0 END) FROM {GENS}"
    check(copilot, wh, "and the failure rate?", gold, context=only.context)
    # a count of a status is no rate: it stays split by status
    gold = f"SELECT g.status, count(*) FROM {GENS} WHERE g.status <> 'success' GROUP BY 1"
    check(copilot, wh, "failed generations by status", gold)


@pytest.mark.parametrize(("question", "noun"), [("top 10 users", "users"), ("bottom 3 sessions", "sessions")])
def test_a_top_n_of_units_with_no_figure_is_asked_back(copilot, question, noun):
    answer = declined(copilot, question)
    assert answer.clarify and all(r.startswith(question) for r in answer.clarify)
    assert f"{noun} by {noun}" not in " ".join(answer.clarify)
    for reading in answer.clarify:  # each reading is answered as written
        assert not copilot.ask(reading).refused, reading


def test_units_after_by_are_the_figure_ranked(copilot, wh):
    gold = (
        "SELECT s.user_id, count(*) FROM dim_sessions s WHERE s.user_id IS NOT NULL "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"
    )
    for question in ("top 10 users by sessions", "top 10 users by number of sessions"):
        check(copilot, wh, question, gold, ordered=True)
    gold = f"SELECT g.art_style, count(DISTINCT g.user_id) FROM {GENS} GROUP BY 1 ORDER BY 2 DESC LIMIT 5"
    check(copilot, wh, "top 5 styles by users", gold, ordered=True)
