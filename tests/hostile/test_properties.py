"""Property tests (Hypothesis): any text is a page or a diagnostic, never a crash; slugs are unique and
stable; learning paths stay consistent whatever prev/next declarations say."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubgen import session
from hubgen.build.render import PageRenderer
from hubgen.build.theme import make_environment, theme_dir
from hubgen.core.config import SiteConfig
from hubgen.core.load import Page, parse_page
from hubgen.core.slugs import Slugger

ENV = make_environment([theme_dir()])
ASSETS = {"style.css": "_static/style.css", "code.css": "_static/code.css", "hubgen.js": "_static/hubgen.js"}
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Markdown-ish and YAML-ish alphabets make the interesting cases far likelier than plain text().
MARKDOWN_BITS = st.sampled_from(
    [
        "#",
        "# ",
        "## ",
        "\n",
        "\n\n",
        "- ",
        "> ",
        "1. ",
        "```",
        "~~~",
        "[",
        "]",
        "(",
        ")",
        "![",
        "<",
        ">",
        "</",
        "<a href=",
        "javascript:",
        "&",
        "&amp;",
        "*",
        "_",
        "`",
        "|",
        "---",
        "\t",
        "    ",
        "\\",
        "!!! note",
        "[^1]",
        ": ",
        "<!-- hubgen-ignore -->",
        "\r",
        "\r\n",
        "\ufeff",
        "\u0301",
        "é",
        "#x",
        ".md",
        "../",
        "%",
        "%23",
        "?",
    ]
)
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(MARKDOWN_BITS, st.text(max_size=8)), max_size=60).map("".join),
)
YAML_BITS = st.sampled_from(
    [
        "title",
        "hub",
        "prev",
        "next",
        "related",
        "tags",
        "draft",
        "type",
        "updated",
        "summary",
        ": ",
        ":",
        "\n",
        "  ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        "&a ",
        "*a",
        "!!python/object/apply:os.system",
        "!tag ",
        "'",
        '"',
        "#",
        "---",
        "...",
        "\t",
        "null",
        "true",
        "maybe",
        "2026-13-45",
        "2026-01-02",
        "updated: 2026-02-30",
        "hub",
        "article",
        "|",
        ">",
        "?",
        "%",
        "@",
        "`",
        ",",
        "0x1F",
        "1e999",
        "é",
        "\ufeff",
        "\x85",
        "\u2028",
    ]
)
FRONT = st.one_of(st.text(max_size=200), st.lists(st.one_of(YAML_BITS, st.text(max_size=6)), max_size=40).map("".join))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("prop")
    (root / "hubgen.yaml").write_text("title: P\nbase_url: https://example.org/\nsearch: false\n", encoding="utf-8")
    (root / "content/h").mkdir(parents=True)
    (root / "content/index.md").write_text("# Home\n", encoding="utf-8")
    (root / "content/h/index.md").write_text("---\ntitle: H\ntype: hub\n---\n", encoding="utf-8")
    (root / "content/h/other.md").write_text("---\ntitle: Other\nhub: h\n---\n## Sec\n", encoding="utf-8")
    return root


def _check_and_render(project: Path, page_text: str) -> None:
    (project / "content/h/page.md").write_bytes(page_text.encode("utf-8", "surrogatepass"))
    result = session.check(project)
    assert result.graph is not None
    for d in result.diagnostics:
        assert d.line >= 1 and d.column >= 1 and d.code and d.message
    assert "h/page" in result.graph.pages or any(d.file == "content/h/page.md" for d in result.diagnostics)
    # render the page (and the generated pages) even when the hub has errors: nothing may raise
    renderer = PageRenderer(result.graph, ENV, ASSETS)
    if "h/page" in result.graph.pages:
        assert renderer.page("h/page").startswith(b"<!doctype html>")
    assert [output for output, _html in renderer.generated()][-1] == "404.html"


@SETTINGS
@given(body=TEXT)
def test_any_body_is_a_page_or_a_diagnostic(project, body):
    page, _problems = parse_page(body, "h/page.md", "h/page", "content/h/page.md", SiteConfig())
    assert isinstance(page, Page) and page.title
    _check_and_render(project, "---\ntitle: T\nhub: h\n---\n" + body)


@SETTINGS
@given(front=FRONT, body=TEXT)
def test_any_front_matter_is_a_page_or_a_diagnostic(project, front, body):
    text = "---\n" + front + "\n---\n" + body
    page, _problems = parse_page(text, "h/page.md", "h/page", "content/h/page.md", SiteConfig())
    assert isinstance(page, Page)
    for key in ("title", "summary", "hub", "prev", "next"):
        assert key not in page.front.values or isinstance(page.front.values[key], str)
    _check_and_render(project, text)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.text(max_size=12), st.sampled_from(["a", "a-1", "A", "a 1", "-", "", " ", "a-1-1"])), max_size=25
    )
)
def test_slugs_are_unique_per_page_and_stable(headings):
    first = Slugger()
    slugs = [first.slug(h) for h in headings]
    assert len(set(slugs)) == len(slugs)
    assert [Slugger().slug(h) for h in headings[:0]] == []
    second = Slugger()
    assert [second.slug(h) for h in headings] == slugs
    second.reset()
    assert [second.slug(h) for h in headings] == slugs


@st.composite
def declarations(draw):
    n = draw(st.integers(2, 8))
    names = [f"p{i}" for i in range(n)]
    choice = st.one_of(st.none(), st.sampled_from(names))
    return {name: (draw(choice), draw(choice)) for name in names}  # name -> (prev, next)


def _contradictory(decl: dict[str, tuple[str | None, str | None]]) -> bool:
    edges = {(a, nxt) for a, (_p, nxt) in decl.items() if nxt and nxt != a}
    edges |= {(prv, b) for b, (prv, _n) in decl.items() if prv and prv != b}
    out: dict[str, set[str]] = {}
    into: dict[str, set[str]] = {}
    for a, b in edges:
        out.setdefault(a, set()).add(b)
        into.setdefault(b, set()).add(a)
    if any(len(v) > 1 for v in (*out.values(), *into.values())):
        return True
    for start in out:  # a single successor each: follow it and see whether it comes back
        seen, node = set(), start
        while node in out and node not in seen:
            seen.add(node)
            node = next(iter(out[node]))
        if node == start:
            return True
    return False


@pytest.fixture(scope="module")
def graph_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("graphs")


COUNTER = itertools.count()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decl=declarations())
def test_learning_paths_stay_consistent(graph_root, decl):
    project = graph_root / f"g{next(COUNTER)}"
    shutil.rmtree(project, ignore_errors=True)
    (project / "content/h").mkdir(parents=True)
    (project / "hubgen.yaml").write_text("search: false\n", encoding="utf-8")
    (project / "content/index.md").write_text("# Home\n", encoding="utf-8")
    (project / "content/h/index.md").write_text("---\ntitle: H\ntype: hub\n---\n", encoding="utf-8")
    for name, (prv, nxt) in decl.items():
        lines = [f"title: {name}", "hub: h"] + [f"prev: {prv}"] * bool(prv) + [f"next: {nxt}"] * bool(nxt)
        (project / f"content/h/{name}.md").write_text("---\n" + "\n".join(lines) + "\n---\n", encoding="utf-8")
    result = session.check(project)
    graph = result.graph
    assert graph is not None
    ids = [f"h/{name}" for name in decl]
    for a, b in itertools.product(ids, ids):
        assert (graph.next_of(a) == b) == (graph.prev_of(b) == a), (a, b)
    on_paths = [step for path in graph.paths for step in path.steps]
    assert len(on_paths) == len(set(on_paths))  # no page twice in a path, nor in two paths
    for path in graph.paths:
        for a, b in itertools.pairwise(path.steps):
            assert graph.next_of(a) == b and graph.prev_of(b) == a
    codes = {d.code for d in result.diagnostics}
    clashes = codes & {"path-conflict", "path-fork", "path-cycle"}
    assert bool(clashes) == _contradictory(decl), (decl, sorted(codes))
    self_refs = sum((prv == n) + (nxt == n) for n, (prv, nxt) in decl.items())
    assert sum(d.code == "self-reference" for d in result.diagnostics) == self_refs
