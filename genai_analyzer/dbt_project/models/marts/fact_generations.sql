-- The fact table: one row per generation, keyed to the user, session, prompt and date dimensions.
-- It also carries its prompt's labels (domain, art_style, their confidences, complexity_score) from dim_prompts: the
-- Analytics breakdowns and filters read them on every refresh, and at 1M generations joining
-- dim_prompts for them cost about 250 ms a query (docs/benchmarks.md, App). dim_prompts stays
-- the one place they are defined; a data test checks the copies agree. Likewise its prompt's
-- cluster, and its image's visual cluster (genai_analyzer/pipeline/clusters.py, docs/clusters.md),
-- and the map coordinates of its prompt and of its image (pipeline/projection.py, docs/map.md).
with generations as (
    select * from {{ ref('stg_generations') }}
),

prompt_labels as (
    select prompt_id, domain, art_style, complexity_score, domain_confidence, art_style_confidence,
           prompt_cluster_id, prompt_cluster, map_x as prompt_map_x, map_y as prompt_map_y
    from {{ ref('dim_prompts') }}
),

visual_clusters as (
    select c.image_path, any_value(c.cluster_id) as visual_cluster_id, any_value(n.name) as visual_cluster
    from {{ source('enrich', 'visual_clusters') }} as c
    join {{ source('enrich', 'clusters') }} as n
      on n.kind = 'visual' and n.model = c.model and n.cluster_id = c.cluster_id
    where c.model = '{{ var("image_model", "none") }}'
    group by c.image_path
),

visual_map as (
    select image_path, any_value(x) as visual_map_x, any_value(y) as visual_map_y
    from {{ source('enrich', 'visual_map') }}
    where model = '{{ var("image_model", "none") }}'
    group by image_path
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
        image_nsfw_source,
        prompt_nsfw,
        model,
        status,
        error_code,
        queue_ms,
        latency_ms,
        gpu_seconds,
        cost_usd,
        revenue_usd,
        prompt_labels.domain,
        prompt_labels.art_style,
        prompt_labels.complexity_score,
        prompt_labels.domain_confidence,
        prompt_labels.art_style_confidence,
        prompt_labels.prompt_cluster_id,
        prompt_labels.prompt_cluster,
        visual_clusters.visual_cluster_id,
        visual_clusters.visual_cluster,
        prompt_labels.prompt_map_x,
        prompt_labels.prompt_map_y,
        visual_map.visual_map_x,
        visual_map.visual_map_y,
        generations.image_path,
        thumbnails.thumb_path
    from generations
    left join prompt_labels using (prompt_id)
    left join thumbnails using (image_path)
    left join visual_clusters using (image_path)
    left join visual_map using (image_path)
)

select * from final
