"""The link graph: every page and every edge between pages, built once from the loaded content.

Edges: hub membership, prev/next (one side declared is enough, the other is implied), related, inline
links with their fragments; and the derived ones: each hub's learning paths in order, and backlinks.
Problems met while building (a reference to nothing, two pages claiming one next, a cycle) are kept as
facts on the graph; `validate` turns them into diagnostics. Every later stage reads this graph.
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Literal

from hubgen.core.aliases import MAX_ALIASES, Alias, alias_key, read_alias
from hubgen.core.config import SiteConfig
from hubgen.core.layout import TAGS_DIR, tag_dir
from hubgen.core.links import LinkTarget, SiteIndex, resolve_href
from hubgen.core.load import Content, Page
from hubgen.core.markdown import Link
from hubgen.core.slugs import slugify

RefKey = Literal["hub", "prev", "next", "related", "steps"]


@dataclass(frozen=True)
class Reference:
    """`page.key = text` in front matter, and what it resolved to."""

    page: str
    key: RefKey
    text: str
    line: int
    column: int
    target: str | None  # a page id; None when nothing (or more than one page) matches
    candidates: tuple[str, ...] = ()  # the pages a bare name matches, when more than one


ClashCode = Literal["path-conflict", "path-fork", "path-cycle", "path-leaves-hub"]


@dataclass(frozen=True)
class Clash:
    """Declarations that cannot all hold: `path-conflict` or `path-fork`, or a `path-cycle` (its claims: every
    declaration of its edges, those of the edge closing the circle first)."""

    code: ClashCode
    claims: tuple[Reference, ...]
    cycle: tuple[str, ...] = ()


@dataclass(frozen=True)
class LearningPath:
    hub: str | None
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Track:
    """A page of `type: track` and the pages its `steps` name, in order: each published article or hub once
    (a reference that is unknown, a draft, the track itself, another track or a repeat is reported and left
    out)."""

    id: str
    steps: tuple[str, ...]
    anchor: str = ""  # the id of its block on its steps' pages: `track-<slug>`, unique among tracks


@dataclass(frozen=True)
class ResolvedLink:
    link: Link
    target: LinkTarget


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    pages: tuple[str, ...]


@dataclass(frozen=True)
class LinkGraph:
    config: SiteConfig
    pages: Mapping[str, Page]  # the pages that are published in this build
    drafts: Mapping[str, Page]  # drafts left out of this build
    site: SiteIndex
    references: tuple[Reference, ...]
    hub_of: Mapping[str, str | None]
    paths: tuple[LearningPath, ...]
    clashes: tuple[Clash, ...]
    related: Mapping[str, tuple[str, ...]]
    links: Mapping[str, tuple[ResolvedLink, ...]]
    backlinks: Mapping[str, tuple[str, ...]]
    tags: Mapping[str, Tag]
    position: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # id -> (path index, step index)
    digest: str = ""  # the loaded content's digest (see load.Content.digest)
    members_of: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # hub -> its pages, sorted by id
    aliases: tuple[Alias, ...] = ()  # the published pages' aliases, in page id order
    tracks: tuple[Track, ...] = ()  # the published tracks, in page id order
    on_tracks: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)  # id -> (track, step index)
    track_at: Mapping[str, int] = field(default_factory=dict)  # a track's id -> its index in `tracks`

    def next_of(self, page_id: str) -> str | None:
        return self._neighbour(page_id, +1)

    def prev_of(self, page_id: str) -> str | None:
        return self._neighbour(page_id, -1)

    def _neighbour(self, page_id: str, step: int) -> str | None:
        if page_id not in self.position:
            return None
        path, index = self.position[page_id]
        steps = self.paths[path].steps
        return steps[index + step] if 0 <= index + step < len(steps) else None

    def members(self, hub_id: str) -> tuple[str, ...]:
        """The hub's pages, sorted by id."""
        return self.members_of.get(hub_id, ())

    def paths_of(self, hub_id: str) -> tuple[LearningPath, ...]:
        return tuple(path for path in self.paths if path.hub == hub_id)

    def hub_chain(self, page_id: str) -> tuple[str, ...]:
        """The hubs above a page, outermost first (a hub's own `hub` names its parent)."""
        chain: list[str] = []
        seen = {page_id}  # hubs that are each other's parents (`hub-cycle`) stop the walk
        hub = self.hub_of.get(page_id)
        while hub is not None and hub not in seen:
            chain.append(hub)
            seen.add(hub)
            hub = self.hub_of.get(hub)
        return tuple(reversed(chain))

    def track(self, page_id: str) -> Track | None:
        """The track that `page_id` is, or None."""
        index = self.track_at.get(page_id)
        return None if index is None else self.tracks[index]

    def tracks_of(self, page_id: str) -> tuple[tuple[Track, int], ...]:
        """The tracks `page_id` is a step of, each with its index on the track (from 0), in track id order."""
        return tuple((self.tracks[track], index) for track, index in self.on_tracks.get(page_id, ()))

    def track_order(self) -> list[Track]:
        """The tracks as the home page lists them: by title, then id."""
        return sorted(self.tracks, key=lambda t: (self.pages[t.id].title.casefold(), t.id))

    def hubs(self) -> tuple[str, ...]:
        return tuple(p for p, page in self.pages.items() if page.type == "hub")

    def hub_order(self, parent: str | None = None) -> list[str]:
        """The hubs whose parent is `parent` (None: the top-level hubs, as the home page lists them): those on
        a path of hubs first, in path order, then the rest by title."""
        hubs = [h for h in self.hubs() if self.hub_of.get(h) == parent]
        wanted = set(hubs)
        ordered = [s for path in self.paths for s in path.steps if s in wanted]
        rest = sorted((h for h in hubs if h not in ordered), key=lambda h: self.pages[h].title.casefold())
        return ordered + rest


