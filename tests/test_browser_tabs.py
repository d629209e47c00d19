"""The top tabs on a slow server, in a real Chromium: the page's load answer is held back (as on a
busy machine) while the page mounts and the user clicks, and the tab shown, the tab the views are
drawn for and the link must still agree. Skips without a browser, like tests/test_browser.py.

Two failures this guards against: the answers of two tab selects arriving in the other order, so
the Explorer showed while its views were never drawn and the link said "?tab=overview" (CI, stop
40: the tab's id was set by a round trip per select); and a link's "?tab=analytics" overwritten by
the first tab's own select, sent as the page mounts, before the load request read it (what writing
the tab's id in the page at once does unless the URL waits for the load's answer)."""

from __future__ import annotations

import time

import pytest

from tests.test_browser import TIMEOUT_MS, app_url, browser  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow

HELD_S = 3.0  # how long the first queue requests (the load events) are held back


def _slow_page(browser, url: str):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    held = {"n": 0}

    def hold(route):
        if held["n"] < 4:  # the page's load events, sent as it opens
            held["n"] += 1
            time.sleep(HELD_S)
        route.continue_()

    page.route("**/gradio_api/queue/join*", hold)
    page.goto(url, wait_until="load")
    return context, page, errors, held


def _shown_tab(page) -> str:
    return page.locator("[role=tab][aria-selected=true]").first.inner_text().strip()


def test_a_links_tab_survives_a_slow_load(browser, app_url):  # noqa: F811
    _, url = app_url
    context, page, errors, held = _slow_page(browser, url + "?tab=analytics")
    page.get_by_role("button", name="Apply filters").wait_for(state="visible")  # the bar shows there
    assert held["n"] >= 1  # the load was held back
    assert _shown_tab(page) == "Analytics"
    page.wait_for_function("() => window.location.search.includes('tab=analytics')")
    page.wait_for_timeout(1000)  # nothing later switches it back
    assert "tab=analytics" in page.url and _shown_tab(page) == "Analytics"
    context.close()
    assert not errors, errors


def test_a_tab_clicked_before_an_earlier_answer_arrives_keeps_its_views(browser, app_url):  # noqa: F811
    """The first answer the page waits for (the first tab's own select, when it was a round trip) is
    held until after a click on the Explorer: the page must still show, draw and link the Explorer."""
    _, url = app_url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    held: list = []
    page.route(
        "**/gradio_api/run/predict*", lambda route: held.append(route) if not held else route.continue_()
    )
    page.goto(url, wait_until="load")
    page.get_by_role("tab", name="Session Explorer").click()
    page.wait_for_timeout(1500)
    assert held, "no answer was held back"
    held[0].continue_()  # the earlier answer arrives last
    page.wait_for_timeout(1500)
    assert "tab=explorer" in page.url and _shown_tab(page) == "Session Explorer"
    assert page.get_by_role("button", name="Apply filters").is_visible()  # the bar of the Explorer
    # the Explorer's own views are drawn: the near-duplicate groups, the largest first (the CI symptom)
    page.locator("[role=tabpanel]:visible").get_by_role("tab", name="Near-duplicates").click()
    page.wait_for_function("() => document.querySelector('#ex-duplicates .ex-dup b')?.textContent === '#1'")
    context.close()
    assert not errors, errors
