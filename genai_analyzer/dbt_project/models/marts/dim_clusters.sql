-- One row per prompt cluster and per visual cluster (genai_analyzer/pipeline/clusters.py,
-- docs/clusters.md): its number, name ('#3 castle, dragon, fantasy'), label terms (class-based
-- TF-IDF of its prompts), items (prompts or images), the generations of those items, and its
-- representatives (the items nearest its centroid, nearest first) with their thumbnails.
with clusters as (
    select * from {{ source('enrich', 'clusters') }}
    where (kind = 'prompt' and model = '{{ var("embedding_model", "none") }}')
       or (kind = 'visual' and model = '{{ var("image_model", "none") }}')
),

prompt_generations as (
    select prompt_cluster_id as cluster_id, count(*) as n_generations
    from {{ ref('fact_generations') }}
    where prompt_cluster_id is not null
    group by 1
),

visual_generations as (
    select visual_cluster_id as cluster_id, count(*) as n_generations
    from {{ ref('fact_generations') }}
    where visual_cluster_id is not null
    group by 1
),

representatives as (
    select kind, cluster_id,
           unnest(representatives) as item,
           unnest(generate_series(1, len(representatives))) as position
    from clusters
),

item_thumbs as (
    select 'visual' as kind, image_path as item, any_value(thumb_path) as thumb_path
    from {{ source('enrich', 'thumbnails') }} where thumb_path is not null group by image_path
    union all
    select 'prompt', prompt_id, arg_max(thumb_path, created_at)
    from {{ ref('fact_generations') }} where thumb_path is not null group by prompt_id
),

-- a thumbnail per representative: the image itself (visual), or the latest image of the prompt
representative_thumbs as (
    select r.kind, r.cluster_id,
           list(t.thumb_path order by r.position) filter (where t.thumb_path is not null) as thumbs
    from representatives as r
    left join item_thumbs as t on t.kind = r.kind and t.item = r.item
    group by r.kind, r.cluster_id
),

final as (
    select
        c.kind as cluster_kind,
        c.cluster_id,
        c.name as cluster_name,
        c.label,
        c.terms,
        c.n_items,
        coalesce(case when c.kind = 'prompt' then pg.n_generations else vg.n_generations end, 0)
            as n_generations,
        c.representatives,
        coalesce(t.thumbs, []) as representative_thumbs,
        c.model
    from clusters as c
    left join prompt_generations as pg on c.kind = 'prompt' and pg.cluster_id = c.cluster_id
    left join visual_generations as vg on c.kind = 'visual' and vg.cluster_id = c.cluster_id
    left join representative_thumbs as t on t.kind = c.kind and t.cluster_id = c.cluster_id
)

select * from final
