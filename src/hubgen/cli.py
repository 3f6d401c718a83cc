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
from typing import TYPE_CHECKING, Any, TypeVar

import click

from hubgen import __version__, pipeline
from hubgen.diagnostics import (
    Diagnostic,
    did_you_mean,
    format_github,
    format_json,
    format_sarif,
    format_step_summary,
    format_text,
    plural,
    summary_line,
)
from hubgen.export import export
from hubgen.progress import TerminalProgress, silent

if TYPE_CHECKING:
    from hubgen import authoring

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

F = TypeVar("F", bound=Callable[..., Any])


def speed_options(command: F) -> F:
    """--jobs and --no-cache: how fast, never what."""
    command = click.option(
        "--no-cache", "no_cache", is_flag=True, help="Parse every page afresh and leave .hubgen-cache/ alone."
    )(command)
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        default=os.cpu_count() or 1,
        show_default=True,
        help="Processes that parse and render pages.",
    )(command)


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
@click.option("-v", "--verbose", is_flag=True, help="Also print the time each stage took.")
@speed_options
@handles_failures
def build(
    project: Path | None,
    drafts: bool,
    output: Path | None,
    strict: bool,
    quiet: bool,
    verbose: bool,
    jobs: int,
    no_cache: bool,
) -> None:
    """Check the hub and, if it has no errors, write the site."""
    root = _project(project)
    if strict:
        checked = pipeline.check(root, drafts, jobs=jobs, use_cache=not no_cache)  # parses as build will
        if checked.warnings and not checked.errors:
            _report_text(checked.diagnostics, checked.pages, quiet=False)
            click.echo("hubgen: build stopped: warnings are errors under --strict", err=True)
            sys.exit(EXIT_ERRORS)
    bar = TerminalProgress() if sys.stdout.isatty() and not quiet else None  # shown after a second
    try:
        result = pipeline.build(root, drafts, output, jobs, not no_cache, bar or silent)
    finally:
        if bar is not None:
            bar.close()
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
    if verbose:
        for stage, seconds in result.stages:
            click.echo(f"  {stage:<24} {seconds * 1000:8.1f} ms")
        click.echo(f"  {result.written} of {result.files} files written; the rest were unchanged")
    if not quiet:
        where = _shown_path(result.output)
        click.echo(
            f"Built {plural(checked.pages, 'page')} ({plural(result.hubs, 'hub')}, {plural(result.files, 'file')}) "
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
@speed_options
@handles_failures
def check(
    project: Path | None,
    output_format: str,
    strict: bool,
    drafts: bool,
    external: bool,
    changed_since: str | None,
    jobs: int,
    no_cache: bool,
) -> None:
    """Validate every reference, link, anchor and learning path; render nothing."""
    root = _project(project)
    result = pipeline.check(root, drafts, external, jobs, not no_cache, bodies=False)
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


@main.command()
@project_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0 picks a free port.")
@click.option("--drafts", is_flag=True, help="Serve pages marked draft: true too.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@handles_failures
def serve(project: Path | None, host: str, port: int, drafts: bool, open_browser: bool) -> None:
    """Serve the hub from memory, rebuilding and reloading pages as files change."""
    from hubgen import serve as dev

    server = dev.DevServer(_project(project), host, port, drafts, log=lambda text, error: click.echo(text, err=error))
    if not dev.is_loopback(host):
        click.secho(f"hubgen: warning: serving on {host}: other machines can reach this server", err=True, fg="yellow")
    try:
        server.start()
    except dev.ServeError as error:
        raise pipeline.ProjectError(str(error)) from None
    click.echo(f"Serving {server.url} (Ctrl-C to stop)")
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        while not server.stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    click.echo("hubgen: stopped", err=True)


@main.command("graph")
@project_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "dot", "mermaid"]),
    default="json",
    show_default=True,
    help="JSON, Graphviz DOT or a Mermaid flowchart.",
)
@click.option("--hub", default=None, metavar="HUB", help="Only this hub (an id) and its pages.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
@click.option("--drafts", is_flag=True, help="Include drafts.")
@handles_failures
def graph_command(project: Path | None, output_format: str, hub: str | None, output: Path | None, drafts: bool) -> None:
    """Export the link graph: pages, hub membership, learning paths, related and inline links."""
    result = pipeline.check(_project(project), drafts, bodies=False)
    if result.graph is None:
        _report_text(result.diagnostics, 0, False)
        sys.exit(EXIT_USAGE)
    if hub is not None and hub not in result.graph.hubs():
        hint = did_you_mean(hub, result.graph.hubs()) or "hubs: " + ", ".join(result.graph.hubs())
        raise pipeline.ProjectError(f"--hub {hub!r} is not a hub ({hint})")
    text = export(result.graph, output_format, hub)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


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


# ------------------------------------------------------------------------------------------ authoring


@main.command("new")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Write into DIR even when it is not empty.")
@handles_failures
def new_command(directory: Path, force: bool) -> None:
    """Start a hub project in DIR: settings, a home page, one hub with a three-page path, a CI workflow."""
    from hubgen import authoring  # imported when used: it is the slowest part of start-up

    for relative in authoring.new_project(directory, force):
        click.echo(f"created {Path(directory, relative).as_posix()}")


def dry_run_option(command: F) -> F:
    return click.option("--dry-run", is_flag=True, help="Print the changes as a unified diff; write nothing.")(command)


@main.command("add")
@click.argument("title")
@click.option("--hub", "hub", required=True, help="The hub the page joins.")
@click.option("--after", metavar="ID", default=None, help="Put the page right after this one on its path.")
@click.option("--before", metavar="ID", default=None, help="Put the page right before this one on its path.")
@click.option("--end", is_flag=True, help="Put the page at the end of the hub's first path (the default).")
@click.option("--id", "page_id", metavar="ID", default=None, help="The new page's id (default: from the title).")
@dry_run_option
@project_option
@handles_failures
def add_command(
    title: str,
    hub: str,
    after: str | None,
    before: str | None,
    end: bool,
    page_id: str | None,
    dry_run: bool,
    project: Path | None,
) -> None:
    """Create a page on a hub's learning path and update its neighbours' prev/next."""
    from hubgen import authoring  # imported when used: it is the slowest part of start-up

    _one_position(after=after, before=before, end=end)
    _edit(project, dry_run, lambda ws: authoring.add(ws, title, hub, after, before, page_id))


@main.command("move")
@click.argument("page")
@click.option("--after", metavar="ID", default=None, help="Put the page right after this one.")
@click.option("--before", metavar="ID", default=None, help="Put the page right before this one.")
@click.option("--hub", "hub", metavar="HUB", default=None, help="Put the page at the end of this hub's path.")
@dry_run_option
@project_option
@handles_failures
def move_command(
    page: str, after: str | None, before: str | None, hub: str | None, dry_run: bool, project: Path | None
) -> None:
    """Move a page on the learning paths; the old neighbours are linked to each other."""
    from hubgen import authoring  # imported when used: it is the slowest part of start-up

    if _one_position(after=after, before=before, hub=hub) is None:
        raise click.UsageError("say where to: --after ID, --before ID or --hub HUB")
    _edit(project, dry_run, lambda ws: authoring.move(ws, page, after, before, hub))


@main.command("remove")
@click.argument("page")
@click.option("--fix-links", is_flag=True, help="Turn links to the page into plain text and drop it from related.")
@dry_run_option
@project_option
@handles_failures
def remove_command(page: str, fix_links: bool, dry_run: bool, project: Path | None) -> None:
    """Delete a page and close the gap on its learning path."""
    from hubgen import authoring  # imported when used: it is the slowest part of start-up

    def edit(ws: authoring.Workspace) -> None:
        places = authoring.remove(ws, page, fix_links)
        if places:
            hint = "pass --fix-links to unlink them" if not fix_links else "edit them by hand"
            raise authoring.EditRefused(f"pages still link to '{page}' ({hint}):\n  " + "\n  ".join(places), ())

    _edit(project, dry_run, edit)


@main.command("rename")
@click.argument("page")
@click.argument("new_id")
@dry_run_option
@project_option
@handles_failures
def rename_command(page: str, new_id: str, dry_run: bool, project: Path | None) -> None:
    """Give a page a new id (and file); rewrite every reference and link to it."""
    from hubgen import authoring  # imported when used: it is the slowest part of start-up

    _edit(project, dry_run, lambda ws: authoring.rename(ws, page, new_id))


def _one_position(**given: Any) -> str | None:
    chosen = [name for name, value in given.items() if value]
    if len(chosen) > 1:
        raise click.UsageError(" and ".join(f"--{name}" for name in chosen) + " cannot be used together")
    return chosen[0] if chosen else None


def _edit(project: Path | None, dry_run: bool, edit: Callable[[authoring.Workspace], object]) -> None:
    """Run an authoring edit: print the diff (--dry-run) or the files written; exit 1 when it is refused."""
    from hubgen import authoring  # imported when used: it is the slowest part of start-up

    try:
        changes, diff = authoring.apply_edit(_project(project), edit, dry_run)
    except authoring.EditRefused as refused:
        if refused.diagnostics:
            click.echo(format_text(refused.diagnostics, color=_color(sys.stderr)), err=True)
        click.secho(f"hubgen: refused: {refused}", err=True, fg="red")
        click.echo("hubgen: nothing written", err=True)
        sys.exit(EXIT_ERRORS)
    if not changes:
        click.echo("nothing to change")
    elif dry_run:
        click.echo(diff, nl=False)
    else:
        for change in changes:
            click.echo(change.describe())


if __name__ == "__main__":  # pragma: no cover
    main()
