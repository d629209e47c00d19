"""Plotly figures for the app, one consistent look: dark slate, one purple accent.

Each function takes a query-layer DataFrame and returns a figure; an empty frame gives an empty
state figure with a sentence instead of a blank chart. A chart over time reads its grain from the
frame (``timegrain``): its title, its ticks (one format per grain, a range of whole buckets even for
a single point) and its lines, broken where a bucket between two others holds no generations. A
frame with a ``period`` column (``queries.with_previous_period``) adds the previous period as a
dashed overlay, labelled with its dates.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from genai_analyzer.analysis import timegrain

ACCENT = "#8b5cf6"
TIER_COLOURS = {"free": "#94a3b8", "pro": ACCENT, "enterprise": "#22d3ee"}
STATUS_COLOURS = {"success": "#22c55e", "error": "#ef4444", "timeout": "#f59e0b", "nsfw_blocked": "#e879f9"}
PREVIOUS = "#cbd5e1"  # the previous period's overlay, dashed
SEQUENCE = [ACCENT, "#22d3ee", "#f59e0b", "#22c55e", "#ef4444", "#e879f9", "#94a3b8", "#60a5fa"]


SLATE = "#111827"
GRID = "#1f2937"
# The parts of plotly's "plotly_dark" template these charts use, on our slate. Naming
# "plotly_dark" instead copies its whole template, every trace type and colour scale, into each
# figure: about 40 ms a figure to build, and again to serialize for the page.
DARK = go.layout.Template(
    layout={
        "paper_bgcolor": SLATE,
        "plot_bgcolor": SLATE,
        "font": {"family": "Space Grotesk, ui-sans-serif, system-ui, sans-serif", "color": "#e2e8f0"},
        "colorway": SEQUENCE,
        "hoverlabel": {"align": "left"},
        "annotationdefaults": {"arrowcolor": "#f2f5fa", "arrowhead": 0, "arrowwidth": 1},
        "shapedefaults": {"line": {"color": "#f2f5fa"}},
        "coloraxis": {"colorbar": {"outlinewidth": 0, "ticks": ""}},
        "autotypenumbers": "strict",
        **{
            axis: {
                "gridcolor": GRID,
                "linecolor": "#506784",
                "zerolinecolor": GRID,
                "zerolinewidth": 2,
                "ticks": "",
                "automargin": True,
                "title": {"standoff": 15},
            }
            for axis in ("xaxis", "yaxis")
        },
    },
    data={
        "bar": [{"marker": {"line": {"color": SLATE, "width": 0.5}}}],
        "scatter": [{"marker": {"line": {"color": "#283442"}}}],
    },
)
# Registered and named: plotly then looks it up without validating a copy for every figure
# (6 ms a figure instead of 21 for passing the object).
TEMPLATE = "genai_dark"
pio.templates[TEMPLATE] = DARK


def layout(fig: go.Figure, title: str, height: int = 320) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 15}},
        template=TEMPLATE,
        height=height,
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        hovermode="x unified",
    )
    return fig


def alert_badge(fig: go.Figure, fired: list) -> go.Figure:
    """A red badge in the chart's top right corner naming the alert rules that fired (findings of
    ``analysis.alerts``) for a metric it shows, each reason in its hover text; none when nothing
    fired. The rules judge the whole warehouse on its last day, whatever the filters."""
    if not fired:
        return fig
    day = fired[0].day
    names = sorted({f.rule for f in fired})
    text = f"⚠ {names[0]}" if len(names) == 1 else f"⚠ {len(names)} alerts"
    fig.add_annotation(
        text=f"{text} · {day:%b %-d}",
        hovertext="<br>".join(f.reason for f in fired),
        xref="paper", yref="paper", x=1, y=1.13, xanchor="right", yanchor="bottom", showarrow=False,
        font={"color": "#ffffff", "size": 12}, bgcolor="#dc2626", bordercolor="#fca5a5", borderpad=3,
    )  # fmt: skip
    return fig


def empty(title: str, message: str = "No generations match these filters.") -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, font={"size": 14, "color": "#94a3b8"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, title)


# --- the time axis -------------------------------------------------------------------------------

# Tick and hover labels per grain (d3 time formats): hours show their day under them, weeks start
# on the Monday shown.
TICK_FORMATS = {"hour": "%H:%M<br>%b %-d", "day": "%b %-d", "week": "%b %-d", "month": "%b %Y"}
HOVER_FORMATS = {
    "hour": "%b %-d, %Y %H:%M UTC",
    "day": "%a %b %-d, %Y",
    "week": "week of %b %-d, %Y",
    "month": "%B %Y",
}
# A tick every k buckets, k the first of these that leaves at most MAX_TICKS ticks.
TICK_EVERY = {"hour": (1, 2, 3, 6, 12, 24), "day": (1, 2, 7, 14, 28), "week": (1, 2, 4, 8, 13, 26),
              "month": (1, 2, 3, 6, 12)}  # fmt: skip
BUCKET_MS = {"hour": 3_600_000, "day": 86_400_000, "week": 7 * 86_400_000}
MAX_TICKS = 8


def _stamp(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d %H:%M:%S")


def time_axis(fig: go.Figure, buckets: pd.Series, grain: str) -> None:
    """An x axis of whole buckets of ``grain``: half a bucket of room on each side (one bucket wide
    for a single point, never a fraction of a second), a tick every k buckets from the first, in
    the grain's format."""
    first, last = pd.Timestamp(buckets.min()), pd.Timestamp(buckets.max())
    n = timegrain.buckets_between(grain, first, last)
    every = next((k for k in TICK_EVERY[grain] if n <= k * MAX_TICKS), None)
    if every is None:  # months beyond 8 years: whole years
        every = 12 * math.ceil(n / (12 * MAX_TICKS))
    half = (timegrain.next_bucket(first, grain) - first) / 2
    fig.update_xaxes(
        type="date",
        range=[_stamp(first - half), _stamp(last + half)],
        tick0=_stamp(first),
        dtick=f"M{every}" if grain == "month" else every * BUCKET_MS[grain],
        tickformat=TICK_FORMATS[grain],
        hoverformat=HOVER_FORMATS[grain],
    )


