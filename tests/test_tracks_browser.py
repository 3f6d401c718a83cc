"""Learning tracks in a real Chromium: arriving from a track puts that track's block (and its "Read next")
at the top of the article, with JavaScript on or off; arriving any other way leaves the hub path first.
Progress read on a page counts on its hub path and on every track it is on (hubgen.js's shared progress)."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_browser import browser, chromium_path, page, served_hub  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
INFERENCE = "ai-in-production/what-is-model-inference/"
SHIPPING = "track-shipping-an-llm-feature"


def top(tab, selector: str) -> float:
    box = tab.locator(selector).first.bounding_box()
    assert box is not None, selector
    return float(box["y"])


def test_arriving_from_a_track_puts_its_block_first(served_hub: str, page) -> None:  # noqa: F811
    page.goto(served_hub + "tracks/shipping-an-llm-feature/")
    assert page.locator("h1").inner_text() == "For Engineers Shipping an LLM Feature"
    page.locator("ol.track-steps a", has_text="What Is Model Inference?").click()
    page.wait_for_load_state()
    assert page.url == served_hub + INFERENCE + "#" + SHIPPING
    block = f"#{SHIPPING}"
    # the targeted track leads: above the article's text and above the other track, whose block follows
    assert top(page, block) < top(page, ".prose") < top(page, ".pathnav")
    assert top(page, block) < top(page, ".pathnav") < top(page, "#track-start-here")  # the others stay put
    assert page.locator(f"{block} .track-step").inner_text() == "Step 4 of 12"
    assert "How LLM APIs Work" in page.locator(f"{block} .track-next").inner_text()
    # following the track keeps leading with it
    page.locator(f"{block} .track-next").click()
    page.wait_for_load_state()
    assert page.url.endswith("ai-in-production/how-llm-apis-work/#" + SHIPPING)
    assert top(page, f"#{SHIPPING}") < top(page, ".prose")
    # the canonical URL is the article's own
    assert page.locator('link[rel="canonical"]').get_attribute("href").endswith("/ai-in-production/how-llm-apis-work/")


def test_without_a_track_the_hub_path_leads_and_the_tracks_follow(served_hub: str, page) -> None:  # noqa: F811
    page.goto(served_hub + INFERENCE)
    assert top(page, ".prose") < top(page, ".pathnav") < top(page, ".tracknav")
    order = page.eval_on_selector_all(".tracknav .track-block", "els => els.map(e => e.id)")
    assert order == [SHIPPING, "track-start-here"]


def test_the_arrival_works_with_javascript_off(served_hub: str, browser) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(served_hub + INFERENCE + "#track-start-here")
        assert top(tab, "#track-start-here") < top(tab, ".prose")
        assert top(tab, "#track-start-here") < top(tab, f"#{SHIPPING}")
        assert tab.evaluate("window.scrollY") < 400, "lands near the top of the page, not deep in the article"
    finally:
        context.close()


def test_a_page_read_counts_on_its_hub_path_and_on_every_track(served_hub: str, page) -> None:  # noqa: F811
    script = (REPO / "templates/static/hubgen.js").read_text(encoding="utf-8")
    if "data-progress-list" not in script:
        pytest.skip("hubgen.js does not read the shared progress contract (data-progress-list) yet")
    page.goto(served_hub + INFERENCE)  # read: step 10 of the newcomers' track, 4 of the engineers'
    page.goto(served_hub + "tracks/start-here/")
    item = page.locator("ol.track-steps li", has_text="What Is Model Inference?")
    assert "is-read" in (item.get_attribute("class") or "")
    page.goto(served_hub + "tracks/shipping-an-llm-feature/")
    item = page.locator("ol.track-steps li", has_text="What Is Model Inference?")
    assert "is-read" in (item.get_attribute("class") or "")
    page.goto(served_hub + "ai-in-production/")
    item = page.locator("ol.steps li", has_text="What Is Model Inference?")
    assert "is-read" in (item.get_attribute("class") or "")
