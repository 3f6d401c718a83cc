"""The build cache, `.hubgen-cache/` in the project: safe to delete, git-ignored, versioned.

`BuildCache(folder)` is the one way into it. It holds two kinds of things:

- stores of entries, key -> bytes (`entries(namespace)`, a `Cache`): each page's parse result (front
  matter, facts, body HTML with URL slots) under a key made of everything that result depends on (the
  file's text, its path and id, the Markdown settings, the code of the parsing stage itself), and each
  page's rendered HTML under a digest of everything its template receives, the theme, the settings and
  hubgen's code. A changed file, setting or hubgen gives a new key, so an entry is never stale, only unused;
- named records, one file each (`record(name, codec, version)`), each owned by the module that reads it:
  the last build's render memo (`deps.RenderMemo`), the write stage's record of the site and its spare
  (`write.py`), the pages' git dates for the commit last built (`gitdates.py`), the external links'
  results (`external.py`), and the search index's marks and part stamps (`search.py`, in a `BuildCache`
  of its own folder, `search/`). Beside them, folders a stage fills itself: the previous site kept as a
  spare (`write.py`) and the search index's parts (`search.py`).

Any trouble with the cache (read-only folder, corrupt file) turns it off for the run; it never fails a
build. The folder is input like any other file of a pull request: records are checked JSON (`records.py`),
never pickles; no file in it is read or written through a symbolic link (`read_file`, and
`sinks.write_atomically` for every write), and a folder that is itself a link is not used (`cache_folder`,
`BuildCache`). What is thrown away is counted (`ignored`), so the command line can say so once. Keys are
mixed with a secret kept outside every project (`machine_secret`).
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
from typing import Any, Generic, Protocol, TypeVar

from hubgen.base.records import BadRecord
from hubgen.base.sinks import staged_file, write_atomically

T = TypeVar("T")
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
            temporary = staged_file(path, os.urandom(SECRET_BYTES), 0o600)
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


class BuildCache:
    """The build cache in `folder`: its stores of entries and its named records. Nothing is made or opened
    until it is used; a folder that is a symbolic link is neither read nor written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def entries(self, namespace: str = "parse") -> Cache:
        """The store of key -> bytes entries named `namespace` ("parse", "render" or "cards"); close it after use."""
        return Cache(self.folder, namespace)

    def record(self, name: str, codec: RecordCodec[T], version: int | None = None) -> Record[T]:
        """The record kept in the file `name` of the folder, in `codec`'s form. With `version`, the value is
        a tuple whose first item is its version: a record of another version reads as none (not as damage)."""
        if not name or name in (".", "..") or "/" in name or os.sep in name:
            raise ValueError(f"not a record name: {name!r}")
        return Record(self, name, codec, version)

    def usable(self) -> bool:
        """Whether the folder may be read and written: not a symbolic link."""
        return not os.path.islink(self.folder)


class RecordCodec(Protocol[T]):
    """How a record is kept: `records.Codec`, or `records.JSON` for a record whose owner checks its shape itself."""

    def encode(self, value: T) -> bytes: ...

    def decode(self, data: object) -> T: ...


class Record(Generic[T]):
    """One named value of the build cache, one file. `read` never raises: a file that is not a record of
    this kind (a link, a FIFO, too large, not `codec`'s form) reads as none and is counted in `ignored`;
    `write` replaces the file in one step (`sinks.write_atomically`) and never fails a build."""

    def __init__(self, cache: BuildCache, name: str, codec: RecordCodec[T], version: int | None) -> None:
        self.path = cache.folder / name
        self.ignored = 0
        self._cache = cache
        self._codec = codec
        self._version = version

    def read(self) -> T | None:
        """The value kept, or None: no file, another version, or a file that could not be used."""
        if not self._cache.usable():
            return None
        try:
            data = read_file(self.path)
            if data is None:
                return None
            value: Any = self._codec.decode(data)
        except (CacheTrouble, BadRecord):
            self.ignored += 1
            return None
        except OSError:
            return None
        if self._version is not None and value[0] != self._version:
            return None
        return value  # type: ignore[no-any-return]  # the codec's T; Any only so its version can be read

    def write(self, value: T) -> bool:
        """Keep `value` (the folder made if absent); whether it was kept."""
        try:
            if not self._cache.usable():
                return False
            self._cache.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, self._codec.encode(value))
        except OSError:
            return False
        return True


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
            write_atomically(path, b"*\n")

    def _open(self, path: Path) -> sqlite3.Connection:
        """The database at `path`, checked; an unusable one is replaced by a new one."""
        for attempt in range(2):
            self._clear_links(path)
            db = sqlite3.connect(f"file:{_uri_path(path)}?nofollow=1", uri=True, timeout=10)
            try:
                db.execute("PRAGMA trusted_schema = OFF")
                db.execute("PRAGMA synchronous = OFF")
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


_TABLES = ("parse", "render", "cards", "twins")
_USABLE = f"typeof(data) = 'blob' AND length(data) <= {MAX_ENTRY_BYTES}"


def _create(table: str) -> str:
    if table not in _TABLES:
        raise ValueError(f"no cache table {table!r}")
    return f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, data BLOB NOT NULL)"


def _schema_ok(db: sqlite3.Connection) -> bool:
    """Whether the database holds nothing but the cache's own tables (no trigger, view or other table)."""
    allowed: set[tuple[str, str, str | None]] = {
        ("table", t, _create(t).replace(" IF NOT EXISTS", "")) for t in _TABLES
    }
    allowed |= {("index", f"sqlite_autoindex_{t}_1", None) for t in _TABLES}
    return all(row in allowed for row in db.execute("SELECT type, name, sql FROM sqlite_master"))


def _uri_path(path: Path) -> str:
    """`path` for an SQLite `file:` URI: every byte but letters, digits and `/-_.~` percent-encoded."""
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.~"
    return "".join(chr(b) if b in safe else f"%{b:02X}" for b in os.fsencode(path))
