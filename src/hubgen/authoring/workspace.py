"""A workspace: the project's graph, the page files being edited, and the change set they add up to.

Nothing is written until `commit`: every new file content is computed in memory, checked on a temporary
copy of the project (an edit that adds an error is refused), then written atomically file by file, once
every file has been found as the command read it (`guard.verify`): an edit made meanwhile in an editor is
never overwritten, and no page is written through a symbolic link or outside the content folder.
"""

from __future__ import annotations

import difflib
import os
import posixpath
import shutil
import stat
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hubgen import session
from hubgen.authoring import guard
from hubgen.authoring.textfile import FrontMatterEditor, TextFile
from hubgen.base import sinks
from hubgen.core.config import CONFIG_FILE
from hubgen.core.diagnostics import Diagnostic, did_you_mean
from hubgen.core.graph import LinkGraph, resolve_reference
from hubgen.core.load import Page


class AuthoringError(session.ProjectError):
    """A usage mistake (an unknown id, a name collision, a cycle): exit 2, nothing written."""


class EditRefused(Exception):
    """The edit would leave the hub with errors it did not have: exit 1, nothing written."""

    def __init__(self, message: str, diagnostics: tuple[Diagnostic, ...]) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class Change:
    path: str  # project-relative, where the file ends up
    before: bytes | None  # None: created
    after: bytes | None  # None: deleted
    old_path: str | None = None  # set when the file moves

    @property
    def verb(self) -> str:
        if self.before is None:
            return "created"
        if self.after is None:
            return "deleted"
        return "renamed" if self.old_path else "updated"

    def describe(self) -> str:
        return f"renamed {self.old_path} -> {self.path}" if self.old_path else f"{self.verb} {self.path}"


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        checked = session.check(root, drafts=True, bodies=False)
        if checked.graph is None:
            raise AuthoringError("hubgen.yaml is invalid: run `hubgen check` and fix it first")
        self.graph: LinkGraph = checked.graph
        self.content_dir = checked.config.content_dir
        self.texts: dict[str, TextFile] = {}  # page id -> its file, being edited
        self.editors: dict[str, FrontMatterEditor] = {}
        self.created: dict[str, tuple[str, bytes]] = {}  # page id -> (content-relative path, content)
        self.deleted: set[str] = set()
        self.renamed: dict[str, str] = {}  # page id -> new id
        self.added_aliases: dict[str, set[str]] = {}  # page id -> the alias paths this edit added to it
        self.read: dict[str, bytes] = {}  # page id -> its file's bytes when the command read it
        self.seen = {page_id: _stamp(root / page.file) for page_id, page in self.graph.pages.items()}

    # -------------------------------------------------------------------------------- pages and names

    def page(self, reference: str) -> Page:
        by_slug: dict[str, list[str]] = {}
        for page_id in self.graph.pages:
            by_slug.setdefault(page_id.rsplit("/", 1)[-1], []).append(page_id)
        target, candidates = resolve_reference(reference, self.graph.pages, by_slug)
        if target is None:
            if candidates:
                raise AuthoringError(f"'{reference}' is ambiguous: it names {', '.join(candidates)}; give the full id")
            hint = did_you_mean(reference, [*self.graph.pages, *by_slug])
            raise AuthoringError(f"no page '{reference}'" + (f" ({hint})" if hint else ""))
        return self.graph.pages[target]

    def hub(self, reference: str) -> Page:
        page = self.page(reference)
        if page.type != "hub":
            raise AuthoringError(f"'{reference}' is not a hub (its front matter has no `type: hub`)")
        return page

    def ids_after(self) -> set[str]:
        ids = {self.renamed.get(p, p) for p in self.graph.pages if p not in self.deleted}
        return ids | set(self.created)

    def reference(self, page_id: str, bare: bool = True) -> str:
        """How to name a page in front matter: its last segment when that is unique, else its full id."""
        page_id = self.renamed.get(page_id, page_id)
        if page_id == "":
            return "index"
        slug = page_id.rsplit("/", 1)[-1]
        unique = sum(1 for other in self.ids_after() if other.rsplit("/", 1)[-1] == slug) == 1
        return slug if bare and unique else page_id

    def taken(self, page_id: str) -> str | None:
        """The file that already gives this id (compared ignoring case), or None."""
        folded = page_id.casefold()
        for other in self.ids_after():
            if other.casefold() == folded:
                return self.file_of(other)
        for rel in (f"{page_id}.md", f"{page_id}/index.md", f"{page_id}/README.md"):
            if (self.root / self.content_dir / rel).exists():
                return posixpath.join(self.content_dir, rel)
        return None

    def file_of(self, page_id: str) -> str:
        if page_id in self.created:
            return posixpath.join(self.content_dir, self.created[page_id][0])
        original = next((p for p, new in self.renamed.items() if new == page_id), page_id)
        if original in self.renamed:
            return posixpath.join(self.content_dir, self.renamed[original] + ".md")
        return self.graph.pages[original].file

    # -------------------------------------------------------------------------------- editing

    def text(self, page_id: str) -> TextFile:
        if page_id not in self.texts:
            self.texts[page_id] = TextFile.parse(self.original(page_id))
        return self.texts[page_id]

    def original(self, page_id: str) -> bytes:
        """The page file's bytes, read once; refused when it changed since the hub was checked (the edit was
        computed from line and column numbers of that reading)."""
        if page_id not in self.read:
            path = self.root / self.graph.pages[page_id].file
            data = path.read_bytes()
            if _stamp(path) != self.seen.get(page_id):
                raise AuthoringError(
                    f"{self.graph.pages[page_id].file} changed while hubgen was editing it; nothing was written"
                )
            self.read[page_id] = data
        return self.read[page_id]

    def front(self, page_id: str) -> FrontMatterEditor:
        if page_id not in self.editors:
            self.editors[page_id] = FrontMatterEditor(self.text(page_id))
        return self.editors[page_id]

    def create(self, page_id: str, rel: str, content: str) -> None:
        self.created[page_id] = (rel, content.encode("utf-8"))

    def delete(self, page_id: str) -> None:
        self.original(page_id)
        self.deleted.add(page_id)

    def rename(self, page_id: str, new_id: str) -> None:
        self.renamed[page_id] = new_id
        self.text(page_id)  # a moved file is written even when its text does not change

    # -------------------------------------------------------------------------------- the change set

    def changes(self) -> list[Change]:
        found: list[Change] = []
        for page_id, text in self.texts.items():
            page = self.graph.pages[page_id]
            if page_id in self.deleted:
                continue
            before = self.original(page_id)
            if page_id in self.renamed:
                found.append(Change(self.file_of(self.renamed[page_id]), before, text.render(), page.file))
            elif text.changed:
                found.append(Change(page.file, before, text.render()))
        for page_id in self.deleted:
            page = self.graph.pages[page_id]
            found.append(Change(page.file, self.original(page_id), None))
        for rel, content in self.created.values():
            found.append(Change(posixpath.join(self.content_dir, rel), None, content))
        return sorted(found, key=lambda c: c.path)

    def diff(self) -> str:
        return "".join(_diff(change) for change in self.changes())

    def check(self) -> None:
        """Refuse (EditRefused) when the changes would add errors the hub does not have now."""
        before = session.check(self.root, bodies=False)
        with tempfile.TemporaryDirectory(prefix="hubgen-edit-") as temporary:
            copy = Path(temporary)
            if (self.root / CONFIG_FILE).is_file():
                shutil.copy2(self.root / CONFIG_FILE, copy / CONFIG_FILE)
            guard.copy_ignoring_outside_links(self.root / self.content_dir, copy / self.content_dir)
            _apply(copy, self.content_dir, self.changes())
            after = session.check(copy, bodies=False)
        old = Counter(_key(d) for d in before.diagnostics if d.severity == "error")
        new = [d for d in after.diagnostics if d.severity == "error" and not _take(old, _key(d))]
        if new:
            raise EditRefused(f"the edit would leave {len(new)} new error(s) in the hub", tuple(new))

    def commit(self) -> list[Change]:
        changes = self.changes()
        _apply(self.root, self.content_dir, changes)
        return changes


