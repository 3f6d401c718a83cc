"""Progress of a long build, for a person at a terminal. The pipeline reports `(stage, done, total)` as it
goes; nobody listens unless the CLI, writing to a terminal, passes a `TerminalProgress`: a rich bar that
appears once the build has run for a second and is wiped when it ends, so short builds and CI stay silent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def silent(stage: str, done: int, total: int) -> None:
    """The default listener: nothing is shown."""


class TerminalProgress:
    """A transient rich progress bar per stage, shown only after `delay` seconds (rich is imported then)."""

    def __init__(self, delay: float = 1.0, console: Any = None) -> None:
        self._delay = delay
        self._console = console
        self._started = time.monotonic()
        self._shown = 0.0  # when the bar was last redrawn
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self._bar is None and now - self._started < self._delay:
            return
        if done < total and now - self._shown < 0.05:  # at most 20 redraws a second
            return
        self._shown = now
        bar = self._bar or self._start()
        if stage not in self._tasks:
            self._tasks[stage] = bar.add_task(stage, total=total)
        bar.update(self._tasks[stage], completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _start(self) -> Any:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = (TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        self._bar = Progress(*columns, console=self._console, transient=True)
        self._bar.start()
        return self._bar
