"""One rule for the site's output paths (layout.py), shared by `check` and `build`: what check passes, build
writes; a page or file where hubgen writes something of its own is an `output-collision` at that file, and
build refuses with the same diagnostics (exit 1), never a bare "File exists" (exit 2)."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hubkit import BASE, article, errors, tree_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import run_cli, write_files
from hubgen import session
from hubgen.core import layout
from hubgen.core.validate import carded

PAGE = "---\ntitle: Squatter\nhub: h\n---\nText.\n"
# A site that writes every reserved name it can: search on and base_url set (sitemap and feed), so each name is
# taken. (A refused build stops before Pagefind runs.)
FULL = {"hubgen.yaml": "title: T\nsearch: true\nbase_url: https://example.org/\n"}
TAGGED = {"content/h/ok.md": article("Ok", "tags: [ai, Other Tag]\n")}

# A page at each name hubgen writes itself: (file, what the message names, extra files)
RESERVED_PAGES = [
    ("content/sitemap.xml.md", "the sitemap", {}),
    ("content/404.html.md", "the 404 page", {}),
    ("content/robots.txt.md", "robots.txt", {}),
    ("content/feed.xml.md", "the feed", {}),
    ("content/pagefind.md", "the search index", {}),
    ("content/pagefind/x.md", "the search index", {}),
    ("content/_static.md", "the theme's files", {}),
    ("content/_static/x.md", "the theme's files", {}),
    ("content/tags.md", "the tags page", TAGGED),
    ("content/tags/index.md", "the tags page", TAGGED),
    ("content/tags/ai.md", "a tag's page", TAGGED),
    ("content/tags/other-tag/index.md", "a tag's page", TAGGED),
    ("content/tags/not-a-tag.md", "the tag pages", TAGGED),
    ("content/index.html.md", "content/index.md", {}),  # index.html/index.html, inside the home page's file
    ("content/h/index.html.md", "content/h/index.md", {}),
    ("content/Robots.txt.md", "robots.txt", {}),  # one file on macOS and Windows
    ("content/TAGS/x.md", "the tag pages", TAGGED),
]

# A copied file at each reserved name, and inside a folder of that name
RESERVED_FILES = [
    ("content/sitemap.xml", "the sitemap"),
    ("content/404.html", "the 404 page"),
    ("content/robots.txt", "robots.txt"),
    ("content/feed.xml", "the feed"),
    ("content/pagefind", "the search index"),
    ("content/_static", "the theme's files"),
    ("content/tags", "the tag pages"),
    ("content/sitemap.xml/x.png", "the sitemap"),
    ("content/404.html/x.png", "the 404 page"),
    ("content/robots.txt/x.png", "robots.txt"),
    ("content/feed.xml/x.png", "the feed"),
    ("content/pagefind/pagefind.js", "the search index"),
    ("content/_static/x.css", "the theme's files"),
    ("content/tags/x.png", "the tag pages"),
    ("content/tags/ai/index.html", "a tag's page"),
    ("content/index.html/x.png", "content/index.md"),
    ("content/h/ok", "content/h/ok.md"),  # a file where the page's folder goes
    ("content/h/ok/index.html", "content/h/ok.md"),
    ("content/H/OK/index.html", "content/h/ok.md"),
]


def refused(project: Path, file: str) -> list[str]:
    """`check` and `build` (the command line) both exit 1 with the same diagnostics, the collision at `file`;
    build writes nothing and never says "File exists". Returns the error lines."""
    checked, built = run_cli("check", cwd=project), run_cli("build", cwd=project)
    assert (checked.exit_code, built.exit_code) == (1, 1), checked.output + built.output
    lines = [line for line in checked.output.splitlines() if "error[" in line]
    assert lines == [line for line in built.output.splitlines() if "error[" in line]
    assert "File exists" not in built.output and "Traceback" not in built.output
    assert not (project / "site").exists()
    assert [line.split(": error")[0] for line in lines] == [f"{file}:1:1"]
    assert "error[output-collision]" in lines[0]
    return lines


@pytest.mark.parametrize(("file", "what", "extra"), RESERVED_PAGES, ids=[c[0] + str(len(c[2])) for c in RESERVED_PAGES])
def test_a_page_at_a_reserved_name_is_refused_by_check_and_build_alike(make_hub, file, what, extra):
    project = make_hub({**BASE, **FULL, **extra, file: PAGE})
    [line] = refused(project, file)
    assert "this page would be written to" in line and what in line


@pytest.mark.parametrize(("file", "what"), RESERVED_FILES)
def test_a_copied_file_at_or_inside_a_reserved_name_is_refused_by_check_and_build_alike(make_hub, file, what):
    project = make_hub({**BASE, **FULL, **TAGGED, file: "x"})
    [line] = refused(project, file)
    assert "this file would be written to" in line and what in line


def test_the_diagnostic_names_the_generated_path_and_says_how_to_get_out(make_hub):
    project = make_hub({**BASE, **FULL, "content/sitemap.xml.md": PAGE})
    [d] = [d for d in session.check(project).diagnostics if d.severity == "error"]
    assert (
        d.message
        == "this page would be written to sitemap.xml/index.html, inside sitemap.xml, where hubgen writes the sitemap"
    )
    assert d.hint == "hubgen writes the sitemap at sitemap.xml in every site; rename or move this page"


def test_a_file_where_a_page_needs_its_folder_names_the_folder(make_hub):
    project = make_hub({**BASE, "content/h/ok": "no extension"})
    [d] = [d for d in session.check(project).diagnostics if d.severity == "error"]
    assert d.message == (
        "this file would be written to h/ok, which must be the folder h/ok/, holding content/h/ok.md (h/ok/index.html)"
    )


def test_names_differing_only_in_case_say_so(make_hub):
    project = make_hub({**BASE, "content/h/Pic.png": b"1", "content/h/pic.png": b"2"})
    [d] = [d for d in session.check(project).diagnostics if d.severity == "error"]
    assert (d.code, d.file) == ("output-collision", "content/h/pic.png")
    assert "content/h/Pic.png goes (names are compared ignoring case" in d.message


def test_a_hidden_marker_file_in_content_is_not_read_and_the_build_writes_its_own(make_hub):
    project = make_hub({**BASE, "content/.hubgen-site": "mine", "content/.hubgen-site.md": PAGE})
    assert errors(project) == []
    result = session.build(project)
    assert result.files and (project / "site/.hubgen-site").read_text().startswith("This folder is written by hubgen")


def test_the_search_index_folder_is_refused_before_pagefind_runs(make_hub):
    project = make_hub({**BASE, "hubgen.yaml": "title: T\nsearch: true\n", "content/pagefind/pagefind.js": "x"})
    started = time.monotonic()
    refused(project, "content/pagefind/pagefind.js")
    assert time.monotonic() - started < 20  # no index was built


def test_a_draft_at_a_reserved_name_is_refused_only_when_drafts_are_built(make_hub):
    project = make_hub({**BASE, "content/robots.txt.md": PAGE.replace("hub: h", "hub: h\ndraft: true")})
    assert errors(project) == []
    assert session.build(project).files
    assert [d.code for d in session.check(project, drafts=True).diagnostics if d.severity == "error"] == [
        "output-collision"
    ]


def test_every_output_of_a_built_site_is_in_the_layout(make_hub):
    """The layout lists what build writes: every file in the site is a claim or lies in a reserved folder."""
    project = make_hub(
        {**BASE, **TAGGED, "content/h/pic.png": b"png", "hubgen.yaml": "base_url: https://e.org/\nsearch: false\n"}
    )
    result = session.build(project)
    graph = result.check.graph
    assert graph is not None
    pages = {page_id: page.file for page_id, page in graph.pages.items()}
    cards = carded(graph)  # each published page's social card
    claims = {o.path for o in layout.outputs(pages, graph.site.assets, graph.tags, "content", llms=True, cards=cards)}
    assert cards and all(layout.card_file(page_id) in claims for page_id in cards)
    folders = tuple(path for path in claims if path.endswith("/"))
    written = set(tree_bytes(project / "site"))
    assert {path for path in written if not path.startswith(folders)} <= claims
    assert {"sitemap.xml", "feed.xml", "robots.txt", "404.html", "tags/index.html", "tags/ai/index.html"} <= written


def test_the_render_stage_refuses_a_collision_check_did_not_see(make_hub):
    """Defence in depth: render's own check uses the same rule (here an asset the graph does not know of)."""
    from dataclasses import replace

    from hubgen.core.layout import OutputCollision

    project = make_hub({**BASE, **FULL, "content/robots.txt/x.png": b"x"})
    held = session.Session(project)
    graph = held.check().graph
    assert graph is not None
    with pytest.raises(OutputCollision, match=r"robots\.txt/x\.png"):
        held.render(graph)
    sneaky = replace(graph, site=replace(graph.site, assets=frozenset({"Sitemap.XML/y.png"})))
    with pytest.raises(OutputCollision, match=r"Sitemap\.XML/y\.png"):
        held.render(sneaky)


