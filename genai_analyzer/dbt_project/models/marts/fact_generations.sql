-- The fact table: one row per generation, keyed to the user, session, prompt and date dimensions.
with generations as (
    select * from {{ ref('stg_generations') }}
),

thumbnails as (
    select image_path, thumb_path from {{ source('enrich', 'thumbnails') }}
    where thumb_path is not null
),

final as (
    select
        generation_id,
        prompt_id,
        user_id,
        session_id,
        session_seq,
        created_at,
        date_key,
        source,
        image_name,
        part_id,
        seed,
        step,
        cfg,
        sampler,
        width,
        height,
        image_nsfw,
        prompt_nsfw,
        model,
        status,
        error_code,
        queue_ms,
        latency_ms,
        gpu_seconds,
        cost_usd,
        revenue_usd,
        generations.image_path,
        thumbnails.thumb_path
    from generations
    left join thumbnails using (image_path)
)

select * from final
