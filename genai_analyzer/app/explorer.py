"""Session Explorer tab: search generations, inspect one, and replay the session it came from.

The page: a search box over the shared filter bar; results as a gallery with one tile per
distinct prompt ("x5" when it was generated five times; NSFW images blurred until clicked; prompt
cards instead of tiles when the warehouse has no images); the selected generation in full, with
the other generations of its prompt, "More like this" (prompts close in meaning), "Images like
this" (images that look alike: visual similarity, docs/images.md; where the warehouse has image
embeddings; both pin their source first) and "Open session replay"; with a CLIP image model
(GENAI_IMAGE_MODEL) a fourth search mode, "images", finds images from words; a sortable sessions table
with a minimum session length; the near-duplicate image groups, a page at a time (where the
warehouse has image embeddings); and the replay, the session's generations in order as cards with
prompt diffs and changed parameters. The data comes from the API layer (api/endpoints.py); the
HTML from explorer_view.
"""

from __future__ import annotations

import html
import json

import gradio as gr
import pandas as pd

from genai_analyzer.analysis import explorer_queries as explore
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.formatting import plural
from genai_analyzer.api.endpoints import MIN_SESSION_GENERATIONS, Api
from genai_analyzer.app import filterbar
from genai_analyzer.app.errors import user_errors
from genai_analyzer.app.explorer_view import (
    EMPTY_DETAIL,
    EMPTY_REPLAY,
    SESSION_COLUMN_WIDTHS,
    SORT_CHOICES,
    detail_html,
    duplicate_groups_html,
    generations_html,
    near_duplicate_rule,
    replay_html,
    sessions_table,
    thumb_url,
    tiles_html,
)
from genai_analyzer.core.contract import DUPLICATE_MAX_BITS

__all__ = ["EMPTY_DETAIL", "build", "replay_html", "thumb_url", "tiles_html"]

# --- the tab ---------------------------------------------------------------------------------

# Tiles and prompt cards report a click as a "select" event: {index, value: generation id}, with
# session set when the card's session link was clicked. The first click on a blurred (NSFW) tile
# unblurs it as it opens it. Enter or Space on a focused tile does the same as a click.
TILES_JS = """
const pick = (event) => {
  const tile = event.target.closest('[data-index]');
  if (!tile || !element.contains(tile)) return;
  const link = event.target.closest('[data-session]');
  if (link) {
    event.preventDefault();
    const session = link.dataset.session;
    trigger('select', {index: Number(tile.dataset.index), value: tile.dataset.id, session});
    return;
  }
  tile.classList.add('revealed');
  element.querySelectorAll('.selected').forEach((t) => t.classList.remove('selected'));
  tile.classList.add('selected');
  trigger('select', {index: Number(tile.dataset.index), value: tile.dataset.id});
};
element.addEventListener('click', pick);
element.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); pick(event); }
});
"""

# The detail panel: a click on one of the prompt's other generations opens it.
DETAIL_JS = """
const open = (event) => {
  const item = event.target.closest('[data-gen]');
  if (!item || !element.contains(item)) return;
  trigger('select', {index: 0, value: item.dataset.gen});
};
element.addEventListener('click', open);
element.addEventListener('keydown', (event) => { if (event.key === 'Enter') open(event); });
"""

DUPLICATE_PAGE_SIZE = 10  # near-duplicate groups per page of the Near-duplicates view

NO_IMAGES_NOTE = (
    " This warehouse has no images, so each card shows its prompt in full with its status, labels "
    "and session."
)


