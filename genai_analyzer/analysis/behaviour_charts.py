"""Chart specs for how people work: prompt refinement (edit types, the flow of sessions through
edits), cohorts (retention, the weekly lifecycle, activity per user) and the session funnel. Each
takes the frame an API ``_frame`` method returns, as ``plotting`` does for the Analytics charts,
and shares its look (``plotting.layout``, the dark template, the palette)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from genai_analyzer.analysis.plotting import ACCENT, TIER_COLOURS, empty, layout

# --- prompt refinement ---------------------------------------------------------------------------

EDIT_LABELS = {
    "re_roll": "re-roll",
    "settings_only": "settings only",
    "modifiers_added": "modifiers added",
    "modifiers_removed": "modifiers removed",
    "modifiers_changed": "modifiers changed",
    "subject_changed": "subject changed",
    "new_idea": "new idea",
}


def edit_mix(frame: pd.DataFrame) -> go.Figure:
    """Each edit type's share of the edits (bars), and how often the edited generation became a
    kept image or ended the session on a failure (markers, right axis): which edits lead where."""
    title = "Edit types: how often, and what follows"
    if frame.empty:
        return empty(title, "No prompt edits match these filters.")
    names = [EDIT_LABELS.get(t, t).replace(" ", "<br>", 1) for t in frame["edit_type"]]
    fig = go.Figure()
    fig.add_bar(x=names, y=frame["share"], name="share of edits", marker_color=ACCENT,
                text=[f"{s:.0%}" for s in frame["share"]], textposition="outside")  # fmt: skip
    for column, name, colour in (("kept_rate", "became a kept image", "#22c55e"),
                                 ("abandonment_rate", "session ended on a failure", "#ef4444")):  # fmt: skip
        fig.add_scatter(x=names, y=frame[column], name=name, mode="markers", yaxis="y2",
                        marker={"size": 10, "color": colour, "symbol": "diamond"})  # fmt: skip
    fig.update_layout(
        yaxis={"tickformat": ".0%", "title": "share of edits", "range": [0, frame["share"].max() * 1.2]},
        yaxis2={"tickformat": ".0%", "overlaying": "y", "side": "right", "range": [0, 1],
                "showgrid": False, "title": "rate"},
    )  # fmt: skip
    layout(fig, title, height=420)
    fig.update_layout(hovermode="closest", margin={"r": 50}, legend={"y": -0.25})
    return fig


# One colour per edit type in the grouped chart, in the order of EDIT_LABELS.
EDIT_COLOURS = ("#64748b", "#94a3b8", ACCENT, "#f59e0b", "#06b6d4", "#ef4444", "#22c55e")


def edit_mix_by(frame: pd.DataFrame, by: str, label: str) -> go.Figure:
    """Each group's edits split by edit type (``refinement.edit_type_mix`` with ``by``): one bar per
    group (its ``label``; the groups with most edits on top), stacked to 100% by share."""
    title = f"Edit types by {label}"
    if frame.empty:
        return empty(title, "No prompt edits match these filters.")
    frame = frame.assign(**{by: frame[by].astype(str)})
    groups = frame.groupby(by)["edits"].sum().sort_values(ascending=False, kind="stable").index.tolist()
    fig = go.Figure()
    for (edit_type, name), colour in zip(EDIT_LABELS.items(), EDIT_COLOURS, strict=True):
        rows = frame[frame["edit_type"] == edit_type].set_index(by).reindex(groups)
        fig.add_bar(
            y=groups, x=rows["share"].fillna(0), name=name, orientation="h", marker_color=colour,
            customdata=rows["edits"].fillna(0), hovertemplate=(
                "%{y}: %{x:.0%} of the edits are " + name + " (%{customdata:,})<extra></extra>"
            ),
        )  # fmt: skip
    layout(fig, title, height=max(300, 120 + 24 * len(groups)))
    fig.update_layout(
        barmode="stack", hovermode="closest", xaxis={"tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed", "automargin": True}, legend={"orientation": "h", "y": -0.15},
    )  # fmt: skip
    return fig


def edit_flow(frame: pd.DataFrame) -> go.Figure:
    """The sessions' path through edit types (``refinement.edit_flow``'s links) as a Sankey: one
    column per step, each node an edit type at that step, each band the sessions taking it."""
    title = "How sessions move through edits"
    if frame.empty:
        return empty(title, "No sessions match these filters.")
    steps = [int(step) for step in frame["step"]]
    sources = list(zip(steps, frame["source"], strict=True))
    targets = [(step + 1, target) for step, target in zip(steps, frame["target"], strict=True)]
    ordered = dict.fromkeys(key for pair in zip(sources, targets, strict=True) for key in pair)
    nodes = {key: i for i, key in enumerate(ordered)}
    ends = {"ended on a success": "#22c55e", "ended on a failure": "#ef4444", "first prompt": ACCENT}
    fig = go.Figure(
        go.Sankey(
            node={
                "label": [EDIT_LABELS.get(label, label) for _, label in nodes],
                "color": [ends.get(label, "#64748b") for _, label in nodes],
                "pad": 12,
                "thickness": 14,
                "customdata": [f"step {step}" for step, _ in nodes],
                "hovertemplate": "%{label} (%{customdata}): %{value:,} sessions<extra></extra>",
            },
            link={
                "source": [nodes[key] for key in sources],
                "target": [nodes[key] for key in targets],
                "value": frame["sessions"].tolist(),
                "color": "rgba(139, 92, 246, 0.25)",
            },
        )
    )
    return layout(fig, title, height=420)


# --- cohorts and the funnel ----------------------------------------------------------------------

LIFECYCLE_COLOURS = {
    "new_users": ("new", ACCENT),
    "returning_users": ("returning", "#22d3ee"),
    "resurrected_users": ("resurrected", "#f59e0b"),
    "dormant_users": ("dormant", "#64748b"),
}


def retention_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Weekly retention by cohort: one row per cohort (its Monday and size), one column per week
    since, the share of the cohort active that week (``cohorts.retention``, ``by="none"``)."""
    title = "Retention by first-seen week"
    if frame.empty:
        return empty(title, "No active users match these filters.")
    grid = frame.pivot_table(index="cohort", columns="weeks_since", values="retention", aggfunc="first")
    sizes = frame.groupby("cohort")["cohort_users"].first()
    rows = [f"{day:%b %-d} ({sizes[day]:,})" for day in grid.index]
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"week {w}" for w in grid.columns],
            y=rows,
            colorscale=[[0, "#0f172b"], [1, ACCENT]],
            zmin=0,
            zmax=1,
            text=[[("" if pd.isna(v) else f"{v:.0%}") for v in row] for row in grid.to_numpy()],
            texttemplate="%{text}",
            hovertemplate="cohort %{y}, %{x}: %{z:.1%} active<extra></extra>",
            colorbar={"tickformat": ".0%", "title": "active"},
        )
    )
    fig.update_yaxes(autorange="reversed", title="cohort (users)")
    layout(fig, title, height=max(260, 60 + 34 * len(rows)))
    fig.update_layout(hovermode="closest")
    return fig


