"""Benchmark hubgen against MkDocs and Hugo on the same generated corpus.

    python benchmarks/bench.py --sizes 1000,5000,10000 --runs 3 [--peers mkdocs,hugo] [--quick]

Installs the peers from PyPI into benchmarks/.peers/ (a venv: mkdocs==1.6.1 and the `hugo` package, which ships
the Hugo binary), generates the corpus per size into benchmarks/.work/, then measures per size, rotating the
order of the tools from run to run:

    hubgen build (cold)             rm -rf site .hubgen-cache; hubgen build -q
    hubgen build (no-op)            hubgen build -q again, nothing changed
    hubgen build (1 edit)           append a sentence to one article; hubgen build -q
    hubgen build (next edit)        the same again (now the previous site is kept to update)
    hubgen build (cold, no search)  a copy of the corpus with search: false, built cold
    ... (cold, no search, no cards) the same with social_cards: false: what the social cards cost
    ... (cold, no search, no llms)  the same with llms: false: what llms.txt and the Markdown twins cost
    hubgen check                    rm -rf .hubgen-cache; hubgen check
    hubgen check (warm)             hubgen check again
    floor: bare Python loop         benchmarks/floor.py: markdown-it-py + Pygments + a one-line Jinja template
    floor: Pagefind alone           Pagefind over hubgen's built site, in one run, as nothing else
    mkdocs build (cold)   rm -rf site; mkdocs build -q         (only up to --mkdocs-max articles)
    hugo build (cold)     rm -rf public resources; hugo --quiet

Each command is a subprocess; its wall time is measured around spawn..reap, its peak RSS is the ru_maxrss
that os.wait4 reports (the largest single process), and "all processes" is the peak of the summed PSS of the
command and all its descendants, sampled from /proc. The table shows
medians and goes to stdout and benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus

HERE = Path(__file__).resolve().parent
PEERS = HERE / ".peers"
WORK = HERE / ".work"
RESULTS = HERE / "results.md"
PEER_PACKAGES = ("mkdocs==1.6.1", "hugo")
EDIT_FILE = Path("content/hub-000/article-00001.md")
FLOOR_LOOP = "floor: bare Python loop"
FLOOR_SEARCH = "floor: Pagefind alone"

OPERATIONS = (
    "hubgen build (cold)",
    "hubgen build (no-op)",
    "hubgen build (1 edit)",
    "hubgen build (next edit)",
    "hubgen build (cold, no search)",
    "hubgen build (cold, no search, no cards)",
    "hubgen build (cold, no search, no llms)",
    "hubgen check",
    "hubgen check (warm)",
    FLOOR_LOOP,
    FLOOR_SEARCH,
    "mkdocs build (cold)",
    "hugo build (cold)",
)


@dataclass
class Sample:
    seconds: float
    max_rss_mb: float
    tree_mb: float = 0.0  # peak of the summed PSS of the command and all its descendants (workers, Pagefind)


@dataclass
class Results:
    samples: dict[tuple[int, str], list[Sample]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, size: int, operation: str, sample: Sample) -> None:
        self.samples.setdefault((size, operation), []).append(sample)

    def median(self, size: int, operation: str) -> float | None:
        found = self.samples.get((size, operation))
        return statistics.median(s.seconds for s in found) if found else None


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


def no_search_copy(project: Path, extra: str = "", name: str = "-no-search") -> Path:
    """The hubgen corpus with `search: false` (and `extra` settings): the site Hugo and MkDocs are compared with
    has no index."""
    copy = project.with_name(project.name + name)
    remove(copy)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("site", ".hubgen-cache"))
    config = copy / "hubgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "search: false\n" + extra, encoding="utf-8")
    return copy


def remove(*paths: Path) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def install_peers(peers: list[str]) -> dict[str, list[str]]:
    """Create benchmarks/.peers (once) and return each peer's command prefix."""
    if peers and not (PEERS / "bin" / "python").exists():
        print(f"creating {PEERS} and installing {' '.join(PEER_PACKAGES)} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
    if peers and not all((PEERS / "bin" / tool).exists() for tool in peers):
        subprocess.run([str(PEERS / "bin" / "pip"), "install", "-q", *PEER_PACKAGES], check=True)
    commands: dict[str, list[str]] = {}
    if "mkdocs" in peers:
        commands["mkdocs"] = [str(PEERS / "bin" / "mkdocs")]
    if "hugo" in peers:
        # bin/hugo is a Python wrapper around the packaged binary; call the binary itself so Hugo's time does
        # not include a Python start-up. Fall back to the wrapper if the layout ever changes.
        binaries = sorted(PEERS.glob("lib/python*/site-packages/hugo/binaries/hugo"))
        commands["hugo"] = [str(binaries[0])] if binaries else [str(PEERS / "bin" / "hugo")]
    return commands


SNAPSHOT = WORK / "hubgen-snapshot"
HUBGEN_ENV: dict[str, str] | None = None  # set by snapshot_hubgen()


def snapshot_hubgen() -> str:
    """Freeze a copy of the installed hubgen (code + theme) so edits made to the repo during a long run do not
    change, or break, the code being measured. Returns where the copy came from."""
    global HUBGEN_ENV
    import hubgen
    from hubgen.build.theme import theme_dir

    source = Path(hubgen.__file__).resolve().parent
    remove(SNAPSHOT)
    shutil.copytree(source, SNAPSHOT / "hubgen", ignore=shutil.ignore_patterns("__pycache__"))
    if not (SNAPSHOT / "hubgen" / "theme").is_dir():
        shutil.copytree(theme_dir(), SNAPSHOT / "hubgen" / "theme")
    HUBGEN_ENV = {**os.environ, "PYTHONPATH": str(SNAPSHOT)}
    return str(source)


def hubgen_command() -> list[str]:
    if HUBGEN_ENV is not None:
        return [sys.executable, "-m", "hubgen.cli"]
    script = Path(sys.executable).parent / "hubgen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hubgen.cli"]


