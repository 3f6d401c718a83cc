"""Aliases: redirect pages and `_redirects` in the built site (under a sub-path too), `check` on every kind of bad
alias at its line and column, links through an alias, and the authoring commands that add aliases."""

from __future__ import annotations

import http.client
import posixpath
import re
from pathlib import Path

from helpers import build_site, parse_html, run_cli
from hubgen import session
from hubgen.serve.server import DevServer

HUB = {
    "hubgen.yaml": "title: Test Hub\nbase_url: https://example.org/learn/\nsearch: false\n",
    "content/index.md": "---\ntitle: Home\n---\nStart with [the basics](basics/index.md).\n",
    "content/basics/index.md": "---\ntitle: Basics\ntype: hub\n---\nStart with [Alpha](alpha.md).\n",
    "content/basics/alpha.md": (
        "---\ntitle: Alpha\nhub: basics\nnext: beta\naliases:\n  - basics/old-alpha\n  - /first-steps/alpha.html\n"
        "---\nAlpha comes first.\n"
    ),
    "content/basics/beta.md": "---\ntitle: Beta\nhub: basics\naliases: [/learn/basics/old-beta/]\n---\nBeta.\n",
}


def refresh_target(html: str) -> str:
    match = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
    assert match, html
    return match.group(1)


def reached(site: Path, redirect: str) -> Path:
    """The file a reader lands on after the redirect page at `redirect` (a path under the site)."""
    page = (site / redirect).read_text(encoding="utf-8")
    folder = posixpath.dirname(redirect)
    landing = posixpath.normpath(posixpath.join(folder, refresh_target(page)))
    return site / landing / "index.html"


def test_each_alias_gets_a_redirect_page_that_leads_to_its_page_under_a_sub_path(make_hub):
    site = build_site(make_hub(HUB))
    page = (site / "basics/old-alpha/index.html").read_text(encoding="utf-8")
    tree = parse_html(page)
    assert refresh_target(page) == "../alpha/"
    assert tree.one('link[rel="canonical"]')["href"] == "https://example.org/learn/basics/alpha/"
    assert tree.one('meta[name="robots"]')["content"] == "noindex"
    assert tree.one("a")["href"] == "../alpha/"
    assert "data-pagefind-body" not in page
    assert reached(site, "basics/old-alpha/index.html") == site / "basics/alpha/index.html"
    assert reached(site, "first-steps/alpha.html") == site / "basics/alpha/index.html"
    assert reached(site, "basics/old-beta/index.html") == site / "basics/beta/index.html"
    assert (site / "_redirects").read_text(encoding="utf-8") == (
        "/learn/basics/old-alpha/ /learn/basics/alpha/ 301\n"
        "/learn/first-steps/alpha.html /learn/basics/alpha/ 301\n"
        "/learn/basics/old-beta/ /learn/basics/beta/ 301\n"
    )


