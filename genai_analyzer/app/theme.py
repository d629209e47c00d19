"""One look for the app: dark slate, one indigo accent, Space Grotesk shipped with the app.

The font comes from the ``fontpkg-space-grotesk`` package (a pinned dependency) and is served by
the app itself (its folder is in ``launch_kwargs``' allowed_paths), never from a CDN, so the page
looks the same offline and on a Space. The page is dark from the first paint: Gradio's own page
paints ``body_background_fill`` before any script runs, and this theme sets it, in light and dark
mode alike, to the slate background.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import fontpkg_space_grotesk
import gradio as gr
from gradio.route_utils import API_PREFIX

FONT_FAMILY = fontpkg_space_grotesk.FAMILY  # "Space Grotesk"
FONT_FILE = next((fontpkg_space_grotesk.ROOT / "files").glob("SpaceGrotesk*.ttf"))
FONT_STACK = [FONT_FAMILY, "ui-sans-serif", "system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"]

# The palette (Tailwind's slate 800 / 900 and indigo 500).
SLATE = "#1d293d"  # cards, blocks, inputs
NIGHT = "#0f172b"  # the page
ACCENT = "#615fff"
ACCENT_HOVER = "#7c86ff"
TEXT = "#e2e8f0"
BORDER = "#314158"


def font_dirs() -> list[str]:
    """Folders the app must let Gradio serve for the font."""
    return [str(FONT_FILE.parent)]


def _file_url(path: Path) -> str:
    # relative to the page, which sets <base href="./">: works under a root path too
    return f"{API_PREFIX.lstrip('/')}/file={quote(str(path))}"


FONT_URL = _file_url(FONT_FILE)
FONT_FACE_CSS = f"""
@font-face {{
  font-family: '{FONT_FAMILY}';
  src: url('{FONT_URL}') format('truetype');
  font-weight: 300 700;
  font-style: normal;
  font-display: swap;
}}
"""

KPI_CSS = f"""
/* KPI cards: a tidy grid whatever their number. The row sizes itself to its container; with 6 or
   9 cards, one row when there is room, else rows of 3 (never 8 + 1). */
