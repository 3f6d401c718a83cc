"""Learning tracks in a real Chromium: arriving from a track shows that track's bar at the top of the
article and puts its entry (and its next step) before the hub path's "Read next", with JavaScript on or
off; arriving any other way leaves the hub path first and shows no bar.
Progress read on a page counts on its hub path and on every track it is on (hubgen.js's shared progress)."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_browser import browser, page, served_hub  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
INFERENCE = "ai-in-production/what-is-model-inference/"
SHIPPING = "track-shipping-an-llm-feature"


def top(tab, selector: str) -> float:
    """Where the element starts in the document (not the viewport: a page may still be scrolling to its
    fragment between two measurements)."""
    return float(tab.locator(selector).first.evaluate("e => e.getBoundingClientRect().top + window.scrollY"))


def test_arriving_from_a_track_puts_its_block_first(served_hub: str, page) -> None:  # noqa: F811
    page.goto(served_hub + "tracks/shipping-an-llm-feature/")
    assert page.locator("h1").inner_text() == "For Engineers Shipping an LLM Feature"
    page.locator("ol.track-steps a", has_text="What Is Model Inference?").click()
    page.wait_for_load_state()
    assert page.url == served_hub + INFERENCE + "#" + SHIPPING
    bar = f"#{SHIPPING}"
    # the targeted track leads: its bar above the article's text, its entry before the hub path's next step
    assert page.locator(bar).is_visible() and not page.locator("#track-start-here").is_visible()
    assert top(page, bar) < top(page, ".page-body > .prose")
    entry = "section.track-entry:has(a[href$='#track-shipping-an-llm-feature'])"
    assert top(page, entry) < top(page, ".where-next .next-card")
    assert top(page, ".where-next .next-card") < top(page, "section.track-entry:has(a[href$='#track-start-here'])")
    assert page.locator(f"{bar} .track-bar-where").inner_text().endswith("step 4 of 12")
    assert "How LLM APIs Work" in page.locator(f"{entry} a.track-next").inner_text()
    # following the track keeps leading with it
    page.locator(f"{bar} .track-bar-moves a", has_text="Next on this track").click()
    page.wait_for_load_state()
    assert page.url.endswith("ai-in-production/how-llm-apis-work/#" + SHIPPING)
    assert top(page, f"#{SHIPPING}") < top(page, ".page-body > .prose")
    # the canonical URL is the article's own
    assert page.locator('link[rel="canonical"]').get_attribute("href").endswith("/ai-in-production/how-llm-apis-work/")


def test_without_a_track_the_hub_path_leads_and_the_tracks_follow(served_hub: str, page) -> None:  # noqa: F811
    page.goto(served_hub + INFERENCE)
    assert not page.locator(".track-bar").first.is_visible()
    assert top(page, ".page-body > .prose") < top(page, ".where-next .next-card") < top(page, "section.track-entry")
    order = page.eval_on_selector_all(".track-bar", "els => els.map(e => e.id)")
    assert order == [SHIPPING, "track-start-here"]


def test_the_arrival_works_with_javascript_off(served_hub: str, browser) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(served_hub + INFERENCE + "#track-start-here")
        assert tab.locator("#track-start-here").is_visible() and not tab.locator(f"#{SHIPPING}").is_visible()
        assert top(tab, "#track-start-here") < top(tab, ".page-body > .prose")
        entry = "section.track-entry:has(a[href$='#track-start-here'])"
        assert top(tab, entry) < top(tab, ".where-next .next-card")
        assert tab.evaluate("window.scrollY") < 400, "lands near the top of the page, not deep in the article"
    finally:
        context.close()


def test_a_page_read_counts_on_its_hub_path_and_on_every_track(served_hub: str, page) -> None:  # noqa: F811
    page.goto(served_hub + INFERENCE)  # read: step 10 of the newcomers' track, 4 of the engineers'
    page.goto(served_hub + "tracks/start-here/")
    item = page.locator("ol.track-steps li", has_text="What Is Model Inference?")
    assert "is-read" in (item.get_attribute("class") or "")
    page.goto(served_hub + "tracks/shipping-an-llm-feature/")
    item = page.locator("ol.track-steps li", has_text="What Is Model Inference?")
    assert "is-read" in (item.get_attribute("class") or "")
    page.goto(served_hub + "ai-in-production/")
    item = page.locator("ol.steps li", has=page.locator(".step-title a", has_text="What Is Model Inference?"))
    assert "is-read" in (item.get_attribute("class") or "")
