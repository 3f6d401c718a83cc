"""The build cache, `.hubgen-cache/` in the project: safe to delete, git-ignored, versioned.

It keeps each page's parse result (front matter, facts, body HTML with URL slots) under a key made of
everything that result depends on: the file's text, its path and id, the Markdown settings, and the
code of the parsing stage itself; and each page's rendered HTML under a digest of everything its
template receives, the theme, the settings and hubgen's code. A changed file, setting or hubgen gives a
new key, so an entry is never stale, only unused. Any trouble with the cache (read-only folder, corrupt
file) turns it off for the run; it never fails a build.

Beside the SQLite file: the last build's render memo (`deps.RenderMemo`), the search index's parts
(`search.py`), the previous site kept as a spare and the write stage's record of it (`write.py`), and the
pages' git dates for the commit last built (`gitdates.py`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

CACHE_DIR = ".hubgen-cache"
SCHEMA = 1
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "pygments", "jinja2", "pyyaml")


@cache
def code_digest() -> str:
    """A digest of hubgen's own code and of the libraries whose output lands in the cache (a newer Pygments
    highlights differently), so upgrading either invalidates the cache too."""
    digest = hashlib.sha256(f"schema {SCHEMA}".encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    for package in _LIBRARIES:
        try:
            digest.update(f"{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} ?".encode())
    return digest.hexdigest()


def key_for(*parts: str) -> str:
    digest = hashlib.sha256(code_digest().encode())
    for part in parts:
        digest.update(b"\x00" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class Cache:
    """Key -> bytes in one table of one SQLite file; gets and puts in batches."""

    def __init__(self, folder: Path, table: str = "parse") -> None:
        self.folder = folder
        self._table = table
        self._db: sqlite3.Connection | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / ".gitignore").write_text("*\n", encoding="utf-8")
            self._db = sqlite3.connect(folder / f"parse-v{SCHEMA}.sqlite", timeout=10)
            self._db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
        except (OSError, sqlite3.Error):
            self._db = None

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        return dict(self._select("key, data", keys))

    def present(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` the cache holds (without reading their data)."""
        return {key for (key,) in self._select("key", keys)}

    def _select(self, columns: str, keys: Iterable[str]) -> list[Any]:
        if self._db is None:
            return []
        wanted = list(keys)
        found: list[Any] = []
        try:
            for start in range(0, len(wanted), 500):
                batch = wanted[start : start + 500]
                marks = ",".join("?" * len(batch))
                found += self._db.execute(f"SELECT {columns} FROM {self._table} WHERE key IN ({marks})", batch)
        except sqlite3.Error:
            return []
        return found

    def keys(self) -> set[str]:
        if self._db is None:
            return set()
        try:
            return {key for (key,) in self._db.execute(f"SELECT key FROM {self._table}")}
        except sqlite3.Error:
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
        except sqlite3.Error:
            return False
        return True

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
