"""`hubgen serve`: a real server on a loopback port, its live reload, and the incremental `Session` behind it."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import run_cli, write_files
from hubgen import session
from hubgen.serve.searchindex import BUILDING
from hubgen.serve.server import DevServer
from hubgen.session import Session

DEADLINE = 10.0

HUB = {
    "hubgen.yaml": """
        title: Test Hub
        base_url: https://example.org/ai-hub/
    """,
    "content/index.md": """
        ---
        title: Test Hub
        summary: The home page.
        ---
        Welcome to the hub.
    """,
    "content/basics/index.md": """
        ---
        type: hub
        title: Basics
        summary: The basic ideas.
        ---
        Start with [Alpha](alpha.md).
    """,
    "content/basics/alpha.md": """
        ---
        title: Alpha
        summary: The first idea.
        hub: basics
        next: beta
        tags: [intro]
        ---
        Alpha comes first; then read [Beta](beta.md).

        ![A diagram](diagram.svg)
    """,
    "content/basics/beta.md": """
        ---
        title: Beta
        summary: The second idea.
        hub: basics
        next: gamma
        ---
        Beta builds on alpha.
    """,
    "content/basics/gamma.md": """
        ---
        title: Gamma
        summary: The third idea.
        hub: basics
        related: [alpha]
        ---
        Gamma ends the path.
    """,
    "content/basics/delta.md": """
        ---
        title: Delta
        summary: An aside.
        hub: basics
        ---
        Delta stands alone.
    """,
    "content/basics/diagram.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>\n',
    "content/basics/widget.js": "console.log('widget');\n",
}


# ------------------------------------------------------------------------------------------ helpers


def wait_for(condition: Callable[[], object], timeout: float = DEADLINE, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {message}")


def get(server: DevServer, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET a raw path (sent exactly as written)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=DEADLINE)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def status(server: DevServer) -> dict[str, object]:
    return json.loads(get(server, "/ai-hub/__hubgen/status")[2])


class EventClient:
    """Reads the server-sent events stream in a thread; `events` receives (event, data)."""

    def __init__(self, server: DevServer) -> None:
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        self.connection.request("GET", "/ai-hub/__hubgen/events")
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"
        assert self.response.readline().startswith(b"retry:")  # the stream is open: later events reach us
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event, data = "message", []
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif not line and data:
                    self.events.put((event, "\n".join(data)))
                    event, data = "message", []
        except (OSError, ValueError):
            pass

    def next(self, wanted: str) -> str:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                event, data = self.events.get(timeout=0.1)
            except queue.Empty:
                continue
            if event == wanted:
                return data
        raise AssertionError(f"no {wanted!r} event within {DEADLINE} s")

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_files(tmp_path / "hub", HUB)


@pytest.fixture
def server(project: Path) -> Iterator[DevServer]:
    dev = DevServer(project, "127.0.0.1", 0)
    dev.start()
    try:
        yield dev
    finally:
        dev.stop()


@pytest.fixture
def events(server: DevServer) -> Iterator[EventClient]:
    client = EventClient(server)
    yield client
    client.close()


def edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# ------------------------------------------------------------------------------------------ serving


def test_pages_are_served_under_the_base_path(server: DevServer) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/ai-hub/"
    code, _, body = get(server, "/ai-hub/")
    assert code == 200 and b"Welcome to the hub." in body
    code, _, body = get(server, "/ai-hub/basics/alpha/")
    assert code == 200 and b"Alpha comes first" in body
    assert get(server, "/basics/alpha/")[0] == 404


def test_folder_without_slash_redirects(server: DevServer) -> None:
    code, headers, _ = get(server, "/ai-hub/basics/alpha")
    assert code == 301 and headers["location"] == "/ai-hub/basics/alpha/"
    code, headers, _ = get(server, "/ai-hub")
    assert code == 301 and headers["location"] == "/ai-hub/"


def test_unknown_url_gets_the_sites_404_page(server: DevServer) -> None:
    code, headers, body = get(server, "/ai-hub/no/such/page/")
    assert code == 404
    assert headers["content-type"].startswith("text/html")
    assert body == server.session.site.files["404.html"].replace(b"</body>", _script(body) + b"</body>")


def _script(body: bytes) -> bytes:
    return re.search(rb"<script>/\* hubgen serve.*?</script>\n", body, re.S).group(0)


def test_content_types_and_no_store(server: DevServer) -> None:
    css = next(p for p in server.session.site.files if p.endswith(".css"))
    js = next(p for p in server.session.site.files if p.endswith(".js"))
    expected = {
        "/ai-hub/": "text/html",
        f"/ai-hub/{css}": "text/css",
        f"/ai-hub/{js}": "text/javascript",
        "/ai-hub/basics/widget.js": "text/javascript",
        "/ai-hub/basics/diagram.svg": "image/svg+xml",
    }
    for path, kind in expected.items():
        code, headers, _ = get(server, path)
        assert code == 200, path
        assert headers["content-type"].startswith(kind), path
        assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "payload",
    [
        "/ai-hub/../hubgen.yaml",
        "/ai-hub/%2e%2e/%2e%2e/etc/passwd",
        "/ai-hub/..%2fcontent/index.md",
        "//etc/passwd",
        "/ai-hub/%5c..%5c",
        "/ai-hub/basics/../../hubgen.yaml",
        "/ai-hub//etc/passwd",
        "/ai-hub/basics/%2e%2e/index.html",
        "/ai-hub/basics\\..\\..\\hubgen.yaml",
    ],
)
def test_traversal_is_refused(server: DevServer, payload: str) -> None:
    code, _, body = get(server, payload)
    assert code == 404
    assert b"Page not found" in body or b"not found" in body.lower()


def test_symlink_out_of_content_is_not_served(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret\n")
    (project / "content/basics/leak.txt").symlink_to(secret)
    dev = DevServer(project, "127.0.0.1", 0)
    dev.start()
    try:
        code, _, body = get(dev, "/ai-hub/basics/leak.txt")
        assert code == 404 and b"top secret" not in body
        # Even if the site listed it as an asset copy, the server refuses a source outside content/.
        dev.session.site.copies["basics/leak.txt"] = project / "content/basics/leak.txt"
        code, _, body = get(dev, "/ai-hub/basics/leak.txt")
        assert code == 404 and b"top secret" not in body
    finally:
        dev.stop()


def test_script_is_injected_only_when_served(server: DevServer, project: Path, tmp_path: Path) -> None:
    body = get(server, "/ai-hub/basics/beta/")[2]
    assert body.count(b"__hubgen/events") == 1
    assert body.index(b"__hubgen/events") < body.rindex(b"</body>")
    output = session.build(project, output_dir=tmp_path / "out").output
    built = [p.read_bytes() for p in output.rglob("*.html")]
    assert built and not any(b"__hubgen" in page for page in built)
    assert not (project / "site").exists()  # serve never writes a site


# ------------------------------------------------------------------------------------------ live reload


def test_body_edit_reloads_with_new_text(server: DevServer, events: EventClient, project: Path) -> None:
    before = status(server)["version"]
    edit(project, "content/basics/beta.md", "Beta builds on alpha.", "Beta now builds on everything.")
    events.next("reload")
    assert status(server)["version"] > before
    assert b"Beta now builds on everything." in get(server, "/ai-hub/basics/beta/")[2]
    assert server.last is not None and server.last.rendered == 1


def test_broken_yaml_shows_errors_and_keeps_the_last_good_site(
    server: DevServer, events: EventClient, project: Path
) -> None:
    (project / "hubgen.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    errors = json.loads(events.next("error"))
    assert errors and errors[0]["file"] == "hubgen.yaml"
    assert status(server)["errors"]
    assert b"Alpha comes first" in get(server, "/ai-hub/basics/alpha/")[2]
    write_files(project, {"hubgen.yaml": HUB["hubgen.yaml"]})
    events.next("reload")
    assert status(server)["errors"] == []


def test_content_error_is_reported_then_cleared(server: DevServer, events: EventClient, project: Path) -> None:
    edit(project, "content/basics/beta.md", "next: gamma", "next: nowhere")
    errors = json.loads(events.next("error"))
    assert any(e["file"] == "content/basics/beta.md" for e in errors)
    edit(project, "content/basics/beta.md", "next: nowhere", "next: gamma")
    events.next("reload")
    assert status(server)["errors"] == []


def test_add_delete_and_rename_pages(server: DevServer, events: EventClient, project: Path) -> None:
    write_files(project, {"content/basics/epsilon.md": "---\ntitle: Epsilon\nsummary: New.\nhub: basics\n---\nNew.\n"})
    events.next("reload")
    assert get(server, "/ai-hub/basics/epsilon/")[0] == 200
    (project / "content/basics/epsilon.md").unlink()
    events.next("reload")
    assert get(server, "/ai-hub/basics/epsilon/")[0] == 404
    (project / "content/basics/delta.md").rename(project / "content/basics/omega.md")
    events.next("reload")
    assert get(server, "/ai-hub/basics/omega/")[0] == 200
    assert get(server, "/ai-hub/basics/delta/")[0] == 404


def test_a_burst_of_saves_is_one_rebuild(server: DevServer, events: EventClient, project: Path) -> None:
    before = status(server)["version"]
    for n in range(5):
        edit(project, "content/basics/beta.md", "Beta", f"Beta{n}")
    events.next("reload")
    wait_for(lambda: b"Beta4" in get(server, "/ai-hub/basics/beta/")[2], message="last save served")
    assert status(server)["version"] - before <= 2  # watchfiles batches the burst


# ------------------------------------------------------------------------------------------ the command


def test_busy_port_is_a_clear_error(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "-C", str(project), "--port", str(port))
    assert result.exit_code == 2
    assert f"port {port}" in result.stderr and "in use" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.output


# ------------------------------------------------------------------------------------------ Session

EDITS: dict[str, dict[str, str | None]] = {
    "body": {"content/basics/beta.md": HUB["content/basics/beta.md"].replace("on alpha", "on alpha and more")},
    "title": {"content/basics/beta.md": HUB["content/basics/beta.md"].replace("title: Beta", "title: Better Beta")},
    "prev-next": {
        "content/basics/beta.md": HUB["content/basics/beta.md"].replace("next: gamma", "related: [gamma]"),
        "content/basics/delta.md": HUB["content/basics/delta.md"].replace(
            "hub: basics", "hub: basics\n        prev: beta"
        ),
    },
    "related": {
        "content/basics/delta.md": HUB["content/basics/delta.md"].replace(
            "hub: basics", "hub: basics\n        related: [beta]"
        )
    },
    "template": {
        "templates/article.html": (
            '{% extends "base.html" %}\n{% block content %}<p>custom</p>{{ page.html }}{% endblock %}\n'
        )
    },
    "config": {"hubgen.yaml": HUB["hubgen.yaml"].replace("Test Hub", "Renamed Hub")},
    "delete": {"content/basics/delta.md": None},
    "add": {"content/basics/epsilon.md": "---\ntitle: Epsilon\nsummary: New.\nhub: basics\ntags: [intro]\n---\nNew.\n"},
    "asset": {"content/basics/other.svg": HUB["content/basics/diagram.svg"]},
    "readme": {"content/extra/README.md": "---\ntitle: Extra\nsummary: x\nhub: basics\n---\nExtra.\n"},
}


def cold(project: Path) -> tuple[dict[str, bytes], dict[str, Path]]:
    """A cold render's files and copies, less its social cards and llms files (serve makes those when it is
    asked for them)."""
    files, copies, _, _ = _cold(project)
    return files, copies


def _cold(project: Path) -> tuple[dict[str, bytes], dict[str, Path], dict[str, bytes], dict[str, bytes]]:
    """A cold render's files, copies, social cards and llms files (llms.txt, llms-full.txt, twins)."""
    from hubgen.build.cards import cards_of
    from hubgen.build.llms import llms_files

    cold_session = Session(project)
    result = cold_session.check()
    assert result.graph is not None and result.errors == 0, result.diagnostics
    site = cold_session.render()
    cards = set(cards_of(result.graph))
    llms = {path for path, _ in llms_files(result.graph, cold_session.content_dir())[0]}
    files = {path: data for path, data in site.files.items() if path not in cards and path not in llms}
    return (
        files,
        site.copies,
        {path: data for path, data in site.files.items() if path in cards},
        {path: data for path, data in site.files.items() if path in llms},
    )


