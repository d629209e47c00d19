"""Draw each new chart once: a script for the page's head that makes ``Plotly.react`` draw on the
next animation frame, only into plot divs still in the page, and only the latest figure of each.

Gradio 6's Plot mounts a new plot div for every new figure, but before it does, the component it
replaces draws the same figure into the old div, which is then thrown away: after "Apply filters"
the Analytics tab drew its 8 charts 16 times (scripts/bench_app_browser.py counts the calls), half
the browser's share of a filter change. Deferred to the next frame, the draw into the discarded div
finds it detached and is skipped; the figure, its data and layout are untouched, so what the chart
shows is the same. The script patches Plotly when Gradio's plot chunk assigns ``window.Plotly``
(or at once when it is there already).
"""

from __future__ import annotations

SCRIPT = """
(() => {
  const patch = P => {
    if (!P || P.__drawOnce) return;
    const react = P.react, pending = new Map();
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      const calls = [...pending.entries()];
      pending.clear();
      for (const [gd, call] of calls) {
        if (!gd.isConnected) { call.resolve(gd); continue; }  // a div Gradio has discarded
        Promise.resolve(P.__draw(gd, ...call.args)).then(call.resolve, call.reject);
      }
    };
    P.react = function (gd, ...args) {
      if (!(gd instanceof Element)) return react.call(P, gd, ...args);  // an id: as Plotly does
      const earlier = pending.get(gd);
      return new Promise((resolve, reject) => {
        if (earlier) earlier.resolve(gd);  // superseded by this figure
        pending.set(gd, {args, resolve, reject});
        if (!scheduled) { scheduled = true; requestAnimationFrame(flush); }
      });
    };
    P.__draw = react.bind(P);  // the drawing itself (what a benchmark may time)
    P.__drawOnce = true;
  };
  if (window.Plotly) { patch(window.Plotly); return; }
  let value;
  Object.defineProperty(window, 'Plotly', {
    configurable: true, enumerable: true,
    get: () => value,
    set: v => { value = v; patch(v); },
  });
})();
"""
HEAD = f"<script>{SCRIPT}</script>"