def _key(item: Diagnostic) -> tuple[str, str]:
    return item.code, item.message


def _take(counter: Counter[tuple[str, str]], key: tuple[str, str]) -> bool:
    if counter[key] > 0:
        counter[key] -= 1
        return True
    return False


def _stamp(path: Path) -> tuple[int, int] | None:
    """What tells a file changed without reading it: its modification time and size."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _apply(root: Path, content_dir: str, changes: list[Change]) -> None:
    """Check every file is as the command read it, write every new content to a temporary file, then move
    them all into place, then delete."""
    try:
        guard.verify(root, content_dir, changes)
    except guard.Refused as refused:
        raise AuthoringError(str(refused)) from None
    staged: list[tuple[Path, Path]] = []
    try:
        for change in changes:
            if change.after is None:
                continue
            target = root / change.path
            target.parent.mkdir(parents=True, exist_ok=True)
            source = None if change.before is None else root / (change.old_path or change.path)
            mode = 0o644 if source is None else stat.S_IMODE(os.stat(source).st_mode)
            staged.append((sinks.staged_file(target, change.after, mode), target))
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, target in staged:
        os.replace(temporary, target)
    for change in changes:
        gone = change.path if change.after is None else change.old_path
        if gone:
            (root / gone).unlink(missing_ok=True)


def _diff(change: Change) -> str:
    old_name = "/dev/null" if change.before is None else "a/" + (change.old_path or change.path)
    new_name = "/dev/null" if change.after is None else "b/" + change.path
    lines = difflib.unified_diff(_lines(change.before), _lines(change.after), old_name, new_name)
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    if not text and change.old_path:  # a pure rename
        text = f"--- {old_name}\n+++ {new_name}\n"
    return text


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    parts = data.decode("utf-8").split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
