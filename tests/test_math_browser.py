"""Formulas as a reader sees them: Chromium lays MathML out natively (no script, no network), in both colour
schemes, and the page that holds formulas, an alert, a figure and titled code stays free of axe violations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browsing import launched_chromium
from test_browser import _served_example

pytestmark = pytest.mark.browser

NEURON = "neural-networks/how-neural-networks-work/"
GRADIENT = "neural-networks/how-gradient-descent-works/"  # a diff block too


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _served_example(tmp_path_factory.mktemp("math")) as (url, _):
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with launched_chromium() as launched:
        yield launched


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_formulas_have_a_size_and_the_text_colour_in_both_schemes(served: str, chromium, scheme: str) -> None:
    context = chromium.new_context(color_scheme=scheme, java_script_enabled=False)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(served + NEURON)
    boxes = tab.locator("main math").evaluate_all(
        "all => all.map(m => [m.getAttribute('display'), m.getBoundingClientRect().width, "
        "m.getBoundingClientRect().height])"
    )
    assert len(boxes) >= 5
    assert all(width > 0 and height > 0 for _, width, height in boxes), boxes
    blocks = [(width, height) for display, width, height in boxes if display == "block"]
    inline_height = max(height for display, _, height in boxes if display == "inline")
    assert any(height > inline_height for _, height in blocks), "a fraction stands taller than a line of text"
    colours = tab.evaluate(
        """() => [getComputedStyle(document.querySelector('main math')).color,
                  getComputedStyle(document.querySelector('.prose p')).color,
                  getComputedStyle(document.body).backgroundColor]"""
    )
    assert colours[0] == colours[1] != colours[2]
    selected = tab.evaluate(
        """() => { const m = document.querySelector('main math[display=block]');
                   const range = document.createRange(); range.selectNodeContents(m);
                   getSelection().removeAllRanges(); getSelection().addRange(range);
                   return getSelection().toString(); }"""
    )
    assert "output" in selected
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", [NEURON, GRADIENT])
def test_axe_finds_nothing_on_the_pages_with_formulas(served: str, chromium, path: str, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = chromium.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(served + path)
    assert tab.locator("main math").count() >= 3 and tab.locator("main .markdown-alert").count() == 1
    assert tab.locator("main .highlight .filename").count() == 1 and tab.locator("main .highlight .hll").count()
    results = Axe().run(tab)
    context.close()
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
    assert violations == [], violations
