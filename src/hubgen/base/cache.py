"""The build cache, `.hubgen-cache/` in the project: safe to delete, git-ignored, versioned.

It keeps each page's parse result (front matter, facts, body HTML with URL slots) under a key made of
everything that result depends on: the file's text, its path and id, the Markdown settings, and the
code of the parsing stage itself; and each page's rendered HTML under a digest of everything its
template receives, the theme, the settings and hubgen's code. A changed file, setting or hubgen gives a
new key, so an entry is never stale, only unused. Any trouble with the cache (read-only folder, corrupt
file) turns it off for the run; it never fails a build.

The folder is input like any other file of a pull request: records are checked JSON (`records.py`),
never pickles; no file in it is read or written through a symbolic link (`read_file`, `write_file`,
`Cache`), and a folder that is itself a link is not used (`cache_folder`). What is thrown away is
counted, so the command line can say so once.

Beside the SQLite file: the last build's render memo (`deps.RenderMemo`), the search index's parts
(`search.py`), the previous site kept as a spare and the write stage's record of it (`write.py`), and the
pages' git dates for the commit last built (`gitdates.py`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

CACHE_DIR = ".hubgen-cache"
SCHEMA = 2  # 2: records as checked JSON (1 held pickles, never read again)
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "pygments", "jinja2", "pyyaml")


@cache
def code_digest() -> str:
    """A digest of hubgen's own code and of the libraries whose output lands in the cache (a newer Pygments
    highlights differently), so upgrading either invalidates the cache too; and of this machine's secret,
    so that no key can be computed by anyone else (see `machine_secret`)."""
    digest = hashlib.sha256(f"schema {SCHEMA}".encode() + machine_secret())
    for path in sorted(Path(__file__).parents[1].rglob("*.py")):
        digest.update(path.read_bytes())
    for package in _LIBRARIES:
        try:
            digest.update(f"{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} ?".encode())
    return digest.hexdigest()


SECRET_BYTES = 32


def secret_file() -> Path:
    """Where this user's cache secret is kept: hubgen's own folder in the user's cache, outside every project."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "hubgen", "secret")


def machine_secret() -> bytes:
    """32 random bytes kept outside every repository, mixed into every cache key. A pull request can commit a
    `.hubgen-cache/` whose entries pass every check of their shape, and it can compute what the cache key of
    a page's text would be from hubgen's public code, so without the secret a forged entry could stand in for
    a page (hiding a broken link from `check`). With it, an entry made anywhere else is never looked up.
    Where the secret cannot be kept, a new one serves this process alone: the cache then lasts one run."""
    path = secret_file()
    try:
        kept = _read_secret(path)
        if kept is None:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            temporary = path.with_name(f".secret-{os.getpid()}")
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(handle, "wb") as stream:
                stream.write(os.urandom(SECRET_BYTES))
            with contextlib.suppress(FileExistsError):  # another process made it first: theirs is kept
                os.link(temporary, path)
            os.unlink(temporary)
            kept = _read_secret(path)
        if kept is not None:
            return kept
    except OSError:
        pass
    return os.urandom(SECRET_BYTES)


def _read_secret(path: Path) -> bytes | None:
    """The secret's bytes, None when there is none; OSError for anything but a regular file of its size."""
    data = read_file(path, SECRET_BYTES)
    if data is not None and len(data) != SECRET_BYTES:
        raise OSError(errno.EINVAL, f"{path} is not a hubgen secret")
    return data


