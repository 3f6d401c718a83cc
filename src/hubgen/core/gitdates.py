"""The dates each content file was first and last committed: the "Updated" a rendered page shows, and its
structured data's `datePublished` and `dateModified`.

One `git log` over the content folder gives every file's dates at once (newest commit first: a file's first
line is its last commit, its last line its first; the log is read once, so this is linear in its size). The
log is a function of the commit checked out, so a build keeps it in its cache and reads the history again
only when HEAD moves.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from hubgen.base.cache import BuildCache, Record, code_digest
from hubgen.base.records import JSON
from hubgen.base.sinks import git

DATES_FILE = "git-dates.json"
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
LOG_OPTIONS = ("--format=%x00%cs", "--name-only", "--no-renames", "--relative")


Dates = dict[str, tuple[str, str]]  # project-relative path -> (last commit's date, first commit's date)


def git_dates(project_dir: Path, content_dir: str, cache_dir: Path | None = None) -> Dates:
    """Project-relative path -> dates of the last and the first commit touching it; {} outside a git repository, before
    its first commit or without git. With `cache_dir`, kept there until HEAD moves (a shallow clone,
    whose history can deepen under the same HEAD, is read every time)."""
    head = (_git(project_dir, "rev-parse", "HEAD", "--is-shallow-repository") or "").split()
    if not head:
        return {}
    shallow = head[1:] != ["false"]
    memo = BuildCache(cache_dir).record(DATES_FILE, JSON) if cache_dir is not None and not shallow else None
    key = [head[0], content_dir, code_digest()]  # the secret in it: a planted file is never taken for ours
    kept = _kept(memo, key) if memo is not None else None
    if kept is not None:
        return kept
    log = _git(project_dir, "-c", "core.quotePath=false", "log", *LOG_OPTIONS, "--", content_dir)
    if log is None:
        return {}
    dates = _dates_in(log)
    if memo is not None:
        memo.write({"key": key, "dates": dates})
    return dates


def _dates_in(log: str) -> Dates:
    """Each file's newest and oldest date in `git log --format=%x00%cs --name-only` output (newest commit
    first). A file deleted and added again is dated from its oldest commit still in the log."""
    newest: dict[str, str] = {}
    oldest: dict[str, str] = {}
    date = ""
    for line in log.splitlines():
        if line.startswith("\x00"):
            date = line[1:]
        elif line and date:
            newest.setdefault(line, date)
            oldest[line] = date
    return {path: (last, oldest[path]) for path, last in newest.items()}


def _kept(memo: Record[Any], key: list[str]) -> Dates | None:
    """The dates a build kept for `key`, or None (none, or not a mapping of paths to dates: the file is
    in the cache folder, which is never trusted)."""
    kept = memo.read()
    if not isinstance(kept, dict) or kept.get("key") != key or not isinstance(kept.get("dates"), dict):
        return None
    dates: dict[str, Any] = kept["dates"]
    if not all(type(path) is str and _pair(pair) for path, pair in dates.items()):
        return None
    return {path: (pair[0], pair[1]) for path, pair in dates.items()}


def _pair(pair: object) -> bool:
    """Whether a kept value is two dates (YYYY-MM-DD), as `_dates_in` makes them."""
    return type(pair) is list and len(pair) == 2 and all(type(date) is str and _DATE.fullmatch(date) for date in pair)


def _git(project_dir: Path, *args: str) -> str | None:
    """What a git command prints (run by `sinks.git`: no prompt, pager or repository-configured tool), or
    None when it fails or git is missing."""
    try:
        done = git(project_dir, *args)
    except (OSError, ValueError, subprocess.TimeoutExpired):  # ValueError: output that is not UTF-8
        return None
    return done.stdout if done.returncode == 0 else None
