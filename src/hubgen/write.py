"""Write: fill a sibling temporary folder, then swap it in for the output folder.

A failed or interrupted build leaves the previous site whole and no temporary folder behind. The output
folder is only ever replaced when it is absent, empty, or carries the marker hubgen writes into it; a
folder that holds the project, its content or a home folder is refused outright.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hubgen.render import Site

MARKER = ".hubgen-site"
MARKER_TEXT = "This folder is written by hubgen build and is replaced whole on every build.\n"


class OutputError(Exception):
    """The output folder cannot be written safely."""


def check_output_dir(output: Path, project_dir: Path, protected: list[Path]) -> None:
    """Refuse an output folder whose replacement would destroy something hubgen did not write."""
    target = output.resolve()
    project = project_dir.resolve()
    dangerous = {Path(target.anchor), Path.home().resolve(), project, *(p.resolve() for p in protected)}
    if target in dangerous or any(_is_inside(p, target) for p in (project, *protected)):
        raise OutputError(
            f"refusing to use '{output}' as the output folder: building replaces it whole, and it holds "
            "the project, its content or its templates. Set output_dir in hubgen.yaml to a folder of its own, "
            "such as site"
        )
    if target.exists() and not target.is_dir():
        raise OutputError(f"the output path '{output}' exists and is not a folder")
    if target.is_dir() and not (target / MARKER).exists() and any(target.iterdir()):
        raise OutputError(
            f"'{output}' exists, is not empty and was not written by hubgen (it has no {MARKER} file). "
            "Move its files away or choose another output_dir; hubgen replaces only folders it wrote"
        )


def _is_inside(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` itself or lies inside it."""
    return path == folder or folder in path.parents


def write_site(site: Site, output: Path, finish: Callable[[Path], None] | None = None) -> int:
    """Write every file of `site` into `output` atomically; the number of files written. `finish` runs on
    the complete staging folder before the swap (the search indexer)."""
    parent = output.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=parent))
    try:
        _fill(staging, site)
        if finish is not None:
            finish(staging)
        _swap(staging, output.resolve())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return len(site.files) + len(site.copies)


def _fill(folder: Path, site: Site) -> None:
    made: set[Path] = set()
    for rel, data in sorted(site.files.items()):
        path = folder / rel
        _mkdir(path.parent, made)
        path.write_bytes(data)
    for rel, source in sorted(site.copies.items()):
        path = folder / rel
        _mkdir(path.parent, made)
        shutil.copyfile(source, path)
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    os.chmod(folder, 0o755)


def _mkdir(path: Path, made: set[Path]) -> None:
    if path not in made:
        path.mkdir(parents=True, exist_ok=True)
        made.add(path)


def _swap(staging: Path, output: Path) -> None:
    """Put `staging` where `output` is. Two renames; the old site is deleted only once the new one is in."""
    if not output.exists():
        staging.rename(output)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    retired.rmdir()
    output.rename(retired)
    try:
        staging.rename(output)
    except BaseException:
        retired.rename(output)
        raise
    shutil.rmtree(retired, ignore_errors=True)