def key_for(*parts: str) -> str:
    digest = hashlib.sha256(code_digest().encode())
    for part in parts:
        digest.update(b"\x00" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


MAX_ENTRY_BYTES = 64 * 2**20  # a cached row larger than this is not read (a page is at most 8 MiB)
MAX_FILE_BYTES = 256 * 2**20  # nor a file of the cache folder larger than this
_SIDECARS = ("-journal", "-wal", "-shm")  # files SQLite opens beside the database


class CacheTrouble(OSError):
    """A file of the cache folder that must not be read: a symbolic link, not a regular file, too large."""


def cache_folder(project_dir: Path) -> Path | None:
    """The project's cache folder, made if absent; None when it is a symbolic link or not a folder (the
    cache is then off: nothing is read or written through it)."""
    folder = project_dir / CACHE_DIR
    try:
        if not os.path.islink(folder):
            folder.mkdir(exist_ok=True)
            if stat.S_ISDIR(os.lstat(folder).st_mode):
                return folder
    except OSError:
        pass
    return None


def read_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """A cache file's bytes; None when there is none. Never through a symbolic link (O_NOFOLLOW), never a
    FIFO or device (O_NONBLOCK, then fstat), never more than `limit` bytes: `CacheTrouble` instead."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise CacheTrouble(f"{path} is a symbolic link") from None
        raise
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise CacheTrouble(f"{path} is not a regular file of at most {limit} bytes")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise CacheTrouble(f"{path} is larger than {limit} bytes")
    return data


def write_file(path: Path, data: bytes) -> None:
    """Replace a cache file atomically: a new file (O_EXCL, O_NOFOLLOW) renamed over it, so a symbolic
    link at `path` is replaced, never written through. Raises OSError."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)  # a leftover of a killed run, or a link planted there
    try:
        with os.fdopen(os.open(temporary, flags, 0o644), "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class Cache:
    """Key -> bytes in one table of one SQLite file; gets and puts in batches.

    The file may have been planted (a pull request can commit the folder): a symbolic link or other
    non-file where it or SQLite's journal should be is removed, and a file that is not a database of
    exactly this schema (extra tables, triggers, views) is replaced by an empty one. `ignored` counts what
    was thrown away (the file, or rows whose data is not a blob of at most MAX_ENTRY_BYTES)."""

    def __init__(self, folder: Path, table: str = "parse") -> None:
        self.folder = folder
        self.ignored = 0
        code_digest()  # made here, before any worker forks, so every process keys entries alike
        self._table = table
        self._db: sqlite3.Connection | None = None
        try:
            if os.path.islink(folder):
                return
            folder.mkdir(parents=True, exist_ok=True)
            self._ignore_all(folder / ".gitignore")
            self._db = self._open(folder / f"parse-v{SCHEMA}.sqlite")
        except (OSError, sqlite3.Error):
            self._db = None

    @staticmethod
    def _ignore_all(path: Path) -> None:
        """A `.gitignore` of `*` (replacing whatever is there, a link included, never written through)."""
        try:
            current = read_file(path, 64)
        except OSError:
            current = None
        if current != b"*\n":
            write_file(path, b"*\n")

    def _open(self, path: Path) -> sqlite3.Connection:
        """The database at `path`, checked; an unusable one is replaced by a new one."""
        for attempt in range(2):
            self._clear_links(path)
            db = sqlite3.connect(f"file:{_uri_path(path)}?nofollow=1", uri=True, timeout=10)
            try:
                db.execute("PRAGMA trusted_schema = OFF")
                if _schema_ok(db):
                    db.execute(_create(self._table))
                    return db
            except sqlite3.DatabaseError:
                if attempt:
                    raise
            db.close()
            self.ignored += 1
            for suffix in ("", *_SIDECARS):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{path}{suffix}")
        raise sqlite3.DatabaseError("unusable cache database")

    def _clear_links(self, path: Path) -> None:
        """Remove a symbolic link, FIFO or device planted where the database or its journal goes."""
        for suffix in ("", *_SIDECARS):
            name = f"{path}{suffix}"
            try:
                mode = os.lstat(name).st_mode
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(mode):
                if stat.S_ISDIR(mode):
                    raise CacheTrouble(f"{name} is a folder")
                os.unlink(name)
                self.ignored += 1

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The data of those of `keys` the cache holds. Rows whose data is not a blob of at most
        MAX_ENTRY_BYTES are counted in `ignored` and deleted, not returned."""
        found = dict(self._select(f"key, CASE WHEN {_USABLE} THEN data END", keys))
        unusable = [key for key, data in found.items() if data is None]
        if unusable:
            self.ignored += len(unusable)
            self.delete(unusable)
        return {key: data for key, data in found.items() if data is not None}

    def present(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` the cache holds usable data for (without reading it)."""
        return {key for (key,) in self._select("key", keys, _USABLE)}

    def _select(self, columns: str, keys: Iterable[str], where: str = "1") -> list[Any]:
        if self._db is None:
            return []
        wanted = list(keys)
        found: list[Any] = []
        try:
            for start in range(0, len(wanted), 500):
                batch = wanted[start : start + 500]
                marks = ",".join("?" * len(batch))
                query = f"SELECT {columns} FROM {self._table} WHERE {where} AND key IN ({marks})"
                found += self._db.execute(query, batch)
        except sqlite3.Error as error:
            self._failed(error)
            return []
        return found

    def keys(self) -> set[str]:
        if self._db is None:
            return set()
        try:
            return {key for (key,) in self._db.execute(f"SELECT key FROM {self._table} WHERE {_USABLE}")}
        except sqlite3.Error as error:
            self._failed(error)
            return set()

    def put_many(self, items: Mapping[str, bytes]) -> bool:
        """Store `items`; whether they are stored."""
        if self._db is None:
            return False
        if not items:
            return True
        try:
            with self._db:
                self._db.executemany(f"INSERT OR REPLACE INTO {self._table} VALUES (?, ?)", items.items())
        except sqlite3.Error as error:
            self._failed(error)
            return False
        return True

    def delete(self, keys: Iterable[str]) -> None:
        if self._db is None:
            return
        with contextlib.suppress(sqlite3.Error), self._db:
            self._db.executemany(f"DELETE FROM {self._table} WHERE key = ?", ((key,) for key in keys))

    def prune(self, keep: Iterable[str]) -> None:
        """Drop entries this run did not use, once they outnumber the used ones (edits leave old keys)."""
        if self._db is None:
            return
        kept = list(keep)
        try:
            (total,) = self._db.execute(f"SELECT COUNT(*) FROM {self._table}").fetchone()
            if total <= 2 * len(kept) + 100:
                return
            with self._db:
                self._db.execute("CREATE TEMP TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY)")
                self._db.execute("DELETE FROM kept")
                self._db.executemany("INSERT OR IGNORE INTO kept VALUES (?)", ((k,) for k in kept))
                self._db.execute(f"DELETE FROM {self._table} WHERE key NOT IN (SELECT key FROM kept)")
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _failed(self, error: sqlite3.Error) -> None:
        """A query failed. A damaged file (not a busy or read-only one) is counted and removed: the cache is
        off for the rest of the run, and the next run starts a new file."""
        if getattr(error, "sqlite_errorcode", 0) & 0xFF not in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return
        self.close()
        self.ignored += 1
        for suffix in ("", *_SIDECARS):
            with contextlib.suppress(OSError):
                os.unlink(self.folder / f"parse-v{SCHEMA}.sqlite{suffix}")


_TABLES = ("parse", "render")
_USABLE = f"typeof(data) = 'blob' AND length(data) <= {MAX_ENTRY_BYTES}"


def _create(table: str) -> str:
    if table not in _TABLES:
        raise ValueError(f"no cache table {table!r}")
    return f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, data BLOB NOT NULL)"


def _schema_ok(db: sqlite3.Connection) -> bool:
    """Whether the database holds nothing but the cache's own tables (no trigger, view or other table)."""
    allowed = {("table", t, _create(t).replace(" IF NOT EXISTS", "")) for t in _TABLES}
    allowed |= {("index", f"sqlite_autoindex_{t}_1", None) for t in _TABLES}
    return all(row in allowed for row in db.execute("SELECT type, name, sql FROM sqlite_master"))


def _uri_path(path: Path) -> str:
    """`path` for an SQLite `file:` URI: every byte but letters, digits and `/-_.~` percent-encoded."""
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.~"
    return "".join(chr(b) if b in safe else f"%{b:02X}" for b in os.fsencode(path))