def test_check_finds_collisions_without_loading_the_output_side(make_hub):
    """validate takes the reserved names from layout.py, not from the search indexer or the SEO module."""
    project = make_hub({**BASE, **FULL, "content/feed.xml.md": PAGE})
    script = (
        "import sys\nfrom hubgen import session\nresult = session.check(__import__('pathlib').Path(sys.argv[1]))\n"
        "print([d.code for d in result.diagnostics if d.severity == 'error'])\n"
        "print([m for m in sys.modules if m.startswith('hubgen.build')])"
    )
    done = subprocess.run([sys.executable, "-c", script, str(project)], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == ["['output-collision']", "[]"], done.stdout + done.stderr


@pytest.mark.parametrize(
    ("file", "config"),
    [
        ("content/feed.xml", "title: T\nsearch: false\n"),  # no base_url: no feed, so a hub's own is fine
        ("content/sitemap.xml", "title: T\nsearch: false\n"),
        ("content/pagefind/pagefind.js", "title: T\nsearch: false\n"),  # search off: no index
        ("content/tags/logo.png", "title: T\nsearch: false\n"),  # no page has a tag: no tag pages
    ],
)
def test_a_name_this_site_does_not_write_is_free_until_it_does(make_hub, file, config):
    """Reserved when the site writes it: turning the setting on (or tagging a page) reports the file then."""
    project = make_hub({**BASE, "hubgen.yaml": config, file: "mine"})
    assert errors(project) == []
    built = session.build(project)
    assert (project / "site" / file.removeprefix("content/")).read_bytes() == b"mine" and built.files
    turned_on = (
        {"content/h/ok.md": article("Ok", "tags: [ai]\n")}
        if "tags" in file
        else {"hubgen.yaml": config.replace("search: false", "search: true") + "base_url: https://example.org/\n"}
    )
    make_hub(turned_on)
    assert [code for code, where, _line, _col in errors(project)] == ["output-collision"]


# ------------------------------------------------------------------------------------------- the property

SEGMENTS = ["a", "A", "b", "index", "README", "index.html", "robots.txt", "tags", "pagefind", "_static", "404.html"]
SEGMENTS += ["sitemap.xml", "feed.xml", "ai", "x.png", "h", "ok"]
NAME = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=3).map("/".join)
ENTRY = st.tuples(NAME, st.booleans())  # (path, is a page)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(entries=st.lists(ENTRY, max_size=6), base_url=st.booleans())
def test_whatever_check_passes_build_writes(tmp_path_factory, entries, base_url):
    root = tmp_path_factory.mktemp("layout")
    config = "title: T\nsearch: false\n" + ("base_url: https://example.org/\n" if base_url else "")
    files: dict[str, str | bytes | None] = {**BASE, **TAGGED, "hubgen.yaml": config}
    taken = [Path(p) for p in files]
    for name, is_page in entries:
        path = Path("content", name + (".md" if is_page else ""))
        if any(path == t or path in t.parents or t in path.parents for t in taken):
            continue  # the file system itself cannot hold both
        taken.append(path)
        files[path.as_posix()] = article(name, "tags: [ai]\n") if is_page else b"data"
    project = write_files(root, files)
    result = session.check(project)
    if result.errors:
        assert all(d.file.startswith("content/") and d.line >= 1 for d in result.diagnostics)
        return
    built = session.build(project)
    assert built.files, "check passed, so build must write the site"
    graph = built.check.graph
    assert graph is not None
    site = project / "site"
    for page_id in graph.pages:
        assert (site / layout.page_file(page_id)).is_file()
    for rel in graph.site.assets:
        assert (site / rel).read_bytes() == (project / "content" / rel).read_bytes()
    assert not re.search(r"File exists", str(built))


