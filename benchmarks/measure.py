"""How the benchmark measures: one command as a child process (wall seconds, peak RSS, peak memory of its whole
process tree), and the samples a run collects.

A `Sample` is one run of one command. `Results` holds them per (size, operation), and, apart, latencies in
milliseconds per (size, measure) (`hubgen serve`'s save -> reload, a browser's first search query), which are
many small figures of one process rather than one command's wall time.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Sample:
    seconds: float
    max_rss_mb: float
    tree_mb: float = 0.0  # peak of the summed PSS of the command and all its descendants (workers, Pagefind)


@dataclass
class Results:
    samples: dict[tuple[int, str], list[Sample]] = field(default_factory=dict)
    latencies_ms: dict[tuple[int, str], list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, size: int, operation: str, sample: Sample) -> None:
        self.samples.setdefault((size, operation), []).append(sample)

    def median(self, size: int, operation: str) -> float | None:
        found = self.samples.get((size, operation))
        return statistics.median(s.seconds for s in found) if found else None

    def peak_tree_mb(self, size: int, operation: str) -> float | None:
        found = self.samples.get((size, operation))
        return max(s.tree_mb for s in found) if found else None

    def latency(self, size: int, measure: str, percent: float) -> float | None:
        found = self.latencies_ms.get((size, measure))
        return percentile(found, percent) if found else None


def percentile(values: list[float], percent: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `percent` % of the values at or below it
    (the median of an even count is the lower middle value; p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


class CommandFailed(RuntimeError):
    pass


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Sample:
    """Run `command` in `cwd`; wall seconds from spawn to reap, the child's peak RSS from os.wait4, and the
    peak summed memory of its whole process tree (sampled from /proc every 50 ms)."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        sampler = TreeMemory(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        sampler.stop()
        child.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting again
        if child.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace")[-2000:]
            raise CommandFailed(f"{' '.join(command)} (in {cwd}) exited {child.returncode}:\n{tail}")
    return Sample(seconds, usage.ru_maxrss / 1024, sampler.peak_kib / 1024)  # ru_maxrss is in KiB on Linux


class TreeMemory(threading.Thread):
    """The peak, over time, of the summed proportional set size (PSS: shared pages split between the
    processes sharing them, so forked workers are not counted twice) of a process and its descendants."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_kib = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.05):
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(pid) for pid in _tree(self.root)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0