def build_graph(
    content: Content, config: SiteConfig, include_drafts: bool = False, previous: LinkGraph | None = None
) -> LinkGraph:
    """The graph of `content`. With `previous` (serve's last graph), what an unchanged page (the same Page
    object) resolved to is reused while the set of pages and files it resolved against is the same."""
    pages = {k: p for k, p in content.pages.items() if include_drafts or not p.draft}
    drafts = {k: p for k, p in content.pages.items() if k not in pages}
    references = tuple(_references(content.pages, pages, previous))
    targets: dict[tuple[str, str, str], str | None] = {(r.page, r.key, r.text): r.target for r in references}
    hub_of = {page_id: _hub_of(page, pages, targets) for page_id, page in pages.items()}
    edges = [r for r in references if r.key in ("prev", "next") and _usable(r, pages)]
    paths, clashes = _learning_paths(edges, hub_of)
    tags = _tags(pages)
    every_alias = tuple(_aliases(content.pages, config.base_path))
    site = _site_index(content, tags, config, every_alias)
    reusable = previous if previous is not None and previous.site == site else None  # resolved on the same site
    links = {
        pid: reusable.links[pid]
        if reusable is not None and reusable.pages.get(pid) is page
        else tuple(_resolve_links(page, site))
        for pid, page in pages.items()
    }
    related_refs: dict[str, list[str | None]] = defaultdict(list)
    for r in references:
        if r.key == "related" and _usable(r, pages):
            related_refs[r.page].append(r.target)
    related = {pid: _unique(related_refs.get(pid, ())) for pid in pages}
    position = {step: (i, j) for i, path in enumerate(paths) for j, step in enumerate(path.steps)}
    tracks = _tracks(references, pages)
    on_tracks: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, track in enumerate(tracks):
        for j, step in enumerate(track.steps):
            on_tracks[step].append((i, j))
    return LinkGraph(
        config=config,
        pages=pages,
        drafts=drafts,
        site=site,
        references=references,
        hub_of=hub_of,
        paths=paths,
        clashes=clashes,
        related=related,
        links=links,
        backlinks=_backlinks(links, related, pages),
        tags=tags,
        position=position,
        digest=content.digest,
        members_of=_members(hub_of),
        aliases=tuple(alias for alias in every_alias if alias.page in pages),
        tracks=tracks,
        on_tracks={page_id: tuple(found) for page_id, found in on_tracks.items()},
        track_at={track.id: index for index, track in enumerate(tracks)},
    )


def with_pages(graph: LinkGraph, edited: Mapping[str, Page], digest: str) -> LinkGraph:
    """`graph` with some pages replaced by versions that differ only in their body text, title or summary, not
    in their other front matter, headings, ids or the links they hold (`hubgen serve` checks that). Every edge
    stays: the edited pages' own links are resolved again (their lines moved), and a new title re-sorts the
    lists ordered by title (backlinks, tag pages)."""
    pages = {page_id: edited.get(page_id, page) for page_id, page in graph.pages.items()}
    drafts = {page_id: edited.get(page_id, page) for page_id, page in graph.drafts.items()}
    links = dict(graph.links)
    for page_id in edited.keys() & pages.keys():
        links[page_id] = tuple(_resolve_links(pages[page_id], graph.site))
    new = replace(graph, pages=pages, drafts=drafts, links=links, digest=digest)
    if all(page.title == graph.pages[page_id].title for page_id, page in edited.items() if page_id in graph.pages):
        return new
    return replace(new, backlinks=_backlinks(links, graph.related, pages), tags=_tags(pages))


