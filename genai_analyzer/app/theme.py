"""One look for the app: dark slate, one purple accent, Space Grotesk with system fallbacks."""

from __future__ import annotations

import gradio as gr

FONT_STACK = ["Space Grotesk", "ui-sans-serif", "system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"]

CSS = """
html, body { background: #0f172a; }
.kpi-row { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 12px; }
.kpi { border: 1px solid #334155; border-radius: 10px; padding: 12px 14px; background: #1e293b; }
.kpi-label { color: #94a3b8; font-size: 0.85rem; }
.kpi-value { color: #f1f5f9; font-size: 1.5rem; font-weight: 600; white-space: nowrap; }
.kpi-delta { color: #94a3b8; font-size: 0.75rem; margin-top: 2px; }
.kpi-delta.up { color: #22c55e; }
.kpi-delta.down { color: #ef4444; }
.synthetic-note { color: #fbbf24; }
.empty-state { color: #94a3b8; border: 1px dashed #334155; border-radius: 10px; padding: 16px; }
.ov-shots { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
.ov-shot { margin: 0; border: 1px solid #334155; border-radius: 10px; background: #1e293b; overflow: hidden; }
.ov-shot img { width: 100%; aspect-ratio: 1; object-fit: cover; display: block; }
.ov-shot figcaption { padding: 8px 10px; font-size: 0.8rem; color: #cbd5e1; }
.ov-status { color: #a78bfa; font-size: 0.75rem; }
.ov-caption { color: #94a3b8; font-size: 0.85rem; margin-top: 8px; }
.ov-model { border: 1px solid #334155; border-radius: 8px; padding: 6px 10px; margin: 6px 0; }
.ov-model summary { cursor: pointer; color: #e2e8f0; }
.ov-model table { font-size: 0.8rem; margin-top: 8px; width: 100%; }
.ov-model td, .ov-model th { padding: 3px 6px; border-bottom: 1px solid #1e293b; vertical-align: top; }
"""

# The app is dark whatever the visitor's system preference: Gradio styles dark mode through
# a `dark` class on <body>.
FORCE_DARK_JS = "() => { document.body.classList.add('dark'); }"


def make_theme() -> gr.themes.Base:
    # Fonts are named, not fetched: no network is needed, and browsers fall back when absent.
    return gr.themes.Base(primary_hue="violet", neutral_hue="slate", font=FONT_STACK).set(
        body_background_fill_dark="#0f172a",
        background_fill_primary_dark="#111827",
        background_fill_secondary_dark="#0f172a",
        block_background_fill_dark="#111827",
        block_border_color_dark="#334155",
        input_background_fill_dark="#1e293b",
        border_color_primary_dark="#334155",
        body_text_color_dark="#e2e8f0",
        button_primary_background_fill_dark="#7c3aed",
        button_primary_background_fill_hover_dark="#8b5cf6",
    )


# The Session Explorer's classes (app/explorer_view.py).
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
