"""The edits: add, move, remove and rename a page, keeping learning paths and references consistent; add a
step to a learning track or remove one.

Each one works on a `Workspace`: it computes the new step lists of the paths it touches, and `relink` turns
the difference into the fewest front-matter edits (a page's existing `prev`/`next` keys are rewritten or
deleted; a key is added only when no side of a new edge declares it).
"""

from __future__ import annotations

import posixpath
import re
from itertools import pairwise

from hubgen.authoring import guard, linkedit
from hubgen.authoring.textfile import requote, scalar_end, yaml_scalar
from hubgen.authoring.workspace import AuthoringError, Workspace
from hubgen.base import sinks
from hubgen.core.aliases import read_alias
from hubgen.core.graph import Reference
from hubgen.core.slugs import slugify

Steps = list[str]
Ends = tuple[str | None, str | None]
NEW_SUMMARY = "One sentence on what this page answers."
NEW_BODY = """
Answer the question in the title here, in a few short paragraphs.

## Common questions

### What do readers ask next?

Answer it in a paragraph or two.
"""


MAX_SLUG = 80  # characters of a page id made from a title


def page_slug(title: str) -> str:
    """The title as a page id: github-slugger's slug, runs of dashes made one, at most MAX_SLUG characters
    (and guard.MAX_NAME_BYTES bytes), cut at a dash where there is one."""
    slug = re.sub(r"-{2,}", "-", slugify(title)).strip("-")
    if len(slug) > MAX_SLUG or len(slug.encode()) > guard.MAX_NAME_BYTES:
        cut = slug[:MAX_SLUG]
        while len(cut.encode()) > guard.MAX_NAME_BYTES:
            cut = cut[:-1]
        slug = (cut.rsplit("-", 1)[0] if "-" in cut else cut).strip("-")
    if not slug or guard.page_id_problem(slug):
        raise AuthoringError(f"cannot make a page id from the title {title!r}: choose one with --id")
    return slug


def path_steps(ws: Workspace, page_id: str) -> Steps:
    """The learning path the page is on, or the page alone."""
    if page_id in ws.graph.position:
        return list(ws.graph.paths[ws.graph.position[page_id][0]].steps)
    return [page_id]


def _insert(steps: Steps, page_id: str, after: str | None, before: str | None) -> Steps:
    steps = [s for s in steps if s != page_id]
    index = len(steps)
    if after is not None:
        index = steps.index(after) + 1
    elif before is not None:
        index = steps.index(before)
    return [*steps[:index], page_id, *steps[index:]]


def _neighbours(paths: list[Steps]) -> dict[str, Ends]:
    found: dict[str, Ends] = {}
    for steps in paths:
        for index, step in enumerate(steps):
            before = steps[index - 1] if index else None
            after = steps[index + 1] if index + 1 < len(steps) else None
            found[step] = (before, after)
    return found


def relink(ws: Workspace, before: list[Steps], after: list[Steps], fresh: str | None = None) -> None:
    """Edit prev/next so the paths `before` become `after`. `fresh`: a page being created (declares both).

    A page's existing `prev`/`next` keys are rewritten or deleted. A missing key is added where the page was
    the end of its path on that side (the last page gets a `next:`), or where no side declares a new edge."""
    old, new = _neighbours(before), _neighbours(after)
    changed = {p for p, ends in new.items() if ends != old.get(p, (None, None)) and p != fresh}
    for page_id in sorted(changed):
        _set_neighbours(ws, page_id, old.get(page_id, (None, None)), new[page_id])
    for steps in after:
        for a, b in pairwise(steps):
            if fresh in (a, b) or not ({a, b} & changed):
                continue
            if not ws.front(a).has("next") and not ws.front(b).has("prev"):
                ws.front(a).set("next", ws.reference(b), after=("prev", "hub"))


