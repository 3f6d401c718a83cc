"""The session: one project held open, and the only place the stages are ordered.

    check  = settings -> content -> graph -> validate
    build  = check -> render -> write
    update = check what changed -> render what may look different      (`hubgen serve`, after an edit)

All three run the same stage functions. Content is loaded one way (`load_content`: from the parse cache,
parsed in a pool where it pays, reusing what a served session already holds); pages are rendered again by one
rule (`renderjobs.render_pages`, with the memo in memory for `serve` and saved in the build cache for
`build`); and a failure is explained one way (`explain`). Exceptions mean "cannot continue" (`ProjectError`);
diagnostics mean "the content has a problem". The build side (Jinja, the renderer, the writer, the indexer)
is imported only when something is rendered: `check` never loads it.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubgen.base.cache import BuildCache, cache_folder, key_for
from hubgen.base.sinks import resolved_inside
from hubgen.core.aliasrules import redirected
from hubgen.core.config import CONFIG_FILE, SiteConfig
from hubgen.core.diagnostics import Diagnostic, count
from hubgen.core.gitdates import Dates, git_dates
from hubgen.core.graph import LinkGraph, build_graph, with_pages
from hubgen.core.layout import Site, Stored
from hubgen.core.load import Content, Held, Loaded, Page, load_content
from hubgen.core.options import RunOptions
from hubgen.core.scan import Scan, scan_content
from hubgen.core.validate import Findings, find_problems, validate
from hubgen.session.errors import explain, one_line, read_config
from hubgen.session.results import BuildResult, CheckResult, ProjectError, UpdateResult

if TYPE_CHECKING:
    from hubgen.build.cards import CardDrawer
    from hubgen.build.deps import RenderMemo, States
    from hubgen.build.llms import Twins, TwinStore
    from hubgen.build.render import PageRenderer, Theme
    from hubgen.build.renderjobs import MemoryStore, Store


class Session:
    """A hub project held open with its settings, content, link graph and findings, and once rendered, its
    site. `check` validates it, `build` renders and writes it, `update` brings a served site up to date
    after files changed, re-reading only those and re-rendering only the pages that may look different."""

    def __init__(self, project_dir: Path, options: RunOptions | None = None) -> None:
        self.project_dir = project_dir
        self.options = options or RunOptions()
        self.config = SiteConfig()
        self.graph: LinkGraph | None = None
        self.site = Site()  # the last good site, served as is
        self.served: SiteConfig | None = None  # the settings `site` was rendered with (its base path)
        self.version = 0  # successful updates so far
        self._fresh = True  # the next update starts from nothing
        self._config_problems: list[Diagnostic] = []
        self._scan: Scan | None = None  # the last scan of content/
        self._loaded: dict[str, Loaded] = {}  # rel under content/ -> that file as last loaded
        self._dates: Dates | None = None  # git's dates, read once per session (serve)
        self._content: Content | None = None  # what the last good graph was built from, and what its rules found
        self._findings: Findings | None = None
        self._theme: Theme | None = None
        self._memo: RenderMemo | None = None  # the last render's, kept in memory (serve)
        self._store: MemoryStore | None = None  # the pages it rendered, by key (serve)
        self._seen: dict[str, Page] = {}  # each page's record when its states were made
        self._now: dict[str, States] = {}  # and those states
        self._files: tuple[list[str], list[str]] = ([], [])  # page ids, and the file each is written to
        self._generated: dict[str, tuple[str, bytes]] = {}  # output -> key and HTML of a generated page
        self._seo: list[tuple[str, str]] = []  # sitemap, robots.txt and feed, as last made
        self._twins: Twins = {}  # each page's Markdown twin, as last made (serve)
        self._llms: tuple[LinkGraph, dict[str, bytes]] | None = None  # serve's llms files, with their graph
        self._llms_lock = threading.Lock()  # the server's request threads ask at once
        self._cards: CardDrawer | None = None  # the served site's social cards, drawn when asked for (serve)
        self._rendered = 0  # pages the last render rendered
        self._card_seconds = 0.0  # the time the last build's social cards took
        self._viewed: tuple[str, ...] = ()  # pages (ids) and generated outputs whose views it made

    def content_dir(self) -> Path:
        return self.project_dir / self.config.content_dir

    # -- check -------------------------------------------------------------------------------------

    def check(self) -> CheckResult:
        """Load, build the graph and validate, from nothing. None of the options but `drafts` changes the
        diagnostics."""
        options = self.options
        self.config, problems = read_config(self.project_dir)
        if count(problems)[0]:
            return CheckResult(self.config, None, tuple(sorted(problems)))
        self._require_folders()
        folder = (options.cache_dir or cache_folder(self.project_dir)) if options.cache else None
        cache = BuildCache(folder).entries() if folder else None
        try:
            content, self._loaded = load_content(self.project_dir, self.config, options, cache)
        finally:
            if cache:
                cache.close()
        graph = build_graph(content, self.config, options.drafts)
        found = [*problems, *content.diagnostics]
        if options.external:
            from hubgen.core.external import check_graph  # httpx: only when asked for

            found += check_graph(graph, cache_folder(self.project_dir))
        self.graph, self._content = graph, content
        return CheckResult(self.config, graph, tuple(validate(graph, found)), content.cache_ignored)

    def _require_folders(self) -> None:
        content_dir = self.content_dir()
        if not content_dir.is_dir():
            raise ProjectError(
                f"no content folder: {content_dir} does not exist "
                f"(run hubgen in a hub project, or point at one with -C DIR)"
            )
        for name in (self.config.content_dir, self.config.templates_dir):
            if not resolved_inside(self.project_dir, self.project_dir / name):
                raise ProjectError(
                    f"{name} is a symbolic link out of the project; hubgen reads only the project's files"
                )

    # -- build -------------------------------------------------------------------------------------

    def build(self, output_dir: Path | None = None) -> BuildResult:
        """Check, then, when nothing stops it (errors; warnings under `strict`), render and write the site."""
        clock = [time.perf_counter()]

        def lap() -> float:
            clock.append(time.perf_counter())
            return clock[-1] - clock[-2]

        result = self.check()
        checked = lap()
        output = output_dir or self.project_dir / result.config.output_dir
        graph, ignored = result.graph, result.cache_ignored
        if graph is None or result.errors or (self.options.strict and result.warnings):
            return BuildResult(result, output, cache_ignored=ignored, stopped=True)
        from hubgen.build import write as writer  # the build side loads only here: `check` never renders
        from hubgen.build.search import index_site
        from hubgen.core.layout import INDEX_DIR

        config = result.config
        protected = [self.project_dir / config.content_dir, self.project_dir / config.templates_dir]
        try:
            writer.check_output_dir(output, self.project_dir, protected)
            writer.clear_leftovers(output)  # of an interrupted build, even when this one has nothing to write
            state_dir = cache_folder(self.project_dir) if self.options.cache else None
            digest = self._build_digest(graph) if state_dir else ""
            current = writer.up_to_date(state_dir, output, digest) if state_dir else None
            if current is not None:  # the same inputs built this very site last time: nothing to render or write
                stats, rendered = writer.WriteStats(0, current), lap()
            else:
                site, unusable = self._render_to_cache(graph, state_dir)
                ignored += unusable
                rendered = lap()

                redirects = {alias.output for alias in redirected(graph)}  # search never lists an alias

                def search(folder: Path, files: dict[str, str]) -> None:
                    pages = {path: digest for path, digest in files.items() if path not in redirects}
                    index_site(folder, pages, cache_dir=state_dir, progress=self.options.progress)

                finish = writer.Finish(search, INDEX_DIR) if config.search else None
                stats = writer.write_site(site, output, finish, state_dir, digest, self.options.progress)
            written = lap()
        except Exception as error:
            explained = explain(error, f"two files would be written to {output}/{{}}: rename one page or asset", output)
            if explained is None:
                raise
            raise ProjectError(explained[1]) from None
        cards = self._card_seconds if current is None else 0.0
        stages = (
            ("load, graph, validate", checked),
            ("render", rendered - cards),
            ("cards", cards),
            ("write", written),
        )
        files = stats.written + stats.unchanged
        seconds, hubs = clock[-1] - clock[0], len(graph.hubs())
        viewed = () if current is not None else self._viewed
        return BuildResult(result, output, files, seconds, hubs, stages, stats.written, ignored, viewed=viewed)

    def render(self, graph: LinkGraph | None = None) -> Site:
        """The site of the last check (or of `graph`), rendered as `build` renders it, not written: pages go
        into the build cache's render store when the session has one."""
        graph = graph or self.graph
        if graph is None:
            raise ProjectError("nothing to render: check the project first")
        state_dir = (self.options.cache_dir or cache_folder(self.project_dir)) if self.options.cache else None
        return self._render_to_cache(graph, state_dir)[0]

    def _render_to_cache(self, graph: LinkGraph, state_dir: Path | None) -> tuple[Site, int]:
        """The site, its pages in the build cache's render store (or, without one, in memory); and how many
        unusable entries of that store were ignored."""
        from hubgen.build.deps import RenderMemo
        from hubgen.build.renderjobs import CacheStore

        if state_dir is None:
            return self._render(graph), 0
        cache = BuildCache(state_dir).entries("render")
        try:
            memo, unusable = RenderMemo.read(state_dir)
            cache.ignored += unusable
            site = self._render(graph, CacheStore(cache), memo)
            site.store = state_dir
            return site, cache.ignored
        finally:
            cache.close()

    def _build_digest(self, graph: LinkGraph) -> str:
        """Everything the site is a function of: content, settings, templates, hubgen, the drafts flag."""
        from hubgen.build.theme import theme_digest

        theme = theme_digest(self.project_dir, self.config.templates_dir)
        return key_for(graph.digest, repr(self.config), theme, str(self.options.drafts))

    # -- render (build and update) -----------------------------------------------------------------

    def _render(
        self, graph: LinkGraph, store: Store | None = None, memo: RenderMemo | None = None, refuse: bool = True
    ) -> Site:
        """Every output of `graph` in a Site. With a `store`, pages are rendered by the one rule (see
        renderjobs.py) against `memo`, and the new memo is kept: saved into the build cache by `build`, in
        memory by `update`. Without one, every page is rendered (`build --no-cache`)."""
        from hubgen.build.deps import Watched
        from hubgen.build.llms import llms_files
        from hubgen.build.redirects import redirect_files
        from hubgen.build.render import PageRenderer, Theme, assemble_site
        from hubgen.build.renderjobs import plain_pages, render_pages
        from hubgen.build.seo import seo_files
        from hubgen.core.layout import page_file

        options = self.options
        if self._theme is None:
            self._theme = Theme.load(self.project_dir, self.config.templates_dir)
        theme = self._theme
        page_ids = list(graph.pages)
        if store is None:
            renderer = PageRenderer(graph, theme.env, theme.assets)
            pages: list[Any] = plain_pages(renderer, options)
            generated, made, viewed = self._generated_pages(renderer, keep=False, keyed=False)
            self._rendered, self._viewed = len(page_ids) + made, (*page_ids, *viewed)
            self._seo = seo_files(graph)
            serving = only_bodies = False
        else:
            salt, states = theme.salt(self.config), self._states_of(graph)
            renderer = PageRenderer(replace(graph, pages=Watched(graph.pages)), theme.env, theme.assets, salt)
            done = render_pages(renderer, memo, states, store, options)
            pages, self._memo = done.pages, done.memo  # at once: the memo names what the store now holds
            serving = store is self._store  # kept in memory for the next update, as its generated pages are
            only_bodies = serving and done.only_bodies
            generated, made, viewed = self._generated_pages(renderer, keep=only_bodies, keyed=serving)
            if not only_bodies or not self._seo:
                self._seo = seo_files(graph)
            self._rendered, self._viewed = done.count + made, (*done.viewed, *viewed)
            if store.folder is not None:
                done.memo.save(store.folder)
        if self._files[0] != page_ids:
            self._files = (page_ids, [page_file(page_id) for page_id in page_ids])
        outputs = [*zip(self._files[1], pages, strict=True), *generated]
        llms: list[tuple[str, bytes]] = []
        if not serving:  # serve makes them when first asked for (`llms_file`): most edits are never followed by that
            twin_store = self._twin_store(store)
            try:
                llms = llms_files(graph, self.content_dir(), None, twin_store)[0]
            finally:
                if twin_store is not None:
                    twin_store.cache.close()
        outputs += self._card_outputs(graph, store, serving, keep=only_bodies)
        files: list[tuple[str, str | bytes]] = [*self._seo, *redirect_files(graph), *llms]
        return assemble_site(graph, self.content_dir(), theme.static, outputs, files, refuse)

    def llms_file(self, path: str) -> bytes | None:
        """`serve`: llms.txt, llms-full.txt or a page's Markdown twin (`index.md`) of the served site, made
        when one is first asked for after an update (from the served site's graph and settings, as
        `search_pages`); each twin whose records did not change is kept."""
        from hubgen.build.llms import llms_files
        from hubgen.core.layout import LLMS_FILE, LLMS_FULL_FILE

        graph, served = self.graph, self.served
        if graph is None or served is None:
            return None
        if not (path in (LLMS_FILE, LLMS_FULL_FILE) or path.rpartition("/")[2] == "index.md"):
            return None
        with self._llms_lock:
            if self._llms is None or self._llms[0] is not graph:
                files, self._twins = llms_files(graph, self.project_dir / served.content_dir, self._twins)
                self._llms = (graph, dict(files))
            return self._llms[1].get(path)

    def _twin_store(self, store: Store | None) -> TwinStore | None:
        """The build cache's store of Markdown twins (`build` with a cache; `serve` keeps its own in memory)."""
        from hubgen.build.llms import TwinStore

        if store is None or store.folder is None:
            return None
        sources = {item.page_id: item.key for item in self._loaded.values()}
        return TwinStore(BuildCache(store.folder).entries("twins"), sources)

    def _card_outputs(
        self, graph: LinkGraph, store: Store | None, serving: bool, keep: bool = False
    ) -> list[tuple[str, bytes | Stored]]:
        """The social cards: in the build cache's card store (drawn only when it lacks them), drawn now without
        a cache (`build --no-cache`), or, for `serve`, named only: each is drawn when it is asked for (`card`).
        With `keep` (serve, and only pages' bodies changed: no card shows anything new), those of last time."""
        from hubgen.build.cards import CardDrawer, card_outputs, cards_of

        if serving and keep and self._cards is not None:
            return self._cards.outputs
        started = time.perf_counter()
        cards = cards_of(graph)
        if serving:
            self._cards = self._cards or CardDrawer()
            self._cards.outputs = [(path, Stored(key, "cards")) for path, key in self._cards.update(cards).items()]
            return self._cards.outputs
        folder = store.folder if store is not None else None
        made, _ = card_outputs(cards, folder, self.options.jobs, self.options.progress)
        self._card_seconds = time.perf_counter() - started
        return made

    def card(self, key: str) -> bytes | None:
        """A served site's social card by its key (`Site.cards`), drawn now if it was not drawn lately."""
        return self._cards.card(key) if self._cards is not None else None

    def _states_of(self, graph: LinkGraph) -> dict[str, States]:
        """Each page's states for the memo; a page whose record is the one seen last time keeps them."""
        from hubgen.build.deps import states_of

        seen, now = self._seen, self._now
        if seen.keys() == graph.pages.keys():  # the same pages: only those re-read have new states
            fresh = {pid: page for pid, page in graph.pages.items() if seen[pid] is not page}
            if fresh:
                seen, now = {**seen, **fresh}, {**now, **{pid: states_of(page) for pid, page in fresh.items()}}
        else:
            now = {pid: now[pid] if seen.get(pid) is page else states_of(page) for pid, page in graph.pages.items()}
            seen = dict(graph.pages)
        self._seen, self._now = seen, now
        return now

    def _generated_pages(
        self, renderer: PageRenderer, keep: bool, keyed: bool
    ) -> tuple[list[tuple[str, bytes]], int, tuple[str, ...]]:
        """The generated pages (home, tags, 404), how many were rendered, and the outputs whose views were
        made: with `keep` (only bodies changed, so none of them can show anything new), those last made; with
        `keyed` (serve, which keeps them for the next update), each one whose view changed since; else all."""
        if keep and self._generated:
            return [(output, html) for output, (_, html) in self._generated.items()], 0, ()
        made: dict[str, tuple[str, bytes]] = {}
        for output, template, here, view in renderer.generated_views():
            key = key_for(renderer.salt, template, repr(view)) if keyed else ""
            old = self._generated.get(output)
            made[output] = old if old and key and old[0] == key else (key, renderer.render_view(template, here, view))
        rendered = sum(1 for output, item in made.items() if self._generated.get(output) is not item)
        self._generated = made if keyed else {}
        return [(output, html) for output, (_, html) in made.items()], rendered, tuple(made)

    # -- update (serve) ----------------------------------------------------------------------------

    def update(self, changes: set[Path] | None = None) -> UpdateResult:
        """Bring the site up to date after `changes` (absolute paths); None, or a change to the settings or
        the templates, starts from nothing. The last good site stays served until a new one is whole."""
        started = time.perf_counter()
        if changes is None or self._needs_full(changes):
            self._fresh = True
        full, kind = self._fresh, ""
        self._viewed = ()
        try:
            rendered, diagnostics, message = self._update(changes or set())
        except Exception as error:  # whatever an editor or a pull request leaves, serve outlives it
            explained = explain(error, "two files would be served at {}: rename one page or asset")
            if explained is None:
                self._fresh = True  # the half-done update is dropped; the next one starts from nothing
                explained = ("rebuild", f"rebuild failed: {one_line(error)}")
            (kind, message), rendered, diagnostics = explained, 0, ()
        if message and not kind:
            kind = "content-missing"
        ok = not message and not count(diagnostics)[0]
        if ok:
            self.version += 1
        seconds = time.perf_counter() - started
        return UpdateResult(rendered, seconds, tuple(diagnostics), ok, message, full, kind, self._viewed)

    def search_pages(self) -> dict[str, bytes]:
        """The served site's pages that search indexes, as `build` hands them to Pagefind: its HTML files
        but the aliases' redirect pages; none when search is off."""
        if self.served is None or not self.served.search or self.graph is None:
            return {}
        redirects = {alias.output for alias in redirected(self.graph)}
        return {
            path: data for path, data in self.site.files.items() if path.endswith(".html") and path not in redirects
        }

    def _needs_full(self, changes: set[Path]) -> bool:
        templates = _real(self.project_dir / self.config.templates_dir)
        config_file = _real(self.project_dir / CONFIG_FILE)
        for path in changes:
            resolved = _real(path)
            if resolved in (config_file, templates) or templates in resolved.parents:
                return True
        return False

    def _update(self, changes: set[Path]) -> tuple[int, tuple[Diagnostic, ...] | list[Diagnostic], str]:
        from hubgen.build.renderjobs import MemoryStore

        if self._fresh:
            config, problems = read_config(self.project_dir)
            if count(problems)[0]:
                return 0, sorted(problems), ""
            self._start(config, problems)
        if not self.content_dir().is_dir():
            return 0, (), f"no content folder: {self.content_dir()} does not exist"
        from hubgen.build.deps import edited_pages

        content = self._reload(changes)
        before = None if self._fresh or self.graph is None else self._content
        edits = edited_pages(before, content) if before is not None else None
        if edits is None:  # anything else: the graph, every rule and every page's view from scratch
            graph = build_graph(content, self.config, self.options.drafts, None if self._fresh else self.graph)
            findings = find_problems(graph)
        else:  # the graph keeps its edges; rules re-read the edited pages (and graph-wide ones name titles)
            assert self.graph is not None
            graph = with_pages(self.graph, edits[0], content.digest)
            findings = find_problems(graph, self._findings, edits[0], graph_wide=edits[1])
        diagnostics = validate(graph, [*self._config_problems, *content.diagnostics], findings)
        if count(diagnostics)[0]:
            return 0, diagnostics, ""
        self._store = self._store or MemoryStore()
        # a site whose paths are those it had passes the collision check already: only pages' text changed
        self.site = self._render(graph, self._store, self._memo, refuse=edits is None)
        self.served = self.config
        self.graph, self._content, self._findings = graph, content, findings
        self._fresh = False
        return self._rendered, diagnostics, ""

    def _start(self, config: SiteConfig, problems: list[Diagnostic]) -> None:
        """Forget everything held: the settings or the templates changed, or this is the first update."""
        self.config, self._config_problems = config, problems
        self._scan = self._content = self._findings = self._memo = self._store = self._theme = None
        self._loaded, self._seen, self._now, self._generated, self._twins = {}, {}, {}, {}, {}
        self._llms = None
        self._cards = None
        self._dates = git_dates(self.project_dir, config.content_dir)  # commits made while serving are not seen

    def _reload(self, changes: set[Path]) -> Content:
        """`load_content`, re-reading only the Markdown files that changed or are new. When every change is an
        edit of a page already known (still a plain file), content/ is not even scanned again."""
        content_dir = self.content_dir()
        changed = {_relative(path, content_dir) for path in changes} - {None}
        if self._scan is None or not self._only_edits(changes, changed):
            self._scan = scan_content(content_dir, self.config.content_dir)
        held = Held(self._scan, self._loaded, self._dates or {}, frozenset(rel for rel in changed if rel))
        content, self._loaded = load_content(self.project_dir, self.config, self.options, held=held)
        return content

    def _only_edits(self, changes: set[Path], changed: set[str | None]) -> bool:
        if not changes or len(changed) != len(changes):
            return False
        known = self._loaded
        return all(rel in known and known[rel].page is not None for rel in changed) and all(
            path.is_file() and not path.is_symlink() for path in changes
        )


def _relative(path: Path, folder: Path) -> str | None:
    try:
        return _real(path).relative_to(_real(folder)).as_posix()
    except ValueError:
        return None


def _real(path: Path) -> Path:
    """The path with its symbolic links followed as far as they go: a loop or a dangling link is not an error."""
    return Path(os.path.realpath(path))
