"""`hubgen serve` in a real Chromium: a saved edit reloads the page; a broken hub shows the error overlay;
search works as on the built site, says when its index is still being built, and finds an edit soon after."""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from browsing import launched_chromium
from hubgen.serve.searchindex import BUILDING
from hubgen.serve.server import DevServer

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
ARTICLE = "content/neural-networks/how-neural-networks-work.md"
TIMEOUT_MS = 15_000


@contextlib.contextmanager
def live_example(tmp_path: Path) -> Iterator[tuple[DevServer, Path]]:
    """The shipped example hub, copied and served live on a free loopback port."""
    project = tmp_path / "project"
    shutil.copytree(REPO / "content", project / "content")
    shutil.copy(REPO / "hubgen.yaml", project / "hubgen.yaml")
    server = DevServer(project, "127.0.0.1", 0)
    server.start()
    try:
        yield server, project
    finally:
        server.stop()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[DevServer, Path]]:
    with live_example(tmp_path) as live:
        yield live


@pytest.fixture
def page() -> Iterator[object]:
    with launched_chromium() as browser:
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.set_default_timeout(TIMEOUT_MS)
        yield tab


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_edit_reloads_the_page_with_the_new_text(served: tuple[DevServer, Path], page) -> None:
    server, project = served
    page.goto(server.url + "neural-networks/how-neural-networks-work/")
    page.wait_for_function("() => document.readyState === 'complete'")
    page.evaluate("() => window.scrollTo(0, 400)")
    _replace(project / ARTICLE, "A neural network is a function", "A neural network, freshly edited, is a function")
    page.get_by_text("A neural network, freshly edited, is a function").wait_for(timeout=TIMEOUT_MS)
    page.wait_for_function("() => window.scrollY > 300", timeout=TIMEOUT_MS)  # scroll position kept


def test_broken_hub_shows_the_overlay_until_fixed(served: tuple[DevServer, Path], page) -> None:
    server, project = served
    config = project / "hubgen.yaml"
    good = config.read_text(encoding="utf-8")
    page.goto(server.url)
    page.wait_for_function("() => document.readyState === 'complete'")
    config.write_text(good + "title: [unclosed\n", encoding="utf-8")
    overlay = page.locator("#hubgen-error-overlay")
    overlay.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert "hubgen.yaml" in overlay.inner_text()
    assert page.locator("h1").count() >= 1  # the last good page is still there
    page.reload()  # an already-broken hub shows the overlay on first load too
    overlay.wait_for(state="visible", timeout=TIMEOUT_MS)
    config.write_text(good, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=TIMEOUT_MS)


def test_overlay_text_is_escaped(served: tuple[DevServer, Path], page) -> None:
    server, project = served
    page.goto(server.url + "neural-networks/")
    page.wait_for_function("() => document.readyState === 'complete'")
    _replace(project / ARTICLE, "next: what-is-a-parameter", "next: <img src=x onerror=alert(1)>")
    overlay = page.locator("#hubgen-error-overlay")
    overlay.wait_for(state="visible", timeout=TIMEOUT_MS)
    assert "<img src=x" in overlay.inner_text()
    assert overlay.locator("img").count() == 0


# ------------------------------------------------------------------------------------------ search under serve


class Watched:
    """A page's console errors, uncaught exceptions and failed requests (every page names its icon inline, so
    no browser asks for /favicon.ico)."""

    def __init__(self, tab) -> None:
        self.problems: list[str] = []
        tab.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))
        tab.on("console", self._console)
        tab.on("requestfailed", self._failed)
        tab.on("response", lambda r: self.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text} {message.location}")

    def _failed(self, request) -> None:
        if not request.url.endswith("/__hubgen/events"):  # the live-reload stream, cut when a page goes
            self.problems.append(f"failed: {request.url} {request.failure}")


def _search(page, query: str) -> str:
    """Type `query` into the search box; the line that says how it went."""
    page.locator("#hg-search-input").fill(query)
    count = page.locator("#hg-search-count")
    page.wait_for_function(
        "q => { const t = document.querySelector('#hg-search-count').textContent; return t.includes(q) }",
        arg=f"\u201c{query}\u201d",
        timeout=TIMEOUT_MS,
    )
    return count.inner_text()


def _ready(server: DevServer) -> None:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not (server.search.idle() and server.search.file("hubgen-parts.json") != BUILDING):
        assert time.monotonic() < deadline, "no search index within the deadline"
        time.sleep(0.05)


