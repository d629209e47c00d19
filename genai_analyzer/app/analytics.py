"""Analytics tab: KPI cards against the previous period, and charts under one filter bar."""

from __future__ import annotations

import html
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gradio as gr

from genai_analyzer.analysis import plotting as charts
from genai_analyzer.analysis import queries
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.formatting import format_change, format_metric, metric_label
from genai_analyzer.api.endpoints import CHART_QUERIES, TIME_CHARTS, Api
from genai_analyzer.app import filterbar
from genai_analyzer.app.errors import user_errors

# chart name -> figure; the frame comes from the API layer (Api.chart_frame), so the chart, its CSV
# export and the /chart endpoint read the same rows
CHART_FIGURES = {
    "daily activity": charts.daily_activity,
    "outcomes": charts.status_distribution,
    "latency by hour and tier": charts.latency_by_hour,
    "friction by tier": charts.friction_by_tier,
    "weekly performance": charts.weekly_performance,
    "domains": lambda d: charts.label_breakdown(d, "domain"),
    "art styles": lambda d: charts.label_breakdown(d, "art_style"),
    "complexity": charts.complexity_profile,
}
# (query, figure) per chart, for callers that draw one chart from a warehouse (the benchmark)
CHARTS = {name: (CHART_QUERIES[name], figure) for name, figure in CHART_FIGURES.items()}
# Shared by every refresh: threads start on first use; four keep two cores busy with DuckDB while
# the figures are drawn, without one refresh taking every thread from the others.
QUERY_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="analytics-query")

# For these a rise is bad news: the arrow turns red.
LOWER_IS_BETTER = {"p50_latency_ms", "p95_latency_ms", "cost_usd"}


def kpi_cards_html(kpis: dict, previous: Filters | None = None) -> str:
    """The KPI cards. Where ``kpis`` (``Api.kpis``) compares, each card shows its change ("▲ +4.1%",
    the previous value on hover) and a line under the cards names the period compared with
    (``previous``: ``Filters.previous_period``), "vs previous 14 days (2025-09-15 to 2025-09-28)"."""
    cards = []
    for name in queries.KPI_METRICS:
        entry = kpis[name]
        value, change = entry["value"], entry.get("change")
        shown = format_metric(name, value, compact=True)  # latencies in seconds: ms are too wide
        if "previous" not in entry:  # compare="none"
            delta = ""
        elif change is None:
            delta = '<div class="kpi-delta">no earlier data</div>'
        else:
            good = (change < 0) if name in LOWER_IS_BETTER else (change > 0)
            cls = "up" if good else "down" if change != 0 else ""
            tip = html.escape(f"previous period: {format_metric(name, entry['previous'], compact=True)}")
            delta = f'<div class="kpi-delta {cls}" title="{tip}">{format_change(change)}</div>'
        cards.append(
            f'<div class="kpi"><div class="kpi-label">{metric_label(name, short=True)}</div>'
            f'<div class="kpi-value">{shown}</div>{delta}</div>'
        )
    caption = ""
    if previous is not None and any("previous" in entry for entry in kpis.values()):
        days = previous.days()
        span = "the day before" if days == 1 else f"previous {days:,} days"
        caption = (
            f'<div class="kpi-compare" style="color:#94a3b8;font-size:0.8rem;margin:6px 2px 0">'
            f"Change vs {span} ({previous.start} to {previous.end}), same filters</div>"
        )
    # n<count>: the theme lays 9 cards out as one row or rows of 3, never 8 + 1
    return f'<div class="kpi-wrap"><div class="kpi-row n{len(cards)}">{"".join(cards)}</div>{caption}</div>'


def compare_mode(chart: str, compare: bool) -> str:
    """The ``compare`` argument of ``Api.chart_frame`` for ``chart`` with the checkbox at ``compare``:
    the charts over time overlay the previous period, the others have none to show."""
    return "previous" if compare and chart in TIME_CHARTS else "none"


def build(demo: gr.Blocks, api: Api, bar: filterbar.FilterBar) -> None:
    """Render the tab into the enclosing Blocks; it shows the scope ``bar`` applied."""
    cards = gr.HTML()
    compare = gr.Checkbox(
        label="Compare with the previous period (charts over time)", elem_id="compare-previous"
    )
    plots = {}
    names = list(CHART_FIGURES)
    for i in range(0, len(names), 2):
        with gr.Row():
            for name in names[i : i + 2]:
                plots[name] = gr.Plot(label=name, show_label=False)
    with gr.Row():
        export_choice = gr.Dropdown(names, value=names[0], label="Data behind a chart")
        export_button = gr.Button("Export CSV")
        export_file = gr.File(label="CSV", interactive=False, height=80, elem_id="chart-export")
    with gr.Row():
        # every generation in the applied scope, enriched (what `genai-analyzer export` writes)
        set_csv = gr.Button("Download the filtered generations (CSV)")
        set_parquet = gr.Button("Download the filtered generations (Parquet)")
        set_file = gr.File(label="Filtered generations", interactive=False, height=80, elem_id="set-export")

    @user_errors
    def refresh(applied, compare_on=False):
        filters = filterbar.filters_of(api, applied)
        # The statements run side by side on their own cursors (DuckDB releases the GIL), and each
        # figure is drawn as soon as its frame is there.
        kpis = QUERY_POOL.submit(api.kpis, filters)
        frames = [
            QUERY_POOL.submit(api.chart_frame, name, filters, compare_mode(name, compare_on))
            for name in CHART_FIGURES
        ]
        figures = [
            plot_fn(frame.result()) for plot_fn, frame in zip(CHART_FIGURES.values(), frames, strict=True)
        ]
        previous = filters.previous_period(*queries.data_range(api.wh))
        return [kpi_cards_html(kpis.result(), previous), *figures]

    outputs = [cards, *plots.values()]
    filterbar.on_apply(bar, refresh, [compare], outputs)
    compare.change(refresh, [bar.applied, compare], outputs, api_visibility="private")

    @user_errors
    def export(name, applied, compare_on):
        # the applied scope, as drawn: never the bar's unapplied inputs
        frame = api.chart_frame(name, filterbar.filters_of(api, applied), compare_mode(name, compare_on))
        path = Path(tempfile.mkdtemp(prefix="genai-export-")) / f"{name.replace(' ', '_')}.csv"
        frame.to_csv(path, index=False)
        return str(path)

    export_button.click(export, [export_choice, bar.applied, compare], export_file, api_visibility="private")

    @user_errors
    def download_set(applied, fmt):
        frame = api.export_frame(filterbar.filters_of(api, applied))
        path = Path(tempfile.mkdtemp(prefix="genai-export-")) / f"generations.{fmt}"
        frame.to_csv(path, index=False) if fmt == "csv" else frame.to_parquet(path, index=False)
        return str(path)

    for button, fmt in ((set_csv, "csv"), (set_parquet, "parquet")):
        button.click(lambda applied, fmt=fmt: download_set(applied, fmt), [bar.applied], set_file,
                     api_visibility="private")  # fmt: skip