# ------------------------------------------------------------------------------------------- hub cycles


def hub(title: str, parent: str = "", pad: str = "") -> str:
    return f"---\ntitle: {title}\ntype: hub\n{'hub: ' + pad + parent + chr(10) if parent else ''}---\nAbout {title}.\n"


def test_two_hubs_that_are_each_others_parents_are_a_hub_cycle_at_each_hub_key(make_hub):
    project = make_hub({**BASE, "content/a.md": hub("A", "b"), "content/b.md": hub("B", "a", pad="   ")})
    found = [d for d in session.check(project).diagnostics if d.code == "hub-cycle"]
    assert [(d.file, d.line, d.column, d.severity) for d in found] == [
        ("content/a.md", 4, 6, "error"),
        ("content/b.md", 4, 9, "error"),  # the value's column
    ]
    assert found[0].message == "hubs are each other's parents: a → b → a"
    assert found[1].message == "hubs are each other's parents: b → a → b"
    assert "remove it from one hub of the circle" in found[0].hint
    assert run_cli("build", cwd=project).exit_code == 1


def test_a_cycle_of_three_hubs_lists_the_whole_cycle_from_each(make_hub):
    files = {"content/x/a.md": hub("A", "x/b"), "content/x/b.md": hub("B", "c"), "content/x/c.md": hub("C", "a")}
    files["content/x/d.md"] = hub("D", "a")  # hangs below the cycle: not part of it
    project = make_hub({**BASE, **files})
    found = [(d.file, d.line, d.column, d.message) for d in session.check(project).diagnostics if d.code == "hub-cycle"]
    assert found == [
        ("content/x/a.md", 4, 6, "hubs are each other's parents: x/a → x/b → x/c → x/a"),
        ("content/x/b.md", 4, 6, "hubs are each other's parents: x/b → x/c → x/a → x/b"),
        ("content/x/c.md", 4, 6, "hubs are each other's parents: x/c → x/a → x/b → x/c"),
    ]


