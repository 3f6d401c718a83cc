"""HTML safety: every front-matter value is escaped everywhere it appears; unsafe URL schemes never become
links; raw HTML can be turned off; JSON-LD cannot be broken out of."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hubkit import diags

from helpers import build_site, parse_html, read_html

XSS = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
BREAK = "</script><script>alert(2)</script>"
CONFIG = "title: Safe Hub\nbase_url: https://example.org/learn/\nsearch: false\n"


def _yaml(value: str) -> str:
    return json.dumps(value)  # JSON strings are YAML strings


def _hostile_hub(make_hub) -> Path:
    return make_hub(
        {
            "hubgen.yaml": CONFIG,
            "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
            "content/x/index.md": (
                f"---\ntitle: {_yaml('Hub ' + XSS)}\ntype: hub\nsummary: {_yaml('Hub sum ' + XSS)}\n---\n"
            ),
            "content/x/evil.md": (
                f"---\ntitle: {_yaml(XSS + BREAK)}\nhub: x\nsummary: {_yaml('Sum ' + XSS + BREAK)}\n"
                f"tags: [{_yaml('tag ' + XSS)}]\nnext: other\nupdated: 2026-01-02\n---\n"
                f"Body.\n\n## Common questions\n\n### Is `{XSS}` safe?\n\nAnswer `{BREAK}`.\n"
            ),
            "content/x/other.md": "---\ntitle: Other\nhub: x\nrelated: [evil]\n---\nSee [evil](evil.md).\n",
        }
    )


def _all_html(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}


def test_hostile_front_matter_never_becomes_markup_anywhere(make_hub):
    site = build_site(_hostile_hub(make_hub))
    pages = _all_html(site)
    assert len(pages) >= 6
    for name, text in pages.items():
        assert "<img src=x" not in text, name
        assert "<script>alert" not in text, name
        for element in parse_html(text).iter():
            assert not any(a.startswith("on") for a in element.attrs), (name, element)
            assert element.tag != "img" or element.get("src") != "x", name


def test_hostile_title_is_escaped_in_every_place_it_appears(make_hub):
    site = build_site(_hostile_hub(make_hub))
    evil_title = XSS + BREAK
    evil = read_html(site, "x/evil/index.html")
    assert evil.one("h1").text == evil_title
    assert evil.one("head title").text == f"{evil_title} · Safe Hub"
    metas = {m.get("name") or m.get("property"): m.get("content") for m in evil.select("meta")}
    assert metas["og:title"] == metas["twitter:title"] == evil_title
    assert metas["description"] == metas["og:description"] == "Sum " + evil_title
    # the hub's title in the breadcrumb of its child
    assert "Hub " + XSS in [a.text for a in evil.select("nav a")]
    # cards: on the hub page, the next/related/backlink cards on the other page, the tag page
    hub = read_html(site, "x/index.html")
    assert evil_title in hub.text
    other = read_html(site, "x/other/index.html")
    assert other.text.count(evil_title) >= 2  # read-before card, related card (and the path)
    tag_pages = [p for p in pages_under(site, "tags") if p != "tags/index.html"]
    assert len(tag_pages) == 1
    tag = read_html(site, tag_pages[0])
    assert tag.one("h1").text == f"Tagged “tag {XSS}”"
    assert evil_title in tag.text
    assert "tag " + XSS in read_html(site, "tags/index.html").text
    raw = (site / "x/evil/index.html").read_text()
    assert raw.count(ESCAPED) >= 4


def pages_under(site: Path, folder: str) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in (site / folder).rglob("index.html"))


def test_json_ld_cannot_be_closed_by_a_title(make_hub):
    site = build_site(_hostile_hub(make_hub))
    for rel in ("x/evil/index.html", "x/index.html", "x/other/index.html"):
        raw = (site / rel).read_text()
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', raw, re.S)
        assert len(blocks) == 1, rel
        assert "<" not in blocks[0] and ">" not in blocks[0]
        data = json.loads(blocks[0])
        text = json.dumps(data, ensure_ascii=False)
        if rel != "x/other/index.html":
            assert XSS + BREAK in text, rel  # the article itself, and the hub's ItemList
    faq = json.loads(
        re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', (site / "x/evil/index.html").read_text(), re.S
        )[0]
    )
    [faq_page] = [item for item in faq if item["@type"] == "FAQPage"]
    assert faq_page["mainEntity"][0]["name"] == f"Is {XSS} safe?"
    assert faq_page["mainEntity"][0]["acceptedAnswer"]["text"] == f"Answer {BREAK}."
    raw = (site / "x/evil/index.html").read_text()
    assert raw.count("<script") == raw.count("</script>")


def test_feed_and_sitemap_escape_titles(make_hub):
    site = build_site(_hostile_hub(make_hub))
    import xml.etree.ElementTree as ET

    feed = ET.fromstring((site / "feed.xml").read_bytes())
    titles = [e.text for e in feed.iter() if e.tag.endswith("title")]
    assert XSS + BREAK in titles
    ET.fromstring((site / "sitemap.xml").read_bytes())


UNSAFE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
]


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_markdown_links_are_not_rendered_as_links(make_hub, url):
    body = f"[md link]({url})\n\n<{url}>\n\n[ref link][r]\n\n[r]: {url}\n"
    project = make_hub(_simple(body))
    html = (build_site(project) / "h/a/index.html").read_text()
    page = parse_html(html)
    for element in page.iter():
        if element.tag == "link" and element.get("rel") == "icon":  # the theme's own icon, inline (not content's)
            assert element["href"].startswith("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'")
            continue
        for name in ("href", "src", "action", "formaction", "content"):
            value = (element.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:")), element
    main = page.one("main")
    assert "md link" in main.text and "ref link" in main.text
    assert [a.text for a in main.select("a") if a.text in ("md link", "ref link")] == []


@pytest.mark.parametrize("url", UNSAFE)
def test_unsafe_urls_in_raw_html_lose_their_attribute_and_warn(make_hub, url):
    body = f"<a href=\"{url}\">raw link</a> and <a href='{url}'>single</a>\n"
    project = make_hub(_simple(body))
    got = [(d.code, d.line, d.severity) for d in diags(project) if d.code == "unsafe-link"]
    assert got == [("unsafe-link", 5, "warning"), ("unsafe-link", 5, "warning")]
    html = (build_site(project) / "h/a/index.html").read_text()
    anchors = [a for a in parse_html(html).select("a") if a.text in ("raw link", "single")]
    assert len(anchors) == 2
    assert all(a.get("href") is None for a in anchors)


def test_data_image_in_an_image_is_kept(make_hub):
    png = "data:image/png;base64,iVBORw0KGgo="
    project = make_hub(_simple(f"![dot]({png})\n"))
    [img] = read_html(build_site(project), "h/a/index.html").select("main img")
    assert img["src"] == png


def test_raw_html_passes_by_default_and_is_escaped_when_turned_off(make_hub):
    body = '<span class="raw">raw <b>bold</b></span>\n\n<div id="block">block</div>\n'
    on = build_site(make_hub(_simple(body), name="on"))
    page = read_html(on, "h/a/index.html")
    assert page.one("span.raw").text == "raw bold"
    off_files = {**_simple(body), "hubgen.yaml": "search: false\nmarkdown:\n  html: false\n"}
    off = build_site(make_hub(off_files, name="off"))
    raw = (off / "h/a/index.html").read_text()
    assert not read_html(off, "h/a/index.html").select("span.raw")
    assert "&lt;span class=&quot;raw&quot;&gt;raw &lt;b&gt;bold&lt;/b&gt;&lt;/span&gt;" in raw
    assert "&lt;div id=&quot;block&quot;&gt;block&lt;/div&gt;" in raw


def _simple(body: str) -> dict[str, str]:
    return {
        "hubgen.yaml": "search: false\n",
        "content/index.md": "---\ntitle: Home\n---\n",
        "content/h/index.md": "---\ntitle: H\ntype: hub\n---\n",
        "content/h/a.md": f"---\ntitle: A\nhub: h\n---\n{body}",
    }
