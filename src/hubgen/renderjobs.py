"""Rendering many pages: in forked worker processes, through the render cache, and skipping the pages whose
views cannot have changed since the last build (`deps.RenderMemo`).

Each page's cache key is a digest of its view, made where the page would be rendered (in the workers). A
page whose key the cache holds is not rendered; a page that is rendered goes into the cache from the worker
that rendered it, so the HTML of a whole site never gathers in one process. With a memo from the last build,
the pages it proves unchanged are not even given a view: their key is the one they had.
"""

from __future__ import annotations

import multiprocessing
from array import array
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hubgen.cache import BuildCache, Cache
from hubgen.deps import PageState, RenderMemo, Watched, own_digest, site_shape, structure
from hubgen.progress import Progress

if TYPE_CHECKING:
    from hubgen.render import PageRenderer

POOL_THRESHOLD = 200  # fewer pages than this render in-process: forking costs more than it saves
CHUNK = 250  # pages rendered in-process between two stores into the cache


@dataclass(frozen=True)
class Stored:
    """A page's HTML, left in the render cache under `key`."""

    key: str


Result = tuple[str, bytes | None, "array[int]"]  # key, HTML (None: in the cache), the pages its view looked up


@dataclass(frozen=True)
class _Job:
    """What a render worker needs besides the page ids: set in the parent just before the fork."""

    renderer: PageRenderer
    salt: str  # "" without a cache: no keys are made
    cached: frozenset[str]  # keys the cache holds: those pages are not rendered again
    store: Path | None  # the cache's folder: each worker stores the HTML it renders there itself
    watched: Watched | None  # the renderer's graph's pages, noting what each view looks up
    index: dict[str, int]  # page id -> its place in the graph's pages


_JOB: _Job | None = None


def plain_pages(renderer: PageRenderer, page_ids: list[str], jobs: int, progress: Progress) -> list[bytes]:
    """Each page's HTML, rendered (no cache)."""
    results = _render_pages(_Job(renderer, "", frozenset(), None, None, {}), page_ids, jobs, progress)
    return [html for _, html, _ in results if html is not None]


def cached_pages(
    renderer: PageRenderer, watched: Watched, cache: Cache, salt: str, jobs: int, progress: Progress
) -> list[bytes | Stored]:
    """Each page's HTML, or where the cache holds it. `renderer`'s graph reads its pages through `watched`."""
    graph = renderer.graph
    page_ids = list(graph.pages)
    pages = {page_id: watched.unwatched(page_id) for page_id in page_ids}
    shapes = {page_id: structure(page) for page_id, page in pages.items()}
    states = {
        pid: (shapes[pid], own_digest(page, shapes[pid]), (page.title, page.summary)) for pid, page in pages.items()
    }
    shape = site_shape(graph)
    memo, unusable = RenderMemo.read(cache.folder)
    cache.ignored += unusable
    unchanged = memo.unchanged(salt, shape, states) if memo else set()
    if memo is not None and unchanged:
        present = cache.present(memo.pages[page_id].key for page_id in unchanged)
        unchanged = {page_id for page_id in unchanged if memo.pages[page_id].key in present}
    todo = [page_id for page_id in page_ids if page_id not in unchanged]
    index = {page_id: n for n, page_id in enumerate(page_ids)}
    job = _Job(renderer, salt, frozenset(cache.keys()), cache.folder, watched, index)
    results = dict(zip(todo, _render_pages(job, todo, jobs, progress), strict=True))
    present = cache.present(key for key, html, _ in results.values() if html is None)
    out: list[bytes | Stored] = []
    kept: dict[str, PageState] = {}
    for page_id in page_ids:
        if page_id in unchanged:
            assert memo is not None
            kept[page_id] = memo.pages[page_id]
            out.append(Stored(memo.pages[page_id].key))
            continue
        key, html, looked_up = results[page_id]
        if html is None and key not in present:  # gone since the keys were listed: render it after all
            html = renderer.page(page_id)
        out.append(Stored(key) if html is None else html)
        kept[page_id] = PageState(*states[page_id], key, looked_up)
    cache.prune(state.key for state in kept.values())
    RenderMemo(salt, shape, kept).save(cache.folder)
    return out


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
    """(key, HTML, looked up) of each page; the HTML is None when the cache holds it, already or once stored
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
        return (*job.renderer.keyed_page(page_id, job.salt, job.cached), array("I"))
    job.watched.seen = set()
    key, html = job.renderer.keyed_page(page_id, job.salt, job.cached)
    return key, html, array("I", sorted(job.index[seen] for seen in job.watched.seen))
