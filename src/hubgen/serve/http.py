"""The dev server's HTTP side: requests answered from the live site under the base path, the server-sent
events that tell open pages to reload (or that a new search index is served), and the script that listens
for them (added to served pages only). Files under pagefind/ come from the search index serve keeps on disk.
`server.DevServer` owns the live site, the watcher and the lifecycle; this module only answers requests.
"""

from __future__ import annotations

import errno
import json
import mimetypes
import posixpath
import queue
import socket
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, unquote, urlsplit

from hubgen.base.sinks import for_terminal, resolved_inside
from hubgen.core.layout import HOME_FILE, INDEX_DIR, NOT_FOUND_FILE

if TYPE_CHECKING:
    from hubgen.session import Session

EVENTS = "__hubgen/events"
SEARCH_EVENT = "search"  # a new search index is served
SEARCH_PREFIX = INDEX_DIR + "/"
STATUS = "__hubgen/status"
KEEPALIVE_SECONDS = 10.0
REQUEST_TIMEOUT_SECONDS = 30.0  # a connection that sends (or reads) nothing for this long is closed
MAX_CONNECTIONS = 256  # connections served at once; more are closed unanswered, so no client can exhaust threads
MAX_EVENT_STREAMS = 64  # open live-reload streams; more are answered 503
Stream = queue.Queue[tuple[str, str]]  # one page's live-reload events: (event, data)
HUNG_UP = {errno.EPIPE, errno.ECONNRESET, errno.ECONNABORTED, errno.ENOTCONN, errno.ESHUTDOWN, errno.EBADF}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".woff2": "font/woff2",
    ".webp": "image/webp",
    ".avif": "image/avif",
}
RELOAD_SCRIPT = """<script>/* hubgen serve: live reload */
(() => {
  const base = %s;
  const key = "hubgen-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    const restore = () => window.scrollTo(0, Number(saved));
    if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  }
  const show = (errors) => {
    let box = document.getElementById("hubgen-error-overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "hubgen-error-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;" +
        "background:#2b0d0d;color:#ffd7d7;font:13px/1.45 monospace;padding:12px 16px;border-top:3px solid #e55";
      document.body.appendChild(box);
    }
    box.replaceChildren();
    const title = document.createElement("strong");
    title.textContent = "hubgen: the hub has errors; this is the last good build";
    box.appendChild(title);
    for (const item of errors) {
      const pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:8px 0 0";
      pre.textContent = String(item.text ?? item);
      box.appendChild(pre);
    }
  };
  const events = new EventSource(base + "__hubgen/events");
  events.addEventListener("reload", () => {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  });
  events.addEventListener("error", (event) => { if (event.data) show(JSON.parse(event.data)); });
  events.addEventListener("search", () => window.dispatchEvent(new Event("hubgen:search-index")));
  fetch(base + "__hubgen/status", {cache: "no-store"}).then((r) => r.json())
    .then((status) => { if (status.errors.length) show(status.errors); }).catch(() => {});
})();
</script>
"""
NO_BUILD_PAGE = "<!doctype html><html><head><title>hubgen</title></head><body><p>No good build yet.</p></body></html>"


# -- reload broker ----------------------------------------------------------------------------------


class Broker:
    """Fans server-sent events out to every connected page (at most `limit` of them)."""

    def __init__(self, limit: int = MAX_EVENT_STREAMS) -> None:
        self._lock = threading.Lock()
        self._clients: list[Stream] = []
        self.limit = limit

    def subscribe(self) -> Stream | None:
        """A new stream, or None when `limit` are open already."""
        client: Stream = queue.Queue()
        with self._lock:
            if len(self._clients) >= self.limit:
                return None
            self._clients.append(client)
        return client

    def unsubscribe(self, client: Stream) -> None:
        with self._lock:
            if client in self._clients:
                self._clients.remove(client)

    def publish(self, event: str, data: str) -> None:
        with self._lock:
            for client in self._clients:
                client.put((event, data))


# -- request paths ----------------------------------------------------------------------------------


