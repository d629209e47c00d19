"""The Analytics tab's Prompt refinement view: how people edit their prompts on the way to an image
they keep (docs/refinement.md), under the shared filter bar. The headline figures, the edit-type
chart, the flow of sessions through edits and the terms most added and removed all come from the
API's refinement endpoints (``Api.edit_summary_frame``, ``edit_mix_frame``, ``edit_flow_frame``,
``edit_terms_frame``), so the view, /edits, /edit_flow and /edit_terms agree; each table's CSV
export is the table on screen."""

from __future__ import annotations

import html
import json

import gradio as gr
import pandas as pd

from genai_analyzer.analysis import behaviour_charts as charts
from genai_analyzer.analysis.behaviour_charts import EDIT_LABELS
from genai_analyzer.analysis.formatting import plural
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app import filterbar
from genai_analyzer.app.downloads import csv_download
from genai_analyzer.app.errors import user_errors

LABEL = "Refinement"
INTRO = (
    "How people edit a prompt until they keep an image. Each generation after a session's first is "
    "an *edit* of the one before: a re-roll (same prompt, new seed), settings only, modifiers added, "
    "removed or changed, the subject changed, or a new idea. A *kept image* is the last generation of "
    "an idea when it succeeded (the logs hold no download or like: stopping on a success is the "
    "closest signal). An edit passes the filters when its generation does."
)
TERM_LIMIT = 15
TERM_MIN_EDITS = 3
FLOW_STEPS = 3
# Columns of the terms tables as shown (and exported): source column -> heading.
TERM_COLUMNS = {
    "term": "Term",
    "edits": "Edits",
    "users": "Users",
    "success_rate": "Success after",
    "success_change": "Change vs before",
    "next_action": "Most common next step",
}


def summary_html(summary: pd.DataFrame, scope: str) -> str:
    """The headline figures in one line (or why there are none), with the scope they cover."""
    if summary.empty or not summary["edits"].iloc[0]:
        return f'<div class="lb-status"><b>No prompt edits here.</b> · {html.escape(scope)}</div>'
    row = summary.iloc[0]

    def number(value, fmt: str) -> str:
        return "n/a" if pd.isna(value) else format(value, fmt)

    parts = [
        f"<b>{plural(int(row['edits']), 'edit')}</b> in {plural(int(row['sessions']), 'session')} "
        f"({number(row['edits_per_session'], '.2f')} a session)",
        f"<b>{plural(int(row['kept_images']), 'kept image')}</b>, "
        f"{number(row['edits_per_kept_image'], '.2f')} edits each",
        f"median {number(row['median_seconds_to_kept'], ',.0f')} s from an idea to its keeper",
        f"{number(row['rerolls_before_first_success'], '.2f')} re-rolls before a session's first success",
    ]
    return f'<div class="lb-status">{" · ".join(parts)}<br>{html.escape(scope)}</div>'


def terms_table(frame: pd.DataFrame, change: str) -> pd.DataFrame:
    """The terms ``change`` ("added", "removed") as the table shows them: rates as percentages,
    the next step in words."""
    rows = frame[frame["change"] == change][list(TERM_COLUMNS)].copy()
    rows["success_rate"] = rows["success_rate"].map(lambda v: f"{v:.0%}")
    rows["success_change"] = rows["success_change"].map(lambda v: f"{v:+.0%}")
    rows["next_action"] = rows["next_action"].map(lambda v: EDIT_LABELS.get(v, v.replace("_", " ")))
    return rows.rename(columns=TERM_COLUMNS).reset_index(drop=True)


def build(demo: gr.Blocks, api: Api, bar: filterbar.FilterBar, views: gr.Tabs) -> None:
    """Render the view as a tab of ``views``; it shows the scope ``bar`` applied, and its queries run
    only while it is open (when it opens on a scope it has not drawn, and when the scope changes
    while it is open)."""
    with gr.Tab(LABEL, id="refinement"):
        gr.Markdown(INTRO)
        summary = gr.HTML(elem_id="rf-summary")
        with gr.Row():
            mix_plot = gr.Plot(show_label=False, elem_id="rf-mix")
            flow_plot = gr.Plot(show_label=False, elem_id="rf-flow")
        gr.Markdown(
            f"Terms (comma-separated phrases) most often added or removed, in at least "
            f"{TERM_MIN_EDITS} edits: how often the generation that followed succeeded, the change "
            "against the generation before, and what people did next."
        )
        added = gr.Dataframe(label="Added", interactive=False, wrap=True, elem_id="rf-added")
        removed = gr.Dataframe(label="Removed", interactive=False, wrap=True, elem_id="rf-removed")
        with gr.Row():
            export_button = gr.Button("Export the terms as CSV", elem_id="rf-export")
            export_file = gr.File(label="CSV", interactive=False, visible=False, elem_id="rf-csv")
        # Inside the tab: a State placed among the tabs makes Gradio 6.31 draw the tab's button
        # twice once it is clicked.
        terms_state = gr.State(None)  # the terms frame behind both tables: what the export writes
        showing = gr.State(False)
        drawn = gr.State(None)

    @user_errors
    def refresh(applied, is_showing, drawn_for):
        key = json.dumps(applied, default=str)
        if not is_showing or key == drawn_for:
            return [gr.skip()] * 7
        filters = filterbar.filters_of(api, applied)
        terms = api.edit_terms_frame(filters, "both", "none", TERM_MIN_EDITS, TERM_LIMIT)
        widths = ["40%", "80px", "80px", "110px", "130px", "180px"]
        return [
            summary_html(api.edit_summary_frame(filters), filterbar.describe(filters)),
            charts.edit_mix(api.edit_mix_frame(filters)),
            charts.edit_flow(api.edit_flow_frame(filters, FLOW_STEPS)),
            gr.Dataframe(terms_table(terms, "added"), column_widths=widths),
            gr.Dataframe(terms_table(terms, "removed"), column_widths=widths),
            terms,
            key,
        ]

    outputs = [summary, mix_plot, flow_plot, added, removed, terms_state, drawn]

    # when its tab opens, and on Apply and when the Analytics tab opens while it is the one shown
    filterbar.on_view_shown(bar, views, LABEL, refresh, [showing, drawn], outputs)

    def export(terms):
        return csv_download(
            terms, "prompt_edit_terms.csv", "There is nothing to export: no term passes the minimum."
        )

    export_button.click(export, terms_state, export_file, api_visibility="private")