def _set_neighbours(ws: Workspace, page_id: str, old: Ends, new: Ends) -> None:
    editor = ws.front(page_id)
    for key, was, target in zip(("prev", "next"), old, new, strict=True):
        if not editor.has(key):
            if target is not None and was is None:
                editor.set(key, ws.reference(target), after=("prev", "hub") if key == "next" else ("hub",))
        elif target is None:
            editor.remove(key)
        elif _declared(ws, page_id, key) != target:
            editor.set(key, ws.reference(target))


def _declared(ws: Workspace, page_id: str, key: str) -> str | None:
    return next((r.target for r in ws.graph.references if r.page == page_id and r.key == key), None)


def _check_path_is_acyclic(steps: Steps) -> None:
    if len(set(steps)) != len(steps):
        raise AuthoringError("the edit would make a cycle on the learning path: " + " -> ".join(steps))


# ------------------------------------------------------------------------------------------ add


def add(ws: Workspace, title: str, hub_ref: str, after: str | None, before: str | None, page_id: str | None) -> str:
    hub = ws.hub(hub_ref)
    new_id = _new_id(hub.id, page_id or page_slug(title))
    taken = ws.taken(new_id)
    if taken:
        raise AuthoringError(f"name collision: {taken} already gives the page id '{new_id}'; choose another with --id")
    neighbour = after or before
    anchor = ws.page(neighbour).id if neighbour else None
    if anchor is not None:
        steps = path_steps(ws, anchor)
    else:
        paths = ws.graph.paths_of(hub.id)
        steps = list(paths[0].steps) if paths else []
    new_steps = _insert(steps, new_id, anchor if after else None, anchor if before else None)
    ws.create(new_id, f"{new_id}.md", "")  # known to `reference` before the neighbours are named
    _disambiguate(ws, new_id)
    relink(ws, [steps], [new_steps], fresh=new_id)
    prev, next_ = _neighbours([new_steps])[new_id]
    ws.create(new_id, f"{new_id}.md", _new_page(ws, title, hub.id, prev, next_, ws.text(hub.id).newline))
    return new_id


def _new_id(hub_id: str, name: str) -> str:
    """The page id `name` gives (a bare name: in the folder `hub_id`), refused unless hubgen would read a
    page of that id back from its file."""
    name = name.strip().rstrip("/").removesuffix(".md")
    problem = guard.page_id_problem(name)
    if problem:
        raise AuthoringError(f"'{sinks.for_terminal(name)}' cannot be a page id: {problem}")
    return name if "/" in name else posixpath.join(hub_id, name)


def _new_page(ws: Workspace, title: str, hub: str, prev: str | None, next_: str | None, newline: str) -> str:
    lines = ["---", f"title: {yaml_scalar(title)}", f"summary: {NEW_SUMMARY}", f"hub: {ws.reference(hub)}"]
    lines += [f"prev: {ws.reference(prev)}"] if prev else []
    lines += [f"next: {ws.reference(next_)}"] if next_ else []
    lines += ["---", *NEW_BODY.split("\n")[:-1]]
    return newline.join(lines) + newline


# ------------------------------------------------------------------------------------------ move


def move(ws: Workspace, page_ref: str, after: str | None, before: str | None, hub_ref: str | None) -> None:
    page = ws.page(page_ref)
    neighbour = after or before
    anchor = ws.page(neighbour).id if neighbour else None
    if anchor == page.id:
        raise AuthoringError(f"'{page.id}' cannot come {'after' if after else 'before'} itself: that is a cycle")
    target_hub = ws.hub(hub_ref).id if hub_ref else ws.graph.hub_of.get(anchor or "")
    _check_hub_is_acyclic(ws, page.id, target_hub)
    old_steps = path_steps(ws, page.id)
    if anchor is not None:
        target_steps = path_steps(ws, anchor)
    else:
        paths = ws.graph.paths_of(target_hub or "")
        target_steps = list(paths[0].steps) if paths else []
    position = (after and anchor, before and anchor)
    if page.id in target_steps:
        before_paths, after_paths = [old_steps], [_insert(old_steps, page.id, *position)]
    else:
        remaining = [s for s in old_steps if s != page.id]
        before_paths, after_paths = [old_steps, target_steps], [remaining, _insert(target_steps, page.id, *position)]
    _check_path_is_acyclic(after_paths[-1])
    relink(ws, before_paths, after_paths)
    if target_hub and target_hub != ws.graph.hub_of.get(page.id):
        ws.front(page.id).set("hub", ws.reference(target_hub))


