"""Write: fill a sibling temporary folder, then swap it in for the output folder in one system call.

A failed or interrupted build leaves the previous site whole and no temporary folder behind. The output
folder is only ever replaced when it is absent, empty, or carries the marker hubgen writes into it; a
folder that holds the project, its content or a home folder is refused outright, and so is one reached
through a symbolic link.

Nothing is written through a link hubgen did not make: before a folder is staged into (the spare, holding
the previous site), every symbolic link, pipe or device in it is removed, and every file is written as a
new file (`sinks.replace_file`), never into whatever was at its path.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hubgen.base import sinks
from hubgen.base.cache import BuildCache, Cache, Record
from hubgen.base.progress import Progress, silent
from hubgen.base.records import JSON
from hubgen.build import swap
from hubgen.core.layout import MARKER, Site

MARKER_TEXT = "This folder is written by hubgen build and is replaced whole on every build.\n"


class OutputError(Exception):
    """The output folder cannot be written safely."""


def check_output_dir(output: Path, project_dir: Path, protected: list[Path]) -> None:
    """Refuse an output folder whose replacement would destroy something hubgen did not write."""
    target = output.resolve()
    project = project_dir.resolve()
    dangerous = {Path(target.anchor), Path.home().resolve(), project, *(p.resolve() for p in protected)}
    inside_protected = any(_is_inside(target, p.resolve()) for p in protected)  # site/ inside content/ re-reads itself
    if target in dangerous or inside_protected or any(_is_inside(p, target) for p in (project, *protected)):
        raise OutputError(
            f"refusing to use '{output}' as the output folder: building replaces it whole, and it holds "
            "the project, its content or its templates. Set output_dir in hubgen.yaml to a folder of its own, "
            "such as site"
        )
    if _through_link(output, project):
        raise OutputError(
            f"refusing to use '{output}' as the output folder: it is reached through a symbolic link, and "
            "hubgen writes only into folders it made. Set output_dir (or -o) to the folder the link points to"
        )
    if target.exists() and not target.is_dir():
        raise OutputError(f"the output path '{output}' exists and is not a folder")
    if target.is_dir() and not _is_file(target / MARKER) and any(target.iterdir()):
        why = "its {} is a symbolic link" if os.path.islink(target / MARKER) else "it has no {} file"
        raise OutputError(
            f"'{output}' exists, is not empty and was not written by hubgen ({why.format(MARKER)}). "
            "Move its files away or choose another output_dir; hubgen replaces only folders it wrote"
        )


def _is_inside(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` itself or lies inside it."""
    return path == folder or folder in path.parents


def _through_link(output: Path, project: Path) -> bool:
    """True when `output` is a symbolic link, or a link inside the project leads to it."""
    absolute = Path(os.path.abspath(output))
    if not _is_inside(absolute, project):
        return os.path.islink(absolute)
    try:
        sinks.inside(project, absolute)
    except sinks.UnsafePath:
        return True
    return False


def _is_file(path: Path) -> bool:
    """A regular file, not a link to one."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_folder(path: Path) -> bool:
    """A real folder, not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _intact(folder: Path, files: Iterable[str], seen: set[str] | None = None) -> bool:
    """True when every one of `files` is a regular file in `folder` with no symbolic link on its way (the
    folders in `seen` are known to be real ones, and those found real are added to it)."""
    top = str(folder) + os.sep
    seen = set() if seen is None else seen
    try:
        for rel in files:
            if not stat.S_ISREG(os.lstat(top + rel).st_mode):
                return False
            parent = rel.rpartition("/")[0]
            while parent and parent not in seen:
                if not stat.S_ISDIR(os.lstat(top + parent).st_mode):
                    return False
                seen.add(parent)
                parent = parent.rpartition("/")[0]
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class WriteStats:
    written: int  # files written (or copied) this time
    unchanged: int  # files already right where the site was staged


