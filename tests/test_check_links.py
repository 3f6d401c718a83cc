"""`hubgen check`: links, anchors and images in page bodies.

Links resolve as on GitHub, relative to the Markdown file; heading ids follow github-slugger. The "no
false alarm" cases are adapted from the test suites of lychee, markdown-link-check, linkinator and
html-proofer (the facts they assert, written out here as fixture text).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubgen.session import CheckResult, check

# Page B is the link target: headings of every awkward kind, and ids from raw HTML.
TARGET = """\
---
title: Page B
prev: a
---
## Section one

## FAQ

## FAQ

## Fünf süße Äpfel

## Ignore casing

## `Code` Heading

## Header ✨

## Step 7 - Lint & Test

## Product Owner / Design Approval

## Migrating from `<= v1.18.0`

## L. Is the package in the Linux distro base image?

### [Heading with a link](https://example.com/x)

<a id="explicit"></a>
<a name="named"></a>
<div id="in-the-beginning"></div>
<div id="Upper-Case"></div>
"""

BASE: dict[str, str | bytes | None] = {
    "content/index.md": "---\ntitle: Home\n---\n## Welcome\n\nStart with [the hub](hub/index.md).\n",
    "content/hub/index.md": "---\ntitle: The Hub\ntype: hub\n---\n## Overview\n\nRead [A](a.md) first.\n",
    "content/hub/b.md": TARGET,
    "content/hub/pic.png": b"\x89PNG\r\n",
    "content/hub/my notes.pdf": b"%PDF-1.4",
    "content/hub/süße.pdf": b"%PDF-1.4",
    "content/hub/pics/photo.png": b"\x89PNG\r\n",
}

# Page A holds the links under test; its body starts on line 5.
HEAD = "---\ntitle: Page A\nnext: b\n---\n"


def check_body(make_hub, body: str, files: dict[str, str | bytes | None] | None = None) -> CheckResult:
    return check(make_hub({**BASE, "content/hub/a.md": HEAD + body, **(files or {})}))


def found(result: CheckResult) -> list[tuple[str, int, int, str]]:
    return [(d.file, d.line, d.column, d.code) for d in result.diagnostics]


A = "content/hub/a.md"


def test_the_fixture_is_clean(make_hub):
    assert found(check_body(make_hub, "Nothing to see.\n")) == []


# ------------------------------------------------------------------------------------------ broken links


def test_broken_link_to_a_missing_page(make_hub):
    result = check_body(make_hub, "See [B](bb.md) now.\n")
    assert found(result) == [(A, 5, 9, "broken-link")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert item.message == "link target 'bb.md' does not exist"
    assert item.hint == "did you mean 'b.md'?"  # relative to the page, as the link is written


def test_broken_link_in_the_wrong_case(make_hub):
    result = check_body(make_hub, "See [B](B.md).\n")
    assert found(result) == [(A, 5, 9, "broken-link")]
    assert "case" in result.diagnostics[0].hint and "'b.md'" in result.diagnostics[0].hint


def test_broken_link_without_the_md_extension_of_a_file(make_hub):
    result = check_body(make_hub, "See [notes](my%20notes).\n")
    assert found(result) == [(A, 5, 13, "broken-link")]


def test_broken_link_climbing_out_of_the_content_folder(make_hub):
    result = check_body(make_hub, "See [up](../../README.md).\n")
    assert found(result) == [(A, 5, 10, "broken-link")]
    assert "climbs out of the content folder" in result.diagnostics[0].hint


def test_broken_link_to_a_folder_without_index(make_hub):
    result = check_body(make_hub, "See [pics](pics/) and [pics](pics).\n")
    assert found(result) == [(A, 5, 12, "broken-link"), (A, 5, 30, "broken-link")]
    item = result.diagnostics[0]
    assert "folder with no index.md" in item.message
    assert "hub/pics/index.md" in item.hint


def test_broken_link_to_a_missing_folder(make_hub):
    result = check_body(make_hub, "[x](../nowhere/)\n")
    assert found(result) == [(A, 5, 5, "broken-link")]


def test_broken_site_absolute_link(make_hub):
    result = check_body(make_hub, "[x](/hub/nowhere/)\n")
    assert found(result) == [(A, 5, 5, "broken-link")]


def test_broken_link_in_an_html_block_and_inline_html(make_hub):
    body = (
        '<div>\n  <a href="gone.md">gone</a>\n  <img src="gone.png" alt="gone">\n</div>\n'
        '\nText <a href="lost.md">x</a>.\n'
    )
    result = check_body(make_hub, body)
    assert found(result) == [
        (A, 6, 12, "broken-link"),
        (A, 7, 13, "missing-image"),
        (A, 10, 15, "broken-link"),
    ]


def test_missing_image(make_hub):
    result = check_body(make_hub, "A picture: ![diagram](diagram.png)\n")
    assert found(result) == [(A, 5, 23, "missing-image")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert item.message == "image 'diagram.png' does not exist"


def test_missing_image_with_a_close_name(make_hub):
    result = check_body(make_hub, "![pic](pics.png)\n")
    assert found(result) == [(A, 5, 8, "missing-image")]
    assert result.diagnostics[0].hint == "did you mean 'pic.png'?"


def test_unsafe_link_in_raw_html(make_hub):
    result = check_body(make_hub, '<a href="javascript:alert(1)">click</a>\n')
    assert found(result) == [(A, 5, 10, "unsafe-link")]
    item = result.diagnostics[0]
    assert item.severity == "warning"
    assert "javascript:alert(1)" in item.message and "unsafe" in item.message


def test_a_data_image_is_not_unsafe(make_hub):
    result = check_body(make_hub, "![dot](data:image/png;base64,iVBORw0KGgo=)\n")
    assert found(result) == []


# ------------------------------------------------------------------------------------------ broken anchors


def test_broken_anchor_in_another_page(make_hub):
    result = check_body(make_hub, "See [B](b.md#nope).\n")
    assert found(result) == [(A, 5, 9, "broken-anchor")]
    item = result.diagnostics[0]
    assert item.severity == "error"
    assert item.message == "'#nope' matches no heading or id in content/hub/b.md"
    assert item.hint.startswith("headings here: #section-one, #faq, #faq-1")


def test_broken_anchor_with_did_you_mean(make_hub):
    result = check_body(make_hub, "See [B](b.md#sectoin-one).\n")
    assert found(result) == [(A, 5, 9, "broken-anchor")]
    assert result.diagnostics[0].hint == "did you mean '#section-one'?"


def test_broken_anchor_in_the_same_page(make_hub):
    result = check_body(make_hub, "## Here\n\nGo [there](#x) or [here](#her).\n")
    assert found(result) == [(A, 7, 12, "broken-anchor"), (A, 7, 26, "broken-anchor")]
    assert "this page" in result.diagnostics[0].message
    assert result.diagnostics[1].hint == "did you mean '#here'?"


def test_anchors_in_the_home_page_are_looked_up_in_the_home_page(make_hub):
    # "" is the home page's id: a link to it must not be taken for a link to this page.
    body = "[home](../index.md#welcome) [home](/#welcome) [home](../#welcome) [bad](../index.md#here)\n\n## Here\n"
    result = check_body(make_hub, body)
    assert found(result) == [(A, 5, 73, "broken-anchor")]
    assert "content/index.md" in result.diagnostics[0].message


@pytest.mark.parametrize(
    "body",
    [
        '<!-- <a id="x"> -->\n\n[x](#x)\n',  # an id inside an HTML comment does not count
        'Code `<a id="x"></a>` here.\n\n[x](#x)\n',  # nor inside an inline code span
        "```\n# x\n```\n\n[x](#x)\n",  # a `# ` line in a fenced block is no heading
        "[x](b.md#faq-2)\n",  # only two FAQ headings: faq, faq-1
        "[x](b.md#section)\n",  # a prefix of an id is not the id
        "[x](b.md#upper-case)\n",  # as on GitHub, only the fragment is lower-cased: id="Upper-Case" is missed
    ],
)
def test_broken_anchor_cases(make_hub, body):
    result = check_body(make_hub, body)
    line = 5 + body.count("\n", 0, body.index("[x]"))
    assert found(result) == [(A, line, 5, "broken-anchor")]


# ------------------------------------------------------------------------------------------ no false alarms


NO_ALARM = {
    "inline code span": "Write `[x](gone.md)` and `![y](gone.png)` literally.\n",
    "fenced code block": "```markdown\n[x](gone.md) ![y](gone.png) <a href='gone.md'>z</a>\n```\n",
    "tilde fence": "~~~\n[x](gone.md)\n~~~\n",
    "indented code block": "Text.\n\n    [x](gone.md)\n    <img src='gone.png'>\n",
    "reference links": "See [B][ref] and [Page B].\n\n[ref]: b.md#section-one\n[Page B]: b.md#faq-1\n",
    "autolinks and bare URLs": "<https://example.com> https://example.com/a?b=c www.example.com <x@example.com>\n",
    "other schemes": "[m](mailto:a@example.com) [t](tel:+1-555-0100) [f](ftp://example.com/file) [i](irc://x)\n",
    "other schemes in HTML": '<a href="mailto:a@example.com">mail</a>\n',
    "percent-encoded fragment": "[x](b.md#f%C3%BCnf-s%C3%BC%C3%9Fe-%C3%A4pfel)\n",
    "raw non-ASCII fragment": "[x](b.md#fünf-süße-äpfel)\n",
    "non-ASCII fragment in another case": "[x](b.md#fünf-sÜße-Äpfel)\n",
    "fragment in another case": "[x](b.md#IGNORE-CASING)\n",
    "duplicate heading suffix": "[x](b.md#faq) [y](b.md#faq-1)\n",
    "top and empty fragments": "[x](#top) [y](#) [z](b.md#top) [w](b.md#)\n",
    "the folder's index.md": "[x](index.md) [y](./index.md#overview)\n",
    "the folder itself": "[x](../hub/) [y](../hub) [z](./) [w](../hub/#overview)\n",
    "the home page": "[x](../index.md) [y](../) [z](/) [w](../index.md#welcome)\n",
    "html anchors": "[x](b.md#explicit) [y](b.md#named) [z](b.md#in-the-beginning) [w](b.md#Upper-Case)\n",
    "html anchor, fragment in another case": "[x](b.md#In-The-Beginning)\n",
    "html anchors in this page": '<a id="here"></a>\n\n[x](#here) <span id="inline"></span> [y](#inline)\n',
    "heading with inline code": "[x](b.md#code-heading) [y](b.md#migrating-from--v1180)\n",
    "emoji at the end": "[x](b.md#header-)\n",
    "punctuation": "[x](b.md#step-7---lint--test) [y](b.md#product-owner--design-approval)\n",
    "question mark": "[x](b.md#l-is-the-package-in-the-linux-distro-base-image)\n",
    "heading that is a link": "[x](b.md#heading-with-a-link)\n",
    "query string": "[x](b.md?x=1#section-one) [y](?tab=2) [z](b.md?x=1)\n",
    "percent-encoded file name": "[x](my%20notes.pdf) [y](<my notes.pdf>) [z](s%C3%BC%C3%9Fe.pdf) [w](süße.pdf)\n",
    "asset with a fragment": "[x](my%20notes.pdf#page=2)\n",
    "site-absolute": "[x](/hub/b/) [y](/hub/b.md) [z](/hub/b.md#faq-1) [w](/hub/pic.png)\n",
    "page URLs": "[x](b/) [y](b/index.html#faq) [z](../hub/b/)\n",
    "images": "![pic](pic.png) ![pic](../hub/pic.png) ![photo](pics/photo.png) <img src='pic.png' alt='pic'>\n",
    "html links": "<p>\n<a href='b.md#section-one'>B</a> <a href=\"/hub/b/\">B</a>\n</p>\n",
    "footnotes": "A claim.[^1] Back [up](#fnref1).\n\n[^1]: The source.\n",
    "link in a heading": "## See [B](b.md#faq)\n",
    "bare file names are not links": "Edit setup.py or notes.md, see example.com.\n",
}


@pytest.mark.parametrize("body", NO_ALARM.values(), ids=NO_ALARM.keys())
def test_no_false_alarm(make_hub, body):
    assert found(check_body(make_hub, body)) == []


def test_base_url_sub_path_resolves(make_hub):
    body = "[x](/learn/hub/b/) [y](/learn/hub/b.md#faq) [z](/hub/b/) [w](/learn/hub/nope/)\n"
    result = check_body(make_hub, body, {"hubgen.yaml": "base_url: https://example.org/learn/\n"})
    assert found(result) == [(A, 5, 62, "broken-link")]


def test_links_inside_code_are_not_links_in_the_graph(make_hub):
    body = "`[x](c.md)`\n\n```\n[y](c.md)\n```\n"
    result = check_body(make_hub, body, {"content/hub/c.md": "---\ntitle: Page C\n---\nText.\n"})
    # Nothing links to c: code is not a link, so c is an orphan.
    assert found(result) == [("content/hub/c.md", 1, 1, "orphan-page")]


def test_bare_file_names_do_not_become_external_links(make_hub):
    # GitHub autolinks www. names, URLs with a scheme and e-mail addresses, not `setup.py` or `notes.md`.
    result = check_body(make_hub, "Edit setup.py, see www.example.com, https://example.org/x and a@example.com.\n")
    assert result.graph is not None
    hrefs = [item.link.href for item in result.graph.links["hub/a"]]
    assert hrefs == ["http://www.example.com", "https://example.org/x", "mailto:a@example.com"]


def test_html_ids_are_not_taken_from_code(make_hub):
    result = check_body(make_hub, '`<a id="c1"></a>`\n\n    <a id="c2"></a>\n\n[x](#c1) [y](#c2)\n')
    assert found(result) == [(A, 9, 5, "broken-anchor"), (A, 9, 14, "broken-anchor")]


# ------------------------------------------------------------------------------------------ positions


def test_positions_point_at_the_url(make_hub):
    body = (
        "See gone.md: [x](gone.md) and [y](gone.md).\n"  # the plain-text mention is skipped
        "[![alt](gone.png)](gone2.md)\n"  # an image inside a link
        "Text `code\nspan` then [z](gone3.md)\n"  # a code span across lines
        "Use [ref][r] here.\n"  # a reference link: where it is used
        "- item [t](gone4.md 'title')\n"
        "> quote [q](gone5.md)\n"
        "\n"
        "| a | b |\n|---|---|\n| [c](gone6.md) | x |\n"
        "\n"
        "[r]: gone7.md\n"
    )
    result = check_body(make_hub, body)
    assert found(result) == [
        (A, 5, 18, "broken-link"),
        (A, 5, 35, "broken-link"),
        (A, 6, 9, "missing-image"),
        (A, 6, 20, "broken-link"),
        (A, 8, 16, "broken-link"),
        (A, 9, 5, "broken-link"),
        (A, 10, 12, "broken-link"),
        (A, 11, 13, "broken-link"),
        (A, 15, 7, "broken-link"),
    ]


def test_positions_after_front_matter_and_crlf(make_hub):
    text = HEAD + "\nLine six [x](gone.md)\n"
    project = make_hub({**BASE, "content/hub/a.md": text.replace("\n", "\r\n").encode()})
    assert found(check(project)) == [(A, 6, 14, "broken-link")]


# --------------------------------------------- explicit heading ids, folders served by index.html, HTML files


def test_explicit_heading_id_is_an_anchor_and_leaves_the_heading_text(make_hub):
    files = {"content/hub/c.md": "---\ntitle: C\nprev: b\n---\n## Setup steps {#install}\n\n## Install\n"}
    line = "[ok](c.md#install) [ok](c.md#install-1) [bad](c.md#setup-steps)"
    result = check_body(make_hub, line + "\n", files)
    assert found(result) == [(A, 5, line.index("c.md#setup-steps") + 1, "broken-anchor")]
    page = result.graph.pages["hub/c"]
    assert [(h.id, h.text) for h in page.body.headings] == [("install", "Setup steps"), ("install-1", "Install")]
    assert '<h2 id="install">Setup steps</h2>' in page.body.html


def test_a_folder_served_by_its_index_html_is_not_a_404_and_its_ids_are_checked(make_hub):
    html = '<!doctype html><p id="Intro">x</p><!-- <a id="hidden"></a> -->\n'
    files = {"content/hub/demo/index.html": html, "content/hub/raw.html": '<h1 id="top-title">T</h1>\n'}
    line = "[a](demo/) [b](demo) [c](demo/#Intro) [d](demo#intro) [e](raw.html#top-title) [f](raw.html#nope)"
    result = check_body(make_hub, line + "\n[g](demo/#hidden)\n", files)
    columns = [line.index("demo#intro") + 1, line.index("raw.html#nope") + 1]
    assert found(result) == [
        (A, 5, columns[0], "broken-anchor"),
        (A, 5, columns[1], "broken-anchor"),
        (A, 6, 5, "broken-anchor"),
    ]
    assert "content/hub/demo/index.html" in result.diagnostics[0].message
    assert "'#Intro'" in result.diagnostics[0].hint  # ids in HTML are case-sensitive: a hint, not a pass


# ------------------------------------------------------------------------- what the site writes, checked early


@pytest.mark.parametrize(
    ("asset", "where"),
    [
        ("content/hub/b/index.html", "content/hub/b.md"),  # a page's own output
        ("content/404.html", "the 404 page"),
        ("content/robots.txt", "robots.txt"),
        ("content/_static/style.css", "the theme's files"),
        ("content/pagefind/pagefind.js", "the search index"),
    ],
)
def test_a_copied_file_where_the_build_writes_is_an_output_collision(make_hub, asset, where):
    result = check_body(make_hub, "Fine.\n", {asset: "x", "hubgen.yaml": "search: true\n"})
    assert found(result) == [(asset, 1, 1, "output-collision")]
    assert where in result.diagnostics[0].message


def test_without_a_home_page_one_is_generated_and_links_to_it_work(make_hub, tmp_path):
    from hubgen.session import build

    files = {**BASE, "content/index.md": None, "content/hub/a.md": HEAD + "[home](/) [hub](../hub/)\n"}
    project = make_hub(files)
    assert found(check(project)) == []
    result = build(project)
    home = (project / "site/index.html").read_text()
    assert "The Hub" in home and 'href="hub/"' in home
    assert 'href="../../"' in (project / "site/hub/a/index.html").read_text()
    assert result.check.errors == 0


def test_javascript_hidden_by_a_tab_entity_or_in_xlink_href_is_not_rendered(make_hub):
    from hubgen.session import build

    body = (
        '<a href="jav&#x09;ascript:alert(1)">tab</a>\n\n'
        '<svg><a xlink:href="javascript:alert(2)"><text>x</text></a></svg>\n\n'
        '<form action="JaVaScRiPt:alert(3)"><button>go</button></form>\n'
    )
    project = make_hub({**BASE, "content/hub/a.md": HEAD + body})
    assert found(check(project)) == [("content/hub/a.md", 5, 10, "unsafe-link")]  # the href value (an entity in it)
    build(project)
    html = (project / "site/hub/a/index.html").read_text().lower()
    assert not any(f'="{scheme}' in html for scheme in ("javascript:", "jav\tascript:", "jav&#x09;ascript:"))
    assert "xlink:href" not in html and "action=" not in html


def test_a_relative_url_never_starts_with_something_that_reads_as_a_scheme():
    from hubgen.core.links import relative_url

    assert relative_url("", "c:d/") == "./c:d/"
    assert relative_url("a/", "a/c:d/") == "./c:d/"
    assert relative_url("x/", "c:d/") == "../c:d/"
    assert relative_url("", "docs/c:d/") == "docs/c:d/"


# ------------------------------------------------------------- from running check over real documentation


def test_raw_html_ids_match_ignoring_case_like_headings(make_hub):
    line = "[s](#pino-stdSerializers) [x](#Nope)"
    result = check_body(make_hub, '<a id="pino-stdserializers"></a>\n\n### `pino.stdSerializers`\n\n' + line + "\n")
    assert found(result) == [(A, 9, line.index("#Nope") + 1, "broken-anchor")]


def test_explicit_id_may_have_spaces_inside_the_braces(make_hub):
    result = check_body(make_hub, "## Header 2 { #header-two }\n\n[x](#header-two)\n")
    assert found(result) == []


def test_a_link_to_the_pages_own_title_lands_on_the_h1(make_hub):
    from hubgen.session import build

    files = {"content/hub/c.md": "---\nprev: b\n---\n# The REPL\n\nText.\n"}
    project = make_hub({**BASE, "content/hub/a.md": HEAD + "[repl](c.md#the-repl)\n", **files})
    assert found(check(project)) == []
    build(project)
    assert re.search(r'<h1 id="the-repl"[^>]*>The REPL</h1>', (project / "site/hub/c/index.html").read_text())
    assert 'href="../c/#the-repl"' in (project / "site/hub/a/index.html").read_text()


def test_an_invalid_percent_escape_is_reported_as_written_at_its_own_column(make_hub):
    line = "![img](%%BASE_URL%%/hello.jpg)"
    result = check_body(make_hub, line + "\n")
    assert found(result) == [(A, 5, line.index("%%BASE") + 1, "missing-image")]
    assert "%%BASE_URL%%/hello.jpg" in result.diagnostics[0].message


SEGMENT = st.sampled_from(["a", "b", "ab", "c:d", "a b", "é", "x.png", "%", "?", "#"])


@settings(max_examples=500, deadline=None)
@given(st.lists(SEGMENT, max_size=3), st.lists(SEGMENT, max_size=4), st.booleans(), st.booleans())
def test_relative_url_resolves_to_its_target(source: list[str], target: list[str], folder: bool, inside: bool) -> None:
    """Resolved against the page's URL as a browser does, the relative URL lands on the target path."""
    from urllib.parse import quote, unquote, urljoin

    from hubgen.core.links import relative_url

    here = "/".join(source) + "/" if source else ""
    to = "/".join(target) + ("/" if folder and target else "")
    to = here + to if inside else to
    url = relative_url(here, to)
    assert unquote(urljoin("http://h/site/" + quote(here), url)) == "http://h/site/" + to
