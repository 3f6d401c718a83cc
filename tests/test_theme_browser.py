"""The theme's smaller promises in a real Chromium: the copy button on code blocks, code that scrolls rather
than clips, images for one colour scheme (GitHub's fragments and <picture>), the favicon, the theme switch
and the 404 numeral's contrast. The shipped example, and a small hub made for the cases it lacks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from browsing import launched_chromium, serving
from helpers import write_files
from hubgen import session
from test_browser import _served_example

pytestmark = pytest.mark.browser

NEURON = "neural-networks/how-neural-networks-work/"  # titled code with a highlighted line; a light/dark figure
APIS = "ai-in-production/how-llm-apis-work/"  # two long code blocks
CODE_PAGES = (NEURON, APIS, "neural-networks/how-gradient-descent-works/", "language-models/what-is-a-token/")
NEURON_CODE = "def neuron(inputs, weights, bias):\n    z = sum(x * w for x, w in zip(inputs, weights)) + bias"

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="{}"/></svg>'
SMALL_HUB = {
    "hubgen.yaml": "title: Small\nbase_url: https://example.org/small/\n",
    "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
    "content/hub/index.md": "---\ntitle: Hub\ntype: hub\n---\nHub.\n",
    "content/hub/light.svg": SVG.format("#fff"),
    "content/hub/dark.svg": SVG.format("#000"),
    "content/hub/page.md": """\
        ---
        title: Page
        ---
        ```python linenos
        first = 1
        second = 2
        ```

        <picture>
          <source media="(prefers-color-scheme: dark)" srcset="dark.svg">
          <img src="light.svg" alt="A slab in the reader's scheme" id="slab">
        </picture>

        ![Light only](light.svg#gh-light-mode-only)
        ![Dark only](dark.svg#gh-dark-mode-only)

        <p><img src="light.svg#gh-light-mode-only" alt="Raw light only">
        <img src="dark.svg#gh-dark-mode-only" alt="Raw dark only"></p>
        """,
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _served_example(tmp_path_factory.mktemp("theme")) as (url, _):
        yield url


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("small")
    project = write_files(root / "project", SMALL_HUB)
    result = session.build(project, output_dir=root / "www" / "small")
    assert result.check.errors == 0
    with serving(root / "www") as url:
        yield url + "small/"


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with launched_chromium() as launched:
        yield launched


@contextlib.contextmanager
def tab(chromium: object, width: int = 1280, scheme: str = "light", **options: object) -> Iterator[object]:
    """A page in a fresh context; every failed request and console error is a failure."""
    context = chromium.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, **options)  # type: ignore[attr-defined]
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    page.on("console", lambda message: failed.append(message.text) if message.type == "error" else None)
    try:
        yield page
    finally:
        context.close()
    assert failed == [], failed


# ------------------------------------------------------------------------------------------------ code copy


def test_the_copy_button_copies_the_code_and_says_copied(served: str, chromium) -> None:
    origin = served.split("/ai-hub/")[0]
    with tab(chromium) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page.goto(served + NEURON)
        blocks = page.locator("main .highlight")
        assert page.locator("main .highlight button.code-copy").count() == blocks.count() >= 1
        button = page.get_by_role("button", name="Copy code").first
        assert button.evaluate("b => b.tagName") == "BUTTON" and button.inner_text() == "Copy"
        box = button.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24
        button.click()
        status = page.locator("[role=status][data-copy-status]")
        page.wait_for_function("document.querySelector('[data-copy-status]').textContent === 'Copied'")
        assert status.get_attribute("aria-live") in (None, "polite")  # role=status is polite
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith(NEURON_CODE) and "neuron.py" not in copied and not copied.endswith("\n")


def test_the_copy_button_is_reached_with_tab_and_pressed_with_enter(served: str, chromium) -> None:
    origin = served.split("/ai-hub/")[0]
    with tab(chromium) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page.goto(served + APIS)
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('code-copy')"):
                break
        else:
            pytest.fail("Tab never reached a copy button")
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelector('[data-copy-status]').textContent === 'Copied'")
        assert page.evaluate("navigator.clipboard.readText()").startswith('{\n  "model": "example-model",')


def test_line_numbers_are_not_copied(small: str, chromium) -> None:
    origin = small.split("/small/")[0]
    with tab(chromium) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page.goto(small + "hub/page/")
        assert page.locator(".highlight .linenos").count() == 2
        page.get_by_role("button", name="Copy code").click()
        page.wait_for_function("document.querySelector('[data-copy-status]').textContent === 'Copied'")
        assert page.evaluate("navigator.clipboard.readText()") == "first = 1\nsecond = 2"


NO_CLIPBOARD = """
Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});
window.__copied = [];
document.execCommand = (command) => {
  window.__copied.push([command, document.activeElement.value]);
  return window.__copyWorks;
};
"""


@pytest.mark.parametrize("works", [True, False])
def test_without_the_clipboard_api_the_button_falls_back(served: str, chromium, works: bool) -> None:
    with tab(chromium) as page:
        page.add_init_script(NO_CLIPBOARD + f"window.__copyWorks = {'true' if works else 'false'};")
        page.goto(served + NEURON)
        assert page.evaluate("navigator.clipboard") is None
        button = page.get_by_role("button", name="Copy code").first
        button.click()
        command, text = page.evaluate("window.__copied[0]")
        assert command == "copy" and text.startswith(NEURON_CODE)
        said = "Copied" if works else "Code selected: copy it with Control+C or Command+C"
        page.wait_for_function(f"document.querySelector('[data-copy-status]').textContent === {said!r}")
        assert page.evaluate("document.activeElement.classList.contains('code-copy')")  # focus comes back
        if not works:  # the reader copies the selection; line numbers would not come with it
            assert page.evaluate("getSelection().toString()").startswith(NEURON_CODE)


def test_no_copy_button_without_javascript(served: str, chromium) -> None:
    with tab(chromium, java_script_enabled=False) as page:
        page.goto(served + NEURON)
        assert page.locator("main .highlight").count() >= 1
        assert page.locator("button.code-copy").count() == 0
        padding = page.evaluate("getComputedStyle(document.querySelector('.highlight pre')).paddingTop")
        assert padding == page.evaluate("getComputedStyle(document.querySelector('.highlight pre')).paddingBottom")


# ------------------------------------------------------------------------------------- code scrolls, unclipped

SCROLLS = """() => [...document.querySelectorAll('main .highlight pre')].map(pre => {
  pre.scrollLeft = pre.scrollWidth;
  const box = pre.getBoundingClientRect();
  const code = pre.querySelector('code');
  const text = document.createRange();
  text.selectNodeContents(code);
  const lines = [...code.querySelectorAll('.hll')].map(l => l.getBoundingClientRect().right);
  const style = getComputedStyle(pre);
  return {scrolls: pre.scrollWidth > pre.clientWidth, overflow: style.overflowX, right: box.right,
          inner: box.right - parseFloat(style.borderRightWidth), textRight: text.getBoundingClientRect().right,
          bands: lines, boxLeft: box.left};
})"""


@pytest.mark.parametrize("width", [320, 390, 768, 1024, 1100, 1280])
def test_code_blocks_scroll_inside_the_page_and_nothing_is_cut_off(served: str, chromium, width: int) -> None:
    with tab(chromium, width=width) as page:
        for path in CODE_PAGES:
            page.goto(served + path)
            assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
            for block in page.evaluate(SCROLLS):
                assert block["overflow"] in ("auto", "scroll"), (path, block)
                assert block["boxLeft"] >= 0 and block["right"] <= width, (path, width, block)
                # scrolled to its end, the longest line's last character is inside the box
                assert block["textRight"] <= block["inner"] + 0.5, (path, width, block)
                # a highlighted line is highlighted to the end of the longest line, not to the box's first width
                assert all(band >= block["textRight"] - 0.5 for band in block["bands"]), (path, width, block)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_long_example_blocks_do_scroll(served: str, chromium, width: int) -> None:
    with tab(chromium, width=width) as page:
        page.goto(served + APIS)
        blocks = page.evaluate(SCROLLS)
        assert blocks and all(block["scrolls"] for block in blocks), blocks


# ------------------------------------------------------------------------------ images for one colour scheme

VISIBLE = "sel => [...document.querySelectorAll(sel)].map(e => e.getBoundingClientRect().width > 0)"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_fragment_marked_images_show_in_their_scheme_and_follow_the_toggle(served: str, chromium, scheme: str) -> None:
    other = "dark" if scheme == "light" else "light"
    with tab(chromium, scheme=scheme) as page:
        page.goto(served + NEURON)
        figure = page.locator("main figure").first
        assert figure.locator("img").count() == 2 and figure.locator("figcaption").count() == 1

        def shown() -> list[str]:
            images = figure.locator("img")
            return [images.nth(i).get_attribute("class") for i in range(2) if images.nth(i).is_visible()]

        assert shown() == [f"gh-{scheme}-mode-only"]
        figure.locator(f"img.gh-{scheme}-mode-only").evaluate("img => img.decode()")
        page.locator("[data-theme-toggle]").click()
        assert shown() == [f"gh-{other}-mode-only"]
        page.reload()
        assert shown() == [f"gh-{other}-mode-only"]
        page.locator("[data-theme-toggle]").click()  # back to the system's scheme
        assert shown() == [f"gh-{scheme}-mode-only"]


def test_fragment_images_in_a_paragraph_and_a_picture_follow_scheme_and_toggle(small: str, chromium) -> None:
    for scheme in ("light", "dark"):
        other = "dark" if scheme == "light" else "light"
        with tab(chromium, scheme=scheme) as page:
            page.goto(small + "hub/page/")
            current = "document.getElementById('slab').currentSrc.split('/').pop().split('#')[0]"
            assert page.evaluate(current) == f"{scheme}.svg"
            for prefix in ("", "Raw "):  # Markdown images (a class) and raw HTML ones (their URL's end)
                assert page.get_by_role("img", name=f"{prefix}{scheme} only".capitalize(), exact=True).is_visible()
                assert not page.get_by_role("img", name=f"{prefix}{other} only".capitalize(), exact=True).is_visible()
            page.locator("[data-theme-toggle]").click()
            page.wait_for_function(f"{current} === '{other}.svg'")
            for prefix in ("", "Raw "):
                assert page.get_by_role("img", name=f"{prefix}{other} only".capitalize(), exact=True).is_visible()
                assert not page.get_by_role("img", name=f"{prefix}{scheme} only".capitalize(), exact=True).is_visible()
            page.reload()  # the choice is remembered, and the picture follows it on arrival
            page.wait_for_function(f"{current} === '{other}.svg'")
            page.locator("[data-theme-toggle]").click()
            page.wait_for_function(f"{current} === '{scheme}.svg'")
            own = page.evaluate("document.querySelector('picture source').dataset.hgMedia")
            assert own == "(prefers-color-scheme: dark)"  # the author's query, kept


def test_a_picture_source_is_rewritten_to_its_page_and_checked(small: str, chromium) -> None:
    with tab(chromium) as page:
        page.goto(small + "hub/page/")
        assert page.evaluate("document.querySelector('picture source').getAttribute('srcset')") == "../dark.svg"


# ---------------------------------------------------------------------------------------------------- favicon


def test_every_kind_of_page_has_its_icon_without_a_request(served: str, chromium) -> None:
    """The theme's icon is inline: no request for it, and none for /favicon.ico (a page names its icon)."""
    with tab(chromium) as page:
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url) if "favicon" in request.url else None)
        for path in ("", "neural-networks/", NEURON, "tags/", "404.html"):
            page.goto(served + path)
            href = page.evaluate("document.querySelector('link[rel=icon]').href")
            assert href.startswith("data:image/svg+xml,"), path
            size = page.evaluate(
                f"new Promise(r => {{ const i = new Image(); i.onload = () => r(i.width); i.src = {href!r}; }})"
            )
            assert size > 0, path
        page.wait_for_timeout(300)
        assert asked == []


