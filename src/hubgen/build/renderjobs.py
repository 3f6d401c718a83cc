"""Rendering many pages, with one rule for what must be rendered again, for `build` and `serve` alike.

The rule (see deps.py): a page the last render's memo proves unchanged is not even given a view; every other
page gets a view, keyed by a digest of it (with the templates and settings), and is rendered only when no
render under that key is kept. What is kept, and where, is the only difference between the commands:

- `build` keeps rendered pages in the build cache (`CacheStore`): each worker stores the HTML it renders
  there itself, so the HTML of a whole site never gathers in one process, and the memo is saved beside it;
- `serve` keeps them in memory (`MemoryStore`), with the memo, between two updates.

With `jobs` > 1 and enough pages, forked workers render (they inherit the renderer, so only page ids go out).
"""

from __future__ import annotations

import multiprocessing
from array import array
from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from hubgen.base.cache import BuildCache, Cache
from hubgen.base.progress import Progress
from hubgen.build.deps import PageState, RenderMemo, States, Watched, site_shape
from hubgen.core.layout import Stored
from hubgen.core.options import RunOptions

if TYPE_CHECKING:
    from hubgen.build.render import PageRenderer

POOL_THRESHOLD = 200  # fewer pages than this render in-process: forking costs more than it saves
CHUNK = 250  # pages rendered in-process between two stores into the cache

Result = tuple[str, bytes | None, "array[int]"]  # key, HTML (None: kept already), the pages its view looked up


class Store(Protocol):
    """Where rendered pages are kept between two renders, by key."""

    @property
    def folder(self) -> Path | None:
        """A build cache folder render workers store their pages into; None: the HTML comes back to the caller."""

    def keys(self) -> Collection[str]: ...

    def present(self, keys: Iterable[str]) -> set[str]: ...

    def outputs(self, keys: list[str], made: dict[str, bytes]) -> list[bytes | Stored]:
        """What the site gets for the pages with these keys: the HTML `made` now (by key), else what is kept."""

    def keep(self, keys: Collection[str], replaced: Iterable[str]) -> None:
        """Forget every page but these; `replaced` are the keys of those re-rendered under a new key."""


@dataclass
class CacheStore:
    """`build`: pages in the build cache's render store, named in the site, read only to be written."""

    cache: Cache

    @property
    def folder(self) -> Path | None:
        return self.cache.folder

    def keys(self) -> set[str]:
        return self.cache.keys()

    def present(self, keys: Iterable[str]) -> set[str]:
        return self.cache.present(keys)

    def outputs(self, keys: list[str], made: dict[str, bytes]) -> list[bytes | Stored]:
        return [made.get(key) or Stored(key) for key in keys]  # (HTML is never empty: a page has a <head>)

    def keep(self, keys: Collection[str], replaced: Iterable[str]) -> None:
        self.cache.prune(keys)  # the cache may hold what other builds left: all but these go


@dataclass
class MemoryStore:
    """`serve`: pages in memory, by key."""

    pages: dict[str, bytes] = field(default_factory=dict)
    folder: Path | None = None

    def keys(self) -> Collection[str]:
        return self.pages.keys()

    def present(self, keys: Iterable[str]) -> set[str]:
        return {key for key in keys if key in self.pages}

    def outputs(self, keys: list[str], made: dict[str, bytes]) -> list[bytes | Stored]:
        self.pages.update(made)
        pages = self.pages
        return [pages[key] for key in keys]

    def keep(self, keys: Collection[str], replaced: Iterable[str]) -> None:
        for key in replaced:
            self.pages.pop(key, None)
        if len(self.pages) > len(keys):  # pages of an update that did not finish: they go too
            wanted = set(keys)
            for key in [key for key in self.pages if key not in wanted]:
                del self.pages[key]


@dataclass(frozen=True)
class Rendered:
    """Every page's output, in the graph's order; the memo to compare the next render with; and how many
    pages were rendered this time (the rest were proven or found unchanged)."""

    pages: list[bytes | Stored]
    memo: RenderMemo
    count: int
    viewed: tuple[str, ...]  # the pages whose views were made (the others were proven unchanged)
    only_bodies: bool  # nothing but pages' bodies changed since the memo (see RenderMemo.compare)


@dataclass(frozen=True)
class _Job:
    """What a render worker needs besides the page ids: set in the parent just before the fork."""

    renderer: PageRenderer
    kept: Collection[str]  # keys the store holds: those pages are not rendered again
    store: Path | None  # a cache folder: each worker stores the HTML it renders there itself
    watched: Watched | None  # the renderer's graph's pages, noting what each view looks up
    index: dict[str, int]  # page id -> its place in the graph's pages