.kpi-wrap {{ container-type: inline-size; }}
.kpi-row {{ display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; }}
@container (min-width: 820px) {{ .kpi-row.n6 {{ grid-template-columns: repeat(6, minmax(0, 1fr)); }} }}
@container (min-width: 1100px) {{ .kpi-row.n9 {{ grid-template-columns: repeat(9, minmax(0, 1fr)); }} }}
@container (min-width: 560px) and (max-width: 1099px) {{
  .kpi-row.n8 {{ grid-template-columns: repeat(4, minmax(0, 1fr)); }}
}}
.kpi {{
  border: 1px solid {BORDER}; border-radius: 10px; padding: 12px 14px; background: {SLATE}; min-width: 0;
}}
.kpi-label {{ color: #94a3b8; font-size: 0.85rem; }}
.kpi-value {{ color: #f1f5f9; font-size: 1.5rem; font-weight: 600; white-space: nowrap; }}
.kpi-delta {{ color: #94a3b8; font-size: 0.75rem; margin-top: 2px; }}
.kpi-delta.up {{ color: #22c55e; }}
.kpi-delta.down {{ color: #ef4444; }}
@container (max-width: 540px) {{
  .kpi-row {{ gap: 8px; }}
  .kpi {{ padding: 8px 9px; }}
  .kpi-label {{ font-size: 0.75rem; }}
  .kpi-value {{ font-size: 1.1rem; }}
  .kpi-delta {{ font-size: 0.68rem; }}
}}
"""

# Into <head>, as is: the background before Gradio's stylesheets arrive, the font fetched early,
# and the KPI grid (Gradio's processing of launch(css=...) drops @container rules).
HEAD = (
    f"<style>html, body {{ background: {NIGHT}; color: {TEXT}; }}</style>"
    f'<link rel="preload" href="{FONT_URL}" as="font" type="font/ttf" crossorigin>'
    f"<style>{KPI_CSS}</style>"
)

CSS = (
    FONT_FACE_CSS
    + f"""
html, body {{ background: {NIGHT}; }}
.synthetic-note {{ color: #fbbf24; }}
.scope-chips {{ display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 6px 10px; }}
/* the filter bar: each field's column filled to the row's height (no bare strips of the group's
   background under the shorter fields), the chips and the notes under the fields kept compact */
#filter-bar .row > .column {{ background: {SLATE}; }}
#filter-bar .field-error-slot, #filters-pending, #scope-chips {{ min-height: 0; }}
#filter-bar .field-error-slot:not(:has(.field-error)), #filters-pending:not(:has(.filters-pending)) {{
  display: none;
}}
#scope-chips, #filters-pending {{ background: {SLATE}; }}
.scope-label {{ color: #94a3b8; font-size: 0.8rem; margin-right: 2px; }}
.scope-chip {{
  border: 1px solid {ACCENT}; color: #c6d2ff; border-radius: 999px; padding: 2px 10px; font-size: 0.8rem;
}}
.field-error {{ color: #fca5a5; font-size: 0.8rem; padding: 2px 4px; }}
.filters-pending {{ color: #fbbf24; font-size: 0.8rem; padding: 2px 10px 6px; }}
.filters-pending.bad {{ color: #fca5a5; }}
.empty-state {{ color: #94a3b8; border: 1px dashed {BORDER}; border-radius: 10px; padding: 16px; }}
.images-absent {{ color: #fbbf24; border-color: #78350f; }}
.ov-shots {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }}
.ov-shot {{
  margin: 0; border: 1px solid {BORDER}; border-radius: 10px; background: {SLATE}; overflow: hidden;
}}
.ov-shot img {{ width: 100%; aspect-ratio: 1; object-fit: cover; display: block; }}
.ov-shot figcaption {{ padding: 8px 10px; font-size: 0.8rem; color: #cbd5e1; }}
.ov-status {{ color: #a3b3ff; font-size: 0.75rem; }}
.ov-caption {{ color: #94a3b8; font-size: 0.85rem; margin-top: 8px; }}
.ov-model {{ border: 1px solid {BORDER}; border-radius: 8px; padding: 6px 10px; margin: 6px 0; }}
.ov-model summary {{ cursor: pointer; color: #e2e8f0; }}
.ov-model table {{ font-size: 0.8rem; margin-top: 8px; width: 100%; }}
.ov-model td, .ov-model th {{ padding: 3px 6px; border-bottom: 1px solid {SLATE}; vertical-align: top; }}
/* Phones: every top-level tab in the bar. Gradio moves the tabs that do not fit into a "more"
   menu, measuring a hidden copy of the bar, so both copies get the compact size, and the top bar
   reaches into the page's side margins: six tabs fit one row at 390 px. */
@media (max-width: 640px) {{
  .tab-container > button {{ padding: 0 5px !important; font-size: 12px !important; }}
  #top-tabs > .tab-wrapper {{ margin-left: -24px !important; margin-right: -24px !important; }}
}}
"""
)

# The app is dark whatever the visitor's system preference: Gradio styles dark mode through
# a `dark` class on <body> (and the theme's light values are the dark ones too, see make_theme).
FORCE_DARK_JS = "() => { document.body.classList.add('dark'); }"


def make_theme() -> gr.themes.Base:
    """Dark slate with an indigo accent and Space Grotesk. Every light-mode value is set to its
    dark-mode value, so the page is dark before (and whether or not) the `dark` class arrives:
    Gradio's page paints `body_background_fill` (the light value) first."""
    theme = gr.themes.Base(primary_hue="indigo", neutral_hue="slate", font=FONT_STACK).set(
        body_background_fill_dark=NIGHT,
        background_fill_primary_dark=NIGHT,
        background_fill_secondary_dark=SLATE,
        block_background_fill_dark=SLATE,
        block_border_color_dark=BORDER,
        input_background_fill_dark=NIGHT,
        border_color_primary_dark=BORDER,
        body_text_color_dark=TEXT,
        color_accent=ACCENT,
        color_accent_soft_dark="#312c85",
        button_primary_background_fill_dark=ACCENT,
        button_primary_background_fill_hover_dark=ACCENT_HOVER,
        button_primary_text_color_dark="#ffffff",
        slider_color_dark=ACCENT,
        checkbox_background_color_selected_dark=ACCENT,
        loader_color_dark=ACCENT,
    )
    for name, value in list(vars(theme).items()):
        light = name.removesuffix("_dark")
        if name.endswith("_dark") and value is not None and hasattr(theme, light):
            setattr(theme, light, value)
    return theme


# The Session Explorer's classes (app/explorer_view.py).
EXPLORER_CSS = f"""
.ex-empty {{
  border: 1px dashed {BORDER}; border-radius: 10px; padding: 18px; color: #94a3b8; text-align: center;
}}
.ex-status {{ color: #94a3b8; font-size: 0.9rem; }}
.ex-detail {{ display: flex; flex-direction: column; gap: 10px; }}
.ex-detail img {{ max-width: 100%; border-radius: 8px; }}
.ex-detail-thumb.missing {{
  padding: 24px; text-align: center; color: #64748b; border: 1px dashed {BORDER}; border-radius: 8px;
}}
.ex-prompt {{ color: #f1f5f9; white-space: pre-wrap; overflow-wrap: break-word; }}
.ex-table {{ width: 100%; border: 0; border-collapse: collapse; font-size: 0.85rem; }}
.ex-table th {{ text-align: left; color: #94a3b8; font-weight: 500; padding: 2px 8px 2px 0; width: 40%; }}
.ex-table td {{ color: #e2e8f0; padding: 2px 0; }}
/* !important: Gradio's prose styles box every table cell */
.ex-table, .ex-table tr, .ex-table th, .ex-table td {{
  border: 0 !important; border-bottom: 1px solid {SLATE} !important; background: transparent !important;
}}
.ex-section {{
  color: #a3b3ff; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; margin-top: 6px;
}}
.ex-badge {{
  display: inline-block; border-radius: 999px; padding: 1px 8px; font-size: 0.75rem; font-weight: 600;
  white-space: nowrap;
}}
.ex-badge.success {{ background: #14532d; color: #bbf7d0; }}
.ex-badge.error, .ex-badge.timeout {{ background: #7f1d1d; color: #fecaca; }}
.ex-badge.nsfw_blocked {{ background: #78350f; color: #fde68a; }}
.ex-summary {{ display: flex; flex-wrap: wrap; gap: 8px 18px; color: #cbd5e1; margin-bottom: 12px; }}
.ex-summary b {{ color: #f1f5f9; }}
.ex-replay {{ display: flex; flex-direction: column; gap: 10px; }}
.ex-card {{
  display: grid; grid-template-columns: 128px 1fr; gap: 12px; border: 1px solid {BORDER};
  border-radius: 10px; padding: 10px; background: {SLATE};
}}
.ex-card.failed {{ border-color: #7f1d1d; }}
.ex-thumb {{ width: 128px; height: 128px; object-fit: cover; border-radius: 6px; background: {NIGHT}; }}
.ex-thumb.missing {{
  display: flex; align-items: center; justify-content: center; color: #64748b; font-size: 0.75rem;
}}
.ex-meta {{
  display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; color: #94a3b8; font-size: 0.8rem;
}}
.ex-changes {{ color: #c4b5fd; font-size: 0.8rem; margin-top: 4px; }}
.ex-prompt ins {{
  background: rgba(34, 197, 94, 0.18); color: #86efac; text-decoration: none; border-radius: 3px;
}}
.ex-prompt del {{
  background: rgba(239, 68, 68, 0.18); color: #fca5a5; text-decoration: line-through; border-radius: 3px;
}}
/* the gallery: one tile per distinct prompt */
.ex-tiles {{
  display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px;
  max-height: 680px; overflow-y: auto; padding: 2px;
}}
.ex-tiles.cards {{ grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); }}
@media (max-width: 640px) {{
  .ex-tiles {{ grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }}
  .ex-tiles.cards {{ grid-template-columns: minmax(0, 1fr); }}
}}
.ex-tile, .ex-pcard {{
  position: relative; display: flex; flex-direction: column; border: 1px solid {BORDER};
  border-radius: 10px; background: {SLATE}; overflow: hidden; cursor: pointer; min-width: 0;
}}
.ex-tile:hover, .ex-tile:focus-visible, .ex-tile.selected,
.ex-pcard:hover, .ex-pcard:focus-visible, .ex-pcard.selected {{ border-color: {ACCENT}; outline: none; }}
.ex-tile.pinned, .ex-pcard.pinned {{ border-color: {ACCENT}; box-shadow: 0 0 0 1px {ACCENT}; }}
.ex-tile-img {{ position: relative; aspect-ratio: 1; overflow: hidden; background: {NIGHT}; }}
.ex-tile-img img {{ width: 100%; height: 100%; object-fit: cover; display: block; transition: filter 0.2s; }}
.ex-tile.nsfw:not(.revealed) img, .ex-mini.nsfw {{ filter: blur(16px); }}
.ex-tile.revealed .ex-veil {{ display: none; }}
.ex-veil {{
  position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  text-align: center; padding: 8px; color: #fde68a; font-size: 0.75rem; font-weight: 600;
}}
.ex-noimg {{ display: flex; height: 100%; align-items: center; justify-content: center; color: #64748b; }}
.ex-count {{
  position: absolute; top: 6px; right: 6px; background: {ACCENT}; color: #fff; border-radius: 999px;
  padding: 1px 8px; font-size: 0.75rem; font-weight: 700;
}}
.ex-pcard .ex-count, .ex-pcard .ex-pin {{ position: static; }}
.ex-pin {{
  position: absolute; top: 6px; left: 6px; background: {NIGHT}; color: #c6d2ff; border: 1px solid {ACCENT};
  border-radius: 999px; padding: 0 8px; font-size: 0.7rem; font-weight: 600; text-transform: uppercase;
}}
.ex-tile-text {{
  display: flex; flex-direction: column; gap: 4px; padding: 6px 8px 8px; align-items: flex-start;
}}
.ex-caption {{
  color: #cbd5e1; font-size: 0.8rem; line-height: 1.3; white-space: normal; word-break: normal;
  overflow-wrap: break-word; hyphens: none;
}}
.ex-pcard {{ padding: 10px 12px; gap: 8px; cursor: pointer; }}
.ex-pcard-foot {{
  display: flex; flex-wrap: wrap; justify-content: space-between; gap: 6px; font-size: 0.8rem;
}}
.ex-labels {{ color: #a3b3ff; }}
.ex-session-link {{ color: #c6d2ff; }}
.ex-gens {{ display: flex; flex-direction: column; gap: 6px; max-height: 260px; overflow-y: auto; }}
.ex-gen {{
  display: flex; gap: 10px; align-items: center; font-size: 0.8rem; color: #cbd5e1; cursor: pointer;
  border: 1px solid {BORDER}; border-radius: 8px; padding: 4px 8px;
}}
.ex-gen.current {{ border-color: {ACCENT}; }}
.ex-gen:hover {{ border-color: {ACCENT_HOVER}; }}
.ex-detail .ex-mini {{ width: 40px; height: 40px; object-fit: cover; border-radius: 4px; max-width: none; }}
.ex-dups {{ display: flex; flex-direction: column; gap: 10px; }}
.ex-dup {{
  display: flex; flex-direction: column; gap: 6px; border: 1px solid {BORDER}; border-radius: 10px;
  background: {SLATE}; padding: 10px 12px;
}}
.ex-dup-thumbs {{ display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }}
.ex-dup-thumb {{
  width: 96px; height: 96px; border-radius: 6px; overflow: hidden; cursor: pointer; background: {NIGHT};
  border: 1px solid {BORDER}; color: #64748b; font-size: 0.7rem; display: flex; align-items: center;
  justify-content: center;
}}
.ex-dup-thumb:hover, .ex-dup-thumb:focus-visible {{ border-color: {ACCENT}; outline: none; }}
.ex-dup-thumb img {{ width: 100%; height: 100%; object-fit: cover; display: block; }}
.ex-dup-thumb.nsfw img {{ filter: blur(16px); }}
.ex-dup-more {{ color: #a3b3ff; font-size: 0.8rem; }}
"""