def build(demo: gr.Blocks, api: Api, bar: filterbar.FilterBar) -> None:
    """Render the tab into the enclosing Blocks; it searches in the scope ``bar`` applied (the
    whole warehouse until the user narrows it)."""
    wh = api.wh
    images = api.has_images()
    visual_ok = api.has_image_embeddings()
    model = api.image_model() if visual_ok else {}
    # "images": text-to-image search, offered only with a CLIP model (EfficientNet-Lite0 knows no words)
    modes = ["hybrid", "semantic", "keyword", *(["images"] if model.get("text_search") else [])]
    looks = "visual similarity" if model.get("kind") != "clip" else f"CLIP model {model.get('label')}"
    with gr.Row(equal_height=True):
        query = gr.Textbox(
            label="Search prompts",
            placeholder="e.g. cyberpunk city at night, oil painting (empty: latest prompts)",
            scale=4,
        )
        mode = gr.Radio(
            modes,
            value="hybrid",
            label="Mode",
            info=f"images: find images from words (CLIP model {model.get('label')})"
            if "images" in modes
            else None,
            scale=2,
        )
        limit = gr.Slider(6, 96, value=24, step=6, label="Results (prompts)", scale=2)
        go = gr.Button("Search", variant="primary", scale=1)
    shown_ids = gr.State([])  # generation id of each tile, in gallery order
    scope = gr.State(None)  # the Filters the tiles were found with
    selected = gr.State(None)  # generation id of the selected tile
    searched = gr.State(None)  # the key of the last search the gallery ran (its results, or more like them)
    # The newest search wins over the tab's own draw. The browser numbers the searches it sends
    # (`search_count`, raised in the browser the moment Search or Enter is pressed, so every event
    # sent afterwards carries the new number), and the server keeps the highest number it has seen
    # per page (`asked`, one dict shared by the page's events). A draw that was sent before a search
    # was asked for carries a lower number and is dropped when it ends, even when the queue ran it
    # after the search.
    search_count = gr.Number(0, visible=False, precision=0)
    asked = gr.State({"searches": 0})
    listed = gr.State(None)  # the key of what the sessions table shows
    dup_drawn = gr.State(None)  # the key of what the Near-duplicates view shows

    with gr.Tabs() as views:
        with gr.Tab("Results", id="results"):
            status = gr.HTML()
            with gr.Row():
                with gr.Column(scale=3, min_width=300):
                    gallery = gr.HTML("", js_on_load=TILES_JS, elem_id="ex-gallery", padding=False)
                with gr.Column(scale=2, min_width=300):
                    with gr.Row():
                        more = gr.Button("More like this", interactive=False)
                        visual = gr.Button("Images like this", interactive=False, visible=visual_ok)
                        open_replay = gr.Button("Open session replay", interactive=False)
                    detail = gr.HTML(EMPTY_DETAIL, js_on_load=DETAIL_JS, elem_id="ex-detail-panel")
        with gr.Tab("Sessions", id="sessions"):
            with gr.Row(equal_height=True):
                sort_by = gr.Dropdown(SORT_CHOICES, value="friction", label="Sort sessions by", scale=2)
                descending = gr.Checkbox(value=True, label="Highest first", scale=1)
                min_generations = gr.Slider(
                    1, 20, value=MIN_SESSION_GENERATIONS, step=1, label="At least N generations", scale=2
                )
                n_sessions = gr.Slider(10, 500, value=50, step=10, label="Sessions", scale=2)
            sessions_note = gr.HTML()
            table = gr.Dataframe(
                interactive=False,
                max_height=560,
                label="Sessions (select a row)",
                column_widths=SESSION_COLUMN_WIDTHS,
            )
        with gr.Tab("Near-duplicates", id="duplicates", visible=visual_ok):
            with gr.Row(equal_height=False):
                with gr.Column(scale=5):
                    dup_note = gr.HTML()
                dup_page = gr.Number(1, minimum=1, precision=0, label="Page", scale=1, min_width=90)
                with gr.Column(scale=1, min_width=130):
                    dup_back = gr.Button("Previous page", size="sm")
                    dup_next = gr.Button("Next page", size="sm")
            dup_groups = gr.HTML("", js_on_load=DETAIL_JS, elem_id="ex-duplicates", padding=False)
        with gr.Tab("Session replay", id="replay"):
            replay = gr.HTML(EMPTY_REPLAY)

    actions = [more, visual, open_replay]  # the detail panel's buttons: usable once a tile is chosen
    results_out = [gallery, shown_ids, scope, status, detail, selected, *actions]

    def usable(on: bool, generation_id: str | None = None) -> list:
        """The detail panel's buttons; "Images like this" only for a generation whose image has a
        vector (a tile without an image, or one that could not be read, has nothing to start from)."""
        looks = on and visual_ok and generation_id is not None and api.has_image_embedding(generation_id)
        return [gr.Button(interactive=on), gr.Button(interactive=looks), gr.Button(interactive=on)]

    def show_results(
        tiles: pd.DataFrame, filters_now, heading: str, empty: str, keep: str | None = None
    ) -> list:
        """The gallery's outputs; ``keep``: a generation that stays selected (the pinned source)."""
        reset = [EMPTY_DETAIL, None, *usable(False)]
        if keep is not None:
            reset = [detail_of(keep, filters_now), keep, *usable(True, keep)]
        if tiles.empty:
            note = f'<div class="ex-empty">{empty}</div>'
            return [gr.HTML(value="", visible=False), [], filters_now, note, *reset]
        note = f'<div class="ex-status">{heading}{"" if images else NO_IMAGES_NOTE}</div>'
        ids = tiles["generation_id"].tolist()
        return [gr.HTML(value=tiles_html(tiles, images=images), visible=True), ids, filters_now, note, *reset]

    def counted(tiles: pd.DataFrame) -> str:
        n, total = len(tiles), int(tiles["n_generations"].sum()) if len(tiles) else 0
        prompts = "prompt" if n == 1 else "prompts"
        return f"{n} {prompts} ({total} generation{'' if total == 1 else 's'})"

    def searched_since(page_asked, count) -> bool:
        """Whether a search was asked for after an event that carried the browser's ``count``."""
        return int((page_asked or {}).get("searches", 0)) > int(count or 0)

    @user_errors
    def run_search(applied, is_shown, text, mode_value, n, searched_for, count=0, page_asked=None):
        # on Apply and when the tab opens: skipped while hidden or when this search already ran
        # (the gallery may show "more like this" results of it: a repeated trigger keeps them),
        # and dropped when the user searched after it was sent (the box then held older text)
        skip = [gr.skip()] * (len(results_out) + 1)
        if not is_shown or search_key(applied, text, mode_value, n) == searched_for:
            return skip
        if searched_since(page_asked, count):
            return skip
        out = [*search_results(applied, text, mode_value, n), search_key(applied, text, mode_value, n)]
        return skip if searched_since(page_asked, count) else out

    @user_errors
    def search_now(applied, text, mode_value, n, count=0, page_asked=None) -> list:
        """The Search button and Enter: always run; ``count`` numbers this search (from the browser)."""
        if page_asked is not None:
            page_asked["searches"] = max(int(page_asked.get("searches", 0)), int(count or 0))
        return [*search_results(applied, text, mode_value, n), search_key(applied, text, mode_value, n)]

    def search_key(applied, text, mode_value, n) -> str:
        return json.dumps([applied, (text or "").strip(), mode_value, n], default=str)

    def search_results(applied, text, mode_value, n) -> list:
        filters_now = filterbar.filters_of(api, applied)
        scope = html.escape(filterbar.describe(filters_now))
        text = (text or "").strip()
        if text and mode_value == "images":
            found = api.images_from_text_gallery_frame(text, filters_now, n)
            return show_results(
                found,
                filters_now,
                f"{len(found)} image{'' if len(found) == 1 else 's'} nearest to <b>{html.escape(text)}</b> "
                f"(text to image, {html.escape(looks)}) in {scope}, best match first, one tile per image.",
                f"No images pass these filters for <b>{html.escape(text)}</b>. Try fewer filters.",
            )
        tiles = api.gallery_frame(text, "hybrid" if mode_value == "images" else mode_value, filters_now, n)
        if not text:
            return show_results(
                tiles,
                filters_now,
                f"The latest {counted(tiles)} in {scope}, one tile per prompt. Type above to search prompts.",
                "No generations match these filters. Widen the dates or clear some filters.",
            )
        tier = ""
        if mode_value != "keyword":  # which embedding tier ranked by meaning (docs/enrichment.md)
            tier = f'<div class="ex-tier">{html.escape(api.search_tier_line())}</div>'
        if mode_value != "semantic":  # which backend ranked by BM25 (bm25s or fts)
            tier += f'<div class="ex-tier">{html.escape(api.keyword_backend_line())}</div>'
        return show_results(
            tiles,
            filters_now,
            f"{counted(tiles)} for <b>{html.escape(text)}</b> ({html.escape(mode_value)} search) "
            f"in {scope}, best match first.{tier}",
            f"Nothing matches <b>{html.escape(text)}</b> with these filters. Try other words, "
            "another search mode, or fewer filters.",
        )

    def detail_of(generation_id: str, filters_now) -> str:
        detail = explore.generation_detail(wh, generation_id)
        generations = api.prompt_generations_frame(detail["prompt"]["prompt_id"], filters_now or Filters())
        listed = generations_html(generations, generation_id, threshold=api.blur_threshold())
        return detail_html(detail, listed)

    @user_errors
    def select_tile(ids, filters_now, evt: gr.SelectData):
        nothing = [EMPTY_DETAIL, None, *usable(False)]
        generation_id = evt.value if evt.value in (ids or []) else None
        if generation_id is None and isinstance(evt.index, int) and 0 <= evt.index < len(ids or []):
            generation_id = ids[evt.index]
        if generation_id is None:
            return [*nothing, gr.skip(), gr.Tabs()]
        session_id = (evt._data or {}).get("session")
        if session_id:  # a prompt card's session link
            page, tabs = open_session(str(session_id))
            return [gr.skip(), gr.skip(), *[gr.skip() for _ in actions], page, tabs]
        page = detail_of(generation_id, filters_now)
        return [page, generation_id, *usable(True, generation_id), gr.skip(), gr.Tabs()]

    @user_errors
    def open_generation(filters_now, evt: gr.SelectData):
        if not evt.value:
            return gr.skip(), gr.skip()
        return detail_of(str(evt.value), filters_now), str(evt.value)

    @user_errors
    def similar(generation_id, n, applied):
        if not generation_id:
            raise gr.Error("Select an image first.")
        filters_now = filterbar.filters_of(api, applied)
        tiles = api.more_like_this_gallery_frame(generation_id, filters_now, n)
        return show_results(
            tiles,
            filters_now,
            f"The selected prompt (pinned first), then {counted(tiles.iloc[1:])} like it, closest first.",
            "No other prompts are close to this one with these filters. Try fewer filters.",
            keep=generation_id,
        )

    @user_errors
    def look_alike(generation_id, n, applied):
        if not generation_id:
            raise gr.Error("Select an image first.")
        filters_now = filterbar.filters_of(api, applied)
        tiles = api.similar_images_gallery_frame(generation_id, filters_now, n)
        shown = len(tiles) - 1
        return show_results(
            tiles,
            filters_now,
            f"The selected image (pinned first), then {shown} image{'' if shown == 1 else 's'} "
            f"that look most like it ({html.escape(looks)}), closest first.",
            "No other images pass these filters. Try fewer filters.",
            keep=generation_id,
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
    def refresh_sessions(applied, is_shown, key, desc, at_least, n, shown_for):
        drawn = json.dumps([applied, key, desc, at_least, n], default=str)
        if not is_shown or drawn == shown_for:
            return gr.skip(), gr.skip(), gr.skip()
        return [*sessions_of(applied, key, desc, at_least, n), drawn]

    def sessions_of(applied, key, desc, at_least, n) -> tuple:
        frame = api.sessions_frame(filterbar.filters_of(api, applied), key, desc, n, int(at_least))
        if frame.empty:
            note = (
                '<div class="ex-empty">No sessions match these filters. '
                "Widen the dates, clear some filters or lower the minimum number of generations.</div>"
            )
            return gr.Dataframe(value=None, visible=False), note
        shortest = f" of at least {int(at_least)} generations" if int(at_least) > 1 else ""
        note = f'<div class="ex-status">{len(frame)} sessions{shortest}. Select a row to replay it.</div>'
        return gr.Dataframe(value=sessions_table(frame), visible=True), note

    @user_errors
    def refresh_duplicates(applied, is_shown, page, drawn_for):
        page = max(1, int(page or 1))
        drawn = json.dumps([applied, page], default=str)
        if not visual_ok or not is_shown or drawn == drawn_for:
            return gr.skip(), gr.skip(), gr.skip()
        filters_now = filterbar.filters_of(api, applied)
        groups, total = api.near_duplicate_groups_frame(filters_now, page, DUPLICATE_PAGE_SIZE)
        scope = html.escape(filterbar.describe(filters_now))
        if groups.empty:
            where = f"page {page} has none of the {plural(total, 'group')}" if total else "none pass"
            note = (
                f'<div class="ex-empty">No near-duplicate groups here: {where} in {scope}. '
                f"Near-duplicates are {near_duplicate_rule(DUPLICATE_MAX_BITS)} (docs/images.md).</div>"
            )
            return "", note, drawn
        first = (page - 1) * DUPLICATE_PAGE_SIZE + 1
        rule = near_duplicate_rule(DUPLICATE_MAX_BITS)
        note = (
            f'<div class="ex-status">Groups {first}-{first + len(groups) - 1} of {plural(total, "group")} '
            f"of near-duplicate images in {scope}, the largest first: {rule}, counted over the "
            "generations passing the filters. Click a thumbnail to open its generation.</div>"
        )
        return duplicate_groups_html(groups, first), note, drawn

    @user_errors
    def open_duplicate(applied, evt: gr.SelectData):
        if not evt.value:
            return [gr.skip(), gr.skip(), *[gr.skip() for _ in actions], gr.Tabs()]
        generation_id = str(evt.value)
        page = detail_of(generation_id, filterbar.filters_of(api, applied))
        return [page, generation_id, *usable(True, generation_id), gr.Tabs(selected="results")]

    @user_errors
    def select_session(evt: gr.SelectData):
        # The session id is the last column; the row's own values survive client-side sorting.
        row = evt.row_value or []
        if not row:
            return EMPTY_REPLAY, gr.Tabs()
        return open_session(str(row[-1]))

    # The newest search wins: while a page's search runs, its later ones wait and only the last of
    # them is sent, so the gallery ends on what was asked last (per page: other users' searches
    # run side by side under the app's queue). On Apply and when the tab opens, both views compute
    # only while it is shown and only what they have not computed yet.
    filterbar.on_shown(
        bar,
        "explorer",
        run_search,
        [query, mode, limit, searched, search_count, asked],
        [*results_out, searched],
    )
    gr.on(
        [go.click, query.submit],
        None,
        [search_count],
        [search_count],
        js="(n) => (n || 0) + 1",
        queue=False,
        api_visibility="private",
    ).then(
        search_now,
        [bar.applied, query, mode, limit, search_count, asked],
        [*results_out, searched],
        api_visibility="private",
        trigger_mode="always_last",
    )
    filterbar.on_shown(
        bar,
        "explorer",
        refresh_sessions,
        [sort_by, descending, min_generations, n_sessions, listed],
        [table, sessions_note, listed],
        also=(sort_by.change, descending.change, min_generations.release, n_sessions.release),
    )
    filterbar.on_shown(
        bar,
        "explorer",
        refresh_duplicates,
        [dup_page, dup_drawn],
        [dup_groups, dup_note, dup_drawn],
        also=(dup_page.change,),
    )
    for button, step in ((dup_back, -1), (dup_next, 1)):
        button.click(None, [dup_page], [dup_page], js=f"(p) => Math.max(1, (p || 1) + {step})", queue=False)
    dup_groups.select(
        open_duplicate, [bar.applied], [detail, selected, *actions, views], api_visibility="private"
    )
    gallery.select(
        select_tile,
        [shown_ids, scope],
        [detail, selected, *actions, replay, views],
        api_visibility="private",
    )
    detail.select(open_generation, [scope], [detail, selected], api_visibility="private")
    for button, fn in ((more, similar), (visual, look_alike)):  # both pin their source first
        button.click(fn, [selected, limit, bar.applied], results_out, api_visibility="private")
    open_replay.click(replay_of_generation, [selected], [replay, views], api_visibility="private")
    table.select(select_session, None, [replay, views], api_visibility="private")
