-- fct_generation_ideas holds one row per generation, every idea ends exactly once, and a kept
-- image is a success (a row returned is a session where one of these fails).
with per_session as (
    select f.session_id, count(*) as generations,
           count(i.generation_id) as rows,
           count(distinct i.idea) as ideas,
           count(*) filter (where i.ends_idea) as ends,
           count(*) filter (where i.is_kept and f.status <> 'success') as kept_failures
    from {{ ref('fact_generations') }} as f
    left join {{ ref('fct_generation_ideas') }} as i using (generation_id)
    group by f.session_id
)

select session_id
from per_session
where rows <> generations or ends <> ideas or kept_failures > 0
