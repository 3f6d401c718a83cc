"""Validation: the graph's facts -> diagnostics. Each rule reads the graph and yields diagnostics; it never
re-reads files. `validate` runs every rule, then applies the project's severity settings and the
`<!-- hubgen-ignore -->` comments in the Markdown.
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from hubgen.core import layout
from hubgen.core.aliasrules import alias_collision, alias_place, check_aliases, redirected
from hubgen.core.config import CONFIG_FILE, favicon_path
from hubgen.core.configvalues import FAVICON_TYPES
from hubgen.core.diagnostics import Diagnostic, Location, diagnostic, did_you_mean
from hubgen.core.graph import STEP_TYPES, Clash, LinkGraph, Reference, ResolvedLink, hub_cycles
from hubgen.core.links import find_anchor, suggest
from hubgen.core.load import Page
from hubgen.core.socialimage import check_image

Rule = Callable[[LinkGraph], Iterable[Diagnostic]]  # reads the graph's structure
PageRule = Callable[[LinkGraph, str], Iterable[Diagnostic]]  # reads one page's body (its links)


@dataclass(frozen=True)
class Findings:
    """What the rules found, before severity settings and ignores: the graph-wide rules' diagnostics, and
    each page's own (its links and images). Kept by `hubgen serve` so an edit re-examines only its page."""

    graph_wide: tuple[Diagnostic, ...]
    by_page: Mapping[str, tuple[Diagnostic, ...]]

    def all(self) -> Iterable[Diagnostic]:
        yield from self.graph_wide
        for found in self.by_page.values():
            yield from found


def find_problems(
    graph: LinkGraph, previous: Findings | None = None, edited: Collection[str] = (), graph_wide: bool = False
) -> Findings:
    """Every rule run over `graph`. With `previous`, the findings on a graph this one differs from only in
    the `edited` pages' body text (`graph.with_pages`), or also in their titles and summaries (then with
    `graph_wide`, as graph-wide messages name titles), only those pages' own rules run again."""
    if previous is not None:
        by_page = dict(previous.by_page)
        by_page.update((page_id, _page_problems(graph, page_id)) for page_id in edited if page_id in graph.pages)
        return Findings(_graph_wide(graph) if graph_wide else previous.graph_wide, by_page)
    return Findings(_graph_wide(graph), {page_id: _page_problems(graph, page_id) for page_id in graph.pages})


def _graph_wide(graph: LinkGraph) -> tuple[Diagnostic, ...]:
    return tuple(found for rule in RULES for found in rule(graph))


def _page_problems(graph: LinkGraph, page_id: str) -> tuple[Diagnostic, ...]:
    return tuple(found for rule in PAGE_RULES for found in rule(graph, page_id))


def validate(graph: LinkGraph, extra: Sequence[Diagnostic] = (), findings: Findings | None = None) -> list[Diagnostic]:
    """Every rule's diagnostics (or `findings`, when the caller has them) plus `extra` (from loading),
    after severity settings and ignores."""
    found = [*extra, *(findings or find_problems(graph)).all()]
    return sorted(_apply_settings(found, graph))


def _apply_settings(found: Iterable[Diagnostic], graph: LinkGraph) -> Iterable[Diagnostic]:
    ignored = {page.file: page.body.ignored_lines for page in (*graph.pages.values(), *graph.drafts.values())}
    for item in found:
        codes = ignored.get(item.file, {}).get(item.line)
        if codes is not None and (not codes or item.code in codes):
            continue
        severity = graph.config.severity_for(item.code)
        if severity == "off":
            continue
        yield item if severity == item.severity else item.with_severity(severity)


# ----------------------------------------------------------------------------------------- references


def check_references(graph: LinkGraph) -> Iterable[Diagnostic]:
    for ref in graph.references:
        page = graph.pages[ref.page]
        if ref.target is None and ref.candidates:
            listed = ", ".join(ref.candidates)
            yield _at(
                ref,
                page,
                "ambiguous-reference",
                f"'{ref.text}' matches {len(ref.candidates)} pages: {listed}",
                f"write the full id, e.g. {ref.key}: {ref.candidates[0]}",
            )
        elif ref.target is None:
            yield _at(
                ref,
                page,
                "unknown-reference",
                f"{ref.key}: '{ref.text}' names no page",
                _reference_hint(ref.text, graph),
            )
        elif ref.target == ref.page:
            yield _at(
                ref,
                page,
                "self-reference",
                f"{ref.key}: '{ref.text}' is this page itself",
                f"remove the {ref.key} entry, or name another page",
            )
        elif ref.target in graph.drafts:
            yield _at(
                ref,
                page,
                "draft-reference",
                f"{ref.key}: '{ref.text}' is a draft, left out of the site",
                "publish it (remove draft: true) or refer to another page; `--drafts` builds drafts too",
            )
        elif ref.key == "hub" and graph.pages[ref.target].type != "hub":
            yield _at(
                ref,
                page,
                "not-a-hub",
                f"hub: '{ref.text}' is a page of type {graph.pages[ref.target].type}",
                _hubs_hint(ref.text, graph),
            )


