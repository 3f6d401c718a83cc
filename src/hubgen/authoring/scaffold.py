"""`hubgen new DIR`: copy the project skeleton shipped in the package (src/hubgen/skeleton/).

Dot-files are stored without their dot (`gitignore`, `github/`) so packaging tools never treat them as
their own configuration; they get it back when copied.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from hubgen.authoring.workspace import AuthoringError
from hubgen.base import sinks

DOTTED = {"gitignore": ".gitignore", "github": ".github"}


def skeleton_files() -> dict[str, bytes]:
    """Project-relative path -> content of every file `hubgen new` writes."""
    found: dict[str, bytes] = {}
    _collect(files("hubgen") / "skeleton", "", found)
    return dict(sorted(found.items()))


def _collect(folder: Traversable, prefix: str, found: dict[str, bytes]) -> None:
    for entry in folder.iterdir():
        if entry.name.startswith((".", "__")):
            continue
        name = prefix + (DOTTED.get(entry.name, entry.name) if not prefix else entry.name)
        if entry.is_dir():
            _collect(entry, name + "/", found)
        else:
            found[name] = entry.read_bytes()


def new_project(target: Path, force: bool = False) -> list[str]:
    """Write the skeleton into `target`; refuses a non-empty folder unless `force`. Returns the paths written.

    With `force`, a file of the skeleton replaces the file at its path, but never through a symbolic link:
    a link (to a file or a folder) on the way to any of them refuses the whole command before anything is
    written, since what it points to is not the user's project to overwrite."""
    if target.exists() and not target.is_dir():
        raise AuthoringError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise AuthoringError(f"{target} is not empty: choose an empty folder, or pass --force to write into it")
    skeleton = skeleton_files()
    for relative in skeleton:
        _check_writable(target, relative)
    written: list[str] = []
    for relative, content in skeleton.items():
        path = target / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            sinks.replace_file(path, content)
        except OSError as error:
            done = f"; wrote {', '.join(written)}" if written else "; nothing written"
            raise AuthoringError(
                f"cannot write {sinks.for_terminal(str(path))}: {error.strerror or error}{done}"
            ) from None
        written.append(relative)
    return written


def _check_writable(target: Path, relative: str) -> None:
    path = target / relative
    try:
        sinks.inside(target, path)
    except sinks.UnsafePath as error:
        link = next((p for p in (path, *path.parents) if p.is_symlink()), None)
        if link is None:  # inside() could not look (no permission, a name too long): say what it found
            raise AuthoringError(f"cannot write {sinks.for_terminal(str(path))}: {error} (nothing written)") from None
        shown = sinks.for_terminal(str(link))
        raise AuthoringError(
            f"{shown} is a symbolic link: hubgen new writes nothing through a link; remove it or choose "
            "another folder (nothing written)"
        ) from None
    in_the_way = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if path.is_dir() or in_the_way is not None:
        shown = sinks.for_terminal(str(in_the_way or path))
        raise AuthoringError(f"{shown} is in the way of hubgen new's {relative} (nothing written)")