def _check_hub_is_acyclic(ws: Workspace, page_id: str, hub_id: str | None) -> None:
    seen = []
    while hub_id is not None and hub_id not in seen:
        seen.append(hub_id)
        if hub_id == page_id:
            raise AuthoringError(f"'{page_id}' cannot belong to itself: that is a cycle of hubs ({' -> '.join(seen)})")
        hub_id = ws.graph.hub_of.get(hub_id)


# ------------------------------------------------------------------------------------------ remove


def remove(ws: Workspace, page_ref: str, fix_links: bool, redirect_to: str | None = None) -> list[str]:
    """Delete the page and re-link its path; returns the places that still link to it (unless fixed). With
    `redirect_to`, the page's id (and its own aliases) become aliases of that page, and links and `related`
    entries that named the removed page name that one instead."""
    page = ws.page(page_ref)
    if page.id == "":
        raise AuthoringError("the home page cannot be removed")
    heir = ws.page(redirect_to) if redirect_to is not None else None
    if heir is not None and heir.id == page.id:
        raise AuthoringError(f"'{page.id}' cannot redirect to itself")
    steps = path_steps(ws, page.id)
    relink(ws, [steps], [[s for s in steps if s != page.id]])
    ws.delete(page.id)
    if heir is not None:
        for alias in (page.id, *page.front.values.get("aliases", ())):
            add_alias(ws, heir.id, alias)
    places: list[str] = []
    for source, resolved in ws.graph.links.items():
        for item in resolved:
            if source != page.id and item.target.kind == "page" and item.target.path == page.id:
                if heir is not None and item.link.kind == "link" and not item.link.in_html:
                    fixed = linkedit.retarget(ws.text(source), item.link, ws.graph.pages[source].folder, heir.rel)
                else:
                    fixed = fix_links and item.link.kind == "link" and linkedit.unlink(ws.text(source), item.link)
                if not fixed:
                    places.append(f"{ws.graph.pages[source].file}:{item.link.line}:{item.link.column}: links to it")
    _leave_tracks(ws, page.id, heir.id if heir is not None else None)
    related = [r for r in ws.graph.references if r.key == "related" and r.target == page.id and r.page != page.id]
    for source in sorted({r.page for r in related}):
        if heir is not None:
            _hand_related(ws, source, page.id, heir.id)
        elif fix_links:
            _drop_related(ws, source, page.id)
        else:
            file = ws.graph.pages[source].file
            places += [f"{file}:{r.line}:{r.column}: lists it in related" for r in related if r.page == source]
    return places


def _hand_related(ws: Workspace, page_id: str, gone: str, heir: str) -> None:
    """`related` entries naming `gone` name `heir` instead, unless the page is `heir` or lists it already."""
    listed = {r.target for r in ws.graph.references if r.page == page_id and r.key == "related"}
    if page_id == heir or heir in listed:
        _drop_related(ws, page_id, gone)
        return
    for reference in ws.graph.references:
        if reference.page == page_id and reference.key == "related" and reference.target == gone:
            _rewrite_reference(ws, reference, ws.reference(heir))


def _drop_related(ws: Workspace, page_id: str, target: str) -> None:
    items = [r for r in ws.graph.references if r.page == page_id and r.key == "related"]
    gone = [(r.line, r.column) for r in items if r.target == target]
    _drop_items(ws, page_id, "related", gone, len(gone) == len(items))


