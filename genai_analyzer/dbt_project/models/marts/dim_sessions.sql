-- One row per session, with its friction score and the parts it is made of (docs/sessions.md).
with generations as (
    select * from {{ ref('stg_generations') }}
),

ordered as (
    select
        *,
        lag(status) over w as prev_status,
        lag(prompt_normalized) over w as prev_prompt
    from generations
    window w as (partition by session_id order by session_seq)
),

per_session as (
    select
        session_id,
        any_value(user_id) as user_id,
        min(created_at) as started_at,
        max(created_at) as ended_at,
        count(*) as n_generations,
        count(*) filter (where status = 'success') as n_success,
        count(*) filter (where status <> 'success') as n_failed,
        count(*) filter (where status = 'nsfw_blocked') as n_nsfw_blocked,
        count(distinct prompt_id) as n_unique_prompts,
        -- a retry: the same prompt sent again right after a generation that failed
        count(*) filter (
            where prev_status is not null and prev_status <> 'success'
            and prompt_normalized = prev_prompt
        ) as n_retries,
        avg(latency_ms) / 1000.0 as avg_wait_s,
        arg_max(status, session_seq) as last_status,
        sum(cost_usd) as total_cost_usd,
        sum(revenue_usd) as total_revenue_usd
    from ordered
    group by session_id
),

scored as (
    select
        *,
        n_failed / n_generations as failure_share,
        case when n_generations > 1 then n_retries / (n_generations - 1) else 0 end as retry_share,
        least(1.0, avg_wait_s / 30.0) as wait_score,
        last_status <> 'success' as abandoned
    from per_session
),

final as (
    select
        session_id,
        user_id,
        started_at,
        ended_at,
        epoch(ended_at - started_at)::bigint as duration_s,
        n_generations,
        n_success,
        n_failed,
        n_nsfw_blocked,
        n_unique_prompts,
        n_retries,
        last_status,
        abandoned,
        round(failure_share, 4) as failure_share,
        round(retry_share, 4) as retry_share,
        round(wait_score, 4) as wait_score,
        round(least(1.0,
            0.35 * failure_share
            + 0.20 * retry_share
            + 0.20 * wait_score
            + 0.25 * abandoned::integer
        ), 4) as friction_score,
        round(total_cost_usd, 6) as total_cost_usd,
        round(total_revenue_usd, 6) as total_revenue_usd
    from scored
)

select * from final
