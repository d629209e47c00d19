"""Session Explorer tab: search generations, inspect one, and replay the session it came from.

The page: a search box over the shared filter bar; results as a thumbnail gallery; the selected
generation in full with "More like this" and "Open session replay"; a sortable sessions table;
and the replay, the session's generations in order as cards with prompt diffs and changed
parameters. Public API: /search, /generation, /more_like_this, /session, /sessions.
"""

from __future__ import annotations

import functools
import html
import math
from urllib.parse import quote

import gradio as gr
import pandas as pd
from gradio.route_utils import API_PREFIX

from genai_analyzer import explore
from genai_analyzer.app import analytics
from genai_analyzer.app.errors import user_errors
from genai_analyzer.build import thumb_dir
from genai_analyzer.filters import Filters
from genai_analyzer.jsonable import plain, records
from genai_analyzer.search import more_like_this, search
from genai_analyzer.warehouse import Warehouse

# Relative to the page: the page sets <base href="./">, so this also works under a root path.
FILE_URL_PREFIX = f"{API_PREFIX.lstrip('/')}/file="
SORT_CHOICES = [
    ("Friction", "friction"),
    ("Duration", "duration"),
    ("Failures", "failures"),
    ("Cost", "cost"),
    ("Generations", "generations"),
    ("Start time", "started"),
]
STATUS_LABELS = {
    "success": "✓ success",
    "error": "✗ error",
    "timeout": "⏱ timeout",
    "nsfw_blocked": "⊘ blocked",
}
CAPTION_CHARS = 60
SESSION_COLUMNS = {
    "started": "started (UTC)",
    "tier": "tier",
    "n_generations": "generations",
    "n_failed": "failed",
    "duration_min": "minutes",
    "friction_score": "friction",
    "total_cost_usd": "cost ($)",
    "first_prompt": "first prompt",
    "session_id": "session",
}

SESSION_COLUMN_WIDTHS = ["165px", "100px", "110px", "80px", "90px", "90px", "90px", "420px", "170px"]
EMPTY_DETAIL = (
    '<div class="ex-empty">Select an image to see its full prompt, parameters, telemetry, '
    "user and session.</div>"
)
EMPTY_REPLAY = (
    '<div class="ex-empty">Pick a session in the <b>Sessions</b> tab, or select an image in '
    "<b>Results</b> and press <b>Open session replay</b>.</div>"
)

# Merged into the app's CSS (theme.CSS); the classes below are only used by this tab.
EXPLORER_CSS = """
.ex-empty {
  border: 1px dashed #334155; border-radius: 10px; padding: 18px; color: #94a3b8; text-align: center;
}
.ex-status { color: #94a3b8; font-size: 0.9rem; }
.ex-detail { display: flex; flex-direction: column; gap: 10px; }
.ex-detail img { max-width: 100%; border-radius: 8px; }
.ex-detail-thumb.missing {
  padding: 24px; text-align: center; color: #64748b; border: 1px dashed #334155; border-radius: 8px;
}
.ex-prompt { color: #f1f5f9; white-space: pre-wrap; word-break: break-word; }
.ex-table { width: 100%; border: 0; border-collapse: collapse; font-size: 0.85rem; }
.ex-table th { text-align: left; color: #94a3b8; font-weight: 500; padding: 2px 8px 2px 0; width: 40%; }
.ex-table td { color: #e2e8f0; padding: 2px 0; }
/* !important: Gradio's prose styles box every table cell */
.ex-table, .ex-table tr, .ex-table th, .ex-table td {
  border: 0 !important; border-bottom: 1px solid #1e293b !important; background: transparent !important;
}
.ex-section {
  color: #a78bfa; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; margin-top: 6px;
}
.ex-badge {
  display: inline-block; border-radius: 999px; padding: 1px 8px; font-size: 0.75rem; font-weight: 600;
}
.ex-badge.success { background: #14532d; color: #bbf7d0; }
.ex-badge.error, .ex-badge.timeout { background: #7f1d1d; color: #fecaca; }
.ex-badge.nsfw_blocked { background: #78350f; color: #fde68a; }
.ex-summary { display: flex; flex-wrap: wrap; gap: 8px 18px; color: #cbd5e1; margin-bottom: 12px; }
.ex-summary b { color: #f1f5f9; }
.ex-replay { display: flex; flex-direction: column; gap: 10px; }
.ex-card {
  display: grid; grid-template-columns: 128px 1fr; gap: 12px; border: 1px solid #334155;
  border-radius: 10px; padding: 10px; background: #1e293b;
}
.ex-card.failed { border-color: #7f1d1d; }
.ex-thumb { width: 128px; height: 128px; object-fit: cover; border-radius: 6px; background: #0f172a; }
.ex-thumb.missing {
  display: flex; align-items: center; justify-content: center; color: #64748b; font-size: 0.75rem;
}
.ex-meta {
  display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; color: #94a3b8; font-size: 0.8rem;
}
.ex-changes { color: #c4b5fd; font-size: 0.8rem; margin-top: 4px; }
.ex-prompt ins {
  background: rgba(34, 197, 94, 0.18); color: #86efac; text-decoration: none; border-radius: 3px;
}
.ex-prompt del {
  background: rgba(239, 68, 68, 0.18); color: #fca5a5; text-decoration: line-through; border-radius: 3px;
}
"""