def _at(ref: Reference, page: Page, code: str, message: str, hint: str = "") -> Diagnostic:
    return diagnostic(code, page.file, ref.line, ref.column, message, hint)


def _reference_hint(text: str, graph: LinkGraph) -> str:
    every = {**graph.pages, **graph.drafts}
    by_title = {page.title.casefold(): page_id for page_id, page in every.items()}
    if text.strip().casefold() in by_title:
        return f"that is a page's title; refer to it by its id: {by_title[text.strip().casefold()]}"
    names = sorted({*every, *(page_id.rsplit("/", 1)[-1] for page_id in every)})
    hint = did_you_mean(text.strip().removesuffix(".md"), names)
    if hint:
        return hint
    title = difflib.get_close_matches(text.casefold(), list(by_title), n=1, cutoff=0.6)
    return f"did you mean '{by_title[title[0]]}' ({every[by_title[title[0]]].title})?" if title else ""


def _hubs_hint(text: str, graph: LinkGraph) -> str:
    hubs = graph.hubs()
    if not hubs:
        return "no page has `type: hub` yet: give a section page that key"
    return did_you_mean(text, hubs, "did you mean the hub") or "hubs: " + ", ".join(hubs)


def check_missing_hub(graph: LinkGraph) -> Iterable[Diagnostic]:
    for page_id, page in graph.pages.items():
        if page.type == "article" and graph.hub_of[page_id] is None and "hub" not in page.front.values:
            hint = _hubs_hint("", graph) if graph.hubs() else "create a hub page (type: hub) and name it with hub:"
            yield diagnostic("missing-hub", page.file, 1, 1, "article belongs to no hub", "add `hub: ...`; " + hint)


# ------------------------------------------------------------------------------------------ paths


def check_paths(graph: LinkGraph) -> Iterable[Diagnostic]:
    """A contradiction or a fork at every declaration taking part, each naming the others as related; a
    cycle once, at the `next:` that closes it, with the rest of the circle as related locations."""
    for clash in graph.clashes:
        if not clash.claims:
            continue
        places = [_place(claim, graph) for claim in clash.claims]
        if clash.code in ("path-conflict", "path-fork"):
            for place in dict.fromkeys(places):
                yield _clash_diagnostic(clash, graph, place, [p for p in dict.fromkeys(places) if p != place])
        else:
            yield _clash_diagnostic(clash, graph, places[0], [p for p in dict.fromkeys(places) if p != places[0]])


def _place(claim: Reference, graph: LinkGraph) -> Location:
    return Location(graph.pages[claim.page].file, max(claim.line, 1), max(claim.column, 1))


def _clash_diagnostic(clash: Clash, graph: LinkGraph, place: Location, related: Sequence[Location]) -> Diagnostic:
    first = clash.claims[0]
    said = "; ".join(
        f"{c.page or 'home'}.{c.key} = {c.target or 'home'} ({graph.pages[c.page].file}:{c.line})" for c in clash.claims
    )
    if clash.code == "path-cycle":
        loop = " → ".join(graph.pages[p].id or "home" for p in clash.cycle)
        message = f"learning path goes round in a circle: {loop}"
        hint = "a path needs a first page (no prev) and a last page (no next); remove one link of the circle"
    elif clash.code == "path-leaves-hub":
        a, b = (first.page, first.target) if first.key == "next" else (first.target, first.page)
        assert a is not None and b is not None
        message = (
            f"learning path leaves its hub: {a} (hub {graph.hub_of.get(a) or 'none'}) → "
            f"{b} (hub {graph.hub_of.get(b) or 'none'})"
        )
        hint = "keep a path inside one hub, or move a page"
    elif clash.code == "path-conflict":
        message = f"prev and next disagree: {said}"
        hint = "make the two pages name each other: A.next = B exactly when B.prev = A"
    else:
        message = f"two pages claim the same place on the path: {said}"
        hint = "a page has one prev and one next; split the path or re-order it"
    return diagnostic(clash.code, place.file, place.line, place.column, message, hint, related)


