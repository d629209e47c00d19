"""Session Explorer tab: search generations, inspect one, and replay the session it came from.

The page: a search box over the shared filter bar; results as a thumbnail gallery; the selected
generation in full with "More like this" and "Open session replay"; a sortable sessions table;
and the replay, the session's generations in order as cards with prompt diffs and changed
parameters. The data comes from the API layer (api/endpoints.py); the HTML from explorer_view.
"""

from __future__ import annotations

import html

import gradio as gr
import pandas as pd

from genai_analyzer.analysis import explorer_queries as explore
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app import analytics
from genai_analyzer.app.errors import user_errors
from genai_analyzer.app.explorer_view import (
    EMPTY_DETAIL,
    EMPTY_REPLAY,
    SESSION_COLUMN_WIDTHS,
    SORT_CHOICES,
    allowed_paths,
    detail_html,
    file_url,
    gallery_items,
    replay_html,
    sessions_table,
)

__all__ = ["EMPTY_DETAIL", "allowed_paths", "build", "file_url", "replay_html"]

# --- the tab ---------------------------------------------------------------------------------


def build(demo: gr.Blocks, api: Api) -> None:
    """Render the tab into the enclosing Blocks."""
    wh = api.wh
    with gr.Row(equal_height=True):
        query = gr.Textbox(
            label="Search prompts",
            placeholder="e.g. cyberpunk city at night, oil painting (empty: latest generations)",
            scale=4,
        )
        mode = gr.Radio(["hybrid", "semantic", "keyword"], value="hybrid", label="Mode", scale=2)
        limit = gr.Slider(6, 96, value=24, step=6, label="Results", scale=2)
        go = gr.Button("Search", variant="primary", scale=1)
    filters = analytics.filter_bar(api)
    shown_ids = gr.State([])  # generation ids in gallery order
    selected = gr.State(None)  # generation id of the selected tile

    with gr.Tabs() as views:
        with gr.Tab("Results", id="results"):
            status = gr.HTML()
            with gr.Row():
                gallery = gr.Gallery(
                    label="Results", columns=4, height=560, allow_preview=False, object_fit="cover", scale=3
                )
                with gr.Column(scale=2):
                    with gr.Row():
                        more = gr.Button("More like this", interactive=False)
                        open_replay = gr.Button("Open session replay", interactive=False)
                    detail = gr.HTML(EMPTY_DETAIL)
        with gr.Tab("Sessions", id="sessions"):
            with gr.Row(equal_height=True):
                sort_by = gr.Dropdown(SORT_CHOICES, value="friction", label="Sort sessions by", scale=2)
                descending = gr.Checkbox(value=True, label="Highest first", scale=1)
                n_sessions = gr.Slider(10, 500, value=50, step=10, label="Sessions", scale=2)
            sessions_note = gr.HTML()
            table = gr.Dataframe(
                interactive=False,
                max_height=560,
                label="Sessions (select a row)",
                column_widths=SESSION_COLUMN_WIDTHS,
            )
        with gr.Tab("Session replay", id="replay"):
            replay = gr.HTML(EMPTY_REPLAY)

    results_out = [gallery, shown_ids, status, detail, selected, more, open_replay]

    def show_results(frame: pd.DataFrame, heading: str, empty: str) -> list:
        reset = [EMPTY_DETAIL, None, gr.Button(interactive=False), gr.Button(interactive=False)]
        if frame.empty:
            note = f'<div class="ex-empty">{empty}</div>'
            return [gr.Gallery(value=[], visible=False), [], note, *reset]
        note = f'<div class="ex-status">{heading}</div>'
        items = gallery_items(frame)
        return [gr.Gallery(value=items, visible=True), frame["generation_id"].tolist(), note, *reset]

    @user_errors
    def run_search(text, mode_value, n, *values):
        filters_now = analytics.filters_of(api, values)
        text = (text or "").strip()
        frame = api.browse_frame(text, mode_value, filters_now, n)
        if not text:
            return show_results(
                frame,
                f"Latest {len(frame)} generations matching the filters. Type above to search prompts.",
                "No generations match these filters. Widen the dates or clear some filters.",
            )
        return show_results(
            frame,
            f"{len(frame)} generations for <b>{html.escape(text)}</b> ({html.escape(mode_value)} search).",
            f"Nothing matches <b>{html.escape(text)}</b> with these filters. Try other words, "
            "another search mode, or fewer filters.",
        )

    @user_errors
    def select_tile(ids, evt: gr.SelectData):
        if not ids or evt.index is None or evt.index >= len(ids):
            return EMPTY_DETAIL, None, gr.Button(interactive=False), gr.Button(interactive=False)
        generation_id = ids[evt.index]
        page = detail_html(explore.generation_detail(wh, generation_id))
        return page, generation_id, gr.Button(interactive=True), gr.Button(interactive=True)

    @user_errors
    def similar(generation_id, n, *values):
        if not generation_id:
            raise gr.Error("Select an image first.")
        frame = api.more_like_this_frame(generation_id, analytics.filters_of(api, values), n)
        return show_results(
            frame,
            f"{len(frame)} generations with prompts like the selected one's.",
            "No other prompts are close to this one with these filters. Try fewer filters.",
        )

    def open_session(session_id: str) -> tuple:
        page = replay_html(*explore.session_with_diffs(wh, session_id))
        return page, gr.Tabs(selected="replay")

    @user_errors
    def replay_of_generation(generation_id):
        if not generation_id:
            raise gr.Error("Select an image first.")
        return open_session(explore.generation_detail(wh, generation_id)["session"]["session_id"])

    @user_errors
    def refresh_sessions(key, desc, n, *values):
        frame = api.sessions_frame(analytics.filters_of(api, values), key, desc, n)
        if frame.empty:
            note = (
                '<div class="ex-empty">No sessions match these filters. '
                "Widen the dates or clear some filters.</div>"
            )
            return gr.Dataframe(value=None, visible=False), note
        note = f'<div class="ex-status">{len(frame)} sessions. Select a row to replay it.</div>'
        return gr.Dataframe(value=sessions_table(frame), visible=True), note

    @user_errors
    def select_session(evt: gr.SelectData):
        # The session id is the last column; the row's own values survive client-side sorting.
        row = evt.row_value or []
        if not row:
            return EMPTY_REPLAY, gr.Tabs()
        return open_session(str(row[-1]))

    search_in = [query, mode, limit, *filters]
    sessions_in = [sort_by, descending, n_sessions, *filters]
    for trigger in (go.click, query.submit, demo.load):
        trigger(run_search, search_in, results_out, api_visibility="private")
    for trigger in (go.click, demo.load, sort_by.change, descending.change, n_sessions.release):
        trigger(refresh_sessions, sessions_in, [table, sessions_note], api_visibility="private")
    gallery.select(select_tile, [shown_ids], [detail, selected, more, open_replay], api_visibility="private")
    more.click(similar, [selected, limit, *filters], results_out, api_visibility="private")
    open_replay.click(replay_of_generation, [selected], [replay, views], api_visibility="private")
    table.select(select_session, None, [replay, views], api_visibility="private")