def allowed_paths(wh: Warehouse) -> list[str]:
    """Folders the app must let Gradio serve: the thumbnails beside the warehouse file."""
    return [str(thumb_dir(wh.path.resolve()))]


# --- the public API ---------------------------------------------------------------------------


def _filters(start, end, tiers, statuses, domains, art_styles) -> Filters:
    return Filters.from_inputs(start, end, tiers, statuses, domains, art_styles)


def register_api(wh: Warehouse) -> None:
    """Register the tab's public endpoints in the enclosing Blocks."""

    @user_errors
    def search_endpoint(
        query: str,
        mode: str = "hybrid",
        start: str = "",
        end: str = "",
        tiers: list[str] | None = None,
        statuses: list[str] | None = None,
        domains: list[str] | None = None,
        art_styles: list[str] | None = None,
        limit: int = 24,
    ) -> list[dict]:
        """Generations whose prompts best match `query`, best first. mode: hybrid, semantic or
        keyword; dates YYYY-MM-DD (empty = whole range); limit 1-500. One record per generation:
        rank, score, generation_id, prompt_id, prompt, thumb_path, image_path, created_at (ISO),
        user_id, session_id, tier, status, latency_ms, domain, art_style, seed, step, cfg, sampler."""
        filters = _filters(start, end, tiers, statuses, domains, art_styles)
        return records(search(wh, query, mode=mode, filters=filters, limit=explore.check_limit(limit)))

    @user_errors
    def generation_endpoint(generation_id: str) -> dict:
        """One generation in full: {generation, prompt, parameters, telemetry, user, session}."""
        return plain(explore.generation_detail(wh, generation_id))

    @user_errors
    def more_like_this_endpoint(generation_id: str, limit: int = 24) -> list[dict]:
        """Generations whose prompts are closest in meaning to this generation's prompt (its own
        prompt left out), best first; same records as /search."""
        return records(more_like_this(wh, generation_id=generation_id, limit=explore.check_limit(limit)))

    @user_errors
    def session_endpoint(session_id: str) -> dict:
        """A session replayed: {"session": summary (dim_sessions row and tier), "generations": one
        record per generation in order, with seconds_since_previous, changed_params,
        prompt_changed, seed_rerolled and prompt_diff, a list of [op, text] with op in same, added,
        removed against the previous prompt (null for the first generation)}."""
        return session_payload(wh, session_id)

    @user_errors
    def sessions_endpoint(
        start: str = "",
        end: str = "",
        tiers: list[str] | None = None,
        statuses: list[str] | None = None,
        domains: list[str] | None = None,
        art_styles: list[str] | None = None,
        sort_by: str = "friction",
        descending: bool = True,
        limit: int = 50,
    ) -> list[dict]:
        """Sessions with any generation passing the filters, sorted by sort_by (friction,
        duration, failures, cost, generations or started). One record per session: session_id,
        user_id, tier, started_at, ended_at, duration_s, n_generations, n_failed, abandoned,
        friction_score, total_cost_usd, first_prompt."""
        filters = _filters(start, end, tiers, statuses, domains, art_styles)
        frame = explore.list_sessions(wh, filters, sort_by, descending=descending, limit=limit)
        return records(frame)

    gr.api(search_endpoint, api_name="search")
    gr.api(generation_endpoint, api_name="generation")
    gr.api(more_like_this_endpoint, api_name="more_like_this")
    gr.api(session_endpoint, api_name="session")
    gr.api(sessions_endpoint, api_name="sessions")


