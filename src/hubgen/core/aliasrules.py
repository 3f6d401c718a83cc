"""The rules about aliases (see aliases.py): each alias that is no path on this site (`alias-invalid`) or its
own page's id (`alias-self`), and the message for one whose redirect lands where something else goes
(`alias-collision`: found by layout.py's one rule, in validate.check_outputs).
"""

from __future__ import annotations

from collections.abc import Iterable

from hubgen.core import layout
from hubgen.core.aliases import Alias
from hubgen.core.diagnostics import Diagnostic, diagnostic
from hubgen.core.graph import LinkGraph


def redirected(graph: LinkGraph) -> list[Alias]:
    """The aliases a build writes a redirect page for: well-formed, and not the page's own id."""
    return [alias for alias in graph.aliases if alias.path and not _is_own(alias)]


def _is_own(alias: Alias) -> bool:
    return layout.fold(alias.path) == layout.fold(alias.page)


def alias_place(alias: Alias, graph: LinkGraph) -> str:
    return f"the alias at {graph.pages[alias.page].file}:{alias.line}:{alias.column}"


def alias_collision(alias: Alias, found: layout.Collision, graph: LinkGraph) -> Diagnostic:
    taken = found.taken
    what = {"page": "the page ", "asset": "the file "}.get(taken.owner, "")
    goes = f"where hubgen writes {taken.source}" if taken.owner == "generated" else f"where {what}{taken.source} goes"
    place = layout.collision_place(found, alias.output, goes, f"{taken.path} ({taken.source})")
    message = f"alias '{alias.text}' would write its redirect to {alias.output}, {place}"
    hint = (
        "a page that exists needs no alias: remove it"
        if taken.owner == "page"
        else "remove the alias, or give it a path nothing else uses"
    )
    return diagnostic("alias-collision", graph.pages[alias.page].file, alias.line, alias.column, message, hint)


def check_aliases(graph: LinkGraph) -> Iterable[Diagnostic]:
    """Each alias that is no path on this site, or its own page's id (collisions: `check_outputs`)."""
    for alias in graph.aliases:
        file = graph.pages[alias.page].file
        if alias.problem:
            message = f"alias '{alias.text}' {alias.problem}"
            hint = "an alias is an old id (basics/old-name) or a path from the site root (/basics/old-name/)"
            yield diagnostic("alias-invalid", file, alias.line, alias.column, message, hint)
        elif _is_own(alias):
            message = f"alias '{alias.text}' is this page's own id: it would redirect the page to itself"
            yield diagnostic("alias-self", file, alias.line, alias.column, message, "remove it")
