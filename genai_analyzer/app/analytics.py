"""Analytics tab: KPI cards against an earlier period (the previous one, or one the user chooses),
and charts under one filter bar."""

from __future__ import annotations

import html
import json
from concurrent.futures import ThreadPoolExecutor

import gradio as gr

from genai_analyzer.analysis import plotting as charts
from genai_analyzer.analysis import queries
from genai_analyzer.analysis.alert_rules import AlertRulesError
from genai_analyzer.analysis.filters import FilterError, Filters
from genai_analyzer.analysis.formatting import format_change, format_metric, metric_label
from genai_analyzer.analysis.views import ViewError, link
from genai_analyzer.api.endpoints import CHART_QUERIES, TIME_CHARTS, Api
from genai_analyzer.app import filterbar
from genai_analyzer.app.downloads import download_path
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
    "prompt clusters": lambda d: charts.cluster_outcomes(d, "prompt"),
    "visual clusters": lambda d: charts.cluster_outcomes(d, "visual"),
}
# (query, figure) per chart, for callers that draw one chart from a warehouse (the benchmark)
CHARTS = {name: (CHART_QUERIES[name], figure) for name, figure in CHART_FIGURES.items()}
# Shared by every refresh: threads start on first use; four keep two cores busy with DuckDB while
# the figures are drawn, without one refresh taking every thread from the others.
QUERY_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="analytics-query")

