-- One row per generation: the idea of its session it belongs to, and whether it is a kept image
-- (docs/refinement.md). The one definition of both, read by analysis/refinement.py and by the
-- session funnel's "kept" step in the semantic layer.
--   idea       a session's first generation starts idea 1; an edit classified new_idea starts
--              the next one; every other edit stays in the idea at hand
--   ends_idea  the last generation of its idea (the session ends, or the next one is a new idea)
--   is_kept    ends_idea and succeeded: the user stopped refining on a success. The logs hold no
--              download, like or export, so this is the closest signal of an image kept.
with generations as (
    select generation_id, session_id, session_seq, status from {{ ref('fact_generations') }}
),

numbered as (
    select
        g.generation_id,
        g.session_id,
        g.session_seq,
        g.status,
        sum(case when e.edit_type is null or e.edit_type = 'new_idea' then 1 else 0 end)
            over (partition by g.session_id order by g.session_seq) as idea
    from generations g
    left join {{ ref('fct_prompt_edits') }} e using (generation_id)
),

ended as (
    select
        *,
        session_seq = max(session_seq) over (partition by session_id, idea) as ends_idea
    from numbered
)

select
    generation_id,
    session_id,
    session_seq,
    idea::integer as idea,
    ends_idea,
    ends_idea and status = 'success' as is_kept
from ended
