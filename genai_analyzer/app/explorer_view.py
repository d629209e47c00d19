"""The Session Explorer's HTML: generation details, session replay cards, gallery tiles (one per
distinct prompt; prompt cards when the warehouse has no images), near-duplicate groups, and the
sessions table as shown. Pure functions of the API layer's data; no queries here."""

from __future__ import annotations

import html

import pandas as pd

from genai_analyzer.analysis.formatting import format_duration, format_value, plural
from genai_analyzer.api import endpoints

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
CAPTION_CHARS = 110  # a tile's caption: about four lines, cut at a word boundary
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


# --- HTML ------------------------------------------------------------------------------------


def thumb_url(path: str | None) -> str | None:
    """The URL, relative to the page, the app serves a thumbnail at (``thumbs/<name>``, no server
    path): the API layer's helper, so the page and the API's records give the same URL."""
    return endpoints.thumb_url(path)


def _thumb_html(path: str | None, css_class: str = "ex-thumb") -> str:
    url = thumb_url(path)
    if url is None:
        return f'<div class="{css_class} missing">no image</div>'
    return f'<img class="{css_class}" src="{html.escape(url)}" alt="" loading="lazy">'


def _badge(status: str, error_code: str | None = None) -> str:
    label = html.escape(status if not error_code else f"{status} · {error_code}")
    return f'<span class="ex-badge {html.escape(status)}">{label}</span>'


def _seconds(ms: float | None) -> str:
    return format_value(ms, "ms", compact=True)


def _rows(pairs: list[tuple[str, object]]) -> str:
    body = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape('–' if v is None else str(v))}</td></tr>"
        for k, v in pairs
    )
    return f'<table class="ex-table">{body}</table>'


