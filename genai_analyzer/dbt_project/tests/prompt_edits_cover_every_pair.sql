-- fct_prompt_edits holds one row for every generation but the first of its session, and its
-- previous generation is the one just before it (a row returned is a session where they disagree).
with expected as (
    select session_id, count(*) - 1 as pairs from {{ ref('fact_generations') }} group by session_id
),

found as (
    select e.session_id, count(*) as pairs,
           count(*) filter (where p.session_id = e.session_id and p.session_seq = e.session_seq - 1) as adjacent
    from {{ ref('fct_prompt_edits') }} as e
    join {{ ref('fact_generations') }} as p on p.generation_id = e.previous_generation_id
    group by e.session_id
)

select x.session_id
from expected as x
left join found as f using (session_id)
where coalesce(f.pairs, 0) <> x.pairs or coalesce(f.adjacent, 0) <> x.pairs
