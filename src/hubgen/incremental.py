"""Incremental rebuilds for `hubgen serve`: the site kept in memory, re-parsing only changed files and
re-rendering only the pages whose output can change.

A page is re-rendered when its source was re-parsed or its *view key* changed: the repr of its view without
the body (everything it shows of other pages) plus how each link in its body resolves. Generated pages (tags,
404) are keyed by their whole view. A change to hubgen.yaml or templates/ means a full rebuild.
"""

from __future__ import annotations

import hashlib
import posixpath
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from hubgen.config import CONFIG_FILE, SiteConfig, load_config
from hubgen.diagnostics import Diagnostic, count
from hubgen.graph import LinkGraph, build_graph
from hubgen.links import page_dir
from hubgen.load import Content, Page, assemble_content, git_dates, load_page, page_ids, scan_content
from hubgen.pipeline import template_message
from hubgen.render import OutputCollision, PageRenderer, Site, assemble_site
from hubgen.theme import make_environment, static_files
from hubgen.theme import template_dirs as find_template_dirs
from hubgen.validate import find_anchor, validate

Parsed = tuple[str, Page | None, list[Diagnostic]]  # page id, page, problems


@dataclass(frozen=True)
class RebuildResult:
    rendered: int  # pages (content and generated) rendered by this rebuild
    seconds: float
    diagnostics: tuple[Diagnostic, ...]
    ok: bool
    message: str = ""  # a template or project problem, when there is one

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

    # -- public ------------------------------------------------------------------------------------

    def rebuild(self, changes: set[Path] | None = None) -> RebuildResult:
        """Rebuild after `changes` (absolute paths); None or a config/template change rebuilds everything."""
        started = time.perf_counter()
        if changes is None or self._needs_full(changes):
            self._full = True
        try:
            result = self._rebuild(changes or set())
        except jinja2.TemplateError as error:
            result = (0, (), template_message(error))
        except OutputCollision as error:
            result = (0, (), f"two files would be served at {error}: rename one page or asset")
        rendered, diagnostics, message = result
        ok = not message and not count(diagnostics)[0]
        if ok:
            self.version += 1
        return RebuildResult(rendered, time.perf_counter() - started, tuple(diagnostics), ok, message)

    def content_dir(self) -> Path:
        return self.project_dir / self.config.content_dir

    # -- stages ------------------------------------------------------------------------------------

    def _needs_full(self, changes: set[Path]) -> bool:
        templates = (self.project_dir / self.config.templates_dir).resolve()
        config_file = (self.project_dir / CONFIG_FILE).resolve()
        for path in changes:
            resolved = path.resolve()
            if resolved in (config_file, templates) or templates in resolved.parents:
                return True
        return False

    def _rebuild(self, changes: set[Path]) -> tuple[int, tuple[Diagnostic, ...] | list[Diagnostic], str]:
        if self._full:
            config, problems = load_config(self.project_dir)
            if count(problems)[0]:
                return 0, sorted(problems), ""
            self._reset(config)
            self._config_problems = problems
        if not self.content_dir().is_dir():
            return 0, (), f"no content folder: {self.content_dir()} does not exist"
        content = self._load(changes)
        graph = build_graph(content, self.config, self.include_drafts, None if self._full else self.graph)
        diagnostics = validate(graph, [*self._config_problems, *content.diagnostics])
        if count(diagnostics)[0]:
            return 0, diagnostics, ""
        changed = self._changed_pages(graph)
        rendered = self._render(graph) if changed is None else self._render_only(graph, changed)
        self.graph = graph
        self._full = False
        return rendered, diagnostics, ""

    def _changed_pages(self, graph: LinkGraph) -> list[str] | None:
        """The re-parsed pages when nothing other pages can see of them changed (only they need rendering);
        None when the view keys of every page must be compared."""
        old = self.graph
        if self._full or old is None or graph.pages.keys() != old.pages.keys() or graph.site != old.site:
            return None
        changed = [pid for pid, page in graph.pages.items() if page is not old.pages[pid]]
        if any(_signature(graph.pages[pid]) != _signature(old.pages[pid]) for pid in changed):
            return None
        return changed

    def _render_only(self, graph: LinkGraph, changed: list[str]) -> int:
        assert self._env is not None
        renderer = PageRenderer(graph, self._env, self._assets)
        rendered = dict(self._rendered)
        for page_id in changed:
            key = _digest(renderer.view(page_id, with_body=False), _link_key(graph, graph.pages[page_id]))
            rendered[page_dir(page_id) + "index.html"] = _Rendered(graph.pages[page_id], key, renderer.page(page_id))
        self.site = self._assemble(graph, rendered)
        self._rendered = rendered
        return len(changed)

    def _reset(self, config: SiteConfig) -> None:
        self.config = config
        self._parsed.clear()
        self._dates = git_dates(self.project_dir, config.content_dir)  # commits made while serving are not seen
        self._rendered.clear()
        dirs = find_template_dirs(self.project_dir, config.templates_dir)
        self._env = make_environment(dirs)
        static = static_files(dirs)
        self._assets = {name: path for name, (path, _) in static.items()}
        self._static = dict(static.values())

    def _load(self, changes: set[Path]) -> Content:
        """Like `load_content`, re-reading only the Markdown files that changed or are new."""
        content_dir = self.content_dir()
        changed = {_relative(path, content_dir) for path in changes} - {None}
        scan = scan_content(content_dir, self.config.content_dir)
        ids = page_ids(scan.markdown)
        parsed: dict[str, Parsed] = {}
        for rel in scan.markdown:
            previous = self._parsed.get(rel)
            if previous is None or previous[0] != ids[rel] or rel in changed:
                file = posixpath.join(self.config.content_dir, rel)
                previous = (ids[rel], *load_page(content_dir / rel, rel, ids[rel], file, self.config))
            parsed[rel] = previous
        self._parsed = parsed
        return assemble_content(parsed, scan, self._dates, self.config, content_dir)

    def _render(self, graph: LinkGraph) -> int:
        """Render what changed into a new Site; commit it only when everything rendered."""
        assert self._env is not None
        renderer = PageRenderer(graph, self._env, self._assets)
        rendered: dict[str, _Rendered] = {}
        count_rendered = 0
        for page_id, page in graph.pages.items():
            output = page_dir(page_id) + "index.html"
            key = _digest(renderer.view(page_id, with_body=False), _link_key(graph, page))
            old = self._rendered.get(output)
            if old is None or old.page is not page or old.key != key:
                old = _Rendered(page, key, renderer.page(page_id))
                count_rendered += 1
            rendered[output] = old
        for output, template, here, view in renderer.generated_views():
            key = _digest(view)
            old = self._rendered.get(output)
            if old is None or old.key != key:
                old = _Rendered(None, key, renderer.render_view(template, here, view))
                count_rendered += 1
            rendered[output] = old
        self.site = self._assemble(graph, rendered)
        self._rendered = rendered
        return count_rendered

    def _assemble(self, graph: LinkGraph, rendered: dict[str, _Rendered]) -> Site:
        items = ((path, item.data) for path, item in rendered.items())
        return assemble_site(graph, self.content_dir(), self._static, items)


def _relative(path: Path, folder: Path) -> str | None:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return None


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


def _signature(page: Page) -> str:
    """What other pages can show of `page`: its front matter, title, summary, headings and links."""
    body = page.body
    headings = [(h.level, h.id, h.text) for h in body.headings]
    links = [(link.href, link.kind) for link in body.links]
    parts = (page.title, page.summary, page.type, page.draft, page.front.values, page.updated, headings, links)
    return _digest(*parts, body.first_h1, sorted(body.html_ids), body.faq)


def _digest(*parts: Any) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
