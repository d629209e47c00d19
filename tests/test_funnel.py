"""The session funnel (analysis/funnel.py, /funnel) and its definition in the semantic layer: the
counts recomputed here from per-session flags written independently in SQL (other tables, other
formulations: no EXISTS, the session's length from dim_sessions) and chained in Python, on the
embedded sample and on the real DiffusionDB users; a bad funnel in the YAML is a clear error."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import yaml

from genai_analyzer.analysis import funnel, refinement, semantic
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.api.endpoints import ENDPOINTS, Api, InputError
from genai_analyzer.warehouse.reader import Warehouse

STEPS = ["started", "succeeded", "refined", "kept"]
REFINING_EDITS = ("modifiers_added", "modifiers_removed", "modifiers_changed", "settings_only")

# One row per session: its tier, start day, and whether it had a success, a refining edit and a kept
# image (an idea's last generation, succeeded: the session's last generation, or one followed by a
# new idea), counted with joins and aggregates rather than the layer's EXISTS.
FLAGS_SQL = f"""
WITH gens AS (
    SELECT f.generation_id, f.session_id, f.session_seq, f.status, next_edit.edit_type AS next_edit,
           s.n_generations
    FROM fact_generations f JOIN dim_sessions s ON s.session_id = f.session_id
    LEFT JOIN fct_prompt_edits next_edit
        ON next_edit.previous_generation_id = f.generation_id
)
SELECT s.session_id, u.tier, CAST(timezone('UTC', s.started_at) AS DATE) AS start_day,
       max(CASE WHEN g.status = 'success' THEN 1 ELSE 0 END) = 1 AS succeeded,
       coalesce(max(CASE WHEN e.edit_type IN {REFINING_EDITS} THEN 1 ELSE 0 END), 0) = 1 AS refined,
       max(CASE WHEN g.status = 'success'
                 AND (g.session_seq = g.n_generations OR g.next_edit = 'new_idea') THEN 1 ELSE 0 END) = 1
           AS kept
FROM dim_sessions s JOIN dim_users u ON u.user_id = s.user_id
JOIN gens g ON g.session_id = s.session_id
LEFT JOIN fct_prompt_edits e ON e.generation_id = g.generation_id
GROUP BY ALL
"""


def expected_funnel(flags: pd.DataFrame, by: str = "none") -> dict:
    """(group, step) -> sessions reaching it, the steps chained: a session counts at step k only
    when it reached 1..k."""
    flags = flags.assign(started=True, grp=flags["tier"] if by == "tier" else "all")
    out = {}
    for group, rows in flags.groupby("grp"):
        reached = pd.Series(True, index=rows.index)
        for step in STEPS:
            reached &= rows[step]
            out[(group, step)] = int(reached.sum())
    return out


def assert_matches(got: pd.DataFrame, flags: pd.DataFrame, by: str) -> None:
    expected = expected_funnel(flags, by)
    key = by if by != "none" else None
    got_counts = {(row[key] if key else "all", row["step"]): row["sessions"] for _, row in got.iterrows()}
    assert got_counts == expected
    for group, rows in got.groupby(key) if key else [("all", got)]:
        assert rows["step"].tolist() == STEPS and rows["step_number"].tolist() == [1, 2, 3, 4]
        counts = rows["sessions"].tolist()
        assert rows["share_of_first"].tolist() == pytest.approx([c / counts[0] for c in counts]), group
        assert rows["dropped"].tolist() == [0] + [a - b for a, b in zip(counts, counts[1:], strict=False)]
        assert rows["drop_off_rate"].iloc[1:].tolist() == pytest.approx(
            [(a - b) / a for a, b in zip(counts, counts[1:], strict=False)]
        )
        assert pd.isna(rows["drop_off_rate"].iloc[0])


@pytest.fixture(scope="module")
def sample_wh(sample_warehouse):
    with Warehouse(sample_warehouse, extensions=()) as wh:
        yield wh


@pytest.fixture(scope="module")
def real_wh(users_1k_warehouse):
    with Warehouse(users_1k_warehouse, extensions=()) as wh:
        yield wh


# --- the counts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["none", "tier"])
def test_the_funnel_counts_what_independent_sql_counts_on_the_sample(sample_wh, by):
    flags = sample_wh.query(FLAGS_SQL)
    assert_matches(funnel.funnel(sample_wh, by=by), flags, by)


def test_the_funnel_counts_what_independent_sql_counts_on_the_real_users(real_wh):
    flags = real_wh.query(FLAGS_SQL)
    assert_matches(funnel.funnel(real_wh, by="tier"), flags, "tier")
    got = funnel.funnel(real_wh).set_index("step")["sessions"]
    assert got["started"] == 216  # docs/sessions.md: 216 sessions in users_1k
    # the refined step is where most sessions stop: most edits there change the subject
    assert got["refined"] < 0.5 * got["succeeded"]


def test_the_kept_step_and_the_refinement_analytics_agree_on_kept_images(real_wh):
    """A kept image is defined once (fct_generation_ideas); the refinement figures and the funnel's
    kept step both read it, and both agree with the test's own count of kept generations."""
    kept_generations = real_wh.scalar(
        "SELECT count(*) FROM fact_generations f JOIN dim_sessions s ON s.session_id = f.session_id "
        "LEFT JOIN fct_prompt_edits n ON n.previous_generation_id = f.generation_id "
        "WHERE f.status = 'success' AND (f.session_seq = s.n_generations OR n.edit_type = 'new_idea')"
    )
    assert refinement.refinement_summary(real_wh).iloc[0]["kept_images"] == kept_generations
    spec = semantic.load().funnels["session"]
    kept_sql = next(step.sql for step in spec.steps if step.name == "kept")
    with_kept = real_wh.scalar(f"SELECT count(*) FROM dim_sessions s WHERE {kept_sql}")
    assert with_kept == real_wh.query(FLAGS_SQL)["kept"].sum()


