"""The app driven in a real headless Chromium (Debian's ``chromium``) through Playwright.

Opens each tab, checks what the page shows against the query layer, runs a search, opens a
session replay, changes a filter, and saves screenshots to ``artifacts/screenshots/`` (or
``GENAI_SCREENSHOTS``). Playwright cannot download a browser here, so it drives the system one:
``GENAI_BROWSER`` or the first of chromium / chromium-browser / google-chrome on PATH. Without one
the test skips, unless ``GENAI_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where it fails.
"""

from __future__ import annotations

import io
import os
import shutil
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest

from genai_analyzer.analysis import explorer_queries as explore
from genai_analyzer.analysis import queries
from genai_analyzer.analysis.filters import Filters
from genai_analyzer.api.endpoints import Api
from genai_analyzer.app import filterbar
from genai_analyzer.app.analytics import CHARTS
from genai_analyzer.app.explorer import DUPLICATE_PAGE_SIZE
from genai_analyzer.core.settings import Settings
from tests.conftest import serving

pytestmark = pytest.mark.slow
SHOTS = Path(os.environ.get("GENAI_SCREENSHOTS", Path(__file__).parents[1] / "artifacts" / "screenshots"))
LAUNCH_ARGS = [
    "--no-sandbox",  # CI runs as root in a container
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = int(os.environ.get("GENAI_BROWSER_TIMEOUT_MS", "60000"))  # more on a busy machine
# Small screenshots kept in the repository (docs/screenshots), at the two widths the design targets.
DOC_SHOTS = Path(__file__).parents[1] / "docs" / "screenshots"
DOC_SHOT_MAX_BYTES = 150_000
NIGHT = "rgb(15, 23, 43)"  # the theme's page background, #0f172b
TOP_TABS = ("Overview", "Analytics", "Session Explorer", "Map", "SQL Copilot", "Dashboard")


def _browser_path() -> str | None:
    configured = os.environ.get("GENAI_BROWSER")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _need(reason: str):
    if os.environ.get("GENAI_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("playwright is not installed (pip install -e '.[dev]')")
    path = _browser_path()
    if path is None:
        _need("no Chromium on PATH: apt-get install chromium, or set GENAI_BROWSER")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def app_url(sample_warehouse):
    with serving(sample_warehouse) as served_app:
        yield served_app


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(app_url[1], wait_until="load")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a rendered page, not a blank one
    return path


def _doc_shot(page, name: str) -> Path:
    """The visible page as a small PNG in docs/screenshots (palette colours, at most 1280 px wide)."""
    from PIL import Image

    image = Image.open(io.BytesIO(page.screenshot(full_page=False))).convert("RGB")
    if image.width > 1280:
        image = image.resize((1280, round(image.height * 1280 / image.width)), Image.LANCZOS)
    DOC_SHOTS.mkdir(parents=True, exist_ok=True)
    path = DOC_SHOTS / f"{name}.png"
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    assert 5_000 < path.stat().st_size < DOC_SHOT_MAX_BYTES, path.stat().st_size
    return path


def _kpi_rows(scope) -> list[int]:
    """How many KPI cards each visual row of the first KPI grid holds."""
    return scope.locator(".kpi-row").first.evaluate(
        """row => {
            const cards = [...row.querySelectorAll('.kpi')];
            const tops = cards.map(c => Math.round(c.getBoundingClientRect().top));
            return [...new Set(tops)].map(t => tops.filter(x => x === t).length);
        }"""
    )


def _panel(page):
    """The visible tab panel of the top-level tabs."""
    return page.locator("[role=tabpanel]:visible").first


def _card_value(scope, label: str) -> str:
    value = scope.locator(f".kpi:has(.kpi-label:text-is('{label}')) .kpi-value").first
    return value.inner_text().strip()


def test_overview_shows_live_figures_a_session_and_the_diagrams(page, app_url):
    wh, _ = app_url
    figures = queries.overview_figures(wh)
    page.locator(".kpi-row").first.wait_for()
    assert _card_value(page, "Generations") == f"{figures['generations']:,}"
    assert _card_value(page, "Sessions") == f"{figures['sessions']:,}"
    shots = page.locator(".ov-shot img")
    shots.first.wait_for()
    expected = queries.showcase_session(wh)
    assert shots.count() == len(expected) >= 2
    # every thumbnail was actually served and decoded
    page.wait_for_function("[...document.querySelectorAll('.ov-shot img')].every(i => i.complete)")
    widths = shots.evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    assert all(w > 0 for w in widths), widths
    assert page.locator("svg.diagram").count() == 2
    for table in ("fact_generations", "dim_users", "dim_sessions", "dim_prompts", "dim_date"):
        assert page.locator("svg.diagram text", has_text=table).count() >= 1
    assert page.get_by_text("Tech stack").is_visible()
    _shot(page, "1-overview")
    # the page is dark even where the app does not reach: the theme's slate, not white
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == NIGHT
    assert _kpi_rows(page) == [6]  # one tidy row at this width
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_timeout(300)
    _doc_shot(page, "overview-1280")


def _bar(page):
    """The filter bar above the tabs (Analytics and Explorer)."""
    return page.locator("#filter-bar").first


def test_analytics_draws_every_chart_and_a_filter_changes_the_figures(page, app_url):
    wh, _ = app_url
    page.get_by_role("tab", name="Analytics").click()
    panel = _panel(page)
    panel.locator(".js-plotly-plot").nth(len(CHARTS) - 1).wait_for()
    assert panel.locator(".js-plotly-plot").count() == len(CHARTS)
    # the whole warehouse until the user narrows it, and the chips say so
    before = queries.kpis(wh, Filters())
    assert _card_value(panel, "Generations") == f"{before['generations']['value']:,.0f}"
    assert "All dates" in page.locator("#scope-chips").first.inner_text()
    _shot(page, "2-analytics")
    rows = _kpi_rows(panel)
    assert sum(rows) == 9 and len(set(rows)) == 1, f"KPI cards wrap untidily: {rows}"

    tier = queries.filter_choices(wh)["tiers"][-1]
    _bar(page).get_by_label(tier, exact=True).first.check()
    page.locator("#filters-pending", has_text="not applied").first.wait_for()
    _bar(page).get_by_role("button", name="Apply filters").click()
    after = queries.kpis(wh, Filters(tiers=[tier]))
    expected = f"{after['generations']['value']:,.0f}"
    assert after["generations"]["value"] != before["generations"]["value"]
    _wait_for_card(page, "Generations", expected)
    assert f"Tier: {tier}" in page.locator("#scope-chips").first.inner_text()
    assert f"tiers={tier}" in page.url and "tab=analytics" in page.url
    _shot(page, "3-analytics-filtered")


def test_a_tab_opened_after_an_apply_elsewhere_draws_the_applied_scope(page, app_url):
    # the views of a tab are computed while it is shown; one opened later catches up on opening
    wh, _ = app_url
    page.get_by_role("tab", name="Session Explorer").click()
    panel = _panel(page)
    panel.locator(".ex-status").first.wait_for()
    tier = queries.filter_choices(wh)["tiers"][0]
    _bar(page).get_by_label(tier, exact=True).first.check()
    _bar(page).get_by_role("button", name="Apply filters").click()
    scope = filterbar.describe(Filters(tiers=[tier]))
    panel.locator(".ex-status", has_text=scope).wait_for()

    page.get_by_role("tab", name="Analytics").click()
    expected = queries.kpis(wh, Filters(tiers=[tier]))["generations"]["value"]
    assert expected != queries.kpis(wh, Filters())["generations"]["value"]
    _wait_for_card(page, "Generations", f"{expected:,.0f}")
    _panel(page).locator(".js-plotly-plot").nth(len(CHARTS) - 1).wait_for()


def _wait_for_card(page, label: str, value: str) -> None:
    page.wait_for_function(
        """([label, value]) => [...document.querySelectorAll('.kpi')].some(
            c => c.querySelector('.kpi-label')?.textContent.trim() === label
              && c.querySelector('.kpi-value')?.textContent.trim() === value)""",
        arg=[label, value],
    )


def _chart_on_screen(page, title: str) -> list[tuple[str, float]]:
    """(x, y) of the first bar trace of the chart titled ``title``, as the page drew it."""
    drawn = page.evaluate(
        """title => {
            const plot = [...document.querySelectorAll('.js-plotly-plot')].find(
                p => (p.layout?.title?.text || '').toLowerCase() === title.toLowerCase());
            const bars = plot._fullData.find(t => t.type === 'bar');  // decoded arrays
            return Array.from(bars.x, (x, i) => [String(x), bars.y[i]]);
        }""",
        title,
    )
    return [(x, y) for x, y in drawn if y is not None and y == y]  # gaps are null or NaN


def _downloaded(page, button: str, where: str):
    """Click ``button`` and fetch the file the File component ``where`` then links to."""
    link = f"{where} [data-testid=download-link]"
    before = page.evaluate(f"() => document.querySelector('{link}')?.href || null")
    _panel(page).get_by_role("button", name=button).click()
    href = page.wait_for_function(
        f"old => {{ const a = document.querySelector('{link}'); return a && a.href !== old && a.href; }}",
        arg=before,
    ).json_value()
    return page.request.get(href).body()


def _exported(page, chart: str):
    """The CSV the Export button gives for ``chart``."""
    import pandas as pd

    _panel(page).get_by_label("Data behind a chart").first.click()
    page.get_by_role("option", name=chart, exact=True).click()
    return pd.read_csv(io.BytesIO(_downloaded(page, "Export CSV", "#chart-export")))


def test_the_exported_csv_is_the_chart_on_screen_applied_or_not(page, app_url):
    wh, _ = app_url
    page.get_by_role("tab", name="Analytics").click()
    _panel(page).locator(".js-plotly-plot").nth(len(CHARTS) - 1).wait_for()
    statuses = queries.filter_choices(wh)["statuses"]

    def same(csv, drawn):
        assert len(csv[csv["generations"] > 0]) == len(drawn)
        assert csv["generations"].sum() == sum(y for _, y in drawn)

    # a filter changed but not applied: the chart still shows the applied scope, and so does the file
    _bar(page).get_by_label("error", exact=True).first.check()
    page.locator("#filters-pending", has_text="not applied").first.wait_for()
    drawn = _chart_on_screen(page, "Daily activity")
    csv = _exported(page, "daily activity")
    same(csv, drawn)
    assert csv["generations"].sum() == queries.kpis(wh, Filters())["generations"]["value"]
    # applied: both change together
    _bar(page).get_by_role("button", name="Apply filters").click()
    expected = queries.kpis(wh, Filters(statuses=["error"]))["generations"]["value"]
    _wait_for_card(page, "Generations", f"{expected:,.0f}")
    assert "error" in statuses
    drawn = _chart_on_screen(page, "Daily activity")
    csv = _exported(page, "daily activity")
    same(csv, drawn)
    assert csv["generations"].sum() == expected
    # the filtered set: every generation in the applied scope, as CSV and as Parquet
    import pandas as pd

    csv_set = _downloaded(page, "Download the filtered generations (CSV)", "#set-export")
    rows = pd.read_csv(io.BytesIO(csv_set))
    assert len(rows) == expected and set(rows["status"]) == {"error"}
    parquet = _downloaded(page, "Download the filtered generations (Parquet)", "#set-export")
    assert len(pd.read_parquet(io.BytesIO(parquet))) == expected


def test_a_link_with_filters_opens_the_same_view_and_a_bad_date_is_named_at_its_field(page, app_url):
    wh, url = app_url
    first, last = queries.data_range(wh)
    start = last - timedelta(days=13)
    tier = queries.filter_choices(wh)["tiers"][0]
    page.goto(f"{url}?start={start}&end={last}&tiers={tier}&tab=analytics", wait_until="load")
    expected = queries.kpis(wh, Filters(start=start, end=last, tiers=[tier]))["generations"]["value"]
    _wait_for_card(page, "Generations", f"{expected:,.0f}")
    assert page.get_by_role("tab", name="Analytics").get_attribute("aria-selected") == "true"
    chips = page.locator("#scope-chips").first.inner_text()
    assert f"{start} – {last} (14 days)" in chips and f"Tier: {tier}" in chips

    # a malformed date: named under its field, nothing applied, the view unchanged
    box = _bar(page).locator("input").first  # From
    box.fill("2025-13-45")
    box.press("Tab")
    _bar(page).get_by_role("button", name="Apply filters").click()
    error = page.locator(".field-error").first
    error.wait_for()
    assert "not a date" in error.inner_text()
    from_field = _bar(page).locator("input").first.bounding_box()
    message = error.bounding_box()
    assert abs(message["x"] - from_field["x"]) < 40 and 0 <= message["y"] - from_field["y"] < 120
    assert f"{start} – {last}" in page.locator("#scope-chips").first.inner_text()
    _wait_for_card(page, "Generations", f"{expected:,.0f}")

    # an unknown value in a link: named, and everything shown instead
    page.goto(f"{url}?tiers=platinum&tab=analytics", wait_until="load")
    page.locator(".field-error", has_text="platinum").first.wait_for()
    assert "could not be used" in page.locator("#filters-pending").first.inner_text()
    assert "All dates" in page.locator("#scope-chips").first.inner_text()


def test_two_quick_searches_end_on_the_newest(page, app_url):
    page.get_by_role("tab", name="Session Explorer").click()
    panel = _panel(page)
    panel.locator(".ex-status").first.wait_for()
    box = panel.get_by_label("Search prompts")
    box.fill("portrait of an old man")
    box.press("Enter")
    box.fill("a castle on a hill")
    box.press("Enter")
    panel.locator(".ex-status", has_text="a castle on a hill").wait_for()
    page.wait_for_timeout(3_000)  # long enough for an older answer to arrive late
    assert "a castle on a hill" in panel.locator(".ex-status").first.inner_text()
    # the Explorer searched the whole warehouse: its scope says so
    assert "all dates" in panel.locator(".ex-status").first.inner_text()


def test_a_search_wins_over_the_tab_draw_sent_before_it(page, app_url):
    """Opening the Explorer sends a draw of the latest prompts. Hold that request back (as a busy
    queue would), search meanwhile, then let the draw through: it arrives last but was sent before
    the search, so the gallery must stay on the search."""
    page.locator(".kpi-row").first.wait_for()  # the page has loaded: its own events are done
    held, holding = [], [True]

    def hold(route):
        # the event that draws the views of the tab just opened names that tab
        if holding[0] and '"explorer"' in (route.request.post_data or ""):
            held.append(route)
        else:
            route.continue_()

    page.route("**/gradio_api/queue/join*", hold)
    page.get_by_role("tab", name="Session Explorer").click()
    page.wait_for_timeout(1_000)
    holding[0] = False
    assert held, "opening the tab sent no request to hold"
    panel = _panel(page)
    box = panel.get_by_label("Search prompts")
    box.fill("a castle on a hill")
    box.press("Enter")
    panel.locator(".ex-status", has_text="a castle on a hill").wait_for()
    for route in held:
        route.continue_()
    page.wait_for_timeout(4_000)  # the held draw runs now and ends after the search
    assert "a castle on a hill" in panel.locator(".ex-status").first.inner_text()
    assert "latest" not in panel.locator(".ex-status").first.inner_text().lower()


def test_explorer_search_select_and_replay_a_session(page, app_url):
    wh, _ = app_url
    page.get_by_role("tab", name="Session Explorer").click()
    panel = _panel(page)
    box = panel.get_by_label("Search prompts")
    box.fill("a castle on a hill")
    panel.get_by_role("button", name="Search", exact=True).click()
    panel.locator(".ex-status", has_text="a castle on a hill").wait_for()
    tiles = panel.locator(".ex-tile")
    tiles.first.wait_for()
    _shot(page, "4-explorer-search")

    tiles.first.click()
    detail = panel.locator(".ex-detail, .ex-detail-thumb").first
    detail.wait_for()
    replay = panel.get_by_role("button", name="Open session replay")
    replay.click()
    page.locator(".ex-summary").wait_for()
    session_id = page.locator(".ex-summary b").first.inner_text().strip()
    expected = explore.session_replay(wh, session_id)
    assert page.locator(".ex-card").count() == len(expected) >= 1
    _shot(page, "5-session-replay")


def test_the_layout_fits_a_phone_screen(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app_url[1], wait_until="load")
    page.locator(".kpi-row").first.wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"
    assert _kpi_rows(page) == [3, 3]
    _shot(page, "6-phone-overview")
    _doc_shot(page, "overview-390")
    # every top-level tab is in the bar (none hidden in a "more" menu) and opens its panel
    for name in TOP_TABS:
        tab = page.get_by_role("tab", name=name, exact=True)
        assert tab.is_visible(), f"the {name} tab is not visible at 390 px"
        box = tab.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
    for name in reversed(TOP_TABS):
        page.get_by_role("tab", name=name, exact=True).click()
        assert page.get_by_role("tab", name=name, exact=True).get_attribute("aria-selected") == "true"
    page.get_by_role("tab", name="Analytics", exact=True).click()
    _panel(page).locator(".kpi").nth(8).wait_for()
    assert _kpi_rows(_panel(page)) == [3, 3, 3]
    page.get_by_role("tab", name="Session Explorer", exact=True).click()
    _panel(page).locator(".ex-tile").first.wait_for()
    _panel(page).locator(".ex-status").first.scroll_into_view_if_needed()
    _doc_shot(page, "explorer-390")
    context.close()


def test_the_font_is_shipped_and_the_page_is_dark_from_the_first_paint(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    # what the page looks like when its HTML has been parsed, before Gradio's scripts and styles
    context.add_init_script(
        """document.addEventListener('DOMContentLoaded', () => {
            window.__first_paint = [getComputedStyle(document.body).backgroundColor,
                                    getComputedStyle(document.documentElement).backgroundColor];
        });"""
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(app_url[1], wait_until="domcontentloaded")
    body, root = page.evaluate("window.__first_paint")
    assert body == NIGHT, f"the first paint is {body}, not the dark slate"
    assert root in (NIGHT, "rgba(0, 0, 0, 0)")  # transparent html shows the body's background
    page.locator(".kpi-row").first.wait_for()
    loaded = page.evaluate(
        """async () => {
            await document.fonts.ready;
            await document.fonts.load('16px "Space Grotesk"');
            return [document.fonts.check('16px "Space Grotesk"'),
                    [...document.fonts].some(f => f.family.replace(/"/g, '') === 'Space Grotesk'
                                                 && f.status === 'loaded')];
        }"""
    )
    assert loaded == [True, True], "Space Grotesk is not loaded"
    assert "Space Grotesk" in page.evaluate(
        "getComputedStyle(document.querySelector('.kpi-value')).fontFamily"
    )
    # served by the app itself: nothing was fetched from another host (no CDN)
    assert hosts == {urlparse(app_url[1]).netloc}, hosts
    context.close()


def test_gallery_tiles_blur_nsfw_images_and_cut_captions_at_word_boundaries(page, app_url):
    wh, _ = app_url
    threshold = Settings.from_env().nsfw_blur_threshold
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("tab", name="Session Explorer").click()
    panel = _panel(page)
    tiles = panel.locator(".ex-tile")
    tiles.first.wait_for()
    # captions: whole words, the full prompt on hover
    captions = tiles.evaluate_all(
        """ts => ts.map(t => {
            const c = t.querySelector('.ex-caption');
            return [t.title, c.textContent, c.scrollWidth <= c.clientWidth];
        })"""
    )
    assert len(captions) >= 6
    for title, shown, fits in captions:
        full = " ".join(title.split())
        assert fits, f"caption overflows its tile: {shown!r}"
        if shown.endswith("…"):
            head = shown[:-1]
            assert full.startswith(head) and full[len(head)] in " ,;:.-", f"cut mid-word: {shown!r}"
        else:
            assert shown == full
    _doc_shot(page, "explorer-1280")

    # blocked generations all lie above the blur threshold: filtered on them, every tile is blurred
    assert (
        wh.scalar("SELECT min(image_nsfw) FROM fact_generations WHERE status = 'nsfw_blocked'") >= threshold
    )
    _bar(page).get_by_label("nsfw_blocked", exact=True).first.check()
    _bar(page).get_by_role("button", name="Apply filters").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.ex-tile')].length > 0"
        " && [...document.querySelectorAll('.ex-tile')].every(t => t.classList.contains('nsfw'))"
    )
    blurred = tiles.first.locator("img")
    assert "blur" in blurred.evaluate("img => getComputedStyle(img).filter")
    _shot(page, "9-explorer-nsfw-blurred")
    tiles.first.click()  # a click shows it, and opens it
    page.wait_for_function(  # unblurred (after a short transition)
        "() => getComputedStyle(document.querySelector('.ex-tile.revealed img')).filter === 'none'"
    )
    panel.locator(".ex-detail").wait_for()

    # more like this pins the selected image first
    source = tiles.first.get_attribute("data-id")
    panel.get_by_role("button", name="More like this").click()
    page.wait_for_function("id => document.querySelector('.ex-tile.pinned')?.dataset.id === id", arg=source)
    assert tiles.first.get_attribute("data-id") == source

    # images like this (visual similarity) pins it first too, then one tile per image, closest first
    panel.get_by_role("button", name="Images like this").click()
    page.wait_for_function(
        "id => document.querySelector('.ex-tile.pinned')?.dataset.id === id"
        " && document.querySelector('.ex-status')?.textContent.includes('visual similarity')",
        arg=source,
    )
    assert tiles.first.get_attribute("data-id") == source and tiles.count() > 1
    _shot(page, "9b-explorer-images-like-this")


def _duplicate_cards(page) -> list[dict]:
    """The Near-duplicates view's cards as shown: number, counts line, and thumbnails' generations."""
    return page.locator("#ex-duplicates .ex-dup").evaluate_all(
        """cards => cards.map(c => ({
            number: c.querySelector('b').textContent,
            counts: c.querySelector('.ex-meta span').textContent,
            ids: [...c.querySelectorAll('[data-gen]')].map(t => t.dataset.gen),
        }))"""
    )


def _expect_duplicate_page(page, expected: dict, first: int) -> None:
    page.wait_for_function(
        "n => document.querySelector('#ex-duplicates .ex-dup b')?.textContent === n", arg=f"#{first}"
    )
    shown = _duplicate_cards(page)
    assert [c["ids"] for c in shown] == [g["generation_ids"] for g in expected["groups"]]
    for card, group in zip(shown, expected["groups"], strict=True):
        assert card["counts"].startswith(f"{group['n_generations']} generations · {group['n_images']} image")


def test_near_duplicate_groups_are_browsed_page_by_page_in_the_filters_scope(page, app_url):
    """The Explorer's Near-duplicates view shows the groups the API lists (/near_duplicates), the
    largest first, a page at a time; a tier filter narrows both alike; a thumbnail opens its
    generation in the Results view."""
    wh, _ = app_url
    api = Api(wh)
    size = DUPLICATE_PAGE_SIZE
    first_page, second_page = (api.near_duplicates(page=n, page_size=size) for n in (1, 2))
    assert first_page["total_groups"] > size  # the sample has more than one page of re-rolls
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("tab", name="Session Explorer").click()
    panel = _panel(page)
    panel.get_by_role("tab", name="Near-duplicates").click()
    _expect_duplicate_page(page, first_page, 1)
    note = panel.locator(".ex-status", has_text="near-duplicate images").first
    assert f"of {first_page['total_groups']} groups" in note.inner_text()
    # the picture: from the Explorer's own tabs down, so the note and page controls show
    panel.get_by_role("tab", name="Near-duplicates").evaluate("el => el.scrollIntoView({block: 'start'})")
    _doc_shot(page, "explorer-duplicates-1280")
    panel.get_by_role("button", name="Next page").click()
    _expect_duplicate_page(page, second_page, size + 1)
    panel.get_by_role("button", name="Previous page").click()
    _expect_duplicate_page(page, first_page, 1)

    # a tier filter narrows the groups as it narrows the API's
    _bar(page).get_by_label("pro", exact=True).first.check()
    _bar(page).get_by_role("button", name="Apply filters").click()
    pro = api.near_duplicates(page=1, page_size=size, filters=api.filters(tiers=["pro"]))
    assert 0 < pro["total_groups"] < first_page["total_groups"]
    page.wait_for_function(
        "n => document.querySelector('#ex-duplicates')?.closest('[role=tabpanel]')"
        "?.querySelector('.ex-status')?.textContent.includes(n)",
        arg=f"of {pro['total_groups']} group",
    )
    _expect_duplicate_page(page, pro, 1)

    # a thumbnail opens its generation in the Results view
    chosen = pro["groups"][0]["generation_ids"][-1]
    page.locator(f'#ex-duplicates [data-gen="{chosen}"]').click()
    prompt = wh.scalar(
        "SELECT p.prompt FROM fact_generations f JOIN dim_prompts p USING (prompt_id) "
        "WHERE generation_id = $g",
        {"g": chosen},
    )
    page.wait_for_function(
        "text => document.querySelector('#ex-detail-panel .ex-prompt')?.textContent === text", arg=prompt
    )
    assert panel.get_by_role("tab", name="Results").get_attribute("aria-selected") == "true"
    assert panel.get_by_role("button", name="Images like this").is_enabled()


def test_copilot_answers_in_the_chat_and_runs_edited_sql(page, app_url):
    wh, _ = app_url
    page.get_by_role("tab", name="SQL Copilot").click()
    panel = _panel(page)
    box = panel.locator("#copilot-question textarea")
    box.fill("generations by tier")
    panel.get_by_role("button", name="Ask", exact=True).click()
    reply = panel.locator("#copilot-chat").get_by_text("Generations by tier")
    reply.first.wait_for()
    panel.locator(".js-plotly-plot").first.wait_for()
    expected = wh.query("SELECT u.tier FROM fact_generations f JOIN dim_users u USING (user_id) GROUP BY 1")
    _shot(page, "7-copilot")
    result = panel.locator("#copilot-result")
    page.wait_for_function(
        "tiers => tiers.every(t => document.querySelector('#copilot-result').innerText.includes(t))",
        arg=list(expected["tier"]),
    )
    assert "generations" in result.inner_text()

    box.fill("drop table dim_users")
    panel.get_by_role("button", name="Ask", exact=True).click()
    panel.locator("#copilot-chat").get_by_text("only read").first.wait_for()
    _shot(page, "8-copilot-refusal")


def test_copilot_asks_when_unsure_declines_with_suggestions_and_ignores_unrelated_follow_ups(page, app_url):
    page.get_by_role("tab", name="SQL Copilot").click()
    panel = _panel(page)
    box = panel.locator("#copilot-question textarea")
    chat = panel.locator("#copilot-chat")
    chips = panel.locator("#copilot-chips button:visible")

    # a metric only similar to one it knows: a clarifying question whose readings are clickable
    box.fill("performance by tier")
    panel.get_by_role("button", name="Ask", exact=True).click()
    chat.get_by_text("Did you mean").first.wait_for()
    reading = chips.first.inner_text()
    assert "by tier" in reading
    _shot(page, "9-copilot-clarify")
    chips.first.click()
    chat.get_by_text("How I read this").first.wait_for()
    page.wait_for_function(
        "() => ['free', 'pro'].every(t => document.querySelector('#copilot-result').innerText.includes(t))"
    )

    # a word it cannot account for: declined, the word named, questions offered instead
    sql_before = panel.locator(".cm-content").first.inner_text()
    box.fill("which tier has the happiest users")
    panel.get_by_role("button", name="Ask", exact=True).click()
    chat.get_by_text("happiest").last.wait_for()
    assert chips.count() >= 2
    assert panel.locator(".cm-content").first.inner_text() == sql_before  # the editor keeps its SQL
    _shot(page, "10-copilot-decline")

    # an unrelated message after an answer: a new question, not the previous query again
    box.fill("error rate by tier")
    panel.get_by_role("button", name="Ask", exact=True).click()
    chat.get_by_text("Error rate; by tier").first.wait_for()
    box.fill("thanks!")
    panel.get_by_role("button", name="Ask", exact=True).click()
    chat.get_by_text("Happy to help").first.wait_for()
    assert "error" in panel.locator(".cm-content").first.inner_text().lower()  # nothing re-ran

    # a clarifying question answered by typing instead of clicking: the reply picks a reading
    box.fill("cost of errors per session")
    panel.get_by_role("button", name="Ask", exact=True).click()
    chat.get_by_text("over every session").first.wait_for()
    box.fill("among the sessions that had one")
    panel.get_by_role("button", name="Ask", exact=True).click()
    chat.get_by_text("Your reply picks").first.wait_for()
    page.wait_for_function(  # the picked reading's SQL in the editor: the errors over their sessions
        "() => [...document.querySelectorAll('.cm-content')].some(e => e.innerText.includes("
        "\"WHERE f.status IN ('error')\") && e.innerText.includes('session_id'))"
    )
    _shot(page, "10b-copilot-typed-reply")


def test_an_answer_marked_right_is_saved_and_reused(page, app_url):
    page.get_by_role("tab", name="SQL Copilot").click()
    panel = _panel(page)
    box = panel.locator("#copilot-question textarea")
    chat = panel.locator("#copilot-chat")
    box.fill("margin by art style")
    panel.get_by_role("button", name="Ask", exact=True).click()
    chat.get_by_text("Margin (USD); by art style").first.wait_for()
    panel.locator("#copilot-approve").click()
    chat.get_by_text("will be answered this way again").first.wait_for()
    box.fill("what is the margin for each art style")
    panel.get_by_role("button", name="Ask", exact=True).click()
    chat.get_by_text("from the approved answer to 'margin by art style'").first.wait_for()
    panel.get_by_text("Saved questions").first.click()
    page.wait_for_function(
        "() => document.querySelector('#copilot-saved').innerText.includes('margin by art style')"
    )
    _shot(page, "11-copilot-approved")