def session_payload(wh: Warehouse, session_id: str) -> dict:
    """{"session": summary, "generations": replay records each with its prompt_diff}, JSON-friendly."""
    summary = explore.session_summary(wh, session_id)
    generations = records(explore.session_replay(wh, session_id))
    for position, item in enumerate(generations):
        # the first generation has no previous prompt to compare with
        item["prompt_diff"] = (
            explore.prompt_diff(item["previous_prompt"], item["prompt"]) if position else None
        )
    return {"session": plain(summary), "generations": plain(generations)}


# --- HTML ------------------------------------------------------------------------------------


def file_url(path: str | None) -> str | None:
    """The URL the running app serves a local file at (the file must be in allowed_paths)."""
    return f"{FILE_URL_PREFIX}{quote(path)}" if path else None


def _thumb_html(path: str | None, css_class: str = "ex-thumb") -> str:
    url = file_url(path)
    if url is None:
        return f'<div class="{css_class} missing">no image</div>'
    return f'<img class="{css_class}" src="{html.escape(url)}" alt="" loading="lazy">'


def _badge(status: str, error_code: str | None = None) -> str:
    label = html.escape(status if not error_code else f"{status} · {error_code}")
    return f'<span class="ex-badge {html.escape(status)}">{label}</span>'


def _seconds(ms: float | None) -> str:
    return "–" if ms is None or (isinstance(ms, float) and math.isnan(ms)) else f"{ms / 1000:.1f} s"


def _rows(pairs: list[tuple[str, object]]) -> str:
    body = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape('–' if v is None else str(v))}</td></tr>"
        for k, v in pairs
    )
    return f'<table class="ex-table">{body}</table>'


def detail_html(detail: dict) -> str:
    """The selected generation: thumbnail, full prompt, then parameters, telemetry, user, session."""
    gen, prompt, params = detail["generation"], detail["prompt"], detail["parameters"]
    tel, user, session = detail["telemetry"], detail["user"], detail["session"]
    text = prompt["text"] or "(empty prompt)"
    parts = [
        _thumb_html(gen["thumb_path"], "ex-detail-thumb"),
        f"<div>{_badge(tel['status'], tel['error_code'])} "
        f'<span class="ex-status">{html.escape(_when(gen["created_at"]))} UTC</span></div>',
        f'<div class="ex-prompt">{html.escape(text)}</div>',
        '<div class="ex-section">Labels</div>'
        + _rows(
            [
                ("domain", prompt["domain"]),
                ("art style", prompt["art_style"]),
                ("complexity", prompt["complexity_score"]),
                ("prompt used", f"{prompt['n_generations']} times by {prompt['n_users']} users"),
            ]
        ),
        '<div class="ex-section">Parameters</div>' + _rows(list(params.items())),
        '<div class="ex-section">Telemetry</div>'
        + _rows(
            [
                ("queue", _seconds(tel["queue_ms"])),
                ("latency", _seconds(tel["latency_ms"])),
                ("GPU seconds", f"{tel['gpu_seconds']:.2f}"),
                ("cost", f"${tel['cost_usd']:.4f}"),
                ("revenue", f"${tel['revenue_usd']:.4f}"),
            ]
        ),
        '<div class="ex-section">User</div>'
        + _rows(
            [
                ("user", user["user_id"]),
                ("tier", user["tier"]),
                ("signed up", _when(user["signup_at"])[:10]),
                ("activity", f"{user['n_generations']} generations in {user['n_sessions']} sessions"),
            ]
        ),
        '<div class="ex-section">Session</div>'
        + _rows(
            [
                ("session", session["session_id"]),
                ("position", f"{session['seq']} of {session['n_generations']}"),
                ("duration", _duration(session["duration_s"])),
                ("failed", session["n_failed"]),
                ("friction", f"{session['friction_score']:.3f}"),
                ("cost", f"${session['total_cost_usd']:.4f}"),
            ]
        ),
    ]
    return f'<div class="ex-detail">{"".join(parts)}</div>'