def detail_html(detail: dict, generations: str = "") -> str:
    """The selected generation: thumbnail, full prompt, then the other generations of its prompt
    (``generations_html``), parameters, telemetry, user, session."""
    gen, prompt, params = detail["generation"], detail["prompt"], detail["parameters"]
    tel, user, session = detail["telemetry"], detail["user"], detail["session"]
    text = prompt["text"] or "(empty prompt)"
    parts = [
        _thumb_html(gen["thumb_path"], "ex-detail-thumb"),
        f"<div>{_badge(tel['status'], tel['error_code'])} "
        f'<span class="ex-status">{html.escape(_when(gen["created_at"]))} UTC</span></div>',
        f'<div class="ex-prompt">{html.escape(text)}</div>',
        generations,
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
    """The session as cards in order: thumbnail, prompt diff, changed parameters, status, latency
    (``summary`` and ``replay`` as ``explorer_queries.session_with_diffs`` gives them)."""
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
            prompt = diff_html(row.prompt_diff)
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


_duration = format_duration


def _value(value) -> str:
    """A parameter value as text: 7.0 -> '7', 7.5 -> '7.5'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _text(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


# --- gallery and table -----------------------------------------------------------------------


def caption(prompt: str | None, limit: int = CAPTION_CHARS) -> str:
    """A prompt shortened for a tile: whole words only, "…" when something was left out."""
    text = " ".join((prompt or "").split()) or "(empty prompt)"
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else ""
    if not head:  # one word longer than the caption: keep it whole, CSS wraps it
        head = text.split(" ", 1)[0]
    return head.rstrip(" ,;:.-") + "…"


def _status_chip(status: str) -> str:
    label = html.escape(STATUS_LABELS.get(status, status))
    return f'<span class="ex-badge {html.escape(status)}">{label}</span>'


def _count_badge(n: int) -> str:
    return f'<span class="ex-count" title="generated {n} times">x{n}</span>' if n > 1 else ""


def tiles_html(tiles: pd.DataFrame, *, images: bool = True) -> str:
    """The gallery: one tile per row of ``Api.gallery_frame`` (one distinct prompt each), with an
    "xN" badge when the prompt was generated N times, the full prompt on hover, a blur over NSFW
    images until clicked, and "source" on the pinned tile. Without images (``images`` False), a
    prompt card per row instead: the full prompt, status, labels and a link to its session."""
    if tiles.empty:
        return ""
    if not images:
        return _prompt_cards(tiles)
    out = []
    for index, row in enumerate(tiles.itertuples(index=False)):
        prompt = (row.prompt or "").strip() or "(empty prompt)"
        classes = ["ex-tile"] + (["nsfw"] if row.nsfw else []) + (["pinned selected"] if row.pinned else [])
        url = thumb_url(_text(row.thumb_path))
        image = (
            f'<img src="{html.escape(url)}" alt="" loading="lazy">'
            if url
            else '<div class="ex-noimg">no image</div>'
        )
        veil = '<span class="ex-veil">NSFW · click to show</span>' if row.nsfw else ""
        pin = '<span class="ex-pin">source</span>' if row.pinned else ""
        out.append(
            f'<div class="{" ".join(classes)}" role="button" tabindex="0" data-index="{index}" '
            f'data-id="{html.escape(row.generation_id)}" title="{html.escape(prompt)}">'
            f'<div class="ex-tile-img">{image}{veil}{pin}{_count_badge(int(row.n_generations))}</div>'
            f'<div class="ex-tile-text">{_status_chip(row.status)}'
            f'<span class="ex-caption">{html.escape(caption(prompt))}</span></div></div>'
        )
    return f'<div class="ex-tiles">{"".join(out)}</div>'


def _prompt_cards(tiles: pd.DataFrame) -> str:
    out = []
    for index, row in enumerate(tiles.itertuples(index=False)):
        prompt = (row.prompt or "").strip() or "(empty prompt)"
        labels = (
            " · ".join(html.escape(str(v)) for v in (row.domain, row.art_style) if _text(v)) or "unlabelled"
        )
        pin = '<span class="ex-pin">source</span>' if row.pinned else ""
        out.append(
            f'<div class="ex-pcard{" pinned" if row.pinned else ""}" role="button" tabindex="0" '
            f'data-index="{index}" data-id="{html.escape(row.generation_id)}">'
            f'<div class="ex-meta">{pin}{_status_chip(row.status)}{_count_badge(int(row.n_generations))}'
            f"<span>{html.escape(_when(row.created_at))} UTC</span></div>"
            f'<div class="ex-prompt">{html.escape(prompt)}</div>'
            f'<div class="ex-pcard-foot"><span class="ex-labels">{labels}</span>'
            f'<a href="#" class="ex-session-link" data-session="{html.escape(row.session_id)}">'
            f"session {html.escape(row.session_id)} →</a></div></div>"
        )
    return f'<div class="ex-tiles cards">{"".join(out)}</div>'


def generations_html(
    generations: pd.DataFrame, selected: str | None = None, *, threshold: float = 1.0
) -> str:
    """The generations of one prompt, for the detail panel: what a tile with an "xN" badge opens.
    Each opens its own detail; NSFW thumbnails stay blurred until clicked."""
    if len(generations) <= 1:
        return ""
    items = []
    for row in generations.itertuples(index=False):
        nsfw = (row.image_nsfw or 0) >= threshold
        url = thumb_url(_text(row.thumb_path))
        thumb = (
            f'<img class="ex-mini{" nsfw" if nsfw else ""}" src="{html.escape(url)}" alt="" loading="lazy">'
            if url
            else ""
        )
        current = " current" if row.generation_id == selected else ""
        items.append(
            f'<div class="ex-gen{current}" role="button" tabindex="0" '
            f'data-gen="{html.escape(row.generation_id)}">'
            f"{thumb}<span>{html.escape(_when(row.created_at))}</span>{_status_chip(row.status)}"
            f"<span>seed {html.escape(_value(row.seed))}</span></div>"
        )
    return (
        f'<div class="ex-section">This prompt, generated {len(generations)} times</div>'
        f'<div class="ex-gens">{"".join(items)}</div>'
    )


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


def near_duplicate_rule(max_bits: int) -> str:
    """What makes images near-duplicates, in the words the Overview and the Explorer show."""
    return f"images whose perceptual hashes differ in at most {max_bits} bits of 64 and whose colours match"


def duplicate_groups_html(groups: pd.DataFrame, first: int = 1) -> str:
    """Near-duplicate groups (rows of ``Api.near_duplicate_groups_frame``), one card each numbered
    from ``first``: its counts, its time span, the prompt of its first generation in full, and the
    thumbnails of its first generations; a thumbnail opens its generation's detail. NSFW
    thumbnails stay blurred."""
    cards = []
    for number, row in enumerate(groups.itertuples(index=False), start=first):
        prompt = (row.prompt or "").strip() or "(empty prompt)"
        thumbs = []
        for generation_id, path, hidden in zip(row.generation_ids, row.thumb_paths, row.nsfw, strict=True):
            url = thumb_url(_text(path))
            image = f'<img src="{html.escape(url)}" alt="" loading="lazy">' if url else "no image"
            thumbs.append(
                f'<div class="ex-dup-thumb{" nsfw" if hidden else ""}" role="button" tabindex="0" '
                f'data-gen="{html.escape(generation_id)}" title="generation {html.escape(generation_id)}">'
                f"{image}</div>"
            )
        more = int(row.n_generations) - len(thumbs)
        rest = f'<span class="ex-dup-more">+{more} more</span>' if more > 0 else ""
        counts = " · ".join(
            plural(int(n), noun)
            for n, noun in (
                (row.n_generations, "generation"),
                (row.n_images, "image"),
                (row.n_prompts, "prompt"),
                (row.n_users, "user"),
                (row.n_seeds, "seed"),
            )
        )
        cards.append(
            f'<div class="ex-dup"><div class="ex-meta"><b>#{number}</b><span>{counts}</span>'
            f"<span>{html.escape(_when(row.first_at))} to {html.escape(_when(row.last_at))} UTC</span></div>"
            f'<div class="ex-prompt">{html.escape(prompt)}</div>'
            f'<div class="ex-dup-thumbs">{"".join(thumbs)}{rest}</div></div>'
        )
    return f'<div class="ex-dups">{"".join(cards)}</div>'