class Served(Protocol):
    """What the request handler needs of the dev server (`server.DevServer`): its session, base path,
    event broker, status and log."""

    session: Session
    broker: Broker
    stopping: threading.Event

    @property
    def search(self) -> SearchFiles: ...

    @property
    def base(self) -> str: ...

    def status(self) -> dict[str, Any]: ...

    def log(self, text: str, error: bool) -> None: ...


class SearchFiles(Protocol):
    """The served search index (`searchindex.SearchIndexer`)."""

    def file(self, rest: str) -> bytes | Path | None: ...


@dataclass(frozen=True)
class Resolved:
    kind: str  # "file", "copy", "redirect" (301), "found" (302), "missing"
    path: str = ""  # site path, or the redirect location
    data: bytes = b""
    source: Path | None = None


def request_path(raw: str) -> str | None:
    """The path of a request target, without query or fragment; None when it is neither a path nor a URL."""
    if raw.startswith("/"):
        return raw.split("?", 1)[0].split("#", 1)[0]
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    return (parts.path or "/") if parts.scheme in ("http", "https") and parts.netloc else None


def site_path(raw: str, base: str) -> str | None:
    """The path under the site for a request path, or None when it is outside the site or unsafe."""
    path = request_path(raw)
    if path is None or not path.startswith(base):
        return None
    rest = path[len(base) :]
    if "\\" in rest or "%2f" in rest.lower() or "%5c" in rest.lower():
        return None
    rest = unquote(rest)
    if "\x00" in rest or "\\" in rest or rest.startswith("/") or "//" in rest:
        return None
    if any(part in (".", "..") for part in rest.split("/")):
        return None
    normal = posixpath.normpath(rest) if rest else ""
    if normal.startswith(("../", "/")) or normal == "..":
        return None
    return rest


def resolve(session: Session, raw: str, base: str) -> Resolved:
    """What to answer for a GET of `raw`."""
    path = request_path(raw)
    if path is not None and path + "/" == base:
        return Resolved("redirect", base)
    if path == "/" and base != "/":  # the server's root, when the site lives under a sub-path
        return Resolved("found", base)
    rest = site_path(raw, base)
    if rest is None:
        return Resolved("missing")
    site = session.site
    wanted = rest + HOME_FILE if rest == "" or rest.endswith("/") else rest
    if wanted in site.files:
        return Resolved("file", wanted, site.files[wanted])
    made = session.llms_file(wanted)
    if made is not None:
        return Resolved("file", wanted, made)
    card = session.card(site.cards[wanted]) if wanted in site.cards else None
    if card is not None:
        return Resolved("file", wanted, card)
    if wanted in site.copies:
        source = _inside(site.copies[wanted], session.content_dir())
        return Resolved("copy", wanted, source=source) if source else Resolved("missing")
    if f"{rest}/{HOME_FILE}" in site.files:
        return Resolved("redirect", base + quote(rest) + "/")  # a page's name, percent-encoded for the header
    return Resolved("missing")


def _inside(source: Path, folder: Path) -> Path | None:
    """The resolved source when it is a file inside `folder` (no symlink escapes), else None."""
    try:
        real = source.resolve(strict=True)
    except OSError:
        return None
    return real if real.is_file() and resolved_inside(folder, real) else None


def content_type(path: str) -> str:
    ext = posixpath.splitext(path)[1].lower()
    return TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def inject(html: bytes, base: str) -> bytes:
    """The page with the live-reload script before its last </body> (or at the end)."""
    script = (RELOAD_SCRIPT % json.dumps(base).replace("</", "<\\/")).encode()
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]


