"""Refinement analytics: how people edit their prompts on the way to an image they keep.

Every figure reads ``fct_prompt_edits`` (one row per consecutive pair of generations in a
session, its edit classified: docs/refinement.md) and the generations, under the shared
``Filters``. An edit passes the filters when its later generation does (its day, the user's tier,
its status, its prompt's domain, art style and cluster, its image's visual cluster), and it is
grouped by that generation's tier, domain, art style, prompt cluster or visual cluster (``by``).

Two notions the logs do not record directly, defined once in the ``fct_generation_ideas`` mart
(dbt_project/models/marts/fct_generation_ideas.sql) and read here and by the session funnel:

- **Idea**: a run of a session's generations that starts at the session's first generation or at
  a ``new_idea`` edit and lasts until the next one. Re-rolls, settings, modifier and subject
  edits refine the idea at hand.
- **Kept image**: the last generation of an idea, when it succeeded: the user stopped refining
  after seeing it. No download, like or save is logged (DiffusionDB has none, and neither has the
  logs contract), so stopping on a success is the closest signal the data hold. An idea whose last
  generation failed was given up.

**Abandonment** is the warehouse's (``dim_sessions.abandoned``, the leaderboards'): the session
ended on this generation and it did not succeed.
"""

from __future__ import annotations

import pandas as pd

from genai_analyzer.analysis import semantic
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.leaderboards import wilson_interval
from genai_analyzer.analysis.queries import GENERATIONS
from genai_analyzer.warehouse.reader import Warehouse

EDIT_TYPES = (
    "re_roll",
    "settings_only",
    "modifiers_added",
    "modifiers_removed",
    "modifiers_changed",
    "subject_changed",
    "new_idea",
)
# What a figure can be broken down by: nothing, or a dimension of the later generation (its prompt
# cluster and its image's visual cluster: docs/clusters.md).
GROUPS = ("none", "tier", "domain", "art_style", "prompt_cluster", "visual_cluster")
TERM_CHANGES = ("both", "added", "removed")
DEFAULT_MIN_EDITS = 3
DEFAULT_TERM_LIMIT = 25
MAX_MIN_EDITS = 100_000
SESSION_END = "session_end"  # the next action after the last generation of a session
# The outcomes of an edit's generation: count column -> its rate among edits.
RATES = (("successes", "success_rate"), ("abandoned", "abandonment_rate"), ("kept", "kept_rate"))

# Every generation of the sessions that have one passing the filters, with its refinement state:
# its edit (null for a session's first), its idea, whether it ends the idea (and is a kept image:
# both from the fct_generation_ideas mart, their one definition) or the session, is the session's
# first success, and the re-rolls, edits and seconds spent in its idea
# (and re-rolls in its session) up to and including it. {passing}: the filtered generations.
_STEPS = """
steps_base AS (
    SELECT g.generation_id, g.session_id, g.session_seq, g.status, g.created_at, e.edit_type,
           i.idea, i.ends_idea, i.is_kept
    FROM fact_generations g
    JOIN fct_generation_ideas i USING (generation_id)
    LEFT JOIN fct_prompt_edits e USING (generation_id)
    WHERE g.session_id IN (SELECT session_id FROM passing)
),
steps AS (
    SELECT *,
        session_seq = max(session_seq) OVER (PARTITION BY session_id) AS ends_session,
        session_seq - min(session_seq) OVER (PARTITION BY session_id, idea) AS edits_in_idea,
        count(*) FILTER (WHERE edit_type = 're_roll')
            OVER (PARTITION BY session_id, idea ORDER BY session_seq) AS rerolls_in_idea,
        epoch(created_at - min(created_at) OVER (PARTITION BY session_id, idea)) AS seconds_in_idea,
        count(*) FILTER (WHERE edit_type = 're_roll')
            OVER (PARTITION BY session_id ORDER BY session_seq) AS rerolls_in_session,
        count(*) FILTER (WHERE status = 'success')
            OVER (PARTITION BY session_id ORDER BY session_seq) AS successes_so_far,
        lead(edit_type) OVER (PARTITION BY session_id ORDER BY session_seq) AS next_edit
    FROM steps_base
),
marked AS (
    SELECT *, status = 'success' AND successes_so_far = 1 AS is_first_success
    FROM steps
)"""


