"""One project held open: `Session` checks, builds and serves it through the same stages (see session.py).
`check(project)` and `build(project)` are a session used once."""

from pathlib import Path
from typing import Any

from hubgen.core.options import RunOptions
from hubgen.session.errors import explain, template_message
from hubgen.session.results import BuildResult, CheckResult, ProjectError, UpdateResult, find_project
from hubgen.session.session import Session


def check(project_dir: Path, **options: Any) -> CheckResult:
    return Session(project_dir, RunOptions(**options)).check()


def build(project_dir: Path, output_dir: Path | None = None, **options: Any) -> BuildResult:
    return Session(project_dir, RunOptions(**options)).build(output_dir)


__all__ = [
    "BuildResult",
    "CheckResult",
    "ProjectError",
    "RunOptions",
    "Session",
    "UpdateResult",
    "build",
    "check",
    "explain",
    "find_project",
    "template_message",
]
