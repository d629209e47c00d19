"""The Map tab (docs/map.md): every generation placed by its prompt's or its image's meaning, a
2-D UMAP projection the build made, coloured by a chosen field, with the clusters' labels.

Hovering or clicking a point shows its thumbnail and prompt beside the map (in the page: the
point carries both, no call to the server). A box or lasso drawn on the map becomes the app's
``map_selection`` filter: the script below writes it into the filter bar's hidden field, which
applies it at once (``filterbar._wire_map_selection``), so the Explorer, the Analytics views and
this map follow it; the chip under the bar names it and "Clear map selection" removes it. Gradio's
``gr.Plot`` has no selection event (its only event is ``change``), hence the script: it listens to
Plotly's own ``plotly_selected``, ``plotly_hover`` and ``plotly_click`` on the map's plot div.
"""

from __future__ import annotations

import json

import gradio as gr

from genai_analyzer.analysis import map as points_map
from genai_analyzer.analysis.map_figure import map_figure
from genai_analyzer.api.checks import thumb_url
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app import filterbar
from genai_analyzer.app.errors import user_errors

KIND_CHOICES = [("Prompts (text embeddings)", "prompt"), ("Images (visual similarity)", "visual")]
COLOR_CHOICES = [("Cluster", "cluster"), ("Domain", "domain"), ("Art style", "art_style"),
                 ("Status", "status"), ("Tier", "tier"), ("Cost", "cost")]  # fmt: skip
CAP_CHOICES = [5_000, 20_000, 50_000]
DETAIL_EMPTY = (
    '<div id="map-detail-body" class="map-detail"><p>Hover or click a point to see its image and prompt. '
    "Draw a box or a lasso (the toolbar over the map) to filter every tab to the generations inside it."
    "</p></div>"
)
CSS = """
#filter-map-selection { display: none !important; }  /* the bar's field the map's script writes */
.map-detail img { width: 100%; max-width: 256px; border-radius: 8px; display: block; margin-bottom: 8px; }
.map-detail .map-prompt { font-size: 0.95rem; line-height: 1.35; }
.map-detail .map-id { font-size: 0.75rem; opacity: 0.7; margin-top: 6px; word-break: break-all; }
"""
# Hooks each new plot div of the map (Gradio mounts a new one for each figure): hover and click
# fill the detail panel; a box or lasso writes 'kind:box:x0,x1,y0,y1' or 'kind:lasso:x1,y1,...'
# into the filter bar's hidden map_selection field and sends its input event.
SCRIPT = """
(() => {
  const codes = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'};
  const esc = s => String(s ?? '').replace(/[&<>"']/g, c => codes[c]);
  const num = v => Number(v).toPrecision(6).replace(/\\.?0+$/, '');
  const show = ev => {
    const p = ev && ev.points && ev.points[0];
    const body = document.getElementById('map-detail-body');
    if (!p || !p.customdata || !body) return;
    const [id, prompt, thumb] = p.customdata;
    const image = thumb ? `<img src="${esc(thumb)}" alt="the generated image">` : '<p>(no thumbnail)</p>';
    body.innerHTML = image +
      `<div class="map-prompt">${esc(prompt)}</div><div class="map-id">${esc(id)}</div>`;
  };
  const send = text => {
    const box = document.querySelector('#filter-map-selection textarea, #filter-map-selection input');
    if (!box) return;
    const proto = Object.getPrototypeOf(box);
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(box, text);
    box.dispatchEvent(new Event('input', {bubbles: true}));
  };
  const selected = (gd, ev) => {
    if (!ev) return;  // a double-click clears Plotly's own selection; the filter stays until cleared
    const kind = (gd.layout && gd.layout.meta && gd.layout.meta.map_kind) || 'prompt';
    if (ev.lassoPoints && ev.lassoPoints.x) {
      let xs = ev.lassoPoints.x, ys = ev.lassoPoints.y;
      const step = Math.ceil(xs.length / 200);  // at most 200 points (filters.MAX_LASSO_POINTS)
      const pts = [];
      for (let i = 0; i < xs.length; i += step) pts.push(num(xs[i]), num(ys[i]));
      if (pts.length >= 6) send(`${kind}:lasso:${pts.join(',')}`);
    } else if (ev.range && ev.range.x) {
      send(`${kind}:box:${num(ev.range.x[0])},${num(ev.range.x[1])},${num(ev.range.y[0])},${num(ev.range.y[1])}`);
    }
  };
  // The figure keeps labels apart on a desktop-wide map; on a narrower one (a phone) they are
  // wider than that room, so after each draw a label that covers a larger cluster's label (drawn
  // before it: largest first) is hidden.
  const declutter = gd => {
    const kept = [];
    for (const note of gd.querySelectorAll('.annotation')) {
      note.style.visibility = '';
      const r = note.getBoundingClientRect();
      const covers = kept.some(k =>
        r.left < k.right && k.left < r.right && r.top < k.bottom && k.top < r.bottom);
      if (covers) note.style.visibility = 'hidden'; else kept.push(r);
    }
  };
  const hook = () => {
    for (const gd of document.querySelectorAll('#map-plot .js-plotly-plot')) {
      if (gd.__mapHooked || !gd.on) continue;
      gd.__mapHooked = true;
      gd.on('plotly_hover', show);
      gd.on('plotly_click', show);
      gd.on('plotly_selected', ev => selected(gd, ev));
      gd.on('plotly_afterplot', () => declutter(gd));
      declutter(gd);
    }
  };
  setInterval(hook, 400);
})();
"""
HEAD = f"<script>{SCRIPT}</script>"


