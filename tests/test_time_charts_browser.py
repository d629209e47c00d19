"""The charts over time in a real Chromium: ticks drawn per grain, lines broken over empty hours,
the previous period overlaid and exported with a ``period`` column; saves the two screenshots of
docs/screenshots/analytics-time-charts-*.png (the sample's last 3 weeks against the 3 before, and
the 7 real DiffusionDB hours). Skips without a browser, like tests/test_browser.py."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from genai_analyzer.analysis import queries
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.api.endpoints import Api
from tests.conftest import serving
from tests.test_browser import TIMEOUT_MS, browser  # noqa: F401  (the browser fixture)
from tests.test_time_charts import six_weeks_path  # noqa: F401  (the 6-week sample fixture)

pytestmark = pytest.mark.slow
DOC_SHOTS = Path(__file__).parents[1] / "docs" / "screenshots"
COMPARE = "Overlay the compared period on the charts over time"
ACTIVITY, LATENCY, PERFORMANCE = 0, 2, 4  # the time charts' places in the tab (left column)
DAY_TICK = re.compile(r"^[A-Z][a-z]{2} \d{1,2}$")  # "Sep 22"
HOUR_TICK = re.compile(r"^\d\d:00[A-Z][a-z]{2} \d{1,2}$")  # "20:00" over "Aug 13" (two lines)


def _open(browser, url: str, query: str = ""):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}?tab=analytics{query}", wait_until="load")
    page.get_by_role("tab", name="Analytics", exact=True).click()
    return context, page, errors


def _chart(page, i: int):
    return page.locator("[role=tabpanel]:visible .js-plotly-plot").nth(i)


def _wait_for_overlay(page, shown: bool) -> None:
    """Until the activity chart shows (or no longer shows) the previous period, as a legend entry
    or as the note that it holds no generations."""
    page.wait_for_function(
        """([shown]) => {
            const plots = document.querySelectorAll('[role=tabpanel] .js-plotly-plot');
            if (plots.length < 8) return false;
            const plot = plots[0];
            const texts = [...plot.querySelectorAll('.legendtext, .annotation-text')].map(t => t.textContent);
            return texts.some(t => t.startsWith('previous period')) === shown;
        }""",
        arg=[shown],
    )


def _ticks(page, i: int) -> list[str]:
    return _chart(page, i).locator(".xtick text").all_text_contents()


def _traces(page, i: int) -> list[dict]:
    """The data of the figure drawn on the page (plotly's own copy of it)."""
    return _chart(page, i).evaluate("el => el.data.map(t => ({name: t.name, x: t.x, y: t.y}))")


def _export(page, chart: str) -> pd.DataFrame:
    page.get_by_label("Data behind a chart").click()
    page.get_by_role("option", name=chart, exact=True).click()
    page.get_by_role("button", name="Export CSV").click()
    link = page.locator(f"a[download][href$='/{chart.replace(' ', '_')}.csv']").first
    link.wait_for()
    return pd.read_csv(io.StringIO(page.request.get(link.get_attribute("href")).text()))


def _doc_shot(page, name: str) -> Path:
    """The three charts over time (the tab's left column) as a small PNG with palette colours."""
    from PIL import Image

    # page coordinates (a bounding box is the viewport's, which moves as the page scrolls)
    box = """e => { const r = e.getBoundingClientRect();
                    return [r.left, r.top + scrollY, r.right, r.bottom + scrollY]; }"""
    left, top, right, _ = _chart(page, ACTIVITY).evaluate(box)
    bottom = _chart(page, PERFORMANCE).evaluate(box)[3]
    clip = {"x": left - 6, "y": top - 6, "width": right - left + 12, "height": bottom - top + 12}
    image = Image.open(io.BytesIO(page.screenshot(full_page=True, clip=clip))).convert("RGB")
    path = DOC_SHOTS / f"{name}.png"
    DOC_SHOTS.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    assert 5_000 < path.stat().st_size < 150_000, path.stat().st_size
    return path


def test_six_weeks_tick_by_day_and_overlay_the_previous_three_weeks(browser, six_weeks_path):  # noqa: F811
    with serving(six_weeks_path) as (wh, url):
        first, last = queries.data_range(wh)
        start = last - timedelta(days=20)
        context, page, errors = _open(browser, url, f"&start={start}&end={last}")
        page.get_by_label(COMPARE).check()
        _wait_for_overlay(page, True)
        before = Filters(start=start, end=last).previous_period(first, last)
        label = f"previous period: {before.start} to {before.end}"
        assert label in _chart(page, ACTIVITY).locator(".legendtext").all_text_contents()
        assert label in _chart(page, PERFORMANCE).locator(".legendtext").all_text_contents()
        assert label in _chart(page, LATENCY).locator(".legendtext").all_text_contents()  # group title
        for i in (ACTIVITY, PERFORMANCE):
            ticks = _ticks(page, i)
            assert ticks and all(DAY_TICK.match(t) for t in ticks), ticks

        # the CSV is the chart's frame: this period's days, then the previous period's on them
        exported = _export(page, "daily activity")
        expected = Api(wh).chart_frame("daily activity", Filters(start=start, end=last), "previous")
        assert exported["period"].tolist() == expected["period"].tolist()
        assert set(exported["period"]) == {"current", "previous"}
        assert exported["generations"].tolist() == expected["generations"].tolist()
        assert pd.to_datetime(exported["bucket"]).tolist() == expected["bucket"].tolist()
        assert set(exported["period_start"]) == {str(start), str(before.start)}
        _doc_shot(page, "analytics-time-charts-sample")

        page.get_by_label(COMPARE).uncheck()
        _wait_for_overlay(page, False)
        assert "period" not in _export(page, "weekly performance").columns
        context.close()
        assert not errors, errors


def test_seven_real_hours_tick_by_the_hour_and_break_over_empty_hours(browser, users_1k_warehouse):  # noqa: F811
    with serving(users_1k_warehouse) as (wh, url):
        context, page, errors = _open(browser, url)
        page.get_by_label(COMPARE).check()
        _wait_for_overlay(page, True)  # said, though empty: nothing before the 7 hours
        assert _chart(page, ACTIVITY).locator(".annotation-text").all_text_contents() == [
            "previous period: 2022-08-11 to 2022-08-12: no generations"
        ]
        page.get_by_label(COMPARE).uncheck()
        _wait_for_overlay(page, False)
        for i in (ACTIVITY, PERFORMANCE):
            assert _ticks(page, i) == [
                "20:00Aug 13", "21:00Aug 13", "22:00Aug 13", "23:00Aug 13",
                "00:00Aug 14", "01:00Aug 14", "02:00Aug 14",
            ]  # fmt: skip
            assert all(HOUR_TICK.match(t) for t in _ticks(page, i))
        titles = page.locator("[role=tabpanel]:visible .gtitle").all_text_contents()
        assert "Hourly activity" in titles and "Hourly performance" in titles
        # hour of day: 02:00 and 20:00 are not joined, a null point lies between them
        for trace in _traces(page, LATENCY):
            i = trace["x"].index(2)
            assert trace["y"][i + 1] is None and trace["x"][i + 2] == 20, trace
        exported = _export(page, "daily activity")
        assert exported["grain"].unique().tolist() == ["hour"] and len(exported) == 7
        _doc_shot(page, "analytics-time-charts-7h")
        context.close()
        assert not errors, errors
