"""The map as a Plotly figure (docs/map.md): a WebGL scatter of ``map.MapPoints``, one trace per
category of the colour field (the 19 largest, the rest as "other") or one trace on a colour scale
for cost, the cluster labels at their median points, and the map selection drawn as a shape.

Each point carries ``customdata`` [generation_id, prompt, thumbnail URL] for the Map tab's hover
panel; ``layout.meta.map_kind`` tells its script which map a box or lasso was drawn on.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from genai_analyzer.analysis.map import COLOR_FIELDS, MapPoints
from genai_analyzer.analysis.plotting import SEQUENCE, STATUS_COLOURS, TEMPLATE, TIER_COLOURS, empty

MAX_CATEGORIES = 19
CORE_SHARE = (0.01, 0.99)  # the quantiles the axes show at first (_core_range)
MAX_LABELS = 20  # cluster labels drawn (the largest clusters); more would cover the points
LABEL_BOX = (0.16, 0.045)  # a label's room as shares of the x and y ranges (labels never overlap)
PALETTE = SEQUENCE + ["#a3e635", "#f472b6", "#38bdf8", "#fb923c", "#c084fc", "#2dd4bf", "#facc15",
                      "#f87171", "#818cf8", "#4ade80", "#e2e8f0", "#fda4af"]  # fmt: skip
FIXED = {"status": STATUS_COLOURS, "tier": TIER_COLOURS}
TITLES = {"cluster": "cluster", "domain": "domain", "art_style": "art style", "status": "status",
          "tier": "tier", "cost": "cost per generation (USD)"}  # fmt: skip


def map_figure(found: MapPoints, thumb_url, height: int = 620) -> go.Figure:
    """The figure of ``found``; ``thumb_url`` turns a thumbnail path into the URL the page loads.
    The title says how many of how many generations it draws (with the rate when sampled)."""
    what = f"{found.kind} map"
    if found.points.empty:
        return empty(f"The {what}", "No generations with map coordinates match these filters.")
    points = found.points
    thumbs = [thumb_url(p) or "" for p in points["thumb_path"]]
    custom = list(zip(points["generation_id"], points["prompt"].fillna(""), thumbs, strict=True))
    fig = go.Figure()
    hover = "%{customdata[1]}<extra>%{fullData.name}</extra>"
    if COLOR_FIELDS[found.color][1]:
        values = points["color"].fillna("(none)").astype(str)
        order = values.value_counts()
        kept = list(order.index[:MAX_CATEGORIES])
        values = values.where(values.isin(kept), "other")
        fixed = FIXED.get(found.color, {})
        for i, name in enumerate([*kept, "other"] if len(order) > MAX_CATEGORIES else kept):
            rows = (values == name).to_numpy()
            fig.add_trace(
                go.Scattergl(
                    x=points["x"][rows], y=points["y"][rows], mode="markers", name=name,
                    marker={"size": 5, "opacity": 0.75, "color": fixed.get(name, PALETTE[i % len(PALETTE)])},
                    customdata=[c for c, r in zip(custom, rows, strict=True) if r], hovertemplate=hover,
                )
            )  # fmt: skip
    else:
        fig.add_trace(
            go.Scattergl(
                x=points["x"], y=points["y"], mode="markers", name="cost",
                marker={"size": 4, "opacity": 0.8, "color": points["color"].astype(float),
                        "colorscale": "Viridis", "colorbar": {"title": {"text": "USD"}, "thickness": 12}},
                customdata=custom,
                hovertemplate="%{customdata[1]}<br>cost %{marker.color:$.4f}<extra></extra>",
            )
        )  # fmt: skip
    x_range, y_range = _core_range(points["x"]), _core_range(points["y"])
    labels = apart(found.labels.head(MAX_LABELS), x_range, y_range)
    # annotations, not a text trace: the WebGL points are drawn above every SVG trace and would
    # cover the names; an annotation sits on top, on a dark plate that keeps it readable
    for _, label in labels.iterrows():
        # a centre outside the shown range (a far island pulls a cluster's median out) is drawn at
        # the range's edge, running inwards, instead of beyond the map
        x = min(max(float(label["x"]), x_range[0]), x_range[1])
        y = min(max(float(label["y"]), y_range[0]), y_range[1])
        y_anchor = "bottom" if y == y_range[0] else "top" if y == y_range[1] else "middle"
        fig.add_annotation(
            x=x, y=y, text=html.escape(str(label["name"])), showarrow=False,
            xanchor=label_anchor(x, x_range), yanchor=y_anchor,
            font={"size": 11, "color": "#f8fafc"}, bgcolor="rgba(15, 23, 43, 0.72)", borderpad=2,
        )  # fmt: skip
    _draw_selection(fig, found.selection, found.kind)
    shown = f"{len(points):,} of {found.total:,}" + (f" ({found.rate:.1%})" if found.sampled else "")
    fig.update_layout(
        title={
            "text": f"{what.capitalize()} by {TITLES[found.color]} · {shown}",
            "x": 0.01,
            "font": {"size": 14},
        },
        template=TEMPLATE,
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        dragmode="select",
        hovermode="closest",
        showlegend=COLOR_FIELDS[found.color][1] and found.color != "cluster",
        legend={"orientation": "h", "y": -0.02, "itemsizing": "constant"},
        xaxis={"visible": False, "range": x_range},
        yaxis={"visible": False, "range": y_range},
        meta={"map_kind": found.kind},
        uirevision=found.kind,
    )
    return fig


def label_anchor(x: float, x_range: list[float]) -> str:
    """Which end of a label sits at its cluster's centre: a label centred on a cluster near the
    map's left or right edge would run off it (cut at 390 px), so there it starts or ends at the
    centre and runs inwards."""
    share = (x - x_range[0]) / ((x_range[1] - x_range[0]) or 1.0)
    # thirds: on a phone's 300 px map a centred label of 200 px needs a third of the width on each
    # side, one run inwards from the outer thirds at most two thirds
    return "left" if share < 1 / 3 else "right" if share > 2 / 3 else "center"


def apart(labels: pd.DataFrame, x_range: list[float], y_range: list[float]) -> pd.DataFrame:
    """The labels (largest cluster first) that do not cover a larger cluster's label: a label is
    kept when its box (LABEL_BOX, a share of the axis ranges: about one label's width and height on
    the default map, placed as ``label_anchor`` places it at its clamped centre) overlaps no box of
    a label kept before it."""
    width, height = (x_range[1] - x_range[0]) * LABEL_BOX[0], (y_range[1] - y_range[0]) * LABEL_BOX[1]
    kept: list[int] = []
    xs = np.clip(labels["x"].to_numpy(float), x_range[0], x_range[1])
    ys = np.clip(labels["y"].to_numpy(float), y_range[0], y_range[1])
    shift = {"left": 0.0, "center": -0.5, "right": -1.0}
    lefts = np.array([x + shift[label_anchor(x, x_range)] * width for x in xs])
    for i in range(len(labels)):
        if all(abs(lefts[i] - lefts[j]) >= width or abs(ys[i] - ys[j]) >= height for j in kept):
            kept.append(i)
    return labels.iloc[kept]


def _core_range(values) -> list[float]:
    """The axis range holding the central 98% of the points with a margin: UMAP leaves a few far
    islands (re-rolled prompts, near-copies) that would otherwise squeeze the rest into a corner.
    A double-click on the map (Plotly's autoscale) shows every point."""
    low, high = values.quantile(CORE_SHARE[0]), values.quantile(CORE_SHARE[1])
    margin = (high - low) * 0.08 or 1.0
    return [float(low - margin), float(high + margin)]


def _draw_selection(fig: go.Figure, selection, kind: str) -> None:
    if selection is None or selection.kind != kind:  # a region of the other map is not drawn here
        return
    line = {"color": "#facc15", "width": 2, "dash": "dot"}
    if selection.shape == "box":
        x0, x1, y0, y1 = selection.points
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line=line)
    else:
        xs, ys = selection.points[0::2], selection.points[1::2]
        path = "M " + " L ".join(f"{x},{y}" for x, y in zip(xs, ys, strict=True)) + " Z"
        fig.add_shape(type="path", path=path, line=line)
