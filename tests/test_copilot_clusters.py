"""Questions by prompt cluster and visual cluster (docs/clusters.md) on the sample warehouse: each
answer checked against SQL written here, and the bare word "cluster" (which could mean the
leaderboards' same-text groups too) declined with the two kinds named."""

from __future__ import annotations

import pytest

from genai_analyzer.analysis.copilot.evaluate import same_result


@pytest.mark.parametrize(
    "question, column, value_sql",
    [
        ("success rate by prompt cluster", "prompt_cluster", "avg((f.status = 'success')::INT)"),
        ("cost by visual cluster", "visual_cluster", "sum(f.cost_usd)"),
        ("p95 latency by image cluster", "visual_cluster", "quantile_cont(f.latency_ms, 0.95)"),
        ("error rate by semantic cluster", "prompt_cluster", "avg((f.status = 'error')::INT)"),
    ],
)
def test_a_metric_by_cluster_is_the_sql_written_here(copilot, wh, question, column, value_sql):
    answer = copilot.ask(question)
    assert not answer.refused, answer.explanation
    gold = wh.query(f"SELECT f.{column}, {value_sql} FROM fact_generations f GROUP BY 1").values.tolist()
    assert same_result(answer.rows, gold, ordered=False), answer.sql
    assert len(gold) > 10


def test_which_visual_clusters_fail_most_for_pro_users(copilot, wh):
    answer = copilot.ask("top 3 visual clusters by failure rate for pro users")
    assert not answer.refused, answer.explanation
    gold = wh.query(
        "SELECT f.visual_cluster, avg((f.status <> 'success')::INT) AS r FROM fact_generations f "
        "JOIN dim_users u USING (user_id) WHERE u.tier = 'pro' AND f.visual_cluster IS NOT NULL "
        "GROUP BY 1 ORDER BY r DESC, 1 LIMIT 3"
    ).values.tolist()
    assert same_result(answer.rows, gold, ordered=True), answer.sql


def test_a_cluster_named_in_the_question_is_declined_not_answered_as_another_question(copilot, wh):
    # A cluster's name ('#2 woman, portrait, freckles') is not matched in free text: the copilot
    # names the words it could not read instead of answering without them (docs/clusters.md, Limits).
    name = wh.scalar("SELECT cluster_name FROM dim_clusters WHERE cluster_kind = 'prompt' AND cluster_id = 2")
    answer = copilot.ask(f"how many generations in prompt cluster {name}")
    assert answer.refused and answer.unread, answer.sql


def test_the_bare_word_cluster_is_declined_naming_both_kinds(copilot):
    answer = copilot.ask("generations by cluster")
    assert answer.refused
    assert "prompt cluster" in answer.explanation and "visual cluster" in answer.explanation
