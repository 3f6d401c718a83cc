"""The `hubgen` command group and what its commands share: options, failure handling, exit codes.

Exit codes: 0 no errors; 1 the content has errors (or warnings, with --strict); 2 usage, configuration
or project failure (bad hubgen.yaml, no content folder, a template error, an unsafe output folder);
130 interrupted.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from hubgen import __version__
from hubgen.base.sinks import for_terminal
from hubgen.core.diagnostics import Diagnostic, format_text
from hubgen.session import ProjectError, find_project

EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")


def speed_options(command: F) -> F:
    """--jobs and --no-cache: how fast, never what."""
    command = click.option(
        "--no-cache", "no_cache", is_flag=True, help="Parse every page afresh and leave .hubgen-cache/ alone."
    )(command)
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=max_jobs(),
        show_default=True,
        callback=lambda _context, _parameter, value: min(value, max_jobs()),
        help=f"Processes that parse and render pages (more than the CPUs, or {MAX_JOBS}, are not started).",
    )(command)


MAX_JOBS = 64


def max_jobs() -> int:
    """The most worker processes that can help: one per CPU, and never more than MAX_JOBS."""
    return max(1, min(os.cpu_count() or 1, MAX_JOBS))


def project_option(command: F) -> F:
    return click.option(
        "-C",
        "--project",
        "project",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="The hub project's folder (default: the nearest folder at or above this one with hubgen.yaml).",
    )(command)


def handles_failures(command: Callable[P, R]) -> Callable[P, R]:
    """Turn 'cannot continue' into a message and exit 2, and Ctrl-C or SIGTERM into exit 130."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            return command(*args, **kwargs)
        except ProjectError as error:
            click.secho(f"hubgen: error: {for_terminal(str(error))}", err=True, fg="red")
            sys.exit(EXIT_USAGE)
        except KeyboardInterrupt:
            click.echo("hubgen: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)

    return wrapper


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def project_root(project: Path | None) -> Path:
    if project is not None:
        if not project.is_dir():
            raise ProjectError(f"project folder {project} does not exist")
        return project.resolve()
    return find_project(Path.cwd())


def report_text(diagnostics: Sequence[Diagnostic]) -> None:
    """Diagnostics as text on standard error, in colour when it is a terminal."""
    click.echo(format_text(diagnostics, color=use_color(sys.stderr)), err=True)


def use_color(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or (hasattr(stream, "isatty") and stream.isatty())


# The cyclic collector's default thresholds (700, 10, 10) suit a program whose objects come and go. A hubgen
# run makes hundreds of thousands of objects that live until it ends (pages, links, graph edges, records from
# the build cache), almost none of them in a cycle, and at the default the collector scans them again and
# again: 40% of a no-op build of 10,000 pages. It stays on, so cyclic garbage is still freed, 70 times rarer.
GC_THRESHOLDS = (50_000, 20, 10)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="hubgen")
def main() -> None:
    """hubgen: Markdown knowledge hubs -> a validated link graph -> a static site."""
    gc.set_threshold(*GC_THRESHOLDS)
