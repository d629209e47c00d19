"""Refinement analytics and their endpoints (/edits, /edit_terms): figures worked out by hand on
the hand-made sessions of test_prompt_edits, and on the real DiffusionDB users against SQL written
here independently (self-joins and correlated counts, where the query layer uses windows)."""

from __future__ import annotations

import pandas as pd
import pytest

from genai_analyzer.analysis import refinement
from genai_analyzer.analysis.filters import FilterError, Filters
from genai_analyzer.api.endpoints import ENDPOINTS, Api, InputError
from genai_analyzer.warehouse.reader import Warehouse
from tests.test_prompt_edits import build_hand_made


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory):
    with Warehouse(build_hand_made(tmp_path_factory.mktemp("refine")), extensions=()) as wh:
        yield wh


@pytest.fixture(scope="module")
def real_wh(users_1k_warehouse):
    with Warehouse(users_1k_warehouse, extensions=()) as wh:
        yield wh


# --- by hand ---------------------------------------------------------------------------------------
# u1's session: generations 1-8 are one idea (kept: the 8th succeeded), 9-12 another (a new idea at
# 9; the 12th failed and ended the session: given up, abandoned). u2: two one-generation sessions,
# both kept. 11 edits in 3 sessions, 4 ideas, 3 kept images.


def test_the_summary_of_the_hand_made_sessions_is_the_one_worked_out_by_hand(hand_made):
    row = refinement.refinement_summary(hand_made).iloc[0]
    assert (row.generations, row.sessions, row.edits, row.rerolls) == (14, 3, 11, 2)
    assert (row.ideas, row.kept_images) == (4, 3)
    assert row.edits_per_session == pytest.approx(11 / 3)
    assert row.kept_share == pytest.approx(3 / 4)
    assert row.edits_per_kept_image == pytest.approx(11 / 3)
    # the first idea's keeper took 7 edits (one a re-roll) and 7 minutes; u2's took none
    assert row.edits_to_kept == pytest.approx(7 / 3)
    assert row.rerolls_to_kept == pytest.approx(1 / 3)
    assert (row.median_seconds_to_kept, row.mean_seconds_to_kept) == (0, pytest.approx(140))
    assert (row.refined_kept_images, row.median_seconds_to_refined_kept) == (1, 420)
    assert (row.sessions_with_success, row.rerolls_before_first_success) == (3, 0)


def test_the_edit_mix_of_the_hand_made_sessions_is_the_one_worked_out_by_hand(hand_made):
    mix = refinement.edit_type_mix(hand_made).set_index("edit_type")
    assert mix.index.tolist() == list(refinement.EDIT_TYPES)  # the documented order
    assert mix["edits"].to_dict() == {
        "re_roll": 2, "settings_only": 1, "modifiers_added": 3, "modifiers_removed": 2,
        "modifiers_changed": 1, "subject_changed": 1, "new_idea": 1,
    }  # fmt: skip
    # the second re-roll was blocked; both removals failed, the last one ended the session
    assert mix.loc["re_roll", "success_rate"] == 0.5
    assert mix.loc["modifiers_removed", ["successes", "abandoned"]].tolist() == [0, 1]
    assert mix.loc["modifiers_removed", "abandonment_rate"] == 0.5
    assert mix.loc["subject_changed", "kept"] == 1  # "a dog, ..." ended the first idea, kept
    assert mix["share"].sum() == pytest.approx(1)


def test_a_term_carries_the_outcome_of_its_edit_and_what_the_user_did_next(hand_made):
    terms = refinement.term_effects(hand_made, min_edits=1, limit=500)
    added = terms[terms["change"] == "added"].set_index("term")
    # "8k" was added once (then some terms removed: the next action), and removed once (with the
    # whole prompt, by the new idea, which was followed by a re-roll)
    assert added.loc["8k", ["edits", "success_rate", "next_action"]].tolist() == [1, 1.0, "modifiers_removed"]
    removed = terms[terms["change"] == "removed"].set_index("term")
    assert removed.loc["8k", ["edits", "next_action", "next_reroll_share"]].tolist() == [1, "re_roll", 1.0]
    # "cinematic" was removed last, by an edit that failed and ended the session
    last = removed.loc["cinematic"]
    assert (last.success_rate, last.previous_success_rate, last.success_change) == (0, 1, -1)
    assert (last.next_action, last.ended_share) == (refinement.SESSION_END, 1.0)
    assert terms["baseline_success_rate"].eq(8 / 11).all()


# --- the real users, against independent SQL --------------------------------------------------------

