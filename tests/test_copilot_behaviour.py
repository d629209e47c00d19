"""Behaviour questions (copilot/behaviour.py) on the sample warehouse, built with the refinement
facts: the session funnel, weekly retention and prompt edits. Each answer is checked against SQL
written here independently (and the funnel and retention against analysis/funnel.py and
analysis/cohorts.py too); each half-understood variant is declined."""

from __future__ import annotations

import pytest

from genai_analyzer.analysis import cohorts
from genai_analyzer.analysis import funnel as funnels
from genai_analyzer.analysis.filters import Filters
from tests.test_copilot_grammar import check, declined

# The session funnel, written here from docs/cohorts.md's definitions, one flag per step.
STEPS = """
    SELECT s.session_id, u.tier, date_trunc('week', timezone('UTC', s.started_at))::DATE AS week,
           s.n_generations >= 1 AS started,
           s.n_generations >= 1 AND s.n_success >= 1 AS succeeded,
           s.n_generations >= 1 AND s.n_success >= 1 AND s.session_id IN (
               SELECT session_id FROM fct_prompt_edits
               WHERE edit_type IN ('modifiers_added', 'modifiers_removed', 'modifiers_changed',
                                   'settings_only')) AS refined,
           s.n_generations >= 1 AND s.n_success >= 1 AND s.session_id IN (
               SELECT session_id FROM fct_prompt_edits
               WHERE edit_type IN ('modifiers_added', 'modifiers_removed', 'modifiers_changed',
                                   'settings_only'))
           AND s.session_id IN (
               SELECT g.session_id FROM fact_generations g
               WHERE g.status = 'success' AND NOT EXISTS (
                   SELECT 1 FROM fct_prompt_edits x WHERE x.previous_generation_id = g.generation_id
                   AND x.edit_type <> 'new_idea')) AS kept
    FROM dim_sessions s JOIN dim_users u USING (user_id)
"""


def _funnel_gold(where: str = "true", keys: str = "") -> str:
    counts = """count(*) FILTER (WHERE started) AS a, count(*) FILTER (WHERE succeeded) AS b,
                count(*) FILTER (WHERE refined) AS c, count(*) FILTER (WHERE kept) AS d"""
    select = f"{keys}, " if keys else ""
    group = "GROUP BY ALL" if keys else ""
    wide = f"SELECT {select}{counts} FROM ({STEPS}) x WHERE {where} {group}"
    return f"""WITH w AS ({wide})
        SELECT {select}1, 'started', a, 0 FROM w UNION ALL SELECT {select}2, 'succeeded', b, a - b FROM w
        UNION ALL SELECT {select}3, 'refined', c, b - c FROM w
        UNION ALL SELECT {select}4, 'kept', d, c - d FROM w"""


def _columns(answer, *names):
    index = [answer.columns.index(n) for n in names]
    return [[row[i] for i in index] for row in answer.rows]


# --- the funnel ---------------------------------------------------------------------------------


def test_where_free_users_drop_off_is_the_funnel_of_their_sessions(copilot, wh):
    answer = copilot.ask("where do free users drop off?")
    assert not answer.refused, answer.explanation
    gold = wh.query(_funnel_gold("tier = 'free'")).values.tolist()
    assert _columns(answer, "step_number", "step", "sessions", "dropped") == gold
    # and the same figures as the Analytics view's funnel (analysis/funnel.py)
    frame = funnels.funnel(wh, Filters(tiers=["free"]))
    assert (
        _columns(answer, "sessions", "share_of_first")
        == frame[["sessions", "share_of_first"]].values.tolist()
    )
    rates = [r for r in frame["drop_off_rate"].tolist()]
    assert _columns(answer, "drop_off_rate")[1:] == [[r] for r in rates[1:]]


@pytest.mark.parametrize(
    "question, where, keys",
    [
        ("funnel by tier", "true", "tier"),
        ("session funnel", "true", ""),
        ("where do paying users drop off", "tier IN ('pro', 'enterprise')", ""),
        ("conversion funnel for pro users by week", "tier = 'pro'", "week"),
    ],
)
def test_funnel_questions_count_what_independent_sql_counts(copilot, wh, question, where, keys):
    answer = copilot.ask(question)
    assert not answer.refused, (question, answer.explanation)
    names = [*([keys] if keys else []), "step_number", "step", "sessions", "dropped"]
    got = sorted(map(tuple, _columns(answer, *names)), key=str)
    gold = wh.query(_funnel_gold(where, keys)).values.tolist()
    gold = [(str(r[0])[:10], *r[1:]) if keys == "week" else tuple(r) for r in gold]
    assert got == sorted(gold, key=str), question


def test_how_many_sessions_reach_a_step(copilot, wh):
    check(copilot, wh, "how many sessions reach a kept image", f"SELECT count(*) FROM ({STEPS}) x WHERE kept")
    check(
        copilot, wh, "how many sessions get to a successful generation by tier",
        f"SELECT tier, count(*) FROM ({STEPS}) x WHERE succeeded GROUP BY 1",
    )  # fmt: skip


@pytest.mark.parametrize(
    "question",
    [
        "funnel by sampler",  # the funnel splits by tier only
        "where do free users drop off last week",  # a period is not read here yet
        "how many users reach a kept image",  # users, not sessions
        "funnel of images",
    ],
)
def test_half_understood_funnel_questions_are_declined(copilot, question):
    declined(copilot, question)


