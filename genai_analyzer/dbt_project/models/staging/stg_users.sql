-- One row per user: tier and signup date (simulated where the source lacks them).
with users as (
    select * from {{ source('raw', 'users') }}
),

final as (
    select
        user_id,
        user_name,
        is_known,
        tier,
        tier_simulated,
        signup_at,
        first_seen_at,
        last_seen_at
    from users
)

select * from final