# ------------------------------------------------------------------------------------------ references


def _references(
    every_page: Mapping[str, Page], published: Mapping[str, Page], previous: LinkGraph | None
) -> Iterable[Reference]:
    by_slug: dict[str, list[str]] = defaultdict(list)
    for page_id in every_page:
        by_slug[page_id.rsplit("/", 1)[-1]].append(page_id)
    earlier: dict[str, list[Reference]] = defaultdict(list)
    if previous is not None and previous.pages.keys() | previous.drafts.keys() == every_page.keys():
        for ref in previous.references:
            earlier[ref.page].append(ref)
    for page_id, page in published.items():
        if previous is not None and page_id in earlier and previous.pages.get(page_id) is page:
            yield from earlier[page_id]
            continue
        for key in REF_KEYS:
            value = page.front.values.get(key)
            if not value:
                continue
            texts = value if isinstance(value, tuple) else (value,)
            for index, text in enumerate(texts):
                target, candidates = resolve_reference(text, every_page, by_slug)
                line, column = page.front.position(key, index if key in ("related", "steps") else None)
                yield Reference(page_id, key, text, line, column, target, candidates)


REF_KEYS: tuple[RefKey, ...] = ("hub", "prev", "next", "related", "steps")
STEP_TYPES = ("article", "hub")  # what a track's step may be


def resolve_reference(
    text: str, pages: Mapping[str, Page], by_slug: Mapping[str, list[str]]
) -> tuple[str | None, tuple[str, ...]]:
    """A page id from an id or a unique last segment (`.md`, `/index` and slashes tolerated)."""
    name = text.strip().removeprefix("./").strip("/").removesuffix(".md").removesuffix("/index")
    name = "" if name == "index" else name
    if name in pages:
        return name, ()
    matches = by_slug.get(name, [])
    if len(matches) == 1:
        return matches[0], ()
    return None, tuple(sorted(matches))


def _usable(reference: Reference, published: Mapping[str, Page]) -> bool:
    """A reference that makes an edge: resolved, published, and not to the page itself."""
    return reference.target is not None and reference.target in published and reference.target != reference.page


def _hub_of(
    page: Page, published: Mapping[str, Page], targets: Mapping[tuple[str, str, str], str | None]
) -> str | None:
    if page.type == "home":
        return None
    declared = page.front.values.get("hub")
    if declared:
        target = targets.get((page.id, "hub", declared))
        if target is not None and target in published and published[target].type == "hub" and target != page.id:
            return target
        # else: the reference is reported; the folder's hub stands in, so nothing else follows from it
    folder = page.id
    while folder:
        folder = posixpath.dirname(folder)
        if folder in published and published[folder].type == "hub" and folder != page.id:
            return folder
    return None


# ------------------------------------------------------------------------------------------ learning paths


def _learning_paths(
    claims: list[Reference], hub_of: Mapping[str, str | None]
) -> tuple[tuple[LearningPath, ...], tuple[Clash, ...]]:
    """Chains of next edges. A.next = B and B.prev = A are the same edge; contradictions are clashes,
    and the page's own declaration wins over one implied from a neighbour."""
    clashes: list[Clash] = []
    outgoing: dict[str, list[Reference]] = defaultdict(list)
    incoming: dict[str, list[Reference]] = defaultdict(list)
    for claim in claims:
        source, target = _edge(claim)
        outgoing[source].append(claim)
        incoming[target].append(claim)
    next_of: dict[str, str] = {}
    for source, group in sorted(outgoing.items()):
        kept = _settle(source, group, "next", clashes)
        if kept:
            next_of[source] = _edge(kept)[1]
    prev_of: dict[str, str] = {}
    for target, group in sorted(incoming.items()):
        group = [c for c in group if next_of.get(_edge(c)[0]) == target]
        kept = _settle(target, group, "prev", clashes)
        if kept:
            prev_of[target] = _edge(kept)[0]
    next_of = {a: b for a, b in next_of.items() if prev_of.get(b) == a}
    chains = _chains(next_of, clashes, incoming)
    for chain in chains:
        for a, b in pairwise(chain):
            if hub_of.get(a) != hub_of.get(b):
                clashes.append(Clash("path-leaves-hub", tuple(c for c in outgoing[a] if _edge(c) == (a, b))))
    paths = tuple(LearningPath(hub_of.get(chain[0]), tuple(chain)) for chain in chains)
    return paths, tuple(clashes)


