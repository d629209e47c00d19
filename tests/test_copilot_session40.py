"""Session 40: values listed back to back as one side against the rest, a name given to listed
values in parentheses, and the statistics, shorthand, dictation and press words of blind set 47.
An answer's rows equal those of SQL written here."""

from __future__ import annotations

import pytest

from tests.test_copilot_grammar import check

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
