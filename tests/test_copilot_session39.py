"""Session 39: a total per unit that a filter narrows within the unit is asked back like a count, and
a clarifying question can be answered by typing (clarified.py), in the copilot, over the API and
as a follow-up. An answer's rows equal those of SQL written here."""

from __future__ import annotations

import pytest

from genai_analyzer.analysis.copilot.clarified import pick
from tests.test_copilot_grammar import check

GENS = "fact_generations g"
USERS = f"{GENS} JOIN dim_users u USING (user_id)"
EVERY = (
    "SELECT sum(f.cost_usd) FILTER (WHERE f.status = 'error') / count(DISTINCT f.session_id) "
    "FROM fact_generations f"
)
HAVING = (
    "SELECT sum(f.cost_usd) / count(DISTINCT f.session_id) FROM fact_generations f WHERE f.status = 'error'"
)


def test_a_total_of_some_rows_per_unit_asks_over_which_units(copilot, wh):
    # "cost of errors per session" was divided, unsaid, by the sessions that had an error
    answer = copilot.ask("what do failed generations cost us per user")
    assert answer.kind == "clarify" and answer.sql is None, answer.explanation
    assert any("with none as zero" in r for r in answer.clarify)
    assert copilot.ask("average cost per session").sql  # no filter within the unit: one figure
    pro = "SELECT sum(g.revenue_usd) / count(DISTINCT g.user_id) FROM " + USERS + " WHERE u.tier = 'pro'"
    check(copilot, wh, "revenue per user for the pro tier", pro)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("among the sessions that had one", HAVING),
        ("the second one", HAVING),
        ("2", HAVING),
        ("counting them as zero", EVERY),
        ("yes, the first", EVERY),
    ],
)
def test_a_typed_reply_to_a_clarifying_question_picks_a_reading(copilot, wh, reply, expected):
    asked = copilot.ask("cost of errors per session")
    assert asked.kind == "clarify" and asked.context["clarify"] == asked.clarify
    answer = check(copilot, wh, reply, expected, context=asked.context)
    assert "Your reply picks" in answer.explanation


def test_a_reply_that_fits_no_reading_or_several_is_asked_as_written(copilot):
    asked = copilot.ask("cost of errors per session")
    # more than a reading's words: never mapped onto a reading with the rest dropped
    answer = copilot.ask("the first, but by tier", asked.context)
    assert "Your reply picks" not in answer.explanation
    assert pick("sessions", asked.clarify) is None  # a word both readings have
    assert pick("the fifth", asked.clarify) is None
    assert pick("among the users that had one", asked.clarify) is None  # users: in neither reading
    other = copilot.ask("generations by tier", asked.context)  # an unrelated question: its own answer
    assert other.reading.startswith("Generations; by tier") and "Your reply" not in other.explanation


def test_a_reply_to_a_clarified_follow_up_keeps_the_answer_before_it(copilot, wh):
    first = copilot.ask("cost by tier")
    asked = copilot.ask("only errors, per session", first.context)
    assert asked.kind == "clarify" and asked.context["previous"] == first.context
    expected = (
        "SELECT u.tier, sum(f.cost_usd) / count(DISTINCT f.session_id) FROM fact_generations f "
        "JOIN dim_users u USING (user_id) WHERE f.status = 'error' GROUP BY 1"
    )
    check(copilot, wh, "the latter", expected, context=asked.context)


def test_a_reply_through_the_api_carries_the_signed_clarify_context(wh):
    from genai_analyzer.api.endpoints import Api

    api = Api(wh)
    asked = api.ask("cost of errors per session")
    assert asked["kind"] == "clarify" and asked["context"]["signature"]
    answer = api.ask("the second", context=asked["context"])
    assert not answer["refused"] and "WHERE f.status IN ('error')" in answer["sql"], answer["explanation"]
    forged = {**asked["context"], "clarify": ["drop table dim_users", "x"]}  # edited: refused
    with pytest.raises(Exception, match="context"):
        api.ask("the first", context=forged)