def diff_html(diff: list[tuple[str, str]]) -> str:
    """A prompt diff as HTML: additions in <ins>, removals in <del>."""
    tags = {"same": "{}", "added": "<ins>{}</ins>", "removed": "<del>{}</del>"}
    return "".join(tags[op].format(html.escape(text)) for op, text in diff)


def replay_html(summary: dict, replay: pd.DataFrame) -> str:
    """The session as cards in order: thumbnail, prompt diff, changed parameters, status, latency."""
    header = (
        '<div class="ex-summary">'
        f"<span>session <b>{html.escape(summary['session_id'])}</b></span>"
        f"<span>user <b>{html.escape(summary['user_id'])}</b> ({html.escape(summary['tier'])})</span>"
        f"<span>started <b>{html.escape(_when(summary['started_at']))}</b> UTC</span>"
        f"<span><b>{summary['n_generations']}</b> generations "
        f"in <b>{_duration(summary['duration_s'])}</b></span>"
        f"<span><b>{summary['n_failed']}</b> failed</span>"
        f"<span>friction <b>{summary['friction_score']:.3f}</b></span>"
        f"<span>cost <b>${summary['total_cost_usd']:.4f}</b></span>"
        "</div>"
    )
    cards = []
    previous = None
    for row in replay.itertuples(index=False):
        if previous is None:
            prompt = html.escape(row.prompt or "(empty prompt)")
        elif row.prompt_changed:
            prompt = diff_html(explore.prompt_diff(row.previous_prompt, row.prompt))
        else:
            prompt = html.escape(row.prompt or "(empty prompt)")
        changes = (
            [
                f"{name} {_value(getattr(previous, name))} → {_value(getattr(row, name))}"
                for name in row.changed_params
            ]
            if previous is not None
            else []
        )
        if row.prompt_changed:
            changes.insert(0, "prompt edited")
        elif row.seed_rerolled:
            changes.insert(0, "same prompt, new seed")
        elif previous is not None and not changes:
            changes.append("repeated as is")
        gap = "" if previous is None else f"<span>+{_duration(row.seconds_since_previous)}</span>"
        failed = " failed" if row.status != "success" else ""
        cards.append(
            f'<div class="ex-card{failed}">{_thumb_html(_text(row.thumb_path))}<div>'
            f'<div class="ex-meta"><b>#{row.seq}</b><span>{html.escape(_when(row.created_at)[11:])}</span>'
            f"{gap}{_badge(row.status, _text(row.error_code))}<span>{_seconds(row.latency_ms)}</span></div>"
            f'<div class="ex-prompt">{prompt}</div>'
            + (f'<div class="ex-changes">{html.escape(" · ".join(changes))}</div>' if changes else "")
            + "</div></div>"
        )
        previous = row
    return f'{header}<div class="ex-replay">{"".join(cards)}</div>'


def _when(value) -> str:
    """'YYYY-MM-DD HH:MM:SS' of a timestamp (UTC in this warehouse)."""
    return "" if value is None else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")


