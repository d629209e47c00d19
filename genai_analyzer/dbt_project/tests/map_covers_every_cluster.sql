-- Once the build has made a kind's map, every item of that kind with a cluster has coordinates:
-- every clustered prompt of dim_prompts, and every generation whose image has a visual cluster.
-- A row returned is an item left off the map.
select 'prompt' as kind, p.prompt_id as item
from {{ ref('dim_prompts') }} as p
where p.prompt_cluster_id is not null and (p.map_x is null or p.map_y is null)
  and exists (select 1 from {{ ref('dim_prompts') }} where map_x is not null)
union all
select 'visual', f.generation_id
from {{ ref('fact_generations') }} as f
where f.visual_cluster_id is not null and (f.visual_map_x is null or f.visual_map_y is null)
  and exists (select 1 from {{ ref('fact_generations') }} where visual_map_x is not null)
