"""The prompt leaderboard and the KPI deltas in a real headless Chromium (see tests/test_browser.py
for how the browser is found): the table shows the query layer's ranking under the applied filters,
its CSV export is the table on screen, the KPI cards show their change against the previous period,
and the pictures in docs/screenshots/ come from here."""

from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
import pytest

from genai_analyzer.analysis import queries
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.analysis.formatting import format_change
from genai_analyzer.analysis.leaderboards import DEFAULT_LIMIT, leaderboard_table, prompt_leaderboard
from tests.conftest import serving
from tests.test_browser import TIMEOUT_MS, _doc_shot, browser  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.slow

# Every row of the table as the page shows it: the header, then one list of cell texts per row.
TABLE_JS = """() => [...document.querySelectorAll('#lb-table [role=row]')].map(
    row => [...row.querySelectorAll('[role=columnheader], [role=gridcell]')].map(c => c.innerText))"""


def _words(text) -> str:
    return " ".join(str(text).split())


def _on_screen(page) -> list[list[str]]:
    return [[_words(cell) for cell in row] for row in page.evaluate(TABLE_JS)]


def _expected(wh, filters: Filters, metric="failure_rate", direction="worst", group="prompt", min_sample=5):
    frame = prompt_leaderboard(
        wh, filters, metric=metric, direction=direction, group=group, min_sample=min_sample,
        limit=DEFAULT_LIMIT,
    )  # fmt: skip
    table = leaderboard_table(frame, metric, group)
    return [list(table.columns), *([_words(v) for v in row] for row in table.itertuples(index=False))]


@pytest.fixture(scope="module")
def app_url(sample_warehouse):
    with serving(sample_warehouse) as served_app:
        yield served_app


@pytest.fixture
def open_page(browser, app_url):  # noqa: F811  (the imported browser fixture)
    contexts = []

    def opened(query: str = "", width: int = 1280, leaderboard: bool = True):
        context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(f"{app_url[1]}?tab=analytics{query}", wait_until="load")
        if leaderboard:
            page.get_by_role("tab", name="Leaderboards").click()
            page.locator("#lb-status .lb-status").wait_for()
        return page

    yield opened
    for context in contexts:
        context.close()


def _wait_for_status(page, text: str) -> None:
    page.locator("#lb-status .lb-status", has_text=text).wait_for()


