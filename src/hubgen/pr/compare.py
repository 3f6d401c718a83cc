"""Pull-request mode: `check --changed-since REF` judged on what the change did.

The hub is checked twice: as it is, and as it was at REF (`gitref.tree_at`, from git's objects, sharing
the parse cache, so a page unchanged since REF is parsed once). A diagnostic is new when REF did not have
it: diagnostics are matched by code, severity, file and message, never by line, as a multiset (REF had
two, now three: one is new), after mapping the paths (and page ids) git saw renamed. Every new diagnostic
is reported wherever it is; one in a file the change did not touch is labelled `caused_by_change`. A new
cycle is reported at the edge the change added, when one of its edges is new.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from hubgen import session
from hubgen.base.cache import cache_folder
from hubgen.core.diagnostics import Diagnostic, Location
from hubgen.core.graph import LinkGraph
from hubgen.core.scan import page_ids
from hubgen.pr.gitref import Change, tree_at

EXTERNAL_CODES = ("external-link", "external-redirect")  # REF is checked offline: these are judged by file
# The message names where the link leads, which depends on where the tree is (a relative link from REF's
# temporary folder leads elsewhere): the same file being an unsafe link is the same problem.
_MATCHED_WITHOUT_MESSAGE = ("unsafe-symlink",)
_LINE_IN_MESSAGE = re.compile(r"(\.md):\d+(?::\d+)?")  # "(content/a.md:3)" in a message: a line, not a fact
Edge = tuple[str, str]


@contextmanager
def parse_cache(project_dir: Path, use_cache: bool) -> Iterator[Path]:
    """The folder of the parse cache both checks share: .hubgen-cache/, or (under --no-cache, which leaves
    .hubgen-cache/ alone) a scratch one removed afterwards, so a page unchanged since REF is parsed once."""
    folder = cache_folder(project_dir) if use_cache else None
    if folder is not None:
        yield folder
        return
    folder = Path(tempfile.mkdtemp(prefix="hubgen-parse-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def judge(
    project_dir: Path, change: Change, head: session.CheckResult, drafts: bool, jobs: int, cache_dir: Path
) -> tuple[Diagnostic, ...]:
    """The diagnostics of `head` that are new since `change.commit`, labelled and placed."""
    assert head.graph is not None
    renames = Renames(change.renamed, head.config.content_dir)
    before, before_edges = checked_at(project_dir, change.commit, drafts, jobs, cache_dir)
    offline = [d for d in head.diagnostics if d.code not in EXTERNAL_CODES]
    found = new_diagnostics(offline, [renames.diagnostic(d) for d in before])
    found += [d for d in head.diagnostics if d.code in EXTERNAL_CODES and d.file in change.changed]
    found = place_cycles(found, head.graph, {renames.edge(edge) for edge in before_edges})
    return tuple(sorted(replace(d, caused_by_change=d.file not in change.changed) for d in found))


def checked_at(
    project_dir: Path, commit: str, drafts: bool, jobs: int, cache_dir: Path
) -> tuple[list[Diagnostic], set[Edge]]:
    """The diagnostics and the path edges of the hub at `commit` (none when it had no hub)."""
    with tree_at(project_dir, commit) as folder:
        if folder is None:
            return [], set()
        try:
            result = session.check(folder, drafts=drafts, jobs=jobs, cache=True, bodies=False, cache_dir=cache_dir)
        except session.ProjectError:  # no content folder at that commit: the hub is new
            return [], set()
        here = [(str(f), str(project_dir)) for f in dict.fromkeys((folder, folder.resolve()))]
        found = [replace(d, message=_replace_all(d.message, here)) for d in result.diagnostics]
        return found, edges(result.graph) if result.graph else set()


def _replace_all(text: str, pairs: Iterable[tuple[str, str]]) -> str:
    for old, new in pairs:
        text = text.replace(old, new)
    return text


def new_diagnostics(now: Sequence[Diagnostic], before: Sequence[Diagnostic]) -> list[Diagnostic]:
    """`now` minus `before`, as multisets of (code, severity, file, message)."""
    budget = Counter(match_key(d) for d in before)
    new = []
    for item in sorted(now):
        key = match_key(item)
        if budget[key]:
            budget[key] -= 1
        else:
            new.append(item)
    return new


def match_key(d: Diagnostic) -> tuple[str, str, str, str]:
    message = "" if d.code in _MATCHED_WITHOUT_MESSAGE else _LINE_IN_MESSAGE.sub(r"\1", d.message)
    return d.code, d.severity, d.file, message


_QUOTED = re.compile(r"'[^'\n]*'")


def _words_pattern(words: Mapping[str, str]) -> re.Pattern[str] | None:
    """A pattern matching any of `words` as a whole name (not inside a longer path or name)."""
    names = sorted((word for word in words if word), key=len, reverse=True)
    alternatives = "|".join(re.escape(word) for word in names)
    return re.compile(rf"(?<![\w./-])(?:{alternatives})(?![\w/-])") if names else None


class Renames:
    """Old names -> new names, for the files git saw renamed: their paths and, for pages, their ids."""

    def __init__(self, renamed: Mapping[str, str], content_dir: str) -> None:
        self.paths = dict(renamed)
        prefix = posixpath.normpath(content_dir) + "/"
        self.ids: dict[str, str] = {}
        for old, new in renamed.items():
            if all(p.startswith(prefix) and p.endswith(".md") for p in (old, new)):
                old_rel, new_rel = old[len(prefix) :], new[len(prefix) :]
                self.ids[page_ids([old_rel])[old_rel]] = page_ids([new_rel])[new_rel]
        # Paths and ids with a folder in them are renamed wherever they stand; an id of one word only where a
        # message quotes a name ('link'), since elsewhere it can be an ordinary word ("link target ...").
        self._anywhere = {**{k: v for k, v in self.ids.items() if "/" in k}, **self.paths}
        self._quoted = {k: v for k, v in self.ids.items() if "/" not in k}
        self._anywhere_pattern, self._quoted_pattern = _words_pattern(self._anywhere), _words_pattern(self._quoted)

    def text(self, text: str) -> str:
        if self._anywhere_pattern:
            text = self._anywhere_pattern.sub(lambda m: self._anywhere[m.group()], text)
        if self._quoted_pattern:
            words = self._quoted_pattern
            text = _QUOTED.sub(lambda q: words.sub(lambda m: self._quoted[m.group()], q.group()), text)
        return text

    def diagnostic(self, d: Diagnostic) -> Diagnostic:
        return replace(d, file=self.paths.get(d.file, d.file), message=self.text(d.message))

    def edge(self, edge: Edge) -> Edge:
        return self.ids.get(edge[0], edge[0]), self.ids.get(edge[1], edge[1])


def edges(graph: LinkGraph) -> set[Edge]:
    """Every learning-path edge a page declares (`a.next = b` and `b.prev = a` are both a -> b)."""
    return {edge for edge, _ in _claims(graph)}


def _claims(graph: LinkGraph) -> Iterable[tuple[Edge, Location]]:
    for ref in graph.references:
        page = graph.pages.get(ref.page)
        if ref.key in ("prev", "next") and ref.target is not None and page is not None:
            edge = (ref.page, ref.target) if ref.key == "next" else (ref.target, ref.page)
            yield edge, Location(page.file, max(ref.line, 1), max(ref.column, 1))


def place_cycles(found: Sequence[Diagnostic], graph: LinkGraph, before: set[Edge]) -> list[Diagnostic]:
    """Each new cycle at the first of its declarations that makes an edge `before` did not have (the one
    the change added to close it); the cycle's other declarations stay its related locations."""
    declared = {place: edge for edge, place in _claims(graph)}
    placed = []
    for item in found:
        places = [item.location, *item.related]
        fresh = [p for p in places if p in declared and declared[p] not in before]
        if item.code == "path-cycle" and fresh and fresh[0] != item.location:
            at = fresh[0]
            others = tuple(p for p in places if p != at)
            item = replace(item, file=at.file, line=at.line, column=at.column, related=others)
        placed.append(item)
    return placed