def check_hubs(graph: LinkGraph) -> Iterable[Diagnostic]:
    for hub_id in graph.hubs():
        if not graph.members(hub_id):
            page = graph.pages[hub_id]
            yield diagnostic(
                "empty-hub",
                page.file,
                1,
                1,
                f"hub '{page.title}' has no pages",
                f"give articles `hub: {hub_id}`, or place them in its folder",
            )


def check_hub_cycles(graph: LinkGraph) -> Iterable[Diagnostic]:
    """Hubs that are each other's parents (`hub:` on a hub names its parent): none of them is at the top, so
    the home page would list none of them. Reported at the `hub:` of each hub in the cycle."""
    declared = {ref.page: ref for ref in graph.references if ref.key == "hub"}
    for cycle in hub_cycles(graph.hub_of):
        for index, hub_id in enumerate(cycle):
            loop = " → ".join((*cycle[index:], *cycle[:index], hub_id))
            parent, ref = cycle[(index + 1) % len(cycle)], declared.get(hub_id)
            if ref is not None and ref.target == parent:
                line, column, how = ref.line, ref.column, ""
            else:  # no `hub:` that names the parent: the hub's folder makes it one
                line, column, how = 1, 1, f" ({parent} is the hub of its folder)"
            yield diagnostic(
                "hub-cycle",
                graph.pages[hub_id].file,
                line,
                column,
                f"hubs are each other's parents: {loop}{how}",
                "a hub's `hub:` names its parent hub; remove it from one hub of the circle, which is then "
                "listed on the home page",
            )


def check_orphans(graph: LinkGraph) -> Iterable[Diagnostic]:
    for page_id, page in graph.pages.items():
        on_path = page_id in graph.position or page_id in graph.on_tracks
        if page.type == "article" and not on_path and not graph.backlinks.get(page_id):
            yield diagnostic(
                "orphan-page",
                page.file,
                1,
                1,
                f"'{page.title}' is on no learning path and no page links to it",
                "give it prev/next on its hub's path, or link to it from a related page",
            )


# ------------------------------------------------------------------------------------------ tracks


def check_tracks(graph: LinkGraph) -> Iterable[Diagnostic]:
    """A track's steps (their resolution is `check_references`'): each an article or a hub, each once, at
    least two of them; no prev/next on a track, no steps on another page. Each at the list item's place."""
    by_page: dict[str, list[Reference]] = {}
    for ref in graph.references:
        if ref.key == "steps":
            by_page.setdefault(ref.page, []).append(ref)
        elif ref.key in ("prev", "next") and graph.pages[ref.page].type == "track":
            yield _at(
                ref,
                graph.pages[ref.page],
                "track-on-path",
                f"{ref.key}: a track is not a step of a hub's path",
                f"remove {ref.key}: from the track; its order is its steps: list",
            )
        elif ref.key in ("prev", "next") and ref.target is not None and graph.track(ref.target) is not None:
            yield _at(
                ref,
                graph.pages[ref.page],
                "track-on-path",
                f"{ref.key}: '{ref.text}' is a track, not a step of a hub's path",
                "link to the track from the text, or list it in related:",
            )
    for page_id, refs in by_page.items():
        page = graph.pages[page_id]
        if page.type != "track":
            line, column = page.front.position("steps")
            message = f"steps: on a page of type {page.type}; only a track has steps"
            yield diagnostic("steps-not-track", page.file, line, column, message, "add `type: track`, or remove steps:")
            continue
        first: dict[str, tuple[int, Reference]] = {}  # each step's page -> its number and first listing
        for ref in refs:
            target = ref.target
            if target is None or target == page_id or target not in graph.pages:
                continue  # reported by check_references
            if graph.pages[target].type not in STEP_TYPES:
                kind = "the home page" if target == "" else f"a page of type {graph.pages[target].type}"
                yield _at(ref, page, "track-step-kind", f"step '{ref.text}' is {kind}", "a step is an article or a hub")
            elif target in first:
                number, listed = first[target]
                earlier = Location(page.file, listed.line, listed.column)  # not in the message: see pr/compare.py
                message = f"step '{ref.text}' is already step {number} of this track"
                hint = f"a page is on a track once; remove this one or the one at line {earlier.line}"
                yield diagnostic("duplicate-step", page.file, ref.line, ref.column, message, hint, [earlier])
            else:
                first[target] = (len(first) + 1, ref)
    for track in graph.tracks:
        if len(track.steps) < 2:
            page = graph.pages[track.id]
            line, column = page.front.positions.get("steps", page.front.positions.get("type", (1, 1)))
            usable = "no usable step" if not track.steps else "one usable step"
            message = f"track '{page.title}' has {usable}; a track leads through at least two pages"
            yield diagnostic("track-too-short", page.file, line, column, message, "add steps: with two pages or more")