def _edge(claim: Reference) -> tuple[str, str]:
    assert claim.target is not None
    return (claim.page, claim.target) if claim.key == "next" else (claim.target, claim.page)


def _settle(node: str, group: list[Reference], own_key: str, clashes: list[Clash]) -> Reference | None:
    """One edge out of (or into) `node` from the claims about it; a clash when they disagree."""
    if not group:
        return None
    ends = {_edge(c) for c in group}
    own = [c for c in group if c.page == node and c.key == own_key]
    if len(ends) > 1:
        code: ClashCode = "path-conflict" if own else "path-fork"
        clashes.append(Clash(code, tuple(sorted(group, key=lambda c: (c.page, c.line)))))
    return own[0] if own else sorted(group, key=lambda c: c.page)[0]


def _chains(next_of: dict[str, str], clashes: list[Clash], incoming: Mapping[str, list[Reference]]) -> list[list[str]]:
    has_prev = set(next_of.values())
    chains: list[list[str]] = []
    seen: set[str] = set()
    for start in sorted(n for n in next_of if n not in has_prev):
        chains.append(_walk(start, next_of, seen))
    for start in sorted(n for n in next_of if n not in seen):  # what is left lies on cycles
        if start in seen:  # already walked as part of an earlier cycle: one path per cycle
            continue
        cycle = _walk(start, next_of, seen)
        edges = [(cycle[-1], start), *pairwise(cycle)]  # the edge that closes the circle first
        claims = tuple(c for a, b in edges for c in incoming[b] if _edge(c) == (a, b))
        clashes.append(Clash("path-cycle", claims, (*cycle, start)))
        chains.append(cycle)
    return chains


def _walk(start: str, next_of: Mapping[str, str], seen: set[str]) -> list[str]:
    chain = [start]
    seen.add(start)
    while next_of.get(chain[-1]) is not None and next_of[chain[-1]] not in seen:
        chain.append(next_of[chain[-1]])
        seen.add(chain[-1])
    return chain


# ------------------------------------------------------------------------------------------ tracks


def _tracks(references: Iterable[Reference], published: Mapping[str, Page]) -> tuple[Track, ...]:
    """Each published track with its usable steps, in order, each page once (`check_tracks` reports the rest)."""
    steps: dict[str, dict[str, None]] = {p: {} for p, page in published.items() if page.type == "track"}
    for ref in references:
        if ref.key == "steps" and ref.page in steps and _usable(ref, published):
            assert ref.target is not None
            if published[ref.target].type in STEP_TYPES:
                steps[ref.page].setdefault(ref.target, None)
    anchors: set[str] = set()
    tried: dict[str, int] = {}  # base -> the last number tried for it: each base's numbers are tried once
    tracks = []
    for track_id, found in steps.items():
        base = "track-" + tag_slug(track_id.rsplit("/", 1)[-1])
        anchor = base
        while anchor in anchors:  # two tracks of one name in different folders
            tried[base] = tried.get(base, 1) + 1
            anchor = f"{base}-{tried[base]}"
        anchors.add(anchor)
        tracks.append(Track(track_id, tuple(found), anchor))
    return tuple(tracks)


# ------------------------------------------------------------------------------------------ links, tags


def _aliases(pages: Mapping[str, Page], base_path: str) -> Iterable[Alias]:
    for page_id, page in pages.items():
        for index, text in enumerate(page.front.values.get("aliases", ())):
            path, problem = read_alias(text, base_path)
            if index >= MAX_ALIASES and not problem:  # each alias is a page written: a page keeps a bounded few
                path, problem = "", f"is one more than the {MAX_ALIASES} aliases a page may have"
            yield Alias(page_id, text, *page.front.position("aliases", index), path, problem)


def _alias_index(aliases: Iterable[Alias], pages: Mapping[str, Page]) -> dict[str, str]:
    """Alias key -> the page it leads to, for links that go through one: well-formed aliases that are not a
    page's own id, the first one of a key winning (a second is an `alias-collision`)."""
    found: dict[str, str] = {}
    for alias in aliases:
        if alias.path and alias.path not in pages:
            found.setdefault(alias_key(alias.path), alias.page)
    return found


