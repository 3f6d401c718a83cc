"""Text for AI assistants: `llms.txt` (llmstxt.org), `llms-full.txt`, and each page's Markdown twin.

`llms.txt` is the site's title as `# `, its description as a `> ` summary, then one `## ` section per hub: the
top-level hubs in the home page's order, each followed by its own sub-hubs; a section lists the hub page, its
learning paths' steps in order, then its other pages by title, each as `- [Title](URL): summary`, the URL that
of the page's twin. Learning tracks in no hub follow under `## Tracks`, by title. Pages in no hub (only when
`missing-hub` is turned off) close the file under `## Other pages`. `llms-full.txt` is every twin in that
order, the home page's first. A twin is the page's source without its front matter (its title as a `# `
heading when the front matter gives it), each Markdown link and image pointing at the absolute URL of what it
leads to (with `base_url`; without it, the path from the host's root, `/basics/alpha/`). Drafts are never
written. Links are found where the parser saw them (`hrefs.href_span`); one that is not found there, or a link
in raw HTML, is left as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import quote

from hubgen.base.cache import Cache, key_for
from hubgen.base.sinks import for_markdown_line
from hubgen.core.frontmatter import split_front_matter
from hubgen.core.graph import LinkGraph, ResolvedLink
from hubgen.core.hrefs import definitions, href_span
from hubgen.core.layout import LLMS_FILE, LLMS_FULL_FILE, page_dir, twin_file
from hubgen.core.links import LinkTarget, find_anchor, fragment_url
from hubgen.core.load import Page
from hubgen.core.scan import read_text

_PATH_SAFE = "/!$&'*+,;=:@~"  # no parentheses: the URL sits inside a Markdown link's ( )
Inputs = tuple[object, ...]  # what a twin was made from, compared by identity (see `_inputs`)
Twins = Mapping[str, tuple[Inputs, bytes, str]]  # page id -> (what its twin was made from, it, its llms.txt line)


def llms_files(
    graph: LinkGraph, content_dir: Path, known: Twins | None = None, store: TwinStore | None = None
) -> tuple[list[tuple[str, bytes]], Twins]:
    """(output path, UTF-8 text) of llms.txt, llms-full.txt and every published page's twin, and the twins by
    page id; a twin in `known` made from the very same records is taken as it is (`hubgen serve`), and one
    the build cache's `store` holds for the same source and link targets is read, not made again (`build`)."""
    if not graph.config.llms:
        return [], {}
    sections = list(_sections(graph))
    order = [*([""] if "" in graph.pages else []), *(page_id for _, pages in sections for page_id in pages)]
    order = [page_id for page_id in dict.fromkeys(order) if not graph.pages[page_id].draft]
    twins: dict[str, tuple[Inputs, bytes, str]] = {}
    stored = store.held(graph, order) if store is not None else {}
    for page_id in order:
        page, held, inputs = graph.pages[page_id], (known or {}).get(page_id), _inputs(graph, page_id)
        same = held is not None and len(held[0]) == len(inputs) and all(map(_same, held[0], inputs))
        made = held if same and held is not None else None
        text = made[1] if made is not None else stored.get(page_id) or twin(graph, page, content_dir).encode()
        twins[page_id] = made or (inputs, text, _item(graph, page))
    if store is not None:
        store.keep({page_id: twins[page_id][1] for page_id in order})
    files = [(twin_file(page_id), twins[page_id][1]) for page_id in order]
    index = llms_txt(graph, sections, {page_id: item for page_id, (_, _, item) in twins.items()})
    files.append((LLMS_FILE, index.encode()))
    files.append((LLMS_FULL_FILE, b"\n".join(twins[page_id][1] for page_id in order)))
    return files, twins


class TwinStore:
    """`build` with a cache: twins in the build cache's `twins` store, each under a key of everything it is
    made from (its source's key, its title, each link's target URL: `twin_key`), so an unchanged page's twin
    is neither read from its file nor made again."""

    def __init__(self, cache: Cache, sources: Mapping[str, str]) -> None:
        self.cache = cache
        self.sources = sources  # page id -> the key of its file's text
        self._keys: dict[str, str] = {}

    def held(self, graph: LinkGraph, order: list[str]) -> dict[str, bytes]:
        """Page id -> its twin, for the pages the store holds the twin of."""
        keys = {page_id: twin_key(graph, graph.pages[page_id], self.sources.get(page_id, "")) for page_id in order}
        self._keys = {page_id: key for page_id, key in keys.items() if key}
        found = self.cache.get_many(self._keys.values())
        return {page_id: found[key] for page_id, key in self._keys.items() if key in found}

    def keep(self, twins: Mapping[str, bytes]) -> None:
        """Store the twins made now; drop those no page has any more."""
        present = self.cache.present(self._keys.values())
        self.cache.put_many({key: twins[pid] for pid, key in self._keys.items() if key not in present and twins[pid]})
        self.cache.prune(self._keys.values())


def twin_key(graph: LinkGraph, page: Page, source: str) -> str:
    """What a page's twin is a function of: its file's text (`source`), its title and whether the front matter
    gives it, and each link's URL (with the site's); "" when the source is unknown (the twin is not kept)."""
    if not source:
        return ""
    urls = [_url(graph, page, item) or "" for item in graph.links.get(page.id, ()) if not item.link.in_html]
    return key_for("twin", source, page.title, str("title" in page.front.values), *urls)


