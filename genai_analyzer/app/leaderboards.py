"""The Analytics tab's Prompt leaderboards view: prompts (or groups of the same text but for
case and spacing) ranked by re-rolls, failures, abandonment or success, each rate with its Wilson
95% interval, under the shared filter bar. The table on screen and its CSV export are one frame
(kept in a State)."""

from __future__ import annotations

import html
import json

import gradio as gr
import pandas as pd

from genai_analyzer.analysis.formatting import plural
from genai_analyzer.analysis.leaderboards import (
    DEFAULT_LIMIT,
    DEFAULT_MIN_SAMPLE,
    LEADERBOARD_METRICS,
    leaderboard_table,
    ranking_rule,
)
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app import filterbar
from genai_analyzer.app.downloads import csv_download
from genai_analyzer.app.errors import user_errors

INTRO = (
    "Prompts ranked by how people fared with them. Each rate shows its 95% interval (Wilson); the "
    "highest rates rank by the interval's lower bound, the lowest by its upper bound, so a prompt "
    "tried twice cannot top the list by luck. *Re-roll*: the same prompt again right after itself, "
    "with a new seed. *Abandonment*: of the sessions that used the prompt, the share that ended on "
    "it with a failure."
)
CSS = """
#lb-status .lb-status { color: #cbd5e1; font-size: 0.85rem; line-height: 1.5; }
#lb-status .lb-status b { color: #e2e8f0; }
/* Phones: the prompt keeps a readable width and the table scrolls sideways to the rates. */
@media (max-width: 640px) {
  #lb-table th[data-heading="1"], #lb-table [role="gridcell"][data-col="1"] {
    width: 220px !important; min-width: 220px !important; max-width: 220px !important;
    flex: 0 0 220px !important;
  }
}
"""
# The table's column widths: the prompt takes what the numbers leave.
NARROW = {"#": "44px", "Spellings": "104px", "Generations": "120px", "Sessions": "88px"}
RATE_WIDTH, PROMPT_WIDTH = "140px", "32%"
LABEL = "Leaderboards"  # short: the four views fit a phone's tab bar
# group="cluster" (the API's name, kept) is shown as "same text": the clusters of docs/clusters.md
# (prompts close in meaning) are another thing, filtered and charted as "prompt cluster"
GROUP_CHOICES = [("Exact prompts", "prompt"), ("Same text (equal but for case and spacing)", "cluster")]


def status_html(
    frame: pd.DataFrame, metric: str, direction: str, group: str, min_sample: int, scope: str
) -> str:
    """What the table holds, in one line: how many rows of how many, the ranking rule, the scope."""
    noun = "same-text group" if group == "cluster" else "prompt"
    shown = f"{len(frame):,} of {plural(frame.attrs.get('eligible', len(frame)), noun)}"
    if frame.empty:
        shown = f"No {noun} has enough {LEADERBOARD_METRICS[metric].trials} here: lower the minimum sample"
    return (
        f'<div class="lb-status"><b>{html.escape(shown)}</b> · {html.escape(scope)}<br>'
        f"{html.escape(ranking_rule(metric, direction, min_sample))}</div>"
    )


def build(demo: gr.Blocks, api: Api, bar: filterbar.FilterBar, views: gr.Tabs) -> None:
    """Render the view as a tab of ``views`` (the Analytics tab's views); it shows the scope ``bar``
    applied. Its query runs only while the view is open (at 1M generations it takes seconds, and the
    charts beside it need not wait for it): when it opens on inputs it has not drawn yet, when the
    applied filters change while it is open, and when a picker changes."""
    with gr.Tab(LABEL, id="leaderboards"):
        gr.Markdown(INTRO)
        with gr.Row(equal_height=True):
            metric = gr.Dropdown(
                [(m.label, m.name) for m in LEADERBOARD_METRICS.values()],
                value="failure_rate",
                label="Rank by",
                elem_id="lb-metric",
            )
            direction = gr.Radio(["worst", "best"], value="worst", label="Direction", elem_id="lb-direction")
            group = gr.Radio(GROUP_CHOICES, value="prompt", label="Rows", elem_id="lb-group")
            min_sample = gr.Number(
                value=DEFAULT_MIN_SAMPLE,
                minimum=1,
                precision=0,
                label="Minimum sample",
                info="generations (sessions for abandonment)",
                elem_id="lb-min-sample",
            )
        status = gr.HTML(elem_id="lb-status")
        table = gr.Dataframe(interactive=False, wrap=True, elem_id="lb-table", max_height=4000)
        with gr.Row():
            export_button = gr.Button("Export table as CSV", elem_id="lb-export")
            export_file = gr.File(label="CSV", interactive=False, visible=False, elem_id="lb-csv")
        # Inside the tab: a State placed among the tabs makes Gradio 6.31 draw the next tab's
        # button twice once it is clicked.
        shown = gr.State(None)  # the frame in the table: what the export writes
        showing = gr.State(False)  # whether this view is the open one
        drawn = gr.State(None)  # the inputs the table was drawn for

    @user_errors
    def refresh(applied, is_showing, drawn_for, metric_name, direction_name, group_name, minimum):
        inputs = json.dumps([applied, metric_name, direction_name, group_name, minimum], default=str)
        if not is_showing or inputs == drawn_for:
            return [gr.skip()] * 4
        filters = filterbar.filters_of(api, applied)
        frame = api.leaderboard_frame(
            filters, metric_name, direction_name, group_name, minimum, DEFAULT_LIMIT
        )
        view = leaderboard_table(frame, metric_name, group_name)
        note = status_html(
            frame, metric_name, direction_name, group_name, int(minimum), filterbar.describe(filters)
        )
        widths = [NARROW.get(c, PROMPT_WIDTH if i == 1 else RATE_WIDTH) for i, c in enumerate(view.columns)]
        return gr.Dataframe(view, column_widths=widths), note, view, inputs

    inputs = [showing, drawn, metric, direction, group, min_sample]
    outputs = [table, status, shown, drawn]

    # when its tab opens, and on Apply and when the Analytics tab opens while it is the one shown
    filterbar.on_view_shown(bar, views, LABEL, refresh, inputs, outputs)
    gr.on(
        [metric.change, direction.change, group.change, min_sample.submit, min_sample.blur],
        refresh,
        [bar.applied, *inputs],
        outputs,
        api_visibility="private",
        trigger_mode="always_last",
    )

    def export(view):
        return csv_download(view, "prompt_leaderboard.csv", "There is nothing to export: the table is empty.")

    export_button.click(export, shown, export_file, api_visibility="private")
