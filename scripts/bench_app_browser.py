"""Benchmark the Analytics tab in a real browser: from the click on "Apply filters" to the last of
its charts drawn with the new data and its KPI cards changed (docs/benchmarks.md, App).

    python scripts/bench_app_browser.py --workdir /tmp/bench-app               # 1M generations
    python scripts/bench_app_browser.py --workdir /tmp/bench-app --draw-twice  # as Gradio draws
    python scripts/bench_app_browser.py --smoke --workdir /tmp/bench-smoke     # 20k generations, one round

The warehouse is bench_app.py's (``sample_warehouse`` + ``labelled_copy``, cached in ``--workdir``:
1M generations, 50,000 users, 90 days, hash labels); ``--smoke`` builds a 20,000-generation one.
The app runs as ``python app.py`` on it (bench_app's ``running_app``) and headless Chromium
(``GENAI_BROWSER``, else chromium on PATH) opens ``?tab=analytics`` at 1440 x 900.

Each filter change (a tier, a status, a date range, a domain, and two combined; consecutive
changes differ, so every chart gets new data) is set in the filter bar through its widgets after
"Clear", then timed in the page itself (``performance.now()``, no Playwright round trips in the
figure):

- start: the click on ``#apply-filters`` (a capture listener on the button);
- end: the first animation frame after each of the tab's plots has been drawn with its new figure
  (the drawing ``Plotly.react`` call: through ``Plotly.__draw`` where the app's
  ``app/plotly_draw.py`` defers it, wrapped to record each call and how long it took) and after the
  KPI cards' HTML changed. ``--draw-twice`` undoes plotly_draw.py in the page, to compare.

Also recorded per change: when the scope chips changed (the Apply callback's round trip), when the
first chart began drawing, the time spent inside ``Plotly.react`` (drawing) and the main
thread's long tasks. After each change the "Generations" card is checked against ``Api.kpis`` for
the same filters, so a stale or half-drawn page cannot pass as fast.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app import (  # noqa: E402  (a sibling script: its warehouses, server and tables)
    ANALYTICS_SIZE,
    labelled_copy,
    load_note,
    running_app,
    sample_warehouse,
    stats,
    table,
)

from genai_analyzer.app.analytics import CHART_FIGURES  # noqa: E402

SMOKE_SIZE = 20_000
N_CHARTS = len(CHART_FIGURES)  # every chart of the tab (run the script with the code under test)
LAUNCH_ARGS = [  # as tests/test_browser.py launches it
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Installed once the tab has drawn: wraps Plotly.react (Gradio's Plot calls window.Plotly's) and
# listens for the click on Apply, before any other listener.
INSTRUMENT_JS = """
drawOnce => {
  const root = document.querySelector('#compare-previous').closest('[role=tabpanel]');
  const bench = window.__bench = {root, reacts: [], longtasks: [], clicked: null};
  const P = window.Plotly;
  // the app's plotly_draw script defers Plotly.react and draws through Plotly.__draw: time that;
  // without drawOnce, Plotly.react as Gradio had it (every new figure drawn twice), to compare
  if (!drawOnce && P.__draw) { P.react = P.__draw; delete P.__draw; }
  const name = P.__draw ? '__draw' : 'react';
  if (!P.__benchWrapped) {
    const draw = P[name];
    P[name] = function (gd, ...rest) {
      const t0 = performance.now();
      const out = draw.call(this, gd, ...rest);
      window.__bench.reacts.push({gd, t0, t1: performance.now()});
      return out;
    };
    P.__benchWrapped = true;
  }
  new PerformanceObserver(list => bench.longtasks.push(...list.getEntries()))
    .observe({type: 'longtask', buffered: false});
  document.querySelector('#apply-filters').addEventListener(
    'click', () => { bench.clicked = performance.now(); }, {capture: true});
  return root.querySelectorAll('.js-plotly-plot').length;
}
"""

# Before a click: forget earlier calls, note what the cards and chips hold now.
ARM_JS = """
() => {
  const b = window.__bench;
  b.reacts = []; b.longtasks = []; b.clicked = null;
  b.cards = b.root.querySelector('.kpi-row').innerHTML;
  b.chips = document.querySelector('#scope-chips').innerText;
}
"""

# After the click: resolves on the first animation frame where each plot now in the tab (Gradio
# mounts a new one for every new figure) has been drawn since the click and the cards differ; the
# times are ms after the click.
WAIT_JS = """
({timeout, expect}) => new Promise((resolve, reject) => {
  const b = window.__bench;
  let chips = null, cards = null, drawn = [];
  const deadline = performance.now() + timeout;
  const frame = () => {
    const now = performance.now();
    if (b.clicked === null) { return requestAnimationFrame(frame); }
    if (chips === null && document.querySelector('#scope-chips').innerText !== b.chips) chips = now;
    if (cards === null && b.root.querySelector('.kpi-row').innerHTML !== b.cards) cards = now;
    const plots = [...b.root.querySelectorAll('.js-plotly-plot')];
    const since = b.reacts.filter(r => r.t0 >= b.clicked);
    drawn = plots.map(p => since.filter(r => r.gd === p));
    if (cards !== null && plots.length === N_CHARTS && drawn.every((d, i) => d.length || !expect[i])) {
      const ms = t => t - b.clicked;
      const last = drawn.filter(d => d.length).map(d => d[d.length - 1]);
      const busy = b.longtasks.filter(t => t.startTime >= b.clicked).reduce((s, t) => s + t.duration, 0);
      return resolve({
        total: ms(now), chips: chips === null ? null : ms(chips), cards: ms(cards),
        first_figure: ms(Math.min(...last.map(c => c.t0))),
        last_drawn: ms(Math.max(...last.map(c => c.t1))),
        react_ms: since.reduce((s, c) => s + c.t1 - c.t0, 0), reacts: since.length,
        discarded: since.filter(r => !r.gd.isConnected).length,  // drawn into a div thrown away
        longtask_ms: busy,
      });
    }
    if (now > deadline) {
      return reject(new Error(`after ${timeout} ms: ${drawn.filter(d => d.length).length} of `
        + `${expect.filter(e => e).length} expected plots redrawn, `
        + `cards ${cards === null ? 'unchanged' : 'changed'}`));
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})
""".replace("N_CHARTS", str(N_CHARTS))


def filter_changes(wh) -> dict[str, dict]:
    """name -> the filter bar's values for it (only the fields set); consecutive ones differ, and
    the last differs from the first, so every round redraws every chart."""
    from genai_analyzer.analysis import queries

    first, last = queries.data_range(wh)
    choices = queries.filter_choices(wh)
    domain = choices["domains"][1]
    start = max(first, last - timedelta(days=13))
    tier_a, tier_b = choices["tiers"][-1], choices["tiers"][0]
    status = "error" if "error" in choices["statuses"] else choices["statuses"][-1]
    return {
        f"tier {tier_a}": {"tiers": [tier_a]},
        f"status {status}": {"statuses": [status]},
        f"dates {start} to {last}": {"start": str(start), "end": str(last)},
        f"domain {domain}": {"domains": [domain]},
        f"tier {tier_b} + domain {domain}": {"tiers": [tier_b], "domains": [domain]},
    }


def charts_with_rows(db: Path, changes: dict[str, dict]) -> dict[str, list[bool]]:
    """name -> for each chart of the tab (in its order), whether its frame has rows. A chart with no
    rows before and after a change draws the same empty figure, which the page does not redraw (the
    cluster charts of a warehouse without embeddings): the wait leaves it out."""
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse(db) as wh:
        api = Api(wh)
        return {
            name: [len(api.chart_frame(chart, api.filters(**values))) > 0 for chart in CHART_FIGURES]
            for name, values in changes.items()
        }


def expected_cards(db: Path, changes: dict[str, dict]) -> dict[str, str]:
    """name -> the "Generations" card's text the tab should show (Api.kpis, as the tab formats it)."""
    from genai_analyzer.analysis.formatting import format_metric
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse(db) as wh:
        api = Api(wh)
        return {
            name: format_metric(
                "generations", api.kpis(api.filters(**values))["generations"]["value"], compact=True
            )
            for name, values in changes.items()
        }


def browser_path() -> str:
    path = os.environ.get("GENAI_BROWSER") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise SystemExit("no Chromium: apt-get install chromium, or set GENAI_BROWSER")
    return path


def set_filters(page, values: dict) -> None:
    """Clear the bar, then set ``values`` through its widgets, as a person would."""
    bar = page.locator("#filter-bar").first
    bar.locator("button:text-is('Clear')").click()  # not the dropdowns' "Clear" (x)
    page.wait_for_function(
        """() => { const bar = document.querySelector('#filter-bar');
            return ![...bar.querySelectorAll('input[type=checkbox]')].some(c => c.checked)
              && ![...bar.querySelectorAll('input')].some(i => i.type === 'text' && /\\d{4}-/.test(i.value))
              && !bar.querySelector('.token'); }"""
    )
    dates = bar.locator("input:not([type]), input[type=text]")  # From, To, then the dropdowns' boxes
    for i, name in enumerate(("start", "end")):
        if values.get(name):
            dates.nth(i).fill(values[name])
            dates.nth(i).press("Tab")
    for name in ("tiers", "statuses"):
        for value in values.get(name, []):
            bar.get_by_label(value, exact=True).first.check()
    for name, label in (("domains", "Domain"), ("art_styles", "Art style")):
        for value in values.get(name, []):
            bar.get_by_label(label, exact=True).first.click()
            page.get_by_role("option", name=value, exact=True).click()
            page.keyboard.press("Escape")
    page.locator("#filters-pending", has_text="not applied").first.wait_for()
    page.wait_for_timeout(300)  # the inputs' change events have settled


def card_text(page, label: str = "Generations") -> str:
    return page.evaluate(
        """label => [...window.__bench.root.querySelectorAll('.kpi')]
            .find(c => c.querySelector('.kpi-label')?.textContent.trim() === label)
            ?.querySelector('.kpi-value')?.textContent.trim()""",
        label,
    )


def measure(db: Path, rounds: int, log: Path, timeout_ms: int = 120_000, draw_once: bool = True) -> dict:
    """Serve ``db``, open the Analytics tab and time each filter change ``rounds`` times.

    Returns {"changes": {name: [timings dict, ...]}, "start_s", "first_draw_ms", "load"}."""
    from playwright.sync_api import sync_playwright

    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse(db) as wh:
        changes = filter_changes(wh)
    expected = expected_cards(db, changes)
    with_rows = charts_with_rows(db, changes)
    names = list(changes)
    # a chart redraws when it has rows after the change or had them before it (the previous change)
    redraw = {
        name: [a or b for a, b in zip(with_rows[name], with_rows[names[i - 1]], strict=True)]
        for i, name in enumerate(names)
    }
    results: dict[str, list[dict]] = defaultdict(list)
    with running_app(db, log) as (url, start_s, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=browser_path(), headless=True, args=LAUNCH_ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        page.set_default_timeout(timeout_ms)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        opened = time.perf_counter()
        page.goto(f"{url}?tab=analytics", wait_until="load")
        page.wait_for_function(
            """n => { const r = document.querySelector('#compare-previous')?.closest('[role=tabpanel]');
                return r && r.querySelectorAll('.js-plotly-plot').length === n && r.querySelector('.kpi-row')
                  && window.Plotly; }""",
            arg=N_CHARTS,
        )
        first_draw_ms = (time.perf_counter() - opened) * 1000
        if page.evaluate(INSTRUMENT_JS, draw_once) != N_CHARTS:
            raise RuntimeError(f"the Analytics tab does not hold {N_CHARTS} plots")
        for _ in range(rounds):
            for name, values in changes.items():
                set_filters(page, values)
                page.evaluate(ARM_JS)
                page.locator("#apply-filters").click()
                timing = page.evaluate(WAIT_JS, {"timeout": timeout_ms, "expect": redraw[name]})
                shown = card_text(page)
                if shown != expected[name]:
                    raise AssertionError(
                        f"{name}: the Generations card shows {shown}, expected {expected[name]}"
                    )
                results[name].append(timing)
                print(f"{name}: {timing['total']:.0f} ms", file=sys.stderr, flush=True)
        browser.close()
        if errors:
            raise RuntimeError(f"JavaScript errors on the page: {errors}")
    return {
        "changes": dict(results),
        "start_s": start_s,
        "first_draw_ms": first_draw_ms,
        "load": load_note(),
        "draw_once": draw_once,
        "empty_charts": [
            c for c, *rows in zip(CHART_FIGURES, *with_rows.values(), strict=True) if not any(rows)
        ],
    }


def report(found: dict, n: int, rounds: int) -> None:
    """Print the figures as Markdown tables."""
    changes = found["changes"]
    drawn = "each new figure drawn once" if found["draw_once"] else "--draw-twice: as Gradio draws"
    print(f"\n### Analytics in Chromium, {n:,} generations, {rounds} rounds, {drawn} {found['load']}\n")
    print(
        f"App up in {found['start_s']:.1f} s; the tab's first draw {found['first_draw_ms']:.0f} ms after "
        "opening the page. Times in ms from the click on Apply filters."
    )
    if found.get("empty_charts"):
        print(
            f"Charts with no rows under any change, so never redrawn and not waited for: "
            f"{', '.join(found['empty_charts'])}."
        )
    seconds = {name: [t["total"] / 1000 for t in timings] for name, timings in changes.items()}
    every = [s for times in seconds.values() for s in times]
    rows = [[name, *stats(times)] for name, times in seconds.items()]
    table(
        "filter change: click to last chart drawn | p50 ms | p95 ms | max ms",
        [*rows, ["**all changes**", *stats(every)]],
    )
    parts = (
        ("scope chips changed (Apply's round trip)", "chips"),
        ("first chart began drawing", "first_figure"),
        ("last figure drawn (Plotly.react returned)", "last_drawn"),
        ("KPI cards changed", "cards"),
        ("inside Plotly.react, every call summed", "react_ms"),
        ("main-thread long tasks, summed", "longtask_ms"),
    )
    rows = []
    for label, key in parts:
        values = [t[key] / 1000 for timings in changes.values() for t in timings if t[key] is not None]
        rows.append([label, *stats(values)] if values else [label, "", "", ""])
    table("part, over all changes | p50 ms | p95 ms | max ms", rows)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--workdir", type=Path, default=Path("/tmp/bench-app"), help="Warehouses are cached here."
    )
    parser.add_argument(
        "--rounds", type=int, default=None, help="Times each change is timed (5; 1 with --smoke)."
    )
    parser.add_argument(
        "--smoke", action="store_true", help=f"A {SMOKE_SIZE:,}-generation warehouse, one round."
    )
    parser.add_argument(
        "--db", type=Path, help="Time this warehouse instead (it needs labels for the domain)."
    )
    parser.add_argument(
        "--draw-twice",
        action="store_true",
        help="Undo app/plotly_draw.py in the page: each new figure drawn twice, as Gradio's Plot does.",
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.smoke else 5)
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.db or labelled_copy(
        sample_warehouse(args.workdir, SMOKE_SIZE if args.smoke else ANALYTICS_SIZE, "analytics", enrich=())
    )
    found = measure(db, rounds, args.workdir / "app_browser.log", draw_once=not args.draw_twice)
    from genai_analyzer.warehouse.reader import Warehouse

    with Warehouse(db) as wh:
        found["generations"] = wh.scalar("SELECT count(*) FROM fact_generations")
    report(found, found["generations"], rounds)
    return found


if __name__ == "__main__":
    main()
