"""Incremental rebuilds for `hubgen serve`: the site kept in memory, re-parsing only changed files and
re-rendering only the pages whose output can change.

A page is re-rendered when its source was re-parsed or its *view key* changed: the repr of its view without
the body (everything it shows of other pages) plus how each link in its body resolves. Generated pages (tags,
404) are keyed by their whole view. A change to hubgen.yaml or templates/ means a full rebuild.
"""

from __future__ import annotations

import os
import posixpath
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2

from hubgen.build.deps import Watched, digest, structure
from hubgen.build.render import OutputCollision, PageRenderer, Site, assemble_site
from hubgen.build.seo import seo_files
from hubgen.build.theme import make_environment, static_files
from hubgen.build.theme import template_dirs as find_template_dirs
from hubgen.core.config import CONFIG_FILE, SiteConfig, load_config
from hubgen.core.diagnostics import Diagnostic, count, diagnostic
from hubgen.core.gitdates import git_dates
from hubgen.core.graph import LinkGraph, build_graph, with_pages
from hubgen.core.layout import page_file
from hubgen.core.load import Content, Page, Scan, assemble_content, load_page, page_ids, scan_content
from hubgen.core.validate import Findings, find_anchor, find_problems, validate
from hubgen.pipeline import template_message

Parsed = tuple[str, Page | None, list[Diagnostic]]  # page id, page, problems


@dataclass(frozen=True)
class RebuildResult:
    rendered: int  # pages (content and generated) rendered by this rebuild
    seconds: float
    diagnostics: tuple[Diagnostic, ...]
    ok: bool
    message: str = ""  # a template or project problem, when there is one
    full: bool = False  # the whole site was built again (the start, a config or template change)
    kind: str = ""  # what `message` is about: template, output-collision, content-missing, rebuild

    @property
    def errors(self) -> int:
        return count(self.diagnostics)[0]


@dataclass
class _Rendered:
    """One output as last rendered: the inputs it was rendered from, and its bytes."""

    page: Page | None
    key: str
    data: bytes