@pytest.mark.parametrize("kind", list(EDITS))
def test_live_site_matches_a_cold_build(project: Path, kind: str) -> None:
    if kind == "template":
        pytest.importorskip("jinja2")
    live = Session(project)
    assert live.update().ok
    write_files(project, EDITS[kind])
    result = live.update({project / rel for rel in EDITS[kind]})
    assert result.ok, result.diagnostics
    files, copies, cards, llms = _cold(project)
    assert live.site.files == files
    assert {path: live.llms_file(path) for path in llms} == llms, "llms files as a build writes them"
    assert live.site.copies == copies
    assert {path: live.card(key) for path, key in live.site.cards.items()} == cards, "cards as a build draws them"


def test_body_edit_renders_one_page_and_title_edit_its_dependents(project: Path) -> None:
    live = Session(project)
    first = live.update()
    assert first.rendered == sum(p.endswith(".html") for p in live.site.files)
    assert live.update(set()).rendered == 0
    write_files(project, EDITS["body"])
    assert live.update({project / "content/basics/beta.md"}).rendered == 1
    write_files(project, EDITS["title"])
    # beta itself, alpha and gamma (prev/next cards, path steps), the hub (path cards), alpha (backlink from body)
    assert live.update({project / "content/basics/beta.md"}).rendered == 4


