"""Analytics by cluster: which kinds of prompts or images fail, are slow, cost most, get re-rolled
or make people give up (docs/clusters.md).

A cluster is a prompt cluster (prompts close in meaning, on their text embeddings) or a visual
cluster (images that look alike, on their image embeddings), made by the build
(``pipeline/clusters.py``) and described by the ``dim_clusters`` mart. Every figure counts the
generations that pass the shared ``Filters``, grouped by their prompt's or their image's cluster:

- **success rate**, **failure rate**, **p50 / p95 latency**, **cost** and **cost per generation**:
  the semantic layer's metrics (``success_rate``, ``failure_rate``, ``p50_latency_ms``,
  ``p95_latency_ms``, ``cost_usd``) over those generations;
- **re-roll rate**: generations that are a re-roll (``fct_prompt_edits.edit_type = 're_roll'``:
  the same prompt and settings as the session's previous generation, another seed) / generations;
- **abandonment**: the sessions that ended on a failed generation of the cluster / the sessions
  with a generation of the cluster (the leaderboards' definition, ``dim_sessions.abandoned``).

Not the leaderboards' "same text" groups (``leaderboards.GROUPS``: prompts equal but for case and
spacing); these clusters group prompts that differ in wording but not in meaning.
"""

from __future__ import annotations

import pandas as pd

from genai_analyzer.analysis import semantic
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.leaderboards import wilson_interval
from genai_analyzer.analysis.queries import GENERATIONS
from genai_analyzer.warehouse.reader import Warehouse

KINDS = ("prompt", "visual")
SORTS = ("generations", "success_rate", "failure_rate", "p95_latency_ms", "cost_per_generation",
         "reroll_rate", "abandonment_rate", "cluster_id")  # fmt: skip
DEFAULT_LIMIT = 60
CHART_CLUSTERS = 15  # the chart shows the clusters with the most generations
_METRICS = ("success_rate", "failure_rate", "p50_latency_ms", "p95_latency_ms", "cost_usd")


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown cluster kind {kind!r}; use one of {', '.join(KINDS)}")
    return kind


def has_clusters(wh: Warehouse, kind: str) -> bool:
    """Whether this warehouse holds clusters of ``kind`` (none when the build skipped them)."""
    return bool(
        wh.scalar("SELECT count(*) FROM dim_clusters WHERE cluster_kind = $k", {"k": _check_kind(kind)})
    )


def cluster_outcomes(
    wh: Warehouse,
    kind: str = "prompt",
    filters: Filters | None = None,
    *,
    sort: str = "generations",
    limit: int = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """One row per cluster of ``kind`` with generations passing ``filters``: cluster_id,
    cluster (its name), label, items (prompts or images in the whole cluster), generations, users,
    successes, success_rate with success_low and success_high (Wilson 95%), failure_rate,
    p50_latency_ms, p95_latency_ms, rerolls and reroll_rate, sessions, abandoned and
    abandonment_rate, cost_usd and cost_per_generation, representative_thumbs. Sorted by ``sort``
    (descending; cluster_id ascending), at most ``limit`` rows."""
    _check_kind(kind)
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    layer = semantic.load()
    where, params = (filters or Filters()).where()
    id_column = f"f.{kind}_cluster_id"
    metrics = ", ".join(f"{layer.metrics[m].sql} AS {m}" for m in _METRICS)
    source = GENERATIONS.from_reading(where, id_column, metrics)
    frame = wh.query(
        f"""
        WITH passing AS (
            SELECT {id_column} AS cluster_id, f.generation_id, f.session_id, f.session_seq, f.user_id,
                   f.status, f.latency_ms, f.cost_usd
            FROM {source} WHERE {where} AND {id_column} IS NOT NULL
        ),
        per_cluster AS (  -- f: the passing generations, so the metrics' SQL reads them as written
            SELECT f.cluster_id,
                   count(*) AS generations,
                   count(DISTINCT f.user_id) AS users,
                   count(*) FILTER (WHERE f.status = 'success') AS successes,
                   {metrics},
                   count(*) FILTER (WHERE e.edit_type = 're_roll') AS rerolls,
                   count(DISTINCT f.session_id) AS sessions,
                   count(*) FILTER (WHERE s.abandoned AND f.session_seq = s.n_generations) AS abandoned
            FROM passing f
            JOIN dim_sessions s USING (session_id)
            LEFT JOIN fct_prompt_edits e USING (generation_id)
            GROUP BY f.cluster_id
        )
        SELECT c.cluster_id, c.cluster_name AS cluster, c.label, c.n_items AS items, m.*
               EXCLUDE (cluster_id),
               m.rerolls / m.generations AS reroll_rate,
               m.abandoned / m.sessions AS abandonment_rate,
               m.cost_usd / m.generations AS cost_per_generation,
               c.representative_thumbs
        FROM per_cluster m JOIN dim_clusters c ON c.cluster_kind = $kind AND c.cluster_id = m.cluster_id
        """,
        {**params, "kind": kind},
    )
    low, high = wilson_interval(frame["successes"].to_numpy(), frame["generations"].to_numpy())
    frame.insert(frame.columns.get_loc("success_rate") + 1, "success_low", low)
    frame.insert(frame.columns.get_loc("success_low") + 1, "success_high", high)
    ascending = sort == "cluster_id"
    frame = frame.sort_values([sort, "cluster_id"], ascending=[ascending, True], kind="stable")
    return frame.head(max(0, int(limit))).reset_index(drop=True)


def cluster_chart_frame(wh: Warehouse, kind: str, filters: Filters | None = None) -> pd.DataFrame:
    """The rows of the Analytics chart by cluster (and its CSV export): ``cluster_outcomes`` for
    the ``CHART_CLUSTERS`` clusters with the most generations, without the thumbnail paths; no
    rows when the warehouse has no clusters of ``kind``."""
    if not has_clusters(wh, kind):
        return pd.DataFrame(columns=["cluster_id", "cluster", "generations"])
    frame = cluster_outcomes(wh, kind, filters, limit=CHART_CLUSTERS)
    return frame.drop(columns="representative_thumbs")