# ------------------------------------------------------------------------------------------ links


HINT_BUDGET = 200_000  # names compared for did-you-mean hints per page: each hint compares with every name


class _Hints:
    """One page's hints, each (kind, target) worked out once. A hint costs a comparison with every
    candidate name; once a page has spent HINT_BUDGET comparisons, its other hints are `_TOO_MANY` (a page
    of 20,000 broken links must not cost 20,000 fuzzy searches of the whole site)."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, ...], str] = {}
        self.spent = 0

    def get(self, key: tuple[str, ...], work: Callable[[], str], cost: int) -> str:
        if key not in self.known:
            self.spent += cost
            self.known[key] = work() if self.spent <= HINT_BUDGET else _TOO_MANY
        return self.known[key]


def check_links(graph: LinkGraph, page_id: str) -> Iterable[Diagnostic]:
    page = graph.pages[page_id]
    hints = _Hints()
    for item in graph.links.get(page_id, ()):
        problem = _link_problem(item, page, graph, hints)
        if problem:
            code, message, hint = problem
            yield diagnostic(code, page.file, item.link.line, item.link.column, message, hint)


def _link_problem(item: ResolvedLink, page: Page, graph: LinkGraph, hints: _Hints) -> tuple[str, str, str] | None:
    link, target = item.link, item.target
    shown = link.href
    missing_code = "missing-image" if link.kind == "image" else "broken-link"
    if target.kind == "missing":
        what = "image" if link.kind == "image" else "link target"
        folder = None if link.href.startswith("/") else page.folder
        names = len(graph.site.page_by_rel) + len(graph.site.assets)
        hint = (
            hints.get(("path", target.path, str(folder)), lambda: suggest(target.path, graph.site, folder), names)
            if target.path
            else "the path climbs out of the content folder"
        )
        return missing_code, f"{what} '{shown}' does not exist", hint
    if target.kind == "folder":
        return (
            missing_code,
            f"'{shown}' is a folder with no index.md: on the site it is a 404",
            (f"link to a page in it, or add {target.path}/index.md"),
        )
    if target.kind == "unsafe":
        return "unsafe-link", f"'{shown[:40]}' is not rendered as a link (unsafe URL scheme)", "use an http(s) link"
    if target.kind == "asset" and target.fragment and target.path in graph.site.html_ids:
        ids = graph.site.html_ids[target.path]  # an HTML file copied as it is: its ids, exactly (case matters)
        if target.fragment in ("top", *ids) or unquote(target.fragment) in ids:
            return None
        hint = did_you_mean(unquote(target.fragment), sorted(ids), "did you mean") or "it has no such id"
        where = posixpath.join(graph.config.content_dir, target.path)
        return "broken-anchor", f"'#{target.fragment}' matches no id in {where}", hint.replace("'", "'#", 1)
    if target.kind != "page":
        return None
    target_id = page.id if target.same_page else target.path
    if target_id in graph.drafts:
        return "draft-reference", f"'{shown}' links to a draft, left out of the site", "publish the draft first"
    target_page, fragment = graph.pages.get(target_id), target.fragment
    if target_page is None or fragment is None or find_anchor(target_page.body.anchors, fragment) is not None:
        return _via_alias(item, page, graph)
    where = "this page" if target_id == page.id else target_page.file
    return (
        "broken-anchor",
        f"'#{target.fragment}' matches no heading or id in {where}",
        hints.get(
            ("#", target_id, fragment), lambda: _anchor_hint(fragment, target_page), len(target_page.body.anchors)
        ),
    )


def _via_alias(item: ResolvedLink, page: Page, graph: LinkGraph) -> tuple[str, str, str] | None:
    """A link that reaches its page through one of the page's aliases: it works (it is rendered to the page's
    URL), but the source should name the page itself."""
    target = item.target
    if not target.alias or target.path not in graph.pages:
        return None
    to = posixpath.relpath(graph.pages[target.path].rel, page.folder or ".")
    message = f"'{item.link.href}' goes through an alias of '{target.path or 'index'}'"
    return "link-via-alias", message, f"link to the page itself: {to}"


_TOO_MANY = "no suggestion: this page has too many different broken targets to look for each one's match"


def _anchor_hint(fragment: str, page: Page) -> str:
    ids = [h.id for h in page.body.headings] + sorted(page.body.html_ids)
    hint = did_you_mean(unquote(fragment).casefold(), ids, "did you mean")
    if hint:
        return hint.replace("'", "'#", 1)
    return "headings here: " + ", ".join("#" + i for i in ids[:8]) if ids else "the target has no headings"


def check_image_alt(graph: LinkGraph, page_id: str) -> Iterable[Diagnostic]:
    """Images need a text alternative; `alt=""` in raw HTML is an explicit "decorative" and passes."""
    page = graph.pages[page_id]
    for item in graph.links.get(page_id, ()):
        link = item.link
        if link.kind == "image" and (link.alt is None or (not link.in_html and not link.alt.strip())):
            yield diagnostic(
                "image-alt",
                page.file,
                link.line,
                link.column,
                f"image '{link.href}' has no alt text",
                "describe the image for readers who cannot see it: ![what it shows](file.png)",
            )


def check_body_notes(graph: LinkGraph, page_id: str) -> Iterable[Diagnostic]:
    """What the parse found wrong in the body itself: a formula the converter rejects, an unknown alert."""
    page = graph.pages[page_id]
    for note in page.body.notes:
        yield diagnostic(note.code, page.file, note.line, note.column, note.message, note.hint)


def check_outputs(graph: LinkGraph) -> Iterable[Diagnostic]:
    """A page or copied file where something else is written (see layout.py): another page or file (`a.md`
    and `a/index.html`), a name hubgen writes itself (404.html, robots.txt, tags/, the search index...), or a
    folder one of those needs. An alias whose redirect page would land on any of those, or on another
    alias's, is an `alias-collision` at the alias."""
    pages = {page_id: page.file for page_id, page in graph.pages.items()}
    config = graph.config
    written = redirected(graph)
    claims = layout.outputs(
        pages,
        graph.site.assets,
        graph.tags,
        config.content_dir,
        search=config.search,
        feeds=bool(config.site_url),
        llms=config.llms,
        aliases=[(alias.output, alias_place(alias, graph)) for alias in written],
        cards=carded(graph),
    )
    by_place = {alias_place(alias, graph): alias for alias in written}
    reported: set[str] = set()
    for found in layout.collisions(claims):
        if found.output.source in reported:  # a page's twin goes where its HTML could not: said once
            continue
        reported.add(found.output.source)
        if found.output.owner == "alias":
            yield alias_collision(by_place[found.output.source], found, graph)
        else:
            yield diagnostic("output-collision", found.output.source, 1, 1, *_collision_text(found))


