"""The authoring commands: new, add, move, remove, rename and track add/remove. `hubgen.authoring` is
imported only when one runs: it is the slowest part of start-up."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hubgen.base.sinks import for_terminal
from hubgen.cli.app import EXIT_ERRORS, F, handles_failures, main, project_option, project_root, report_text

if TYPE_CHECKING:
    from hubgen import authoring


@main.command("new")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Write into DIR even when it is not empty.")
@handles_failures
def new_command(directory: Path, force: bool) -> None:
    """Start a hub project in DIR: settings, a home page, one hub with a three-page path, a CI workflow."""
    from hubgen import authoring

    for relative in authoring.new_project(directory, force):
        click.echo(f"created {for_terminal(Path(directory, relative).as_posix())}")


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
    from hubgen import authoring

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
    from hubgen import authoring

    if _one_position(after=after, before=before, hub=hub) is None:
        raise click.UsageError("say where to: --after ID, --before ID or --hub HUB")
    _edit(project, dry_run, lambda ws: authoring.move(ws, page, after, before, hub))


@main.command("remove")
@click.argument("page")
@click.option("--fix-links", is_flag=True, help="Turn links to the page into plain text and drop it from related.")
@click.option(
    "--redirect-to",
    metavar="ID",
    default=None,
    help="Add the page's id to this page's aliases, and point links and related entries at it.",
)
@dry_run_option
@project_option
@handles_failures
def remove_command(page: str, fix_links: bool, redirect_to: str | None, dry_run: bool, project: Path | None) -> None:
    """Delete a page and close the gap on its learning path."""
    from hubgen import authoring

    def edit(ws: authoring.Workspace) -> None:
        places = authoring.remove(ws, page, fix_links, redirect_to)
        if places:
            hint = "pass --fix-links to unlink them" if not fix_links else "edit them by hand"
            raise authoring.EditRefused(f"pages still link to '{page}' ({hint}):\n  " + "\n  ".join(places), ())

    _edit(project, dry_run, edit)


@main.command("rename")
@click.argument("page")
@click.argument("new_id")
@click.option("--no-alias", is_flag=True, help="Do not add the old id to the page's aliases (no redirect).")
@dry_run_option
@project_option
@handles_failures
def rename_command(page: str, new_id: str, no_alias: bool, dry_run: bool, project: Path | None) -> None:
    """Give a page a new id (and file); rewrite every reference and link to it; its old URL redirects to it."""
    from hubgen import authoring

    _edit(project, dry_run, lambda ws: authoring.rename(ws, page, new_id, alias=not no_alias))


@main.group("track")
def track_group() -> None:
    """Edit a learning track's steps (a page of `type: track`)."""


@track_group.command("add")
@click.argument("track")
@click.argument("page")
@click.option("--after", metavar="ID", default=None, help="Put the page right after this step.")
@click.option("--before", metavar="ID", default=None, help="Put the page right before this step.")
@dry_run_option
@project_option
@handles_failures
def track_add_command(
    track: str, page: str, after: str | None, before: str | None, dry_run: bool, project: Path | None
) -> None:
    """Add PAGE to TRACK's steps: at the end, or after or before one of its steps."""
    from hubgen import authoring

    _one_position(after=after, before=before)
    _edit(project, dry_run, lambda ws: authoring.track_add(ws, track, page, after, before))


@track_group.command("remove")
@click.argument("track")
@click.argument("page")
@dry_run_option
@project_option
@handles_failures
def track_remove_command(track: str, page: str, dry_run: bool, project: Path | None) -> None:
    """Remove PAGE from TRACK's steps."""
    from hubgen import authoring

    _edit(project, dry_run, lambda ws: authoring.track_remove(ws, track, page))


def _one_position(**given: Any) -> str | None:
    chosen = [name for name, value in given.items() if value]
    if len(chosen) > 1:
        raise click.UsageError(" and ".join(f"--{name}" for name in chosen) + " cannot be used together")
    return chosen[0] if chosen else None


def _edit(project: Path | None, dry_run: bool, edit: Callable[[authoring.Workspace], object]) -> None:
    """Run an authoring edit: print the diff (--dry-run) or the files written; exit 1 when it is refused."""
    from hubgen import authoring

    try:
        changes, diff = authoring.apply_edit(project_root(project), edit, dry_run)
    except authoring.EditRefused as refused:
        if refused.diagnostics:
            report_text(refused.diagnostics)
        click.secho(f"hubgen: refused: {for_terminal(str(refused))}", err=True, fg="red")
        click.echo("hubgen: nothing written", err=True)
        sys.exit(EXIT_ERRORS)
    if not changes:
        click.echo("nothing to change")
    elif dry_run:
        click.echo(for_terminal(diff, keep_newlines=True), nl=False)
    else:
        for change in changes:
            click.echo(for_terminal(change.describe()))