def up_to_date(state_dir: Path, output: Path, digest: str) -> int | None:
    """The number of files in `output` when the last build there had this input digest and every one of its
    files is still there, else None."""
    output = output.resolve()
    state = _load_state(state_dir, output)
    if state is None or state.get("digest") != digest or not isinstance(state.get("files"), dict):
        return None
    if not _intact(output, state["files"]):
        return None
    return len(state["files"])


@dataclass(frozen=True)
class Finish:
    """A last step on the complete staging folder before the swap (the search indexer): `run` gets the folder
    and the manifest of the site's files; `folder` is the top-level folder it makes exact itself (the index),
    which staging in the spare leaves for it to update."""

    run: Callable[[Path, dict[str, str]], None]
    folder: str


def write_site(
    site: Site,
    output: Path,
    finish: Finish | None = None,
    state_dir: Path | None = None,
    digest: str = "",
    progress: Progress = silent,
) -> WriteStats:
    """Make `output` hold exactly `site`, atomically: the new site is staged in a sibling folder and swapped
    in with one system call (`_swap`), after `finish` ran on it.

    With `state_dir` (the build cache), the previous site is kept there as a spare after the swap, with a
    manifest of its files' hashes; the next build stages into that spare, writing only what changed, and
    when nothing changed it writes nothing at all."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    clear_leftovers(output)
    state_dir = _usable(state_dir)
    wanted = manifest(site)
    state = _load_state(state_dir, output)
    if state is not None and state.get("files") == wanted and _intact(output, wanted):
        _save_state(state_dir, output, wanted, state.get("spare"), digest)
        return WriteStats(0, len(wanted))
    spare = _spare(state_dir, output) if state_dir is not None else None
    known = state.get("spare") if state is not None and spare is not None and _is_folder(spare) else None
    if not isinstance(known, dict):
        if spare is not None:
            swap.discard(spare, MARKER)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
        sinks.replace_file(staging / MARKER, MARKER_TEXT.encode())  # a leftover is known as hubgen's at once
        known = _link_unchanged(output, staging, state["files"], wanted) if state is not None else {}
    else:
        assert spare is not None
        staging = spare
    _save_state(state_dir, output, state.get("files") if state else None, None, "")  # the spare is in flux
    lock = swap.hold(staging)
    try:
        _remove_unwanted(staging, wanted, finish.folder if finish else "")  # stale pages, an old index...
        stats = _update(staging, site, wanted, known, progress)
        if finish is not None:
            finish.run(staging, wanted)
        previous = _swap(staging, output, spare)
    except BaseException:
        swap.discard(staging, MARKER)
        raise
    finally:
        swap.release(lock)
    spare_files = (state.get("files") if state else None) if previous is not None else None
    _save_state(state_dir, output, wanted, spare_files, digest)
    return stats


def manifest(site: Site) -> dict[str, str]:
    """Output path -> a digest of what goes there (a copied file by its size and modification time, a page
    the build cache holds by its cache key, which its HTML is a function of)."""
    found = {path: hashlib.sha1(data, usedforsecurity=False).hexdigest() for path, data in site.files.items()}
    for path, source in site.copies.items():
        info = source.stat()
        found[path] = f"copy:{info.st_size}:{info.st_mtime_ns}:{source}"
    for path, key in [*site.stored.items(), *site.cards.items()]:
        found[path] = f"cached:{key}"
    return dict(sorted(found.items()))


def _update(folder: Path, site: Site, wanted: dict[str, str], known: dict[str, str], progress: Progress) -> WriteStats:
    """Write into `folder` (holding only wanted files, as `known` describes them) every file that differs.
    Each one is a new file (`sinks.replace_file`): nothing is written into what was at its path."""
    todo = [rel for rel, digest in wanted.items() if known.get(rel) != digest or not _is_file(folder / rel)]
    made: set[Path] = {folder}
    for done, (rel, content) in enumerate(_contents(site, todo), 1):
        progress("write", done, len(todo))
        if rel.startswith("/") or ".." in rel.split("/"):
            raise OutputError(f"refusing to write {rel!r}: it would leave the output folder")
        path = folder / rel
        _mkdir(path.parent, made)
        sinks.replace_file(path, content)
    sinks.replace_file(folder / MARKER, MARKER_TEXT.encode())  # a new file each time: its identity names the build
    os.chmod(folder, 0o755)
    return WriteStats(len(todo), len(wanted) - len(todo))


def _link_unchanged(output: Path, staging: Path, recorded: dict[str, str], wanted: dict[str, str]) -> dict[str, str]:
    """Stage each file the live site already holds as wanted by a hard link to it, not a copy: the first
    build after a cold one has no spare to update, and a link costs no data written. The live site is the
    recorded one (its marker file is the very one the recorded build wrote); a file is linked only when it
    is a regular file on a path of real folders. Sharing is safe because no build writes into a site's file:
    each one changed is a new file (`sinks.replace_file`), and the live site becomes the spare after the swap.
    Returns what was linked (path -> digest), for `_update` to leave alone; nothing where links fail."""
    linked: dict[str, str] = {}
    made: set[Path] = {staging}
    real: set[str] = set()  # folders of the live site found to be real ones
    for rel, digest in wanted.items():
        if recorded.get(rel) != digest or not _intact(output, [rel], real):
            continue
        target = staging / rel
        try:
            _mkdir(target.parent, made)
            os.link(output / rel, target, follow_symlinks=False)
        except OSError:  # no hard links here (another file system, a limit): the rest is written
            break
        linked[rel] = digest
    return linked


def _contents(site: Site, paths: list[str]) -> Iterator[tuple[str, bytes | Path]]:
    """What goes at each path: its bytes, or the file to copy there. Pages and social cards the build cache
    holds are read from it a batch at a time, so the whole site's HTML is never in memory at once."""
    store = site.store
    pages = BuildCache(store).entries("render") if site.stored and store else None
    cards = BuildCache(store).entries("cards") if site.cards and store else None
    try:
        for start in range(0, len(paths), 200):
            batch = paths[start : start + 200]
            held = _held(pages, [site.stored[rel] for rel in batch if rel in site.stored])
            held |= _held(cards, [site.cards[rel] for rel in batch if rel in site.cards])
            for rel in batch:
                key = site.stored.get(rel) or site.cards.get(rel)
                if rel in site.files:
                    yield rel, site.files[rel]
                elif rel in site.copies:
                    yield rel, site.copies[rel]
                elif key in held:
                    yield rel, held[key]
                else:
                    raise OutputError(
                        f"the build cache lost the file for {rel} during the build (did another hubgen run "
                        "clear it?): build again"
                    )
    finally:
        for cache in (pages, cards):
            if cache:
                cache.close()


