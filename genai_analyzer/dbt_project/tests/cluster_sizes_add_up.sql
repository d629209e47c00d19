-- Each cluster's n_items is the number of prompts (or images) assigned to it, its n_generations
-- the generations of those, and the clusters of a kind hold every clustered item once. A row
-- returned is a cluster (or a whole kind, cluster_id null) whose figures disagree.
with prompts as (
    select prompt_cluster_id as cluster_id, count(*) as items, sum(n_generations) as generations
    from {{ ref('dim_prompts') }} where prompt_cluster_id is not null group by 1
),

images as (
    select visual_cluster_id as cluster_id, count(distinct image_path) as items, count(*) as generations
    from {{ ref('fact_generations') }} where visual_cluster_id is not null group by 1
),

totals as (
    select 'prompt' as kind, count(*) as n from {{ source('enrich', 'prompt_clusters') }}
    where model = '{{ var("embedding_model", "none") }}'
    union all
    select 'visual', count(*) from {{ source('enrich', 'visual_clusters') }}
    where model = '{{ var("image_model", "none") }}'
),

counted as (
    select 'prompt' as kind, * from prompts
    union all
    select 'visual', * from images
)

select d.cluster_kind, d.cluster_id
from {{ ref('dim_clusters') }} as d
full join counted as c on c.kind = d.cluster_kind and c.cluster_id = d.cluster_id
where d.n_items is distinct from c.items or d.n_generations is distinct from c.generations
union all
select t.kind, null
from totals as t
left join (select cluster_kind, sum(n_items) as n from {{ ref('dim_clusters') }} group by 1) as d
  on d.cluster_kind = t.kind
where coalesce(d.n, 0) <> t.n
