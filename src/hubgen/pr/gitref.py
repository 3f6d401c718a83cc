"""The hub at a git revision, for `check --changed-since REF`: what changed since REF, and REF's own files.

REF is hostile input (a pull request can name anything): it goes through `sinks.resolve_commit` and only
the full commit id it names reaches git, after `--end-of-options`. REF's tree is never checked out: its
project files are listed (`git ls-tree`) and read (`git cat-file --batch`) from git's objects into a
folder hubgen makes for the purpose (`tempfile.mkdtemp`) and removes afterwards. Only what `check` reads
is written: `hubgen.yaml`, then the content folder REF's settings name. Bounds: a page or HTML file over
the loader's size limit, and every other asset, becomes an empty file of the same size (sparse: no disk
is used; an image's header read there is zeros, so its size is unknown, which `check` never reports), so the
loader reports what it would at HEAD; a symbolic link is
written as a link only inside the content folder, where the loader refuses one that leads out; nothing
is ever written through a link or outside the folder (`sinks.inside`, `sinks.write_bytes`).
"""

from __future__ import annotations

import os
import posixpath
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hubgen.base.files import MAX_PAGE_BYTES
from hubgen.base.sinks import BadRef, UnsafePath, for_terminal, git, git_bytes, inside, resolve_commit, write_bytes
from hubgen.core.config import CONFIG_FILE, load_config

READ_SUFFIXES = (".md", ".html", ".htm")  # the files whose bytes the loader reads; others only by name and size
MAX_LINK_BYTES = 4096  # a symbolic link's target
BATCH_BYTES = 64 * 2**20  # blobs read from git per `cat-file --batch` call


class GitError(Exception):
    """git cannot say what changed since REF, or cannot read REF's files."""


@dataclass(frozen=True)
class Change:
    """What a working tree changed since a commit, in paths relative to the project."""

    commit: str
    changed: frozenset[str]  # changed, added or deleted since the commit, committed or not; new files too
    renamed: Mapping[str, str] = field(default_factory=dict)  # old path -> new path (git's rename detection)


@dataclass(frozen=True)
class _Entry:
    mode: str
    kind: str
    oid: str
    size: int
    path: str


def read_change(project_dir: Path, ref: str) -> Change:
    """The commit `ref` names and what changed since it; `GitError` when `ref` names none."""
    try:
        commit = resolve_commit(project_dir, ref)
    except BadRef as error:
        hint = " (in CI, check out with fetch-depth: 0 so that it is there)" if "names no commit" in str(error) else ""
        raise GitError(f"--changed-since: {error}{hint}") from None
    status = _run(project_dir, "diff", "-M", "--name-status", "-z", "--relative", "--end-of-options", commit, "--")
    untracked = _run(project_dir, "ls-files", "--others", "--exclude-standard", "-z")
    changed, renamed = _parse_status(status)
    changed |= {path for path in untracked.split("\0") if path}
    return Change(commit, frozenset(changed), renamed)


def _run(cwd: Path, *args: str) -> str:
    try:
        done = git(cwd, *args)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(f"--changed-since needs git: {error}") from None
    if done.returncode:
        raise GitError(f"git {args[0]} failed: {for_terminal(done.stderr.strip())}")
    return done.stdout


def _parse_status(output: str) -> tuple[set[str], dict[str, str]]:
    """`git diff --name-status -z`: a status, then one path (two for a rename or a copy)."""
    fields = output.split("\0")
    changed: set[str] = set()
    renamed: dict[str, str] = {}
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        if status[:1] in ("R", "C"):
            old, new = fields[index + 1], fields[index + 2]
            changed |= {new} if status[0] == "C" else {old, new}
            if status[0] == "R":
                renamed[old] = new
            index += 3
        else:
            changed.add(fields[index + 1])
            index += 2
    return changed, renamed


@contextmanager
def tree_at(project_dir: Path, commit: str) -> Iterator[Path | None]:
    """A temporary folder holding the project's files as they were at `commit` (only what `check` reads),
    removed on exit; None when the project's folder did not exist at `commit`, or its settings then put the
    content folder outside the project (which is never read)."""
    folder = Path(tempfile.mkdtemp(prefix="hubgen-ref-"))
    try:
        yield folder if _materialise(project_dir, commit, folder) else None
    finally:
        _remove(folder)


