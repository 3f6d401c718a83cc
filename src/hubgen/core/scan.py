"""Scan: the content folder -> its Markdown files, other files and folders, and the text of one file. Only
regular files and folders are read; a symbolic link is followed only while it stays inside content/ (and a
folder is read through links a bounded number of times); every other entry is a diagnostic, never an abort.

Page ids: the path under content/ without `.md`; a folder's `index.md` (or, without one, its
`README.md`, as on GitHub) takes the folder's id; `content/index.md` is the home page, id "".
"""

from __future__ import annotations

import errno
import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from hubgen.base.files import MAX_PAGE_BYTES, NotRegular, TooLarge, kind, read_regular
from hubgen.core.diagnostics import Diagnostic, diagnostic

# Folders under content/ nest at most this deep: a deeper tree is a diagnostic here, rather than a path the
# writer, the file system (PATH_MAX) or Python's recursion cannot take when the site is written.
MAX_FOLDER_DEPTH = 64
MAX_LINKED_READS = 8  # times one folder is read through symbolic links (see _linked_again)


def read_text(path: Path, file: str) -> tuple[str, Diagnostic | None]:
    """A file's text with \\n line endings and no BOM, or the reason it cannot be read."""
    try:
        data = read_regular(path)
    except NotRegular as error:
        return "", _not_a_file(file, error.mode)
    except TooLarge as error:
        message = f"page is {error.size / 2**20:.0f} MiB; pages over {MAX_PAGE_BYTES // 2**20} MiB are not read"
        return "", diagnostic(
            "file-too-large", file, 1, 1, message, "split it into several pages; a hub's articles are short"
        )
    except OSError as error:
        return "", diagnostic("file-unreadable", file, 1, 1, f"cannot read file: {error.strerror or error}")
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return "", diagnostic(
            "file-unreadable",
            file,
            line,
            1,
            "file is binary (contains a NUL byte)",
            "give Markdown pages a .md name and keep other files under another extension",
        )
    raw = data.removeprefix(b"\xef\xbb\xbf")  # a BOM: positions below are counted after it
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = len(raw[raw.rfind(b"\n", 0, error.start) + 1 : error.start].decode("utf-8")) + 1  # characters
        offset = error.start + len(data) - len(raw)
        message = f"file is not UTF-8: byte 0x{raw[error.start]:02x} at offset {offset} cannot be decoded"
        return "", diagnostic("file-unreadable", file, line, column, message, "save the file as UTF-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None


@dataclass(frozen=True)
class Scan:
    markdown: list[str]
    assets: list[str]
    folders: set[str]
    problems: list[Diagnostic]
    linked: dict[Path, int] = field(default_factory=dict)  # real folder -> times read through a link
    ids: dict[str, str] = field(default_factory=dict)  # each Markdown file's page id (rel -> id)


def scan_content(content_dir: Path, prefix: str) -> Scan:
    """Markdown files, other files and folders under content/, relative, sorted; hidden ones skipped.
    Symbolic links are followed only while they stay inside content/; one that leaves it, or goes round
    in a loop, is reported and not read."""
    scan = Scan([], [], {""}, [])
    top = content_dir.resolve()
    todo = [(content_dir, "", top, frozenset({top}))]  # a stack, not recursion: folders nest as deep as paths go
    while todo:
        todo += reversed(_scan_folder(*todo.pop(), top, prefix, scan))
    scan.markdown.sort()
    scan.assets.sort()
    scan.ids.update(page_ids(scan.markdown))
    return scan


_Folder = tuple[Path, str, Path, frozenset[Path]]  # path, relative path, real path, real folders above it


def _scan_folder(
    folder: Path, rel: str, real: Path, chain: frozenset[Path], top: Path, prefix: str, scan: Scan
) -> list[_Folder]:
    """One folder's files; returns its subfolders. `chain` holds the real folders on the way here: a link
    back into one of them is a loop (a link to a sibling folder is not: it is read again under its second
    name). Only symbolic links need resolving (a directory entry says whether it is one without a system
    call)."""
    scan.folders.add(rel)
    try:
        entries = sorted((e for e in os.scandir(folder) if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as error:
        if rel:
            message = f"cannot read folder: {error.strerror}"
            scan.problems.append(diagnostic("file-unreadable", posixpath.join(prefix, rel), 1, 1, message))
        return []
    subfolders: list[_Folder] = []
    for entry in entries:
        child = posixpath.join(rel, entry.name)
        file = posixpath.join(prefix, child)
        is_link = entry.is_symlink()
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()  # both follow a link
        except OSError:  # a link that loops: _link_problem says so
            is_dir = is_file = False
        problem = _link_problem(Path(entry.path), top, chain if is_dir else None, file) if is_link else None
        if is_link and is_dir and problem is None:
            problem = _linked_again(Path(entry.path), scan.linked, file)
        if problem is None and not is_dir and not is_file:
            problem = _special(entry, file)
        if problem:
            scan.problems.append(problem)
        elif is_dir and child.count("/") >= MAX_FOLDER_DEPTH:
            message = f"folders nest more than {MAX_FOLDER_DEPTH} deep here; what is inside is not read"
            hint = "a hub's pages sit a few folders deep; move them up"
            scan.problems.append(diagnostic("folder-too-deep", file, 1, 1, message, hint))
        elif is_dir:
            child_real = Path(entry.path).resolve() if is_link else real / entry.name
            subfolders.append((Path(entry.path), child, child_real, chain | {child_real}))
        else:
            (scan.markdown if entry.name.endswith(".md") else scan.assets).append(child)
    return subfolders


def _linked_again(path: Path, linked: dict[Path, int], file: str) -> Diagnostic | None:
    """A folder is read through at most MAX_LINKED_READS symbolic links. Two links to one shared folder are
    fine; links that fan out to the same folders again (two in each folder, to the next one) would make the
    scan exponential in their depth, and stop at the bound instead."""
    real = path.resolve()
    if linked.get(real, 0) >= MAX_LINKED_READS:
        message = f"symbolic link leads to a folder already read through {MAX_LINKED_READS} links; not read again"
        return diagnostic("unsafe-symlink", file, 1, 1, message, "link to each folder a few times at most")
    linked[real] = linked.get(real, 0) + 1
    return None


def _special(entry: os.DirEntry[str], file: str) -> Diagnostic | None:
    """A named pipe, socket or device (or a link to one): reported, never opened. None when the entry has
    gone meanwhile."""
    try:
        mode = entry.stat().st_mode  # stat does not open: a pipe cannot block it
    except OSError:
        return None
    return _not_a_file(file, mode)


def _not_a_file(file: str, mode: int) -> Diagnostic:
    message = f"this is {kind(mode)}, not a regular file; it is not read"
    return diagnostic("not-a-file", file, 1, 1, message, "only regular files and folders are read")


def _link_problem(path: Path, top: Path, chain: frozenset[Path] | None, file: str) -> Diagnostic | None:
    """Why a linked file or folder (`chain` given: a folder, with the real folders above it) must not be
    read, or None."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as error:
        loop = isinstance(error, RuntimeError) or getattr(error, "errno", None) == errno.ELOOP  # not the path text
        message = "symbolic link goes round in a loop" if loop else "symbolic link points to nothing"
        return diagnostic("unsafe-symlink", file, 1, 1, message, "remove the link or point it at a real file")
    if real != top and top not in real.parents:
        return diagnostic(
            "unsafe-symlink",
            file,
            1,
            1,
            f"symbolic link points outside the content folder, to {real}",
            "hubgen reads only files inside content/; copy the file in instead",
        )
    if chain is not None and real in chain:
        return diagnostic(
            "unsafe-symlink",
            file,
            1,
            1,
            "symbolic link leads back into a folder it is inside (a loop)",
            "remove the link, or point it at a folder that does not contain it",
        )
    return None


def page_ids(markdown_files: list[str]) -> dict[str, str]:
    present = set(markdown_files)
    ids = {}
    for rel in markdown_files:
        folder, name = posixpath.split(rel)
        stem = name[: -len(".md")]
        is_index = stem == "index" or (stem == "README" and posixpath.join(folder, "index.md") not in present)
        ids[rel] = folder if is_index else posixpath.join(folder, stem)
    return ids
