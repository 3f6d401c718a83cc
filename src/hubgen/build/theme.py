"""The theme: where templates come from (a project's own `templates/` first, then the built-in theme, file
by file), the Jinja environment, the static files, and a digest of it all for the build cache.

A project's templates come from the repository, so they are input, not code: Jinja runs them in its
sandbox (no attribute that starts with `_`, no unsafe call), and a template or static file is read only
when it lies in the project once symbolic links are resolved (a link out of the project is never read, a
link loop never walked); the built-in theme's files only from the theme's own folder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from hubgen import __version__
from hubgen.base.cache import key_for
from hubgen.base.sinks import resolved_inside
from hubgen.core.highlight import pygments_css
from hubgen.core.layout import static_file


def theme_dir() -> Path:
    """The built-in theme: inside the installed package, or the repo's templates/ in a development install."""
    packaged = Path(__file__).parents[1] / "theme"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[3] / "templates"


def template_dirs(project_dir: Path, templates_dir: str) -> list[Path]:
    own = project_dir / templates_dir
    dirs = [own] if own.is_dir() else []
    return [*dirs, theme_dir()] if theme_dir().resolve() not in [d.resolve() for d in dirs] else dirs


class _ViewEnvironment(SandboxedEnvironment):
    """Jinja for views made of plain dicts: `card.title` looks the key up first. Jinja's own order tries the
    attribute first, and the AttributeError it raises and catches for every dict key cost a fifth of the time
    spent rendering a page (an article's path shows every step). A dict's methods stay reachable when it has
    no key of that name; anything else goes through the sandbox."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


class _ContainedLoader(FileSystemLoader):
    """Templates from one folder, and only those that lie inside `boundary` once links are resolved."""

    def __init__(self, folder: Path, boundary: Path) -> None:
        super().__init__(str(folder))
        self.boundary = boundary

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)  # a file's: always named
        if not within(self.boundary, Path(filename)):
            raise TemplateNotFound(template)
        return source, filename, uptodate


def boundary(folder: Path, project_dir: Path | None) -> Path:
    """What a template folder's files may lie in once links are resolved: the project, for a folder of the
    project's; the folder itself otherwise (the built-in theme)."""
    return project_dir if project_dir is not None and resolved_inside(project_dir, folder) else folder


def make_environment(dirs: list[Path], project_dir: Path | None = None) -> SandboxedEnvironment:
    loaders: list[BaseLoader] = [_ContainedLoader(d, boundary(d, project_dir)) for d in dirs]
    env = _ViewEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a session loads its theme once and makes a new one when a template changes
    )
    return env


def theme_digest(project_dir: Path, templates_dir: str) -> str:
    """A digest of every template and static file the build would use (the project's and the theme's)."""
    return templates_digest(template_dirs(project_dir, templates_dir), project_dir)


def templates_digest(dirs: list[Path], project_dir: Path | None = None) -> str:
    parts = [__version__]
    for directory in dirs:
        for path in files_within(directory, boundary(directory, project_dir)):
            parts += [path.relative_to(directory).as_posix(), hashlib.sha1(path.read_bytes()).hexdigest()]
    return key_for(*parts)


def within(folder: Path, path: Path) -> bool:
    """Whether `path`, links resolved, is a regular file inside `folder`, links resolved."""
    return resolved_inside(folder, path) and os.path.isfile(path)


def files_within(folder: Path, limit: Path | None = None) -> list[Path]:
    """Every file under `folder`, sorted, that lies inside `limit` (default: `folder`) once links are
    resolved. A linked folder is entered when it leads inside `limit`, and each real folder once, so a
    loop cannot be walked."""
    limit = limit or folder
    found: list[Path] = []
    seen: set[str] = set()
    for root, subfolders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in seen or not resolved_inside(limit, Path(root)):
            subfolders[:] = []
            continue
        seen.add(real)
        subfolders[:] = sorted(name for name in subfolders if resolved_inside(limit, Path(root, name)))
        found += [Path(root, name) for name in names if within(limit, Path(root, name))]
    return sorted(found)


def static_files(dirs: list[Path], project_dir: Path | None = None) -> dict[str, tuple[str, bytes]]:
    """The theme's static/ files (project files win) and the code colours, CSS and JS fingerprinted:
    name -> (path in the site, bytes)."""
    found: dict[str, bytes] = {}
    for directory in reversed(dirs):
        static, limit = directory / "static", boundary(directory, project_dir)
        if static.is_dir() and resolved_inside(limit, static):
            for path in files_within(static, limit):
                found[path.relative_to(static).as_posix()] = path.read_bytes()
    found["code.css"] = pygments_css().encode()
    files: dict[str, tuple[str, bytes]] = {}
    for name, data in sorted(found.items()):
        stem, dot, ext = name.rpartition(".")
        fingerprinted = ext in ("css", "js") and dot
        name_out = f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{ext}" if fingerprinted else name
        files[name] = (static_file(name_out), data)
    return files
