"""The external link checker, against a real HTTP server on a loopback port (never the internet)."""

from __future__ import annotations

import asyncio
import email.utils
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hubgen.core import external
from hubgen.core.config import ExternalOptions
from hubgen.core.diagnostics import Diagnostic
from hubgen.core.external import ExternalLink, Pacing, cache_file, check_external

Settings = tuple[ExternalOptions, Pacing]
# Small back-offs keep the file fast; retries are still exercised.
FAST: Settings = (ExternalOptions(timeout=2.0, retries=2), Pacing(backoff=0.01, max_retry_after=5.0))


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128  # the default 5 drops bursts of connections (and the client retries after 1 s)


class Server:
    """A threaded HTTP server on 127.0.0.1 that counts requests and tracks how many are in flight."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()  # path -> requests (any method)
        self.methods: Counter[tuple[str, str]] = Counter()  # (method, path) -> requests
        self.user_agents: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.httpd = _HTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01})

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, path: str) -> int:
        with self.lock:
            return self.requests[path]

    def record(self, method: str, path: str, user_agent: str) -> int:
        """Count the request; return how many requests this path had before it."""
        with self.lock:
            before = self.requests[path]
            self.requests[path] += 1
            self.methods[(method, path)] += 1
            self.user_agents.append(user_agent)
            return before


def _handler_for(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self.handle_request("HEAD")

        def do_GET(self) -> None:
            self.handle_request("GET")

        def reply(self, method: str, status: int, headers: dict[str, str] | None = None) -> None:
            body = b"hello\n"
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method == "GET":
                self.wfile.write(body)

        def handle_request(self, method: str) -> None:
            path = self.path.split("?", 1)[0]
            before = server.record(method, path, self.headers.get("User-Agent", ""))
            if path == "/ok":
                self.reply(method, 200)
            elif path == "/missing":
                self.reply(method, 404)
            elif path == "/gone":
                self.reply(method, 410)
            elif path == "/moved":
                self.reply(method, 301, {"Location": "/ok"})
            elif path == "/moved-temporarily":
                self.reply(method, 302, {"Location": server.url("/ok")})
            elif path == "/moved-missing":
                self.reply(method, 302, {"Location": "/missing"})
            elif path == "/loop":
                self.reply(method, 302, {"Location": "/loop"})
            elif path == "/head-not-allowed":
                self.reply(method, 405 if method == "HEAD" else 200, {"Allow": "GET"})
            elif path == "/head-forbidden":
                self.reply(method, 403 if method == "HEAD" else 200)
            elif path == "/head-not-implemented":
                self.reply(method, 501 if method == "HEAD" else 200)
            elif path == "/flaky":
                self.reply(method, 500 if before == 0 else 200)
            elif path == "/always-503":
                self.reply(method, 503)
            elif path == "/busy":
                self.reply(method, *((429, {"Retry-After": "1"}) if before == 0 else (200,)))
            elif path == "/busy-long":
                self.reply(method, *((429, {"Retry-After": "120"}) if before == 0 else (200,)))
            elif path == "/busy-date":
                past = email.utils.formatdate(time.time() - 60, usegmt=True)
                self.reply(method, *((429, {"Retry-After": past}) if before == 0 else (200,)))
            elif path == "/always-429":
                self.reply(method, 429, {"Retry-After": "0"})
            elif path == "/slow":
                time.sleep(1.0)
                self.reply(method, 200)
            elif path.startswith("/sleep/"):
                with server.lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                time.sleep(0.15)
                with server.lock:
                    server.in_flight -= 1
                self.reply(method, 200)
            else:
                self.reply(method, 404)

    return Handler


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy from the environment must not carry loopback requests anywhere."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
        srv.thread.join(timeout=5)


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound but not listening: connecting to it is refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def link(url: str, file: str = "docs/page.md", line: int = 3, column: int = 5) -> ExternalLink:
    return ExternalLink(url, file, line, column)


def settings(**changes: object) -> Settings:
    """FAST with some settings or pacing changed, each by its name."""
    from dataclasses import fields, replace

    options, pacing = FAST
    paced = {f.name for f in fields(Pacing)}
    return (
        replace(options, **{k: v for k, v in changes.items() if k not in paced}),  # type: ignore[arg-type]
        replace(pacing, **{k: v for k, v in changes.items() if k in paced}),  # type: ignore[arg-type]
    )


def check(links: list[ExternalLink], cfg: Settings = FAST, cache: Path | None = None) -> list[Diagnostic]:
    options, pacing = cfg
    return check_external(links, options, cache, pacing)


# ---------------------------------------------------------------------------------------------- answers


def test_no_links_no_diagnostics() -> None:
    assert check([]) == []


def test_ok_link_is_silent(server: Server) -> None:
    assert check([link(server.url("/ok"))]) == []
    assert server.methods[("HEAD", "/ok")] == 1
    assert server.methods[("GET", "/ok")] == 0


def test_user_agent_is_sent(server: Server) -> None:
    check([link(server.url("/ok"))], settings(user_agent="hubgen-test/9"))
    assert server.user_agents == ["hubgen-test/9"]


def test_missing_one_request_and_a_diagnostic_per_link(server: Server) -> None:
    url = server.url("/missing")
    links = [link(url, "b.md", 7, 2), link(url, "a.md", 1, 10), link(url + "#part", "a.md", 4, 1)]
    result = check(links)
    assert server.count("/missing") == 1
    assert [(d.file, d.line, d.column) for d in result] == [("a.md", 1, 10), ("a.md", 4, 1), ("b.md", 7, 2)]
    assert {d.code for d in result} == {"external-link"}
    assert {d.severity for d in result} == {"error"}
    assert result[0].message == f"{url} returned 404 Not Found"
    assert result[1].message == f"{url}#part returned 404 Not Found"
    assert "remove" in result[0].hint


def test_gone_is_not_retried(server: Server) -> None:
    [d] = check([link(server.url("/gone"))])
    assert "410 Gone" in d.message
    assert server.count("/gone") == 1


def test_fragment_is_not_requested_and_shares_the_request(server: Server) -> None:
    assert check([link(server.url("/ok#intro")), link(server.url("/ok")), link(server.url("/ok#x"))]) == []
    assert server.count("/ok") == 1


@pytest.mark.parametrize("path", ["/moved", "/moved-temporarily"])
def test_redirect_is_a_warning_naming_the_final_url(server: Server, path: str) -> None:
    [d] = check([link(server.url(path), "guide.md", 12, 8)])
    final = server.url("/ok")
    assert (d.code, d.severity, d.file, d.line, d.column) == (
        "external-redirect",
        "warning",
        "guide.md",
        12,
        8,
    )
    assert d.message == f"{server.url(path)} redirects to {final}"
    assert d.hint == f"update the link to {final}"


def test_redirect_keeps_the_links_fragment_in_the_suggestion(server: Server) -> None:
    [d] = check([link(server.url("/moved#setup"))])
    assert d.hint == f"update the link to {server.url('/ok')}#setup"


def test_redirect_to_a_missing_page_is_an_error(server: Server) -> None:
    [d] = check([link(server.url("/moved-missing"))])
    assert d.code == "external-link"
    assert "returned 404 Not Found" in d.message
    assert server.url("/missing") in d.message


def test_redirect_loop_fails_without_raising(server: Server) -> None:
    [d] = check([link(server.url("/loop"))])
    assert d.code == "external-link"
    assert "redirects more than 10 times" in d.message


@pytest.mark.parametrize("path", ["/head-not-allowed", "/head-forbidden", "/head-not-implemented"])
def test_head_refused_falls_back_to_get(server: Server, path: str) -> None:
    assert check([link(server.url(path))]) == []
    assert server.methods[("HEAD", path)] == 1
    assert server.methods[("GET", path)] == 1


# ----------------------------------------------------------------------------------------------- retries


def test_server_error_is_retried(server: Server) -> None:
    assert check([link(server.url("/flaky"))]) == []
    assert server.count("/flaky") == 2


def test_server_error_without_retries_fails(server: Server) -> None:
    [d] = check([link(server.url("/flaky"))], settings(retries=0))
    assert d.message == f"{server.url('/flaky')} returned 500 Internal Server Error"
    assert server.count("/flaky") == 1


def test_retries_back_off_exponentially_then_fail(server: Server) -> None:
    start = time.monotonic()
    [d] = check([link(server.url("/always-503"))], settings(retries=2, backoff=0.1))
    elapsed = time.monotonic() - start
    assert server.count("/always-503") == 3
    assert elapsed >= 0.3 - 0.02  # 0.1 + 0.2
    assert d.code == "external-link"
    assert d.message.endswith("returned 503 Service Unavailable")
    assert "3 attempts" in d.hint


def test_too_many_requests_honours_retry_after(server: Server) -> None:
    start = time.monotonic()
    assert check([link(server.url("/busy"))]) == []
    elapsed = time.monotonic() - start
    assert server.count("/busy") == 2
    assert 0.95 <= elapsed < 4.0


def test_retry_after_is_capped(server: Server) -> None:
    start = time.monotonic()
    assert check([link(server.url("/busy-long"))], settings(max_retry_after=0.2)) == []
    elapsed = time.monotonic() - start
    assert server.count("/busy-long") == 2
    assert 0.18 <= elapsed < 2.0


def test_retry_after_http_date(server: Server) -> None:
    start = time.monotonic()
    assert check([link(server.url("/busy-date"))]) == []
    assert time.monotonic() - start < 2.0
    assert server.count("/busy-date") == 2


def test_too_many_requests_counts_as_retries_then_fails(server: Server, tmp_path: Path) -> None:
    [d] = check([link(server.url("/always-429"))], settings(retries=1), tmp_path)
    assert server.count("/always-429") == 2
    assert d.message.endswith("returned 429 Too Many Requests")
    assert "rate limiting" in d.hint
    assert not (tmp_path / cache_file()).exists()  # not a definitive answer: never cached


def test_timeout(server: Server) -> None:
    start = time.monotonic()
    [d] = check([link(server.url("/slow"), "t.md", 2, 9)], settings(timeout=0.3, retries=0))
    assert time.monotonic() - start < 0.9
    assert (d.code, d.file, d.line, d.column) == ("external-link", "t.md", 2, 9)
    assert d.message == f"{server.url('/slow')} timed out after 0.3 s"


def test_timeout_is_retried(server: Server) -> None:
    [d] = check([link(server.url("/slow"))], settings(timeout=0.2, retries=1))
    assert server.count("/slow") == 2
    assert "timed out after 0.2 s" in d.message
    assert "2 attempts" in d.hint


def test_connection_refused(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/page"
    [d] = check([link(url, "c.md", 5, 6)], settings(retries=1))
    assert (d.code, d.severity, d.file, d.line, d.column) == ("external-link", "error", "c.md", 5, 6)
    assert d.message.startswith(f"{url} connection failed: ")


def test_invalid_url_does_not_raise() -> None:
    [d] = check([link("http://")])
    assert d.code == "external-link"
    assert "not a valid URL" in d.message


# ---------------------------------------------------------------------------------------- what is checked


def test_excluded_urls_are_not_requested(server: Server) -> None:
    links = [link(server.url("/missing")), link(server.url("/gone")), link(server.url("/ok"))]
    result = check(links, settings(exclude=(r"/missing$", r"gon")))
    assert result == []
    assert server.count("/missing") == 0
    assert server.count("/gone") == 0
    assert server.count("/ok") == 1


def test_non_http_links_are_ignored() -> None:
    links = [link("mailto:a@example.com"), link("ftp://example.com/x"), link("../local.md"), link("#top")]
    assert check(links) == []


# ------------------------------------------------------------------------------------------- concurrency


def test_per_host_limit(server: Server) -> None:
    links = [link(server.url(f"/sleep/{i}")) for i in range(6)]
    assert check(links, settings(per_host=2, concurrency=32)) == []
    assert sum(server.count(f"/sleep/{i}") for i in range(6)) == 6
    assert server.max_in_flight == 2


def test_global_limit(server: Server) -> None:
    links = [link(server.url(f"/sleep/{i}")) for i in range(3)]
    assert check(links, settings(per_host=4, concurrency=1)) == []
    assert server.max_in_flight == 1


def test_requests_run_concurrently(server: Server) -> None:
    start = time.monotonic()
    check([link(server.url(f"/sleep/{i}")) for i in range(8)], settings(per_host=8))
    assert time.monotonic() - start < 0.15 * 8 * 0.75
    assert server.max_in_flight >= 2


def test_sorted_and_deterministic(server: Server) -> None:
    links = [
        link(server.url("/moved"), "z.md", 1, 1),
        link(server.url("/missing"), "a.md", 9, 1),
        link(server.url("/gone"), "a.md", 2, 3),
        link(server.url("/ok"), "m.md", 1, 1),
        link(server.url("/missing"), "m.md", 4, 4),
    ]
    first = check(links, settings(concurrency=1))
    second = check(list(reversed(links)), settings(concurrency=8))
    assert first == sorted(first)
    assert first == second
    assert [(d.file, d.line, d.code) for d in first] == [
        ("a.md", 2, "external-link"),
        ("a.md", 9, "external-link"),
        ("m.md", 4, "external-link"),
        ("z.md", 1, "external-redirect"),
    ]


def test_works_when_called_inside_a_running_event_loop(server: Server) -> None:
    async def main() -> list[Diagnostic]:
        return check([link(server.url("/missing"))])

    [d] = asyncio.run(main())
    assert "404" in d.message


# ------------------------------------------------------------------------------------------------- cache


def test_cache_avoids_a_second_request(server: Server, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    links = [link(server.url("/ok")), link(server.url("/missing")), link(server.url("/moved"))]
    first = check(links, FAST, cache)
    second = check(links, FAST, cache)
    assert first == second
    assert [d.code for d in second] == ["external-link", "external-redirect"]
    assert server.count("/ok") == 2  # once directly, once as the redirect's target, in the first run only
    assert server.count("/missing") == 1
    assert server.count("/moved") == 1

    data = json.loads((cache / cache_file()).read_text(encoding="utf-8"))
    ok = data[server.url("/ok")]
    assert ok["ok"] is True and ok["status"] == 200 and ok["final_url"] is None and ok["error"] is None
    assert isinstance(ok["checked"], float) and abs(ok["checked"] - time.time()) < 60
    assert data[server.url("/missing")]["ok"] is False
    assert data[server.url("/missing")]["status"] == 404
    assert data[server.url("/moved")]["final_url"] == server.url("/ok")
    assert not list(cache.glob("*.tmp"))


def test_cache_is_keyed_without_fragment(server: Server, tmp_path: Path) -> None:
    check([link(server.url("/ok#a"))], FAST, tmp_path)
    check([link(server.url("/ok#b"))], FAST, tmp_path)
    assert server.count("/ok") == 1


def test_cache_ttl_zero_disables_the_cache(server: Server, tmp_path: Path) -> None:
    cfg = settings(cache_ttl=0)
    check([link(server.url("/ok"))], cfg, tmp_path)
    check([link(server.url("/ok"))], cfg, tmp_path)
    assert server.count("/ok") == 2
    assert not (tmp_path / cache_file()).exists()


def test_no_cache_dir_means_no_cache(server: Server) -> None:
    check([link(server.url("/ok"))], FAST, None)
    check([link(server.url("/ok"))], FAST, None)
    assert server.count("/ok") == 2


def test_expired_entries_are_checked_again(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr(external, "_now", lambda: clock[0])
    cfg = settings(cache_ttl=100)
    check([link(server.url("/ok"))], cfg, tmp_path)
    clock[0] += 99
    check([link(server.url("/ok"))], cfg, tmp_path)
    assert server.count("/ok") == 1
    clock[0] += 2
    check([link(server.url("/ok"))], cfg, tmp_path)
    assert server.count("/ok") == 2
    data = json.loads((tmp_path / cache_file()).read_text(encoding="utf-8"))
    assert data[server.url("/ok")]["checked"] == clock[0]


def test_transient_failures_are_not_cached(server: Server, tmp_path: Path, closed_port: int) -> None:
    refused = f"http://127.0.0.1:{closed_port}/"
    links = [
        link(server.url("/always-503")),
        link(server.url("/slow")),
        link(refused),
        link(server.url("/gone")),
    ]
    check(links, settings(retries=0, timeout=0.2), tmp_path)
    data = json.loads((tmp_path / cache_file()).read_text(encoding="utf-8"))
    assert set(data) == {server.url("/gone")}
    check([link(server.url("/always-503"))], settings(retries=0), tmp_path)
    assert server.count("/always-503") == 2


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[1, 2, 3]",
        "",
        '{"URL": {"checked": "yesterday", "ok": true, "status": 200, "final_url": null, "error": null}}',
        '{"URL": {"checked": 1e99, "ok": "yes"}}',
        '{"URL": 5}',
    ],
)
def test_corrupt_cache_is_treated_as_empty(server: Server, tmp_path: Path, content: str) -> None:
    results = tmp_path / cache_file()
    results.write_text(content.replace("URL", server.url("/missing")), encoding="utf-8")
    [d] = check([link(server.url("/missing"))], FAST, tmp_path)
    assert "404" in d.message
    assert server.count("/missing") == 1
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data[server.url("/missing")]["status"] == 404


def test_cache_keeps_other_fresh_entries_and_drops_stale_ones(server: Server, tmp_path: Path) -> None:
    now = time.time()
    entry = {"ok": True, "status": 200, "final_url": None, "error": None}
    results = tmp_path / cache_file()
    results.write_text(
        json.dumps(
            {
                "https://fresh.invalid/": {**entry, "checked": now - 10},
                "https://stale.invalid/": {**entry, "checked": now - 10_000},
            }
        ),
        encoding="utf-8",
    )
    check([link("https://fresh.invalid/"), link(server.url("/ok"))], settings(cache_ttl=1000), tmp_path)
    data = json.loads(results.read_text(encoding="utf-8"))
    assert set(data) == {"https://fresh.invalid/", server.url("/ok")}


def test_cached_failure_still_reports_every_link(server: Server, tmp_path: Path) -> None:
    url = server.url("/missing")
    check([link(url)], FAST, tmp_path)
    result = check([link(url, "a.md", 1, 1), link(url, "b.md", 2, 2)], FAST, tmp_path)
    assert server.count("/missing") == 1
    assert [(d.file, d.message) for d in result] == [
        ("a.md", f"{url} returned 404 Not Found"),
        ("b.md", f"{url} returned 404 Not Found"),
    ]


def test_unwritable_cache_dir_is_ignored(server: Server, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    assert check([link(server.url("/ok"))], FAST, blocker / "cache") == []


# ------------------------------------------------------------------------------------------ Retry-After


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("3", 3.0),
        (" 2 ", 2.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("9999", 30.0),
        ("soon", None),
        ("nan", None),
        ("Thu, 01 Jan 1970 00:00:10 GMT", 10.0),
        ("Thu, 01 Jan 1970 00:01:40 GMT", 30.0),
        ("Wed, 31 Dec 1969 23:59:00 GMT", 0.0),
    ],
)
def test_retry_after_parsing(value: str | None, expected: float | None) -> None:
    assert external._retry_after_seconds(value, now=0.0, cap=30.0) == expected