def test_failed_rebuild_keeps_the_site_and_recovers(project: Path) -> None:
    live = Session(project)
    live.update()
    good = dict(live.site.files)
    write_files(project, {"content/basics/beta.md": HUB["content/basics/beta.md"].replace("next: gamma", "next: nope")})
    result = live.update({project / "content/basics/beta.md"})
    assert not result.ok and result.errors and live.site.files == good
    write_files(project, {"content/basics/beta.md": HUB["content/basics/beta.md"].replace("Beta builds", "Fixed")})
    assert live.update({project / "content/basics/beta.md"}).ok
    assert live.site.files == cold(project)[0]


def test_template_error_is_a_failed_rebuild(project: Path) -> None:
    live = Session(project)
    live.update()
    write_files(project, {"templates/article.html": "{% extends 'base.html' %}{% block content %}{{ page.nope }}"})
    result = live.update({project / "templates/article.html"})
    assert not result.ok and "template" in result.message
    (project / "templates/article.html").unlink()
    assert live.update({project / "templates/article.html"}).ok
    assert live.site.files == cold(project)[0]


def test_a_template_that_raises_is_a_failed_rebuild_not_a_dead_watcher(project: Path) -> None:
    live = Session(project)
    live.update()
    raising = "{% extends 'base.html' %}{% block content %}{{ 1 // 0 }}{% endblock %}"
    write_files(project, {"templates/article.html": raising})
    result = live.update({project / "templates/article.html"})
    assert not result.ok
    assert "templates/article.html:1: template error: ZeroDivisionError" in result.message
    (project / "templates/article.html").unlink()
    assert live.update({project / "templates/article.html"}).ok