_JOB: _Job | None = None


def plain_pages(renderer: PageRenderer, options: RunOptions) -> list[bytes]:
    """Each page's HTML, in the graph's order, rendered (nothing kept: `build --no-cache`)."""
    job = _Job(renderer, (), None, None, {})
    results = _render_pages(job, list(renderer.graph.pages), options.jobs, options.progress)
    return [html for _, html, _ in results if html is not None]


def render_pages(
    renderer: PageRenderer, memo: RenderMemo | None, states: Mapping[str, States], store: Store, options: RunOptions
) -> Rendered:
    """Each page's output. `renderer` keys pages with its salt and reads its graph's pages through a
    `Watched`; `memo` is what the last render left (None: none), `states` each page's (structure, own digest,
    title and summary) now."""
    watched, salt = renderer.graph.pages, renderer.salt
    assert isinstance(watched, Watched) and salt, "a renderer that keys pages and notes what each view reads"
    page_ids = list(watched)
    shape = site_shape(renderer.graph)
    unchanged, only_bodies = memo.compare(salt, shape, states) if memo else (set(), False)
    if memo is not None and unchanged and store.folder is not None:  # a cache can lose entries; memory cannot
        present = store.present(memo.pages[page_id].key for page_id in unchanged)
        unchanged = {page_id for page_id in unchanged if memo.pages[page_id].key in present}
    todo = [page_id for page_id in page_ids if page_id not in unchanged] if unchanged else page_ids
    index = {page_id: n for n, page_id in enumerate(page_ids)} if todo else {}
    job = _Job(renderer, store.keys(), store.folder, watched, index)
    results = dict(zip(todo, _render_pages(job, todo, options.jobs, options.progress), strict=True))
    count = sum(1 for key, _, _ in results.values() if key not in job.kept)  # (the others: that view was rendered)
    present = store.present(key for key, html, _ in results.values() if html is None)
    fresh: dict[str, PageState] = {}
    made: dict[str, bytes] = {}
    for page_id, (key, html, looked_up) in results.items():
        if html is None and key not in present:  # gone since the keys were listed: render it after all
            html = renderer.page(page_id)
        if html is not None:
            made[key] = html
        fresh[page_id] = PageState(*states[page_id], key, looked_up)
    before = memo.pages if memo is not None and unchanged else {}  # unchanged: the same pages, in the same order
    kept = {**before, **fresh}
    replaced = [before[pid].key for pid in fresh if pid in before and before[pid].key != fresh[pid].key]
    out = store.outputs([kept[page_id].key for page_id in page_ids], made)
    store.keep([state.key for state in kept.values()], replaced)
    return Rendered(out, RenderMemo(salt, shape, kept), count, tuple(todo), only_bodies)


def _render_pages(job: _Job, page_ids: list[str], jobs: int, progress: Progress) -> list[Result]:
    results: list[Result] = []
    if jobs <= 1 or len(page_ids) < POOL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        for start in range(0, len(page_ids), CHUNK):
            results += _render_chunk(page_ids[start : start + CHUNK], job)
            progress("render", len(results), len(page_ids))
        return results
    global _JOB
    renderer = job.renderer
    first_of_each_type = {renderer.graph.pages[p].type: p for p in reversed(page_ids)}
    for page_id in first_of_each_type.values():  # compile every template once, and fail here if one is broken
        renderer.page(page_id)
    size = max(1, len(page_ids) // (jobs * 4))
    chunks = [page_ids[start : start + size] for start in range(0, len(page_ids), size)]
    _JOB = job
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            for chunk in pool.map(_render_chunk, chunks):
                results += chunk
                progress("render", len(results), len(page_ids))
        return results
    finally:
        _JOB = None


def _render_chunk(page_ids: list[str], job: _Job | None = None) -> list[Result]:
    """(key, HTML, looked up) of each page; the HTML is None when the store holds it, already or once stored
    here."""
    job = job or _JOB
    assert job is not None
    results = [_render_one(job, page_id) for page_id in page_ids]
    if job.store is None:
        return results
    cache = BuildCache(job.store).entries("render")
    try:
        stored = cache.put_many({key: html for key, html, _ in results if html is not None})
    finally:
        cache.close()
    return [(key, None, seen) for key, _, seen in results] if stored else results


def _render_one(job: _Job, page_id: str) -> Result:
    if job.watched is None:
        return (*job.renderer.keyed_page(page_id, job.kept), array("I"))
    job.watched.seen = set()
    key, html = job.renderer.keyed_page(page_id, job.kept)
    return key, html, array("I", sorted(job.index[seen] for seen in job.watched.seen))
