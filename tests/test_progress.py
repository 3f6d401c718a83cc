"""The terminal progress bar: hidden for a build shorter than its delay, drawn by rich after it, then wiped."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from helpers import run_cli, write_files
from hubgen.base.progress import TerminalProgress


def terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


def test_nothing_is_drawn_before_the_delay() -> None:
    console, out = terminal()
    bar = TerminalProgress(delay=60, console=console)
    for done in range(1, 101):
        bar("parse", done, 100)
    bar.close()
    assert out.getvalue() == ""


def test_after_the_delay_each_stage_gets_a_bar_that_is_wiped_at_the_end() -> None:
    console, out = terminal()
    bar = TerminalProgress(delay=0, console=console)
    bar("parse", 1, 3)
    bar("parse", 3, 3)
    bar("render", 2, 2)
    bar.close()
    drawn = out.getvalue()
    assert "parse" in drawn and "render" in drawn and "3/3" in drawn and "2/2" in drawn
    assert "\x1b[2K" in drawn  # transient: the lines are erased when the build ends


def test_the_cli_draws_no_bar_when_stdout_is_not_a_terminal(tmp_path: Path) -> None:
    project = write_files(tmp_path / "hub", {"hubgen.yaml": "title: T\nsearch: false\n", "content/index.md": "# Hi\n"})
    outcome = run_cli("build", cwd=project)  # CliRunner's stdout is not a terminal, as in CI
    assert outcome.exit_code == 0, outcome.output
    assert outcome.stdout.startswith("Built 1 page") and "\x1b" not in outcome.output
