"""`hubgen new DIR`: copy the project skeleton shipped in the package (src/hubgen/skeleton/).

Dot-files are stored without their dot (`gitignore`, `github/`) so packaging tools never treat them as
their own configuration; they get it back when copied.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from hubgen.authoring.workspace import AuthoringError

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
    """Write the skeleton into `target`; refuses a non-empty folder unless `force`. Returns the paths written."""
    if target.exists() and not target.is_dir():
        raise AuthoringError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise AuthoringError(f"{target} is not empty: choose an empty folder, or pass --force to write into it")
    written = []
    for relative, content in skeleton_files().items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(relative)
    return written
