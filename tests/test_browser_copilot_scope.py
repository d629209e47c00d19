"""The SQL Copilot within the filter bar, in a real headless Chromium (tests/test_browser.py finds the
browser) and over HTTP with gradio_client: a tier applied in the bar scopes the answer's figure, the
reading names the scope, and the SQL editor says that hand-run SQL is outside the filter bar. The
pictures docs/screenshots/copilot-scope-1280.png and copilot-scope-sql-1280.png come from here."""

from __future__ import annotations

import pytest
from gradio_client import Client

from genai_analyzer.analysis.formatting import format_value
from tests.conftest import serving
from tests.test_browser import TIMEOUT_MS, _doc_shot, browser  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.slow

PRO_GENERATIONS = (
    "SELECT count(*) FROM fact_generations f JOIN dim_users u USING (user_id) WHERE u.tier = 'pro'"
)


@pytest.fixture(scope="module")
def app_url(sample_warehouse):
    with serving(sample_warehouse) as served_app:
        yield served_app


def test_ask_over_http_takes_the_filter_fields_and_names_the_scope(app_url):
    wh, url = app_url
    client = Client(url, verbose=False)
    scoped = client.predict(question="how many generations", tiers=["pro"], api_name="/ask")
    assert scoped["rows"] == [[wh.scalar(PRO_GENERATIONS)]]
    assert scoped["scope"] == "within the filter bar: tier pro"
    assert "within the filter bar: tier pro" in scoped["reading"]
    everything = client.predict(question="how many generations", api_name="/ask")
    assert everything["rows"] == [[wh.scalar("SELECT count(*) FROM fact_generations")]]
    assert everything["scope"] == "" and "filter bar" not in everything["explanation"]


def test_a_tier_applied_in_the_filter_bar_scopes_the_copilot_s_answer(browser, app_url):  # noqa: F811
    wh, url = app_url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{url}?tab=copilot", wait_until="load")
        bar = page.locator("#filter-bar")
        bar.get_by_label("pro", exact=True).check()
        page.locator("#apply-filters").click()
        page.locator("#scope-chips").get_by_text("Tier: pro").wait_for()
        panel = page.locator("[role=tabpanel]:visible").first
        panel.locator("#copilot-question textarea").fill("how many generations")
        panel.get_by_role("button", name="Ask", exact=True).click()
        chat = panel.locator("#copilot-chat")
        chat.get_by_text("within the filter bar: tier pro").first.wait_for()
        figure = format_value(wh.scalar(PRO_GENERATIONS), "count")
        everyone = format_value(wh.scalar("SELECT count(*) FROM fact_generations"), "count")
        page.wait_for_function(
            "v => document.querySelector('#copilot-result').innerText.includes(v)", arg=figure
        )
        assert everyone not in panel.locator("#copilot-result").inner_text()
        assert "outside the filter bar" in panel.locator("#copilot-sql-note").inner_text()
        assert "the filter bar's scope" in panel.locator(".cm-content").first.inner_text()
        page.locator("#copilot-sql-note").evaluate("n => n.scrollIntoView({block: 'center'})")
        _doc_shot(page, "copilot-scope-sql-1280")
        panel.locator("#copilot-question textarea").fill("how many generations did free users make")
        panel.get_by_role("button", name="Ask", exact=True).click()
        chat.get_by_text("no row is both").first.wait_for()
        assert panel.locator("#copilot-approve").is_disabled()  # not saved with the bar's scope
        page.evaluate("window.scrollTo(0, 0)")  # the bar's chips and the chat's reading
        _doc_shot(page, "copilot-scope-1280")
        assert not errors, errors
    finally:
        context.close()
