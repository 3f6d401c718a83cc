"""The one place where a value from the repository (a page, a setting, an argument) meets a sink.

Every file in a project can come from a stranger's pull request, so every value read from it is hostile
until it has gone through the function named for the sink it is about to reach:

- `for_terminal(text)`: what a terminal shows; control characters (escape sequences, bidi overrides)
  become visible `\\xNN` / `\\uNNNN` escapes, so author text cannot move the cursor, retitle the window or
  hide a line.
- `for_xml(text)`: XML 1.0 character data or attribute values (feed, sitemap); characters XML 1.0 forbids
  are dropped, markup characters escaped.
- `git_ref(ref)`: a revision named on the command line, refused unless it is a revision name, never an
  option; `git(...)` runs git with `--end-of-options` where a revision goes.
- `inside(root, path)`: a path hubgen is about to write or delete, refused unless it lies under `root`
  with no symbolic link on the way; `write_bytes(path, data)` opens with `O_NOFOLLOW`; `replace_file(path,
  data)` unlinks whatever is at `path` (a link, a pipe, a file) and creates a new file with `O_EXCL`;
  `write_atomically(path, data)` puts a new file there in one `os.replace` (readers see the old bytes or
  the new), made by `staged_file(path, data)` beside it under a new name (`O_EXCL | O_NOFOLLOW`).

Call sites never escape or check by hand.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = [
    "BadRef",
    "UnsafePath",
    "for_markdown_cell",
    "for_markdown_line",
    "for_terminal",
    "for_xml",
    "git",
    "git_bytes",
    "git_ref",
    "inside",
    "replace_file",
    "resolve_commit",
    "resolved_inside",
    "staged_file",
    "write_atomically",
    "write_bytes",
]


class UnsafePath(OSError):
    """A write or delete would leave the folder hubgen owns, or go through a symbolic link."""


# C0 and C1 controls, DEL, the bidirectional overrides and isolates, and the line/paragraph separators.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: str, keep_newlines: bool = False) -> str:
    """`text` safe to print: every control character shown as an escape (newlines kept if asked)."""
    if keep_newlines:
        return "\n".join(_TERMINAL_UNSAFE.sub(_escape, line) for line in text.split("\n"))
    return _TERMINAL_UNSAFE.sub(_escape, text)


# What XML 1.0 does not allow anywhere in a document (its Char production), surrogates included.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})


def for_xml(text: str) -> str:
    """`text` as XML 1.0 character data, safe inside an element or a quoted attribute."""
    return _XML_FORBIDDEN.sub("", text).translate(_XML_ESCAPES)


# Markdown's active characters as entities: no link, image, HTML, code span or emphasis can start, and an
# author's backslash before one shows the entity's text rather than undoing an escape.
_MARKDOWN_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "[]<>!`*_~#&"})


def for_markdown_cell(text: str) -> str:
    """`text` as plain text in one cell of a GitHub Markdown table (the job summary): one line, no markup,
    and its pipes escaped so the row keeps its columns."""
    return for_terminal(text).translate(_MARKDOWN_ESCAPES).replace("|", "\\|")


_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>])")
_WHITESPACE = re.compile(r"\s+")


def for_markdown_line(text: str) -> str:
    """`text` as plain text on one line of Markdown (a link's text, a list item's note in llms.txt): control
    characters dropped, whitespace runs made one space, and what could start markup backslash-escaped."""
    flat = _WHITESPACE.sub(" ", _TERMINAL_UNSAFE.sub(" ", text)).strip()
    return _MARKDOWN_INLINE.sub(r"\\\1", flat)


class BadRef(ValueError):
    """A command-line revision that git must not see."""


_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f]")


def git_ref(ref: str) -> str:
    """`ref` if git can only read it as a revision (a branch, tag, `origin/main`, `HEAD~2`, a commit id),
    else `BadRef`: never an option (no leading `-`), no spaces or control characters. Pass it after
    `--end-of-options` all the same; `resolve_commit` asks git whether it names a commit."""
    if not ref or ref.startswith("-") or len(ref) > 255 or _REF_FORBIDDEN.search(ref):
        raise BadRef(f"not a git revision: {for_terminal(ref)!r}")
    return ref


def resolve_commit(cwd: Path, ref: str) -> str:
    """The full commit id `ref` names in the repository at `cwd`; `BadRef` if it names none."""
    try:
        done = git(cwd, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{git_ref(ref)}^{{commit}}")
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BadRef(f"git could not be run: {error}") from None
    commit = done.stdout.strip()
    if done.returncode or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", commit):
        raise BadRef(f"{for_terminal(ref)!r} names no commit in this repository")
    return commit


def git(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run git in `cwd` with no terminal prompt, no pager and no configured external tool it could start
    from repository settings (diff drivers, textconv, fsmonitor). Raises OSError or TimeoutExpired."""
    return subprocess.run(
        _git_command(args),
        cwd=cwd,
        capture_output=True,
        encoding="utf-8",
        errors="surrogateescape",  # a file name that is not UTF-8 comes back as the same bytes
        check=False,
        timeout=timeout,
        env=_git_environment(),
        stdin=subprocess.DEVNULL,
    )