def lifecycle_bars(frame: pd.DataFrame) -> go.Figure:
    """The weekly lifecycle: new, returning and resurrected users stacked above zero (they add up
    to the week's active users), dormant ones below it (``cohorts.lifecycle``, ``by="none"``)."""
    title = "Weekly lifecycle of users"
    if frame.empty:
        return empty(title, "No active users match these filters.")
    fig = go.Figure()
    for column, (name, colour) in LIFECYCLE_COLOURS.items():
        sign = -1 if column == "dormant_users" else 1
        hover = f"{name}: %{{customdata:,}}<extra></extra>"
        fig.add_bar(x=frame["week"], y=sign * frame[column], name=name, marker_color=colour,
                    customdata=frame[column], hovertemplate=hover)  # fmt: skip
    fig.update_layout(barmode="relative")
    fig.update_xaxes(
        tickformat="%b %-d", dtick=7 * 86_400_000, tick0=frame["week"].min(), title="week (Monday)"
    )
    fig.update_yaxes(title="users")
    return layout(fig, title)


def activity_lines(frame: pd.DataFrame) -> go.Figure:
    """Generations per active user each week: the mean and the median (a gap between them says a
    few users make most of the images)."""
    title = "Generations per active user, by week"
    if frame.empty:
        return empty(title, "No active users match these filters.")
    fig = go.Figure()
    fig.add_scatter(x=frame["week"], y=frame["generations_per_user"], name="mean", mode="lines+markers",
                    line={"color": ACCENT})  # fmt: skip
    fig.add_scatter(x=frame["week"], y=frame["median_generations_per_user"], name="median",
                    mode="lines+markers", line={"color": "#22d3ee", "dash": "dot"})  # fmt: skip
    fig.update_xaxes(tickformat="%b %-d", dtick=7 * 86_400_000, tick0=frame["week"].min())
    fig.update_yaxes(title="generations", rangemode="tozero")
    return layout(fig, title)


def funnel_chart(frame: pd.DataFrame, by: str = "none") -> go.Figure:
    """The session funnel (``funnel.funnel``): sessions at each step, one funnel per tier when
    ``by="tier"``, with the share of the first step on each bar."""
    title = "Session funnel" + (" by tier" if by == "tier" else "")
    if frame.empty:
        return empty(title, "No sessions match these filters.")
    fig = go.Figure()
    groups = frame.groupby("tier", sort=False) if by == "tier" else [("all sessions", frame)]
    for name, rows in groups:
        fig.add_trace(
            go.Funnel(
                y=rows["label"], x=rows["sessions"], name=str(name), textinfo="value+percent initial",
                marker={"color": TIER_COLOURS.get(str(name), ACCENT)},
                hovertemplate="%{y}: %{x:,} sessions, %{percentInitial:.1%} of the first step<extra></extra>",
            )
        )  # fmt: skip
    layout(fig, title, height=360)
    fig.update_layout(hovermode="closest", margin={"l": 230})
    return fig
