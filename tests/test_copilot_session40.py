"""Session 40: values listed back to back as one side against the rest, a name given to listed
values in parentheses, and the statistics, shorthand, dictation and press words of blind set 47.
An answer's rows equal those of SQL written here."""

from __future__ import annotations

import calendar

import pytest

from tests.test_copilot_grammar import check, last_day

GENS = "fact_generations g"
USERS = f"{GENS} JOIN dim_users u USING (user_id)"
K_PAIR, OTHERS = "k_heun and k_dpm_2", "other samplers"


@pytest.mark.parametrize(
    ("question", "side", "named", "rest"),
    [
        ("median latency for k_heun and k_dpm_2 vs the rest", "'k_heun', 'k_dpm_2'", K_PAIR, "the rest"),
        ("median latency: k_lms or ddim vs all other samplers", "'k_lms', 'ddim'", "k_lms and ddim", OTHERS),
        (
            "Ancestral samplers (k_euler_ancestral, k_dpm_2_ancestral) versus every other sampler: "
            "median latency",
            "'k_euler_ancestral', 'k_dpm_2_ancestral'",
            "k_euler_ancestral and k_dpm_2_ancestral",
            "other sampler",
        ),
        # the name is the user's own, never read as a figure ("slow" is no latency asked for)
        (
            "slow samplers (k_heun, k_dpm_2) vs the rest: median latency",
            "'k_heun', 'k_dpm_2'",
            "k_heun and k_dpm_2",
            "the rest",
        ),
    ],
)
def test_values_listed_before_the_rest_are_one_side(copilot, wh, question, side, named, rest):
    gold = (
        f"SELECT CASE WHEN g.sampler IN ({side}) THEN '{named}' ELSE '{rest}' END, "
        f"quantile_cont(g.latency_ms, 0.5) FROM {GENS} GROUP BY 1"
    )
    answer = check(copilot, wh, question, gold)
    assert named in answer.reading and len(answer.rows[0]) == 2


def test_a_tier_list_against_the_rest_and_lists_that_stay_values(copilot, wh):
    gold = (
        "SELECT CASE WHEN u.tier IN ('pro', 'enterprise') THEN 'pro and enterprise' ELSE 'the rest' END, "
        f"avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END) FROM {USERS} GROUP BY 1"
    )
    check(copilot, wh, "error rate for pro and enterprise vs the rest", gold)
    # a grouping's parentheses and two values side by side are still one row per value
    per_value = (
        "SELECT g.sampler, quantile_cont(g.latency_ms, 0.95) FROM fact_generations g "
        "WHERE g.sampler IN ('k_heun', 'k_lms') GROUP BY 1"
    )
    check(copilot, wh, "p95 latency by sampler (k_heun, k_lms)", per_value)
    check(copilot, wh, "p95 latency for k_heun vs k_lms", per_value)
    # a word that asks something before the parentheses is no name given to the values
    check(copilot, wh, "compare samplers (k_heun, k_lms) by p95 latency", per_value)


def test_new_users_in_a_named_month_count_first_days_over_whole_histories(copilot, wh):
    last = last_day(wh)
    month, name = last.month, calendar.month_name[last.month]
    first = (
        "SELECT {keys}count(*) FILTER (WHERE month(d) = {m} AND year(d) = {y}) FROM (SELECT g.user_id, "
        "u.tier, min(g.date_key) AS d FROM fact_generations g JOIN dim_users u USING (user_id) "
        "WHERE u.is_known GROUP BY 1, 2){group}"
    )
    answer = check(copilot, wh, f"how many brand new users did we pick up in {name}?",
                   first.format(keys="", m=month, y=last.year, group=""))  # fmt: skip
    assert f"New users in {name}" in answer.reading
    by_tier = first.format(keys="tier, ", m=month, y=last.year, group=" GROUP BY 1")
    check(copilot, wh, f"new known users during {name} by tier, counting people whose first generation "
          f"was in {name}", by_tier)  # fmt: skip
    assert "whole history" in answer.reading  # a user's first day is over all dates, not the month's rows
    other = 1 if month != 1 else 2  # a month with no data in the data's last year: none, not declined
    assert copilot.ask(f"new users in {calendar.month_name[other]}").rows == [[0]]


def test_a_statistic_of_the_grouped_column_beside_another_figure_restates_the_grouping(copilot, wh):
    # "does more steps mean more latency? median latency per step count" answered the average steps too
    gold = (
        "SELECT g.step, quantile_cont(g.latency_ms, 0.5) FROM fact_generations g WHERE g.step IS NOT NULL "
        "GROUP BY 1 HAVING count(*) >= 100"
    )
    for question in (
        "does more steps mean more latency? median latency per step count, only for step values with 100+ "
        "generations",
        "do bigger step counts cost more latency? median latency by steps, only steps with at least 100 "
        "generations",
    ):
        answer = check(copilot, wh, question, gold)
        assert len(answer.rows[0]) == 2
    assert len(copilot.ask("average steps by sampler").rows[0]) == 2  # another grouping: a figure


def test_a_country_said_by_its_initials_is_declined_not_dropped(copilot, wh):
    # "error rate in the US" answered the error rate of every generation ("us" read as a pronoun)
    for question in ("error rate in the US", "top 3 styles in the USA", "how many users from the UK"):
        answer = copilot.ask(question)
        assert answer.refused and answer.sql is None and "location" in answer.explanation, question
    check(copilot, wh, "show us the error rate by tier",
          "SELECT u.tier, avg(CASE WHEN g.status = 'error' THEN 1.0 ELSE 0.0 END) FROM fact_generations g "
          "JOIN dim_users u USING (user_id) GROUP BY 1")  # fmt: skip
