-- One row per calendar day (UTC) from the first to the last generation, days without activity included.
with bounds as (
    select min(date_key) as first_day, max(date_key) as last_day
    from {{ ref('stg_generations') }}
),

days as (
    select cast(unnest(range(first_day::timestamp, last_day::timestamp + interval 1 day, interval 1 day)) as date) as d
    from bounds
),

final as (
    select
        d as date_key,
        isodow(d) as day_of_week,
        dayname(d) as day_name,
        cast(date_trunc('week', d) as date) as week_start,
        cast(date_trunc('month', d) as date) as month,
        isodow(d) in (6, 7) as is_weekend
    from days
)

select * from final
