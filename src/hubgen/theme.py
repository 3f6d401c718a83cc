"""The theme: where templates come from (a project's own `templates/` first, then the built-in theme, file
by file), the Jinja environment, the static files, and a digest of it all for the build cache."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from hubgen import __version__
from hubgen.cache import key_for
from hubgen.highlight import pygments_css
from hubgen.layout import static_file


def theme_dir() -> Path:
    """The built-in theme: inside the installed package, or the repo's templates/ in a development install."""
    packaged = Path(__file__).parent / "theme"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


def template_dirs(project_dir: Path, templates_dir: str) -> list[Path]:
    own = project_dir / templates_dir
    dirs = [own] if own.is_dir() else []
    return [*dirs, theme_dir()] if theme_dir().resolve() not in [d.resolve() for d in dirs] else dirs


class _ViewEnvironment(Environment):
    """Jinja for views made of plain dicts: `card.title` looks the key up first. Jinja's own order tries the
    attribute first, and the AttributeError it raises and catches for every dict key cost a fifth of the time
    spent rendering a page (an article's path shows every step). A dict's methods stay reachable when it has
    no key of that name."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def make_environment(dirs: list[Path]) -> Environment:
    env = _ViewEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def theme_digest(project_dir: Path, templates_dir: str) -> str:
    """A digest of every template and static file the build would use (the project's and the theme's)."""
    return templates_digest(template_dirs(project_dir, templates_dir))


def templates_digest(dirs: list[Path]) -> str:
    parts = [__version__]
    for directory in dirs:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                parts += [path.relative_to(directory).as_posix(), hashlib.sha1(path.read_bytes()).hexdigest()]
    return key_for(*parts)


def static_files(dirs: list[Path]) -> dict[str, tuple[str, bytes]]:
    """The theme's static/ files (project files win) and the code colours, CSS and JS fingerprinted:
    name -> (path in the site, bytes)."""
    found: dict[str, bytes] = {}
    for directory in reversed(dirs):
        static = directory / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    found[path.relative_to(static).as_posix()] = path.read_bytes()
    found["code.css"] = pygments_css().encode()
    files: dict[str, tuple[str, bytes]] = {}
    for name, data in sorted(found.items()):
        stem, dot, ext = name.rpartition(".")
        fingerprinted = ext in ("css", "js") and dot
        name_out = f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{ext}" if fingerprinted else name
        files[name] = (static_file(name_out), data)
    return files