def _site_index(content: Content, tags: Mapping[str, Tag], config: SiteConfig, aliases: Iterable[Alias]) -> SiteIndex:
    generated = [TAGS_DIR, *(tag_dir(slug).rstrip("/") for slug in tags)] if tags else []
    generated.append("")  # the home page, generated when there is no content/index.md
    return SiteIndex(
        page_by_rel={page.rel: page.id for page in content.pages.values()},
        page_ids=frozenset(content.pages),
        assets=frozenset(content.assets),
        folders=content.folders,
        generated=frozenset(g for g in generated if g not in content.pages),
        base_path=config.base_path,
        html_ids=content.html_ids,
        image_sizes=content.image_sizes,
        aliases=_alias_index(aliases, content.pages),
        spellings=_spellings(
            [*(p.rel for p in content.pages.values()), *content.pages, *content.assets, *content.folders]
        ),
    )


def _spellings(names: Iterable[str]) -> dict[str, str]:
    """NFC form -> name on disk, for names stored decomposed (as macOS writes them): a link typed in the
    composed form still finds the file."""
    return {nfc: name for name in names if (nfc := unicodedata.normalize("NFC", name)) != name}


def _resolve_links(page: Page, site: SiteIndex) -> Iterable[ResolvedLink]:
    for link in page.body.links:
        yield ResolvedLink(link, resolve_href(link.href, page.folder, site, link.kind))


def _backlinks(
    links: Mapping[str, tuple[ResolvedLink, ...]], related: Mapping[str, tuple[str, ...]], pages: Mapping[str, Page]
) -> dict[str, tuple[str, ...]]:
    sources: dict[str, set[str]] = defaultdict(set)
    for source, resolved in links.items():
        for item in resolved:
            if item.target.kind == "page" and item.target.path not in ("", source) and item.target.path in pages:
                sources[item.target.path].add(source)
    for source, targets in related.items():
        for target in targets:
            sources[target].add(source)
    by_title = _title_order(pages)
    return {target: tuple(sorted(found, key=by_title.__getitem__)) for target, found in sorted(sources.items())}


def _title_order(pages: Mapping[str, Page]) -> dict[str, tuple[str, str]]:
    """Each page's sort key for lists shown by title: its title case-folded, then its id."""
    return {page_id: (page.title.casefold(), page_id) for page_id, page in pages.items()}


def _members(hub_of: Mapping[str, str | None]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = defaultdict(list)
    for page_id, hub in sorted(hub_of.items()):
        if hub is not None and hub != page_id:
            found[hub].append(page_id)
    return {hub: tuple(pages) for hub, pages in found.items()}


def tag_slug(name: str) -> str:
    """The URL segment of a tag's page: `Neural Networks` -> `neural-networks`."""
    return slugify(name).strip("-") or "tag"


def _tags(pages: Mapping[str, Page]) -> dict[str, Tag]:
    names: dict[str, str] = {}
    members: dict[str, dict[str, None]] = defaultdict(dict)  # slug -> its pages (a dict: ordered, no repeats)
    for page_id, page in pages.items():
        for name in page.front.values.get("tags", ()):
            slug = tag_slug(name)
            names.setdefault(slug, name)
            members[slug][page_id] = None
    by_title = _title_order(pages)
    ordered = {slug: tuple(sorted(members[slug], key=by_title.__getitem__)) for slug in sorted(members)}
    return {slug: Tag(slug, names[slug], pages_of_tag) for slug, pages_of_tag in ordered.items()}


def hub_cycles(hub_of: Mapping[str, str | None]) -> list[tuple[str, ...]]:
    """Hubs that are each other's parents, each cycle once, in the order `hub:` leads, starting at its least
    id: [("a", "b")] when a's parent is b and b's is a. Linear: each page is walked once."""
    state: dict[str, int] = {}  # 1: on the walk under way, 2: done
    cycles: list[tuple[str, ...]] = []
    for start in sorted(hub_of):
        walk: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            walk.append(node)
            node = hub_of.get(node)
        if node is not None and state[node] == 1:  # the walk came back to itself
            cycle = walk[walk.index(node) :]
            first = cycle.index(min(cycle))
            cycles.append(tuple(cycle[first:] + cycle[:first]))
        for visited in walk:
            state[visited] = 2
    return sorted(cycles)


def _unique(items: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i is not None))
