"""Dashboard tab: every saved view drawn again from the warehouse, with its link, delete, and the
views' YAML export and import.

A chart view is its chart under its own saved filters (``Api.view_frame``: the rows /view and /chart
return for them), whatever the filter bar holds; a pinned copilot answer is its SQL run again
through the copilot's guard, its table and chart. ``?tab=dashboard&view=<name>`` opens the tab on
that one view. The views themselves live in the app-state file (``analysis/views.py``).
"""

from __future__ import annotations

import html
from pathlib import Path

import gradio as gr

from genai_analyzer.analysis.views import SavedView, ViewError, link
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app import analytics, copilot, filterbar
from genai_analyzer.app.downloads import download_path
from genai_analyzer.app.errors import user_errors
from genai_analyzer.core.errors import AnalyzerError

CSS = """
.dash-view { padding: 10px 12px !important; }
.dash-head { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: baseline; }
.dash-name { font-weight: 600; font-size: 1.05rem; }
.dash-kind { color: #94a3b8; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; }
.dash-scope { color: #cbd5e1; font-size: 0.85rem; }
.dash-link { font-size: 0.85rem; }
.dash-error { color: #fca5a5; font-size: 0.9rem; }
/* Phones: five top-level tabs still fit the bar (theme.py's rule, a little tighter: 324 of the
   326 px), none moved into Gradio's "more" menu. */
@media (max-width: 640px) {
  .tab-container > button { padding: 0 2px !important; font-size: 11px !important; letter-spacing: -0.1px; }
}
"""


def view_header(view: SavedView, api: Api) -> str:
    """The view's name, kind, what it shows (its chart and filters, or its question) and link."""
    if view.kind == "chart":
        try:
            scope = filterbar.describe(api.filters(**view.filters))
        except AnalyzerError:
            scope = "filters this warehouse no longer holds"
        what = f"{view.chart} · {scope}"
        if view.compare != "none":
            what += " · vs the previous period" if view.compare == "previous" else " · vs a chosen period"
        opens = "Open in Analytics"
    else:
        what = f"“{view.question}”" if view.question else "a pinned SQL query"
        opens = "Link to this view"
    return (
        f'<div class="dash-head"><span class="dash-name">{html.escape(view.name)}</span>'
        f'<span class="dash-kind">{"chart" if view.kind == "chart" else "copilot answer"}</span>'
        f'<span class="dash-scope">{html.escape(what)}</span>'
        f'<a class="dash-link" href="{html.escape(link(view))}">{opens}</a></div>'
    )


def draw_view(api: Api, view: SavedView) -> None:
    """The view's chart (or table and chart) in the enclosing render; an error line when the
    warehouse can no longer draw it (a filter value or column gone), never a broken tab."""
    try:
        if view.kind == "chart":
            gr.Plot(analytics.CHART_FIGURES[view.chart](api.view_frame(view)), show_label=False)
        else:
            answer = api.view_answer(view)
            with gr.Row():
                copilot.answer_table(answer)  # created here, so drawn here
                gr.Plot(copilot.answer_figure(answer), show_label=False)
    except AnalyzerError as exc:
        message = html.escape(f"Cannot draw this view now: {exc}")
        gr.HTML(f'<div class="dash-error" role="alert">{message}</div>')


def build(demo: gr.Blocks, api: Api) -> gr.Tab:
    """Render the tab into the enclosing Tabs; returns it (for the filter bar's tab list)."""
    with gr.Tab("Dashboard", id="dashboard") as tab:
        # States inside the Tab: a State among the Tabs draws a tab button twice
        names = gr.State([])  # the saved views' names, in the order saved
        focus = gr.State("")  # a view named by the link, shown alone
        gr.Markdown(
            "Saved views, drawn again from the warehouse: a chart under the filters it was saved "
            "with (save one under the Analytics tab's charts), or a copilot answer's SQL run again "
            "(pin one in the SQL Copilot tab)."
        )
        note = gr.HTML(padding=False, elem_id="dashboard-note")
        with gr.Row(elem_id="views-yaml"):
            export_button = gr.Button(
                "Export views (YAML)", size="sm", scale=0, min_width=190, elem_id="views-export-button"
            )
            upload = gr.UploadButton(
                "Import views (YAML)", file_types=[".yaml", ".yml"], size="sm", scale=0, min_width=190,
                elem_id="views-import",
            )  # fmt: skip
            export_file = gr.File(
                label="views.yaml", interactive=False, height=60, visible=False, elem_id="views-export"
            )

        @gr.render(inputs=[names, focus])
        def draw(saved: list[str], only: str):
            views = {v.name: v for v in api.view_store.all()}
            shown = [views[n] for n in saved if n in views and (not only or n == only)]
            if only and only not in views:
                gr.HTML(f'<div class="dash-error">No saved view named {html.escape(only)}.</div>')
            if only:
                gr.Button("Show every view", size="sm", elem_id="dashboard-all").click(
                    lambda: "", None, focus, api_visibility="private"
                )
            if not views:
                gr.Markdown("No saved views yet.", elem_id="dashboard-empty")
            for view in shown:
                with gr.Group(elem_classes=["dash-view"]):
                    gr.HTML(view_header(view, api), padding=False)
                    draw_view(api, view)
                    with gr.Row():
                        remove = gr.Button(
                            "Delete", size="sm", variant="stop", scale=0, min_width=90,
                            elem_classes=["dash-delete"],
                        )  # fmt: skip
                remove.click(
                    user_errors(lambda name=view.name: delete(name)),
                    None,
                    [names, note],
                    api_visibility="private",
                )

        def delete(name: str):
            api.delete_view(name)
            return api.view_store.names(), f'<div role="status">Deleted {html.escape(name)}.</div>'

        def opened(request: gr.Request):
            params = request.query_params if request is not None else {}
            wanted = params.get("view", "") if params.get("tab") == "dashboard" else ""
            return api.view_store.names(), wanted or ""

        demo.load(opened, None, [names, focus], api_visibility="private")
        tab.select(lambda: api.view_store.names(), None, names, api_visibility="private")

        @user_errors
        def export():
            path = download_path("views.yaml", prefix="genai-views-")
            path.write_text(api.export_views(), encoding="utf-8")
            return gr.File(value=str(path), visible=True)

        export_button.click(export, None, export_file, api_visibility="private")

        def import_file(file):
            try:
                text = Path(file).read_text(encoding="utf-8")
                report = api.import_views(text)
            except UnicodeDecodeError:
                return gr.skip(), filterbar.field_error_html("The file is not YAML text (UTF-8).")
            except ViewError as exc:
                message = f"Nothing imported: {exc}"
                return gr.skip(), filterbar.field_error_html(message)
            return api.view_store.names(), f'<div role="status">{html.escape(report.message())}</div>'

        upload.upload(import_file, upload, [names, note], api_visibility="private")
    return tab
