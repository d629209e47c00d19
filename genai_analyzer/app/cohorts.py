"""The Analytics tab's Cohorts and funnel view (docs/cohorts.md), under the shared filter bar: the
session funnel (its steps defined in the semantic layer), weekly retention by first-seen week,
the weekly lifecycle of users, and generations per active user. Every chart is drawn from the
API's ``_frame`` methods (``funnel_frame``, ``retention_frame``, ``lifecycle_frame``,
``activity_frame``), so it shows what /funnel, /retention and /lifecycle return; the funnel's CSV
export is the frame on screen."""

from __future__ import annotations

import html
import json

import gradio as gr

from genai_analyzer.analysis import behaviour_charts as charts
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app import filterbar
from genai_analyzer.app.downloads import csv_download
from genai_analyzer.app.errors import user_errors

LABEL = "Cohorts"
INTRO = (
    "Who comes back, and how far sessions get. **Funnel**: a session counts at a step when it "
    "reached every step up to it (steps defined in the semantic layer). **Retention**: of the users "
    "first active in a week, the share active again 1, 2, ... weeks later. **Lifecycle**: each "
    "week's active users are new, returning (active the week before too) or resurrected (back after "
    "a gap); dormant users (active the week before, not this one) are drawn below zero. The tier "
    "filter chooses users; the status, domain and style filters choose which generations count as "
    "activity; dates choose the weeks shown."
)
GROUP_CHOICES = [("All sessions", "none"), ("By tier", "tier")]


def build(demo: gr.Blocks, api: Api, bar: filterbar.FilterBar, views: gr.Tabs) -> None:
    """Render the view as a tab of ``views``; it shows the scope ``bar`` applied, and its queries run
    only while it is open."""
    with gr.Tab(LABEL, id="cohorts"):
        gr.Markdown(INTRO)
        scope = gr.HTML(elem_id="co-scope")
        funnel_by = gr.Radio(GROUP_CHOICES, value="none", label="Funnel", elem_id="co-funnel-by")
        funnel_plot = gr.Plot(show_label=False, elem_id="co-funnel")
        retention_plot = gr.Plot(show_label=False, elem_id="co-retention")
        with gr.Row():
            lifecycle_plot = gr.Plot(show_label=False, elem_id="co-lifecycle")
            activity_plot = gr.Plot(show_label=False, elem_id="co-activity")
        with gr.Row():
            export_button = gr.Button("Export the funnel as CSV", elem_id="co-export")
            export_file = gr.File(label="CSV", interactive=False, visible=False, elem_id="co-csv")
        # Inside the tab (a State among the tabs makes Gradio 6.31 draw a tab button twice).
        funnel_state = gr.State(None)  # the funnel frame on screen: what the export writes
        showing = gr.State(False)
        drawn = gr.State(None)

    @user_errors
    def refresh(applied, is_showing, drawn_for, by):
        key = json.dumps([applied, by], default=str)
        if not is_showing or key == drawn_for:
            return [gr.skip()] * 7
        filters = filterbar.filters_of(api, applied)
        funnel = api.funnel_frame(filters, by)
        note = f'<div class="lb-status">{html.escape(filterbar.describe(filters))}</div>'
        return [
            note,
            charts.funnel_chart(funnel, by),
            charts.retention_heatmap(api.retention_frame(filters)),
            charts.lifecycle_bars(api.lifecycle_frame(filters)),
            charts.activity_lines(api.activity_frame(filters)),
            funnel,
            key,
        ]

    inputs = [showing, drawn, funnel_by]
    outputs = [scope, funnel_plot, retention_plot, lifecycle_plot, activity_plot, funnel_state, drawn]

    # when its tab opens, and on Apply and when the Analytics tab opens while it is the one shown
    filterbar.on_view_shown(bar, views, LABEL, refresh, inputs, outputs)
    funnel_by.change(refresh, [bar.applied, *inputs], outputs, api_visibility="private")

    def export(funnel):
        return csv_download(funnel, "session_funnel.csv", "There is nothing to export: no session matches.")

    export_button.click(export, funnel_state, export_file, api_visibility="private")
