"""`hubgen serve` in a real Chromium: a saved edit reloads the page; a broken hub shows the error overlay."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hubgen.serve.server import DevServer

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTICLE = "content/neural-networks/how-neural-networks-work.md"
TIMEOUT_MS = 15_000


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Chromium is not installed: run the README's test command (it installs Debian's chromium)")
    return found


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[DevServer, Path]]:
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
def page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.set_default_timeout(TIMEOUT_MS)
        yield tab
        browser.close()


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