# --- retention ----------------------------------------------------------------------------------

RETAINED = """
    WITH active AS (
        SELECT DISTINCT g.user_id, u.tier, date_trunc('week', g.date_key)::DATE AS week
        FROM fact_generations g JOIN dim_users u USING (user_id) WHERE u.is_known AND {where}
    ), firsts AS (SELECT user_id, tier, min(week) AS cohort FROM active GROUP BY ALL)
    SELECT {keys} f.cohort, (a.week - f.cohort) // 7 AS weeks_since, count(*) AS active_users,
           count(*) / any_value(n.size) AS retention
    FROM firsts f JOIN active a USING (user_id)
    JOIN (SELECT {inner} cohort, count(*) AS size FROM firsts GROUP BY ALL) n ON n.cohort = f.cohort {same}
    GROUP BY ALL
"""


@pytest.mark.parametrize(
    "question, where, by",
    [
        ("retention of pro users by week", "u.tier = 'pro'", False),
        ("weekly retention", "true", False),
        ("retention by tier", "true", True),
        ("cohort retention for free users", "u.tier = 'free'", False),
        ("weekly retention of paying users by cohort", "u.tier IN ('pro', 'enterprise')", False),
    ],
)
def test_retention_questions_count_what_independent_sql_counts(copilot, wh, question, where, by):
    answer = copilot.ask(question)
    assert not answer.refused, (question, answer.explanation)
    keys, inner = ("f.tier, ", "tier, ") if by else ("", "")
    gold = wh.query(
        RETAINED.format(where=where, keys=keys, inner=inner, same="AND n.tier = f.tier" if by else "")
    )
    names = [*(["tier"] if by else []), "cohort", "weeks_since", "active_users", "retention"]
    got = {
        tuple(str(v)[:10] if i == int(by) else v for i, v in enumerate(row))
        for row in _columns(answer, *names)
    }
    got = {r for r in got if r[-2] > 0}  # the gold has no rows for weeks nobody came back
    expected = {
        tuple(str(v)[:10] if i == int(by) else v for i, v in enumerate(row)) for row in gold.values.tolist()
    }
    assert got == expected, question
    tiers = {"pro": ["pro"], "free": ["free"], "paying": ["pro", "enterprise"]}
    tier = next((v for k, v in tiers.items() if k in question), None)
    frame = cohorts.retention(wh, Filters(tiers=tier), by="tier" if by else "none")
    assert _columns(answer, "retention") == [[r] for r in frame["retention"].tolist()]


@pytest.mark.parametrize("question", ["retention by month", "retention by signup week", "daily retention",
                                      "retention of anime users"])  # fmt: skip
def test_half_understood_retention_questions_are_declined(copilot, question):
    declined(copilot, question)


# --- prompt edits -------------------------------------------------------------------------------


def test_which_modifiers_are_added_most_before_a_success(copilot, wh):
    terms = """SELECT t, count(*) AS n FROM (SELECT unnest(terms_added) AS t FROM fct_prompt_edits
               WHERE edit_type IN ('modifiers_added', 'modifiers_changed') {more}) x
               GROUP BY t ORDER BY n DESC, t LIMIT {top}"""
    check(copilot, wh, "which modifiers are added most before a success",
          terms.format(more="AND status = 'success'", top=10), ordered=True)  # fmt: skip
    check(copilot, wh, "which modifier is added most", terms.format(more="", top=1), ordered=True)
    check(copilot, wh, "top 5 terms removed",
          terms.replace("terms_added", "terms_removed").replace("'modifiers_added'", "'modifiers_removed'")
          .format(more="", top=5), ordered=True)  # fmt: skip


def test_edit_types_and_their_shares(copilot, wh):
    check(
        copilot, wh, "most common edit type",
        "SELECT edit_type, count(*) AS n, count(*) / (SELECT count(*) FROM fct_prompt_edits) "
        "FROM fct_prompt_edits GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1",
        ordered=True,
    )  # fmt: skip
    pro = "FROM fct_prompt_edits JOIN dim_users USING (user_id) WHERE tier = 'pro'"
    check(copilot, wh, "edit types for pro users",
          f"SELECT edit_type, count(*), count(*) / (SELECT count(*) {pro}) {pro} GROUP BY 1")  # fmt: skip
    check(
        copilot, wh, "re-roll share by tier",
        "SELECT tier, avg((edit_type = 're_roll')::INT) FROM fct_prompt_edits JOIN dim_users USING (user_id) "
        "GROUP BY 1",
    )  # fmt: skip
    check(
        copilot, wh, "share of new ideas", "SELECT avg((edit_type = 'new_idea')::INT) FROM fct_prompt_edits"
    )


@pytest.mark.parametrize(
    "question",
    [
        "which modifiers do people add most before a failure",  # only a success is read
        "most common edit type by sampler",
        "which modifiers are added",  # added most? added at all? not said
        # "edits per day" and "most common edit type last week" are read over the layer's edit
        # figures now (test_copilot_session38.py)
    ],
)
def test_half_understood_edit_questions_are_declined(copilot, question):
    declined(copilot, question)