def carded(graph: LinkGraph) -> list[str]:
    """The pages that get a drawn social card ("": the home page, generated or not)."""
    social = graph.config.social_cards
    found = [page_id for page_id, page in graph.pages.items() if layout.has_card(page.draft, page.front.values, social)]
    return found if "" in graph.pages or not social else ["", *found]


def _collision_text(found: layout.Collision) -> tuple[str, str]:
    """The message and hint for a collision: which path, what is in the way, and how to get out of it."""
    mine, taken, where = found.output, found.taken, found.where
    what = "page" if mine.owner == "page" else "file"
    goes = f"where hubgen writes {taken.source}" if taken.owner == "generated" else f"where {taken.source} goes"
    place = layout.collision_place(found, mine.path, goes, f"{taken.source} ({taken.path})")
    message = f"this {what} would be written to {mine.path}, {place}"
    if taken.owner == "generated":
        hint = f"hubgen writes {taken.source} at {where} in every site; rename or move this {what}"
    else:
        hint = f"two things cannot share one path of the site; rename or move this {what} or {taken.source}"
    return message, hint


def check_favicon(graph: LinkGraph) -> Iterable[Diagnostic]:
    """The `favicon` setting names a file content/ holds (one the site copies), at the setting's value."""
    favicon = favicon_path(graph.config)
    if not favicon or favicon in graph.site.assets:
        return
    images = sorted(a for a in graph.site.assets if posixpath.splitext(a.lower())[1] in FAVICON_TYPES)
    hint = did_you_mean(favicon, images) or (f"images in {graph.config.content_dir}/: " + ", ".join(images[:5]))
    message = f"favicon {graph.config.favicon!r} names no file in {graph.config.content_dir}/"
    yield diagnostic("favicon-missing", CONFIG_FILE, *graph.config.position_of("favicon"), message, hint)


RULES: tuple[Rule, ...] = (
    check_favicon,
    check_references,
    check_missing_hub,
    check_paths,
    check_hubs,
    check_hub_cycles,
    check_tracks,
    check_orphans,
    check_outputs,
    check_aliases,
)
PAGE_RULES: tuple[PageRule, ...] = (check_links, check_image_alt, check_body_notes, check_image)
