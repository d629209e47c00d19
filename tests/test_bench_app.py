"""scripts/bench_app.py times the Analytics tab's view as the filter bar registers it: on the
embedded sample it draws every card and chart for each filter change it times (its analytics part
had stopped running when the bar became one applied state, and nothing said so)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.fixture(scope="module")
def bench_app():
    sys.path.insert(0, str(SCRIPTS))
    try:
        import bench_app

        yield bench_app
    finally:
        sys.path.remove(str(SCRIPTS))


def test_the_timed_callback_draws_every_chart_for_each_filter_change(bench_app, wh):
    import plotly.graph_objects as go

    from genai_analyzer.app.analytics import CHART_FIGURES

    refresh, changes = bench_app.refresh_callback(wh), bench_app.filter_changes(wh)
    counts = {}
    for name, values in {"everything": ("", "", [], [], [], []), **changes}.items():
        cards, _note, *figures, key = refresh(*values)
        assert "Generations" in str(cards), name
        assert len(figures) == len(CHART_FIGURES), name
        assert all(isinstance(f, go.Figure) for f in figures), name
        assert key, name  # the drawn key: what the tab would skip drawing again
        counts[name] = str(cards)
    # the filters reach the queries: the pro tier's cards differ from everything's
    assert counts["tier pro"] != counts["everything"]
