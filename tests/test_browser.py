"""What a reader sees and clicks, in a real Chromium (Debian's `chromium`, driven by Playwright).

The shipped example hub is built into a temporary folder and served under the sub-path of its base_url
(/ai-hub/) by a real HTTP server on a loopback port, so relative links are proven where they matter.
Screenshots are kept in test-artifacts/ for people to look at.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from browsing import launched_chromium, serving
from hubgen import session
from hubgen.build import search

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
NEURAL_PATH = [
    "What Is Deep Learning?",
    "What Is Fine-Tuning in AI?",
    "How Neural Networks Work",
    "What Is a Parameter in a Neural Network?",
    "How Gradient Descent Works",
    "How Backpropagation Works",
]


@pytest.fixture(scope="module")
def served_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example hub built from a copy of the repo's content, served at http://127.0.0.1:PORT/ai-hub/."""
    with _served_example(tmp_path_factory.mktemp("browser")) as (url, _):
        yield url


@pytest.fixture(scope="module")
def served_parted_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The same, with its search index split into parts of at most four pages, as a large hub's is; and the
    site's folder."""
    with _served_example(tmp_path_factory.mktemp("parted"), part_size=4) as served:
        yield served


@contextlib.contextmanager
def _served_example(root: Path, part_size: int = search.PART_SIZE) -> Iterator[tuple[str, Path]]:
    project = root / "project"
    shutil.copytree(REPO / "content", project / "content")
    shutil.copy(REPO / "hubgen.yaml", project / "hubgen.yaml")
    site = root / "www" / "ai-hub"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "PART_SIZE", part_size)
        result = session.build(project, output_dir=site)
    assert result.check.errors == 0 and result.files > 0
    with serving(root / "www") as url:
        yield url + "ai-hub/", site


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    tab = context.new_page()
    failed: list[str] = []
    tab.on("requestfailed", lambda request: failed.append(request.url))
    tab.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    yield tab
    context.close()
    assert failed == [], f"requests failed: {failed}"


def test_walk_a_learning_path_by_clicking_read_next_then_back_with_the_keyboard(served_hub: str, page) -> None:
    page.goto(served_hub)
    page.get_by_role("link", name="Neural Networks and Deep Learning").first.click()
    assert page.locator("h1").inner_text().replace("\n", " ") == "Neural Networks and Deep Learning"
    page.locator("ol a", has_text=NEURAL_PATH[0]).first.click()
    seen = [page.locator("h1").inner_text()]
    while page.locator("a[rel=next]").count():
        page.locator("a[rel=next]").click()
        page.wait_for_load_state()
        seen.append(page.locator("h1").inner_text())
        assert page.url.startswith(served_hub)
    assert seen == NEURAL_PATH
    assert "Step 6 of 6" in page.locator("main").inner_text()
    for expected in reversed(NEURAL_PATH[:-1]):
        with page.expect_navigation():
            page.keyboard.press("ArrowLeft")
        assert page.locator("h1").inner_text() == expected
    assert not page.locator("a[rel=prev]").count()


def test_breadcrumb_leads_back_to_the_hub_and_home(served_hub: str, page) -> None:
    page.goto(served_hub + "neural-networks/how-neural-networks-work/")
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    assert crumbs.locator("li").all_inner_texts()[:2] == ["Home", "Neural Networks and Deep Learning"]
    crumbs.get_by_role("link", name="Neural Networks and Deep Learning").click()
    assert page.url == served_hub + "neural-networks/"
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Home").click()
    assert page.url == served_hub