@dataclass
class LiveSite:
    """The hub held in memory; `rebuild` brings it up to date with the files on disk."""

    project_dir: Path
    include_drafts: bool = False
    config: SiteConfig = field(default_factory=SiteConfig)
    site: Site = field(default_factory=Site)  # the last good site, served as is
    served: SiteConfig | None = None  # the settings `site` was built with (its base path), once there is one
    graph: LinkGraph | None = None
    version: int = 0  # successful rebuilds so far
    _parsed: dict[str, Parsed] = field(default_factory=dict)  # rel under content/ -> parse result
    _rendered: dict[str, _Rendered] = field(default_factory=dict)  # output path -> last render
    _static: dict[str, bytes] = field(default_factory=dict)
    _assets: dict[str, str] = field(default_factory=dict)
    _env: jinja2.Environment | None = None
    _config_problems: list[Diagnostic] = field(default_factory=list)
    _dates: dict[str, str] = field(default_factory=dict)
    _full: bool = True  # the next rebuild starts from nothing
    _scan: Scan | None = None  # the last scan of content/, and the page ids it gave
    _ids: dict[str, str] = field(default_factory=dict)
    _content: Content | None = None  # what the last good graph was built from, and what its rules found
    _findings: Findings | None = None
    _seo: list[tuple[str, str]] = field(default_factory=list)  # sitemap, robots.txt and feed, as last made
    _looked_up: dict[str, frozenset[str]] = field(default_factory=dict)  # page -> the pages its view read

    # -- public ------------------------------------------------------------------------------------

    def rebuild(self, changes: set[Path] | None = None) -> RebuildResult:
        """Rebuild after `changes` (absolute paths); None or a config/template change rebuilds everything."""
        started = time.perf_counter()
        if changes is None or self._needs_full(changes):
            self._full = True
        full = self._full
        kind = ""
        try:
            rendered, diagnostics, message = self._rebuild(changes or set())
        except jinja2.TemplateError as error:
            rendered, diagnostics, message, kind = 0, (), template_message(error), "template"
        except OutputCollision as error:
            message = f"two files would be served at {error}: rename one page or asset"
            rendered, diagnostics, kind = 0, (), "output-collision"
        except Exception as error:  # whatever an editor or a pull request leaves, serve outlives it
            self._full = True  # the half-done rebuild is dropped; the next one starts from nothing
            rendered, diagnostics, message, kind = 0, (), f"rebuild failed: {_one_line(error)}", "rebuild"
        if message and not kind:
            kind = "content-missing"
        ok = not message and not count(diagnostics)[0]
        if ok:
            self.version += 1
        seconds = time.perf_counter() - started
        return RebuildResult(rendered, seconds, tuple(diagnostics), ok, message, full, kind)

    def content_dir(self) -> Path:
        return self.project_dir / self.config.content_dir

    # -- stages ------------------------------------------------------------------------------------

    def _needs_full(self, changes: set[Path]) -> bool:
        templates = _real(self.project_dir / self.config.templates_dir)
        config_file = _real(self.project_dir / CONFIG_FILE)
        for path in changes:
            resolved = _real(path)
            if resolved in (config_file, templates) or templates in resolved.parents:
                return True
        return False

    def _rebuild(self, changes: set[Path]) -> tuple[int, tuple[Diagnostic, ...] | list[Diagnostic], str]:
        if self._full:
            config, problems = _load_config(self.project_dir)
            if count(problems)[0]:
                return 0, sorted(problems), ""
            self._reset(config)
            self._config_problems = problems
        if not self.content_dir().is_dir():
            return 0, (), f"no content folder: {self.content_dir()} does not exist"
        content = self._load(changes)
        edits = self._edits(content)
        if edits is None:  # anything else: the graph, every rule and every page's view from scratch
            graph = build_graph(content, self.config, self.include_drafts, None if self._full else self.graph)
            findings = find_problems(graph)
        else:  # the graph keeps its edges; rules re-read the edited pages (and graph-wide ones name titles)
            assert self.graph is not None
            graph = with_pages(self.graph, edits.pages, content.digest)
            findings = find_problems(graph, self._findings, edits.pages, graph_wide=edits.shown)
        diagnostics = validate(graph, [*self._config_problems, *content.diagnostics], findings)
        if count(diagnostics)[0]:
            return 0, diagnostics, ""
        if edits is None:
            rendered = self._render(graph)
        elif edits.shown:
            rendered = self._render(graph, self._showing(edits.pages))
        else:  # only bodies changed: no other page, tag page, sitemap or feed shows them
            rendered = self._render(graph, set(edits.pages), generated=False)
        self.graph, self._content, self._findings = graph, content, findings
        self._full = False
        return rendered, diagnostics, ""

    def _edits(self, content: Content) -> _Edits | None:
        """The re-parsed pages, when their front matter (but title and summary), headings, ids and links are
        as before and no file came or went: the graph's edges hold, and only the pages that show them can
        change. None when the graph must be built again."""
        old, before = self.graph, self._content
        if self._full or old is None or before is None or content.pages.keys() != before.pages.keys():
            return None
        if (content.assets, content.folders, content.html_ids) != (before.assets, before.folders, before.html_ids):
            return None
        edited = {pid: page for pid, page in content.pages.items() if page is not before.pages[pid]}
        shown = False
        for pid, page in edited.items():
            was = before.pages[pid]
            if structure(page) != structure(was):
                return None
            shown = shown or (page.title, page.summary) != (was.title, was.summary)
        return _Edits(edited, shown)

    def _showing(self, pages: Mapping[str, Page]) -> set[str]:
        """The pages themselves and every page whose last render looked any of them up."""
        return {*pages, *(page_id for page_id, seen in self._looked_up.items() if not seen.isdisjoint(pages))}

    def _reset(self, config: SiteConfig) -> None:
        self.config = config
        self._parsed.clear()
        self._scan = self._content = self._findings = None
        self._dates = git_dates(self.project_dir, config.content_dir)  # commits made while serving are not seen
        self._rendered.clear()
        dirs = find_template_dirs(self.project_dir, config.templates_dir)
        self._env = make_environment(dirs, self.project_dir)
        static = static_files(dirs, self.project_dir)
        self._assets = {name: path for name, (path, _) in static.items()}
        self._static = dict(static.values())

    def _load(self, changes: set[Path]) -> Content:
        """Like `load_content`, re-reading only the Markdown files that changed or are new. When every change
        is an edit of a page already known (still a plain file), the folder is not scanned again."""
        content_dir = self.content_dir()
        changed = {_relative(path, content_dir) for path in changes} - {None}
        if self._scan is None or not self._only_edits(changes, changed):
            self._scan = scan_content(content_dir, self.config.content_dir)
            self._ids = page_ids(self._scan.markdown)
        scan, ids = self._scan, self._ids
        parsed: dict[str, Parsed] = {}
        for rel in scan.markdown:
            previous = self._parsed.get(rel)
            if previous is None or previous[0] != ids[rel] or rel in changed:
                file = posixpath.join(self.config.content_dir, rel)
                previous = (ids[rel], *load_page(content_dir / rel, rel, ids[rel], file, self.config))
            parsed[rel] = previous
        self._parsed = parsed
        return assemble_content(parsed, scan, self._dates, self.config, content_dir)

    def _only_edits(self, changes: set[Path], changed: set[str | None]) -> bool:
        if not changes or len(changed) != len(changes):
            return False
        return all(rel in self._parsed and self._parsed[rel][1] is not None for rel in changed) and all(
            path.is_file() and not path.is_symlink() for path in changes
        )

    def _render(self, graph: LinkGraph, only: set[str] | None = None, generated: bool = True) -> int:
        """Render what changed into a new Site; commit it only when everything rendered. With `only`, the
        other pages are known to look as they did (`_showing`): their views are not even made. Which pages
        each view looks up is noted, for `_showing` next time. Without `generated`, the generated pages
        (home, tags), the sitemap and the feed are kept as they were."""
        assert self._env is not None
        watched = Watched(graph.pages)
        renderer = PageRenderer(replace(graph, pages=watched), self._env, self._assets)
        rendered = {} if only is None else dict(self._rendered)
        looked_up = {} if only is None else dict(self._looked_up)
        count_rendered = 0
        for page_id, page in graph.pages.items():
            if only is not None and page_id not in only:
                continue
            output = page_file(page_id)
            watched.seen = set()
            key = _page_key(renderer, page_id)
            old = self._rendered.get(output)
            if old is None or old.page is not page or old.key != key:
                old = _Rendered(page, key, renderer.page(page_id))
                count_rendered += 1
            rendered[output] = old
            looked_up[page_id] = frozenset(watched.seen)
        for output, template, here, view in renderer.generated_views() if generated else ():
            key = digest(view)
            old = self._rendered.get(output)
            if old is None or old.key != key:
                old = _Rendered(None, key, renderer.render_view(template, here, view))
                count_rendered += 1
            rendered[output] = old
        if generated:
            self._seo = seo_files(graph)
        self.site = self._assemble(graph, rendered, self._seo, refuse=only is None)
        self.served = self.config
        self._rendered, self._looked_up = rendered, looked_up
        return count_rendered

    def _assemble(
        self, graph: LinkGraph, rendered: dict[str, _Rendered], seo: list[tuple[str, str]], refuse: bool
    ) -> Site:
        """The new Site; with `refuse`, checked for collisions (not needed when only pages' text changed)."""
        items = ((path, item.data) for path, item in rendered.items())
        return assemble_site(graph, self.content_dir(), self._static, items, seo, refuse)


