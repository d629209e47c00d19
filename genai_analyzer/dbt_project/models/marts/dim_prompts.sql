-- One row per distinct prompt text (prompt_id is a hash of the exact text).
with generations as (
    select * from {{ ref('stg_generations') }}
),

per_prompt as (
    select
        prompt_id,
        any_value(prompt) as prompt,
        count(*) as n_generations,
        count(distinct user_id) as n_users,
        min(created_at) as first_seen_at
    from generations
    group by prompt_id
),

final as (
    select
        prompt_id,
        prompt,
        case when trim(prompt) = '' then 0
             else len(string_split(regexp_replace(trim(prompt), '\s+', ' ', 'g'), ' ')) end as n_words,
        length(prompt) as n_chars,
        n_generations,
        n_users,
        first_seen_at
    from per_prompt
)

select * from final
