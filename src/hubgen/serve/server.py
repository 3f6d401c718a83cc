"""`hubgen serve`: the hub served from memory under its base path, rebuilt as files change, with live reload.

Pages come from the in-memory site of the `Session`, copied assets are read from content/ on request. Only
the search index is on disk (Pagefind reads and writes files): `searchindex.SearchIndexer` makes it in the
background after each good build, in a folder of its own under the build cache, never in the output folder.
A background thread watches content/, templates/ and hubgen.yaml with watchfiles; after each rebuild the
reload broker pushes `reload` (or `error`, with the diagnostics) to every open page, and `search` once the
index of that build is served.
Requests are answered by `devhttp`.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import ipaddress
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import watchfiles

from hubgen.base.sinks import for_terminal
from hubgen.core.config import CONFIG_FILE, SiteConfig
from hubgen.core.diagnostics import format_text, plural
from hubgen.serve.http import SEARCH_EVENT, Broker, DevHTTPServer, DevHTTPServer6, Handler
from hubgen.serve.searchindex import SearchIndexer
from hubgen.session import RunOptions, Session, UpdateResult

WATCH_TIMEOUT_MS = 200
WATCH_QUIET_MS = 10  # a batch is handed over after this much quiet: an editor's save burst takes a few ms
WATCH_RETRY_SECONDS = 1.0  # after the watcher itself failed (the project folder went away), try again this often
LOOPBACK_NAMES = {"localhost"}


class ServeError(Exception):
    """The server cannot start (the port is taken, the host cannot be bound)."""


class DevServer:
    """The live site, its HTTP server and its watcher thread."""

    def __init__(
        self,
        project_dir: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        include_drafts: bool = False,
        log: Callable[[str, bool], None] | None = None,
    ) -> None:
        self.project_dir = project_dir
        self.host = host
        self.port = port
        self.session = Session(project_dir, RunOptions(drafts=include_drafts))
        self.broker = Broker()
        self.stopping = threading.Event()
        self.watching = threading.Event()  # set once the watcher has seen the files
        self._log = log or (lambda message, error: None)
        self.last: UpdateResult | None = None
        self._errors: list[dict[str, Any]] = []
        self._httpd: DevHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self.search = SearchIndexer(project_dir, self._search_ready, self.log)

    def log(self, text: str, error: bool) -> None:
        """Say `text` on the terminal; a terminal that went away (a closed pipe) is not serve's problem."""
        with contextlib.suppress(OSError, ValueError):
            self._log(text, error)

    @property
    def base(self) -> str:
        """The base path of the site being served: the last good build's, until a new one succeeds."""
        return (self.session.served or self.session.config).base_path

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.base}"

    def start(self) -> None:
        """Build once, bind, then serve, watch and index for search in background threads."""
        self.rebuild(None)
        if not self.session.content_dir().is_dir():
            raise ServeError(f"no content folder: {self.session.content_dir()} does not exist")
        self._httpd = self._bind()
        self._httpd.dev = self
        self.port = self._httpd.server_address[1]
        self._spawn(lambda: self._httpd.serve_forever(poll_interval=0.1) if self._httpd else None, "hubgen-http")
        self._spawn(self._watch, "hubgen-watch")
        self.watching.wait(timeout=10)
        self.search.start()  # indexes the first build's pages (submitted already) once the rest is up

    def stop(self) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        self.search.stop()

    def status(self) -> dict[str, Any]:
        return {"version": self.session.version, "errors": list(self._errors)}

    def rebuild(self, changes: set[Path] | None) -> UpdateResult:
        """Bring the live site up to date and tell the open pages; never raises, whatever is on disk."""
        try:
            result = self.session.update(changes)
        except Exception as error:  # the session already reports what it knows; this is the last net
            message = f"rebuild failed: {type(error).__name__}: {error}"
            result = UpdateResult(0, 0.0, (), False, message, True, "rebuild")
        self.last = result
        if result.ok:
            if result.full:  # what was frozen before may be garbage now: let it be collected first
                gc.unfreeze()
                gc.collect()
            gc.freeze()  # the site just built lives on: keep the collector from walking it on every edit
            self._errors = []
            self.log(self._built_line(result), False)
            self.broker.publish("reload", str(self.session.version))
            if self.session.config.search:
                self.search.submit(self.session.search_pages())
        else:
            self._errors = _error_list(result)
            text = result.message or format_text([d for d in result.diagnostics if d.severity == "error"])
            self.log(for_terminal(f"{text}\nrebuild failed; still serving the last good build", True), True)
            self.broker.publish("error", json.dumps(self._errors))
        return result

    def _search_ready(self, generation: int) -> None:
        """A new search index is served: open pages start their search again on it."""
        self.broker.publish(SEARCH_EVENT, str(generation))

    def _built_line(self, result: UpdateResult) -> str:
        """A full build counts pages as `hubgen build` does; an edit says how many outputs it rendered again."""
        graph = self.session.graph
        if result.full and graph is not None:
            hubs = plural(len(graph.hubs()), "hub")
            return f"Built {plural(len(graph.pages), 'page')} ({hubs}) in {result.seconds:.2f} s"
        return f"rebuilt in {result.seconds * 1000:.0f} ms: {plural(result.rendered, 'page')} rendered"

    def _bind(self) -> DevHTTPServer:
        kind = DevHTTPServer6 if ":" in self.host else DevHTTPServer
        try:
            return kind((self.host, self.port), Handler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"port {self.port} on {self.host} is already in use; stop the other server, "
                    f"or pick another port: --port {self.port + 1} (or --port 0 for any free one)"
                ) from None
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {error.strerror or error}") from None

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _watch(self) -> None:
        """Watch until stopped. Should watching fail (the project folder is gone) or the folder be replaced,
        say so once, wait, and watch again, rebuilding from scratch: changes made meanwhile were not seen."""
        failed, again = "", False
        while not self.stopping.is_set():
            try:
                if self._watch_changes(again):
                    return
                failed = ""
            except Exception as error:  # the watcher thread must not die
                self.watching.set()
                message = for_terminal(f"hubgen: cannot watch {self.project_dir}: {type(error).__name__}: {error}")
                if message != failed:
                    self.log(f"{message}; retrying", True)
                failed = message
            again = True
            if self.stopping.wait(WATCH_RETRY_SECONDS):
                return

    def _watch_changes(self, again: bool) -> bool:
        """Rebuild on each batch of changes (everything first, when `again`). Idle timeouts yield empty
        batches: the first says we are watching. False when the project folder was replaced."""
        root = self.project_dir.resolve()
        identity = _identity(root)
        for changes in watchfiles.watch(
            root,
            watch_filter=_WatchFilter(self.project_dir, self.session),
            stop_event=self.stopping,
            raise_interrupt=False,
            rust_timeout=WATCH_TIMEOUT_MS,
            yield_on_timeout=True,
            step=WATCH_QUIET_MS,
        ):
            self.watching.set()
            if self.stopping.is_set():
                break
            if again or changes:
                self.rebuild(None if again else {Path(path) for _, path in changes})
                again = False
            if _identity(root) != identity:
                return False  # deleted and made again: the watch is on the old folder
        return True


