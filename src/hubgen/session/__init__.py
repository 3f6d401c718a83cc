"""One project held open: `Session` checks, builds and serves it through the same stages (see session.py)."""

from hubgen.core.options import RunOptions
from hubgen.session.errors import explain, template_message
from hubgen.session.results import BuildResult, CheckResult, ProjectError, UpdateResult, find_project
from hubgen.session.session import Session, build, check

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