def _inputs(graph: LinkGraph, page_id: str) -> Inputs:
    """What a page's twin is made from: its record, its resolved links, the pages a #fragment of it lands in
    (their anchors), and the site's URL. `hubgen serve` keeps records that did not change, so a twin whose
    inputs are the very same objects is the same."""
    links = graph.links.get(page_id, ())
    targets = [graph.pages.get(item.target.path) for item in links if item.target.fragment is not None]
    return (graph.pages[page_id], links, *targets, graph.config.site_url or graph.config.base_path)


def _same(old: object, new: object) -> bool:
    return old is new or (isinstance(old, str) and old == new)


def site_url(graph: LinkGraph, path: str) -> str:
    """A site path ("basics/alpha/", "img/x.png") as an absolute URL, or from the host's root without base_url."""
    return (graph.config.site_url or graph.config.base_path) + quote(path, safe=_PATH_SAFE)


def llms_txt(graph: LinkGraph, sections: list[tuple[str, list[str]]], items: Mapping[str, str]) -> str:
    """llms.txt, from each published page's line (`_item`, made with its twin and kept with it)."""
    config = graph.config
    lines = [f"# {for_markdown_line(config.title)}", ""]
    if config.description.strip():
        lines += [f"> {for_markdown_line(config.description)}", ""]
    for title, pages in sections:
        listed = [items[page_id] for page_id in pages if page_id in items]
        if listed:
            lines += [f"## {for_markdown_line(title)}", "", *listed, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _item(graph: LinkGraph, page: Page) -> str:
    summary = for_markdown_line(page.summary)
    link = f"- [{for_markdown_line(page.title)}]({site_url(graph, twin_file(page.id))})"
    return link + (f": {summary}" if summary else "")


def _sections(graph: LinkGraph) -> Iterable[tuple[str, list[str]]]:
    """(heading, page ids) per hub, in the order described in the module's docstring; then the rest."""
    seen: set[str] = {""}
    parents = {graph.hub_of.get(hub) for hub in graph.hubs()}  # the hubs that have sub-hubs, and None
    for hub in _hubs_in_order(graph, None, set(), parents):
        on_path = [step for path in graph.paths_of(hub) for step in path.steps]
        stepped = set(on_path)
        by_title = sorted(
            (m for m in graph.members(hub) if m not in stepped and graph.pages[m].type != "hub"),
            key=lambda m: (graph.pages[m].title.casefold(), m),
        )
        pages = list(dict.fromkeys([hub, *on_path, *by_title]))
        seen.update(pages)
        yield graph.pages[hub].title, pages
    tracks = [track.id for track in graph.track_order() if track.id not in seen]
    if tracks:  # learning tracks (a track in a hub's folder is listed with its hub)
        seen.update(tracks)
        yield "Tracks", tracks
    rest = [page_id for page_id in graph.pages if page_id not in seen]
    if rest:
        yield "Other pages", rest


def _hubs_in_order(graph: LinkGraph, parent: str | None, seen: set[str], parents: set[str | None]) -> Iterable[str]:
    """Each hub under `parent`, in the home page's order, its sub-hubs right after it (only a hub in
    `parents` has any: each `hub_order` walks every hub, so it is asked only where there is an answer)."""
    for hub in graph.hub_order(parent) if parent in parents else ():
        if hub not in seen:
            seen.add(hub)
            yield hub
            yield from _hubs_in_order(graph, hub, seen, parents)


def twin(graph: LinkGraph, page: Page, content_dir: Path) -> str:
    """The page's Markdown twin (see the module's docstring)."""
    text, problem = read_text(content_dir / page.rel, page.file)
    lines = [] if problem else split_front_matter(text).body.split("\n")
    defined = definitions(lines)
    edits: dict[int, dict[tuple[int, int], str]] = {}  # line -> (start, end) -> the new href
    for item in graph.links.get(page.id, ()):
        url = None if item.link.in_html else _url(graph, page, item)
        span = href_span(lines, item.link, defined) if url is not None else None
        if span is not None:
            edits.setdefault(span[0], {}).setdefault(span[1:], url or "")
    for number, spans in edits.items():  # each line rebuilt once, whatever its number of links
        line, pieces, done = lines[number - 1], [], 0
        for (start, end), url in sorted(spans.items()):
            if start >= done:
                pieces += [line[done:start], url]
                done = end
        lines[number - 1] = "".join([*pieces, line[done:]])
    body = "\n".join(lines).strip("\n")
    heading = f"# {for_markdown_line(page.title)}\n\n" if page.front.values.get("title") else ""
    return heading + (body + "\n" if body else "")


def _url(graph: LinkGraph, page: Page, item: ResolvedLink) -> str | None:
    target: LinkTarget = item.target
    tail = target.query
    if target.kind == "page":
        target_id = page.id if target.same_page else target.path
        if target_id not in graph.pages:
            return None
        fragment = target.fragment
        if fragment is not None:
            fragment = find_anchor(graph.pages[target_id].body.anchors, fragment) or fragment
        return site_url(graph, page_dir(target_id)) + tail + fragment_url(fragment)
    if target.kind in ("asset", "generated"):
        path = target.path if target.kind == "asset" else page_dir(target.path)
        return site_url(graph, path) + tail + fragment_url(target.fragment)
    return None