def test_filters_choose_sessions_and_steps_read_the_whole_session(sample_wh):
    flags = sample_wh.query(FLAGS_SQL)
    # statuses: sessions with a generation of that status; the date range: the session's start day
    with_error = set(
        sample_wh.query("SELECT DISTINCT session_id FROM fact_generations WHERE status = 'error'")[
            "session_id"
        ]
    )
    chosen = flags[flags["session_id"].isin(with_error) & (flags["start_day"] >= pd.Timestamp("2025-09-05"))
                   & flags["tier"].isin(["free", "pro"])]  # fmt: skip
    filters = Filters(statuses=("error",), start=date(2025, 9, 5), tiers=("free", "pro"))
    got = funnel.funnel(sample_wh, filters, by="tier")
    assert_matches(got, chosen, "tier")
    assert got.loc[got["step"] == "succeeded", "sessions"].sum() > 0  # errors filter sessions, not steps


def test_periods_split_the_sessions_by_their_start(sample_wh):
    flags = sample_wh.query(FLAGS_SQL)
    weekly = funnel.funnel(sample_wh, period="week")
    started = weekly[weekly["step"] == "started"].set_index("period")["sessions"]
    mondays = flags["start_day"].map(lambda d: pd.Timestamp(d) - pd.Timedelta(days=pd.Timestamp(d).weekday()))
    assert started.to_dict() == flags.groupby(mondays).size().to_dict()
    # per day, then added up: each day's sessions are chained on their own, so the sums agree
    daily = funnel.funnel(sample_wh, Filters(tiers=("pro",)), period="day", by="tier")
    assert daily["period"].nunique() > 7
    totals = daily.groupby("step")["sessions"].sum()
    expected = expected_funnel(flags[flags["tier"] == "pro"])
    assert {s: totals[s] for s in STEPS} == {s: expected[("all", s)] for s in STEPS}


def test_a_range_without_sessions_gives_an_empty_funnel(sample_wh):
    assert funnel.funnel(sample_wh, Filters(start=date(2030, 1, 1))).empty


