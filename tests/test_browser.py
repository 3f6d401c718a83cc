"""What a reader sees and clicks, in a real Chromium (Debian's `chromium`, driven by Playwright).

The shipped example hub is built into a temporary folder and served under the sub-path of its base_url
(/ai-hub/) by a real HTTP server on a loopback port, so relative links are proven where they matter.
Screenshots are kept in test-artifacts/ for people to look at.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hubgen import session
from hubgen.build import search

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NEURAL_PATH = [
    "What Is Deep Learning?",
    "What Is Fine-Tuning in AI?",
    "How Neural Networks Work",
    "What Is a Parameter in a Neural Network?",
    "How Gradient Descent Works",
    "How Backpropagation Works",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Chromium is not installed: run the README's test command (it installs Debian's chromium)")
    return found


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


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
    handler = functools.partial(_QuietHandler, directory=str(root / "www"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ai-hub/", site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


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
    hrefs = page.locator("main a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and not [h for h in hrefs if ".md" in h]
    with_fragment = [h for h in hrefs if "#" in h and not h.startswith(("#", "http"))]
    assert with_fragment, "the example links to a heading on another page"
    page.locator(f'main a[href="{with_fragment[0]}"]').first.click()
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
    found = [href.removeprefix(url) for href in results.evaluate_all("a => a.map(e => e.href)")]
    assert not [rel for rel in found if rel.startswith("tags/")], "only pages marked data-pagefind-body"
    marked = (p for p in site.rglob("*.html") if search.BODY_MARK in p.read_bytes())
    pages = sorted(p.relative_to(site).as_posix() for p in marked)
    monkeypatch.setattr(search, "PART_SIZE", 4)
    part_of = {rel: n for n, part in enumerate(search.split_pages(pages)) for rel in part}
    assert len({part_of[rel + "index.html"] for rel in found}) >= 2, found
    assert "neural-networks/how-backpropagation-works/" in found


def test_reading_progress_is_kept_on_the_path_and_can_be_reset(served_hub: str, page) -> None:
    base = served_hub + "language-models/"
    for slug in ("what-is-a-large-language-model", "what-is-a-token", "what-is-an-embedding"):
        page.goto(base + slug + "/")
    progress = page.locator(".path-block [data-progress-text]")
    assert progress.inner_text() == "You have read 3 of 7"
    assert page.locator("[data-path-steps] li.is-read").count() == 3
    page.locator(".path-block [data-progress-reset]").click()
    assert progress.inner_text() == "You have read 1 of 7"
    page.goto(base + "what-is-a-token/")
    assert page.locator(".path-block [data-progress-text]").inner_text() == "You have read 2 of 7"


def test_the_site_works_with_javascript_off(served_hub: str, browser) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.goto(served_hub + "neural-networks/how-neural-networks-work/")
    tab.locator("a[rel=next]").click()
    assert tab.locator("h1").inner_text() == "What Is a Parameter in a Neural Network?"
    assert tab.locator(".sidebar svg.pathmap").count() == 1
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
