"""Reading a file under content/ without trusting what it is: a pull request can put a named pipe, a
socket or a device there (or swap one in while hubgen runs), or a file that grows while it is read.

`read_regular` never opens anything but a regular file (it asks the file system first, then asks the
opened descriptor again, so a file swapped in between is caught), never blocks on open, and never reads
more than its limit, whatever the file does meanwhile.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

MAX_PAGE_BYTES = 8 * 2**20  # a page larger than this is refused with a diagnostic, not parsed
_CHUNK = 2**20

_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
}


class NotRegular(OSError):
    """The path is not a regular file (`mode` says what it is)."""

    def __init__(self, mode: int) -> None:
        super().__init__(errno.EINVAL, f"{kind(mode)}, not a regular file")
        self.mode = mode


class TooLarge(OSError):
    """The file holds more than the limit (`size`: its size, or what was read before stopping)."""

    def __init__(self, size: int) -> None:
        super().__init__(errno.EFBIG, "file too large")
        self.size = size


def kind(mode: int) -> str:
    """What a file of this `st_mode` is, in words."""
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def read_regular(path: Path, limit: int = MAX_PAGE_BYTES, whole: bool = True) -> bytes:
    """The bytes of the regular file at `path` (symbolic links followed), at most `limit` of them: a larger
    file is TooLarge, or with `whole=False` its first `limit` bytes. NotRegular or another OSError
    otherwise; a special file is never opened."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegular(mode)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        info = os.fstat(descriptor)  # what was opened, which may not be what was looked at
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(info.st_mode)
        if info.st_size > limit and whole:
            raise TooLarge(info.st_size)
        chunks, total = [], 0
        while total <= limit:  # the size may change while it is read: read until the end, or one byte too far
            chunk = os.read(descriptor, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit and whole:
            raise TooLarge(total)
        return b"".join(chunks)[:limit]
    finally:
        os.close(descriptor)