# --- the definition in the semantic layer --------------------------------------------------------------


def test_the_session_funnel_is_defined_once_in_the_semantic_layer():
    spec = semantic.load().funnels["session"]
    assert spec.grain == "sessions" and [s.name for s in spec.steps] == STEPS
    assert all(step.label and step.sql for step in spec.steps)


def layer_with(tmp_path, name: str, session_funnel) -> semantic.SemanticLayer:
    """The real semantic layer with its session funnel replaced by ``session_funnel``."""
    spec = yaml.safe_load(semantic.LAYER_FILE.read_text())
    spec["funnels"]["session"] = session_funnel
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec))
    return semantic.load(path)


def good_steps() -> list[dict]:
    return [{"name": "started", "label": "Started", "sql": "true"},
            {"name": "succeeded", "label": "Succeeded", "sql": "s.n_success > 0"}]  # fmt: skip


@pytest.mark.parametrize(
    "name, change, message",
    [
        ("grain", {"grain": "prompts"}, "funnel session: unknown grain 'prompts'"),
        ("one_step", {"steps": good_steps()[:1]}, "funnel session: steps must be a list of two or more"),
        ("no_sql", {"steps": [good_steps()[0], {"name": "won", "label": "Won"}]},
         r"funnel session, step 2 \(won\): needs sql"),
        ("same_name", {"steps": [good_steps()[0], good_steps()[0]]},
         r"funnel session, step 2 \(started\): another step has this name"),
        ("bad_name", {"steps": [good_steps()[0], {**good_steps()[1], "name": "Got It"}]},
         "funnel session, step 2: name must be lower-case"),
        ("two_statements", {"steps": [good_steps()[0], {**good_steps()[1], "sql": "true; DROP TABLE x"}]},
         "without ';'"),
        ("typo_key", {"steps": [good_steps()[0], {**good_steps()[1], "sqll": "true"}]},
         r"unknown keys \['sqll'\]"),
        ("no_label", {"label": ""}, "funnel session: needs a label"),
    ],
)  # fmt: skip
def test_a_bad_funnel_in_the_yaml_is_an_error_naming_the_funnel_and_step(tmp_path, name, change, message):
    with pytest.raises(semantic.SemanticLayerError, match=message):
        layer_with(
            tmp_path, name, {"label": "Session funnel", "grain": "sessions", "steps": good_steps()} | change
        )


def test_a_step_whose_sql_does_not_run_is_named(tmp_path, sample_wh):
    steps = [*good_steps(), {"name": "shared", "label": "Shared", "sql": "s.n_shares > 0"}]
    layer = layer_with(tmp_path, "bad_sql", {"label": "Session funnel", "grain": "sessions", "steps": steps})
    with pytest.raises(
        semantic.SemanticLayerError, match=r"funnel session, step shared: its sql does not run"
    ):
        funnel.funnel(sample_wh, layer=layer)
    good = layer_with(
        tmp_path, "good", {"label": "Session funnel", "grain": "sessions", "steps": good_steps()}
    )
    assert funnel.funnel(sample_wh, layer=good)["step"].tolist() == ["started", "succeeded"]


# --- the endpoint ---------------------------------------------------------------------------------------


def test_the_funnel_endpoint_is_public_and_refuses_bad_arguments_by_name(real_wh):
    assert "funnel" in ENDPOINTS
    api = Api(real_wh)
    for kwargs, field in (
        ({"by": "domain"}, "by"),
        ({"period": "hour"}, "period"),
        ({"period": 7}, "period"),
    ):
        with pytest.raises(InputError) as caught:
            api.funnel(**kwargs)
        assert caught.value.field == field and caught.value.valid
    records = api.funnel(by="tier", period="day", filters=api.filters(tiers=["pro"]))
    assert {r["tier"] for r in records} == {"pro"} and records[0]["step"] == "started"
    assert {r["period"][:10] for r in records} == {"2022-08-13", "2022-08-14"}