def _materialise(project_dir: Path, commit: str, into: Path) -> bool:
    prefix = _run(project_dir, "rev-parse", "--show-prefix").strip().rstrip("/")
    try:
        done = git_bytes(
            project_dir, "ls-tree", "-r", "-z", "-l", "--full-tree", "--end-of-options", f"{commit}:{prefix}"
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(f"--changed-since needs git: {error}") from None
    if done.returncode:
        return False  # no such folder at that commit: the project is new
    entries = [entry for entry in map(_parse_entry, done.stdout.split(b"\0")) if entry is not None]
    config = [e for e in entries if e.path == CONFIG_FILE and e.mode != "120000" and e.size <= MAX_PAGE_BYTES]
    _write(project_dir, into, config)
    content = posixpath.normpath(load_config(into)[0].content_dir)
    if content.startswith(("/", "../")) or content == "..":
        return False  # a content folder outside the project: not read, so REF has no hub to compare with
    below = "" if content == "." else content + "/"
    _write(project_dir, into, [e for e in entries if e.path.startswith(below) and e.path != CONFIG_FILE])
    return True


def _parse_entry(record: bytes) -> _Entry | None:
    """`<mode> <type> <oid> <size>\\t<path>`, or None for a record that is not one."""
    head, tab, raw_path = record.partition(b"\t")
    parts = head.decode("ascii", "replace").split()
    path = raw_path.decode("utf-8", "surrogateescape")
    if not tab or len(parts) != 4 or not _safe(path):
        return None
    mode, kind, oid, size = parts
    return _Entry(mode, kind, oid, int(size) if size.isdigit() else 0, path)


def _safe(path: str) -> bool:
    return all(part not in ("", ".", "..") for part in path.split("/")) and "\0" not in path


def _wanted(entry: _Entry) -> bool:
    """Whether the entry's bytes are read from git (else it is written as an empty file of its size)."""
    if entry.kind != "blob":
        return False
    if entry.mode == "120000":
        return entry.size <= MAX_LINK_BYTES
    return entry.size <= MAX_PAGE_BYTES and (entry.path == CONFIG_FILE or entry.path.endswith(READ_SUFFIXES))


def _write(project_dir: Path, into: Path, entries: list[_Entry]) -> None:
    wanted = [entry for entry in entries if _wanted(entry)]
    blobs: dict[str, bytes] = {}
    start = 0
    while start < len(wanted):  # batches of at most BATCH_BYTES (one file may exceed it alone)
        end, total = start, 0
        while end < len(wanted) and (end == start or total + wanted[end].size <= BATCH_BYTES):
            total += wanted[end].size
            end += 1
        blobs |= _read_blobs(project_dir, {entry.oid for entry in wanted[start:end]})
        start = end
    for entry in entries:
        data = blobs.get(entry.oid) if _wanted(entry) else None
        if _wanted(entry) and data is None:
            continue  # git does not have it (a shallow clone): not written, rather than written wrong
        try:
            _write_entry(into, entry, data)
        except (UnsafePath, OSError):
            continue  # a path through a link, a name twice: not written, as git would not check it out either


def _read_blobs(project_dir: Path, oids: set[str]) -> dict[str, bytes]:
    request = "".join(f"{oid}\n" for oid in sorted(oids)).encode("ascii")
    try:
        done = git_bytes(project_dir, "cat-file", "--batch", stdin=request)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(f"--changed-since needs git: {error}") from None
    if done.returncode:
        raise GitError(f"git cat-file failed: {for_terminal(done.stderr.decode('utf-8', 'replace').strip())}")
    return _parse_batch(done.stdout)


def _parse_batch(output: bytes) -> dict[str, bytes]:
    """`<oid> <type> <size>\\n<bytes>\\n` per object; `<oid> missing\\n` for one git does not have."""
    blobs: dict[str, bytes] = {}
    at = 0
    while at < len(output):
        end = output.index(b"\n", at)
        header = output[at:end].decode("ascii", "replace").split()
        at = end + 1
        if len(header) != 3 or not header[2].isdigit():
            continue
        size = int(header[2])
        blobs[header[0]] = output[at : at + size]
        at += size + 1
    return blobs


def _write_entry(into: Path, entry: _Entry, data: bytes | None) -> None:
    target = into / entry.path
    os.makedirs(inside(into, target.parent), mode=0o700, exist_ok=True)
    inside(into, target)
    if entry.kind == "commit":  # a submodule: an empty folder, as a clone without it has
        target.mkdir(exist_ok=True)
    elif entry.mode == "120000":
        if data is not None and b"\0" not in data:
            os.symlink(data.decode("utf-8", "surrogateescape"), target)
    elif data is not None:
        write_bytes(target, data)
    else:
        write_bytes(target, b"")
        os.truncate(target, entry.size)  # sparse: the loader sees the size, nobody reads the bytes


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)  # removes links, never what they point to