# For these a rise is bad news: the arrow turns red.
LOWER_IS_BETTER = {"p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "cost_usd"}


def kpi_cards_html(
    kpis: dict,
    against: Filters | None = None,
    mode: str = "previous",
    data_days: tuple | None = None,
) -> str:
    """The KPI cards. Where ``kpis`` (``Api.kpis``) compares, each card shows its change ("▲ +4.1%",
    the compared value on hover) and a line under the cards names the period compared with
    (``against``: ``Filters.compared_period`` for ``mode``), "vs previous 14 days (2025-09-15 to
    2025-09-28)" or "vs the chosen period 2025-09-01 to 2025-09-12". Where that period lies
    outside the data (``data_days``: its first and last day), the line says so instead of every
    card saying "no earlier data"."""
    outside = (
        against is not None
        and data_days is not None
        and (against.end < data_days[0] or against.start > data_days[1])
    )
    what = "previous" if mode == "previous" else "compared"
    cards = []
    for name in queries.KPI_METRICS:
        entry = kpis[name]
        value, change = entry["value"], entry.get("change")
        shown = format_metric(name, value, compact=True)  # latencies in seconds: ms are too wide
        if "previous" not in entry or outside:  # compare="none", or nothing to compare with
            delta = ""
        elif change is None:
            delta = '<div class="kpi-delta">no earlier data</div>'
        else:
            good = (change < 0) if name in LOWER_IS_BETTER else (change > 0)
            cls = "up" if good else "down" if change != 0 else ""
            tip = html.escape(f"{what} period: {format_metric(name, entry['previous'], compact=True)}")
            delta = f'<div class="kpi-delta {cls}" title="{tip}">{format_change(change)}</div>'
        cards.append(
            f'<div class="kpi"><div class="kpi-label">{metric_label(name, short=True)}</div>'
            f'<div class="kpi-value">{shown}</div>{delta}</div>'
        )
    caption = ""
    if against is not None and any("previous" in entry for entry in kpis.values()):
        days = against.days()
        if mode == "previous":
            span = "the day before" if days == 1 else f"previous {days:,} days"
            period = f"{span} ({against.start} to {against.end})"
        else:
            period = f"the chosen period {against.start}" + (
                "" if days == 1 else f" to {against.end} ({days:,} days)"
            )
        if outside:
            text = (
                f"No change shown: {period} lies outside the data ({data_days[0]} to "
                f"{data_days[1]}). Narrow the dates, or choose a period to compare with."
            )
        else:
            text = f"Change vs {period}, same filters"
        caption = (
            f'<div class="kpi-compare" style="color:#94a3b8;font-size:0.8rem;margin:6px 2px 0">'
            f"{html.escape(text)}</div>"
        )
    # n<count>: the theme lays 9 cards out as one row or rows of 3, never 8 + 1
    return f'<div class="kpi-wrap"><div class="kpi-row n{len(cards)}">{"".join(cards)}</div>{caption}</div>'


def comparison(api: Api, filters: Filters, mode: str, start: str, end: str):
    """(mode, compare_start, compare_end, the compared Filters or None, a note for the controls)
    for the compare controls. A chosen period not typed yet compares with nothing and says what to
    do; a bad or missing date is named, and nothing is compared rather than a wrong period."""
    chosen = (start or "", end or "") if mode == "period" else ("", "")  # hidden boxes are not read
    if mode == "period" and not any(part.strip() for part in chosen):
        return "none", "", "", None, COMPARE_HINT
    try:
        against = filters.compared_period(*queries.data_range(api.wh), mode, *chosen)
    except FilterError as exc:
        return "none", "", "", None, filterbar.field_error_html(str(exc))
    return mode, *chosen, against, ""


COMPARE_HINT = (
    '<div class="field-hint" style="color:#94a3b8;font-size:0.85rem">Type the first and last day of '
    "the period to compare with (YYYY-MM-DD), then Compare.</div>"
)


def chart_comparison(chart: str, overlay: bool, mode: str, start: str, end: str) -> tuple[str, str, str]:
    """``Api.chart_frame``'s (compare, compare_start, compare_end) for ``chart``: the charts over
    time overlay the compared period when ``overlay`` is on, the others have none to show."""
    if overlay and chart in TIME_CHARTS and mode != "none":
        return mode, start, end
    return "none", "", ""


def build(demo: gr.Blocks, api: Api, bar: filterbar.FilterBar) -> None:
    """Render the tab into the enclosing Blocks; it shows the scope ``bar`` applied."""
    cards = gr.HTML()
    with gr.Row(elem_id="compare-controls"):
        compare = gr.Checkbox(
            label="Overlay the compared period on the charts over time", elem_id="compare-previous"
        )
        compare_with = gr.Radio(
            [("the previous period", "previous"), ("a chosen period", "period")],
            value="previous",
            label="Compare with",
            elem_id="compare-with",
        )
        compare_start = gr.Textbox(
            label="Compared period from", placeholder="YYYY-MM-DD", visible=False, elem_id="compare-start"
        )
        compare_end = gr.Textbox(label="to", placeholder="YYYY-MM-DD", visible=False, elem_id="compare-end")
        compare_go = gr.Button("Compare", visible=False, elem_id="compare-go", scale=0)
    compare_error = gr.HTML(elem_classes=["field-error-slot"], padding=False, elem_id="compare-error")
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
    with gr.Row(elem_id="save-view", equal_height=True):
        # a saved view: the applied filters and one chart, drawn again on the Dashboard tab
        save_chart = gr.Dropdown(names, value=names[0], label="Chart to save", elem_id="save-view-chart")
        save_name = gr.Textbox(
            label="Save this view as", placeholder="e.g. Pro failures in September", elem_id="save-view-name"
        )
        save_button = gr.Button("Save this view", elem_id="save-view-button", scale=0, min_width=150)
    save_note = gr.HTML(padding=False, elem_id="save-view-note")
    with gr.Row():
        # every generation in the applied scope, enriched (what `genai-analyzer export` writes)
        set_csv = gr.Button("Download the filtered generations (CSV)")
        set_parquet = gr.Button("Download the filtered generations (Parquet)")
        set_file = gr.File(label="Filtered generations", interactive=False, height=80, elem_id="set-export")

    compare_inputs = [compare, compare_with, compare_start, compare_end]
    drawn = gr.State(None)  # the key of what the cards and charts show

    @user_errors
    def refresh(applied, is_shown, overlay, mode, start, end, drawn_for):
        key = json.dumps([applied, overlay, mode, start, end], default=str)
        if not is_shown or key == drawn_for:
            return [gr.skip()] * (len(outputs) + 1)
        return [*draw(applied, overlay, mode, start, end), key]

    def alert_badges() -> dict:
        """chart -> the alert findings that fired for a metric it shows (a broken rules file is
        named on the Overview; the charts then draw without badges)."""
        try:
            return api.chart_alerts()
        except AlertRulesError:
            return {}

    def draw(applied, overlay, mode, start, end) -> list:
        filters = filterbar.filters_of(api, applied)
        mode, start, end, against, note = comparison(api, filters, mode, start, end)
        # The statements run side by side on their own cursors.
        kpis = QUERY_POOL.submit(api.kpis, filters, mode, start, end)
        # each chart's figure is made on the thread that fetched its frame, while the other
        # statements run (DuckDB releases the GIL), not one after another once all are in
        jobs = [
            QUERY_POOL.submit(
                lambda name=name, plot_fn=plot_fn: plot_fn(
                    api.chart_frame(name, filters, *chart_comparison(name, overlay, mode, start, end))
                )
            )
            for name, plot_fn in CHART_FIGURES.items()
        ]
        badges = alert_badges()
        figures = [
            charts.alert_badge(job.result(), badges.get(name, []))
            for name, job in zip(CHART_FIGURES, jobs, strict=True)
        ]
        cards_html = kpi_cards_html(kpis.result(), against, mode, queries.data_range(api.wh))
        return [cards_html, note, *figures]

    outputs = [cards, compare_error, *plots.values()]
    # drawn only while the tab is shown: an Apply on the Explorer does not also compute these
    filterbar.on_shown(
        bar,
        "analytics",
        refresh,
        [*compare_inputs, drawn],
        [*outputs, drawn],
        also=(compare.change, compare_with.change, compare_go.click)
        + (compare_start.submit, compare_end.submit),
    )
    compare_with.change(
        lambda mode: [gr.update(visible=mode == "period")] * 3,
        compare_with,
        [compare_start, compare_end, compare_go],
        api_visibility="private",
        queue=False,
    )

    @user_errors
    def export(name, applied, overlay, mode, start, end):
        # the applied scope and comparison, as drawn: never the bar's unapplied inputs
        filters = filterbar.filters_of(api, applied)
        mode, start, end, _, _ = comparison(api, filters, mode, start, end)
        frame = api.chart_frame(name, filters, *chart_comparison(name, overlay, mode, start, end))
        path = download_path(f"{name.replace(' ', '_')}.csv")
        frame.to_csv(path, index=False)
        return str(path)

    export_button.click(
        export, [export_choice, bar.applied, *compare_inputs], export_file, api_visibility="private"
    )

    @user_errors
    def download_set(applied, fmt):
        frame = api.export_frame(filterbar.filters_of(api, applied))
        path = download_path(f"generations.{fmt}")
        frame.to_csv(path, index=False) if fmt == "csv" else frame.to_parquet(path, index=False)
        return str(path)

    for button, fmt in ((set_csv, "csv"), (set_parquet, "parquet")):
        button.click(lambda applied, fmt=fmt: download_set(applied, fmt), [bar.applied], set_file,
                     api_visibility="private")  # fmt: skip

    def save_view(name, chart, applied, overlay, mode, start, end):
        # the applied scope and the comparison as drawn, never the bar's unapplied inputs
        filters = filterbar.filters_of(api, applied)
        mode, start, end, _, _ = comparison(api, filters, mode, start, end)
        try:
            view = api.save_chart_view(
                name, chart, applied, *chart_comparison(chart, overlay, mode, start, end)
            )
        except ViewError as exc:
            return filterbar.field_error_html(str(exc)), gr.skip()
        note = (
            f'<div class="view-saved" role="status">Saved <b>{html.escape(view.name)}</b>: '
            f"{html.escape(chart)}"
            f" for {html.escape(filterbar.describe(filters))}. It is on the Dashboard tab; "
            f'<a href="{html.escape(link(view))}">its link</a> opens these filters here.</div>'
        )
        return note, ""

    save_button.click(
        user_errors(save_view),
        [save_name, save_chart, bar.applied, *compare_inputs],
        [save_note, save_name],
        api_visibility="private",
    )
