"""Rules blind set 10 found missing, on a real sample warehouse: behaviour questions (prompt edits,
ideas, the funnel, the lifecycle) and follow-ups on them. Each answer's rows equal those of SQL
written here from docs/refinement.md and docs/cohorts.md (not the copilot's modules), phrased
unlike the set's items; what a rule does not read is declined, never answered differently."""

from __future__ import annotations

import pytest

from tests.test_copilot_grammar import check, declined

# A user's activity weeks (known users only, docs/cohorts.md), and the lifecycle's states.
ACTIVE = (
    "SELECT DISTINCT g.user_id, u.tier, date_trunc('week', g.date_key) AS week "
    "FROM fact_generations g JOIN dim_users u ON u.user_id = g.user_id WHERE u.is_known"
)


# --- generations per active user, week by week: every user, or known users only? -----------------
# Blind set 10's gold counted known users only (the Cohorts view, docs/cohorts.md), blind set 7's
# every user (the layer's generations per user): with "active user" alone the copilot asks.

KNOWN_WEEKLY = (
    "SELECT date_trunc('week', g.date_key), count(*) / count(DISTINCT g.user_id) "
    "FROM fact_generations g JOIN dim_users u USING (user_id) WHERE u.is_known GROUP BY 1"
)


@pytest.mark.parametrize(
    "question", ["weekly generations per active user", "images per active user each week"]
)
def test_generations_per_active_user_by_week_asks_which_users_and_each_reading_answers(copilot, wh, question):
    answer = copilot.ask(question)
    assert answer.kind == "clarify" and answer.sql is None, (question, answer.sql)
    every, known = answer.clarify
    check(
        copilot,
        wh,
        every,
        "SELECT date_trunc('week', date_key), count(*) / count(DISTINCT user_id) FROM fact_generations "
        "GROUP BY 1",
    )
    check(copilot, wh, known, KNOWN_WEEKLY)


def test_generations_per_known_active_user_by_week_is_the_cohorts_view_figure(copilot, wh):
    check(copilot, wh, "generations per known active user, week by week", KNOWN_WEEKLY)
    check(
        copilot,
        wh,
        "average generations per known user for every week by tier",
        "SELECT date_trunc('week', g.date_key), u.tier, count(*) / count(DISTINCT g.user_id) "
        "FROM fact_generations g JOIN dim_users u USING (user_id) WHERE u.is_known GROUP BY 1, 2",
    )
    # with no week named it stays the layer's ratio over everyone (the unknown user too)
    check(
        copilot,
        wh,
        "generations per active user",
        "SELECT count(*) / count(DISTINCT user_id) FROM fact_generations",
    )


# --- the lifecycle's states listed together --------------------------------------------------------


def test_several_lifecycle_states_listed_are_each_a_column(copilot, wh):
    answer = copilot.ask("returning and resurrected users per week for pro users")
    assert not answer.refused, answer.explanation
    expected = wh.query(
        f"""
        WITH a AS ({ACTIVE}), f AS (SELECT user_id, min(week) AS first FROM a GROUP BY 1)
        SELECT a.week,
               count(*) FILTER (WHERE a.week > f.first AND EXISTS (
                   SELECT 1 FROM a p WHERE p.user_id = a.user_id AND p.week = a.week - INTERVAL 7 DAY)),
               count(*) FILTER (WHERE a.week > f.first AND NOT EXISTS (
                   SELECT 1 FROM a p WHERE p.user_id = a.user_id AND p.week = a.week - INTERVAL 7 DAY))
        FROM a JOIN f USING (user_id) WHERE a.tier = 'pro' GROUP BY 1 ORDER BY 1
        """
    ).values.tolist()
    assert [row[1:] for row in answer.rows] == [row[1:] for row in expected]
    assert answer.columns[-2:] == ["returning_users", "resurrected_users"]


# --- what followed an edit, by edit type; ideas ---------------------------------------------------