def build(demo: gr.Blocks, api: Api, bar: filterbar.FilterBar) -> None:
    """The tab's controls, map and detail panel; drawn from the applied filters while it is shown."""
    with gr.Row(equal_height=True):
        kind = gr.Radio(KIND_CHOICES, value="prompt", label="Map of", scale=2)
        color = gr.Dropdown(COLOR_CHOICES, value="cluster", label="Colour by", scale=1)
        cap = gr.Dropdown(
            CAP_CHOICES, value=points_map.DEFAULT_CAP, label="Points drawn at most",
            info="Above it, a fixed sample (the rate is in the title)", scale=1,
        )  # fmt: skip
    with gr.Row():
        with gr.Column(scale=4):
            plot = gr.Plot(elem_id="map-plot", show_label=False)
            note = gr.HTML(elem_id="map-note", padding=False)
        with gr.Column(scale=1, min_width=220):
            gr.HTML(DETAIL_EMPTY, elem_id="map-detail", padding=False)
    drawn = gr.State(None)

    @user_errors
    def draw(applied, is_shown, kind_value, color_value, cap_value, drawn_for):
        key = json.dumps([applied, kind_value, color_value, cap_value], default=str)
        if not is_shown or key == drawn_for:
            return gr.skip(), gr.skip(), gr.skip()
        filters = filterbar.filters_of(api, applied)
        if not api.has_map(kind_value):
            message = (
                f"This warehouse has no {kind_value} map (built with --skip clusters, without "
                f"{'image' if kind_value == 'visual' else 'prompt'} embeddings, or before the map). "
                "Run <code>genai-analyzer enrich clusters</code>."
            )
            return None, f'<div class="ex-empty">{message}</div>', key
        found = api.map_points_data(kind_value, filters, color_value, int(cap_value))
        sample = (
            f"a fixed sample of {len(found.points):,} ({found.rate:.1%}) of the {found.total:,} generations"
            if found.sampled
            else f"all {found.total:,} generations"
        )
        return (
            map_figure(found, thumb_url),
            f'<div class="ex-status">Showing {sample} with map coordinates under the filters. Each '
            f"point is a generation at its {'prompt' if kind_value == 'prompt' else 'image'}'s place; "
            "labels sit at cluster centres.</div>",
            key,
        )

    filterbar.on_shown(
        bar, "map", draw, [kind, color, cap, drawn], [plot, note, drawn],
        also=(kind.change, color.change, cap.change),
    )  # fmt: skip
