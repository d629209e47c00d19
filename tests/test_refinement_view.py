"""The Refinement view's breakdown (app/refinement.py): the picker offers the API's groupings the
warehouse has, and the table by group that the view shows and exports holds what SQL written here
counts, group by group, under the shared filters. The browser half (the picker clicked, the table
read off the page, the CSV downloaded) is in tests/test_browser_leaderboard.py."""

from __future__ import annotations

import pandas as pd
import pytest

from genai_analyzer.analysis import behaviour_charts as charts
from genai_analyzer.analysis import refinement
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app import refinement as view
from genai_analyzer.warehouse.reader import Warehouse
from tests.test_prompt_edits import build_hand_made

# Per group of the edited generation, with self-joins where the query layer uses windows: an idea
# ends where its session ends or the next generation is a new idea; a kept image is such an end
# that succeeded. {group}: the group's column of fact_generations or dim_users.
BY_GROUP_SQL = """
WITH g AS (
    SELECT coalesce(CAST({group} AS VARCHAR), 'unlabelled') AS grp, f.session_id, f.status,
           e.generation_id IS NOT NULL AS is_edit,
           f.session_seq = s.n_generations OR n.edit_type = 'new_idea' AS ends_idea,
           e.edit_type
    FROM fact_generations f JOIN dim_users u ON u.user_id = f.user_id
    JOIN dim_sessions s ON s.session_id = f.session_id
    LEFT JOIN fct_prompt_edits e ON e.generation_id = f.generation_id
    LEFT JOIN fct_prompt_edits n ON n.previous_generation_id = f.generation_id
    WHERE u.tier IN ('pro', 'free')
)
SELECT grp, count(*) AS generations, count(DISTINCT session_id) AS sessions,
       count(*) FILTER (WHERE is_edit) AS edits, count(*) FILTER (WHERE ends_idea) AS ideas,
       count(*) FILTER (WHERE ends_idea AND status = 'success') AS kept
FROM g GROUP BY grp
"""


@pytest.fixture(scope="module")
def sample_wh(sample_warehouse):
    with Warehouse(sample_warehouse, extensions=()) as wh:
        yield wh


def _number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


@pytest.mark.parametrize(("by", "group"), [("tier", "u.tier"), ("art_style", "f.art_style"),
                                           ("prompt_cluster", "f.prompt_cluster")])  # fmt: skip
def test_the_table_by_group_counts_what_independent_sql_counts(sample_wh, by, group):
    filters = Filters(tiers=("pro", "free"))
    table = view.group_table(Api(sample_wh).edit_summary_frame(filters, by), by)
    expected = sample_wh.query(BY_GROUP_SQL.format(group=group)).set_index("grp")
    label = view.GROUP_LABELS[by]
    assert sorted(table[label]) == sorted(expected.index) and len(table) > 1
    # largest group first, as the query orders it
    assert [_number(v) for v in table["Generations"]] == sorted(expected["generations"], reverse=True)
    for row in table.to_dict("records"):
        want = expected.loc[row[label]]
        counts = ("Generations", "Sessions", "Edits", "Kept images")
        assert [_number(row[heading]) for heading in counts] == [
            want.generations,
            want.sessions,
            want.edits,
            want.kept,
        ], row[label]
        assert _number(row["Edits a session"]) == pytest.approx(want.edits / want.sessions, abs=0.005)
        assert _number(row["Ideas kept"]) == pytest.approx(100 * want.kept / want.ideas, abs=0.5)
        if want.kept:
            assert _number(row["Edits per kept image"]) == pytest.approx(want.edits / want.kept, abs=0.005)
        else:
            assert row["Edits per kept image"] == "n/a"


def test_the_picker_offers_the_apis_groupings_and_the_clusters_only_where_they_exist(sample_wh, tmp_path):
    offered = [by for _, by in view.group_choices(Api(sample_wh))]
    assert set(offered) <= set(refinement.GROUPS) and offered[0] == "none"
    has_visual = bool(sample_wh.scalar("SELECT count(visual_cluster) FROM fact_generations"))
    assert ("visual_cluster" in offered) == has_visual
    with Warehouse(build_hand_made(tmp_path), extensions=()) as bare:  # built without clusters
        assert [by for _, by in view.group_choices(Api(bare))] == ["none", "tier", "domain", "art_style"]


def test_terms_by_group_carry_the_group_and_the_chart_stacks_each_groups_edit_types(sample_wh):
    api = Api(sample_wh)
    terms = api.edit_terms_frame(Filters(), "both", "tier", view.TERM_MIN_EDITS, view.GROUP_TERM_LIMIT)
    added = view.terms_table(terms, "added", "tier")
    assert added.columns[0] == "Tier" and added.groupby("Tier").size().max() <= view.GROUP_TERM_LIMIT
    assert len(added) == (terms["change"] == "added").sum()
    mix = api.edit_mix_frame(Filters(), "tier")
    figure = charts.edit_mix_by(mix, "tier", "tier")
    assert [trace.name for trace in figure.data] == list(charts.EDIT_LABELS.values())
    totals = mix.groupby("tier")["edits"].sum().sort_values(ascending=False)
    assert list(figure.data[0].y) == totals.index.tolist()  # most edits on top
    # each group's shares add up to the whole bar
    stacked = pd.DataFrame({trace.name: list(trace.x) for trace in figure.data}, index=list(figure.data[0].y))
    assert stacked.sum(axis=1).to_numpy() == pytest.approx(1.0)
