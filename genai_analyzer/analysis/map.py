"""The map: every generation placed by its prompt's (or its image's) 2-D coordinates, the UMAP
projection the build made (``pipeline/projection.py``, docs/map.md).

One query answers the Map tab, ``/map_points`` and the tests: the generations passing the shared
``Filters`` (less a selection on this same map, which it draws as a shape over its points; a
selection on the other map filters it like any other filter), at
most ``cap`` of them. Above the cap a deterministic sample is drawn, the generations with the
smallest ``hash(generation_id)``, so the same filters show the same points, and the rate is
reported (``MapPoints.rate``). Cluster labels sit at each cluster's median point.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from genai_analyzer.analysis.filters import MAP_KINDS, Filters
from genai_analyzer.analysis.queries import from_filtered
from genai_analyzer.warehouse.reader import Warehouse

DEFAULT_CAP = 20_000  # points drawn at most: a WebGL scatter stays smooth (docs/map.md)
MAX_CAP = 100_000
# What a point can be coloured by: a field's SQL over the generations grain, and whether it is a
# category (else a number on a colour scale). "cluster" is the map's own kind of cluster.
COLOR_FIELDS = {
    "cluster": (None, True),
    "domain": ("f.domain", True),
    "art_style": ("f.art_style", True),
    "status": ("f.status", True),
    "tier": ("u.tier", True),
    "cost": ("f.cost_usd", False),
}
PROMPT_CHARS = 120  # of each point's prompt, for its hover


def _check(kind: str, color: str, cap: int) -> None:
    if kind not in MAP_KINDS:
        raise ValueError(f"unknown map kind {kind!r}; use one of {', '.join(MAP_KINDS)}")
    if color not in COLOR_FIELDS:
        raise ValueError(f"unknown colour field {color!r}; use one of {', '.join(COLOR_FIELDS)}")
    if not 1 <= cap <= MAX_CAP:
        raise ValueError(f"cap must be between 1 and {MAX_CAP:,}, not {cap}")


@dataclass
class MapPoints:
    """The points of one map under the filters: ``points`` (generation_id, x, y, color, cluster_id,
    prompt, thumb_path; at most the cap), how many generations passed the filters and have
    coordinates (``total``), the share drawn (``rate``), and the ``labels`` at cluster centres
    (cluster_id, name, x, y, generations)."""

    kind: str
    color: str
    points: pd.DataFrame
    total: int
    rate: float
    labels: pd.DataFrame
    selection: object | None  # the filters' MapSelection, drawn as a shape

    @property
    def sampled(self) -> bool:
        return len(self.points) < self.total


def has_map(wh: Warehouse, kind: str) -> bool:
    """Whether this warehouse holds coordinates for ``kind``'s map (none when the build skipped it)."""
    _check(kind, "cluster", 1)
    return bool(wh.scalar(f"SELECT count(*) FROM fact_generations WHERE {kind}_map_x IS NOT NULL"))


def map_points(
    wh: Warehouse, kind: str = "prompt", filters: Filters | None = None, *, color: str = "cluster",
    cap: int = DEFAULT_CAP,
) -> MapPoints:  # fmt: skip
    """One row per generation (at most ``cap``, a deterministic sample above it) of ``kind``'s map
    that passes ``filters`` (a selection on this map aside) and has coordinates, coloured by ``color``
    (``COLOR_FIELDS``), with the labels of the clusters at their median point."""
    _check(kind, color, cap)
    filters = filters or Filters()
    selection = filters.map_selection
    if selection is not None and selection.kind == kind:  # drawn over the map, not applied to it
        filters = replace(filters, map_selection=None)
    else:
        selection = None  # a region of the other map filters this one like any other filter
    where, params = filters.where()
    x, y, cid = f"f.{kind}_map_x", f"f.{kind}_map_y", f"f.{kind}_cluster_id"
    where = f"{where} AND {x} IS NOT NULL"
    color_sql = COLOR_FIELDS[color][0] or f"f.{kind}_cluster"
    reads = f"{x} {y} {cid} {color_sql} f.prompt_id f.thumb_path"
    body = from_filtered(where, reads)
    total = int(wh.scalar(f"SELECT count(*) {body}", params))
    # the sample is chosen on the fact table's columns, then only its rows fetch their prompt
    points = wh.query(
        f"""
        WITH chosen AS (
            SELECT f.generation_id, {x} AS x, {y} AS y, {color_sql} AS color, {cid} AS cluster_id,
                   f.prompt_id, f.thumb_path
            {body}
            ORDER BY hash(f.generation_id), f.generation_id
            LIMIT $cap
        )
        SELECT c.generation_id, c.x, c.y, c.color, c.cluster_id, left(p.prompt, {PROMPT_CHARS}) AS prompt,
               c.thumb_path
        FROM chosen c LEFT JOIN dim_prompts p USING (prompt_id)
        ORDER BY hash(c.generation_id), c.generation_id
        """,
        {**params, "cap": cap},
    )
    labels = wh.query(
        f"""
        SELECT {cid} AS cluster_id, any_value(f.{kind}_cluster) AS name,
               median({x}) AS x, median({y}) AS y, count(*) AS generations
        {body} AND {cid} > 0
        GROUP BY 1 ORDER BY generations DESC, cluster_id
        """,
        params,
    )
    rate = len(points) / total if total else 1.0
    return MapPoints(kind, color, points, total, rate, labels, selection)