def _drop_items(ws: Workspace, page_id: str, key: str, gone: list[tuple[int, int]], every: bool) -> None:
    """Remove the list items of `key` at these (line, column)s; the key itself when `every` one goes."""
    if not gone:
        return
    editor = ws.front(page_id)
    key_line = editor.key_line(key)
    if every or key_line is None:
        editor.remove(key)
        return
    for line, column in gone:
        if line != key_line:
            ws.text(page_id).delete(line)
            continue
        text = ws.text(page_id).line(line)
        start = column - 1
        end = scalar_end(text, start, in_flow=True)
        following = re.match(r"\s*,\s*", text[end:])
        if following:
            end += following.end()
        else:
            preceding = re.search(r",\s*$", text[:start])
            start = preceding.start() if preceding else start
        ws.text(page_id).replace(line, start, end, "")


# ------------------------------------------------------------------------------------------ tracks


def _steps_of(ws: Workspace, track_id: str) -> list[Reference]:
    return [r for r in ws.graph.references if r.page == track_id and r.key == "steps"]


def _leave_tracks(ws: Workspace, gone: str, heir: str | None) -> None:
    """A removed page leaves every track's `steps` (it would be an unknown step); with `heir`, the step names
    that page instead, unless the track has it already."""
    for track in sorted({r.page for r in ws.graph.references if r.key == "steps" and r.target == gone}):
        if track == gone:
            continue
        items = _steps_of(ws, track)
        if heir is not None and heir != track and all(r.target != heir for r in items):
            for reference in items:
                if reference.target == gone:
                    _rewrite_reference(ws, reference, ws.reference(heir))
            continue
        places = [(r.line, r.column) for r in items if r.target == gone]
        _drop_items(ws, track, "steps", places, len(places) == len(items))


def track(ws: Workspace, track_ref: str) -> str:
    page = ws.page(track_ref)
    if page.type != "track":
        raise AuthoringError(f"'{track_ref}' is not a track (its front matter has no `type: track`)")
    return page.id


def track_add(
    ws: Workspace, track_ref: str, page_ref: str, after: str | None = None, before: str | None = None
) -> None:
    """Add a page to a track's steps: at the end, or right after or before one of its steps. The list keeps
    the style it is written in (a block list gets a `- ` line, a flow list one more item)."""
    track_id, page = track(ws, track_ref), ws.page(page_ref)
    items = _steps_of(ws, track_id)
    if any(r.target == page.id for r in items):
        raise AuthoringError(f"'{page.id}' is a step of '{track_id}' already")
    if page.id == track_id:
        raise AuthoringError(f"'{track_id}' cannot be a step of itself")
    value = yaml_scalar(ws.reference(page.id))
    neighbour = after or before
    if neighbour is None:
        ws.front(track_id).append_item("steps", value)
        return
    anchor_id = ws.page(neighbour).id
    anchor = next((r for r in items if r.target == anchor_id), None)
    if anchor is None:
        raise AuthoringError(f"'{anchor_id}' is not a step of '{track_id}'")
    file = ws.text(track_id)
    text = file.line(anchor.line)
    start = anchor.column - 1
    if re.fullmatch(r"\s*-\s*", text[:start]):  # a block list: a line of its own, indented as this one
        line = text[: text.index("-")] + "- " + value
        file.insert_after(anchor.line if after else anchor.line - 1, line)
    elif after:  # a flow list: one more item beside this one
        end = scalar_end(text, start, in_flow=True)
        file.replace(anchor.line, end, end, f", {value}")
    else:
        file.replace(anchor.line, start, start, f"{value}, ")


def track_remove(ws: Workspace, track_ref: str, page_ref: str) -> None:
    """Remove a page from a track's steps (each time it is listed); the key goes when no step is left."""
    track_id, page = track(ws, track_ref), ws.page(page_ref)
    items = _steps_of(ws, track_id)
    places = [(r.line, r.column) for r in items if r.target == page.id]
    if not places:
        raise AuthoringError(f"'{page.id}' is not a step of '{track_id}'")
    _drop_items(ws, track_id, "steps", places, len(places) == len(items))


# ------------------------------------------------------------------------------------------ rename