def test_sitemap_feed_and_search_never_list_an_alias(make_hub):
    site = build_site(make_hub(HUB))
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "basics/alpha/" in sitemap and "old" not in sitemap and "first-steps" not in sitemap
    assert "old" not in (site / "feed.xml").read_text(encoding="utf-8")
    assert "data-pagefind-body" in (site / "basics/alpha/index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in (site / "first-steps/alpha.html").read_text(encoding="utf-8")


def test_without_base_url_redirects_are_relative_and_from_the_root(make_hub):
    root = make_hub({**HUB, "hubgen.yaml": "title: Test Hub\nsearch: false\n"})
    site = build_site(root)
    tree = parse_html((site / "basics/old-alpha/index.html").read_text(encoding="utf-8"))
    assert tree.one('link[rel="canonical"]')["href"] == "../alpha/"
    assert (site / "_redirects").read_text(encoding="utf-8").splitlines()[0] == "/basics/old-alpha/ /basics/alpha/ 301"
    # written with the sub-path of a base_url the site does not have: a path from the root, kept as written
    assert (site / "learn/basics/old-beta/index.html").is_file()


def test_no_aliases_no_redirects_file_and_the_name_is_free(make_hub):
    root = make_hub(
        {
            **HUB,
            "content/basics/alpha.md": "---\ntitle: Alpha\nhub: basics\nnext: beta\n---\nAlpha.\n",
            "content/basics/beta.md": "---\ntitle: Beta\nhub: basics\n---\nBeta.\n",
            "content/_redirects": "/old /basics/alpha/ 301\n",
        }
    )
    site = build_site(root)
    assert (site / "_redirects").read_text(encoding="utf-8") == "/old /basics/alpha/ 301\n"
    make_hub({"content/basics/beta.md": "---\ntitle: Beta\nhub: basics\naliases: old-beta\n---\nBeta.\n"})
    found = [f"{d.file}:{d.line}:{d.column} {d.code}" for d in session.check(root).diagnostics]
    assert found == ["content/_redirects:1:1 output-collision"]


BAD = """\
---
title: Gamma
hub: basics
prev: beta
aliases:
  - basics/gamma
  - https://example.org/elsewhere/
  - basics/alpha
  - basics/old-alpha
  - 404.html
  - basics/../x
  - basics/logo.png
  - _redirects
  - "old page?"
  - /
  - BASICS/Old-Beta
  - basics/alpha.md
---
Gamma.
"""


def test_every_alias_error_is_reported_at_its_item(make_hub):
    root = make_hub({**HUB, "content/basics/gamma.md": BAD, "content/basics/logo.png": b"\x89PNG\r\n"})
    diagnostics = session.check(root).diagnostics
    found = [f"{d.file}:{d.line}:{d.column} {d.code}" for d in diagnostics]
    gamma = "content/basics/gamma.md"
    assert found == [
        f"{gamma}:6:5 alias-self",
        f"{gamma}:7:5 alias-invalid",
        f"{gamma}:8:5 alias-collision",
        f"{gamma}:9:5 alias-collision",
        f"{gamma}:10:5 alias-collision",
        f"{gamma}:11:5 alias-invalid",
        f"{gamma}:12:5 alias-collision",
        f"{gamma}:13:5 alias-collision",
        f"{gamma}:14:5 alias-invalid",
        f"{gamma}:15:5 alias-invalid",
        f"{gamma}:16:5 alias-collision",
        f"{gamma}:17:5 alias-invalid",
    ]
    messages = {d.line: d.message for d in diagnostics}
    assert "where the page content/basics/alpha.md goes" in messages[8]
    assert "the alias at content/basics/alpha.md:6:5" in messages[9]
    assert "where hubgen writes the 404 page" in messages[10]
    assert "inside basics/logo.png" in messages[12]
    assert "the alias at content/basics/beta.md:4:11" in messages[16] and "ignoring case" in messages[16]


def test_a_flow_list_alias_is_reported_at_its_column(make_hub):
    root = make_hub(
        {**HUB, "content/basics/beta.md": "---\ntitle: Beta\nhub: basics\naliases: [ok-beta, basics/alpha]\n---\nB.\n"}
    )
    found = [f"{d.file}:{d.line}:{d.column} {d.code}" for d in session.check(root).diagnostics]
    assert found == ["content/basics/beta.md:4:20 alias-collision"]


def test_a_link_through_an_alias_warns_and_goes_to_the_page(make_hub):
    root = make_hub(
        {**HUB, "content/basics/beta.md": "---\ntitle: Beta\nhub: basics\n---\nBack to [alpha](old-alpha.md#top).\n"}
    )
    diagnostics = session.check(root).diagnostics
    assert [(d.file, d.line, d.column, d.code) for d in diagnostics] == [
        ("content/basics/beta.md", 5, 17, "link-via-alias")
    ]
    assert diagnostics[0].hint == "link to the page itself: alpha.md"
    site = session.build(root).output
    links = parse_html((site / "basics/beta/index.html").read_text(encoding="utf-8")).select("main a")
    assert [a["href"] for a in links if a.text == "alpha"] == ["../alpha/#top"]


# ------------------------------------------------------------------------------------------ authoring

SMALL = {
    "hubgen.yaml": "title: Test Hub\nbase_url: https://example.org/learn/\nsearch: false\n",
    "content/index.md": "---\ntitle: Home\n---\nSee [the hub](nn/index.md).\n",
    "content/nn/index.md": "---\ntitle: Neural Networks\ntype: hub\n---\nStart with [a](a.md).\n",
    "content/nn/a.md": "---\ntitle: Page A\nhub: nn\nnext: b\nrelated: [b, c]\n---\nA links to [b](b.md).\n",
    "content/nn/b.md": "---\ntitle: Page B\nhub: nn\nnext: c\n---\nB.\n",
    "content/nn/c.md": "---\ntitle: Page C\nhub: nn\naliases: [old-c]  # kept\n---\nC, after [b](b.md).\n",
}


def cli(root: Path, *args: str) -> str:
    outcome = run_cli(*args, "-C", str(root))
    assert outcome.exit_code == 0 and outcome.exception is None, outcome.output
    assert session.check(root).diagnostics == ()
    return outcome.output


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_rename_adds_the_old_id_and_the_old_url_still_reaches_the_page(make_hub):
    root = make_hub(SMALL)
    cli(root, "rename", "b", "bee")
    text = (root / "content/nn/bee.md").read_text(encoding="utf-8")
    assert text == "---\ntitle: Page B\nhub: nn\nnext: c\naliases:\n  - nn/b\n---\nB.\n"
    assert "[b](bee.md)" in (root / "content/nn/a.md").read_text(encoding="utf-8")  # links still rewritten
    site = build_site(root)
    assert reached(site, "nn/b/index.html") == site / "nn/bee/index.html"
    assert "/learn/nn/b/ /learn/nn/bee/ 301" in (site / "_redirects").read_text(encoding="utf-8")
    server = DevServer(root, "127.0.0.1", 0)
    server.start()
    try:
        status, body = get(server.port, "/learn/nn/b/")
        assert status == 200
        target = posixpath.normpath(posixpath.join("/learn/nn/b/", refresh_target(body.decode()))) + "/"
        assert target == "/learn/nn/bee/"
        status, body = get(server.port, target)
        assert status == 200 and b"<h1" in body and b"Page B" in body
    finally:
        server.stop()


def test_rename_adds_to_a_flow_list_and_no_alias_skips_it(make_hub):
    root = make_hub(SMALL)
    cli(root, "rename", "c", "see")
    assert (root / "content/nn/see.md").read_text(encoding="utf-8").splitlines()[3] == "aliases: [old-c, nn/c]  # kept"
    cli(root, "rename", "a", "ay", "--no-alias")
    assert "aliases" not in (root / "content/nn/ay.md").read_text(encoding="utf-8")


def test_renaming_back_drops_the_alias_that_is_the_page_again(make_hub):
    root = make_hub(SMALL)
    cli(root, "rename", "b", "bee")
    cli(root, "rename", "bee", "b")
    assert (root / "content/nn/b.md").read_text(encoding="utf-8") == (
        "---\ntitle: Page B\nhub: nn\nnext: c\naliases:\n  - nn/bee\n---\nB.\n"
    )


def test_remove_with_redirect_to_hands_the_page_its_id_and_its_links(make_hub):
    root = make_hub(SMALL)
    cli(root, "remove", "b", "--redirect-to", "c")
    assert not (root / "content/nn/b.md").exists()
    assert (root / "content/nn/c.md").read_text(encoding="utf-8") == (
        "---\ntitle: Page C\nhub: nn\naliases: [old-c, nn/b]  # kept\n---\nC, after [b](c.md).\n"
    )
    assert (root / "content/nn/a.md").read_text(encoding="utf-8") == (
        "---\ntitle: Page A\nhub: nn\nnext: c\nrelated: [c]\n---\nA links to [b](c.md).\n"
    )
    site = build_site(root)
    assert reached(site, "nn/b/index.html") == site / "nn/c/index.html"


def test_move_keeps_the_file_so_no_alias_is_needed(make_hub):
    root = make_hub(SMALL)
    cli(root, "move", "a", "--after", "b")
    assert "aliases" not in (root / "content/nn/a.md").read_text(encoding="utf-8")


def test_an_old_id_with_a_space_is_percent_encoded_in_redirects(make_hub):
    root = make_hub({**SMALL, "content/nn/my page.md": "---\ntitle: Mine\nhub: nn\nprev: c\n---\nMine.\n"})
    cli(root, "rename", "my page", "mine")
    assert "aliases:\n  - nn/my page\n" in (root / "content/nn/mine.md").read_text(encoding="utf-8")
    site = build_site(root)
    assert reached(site, "nn/my page/index.html") == site / "nn/mine/index.html"
    assert "/learn/nn/my%20page/ /learn/nn/mine/ 301\n" in (site / "_redirects").read_text(encoding="utf-8")


def test_remove_with_redirect_to_carries_the_pages_own_aliases(make_hub):
    root = make_hub(SMALL)
    cli(root, "remove", "c", "--redirect-to", "b")
    text = (root / "content/nn/b.md").read_text(encoding="utf-8")
    assert text == "---\ntitle: Page B\nhub: nn\naliases:\n  - nn/c\n  - old-c\n---\nB.\n"
    site = build_site(root)
    assert reached(site, "old-c/index.html") == site / "nn/b/index.html"


def test_a_page_has_at_most_100_aliases_and_redirect_pages_stay_small(make_hub):
    """Each alias is a page the build writes: the 101st is an error at its item, and a redirect page shows at
    most 200 characters of a long title, so what check passes, build writes in bounded space."""
    aliases = "".join(f"  - old/name-{n}\n" for n in range(101))
    title = "T" * 5000
    page = f"---\ntitle: {title}\nhub: basics\naliases:\n{aliases}---\nMany names.\n"
    root = make_hub({**HUB, "content/basics/many.md": page})
    found = [(d.line, d.column, d.code) for d in session.check(root).diagnostics if d.severity == "error"]
    assert found == [(105, 5, "alias-invalid")]  # the 101st item: line 5 + 100
    (root / "content/basics/many.md").write_text(page.replace("  - old/name-100\n", ""), encoding="utf-8")
    site = build_site(root)
    redirect = (site / "old/name-7/index.html").read_text(encoding="utf-8")
    assert "T" * 200 + "…" in redirect and "T" * 201 not in redirect
    assert len(redirect) < 1500


def test_aliases_that_a_listing_or_windows_reads_otherwise_are_refused(make_hub):
    names = ["ü/\u202eevil", "zero\u200bwidth", "trailing.", "con/aux", "x/C:y", "lpt1.txt"]
    listed = "".join(f"  - '{name}'\n" for name in names)
    page = f"---\ntitle: Odd\nhub: basics\naliases:\n{listed}---\nOdd names.\n"
    root = make_hub({**HUB, "content/basics/odd.md": page})
    found = [(d.line, d.code) for d in session.check(root).diagnostics if d.code.startswith("alias")]
    assert found == [(5 + n, "alias-invalid") for n in range(len(names))]
