"""The app's filter bar as the copilot's outer scope (docs/copilot.md, "Within the filter bar"): an
answer asked under filters equals SQL written here over the filtered rows, a question that
contradicts the scope gets the empty intersection and says so, SQL the semantic layer did not
write says the filter bar does not apply, and with no filters nothing changes."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from genai_analyzer.analysis.copilot.core import Copilot
from genai_analyzer.analysis.copilot.evaluate import same_result
from genai_analyzer.analysis.copilot.scope import scoped_sql
from genai_analyzer.analysis.filters import Filters, MapSelection
from genai_analyzer.analysis.funnel import funnel
from genai_analyzer.api.endpoints import Api
from genai_analyzer.core.errors import AnalyzerError
from genai_analyzer.models.llm.base import LLM
from tests.test_copilot_grammar import last_day

PRO = Filters(tiers=("pro",))


def test_a_scoped_answer_is_the_sql_written_here_over_the_filtered_rows(copilot, wh):
    answer = copilot.ask("error rate by domain", filters=PRO)
    assert not answer.refused, answer.explanation
    gold = wh.query(
        "SELECT f.domain, avg((f.status = 'error')::INT) FROM fact_generations f "
        "JOIN dim_users u USING (user_id) WHERE u.tier = 'pro' GROUP BY 1"
    ).values.tolist()
    assert same_result(answer.rows, gold, ordered=False), answer.sql
    everyone = copilot.ask("error rate by domain")
    assert not same_result(everyone.rows, gold, ordered=False)  # the scope changed the figures
    assert "within the filter bar: tier pro" in answer.reading
    assert answer.scope == "within the filter bar: tier pro"
    assert (
        "How I read this:" in answer.explanation and "within the filter bar: tier pro" in answer.explanation
    )
    assert not any(s.endswith(" users") for s in answer.suggestions)  # no "now only for ... users"


def test_the_question_s_own_period_and_tier_narrow_within_the_scope(copilot, wh):
    last = last_day(wh)
    scope = Filters(start=last - timedelta(days=9), end=last, tiers=("pro", "free"))
    answer = copilot.ask("how many generations did pro users make in the last 7 days", filters=scope)
    assert not answer.refused, answer.explanation
    gold = wh.scalar(
        "SELECT count(*) FROM fact_generations f JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'pro' AND f.date_key BETWEEN $a AND $b",
        {"a": last - timedelta(days=6), "b": last},
    )
    assert answer.rows == [[gold]] and gold > 0
    assert f"{scope.start} to {last}" in answer.reading and "tier pro, free" in answer.reading
    assert "left out" not in answer.reading and "cut" not in answer.reading  # both inside the scope


def test_a_period_cut_by_the_scope_s_dates_is_said_and_counted_over_the_overlap(copilot, wh):
    last = last_day(wh)
    scope = Filters(start=last - timedelta(days=20), end=last - timedelta(days=4))
    answer = copilot.ask("revenue in the last 7 days", filters=scope)
    gold = wh.scalar(
        "SELECT sum(revenue_usd) FROM fact_generations WHERE date_key BETWEEN $a AND $b",
        {"a": last - timedelta(days=6), "b": last - timedelta(days=4)},
    )
    assert answer.rows[0][0] == pytest.approx(gold)
    assert f"cut to {last - timedelta(days=6)} to {last - timedelta(days=4)}" in answer.reading


def test_a_question_that_contradicts_the_scope_gets_the_empty_intersection_and_says_so(copilot):
    answer = copilot.ask("how many generations did free users make", filters=PRO)
    assert not answer.refused
    assert answer.rows == [[0]]
    assert "asks for tier free but the filter bar keeps tier pro only" in answer.reading
    assert "empty" in answer.reading
    outside = Filters(start=date(2000, 1, 1), end=date(2000, 1, 31))
    dated = copilot.ask("error rate last week", filters=outside)
    assert dated.rows == [[None]]
    assert "outside the filter bar's dates" in dated.reading


def test_a_session_answer_keeps_sessions_in_scope(copilot, wh):
    style = wh.scalar("SELECT art_style FROM fact_generations GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    scope = Filters(tiers=("pro",), art_styles=(style,))
    answer = copilot.ask("average session length", filters=scope)
    gold = wh.scalar(
        "SELECT avg(s.duration_s) / 60 FROM dim_sessions s JOIN dim_users u USING (user_id) "
        "WHERE u.tier = 'pro' AND s.session_id IN "
        "(SELECT session_id FROM fact_generations WHERE art_style = $style)",
        {"style": style},
    )
    assert answer.rows[0][0] == pytest.approx(gold), answer.sql
    assert f"art style {style}" in answer.reading


def test_a_map_selection_scopes_the_answer_and_is_named_by_the_generations_it_holds(copilot, wh):
    x0, x1, y0, y1 = wh.rows(
        "SELECT quantile_cont(prompt_map_x, 0.2), quantile_cont(prompt_map_x, 0.7), "
        "quantile_cont(prompt_map_y, 0.1), quantile_cont(prompt_map_y, 0.9) FROM fact_generations"
    )[0]
    selection = MapSelection.parse(f"prompt:box:{x0},{x1},{y0},{y1}")
    inside = wh.query(
        "SELECT u.tier, count(*) FROM fact_generations f JOIN dim_users u USING (user_id) "
        "WHERE f.prompt_map_x BETWEEN $x0 AND $x1 AND f.prompt_map_y BETWEEN $y0 AND $y1 GROUP BY 1",
        {"x0": x0, "x1": x1, "y0": y0, "y1": y1},
    )
    answer = copilot.ask("generations by tier", filters=Filters(map_selection=selection))
    assert same_result(answer.rows, inside.values.tolist(), ordered=False), answer.sql
    total = int(inside.iloc[:, 1].sum())
    assert f"{total:,} generations selected on the prompt map (a box)" in answer.reading


def test_with_no_filters_nothing_changes(copilot):
    for question in ("error rate by tier", "which art styles got slower last week", "session funnel"):
        plain, empty = copilot.ask(question), copilot.ask(question, filters=Filters())
        assert (plain.sql, plain.rows, plain.reading, plain.scope) == (
            empty.sql,
            empty.rows,
            empty.reading,
            "",
        )
        assert "filter bar" not in plain.explanation


def test_the_funnel_within_the_filter_bar_is_the_funnel_view_under_the_same_filters(copilot, wh):
    style = wh.scalar("SELECT art_style FROM fact_generations GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    last = last_day(wh)
    scope = Filters(start=last - timedelta(days=9), end=last, tiers=("pro", "free"), art_styles=(style,))
    answer = copilot.ask("session funnel", filters=scope)
    view = funnel(wh, scope)
    got = [[r[answer.columns.index(c)] for c in ("step", "sessions")] for r in answer.rows]
    assert got == view[["step", "sessions"]].values.tolist(), answer.sql
    everyone = copilot.ask("session funnel")
    assert got != [[r[everyone.columns.index(c)] for c in ("step", "sessions")] for r in everyone.rows]
    assert "all dates the filter bar keeps; within the filter bar: tier pro, free" in answer.reading
    contradiction = copilot.ask("where do enterprise users drop off", filters=scope)
    assert all(r[contradiction.columns.index("sessions")] == 0 for r in contradiction.rows)
    assert "asks for tier enterprise but the filter bar keeps tier pro, free only" in contradiction.reading


def test_an_answer_over_marts_the_scope_cannot_narrow_says_the_filter_bar_does_not_apply(copilot):
    question = "most common edit type"
    scoped, plain = copilot.ask(question, filters=PRO), copilot.ask(question)
    assert not plain.refused, plain.explanation
    assert scoped.sql == plain.sql and scoped.rows == plain.rows  # not silently half-scoped
    assert "the filter bar (tier pro) does not apply to this answer" in scoped.reading
    assert scoped.scope.startswith("the filter bar (tier pro) does not apply")
    retention = copilot.ask("weekly retention", filters=PRO)
    assert retention.sql == copilot.ask("weekly retention").sql
    assert "does not apply to this answer: it is answered over all the data" in retention.reading


def test_scoping_keeps_the_query_s_own_ctes_and_refuses_recursive_ones():
    sql = "WITH t AS (SELECT user_id FROM fact_generations) SELECT count(*) FROM t"
    scoped = scoped_sql(sql, PRO)
    assert scoped.startswith("WITH fact_generations AS (") and ",\nt AS (SELECT" in scoped
    recursive = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r"
    assert scoped_sql(recursive, PRO) is None
    assert scoped_sql("SELECT count(*) FROM fct_prompt_edits", PRO) is None  # nothing it narrows


def test_hand_written_sql_runs_as_written(copilot):
    sql = "SELECT count(*) AS n FROM fact_generations"
    answer = copilot.run_sql(sql)
    assert answer.sql == sql and answer.scope == ""


def test_an_answer_within_the_filter_bar_cannot_be_saved_as_the_question_s_answer(copilot):
    with pytest.raises(AnalyzerError, match="within the filter bar"):
        copilot.approve(copilot.ask("error rate by tier", filters=PRO))


class _Writes(LLM):
    """A model that always writes the same SQL (a deterministic fake of the real interface)."""

    model = "fixed"

    def chat(self, messages, **kwargs) -> str:
        return "```sql\nSELECT count(*) AS n FROM fact_generations\n```"


def test_the_model_s_sql_goes_through_the_guard_and_says_the_filter_bar_does_not_apply(wh):
    llm_copilot = Copilot(wh, llm=_Writes(), embed=None)
    try:
        answer = llm_copilot.ask("how many generations", filters=PRO)
    finally:
        llm_copilot.close()
    assert answer.backend == "llm:fixed"
    assert answer.rows == [[wh.scalar("SELECT count(*) FROM fact_generations")]]
    assert "the filter bar (tier pro) does not apply" in answer.reading
    assert "filter bar (tier pro) does not apply" in answer.explanation


def test_the_api_takes_the_filter_bar_and_names_the_scope(wh, copilot):
    api = Api(wh, copilot)
    answer = api.ask("generations by tier", filters=api.filters(tiers=["pro"]))
    gold = wh.scalar(
        "SELECT count(*) FROM fact_generations f JOIN dim_users u USING (user_id) WHERE u.tier = 'pro'"
    )
    assert answer["rows"] == [["pro", gold]]
    assert answer["scope"] == "within the filter bar: tier pro"
    assert "within the filter bar: tier pro" in answer["reading"]
    follow = api.ask("now only for free users", context=answer["context"], filters=api.filters(tiers=["pro"]))
    assert follow["rows"] == [] and "no row is both" in follow["reading"]
    with pytest.raises(AnalyzerError, match="valid values"):
        api.filters(tiers=["platinum"])


def test_the_cli_ask_takes_the_filter_options(sample_warehouse, wh):
    from click.testing import CliRunner

    from genai_analyzer.cli import main

    db = ["--db", str(sample_warehouse)]
    result = CliRunner().invoke(main, ["ask", "how many generations", "--tier", "pro", "--json", *db])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    gold = wh.scalar(
        "SELECT count(*) FROM fact_generations f JOIN dim_users u USING (user_id) WHERE u.tier = 'pro'"
    )
    assert answer["rows"] == [[gold]] and answer["scope"] == "within the filter bar: tier pro"
    bad = CliRunner().invoke(main, ["ask", "how many generations", "--tier", "platinum", *db])
    assert bad.exit_code == 1 and "valid values: enterprise, free, pro" in bad.output