# -- the server -------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    server: DevHTTPServer
    server_version = "hubgen-serve"
    timeout = REQUEST_TIMEOUT_SECONDS  # per socket operation: a silent client is dropped, not waited for

    def handle(self) -> None:
        try:
            super().handle()
        except OSError as error:
            if not hung_up(error):
                raise
            self.close_connection = True  # the client went away mid-request: nothing to answer, nothing to say

    def finish(self) -> None:
        try:
            super().finish()
        except OSError as error:
            if not hung_up(error):
                raise

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, head: bool) -> None:
        dev = self.server.dev
        path = request_path(self.path)
        if path == dev.base + EVENTS:
            self._events(dev)
        elif path == dev.base + STATUS:
            self._send(200, "application/json", json.dumps(dev.status()).encode(), head)
        else:
            self._site(dev, head)

    def _site(self, dev: Served, head: bool) -> None:
        rest = site_path(self.path, dev.base)
        if rest is not None and rest.startswith(SEARCH_PREFIX) and self._search(dev, rest[len(SEARCH_PREFIX) :], head):
            return
        found = resolve(dev.session, self.path, dev.base)
        if found.kind in ("redirect", "found"):
            self.send_response(301 if found.kind == "redirect" else 302)
            self.send_header("Location", found.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif found.kind == "file":
            self._send(200, content_type(found.path), self._page(found.path, found.data, dev), head)
        elif found.kind == "copy" and found.source is not None:
            try:
                data = found.source.read_bytes()
            except OSError:
                self._missing(dev, head)
                return
            self._send(200, content_type(found.path), data, head)
        else:
            self._missing(dev, head)

    def _search(self, dev: Served, rest: str, head: bool) -> bool:
        """Answer a file of the search index, when search is on and the file is there."""
        if not (dev.session.served and dev.session.served.search):
            return False
        found = dev.search.file(rest)
        if isinstance(found, Path):
            try:
                found = found.read_bytes()
            except OSError:
                found = None
        if found is None:
            return False
        self._send(200, content_type(rest), found, head)
        return True

    def _missing(self, dev: Served, head: bool) -> None:
        page = dev.session.site.files.get(NOT_FOUND_FILE, NO_BUILD_PAGE.encode())
        self._send(404, TYPES[".html"], inject(page, dev.base), head)

    def _page(self, path: str, data: bytes, dev: Served) -> bytes:
        return inject(data, dev.base) if path.endswith(".html") else data

    def _send(self, status: int, kind: str, data: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _events(self, dev: Served) -> None:
        self.close_connection = True
        client = dev.broker.subscribe()
        if client is None:
            self.send_response(503)
            self.send_header("Retry-After", "10")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self._stream(dev, client)
        except OSError:
            pass  # the page went away
        finally:
            dev.broker.unsubscribe(client)

    def _stream(self, dev: Served, client: Stream) -> None:
        self.wfile.write(b"retry: 1000\n: connected\n\n")
        self.wfile.flush()
        quiet_since = time.monotonic()
        while not dev.stopping.is_set():
            try:
                event, data = client.get(timeout=0.25)
            except queue.Empty:
                if time.monotonic() - quiet_since < KEEPALIVE_SECONDS:
                    continue
                message = b": keepalive\n\n"
            else:
                lines = "".join(f"data: {line}\n" for line in data.split("\n"))
                message = f"event: {event}\n{lines}\n".encode()
            self.wfile.write(message)
            self.wfile.flush()
            quiet_since = time.monotonic()


class DevHTTPServer(ThreadingHTTPServer):
    """One thread per connection, at most `MAX_CONNECTIONS` at once. A client that hangs up is not an
    error; any other failure in a request is one line on the terminal, never a traceback."""

    daemon_threads = True
    dev: Served

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self.max_connections = MAX_CONNECTIONS
        self._active = 0
        self._count_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._count_lock:
            full = self._active >= self.max_connections
            self._active += 0 if full else 1
        if full:
            self.shutdown_request(request)  # too many at once: this one is closed unanswered
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._done()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._done()

    def _done(self) -> None:
        with self._count_lock:
            self._active -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is None or (isinstance(error, OSError) and hung_up(error)):
            return
        dev = getattr(self, "dev", None)
        if dev is not None:
            dev.log(for_terminal(f"hubgen: a request failed: {type(error).__name__}: {error}"), True)


class DevHTTPServer6(DevHTTPServer):
    address_family = socket.AF_INET6


def hung_up(error: OSError) -> bool:
    """Whether `error` only says the other end went away or went quiet."""
    return isinstance(error, (ConnectionError, TimeoutError)) or error.errno in HUNG_UP
