"""Hostile servers cannot make `check --external` unbounded: real loopback servers that drip headers, fail
forever, never answer or send an endless body each end within timeout x (retries + 1) plus slack, as an
`external-link` error naming why."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hubgen.core import external
from hubgen.core.config import ExternalOptions
from hubgen.core.diagnostics import Diagnostic
from hubgen.core.external import ExternalLink, Pacing, check_external

SLACK = 2.0  # seconds for start-up, back-offs and a shared machine


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class Hostile:
    """A loopback HTTP server whose every answer is `behave(handler)`; counts requests."""

    def __init__(self, behave: Callable[[BaseHTTPRequestHandler, threading.Event], None]) -> None:
        self.requests = 0
        self.stop = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self.answer()

            def do_GET(self) -> None:
                self.answer()

            def answer(self) -> None:
                owner.requests += 1
                with contextlib.suppress(OSError):  # the checker hung up: what a bounded client does
                    behave(self, owner.stop)

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/page"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def serve(behave: Callable[[BaseHTTPRequestHandler, threading.Event], None]) -> Iterator[Hostile]:
    server = Hostile(behave)
    try:
        yield server
    finally:
        server.close()


def drip_headers(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """A status line, then one header line every 0.2 s, never the blank line that ends them."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    while not stop.wait(0.2):
        handler.wfile.write(b"X-Drip: 1\r\n")
        handler.wfile.flush()


def unavailable(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    handler.send_response(503)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def silent(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Accepts the connection, reads the request and never says a word."""
    stop.wait(30)


def endless_redirect_body(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """HEAD refused, then a redirect whose body never ends (httpx reads a redirect's body before following it)."""
    if handler.command == "HEAD":
        handler.send_response(405)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    handler.send_response(302)
    handler.send_header("Location", "/elsewhere")
    handler.send_header("Content-Length", str(10**12))
    handler.end_headers()
    chunk = b"x" * 65536
    while not stop.is_set():
        handler.wfile.write(chunk)


QUICK = Pacing(backoff=0.01, max_retry_after=0.5)


def settings(timeout: float, retries: int) -> ExternalOptions:
    return ExternalOptions(timeout=timeout, retries=retries)


def run(url: str, config: ExternalOptions, pacing: Pacing = QUICK) -> tuple[Diagnostic, float]:
    started = time.monotonic()
    [item] = check_external([ExternalLink(url, "content/h/a.md", 7, 3)], config, None, pacing)
    elapsed = time.monotonic() - started
    assert (item.code, item.file, item.line, item.column, item.severity) == (
        "external-link",
        "content/h/a.md",
        7,
        3,
        "error",
    )
    return item, elapsed


@pytest.fixture
def dripping() -> Iterator[Hostile]:
    yield from serve(drip_headers)


@pytest.fixture
def failing() -> Iterator[Hostile]:
    yield from serve(unavailable)


@pytest.fixture
def mute() -> Iterator[Hostile]:
    yield from serve(silent)


@pytest.fixture
def flooding() -> Iterator[Hostile]:
    yield from serve(endless_redirect_body)


def test_dripping_headers_cannot_outlast_the_timeout(dripping: Hostile) -> None:
    """httpx's timeout is per read: a byte every 0.2 s under a 1 s timeout used to hang forever."""
    item, elapsed = run(dripping.url, settings(timeout=1.0, retries=1))
    assert elapsed < 1.0 * 2 + SLACK
    assert "timed out after 1 s" in item.message and "2 attempts" in item.hint
    assert dripping.requests == 2


def test_failing_forever_stops_at_the_retry_ceiling(failing: Hostile) -> None:
    item, elapsed = run(failing.url, settings(timeout=1.0, retries=1_000_000))
    assert failing.requests == external.MAX_RETRIES + 1
    assert "503 Service Unavailable" in item.message and f"{external.MAX_RETRIES + 1} attempts" in item.hint
    assert elapsed < SLACK + external.MAX_RETRIES * 0.5


def test_a_server_that_never_answers_is_a_timeout(mute: Hostile) -> None:
    item, elapsed = run(mute.url, settings(timeout=0.5, retries=2))
    assert elapsed < 0.5 * 3 + SLACK
    assert "timed out after 0.5 s" in item.message and "3 attempts" in item.hint


def test_an_endless_body_is_cut_off(flooding: Hostile) -> None:
    item, elapsed = run(flooding.url, settings(timeout=10.0, retries=3))
    assert elapsed < SLACK
    # Each endless body is cut at MAX_BODY_BYTES and never fails the link by itself (a check needs the status
    # alone); here the redirects never end, and that is the failure, after MAX_REDIRECTS of them.
    assert f"redirects more than {external.MAX_REDIRECTS} times" in item.message
    assert flooding.requests == 2 + external.MAX_REDIRECTS  # HEAD, then GET and its redirects; not retried


def test_back_off_is_capped_too(failing: Hostile) -> None:
    _item, elapsed = run(failing.url, settings(1.0, 3), Pacing(backoff=1000.0, max_retry_after=0.2))
    assert failing.requests == 4 and elapsed < 3 * 0.2 + SLACK


def large_redirect_body(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """HEAD refused; GET /old answers 301 with a 200 KB page, and /new is fine."""
    if handler.command == "HEAD":
        handler.send_response(405)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return
    body = b"moved " * 40_000 if handler.path == "/old" else b"ok"
    handler.send_response(301 if handler.path == "/old" else 200)
    if handler.path == "/old":
        handler.send_header("Location", "/new")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_a_large_body_on_a_working_link_is_not_a_failure() -> None:
    """The cap bounds what is read; it is not a verdict: the redirect is reported as a redirect."""
    for server in serve(large_redirect_body):
        old = server.url.rsplit("/", 1)[0] + "/old"
        [item] = check_external([ExternalLink(old, "content/h/a.md", 7, 3)], settings(5.0, 0), None, QUICK)
        assert (item.code, item.severity) == ("external-redirect", "warning")
        assert "/new" in item.message