def gapped(x, y, after) -> tuple[list, list]:
    """(x, y) with a None point wherever x skips a bucket (``after(v)``: the bucket after ``v``),
    so that a line breaks across empty buckets instead of joining its neighbours."""
    xs, ys = [], []
    for value, height in zip(x, y, strict=True):
        if xs and value > after(xs[-1]):
            xs.append(after(xs[-1]))
            ys.append(None)
        xs.append(value)
        ys.append(None if pd.isna(height) else float(height))
    return xs, ys


def _line(fig: go.Figure, rows: pd.DataFrame, column: str, grain: str, **trace) -> None:
    x, y = gapped(rows["bucket"], rows[column], lambda t: timegrain.next_bucket(t, grain))
    fig.add_scatter(x=x, y=y, mode="lines+markers", marker={"size": 5}, **trace)


def periods_of(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None, str | None]:
    """(the current period's rows, the compared period's or None, its label or None): "previous
    period: 2025-09-15 to 2025-09-28", or "compared period: ..." for a chosen one."""
    if "period" not in frame.columns:
        return frame, None, None
    current, other = frame[frame["period"] == "current"], frame[frame["period"] != "current"]
    periods = frame.attrs.get("periods") or {}
    name = next((key for key in periods if key != "current"), None)
    if name is None and len(other):
        name = str(other["period"].iloc[0])
    name = name or "previous"
    if name in periods:
        start, end = periods[name]
    elif len(other):
        start, end = other["period_start"].iloc[0], other["period_end"].iloc[0]
    else:
        return current, other, f"{name} period"
    return current, other, f"{name} period: {start}" + ("" if start == end else f" to {end}")


def no_previous_rows(fig: go.Figure, label: str) -> None:
    """Say that the previous period holds nothing, where its overlay would be."""
    fig.add_annotation(
        text=f"{label}: no generations", xref="paper", yref="paper", x=1, y=1.02, xanchor="right",
        yanchor="bottom", showarrow=False, font={"size": 11, "color": PREVIOUS},
    )  # fmt: skip


def _previous_overlay(fig: go.Figure, previous, label: str | None, grain: str) -> None:
    """The previous period's generations, dashed, when the frame holds a comparison."""
    if label is None:
        return
    if previous.empty:
        no_previous_rows(fig, label)
        return
    _line(fig, previous, "generations", grain, name=label, line={"color": PREVIOUS, "dash": "dash"})


