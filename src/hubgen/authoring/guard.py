"""What keeps an authoring command from losing work or writing where it must not.

- `locked(root)`: one authoring command at a time per project: an exclusive `flock` on the project folder
  itself (no lock file to go stale: the system releases it when the process ends, however it ends). A second
  command waits up to `LOCK_WAIT` seconds, then is refused.
- `verify(root, content_dir, changes)`: run on every file before any is replaced. A file that changed since
  the command read it, or appeared where a new one goes, refuses the edit; so does a path that leaves the
  content folder or passes through a symbolic link (a linked page is edited at its target, by hand).
- `page_id_problem(name)`: why a name cannot be a page id hubgen would read back (hidden, empty, an index
  name, control characters, too long for a file name), or None.
- `copy_ignoring_outside_links(source, target)`: the content folder copied for the check, without
  following a link out of it (a link to / would otherwise copy the whole disk).
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hubgen.base import sinks
from hubgen.core.scan import MAX_LINKED_READS

try:
    import fcntl
except ImportError:  # Windows: no lock
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from hubgen.authoring.workspace import Change

LOCK_WAIT = 10.0  # seconds a second authoring command waits for the first
MAX_NAME_BYTES = 200  # a page file's name, in UTF-8, without `.md`: room for `.md` and a temporary suffix


class Refused(Exception):
    """Why the edit cannot be written (raised as an AuthoringError by the caller: exit 2)."""


@contextlib.contextmanager
def locked(root: Path, wait: float | None = None) -> Iterator[None]:
    wait = LOCK_WAIT if wait is None else wait
    if fcntl is None:
        yield
        return
    handle = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Refused(
                        "another hubgen command is editing this project; run this one again when it has finished "
                        "(nothing written)"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(handle)  # releases the lock


def verify(root: Path, content_dir: str, changes: Sequence[Change]) -> None:
    """Refuse (`Refused`) unless every change can be written as the command computed it."""
    top = root / content_dir
    for change in changes:
        for rel in filter(None, (change.path, change.old_path)):
            _check_inside(top, root / rel, rel, content_dir)
        source = change.old_path or change.path
        if change.before is not None and _read(root / source) != change.before:
            raise Refused(f"{_shown(source)} changed while hubgen was editing it; nothing was written")
        if (change.before is None or change.old_path) and os.path.lexists(root / change.path):
            raise Refused(f"{_shown(change.path)} appeared while hubgen was editing; nothing was written")


def _check_inside(top: Path, path: Path, rel: str, content_dir: str) -> None:
    try:
        sinks.inside(top, path)
    except sinks.UnsafePath:
        where = "is a symbolic link, or inside one," if _lexically_inside(rel, content_dir) else "is outside"
        message = f"{_shown(rel)} {where} {content_dir}/: hubgen edits only the files in it (nothing written)"
        raise Refused(message) from None


def _lexically_inside(rel: str, content_dir: str) -> bool:
    normal = posixpath.normpath(rel)
    return not posixpath.isabs(normal) and normal.startswith(posixpath.normpath(content_dir) + "/")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _shown(rel: str) -> str:
    return sinks.for_terminal(rel)


def page_id_problem(name: str) -> str | None:
    """Why `name` (a page id, folders separated by /) cannot name a page file hubgen reads, or None."""
    if not name:
        return "it is empty"
    if name.startswith("/") or "\\" in name:
        return "it must be a path inside the content folder, with / between folders"
    segments = name.split("/")
    if segments[-1] in ("index", "README"):
        return f"a file named {segments[-1]}.md is its folder's page, not a page of its own"
    for segment in segments:
        if not segment or segment in (".", ".."):
            return "it has an empty, '.' or '..' folder name"
        if segment.startswith("."):
            return f"'{sinks.for_terminal(segment)}' starts with a dot, and hubgen ignores hidden files and folders"
        if sinks.for_terminal(segment) != segment:
            return "it holds control characters"
        if len(segment.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            return f"a name in it is longer than {MAX_NAME_BYTES} bytes, too long for a file name"
    return None


def copy_ignoring_outside_links(source: Path, target: Path) -> None:
    """Copy the folder `source` to `target`, files behind links included, but no link that leaves `source`,
    points to nothing or leads back into a folder it is in (those are what `check` reports as unsafe)."""
    top = source.resolve()
    linked: dict[Path, int] = {}  # as the scan does: a folder is copied through a few links at most

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            path = Path(folder, name)
            if not path.is_symlink():
                continue
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError):
                skipped.add(name)
                continue
            outside = real != top and top not in real.parents
            if outside or (
                real.is_dir() and (real == Path(folder).resolve() or real in Path(folder).resolve().parents)
            ):
                skipped.add(name)
            elif real.is_dir():
                if linked.get(real, 0) >= MAX_LINKED_READS:
                    skipped.add(name)
                linked[real] = linked.get(real, 0) + 1
        return skipped

    shutil.copytree(source, target, ignore=ignore)
