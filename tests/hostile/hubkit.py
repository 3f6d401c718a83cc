"""Shared bits for the hostile-input tests (imported as `from hubkit import ...`; tests/hostile is on sys.path
because it has no __init__.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from hubgen import session
from hubgen.core.diagnostics import Diagnostic

CONFIG = "title: Test Hub\nsearch: false\n"

BASE: dict[str, str | bytes | None] = {
    "hubgen.yaml": CONFIG,
    "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
    "content/h/index.md": "---\ntitle: Hub\ntype: hub\n---\nThe hub.\n",
    "content/h/ok.md": "---\ntitle: Ok\nhub: h\n---\nFine page.\n",
}


def article(title: str = "A", extra: str = "", body: str = "Body.\n") -> str:
    return f"---\ntitle: {title}\nhub: h\n{extra}---\n{body}"


def hub_files(**pages: str | bytes | None) -> dict[str, str | bytes | None]:
    """BASE plus pages given as `name=text` -> content/h/<name>.md."""
    return {**BASE, **{f"content/h/{name}.md": text for name, text in pages.items()}}


def diags(project: Path, drafts: bool = False) -> list[Diagnostic]:
    return list(session.check(project, drafts=drafts).diagnostics)


def found(project: Path, *codes: str) -> list[tuple[str, str, int, int]]:
    """(code, file, line, column) of every diagnostic, or only of the given codes."""
    return [(d.code, d.file, d.line, d.column) for d in diags(project) if not codes or d.code in codes]


def errors(project: Path) -> list[tuple[str, str, int, int]]:
    return [(d.code, d.file, d.line, d.column) for d in diags(project) if d.severity == "error"]


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under folder (relative posix path -> bytes); symlinks are not followed."""
    out: dict[str, bytes] = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            out[path.relative_to(folder).as_posix()] = path.read_bytes()
    return out


def hubgen_cli(args: list[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 60):
    """`python -m hubgen.cli ARGS` in a real subprocess."""
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", "from hubgen.cli import main; main()", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".new-" in p.name or ".old-" in p.name)