def version_of(command: list[str], *args: str, env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run([*command, *args], capture_output=True, text=True, check=False, timeout=60, env=env)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip() and "Running Hugo" not in line]
    return lines[0].strip() if lines else "unknown"


def run_size(
    size: int,
    runs: int,
    peers: dict[str, list[str]],
    mkdocs_max: int,
    mkdocs_timeout: float,
    results: Results,
) -> None:
    print(f"\n== {size} articles: generating corpus ...", flush=True)
    projects = corpus.generate(WORK / f"n{size}", size)
    projects["hubgen-no-search"] = no_search_copy(projects["hubgen"])
    projects["hubgen-no-cards"] = no_search_copy(projects["hubgen"], "social_cards: false\n", "-no-cards")
    projects["hubgen-no-llms"] = no_search_copy(projects["hubgen"], "llms: false\n", "-no-llms")
    hubgen = hubgen_command()
    edits = 0

    def hubgen_sequence(run: int) -> None:
        nonlocal edits
        project = projects["hubgen"]
        remove(project / "site", project / ".hubgen-cache")
        record(run, "hubgen build (cold)", [*hubgen, "build", "-q"], project)
        record(run, "hubgen build (no-op)", [*hubgen, "build", "-q"], project)
        edits += 1
        with (project / EDIT_FILE).open("a", encoding="utf-8") as page:
            page.write(f"\nOne more sentence, edit number {edits}, to trigger a rebuild.\n")
        record(run, "hubgen build (1 edit)", [*hubgen, "build", "-q"], project)
        edits += 1
        with (project / EDIT_FILE).open("a", encoding="utf-8") as page:
            page.write(f"\nOne more sentence, edit number {edits}, to trigger a rebuild.\n")
        record(run, "hubgen build (next edit)", [*hubgen, "build", "-q"], project)
        index = project.parent / "pagefind-alone"  # the site just built, indexed whole by Pagefind alone
        remove(index)
        pagefind = [sys.executable, "-m", "pagefind", "--site", "site", "--output-path", str(index), "--silent"]
        record(run, FLOOR_SEARCH, pagefind, project)

    def floor_loop(run: int) -> None:
        out = projects["hubgen"].parent / "floor-site"
        remove(out)
        record(run, FLOOR_LOOP, [sys.executable, str(HERE / "floor.py"), "hubgen", str(out)], projects["hubgen"].parent)

    def hubgen_no_search(run: int) -> None:
        variants = [("no-search", ""), ("no-cards", ", no cards"), ("no-llms", ", no llms")]
        for name, label in variants[run % 3 :] + variants[: run % 3]:  # each goes first in turn
            project = projects[f"hubgen-{name}"]
            remove(project / "site", project / ".hubgen-cache")
            record(run, f"hubgen build (cold, no search{label})", [*hubgen, "build", "-q"], project)

    def hubgen_check(run: int) -> None:
        project = projects["hubgen"]
        remove(project / ".hubgen-cache")
        record(run, "hubgen check", [*hubgen, "check"], project)
        record(run, "hubgen check (warm)", [*hubgen, "check"], project)

    def mkdocs(run: int) -> None:
        remove(projects["mkdocs"] / "site")
        record(run, "mkdocs build (cold)", [*peers["mkdocs"], "build", "-q"], projects["mkdocs"])

    def hugo(run: int) -> None:
        remove(projects["hugo"] / "public", projects["hugo"] / "resources")
        record(run, "hugo build (cold)", [*peers["hugo"], "--quiet"], projects["hugo"])

    def record(run: int, operation: str, command: list[str], cwd: Path) -> None:
        sample = measure(command, cwd, HUBGEN_ENV if operation.startswith("hubgen") else None)
        results.add(size, operation, sample)
        shown = f"{operation:<22} {sample.seconds:8.2f} s  {sample.max_rss_mb:7.0f} MB"
        print(f"  run {run + 1}/{runs}  {shown}", flush=True)

    groups = [hubgen_check, hubgen_no_search, floor_loop]
    mkdocs_on = "mkdocs" in peers and size <= mkdocs_max
    if "mkdocs" in peers and not mkdocs_on:
        results.notes.append(f"MkDocs skipped at {size} articles (above --mkdocs-max {mkdocs_max}).")
    if mkdocs_on:
        groups.append(mkdocs)
    if "hugo" in peers:
        groups.append(hugo)
    groups.append(hubgen_sequence)  # the slow trio last in run 1, so a cut-short run still has every tool once
    for run in range(runs):
        shift = run % len(groups)  # rotate the order so no tool always runs first (or after the same neighbour)
        for group in groups[shift:] + groups[:shift]:
            if group is mkdocs and not mkdocs_on:
                continue
            group(run)
            if group is mkdocs:
                last = results.samples[(size, "mkdocs build (cold)")][-1].seconds
                if last > mkdocs_timeout and run + 1 < runs:
                    mkdocs_on = False
                    results.notes.append(
                        f"MkDocs at {size} articles took {last:.0f} s (> {mkdocs_timeout:.0f} s): measured once only."
                    )


