"""What a page's output depends on, so that a rebuild can tell which pages may look different.

A page's view (all its template gets) is made from its own record, the graph's edges around it, and the
titles and summaries of the pages it looks up (`Watched` notes which). When no page's *structure* (front
matter but title and summary, headings, ids, links, dates) changed and no page, asset or folder came or
went, the edges are the same, so a page's view can only change if its own record changed or a page it
looked up got a new title or summary, or a new sentence around a link (quoted under "Mentioned in").
`RenderMemo` holds this after a render: `hubgen serve` keeps it in memory, `hubgen build` saves it in the
build cache, so an edit makes only those pages' views.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hubgen.base.cache import BuildCache, Record
from hubgen.base.records import Codec
from hubgen.core.graph import LinkGraph
from hubgen.core.links import SiteIndex
from hubgen.core.load import Content, Page

MEMO_FILE = "render-memo.json"
MEMO_VERSION = 3  # 3: what other pages show of a page includes the sentences around its links
# (version, salt, shape, page ids, each page's (structure, own, shown, key, looked up)): checked JSON
_Row = tuple[str, str, tuple[str, str, str], str, tuple[int, ...]]
_MEMO: Codec[tuple[int, str, str, tuple[str, ...], tuple[_Row, ...]]] = Codec(
    tuple[int, str, str, tuple[str, ...], tuple[_Row, ...]]
)


def digest(*parts: Any) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def structure(page: Page) -> str:
    """What the graph, other pages' rules and other pages' views read of `page`, but its title and summary:
    its front matter (values and positions), headings, ids and links. (Its FAQ is only ever in its own
    JSON-LD: an edit there, as at the end of most articles, is a body edit.)"""
    body = page.body
    headings = [(h.level, h.id, h.text) for h in body.headings]
    links = [(link.href, link.kind) for link in body.links]
    front = {k: v for k, v in page.front.values.items() if k not in ("title", "summary")}
    positions = (page.front.positions, page.front.item_positions, page.front.body_line)
    parts = (page.type, page.draft, front, positions, page.updated, page.published, headings, links)
    return digest(*parts, body.first_h1, sorted(body.html_ids))


def edited_pages(before: Content, now: Content) -> tuple[dict[str, Page], bool] | None:
    """The pages re-read since `before` (their records are new objects), and whether a title or summary
    changed among them, when their structure is as it was and no file came or went: the graph's edges hold
    (`serve` then keeps its graph). None when the graph must be built again."""
    if now.pages.keys() != before.pages.keys():
        return None
    if (now.assets, now.folders, now.html_ids, now.image_sizes) != (
        before.assets,
        before.folders,
        before.html_ids,
        before.image_sizes,
    ):
        return None
    edited = {pid: page for pid, page in now.pages.items() if page is not before.pages[pid]}
    shown = False
    for pid, page in edited.items():
        was = before.pages[pid]
        if structure(page) != structure(was):
            return None
        shown = shown or shown_of(page) != shown_of(was)
    return edited, shown


Shown = tuple[str, str, str]
States = tuple[str, str, Shown]  # a page's structure, own digest, and what other pages show of it


def shown_of(page: Page) -> Shown:
    """What other pages show of a page: its title, its summary, and (a digest of) the sentences around its
    links, which the pages it links to quote under "Mentioned in"."""
    return page.title, page.summary, digest([link.context for link in page.body.links if link.context])


def states_of(page: Page) -> States:
    """What the memo compares of a page: its structure, its own record, and what other pages show of it."""
    shape = structure(page)
    return shape, own_digest(page, shape), shown_of(page)


def own_digest(page: Page, shape: str) -> str:
    """Everything of a page's own record its view shows: `shape` (its structure), title, summary, body."""
    body = page.body
    text = hashlib.blake2b(body.html.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return digest(shape, page.title, page.summary, text, body.urls, body.title_id, body.faq)


def site_shape(graph: LinkGraph) -> str:
    """What links resolve against: the published pages, assets, folders, generated pages, HTML ids, image
    sizes. (The last one is kept: `serve` asks again after each edit, with the same site and page ids.)"""
    site, ids = graph.site, list(graph.pages)
    last = _LAST_SHAPE[0] if _LAST_SHAPE else None
    if last is not None and last[0] is site and last[1] == ids:
        return last[2]
    html_ids = sorted((rel, sorted(found)) for rel, found in site.html_ids.items())
    sizes = sorted(site.image_sizes.items())  # an image's width and height are written on the pages showing it
    shape = digest(ids, sorted(site.assets), sorted(site.folders), sorted(site.generated), html_ids, sizes)
    _LAST_SHAPE[:] = [(site, ids, shape)]
    return shape


_LAST_SHAPE: list[tuple[SiteIndex, list[str], str]] = []  # the last site index, its page ids and its shape


class Watched(Mapping[str, Page]):
    """A graph's pages, noting each one a view looks up (in `seen`)."""

    def __init__(self, pages: Mapping[str, Page]) -> None:
        self._pages = pages
        self.seen: set[str] = set()

    def __getitem__(self, page_id: str) -> Page:
        self.seen.add(page_id)
        return self._pages[page_id]

    def unwatched(self, page_id: str) -> Page:
        return self._pages[page_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pages)

    def __len__(self) -> int:
        return len(self._pages)

    def __contains__(self, page_id: object) -> bool:
        return page_id in self._pages


@dataclass(frozen=True)
class PageState:
    structure: str
    own: str
    shown: Shown  # title, summary, link sentences: what other pages show of it
    key: str  # its render key (the cache holds its HTML under it)
    looked_up: array[int]  # the pages its view read, as indexes into the memo's page ids (the graph's order)


@dataclass(frozen=True)
class RenderMemo:
    """Each page's state after a build, and what all of them were rendered with."""

    salt: str  # templates, settings, assets, hubgen
    shape: str  # site_shape
    pages: dict[str, PageState]

    def compare(self, salt: str, shape: str, states: Mapping[str, States]) -> tuple[set[str], bool]:
        """The pages whose views are as they were when this memo was made, given each page's (structure, own
        digest, title and summary) now; and whether nothing but bodies changed (then no page shows anything
        new of another, and the generated pages, the sitemap and the feed are as they were). No page is
        unchanged when the templates, settings, pages, assets or any page's structure differ; else all are
        but the pages whose record changed and those that looked one up whose title or summary changed."""
        if salt != self.salt or shape != self.shape or list(states) != list(self.pages):
            return set(), False
        pages = self.pages
        changed = [pid for pid, (_, own, _) in states.items() if own != pages[pid].own]
        if any(states[pid][0] != pages[pid].structure for pid in changed):
            return set(), False
        retitled = [pid for pid in changed if states[pid][2] != pages[pid].shown]
        if not retitled:  # only bodies changed: no other page shows them
            return pages.keys() - changed, True
        index = {pid: n for n, pid in enumerate(pages)}
        shown = {index[pid] for pid in retitled}
        gone = set(changed)
        return {pid for pid, state in pages.items() if pid not in gone and shown.isdisjoint(state.looked_up)}, False

    def save(self, folder: Path) -> None:
        """Into the build cache; never fails a build."""
        rows = [(s.structure, s.own, s.shown, s.key, tuple(s.looked_up)) for s in self.pages.values()]
        _memo_record(folder).write((MEMO_VERSION, self.salt, self.shape, tuple(self.pages), tuple(rows)))

    @staticmethod
    def read(folder: Path) -> tuple[RenderMemo | None, bool]:
        """The memo the last build left, or None (none, or from another version); and whether a file was
        there that could not be used (a cache file is never trusted: anything wrong with it means no memo)."""
        record = _memo_record(folder)
        kept = record.read()
        if kept is None:
            return None, record.ignored > 0
        _, salt, shape, ids, rows = kept
        try:
            pages = {pid: PageState(*row[:4], array("I", row[4])) for pid, row in zip(ids, rows, strict=True)}
        except (ValueError, OverflowError):
            return None, True
        return RenderMemo(salt, shape, pages), False


def _memo_record(folder: Path) -> Record[tuple[int, str, str, tuple[str, ...], tuple[_Row, ...]]]:
    return BuildCache(folder).record(MEMO_FILE, _MEMO, MEMO_VERSION)
