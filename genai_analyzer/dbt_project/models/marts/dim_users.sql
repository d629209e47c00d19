-- One row per user, with activity counts over the whole warehouse.
with users as (
    select * from {{ ref('stg_users') }}
),

generations as (
    select * from {{ ref('stg_generations') }}
),

activity as (
    select
        user_id,
        count(distinct session_id) as n_sessions,
        count(*) as n_generations,
        sum(cost_usd) as total_cost_usd,
        sum(revenue_usd) as total_revenue_usd
    from generations
    group by user_id
),

final as (
    select
        users.user_id,
        users.user_name,
        users.is_known,
        users.tier,
        users.tier_simulated,
        users.signup_at,
        users.first_seen_at,
        users.last_seen_at,
        activity.n_sessions,
        activity.n_generations,
        round(activity.total_cost_usd, 6) as total_cost_usd,
        round(activity.total_revenue_usd, 6) as total_revenue_usd
    from users
    inner join activity using (user_id)
)

select * from final