def _held(cache: Cache | None, keys: list[str]) -> dict[str, bytes]:
    return cache.get_many(keys) if cache and keys else {}


def _marker_identity(output: Path) -> list[int] | None:
    try:
        info = os.lstat(output / MARKER)
    except OSError:
        return None
    return [info.st_ino, info.st_mtime_ns, info.st_size] if stat.S_ISREG(info.st_mode) else None


def _remove_unwanted(folder: Path, wanted: dict[str, str], spared: str = "") -> None:
    """Delete every file in `folder` that the site does not hold, every symbolic link, pipe or device (never
    followed), and folders left empty. The top-level folder `spared` keeps its files, for
    its owner to update, but loses its links all the same."""
    folders: list[str] = []  # every folder walked, each after the one holding it
    pending = [("", str(folder))]
    while pending:
        rel_root, root = pending.pop()
        with os.scandir(root) as entries:
            for entry in entries:
                rel = f"{rel_root}/{entry.name}" if rel_root else entry.name
                in_spared = bool(spared) and f"{rel}/".startswith(f"{spared}/")
                if entry.is_dir(follow_symlinks=False):
                    pending.append((rel, entry.path))
                    folders += [] if in_spared else [entry.path]
                elif not entry.is_file(follow_symlinks=False) or not (
                    rel in wanted or rel == MARKER or (in_spared and rel != spared)
                ):
                    os.unlink(entry.path)
    for path in reversed(folders):  # inner folders first
        if not os.listdir(path):
            os.rmdir(path)