def _duration(seconds) -> str:
    if seconds is None or pd.isna(seconds):
        return "–"
    seconds = float(seconds)
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _value(value) -> str:
    """A parameter value as text: 7.0 -> '7', 7.5 -> '7.5'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _text(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


# --- gallery and table -----------------------------------------------------------------------


@functools.cache
def _placeholder():
    """A plain tile for generations without a thumbnail, so gallery indexes stay aligned."""
    from PIL import Image

    return Image.new("RGB", (64, 64), (30, 41, 59))


def caption(prompt: str | None, status: str) -> str:
    """Short prompt and status, for a gallery tile."""
    text = (prompt or "").strip() or "(empty prompt)"
    if len(text) > CAPTION_CHARS:
        text = text[: CAPTION_CHARS - 1].rstrip() + "…"
    # status first: the gallery cuts long captions at the end
    return f"{STATUS_LABELS.get(status, status)} · {text}"


def gallery_items(frame: pd.DataFrame) -> list[tuple]:
    """(thumbnail, caption) per result row, in order."""
    return [
        (
            row.thumb_path if isinstance(row.thumb_path, str) else _placeholder(),
            caption(row.prompt, row.status),
        )
        for row in frame.itertuples(index=False)
    ]


def sessions_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The sessions list as shown: readable columns, session id last (row selection reads it)."""
    shown = frame.assign(
        started=frame["started_at"].dt.strftime("%Y-%m-%d %H:%M"),
        duration_min=(frame["duration_s"] / 60).round(1),
        friction_score=frame["friction_score"].round(3),
        total_cost_usd=frame["total_cost_usd"].round(4),
        first_prompt=frame["first_prompt"].fillna("").str.slice(0, 80),
    )
    return shown[list(SESSION_COLUMNS)].rename(columns=SESSION_COLUMNS)


# --- the tab ---------------------------------------------------------------------------------


def build(demo: gr.Blocks, wh: Warehouse) -> None:
    """Render the tab into the enclosing Blocks; register its public API endpoints."""
    with gr.Row(equal_height=True):
        query = gr.Textbox(
            label="Search prompts",
            placeholder="e.g. cyberpunk city at night, oil painting (empty: latest generations)",
            scale=4,
        )
        mode = gr.Radio(["hybrid", "semantic", "keyword"], value="hybrid", label="Mode", scale=2)
        limit = gr.Slider(6, 96, value=24, step=6, label="Results", scale=2)
        go = gr.Button("Search", variant="primary", scale=1)
    filters = analytics.filter_bar(wh)
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
        filters_now = Filters.from_inputs(*values)
        n = explore.check_limit(n)
        text = (text or "").strip()
        if not text:
            frame = explore.recent_generations(wh, filters_now, n)
            return show_results(
                frame,
                f"Latest {len(frame)} generations matching the filters. Type above to search prompts.",
                "No generations match these filters. Widen the dates or clear some filters.",
            )
        frame = search(wh, text, mode=mode_value, filters=filters_now, limit=n)
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
        frame = more_like_this(
            wh,
            generation_id=generation_id,
            filters=Filters.from_inputs(*values),
            limit=explore.check_limit(n),
        )
        return show_results(
            frame,
            f"{len(frame)} generations with prompts like the selected one's.",
            "No other prompts are close to this one with these filters. Try fewer filters.",
        )

    def open_session(session_id: str) -> tuple:
        page = replay_html(explore.session_summary(wh, session_id), explore.session_replay(wh, session_id))
        return page, gr.Tabs(selected="replay")

    @user_errors
    def replay_of_generation(generation_id):
        if not generation_id:
            raise gr.Error("Select an image first.")
        return open_session(explore.generation_detail(wh, generation_id)["session"]["session_id"])

    @user_errors
    def refresh_sessions(key, desc, n, *values):
        frame = explore.list_sessions(wh, Filters.from_inputs(*values), key, descending=desc, limit=n)
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

    register_api(wh)
