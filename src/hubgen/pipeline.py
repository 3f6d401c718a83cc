"""The pipeline: the only place the stages are ordered.

    check = load config -> load content -> build graph -> validate
    build = check -> render -> write

Exceptions mean "cannot continue" (`ProjectError`); diagnostics mean "the content has a problem".
"""

from __future__ import annotations

import functools
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hubgen.cache import Cache, cache_folder, key_for
from hubgen.config import CONFIG_FILE, SiteConfig, load_config
from hubgen.diagnostics import Diagnostic, count
from hubgen.graph import LinkGraph, build_graph
from hubgen.load import load_content
from hubgen.progress import Progress, silent
from hubgen.sinks import resolved_inside
from hubgen.validate import validate

if TYPE_CHECKING:
    import jinja2

    from hubgen.render import Site


class ProjectError(Exception):
    """The project cannot be checked or built: no content folder, a broken template, an unsafe output."""


@dataclass(frozen=True)
class CheckResult:
    config: SiteConfig
    graph: LinkGraph | None  # None when the configuration itself is broken
    diagnostics: tuple[Diagnostic, ...]
    cache_ignored: int = 0  # unusable entries of .hubgen-cache/, ignored and made again

    @property
    def errors(self) -> int:
        return count(self.diagnostics)[0]

    @property
    def warnings(self) -> int:
        return count(self.diagnostics)[1]

    @property
    def pages(self) -> int:
        return len(self.graph.pages) if self.graph else 0

    @property
    def config_broken(self) -> bool:
        return self.graph is None


@dataclass(frozen=True)
class BuildResult:
    check: CheckResult
    output: Path
    files: int = 0  # 0: nothing was written
    seconds: float = 0.0
    hubs: int = 0
    stages: tuple[tuple[str, float], ...] = ()  # (stage, seconds), for `build -v`
    written: int = 0  # files that had to be written (the rest were already right)
    cache_ignored: int = 0  # unusable entries of .hubgen-cache/ (the check's and the render stage's)


