"""What a run gives back: a check, a build, or a serve update."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hubgen.core.config import CONFIG_FILE, SiteConfig
from hubgen.core.diagnostics import Diagnostic, count
from hubgen.core.graph import LinkGraph


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
    stopped: bool = False  # nothing written: errors, or warnings under `strict`
    viewed: tuple[str, ...] = ()  # pages (ids) and generated outputs whose views were made; the rest were proven
    # unchanged since the last build (`build -v` counts them)


@dataclass(frozen=True)
class UpdateResult:
    """One `serve` update: what it rendered, and what stopped it, if anything did."""

    rendered: int  # pages (content and generated) rendered by this update
    seconds: float
    diagnostics: tuple[Diagnostic, ...]
    ok: bool
    message: str = ""  # a template or project problem, when there is one
    full: bool = False  # the whole site was built again (the start, a config or template change)
    kind: str = ""  # what `message` is about: template, output-collision, content-missing, rebuild
    viewed: tuple[str, ...] = ()  # pages (ids) and generated outputs whose views were made

    @property
    def errors(self) -> int:
        return count(self.diagnostics)[0]


def find_project(start: Path) -> Path:
    """The nearest folder at or above `start` holding hubgen.yaml; else `start` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return start