def test_an_outcome_rate_by_edit_type(copilot, wh):
    check(
        copilot,
        wh,
        "per edit type, the success rate of the generations after each edit",
        "SELECT edit_type, avg((status = 'success')::INT) FROM fct_prompt_edits GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "kept rate by edit type for free users",
        "SELECT e.edit_type, avg(i.is_kept::INT) FROM fct_prompt_edits e "
        "JOIN fct_generation_ideas i USING (generation_id) JOIN dim_users u ON u.user_id = e.user_id "
        "WHERE u.tier = 'free' GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "which edit type has the lowest abandonment rate",
        "SELECT e.edit_type, avg((e.session_seq = s.n_generations AND e.status <> 'success')::INT) AS r "
        "FROM fct_prompt_edits e JOIN dim_sessions s USING (session_id) GROUP BY 1 ORDER BY r, 1 LIMIT 1",
        ordered=True,
    )
    declined(copilot, "which edit type has the abandonment rate")  # highest or lowest?


def test_the_share_of_ideas_that_end_kept(copilot, wh):
    check(
        copilot,
        wh,
        "fraction of ideas that ended with a keeper for enterprise users",
        "SELECT avg(i.is_kept::INT) FROM fct_generation_ideas i "
        "JOIN fact_generations g USING (generation_id) "
        "JOIN dim_users u ON u.user_id = g.user_id WHERE i.ends_idea AND u.tier = 'enterprise'",
    )


def test_edit_mix_and_type_shares_in_more_words(copilot, wh):
    check(
        copilot,
        wh,
        "for every edit type, how many prompt edits are there",
        "SELECT edit_type, count(*), count(*) / sum(count(*)) OVER () FROM fct_prompt_edits GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "new idea share of all edits",
        "SELECT avg((edit_type = 'new_idea')::INT) FROM fct_prompt_edits",
    )


# --- the funnel in more words -----------------------------------------------------------------------

KEPT_SESSION = "EXISTS (SELECT 1 FROM fct_generation_ideas i WHERE i.session_id = s.session_id AND i.is_kept)"
REFINED_SESSION = (
    "EXISTS (SELECT 1 FROM fct_prompt_edits e WHERE e.session_id = s.session_id AND "
    "e.edit_type IN ('settings_only', 'modifiers_added', 'modifiers_removed', 'modifiers_changed'))"
)


def test_the_funnel_by_the_month_sessions_began_and_all_the_way_to_a_step(copilot, wh):
    answer = check(
        copilot,
        wh,
        "how many sessions went all the way to the refined step",
        f"SELECT count(*) FROM dim_sessions s WHERE s.n_success > 0 AND {REFINED_SESSION}",
    )
    assert "refined" in answer.reading
    answer = copilot.ask("conversion funnel per month the session began")
    assert not answer.refused and answer.columns[0] == "month", answer.explanation
    declined(copilot, "where do users bail on their taxes")  # no funnel named: not read as one


# --- follow-ups on a behaviour answer ---------------------------------------------------------------


def test_a_follow_up_changes_the_tiers_or_splits_by_tier(copilot, wh):
    first = copilot.ask("share of ideas ending in a kept image")
    pro = check(
        copilot,
        wh,
        "how about pro users",
        "SELECT avg(i.is_kept::INT) FROM fct_generation_ideas i "
        "JOIN fact_generations g USING (generation_id) "
        "JOIN dim_users u ON u.user_id = g.user_id WHERE i.ends_idea AND u.tier = 'pro'",
        context=first.context,
    )
    check(  # the tiers of the follow-up before are kept, and split
        copilot,
        wh,
        "and by tier",
        "SELECT u.tier, avg(i.is_kept::INT) FROM fct_generation_ideas i JOIN fact_generations g "
        "USING (generation_id) JOIN dim_users u ON u.user_id = g.user_id "
        "WHERE i.ends_idea AND u.tier = 'pro' GROUP BY 1",
        context=pro.context,
    )
    # a follow-up with more than tiers in it is not read as one (periods are not read here)
    declined(copilot, "only pro users in october", first.context)
    # a new question after a behaviour answer is asked afresh
    fresh = copilot.ask("error rate for pro users", first.context)
    assert not fresh.refused and "edit" not in fresh.sql


