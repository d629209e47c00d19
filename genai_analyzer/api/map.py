"""The map endpoint: the points of the prompt or visual map under the filters (docs/map.md).

A mixin of ``api.endpoints.Api`` (registered by name in ``ENDPOINTS``): ``map_points_data`` gives
the query's result to the Map tab, ``map_points`` the same points as a JSON-ready answer. A
warehouse built without the map answers with an error of code ``unavailable`` saying how to add it.
"""

from __future__ import annotations

from genai_analyzer.analysis import map as points_map
from genai_analyzer.analysis.filters import MAP_KINDS, NO_FILTERS, Filters
from genai_analyzer.api.checks import InputError, check_choice, check_count, thumb_url
from genai_analyzer.core.jsonable import records
from genai_analyzer.warehouse.reader import Warehouse

NO_MAP = (
    "This warehouse has no {kind} map: it was built with --skip clusters, without {what}, or by a "
    "version before the map. Run `genai-analyzer enrich clusters` (docs/map.md)."
)
_WHAT = {"prompt": "prompt embeddings", "visual": "image embeddings"}


class MapEndpoints:
    """The map's points over ``self.wh``."""

    wh: Warehouse

    def has_map(self, kind: str = "prompt") -> bool:
        """Whether the warehouse holds coordinates for ``kind``'s map (prompt or visual)."""
        return points_map.has_map(self.wh, check_choice(kind, "kind", MAP_KINDS, "map kind"))

    def map_points_data(self, kind: str, filters: Filters, color: str, cap: int) -> points_map.MapPoints:
        """The query behind the Map tab and /map_points, the arguments checked (an InputError
        naming a bad one)."""
        kind = check_choice(kind, "kind", MAP_KINDS, "map kind")
        color = check_choice(color, "color", tuple(points_map.COLOR_FIELDS), "colour field")
        cap = check_count(cap, "cap", points_map.MAX_CAP)
        if not points_map.has_map(self.wh, kind):
            raise InputError(NO_MAP.format(kind=kind, what=_WHAT[kind]), code="unavailable")
        return points_map.map_points(self.wh, kind, filters, color=color, cap=cap)

    def map_points(
        self,
        kind: str = "prompt",
        color: str = "cluster",
        cap: int = points_map.DEFAULT_CAP,
        filters: Filters = NO_FILTERS,
    ) -> dict:
        """The points of the prompt map (kind prompt: each generation at its prompt's place in a 2-D
        UMAP projection of the text embeddings) or the visual map (kind visual: at its image's place,
        from the image embeddings), for the generations passing the filters; a map_selection filter
        is returned as ``selection`` rather than applied, so the map shows what lies around it.
        Returns total (generations with coordinates passing the filters), shown, rate (shown /
        total: above ``cap``, 1-100,000, default 20,000, a deterministic sample), points (one record
        each: generation_id, x, y, color, cluster_id, prompt, thumb_url), and labels (cluster_id,
        name, x, y at the cluster's median point, generations). color: cluster (default), domain,
        art_style, status, tier or cost. Error unavailable when the warehouse has no such map."""
        found = self.map_points_data(kind, filters, color, cap)
        points = records(found.points)
        for row in points:
            row["thumb_url"] = thumb_url(row.pop("thumb_path"))
        return {
            "kind": found.kind,
            "color": found.color,
            "total": found.total,
            "shown": len(points),
            "rate": round(found.rate, 6),
            "selection": found.selection.text() if found.selection else None,
            "points": points,
            "labels": records(found.labels),
        }
