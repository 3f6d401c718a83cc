"""The reader's path at every width, in a real Chromium: the rail (or the desktop sidebar) is visible and
moves one step each way at 320, 390, 768, 1024 and 1280 px in light and dark; progress agrees on the
article, the hub page, the home page and the end card, and Reset gives zero; axe-core finds no WCAG 2.2
AA violation (target size included) on the home, hub, article, tag, track and 404 pages (and an article
reached from a track) in both schemes; no page logs an error or fails a request; a late script shifts
nothing. Screenshots of article and hub at 390 and 1280 px, light and dark, are kept in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from browsing import launched_chromium
from test_browser import ARTIFACTS, NEURAL_PATH, _served_example

pytestmark = pytest.mark.browser

WIDTHS = [320, 390, 768, 1024, 1280]
DESKTOP = 1056  # 66em: the sidebar holds the path from here on, the rail below
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ARTICLE = "neural-networks/how-neural-networks-work/"  # step 3 of 6
PAGES = {
    "home": "",
    "hub": "neural-networks/",
    "article": ARTICLE,
    "tag": "tags/neural-networks/",
    "track": "tracks/start-here/",
    "arrival": "ai-in-production/what-is-model-inference/#track-shipping-an-llm-feature",
    "404": "404.html",
}


@pytest.fixture(scope="module")
def served_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example hub, served at http://127.0.0.1:PORT/ai-hub/ (see test_browser)."""
    with _served_example(tmp_path_factory.mktemp("reader")) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def tab_at(browser) -> Iterator[object]:
    """Opens a tab at a width and scheme; on leaving, no console error and no failed request on any page."""
    contexts: list[object] = []
    problems: list[str] = []

    def open_tab(width: int, scheme: str = "light") -> object:
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)  # type: ignore[attr-defined]
        contexts.append(context)
        tab = context.new_page()
        tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        tab.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
        tab.on("response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
        return tab

    yield open_tab
    for context in contexts:
        context.close()  # type: ignore[attr-defined]
    assert problems == []


def _box(tab, selector: str) -> dict[str, float]:
    return tab.locator(selector).first.bounding_box()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_path_is_in_reach_and_moves_one_step_each_way(served_hub: str, tab_at, width: int, scheme: str) -> None:
    tab = tab_at(width, scheme)
    tab.goto(served_hub + ARTICLE)
    assert tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    if width < DESKTOP:
        rail = tab.locator("nav.rail")
        assert rail.is_visible() and not tab.locator("nav.path-block").is_visible()
        assert "Step 3 of 6" in rail.inner_text()
        tab.mouse.wheel(0, 1500)  # reading: the rail stays at the top of the screen
        tab.wait_for_timeout(100)
        assert abs(_box(tab, "nav.rail")["y"]) <= 1
        for control in ("a.rail-prev", "a.rail-next", "nav.rail summary"):
            size = _box(tab, control)
            assert size["width"] >= 44 and size["height"] >= 44, control
        tab.locator("nav.rail summary").click()
        assert tab.locator("nav.rail ol.pathlist li").count() == 6
        assert tab.locator("nav.rail [aria-current=step]").inner_text() == NEURAL_PATH[2]
        tab.locator("nav.rail summary").click()
        tab.locator("a.rail-next").click()
        assert tab.locator("h1").inner_text() == NEURAL_PATH[3]
        tab.locator("a.rail-prev").click()
    else:
        block = tab.locator("nav.path-block")
        assert block.is_visible() and not tab.locator("nav.rail").is_visible()
        block.get_by_role("link", name=NEURAL_PATH[3]).click()
        assert tab.locator("h1").inner_text() == NEURAL_PATH[3]
        tab.locator("nav.path-block").get_by_role("link", name=NEURAL_PATH[2]).click()
    assert tab.locator("h1").inner_text() == NEURAL_PATH[2]
    clear = (  # the element's top is below the rail (or the rail is not shown)
        "id => { const r = document.querySelector('nav.rail').getBoundingClientRect();"
        " const e = document.getElementById(id).getBoundingClientRect();"
        " return r.height === 0 || (e.top >= r.bottom - 1 && e.top < innerHeight); }"
    )
    tab.locator("#hg-where-next").scroll_into_view_if_needed()  # lands clear of the rail
    tab.wait_for_function(clear, arg="hg-where-next", timeout=3000)
    tab.goto(served_hub)
    tab.goto(served_hub + ARTICLE + "#how-it-works")  # so does a link to a heading
    tab.wait_for_function(clear, arg="how-it-works", timeout=3000)
    if width in (390, 1280):
        ARTIFACTS.mkdir(exist_ok=True)
        for name, path in (("article", ARTICLE), ("hub", "neural-networks/")):
            tab.goto(served_hub + path)
            tab.screenshot(path=str(ARTIFACTS / f"reader-{name}-{width}-{scheme}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_progress_agrees_everywhere_and_reset_gives_zero(served_hub: str, tab_at, width: int) -> None:
    tab = tab_at(width)
    where = "nav.rail" if width < DESKTOP else "nav.path-block"
    for step in ("what-is-deep-learning", "what-is-fine-tuning", "how-neural-networks-work"):
        tab.goto(served_hub + f"neural-networks/{step}/")
    tab.locator("nav.rail summary").click() if width < DESKTOP else None
    assert tab.locator(f"{where} [data-progress-text]").inner_text() == "You have read 3 of 6"
    assert tab.locator(f"{where} li.is-read").count() == 3
    if width < DESKTOP:
        assert tab.locator("nav.rail .rail-where").inner_text() == "Step 3 of 6"
        assert tab.locator("nav.rail .rail-read").text_content() == " · 3 read"

    tab.goto(served_hub + "neural-networks/")
    assert tab.locator("#learning-path [data-progress-text]").inner_text() == "You have read 3 of 6"
    assert tab.locator("#learning-path li.step.is-read").count() == 3
    assert tab.locator("#learning-path li.step.is-next .step-title a").inner_text() == NEURAL_PATH[3]
    assert tab.locator("[data-progress-continue]").inner_text().strip() == f"· Continue: step 4 — {NEURAL_PATH[3]}"

    tab.goto(served_hub)
    card = tab.locator(".hub-card", has_text="Neural Networks and Deep Learning")
    assert card.locator("[data-progress-of]").inner_text() == " · 3 of 6 read"

    tab.goto(served_hub + "neural-networks/how-backpropagation-works/")  # the last step: 4 read now
    end = tab.locator(".path-end [data-progress-text]")
    assert end.inner_text() == "You have read 4 of 6"
    tab.locator(".path-end [data-progress-reset]").click()
    assert end.inner_text() == "You have read 0 of 6"

    tab.goto(served_hub + "neural-networks/")
    assert tab.locator("#learning-path [data-progress-text]").inner_text() == "You have read 0 of 6"
    assert tab.locator("#learning-path li.is-read").count() == 0
    tab.goto(served_hub)
    assert card.locator("[data-progress-of]").inner_text() == " · 0 of 6 read"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_22_aa_violation(served_hub: str, tab_at, name: str, width: int, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    tab = tab_at(width, scheme)
    tab.goto(served_hub + PAGES[name])
    assert tab.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    if name == "article" and width < DESKTOP:
        tab.locator("nav.rail summary").click()  # the open path list is checked too
    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:4]) for v in results.response["violations"]]
    assert violations == [], violations


SHIFTS = """window.hubgenShifts = 0;
new PerformanceObserver(list => { for (const e of list.getEntries()) window.hubgenShifts += e.value; })
  .observe({type: "layout-shift", buffered: true});"""


@pytest.mark.parametrize("name", ["home", "hub", "article", "track"])
def test_the_script_arriving_late_shifts_no_layout(served_hub: str, tab_at, name: str) -> None:
    """On a slow phone the page is painted before hubgen.js runs; what the script then shows (search box,
    theme switch, progress) has its place already, so nothing moves (Lighthouse's layout-shift score)."""
    tab = tab_at(390)

    def late(route) -> None:
        tab.wait_for_timeout(600)
        route.continue_()

    tab.route("**/_static/hubgen.*.js", late)
    tab.add_init_script(SHIFTS)
    tab.goto(served_hub + PAGES[name])
    tab.wait_for_function("document.querySelector('[data-search]') && !document.querySelector('[data-search]').hidden")
    tab.wait_for_timeout(300)
    assert tab.evaluate("window.hubgenShifts") < 0.01