# Ideas without windows: a generation's idea starts at the latest generation of its session, at or
# before it, that is the session's first or the result of a new idea.
IDEAS_SQL = """
WITH gens AS (
    SELECT f.generation_id, f.session_id, f.session_seq, f.status, f.created_at, e.edit_type
    FROM fact_generations f LEFT JOIN fct_prompt_edits e USING (generation_id)
),
starts AS (SELECT session_id, session_seq FROM gens WHERE edit_type IS NULL OR edit_type = 'new_idea'),
placed AS (
    SELECT g.*, (SELECT max(s.session_seq) FROM starts s
                 WHERE s.session_id = g.session_id AND s.session_seq <= g.session_seq) AS idea_start
    FROM gens g
),
idea_ends AS (SELECT session_id, idea_start, max(session_seq) AS last_seq FROM placed GROUP BY ALL)
SELECT p.*, p.session_seq = i.last_seq AND p.status = 'success' AS kept,
       p.session_seq = i.last_seq AS ends_idea, p.session_seq - p.idea_start AS edits_before,
       (SELECT count(*) FROM placed q WHERE q.session_id = p.session_id AND q.idea_start = p.idea_start
           AND q.session_seq <= p.session_seq AND q.edit_type = 're_roll') AS rerolls_before,
       (SELECT epoch(p.created_at - min(q.created_at)) FROM placed q
           WHERE q.session_id = p.session_id AND q.idea_start = p.idea_start) AS seconds_in
FROM placed p JOIN idea_ends i ON i.session_id = p.session_id AND i.idea_start = p.idea_start
"""


def test_edits_endpoint_counts_what_independent_sql_counts_on_real_users(real_wh):
    api = Api(real_wh)
    answer = api.edits(by="tier", filters=api.filters(start="2022-08-14"))
    ideas = real_wh.query(
        f"SELECT i.*, u.tier FROM ({IDEAS_SQL}) i JOIN fact_generations f USING (generation_id) "
        "JOIN dim_users u ON u.user_id = f.user_id WHERE f.date_key >= DATE '2022-08-14'"
    )
    sessions = real_wh.query(
        "SELECT u.tier, count(DISTINCT f.session_id) AS sessions FROM fact_generations f "
        "JOIN dim_users u USING (user_id) WHERE f.date_key >= DATE '2022-08-14' GROUP BY 1"
    ).set_index("tier")["sessions"]
    summary = pd.DataFrame(answer["summary"]).set_index("tier")
    assert set(summary.index) == set(ideas["tier"])
    for tier, rows in ideas.groupby("tier"):
        got, kept = summary.loc[tier], rows[rows["kept"]]
        edits = int(rows["edit_type"].notna().sum())
        assert (got.generations, got.edits, got.sessions) == (len(rows), edits, sessions[tier])
        assert (got.ideas, got.kept_images) == (rows["ends_idea"].sum(), len(kept))
        assert got.edits_per_kept_image == pytest.approx(edits / len(kept))
        assert got.edits_to_kept == pytest.approx(kept["edits_before"].mean())
        assert got.rerolls_to_kept == pytest.approx(kept["rerolls_before"].mean())
        assert got.median_seconds_to_kept == pytest.approx(kept["seconds_in"].median())
    # the edit types: success and abandonment from dim_sessions, not from the query layer's windows
    mix = real_wh.query(
        """
        SELECT u.tier, e.edit_type, count(*) AS edits,
               avg(CASE WHEN f.status = 'success' THEN 1.0 ELSE 0.0 END) AS success_rate,
               sum(CASE WHEN s.n_generations = e.session_seq AND f.status <> 'success' THEN 1 ELSE 0 END)
                   AS abandoned
        FROM fct_prompt_edits e JOIN fact_generations f USING (generation_id)
        JOIN dim_users u ON u.user_id = f.user_id JOIN dim_sessions s ON s.session_id = e.session_id
        WHERE f.date_key >= DATE '2022-08-14' GROUP BY ALL
        """
    ).set_index(["tier", "edit_type"])
    got = pd.DataFrame(answer["edit_types"]).set_index(["tier", "edit_type"])
    assert sorted(got.index) == sorted(mix.index)
    assert got.loc[mix.index, "edits"].tolist() == mix["edits"].tolist()
    assert got.loc[mix.index, "abandoned"].tolist() == mix["abandoned"].tolist()
    assert got.loc[mix.index, "success_rate"].to_numpy() == pytest.approx(mix["success_rate"].to_numpy())
    kept = ideas[ideas["kept"] & ideas["edit_type"].notna()].groupby(["tier", "edit_type"]).size()
    assert got["kept"].sum() == kept.sum()


