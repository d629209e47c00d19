"""The Analytics tab's Prompt refinement view: how people edit their prompts on the way to an image
they keep (docs/refinement.md), under the shared filter bar. The headline figures, the edit-type
chart, the flow of sessions through edits and the terms most added and removed all come from the
API's refinement endpoints (``Api.edit_summary_frame``, ``edit_mix_frame``, ``edit_flow_frame``,
``edit_terms_frame``), so the view, /edits, /edit_flow and /edit_terms agree; each table's CSV
export is the table on screen. A picker breaks the figures down by the edited generation's tier,
domain, art style, prompt cluster or visual cluster (the API's ``by``; the clusters when the
warehouse has them): a table of each group's figures (the rows of /edits?by=...'s summary), the
edit types per group, and the terms per group. The flow chart follows whole sessions, so it is not
grouped."""

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
GROUP_TERM_LIMIT = 5  # terms per group and change when grouped: dozens of clusters make long tables
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
# The picker: the API's groupings (refinement.GROUPS) in words; the clusters only where the
# warehouse has them (the filter field of the same name has values).
GROUP_LABELS = {
    "none": "All edits",
    "tier": "Tier",
    "domain": "Domain",
    "art_style": "Art style",
    "prompt_cluster": "Prompt cluster",
    "visual_cluster": "Visual cluster",
}
CLUSTER_FIELDS = {"prompt_cluster": "prompt_clusters", "visual_cluster": "visual_clusters"}
# Columns of the table by group as shown (and exported): summary column -> heading, format.
GROUP_COLUMNS = {
    "generations": ("Generations", "{:,.0f}"),
    "sessions": ("Sessions", "{:,.0f}"),
    "edits": ("Edits", "{:,.0f}"),
    "edits_per_session": ("Edits a session", "{:.2f}"),
    "kept_images": ("Kept images", "{:,.0f}"),
    "kept_share": ("Ideas kept", "{:.0%}"),
    "edits_per_kept_image": ("Edits per kept image", "{:.2f}"),
    "median_seconds_to_kept": ("Median s to a keeper", "{:,.0f}"),
    "rerolls_before_first_success": ("Re-rolls before first success", "{:.2f}"),
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


def terms_table(frame: pd.DataFrame, change: str, by: str = "none") -> pd.DataFrame:
    """The terms ``change`` ("added", "removed") as the table shows them: rates as percentages,
    the next step in words; broken down (``by``), the group first."""
    group = [] if by == "none" else [by]
    rows = frame[frame["change"] == change][group + list(TERM_COLUMNS)].copy()
    rows["success_rate"] = rows["success_rate"].map(lambda v: f"{v:.0%}")
    rows["success_change"] = rows["success_change"].map(lambda v: f"{v:+.0%}")
    rows["next_action"] = rows["next_action"].map(lambda v: EDIT_LABELS.get(v, v.replace("_", " ")))
    return rows.rename(columns={**TERM_COLUMNS, by: GROUP_LABELS[by]}).reset_index(drop=True)


# The table by group's column widths: the group's name takes what the figures leave.
GROUP_WIDTHS = ["20%", "112px", "92px", "72px", "92px", "92px", "84px", "112px", "112px", "130px"]


def group_choices(api: Api) -> list[tuple[str, str]]:
    """(label, value) of each grouping the picker offers in this warehouse."""
    choices = api.filter_choices()
    return [
        (label, by)
        for by, label in GROUP_LABELS.items()
        if by not in CLUSTER_FIELDS or choices.get(CLUSTER_FIELDS[by])
    ]


def group_table(summary: pd.DataFrame, by: str) -> pd.DataFrame:
    """The figures of each group (``refinement_summary`` with ``by``) as the table shows them and
    the export writes them: the group's name, then counts and rates in words (n/a where a rate has
    no denominator), largest group first (the query's order)."""

    def shown(value, fmt: str) -> str:
        return "n/a" if pd.isna(value) else fmt.format(value)

    table = pd.DataFrame({GROUP_LABELS[by]: summary[by].astype(str)})
    for column, (heading, fmt) in GROUP_COLUMNS.items():
        table[heading] = [shown(v, fmt) for v in summary[column]]
    return table.reset_index(drop=True)


def build(demo: gr.Blocks, api: Api, bar: filterbar.FilterBar, views: gr.Tabs) -> None:
    """Render the view as a tab of ``views``; it shows the scope ``bar`` applied, and its queries run
    only while it is open (when it opens on a scope it has not drawn, and when the scope changes
    while it is open)."""
    with gr.Tab(LABEL, id="refinement"):
        gr.Markdown(INTRO)
        summary = gr.HTML(elem_id="rf-summary")
        group_by = gr.Radio(group_choices(api), value="none", label="Break down by", elem_id="rf-by")
        groups = gr.Dataframe(
            label="By group", interactive=False, wrap=True, visible=False, elem_id="rf-groups"
        )
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
            groups_button = gr.Button("Export the groups as CSV", visible=False, elem_id="rf-export-groups")
            groups_file = gr.File(label="CSV", interactive=False, visible=False, elem_id="rf-groups-csv")
        # Inside the tab: a State placed among the tabs makes Gradio 6.31 draw the tab's button
        # twice once it is clicked.
        terms_state = gr.State(None)  # the terms frame behind both tables: what the export writes
        groups_state = gr.State(None)  # the table by group on screen: what its export writes
        showing = gr.State(False)
        drawn = gr.State(None)

    @user_errors
    def refresh(applied, is_showing, drawn_for, by):
        key = json.dumps([applied, by], default=str)
        if not is_showing or key == drawn_for:
            return [gr.skip()] * len(outputs)
        filters = filterbar.filters_of(api, applied)
        grouped = by != "none"
        limit = GROUP_TERM_LIMIT if grouped else TERM_LIMIT
        terms = api.edit_terms_frame(filters, "both", by, TERM_MIN_EDITS, limit)
        table = group_table(api.edit_summary_frame(filters, by), by) if grouped else None
        mix = api.edit_mix_frame(filters, by)
        widths = (["14%"] if grouped else []) + ["40%", "80px", "80px", "110px", "130px", "180px"]
        return [
            summary_html(api.edit_summary_frame(filters), filterbar.describe(filters)),
            gr.Dataframe(table, visible=grouped, column_widths=GROUP_WIDTHS),
            charts.edit_mix_by(mix, by, GROUP_LABELS[by].lower()) if grouped else charts.edit_mix(mix),
            charts.edit_flow(api.edit_flow_frame(filters, FLOW_STEPS)),
            gr.Dataframe(terms_table(terms, "added", by), column_widths=widths),
            gr.Dataframe(terms_table(terms, "removed", by), column_widths=widths),
            terms,
            table,
            gr.Button(visible=grouped),
            key,
        ]

    outputs = [summary, groups, mix_plot, flow_plot, added, removed, terms_state, groups_state,
               groups_button, drawn]  # fmt: skip
    inputs = [showing, drawn, group_by]

    # when its tab opens, and on Apply and when the Analytics tab opens while it is the one shown
    filterbar.on_view_shown(bar, views, LABEL, refresh, inputs, outputs)
    group_by.change(refresh, [bar.applied, *inputs], outputs, api_visibility="private")

    def export(terms):
        return csv_download(
            terms, "prompt_edit_terms.csv", "There is nothing to export: no term passes the minimum."
        )

    export_button.click(export, terms_state, export_file, api_visibility="private")

    def export_groups(table):
        return csv_download(table, "prompt_edits_by_group.csv", "There is nothing to export: no group here.")

    groups_button.click(export_groups, groups_state, groups_file, api_visibility="private")