def test_search_under_serve_finds_pages_answers_questions_and_walks_with_the_keyboard(
    served: tuple[DevServer, Path], page
) -> None:
    server, _ = served
    watched = Watched(page)
    _ready(server)
    page.goto(server.url + "foundations/")
    assert _search(page, "zzqqxx") == "No results for \u201czzqqxx\u201d"
    assert page.locator(".search-list li").count() == 0
    assert re.fullmatch(r"\d+ results for \u201ctoken\u201d(, 8 shown)?", _search(page, "token"))
    first = page.locator(".search-list li").first
    assert "What Is a Token?" in first.inner_text() and "Large Language Models" in first.inner_text()
    _search(page, "step function")
    hit = page.locator(".search-list a").first
    assert hit.get_attribute("href").endswith("how-neural-networks-work/#why-not-use-a-step-function-as-the-activation")
    assert "Why not use a step function as the activation?" in hit.inner_text()
    page.locator("#hg-search-input").press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == hit.get_attribute("href")
    page.keyboard.press("ArrowDown")
    second = page.locator(".search-list a").nth(1).get_attribute("href")
    assert page.evaluate("document.activeElement.getAttribute('href')") == second
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_url("**/how-neural-networks-work/#why-not-use-a-step-function-as-the-activation")
    assert page.evaluate("location.hash") == "#why-not-use-a-step-function-as-the-activation"
    assert watched.problems == []


def test_search_says_the_index_is_being_built_then_answers(
    tmp_path: Path, page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server answers at once; until the first index is made the search box says so, with no error
    anywhere, and searches again by itself as soon as the index is served."""
    from hubgen.serve import searchindex

    release = threading.Event()
    real = searchindex.index_site

    def slow(*args: object, **kwargs: object) -> None:
        release.wait(TIMEOUT_MS / 1000)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(searchindex, "index_site", slow)
    with live_example(tmp_path) as (server, project):
        try:
            watched = Watched(page)
            for path in ("", "neural-networks/", "neural-networks/how-neural-networks-work/", "tags/"):
                page.goto(server.url + path)
                page.wait_for_function("() => document.readyState === 'complete'")
            page.locator("#hg-search-input").fill("backpropagation")
            page.get_by_text("Search index is being built").wait_for(timeout=TIMEOUT_MS)
            assert server.search.file("hubgen-parts.json") == BUILDING
            release.set()
            page.locator(".search-list a", has_text="How Backpropagation Works").first.wait_for(timeout=TIMEOUT_MS)
            assert watched.problems == []
            assert not (project / "site").exists()  # the index lives in hubgen's cache, never in the output folder
        finally:
            release.set()


def test_an_edit_is_found_by_search_soon_after(served: tuple[DevServer, Path], page) -> None:
    server, project = served
    _ready(server)
    page.goto(server.url + "neural-networks/how-neural-networks-work/")
    assert _search(page, "quokkaword") == "No results for \u201cquokkaword\u201d"
    _replace(project / ARTICLE, "A neural network is a function", "A neural network, a quokkaword, is a function")
    started = time.monotonic()
    page.get_by_text("quokkaword, is a function").wait_for(timeout=TIMEOUT_MS)  # the page reloaded
    assert _search(page, "quokkaword") in (
        "No results for \u201cquokkaword\u201d",
        "1 result for \u201cquokkaword\u201d",
    )
    page.wait_for_function(  # the search runs again by itself once the new index is served
        "() => document.querySelector('#hg-search-count').textContent.startsWith('1 result')", timeout=TIMEOUT_MS
    )
    assert time.monotonic() - started < TIMEOUT_MS / 1000
    assert page.locator(".search-list a").first.inner_text().startswith("How Neural Networks Work")


def test_a_large_sites_index_in_parts_is_merged_under_serve_too(
    tmp_path: Path, page, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubgen.build import search

    monkeypatch.setattr(search, "PART_SIZE", 4)  # the example's 30 pages in 8 parts, as 8,000 pages would be
    with live_example(tmp_path) as (server, _):
        _ready(server)
        watched = Watched(page)
        assert len(page.request.get(server.url + "pagefind/hubgen-parts.json").json()["parts"]) >= 4
        page.goto(server.url)
        _search(page, "backpropagation")
        found = page.locator(".search-list a").evaluate_all("a => a.map(e => e.pathname)")
        marked = sorted(rel for rel, html in server.session.search_pages().items() if search.BODY_MARK in html)
        part_of = {rel: n for n, part in enumerate(search.split_pages(marked)) for rel in part}
        assert len({part_of[path.removeprefix(server.base) + "index.html"] for path in found}) >= 2, found
        assert f"{server.base}neural-networks/how-backpropagation-works/" in found
        assert watched.problems == []
