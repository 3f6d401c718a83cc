"""`hubgen serve` outlives what a client or an editor can do: clients that hang up or go quiet, too many
event streams, a broken hubgen.yaml, a folder that goes away, a page that becomes a pipe or a loop. Each
failure is a message on one line and in the page overlay; the watcher keeps going and a fix recovers."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import socket
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import write_files
from hubgen import session
from hubgen.serve import http as devhttp
from hubgen.serve.server import DevServer
from hubgen.session import Session
from test_serve import HUB, EventClient, edit, get, status, wait_for

BIG = "x" * 4_000_000  # a page bigger than any socket buffer: a client that hangs up breaks the write


class Logged:
    """What the server said on the terminal: (line, is_error)."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, bool]] = []

    def __call__(self, text: str, error: bool) -> None:
        self.lines.append((text, error))

    @property
    def errors(self) -> list[str]:
        return [text for text, error in self.lines if error]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_files(tmp_path / "hub", HUB)


@pytest.fixture
def logged() -> Logged:
    return Logged()


@pytest.fixture
def server(project: Path, logged: Logged) -> Iterator[DevServer]:
    dev = DevServer(project, "127.0.0.1", 0, log=logged)
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


def raw(server: DevServer, data: bytes, reset: bool = False) -> socket.socket:
    """A raw connection that has sent `data`; with `reset`, closing it sends a TCP reset."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    if reset:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if data:
        sock.sendall(data)
    return sock


def answers(server: DevServer) -> bool:
    try:
        return get(server, "/ai-hub/")[0] == 200
    except (OSError, http.client.HTTPException):
        return False


def served(server: DevServer, path: str = "/ai-hub/basics/alpha/") -> bytes:
    code, _, body = get(server, path)
    assert code == 200, (path, code)
    return body


def recovers(server: DevServer, events: EventClient, project: Path, marker: str) -> None:
    """The watcher still runs: a page edit is rebuilt, announced and served."""
    edit(project, "content/basics/delta.md", "Delta stands alone.", f"Delta stands alone. {marker}")
    events.next("reload")
    wait_for(lambda: marker.encode() in served(server, "/ai-hub/basics/delta/"), message="the edit is served")
    assert status(server)["errors"] == []


# ------------------------------------------------------------------------------------------ clients


def test_clients_that_hang_up_leave_no_trace(project: Path, logged: Logged, capfd: pytest.CaptureFixture[str]) -> None:
    write_files(project, {"content/basics/big.md": f"---\ntitle: Big\nsummary: s\nhub: basics\n---\n{BIG}\n"})
    dev = DevServer(project, "127.0.0.1", 0, log=logged)
    dev.start()
    try:
        for n in range(40):
            request = b"GET /ai-hub/basics/big/ HTTP/1.1\r\nHost: x\r\n\r\n"
            sock = raw(dev, request, reset=n % 2 == 0)
            if n % 4 == 1:
                sock.recv(100)  # the answer has started: the hang-up lands mid-body
            sock.close()
        wait_for(lambda: len(get(dev, "/ai-hub/basics/big/")[2]) > len(BIG), message="a whole answer")
        time.sleep(0.3)  # the handler threads of the hung-up clients have finished
    finally:
        dev.stop()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception occurred" not in err, err[-2000:]
    assert logged.errors == []


def test_a_silent_client_does_not_block_others_and_is_dropped(
    server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(devhttp.Handler, "timeout", 1.0)
    idle = [raw(server, b"") for _ in range(20)]
    slow = raw(server, b"GET /ai-hub/ HTTP/1.1\r\nHost: x\r\n")  # headers that never end
    started = time.monotonic()
    assert b"Welcome to the hub." in served(server, "/ai-hub/")
    assert time.monotonic() - started < 2
    for sock in [*idle, slow]:
        sock.settimeout(5)
        assert sock.recv(100) == b""  # the server closed it: it waited a second, not forever
        sock.close()


def test_too_many_connections_are_closed_not_queued(server: DevServer, monkeypatch: pytest.MonkeyPatch) -> None:
    assert server._httpd is not None
    server._httpd.max_connections = 5
    held = [raw(server, b"GET /ai-hub/ HTTP/1.1\r\n") for _ in range(5)]
    time.sleep(0.2)
    extra = raw(server, b"")
    extra.settimeout(5)
    with contextlib.suppress(ConnectionResetError):  # a reset is a refusal too
        assert extra.recv(100) == b""  # closed at once, not left waiting for a request
    extra.close()
    for sock in held:
        sock.close()
    wait_for(lambda: answers(server), message="the slots are free again")


@pytest.mark.parametrize(
    ("request_bytes", "code"),
    [
        # each is just long enough to be refused, so the server has read all of it (no reset)
        (b"GET /" + b"a" * 65_532, 414),
        (b"GET /ai-hub/ HTTP/1.1\r\n" + b"X: y\r\n" * 101, 431),
        (b"GET /ai-hub/ HTTP/1.1\r\nX: " + b"y" * 65_534, 431),
        (b"GET //[x HTTP/1.0\r\n\r\n", 404),
        (b"GET http://[::1 HTTP/1.0\r\n\r\n", 404),
        (b"GET * HTTP/1.0\r\n\r\n", 404),
        (b"GET /ai-hub/%ff%fe HTTP/1.0\r\n\r\n", 404),
        (b"BREW /ai-hub/ HTTP/1.0\r\n\r\n", 501),
    ],
)
def test_oversized_and_odd_requests_are_refused(
    server: DevServer, logged: Logged, request_bytes: bytes, code: int
) -> None:
    sock = raw(server, request_bytes)
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    sock.close()
    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == str(code).encode()
    assert logged.errors == []


def test_event_streams_are_capped(server: DevServer) -> None:
    server.broker.limit = 2
    streams = [EventClient(server), EventClient(server)]
    try:
        code, headers, _ = get(server, "/ai-hub/__hubgen/events")
        assert code == 503 and headers["retry-after"]
        assert get(server, "/ai-hub/")[0] == 200
    finally:
        for stream in streams:
            stream.close()


def test_a_failing_request_is_one_line(
    server: DevServer, logged: Logged, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object) -> None:
        raise ValueError("no such thing\nsecond line")

    monkeypatch.setattr(devhttp, "resolve", broken)
    sock = raw(server, b"GET /ai-hub/ HTTP/1.0\r\n\r\n")
    sock.settimeout(5)
    sock.recv(100)
    sock.close()
    wait_for(lambda: logged.errors, message="the failure is logged")
    assert logged.errors == ["hubgen: a request failed: ValueError: no such thing\\x0asecond line"]
    assert "Traceback" not in capfd.readouterr().err


# ------------------------------------------------------------------------------------------ the site's address


def test_the_root_redirects_to_the_base_path(server: DevServer) -> None:
    code, headers, _ = get(server, "/")
    assert code == 302 and headers["location"] == "/ai-hub/"
    assert get(server, "/?x=1")[0] == 302


def test_the_root_is_the_site_without_a_sub_path(project: Path) -> None:
    write_files(project, {"hubgen.yaml": "title: Test Hub\n"})
    dev = DevServer(project, "127.0.0.1", 0)
    dev.start()
    try:
        assert b"Welcome to the hub." in served(dev, "/")
    finally:
        dev.stop()


def test_the_first_line_counts_pages_as_build_does(project: Path, logged: Logged, tmp_path: Path) -> None:
    write_files(project, {"content/basics/draft.md": "---\ntitle: D\nsummary: s\nhub: basics\ndraft: true\n---\nD.\n"})
    built = session.build(project, output_dir=tmp_path / "out")
    dev = DevServer(project, "127.0.0.1", 0, log=logged)
    dev.start()
    dev.stop()
    first = logged.lines[0][0]
    assert first.startswith(f"Built {built.check.pages} pages ({built.hubs} hub) in "), first


# ------------------------------------------------------------------------------------------ the editor

# hubgen.yaml as an editor may save it halfway -> the line its diagnostic (config-syntax or config-type) names
BROKEN_CONFIGS: dict[str, tuple[str | bytes, int]] = {
    "unclosed": ("title: [unclosed\n", 2),
    "unknown tag": ("title: !foo x\n", 1),
    "python tag": ("title: !!python/object/apply:os.system [ls]\n", 1),
    "bad base64": ("title: !!binary xyz\n", 1),
    "impossible date": ("title: 2001-13-45\n", 1),
    "not a mapping": ("- title\n", 1),
    "wrong type": ("title: Test Hub\nbase_url: 5\n", 2),
    "recursive alias": ("a: &x [*x]\ntitle: *x\n", 1),
    "not UTF-8": (b"title: \xff\xfe\n", 1),
}


@pytest.mark.parametrize("name", list(BROKEN_CONFIGS))
def test_a_broken_config_is_shown_and_fixing_it_recovers(
    server: DevServer, events: EventClient, project: Path, logged: Logged, name: str
) -> None:
    text, line = BROKEN_CONFIGS[name]
    write_files(project, {"hubgen.yaml": text})
    errors = json.loads(events.next("error"))
    first = errors[0]
    assert (first["file"], first["line"]) == ("hubgen.yaml", line) and first["column"] >= 1, first
    assert first["code"] in ("config-syntax", "config-type")
    assert status(server)["errors"] == errors  # what a page loaded now shows in its overlay
    assert b"Alpha comes first" in served(server)  # the last good build
    assert f"hubgen.yaml:{line}:{first['column']}" in logged.errors[-1]
    assert all("\x1b" not in text for text in logged.errors)
    write_files(project, {"hubgen.yaml": HUB["hubgen.yaml"]})
    events.next("reload")
    recovers(server, events, project, "after the config")


def _rename_content(project: Path) -> Callable[[], None]:
    (project / "content").rename(project / "moved")
    return lambda: (project / "moved").rename(project / "content")


def _page_becomes_folder(project: Path) -> Callable[[], None]:
    page = project / "content/basics/beta.md"
    text = page.read_bytes()
    page.unlink()
    page.mkdir()
    return lambda: (shutil.rmtree(page), page.write_bytes(text))


def _page_becomes_pipe(project: Path) -> Callable[[], None]:
    os.mkfifo(project / "content/basics/pipe.md")
    os.mkfifo(project / "content/basics/pipe.svg")
    return lambda: ((project / "content/basics/pipe.md").unlink(), (project / "content/basics/pipe.svg").unlink())


def _page_becomes_a_loop(project: Path) -> Callable[[], None]:
    page = project / "content/basics/beta.md"
    text = page.read_bytes()
    page.unlink()
    page.symlink_to(page.name)
    return lambda: (page.unlink(), page.write_bytes(text))


def _page_becomes_binary(project: Path) -> Callable[[], None]:
    page = project / "content/basics/beta.md"
    text = page.read_bytes()
    page.write_bytes(b"\x00\xff" * 100)
    return lambda: page.write_bytes(text)


def _broken_template(project: Path) -> Callable[[], None]:
    write_files(project, {"templates/article.html": "{% extends 'base.html' %}{% block content %}{{ page.nope }"})
    return lambda: (project / "templates").joinpath("article.html").unlink()


def _template_loop(project: Path) -> Callable[[], None]:
    write_files(project, {"templates/base.html": "{% include 'base.html' %}"})
    return lambda: shutil.rmtree(project / "templates")


BREAKAGES: dict[str, tuple[Callable[[Path], Callable[[], None]], str]] = {
    "content folder renamed": (_rename_content, "no content folder"),
    "page becomes a folder": (_page_becomes_folder, "'beta'"),
    "named pipes": (_page_becomes_pipe, "content/basics/pipe.md"),
    "symlink loop": (_page_becomes_a_loop, "content/basics/beta.md"),
    "binary page": (_page_becomes_binary, "content/basics/beta.md"),
    "broken template": (_broken_template, "template error"),
    "template includes itself": (_template_loop, "template error"),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_the_watcher_outlives_what_an_editor_does(
    server: DevServer, events: EventClient, project: Path, logged: Logged, name: str
) -> None:
    breaks, shown = BREAKAGES[name]
    started = time.monotonic()
    restore = breaks(project)
    errors = json.loads(events.next("error"))
    assert any(shown in error["text"] for error in errors), errors
    assert time.monotonic() - started < 5
    assert b"Alpha comes first" in served(server)
    assert logged.errors and logged.errors[-1].endswith("still serving the last good build")
    restore()
    events.next("reload")
    recovers(server, events, project, f"after {name}")


def test_an_unexpected_failure_is_a_message_not_a_dead_watcher(
    server: DevServer, events: EventClient, project: Path, logged: Logged, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Session._update

    def once(self: Session, changes: set[Path]) -> object:
        monkeypatch.setattr(Session, "_update", real)
        raise RuntimeError("boom\x1b[2J")

    monkeypatch.setattr(Session, "_update", once)
    edit(project, "content/basics/delta.md", "An aside.", "An aside, once more.")
    errors = json.loads(events.next("error"))
    assert errors[0]["code"] == "rebuild" and errors[0]["text"] == "rebuild failed: RuntimeError: boom\x1b[2J"
    assert "rebuild failed: RuntimeError: boom\\x1b[2J" in logged.errors[-1]  # the terminal sees no escape
    recovers(server, events, project, "after the failure")


@pytest.mark.parametrize("how", ["renamed away and back", "deleted and made again"])
def test_the_project_folder_going_away_and_coming_back(
    server: DevServer, events: EventClient, project: Path, logged: Logged, how: str
) -> None:
    # the first search index is written into the project's cache in the background: removing the folder
    # meanwhile can race with those writes (rmtree: "Directory not empty"); serve copes, the test waits
    wait_for(server.search.idle, message="the first search index is made")
    if how == "renamed away and back":
        project.rename(project.with_name("away"))
    else:
        shutil.rmtree(project)
    wait_for(lambda: any("cannot watch" in text for text in logged.errors), message="the watcher noticed")
    assert b"Alpha comes first" in served(server)  # still the last good build, from memory
    if how == "renamed away and back":
        project.with_name("away").rename(project)
    else:
        write_files(project, HUB)
    events.next("reload")
    recovers(server, events, project, f"after the folder was {how}")
    assert sum("cannot watch" in text for text in logged.errors) == 1  # said once, not once a second


def test_indexing_never_makes_a_deleted_project_folder_again(
    project: Path, logged: Logged, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project folder deleted while its search index is being made stays deleted: serve's indexer makes
    no folder above its own, so the watcher sees the folder gone (and the index is made again with it)."""
    import threading

    from hubgen.serve import searchindex

    started, release = threading.Event(), threading.Event()
    real = searchindex.SearchIndexer._mirror

    def held(self: searchindex.SearchIndexer, site: Path, pages: dict[str, bytes]) -> dict[str, str]:
        started.set()
        release.wait(10)
        return real(self, site, pages)

    monkeypatch.setattr(searchindex.SearchIndexer, "_mirror", held)
    dev = DevServer(project, "127.0.0.1", 0, log=logged)
    dev.start()
    try:
        assert started.wait(10)
        shutil.rmtree(project)
        release.set()
        wait_for(dev.search.idle, message="the indexing run ended")
        assert not project.exists()
        wait_for(lambda: any("cannot watch" in text for text in logged.errors), message="the watcher noticed")
        assert not project.exists()
    finally:
        release.set()
        dev.stop()