def _mkdir(path: Path, made: set[Path]) -> None:
    """Make `path` a real folder, with the folders above it up to one in `made`."""
    if path not in made:
        _make_folder(path, made)


def _make_folder(path: Path, made: set[Path]) -> None:
    if path in made:
        return
    if path.parent == path:
        raise OutputError(f"refusing to write to {path}: it is outside the output folder")
    _make_folder(path.parent, made)
    try:
        os.mkdir(path)
    except FileExistsError:
        if not _is_folder(path):  # a file where a folder goes (it was not wanted either): replace it
            os.unlink(path)
            os.mkdir(path)
    made.add(path)


def _swap(staging: Path, output: Path, spare: Path | None) -> Path | None:
    """Put `staging` where `output` is: in one system call where the system can (`swap.exchange`), else with
    two renames. The old site becomes the spare (returned) when there is room for it (there is when the new site
    was staged in the spare), or is deleted once the new one is in."""
    if not os.path.lexists(output):
        staging.rename(output)
        return None
    if swap.exchange(staging, output):
        retired = staging  # the old site, now under the staging name
    else:
        retired = _fresh_name(output, "old")
        output.rename(retired)
        try:
            staging.rename(output)
        except BaseException:
            retired.rename(output)
            raise
    if spare is not None and (retired == spare or not os.path.lexists(spare)):
        try:
            if retired != spare:
                retired.rename(spare)
            return spare
        except OSError:
            pass
    swap.discard(retired, MARKER)
    return None


def _fresh_name(output: Path, kind: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f".{output.name}.{kind}-", dir=output.parent))
    folder.rmdir()
    return folder


def clear_leftovers(output: Path) -> None:
    """Remove what interrupted builds left beside `output` (see `swap.clear_leftovers`)."""
    swap.clear_leftovers(output.resolve(), MARKER)


# --------------------------------------------------------------------------- state kept in the build cache

STATE_FILE = "site-state.json"


def _usable(state_dir: Path | None) -> Path | None:
    """`state_dir`, unless a symbolic link or a file is where it should be: then neither a spare nor a record
    is kept there."""
    if state_dir is not None and os.path.lexists(state_dir) and not _is_folder(state_dir):
        return None
    return state_dir


def _spare(state_dir: Path, output: Path) -> Path | None:
    """Where the previous site is kept: in the cache, when it is on the output's file system."""
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        if state_dir.stat().st_dev != output.parent.stat().st_dev:
            return None
    except OSError:
        return None
    return state_dir / ("spare-" + hashlib.sha1(str(output).encode(), usedforsecurity=False).hexdigest()[:12])


def _load_state(state_dir: Path | None, output: Path) -> dict[str, Any] | None:
    """What the cache knows of `output`, when `output` is still the site it describes: the very marker file
    the recorded build wrote (a build without the cache writes a new one, making the record worthless)."""
    state_dir = _usable(state_dir)
    if state_dir is None:
        return None
    state = _state_record(state_dir).read()
    entry = state.get(str(output)) if isinstance(state, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict):
        return None
    identity = _marker_identity(output)
    return entry if identity is not None and entry.get("marker") == identity else None


def _save_state(
    state_dir: Path | None, output: Path, files: dict[str, str] | None, spare: dict[str, str] | None, digest: str
) -> None:
    if state_dir is None:
        return
    record = _state_record(state_dir)
    state = record.read()
    state = state if isinstance(state, dict) else {}
    state[str(output)] = {"files": files, "spare": spare, "digest": digest, "marker": _marker_identity(output)}
    record.write(state)  # replaces a link there, never follows it


def _state_record(state_dir: Path) -> Record[Any]:
    """Output folder -> what the last build there wrote: its files, its spare's, its input digest and its
    marker file's identity (a link, a pipe or a device there, or JSON nested too deep to decode, reads as
    nothing; the shape of each entry is checked where it is used)."""
    return BuildCache(state_dir).record(STATE_FILE, JSON)