def _time_chart(frame: pd.DataFrame, what: str):
    """(figure, current rows, previous rows or None, previous label or None, grain, title) for a
    chart over time; the figure is the empty state (and the rest None) without current rows."""
    current, previous, label = periods_of(frame)
    if current.empty:
        return empty(what.capitalize()), None, None, None, None, None
    grain = str(current["grain"].iloc[0])
    return go.Figure(), current, previous, label, grain, f"{timegrain.ADJECTIVES[grain]} {what}"


def _all_buckets(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.Series:
    return current["bucket"] if previous is None else pd.concat([current["bucket"], previous["bucket"]])


def daily_activity(frame: pd.DataFrame) -> go.Figure:
    """Generations (bars) and active users per bucket of the frame's grain."""
    fig, current, previous, label, grain, title = _time_chart(frame, "activity")
    if current is None:
        return fig
    fig.add_bar(x=current["bucket"], y=current["generations"], name="generations", marker_color=ACCENT)
    _line(fig, current, "active_users", grain, name="active users", yaxis="y2", line={"color": "#22d3ee"})
    _previous_overlay(fig, previous, label, grain)
    if "anomalous" in current.columns and current["anomalous"].any():
        odd = current[current["anomalous"]]
        fig.add_scatter(
            x=odd["bucket"], y=odd["generations"], mode="markers+text", name="anomalous day",
            marker={"symbol": "triangle-down", "size": 13, "color": "#ef4444"}, text=["!"] * len(odd),
            textposition="top center", customdata=odd["anomaly_z"],
            hovertemplate="%{x|%b %-d}: %{y:,} generations, robust z %{customdata:+.1f}<extra></extra>",
        )  # fmt: skip
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "title": "users"})
    time_axis(fig, _all_buckets(current, previous), grain)
    return layout(fig, title)


def status_distribution(frame: pd.DataFrame) -> go.Figure:
    title = "Outcomes"
    if frame.empty:
        return empty(title)
    by_status = frame.groupby("status", as_index=False)["generations"].sum().sort_values("generations")
    fig = go.Figure(
        go.Bar(
            x=by_status["generations"],
            y=by_status["status"],
            orientation="h",
            marker_color=[STATUS_COLOURS.get(s, ACCENT) for s in by_status["status"]],
            text=[f"{100 * n / by_status['generations'].sum():.1f}%" for n in by_status["generations"]],
            textposition="auto",
        )
    )
    fig.update_layout(hovermode="closest")
    return layout(fig, title)


def latency_by_hour(frame: pd.DataFrame) -> go.Figure:
    """p95 latency per UTC hour of day (a fixed 0-23 axis, whatever the span) and tier; a line
    breaks over the hours without generations; the previous period dotted, one line per tier."""
    title = "p95 latency by hour of day (UTC) and tier"
    current, previous, label = periods_of(frame)
    if current.empty:
        return empty(title)
    fig = go.Figure()
    for period, rows in (("current", current), ("previous", previous)):
        for tier, group in rows.groupby("tier") if rows is not None else ():
            x, y = gapped(group["hour"], group["p95_latency_ms"] / 1000, lambda h: h + 1)
            trace = {"name": tier, "line": {"color": TIER_COLOURS.get(tier)}, "legendgroup": period}
            if period == "previous":
                trace.update(line={**trace["line"], "dash": "dot", "width": 1.5}, legendgrouptitle_text=label)
            fig.add_scatter(x=x, y=y, mode="lines+markers", marker={"size": 5}, **trace)
    if label is not None and previous.empty:
        no_previous_rows(fig, label)
    fig.update_yaxes(title="seconds")
    # no axis title: the chart's title names the hours, and the legend needs the room
    fig.update_xaxes(dtick=3, range=[-0.5, 23.5])
    return layout(fig, title)


def friction_by_tier(frame: pd.DataFrame) -> go.Figure:
    title = "Session friction by tier, and its drivers"
    if frame.empty:
        return empty(title)
    fig = go.Figure()
    for column, label in (
        ("friction", "friction score"),
        ("failure_share", "failures"),
        ("retry_share", "retries"),
        ("wait_score", "waiting"),
        ("abandoned_share", "abandoned"),
    ):
        fig.add_bar(x=frame["tier"], y=frame[column], name=label)
    fig.update_layout(barmode="group", hovermode="closest")
    return layout(fig, title)