def _relative(path: Path, folder: Path) -> str | None:
    try:
        return _real(path).relative_to(_real(folder)).as_posix()
    except ValueError:
        return None


def _real(path: Path) -> Path:
    """The path with its symbolic links followed as far as they go: a loop or a dangling link is not an error."""
    return Path(os.path.realpath(path))


def _load_config(project_dir: Path) -> tuple[SiteConfig, list[Diagnostic]]:
    """`load_config`, with anything it raises on a broken hubgen.yaml turned into a config-syntax diagnostic."""
    try:
        return load_config(project_dir)
    except Exception as error:  # a YAML tag, an impossible date: the file is wrong, not serve
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(error, "problem", None) or _one_line(error)
        return SiteConfig(), [diagnostic("config-syntax", CONFIG_FILE, line, column, f"invalid setting: {problem}")]


def _one_line(error: BaseException) -> str:
    """An exception as one line of text: its type and the first line of its message."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _page_key(renderer: PageRenderer, page_id: str) -> str:
    """A digest of what a page's HTML is made from, but its own body: its view without the body (all it
    shows of other pages) and how each link in its body resolves."""
    return digest(renderer.view(page_id, with_body=False), _link_key(renderer.graph, renderer.graph.pages[page_id]))


def _link_key(graph: LinkGraph, page: Page) -> list[Any]:
    """How each link in the page's body resolves, as far as other pages decide it."""
    key: list[Any] = []
    for item in graph.links.get(page.id, ()):
        target = item.target
        entry: tuple[Any, ...] = (item.link.href, target)
        if target.kind == "page":
            exists = target.path in graph.pages
            anchor = None
            if exists and target.fragment is not None:
                anchor = find_anchor(graph.pages[target.path], target.fragment)
            entry += (exists, anchor)
        key.append(entry)
    return key


@dataclass(frozen=True)
class _Edits:
    pages: dict[str, Page]  # the re-parsed pages, by id
    shown: bool  # a title or summary changed, so pages showing them render again
