"""The cluster endpoint: outcomes per prompt cluster or visual cluster (docs/clusters.md).

A mixin of ``api.endpoints.Api`` (which registers it by name in ``ENDPOINTS``): the same
conventions hold, ``clusters_frame`` returns the DataFrame behind the Analytics chart, its CSV
export and the CLI, ``clusters`` its records, and every argument is checked before a query runs.
A warehouse built without clusters answers with an error of code ``unavailable`` that says how to
make them.
"""

from __future__ import annotations

import pandas as pd

from genai_analyzer.analysis import clusters
from genai_analyzer.analysis.filters import NO_FILTERS, Filters
from genai_analyzer.api.checks import InputError, check_choice, check_count, thumb_url
from genai_analyzer.core.jsonable import records
from genai_analyzer.warehouse.reader import Warehouse

NO_CLUSTERS = (
    "This warehouse has no {kind} clusters: it was built with --skip clusters, or without {what}. "
    "Run `genai-analyzer enrich clusters` (docs/clusters.md)."
)
_WHAT = {"prompt": "prompt embeddings", "visual": "image embeddings"}


class ClusterEndpoints:
    """Analytics by cluster over ``self.wh``."""

    wh: Warehouse

    def has_clusters(self, kind: str = "prompt") -> bool:
        """Whether the warehouse holds clusters of ``kind`` (prompt or visual)."""
        return clusters.has_clusters(self.wh, check_choice(kind, "kind", clusters.KINDS, "cluster kind"))

    def clusters_frame(self, kind: str, filters: Filters, sort: str, limit: int) -> pd.DataFrame:
        """The rows behind the Analytics chart by cluster, its CSV export, the CLI and /clusters,
        the arguments checked (an InputError naming a bad one)."""
        kind = check_choice(kind, "kind", clusters.KINDS, "cluster kind")
        sort = check_choice(sort, "sort", clusters.SORTS, "sort")
        limit = check_count(limit, "limit", 1000)
        if not clusters.has_clusters(self.wh, kind):
            raise InputError(NO_CLUSTERS.format(kind=kind, what=_WHAT[kind]), code="unavailable")
        return clusters.cluster_outcomes(self.wh, kind, filters, sort=sort, limit=limit)

    def clusters(
        self,
        kind: str = "prompt",
        sort: str = "generations",
        limit: int = clusters.DEFAULT_LIMIT,
        filters: Filters = NO_FILTERS,
    ) -> list[dict]:
        """Outcomes per cluster: kind prompt (prompts close in meaning, on their text embeddings)
        or visual (images that look alike, on their image embeddings); not the leaderboards'
        "same text" groups. One record per cluster with generations passing the filters:
        cluster_id, cluster (its name, '#3 castle, dragon, fantasy'), label (its most distinctive
        terms), items (its prompts or images), generations, users, successes, success_rate with
        success_low and success_high (Wilson 95%), failure_rate, p50_latency_ms, p95_latency_ms,
        rerolls and reroll_rate, sessions, abandoned and abandonment_rate (sessions that ended on
        a failed generation of the cluster), cost_usd, cost_per_generation, and thumb_urls (the
        images nearest its centroid). sort: generations (default), success_rate, failure_rate,
        p95_latency_ms, cost_per_generation, reroll_rate, abandonment_rate (each highest first)
        or cluster_id; limit 1-1000. Error unavailable when the warehouse has no such clusters."""
        rows = records(self.clusters_frame(kind, filters, sort, limit))
        for row in rows:
            row["thumb_urls"] = [thumb_url(p) for p in row.pop("representative_thumbs") or []]
        return rows