def test_a_cycle_made_by_a_folder_is_reported_at_the_first_line_of_the_hub_without_a_key(make_hub):
    project = make_hub({**BASE, "content/x/index.md": hub("X", "x/y"), "content/x/y/index.md": hub("Y")})
    found = [(d.file, d.line, d.column, d.message) for d in session.check(project).diagnostics if d.code == "hub-cycle"]
    assert found == [
        ("content/x/index.md", 4, 6, "hubs are each other's parents: x → x/y → x"),
        ("content/x/y/index.md", 1, 1, "hubs are each other's parents: x/y → x → x/y (x is the hub of its folder)"),
    ]


def test_rendering_hubs_in_a_cycle_ends(make_hub):
    """Render never loops on such input, though build refuses it: breadcrumbs and JSON-LD walk the parents."""
    from hubgen.build.render import PageRenderer
    from hubgen.build.theme import make_environment, theme_dir

    files = {f"content/c{i}.md": hub(f"C{i}", f"c{(i + 1) % 50}") for i in range(50)}
    project = make_hub({**BASE, **files, "hubgen.yaml": "base_url: https://e.org/\nsearch: false\n"})
    graph = session.check(project).graph
    assert graph is not None
    assets = {"style.css": "s.css", "code.css": "c.css", "hubgen.js": "h.js"}
    renderer = PageRenderer(graph, make_environment([theme_dir()]), assets)
    started = time.monotonic()
    html = renderer.page("c0").decode()
    assert time.monotonic() - started < 5
    crumbs = html.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert crumbs.count("<li>") == 51  # home, the 49 other hubs once each, the page
    home = renderer.page("").decode()
    assert "C0" not in home  # no hub of the cycle is at the top


def test_a_long_chain_of_parent_hubs_is_fine(make_hub):
    files = {f"content/c{i}.md": hub(f"C{i}", f"c{i + 1}" if i < 299 else "") for i in range(300)}
    project = make_hub({**BASE, **files})
    started = time.monotonic()
    assert [e for e in errors(project) if e[0] == "hub-cycle"] == []
    assert time.monotonic() - started < 10


# ------------------------------------------------------------------------------------------- long paths


def long_path(count: int, folder: str = "h") -> dict[str, str | bytes | None]:
    files: dict[str, str | bytes | None] = {}
    for i in range(count):
        nxt = f"next: {folder}/s{i + 1:03d}\n" if i < count - 1 else ""
        files[f"content/{folder}/s{i:03d}.md"] = article(f"Step number {i + 1} of a long path", nxt, f"Body {i}.\n")
    return files


def sidebar(site: Path, rel: str) -> tuple[list[str], list[str]]:
    """The items of the path list in the sidebar and of the one in the rail ("12" for a step, "…" for a
    gap, "*12" for the current one)."""
    from helpers import read_html

    page = read_html(site, rel)
    lists = []
    for where in ("nav.path-block", "nav.rail"):
        items = []
        for li in page.one(where).select("ol.pathlist li"):
            if "pathlist-gap" in li.get("class", []):
                items.append("…")
            else:
                items.append(("*" if li.select("[aria-current]") else "") + li.get("data-step", "?"))
        lists.append(items)
    return lists[0], lists[1]


