-- A cluster is one row per (kind, number), and its name is unique within its kind: the name is
-- what a filter or a question picks it by. A row returned is a duplicate.
select cluster_kind, cluster_id from {{ ref('dim_clusters') }}
group by cluster_kind, cluster_id having count(*) > 1
union all
select cluster_kind, null from {{ ref('dim_clusters') }}
group by cluster_kind, cluster_name having count(*) > 1
