"""`hubgen serve`'s search index: the served pages indexed by Pagefind in the background, as `build` does.

Pagefind reads files, so the pages held in memory are mirrored into a folder of this run's own (under the
build cache's `serve/` folder, `run-<pid>/site/`; only pages whose bytes changed are written again) and
indexed there with `build.search.index_site`, which takes the parts whose pages are unchanged from its part
cache (`serve/search/`). Each finished index is moved whole into a generation folder of its own
(`run-<pid>/index-N/`) and served from there: a request never sees half an index, and the previous
generation stays one more round for pages still reading it. Indexing runs on one thread of its own; an
update only hands it the new pages (the latest wins), so it never waits for Pagefind, and the index follows
the pages by one indexing run (about a second for the example, most of it Pagefind's start).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from hubgen.base.cache import cache_folder
from hubgen.base.sinks import for_terminal, own_folder, remove_path, resolved_inside
from hubgen.build.search import PARTS_FILE, SearchIndexError, index_site
from hubgen.core.layout import INDEX_DIR

SERVE_CACHE = "serve"
RUN_PREFIX = "run-"
BUILDING = json.dumps({"parts": [], "building": True}).encode() + b"\n"


class SearchIndexer:
    """The live site's search index, made on a thread of its own. `submit` hands it the pages of each good
    update; `file` answers a request under pagefind/; `ready` is called after each new index is served."""

    def __init__(self, project_dir: Path, ready: Callable[[int], None], log: Callable[[str, bool], None]) -> None:
        self.project_dir = project_dir
        self._ready = ready
        self._log = log
        self._wake = threading.Condition()
        self._pending: dict[str, bytes] | None = None
        self._stopping = False
        self._busy = False
        self._current: Path | None = None  # the generation served
        self._previous: Path | None = None  # the one before, for pages still reading it
        self._generation = 0
        self._written: dict[str, str] = {}  # page -> digest of the bytes in the mirror
        self._held: dict[str, bytes] = {}  # page -> the bytes last mirrored
        self._error = ""
        self._cache: Path | None = None
        self._run: Path | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        cache = cache_folder(self.project_dir)
        if cache is not None:
            self._cache = own_folder(cache / SERVE_CACHE)
            _drop_dead_runs(self._cache)
            self._run = own_folder(self._cache / f"{RUN_PREFIX}{os.getpid()}", fresh=True)
        else:  # no build cache: a temporary folder, and every index made from nothing
            self._run = Path(tempfile.mkdtemp(prefix="hubgen-serve-"))
        self._thread = threading.Thread(target=self._loop, name="hubgen-search", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._run is not None:
            shutil.rmtree(self._run, ignore_errors=True)

    def submit(self, pages: dict[str, bytes]) -> None:
        """Index these pages next (instead of any still waiting)."""
        with self._wake:
            self._pending = pages
            self._wake.notify_all()

    def idle(self) -> bool:
        """Whether the index is that of the last pages submitted (or indexing them failed)."""
        with self._wake:
            return self._pending is None and not self._busy

    def file(self, rest: str) -> bytes | Path | None:
        """What to answer for pagefind/`rest`: the served generation's file; until there is one, a parts
        list saying the index is being built (or why it cannot be), which the search box reads first."""
        with self._wake:
            current, previous, error = self._current, self._previous, self._error
        if current is None:
            if rest != PARTS_FILE:
                return None
            return json.dumps({"parts": [], "error": error}).encode() + b"\n" if error else BUILDING
        for generation in (current, previous):
            if generation is not None and (found := _inside(generation, rest)) is not None:
                return found
        return None

    # -- the indexing thread ------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._stopping:
                    self._wake.wait()
                pages = self._pending
                if self._stopping or pages is None:
                    return
                self._pending, self._busy = None, True
            try:
                self._index(pages)
            except (SearchIndexError, OSError, ValueError) as error:
                self._failed(str(error))
            except Exception as error:  # this thread must outlive whatever the pages or the cache hold
                self._failed(f"search indexing failed: {type(error).__name__}: {error}")
            finally:
                with self._wake:
                    self._busy = False

    def _index(self, pages: dict[str, bytes]) -> None:
        if not self._folders():
            return  # the project's folder went away: indexed again after the update that sees it back
        assert self._run is not None
        site = self._run / "site"
        digests = self._mirror(site, pages)
        index_site(site, digests, cache_dir=self._cache)
        self._generation += 1
        generation = self._run / f"index-{self._generation}"
        os.replace(site / INDEX_DIR, generation)
        with self._wake:
            old, self._previous, self._current, self._error = self._previous, self._current, generation, ""
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self._ready(self._generation)

    def _folders(self) -> bool:
        """Whether this run's folders are there: made again when the project's cache folder is back, never
        making that folder, nor the project's (a project folder deleted while serving stays deleted)."""
        assert self._run is not None
        if self._cache is None:
            return self._run.is_dir()
        if not self._cache.parent.is_dir():
            return False
        if not self._run.is_dir():
            self._written, self._held = {}, {}
            own_folder(self._cache)
            own_folder(self._run, fresh=True)
        return True

    def _mirror(self, site: Path, pages: Mapping[str, bytes]) -> dict[str, str]:
        """Make `site` hold exactly `pages`, writing only those whose bytes changed; their digests. A page
        whose bytes are the very object mirrored last time (serve keeps an unchanged page's) is not hashed."""
        held, written = self._held, self._written
        digests = {
            rel: written[rel] if held.get(rel) is data else hashlib.blake2b(data, digest_size=16).hexdigest()
            for rel, data in pages.items()
        }
        self._held = {}  # until the mirror is whole again
        for rel in set(self._written) - set(digests):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(site / rel)
        made: set[Path] = set()
        for rel, digest in digests.items():
            if self._written.get(rel) != digest:
                path = site / rel
                if path.parent not in made:
                    _make_folders(site, path.parent)
                    made.add(path.parent)
                path.write_bytes(pages[rel])
                self._written[rel] = digest
        self._written = {rel: digest for rel, digest in self._written.items() if rel in digests}
        self._held = dict(pages)
        return digests

    def _failed(self, message: str) -> None:
        with self._wake:
            repeated, self._error = message == self._error, message
            stopping = self._stopping  # Pagefind was interrupted with the server (Ctrl-C)
        if not repeated and not stopping:
            self._log(for_terminal(f"hubgen: {message}; search is off until it works"), True)


def _make_folders(root: Path, folder: Path) -> None:
    """Make `folder` and the folders between it and `root` (`root` too), never anything above `root`."""
    missing = []
    while folder != root and not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    if folder == root and not root.is_dir():
        os.mkdir(root)  # the mirror itself, inside this run's folder (whose parent must be there)
    for made in reversed(missing):
        os.mkdir(made)


def _drop_dead_runs(folder: Path) -> None:
    """Remove the run folders of servers that are gone (killed before they could clean up)."""
    for entry in folder.iterdir():
        pid = entry.name.removeprefix(RUN_PREFIX)
        if entry.name.startswith(RUN_PREFIX) and pid.isdigit() and not _alive(int(pid)):
            remove_path(entry)


def _alive(pid: int) -> bool:
    if os.name == "nt":  # signal 0 is CTRL_C_EVENT there: a left-over run folder stays rather than that
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _inside(folder: Path, rest: str) -> Path | None:
    """The file pagefind/`rest` in a generation, when it is a regular file inside it."""
    try:
        real = (folder / rest).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_file() and resolved_inside(folder.resolve(), real) else None