def weekly_performance(frame: pd.DataFrame) -> go.Figure:
    """Generations, users, revenue and margin per bucket of the frame's (roll-up) grain."""
    fig, current, previous, label, grain, title = _time_chart(frame, "performance")
    if current is None:
        return fig
    fig.add_bar(x=current["bucket"], y=current["generations"], name="generations", marker_color=ACCENT)
    _line(fig, current, "active_users", grain, name="users", line={"color": "#22d3ee"})
    _line(fig, current, "revenue_usd", grain, name="revenue $", yaxis="y2", line={"color": "#22c55e"})
    _line(
        fig,
        current,
        "margin_usd",
        grain,
        name="margin $",
        yaxis="y2",
        line={"color": "#f59e0b", "dash": "dot"},
    )
    _previous_overlay(fig, previous, label, grain)
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "title": "USD"})
    time_axis(fig, _all_buckets(current, previous), grain)
    return layout(fig, title)


def label_breakdown(frame: pd.DataFrame, field: str) -> go.Figure:
    title = f"Generations and failure rate by {field.replace('_', ' ')}"
    if frame.empty:
        return empty(title)
    rows = frame.head(15).iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=rows["generations"],
            y=rows[field],
            orientation="h",
            marker={"color": rows["failure_rate"], "colorscale": "Plasma", "colorbar": {"title": "failure"}},
            customdata=rows[["failure_rate", "p95_latency_ms"]],
            hovertemplate="%{y}: %{x} generations<br>failure %{customdata[0]:.1%}"
            "<br>p95 %{customdata[1]:.0f} ms<extra></extra>",
        )
    )
    fig.update_layout(hovermode="closest")
    return layout(fig, title, height=380)


def complexity_profile(frame: pd.DataFrame) -> go.Figure:
    title = "Prompt complexity against latency and failure rate"
    if frame.empty:
        return empty(title, "No labelled prompts here (run genai-analyzer enrich labels).")
    fig = go.Figure()
    fig.add_bar(
        x=frame["complexity_score"], y=frame["generations"], name="generations", marker_color="#334155"
    )
    fig.add_scatter(
        x=frame["complexity_score"], y=frame["p95_latency_ms"] / 1000, name="p95 latency s", yaxis="y2"
    )
    fig.add_scatter(x=frame["complexity_score"], y=100 * frame["failure_rate"], name="failure %", yaxis="y2")
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False})
    fig.update_xaxes(title="complexity score", dtick=1)
    return layout(fig, title)


def cluster_outcomes(frame: pd.DataFrame, kind: str) -> go.Figure:
    """Failure, re-roll and abandonment rates of the clusters with the most generations, as grouped
    horizontal bars; the hover adds generations, cost per generation and p95 latency."""
    title = f"What fails, gets re-rolled or abandoned, by {kind} cluster"
    if frame.empty:
        return empty(
            title,
            f"No {kind} clusters for these filters, or none in this warehouse<br>"
            "(the build's summary says why; docs/clusters.md).",
        )
    rows = frame.iloc[::-1]
    hover = rows[["generations", "cost_per_generation", "p95_latency_ms"]]
    fig = go.Figure()
    for column, name, colour in (
        ("failure_rate", "failure", STATUS_COLOURS["error"]),
        ("reroll_rate", "re-roll", "#f59e0b"),
        ("abandonment_rate", "abandonment (sessions)", "#22d3ee"),
    ):
        fig.add_bar(
            x=100 * rows[column], y=rows["cluster"], orientation="h", name=name, marker_color=colour,
            customdata=hover,
            hovertemplate=f"%{{y}}<br>{name} %{{x:.1f}}%<br>%{{customdata[0]}} generations, "
            "$%{customdata[1]:.4f} per generation, p95 %{customdata[2]:.0f} ms<extra></extra>",
        )  # fmt: skip
    fig.update_layout(barmode="group", hovermode="closest", legend={"orientation": "h", "y": -0.12})
    fig.update_xaxes(title="% of generations (abandonment: % of sessions)", ticksuffix="%")
    return layout(fig, title, height=max(380, 34 * len(rows) + 140))
