"""hubgen build: real hubs from files -> the HTML a reader gets."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from helpers import Element, build_site, parse_html, read_html
from hubgen import session
from hubgen.build.write import MARKER

REPO = Path(__file__).resolve().parents[1]

# A hub whose learning path (zeta -> alpha -> mid) is not in alphabetical order. zeta declares only
# `next: alpha`; alpha declares `next: mid`; mid declares `prev: alpha` (both sides of one edge).
HUB: dict[str, str | bytes] = {
    "hubgen.yaml": """
        title: Test Hub
        description: A hub for tests.
        search: false  # Pagefind runs in a subprocess: on only where a test is about the whole output
    """,
    "content/index.md": """
        ---
        title: Welcome Home
        summary: The home page.
        ---
        Start with [the nets](nn/index.md) or [the basics](basics/index.md).

        ## Start here
    """,
    "content/nn/index.md": """
        ---
        type: hub
        title: Neural Nets
        summary: All about nets.
        ---
        Begin with [Zeta](zeta.md).
    """,
    "content/nn/zeta.md": """
        ---
        title: Zeta Comes First
        summary: Zeta summary.
        next: alpha
        ---
        Zeta body.
    """,
    "content/nn/alpha.md": """
        ---
        title: Alpha Is Second
        summary: Alpha summary.
        next: mid
        related: [extra, basics/intro]
        tags: [Deep Learning, Maths]
        ---
        Alpha body, see [the hub](index.md).

        ## First Section

        Some text.

        ### A Detail

        ## Second Section
    """,
    "content/nn/mid.md": """
        ---
        title: Mid Is Third
        summary: Mid summary.
        prev: alpha
        ---
        Mid body links back to [alpha](alpha.md#first-section).
    """,
    "content/nn/extra.md": """
        ---
        title: An Extra Page
        summary: Extra summary.
        ---
        Extra body, not on the path.
    """,
    "content/basics/index.md": """
        ---
        type: hub
        title: Basics Hub
        summary: The basics.
        ---
        Basics body.
    """,
    "content/basics/intro.md": """
        ---
        title: Intro to Basics
        summary: Intro summary.
        tags: [Maths]
        ---
        Intro body, read [Alpha](../nn/alpha.md).

        ## Some heading
    """,
}


@pytest.fixture
def hub(make_hub) -> Path:
    return make_hub(HUB)


@pytest.fixture
def site(hub) -> Path:
    return build_site(hub)


def main(page: Element) -> Element:
    return page.one("main")


def links_in(page: Element) -> list[tuple[str, str]]:
    """(href, text) of every <a href> in the page."""
    return [(a["href"], a.text) for a in page.select("a[href]")]


def urls_in(page: Element) -> list[str]:
    """Every href and src value in the page."""
    return [e[attr] for e in page.iter() for attr in ("href", "src") if e.get(attr) is not None]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------------------ article page


def test_article_title_and_breadcrumb(site):
    page = read_html(site, "nn/alpha/index.html")
    assert [h.text for h in page.select("h1")] == ["Alpha Is Second"]
    assert page.one("head title").text == "Alpha Is Second · Test Hub"
    crumbs = page.one("nav.breadcrumb")
    assert links_in(crumbs) == [("../../", "Home"), ("../", "Neural Nets")]
    current = crumbs.one("[aria-current]")
    assert current["aria-current"] == "page"
    assert current.text == "Alpha Is Second"
    assert page.one("p.lead").text == "Alpha summary."
    assert page.one('meta[name="description"]')["content"] == "Alpha summary."


def test_article_read_before_and_next(site):
    page = read_html(site, "nn/alpha/index.html")
    prev = page.one(".prev-link a")
    assert prev["href"] == "../zeta/"
    assert prev["rel"] == "prev"
    assert prev.text == "← Read before · step 1: Zeta Comes First"
    nxt = page.one("a.next-card")
    assert nxt["href"] == "../mid/"
    assert "Read next" in nxt.text
    assert nxt.one(".next-title").text == "Mid Is Third"
    head = page.one("head")
    assert head.one('link[rel="prev"]')["href"] == "../zeta/"
    assert head.one('link[rel="next"]')["href"] == "../mid/"


def test_declaring_only_next_gives_the_other_page_its_read_before(site):
    # zeta says `next: alpha`; alpha says nothing about zeta.
    zeta = read_html(site, "nn/zeta/index.html")
    assert zeta.select(".prev-link a") == []
    assert zeta.select('link[rel="prev"]') == []
    assert zeta.one("a.next-card")["href"] == "../alpha/"
    alpha = read_html(site, "nn/alpha/index.html")
    assert alpha.one(".prev-link a").text.endswith("Zeta Comes First")


def test_declaring_only_prev_gives_the_other_page_its_read_next(make_hub):
    files = {
        **HUB,
        "content/nn/zeta.md": "---\ntitle: Zeta Comes First\n---\nZeta.\n",
        "content/nn/alpha.md": "---\ntitle: Alpha Is Second\nprev: zeta\n---\nAlpha.\n",
        "content/nn/mid.md": "---\ntitle: Mid Is Third\n---\nMid [a](alpha.md).\n",
    }
    site = build_site(make_hub(files))
    zeta = read_html(site, "nn/zeta/index.html")
    assert zeta.one("a.next-card")["href"] == "../alpha/"
    assert zeta.one("a.next-card .next-title").text == "Alpha Is Second"
    assert zeta.one('link[rel="next"]')["href"] == "../alpha/"


def test_last_step_points_back_to_the_hub(site):
    page = read_html(site, "nn/mid/index.html")
    assert page.one(".prev-link a")["href"] == "../alpha/"
    end = page.one(".path-end-back a")
    assert end["href"] == "../"
    assert "Back to Neural Nets" in end.text
    assert page.select('link[rel="next"]') == []


def test_article_position_on_the_path(site):
    page = read_html(site, "nn/alpha/index.html")
    assert "Step 2 of 3 on the path" in page.one("p.page-meta").text
    block = page.one("nav.path-block")
    assert block.one(".path-block-meta").text == "Neural Nets · step 2 of 3"
    steps = block.select("ol.pathlist li")
    assert [s.text for s in steps] == ["Zeta Comes First", "Alpha Is Second", "Mid Is Third"]
    assert steps[1].has_class("is-current")
    assert steps[1].one("[aria-current]")["aria-current"] == "step"
    assert steps[1].select("a") == []
    assert [a["href"] for a in block.select("ol.pathlist a")] == ["../zeta/", "../mid/"]


def test_related_cards_with_summaries_and_hub(site):
    page = read_html(site, "nn/alpha/index.html")
    cards = page.one("section.where-next").select("li.card")
    assert [(c.one(".card-title a")["href"], c.one(".card-title").text) for c in cards] == [
        ("../extra/", "An Extra Page"),
        ("../../basics/intro/", "Intro to Basics"),
    ]
    assert [c.one(".card-summary").text for c in cards] == ["Extra summary.", "Intro summary."]
    assert [c.one(".card-meta").text for c in cards] == ["Neural Nets", "Basics Hub"]


def test_mentions_list_pages_that_link_here_but_are_not_shown_above(site):
    page = read_html(site, "nn/alpha/index.html")
    # Intro and Mid link here, but Intro is a related page and Mid the next step, each shown once above
    assert page.select("ul.mentions") == []
    extra = read_html(site, "nn/extra/index.html")
    assert links_in(extra.one("section.where-next ul.mentions")) == [("../alpha/", "Alpha Is Second")]


def test_tags_link_to_tag_pages(site):
    page = read_html(site, "nn/alpha/index.html")
    chips = page.one('section[aria-labelledby="hg-tags"]').select("a.chip")
    assert [(a["href"], a.text, a["rel"]) for a in chips] == [
        ("../../tags/deep-learning/", "Deep Learning", "tag"),
        ("../../tags/maths/", "Maths", "tag"),
    ]
    maths = read_html(site, "tags/maths/index.html")
    assert maths.one("h1").text == "Tagged “Maths”"
    assert [(a["href"], a.text) for a in maths.select("li.card .card-title a")] == [
        ("../../nn/alpha/", "Alpha Is Second"),
        ("../../basics/intro/", "Intro to Basics"),
    ]
    index = read_html(site, "tags/index.html")
    assert [(a["href"], a.text) for a in index.select("a.chip")] == [
        ("deep-learning/", "Deep Learning 1 page"),
        ("maths/", "Maths 2 pages"),
    ]


def test_on_page_table_of_contents(site):
    page = read_html(site, "nn/alpha/index.html")
    toc = page.one("nav.toc-block ol.toc")
    assert links_in(toc) == [
        ("#first-section", "First Section"),
        ("#a-detail", "A Detail"),
        ("#second-section", "Second Section"),
    ]
    assert toc.one('a[href="#a-detail"]').parent.parent.parent.tag == "li"  # h3 nests under its h2
    body = page.one(".prose")
    assert [(h.tag, h["id"]) for h in body.select("h2") + body.select("h3")] == [
        ("h2", "first-section"),
        ("h2", "second-section"),
        ("h3", "a-detail"),
    ]


def test_page_without_headings_has_no_toc(site):
    page = read_html(site, "nn/zeta/index.html")
    assert page.select("ol.toc") == []


# ------------------------------------------------------------------------------------------ hub and home


def test_hub_page_shows_learning_path_in_order_and_other_pages(site):
    page = read_html(site, "nn/index.html")
    assert page.one("h1").text == "Neural Nets"
    path = page.one("#learning-path")
    assert path.one("h2").text == "Learning path"
    assert path.one(".section-intro").text == "3 steps, best read in order."
    assert [(a["href"], a.text) for a in path.select("ol.steps li.step .step-title a")] == [
        ("zeta/", "Zeta Comes First"),
        ("alpha/", "Alpha Is Second"),
        ("mid/", "Mid Is Third"),
    ]
    assert [p.text for p in path.select(".step-summary")] == ["Zeta summary.", "Alpha summary.", "Mid summary."]
    others = page.one('section[aria-labelledby="hg-others"]')
    assert [(a["href"], a.text) for a in others.select(".card-title a")] == [("extra/", "An Extra Page")]
    crumbs = page.one("nav.breadcrumb")
    assert links_in(crumbs) == [("../", "Home")]
    assert crumbs.one("[aria-current]").text == "Neural Nets"


def test_hub_with_two_paths_shows_both(make_hub):
    files = {
        **HUB,
        "content/nn/extra.md": "---\ntitle: An Extra Page\nnext: other\n---\nExtra.\n",
        "content/nn/other.md": "---\ntitle: Other Page\n---\nOther.\n",
    }
    site = build_site(make_hub(files))
    page = read_html(site, "nn/index.html")
    assert page.one("#learning-path h2").text == "Learning paths"
    # paths are listed by the id of their first page: extra < zeta
    assert [h.text for h in page.select("h3.path-heading")] == [
        "Path 1: An Extra Page · 2 steps",
        "Path 2: Zeta Comes First · 3 steps",
    ]
    lists = page.select("#learning-path ol.steps")
    assert [[a["href"] for a in ol.select(".step-title a")] for ol in lists] == [
        ["extra/", "other/"],
        ["zeta/", "alpha/", "mid/"],
    ]
    assert page.select('section[aria-labelledby="hg-others"]') == []


def test_home_page_lists_hubs(site):
    page = read_html(site, "index.html")
    assert page.one("h1").text == "Welcome Home"
    assert page.one("head title").text == "Test Hub"
    assert page.select("nav.breadcrumb") == []
    cards = page.one('section[aria-labelledby="hg-hubs"]').select("li.hub-card")
    # not on a path of hubs: sorted by title
    assert [(c.one(".card-title a")["href"], c.one(".card-title").text) for c in cards] == [
        ("basics/", "Basics Hub"),
        ("nn/", "Neural Nets"),
    ]
    assert [c.one(".card-summary").text for c in cards] == ["The basics.", "All about nets."]
    assert [c.one(".card-count").text for c in cards] == ["1 article", "4 articles · 3 steps on its path"]
    assert page.one(".site-title")["aria-current"] == "page"


def test_nested_hubs_and_a_path_across_folders(make_hub):
    files = {
        "hubgen.yaml": "search: false\n",
        "content/index.md": "---\ntitle: Home\n---\n[outer](outer/index.md)\n",
        "content/outer/index.md": "---\ntype: hub\ntitle: Outer\n---\n[inner](inner/index.md)\n",
        "content/outer/inner/index.md": "---\ntype: hub\ntitle: Inner\n---\nInner.\n",
        "content/outer/inner/deep.md": "---\ntitle: Deep\nnext: far\n---\nDeep.\n",
        "content/elsewhere/far.md": "---\ntitle: Far\nhub: outer/inner\n---\nFar.\n",
    }
    site = build_site(make_hub(files))
    deep = read_html(site, "outer/inner/deep/index.html")
    assert links_in(deep.one("nav.breadcrumb")) == [("../../../", "Home"), ("../../", "Outer"), ("../", "Inner")]
    assert deep.one("a.next-card")["href"] == "../../../elsewhere/far/"
    far = read_html(site, "elsewhere/far/index.html")
    assert far.one(".prev-link a")["href"] == "../../outer/inner/deep/"
    assert links_in(far.one("nav.breadcrumb")) == [
        ("../../", "Home"),
        ("../../outer/", "Outer"),
        ("../../outer/inner/", "Inner"),
    ]
    assert far.one(".path-end-back a")["href"] == "../../outer/inner/"
    inner = read_html(site, "outer/inner/index.html")
    assert [a["href"] for a in inner.select("#learning-path .step-title a")] == ["deep/", "../../elsewhere/far/"]
    home = read_html(site, "index.html")
    assert [a.text for a in home.select("li.hub-card .card-title a")] == ["Outer"]  # top-level hubs only


# ------------------------------------------------------------------------------------------ heading ids

HEADINGS = """
    ---
    title: Headings
    hub: nn
    ---
    Text.

    ## Fünf süße Äpfel

    ## Hello, World! (really?)

    ## Repeat

    ## Repeat

    ## Repeat

    ## Use `foo()` now

    ### C++ & C# -- compared

    ## 日本語のタイトル
"""


def test_heading_ids_are_github_slugs(make_hub):
    site = build_site(make_hub({**HUB, "content/nn/headings.md": HEADINGS}))
    page = read_html(site, "nn/headings/index.html")
    body = page.one(".prose")
    headings = [(h.text, h["id"]) for h in body.iter() if h.tag in ("h2", "h3")]
    assert headings == [
        ("Fünf süße Äpfel", "fünf-süße-äpfel"),
        ("Hello, World! (really?)", "hello-world-really"),
        ("Repeat", "repeat"),
        ("Repeat", "repeat-1"),
        ("Repeat", "repeat-2"),
        ("Use foo() now", "use-foo-now"),
        ("C++ & C# -- compared", "c--c----compared"),
        ("日本語のタイトル", "日本語のタイトル"),
    ]
    assert body.one("h2#use-foo-now code").text == "foo()"
    toc_targets = [a["href"] for a in page.select("ol.toc a")]
    assert toc_targets == ["#" + heading_id for _, heading_id in headings]


def test_links_to_headings_use_the_canonical_id(make_hub):
    linker = """
        ---
        title: Linker
        hub: nn
        ---
        [apples](headings.md#Fünf-Süße-Äpfel) [second repeat](headings.md#Repeat-1)
        [own](#Own-Heading)

        ## Own Heading
    """
    site = build_site(make_hub({**HUB, "content/nn/headings.md": HEADINGS, "content/nn/linker.md": linker}))
    page = read_html(site, "nn/linker/index.html")
    hrefs = [a["href"] for a in page.one(".prose").select("a")]
    assert [unquote(h) for h in hrefs] == ["../headings/#fünf-süße-äpfel", "../headings/#repeat-1", "#own-heading"]


# ------------------------------------------------------------------------------------------ link rewriting

LINKS = """
    ---
    title: Links
    hub: nn
    ---
    [a heading](../basics/intro.md#Some-Heading)
    [the hub](index.md)
    [home](../index.md)
    [home section](../index.md#Start-Here)
    [query](alpha.md?view=full#First-Section)
    [absolute](/nn/mid/)
    [absolute file](/basics/intro.md)
    [page url](../basics/intro/)
    [tags](/tags/maths/)
    [a pdf](files/paper.pdf)
    ![a diagram](img/diagram.png)
    [external](https://example.com/x.md)

    <a href="alpha.md#second-section">raw link</a>
    <img src="img/diagram.png" alt="raw image">
    <a href="javascript:alert(1)">evil</a>
    <a href='mid.md'>single quoted</a>
"""

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
PDF = b"%PDF-1.4\n" + bytes(range(255, -1, -1)) + b"\n%%EOF\n"


@pytest.fixture
def link_site(make_hub) -> Path:
    intro = "---\ntitle: Intro to Basics\ntags: [Maths]\n---\nIntro.\n\n## Some heading\n"
    files = {
        **HUB,
        "content/basics/intro.md": intro,
        "content/nn/links.md": LINKS,
        "content/nn/files/paper.pdf": PDF,
        "content/nn/img/diagram.png": PNG,
        "content/nn/img/.DS_Store": b"\x00\x01junk",
        "content/.hidden/secret.txt": "secret",
    }
    return build_site(make_hub(files))


def test_markdown_links_become_relative_page_urls(link_site):
    page = read_html(link_site, "nn/links/index.html")
    prose = page.one(".prose")
    got = {a.text: a.get("href") for a in prose.select("a")}
    assert got == {
        "a heading": "../../basics/intro/#some-heading",
        "the hub": "../",
        "home": "../../",
        "home section": "../../#start-here",
        "query": "../alpha/?view=full#first-section",
        "absolute": "../mid/",
        "absolute file": "../../basics/intro/",
        "page url": "../../basics/intro/",
        "tags": "../../tags/maths/",
        "a pdf": "../files/paper.pdf",
        "external": "https://example.com/x.md",
        "raw link": "../alpha/#second-section",
        "evil": None,
        "single quoted": "../mid/",
    }
    images = {img["alt"]: img["src"] for img in prose.select("img")}
    assert images == {"a diagram": "../img/diagram.png", "raw image": "../img/diagram.png"}


def test_javascript_hrefs_are_dropped(link_site):
    text = (link_site / "nn/links/index.html").read_text(encoding="utf-8")
    assert "javascript:" not in text
    evil = [a for a in parse_html(text).select("a") if a.text == "evil"]
    assert len(evil) == 1
    assert evil[0].get("href") is None


def test_no_md_href_survives_anywhere(link_site):
    pages = sorted(link_site.rglob("*.html"))
    assert len(pages) >= 10
    for path in pages:
        page = parse_html(path.read_text(encoding="utf-8"))
        twins = [e["href"] for e in page.select('link[type="text/markdown"]')]  # the page's own Markdown twin
        assert twins in ([], ["index.md"])
        for url in urls_in(page.one("body")):
            parts = urlsplit(url)
            if parts.scheme in ("http", "https"):
                continue
            assert not parts.path.endswith(".md"), f"{path.relative_to(link_site)}: {url}"


def test_every_relative_link_in_the_site_resolves_to_a_file(link_site):
    for path in sorted(link_site.rglob("*.html")):
        if path.name == "404.html":
            continue
        for url in urls_in(parse_html(path.read_text(encoding="utf-8"))):
            parts = urlsplit(url)
            if parts.scheme or url.startswith("#") or not parts.path:
                continue
            target = (path.parent / unquote(parts.path)).resolve()
            if url.endswith("/") or parts.path.endswith("/"):
                target = target / "index.html"
            assert target.is_file(), f"{path.relative_to(link_site)}: {url}"
            assert link_site.resolve() in target.parents


def test_assets_are_copied_byte_identical_and_hidden_files_are_not(link_site):
    assert (link_site / "nn/img/diagram.png").read_bytes() == PNG
    assert (link_site / "nn/files/paper.pdf").read_bytes() == PDF
    assert not (link_site / "nn/img/.DS_Store").exists()
    assert not (link_site / ".hidden").exists()
    names = {p.name for p in link_site.rglob("*")}
    assert ".DS_Store" not in names
    assert "secret.txt" not in names
    twins = [p for p in link_site.rglob("*") if p.suffix == ".md"]  # only the pages' Markdown twins
    assert twins and all(p.name == "index.md" and (p.parent / "index.html").is_file() for p in twins)


# ------------------------------------------------------------------------------------------ sub-path base_url


@pytest.fixture
def learn_site(make_hub, tmp_path) -> Path:
    files = {
        **HUB,
        "hubgen.yaml": "title: Test Hub\nbase_url: https://example.org/learn/\nsearch: false\n",
        "content/nn/links.md": LINKS.replace("/nn/mid/", "/learn/nn/mid/"),
        "content/nn/files/paper.pdf": PDF,
        "content/nn/img/diagram.png": PNG,
    }
    project = make_hub(files)
    return build_site(project, output_dir=tmp_path / "www" / "learn")


def test_sub_path_internal_urls_are_relative_and_canonical_is_absolute(learn_site):
    for path in sorted(learn_site.rglob("*.html")):
        if path.name == "404.html":
            continue
        page = parse_html(path.read_text(encoding="utf-8"))
        rel = path.relative_to(learn_site).as_posix()
        canonical = page.one('link[rel="canonical"]')["href"]
        expected = "https://example.org/learn/" + rel.removesuffix("index.html")
        assert canonical == expected
        for element in page.iter():
            if element.tag == "link" and element.get("rel") == "canonical":
                continue
            for attr in ("href", "src"):
                url = element.get(attr)
                if url is None or url.startswith(("https://example.com/", "#", "data:image/svg+xml,")):  # the icon
                    continue
                assert not urlsplit(url).scheme and not url.startswith("/"), f"{rel}: {url}"
    links = read_html(learn_site, "nn/links/index.html")
    assert {a.text: a.get("href") for a in links.select(".prose a")}["absolute"] == "../mid/"


def test_sub_path_404_uses_absolute_urls_under_the_base(learn_site):
    page = read_html(learn_site, "404.html")
    assert page.one("h1").text == "Page not found"
    urls = urls_in(page)
    assert any(u.startswith("/learn/_static/style.") and u.endswith(".css") for u in urls)
    for url in urls:
        if url.startswith(("#", "data:image/svg+xml,")):  # the theme's icon, inline
            continue
        assert url.startswith("/learn/"), url
    assert page.one("a.site-title")["href"] == "/learn/"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def server(tmp_path) -> Iterator[str]:
    root = tmp_path / "www"
    root.mkdir(exist_ok=True)

    def handler(*args, **kwargs):
        return _QuietHandler(*args, directory=str(root), **kwargs)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def _check_all_internal(server: str, page_url: str, html: bytes) -> int:
    checked = 0
    for url in sorted(set(urls_in(parse_html(html.decode("utf-8"))))):
        if url.startswith("#"):
            continue  # this page itself
        absolute = urljoin(page_url, url).split("#", 1)[0]
        if not absolute.startswith(server):
            continue
        status, _ = _fetch(absolute)
        assert status == 200, f"{url} from {page_url} -> {absolute}: {status}"
        assert urlsplit(absolute).path.startswith("/learn/"), absolute
        checked += 1
    return checked


def test_site_served_under_a_sub_path_has_no_broken_internal_urls(learn_site, server):
    for page in ("nn/links/", "nn/alpha/", "nn/", "", "tags/maths/"):
        page_url = f"{server}/learn/{page}"
        status, html = _fetch(page_url)
        assert status == 200
        assert _check_all_internal(server, page_url, html) >= 5
    # the 404 page is served for any missing URL, at any depth
    status, html = _fetch(f"{server}/learn/404.html")
    assert status == 200
    assert _check_all_internal(server, f"{server}/learn/no/such/deep/page/", html) >= 4
    assert _fetch(f"{server}/learn/nn/img/diagram.png") == (200, PNG)


# ------------------------------------------------------------------------------------------ theme override


def test_project_template_overrides_the_theme_file_by_file(make_hub):
    article = """
        {% extends "base.html" %}
        {% block content %}
        <article class="custom-article"><h1>{{ page.title }}</h1>{{ page.html|safe }}</article>
        {% endblock %}
    """
    site = build_site(make_hub({**HUB, "templates/article.html": article}))
    alpha = read_html(site, "nn/alpha/index.html")
    assert alpha.one("article.custom-article h1").text == "Alpha Is Second"
    assert alpha.select("section.where-next") == []  # the theme's article.html is not used
    assert alpha.one("a.site-title").text == "Test Hub"  # base.html still comes from the theme
    hub = read_html(site, "nn/index.html")
    assert hub.select("article.custom-article") == []
    assert len(hub.select("#learning-path li.step")) == 3  # hub.html still comes from the theme


def test_project_partial_overrides_the_theme_macros(make_hub):
    macros = (REPO / "templates/_macros.html").read_text(encoding="utf-8")
    assert '<li class="card">' in macros  # the theme's card macro, which the project's copy marks
    macros = macros.replace('<li class="card">', '<li class="card custom-card">')
    site = build_site(make_hub({**HUB, "templates/_macros.html": macros.encode()}))
    alpha = read_html(site, "nn/alpha/index.html")
    assert len(alpha.select("li.custom-card")) == 2
    assert alpha.one("a.next-card")["href"] == "../mid/"


def test_project_css_overrides_the_theme_css(make_hub, hub):
    default = build_site(hub)
    default_css = [p.name for p in (default / "_static").glob("style.*.css")]
    custom = b"body { color: rebeccapurple; }\n"
    site = build_site(make_hub({**HUB, "templates/static/style.css": custom}, name="custom"))
    css = [p for p in (site / "_static").glob("style.*.css")]
    assert len(css) == 1 and len(default_css) == 1
    assert css[0].read_bytes() == custom
    assert css[0].name != default_css[0]
    assert (site / "_static" / default_css[0]).exists() is False
    page = read_html(site, "nn/alpha/index.html")
    stylesheets = [link["href"] for link in page.select('link[rel="stylesheet"]')]
    assert f"../../_static/{css[0].name}" in stylesheets
    # the theme's JS is still there
    assert len(list((site / "_static").glob("hubgen.*.js"))) == 1


# ------------------------------------------------------------------------------------------ titles, drafts


def test_title_from_first_heading_is_not_repeated_in_the_body(make_hub):
    page_text = "---\nhub: nn\n---\n# Title From Heading\n\nBody text.\n\n## Part\n"
    site = build_site(make_hub({**HUB, "content/nn/untitled.md": page_text}))
    page = read_html(site, "nn/untitled/index.html")
    assert [h.text for h in page.select("h1")] == ["Title From Heading"]
    assert page.one("head title").text == "Title From Heading · Test Hub"
    assert page.one(".prose").select("h1") == []
    assert [h.text for h in page.one(".prose").select("h2")] == ["Part"]
    assert page.one("nav.breadcrumb [aria-current]").text == "Title From Heading"
    hub = read_html(site, "nn/index.html")
    assert "Title From Heading" in [a.text for a in hub.select(".card-title a")]


def test_drafts_are_left_out_unless_asked_for(make_hub):
    draft = "---\ntitle: Secret Draft\ndraft: true\n---\nNot yet.\n"
    project = make_hub({**HUB, "content/nn/secret.md": draft})
    site = build_site(project)
    assert not (site / "nn/secret").exists()
    assert "Secret Draft" not in (site / "nn/index.html").read_text(encoding="utf-8")
    with_drafts = build_site(project, include_drafts=True)
    assert read_html(with_drafts, "nn/secret/index.html").one("h1").text == "Secret Draft"
    hub = read_html(with_drafts, "nn/index.html")
    assert "Secret Draft" in [a.text for a in hub.select(".card-title a")]


# ------------------------------------------------------------------------------------------ atomic write


def run_build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubgen.cli", "build", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith((".site.new-", ".site.old-")))


def test_failed_build_keeps_the_old_site(make_hub):
    project = make_hub(HUB)
    site = build_site(project)
    before = tree(site)
    assert MARKER in before
    make_hub({"content/nn/zeta.md": "---\ntitle: Zeta\nnext: no-such-page\n---\nZeta.\n"})
    result = session.build(project)
    assert result.check.errors >= 1
    assert result.files == 0
    assert any(d.code == "unknown-reference" for d in result.check.diagnostics)
    assert tree(site) == before
    assert leftovers(project) == []


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{% extends "base.html" %}\n{% block content %}{% if %}{% endblock %}\n', "article.html:2"),
        (
            '{% extends "base.html" %}\n{% block content %}\n{{ page.no_such_value }}\n{% endblock %}\n',
            "article.html:3",
        ),
    ],
    ids=["syntax", "undefined"],
)
def test_template_error_is_reported_and_keeps_the_old_site(make_hub, template, expected):
    from helpers import run_cli

    project = make_hub(HUB)
    site = build_site(project)
    before = tree(site)
    make_hub({"templates/article.html": template})
    outcome = run_cli("build", "-C", str(project))
    assert outcome.exit_code == 2
    assert expected in outcome.stderr
    assert "template error" in outcome.stderr
    assert "Traceback" not in outcome.output
    assert tree(site) == before
    assert leftovers(project) == []


def test_non_empty_folder_without_marker_is_refused(make_hub):
    project = make_hub({**HUB, "site/precious.txt": "keep me", "site/sub/notes.md": "mine"})
    with pytest.raises(session.ProjectError, match="not written by hubgen"):
        session.build(project)
    assert tree(project / "site") == {"precious.txt": b"keep me", "sub/notes.md": b"mine"}
    assert leftovers(project) == []


@pytest.mark.parametrize("output_dir", [".", "content", "./content/", "templates"])
def test_output_dir_holding_the_project_is_refused(make_hub, output_dir):
    project = make_hub(
        {**HUB, "hubgen.yaml": f"title: Test Hub\nsearch: false\noutput_dir: {output_dir!r}\n", "templates/x": "x"}
    )
    before = tree(project)
    result = session.build(project)  # refused as a setting, so that `check` says so too
    assert [(d.code, d.file, d.line) for d in result.check.diagnostics] == [("config-type", "hubgen.yaml", 3)]
    assert tree(project) == before
    make_hub({"hubgen.yaml": "title: Test Hub\nsearch: false\n"})
    with pytest.raises(session.ProjectError, match="refusing"):  # and by the writer, given as -o
        session.build(project, output_dir=project / output_dir)
    assert tree(project) == {**before, "hubgen.yaml": tree(project)["hubgen.yaml"]}


def test_empty_output_folder_is_used(make_hub):
    project = make_hub(HUB)
    (project / "site").mkdir()
    site = build_site(project)
    assert (site / MARKER).is_file()
    assert (site / "nn/alpha/index.html").is_file()


def test_stale_files_from_deleted_pages_are_removed(make_hub):
    project = make_hub({**HUB, "content/nn/img/old.png": PNG})
    site = build_site(project)
    assert (site / "nn/extra/index.html").is_file()
    assert (site / "nn/img/old.png").is_file()
    make_hub({"content/nn/extra.md": None, "content/nn/img/old.png": None})
    make_hub({"content/nn/alpha.md": HUB["content/nn/alpha.md"].replace("related: [extra, basics/intro]", "")})
    site = build_site(project)
    assert not (site / "nn/extra").exists()
    assert not (site / "nn/img").exists()
    assert (site / "nn/alpha/index.html").is_file()
    assert "An Extra Page" not in (site / "nn/index.html").read_text(encoding="utf-8")
    assert leftovers(project) == []


# ------------------------------------------------------------------------------------------ determinism


def test_builds_are_byte_identical(make_hub, tmp_path):
    project = make_hub(
        {**HUB, "content/nn/links.md": LINKS, "content/nn/files/paper.pdf": PDF, "content/nn/img/diagram.png": PNG}
    )
    first = tree(build_site(project))
    second = tree(build_site(project))
    elsewhere = tree(build_site(project, output_dir=tmp_path / "elsewhere"))
    assert len(first) > 15
    assert first == second == elsewhere


def test_builds_are_byte_identical_across_hash_seeds(make_hub, tmp_path):
    project = make_hub(
        {
            **HUB,
            "hubgen.yaml": "title: Test Hub\nsearch: true\n",  # the whole output, search index included
            "content/nn/links.md": LINKS,
            "content/nn/files/paper.pdf": PDF,
            "content/nn/img/diagram.png": PNG,
        }
    )
    outputs = []
    for seed in ("0", "12345"):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "hubgen.cli", "build", "-C", str(project), "-o", str(out)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("Built 9 pages (2 hubs, ")
        outputs.append(out)
    comparison = filecmp.dircmp(outputs[0], outputs[1])
    assert comparison.left_only == comparison.right_only == []
    assert tree(outputs[0]) == tree(outputs[1])


# ------------------------------------------------------------------------------------------ the shipped example


def test_shipped_example_builds_without_errors_or_warnings(tmp_path):
    project = tmp_path / "example"
    shutil.copytree(REPO / "content", project / "content")
    if (REPO / "hubgen.yaml").is_file():
        shutil.copy2(REPO / "hubgen.yaml", project / "hubgen.yaml")
    result = session.build(project)
    assert [str(d) for d in result.check.diagnostics] == []
    assert result.check.errors == 0 and result.check.warnings == 0
    assert result.files > 0
    site = result.output
    assert site == project / "site"
    matches = []
    for path in site.rglob("index.html"):
        page = parse_html(path.read_text(encoding="utf-8"))
        if [h.text for h in page.select("h1")] == ["How Neural Networks Work"]:
            matches.append((path, page))
    assert len(matches) == 1
    path, page = matches[0]
    assert page.one(".prev-link a[rel=prev]").text.endswith("What Is Fine-Tuning in AI?")
    assert page.one("a.next-card .next-title").text == "What Is a Parameter in a Neural Network?"
    crumbs = [a.text for a in page.one("nav.breadcrumb").select("a")]
    assert crumbs == ["Home", "Neural Networks and Deep Learning"]
    assert page.one("p.page-meta a").text == "Neural Networks and Deep Learning"
    for link in (page.one(".prev-link a[rel=prev]"), page.one("a.next-card"), page.one("p.page-meta a")):
        target = (path.parent / link["href"]).resolve() / "index.html"
        assert target.is_file(), link["href"]


def test_templates_read_view_keys_and_still_reach_dict_methods() -> None:
    """The environment looks a dict's keys up before its attributes; a method is still there when no key
    has its name, so a project's template can loop over a view with .items()."""
    from hubgen.build.theme import make_environment

    env = make_environment([])
    template = env.from_string(
        "{{ card.title }} {{ card.items }} {% for k, v in plain.items() %}{{ k }}={{ v }}{% endfor %}"
    )
    assert template.render(card={"title": "T", "items": 3}, plain={"a": 1}) == "T 3 a=1"