def test_body_links_rewritten_from_md_files_reach_their_heading(served_hub: str, page) -> None:
    page.goto(served_hub + "ai-in-production/how-ai-monitoring-works/")
    hrefs = page.locator(".prose a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and not [h for h in hrefs if ".md" in h]
    with_fragment = [h for h in hrefs if "#" in h and not h.startswith(("#", "http"))]
    assert with_fragment, "the example links to a heading on another page"
    page.locator(f'.prose a[href="{with_fragment[0]}"]').first.click()
    fragment = page.url.split("#", 1)[1]
    assert page.locator(f"[id='{fragment}']").count() == 1


def test_dark_mode_toggle_is_remembered(served_hub: str, page) -> None:
    page.goto(served_hub + "neural-networks/")
    toggle = page.locator("[data-theme-toggle]")
    assert toggle.is_visible()
    light_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light_background


@pytest.mark.parametrize("width", [1280, 375, 320])
def test_screenshots_of_an_article_and_a_hub(served_hub: str, page, width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in (("article", "neural-networks/how-neural-networks-work/"), ("hub", "neural-networks/")):
        page.goto(served_hub + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width}px"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        assert (ARTIFACTS / f"{name}-{width}.png").stat().st_size > 10_000


def test_search_for_a_word_on_one_page_and_land_on_it(served_hub: str, page) -> None:
    page.goto(served_hub + "foundations/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "hg-search-input"
    page.keyboard.type("backpropagation")
    first = page.locator("#hg-search-results .search-list li").first
    first.wait_for(timeout=10_000)
    assert "Neural Networks and Deep Learning" in first.inner_text()
    assert first.locator("mark").count() >= 1
    page.locator("#hg-search-results a", has_text="How Backpropagation Works").first.click()
    assert page.url == served_hub + "neural-networks/how-backpropagation-works/"
    assert page.locator("h1").inner_text() == "How Backpropagation Works"


def test_search_finds_pages_in_several_parts_of_a_split_index(
    served_parted_hub: tuple[str, Path], page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large hub's index comes in parts that the browser merges: results come from several of them."""
    url, site = served_parted_hub
    listing = page.request.get(url + "pagefind/" + search.PARTS_FILE).json()["parts"]
    assert len(listing) >= 4
    page.goto(url + "foundations/")
    page.locator("#hg-search-input").fill("backpropagation")
    results = page.locator("#hg-search-results .search-list li a.search-title")
    results.first.wait_for(timeout=10_000)
    found = [href.removeprefix(url).split("#")[0] for href in results.evaluate_all("a => a.map(e => e.href)")]
    assert not [rel for rel in found if rel.startswith("tags/")], "only pages marked data-pagefind-body"
    marked = (p for p in site.rglob("*.html") if search.BODY_MARK in p.read_bytes())
    pages = sorted(p.relative_to(site).as_posix() for p in marked)
    monkeypatch.setattr(search, "PART_SIZE", 4)
    part_of = {rel: n for n, part in enumerate(search.split_pages(pages)) for rel in part}
    assert len({part_of[rel + "index.html"] for rel in found}) >= 2, found
    assert "neural-networks/how-backpropagation-works/" in found


def _search(page, query: str) -> str:
    """Type `query` into the search box; the line saying how many results there are."""
    page.locator("#hg-search-input").fill(query)
    page.wait_for_function(
        "q => document.querySelector('#hg-search-count').textContent.includes(q)", arg=f"\u201c{query}\u201d"
    )
    return page.locator("#hg-search-count").inner_text()


def test_search_indexes_the_article_not_its_meta_line_cards_or_path_nav(served_hub: str, page) -> None:
    page.goto(served_hub + "neural-networks/how-neural-networks-work/")
    indexed = page.evaluate(
        "[...document.querySelectorAll('[data-pagefind-body]')].map(e => e.tagName + '.' + e.className)"
    )
    assert indexed == ["H1.", "P.lead", "DIV.prose"]
    outside = ".page-meta, .breadcrumb, .sidebar, .pathnav, .cards, .page-section, .site-footer, .site-header"
    assert page.evaluate(f"[...document.querySelectorAll('{outside}')].every(e => !e.closest('[data-pagefind-body]'))")
    assert _search(page, '"on the path"') == 'No results for \u201c"on the path"\u201d'  # "Step 3 of 6 on the path"


def test_search_says_how_many_results_and_which_hub(served_hub: str, page) -> None:
    page.goto(served_hub)
    count = re.fullmatch(r"(\d+) results for \u201ctokenizer\u201d(, 8 shown)?", _search(page, "tokenizer"))
    assert count is not None and int(count[1]) > 8  # "tokenizer" is stemmed: pages about tokens too
    assert page.locator(".search-list li").count() == 8
    first = page.locator(".search-list li").first
    assert first.locator(".search-title").inner_text() == "What Is a Token?"
    assert first.locator(".search-hub").inner_text() == "Large Language Models"


def test_a_word_that_appears_nowhere_has_no_results(served_hub: str, page) -> None:
    page.goto(served_hub)
    for word in ("zzqqxx", "thezzq", "backpropzz"):  # Pagefind alone finds "z", "the", "backpropag" in them
        assert _search(page, word) == f"No results for \u201c{word}\u201d"
        assert page.locator(".search-list li").count() == 0
    assert re.fullmatch(r"\d+ results for \u201cbackprop\u201d", _search(page, "backprop"))
    hrefs = page.locator(".search-list a").evaluate_all("a => a.map(e => e.getAttribute('href'))")
    assert any(href.endswith("/ai-hub/neural-networks/") for href in hrefs), (
        "hub pages are searchable"
    )  # a word half typed
    assert _search(page, "backpropagation overfitting") != "No results for \u201cbackpropagation overfitting\u201d"


def test_a_hit_in_common_questions_lands_on_the_question(served_hub: str, page) -> None:
    page.goto(served_hub)
    _search(page, "step function")
    hit = page.locator(".search-list a").first
    assert hit.get_attribute("href").endswith(
        "/how-neural-networks-work/#why-not-use-a-step-function-as-the-activation"
    )
    assert hit.locator(".search-section").inner_text() == "Why not use a step function as the activation?"
    hit.click()
    page.wait_for_url("**/how-neural-networks-work/#why-not-use-a-step-function-as-the-activation")
    heading = page.locator("#why-not-use-a-step-function-as-the-activation")
    assert heading.evaluate("e => e.tagName") == "H3" and heading.is_visible()
    page.wait_for_function(  # scrolled to the question
        "() => document.getElementById('why-not-use-a-step-function-as-the-activation')"
        ".getBoundingClientRect().top < 300"
    )


def test_arrow_keys_walk_the_results_and_enter_opens_one(served_hub: str, page) -> None:
    page.goto(served_hub + "foundations/")
    page.keyboard.press("/")
    page.keyboard.type("gradient")
    page.locator(".search-list a").nth(2).wait_for()
    links = page.locator(".search-list a").evaluate_all("a => a.map(e => e.getAttribute('href'))")
    focused = "document.activeElement.getAttribute('href')"
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == links[0]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == links[2]
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focused) == links[1]
    page.keyboard.press("ArrowLeft")  # not the learning path's "previous page" while in the results
    assert page.url == served_hub + "foundations/"
    page.keyboard.press("Escape")
    assert page.locator("#hg-search-results").is_hidden()
    assert page.evaluate("document.activeElement.id") == "hg-search-input"
    page.wait_for_timeout(500)
    assert page.locator("#hg-search-results").is_hidden(), "closed results stay closed"
    page.keyboard.press("ArrowDown")  # the results come back; walk to the second
    page.locator(".search-list a").nth(2).wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(served_hub + links[1].removeprefix("/ai-hub/"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_core_finds_no_violations_in_open_search_results(served_hub: str, browser, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(served_hub + "neural-networks/")
    _search(tab, "step function")
    tab.locator("#hg-search-input").press("ArrowDown")
    results = Axe().run(tab)
    _search(tab, "zzqqxx")
    empty = Axe().run(tab)
    context.close()
    for found in (results, empty):
        violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found.response["violations"]]
        assert violations == [], violations


def test_the_slash_hint_shows_only_where_there_is_a_keyboard(served_hub: str, browser) -> None:
    for touch, shown in ((True, False), (False, True)):
        context = browser.new_context(is_mobile=touch, has_touch=touch, viewport={"width": 390, "height": 800})  # type: ignore[attr-defined]
        tab = context.new_page()
        tab.goto(served_hub)
        assert tab.locator(".search-key").is_visible() == shown
        assert tab.locator("#hg-search-input").get_attribute("placeholder") == "Search pages"
        context.close()


def test_reading_progress_is_kept_on_the_path_and_can_be_reset(served_hub: str, page) -> None:
    base = served_hub + "language-models/"
    for slug in ("what-is-a-large-language-model", "what-is-a-token", "what-is-an-embedding"):
        page.goto(base + slug + "/")
    progress = page.locator(".path-block [data-progress-text]")
    assert progress.inner_text() == "You have read 3 of 7"
    assert page.locator(".path-block [data-progress-list] li.is-read").count() == 3
    page.locator(".path-block [data-progress-reset]").click()
    assert progress.inner_text() == "You have read 0 of 7"  # Reset means zero
    assert page.locator(".path-block [data-progress-list] li.is-read").count() == 0
    page.goto(base + "what-is-a-token/")
    assert page.locator(".path-block [data-progress-text]").inner_text() == "You have read 1 of 7"


def test_the_site_works_with_javascript_off(served_hub: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(served_hub + "neural-networks/how-neural-networks-work/")
    tab.locator("a[rel=next]").click()
    assert tab.locator("h1").inner_text() == "What Is a Parameter in a Neural Network?"
    assert tab.locator(".path-block ol.pathlist li").count() == 6
    assert tab.locator("nav.rail details").count() == 1  # under the desktop width, the path opens without script
    assert not tab.locator("[data-search]").is_visible()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["", "neural-networks/", "neural-networks/how-neural-networks-work/"])
def test_axe_core_finds_no_accessibility_violations(served_hub: str, browser, path: str, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(served_hub + path)
    assert tab.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    results = Axe().run(tab)
    context.close()
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
    assert violations == [], violations
