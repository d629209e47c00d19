"""Benchmark the map (docs/map.md): the build's UMAP projection and the Map tab's draw in a browser.

    python scripts/bench_map.py umap --items 100000            # fit + transform, synthetic vectors
    python scripts/bench_map.py draw --points 5000,20000,50000  # the map figure drawn in Chromium

``umap``: ``pipeline.projection.project`` (PCA to 50 dimensions, UMAP fitted on at most
``FIT_MAX`` items, the rest transformed) on synthetic vectors: ``--dim`` (384, the text model's)
dimensions around 60 Gaussian centres, so the data has structure as prompt embeddings do, seeded.
Reported: the PCA, the fit, the transform and the rate of items placed per second.

``draw``: the figure the tab draws (``analysis.map_figure.map_figure``, coloured by cluster, 60
clusters with their labels) for ``--points`` synthetic points, in headless Chromium
(``GENAI_BROWSER``, else chromium on PATH; with ``--disable-gpu`` as the tests run it, so WebGL is
software-rendered): a page holding plotly.js (the plotly package's own copy) times
``Plotly.newPlot`` to the next animation frame, then a ``Plotly.react`` with a new colouring (what
a change of "Colour by" does), each ``--rounds`` times. The app never draws more than the cap the
tab offers (50,000 at most) whatever the warehouse holds, so this is the browser's share at any
size; the query's share is measured on a real warehouse by timing ``map.map_points``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CENTRES = 60


def synthetic_vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(CENTRES, dim)).astype(np.float32)
    vectors = centres[rng.integers(0, CENTRES, n)] + rng.normal(scale=0.8, size=(n, dim)).astype(np.float32)
    return vectors


def bench_umap(items: int, dim: int) -> dict:
    from genai_analyzer.pipeline import projection

    vectors = synthetic_vectors(items, dim)
    timings: dict = {}
    started = time.perf_counter()
    coords, fitted = projection.project(vectors, seed=42, progress=True, timings=timings)
    total = time.perf_counter() - started
    assert np.isfinite(coords).all()
    return {
        "items": items,
        "dim": dim,
        "fitted": int(fitted.sum()),
        "transformed": int((~fitted).sum()),
        **{k: round(v, 1) for k, v in timings.items()},
        "total_s": round(total, 1),
        "transform_items_per_s": round((~fitted).sum() / timings["transform_s"], 1)
        if (~fitted).any()
        else None,
    }


def synthetic_points(n: int, seed: int = 0):
    from genai_analyzer.analysis.map import MapPoints

    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(CENTRES, 2))
    cluster = rng.integers(0, CENTRES, n)
    xy = centres[cluster] + rng.normal(scale=0.6, size=(n, 2))
    points = pd.DataFrame(
        {
            "generation_id": [f"g{i:07d}" for i in range(n)],
            "x": xy[:, 0],
            "y": xy[:, 1],
            "color": [f"#{c + 1} word, word, word" for c in cluster],
            "cluster_id": cluster + 1,
            "prompt": ["a castle on a cliff at dusk, dramatic lighting, highly detailed"] * n,
            "thumb_path": [None] * n,
        }
    )
    labels = pd.DataFrame(
        {"cluster_id": np.arange(1, CENTRES + 1), "name": [f"#{c + 1} word, word" for c in range(CENTRES)],
         "x": centres[:, 0], "y": centres[:, 1], "generations": n // CENTRES}
    )  # fmt: skip
    return MapPoints("prompt", "cluster", points, n, 1.0, labels, None)


TIME_JS = """
async ([figure, again, rounds]) => {
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const out = {newPlot: [], react: []};
  for (let i = 0; i < rounds; i++) {
    const div = document.createElement('div');
    div.style.width = '1000px'; div.style.height = '620px';
    document.body.appendChild(div);
    let t0 = performance.now();
    await Plotly.newPlot(div, figure.data, figure.layout);
    await frame();
    out.newPlot.push(performance.now() - t0);
    t0 = performance.now();
    await Plotly.react(div, again.data, again.layout);
    await frame();
    out.react.push(performance.now() - t0);
    Plotly.purge(div); div.remove();
  }
  return out;
}
"""


def bench_draw(sizes: list[int], rounds: int) -> list[dict]:
    import plotly
    from playwright.sync_api import sync_playwright

    from genai_analyzer.analysis.map_figure import map_figure

    browser_path = (
        os.environ.get("GENAI_BROWSER") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not browser_path:
        raise SystemExit("no Chromium: apt-get install chromium, or set GENAI_BROWSER")
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_path = Path(tmp) / "map.html"
        page_path.write_text(
            f"<html><body style='background:#0f172b'><script>{plotly_js.read_text()}</script></body></html>"
        )
        args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]  # as the tests run it
        browser = p.chromium.launch(executable_path=browser_path, headless=True, args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(page_path.as_uri())
        for n in sizes:
            found = synthetic_points(n)
            started = time.perf_counter()
            figure = json.loads(map_figure(found, lambda _: None).to_json())
            build_s = time.perf_counter() - started
            found.points["color"] = found.points["color"].iloc[::-1].to_numpy()  # a new colouring
            again = json.loads(map_figure(found, lambda _: None).to_json())
            size_mb = len(json.dumps(figure)) / 1e6
            times = page.evaluate(TIME_JS, [figure, again, rounds])
            rows.append({
                "points": n, "figure_build_s": round(build_s, 2), "json_mb": round(size_mb, 1),
                "newPlot_ms_median": round(statistics.median(times["newPlot"])),
                "newPlot_ms_max": round(max(times["newPlot"])),
                "react_ms_median": round(statistics.median(times["react"])),
            })  # fmt: skip
            print(rows[-1], flush=True)
        browser.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    umap_args = sub.add_parser("umap")
    umap_args.add_argument("--items", type=int, default=100_000)
    umap_args.add_argument("--dim", type=int, default=384)
    draw_args = sub.add_parser("draw")
    draw_args.add_argument("--points", default="5000,20000,50000")
    draw_args.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.what == "umap":
        print(json.dumps(bench_umap(args.items, args.dim)))
    else:
        print(json.dumps(bench_draw([int(v) for v in args.points.split(",")], args.rounds)))


if __name__ == "__main__":
    main()
