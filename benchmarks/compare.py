"""Two revisions of hubgen side by side, in one run, on the same corpus: did a change make anything slower?

    python benchmarks/compare.py --before 97623d7                 # against HEAD, 1,000 and 10,000 articles
    python benchmarks/compare.py --before main~3 --after HEAD --sizes 1000 --runs 5

Each revision is checked out into its own git worktree (nothing is installed); its `hubgen` runs as
`python -m hubgen.cli` with that worktree's `src/` first on the path, and its own benchmarks/bench_serve.py
measures `serve`. For each size, the two revisions take turns run after run (A B, then B A, ...), so a
noisy neighbour hurts both alike. Reported: the median of each operation, and after/before.

    cold         hubgen build -q on a fresh copy (no site/, no .hubgen-cache/)
    no-op        hubgen build -q again, nothing changed
    edit         one article's paragraph changed, then hubgen build -q
    check        hubgen check --no-cache
    check warm   hubgen check (the parse cache filled by the builds)
    serve start  `hubgen serve`'s first full build, in memory (bench_serve.py)
    serve edit   save -> reload event in `hubgen serve`, median of 5 paragraph edits (bench_serve.py)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

REPO = HERE.parent
OPERATIONS = ("cold", "no-op", "edit", "check", "check warm", "serve start", "serve edit")


def worktree(rev: str, into: Path) -> Path:
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(into), rev], check=True)
    return into


def hubgen(tree: Path, *args: str, cwd: Path) -> float:
    """Seconds one hubgen command takes (a fresh interpreter, as a user runs it)."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "hubgen.cli", *args], cwd=cwd, env=env, capture_output=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"hubgen {' '.join(args)} failed in {tree}:\n{done.stderr.decode()}")
    return seconds


def serve(tree: Path, articles: int) -> tuple[float, float]:
    """`hubgen serve`'s start and its median save -> reload latency, from the revision's own bench_serve.py."""
    script = tree / "benchmarks/bench_serve.py"
    done = subprocess.run(
        [sys.executable, str(script), "--articles", str(articles), "--edits", "5"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    start = re.search(r"start \(first full build\) ([\d.]+) s", done.stdout)
    edit = re.search(r"reload event: median (\d+) ms", done.stdout)
    if not start or not edit:
        raise SystemExit(f"bench_serve.py failed in {tree}:\n{done.stdout}\n{done.stderr}")
    return float(start.group(1)), int(edit.group(1)) / 1000


def one_run(tree: Path, source: Path, work: Path, articles: int) -> dict[str, float]:
    project = work / "project"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(source, project)
    times = {"cold": hubgen(tree, "build", "-q", cwd=project), "no-op": hubgen(tree, "build", "-q", cwd=project)}
    article = next(p for p in sorted((project / "content").rglob("*.md")) if p.name not in ("index.md", "README.md"))
    with article.open("a", encoding="utf-8") as page:
        page.write("\nOne more sentence, to trigger a rebuild.\n")
    times["edit"] = hubgen(tree, "build", "-q", cwd=project)
    times["check"] = hubgen(tree, "check", "--no-cache", cwd=project)
    times["check warm"] = hubgen(tree, "check", cwd=project)
    times["serve start"], times["serve edit"] = serve(tree, articles)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True, help="the older revision (a commit, tag or branch)")
    parser.add_argument("--after", default="HEAD", help="the newer revision (default HEAD)")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--runs", type=int, default=3, help="runs per revision and size (median reported)")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",") if size.strip()]
    with tempfile.TemporaryDirectory(prefix="hubgen-compare-") as folder:
        work = Path(folder)
        trees = {
            "before": worktree(options.before, work / "before"),
            "after": worktree(options.after, work / "after"),
        }
        try:
            lines = [f"before = {options.before}, after = {options.after}; median of {options.runs} runs", ""]
            for size in sizes:
                source = work / f"corpus-{size}"
                corpus.write_content(source / "content", size)
                (source / "hubgen.yaml").write_text("title: Benchmark Hub\nbase_url: https://example.org/bench/\n")
                results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
                for run in range(options.runs):
                    order = ["before", "after"] if run % 2 == 0 else ["after", "before"]
                    for name in order:
                        results[name].append(one_run(trees[name], source, work / name, size))
                        print(f"{size} articles, run {run + 1}, {name}: {results[name][-1]}", flush=True)
                lines += table(size, results)
            print("\n".join(lines))
        finally:
            for tree in trees.values():
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)


def table(size: int, results: dict[str, list[dict[str, float]]]) -> list[str]:
    header = ["| operation | before (s) | after (s) | after / before |", "|---|---:|---:|---:|"]
    lines = [f"{size:,} articles", "", *header]
    for operation in OPERATIONS:
        before = statistics.median(run[operation] for run in results["before"])
        after = statistics.median(run[operation] for run in results["after"])
        lines.append(f"| {operation} | {before:.3f} | {after:.3f} | {after / before:.2f} |")
    return [*lines, ""]


if __name__ == "__main__":
    main()