@pytest.fixture(scope="module")
def long_site(tmp_path_factory) -> Path:
    files = {k: v for k, v in {**BASE, **long_path(600)}.items() if v is not None and k != "content/h/ok.md"}
    project = write_files(tmp_path_factory.mktemp("long"), files)
    started = time.monotonic()
    result = session.build(project)
    assert result.check.errors == 0 and result.files
    assert time.monotonic() - started < 60
    return project / "site"


def test_an_article_on_a_600_step_path_stays_small(long_site):
    sizes = {rel: (long_site / rel / "index.html").stat().st_size for rel in (f"h/s{i:03d}" for i in range(600))}
    assert max(sizes.values()) < 40_000, max(sizes.items(), key=lambda item: item[1])
    assert sum(sizes.values()) < 600 * 40_000  # the site grows with the path, not with its square


@pytest.mark.parametrize(
    ("step", "items"),
    [
        (1, ["*1", "2", "3", "4", "5", "…", "600"]),
        (4, ["1", "2", "3", "*4", "5", "6", "…", "600"]),
        (5, ["1", "2", "3", "4", "*5", "6", "7", "…", "600"]),  # a gap of one step shows the step
        (301, ["1", "…", "299", "300", "*301", "302", "303", "…", "600"]),
        (597, ["1", "…", "595", "596", "*597", "598", "599", "600"]),
        (600, ["1", "…", "596", "597", "598", "599", "*600"]),
    ],
)
def test_a_long_path_shows_a_window_around_the_current_step(long_site, step, items):
    shown, in_rail = sidebar(long_site, f"h/s{step - 1:03d}/index.html")
    assert shown == items
    assert in_rail == items  # the rail (under the desktop width) shows the same steps


def test_the_window_links_to_the_full_list_on_the_hub_page(long_site):
    from helpers import read_html

    page = read_html(long_site, "h/s300/index.html")
    links = page.select("p.path-all a")
    assert {(link.text, link["href"]) for link in links} == {("All 600 steps", "../#learning-path")}
    assert page.one("nav.path-block [data-progress]")["data-progress-total"] == "600"
    assert "Step 301 of 600" in page.one(".page-meta").text
    hub_page = read_html(long_site, "h/index.html")
    assert hub_page.one("#learning-path") is not None
    assert len(hub_page.select("#learning-path ol.steps li")) == 600


def test_a_hub_with_several_paths_links_each_window_to_its_own_list(make_hub):
    from helpers import read_html

    short = long_path(3)  # h/s000 -> h/s002: the hub's first path
    longer = {k.replace("/s", "/t"): v.replace("next: h/s", "next: h/t") for k, v in long_path(12).items() if v}
    project = make_hub({**BASE, **short, **longer})
    assert session.build(project).files
    links = read_html(project / "site", "h/t005/index.html").select("p.path-all a")
    assert {link["href"] for link in links} == {"../#hg-path-2"}
    heading = read_html(project / "site", "h/index.html").one("#hg-path-2")
    assert "12 steps" in heading.text


def test_a_path_of_nine_steps_is_shown_whole_as_before(make_hub):
    project = make_hub({k: v for k, v in {**BASE, **long_path(9)}.items() if k != "content/h/ok.md"})
    site = project / "site"
    assert session.build(project).files
    shown, in_rail = sidebar(site, "h/s004/index.html")
    assert shown == in_rail == ["1", "2", "3", "4", "*5", "6", "7", "8", "9"]
    html = (site / "h/s004/index.html").read_text()
    assert "path-all" not in html and "pathlist-gap" not in html


@settings(max_examples=200, deadline=None)
@given(length=st.integers(1, 80), data=st.data())
def test_the_window_is_bounded_and_holds_the_ends_and_the_neighbours(length, data):
    from hubgen.build.pathview import WHOLE_PATH, path_window

    current = data.draw(st.integers(0, length - 1))
    shown = path_window(length, current)
    assert shown == sorted(set(shown)) and len(shown) <= WHOLE_PATH
    assert {0, length - 1, current} <= set(shown)
    assert {max(0, current - 1), min(length - 1, current + 1)} <= set(shown)
    assert all(b - a != 2 for a, b in itertools.pairwise(shown))  # never an ellipsis for one step
    if length <= WHOLE_PATH:
        assert shown == list(range(length))