def _scroll_to_tabs(page) -> None:
    """The top-level tabs at the top of the window, and the mouse off the table (no hover row)."""
    page.mouse.move(0, 0)
    page.evaluate("document.querySelector('[role=tablist]').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)


def test_the_leaderboard_shows_the_query_layers_ranking_under_the_applied_filters(open_page, app_url):
    wh, _ = app_url
    page = open_page()
    assert _on_screen(page) == _expected(wh, Filters())
    status = page.locator("#lb-status").inner_text()
    assert "highest failure rate first, by the lower bound" in status and "all dates" in status

    # the pickers: the most re-rolled prompts; best success rate ranks by the lower bound;
    # abandonment counts sessions
    page.locator("#lb-metric input").click()
    page.get_by_role("option", name="Re-roll rate", exact=True).click()
    _wait_for_status(page, "Worst highest re-roll rate first")
    assert _on_screen(page) == _expected(wh, Filters(), "reroll_rate")
    _scroll_to_tabs(page)
    _doc_shot(page, "leaderboard-1280")
    page.locator("#lb-metric input").click()
    page.get_by_role("option", name="Success rate", exact=True).click()
    page.locator("#lb-direction").get_by_label("best").check()
    _wait_for_status(page, "Best highest success rate first")
    assert _on_screen(page) == _expected(wh, Filters(), "success_rate", "best")
    page.locator("#lb-metric input").click()
    page.get_by_role("option", name="Abandonment", exact=True).click()
    page.locator("#lb-min-sample input").fill("2")
    page.locator("#lb-min-sample input").press("Enter")
    _wait_for_status(page, "at least 2 sessions each")
    shown = _on_screen(page)
    assert shown == _expected(wh, Filters(), "abandonment_rate", "best", min_sample=2) and len(shown) > 2
    assert shown[0][4] == "Abandonment"

    # filters applied while the charts are open are drawn when the leaderboard opens again
    page.get_by_role("tab", name="Charts").click()
    page.locator("#filter-bar").get_by_label("pro", exact=True).first.check()
    page.locator("#apply-filters").click()
    page.get_by_role("tab", name="Leaderboards").click()
    _wait_for_status(page, "tier pro")
    pro_only = Filters(tiers=("pro",))
    assert _on_screen(page) == _expected(wh, pro_only, "abandonment_rate", "best", min_sample=2)

    # the applied filters of a link decide the rows
    pro = open_page("&tiers=pro")
    _wait_for_status(pro, "tier pro")
    assert _on_screen(pro) == _expected(wh, Filters(tiers=("pro",)))
    assert not page.errors and not pro.errors


def test_the_csv_export_is_the_table_on_screen(open_page, app_url):
    wh, _ = app_url
    page = open_page()
    page.locator("#lb-group").get_by_label("Same text", exact=False).check()
    page.locator("#lb-min-sample input").fill("3")
    page.locator("#lb-min-sample input").press("Enter")
    _wait_for_status(page, "same-text groups")
    _wait_for_status(page, "at least 3 generations")
    shown = _on_screen(page)
    assert shown[0][:3] == ["#", "Same-text group", "Spellings"] and len(shown) > 10
    assert shown == _expected(wh, Filters(), group="cluster", min_sample=3)

    page.get_by_role("button", name="Export table as CSV").click()
    link = page.locator("#lb-csv a[download]").first
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    exported = pd.read_csv(download.value.path(), dtype=str, keep_default_na=False)
    assert [list(exported.columns), *([_words(v) for v in row] for row in exported.values)] == shown

    phone = open_page(width=390)
    phone.mouse.move(0, 0)
    phone.evaluate("document.querySelector('#lb-status').scrollIntoView({block: 'start'})")
    phone.wait_for_timeout(300)
    _doc_shot(phone, "leaderboard-390")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert not page.errors and not phone.errors


def test_kpi_cards_show_the_change_against_the_previous_period(open_page, app_url):
    wh, _ = app_url
    first, last = queries.data_range(wh)
    start = last - timedelta(days=6)
    page = open_page(f"&start={start}&end={last}", leaderboard=False)
    page.locator(".kpi-delta").nth(len(queries.KPI_METRICS) - 1).wait_for()
    filters = Filters(start=start, end=last)
    kpis = queries.kpis(wh, filters)
    before = filters.previous_period(first, last)
    assert (before.start, before.end) == (last - timedelta(days=13), last - timedelta(days=7))
    caption = page.locator(".kpi-compare").inner_text()
    assert caption == f"Change vs previous 7 days ({before.start} to {before.end}), same filters"
    deltas = page.locator(".kpi-delta").all_inner_texts()
    assert deltas == [format_change(kpis[name]["change"]) for name in queries.KPI_METRICS]
    assert any(d.startswith("▲ +") for d in deltas) or any(d.startswith("▼ -") for d in deltas)
    # the picture for the docs shows the charts under the cards: on a busy machine the cards came
    # first and the shot caught the charts' empty frames
    page.locator(".js-plotly-plot").nth(3).wait_for()
    _scroll_to_tabs(page)
    _doc_shot(page, "kpi-deltas-1280")
    assert not page.errors


def test_kpi_cards_and_time_charts_compare_with_a_chosen_period(open_page, app_url):
    from tests.test_browser import _exported

    wh, _ = app_url
    first, last = queries.data_range(wh)
    start = last - timedelta(days=6)
    page = open_page(f"&start={start}&end={last}", leaderboard=False)
    page.locator(".kpi-compare").wait_for()
    # the chosen period: the data's first week, typed into the boxes that "a chosen period" shows
    page.get_by_text("a chosen period").click()
    page.locator("#compare-start textarea, #compare-start input").first.fill(str(first))
    page.locator("#compare-end textarea, #compare-end input").first.fill(str(first + timedelta(days=6)))
    page.locator("#compare-go").click()
    chosen = f"the chosen period {first} to {first + timedelta(days=6)} (7 days)"
    page.locator(".kpi-compare", has_text=chosen).wait_for()
    assert page.locator(".kpi-compare").inner_text() == f"Change vs {chosen}, same filters"
    kpis = queries.kpis(wh, Filters(start=start, end=last), "period", first, first + timedelta(days=6))
    deltas = page.locator(".kpi-delta").all_inner_texts()
    assert deltas == [format_change(kpis[name]["change"]) for name in queries.KPI_METRICS]
    # the overlay on a time chart, and its CSV export: the compared week's rows on the shown axis
    page.locator("#compare-previous input").check()
    page.get_by_text(f"compared period: {first} to {first + timedelta(days=6)}").first.wait_for()
    exported = _exported(page, "daily activity")
    compared = exported[exported["period"] == "compared"]
    daily = wh.rows(
        "SELECT date_key, count(*) FROM fact_generations WHERE date_key BETWEEN $a AND $b "
        "GROUP BY 1 ORDER BY 1",
        {"a": first, "b": first + timedelta(days=6)},
    )
    shift = (start - first).days
    on_screen = zip(compared["bucket"], compared["generations"], strict=True)
    assert [(pd.Timestamp(b).date(), n) for b, n in on_screen] == [
        (day + timedelta(days=shift), n) for day, n in daily
    ]
    _scroll_to_tabs(page)
    _doc_shot(page, "compare-chosen-1280")
    # a bad date is named under the controls, and no change is shown rather than a wrong one
    page.locator("#compare-end textarea, #compare-end input").first.fill("2025-13-01")
    page.locator("#compare-go").click()
    page.locator("#compare-error .field-error", has_text="compare_end").wait_for()
    assert page.locator(".kpi-delta").count() == 0
    assert not page.errors


def test_the_whole_range_says_it_has_nothing_earlier_to_compare_with(open_page, app_url):
    wh, _ = app_url
    first, last = queries.data_range(wh)
    page = open_page("", leaderboard=False)
    page.locator(".kpi-compare").wait_for()
    days = (last - first).days + 1
    text = page.locator(".kpi-compare").inner_text()
    assert text.startswith(f"No change shown: previous {days:,} days ") and "lies outside the data" in text
    assert page.locator(".kpi-delta").count() == 0


def test_the_refinement_view_shows_the_apis_figures_under_the_applied_filters(open_page, app_url):
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.app.filterbar import describe
    from genai_analyzer.app.refinement import TERM_LIMIT, TERM_MIN_EDITS, terms_table
    from tests.test_browser import _downloaded

    wh, _ = app_url
    api = Api(wh)
    page = open_page("&tiers=pro", leaderboard=False)
    page.get_by_role("tab", name="Refinement").click()
    summary = page.locator("#rf-summary .lb-status")
    summary.wait_for()
    # one button per view (a State among the tabs once drew this one twice)
    assert page.get_by_role("tab", name="Refinement").count() == 1
    pro = Filters(tiers=("pro",))
    row = api.edit_summary_frame(pro).iloc[0]
    text = _words(summary.inner_text())
    assert f"{int(row['edits']):,} edits in {int(row['sessions']):,} sessions" in text
    assert f"{int(row['kept_images']):,} kept images, {row['edits_per_kept_image']:.2f} edits each" in text
    assert text.endswith(describe(pro))
    terms = api.edit_terms_frame(pro, "both", "none", TERM_MIN_EDITS, TERM_LIMIT)
    for where, change in (("#rf-added", "added"), ("#rf-removed", "removed")):
        table = terms_table(terms, change)
        cells = page.evaluate(
            f"""() => [...document.querySelectorAll('{where} [role=row]')].slice(1).map(
                row => [...row.querySelectorAll('[role=gridcell]')].map(c => c.innerText))"""
        )
        assert [[_words(c) for c in row] for row in cells] == [
            [_words(v) for v in row] for row in table.itertuples(index=False)
        ] and len(cells) > 0
    # both charts drawn: the edit types' bars and the flow's links
    page.locator("#rf-mix .js-plotly-plot .bars").first.wait_for()
    page.locator("#rf-flow .js-plotly-plot .sankey-link").first.wait_for()
    flow = api.edit_flow_frame(pro, 3)
    assert page.locator("#rf-flow .sankey-link").count() == len(flow)
    exported = pd.read_csv(io.BytesIO(_downloaded(page, "Export the terms as CSV", "#rf-csv")))
    assert exported["term"].tolist() == terms["term"].tolist()
    assert exported["edits"].tolist() == terms["edits"].tolist()
    page.evaluate("document.querySelector('#rf-summary').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    _doc_shot(page, "refinement-1280")
    phone = open_page("&tiers=pro", width=390, leaderboard=False)
    phone.get_by_role("tab", name="Refinement").click()
    phone.locator("#rf-flow .sankey-link").first.wait_for()
    phone.evaluate("document.querySelector('#rf-summary').scrollIntoView({block: 'start'})")
    phone.wait_for_timeout(300)
    _doc_shot(phone, "refinement-390")
    assert not page.errors and not phone.errors


def test_the_refinement_view_breaks_the_figures_down_by_the_chosen_group(open_page, app_url):
    from genai_analyzer.api.endpoints import Api
    from genai_analyzer.app.refinement import GROUP_TERM_LIMIT, TERM_MIN_EDITS, group_table, terms_table
    from tests.test_browser import _downloaded

    wh, _ = app_url
    api = Api(wh)
    page = open_page("&tiers=pro&tiers=free", leaderboard=False)
    page.get_by_role("tab", name="Refinement").click()
    page.locator("#rf-summary .lb-status").wait_for()
    assert not page.locator("#rf-groups").is_visible()  # nothing to break down yet
    page.locator("#rf-by").get_by_label("Art style").check()
    page.locator("#rf-groups [role=gridcell]").first.wait_for()
    scope = Filters(tiers=("pro", "free"))
    table = group_table(api.edit_summary_frame(scope, "art_style"), "art_style")

    def cells(where: str) -> list[list[str]]:
        rows = page.evaluate(TABLE_JS.replace("#lb-table", where))
        return [[_words(c) for c in row] for row in rows]

    def as_rows(frame: pd.DataFrame) -> list[list[str]]:
        return [list(frame.columns), *([_words(v) for v in row] for row in frame.itertuples(index=False))]

    shown = cells("#rf-groups")
    assert shown == as_rows(table)
    # the edit types stacked per style, the terms per style: the API's rows for by=art_style
    page.wait_for_function("() => document.querySelector('#rf-mix .js-plotly-plot')?.data?.length === 7")
    bars = page.evaluate("() => document.querySelector('#rf-mix .js-plotly-plot').data[0].y")
    mix = api.edit_mix_frame(scope, "art_style")
    assert sorted(bars) == sorted(set(mix["art_style"])) and set(bars) <= set(table["Art style"])
    terms = api.edit_terms_frame(scope, "both", "art_style", TERM_MIN_EDITS, GROUP_TERM_LIMIT)
    added = terms_table(terms, "added", "art_style")
    assert cells("#rf-added") == as_rows(added)
    # the export is the table on screen
    csv = _downloaded(page, "Export the groups as CSV", "#rf-groups-csv")
    assert as_rows(pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False)) == shown
    page.evaluate("document.querySelector('#rf-by').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    _doc_shot(page, "refinement-by-style-1280")
    # back to no breakdown: the table goes, the one-row chart returns
    page.locator("#rf-by").get_by_label("All edits").check()
    page.locator("#rf-groups").wait_for(state="hidden")
    assert not page.errors


def test_the_cohorts_view_draws_the_apis_funnel_retention_and_lifecycle(open_page, app_url):
    from genai_analyzer.api.endpoints import Api
    from tests.test_browser import _downloaded

    wh, _ = app_url
    api = Api(wh)
    page = open_page("", leaderboard=False)
    page.get_by_role("tab", name="Cohorts").click()
    page.wait_for_function(
        "() => ['#co-funnel', '#co-retention', '#co-lifecycle'].every("
        "w => document.querySelector(w + ' .js-plotly-plot')?.data?.length > 0)"
    )
    assert page.get_by_role("tab", name="Cohorts").count() == 1

    def plotted(where: str) -> list[dict]:
        return page.evaluate(
            f"() => document.querySelector('{where} .js-plotly-plot')._fullData.map("
            "t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || []), z: t.z}))"
        )

    funnel = api.funnel_frame(Filters())
    [trace] = plotted("#co-funnel")
    assert trace["x"] == funnel["sessions"].tolist() and trace["y"] == funnel["label"].tolist()
    retention = api.retention_frame(Filters())
    [heat] = plotted("#co-retention")
    first = retention[retention["cohort"] == retention["cohort"].min()]
    assert heat["z"][0][: len(first)] == pytest.approx(first["retention"].tolist())
    lifecycle = api.lifecycle_frame(Filters())
    bars = {t["name"]: t["y"] for t in plotted("#co-lifecycle")}
    assert bars["new"] == lifecycle["new_users"].tolist()
    assert bars["dormant"] == (-lifecycle["dormant_users"]).tolist()  # drawn below zero

    # by tier: one funnel per tier, the API's rows; the export is the frame on screen
    page.locator("#co-funnel-by").get_by_label("By tier").check()
    page.wait_for_function("() => document.querySelector('#co-funnel .js-plotly-plot')?.data?.length > 1")
    by_tier = api.funnel_frame(Filters(), "tier")
    for trace in plotted("#co-funnel"):
        assert trace["x"] == by_tier[by_tier["tier"] == trace["name"]]["sessions"].tolist()
    exported = pd.read_csv(io.BytesIO(_downloaded(page, "Export the funnel as CSV", "#co-csv")))
    assert exported["sessions"].tolist() == by_tier["sessions"].tolist()
    page.evaluate("document.querySelector('#co-funnel-by').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    _doc_shot(page, "cohorts-1280")
    phone = open_page("", width=390, leaderboard=False)
    phone.get_by_role("tab", name="Cohorts").click()
    phone.locator("#co-retention .js-plotly-plot").first.wait_for()
    phone.evaluate("document.querySelector('#co-retention').scrollIntoView({block: 'start'})")
    phone.wait_for_timeout(300)
    _doc_shot(phone, "cohorts-390")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert not page.errors and not phone.errors