def find_project(start: Path) -> Path:
    """The nearest folder at or above `start` holding hubgen.yaml; else `start` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return start


def check(
    project_dir: Path,
    include_drafts: bool = False,
    external: bool = False,
    jobs: int = 1,
    use_cache: bool = False,
    progress: Progress = silent,
    bodies: bool = True,
    cache_dir: Path | None = None,
) -> CheckResult:
    """Load, build the graph and validate. `jobs` processes parse; `use_cache` keeps parse results in
    .hubgen-cache/ (or in `cache_dir`: another tree of the same project shares its cache); `progress` hears
    how parsing goes. None of them changes the diagnostics. Without `bodies` no page body is rendered (its
    HTML stays empty): all `hubgen check` needs."""
    config, problems = load_config(project_dir)
    if count(problems)[0]:
        return CheckResult(config, None, tuple(sorted(problems)))
    content_dir = project_dir / config.content_dir
    if not content_dir.is_dir():
        raise ProjectError(
            f"no content folder: {content_dir} does not exist "
            f"(run hubgen in a hub project, or point at one with -C DIR)"
        )
    for name in (config.content_dir, config.templates_dir):
        if not resolved_inside(project_dir, project_dir / name):
            raise ProjectError(f"{name} is a symbolic link out of the project; hubgen reads only the project's files")
    folder = (cache_dir or cache_folder(project_dir)) if use_cache else None
    cache = Cache(folder) if folder else None
    try:
        content = load_content(project_dir, config, jobs, cache, progress, bodies)
    finally:
        if cache:
            cache.close()
    graph = build_graph(content, config, include_drafts)
    found = [*problems, *content.diagnostics]
    if external:
        found += _check_external(graph, project_dir)
    return CheckResult(config, graph, tuple(validate(graph, found)), content.cache_ignored)


def build(
    project_dir: Path,
    include_drafts: bool = False,
    output_dir: Path | None = None,
    jobs: int = 1,
    use_cache: bool = False,
    progress: Progress = silent,
) -> BuildResult:
    # The renderer, the writer, the indexer and Jinja load only here: `check` never renders.
    import jinja2

    from hubgen.layout import INDEX_DIR
    from hubgen.render import OutputCollision
    from hubgen.search import SearchIndexError, index_site
    from hubgen.write import OutputError, WriteStats, check_output_dir, clear_leftovers, up_to_date, write_site

    clock = [time.perf_counter()]

    def lap() -> float:
        clock.append(time.perf_counter())
        return clock[-1] - clock[-2]

    result = check(project_dir, include_drafts, jobs=jobs, use_cache=use_cache, progress=progress)
    checked = lap()
    output = output_dir or project_dir / result.config.output_dir
    if result.errors or result.graph is None:
        return BuildResult(result, output, cache_ignored=result.cache_ignored)
    config = result.config
    ignored = result.cache_ignored
    protected = [project_dir / config.content_dir, project_dir / config.templates_dir]
    try:
        check_output_dir(output, project_dir, protected)
        clear_leftovers(output)  # of an interrupted build, even when this one has nothing to write
        state_dir = cache_folder(project_dir) if use_cache else None
        digest = _build_digest(result, project_dir, include_drafts) if state_dir else ""
        current = up_to_date(state_dir, output, digest) if state_dir else None
        if current is not None:  # the same inputs built this very site last time: nothing to render or write
            stats, rendered = WriteStats(0, current, 0), lap()
        else:
            site, unusable = _render(result.graph, project_dir, jobs, state_dir, progress)
            ignored += unusable
            rendered = lap()
            search = functools.partial(index_site, cache_dir=state_dir, progress=progress) if config.search else None
            stats = write_site(site, output, search, state_dir, digest, progress, INDEX_DIR if search else "")
        written = lap()
    except (OutputError, SearchIndexError) as error:
        raise ProjectError(str(error)) from None
    except OutputCollision as error:
        raise ProjectError(f"two files would be written to {output / str(error)}: rename one page or asset") from None
    except jinja2.TemplateError as error:
        raise ProjectError(template_message(error)) from None
    except OSError as error:  # a full disk, a name too long for the file system, no permission
        where = f" ({error.filename})" if error.filename else ""
        raise ProjectError(f"cannot write the site to {output}: {error.strerror or error}{where}") from None
    stages = (("load, graph, validate", checked), ("render", rendered), ("write", written))
    files = stats.written + stats.unchanged
    seconds, hubs = clock[-1] - clock[0], len(result.graph.hubs())
    return BuildResult(result, output, files, seconds, hubs, stages, stats.written, ignored)


def _render(
    graph: LinkGraph, project_dir: Path, jobs: int, state_dir: Path | None, progress: Progress
) -> tuple[Site, int]:
    """The site, and how many unusable entries of the render cache were ignored."""
    from hubgen.render import render_site

    cache = Cache(state_dir, "render") if state_dir else None
    try:
        return render_site(graph, project_dir, jobs, cache, progress), cache.ignored if cache else 0
    finally:
        if cache:
            cache.close()


def _build_digest(result: CheckResult, project_dir: Path, include_drafts: bool) -> str:
    """Everything the site is a function of: content, settings, templates, hubgen, the drafts flag."""
    from hubgen.theme import theme_digest

    assert result.graph is not None
    theme = theme_digest(project_dir, result.config.templates_dir)
    return key_for(result.graph.digest, repr(result.config), theme, str(include_drafts))


def template_message(error: jinja2.TemplateError) -> str:
    import jinja2

    if isinstance(error, jinja2.TemplateSyntaxError):
        where = f"{error.filename or error.name}:{error.lineno}"
        return f"{where}: template error: {error.message}"
    if isinstance(error, jinja2.TemplateNotFound):
        return f"template not found: {error.name}"
    failure = error.__cause__ or error  # the renderer chains what a template raised
    frames = [f for f in traceback.extract_tb(failure.__traceback__) if not f.filename.endswith(".py")]
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    hint = " (a template uses a value the page does not have)" if isinstance(error, jinja2.UndefinedError) else ""
    return f"{where}template error: {error}{hint}"


def _check_external(graph: LinkGraph, project_dir: Path) -> list[Diagnostic]:
    from hubgen.external import ExternalLink, check_external  # httpx: only when asked for

    options = graph.config.external  # checked when hubgen.yaml was read: bounded numbers, patterns that compile
    links = [
        ExternalLink(item.link.href, graph.pages[page_id].file, item.link.line, item.link.column)
        for page_id, resolved in graph.links.items()
        for item in resolved
        if item.target.kind == "external" and item.link.href.lower().startswith(("http://", "https://"))
    ]
    return check_external(links, options, cache_folder(project_dir))


def only_in(diagnostics: Sequence[Diagnostic], files: set[str]) -> tuple[Diagnostic, ...]:
    return tuple(d for d in diagnostics if d.file in files)
