"""Full-text search: Pagefind (PyPI `pagefind[bin]`) indexes the built HTML, as Astro Starlight does.

It runs over the staging folder before the swap, so a site and its index always arrive together. Pages
mark what is indexed (`data-pagefind-body`) and the hub they belong to (`data-pagefind-meta`).

A large site is indexed in parts of at most PART_SIZE pages, which the reader's browser merges (Pagefind's
`mergeIndex`; `pagefind/hubgen-parts.json` lists them). A page's part is fixed by a hash of its path and the
number of parts, which only changes when the site doubles in size. With a build cache, each part's index is
kept under a digest of its pages' HTML, so an edit re-indexes only the parts whose pages changed, and
Pagefind's memory is bounded by a part, not by the site.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from hubgen.base.cache import BuildCache, Record, code_digest
from hubgen.base.progress import Progress, silent
from hubgen.base.records import JSON
from hubgen.base.sinks import own_folder, remove_path
from hubgen.core.layout import INDEX_DIR

PARTS_FILE = "hubgen-parts.json"
PART_SIZE = 4000  # pages per index part, at most: see split_pages
SEARCH_CACHE = "search"
STAMP = ".stamp"
MARKS = "marks.json"
BODY_MARK = b"data-pagefind-body"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9._/-]+")  # nothing a glob would read as syntax


class SearchIndexError(Exception):
    """Pagefind is missing or failed."""


def index_site(
    folder: Path, files: Mapping[str, str], cache_dir: Path | None = None, progress: Progress = silent
) -> None:
    """Index the site staged in `folder` into `folder/pagefind/`. `files` maps each output path to a digest
    of its content (the write stage's manifest); with `cache_dir`, parts whose pages are unchanged are
    taken from there instead of being indexed again. An index already in `folder` (a spare site's) is
    updated: its files still linked to the right cached ones stay."""
    work = cache_dir / SEARCH_CACHE if cache_dir is not None else Path(tempfile.mkdtemp(dir=folder.parent))
    try:
        own_folder(work, parents=True)
        pages = sorted(rel for rel in files if rel.endswith(".html"))
        parts = split_pages(_indexed_pages(folder, pages, files, work / MARKS))
        keys = [_part_key(number, len(parts), part, files) for number, part in enumerate(parts)]
        progress("search index", 0, len(parts))
        index: dict[str, tuple[Path, os.stat_result]] = {}  # path under pagefind/ -> its cached file
        for number, (part, key) in enumerate(zip(parts, keys, strict=True)):
            bundle = work / key
            found = _intact(bundle)
            if found is None:
                remove_path(bundle)
                _index_part(folder, part, len(parts) == 1, work, bundle)
                found = _stamp(bundle)
            index |= {_part_dir(number) + rel: (bundle / rel, info) for rel, info in found.items()}
            progress("search index", number + 1, len(parts))
        own_folder(folder / INDEX_DIR, parents=True)
        _link_files(folder / INDEX_DIR, index)
        listing = {"parts": [_part_dir(number) for number in range(1, len(parts))]}
        (folder / INDEX_DIR / PARTS_FILE).write_text(json.dumps(listing) + "\n", encoding="utf-8")
        _prune(work, {MARKS, *(name for key in keys for name in (key, key + STAMP))})
    finally:
        if cache_dir is None:
            shutil.rmtree(work, ignore_errors=True)


def _indexed_pages(folder: Path, pages: list[str], files: Mapping[str, str], memo: Path) -> list[str]:
    """The pages Pagefind indexes: those marked `data-pagefind-body` when any page is (Pagefind's own rule,
    which a part of the site on its own would no longer see), else all of them. Whether a page is marked is
    remembered in `memo` by its digest, so only new or changed pages are read."""
    kept = BuildCache(memo.parent).record(memo.name, JSON)
    known = kept.read()
    marks: dict[str, bool] = {}
    for rel in pages:
        digest = files[rel]
        mark = known.get(digest) if isinstance(known, dict) else None
        marks[digest] = mark if isinstance(mark, bool) else BODY_MARK in (folder / rel).read_bytes()
    kept.write(marks)
    marked = [rel for rel in pages if marks[files[rel]]]
    return marked or pages


def split_pages(pages: list[str]) -> list[list[str]]:
    """The pages in parts of at most about PART_SIZE: a power of two of them, each page's part fixed by a
    hash of its path. Empty parts are dropped; there is always at least one, so the index always exists.

    The size weighs the reader against the build (benchmarks/search_latency.py, Chromium, cold cache, 10,301
    pages): merged parts are searched side by side, but each costs the reader its own fetch and start of
    Pagefind's WebAssembly, and Pagefind needs about 0.3 MB per page it indexes at once. One part answered the
    first query in 1,040 ms (2.8 GB to index), 16 parts of 650 in 538 ms, 4 parts of 2,600 in 503 ms (790 MB;
    a word on 1 % of the pages: 278, 433 and 255 ms)."""
    count = 1
    while len(pages) > count * PART_SIZE:
        count *= 2
    parts: list[list[str]] = [[] for _ in range(count)]
    for rel in pages:
        number = int.from_bytes(hashlib.blake2b(rel.encode(), digest_size=4).digest(), "big") % count
        parts[number].append(rel)
    return [part for part in parts if part] or [[]]


def _part_dir(number: int) -> str:
    return "" if number == 0 else f"part-{number}/"


def _part_key(number: int, count: int, part: list[str], files: Mapping[str, str]) -> str:
    digest = hashlib.sha256(f"{code_digest()} pagefind {_pagefind_version()} part {number} of {count}\n".encode())
    for rel in part:
        digest.update(f"{rel}\x00{files[rel]}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _pagefind_version() -> str:
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "?"


def _index_part(folder: Path, part: list[str], whole: bool, work: Path, bundle: Path) -> None:
    """Run Pagefind over the pages of one part, into `bundle`, which appears only once complete. The part's
    pages are named to Pagefind in a glob when their paths hold no glob syntax, else linked into a folder of
    their own (slower: a folder per page)."""
    staging = Path(tempfile.mkdtemp(prefix=".part-", dir=work))
    try:
        site, glob = folder, None
        if not whole and all(_PLAIN_PATH.fullmatch(rel) for rel in part):
            glob = "{" + ",".join(part) + "}"
        elif not whole:
            site = staging / "site"
            for rel in part:
                (site / rel).parent.mkdir(parents=True, exist_ok=True)
                _link(folder / rel, site / rel)
        _run_pagefind(site, staging / "bundle", glob)
        os.replace(staging / "bundle", bundle)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _run_pagefind(site: Path, output: Path, glob: str | None = None) -> None:
    # -P and a working folder of hubgen's own: `python -m` would otherwise put the current folder (in CI, the
    # pull request's checkout) first on sys.path, and a planted pagefind/__main__.py would run.
    command = [sys.executable, "-P", "-m", "pagefind", "--site", str(site.absolute())]
    command += ["--output-path", str(output.absolute()), "--silent"]
    if glob is not None:
        command += ["--glob", glob]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
            cwd=output.absolute().parent,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"search indexing failed: {error}") from None
    if done.returncode:
        detail = (done.stderr or done.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit code {done.returncode}"
        hint = " (install it with: pip install 'pagefind[bin]', or set search: false)" if "No module" in reason else ""
        raise SearchIndexError(f"search indexing with Pagefind failed: {reason}{hint}")


def _stamp(bundle: Path) -> dict[str, os.stat_result]:
    """Record each file of a new bundle by size and modification time, beside it; its files."""
    found = _file_stats(bundle)
    _stamp_record(bundle).write(_stamps(found))
    return found


def _intact(bundle: Path) -> dict[str, os.stat_result] | None:
    """The files of a cached bundle, when it is there and as it was made, else None. Its files are
    hard-linked into sites, so a tool that rewrites a site's file in place rewrites the cached one too,
    changing its modification time. A bundle holding anything but folders and regular files (a symbolic
    link planted in the cache) is not intact: its files are linked into the site."""
    recorded = _stamp_record(bundle).read()
    try:
        found = _file_stats(bundle)
    except (OSError, ValueError, RecursionError):
        return None
    return found if _stamps(found) == recorded else None


def _stamp_record(bundle: Path) -> Record[Any]:
    """A bundle's stamp: a record beside it in the search folder (relative path -> [size, mtime_ns])."""
    return BuildCache(bundle.parent).record(bundle.name + STAMP, JSON)


def _stamps(found: Mapping[str, os.stat_result]) -> dict[str, list[int]]:
    """What a bundle's files are recognised by: each one's size and modification time."""
    return {rel: [info.st_size, info.st_mtime_ns] for rel, info in found.items()}


def _file_stats(folder: Path) -> dict[str, os.stat_result]:
    found, odd = _tree(folder)
    if not found or odd:
        raise FileNotFoundError(folder)
    return found


def _files_in(folder: Path) -> dict[str, os.stat_result]:
    """Each regular file under `folder` (a path relative to it, with /) and its stat; {} when there is no
    folder. Anything else in it (a symbolic link, a FIFO) is removed: the folder is hubgen's own."""
    found, odd = _tree(folder)
    for rel in odd:
        os.unlink(folder / rel)
    return found


def _tree(folder: Path) -> tuple[dict[str, os.stat_result], list[str]]:
    """The regular files under `folder` with their stats, and the other entries (symbolic links to anything,
    FIFOs, devices), neither followed nor read; folders are walked, never through a link."""
    found: dict[str, os.stat_result] = {}
    odd: list[str] = []
    pending = [] if os.path.islink(folder) else [""]
    while pending:
        prefix = pending.pop()
        try:
            entries = list(os.scandir(folder / prefix if prefix else folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            rel = f"{prefix}/{entry.name}" if prefix else entry.name
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                pending.append(rel)
            elif stat.S_ISREG(info.st_mode):
                found[rel] = info
            else:
                odd.append(rel)
    return found, odd


def _link_files(target: Path, files: Mapping[str, tuple[Path, os.stat_result]]) -> None:
    """Make `target` hold exactly `files` (a path relative to it -> the cached file and its stat), each
    hard-linked to its cached file where the file system allows (copying 10,000 index files takes seconds;
    linking them, a fraction of one). A file already linked to the right one stays as it is; any other is
    removed, never written into, since it may be linked to another cached file."""
    kept = set()
    for rel, info in _files_in(target).items():
        source = files.get(rel)
        if source is not None and (info.st_ino, info.st_dev) == (source[1].st_ino, source[1].st_dev):
            kept.add(rel)
        else:
            os.unlink(target / rel)
    for root, dirnames, _ in os.walk(target, topdown=False):  # folders the removals left empty
        for name in dirnames:
            if not os.listdir(os.path.join(root, name)):
                os.rmdir(os.path.join(root, name))
    made: set[Path] = set()
    for rel, (origin, _) in files.items():
        if rel in kept:
            continue
        path = target / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        _link(origin, path)


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copyfile(source, target, follow_symlinks=False)


def _prune(work: Path, keep: set[str]) -> None:
    """Drop the cached parts this build did not use, and leftovers of interrupted runs."""
    for entry in work.iterdir():
        if entry.name not in keep:
            remove_path(entry)
