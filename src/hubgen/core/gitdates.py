"""The date each content file was last committed, for the "Updated" a rendered page shows.

One `git log` over the content folder gives every file's date at once. The log is a function of the commit
checked out, so a build keeps it in its cache and reads the history again only when HEAD moves.
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


def git_dates(project_dir: Path, content_dir: str, cache_dir: Path | None = None) -> dict[str, str]:
    """Project-relative path -> date of the last commit touching it; {} outside a git repository, before
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


def _dates_in(log: str) -> dict[str, str]:
    """Each file's newest date in `git log --format=%x00%cs --name-only` output (newest commit first)."""
    dates: dict[str, str] = {}
    date = ""
    for line in log.splitlines():
        if line.startswith("\x00"):
            date = line[1:]
        elif line and date:
            dates.setdefault(line, date)
    return dates


def _kept(memo: Record[Any], key: list[str]) -> dict[str, str] | None:
    """The dates a build kept for `key`, or None (none, or not a mapping of paths to dates: the file is
    in the cache folder, which is never trusted)."""
    kept = memo.read()
    if not isinstance(kept, dict) or kept.get("key") != key or not isinstance(kept.get("dates"), dict):
        return None
    dates: dict[str, str] = kept["dates"]
    if not all(type(path) is str and type(date) is str and _DATE.fullmatch(date) for path, date in dates.items()):
        return None
    return dates


def _git(project_dir: Path, *args: str) -> str | None:
    """What a git command prints (run by `sinks.git`: no prompt, pager or repository-configured tool), or
    None when it fails or git is missing."""
    try:
        done = git(project_dir, *args)
    except (OSError, ValueError, subprocess.TimeoutExpired):  # ValueError: output that is not UTF-8
        return None
    return done.stdout if done.returncode == 0 else None
