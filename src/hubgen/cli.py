"""The command line: flags in, report out, exit code. No logic of its own lives here.

Exit codes: 0 no errors; 1 the content has errors (or warnings, with --strict); 2 usage, configuration
or project failure (bad hubgen.yaml, no content folder, a template error, an unsafe output folder);
130 interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from hubgen import __version__, pipeline
from hubgen.diagnostics import (
    Diagnostic,
    format_github,
    format_json,
    format_sarif,
    format_step_summary,
    format_text,
    summary_line,
)

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

F = TypeVar("F", bound=Callable[..., Any])


def project_option(command: F) -> F:
    return click.option(
        "-C",
        "--project",
        "project",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="The hub project's folder (default: the nearest folder at or above this one with hubgen.yaml).",
    )(command)


def handles_failures(command: F) -> F:
    """Turn 'cannot continue' into a message and exit 2, and Ctrl-C or SIGTERM into exit 130."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            return command(*args, **kwargs)
        except pipeline.ProjectError as error:
            click.secho(f"hubgen: error: {error}", err=True, fg="red")
            sys.exit(EXIT_USAGE)
        except KeyboardInterrupt:
            click.echo("hubgen: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)

    return wrapper  # type: ignore[return-value]


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _project(project: Path | None) -> Path:
    if project is not None:
        if not project.is_dir():
            raise pipeline.ProjectError(f"project folder {project} does not exist")
        return project.resolve()
    return pipeline.find_project(Path.cwd())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="hubgen")
def main() -> None:
    """hubgen: Markdown knowledge hubs -> a validated link graph -> a static site."""


@main.command()
@project_option
@click.option("--drafts", is_flag=True, help="Build pages marked draft: true too.")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the site here instead of output_dir.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors: fail and write nothing.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Print every warning in full and where the site went.")
@handles_failures
def build(project: Path | None, drafts: bool, output: Path | None, strict: bool, quiet: bool, verbose: bool) -> None:
    """Check the hub and, if it has no errors, write the site."""
    root = _project(project)
    if strict:
        checked = pipeline.check(root, drafts)
        if checked.warnings and not checked.errors:
            _report_text(checked.diagnostics, checked.pages, quiet=False)
            click.echo("hubgen: build stopped: warnings are errors under --strict", err=True)
            sys.exit(EXIT_ERRORS)
    result = pipeline.build(root, drafts, output)
    checked = result.check
    shown = [d for d in checked.diagnostics if d.severity == "error" or not quiet]
    if shown:
        _report_text(shown, checked.pages, quiet)
    if checked.config_broken:
        sys.exit(EXIT_USAGE)
    if checked.errors:
        click.echo(
            f"hubgen: build failed: {summary_line(checked.diagnostics, checked.pages)}; nothing written", err=True
        )
        sys.exit(EXIT_ERRORS)
    if not quiet:
        where = _shown_path(result.output)
        click.echo(
            f"Built {checked.pages} pages ({result.hubs} hubs, {result.files} files) "
            f"in {result.seconds:.2f} s -> {where}"
        )


@main.command()
@project_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="How to print the diagnostics.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--drafts", is_flag=True, help="Check as if drafts were published.")
@click.option("--external", is_flag=True, help="Also check http(s) links over the network (cached).")
@click.option(
    "--changed-since",
    "changed_since",
    metavar="REF",
    default=None,
    help="Report only diagnostics in files changed since this git ref (the whole hub is still checked).",
)
@handles_failures
def check(
    project: Path | None, output_format: str, strict: bool, drafts: bool, external: bool, changed_since: str | None
) -> None:
    """Validate every reference, link, anchor and learning path; render nothing."""
    root = _project(project)
    result = pipeline.check(root, drafts, external)
    diagnostics = result.diagnostics
    if changed_since:
        diagnostics = pipeline.only_in(diagnostics, pipeline.changed_files(root, changed_since))
    _print_check(diagnostics, result.pages, output_format)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        with open(summary_file, "a", encoding="utf-8") as handle:
            handle.write(format_step_summary(diagnostics, result.pages))
    if result.config_broken:
        sys.exit(EXIT_USAGE)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    if errors or (strict and diagnostics):
        sys.exit(EXIT_ERRORS)


def _print_check(diagnostics: Sequence[Diagnostic], pages: int, output_format: str) -> None:
    if output_format == "json":
        click.echo(format_json(diagnostics, pages))
    elif output_format == "sarif":
        click.echo(format_sarif(diagnostics, __version__))
    elif output_format == "github":
        if diagnostics:
            click.echo(format_github(diagnostics))
        click.echo(summary_line(diagnostics, pages))
    else:
        if diagnostics:
            click.echo(format_text(diagnostics, color=_color(sys.stdout)) + "\n")
        click.echo(summary_line(diagnostics, pages))


def _report_text(diagnostics: Sequence[Diagnostic], pages: int, quiet: bool) -> None:
    click.echo(format_text(diagnostics, color=_color(sys.stderr)), err=True)


def _color(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or (hasattr(stream, "isatty") and stream.isatty())


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd())) + "/"
    except ValueError:
        return str(path) + "/"


if __name__ == "__main__":  # pragma: no cover
    main()
