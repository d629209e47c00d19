-- fact_generations carries copies of its prompt's labels and map coordinates; they must equal dim_prompts' (a row
-- returned is a generation whose copy disagrees).
select f.generation_id
from {{ ref('fact_generations') }} as f
join {{ ref('dim_prompts') }} as p using (prompt_id)
where f.domain is distinct from p.domain
   or f.art_style is distinct from p.art_style
   or f.complexity_score is distinct from p.complexity_score
   or f.prompt_map_x is distinct from p.map_x
   or f.prompt_map_y is distinct from p.map_y
