"""Saved views and the Dashboard in a real headless Chromium (see tests/test_browser.py for how the
browser is found): a view saved under applied filters is drawn on the Dashboard with the rows the
API returns for those filters, its link opens the Analytics tab under them, and a pinned copilot
answer is drawn again there; the pictures docs/screenshots/dashboard-*.png come from here."""

from __future__ import annotations

import pytest
from gradio_client import Client

from genai_analyzer.analysis.views import SavedViews, view_from
from genai_analyzer.core.contract import app_state_path
from tests.conftest import serving
from tests.test_browser import TIMEOUT_MS, _doc_shot, browser  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.slow

# The drawn bars of the first plot in a dashboard view: [[label, value], ...].
BARS_JS = """(view) => {
  const gd = view.querySelector('.js-plotly-plot');
  const trace = gd._fullData[0];
  return Array.from(trace.y).map((label, i) => [label, Number(trace.x[i])]);
}"""


@pytest.fixture(scope="module")
def app_url(sample_warehouse):
    store = SavedViews(app_state_path(sample_warehouse))
    for name in store.names():  # views other tests saved; the copilot's approved answers stay
        store.delete(name)
    with serving(sample_warehouse) as served_app:
        yield served_app
    for name in store.names():
        store.delete(name)


@pytest.fixture
def open_page(browser, app_url):  # noqa: F811  (the imported browser fixture)
    contexts = []

    def opened(query: str = "", width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(f"{app_url[1]}{query}", wait_until="load")
        return page

    yield opened
    for context in contexts:
        context.close()


def _dashboard_view(page, name: str):
    page.get_by_role("tab", name="Dashboard").click()
    # .first: Gradio puts a Group's class on its inner box too
    view = page.locator(".dash-view").filter(has=page.locator(".dash-name", has_text=name)).first
    view.locator(".js-plotly-plot").first.wait_for()
    return view


def _upload(page, path) -> None:
    with page.expect_file_chooser() as chooser:
        page.locator("#views-import").click()
    chooser.value.set_files(str(path))


def test_a_view_saved_under_applied_filters_is_drawn_on_the_dashboard_and_its_link_opens_them(
    open_page, app_url
):
    wh, url = app_url
    page = open_page("?tab=analytics")
    bar = page.locator("#filter-bar")
    bar.get_by_label("pro", exact=True).check()
    page.locator("#apply-filters").click()
    page.locator("#scope-chips").get_by_text("Tier: pro").wait_for()
    page.locator("#save-view-chart input").click()
    page.get_by_role("option", name="outcomes", exact=True).click()
    page.locator("#save-view-name input, #save-view-name textarea").first.fill("Pro outcomes")
    page.locator("#save-view-button").click()
    page.locator("#save-view-note").get_by_text("Saved Pro outcomes").wait_for()

    client = Client(url, verbose=False)
    (saved,) = client.predict(api_name="/views")
    assert saved["filters"]["tiers"] == ["pro"] and saved["chart"] == "outcomes"
    expected = client.predict(chart="outcomes", tiers=["pro"], api_name="/chart")
    assert client.predict(name="Pro outcomes", api_name="/view")["records"] == expected
    by_status = {}
    for record in expected:
        by_status[record["status"]] = by_status.get(record["status"], 0) + record["generations"]

    view = _dashboard_view(page, "Pro outcomes")
    assert dict(view.evaluate(BARS_JS)) == by_status
    assert "tier pro" in view.locator(".dash-head").inner_text()
    _doc_shot(page, "dashboard-1280")

    view.get_by_role("link", name="Open in Analytics").click()
    page.wait_for_url("**/?tiers=pro&tab=analytics")
    page.locator("#scope-chips").get_by_text("Tier: pro").wait_for()
    assert page.get_by_role("tab", name="Analytics", exact=True).get_attribute("aria-selected") == "true"
    assert page.locator("#filter-bar").get_by_label("pro", exact=True).is_checked()
    assert not page.errors, page.errors


def test_a_pinned_copilot_answer_is_drawn_again_on_the_dashboard(open_page, app_url):
    _, url = app_url
    page = open_page("?tab=copilot")
    page.locator("#copilot-question textarea").fill("generations by tier")
    page.locator("#copilot-question textarea").press("Enter")
    page.locator("#copilot-chat").get_by_text("Generations by tier").first.wait_for()
    page.locator("#copilot-pin-name input, #copilot-pin-name textarea").first.fill("Tiers")
    page.locator("#copilot-pin").click()
    page.locator("#copilot-chat").get_by_text("Pinned to the Dashboard as 'Tiers'").wait_for()

    records = Client(url, verbose=False).predict(name="Tiers", api_name="/view")["records"]
    tiers = sorted(r["tier"] for r in records)
    assert tiers and len(tiers) == len(set(tiers))
    view = _dashboard_view(page, "Tiers")
    page.wait_for_function(
        "([el, tiers]) => tiers.every(t => el.innerText.includes(t))", arg=[view.element_handle(), tiers]
    )  # the result table, as the copilot tab draws it

    phone = open_page("?tab=dashboard&view=Tiers", width=390)
    phone.locator(".dash-view .js-plotly-plot").first.wait_for()
    assert phone.locator(".dash-name").all_inner_texts() == ["Tiers"]
    phone.locator("#dashboard-all").wait_for()
    _doc_shot(phone, "dashboard-390")
    assert not page.errors and not phone.errors, (page.errors, phone.errors)


def test_views_exported_deleted_and_imported_come_back_and_a_second_import_skips_them(
    open_page, app_url, tmp_path
):
    wh, _ = app_url
    store = SavedViews(app_state_path(wh.path))
    # with the views the tests above saved, if they ran
    store.save(
        view_from({"name": "Free domains", "kind": "chart", "chart": "domains", "filters": {"tiers": "free"}})
    )
    page = open_page("?tab=dashboard")
    page.locator(".dash-name").first.wait_for()
    saved = store.names()
    assert saved and page.locator(".dash-name").all_inner_texts() == saved

    page.locator("#views-export-button").click()
    with page.expect_download() as download:
        page.locator("#views-export a").first.click()
    exported = tmp_path / "views.yaml"
    download.value.save_as(exported)
    assert exported.read_text() == store.export_yaml()

    for left in reversed(range(len(saved))):  # one at a time, each redraw awaited
        page.locator(".dash-delete").first.click()
        page.wait_for_function("n => document.querySelectorAll('.dash-name').length === n", arg=left)
    assert store.names() == []
    page.locator("#dashboard-empty").wait_for()

    _upload(page, exported)
    page.locator("#dashboard-note").get_by_text(f"Imported {len(saved)} views").wait_for()
    page.wait_for_function("n => document.querySelectorAll('.dash-name').length === n", arg=len(saved))
    assert store.names() == saved
    _upload(page, exported)  # the same views again: each name is taken
    page.locator("#dashboard-note").get_by_text("Imported 0 views; skipped").wait_for()
    assert not page.errors, page.errors
