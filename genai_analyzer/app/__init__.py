"""The Gradio app: tabs rendered into one Blocks over one read-only warehouse."""

from __future__ import annotations

import gradio as gr

from genai_analyzer.analysis.copilot.core import Copilot
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app import (
    analytics,
    cohorts,
    copilot,
    dashboard,
    explorer,
    filterbar,
    leaderboards,
    map_tab,
    overview,
    refinement,
    routes,
)
from genai_analyzer.app.plotly_draw import HEAD as DRAW_ONCE_HEAD
from genai_analyzer.app.theme import CSS, EXPLORER_CSS, FORCE_DARK_JS, HEAD, font_dirs, make_theme
from genai_analyzer.warehouse.reader import Warehouse

TITLE = "GenAI Session Analyzer"
QUEUE_MAX_SIZE = 256  # calls waiting at once; one more is answered 503 "Queue is full"


def create_app(wh: Warehouse, *, sql_copilot: Copilot | None = None) -> gr.Blocks:
    """The app's Blocks over ``wh``; launch it with ``launch_kwargs()``. The SQL Copilot tab uses
    ``sql_copilot``, or an offline one (semantic parser, no LLM) over ``wh``."""
    api = Api(wh, sql_copilot or Copilot(wh))
    with gr.Blocks(title=TITLE) as demo:
        gr.Markdown(f"# {TITLE}")
        # One filter state for the filtered tabs, above them (shown on those tabs only).
        bar = filterbar.build(api)
        with gr.Tabs(elem_id="top-tabs") as tabs:
            with gr.Tab("Overview", id="overview") as overview_tab:
                overview.build(demo, api)
            with gr.Tab("Analytics", id="analytics") as analytics_tab, gr.Tabs() as views:
                with gr.Tab("Charts", id="charts"):
                    analytics.build(demo, api, bar)
                leaderboards.build(demo, api, bar, views)  # its own tab of the views
                refinement.build(demo, api, bar, views)
                cohorts.build(demo, api, bar, views)
            with gr.Tab("Session Explorer", id="explorer") as explorer_tab:
                explorer.build(demo, api, bar)
            with gr.Tab("Map", id="map") as map_tab_:
                map_tab.build(demo, api, bar)
            with gr.Tab("SQL Copilot", id="copilot") as copilot_tab:
                copilot.build(demo, api.sql_copilot, pin=api.pin_answer, bar=bar, api=api)
            dashboard_tab = dashboard.build(demo, api)
        tab_list = [("overview", overview_tab), ("analytics", analytics_tab), ("explorer", explorer_tab),
                    ("map", map_tab_), ("copilot", copilot_tab), ("dashboard", dashboard_tab)]  # fmt: skip
        filterbar.wire(demo, api, bar, tabs, tab_list, filtered={"analytics", "explorer", "map", "copilot"})
        routes.register(api)
    # A burst of users queues instead of exhausting two cores; the queue holds 100 concurrent API
    # clients and their page users with room to spare (64 answered a quarter of them "Queue is
    # full", scripts/bench_load.py), and is still bounded.
    demo.queue(default_concurrency_limit=4, max_size=QUEUE_MAX_SIZE)
    return demo


def launch_kwargs(wh: Warehouse) -> dict:
    """Arguments for ``demo.launch``: look and feel (Gradio 6 takes theme, css, js and head there),
    the folder the pages may load the shipped font from, and the app's own route serving ``wh``'s
    thumbnails by name (``routes.thumbnail_route``: no server path in a URL)."""
    return {
        "theme": make_theme(),
        "css": CSS + EXPLORER_CSS + copilot.CSS + leaderboards.CSS + dashboard.CSS + map_tab.CSS,
        "js": FORCE_DARK_JS,
        "head": HEAD + DRAW_ONCE_HEAD + map_tab.HEAD,  # each new chart drawn once; the map's events
        "allowed_paths": font_dirs(),
        "app_kwargs": {"routes": [routes.thumbnail_route(wh)]},
    }