class _WatchFilter(watchfiles.DefaultFilter):
    """Only content/, templates/ and hubgen.yaml, less editors' scratch files."""

    def __init__(self, project_dir: Path, session: Session) -> None:
        super().__init__()
        self.project_dir = project_dir.resolve()
        self.session = session
        self._for: SiteConfig | None = None  # the settings the folders below were made for
        self._exact: tuple[str, ...] = ()  # hubgen.yaml and the folders themselves
        self._under: tuple[str, ...] = ()  # what is inside them

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        """Plain string tests first: the build cache's folder (serve's search index is written there) sends
        tens of thousands of changes per edit at 10,000 pages, and the filter runs on this process's GIL."""
        config = self.session.config
        if self._for is not config:  # the settings name the folders: made again only when they change
            folders = (self.project_dir / config.content_dir, self.project_dir / config.templates_dir)
            self._exact = (str(self.project_dir / CONFIG_FILE), *map(str, folders))
            self._under = tuple(str(folder) + os.sep for folder in folders)
            self._for = config
        return (path in self._exact or path.startswith(self._under)) and super().__call__(change, path)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        info = folder.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _error_list(result: UpdateResult) -> list[dict[str, Any]]:
    if result.message:
        code = result.kind or "rebuild"
        return [{"file": "", "line": 0, "column": 0, "code": code, "message": result.message, "text": result.message}]
    return [
        {
            "file": d.file,
            "line": d.line,
            "column": d.column,
            "code": d.code,
            "message": d.message,
            "hint": d.hint,
            "text": format_text([d]),
        }
        for d in sorted(result.diagnostics)
        if d.severity == "error"
    ]
