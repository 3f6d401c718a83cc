"""Write: fill a sibling temporary folder, then swap it in for the output folder.

A failed or interrupted build leaves the previous site whole and no temporary folder behind. The output
folder is only ever replaced when it is absent, empty, or carries the marker hubgen writes into it; a
folder that holds the project, its content or a home folder is refused outright.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hubgen.cache import Cache
from hubgen.layout import MARKER
from hubgen.progress import Progress, silent
from hubgen.render import Site

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


@dataclass(frozen=True)
class WriteStats:
    written: int  # files written (or copied) this time
    unchanged: int  # files already right where the site was staged
    removed: int  # stale files removed


def up_to_date(state_dir: Path, output: Path, digest: str) -> int | None:
    """The number of files in `output` when the last build there had this input digest and every one of its
    files is still there, else None."""
    output = output.resolve()
    state = _load_state(state_dir, output)
    if state is None or state.get("digest") != digest or not isinstance(state.get("files"), dict):
        return None
    if not all((output / rel).is_file() for rel in state["files"]):
        return None
    return len(state["files"])


def write_site(
    site: Site,
    output: Path,
    finish: Callable[[Path, dict[str, str]], None] | None = None,
    state_dir: Path | None = None,
    digest: str = "",
    progress: Progress = silent,
    finished: str = "",
) -> WriteStats:
    """Make `output` hold exactly `site`, atomically: the new site is staged in a sibling folder and swapped
    in with renames. `finish` runs on the complete staging folder before the swap (the search indexer), with the
    manifest of the site's files; `finished` names the top-level folder it makes exact itself (the index),
    which staging in the spare leaves for it to update.

    With `state_dir` (the build cache), the previous site is kept there as a spare after the swap, with a
    manifest of its files' hashes; the next build stages into that spare, writing only what changed, and
    when nothing changed it writes nothing at all."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    wanted = manifest(site)
    state = _load_state(state_dir, output)
    if state is not None and state.get("files") == wanted and all((output / rel).is_file() for rel in wanted):
        _save_state(state_dir, output, wanted, state.get("spare"), digest)
        return WriteStats(0, len(wanted), 0)
    spare = _spare(state_dir, output) if state_dir is not None else None
    known = state.get("spare") if state is not None and spare is not None and spare.is_dir() else None
    if known is None:
        if spare is not None and spare.exists():
            shutil.rmtree(spare)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
        known = {}
    else:
        assert spare is not None
        staging = spare
    _save_state(state_dir, output, state.get("files") if state else None, None, "")  # the spare is in flux
    try:
        removed = _remove_unwanted(staging, wanted, finished)  # stale pages, an index from when search was on...
        stats = _update(staging, site, wanted, known, removed, progress)
        if finish is not None:
            finish(staging, wanted)
        previous = _swap(staging, output, spare)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
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
    for path, key in site.stored.items():
        found[path] = f"cached:{key}"
    return dict(sorted(found.items()))


def _update(
    folder: Path, site: Site, wanted: dict[str, str], known: dict[str, str], removed: int, progress: Progress
) -> WriteStats:
    """Write into `folder` (holding only wanted files, as `known` describes them) every file that differs."""
    todo = [rel for rel, digest in wanted.items() if known.get(rel) != digest or not (folder / rel).is_file()]
    made: set[Path] = set()
    for done, (rel, content) in enumerate(_contents(site, todo), 1):
        progress("write", done, len(todo))
        path = folder / rel
        _mkdir(path.parent, made)
        if isinstance(content, Path):
            shutil.copyfile(content, path)
        else:
            path.write_bytes(content)
    (folder / MARKER).unlink(missing_ok=True)  # a new file each time: its identity says which build wrote it
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    os.chmod(folder, 0o755)
    return WriteStats(len(todo), len(wanted) - len(todo), removed)


def _contents(site: Site, paths: list[str]) -> Iterator[tuple[str, bytes | Path]]:
    """What goes at each path: its bytes, or the file to copy there. Pages the build cache holds are read
    from it a batch at a time, so the whole site's HTML is never in memory at once."""
    cache = Cache(site.store, "render") if site.stored and site.store else None
    try:
        for start in range(0, len(paths), 200):
            batch = paths[start : start + 200]
            keys = [site.stored[rel] for rel in batch if rel in site.stored]
            held = cache.get_many(keys) if cache and keys else {}
            for rel in batch:
                if rel in site.files:
                    yield rel, site.files[rel]
                elif rel in site.copies:
                    yield rel, site.copies[rel]
                elif site.stored[rel] in held:
                    yield rel, held[site.stored[rel]]
                else:
                    raise OutputError(
                        f"the build cache lost the page for {rel} during the build (did another hubgen run "
                        "clear it?): build again"
                    )
    finally:
        if cache:
            cache.close()


def _marker_identity(output: Path) -> list[int] | None:
    try:
        info = (output / MARKER).stat()
    except OSError:
        return None
    return [info.st_ino, info.st_mtime_ns, info.st_size]


def _remove_unwanted(folder: Path, wanted: dict[str, str], spared: str = "") -> int:
    """Delete every file in `folder` that the site does not hold, and folders left empty; how many files.
    The top-level folder `spared` is left whole, for its owner to update."""
    removed = 0
    folders: list[str] = []  # every folder walked, each after the one holding it
    for root, dirnames, filenames in os.walk(folder):
        rel_root = Path(root).relative_to(folder).as_posix()
        if rel_root == ".":
            dirnames[:] = [name for name in dirnames if name != spared]
        for name in filenames:
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            if rel not in wanted and rel != MARKER:
                os.unlink(os.path.join(root, name))
                removed += 1
        folders += (os.path.join(root, name) for name in dirnames)
    for path in reversed(folders):  # inner folders first
        if not os.listdir(path):
            os.rmdir(path)
    return removed


def _mkdir(path: Path, made: set[Path]) -> None:
    if path not in made:
        path.mkdir(parents=True, exist_ok=True)
        made.add(path)


def _swap(staging: Path, output: Path, spare: Path | None) -> Path | None:
    """Put `staging` where `output` is, with renames. The old site becomes the spare (returned) when there is
    room for it (there is when the new site was staged in the spare), or is deleted once the new one is in."""
    if not output.exists():
        staging.rename(output)
        return None
    retired = _fresh_name(output, "old")
    output.rename(retired)
    try:
        staging.rename(output)
    except BaseException:
        retired.rename(output)
        raise
    if spare is not None and not spare.exists():
        try:
            retired.rename(spare)
            return spare
        except OSError:
            pass
    shutil.rmtree(retired, ignore_errors=True)
    return None


def _fresh_name(output: Path, kind: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f".{output.name}.{kind}-", dir=output.parent))
    folder.rmdir()
    return folder


# --------------------------------------------------------------------------- state kept in the build cache

STATE_FILE = "site-state.json"


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
    if state_dir is None:
        return None
    try:
        state = json.loads((state_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
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
    path = state_dir / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        state = {}
    state[str(output)] = {"files": files, "spare": spare, "digest": digest, "marker": _marker_identity(output)}
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass
