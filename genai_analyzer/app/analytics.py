"""Analytics tab: KPI cards against the previous period, and charts under one filter bar."""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import gradio as gr

from genai_analyzer import queries
from genai_analyzer.app import charts
from genai_analyzer.app.errors import user_errors
from genai_analyzer.filters import Filters
from genai_analyzer.jsonable import records
from genai_analyzer.warehouse import Warehouse

# chart name -> (query, figure); the same frame feeds the chart and its CSV export
CHARTS = {
    "daily activity": (queries.generations_by_day, charts.daily_activity),
    "outcomes": (queries.status_breakdown, charts.status_distribution),
    "latency by hour and tier": (queries.latency_by_hour_and_tier, charts.latency_by_hour),
    "friction by tier": (queries.friction_by_tier, charts.friction_by_tier),
    "weekly performance": (queries.weekly_performance, charts.weekly_performance),
    "domains": (
        lambda wh, f: queries.label_breakdown(wh, "domain", f),
        lambda d: charts.label_breakdown(d, "domain"),
    ),
    "art styles": (
        lambda wh, f: queries.label_breakdown(wh, "art_style", f),
        lambda d: charts.label_breakdown(d, "art_style"),
    ),
    "complexity": (queries.complexity_profile, charts.complexity_profile),
}
KPI_LABELS = {
    "generations": ("Generations", "{:,.0f}".format),
    "active_users": ("Active users", "{:,.0f}".format),
    "sessions": ("Sessions", "{:,.0f}".format),
    "success_rate": ("Success rate", "{:.1%}".format),
    # latencies in seconds: millisecond figures are too wide for a card
    "p50_latency_ms": ("p50 latency", lambda ms: f"{ms / 1000:,.1f} s"),
    "p95_latency_ms": ("p95 latency", lambda ms: f"{ms / 1000:,.1f} s"),
    "cost_usd": ("GPU cost", "${:,.2f}".format),
    "revenue_usd": ("Revenue", "${:,.2f}".format),
    "margin_usd": ("Margin", "${:,.2f}".format),
}
# Shared by every refresh: threads start on first use; four keep two cores busy with DuckDB while
# the figures are drawn, without one refresh taking every thread from the others.
QUERY_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="analytics-query")

# For these a rise is bad news: the arrow turns red.
LOWER_IS_BETTER = {"p50_latency_ms", "p95_latency_ms", "cost_usd"}


def kpi_cards_html(kpis: dict) -> str:
    cards = []
    for name, (label, fmt) in KPI_LABELS.items():
        value, change = kpis[name]["value"], kpis[name]["change"]
        shown = "–" if value is None else fmt(value)
        if change is None:
            delta = '<div class="kpi-delta">no earlier period</div>'
        else:
            good = (change < 0) if name in LOWER_IS_BETTER else (change > 0)
            arrow = "▲" if change > 0 else "▼" if change < 0 else "■"
            cls = "up" if good else "down" if change != 0 else ""
            delta = f'<div class="kpi-delta {cls}">{arrow} {abs(change):.1%} vs previous period</div>'
        cards.append(
            f'<div class="kpi"><div class="kpi-label">{label}</div>'
            f'<div class="kpi-value">{shown}</div>{delta}</div>'
        )
    return f'<div class="kpi-row">{"".join(cards)}</div>'


def filter_bar(wh: Warehouse) -> list[gr.components.Component]:
    """The filter inputs, in Filters.from_inputs order (start, end, tiers, statuses, domains, styles)."""
    choices = queries.filter_choices(wh)
    first, last = queries.data_range(wh)
    # Open on the last three weeks, so the KPI cards can compare with the three weeks before.
    default_start = max(first, last - timedelta(days=20))
    with gr.Row(equal_height=True):
        start = gr.DateTime(value=str(default_start), include_time=False, type="string", label="From")
        end = gr.DateTime(value=str(last), include_time=False, type="string", label="To")
        tiers = gr.CheckboxGroup(choices["tiers"], label="Tier")
        statuses = gr.CheckboxGroup(choices["statuses"], label="Status")
    with gr.Row():
        domains = gr.Dropdown(choices["domains"], multiselect=True, label="Domain")
        styles = gr.Dropdown(choices["art_styles"], multiselect=True, label="Art style")
    return [start, end, tiers, statuses, domains, styles]


def build(demo: gr.Blocks, wh: Warehouse) -> None:
    """Render the tab into the enclosing Blocks; register /kpis and /timeseries."""
    inputs = filter_bar(wh)
    apply = gr.Button("Apply filters", variant="primary")
    cards = gr.HTML()
    plots = {}
    names = list(CHARTS)
    for i in range(0, len(names), 2):
        with gr.Row():
            for name in names[i : i + 2]:
                plots[name] = gr.Plot(label=name, show_label=False)
    with gr.Row():
        export_choice = gr.Dropdown(names, value=names[0], label="Data behind a chart")
        export_button = gr.Button("Export CSV")
        export_file = gr.File(label="CSV", interactive=False, height=80)

    @user_errors
    def refresh(*values):
        filters = Filters.from_inputs(*values)
        # The statements run side by side on their own cursors (DuckDB releases the GIL), and each
        # figure is drawn as soon as its frame is there.
        kpis = QUERY_POOL.submit(queries.kpis, wh, filters)
        frames = [QUERY_POOL.submit(query_fn, wh, filters) for query_fn, _ in CHARTS.values()]
        figures = [
            plot_fn(frame.result()) for (_, plot_fn), frame in zip(CHARTS.values(), frames, strict=True)
        ]
        return [kpi_cards_html(kpis.result()), *figures]

    outputs = [cards, *plots.values()]
    apply.click(refresh, inputs, outputs, api_visibility="private")
    demo.load(refresh, inputs, outputs, api_visibility="private")

    @user_errors
    def export(name, *values):
        frame = CHARTS[name][0](wh, Filters.from_inputs(*values))
        path = Path(tempfile.mkdtemp(prefix="genai-export-")) / f"{name.replace(' ', '_')}.csv"
        frame.to_csv(path, index=False)
        return str(path)

    export_button.click(export, [export_choice, *inputs], export_file, api_visibility="private")

    @user_errors
    def kpis(
        start: str = "",
        end: str = "",
        tiers: list[str] | None = None,
        statuses: list[str] | None = None,
        domains: list[str] | None = None,
        art_styles: list[str] | None = None,
    ) -> dict:
        """KPIs over the filtered period (dates YYYY-MM-DD; empty = whole range) and the change
        against the period of equal length before it: {metric: {value, previous, change}}."""
        return queries.kpis(wh, Filters.from_inputs(start, end, tiers, statuses, domains, art_styles))

    @user_errors
    def timeseries(
        start: str = "",
        end: str = "",
        tiers: list[str] | None = None,
        statuses: list[str] | None = None,
        domains: list[str] | None = None,
        art_styles: list[str] | None = None,
    ) -> list[dict]:
        """One record per day: generations, active_users, success_rate, p50/p95 latency, cost, revenue."""
        frame = queries.generations_by_day(
            wh, Filters.from_inputs(start, end, tiers, statuses, domains, art_styles)
        )
        return records(frame)

    gr.api(kpis, api_name="kpis")
    gr.api(timeseries, api_name="timeseries")
