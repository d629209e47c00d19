-- Once the build has clustered a kind, every item of it with an embedding has a cluster: every
-- prompt of dim_prompts with a text embedding, and every generation whose image has an embedding
-- of the build's image model. A row returned is an item left out.
select 'prompt' as kind, p.prompt_id as item
from {{ ref('dim_prompts') }} as p
where p.text_embedding is not null and p.prompt_cluster_id is null
  and exists (select 1 from {{ ref('dim_clusters') }} where cluster_kind = 'prompt')
union all
select 'visual', f.generation_id
from {{ ref('fact_generations') }} as f
join {{ source('enrich', 'image_embeddings') }} as e
  on e.image_path = f.image_path and e.model = '{{ var("image_model", "none") }}'
where f.thumb_path is not null and f.visual_cluster_id is null
  and exists (select 1 from {{ ref('dim_clusters') }} where cluster_kind = 'visual')