FLAGS = (
    f"SELECT u.tier, s.n_success > 0 AS ok, {REFINED_SESSION} AS refined, {KEPT_SESSION} AS kept "
    "FROM dim_sessions s JOIN dim_users u ON u.user_id = s.user_id"
)


def test_one_steps_drop_off_and_the_conversion_between_two_steps(copilot, wh):
    check(
        copilot,
        wh,
        "by tier, the dropoff before the kept image step",
        "SELECT tier, 1 - count(*) FILTER (WHERE ok AND refined AND kept) "
        f"/ count(*) FILTER (WHERE ok AND refined) FROM ({FLAGS}) GROUP BY 1",
    )
    check(
        copilot,
        wh,
        "conversion rate from a success to a kept image for pro users",
        f"SELECT count(*) FILTER (WHERE ok AND refined AND kept) / count(*) FILTER (WHERE ok) "
        f"FROM ({FLAGS}) WHERE tier = 'pro'",
    )
    declined(copilot, "conversion from kept to started")  # backwards: not a conversion


def test_one_week_of_one_cohorts_retention(copilot, wh):
    first = wh.scalar("SELECT min(date_trunc('week', date_key)) FROM fact_generations")
    answer = copilot.ask(f"week 1 retention for the cohort first seen in the week of {first:%Y-%m-%d}")
    [expected] = wh.query(
        f"""WITH a AS ({ACTIVE}), f AS (SELECT user_id, min(week) AS first FROM a GROUP BY 1)
        SELECT count(DISTINCT a.user_id) FILTER (WHERE a.week = f.first + INTERVAL 7 DAY)
               / count(DISTINCT a.user_id)
        FROM a JOIN f USING (user_id) WHERE f.first = (SELECT min(week) FROM a)"""
    ).values.tolist()
    assert expected[0] > 0
    assert len(answer.rows) == 1 and "week 1" in answer.reading, answer.explanation
    assert answer.rows[0][answer.columns.index("retention")] == pytest.approx(expected[0])


def test_the_columns_follow_the_order_the_question_names_them(copilot, wh):
    week_first = copilot.ask("images per known active user each week by tier")
    tier_first = copilot.ask("by tier, images per known active user each week")
    assert week_first.columns[:2] == ["week", "tier"] and tier_first.columns[:2] == ["tier", "week"]


def test_the_step_losing_the_most_and_a_tiers_sessions_reaching_a_step(copilot, wh):
    flags = wh.query(f"SELECT * FROM ({FLAGS})")
    reached = [len(flags), flags["ok"].sum(), (flags["ok"] & flags["refined"]).sum()]
    reached.append((flags["ok"] & flags["refined"] & flags["kept"]).sum())
    drops = {name: reached[i] - reached[i + 1] for i, name in enumerate(["succeeded", "refined", "kept"])}
    answer = copilot.ask("at which step does the session funnel shed the most people")
    assert not answer.refused, answer.explanation
    [row] = answer.rows
    assert row[answer.columns.index("step")] == max(drops, key=drops.get)
    assert row[answer.columns.index("dropped")] == max(drops.values())
    pro = flags[flags["tier"] == "pro"]
    check(
        copilot,
        wh,
        "how many pro sessions went the whole way to a kept image",
        f"SELECT {int((pro['ok'] & pro['refined'] & pro['kept']).sum())}",
    )
    check(
        copilot,
        wh,
        "what edit type comes up most when users edit their prompts",
        "SELECT edit_type, count(*) AS n FROM fct_prompt_edits GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1",
    )


def test_a_behaviour_follow_up_through_the_api_carries_a_signed_context(wh):
    from genai_analyzer.api.endpoints import Api

    api = Api(wh)
    first = api.ask("session funnel")
    assert not first["refused"] and first["context"]["sql"] == first["sql"]
    pro = api.ask("now only enterprise users", context=first["context"])
    assert not pro["refused"] and "'enterprise'" in pro["sql"], pro["explanation"]
    forged = {**first["context"], "behaviour": "retention"}  # edited: refused, never re-read
    with pytest.raises(Exception, match="context"):
        api.ask("now only enterprise users", context=forged)