def git_bytes(cwd: Path, *args: str, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """`git(...)` for output that is not text (`cat-file --batch`: file contents), fed `stdin`."""
    return subprocess.run(
        _git_command(args),
        cwd=cwd,
        capture_output=True,
        check=False,
        timeout=timeout,
        env=_git_environment(),
        input=stdin,
    )


def _git_command(args: tuple[str, ...]) -> list[str]:
    return ["git", "-c", "core.fsmonitor=false", "-c", "diff.external=", "--no-pager", *args]


def _git_environment() -> dict[str, str]:
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat"}


def inside(root: Path, path: Path) -> Path:
    """`path` if it lies under `root` and no component between them is a symbolic link; else `UnsafePath`.
    The last component may be absent (it is about to be created), but never a symbolic link."""
    root = Path(os.path.abspath(root))
    target = Path(os.path.abspath(path))
    try:
        rest = target.relative_to(root)
    except ValueError:
        raise UnsafePath(f"{target} is outside {root}") from None
    current = root
    for part in rest.parts:
        current = current / part
        try:
            if os.path.islink(current):
                raise UnsafePath(f"{current} is a symbolic link")
        except OSError as error:
            raise UnsafePath(f"{current}: {error}") from None
    return target


def resolved_inside(root: Path, path: Path) -> bool:
    """Whether `path`, symbolic links resolved, is `root` itself or lies under it (links resolved too): the
    test for what may be read. (`inside` is the stricter one for writes: no link on the way at all.)"""
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def remove_path(path: Path) -> None:
    """Remove what is at `path`: a file, a symbolic link (never what it points at) or a folder tree (whose
    links are removed, not followed). Nothing there is no error."""
    if os.path.islink(path) or (os.path.lexists(path) and not path.is_dir()):
        os.unlink(path)
    else:
        shutil.rmtree(path, ignore_errors=True)


def own_folder(path: Path, fresh: bool = False, parents: bool = False) -> Path:
    """`path` as a real folder of hubgen's: a symbolic link or file there is removed first, never followed;
    emptied first when `fresh`. The folders above it are made only with `parents`."""
    if fresh or os.path.islink(path) or (os.path.lexists(path) and not path.is_dir()):
        remove_path(path)
    path.mkdir(parents=parents, exist_ok=True)
    return path


def write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path`, never through a symbolic link at `path` (O_NOFOLLOW), replacing a regular file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(path, flags, 0o644)
    except OSError as error:
        if os.path.islink(path):
            raise UnsafePath(f"{path} is a symbolic link") from error
        raise
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)


def replace_file(path: Path, data: bytes | Path) -> None:
    """Put a new regular file at `path` holding `data`, or a copy of the file `data` names. Whatever was at
    `path` (a file, a symbolic link, a pipe) is unlinked first, never followed nor written into, and the new
    file is created with O_EXCL | O_NOFOLLOW: a file hard-linked elsewhere is not changed either."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    handle = os.open(path, flags, 0o666)
    with os.fdopen(handle, "wb") as stream:
        if isinstance(data, Path):
            with open(data, "rb") as source:
                shutil.copyfileobj(source, stream, 1 << 20)
        else:
            stream.write(data)


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` by a file holding `data` in one step: a new file (`staged_file`) renamed over it with
    `os.replace`, so a reader sees the old bytes or the new, never part of them, and a symbolic link at
    `path` is replaced, never written through. Raises OSError (and leaves no temporary file behind)."""
    temporary = staged_file(path, data, mode)
    try:
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def staged_file(path: Path, data: bytes, mode: int = 0o644) -> Path:
    """A new file beside `path` holding `data`, with permissions `mode`, for `os.replace` (or `os.link`) to
    put at `path`. Its name is new and unguessable (`tempfile.mkstemp`: O_EXCL | O_NOFOLLOW), so nothing
    planted in the folder is opened. Raises OSError (and leaves no temporary file behind)."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), mode)
            stream.write(data)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)