def _group_sql(by: str) -> str:
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(GROUPS)}")
    if by == "none":
        return "'all'"
    expression = semantic.load().dimensions[by].expression("generations")
    return f"coalesce(CAST({expression} AS VARCHAR), 'unlabelled')"


def _passing(filters: Filters | None, by: str) -> tuple[str, dict]:
    """The CTE of the generations passing ``filters``, with their group, and its parameters."""
    where, params = (filters or Filters()).where()
    group = _group_sql(by)
    source = GENERATIONS.from_reading(where, group)
    return (
        f"passing AS (SELECT f.generation_id, f.session_id, {group} AS grp FROM {source} WHERE {where})",
        params,
    )


def _named(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    return frame.drop(columns="grp") if by == "none" else frame.rename(columns={"grp": by})


def edit_type_mix(wh: Warehouse, filters: Filters | None = None, *, by: str = "none") -> pd.DataFrame:
    """One row per (group, edit type) with edits: edits, share (of the group's edits), successes and
    success_rate (the edited generation succeeded), abandoned and abandonment_rate (the session
    ended on it, failed), kept and kept_rate (it became a kept image), median_seconds (since the
    previous generation), mean_similarity. Which edits precede success, a keeper or giving up."""
    passing, params = _passing(filters, by)
    frame = wh.query(
        f"""
        WITH {passing}, {_STEPS}
        SELECT p.grp, m.edit_type,
               count(*) AS edits,
               count(*) FILTER (WHERE m.status = 'success') AS successes,
               count(*) FILTER (WHERE m.ends_session AND m.status <> 'success') AS abandoned,
               count(*) FILTER (WHERE m.is_kept) AS kept,
               median(e.seconds_since_previous) AS median_seconds,
               avg(e.similarity) AS mean_similarity
        FROM passing p JOIN marked m USING (generation_id) JOIN fct_prompt_edits e USING (generation_id)
        GROUP BY ALL
        """,
        params,
    )
    frame["share"] = frame["edits"] / frame.groupby("grp")["edits"].transform("sum")
    for count, rate in RATES:
        frame[rate] = frame[count] / frame["edits"]
    order = {name: i for i, name in enumerate(EDIT_TYPES)}
    frame = frame.sort_values(
        ["grp", "edit_type"], key=lambda col: col.map(order) if col.name == "edit_type" else col
    )
    columns = ["grp", "edit_type", "edits", "share", "successes", "success_rate", "abandoned",
               "abandonment_rate", "kept", "kept_rate", "median_seconds", "mean_similarity"]  # fmt: skip
    return _named(frame[columns].reset_index(drop=True), by)


def refinement_summary(wh: Warehouse, filters: Filters | None = None, *, by: str = "none") -> pd.DataFrame:
    """One row per group (one row without ``by``): generations, sessions (with a generation in the
    group), edits, edits_per_session, rerolls, ideas (ending in the group), kept_images,
    kept_share (of ideas), edits_per_kept_image (all edits / kept images: what a keeper costs,
    given-up ideas included), edits_to_kept and rerolls_to_kept (mean edits and re-rolls inside a
    kept image's idea, up to it), median_seconds_to_kept and mean_seconds_to_kept (from the idea's
    first generation: 0 for an idea of one generation), refined_kept_images (kept after at least
    one edit) and median_seconds_to_refined_kept, sessions_with_success and
    rerolls_before_first_success (mean re-rolls in a session up to its first successful
    generation). Kept images and first successes count in the
    group of that generation."""
    passing, params = _passing(filters, by)
    frame = wh.query(
        f"""
        WITH {passing}, {_STEPS}
        SELECT p.grp,
               count(*) AS generations,
               count(DISTINCT p.session_id) AS sessions,
               count(m.edit_type) AS edits,
               count(*) FILTER (WHERE m.edit_type = 're_roll') AS rerolls,
               count(*) FILTER (WHERE m.ends_idea) AS ideas,
               count(*) FILTER (WHERE m.is_kept) AS kept_images,
               avg(m.edits_in_idea) FILTER (WHERE m.is_kept) AS edits_to_kept,
               avg(m.rerolls_in_idea) FILTER (WHERE m.is_kept) AS rerolls_to_kept,
               median(m.seconds_in_idea) FILTER (WHERE m.is_kept) AS median_seconds_to_kept,
               avg(m.seconds_in_idea) FILTER (WHERE m.is_kept) AS mean_seconds_to_kept,
               count(*) FILTER (WHERE m.is_kept AND m.edits_in_idea > 0) AS refined_kept_images,
               median(m.seconds_in_idea) FILTER (WHERE m.is_kept AND m.edits_in_idea > 0)
                   AS median_seconds_to_refined_kept,
               count(*) FILTER (WHERE m.is_first_success) AS sessions_with_success,
               avg(m.rerolls_in_session) FILTER (WHERE m.is_first_success) AS rerolls_before_first_success
        FROM passing p JOIN marked m USING (generation_id)
        GROUP BY p.grp ORDER BY generations DESC, p.grp
        """,
        params,
    )
    frame.insert(4, "edits_per_session", frame["edits"] / frame["sessions"])
    kept = frame["kept_images"].where(frame["kept_images"] > 0)
    frame.insert(8, "kept_share", frame["kept_images"] / frame["ideas"].where(frame["ideas"] > 0))
    frame.insert(9, "edits_per_kept_image", frame["edits"] / kept)
    return _named(frame, by)


def term_effects(
    wh: Warehouse,
    filters: Filters | None = None,
    *,
    change: str = "both",
    by: str = "none",
    min_edits: int = DEFAULT_MIN_EDITS,
    limit: int = DEFAULT_TERM_LIMIT,
) -> pd.DataFrame:
    """The terms most often added (or removed) in an edit, per group and change: the first
    ``limit`` of those in at least ``min_edits`` edits, most edits first (grain: one term, one
    change, one group).

    Columns: change (added, removed), term, edits, users, success_rate of the generation that
    followed (the edit's own) with its Wilson 95% bounds, previous_success_rate (the generation
    before the edit), success_change (the difference), baseline_success_rate (all edits of the
    group), and the next action: next_action (the most common edit type of the following
    generation, or session_end), next_action_share, next_reroll_share, ended_share."""
    if change not in TERM_CHANGES:
        raise ValueError(f"unknown change {change!r}; use one of {', '.join(TERM_CHANGES)}")
    passing, params = _passing(filters, by)
    changes = ("added", "removed") if change == "both" else (change,)
    unnested = " UNION ALL ".join(
        f"SELECT grp, '{c}' AS change, unnest(terms_{c}) AS term, generation_id FROM edits" for c in changes
    )
    frame = wh.query(
        f"""
        WITH {passing}, {_STEPS},
        edits AS (
            SELECT p.grp, e.generation_id, e.terms_added, e.terms_removed
            FROM passing p JOIN fct_prompt_edits e USING (generation_id)
        ),
        baseline AS (
            SELECT grp, avg(CASE WHEN m.status = 'success' THEN 1.0 ELSE 0.0 END) AS baseline_success_rate
            FROM edits JOIN marked m USING (generation_id) GROUP BY grp
        ),
        terms AS (
            SELECT t.grp, t.change, t.term, e.user_id, e.status, e.previous_status,
                   coalesce(m.next_edit, '{SESSION_END}') AS next_action
            FROM ({unnested}) t
            JOIN fct_prompt_edits e USING (generation_id) JOIN marked m USING (generation_id)
        ),
        per_term AS (
            SELECT grp, change, term, count(*) AS edits, count(DISTINCT user_id) AS users,
                   count(*) FILTER (WHERE status = 'success') AS successes,
                   avg(CASE WHEN previous_status = 'success' THEN 1.0 ELSE 0.0 END) AS previous_success_rate,
                   avg(CASE WHEN next_action = 're_roll' THEN 1.0 ELSE 0.0 END) AS next_reroll_share,
                   avg(CASE WHEN next_action = '{SESSION_END}' THEN 1.0 ELSE 0.0 END) AS ended_share
            FROM terms GROUP BY grp, change, term HAVING count(*) >= $min_edits
            QUALIFY row_number() OVER (PARTITION BY grp, change ORDER BY count(*) DESC, term) <= $limit
        ),
        next_counts AS (
            SELECT grp, change, term, next_action, count(*) AS n
            FROM terms SEMI JOIN per_term USING (grp, change, term) GROUP BY grp, change, term, next_action
        ),
        next_top AS (
            SELECT grp, change, term, first(next_action ORDER BY n DESC, next_action) AS next_action,
                   max(n) AS next_n
            FROM next_counts GROUP BY grp, change, term
        )
        SELECT t.*, b.baseline_success_rate, n.next_action, n.next_n / t.edits AS next_action_share
        FROM per_term t JOIN baseline b USING (grp) JOIN next_top n USING (grp, change, term)
        ORDER BY t.grp, t.change, t.edits DESC, t.term
        """,
        {**params, "min_edits": int(min_edits), "limit": int(limit)},
    )
    frame["success_rate"] = frame["successes"] / frame["edits"]
    frame["success_rate_low"], frame["success_rate_high"] = wilson_interval(
        frame["successes"].to_numpy(), frame["edits"].to_numpy()
    )
    frame["success_change"] = frame["success_rate"] - frame["previous_success_rate"]
    columns = ["grp", "change", "term", "edits", "users", "successes", "success_rate", "success_rate_low",
               "success_rate_high", "previous_success_rate", "success_change", "baseline_success_rate",
               "next_action", "next_action_share", "next_reroll_share", "ended_share"]  # fmt: skip
    return _named(frame[columns].reset_index(drop=True), by)


# The flow's first node and its two ends: a session's first prompt, and how it ended.
FLOW_START = "first prompt"
FLOW_ENDS = ("ended on a success", "ended on a failure")
DEFAULT_FLOW_STEPS = 4
MAX_FLOW_STEPS = 12


def edit_flow(
    wh: Warehouse, filters: Filters | None = None, *, steps: int = DEFAULT_FLOW_STEPS
) -> pd.DataFrame:
    """How sessions move through edit types, for the flow chart (a Sankey): one row per link
    (step, source, target) with the sessions taking it. Step 1's source is the session's first
    prompt (``FLOW_START``); step k's source is the edit type of its k-th generation, and its target
    the (k+1)-th generation's edit type or, after the session's last generation, how it ended
    (``FLOW_ENDS``: on a success, or on a failure: abandoned). Sessions are those with a
    generation passing ``filters`` (all their generations are followed, as in ``refinement_summary``);
    links stop at ``steps``, so a target at step ``steps`` may continue."""
    if not 1 <= int(steps) <= MAX_FLOW_STEPS:
        raise ValueError(f"steps must be 1 to {MAX_FLOW_STEPS}")
    passing, params = _passing(filters, "none")
    return wh.query(
        f"""
        WITH {passing}, {_STEPS},
        seq AS (
            SELECT session_id, status,
                   row_number() OVER (PARTITION BY session_id ORDER BY session_seq) AS pos,
                   coalesce(edit_type, '{FLOW_START}') AS label
            FROM marked
        )
        SELECT a.pos AS step, a.label AS source,
               CASE WHEN b.session_id IS NOT NULL THEN b.label
                    WHEN a.status = 'success' THEN '{FLOW_ENDS[0]}' ELSE '{FLOW_ENDS[1]}' END AS target,
               count(*) AS sessions
        FROM seq a LEFT JOIN seq b ON b.session_id = a.session_id AND b.pos = a.pos + 1
        WHERE a.pos <= $steps
        GROUP BY ALL
        ORDER BY step, sessions DESC, source, target
        """,
        {**params, "steps": int(steps)},
    )