def test_body_only_edit_skips_comparing_every_view(project: Path) -> None:
    """A body edit makes the edited page's view and nothing else: no other page's, no tag page's."""
    live = Session(project)
    live.update()
    write_files(project, EDITS["body"])
    result = live.update({project / "content/basics/beta.md"})
    assert result.ok and result.rendered == 1
    assert result.viewed == ("basics/beta",)
    assert live.site.files == cold(project)[0]


def test_body_edits_revalidate_only_their_page_and_match_a_cold_check(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Edits that leave a page's links, headings and front matter alone keep the graph and re-examine only
    that page: its own findings move with its lines, the others' (delta is an orphan) stay."""
    live = Session(project)
    assert live.update().ok

    def no_rebuild(*args: object, **kwargs: object) -> None:
        raise AssertionError("a body-only edit rebuilt the graph or rescanned content/")

    alpha = HUB["content/basics/alpha.md"]
    steps = [
        alpha.replace("![A diagram]", "![]"),  # image-alt appears
        alpha.replace("![A diagram]", "![]").replace("Alpha comes", "A new line.\n\n        Alpha comes"),  # it moves
        alpha.replace("![A diagram]", "<!-- hubgen-ignore-next-line image-alt -->\n        ![]"),  # ignored
        alpha.replace("Alpha comes first", "Alpha, at last, comes first"),  # and gone
    ]
    seen = []
    for text in steps:
        write_files(project, {"content/basics/alpha.md": text})
        with monkeypatch.context() as patched:  # the update only: the cold check below builds its own graph
            patched.setattr("hubgen.session.session.build_graph", no_rebuild)
            patched.setattr("hubgen.session.session.scan_content", no_rebuild)
            result = live.update({project / "content/basics/alpha.md"})
        assert result.ok and result.rendered == 1
        assert result.diagnostics == session.check(project).diagnostics
        assert live.site.files == cold(project)[0]
        seen.append(sorted((d.code, d.line) for d in result.diagnostics))
    orphan = ("orphan-page", 1)  # delta's, found before the edits and kept
    assert seen == [[("image-alt", 10), orphan], [("image-alt", 12), orphan], [orphan], [orphan]]


def test_a_body_edit_that_breaks_a_link_is_caught(project: Path) -> None:
    live = Session(project)
    assert live.update().ok
    broken = HUB["content/basics/beta.md"].replace("Beta builds", "See [alpha](alpha.md#nowhere). Beta builds")
    write_files(project, {"content/basics/beta.md": broken})
    result = live.update({project / "content/basics/beta.md"})
    assert not result.ok and [(d.file, d.code) for d in result.diagnostics if d.severity == "error"] == [
        ("content/basics/beta.md", "broken-anchor")
    ]
    write_files(project, {"content/basics/beta.md": broken.replace("#nowhere", "")})
    assert live.update({project / "content/basics/beta.md"}).ok
    assert live.site.files == cold(project)[0]


def test_title_and_summary_edits_render_only_the_pages_that_show_them(project: Path) -> None:
    """A new title or summary re-renders the pages whose last render looked the page up, and no other
    page's view is even made; each step matches a cold build and a cold check (delta's orphan warning
    names its title, so it must follow the new one)."""
    beta = HUB["content/basics/beta.md"]
    delta = HUB["content/basics/delta.md"].replace("        summary: An aside.\n", "")
    write_files(project, {"content/basics/delta.md": delta})  # delta's summary is its first paragraph
    live = Session(project)
    assert live.update().ok
    steps = [  # (file, new text, the pages whose views are made)
        ("beta", beta.replace("title: Beta", "title: Better Beta"), {"", "basics", "alpha", "beta", "gamma"}),
        ("beta", beta.replace("The second idea.", "A better idea."), {"", "basics", "alpha", "beta", "gamma"}),
        ("delta", delta.replace("title: Delta", "title: Delta Force"), {"", "basics", "delta"}),
        (
            "delta",
            delta.replace("title: Delta", "title: Delta Force").replace("stands", "sits"),
            {"", "basics", "delta"},
        ),
    ]
    for name, text, expected in steps:
        write_files(project, {f"content/basics/{name}.md": text})
        result = live.update({project / f"content/basics/{name}.md"})
        assert live.graph is not None
        pages = {v.removeprefix("basics/") for v in result.viewed if v in live.graph.pages}
        assert pages == expected
        assert result.ok, result.diagnostics
        assert live.site.files == cold(project)[0]
        assert result.diagnostics == session.check(project).diagnostics
    assert "'Delta Force' is on no learning path" in str(result.diagnostics)


def test_full_rebuilds_do_not_leave_frozen_garbage_behind(server: DevServer) -> None:
    """serve freezes the built site out of the collector's way; before freezing a new full build it lets the
    last one be collected, so a long session of template edits does not pile up frozen cyclic garbage."""
    import gc

    counts = []
    for _ in range(4):
        wait_for(server.search.idle, message="the search index is made")  # its thread allocates meanwhile
        assert server.rebuild(None).ok
        counts.append(gc.get_freeze_count())
    assert max(counts[1:]) - min(counts[1:]) < 50, counts


# ------------------------------------------------------------------------------------------ search


def _indexed(server: DevServer) -> None:
    wait_for(lambda: server.search.idle() and server.search.file("hubgen-parts.json") != BUILDING, message="index")


def test_search_index_is_served_from_hubgens_cache_not_the_output_folder(server: DevServer, project: Path) -> None:
    _indexed(server)
    code, headers, body = get(server, "/ai-hub/pagefind/hubgen-parts.json")
    assert code == 200 and json.loads(body) == {"parts": []}
    code, headers, body = get(server, "/ai-hub/pagefind/pagefind.js")
    assert code == 200 and headers["content-type"].startswith("text/javascript") and b"mergeIndex" in body
    code, _, body = get(server, "/ai-hub/pagefind/pagefind-entry.json")
    assert code == 200 and json.loads(body)["languages"]
    assert get(server, "/ai-hub/pagefind/nothing.js")[0] == 404
    assert not (project / "site").exists()
    runs = list((project / ".hubgen-cache" / "serve").glob("run-*"))
    assert [run.name for run in runs] == [f"run-{os.getpid()}"] and list(runs[0].glob("index-*/pagefind.js"))
    server.stop()
    assert not runs[0].exists()  # a server cleans up after itself


def test_until_the_first_index_is_made_the_parts_list_says_so(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hubgen.serve import searchindex

    release = threading.Event()
    real = searchindex.index_site
    monkeypatch.setattr(searchindex, "index_site", lambda *a, **k: (release.wait(DEADLINE), real(*a, **k)))
    dev = DevServer(project, "127.0.0.1", 0)
    dev.start()
    try:
        code, headers, body = get(dev, "/ai-hub/pagefind/hubgen-parts.json")
        assert code == 200 and headers["content-type"] == "application/json" and json.loads(body)["building"]
        assert get(dev, "/ai-hub/")[0] == 200  # pages are served meanwhile
        release.set()
        _indexed(dev)
        assert json.loads(get(dev, "/ai-hub/pagefind/hubgen-parts.json")[2]) == {"parts": []}
    finally:
        release.set()
        dev.stop()


def test_an_indexing_failure_is_one_line_and_the_parts_list_says_why(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubgen.build.search import SearchIndexError
    from hubgen.serve import searchindex

    def broken(*args: object, **kwargs: object) -> None:
        raise SearchIndexError("search indexing with Pagefind failed: no pagefind")

    monkeypatch.setattr(searchindex, "index_site", broken)
    said: list[tuple[str, bool]] = []
    dev = DevServer(project, "127.0.0.1", 0, log=lambda text, error: said.append((text, error)))
    dev.start()
    try:
        wait_for(dev.search.idle, message="indexing tried")
        listing = json.loads(get(dev, "/ai-hub/pagefind/hubgen-parts.json")[2])
        assert listing == {"parts": [], "error": "search indexing with Pagefind failed: no pagefind"}
        assert [text for text, error in said if error] == [
            "hubgen: search indexing with Pagefind failed: no pagefind; search is off until it works"
        ]
    finally:
        dev.stop()


def test_with_search_off_nothing_is_indexed_or_served(project: Path) -> None:
    write_files(project, {"hubgen.yaml": "title: Test Hub\nbase_url: https://example.org/ai-hub/\nsearch: false\n"})
    dev = DevServer(project, "127.0.0.1", 0)
    dev.start()
    try:
        assert get(dev, "/ai-hub/pagefind/hubgen-parts.json")[0] == 404
        assert dev.search.idle() and not list((project / ".hubgen-cache" / "serve").rglob("*.pagefind"))
    finally:
        dev.stop()


def test_a_planted_link_in_the_cache_is_replaced_not_followed(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".hubgen-cache").mkdir()
    (project / ".hubgen-cache" / "serve").symlink_to(outside)
    dev = DevServer(project, "127.0.0.1", 0)
    dev.start()
    try:
        _indexed(dev)
        assert list(outside.iterdir()) == []
        assert not (project / ".hubgen-cache" / "serve").is_symlink()
    finally:
        dev.stop()


def test_run_folders_of_servers_that_are_gone_are_removed(project: Path) -> None:
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])  # a process that has ended: its id is free
    gone.wait()
    serve = project / ".hubgen-cache" / "serve"
    write_files(
        project,
        {f".hubgen-cache/serve/run-{gone.pid}/site/x.html": "x", f".hubgen-cache/serve/run-{os.getppid()}/y": "y"},
    )
    dev = DevServer(project, "127.0.0.1", 0)
    dev.start()
    try:
        _indexed(dev)
        assert not (serve / f"run-{gone.pid}").exists()
        assert (serve / f"run-{os.getppid()}" / "y").is_file()  # a live process's folder is left alone
    finally:
        dev.stop()