def test_a_favicon_from_content_is_served(small: str, chromium, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("icon")
    project = write_files(root / "project", {**SMALL_HUB, "hubgen.yaml": "favicon: hub/dark.svg\n"})
    assert session.build(project, output_dir=root / "www").check.errors == 0
    with serving(root / "www") as url, tab(chromium) as page:
        page.goto(url + "hub/page/")
        href = page.evaluate("document.querySelector('link[rel=icon]').href")
        response = page.request.get(href)
        assert href == url + "hub/dark.svg" and response.ok
        assert response.headers["content-type"] == "image/svg+xml"


# --------------------------------------------------------------------------------------------- theme switch


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_theme_switch_says_what_it_is_and_whether_it_is_on(served: str, chromium, scheme: str) -> None:
    with tab(chromium, scheme=scheme) as page:
        page.goto(served + NEURON)
        switch = page.get_by_role("switch", name="Dark mode")
        assert switch.get_attribute("aria-checked") == ("true" if scheme == "dark" else "false")
        assert switch.locator(".theme-toggle-label").inner_text() == "Dark mode"
        switch.focus()
        page.keyboard.press("Space")
        assert switch.get_attribute("aria-checked") == ("false" if scheme == "dark" else "true")
        assert page.evaluate("document.documentElement.dataset.theme") == ("light" if scheme == "dark" else "dark")
        page.keyboard.press("Enter")
        assert switch.get_attribute("aria-checked") == ("true" if scheme == "dark" else "false")
        box = switch.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24


CONTRAST = """el => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const a = lum(rgb(getComputedStyle(el).color)), b = lum(rgb(getComputedStyle(document.body).backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_404_numeral_has_text_contrast(served: str, chromium, scheme: str) -> None:
    with tab(chromium, scheme=scheme) as page:
        page.goto(served + "404.html")
        assert page.locator(".notfound-code").evaluate(CONTRAST) >= 4.5
        page.locator("[data-theme-toggle]").click()  # and in the other scheme, chosen with the switch
        assert page.locator(".notfound-code").evaluate(CONTRAST) >= 4.5


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_after_copying_and_switching_scheme(served: str, chromium, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    with tab(chromium, scheme=scheme) as page:
        page.add_init_script(NO_CLIPBOARD + "window.__copyWorks = true;")
        page.goto(served + NEURON)
        page.get_by_role("button", name="Copy code").first.click()
        page.wait_for_function("document.querySelector('[data-copy-status]').textContent === 'Copied'")
        for _ in range(2):  # as the page first showed, then in the other scheme
            violations = Axe().run(page).response["violations"]
            assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == []
            page.get_by_role("switch", name="Dark mode").click()
