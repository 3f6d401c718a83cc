"""Authoring commands: start a hub project (`new`) and edit pages without breaking their learning paths
(`add`, `move`, `remove`, `rename`, `track add`, `track remove`). Every edit is computed in memory,
checked on a copy of the project, and written atomically; `dry_run` returns the unified diff instead.

Exit codes (see cli/app.py): a usage mistake (unknown id, name collision, cycle) is an `AuthoringError` (2);
an edit that would add errors to the hub is `EditRefused` (1). Either way nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hubgen.authoring import guard
from hubgen.authoring.edits import add, move, remove, rename, track_add, track_remove
from hubgen.authoring.scaffold import new_project
from hubgen.authoring.workspace import AuthoringError, Change, EditRefused, Workspace
from hubgen.base import sinks

__all__ = [
    "AuthoringError",
    "Change",
    "EditRefused",
    "Workspace",
    "add",
    "apply_edit",
    "move",
    "new_project",
    "remove",
    "rename",
    "track_add",
    "track_remove",
]


def apply_edit(root: Path, edit: Callable[[Workspace], object], dry_run: bool = False) -> tuple[list[Change], str]:
    """Run `edit` on a workspace of the project, check the result and write it (unless `dry_run`).
    Returns the changes and, for a dry run, their unified diff. One authoring command runs at a time on a
    project (`guard.locked`); a file system failure is an `AuthoringError`, never a traceback."""
    try:
        with guard.locked(root):
            workspace = Workspace(root)
            edit(workspace)
            workspace.check()
            if dry_run:
                return workspace.changes(), workspace.diff()
            return workspace.commit(), ""
    except guard.Refused as refused:
        raise AuthoringError(str(refused)) from None
    except OSError as error:
        where = f" ({sinks.for_terminal(str(error.filename))})" if error.filename else ""
        raise AuthoringError(f"cannot edit the project: {error.strerror or error}{where}") from None
