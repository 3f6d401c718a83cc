"""Putting a new site where the old one is in one system call, and clearing what an interrupted swap left.

`exchange(a, b)` is Linux's `renameat2(RENAME_EXCHANGE)`: the two folders trade names at once, so the
output path names a whole site at every moment and the old site lives on under the staging name. Where the
system or its file system cannot (another system, an old C library, EINVAL or ENOSYS from the file system)
it returns False and changes nothing; the writer then falls back to two renames.

Every folder hubgen stages a site in carries its marker from the moment it is made and is locked
(`flock`) while a build uses it, so `clear_leftovers` removes only what an interrupted build left: a
sibling named like one of hubgen's, a real folder, unlocked, holding hubgen's marker (or nothing).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: no locks, and leftovers are cleared all the same
    fcntl = None  # type: ignore[assignment]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


@cache
def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library older than glibc 2.28
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange(first: Path, second: Path) -> bool:
    """Swap the names of two existing paths in one system call. False, with nothing changed, where the
    system or file system cannot; any other failure is an OSError."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def hold(folder: Path) -> int | None:
    """Lock `folder` for this process (released when it ends, however it ends); the descriptor to `release`."""
    if fcntl is None:
        return None
    handle = os.open(folder, _DIRECTORY_FLAGS)
    with contextlib.suppress(OSError):  # another build shares the folder (the spare): it never was safe to
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def release(handle: int | None) -> None:
    if handle is not None:
        os.close(handle)


def _in_use(folder: Path) -> bool:
    """True when a running build holds `folder` (or it cannot be opened as a real folder)."""
    if fcntl is None:
        return False
    try:
        handle = os.open(folder, _DIRECTORY_FLAGS)
    except OSError:
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(handle)
    return False


def discard(folder: Path, marker: str) -> None:
    """Delete `folder`, its marker last, so a deletion cut short still leaves it recognisable. Nothing is
    followed: a symbolic link at `folder` or inside it is removed itself, never what it points to."""
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            os.unlink(folder)
            return
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name == marker and not entry.is_dir(follow_symlinks=False):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / marker)
        os.rmdir(folder)
    except FileNotFoundError:
        pass
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def clear_leftovers(output: Path, marker: str) -> None:
    """Remove the staging and retired folders interrupted builds left beside `output`. When `output` itself
    is missing (a build stopped between the two renames of the fallback), the newest retired site is put back."""
    found: list[tuple[int, Path]] = []
    prefixes = (f".{output.name}.new-", f".{output.name}.old-")
    try:
        with os.scandir(output.parent) as entries:
            for entry in entries:
                if entry.name.startswith(prefixes) and entry.is_dir(follow_symlinks=False):
                    found.append((entry.stat(follow_symlinks=False).st_mtime_ns, Path(entry.path)))
    except OSError:
        return
    for _, folder in sorted(found, reverse=True):
        if not _ours(folder, marker) or _in_use(folder):
            continue
        if folder.name.startswith(prefixes[1]) and not os.path.lexists(output) and _has(folder, marker):
            with contextlib.suppress(OSError):
                folder.rename(output)
                continue
        discard(folder, marker)


def _ours(folder: Path, marker: str) -> bool:
    """A folder hubgen made: it holds a regular file named `marker`, or nothing at all."""
    try:
        return _has(folder, marker) or not os.listdir(folder)
    except OSError:
        return False


def _has(folder: Path, marker: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(folder / marker).st_mode)
    except OSError:
        return False