def rename(ws: Workspace, page_ref: str, new_name: str, alias: bool = True) -> str:
    """Give the page a new id (and file); with `alias`, its old id becomes one of its aliases, so the old URL
    still leads to it (an alias equal to the new id is dropped: the page is back at that URL)."""
    page = ws.page(page_ref)
    if posixpath.basename(page.rel) in ("index.md", "README.md"):
        raise AuthoringError(f"{page.file} is a folder's index page: rename the folder instead")
    new_id = _new_id(posixpath.dirname(page.id), new_name)
    if new_id == page.id:
        raise AuthoringError(f"'{page.id}' already has that id")
    taken = ws.taken(new_id)
    if taken:
        raise AuthoringError(f"name collision: {taken} already gives the page id '{new_id}'")
    ws.rename(page.id, new_id)
    for reference in ws.graph.references:
        if reference.target == page.id:
            _rewrite_reference(ws, reference, ws.reference(page.id, bare=_is_bare(reference.text)))
    _disambiguate(ws, new_id, page.id)
    _rewrite_links(ws, page.id, new_id)
    _drop_aliases(ws, page.id, new_id)
    if alias:
        add_alias(ws, page.id, page.id)
    return new_id


def add_alias(ws: Workspace, page_id: str, alias: str) -> None:
    """Add `alias` (an old id or site path) to the page's `aliases`, unless the page has it already (in any
    spelling), it is the page's own id, or it cannot be an alias (an old id holding `#` or `?`)."""
    path = read_alias(alias, ws.graph.config.base_path)[0]
    held = {held.path for held in ws.graph.aliases if held.page == page_id} | ws.added_aliases.get(page_id, set())
    if path and path not in held and path != ws.renamed.get(page_id, page_id):
        ws.added_aliases.setdefault(page_id, set()).add(path)
        ws.front(page_id).append_item("aliases", yaml_scalar(alias))


def _drop_aliases(ws: Workspace, page_id: str, path: str) -> None:
    """Remove the page's aliases that are `path` (written as an id or as /path/)."""
    aliases = [alias for alias in ws.graph.aliases if alias.page == page_id]
    gone = [alias for alias in aliases if alias.path == path]
    _drop_items(ws, page_id, "aliases", [(alias.line, alias.column) for alias in gone], len(gone) == len(aliases))


def _disambiguate(ws: Workspace, new_id: str, renamed: str | None = None) -> None:
    """Bare names that the new id makes ambiguous become full ids."""
    slug = new_id.rsplit("/", 1)[-1]
    for reference in ws.graph.references:
        target = reference.target
        if target and target != renamed and _is_bare(reference.text) and _name(reference.text) == slug:
            _rewrite_reference(ws, reference, ws.reference(target, bare=False))


def _name(text: str) -> str:
    return text.strip().removeprefix("./").strip("/").removesuffix(".md")


def _is_bare(text: str) -> bool:
    return "/" not in _name(text)


def _rewrite_reference(ws: Workspace, reference: Reference, value: str) -> None:
    file = ws.text(reference.page)
    text = file.line(reference.line)
    start = reference.column - 1
    end = scalar_end(text, start, in_flow=text[:start].rstrip().endswith(("[", ",")))
    file.replace(reference.line, start, end, requote(text[start:end], value))


def _rewrite_links(ws: Workspace, old_id: str, new_id: str) -> None:
    page = ws.graph.pages[old_id]
    new_rel, new_folder = f"{new_id}.md", posixpath.dirname(new_id)
    rel_of = {p.id: p.rel for p in ws.graph.pages.values()}
    for source, resolved in ws.graph.links.items():
        for item in resolved:
            target, link = item.target, item.link
            if link.in_html or link.href.startswith("/") or target.same_page:
                continue
            if source == old_id and target.kind in ("page", "asset", "folder") and new_folder != page.folder:
                destination = new_rel if target.path == old_id else rel_of.get(target.path, target.path)
                destination = destination if target.kind == "page" else target.path
                linkedit.retarget(ws.text(source), link, new_folder, destination)
            elif target.kind == "page" and target.path == old_id:
                folder = new_folder if source == old_id else ws.graph.pages[source].folder
                linkedit.retarget(ws.text(source), link, folder, new_rel)
