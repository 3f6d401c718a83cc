"""The commands that read a hub: build, check, serve and graph."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from hubgen import __version__
from hubgen.base.progress import TerminalProgress, silent
from hubgen.base.sinks import UnsafePath, for_terminal, write_bytes
from hubgen.cli.app import (
    EXIT_ERRORS,
    EXIT_USAGE,
    handles_failures,
    main,
    project_option,
    project_root,
    report_text,
    speed_options,
    use_color,
)
from hubgen.core.diagnostics import (
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
from hubgen.core.export import export
from hubgen.pr import gitref
from hubgen.session import CheckResult, ProjectError, RunOptions, Session


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
    bar = TerminalProgress() if sys.stdout.isatty() and not quiet else None  # shown after a second
    options = RunOptions(drafts=drafts, jobs=jobs, cache=not no_cache, progress=bar or silent, strict=strict)
    try:
        result = Session(project_root(project), options).build(output)
    finally:
        if bar is not None:
            bar.close()
    checked = result.check
    _cache_warning(result.cache_ignored)
    shown = [
        d for d in checked.diagnostics if d.severity == "error" or not quiet or (result.stopped and not checked.errors)
    ]
    if shown:
        report_text(shown)
    if checked.config_broken:
        sys.exit(EXIT_USAGE)
    if checked.errors:
        click.echo(
            f"hubgen: build failed: {summary_line(checked.diagnostics, checked.pages)}; nothing written", err=True
        )
        sys.exit(EXIT_ERRORS)
    if result.stopped:
        click.echo("hubgen: build stopped: warnings are errors under --strict", err=True)
        sys.exit(EXIT_ERRORS)
    if verbose:
        for stage, seconds in result.stages:
            click.echo(f"  {stage:<24} {seconds * 1000:8.1f} ms")
        viewed = sum(1 for item in result.viewed if item in result.check.graph.pages) if result.check.graph else 0
        click.echo(f"  {viewed} of {checked.pages} pages looked at again; the others were proven unchanged")
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
    help="Pull-request mode: report what is new since this git revision (the hub at REF is checked too), "
    "wherever it is; what lies in files the change did not touch is labelled 'caused by this change'.",
)
@click.option(
    "--only-changed-files",
    "only_changed_files",
    is_flag=True,
    help="With --changed-since: report every diagnostic in the files changed since REF, and nothing elsewhere.",
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
    only_changed_files: bool,
    jobs: int,
    no_cache: bool,
) -> None:
    """Validate every reference, link, anchor and learning path; render nothing."""
    if only_changed_files and changed_since is None:
        raise ProjectError("--only-changed-files needs --changed-since REF")
    root = project_root(project)
    change = _read_change(root, changed_since) if changed_since is not None else None  # a bad REF stops here
    if change is not None and not only_changed_files:
        result, diagnostics = _judge(root, change, drafts, external, jobs, not no_cache)
    else:
        options = RunOptions(drafts=drafts, jobs=jobs, cache=not no_cache, external=external, bodies=False)
        result = Session(root, options).check()
        diagnostics = result.diagnostics
        if change:
            diagnostics = tuple(d for d in diagnostics if d.file in change.changed)
    _cache_warning(result.cache_ignored)
    _print_check(diagnostics, result.pages, output_format)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(format_step_summary(diagnostics, result.pages))
        except OSError as error:  # the runner's file, not the project's: worth a warning, not the check's result
            shown = for_terminal(summary_file)
            click.echo(f"hubgen: warning: cannot write GITHUB_STEP_SUMMARY ({shown}): {error.strerror}", err=True)
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
    from hubgen.serve import server as dev

    server = dev.DevServer(
        project_root(project), host, port, drafts, log=lambda text, error: click.echo(text, err=error)
    )
    if not dev.is_loopback(host):
        warning = f"hubgen: warning: serving on {for_terminal(host)}: other machines can reach this server"
        click.secho(warning, err=True, fg="yellow")
    try:
        server.start()
    except dev.ServeError as error:
        raise ProjectError(str(error)) from None
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
    result = Session(project_root(project), RunOptions(drafts=drafts, bodies=False)).check()
    if result.graph is None:
        report_text(result.diagnostics)
        sys.exit(EXIT_USAGE)
    if hub is not None and hub not in result.graph.hubs():
        hint = did_you_mean(hub, result.graph.hubs()) or "hubs: " + ", ".join(result.graph.hubs())
        raise ProjectError(f"--hub {hub!r} is not a hub ({hint})")
    text = export(result.graph, output_format, hub)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_bytes(output, text.encode("utf-8"))  # never through a link planted where the file goes
    except OSError as error:
        reason = "it is a symbolic link" if isinstance(error, UnsafePath) else error.strerror or str(error)
        raise ProjectError(f"cannot write {for_terminal(str(output))}: {reason}") from None


def _read_change(root: Path, ref: str) -> gitref.Change:
    try:
        return gitref.read_change(root, ref)
    except gitref.GitError as error:
        raise ProjectError(str(error)) from None


def _judge(
    root: Path, change: gitref.Change, drafts: bool, external: bool, jobs: int, use_cache: bool
) -> tuple[CheckResult, tuple[Diagnostic, ...]]:
    """The hub checked now and at REF, sharing one parse cache (a scratch one under --no-cache)."""
    from hubgen.pr import compare as prmode

    try:
        with prmode.parse_cache(root, use_cache) as cache_dir:
            options = RunOptions(drafts, jobs, True, cache_dir, external=external, bodies=False)
            result = Session(root, options).check()
            if result.graph is None:  # a broken hubgen.yaml: nothing to compare
                return result, result.diagnostics
            return result, prmode.judge(root, change, result, drafts, jobs, cache_dir)
    except gitref.GitError as error:
        raise ProjectError(str(error)) from None


def _cache_warning(ignored: int) -> None:
    """One line for the run when the build cache held entries that could not be used."""
    if ignored:
        entries = "entry" if ignored == 1 else "entries"
        click.echo(f"hubgen: warning: ignored {ignored} unreadable {entries} in .hubgen-cache/ (rebuilt)", err=True)


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
            click.echo(format_text(diagnostics, color=use_color(sys.stdout)) + "\n")
        click.echo(summary_line(diagnostics, pages))


def _shown_path(path: Path) -> str:
    try:
        shown = str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        shown = str(path)
    return for_terminal(shown) + "/"