def test_edit_terms_endpoint_counts_what_independent_sql_counts_on_real_users(real_wh):
    api = Api(real_wh)
    rows = api.edit_terms(change="added", min_edits=3, limit=10, filters=api.filters(tiers=["pro", "free"]))
    expected = real_wh.query(
        """
        WITH added AS (
            SELECT unnest(e.terms_added) AS term, e.generation_id, e.session_id, e.session_seq,
                   e.user_id, f.status, p.status AS previous_status
            FROM fct_prompt_edits e JOIN fact_generations f USING (generation_id)
            JOIN fact_generations p ON p.generation_id = e.previous_generation_id
            JOIN dim_users u ON u.user_id = f.user_id
            WHERE u.tier IN ('pro', 'free')
        )
        SELECT a.term, count(*) AS edits, count(DISTINCT a.user_id) AS users,
               avg(CASE WHEN a.status = 'success' THEN 1.0 ELSE 0.0 END) AS success_rate,
               avg(CASE WHEN a.previous_status = 'success' THEN 1.0 ELSE 0.0 END) AS previous_success_rate,
               avg(CASE WHEN n.edit_type = 're_roll' THEN 1.0 ELSE 0.0 END) AS next_reroll_share,
               avg(CASE WHEN n.generation_id IS NULL THEN 1.0 ELSE 0.0 END) AS ended_share
        FROM added a LEFT JOIN fct_prompt_edits n
            ON n.session_id = a.session_id AND n.session_seq = a.session_seq + 1
        GROUP BY a.term HAVING count(*) >= 3 ORDER BY edits DESC, a.term LIMIT 10
        """
    )
    got = pd.DataFrame(rows)
    assert got["term"].tolist() == expected["term"].tolist() and len(got) == 10
    assert set(got["change"]) == {"added"}
    for column in ("edits", "users"):
        assert got[column].tolist() == expected[column].tolist(), column
    for column in ("success_rate", "previous_success_rate", "next_reroll_share", "ended_share"):
        assert got[column].to_numpy() == pytest.approx(expected[column].to_numpy()), column
    assert (got["success_rate_low"] <= got["success_rate"]).all()
    assert (got["success_rate"] <= got["success_rate_high"]).all()


def test_the_refinement_endpoints_are_public_and_refuse_bad_arguments_by_name(real_wh):
    assert {"edits", "edit_terms"} <= set(ENDPOINTS)
    api = Api(real_wh)
    with pytest.raises(InputError, match="grouping") as caught:
        api.edits(by="colour")
    assert caught.value.field == "by" and caught.value.valid == list(refinement.GROUPS)
    with pytest.raises(InputError) as caught:
        api.edit_terms(change="swapped")
    assert caught.value.field == "change"
    with pytest.raises(InputError) as caught:
        api.edit_terms(min_edits=0)
    assert caught.value.field == "min_edits"
    with pytest.raises(FilterError) as caught:
        api.filters(tiers=["platinum"])
    assert caught.value.field == "tiers"


def test_filters_that_leave_nothing_give_empty_answers_not_errors(real_wh):
    nothing = Filters(start=pd.Timestamp("2030-01-01").date())
    assert refinement.refinement_summary(real_wh, nothing).empty
    assert refinement.edit_type_mix(real_wh, nothing).empty
    assert refinement.term_effects(real_wh, nothing).empty


# --- the flow of sessions through edits (/edit_flow, the Sankey) -------------------------------------


def test_the_flow_of_the_hand_made_sessions_is_the_one_worked_out_by_hand(hand_made):
    links = refinement.edit_flow(hand_made, steps=3)
    assert sorted(links.itertuples(index=False, name=None)) == [
        (1, "first prompt", "ended on a success", 2),  # u2's two one-generation sessions
        (1, "first prompt", "re_roll", 1),
        (2, "re_roll", "settings_only", 1),
        (3, "settings_only", "modifiers_added", 1),
    ]
    # followed to its end, u1's session of 12 generations ends on a failure after a removal
    whole = refinement.edit_flow(hand_made, steps=12)
    assert whole[whole["step"] == 12].values.tolist() == [[12, "modifiers_removed", "ended on a failure", 1]]
    assert whole.groupby("step")["sessions"].sum().to_dict() == {1: 3, **{k: 1 for k in range(2, 13)}}


def test_edit_flow_endpoint_counts_what_independent_sql_counts_on_real_users(real_wh):
    rows = Api(real_wh).edit_flow(steps=4)
    # every session's k-th and (k+1)-th generation, by their order in the session, done in pandas
    gens = real_wh.query(
        "SELECT g.session_id, g.session_seq, g.status, coalesce(e.edit_type, 'first prompt') AS label "
        "FROM fact_generations g LEFT JOIN fct_prompt_edits e USING (generation_id)"
    ).sort_values(["session_id", "session_seq"])
    gens["pos"] = gens.groupby("session_id").cumcount() + 1
    nxt = gens[["session_id", "pos", "label"]].assign(pos=lambda d: d["pos"] - 1)
    pairs = gens.merge(nxt, on=["session_id", "pos"], how="left", suffixes=("", "_next"))
    ended = pairs["status"].map(lambda s: "ended on a success" if s == "success" else "ended on a failure")
    pairs["target"] = pairs["label_next"].fillna(ended)
    expected = pairs[pairs["pos"] <= 4].groupby(["pos", "label", "target"]).size()
    got = {(r["step"], r["source"], r["target"]): r["sessions"] for r in rows}
    assert got == {key: int(n) for key, n in expected.items()}
    assert sum(n for (step, _, _), n in got.items() if step == 1) == real_wh.scalar(
        "SELECT count(*) FROM dim_sessions"
    )
    with pytest.raises(InputError) as caught:
        Api(real_wh).edit_flow(steps=13)
    assert caught.value.field == "steps"
