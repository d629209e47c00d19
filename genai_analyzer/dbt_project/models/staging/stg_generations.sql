-- One row per generation: the raw row joined to its session and telemetry, renamed and typed.
with generations as (
    select * from {{ source('raw', 'generations') }}
),

sessions as (
    select * from {{ source('raw', 'sessionized') }}
),

telemetry as (
    select * from {{ source('raw', 'telemetry') }}
),

-- NSFW scores the build made from thumbnails (one classifier per build; the source's score wins)
nsfw_scores as (
    select image_path, any_value(nsfw) as nsfw
    from {{ source('enrich', 'image_nsfw_scores') }}
    group by image_path
),

final as (
    select
        g.generation_id,
        g.prompt_id,
        s.user_id,
        s.session_id,
        s.session_seq::integer as session_seq,
        g.created_at,
        cast(timezone('UTC', g.created_at) as date) as date_key,
        g.source,
        g.image_name,
        g.part_id,
        g.prompt,
        -- whitespace- and case-insensitive text, to spot re-submissions of the same prompt
        lower(trim({{ collapse_whitespace('g.prompt') }})) as prompt_normalized,
        g.seed,
        g.step,
        g.cfg,
        g.sampler,
        g.width,
        g.height,
        coalesce(g.image_nsfw, n.nsfw) as image_nsfw,
        case
            when g.image_nsfw is not null then 'source'
            when n.nsfw is not null then 'scored'
        end as image_nsfw_source,
        g.prompt_nsfw,
        g.image_path,
        g.model,
        t.status,
        t.error_code,
        t.queue_ms::bigint as queue_ms,
        t.latency_ms::bigint as latency_ms,
        t.gpu_seconds,
        t.cost_usd,
        t.revenue_usd
    from generations as g
    inner join sessions as s using (generation_id)
    inner join telemetry as t using (generation_id)
    left join nsfw_scores as n on n.image_path = g.image_path
)

select * from final