def _fmt_ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}x" if value is not None and base else "-"


def table(results: Results, sizes: list[int]) -> str:
    lines = [
        "| articles | tool / operation | median s | runs | vs Hugo | vs MkDocs | peak RSS MB | all processes MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        hugo = results.median(size, "hugo build (cold)")
        mkdocs = results.median(size, "mkdocs build (cold)")
        for operation in OPERATIONS:
            samples = results.samples.get((size, operation))
            if not samples:
                continue
            median = statistics.median(s.seconds for s in samples)
            rss = max(s.max_rss_mb for s in samples)
            tree = max(s.tree_mb for s in samples)
            lines.append(
                f"| {size} | {operation} | {median:.2f} | {len(samples)} | {_fmt_ratio(median, hugo)} "
                f"| {_fmt_ratio(median, mkdocs)} | {rss:.0f} | {tree:.0f} |"
            )
    return "\n".join(lines)


def machine(peers: dict[str, list[str]]) -> list[str]:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {platform.machine()} {platform.system()} {platform.release()}, nproc {os.cpu_count()}, "
        f"load average at the end {load}",
        f"- python: {platform.python_version()} ({sys.executable})",
        f"- hubgen: {version_of(hubgen_command(), '--version', env=HUBGEN_ENV)}"
        + (f" (frozen copy in {SNAPSHOT.relative_to(HERE.parent)}, taken at start)" if HUBGEN_ENV else ""),
    ]
    for name, command in peers.items():
        lines.append(f"- {name}: {version_of(command, 'version' if name == 'hugo' else '--version')}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,10000", help="comma-separated article counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per operation and size (median reported)")
    parser.add_argument(
        "--runs-at",
        default="",
        metavar="SIZE=N,...",
        help="override --runs for some sizes, e.g. 10000=2 (to keep a long run within a time budget)",
    )
    parser.add_argument("--peers", default="mkdocs,hugo", help="peers to compare against: mkdocs,hugo or ''")
    parser.add_argument("--mkdocs-max", type=int, default=5000, help="largest size MkDocs is built at")
    parser.add_argument(
        "--mkdocs-timeout", type=float, default=60.0, help="after one MkDocs run slower than this, stop repeating it"
    )
    parser.add_argument("--quick", action="store_true", help="sizes 200,1000 and one run: a smoke test")
    parser.add_argument(
        "--no-snapshot",
        action="store_true",
        help="run the installed hubgen directly instead of a copy frozen at start (edits during the run count)",
    )
    args = parser.parse_args(argv)

    sizes = [200, 1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    runs = 1 if args.quick else args.runs
    runs_at = {int(k): int(v) for k, v in (item.split("=") for item in args.runs_at.split(",") if item.strip())}
    peer_names = [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = set(peer_names) - {"mkdocs", "hugo"}
    if unknown:
        parser.error(f"unknown peers: {', '.join(sorted(unknown))}")
    peers = install_peers(peer_names)
    if not args.no_snapshot:
        print(f"hubgen: measuring a frozen copy of {snapshot_hubgen()}", flush=True)
    WORK.mkdir(parents=True, exist_ok=True)

    results = Results()
    started = time.perf_counter()
    command = " ".join(argv if argv is not None else sys.argv[1:])
    for done, size in enumerate(sizes):
        run_size(size, runs_at.get(size, runs), peers, args.mkdocs_max, args.mkdocs_timeout, results)
        if done + 1 < len(sizes):  # keep what is measured so far if a long run is cut short
            partial = report(results, sizes[: done + 1], peers, command, time.perf_counter() - started)
            RESULTS.write_text(partial + "\n(partial: larger sizes still running)\n", encoding="utf-8")
    text = report(results, sizes, peers, command, time.perf_counter() - started)
    print("\n" + text)
    RESULTS.write_text(text, encoding="utf-8")
    print(f"written to {RESULTS}")
    return 0


def report(results: Results, sizes: list[int], peers: dict[str, list[str]], command: str, elapsed: float) -> str:
    notes = [
        "Wall-clock medians; each command is a separate process (interpreter start-up included).",
        "Runs alternate: the order of the tool groups rotates every run; the hubgen builds always run as "
        "cold -> no-op -> 1 edit -> next edit. '1 edit' is the first build after the cold one, which has no "
        "previous site to update and writes every file; 'next edit' updates the previous site in place.",
        "'cold, no search' builds the same corpus with search: false (no Pagefind index), like the peers' sites; "
        "'no cards' and 'no llms' also turn social_cards or llms off: the difference is what that output costs "
        "(benchmarks/features.py measures it in CPU seconds, which a busy machine disturbs less).",
        "'check' runs with no cache; 'check (warm)' right after it.",
        "The floors are what no generator built like hubgen can go under. 'bare Python loop' is "
        "benchmarks/floor.py: the issue's markdown-it-py + Pygments + one-line Jinja loop over the same files, "
        "in as many processes as hubgen uses, with no graph, validation, theme, search or cache. 'Pagefind "
        "alone' indexes hubgen's finished site (after the edits) in one Pagefind run, as a cold build must.",
        "Peak RSS: the largest single process (ru_maxrss via os.wait4). All processes: the peak of the summed PSS "
        "of the command and every descendant (parse and render workers, Pagefind), sampled every 50 ms.",
        "The machine is shared (other jobs run concurrently), so timings are noisy: compare medians and ratios, "
        "not single runs.",
        "Hugo is multi-threaded and uses every core; hubgen uses --jobs (default: every core) processes; MkDocs one.",
        "Hugo builds its default extras too (RSS, sitemap, tags/categories taxonomy pages); "
        "MkDocs builds its default theme with the search index.",
        *results.notes,
        f"Total benchmark time: {elapsed / 60:.1f} min.",
    ]
    return "\n".join(
        [
            "# hubgen benchmark results",
            "",
            *machine(peers),
            f"- command: python benchmarks/bench.py {command}",
            "",
            table(results, sizes),
            "",
            *[f"- {note}" for note in notes],
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
