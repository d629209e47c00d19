-- One row per distinct prompt text (prompt_id is a hash of the exact text), with its
-- embedding, labels, prompt cluster and map coordinates from the enrichment steps (null where a step was skipped).
with generations as (
    select * from {{ ref('stg_generations') }}
),

embeddings as (
    select prompt_id, embedding, model
    from {{ source('enrich', 'prompt_embeddings') }}
    where model = '{{ var("embedding_model", "none") }}'
),

labels as (
    select prompt_id, domain, art_style, complexity_score, label_source,
           domain_confidence, art_style_confidence
    from {{ source('enrich', 'prompt_labels') }}
    where labeller = '{{ var("labeller_key", "none") }}'
),

prompt_clusters as (
    select c.prompt_id, c.cluster_id as prompt_cluster_id, n.name as prompt_cluster
    from {{ source('enrich', 'prompt_clusters') }} as c
    join {{ source('enrich', 'clusters') }} as n
      on n.kind = 'prompt' and n.model = c.model and n.cluster_id = c.cluster_id
    where c.model = '{{ var("embedding_model", "none") }}'
),

prompt_map as (
    select prompt_id, x as map_x, y as map_y
    from {{ source('enrich', 'prompt_map') }}
    where model = '{{ var("embedding_model", "none") }}'
),

per_prompt as (
    select
        prompt_id,
        any_value(prompt) as prompt,
        any_value(prompt_normalized) as prompt_normalized,
        count(*) as n_generations,
        count(distinct user_id) as n_users,
        min(created_at) as first_seen_at
    from generations
    group by prompt_id
),

spaced as (
    select *, trim({{ collapse_whitespace('prompt') }}) as collapsed
    from per_prompt
),

final as (
    select
        p.prompt_id,
        p.prompt,
        p.prompt_normalized,
        -- words: the spaces between them, plus one
        case when p.collapsed = '' then 0
             else strlen(p.collapsed) - strlen(replace(p.collapsed, ' ', '')) + 1 end as n_words,
        length(p.prompt) as n_chars,
        p.n_generations,
        p.n_users,
        p.first_seen_at,
        cast(e.embedding as float[{{ var("embedding_dim", 384) }}]) as text_embedding,
        e.model as embedding_model,
        l.domain,
        l.art_style,
        l.complexity_score,
        l.label_source,
        l.domain_confidence,
        l.art_style_confidence,
        c.prompt_cluster_id,
        c.prompt_cluster,
        m.map_x,
        m.map_y
    from spaced as p
    left join embeddings as e using (prompt_id)
    left join labels as l using (prompt_id)
    left join prompt_clusters as c using (prompt_id)
    left join prompt_map as m using (prompt_id)
)

select * from final
