"""What the optional outputs cost a cold build: social cards and the text for AI assistants (llms).

    python benchmarks/features.py --sizes 1000,10000 --runs 3 [--search]

For each size, the benchmark corpus (corpus.py) is built cold (no site/, no .hubgen-cache/) in three copies
that differ in one setting each: everything on, `social_cards: false`, `llms: false` (all with `search:
false` unless --search, so Pagefind's share does not hide theirs). The copies take turns run after run, in a
rotating order, so a noisy neighbour hurts all alike. Each build is `hubgen build -v` in a process of its own:

    wall     seconds from spawn to reap
    cpu      user + system seconds of the build and every process it waited for (its workers, Pagefind)
    cards    the build's own "cards" stage (build -v), wall seconds: drawing and storing every card

Reported per size: medians, and the cost of cards and of llms as (all on) - (that one off), in wall and in
CPU seconds, with each as a share of the whole build. CPU seconds are the steadier figure on a shared machine.
Results go to stdout and benchmarks/features.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
RESULTS = HERE / "features.md"
VARIANTS = {"all on": "", "social_cards: false": "social_cards: false\n", "llms: false": "llms: false\n"}
STAGE = re.compile(r"^\s+cards\s+([0-9.]+) ms$", re.MULTILINE)


def build(project: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """(wall, cpu, cards stage) seconds of a cold `hubgen build -v` of `project`."""
    shutil.rmtree(project / "site", ignore_errors=True)
    shutil.rmtree(project / ".hubgen-cache", ignore_errors=True)
    command = [sys.executable, "-m", "hubgen.cli", "build", "-v"]
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)  # the child's usage includes the processes it waited for
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if child.returncode != 0:
        raise RuntimeError(f"hubgen build in {project} exited {child.returncode}:\n{text[-2000:]}")
    found = STAGE.search(text)
    return wall, usage.ru_utime + usage.ru_stime, float(found.group(1)) / 1000 if found else 0.0


def run_size(size: int, runs: int, search: bool, env: dict[str, str]) -> dict[str, list[tuple[float, float, float]]]:
    print(f"\n== {size} articles: generating corpus ...", flush=True)
    source = corpus.generate(WORK / f"features-n{size}", size)["hubgen"]
    projects: dict[str, Path] = {}
    for name, extra in VARIANTS.items():
        copy = source.with_name("hubgen-" + re.sub(r"\W+", "-", name))
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(source, copy)
        config = copy / "hubgen.yaml"
        config.write_text(config.read_text() + ("" if search else "search: false\n") + extra, encoding="utf-8")
        projects[name] = copy
    found: dict[str, list[tuple[float, float, float]]] = {name: [] for name in VARIANTS}
    names = list(VARIANTS)
    for run in range(runs):
        for name in names[run % len(names) :] + names[: run % len(names)]:
            sample = build(projects[name], env)
            found[name].append(sample)
            print(f"  run {run + 1}/{runs}  {name:<20} {sample[0]:7.2f} s wall {sample[1]:7.2f} s cpu", flush=True)
    return found


def table(results: dict[int, dict[str, list[tuple[float, float, float]]]]) -> list[str]:
    lines = [
        "| articles | build | wall (median) | cpu (median) | cards stage | cost: wall | cost: cpu |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size, found in results.items():
        medians = {
            name: [statistics.median(s[i] for s in samples) for i in range(3)] for name, samples in found.items()
        }
        on = medians["all on"]
        for name, (wall, cpu, stage) in medians.items():
            cost = ("", "")
            if name != "all on":
                cost = (
                    f"{on[0] - wall:+.2f} s ({(on[0] - wall) / on[0]:.0%})",
                    f"{on[1] - cpu:+.2f} s ({(on[1] - cpu) / on[1]:.0%})",
                )
            shown = f"{stage:.2f} s ({stage / wall:.0%})" if stage else "-"
            lines.append(f"| {size:,} | {name} | {wall:.2f} s | {cpu:.2f} s | {shown} | {cost[0]} | {cost[1]} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--runs", type=int, default=3, help="cold builds of each copy per size (median reported)")
    parser.add_argument("--search", action="store_true", help="keep search on (Pagefind indexes each build)")
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src")}  # this checkout's hubgen
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    started = time.perf_counter()
    results = {size: run_size(size, args.runs, args.search, env) for size in sizes}
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    text = "\n".join(
        [
            "# What social cards and llms output cost a cold build",
            "",
            f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}; nproc {os.cpu_count()}; load "
            f"average at the end {load}",
            f"- command: python benchmarks/features.py {' '.join(argv if argv is not None else sys.argv[1:])}",
            f"- search {'on' if args.search else 'off'}; {args.runs} cold builds of each copy per size; "
            f"{(time.perf_counter() - started) / 60:.1f} min in all",
            "",
            *table(results),
            "",
            "cost = (all on) - (that output off), as a share of the build with everything on. cpu: user + system "
            "seconds of the build and of every process it waited for; the cards stage is wall time, from build -v.",
            "",
        ]
    )
    print("\n" + text)
    RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
